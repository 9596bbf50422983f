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

from pathlib import Path

import pytest
from gooverlay import build_and_run, real_run_marks

pytestmark = real_run_marks("REGABI_REAL_FINGC", "rebuilds the runtime")

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
    before, freed = CASES[case]
    line, err = build_and_run(tmp_path, PROG, "regabi.test/fingc",
                              {"runtime/mfinal.go": [(_CALL, before + _CALL)]})
    # the model: the real order holds (every finalizer sees its object); the mutant frees it
    # at the forced GC (every finalizer reads a freed object)
    assert line == ("bad 50" if freed else "bad 0"), (line, err)
