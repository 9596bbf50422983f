"""Real runs behind two of model/mfmachine.py's mutants (spec/paths.md MF-GC-9): go1.27.3's
reflect and runtime rebuilt with ``go build -overlay``, a GC forced at the safepoint the
explorer's trace names, ``GODEBUG=clobberfree=1`` so that a freed object reads as garbage.

* no-keepalive-regs: callMethod with ``runtime.GC()`` before typedmemclr (V:1131). With
  ``runtime.KeepAlive(valueRegs)`` the method's pointer result (only in the stub's RegArgs.Ptrs
  then) survives; without it every call returns a freed object.
* no-stackobj: callReflect with ``callGC`` on (a GC on entry, V:698-705) and a pointer argument
  the caller holds nowhere else. With the synthesised RegArgs stack object
  (runtime/stkframe.go:243) the argument survives; with ``objs = nil`` there, every call
  reads a freed object.

The overlays rebuild the standard library (about 35-50 s each on a cold cache, 2 cores), so
these run only with ``REGABI_REAL_MFGC=1`` (native amd64)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def go_binary() -> str | None:
    cand = Path(sys.prefix) / "bin" / "go"
    return str(cand) if cand.exists() else shutil.which("go")

pytestmark = [
    pytest.mark.gotoolchain,
    pytest.mark.skipif(os.environ.get("REGABI_REAL_MFGC") != "1",
                       reason="set REGABI_REAL_MFGC=1: rebuilds the standard library"),
    pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="native amd64"),
]

_BIG = """type Big struct {
	p [4]*int
	v int
}
"""
METHOD_VALUE = """package main

import (
	"fmt"
	"reflect"
)

""" + _BIG + """
type T struct{ x int }

//go:noinline
func (t *T) M() *Big { return &Big{v: 42} }

func main() {
	f := reflect.ValueOf(&T{}).Method(0).Interface().(func() *Big)
	bad := 0
	for i := 0; i < 50; i++ {
		if p := f(); p.v != 42 {
			bad++
		}
	}
	fmt.Println("bad", bad)
}
"""
MAKEFUNC = """package main

import (
	"fmt"
	"reflect"
)

""" + _BIG + """
func main() {
	var f func(*Big) int
	impl := reflect.MakeFunc(reflect.TypeOf(f), func(args []reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.ValueOf(args[0].Interface().(*Big).v)}
	})
	f = impl.Interface().(func(*Big) int)
	bad := 0
	for i := 0; i < 50; i++ {
		if f(&Big{v: 42}) != 42 {
			bad++
		}
	}
	fmt.Println("bad", bad)
}
"""

_GC_AT_CLR = ("\ttypedmemclr(methodFrameType, methodFrame)\n",
              "\truntime.GC()\n\ttypedmemclr(methodFrameType, methodFrame)\n")
_NO_KEEPALIVE = ("\truntime.KeepAlive(valueRegs)\n", "")
_CALLGC = ("var callGC bool // for testing; see TestCallMethodJump and TestCallArgLive\n",
           "var callGC = true\n")
_NO_STACKOBJ = ("\t\tobjs = methodValueCallFrameObjs[:]\n", "\t\tobjs = nil\n")

CASES = {
    "method-value/real": (METHOD_VALUE, {"reflect/value.go": [_GC_AT_CLR]}, False),
    "method-value/no-keepalive-regs": (
        METHOD_VALUE, {"reflect/value.go": [_GC_AT_CLR, _NO_KEEPALIVE]}, True),
    "makefunc/real": (MAKEFUNC, {"reflect/value.go": [_CALLGC]}, False),
    "makefunc/no-stackobj": (MAKEFUNC, {"reflect/value.go": [_CALLGC],
                                        "runtime/stkframe.go": [_NO_STACKOBJ]}, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_real_run(tmp_path: Path, case: str) -> None:
    go = go_binary()
    assert go is not None
    prog, edits, freed = CASES[case]
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True,
                            check=True).stdout.strip()
    (tmp_path / "main.go").write_text(prog)
    (tmp_path / "go.mod").write_text("module regabi.test/mfgc\n\ngo 1.22\n")
    ov = tmp_path / "ov"
    ov.mkdir()
    replace = {}
    for rel, subs in edits.items():
        text = (Path(goroot) / "src" / rel).read_text()
        for anchor, repl in subs:
            assert text.count(anchor) == 1, (rel, anchor)
            text = text.replace(anchor, repl)
        dst = ov / rel.replace("/", "_")
        dst.write_text(text)
        replace[str(Path(goroot) / "src" / rel)] = str(dst)
    (tmp_path / "overlay.json").write_text(json.dumps({"Replace": replace}))
    env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")
    b = subprocess.run([go, "build", f"-overlay={tmp_path / 'overlay.json'}", "-o",
                        str(tmp_path / "prog"), "."], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=900)
    assert b.returncode == 0, b.stderr
    r = subprocess.run([str(tmp_path / "prog")], env=dict(env, GODEBUG="clobberfree=1"),
                       capture_output=True, text=True, timeout=120)
    line = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-300:]
    # the model: the real code holds (every call correct); the mutant frees the object at
    # the forced GC (every call wrong)
    assert line == ("bad 50" if freed else "bad 0"), (line, r.stderr[-500:])
