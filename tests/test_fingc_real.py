"""A real run behind model/finmachine.py's ``early-clear`` mutant (spec/paths.md FIN-GC-6):
go1.27.3's runtime rebuilt with ``go build -overlay``, a GC forced right before runFinalizers'
reflectcall (FN:272; the explorer's trace has it at callNN's prologue, the next safepoint:
nothing the GC sees changes in between), ``GODEBUG=clobberfree=1`` so that a freed object
reads as garbage.

* real: ``GC()`` before reflectcall; the record's ``f.arg`` keeps each object alive (FIN-GC-1),
  so all 50 finalizers see their object intact.
* early-clear: ``f.arg = nil; GC()`` before reflectcall; the argument is then only in
  ``regs.Ints`` (not scanned, FIN-GC-3), so every finalizer reads a freed object.

Measured (native amd64, go1.27.3): real "bad 0" 3 of 3 runs, early-clear "bad 50" 3 of 3.
The overlay rebuilds the runtime (about 80 s at load ≈ 4, 2 cores), so this runs only with
``REGABI_REAL_FINGC=1`` (native amd64)."""

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
    pytest.mark.skipif(os.environ.get("REGABI_REAL_FINGC") != "1",
                       reason="set REGABI_REAL_FINGC=1: rebuilds the runtime"),
    pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="native amd64"),
]

PROG = """package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

type Big struct {
	p [4]*int
	v int
}

var bad, n atomic.Int32

func main() {
	for i := 0; i < 50; i++ {
		b := &Big{v: 42}
		runtime.SetFinalizer(b, func(b *Big) {
			if b.v != 42 {
				bad.Add(1)
			}
			n.Add(1)
		})
	}
	for n.Load() < 50 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	fmt.Println("bad", bad.Load())
}
"""

_CALL = ("\t\t\t\treflectcall(nil, unsafe.Pointer(f.fn), frame, uint32(framesz), "
         "uint32(framesz), uint32(framesz), &regs)\n")
CASES = {
    "real": ("\t\t\t\tGC()\n", False),
    "early-clear": ("\t\t\t\tf.arg = nil\n\t\t\t\tGC()\n", True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_real_run(tmp_path: Path, case: str) -> None:
    go = go_binary()
    assert go is not None
    before, freed = CASES[case]
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True,
                            check=True).stdout.strip()
    (tmp_path / "main.go").write_text(PROG)
    (tmp_path / "go.mod").write_text("module regabi.test/fingc\n\ngo 1.22\n")
    src = Path(goroot) / "src" / "runtime" / "mfinal.go"
    text = src.read_text()
    assert text.count(_CALL) == 1
    ov = tmp_path / "ov"
    ov.mkdir()
    (ov / "mfinal.go").write_text(text.replace(_CALL, before + _CALL))
    (tmp_path / "overlay.json").write_text(json.dumps({"Replace": {str(src): str(ov /
                                                                                "mfinal.go")}}))
    env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")
    b = subprocess.run([go, "build", f"-overlay={tmp_path / 'overlay.json'}", "-o",
                        str(tmp_path / "prog"), "."], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=900)
    assert b.returncode == 0, b.stderr
    r = subprocess.run([str(tmp_path / "prog")], env=dict(env, GODEBUG="clobberfree=1"),
                       capture_output=True, text=True, timeout=120)
    line = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-300:]
    # the model: the real order holds (every finalizer sees its object); the mutant frees it
    # at the forced GC (every finalizer reads a freed object)
    assert line == ("bad 50" if freed else "bad 0"), (line, r.stderr[-500:])
