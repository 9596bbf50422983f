"""The mutation-testing killer: ``regabi prove --variant current --arch amd64`` in-process.

bench/mutation.py copies this file into mutmut's scratch tree as tests/test_killer.py. Each
mutant of the algorithm modules must change a verdict of the proof, else it survives.

Expected verdicts (independent of the code under test):
* every error-severity invariant is PROVED on go1.27.3/amd64 — spec/findings.md "Current",
  backed by tests/test_differential.py against the real toolchain;
* INV-INREGPTRS-RCVR is false with the minimal witness ``func()`` with receiver ``*int`` —
  finding L-1: go1.27.3 reflect/abi.go newAbiDesc reads ``in.stepsForValue(i)`` for argument
  i although the receiver is value 0, so the receiver's register AX is never marked.
"""

from __future__ import annotations

from regabi.model.invariants import CATALOGUE
from regabi.model.variants import get_variant
from regabi.proofs.bounded import Bounds
from regabi.proofs.induction import prove_by_induction
from regabi.proofs.prove import arch_of, prove_one

# a mutant that makes Z3 stall shows as UNKNOWN, which is a changed verdict
TIMEOUT_MS = 20000


def test_current_amd64_induction() -> None:
    arch, v = arch_of("amd64"), get_variant("current")
    ind = prove_by_induction(arch, v, CATALOGUE, TIMEOUT_MS)
    for inv in CATALOGUE:
        if inv.severity == "error":
            assert ind.status.get(inv.id) == "PROVED", (inv.id, ind.status.get(inv.id))
        else:
            assert ind.status.get(inv.id) != "PROVED", inv.id


def test_current_amd64_latent_witness() -> None:
    arch, v = arch_of("amd64"), get_variant("current")
    inv = next(i for i in CATALOGUE if i.id == "INV-INREGPTRS-RCVR")
    vd = prove_one(arch, v, inv, Bounds(max_params=1, max_results=1, max_groups=2,
                                         timeout_ms=TIMEOUT_MS))
    assert vd.status == "LATENT"
    assert "func() [recv *int]" in vd.line, vd.line
