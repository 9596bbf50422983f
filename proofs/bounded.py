"""Bounded search for counterexamples (spec/proofs.md "Bounded search").

The joint fold of model/joint.py runs over Z3 terms on a signature of a given *shape* — so many
arguments, results, a receiver or not — whose values are *free summaries*: any Go type, as far
as WF tells (lemmas TYPE-* prove WF of every Go type), with up to ``max_groups`` register groups
per value. Shapes are tried smallest first, so the first counterexample has the fewest values.
A model is decoded to summaries, each is turned back into a Go type (proofs/realize.py), and the
signature is re-checked by the concrete model: one semantics, so the concrete run must agree; a
summary the realizer cannot build is reported and excluded, and the verdict then says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from regabi.errors import ModelError
from regabi.model.arch import Arch
from regabi.model.domain import Z3Domain
from regabi.model.invariants import Invariant, Violation
from regabi.model.joint import Ctx, run
from regabi.model.sig import Signature
from regabi.model.summary import Summary
from regabi.model.types import BASIC, Pointer
from regabi.model.variants import Variant
from regabi.proofs.grammar import Grammar, SymType
from regabi.proofs.realize import describe, realize, same_summary
from regabi.proofs.symbolic import (
    decode_summary,
    free_summary,
    instantiate_wf,
    make_solver,
    pin,
    small,
)

__all__ = ["Bounds", "SearchResult", "search", "shapes"]


@dataclass(frozen=True)
class Bounds:
    """How far the bounded search reaches. Types are unbounded (any WF summary: size,
    alignment, pointer bitmap, nesting); values have at most ``max_groups`` register groups."""

    max_params: int = 3
    max_results: int = 2
    max_groups: int = 4
    receiver: bool = True
    timeout_ms: int = 60000
    max_unrealized: int = 8
    #: every signature has a receiver (method values: the method ABI always has one)
    only_receiver: bool = False

    def describe(self) -> str:
        r = " ± receiver" if self.receiver else ""
        return (f"≤{self.max_params} params, ≤{self.max_results} results{r}; any type with "
                f"≤{self.max_groups} register groups")

    def shapes(self) -> int:
        return len(shapes(self))


def shapes(b: Bounds) -> list[tuple[int, int, bool]]:
    out = [(n, m, rc) for n in range(b.max_params + 1) for m in range(b.max_results + 1)
           for rc in ((True,) if b.only_receiver else (False, True) if b.receiver
                      else (False,))]
    out.sort(key=lambda s: (s[0] + s[1] + s[2], s[2], s[0]))
    return out


@dataclass
class SearchResult:
    status: str  # "FALSIFIED", "NONE" (no counterexample within bounds), "UNKNOWN"
    violation: Violation | None = None
    shapes_done: int = 0
    unrealized: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    seconds: float = 0.0
    queries: int = 0


class _Query:
    """One shape's query. With a grammar, every value is a symbolic Go type of it; without,
    a free summary constrained by WF (any Go type, and possibly more)."""

    def __init__(self, arch: Arch, variant: Variant, inv: Invariant, shape: tuple[int, int, bool],
                 b: Bounds, grammar: Grammar | None = None) -> None:
        np_, nr, rc = shape
        self.D = D = Z3Domain(prefix="b.")
        # a grammar's values are real Go types (their summaries come from the model's type
        # functions), so WF's costly set linkage is theirs by construction: not assumed again
        self.c = Ctx(D, arch, variant, rc, (inv,), link_sets=grammar is None)
        self.grammar = grammar
        extra: list[Any] = []
        if grammar is not None:
            self.syms = [SymType(D, grammar, f"v{i}") for i in range(np_ + nr)]
            for t in self.syms:
                extra += t.constraints
            vals = [t.summary for t in self.syms]
        else:
            vals = [free_summary(D, f"v{i}", b.max_groups) for i in range(np_ + nr)]
        self.params, self.results = vals[:np_], vals[np_:]
        self.rcvr = free_summary(D, "recv", 0) if rc else None
        _J, obs = run(self.c, self.rcvr, self.params, self.results)
        self.obs = [o for o in obs if o.inv == inv.id]
        self.values: list[Summary] = self.params + self.results + (
            [self.rcvr] if self.rcvr is not None else [])
        self.solver = make_solver(D, b.timeout_ms)
        self.solver.add(*extra)
        self.solver.add(*[a for _n, a in self.c.assumed if not isinstance(a, bool)])
        self.solver.add(*instantiate_wf(D, [v for v in self.values
                                            if grammar is None or v is self.rcvr]))

    def decoded(self, m: Any) -> Signature:
        types = [t.decode(m) for t in self.syms]
        np_ = len(self.params)
        recv = Pointer(BASIC["int"]) if self.rcvr is not None else None
        return Signature(tuple(types[:np_]), tuple(types[np_:]), recv)

    def negation(self) -> Any:
        z3 = self.D.z3
        conds = [o.cond for o in self.obs]
        if any(c is False for c in conds):
            return z3.BoolVal(True)
        return z3.Or(*[z3.Not(c) for c in conds if not isinstance(c, bool)])


def _realize_sig(q: _Query, m: Any, ps: int) -> tuple[Signature | None, str, list]:
    """The model's values as Go types: exact realizations where the realizer finds one, else
    its nearest construction (the concrete re-check decides whether it still fails)."""
    targets = [decode_summary(m, q.D, s) for s in q.params + q.results]
    types = []
    for t in targets:
        ty, why = realize(t, ps, nearest=True)
        if ty is None:
            return None, f"{describe(t)}: {why}", targets
        types.append(ty)
    np_ = len(q.params)
    # the receiver counts only as one word (ASG-9, RFL-5): a pointer receiver stands for any
    recv = Pointer(BASIC["int"]) if q.rcvr is not None else None
    return Signature(tuple(types[:np_]), tuple(types[np_:]), recv), "", targets


def search_grammar(arch: Arch, variant: Variant, inv: Invariant, b: Bounds,
                   deadline: float | None = None) -> SearchResult:
    """The first counterexample among the grammar's types (proofs/grammar.py), shape by shape,
    smallest first: decoded from the model and re-checked concretely."""
    import z3

    t0 = time.perf_counter()
    g = Grammar(arch.ptr_size, b.max_groups)
    res = SearchResult("NONE")
    for shape in shapes(b):
        if deadline is not None and time.perf_counter() > deadline:
            res.unknown.append("time budget exhausted before every shape was searched")
            break
        q = _Query(arch, variant, inv, shape, b, g)
        neg = q.negation()
        if z3.is_false(z3.simplify(neg)):
            res.shapes_done += 1
            continue
        q.solver.add(neg)
        r = q.solver.check()
        res.queries += 1
        if r == z3.unknown:
            res.unknown.append(f"{shape}: {q.solver.reason_unknown()}")
            break
        res.shapes_done += 1
        if r == z3.sat:
            sig = q.decoded(q.solver.model())
            vio = inv.check(sig, arch, variant)
            if vio is None:
                raise ModelError(f"{inv.id}: Z3 found {sig} ({variant.name}, {arch.name}) but "
                                 "the concrete run of the same model does not fail")
            res.status, res.violation = "FALSIFIED", vio
            break
    if res.unknown:
        res.status = "UNKNOWN"
    res.seconds = time.perf_counter() - t0
    return res


def search(arch: Arch, variant: Variant, inv: Invariant, b: Bounds,
           deadline: float | None = None) -> SearchResult:
    """The smallest counterexample to ``inv`` within ``b``, re-checked concretely: first among
    the grammar's types, then among every WF summary (a model of which is turned back into a
    Go type; one the realizer cannot build is reported, and the verdict cannot be PROVED)."""
    import z3

    first = search_grammar(arch, variant, inv, b, deadline)
    if first.status == "FALSIFIED":
        return first
    t0 = time.perf_counter()
    res = SearchResult("NONE", unknown=list(first.unknown), queries=first.queries)
    for shape in shapes(b):
        if deadline is not None and time.perf_counter() > deadline:
            res.unknown.append("time budget exhausted before every shape was searched")
            break
        q = _Query(arch, variant, inv, shape, b)
        neg = q.negation()
        if z3.is_false(z3.simplify(neg)):
            res.shapes_done += 1
            continue
        q.solver.add(neg)
        blocked = 0
        while True:
            q.solver.push()
            for s in q.params + q.results:
                q.solver.add(*small(q.D, s))
            r = q.solver.check()
            res.queries += 1
            if r != z3.sat:
                q.solver.pop()
                r = q.solver.check()
                res.queries += 1
                if r == z3.sat:
                    m = q.solver.model()
            else:
                m = q.solver.model()
                q.solver.pop()
            if r == z3.unknown:
                res.unknown.append(f"{shape}: {q.solver.reason_unknown()}")
                break
            if r == z3.unsat:
                break
            sig, why, targets = _realize_sig(q, m, arch.ptr_size)
            vio = None
            if sig is not None:
                vio = inv.check(sig, arch, variant)
                exact = all(same_summary(t, x, arch.ptr_size) for t, x in
                            zip(sig.params + sig.results, targets, strict=True))
                if vio is None and exact:
                    raise ModelError(f"{inv.id}: Z3 found {sig} ({variant.name}, "
                                     f"{arch.name}) but the concrete run of the same model, "
                                     "on types with exactly those summaries, does not fail")
                why = f"{sig}: the nearest Go types do not reproduce it"
            if vio is None:  # no Go type shows this model: exclude it, go on
                res.unrealized.append(why)
                blocked += 1
                if blocked > b.max_unrealized:
                    res.unknown.append(f"{shape}: more than {b.max_unrealized} summaries "
                                       "the realizer cannot build")
                    break
                q.solver.add(q.D.z3.Not(q.D.and_(*[
                    pin(q.D, s, t) for s, t in zip(q.params + q.results, targets,
                                                   strict=True)])))
                continue
            res.status, res.violation = "FALSIFIED", vio
            res.shapes_done += 1
            res.seconds = time.perf_counter() - t0
            return res
        res.shapes_done += 1
        if res.unknown:
            break
    if res.unknown or res.unrealized:
        res.status = "UNKNOWN"
    res.seconds = time.perf_counter() - t0 + first.seconds
    return res
