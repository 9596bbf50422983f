"""The mutation-testing killer: ``regabi prove --variant current --arch amd64`` in-process.

bench/mutation.py copies this file into mutmut's scratch tree as tests/test_killer.py. Each
mutant of the algorithm modules must change a verdict of the proof, else it survives.

Expected verdicts (independent of the code under test):
* every error-severity invariant is PROVED on go1.27.3/amd64 — spec/findings.md "Current",
  backed by tests/test_differential.py against the real toolchain;
* INV-INREGPTRS-RCVR is false with the minimal witness ``func()`` with receiver ``*int`` —
  finding L-1: go1.27.3 reflect/abi.go newAbiDesc reads ``in.stepsForValue(i)`` for argument
  i although the receiver is value 0, so the receiver's register AX is never marked;
* the bounded search alone (`--no-induction`, small bounds) refutes INV-BITMAP-REGS,
  INV-FRAME-SUFFICIENT and INV-GC-VISIBLE on current: PROVED within bounds.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest

from regabi.model.invariants import CATALOGUE
from regabi.model.variants import get_variant
from regabi.proofs import induction
from regabi.proofs.bounded import Bounds
from regabi.proofs.induction import prove_by_induction
from regabi.proofs.prove import arch_of, prove_one

# Z3 timeouts are wall-clock: on a loaded machine a short one turns PROVED into CTI. A mutant
# that makes Z3 stall is stopped by mutmut's CPU-time limit instead (a timeout counts as killed).
TIMEOUT_MS = 300000

# proofs/induction.py caps each goal query at 8 s of wall-clock time whatever the timeout; on
# this shared machine (load ~10 on 2 cores) that cap turns INV-FRAME-SUFFICIENT from PROVED
# into CTI for the unmutated code (seen with PYTHONHASHSEED 0, 1, 2). Lift the cap here, in
# the killer only, so that a verdict changes because of the mutant and not because of load.
_init = induction._Prover.__init__


def _patient_init(self: Any, *args: Any, **kw: Any) -> None:
    _init(self, *args, **kw)
    self.goal_timeout = TIMEOUT_MS


induction._Prover.__init__ = _patient_init  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """mutmut runs each mutant in a process forked from one that already ran the killer on the
    unmutated code, so every memo of model results made there (summaries cached on interned Go
    types, spec_assign's lru_cache in the oracle comparison, reflect's group memo, …) would
    answer for the mutant with the clean code's results and hide it — a mutant of
    ``_spec_value`` survived that way although SPEC=GO1.27.3 rejects it in a fresh process.
    `regabi prove` always starts fresh; so does each killer test."""
    for name, mod in list(sys.modules.items()):
        if not name.startswith("regabi") or mod is None:
            continue
        for val in list(vars(mod).values()):
            if callable(getattr(val, "cache_clear", None)):
                val.cache_clear()
    from regabi.model import assign, summary, syntax
    from regabi.model.types import GoType

    for memo in (assign._GROUPS_MEMO, summary._BASIC_CACHE, syntax._MEMO, syntax._FAST_MEMO):
        memo.clear()
    for obj in gc.get_objects():
        if isinstance(obj, GoType):
            obj._lay.clear()


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


def test_current_amd64_premises() -> None:
    """The premises `regabi prove` checks against go1.27.3's recorded answers (spec/proofs.md
    PRF-3): a mutant in the type summaries that the spec's and reflect's folds share shows
    here, not as a disagreement between them."""
    from regabi.proofs.prove import premise_verdicts

    got = {v.invariant: v.status for v in premise_verdicts([arch_of("amd64")])}
    assert got == {"WF-RECORDED": "HOLDS", "SPEC=GO1.27.3": "HOLDS",
                   "REFLECT=GO1.27.3": "HOLDS", "JOINT=LAYOUT": "HOLDS",
                   "SYM=CONCRETE": "HOLDS"}, got


def test_older_variants_gc_visible() -> None:
    """The branches only older variants take (spec/findings.md F-5, F-6): the seed loses an
    indirectly held pointer argument — minimal witness ``func(*int)`` (VAR-7) — and go1.18,
    which fixed VAR-7 but not VAR-8, still loses a pointer receiver held in a register."""
    arch = arch_of("amd64")
    inv = next(i for i in CATALOGUE if i.id == "INV-GC-VISIBLE")
    b = Bounds(max_params=1, max_results=0, max_groups=2, timeout_ms=TIMEOUT_MS)
    seed = prove_one(arch, get_variant("seed"), inv, b)
    assert seed.status == "FALSIFIED" and "func(*int)" in seed.line and "VAR-7" in seed.line, \
        seed.line
    g118 = prove_one(arch, get_variant("go1.18"), inv, b)
    assert g118.status == "FALSIFIED" and "[recv" in g118.line and "VAR-8" in g118.line, \
        g118.line


def test_type_lemmas_amd64() -> None:
    """`regabi prove --type-lemmas` at PtrSize 8 (spec/proofs.md PRF-9): WF of every Go type by
    induction on its structure, over model/summary.py's own constructors. A mutant of the
    summaries that breaks WF for some type, but none the induction's free summaries or the
    recorded values exercise, shows only here. About 50 s of CPU, spent only on mutants of the
    functions this test runs (mutmut maps tests to the functions they call)."""
    from regabi.proofs.types import prove_type_lemmas

    got = {lem.id: lem.status for lem in prove_type_lemmas(8, timeout_ms=TIMEOUT_MS)}
    assert got == {"TYPE-BASIC": "PROVED", "TYPE-ARRAY": "PROVED", "TYPE-STRUCT": "PROVED",
                   "TYPE-STRUCT-GROUPS": "PROVED", "TYPE-STRUCT-COUNTS": "PROVED",
                   "TYPE-LINK": "PROVED"}, got


@pytest.mark.parametrize("inv_id", ["INV-BITMAP-REGS", "INV-FRAME-SUFFICIENT",
                                    "INV-GC-VISIBLE"])
def test_current_amd64_bounded_search(inv_id: str) -> None:
    """`regabi prove --variant current --no-induction --invariant ID --max-params 1
    --max-results 1 --max-groups 2`: the bounded search alone, both phases. For current
    there is no counterexample (spec/findings.md "Current"), so every shape — the free
    phase's with and without a receiver as one query (spec/proofs.md PRF-6) — must be
    refuted; a mutant whose query has a model the concrete run does not reproduce is a
    ModelError, one whose refutation fails is UNKNOWN. INV-GC-VISIBLE has obligations at
    the receiver's own step (RFL-5: its word must reach the GC), which the one query guards
    by the receiver being there. The default run never gets here: the induction proves
    these, and L-1 is found in the grammar phase."""
    arch, v = arch_of("amd64"), get_variant("current")
    inv = next(i for i in CATALOGUE if i.id == inv_id)
    vd = prove_one(arch, v, inv, Bounds(max_params=1, max_results=1, max_groups=2,
                                         timeout_ms=TIMEOUT_MS))
    assert vd.status == "PROVED" and vd.extra.get("method") == "bounded", (vd.status, vd.line)
