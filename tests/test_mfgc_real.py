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

from pathlib import Path

import pytest
from gooverlay import build_and_run, real_run_marks

pytestmark = real_run_marks("REGABI_REAL_MFGC", "rebuilds the standard library")

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
    prog, edits, freed = CASES[case]
    line, err = build_and_run(tmp_path, prog, "regabi.test/mfgc", edits)
    # the model: the real code holds (every call correct); the mutant frees the object at
    # the forced GC (every call wrong)
    assert line == ("bad 50" if freed else "bad 0"), (line, err)
