"""Every mutant of the reflect model is killed by some invariant."""

from __future__ import annotations

import regabi.model.assign as A
import regabi.model.invariants as INV
from regabi.proofs.mutants import MUTANTS, run_mutants


def test_every_mutant_killed() -> None:
    before = (A.reflect_assign, INV.reflect_assign, A._Seq.reg_assign, A.layout)
    res = run_mutants("amd64")
    assert len(res) == len(MUTANTS) >= 15
    survivors = [r.mutant for r in res if not r.killed]
    assert not survivors, survivors
    # every patch restored
    assert before == (A.reflect_assign, INV.reflect_assign, A._Seq.reg_assign, A.layout)
