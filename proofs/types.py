"""Lemmas about types: WF (spec/proofs.md PRF-3) holds of every Go type the model summarizes.

The induction and the bounded search assume that every value's summary satisfies WF. These
lemmas justify that assumption on the model's own type functions (model/summary.py):

* TYPE-BASIC — every basic kind, on every pointer size: a finite set, proved by enumeration;
* TYPE-ARRAY — ``array(n, e)`` is WF for every WF element summary ``e`` and every length ``n``
  whose array fits SIZE_BOUND: proved by Z3 on the same ``array`` function run symbolically;
* TYPE-STRUCT — the struct fold preserves WF: not proved yet (checked on random and recorded
  types by the tests); reported as such, never as PROVED.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from regabi.model.domain import CONCRETE, Z3Domain
from regabi.model.summary import _SHAPES, array, basic, wf
from regabi.proofs.symbolic import SIZE_BOUND, free_summary, instantiate_wf, make_solver

__all__ = ["TypeLemma", "prove_type_lemmas"]


@dataclass(frozen=True)
class TypeLemma:
    id: str
    status: str  # PROVED, FALSIFIED, UNKNOWN, UNPROVED
    detail: str
    seconds: float


def _basic(ps: int) -> TypeLemma:
    t0 = time.perf_counter()
    shapes = [k for k in _SHAPES if k != "int64/4"]
    for k in shapes:
        bad = [n for n, ok in wf(CONCRETE, basic(k, ps), ps) if ok is not True]
        if bad:
            return TypeLemma("TYPE-BASIC", "FALSIFIED", f"{k} (PtrSize {ps}): {bad}",
                             time.perf_counter() - t0)
    return TypeLemma("TYPE-BASIC", "PROVED", f"all {len(shapes)} basic shapes, PtrSize {ps} "
                     "(enumeration)", time.perf_counter() - t0)


_CLAUSES = ("WF-ALIGN", "WF-SIZE", "WF-HEAP", "WF-GC-BELOW", "WF-ITAB", "WF-PTRWORDS",
            "WF-SPEC-COUNTS", "WF-SEED-COUNTS", "WF-SEED-AGREES", "WF-DIRECT", "WF-ZERO",
            "WF-GROUP", "WF-SEED-PREFIX")


def _array_case(ps: int, groups: int, timeout_ms: int, length: int | None,
                clause: str) -> str:
    """One WF clause of ``[n]e`` for n = ``length`` (None: any n >= 2): unsat/sat/unknown."""
    import z3

    # 64-bit words: size * n of two values below 2**31 cannot wrap
    D = Z3Domain(prefix="ta.", width=64)
    e = free_summary(D, "e", groups)
    n = D.fresh("n") if length is None else length
    a = array(D, n, e, ps)
    goal = [c for name, c in wf(D, a, ps, SIZE_BOUND, link_sets=False)
            if name == clause and not isinstance(c, bool)]
    if not goal:
        return "unsat"  # decided by evaluation: every instance is the constant True
    s = make_solver(D, timeout_ms)
    s.add(*[c for _n, c in wf(D, e, ps, SIZE_BOUND, link_sets=False)
            if not isinstance(c, bool)])
    if length is None:
        s.add(D.ule(2, n), D.ult(n, SIZE_BOUND))
    s.add(D.ult(e.size * n, SIZE_BOUND))
    s.add(z3.Not(z3.And(*goal)))
    s.add(*instantiate_wf(D, [e]))
    return str(s.check())


def _array(ps: int, groups: int, timeout_ms: int) -> TypeLemma:
    """By cases on the length (ASG-3 treats 0, 1 and longer arrays apart), clause by clause."""
    t0 = time.perf_counter()
    open_: list[str] = []
    for length, tag in ((0, "n=0"), (1, "n=1"), (None, "n>=2")):
        for clause in _CLAUSES:
            r = _array_case(ps, groups, timeout_ms, length, clause)
            if r == "sat":
                return TypeLemma("TYPE-ARRAY", "FALSIFIED", f"{clause} at {tag}, PtrSize {ps}",
                                 time.perf_counter() - t0)
            if r != "unsat":
                open_.append(f"{clause}@{tag}")
    dt = time.perf_counter() - t0
    if open_:
        return TypeLemma("TYPE-ARRAY", "UNKNOWN", f"PtrSize {ps}: Z3 gave up on "
                         f"{len(open_)} of {3 * len(_CLAUSES)} cases: {', '.join(open_)}", dt)
    return TypeLemma("TYPE-ARRAY", "PROVED", f"any length, any WF element with ≤{groups} "
                     f"register groups, PtrSize {ps}", dt)


def prove_type_lemmas(ps: int, groups: int = 3, timeout_ms: int = 60000) -> list[TypeLemma]:
    """The type lemmas for one pointer size."""
    return [_basic(ps), _array(ps, groups, timeout_ms),
            TypeLemma("TYPE-STRUCT", "UNPROVED", "not attempted: checked on random and "
                      "recorded types (tests/test_prove.py), not proved", 0.0)]
