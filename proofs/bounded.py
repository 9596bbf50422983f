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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

from regabi.errors import ModelError
from regabi.model.arch import Arch
from regabi.model.domain import Z3Domain
from regabi.model.invariants import Invariant, Violation
from regabi.model.joint import Ctx, Mark, machine_candidates, run
from regabi.model.sig import Signature
from regabi.model.summary import Summary
from regabi.model.types import BASIC, Pointer
from regabi.model.variants import Variant
from regabi.proofs.grammar import Grammar, SymType
from regabi.proofs.realize import describe, realize, same_summary
from regabi.proofs.symbolic import (
    PROOF_WIDTH,
    SIZE_BOUND,
    decode_summary,
    free_summary,
    instantiate_wf,
    make_solver,
    pin,
    small,
)

__all__ = ["Bounds", "SearchResult", "free_shapes", "search", "shapes"]


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
    #: only the first phase: the Go types of the search grammar (proofs/grammar.py), not every
    #: WF summary — minutes instead of hours where no counterexample exists
    grammar_only: bool = False
    #: the grammar's structs: fields per struct, levels of nesting
    struct_fields: int = 3
    struct_depth: int = 1

    def describe(self) -> str:
        r = " ± receiver" if self.receiver else ""
        if self.grammar_only:
            return (f"≤{self.max_params} params, ≤{self.max_results} results{r}; only the "
                    "search grammar's Go types (every leaf kind, zero-size fields, [n]leaf "
                    f"n ≤ 3, structs of ≤{self.struct_fields} of them nested "
                    f"≤{self.struct_depth} deep) with ≤{self.max_groups} register groups")
        return (f"≤{self.max_params} params, ≤{self.max_results} results{r}; any type below "
                f"2³¹ bytes (PRF-4a) with ≤{self.max_groups} register groups")

    def shapes(self) -> int:
        return len(shapes(self))


def shapes(b: Bounds) -> list[tuple[int, int, bool]]:
    out = [(n, m, rc) for n in range(b.max_params + 1) for m in range(b.max_results + 1)
           for rc in ((True,) if b.only_receiver else (False, True) if b.receiver
                      else (False,))]
    out.sort(key=lambda s: (s[0] + s[1] + s[2], s[2], s[0]))
    return out


#: a free-phase shape: (arguments, results, receiver), the receiver ``None`` for "there or
#: not" — both families of signatures in one query
FreeShape = tuple[int, int, "bool | None"]


def free_shapes(b: Bounds) -> list[FreeShape]:
    """The free phase's queries, fewest values first: with and without a receiver as *one*
    query (a free Boolean says which, model/joint.py ``run``), each covering two of
    :func:`shapes`. Its prefixes then serve both families: the chain of cut points is asked
    once, not once per family, and each question is hardly harder than either family's
    (INV-FRAME-SUFFICIENT's free phase 127 s against 290 s, docs/performance.md). The
    receiver-less signature is preferred where both fail (:func:`search`), so the first
    counterexample still has the fewest values, no receiver first among equals."""
    if not b.receiver or b.only_receiver:
        return list(shapes(b))
    out: list[FreeShape] = [(n, m, None) for n in range(b.max_params + 1)
                            for m in range(b.max_results + 1)]
    out.sort(key=lambda s: (s[0] + s[1], s[0]))
    return out


def shape_text(shape: FreeShape) -> str:
    rc = {None: "±receiver", True: "receiver", False: "no receiver"}[shape[2]]
    return f"({shape[0]} params, {shape[1]} results, {rc})"


@dataclass
class SearchResult:
    status: str  # "FALSIFIED", "NONE" (no counterexample within bounds), "UNKNOWN"
    violation: Violation | None = None
    shapes_done: int = 0
    unrealized: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    seconds: float = 0.0
    queries: int = 0
    #: grammar shapes not decided in the grammar phase's short timeout, left to the free one
    left: list[tuple[tuple[int, int, bool], str]] = field(default_factory=list)


class _Shared:
    """What every shape of one grammar search shares: one domain and each value position's
    symbolic type, built once (its summary is the costliest term of a query, and the same
    for every shape that has that many values)."""

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self.D = Z3Domain(prefix="b.")
        self.syms: list[SymType] = []

    def sym(self, i: int) -> SymType:
        while len(self.syms) <= i:
            self.syms.append(SymType(self.D, self.grammar, f"v{len(self.syms)}"))
        return self.syms[i]


class Cut(NamedTuple):
    """A cut point of a query (:meth:`_Query.cuts`)."""

    #: the fold's prefix: (receiver, arguments, between done, results)
    key: tuple[bool, int, bool, int]
    #: the prefix's clauses
    clauses: list[Any]
    #: the candidate facts about the state, named
    facts: list[tuple[str, Any]]
    #: the conditions of the invariant's obligations this step emitted
    obs: list[Any]


class _Query:
    """One shape's query. With a grammar, every value is a symbolic Go type of it; without,
    a free summary constrained by WF (any Go type, and possibly more).

    With a grammar the query is built *relaxed* first: the grammar values' events assume
    nothing (WF holds of every Go type's summary, lemmas TYPE-*, and the grammar's values are
    real Go types), the free receiver's do. Its clauses are a subset of the full query's
    (:meth:`full`, the fold run again assuming WF of every value), so "unsat" of it is "unsat"
    of the full query, and a model of it that satisfies every full clause is a model of the
    full query (:func:`_check_grammar`)."""

    def __init__(self, arch: Arch, variant: Variant, inv: Invariant, shape: FreeShape,
                 b: Bounds, grammar: Grammar | None = None,
                 shared: _Shared | None = None) -> None:
        np_, nr, rc = shape
        assert rc is not None or grammar is None, "a grammar query has a receiver or not"
        if grammar is not None and shared is None:
            shared = _Shared(grammar)
        # free values live in the induction's universe (PRF-4a, PRF-4b): sizes below
        # SIZE_BOUND, PROOF_WIDTH-bit words, where no sum of a shape's values wraps
        self.D = D = (shared.D if shared is not None
                      else Z3Domain(prefix="b.", width=PROOF_WIDTH))
        self.arch, self.variant, self.inv = arch, variant, inv
        self.grammar = grammar
        self.b = b
        self.extra: list[Any] = []
        self._wf_of: dict[int, list[Any]] = {}
        # the receiver first: a fold prefix's terms are then the same in every shape; with
        # rc None whether it is there is a free Boolean too, made right after it
        self.rcvr = free_summary(D, "recv", 0) if rc is not False else None
        self.hasr = D.fresh_bool("hasr") if rc is None else None
        self.rc: Any = self.hasr if rc is None else rc
        if shared is not None:
            self.syms = [shared.sym(i) for i in range(np_ + nr)]
            for t in self.syms:
                self.extra += t.constraints
            vals = [t.summary for t in self.syms]
        else:
            vals = [free_summary(D, f"v{i}", b.max_groups) for i in range(np_ + nr)]
        self.params, self.results = vals[:np_], vals[np_:]
        self.values: list[Summary] = self.params + self.results + (
            [self.rcvr] if self.rcvr is not None else [])
        self.c = self._ctx(relaxed=grammar is not None)
        # the free query's prefixes are its cut points: marked in this one run
        self.marks: list[Mark] = []
        _J, obs = run(self.c, self.rcvr, self.params, self.results,
                      self.marks if grammar is None else None)
        self._run_obs = obs
        self.obs = [o for o in obs if o.inv == inv.id]
        clauses = self._clauses(self.c)
        self.relaxed: list[Any] | None = clauses if grammar is not None else None
        self._full: list[Any] | None = None if grammar is not None else clauses
        self._solver: Any = None

    def _ctx(self, relaxed: bool) -> Ctx:
        # a grammar's values are real Go types (their summaries come from the model's type
        # functions), so WF's costly set linkage is theirs by construction: not assumed again
        c = Ctx(self.D, self.arch, self.variant, self.rc, (self.inv,),
                link_sets=self.grammar is None,
                size_bound=SIZE_BOUND if self.grammar is None else None)
        if relaxed:
            c.wf_roles = frozenset(("recv",))
        return c

    def _clauses(self, c: Ctx, values: list[Summary] | None = None,
                 assumed: int | None = None) -> list[Any]:
        """The clauses of ``c``'s run — its first ``assumed`` only, for a prefix — and WF's
        set clauses of ``values`` (all the query's by default)."""
        vals = self.values if values is None else values
        return [*self.extra, *[a for _n, a in c.assumed[:assumed] if not isinstance(a, bool)],
                *[x for v in vals if self.grammar is None or v is self.rcvr
                  for x in self._wf(v)]]

    def _wf(self, v: Summary) -> list[Any]:
        # one value's instances, once per free query (every cut point has the values before
        # it; its one run has asked all it asks); instantiate_wf of a list is its values' in
        # turn. A grammar query's full() runs again, and may ask the receiver more.
        if self.grammar is not None:
            return instantiate_wf(self.D, [v])
        got = self._wf_of.get(id(v))
        if got is None:
            got = self._wf_of[id(v)] = instantiate_wf(self.D, [v])
        return got

    def full(self) -> list[Any]:
        """Every clause of the query: the grammar's values' WF too (the fold run again; its
        obligations are the same terms)."""
        if self._full is None:
            c = self._ctx(relaxed=False)
            run(c, self.rcvr, self.params, self.results)
            self._full = self._clauses(c)
        return self._full

    def cuts(self) -> list[Cut]:
        """Cut points: after each value in turn (and after ``between``), the facts induction
        proposes about the fold state — the fold's own (``machine_candidates``) and the
        invariant's (``candidates``) — each a small step from the facts before it, and the
        invariant's obligations that fold step emitted; with the clauses of the fold's
        *prefix* up to that state, which is all a fact about it needs (a subset of the
        query's clauses, so a fact they refute holds in every model of it). A prefix is the
        same fold steps in every shape that shares it: ``key`` names it. (Free queries only:
        the prefixes are those their one run marked.)"""
        assert self.grammar is None, "cut points are the free queries'"
        rc, n = self.rcvr is not None, len(self.params)
        c = self.c
        out: list[Cut] = []
        before = 0
        for k, (J, n_assumed, n_obs) in enumerate(self.marks):
            i = k - rc  # -1: the receiver; n: between; above: the results
            key = (rc, min(i + 1, n), i >= n, max(0, i - n))
            vals = ([self.rcvr] if self.rcvr is not None else []) + \
                self.params[:key[1]] + self.results[:key[3]]
            phase = "results" if key[2] else "args"
            facts = [(name, x) for name, x in (*machine_candidates(c, J, phase),
                                               *self.inv.candidates(c, J.ghosts[0], J, phase))
                     if not isinstance(x, bool)]
            out.append(Cut(key, self._clauses(c, vals, n_assumed), facts,
                           [o.cond for o in self._run_obs[before:n_obs]
                            if o.inv == self.inv.id]))
            before = n_obs
        return out

    @property
    def solver(self) -> Any:
        """The full query's solver."""
        if self._solver is None:
            self._solver = make_solver(self.D, self.b.timeout_ms)
            self._solver.add(*self.full())
        return self._solver

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


def _has_receiver(q: _Query, m: Any) -> bool:
    """Whether the model's signature has a receiver (for a ±receiver query, as it says)."""
    if q.hasr is None:
        return q.rcvr is not None
    return bool(q.D.z3.is_true(m.eval(q.hasr, model_completion=True)))


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
    recv = Pointer(BASIC["int"]) if _has_receiver(q, m) else None
    return Signature(tuple(types[:np_]), tuple(types[np_:]), recv), "", targets


#: Z3's bit-vector pipeline for the relaxed grammar queries, with ``reduce-bv-size``: their
#: numbers are 64-bit terms but the grammar's values are small, and the relaxed query has no
#: integers. On the seed's searches it answered about twice as fast as the QF_UFBV strategy
#: and was far less sensitive to the order terms were built in (docs/performance.md). Every
#: tactic keeps satisfiability, so its "unsat" is sound; its model is checked clause by clause
#: (a tactic's model converter is not trusted: make_solver).
_RELAXED_TACTICS = ("simplify", "propagate-values", "solve-eqs", "elim-uncnstr",
                    "reduce-bv-size", "simplify", "ackermannize_bv", "bit-blast", "sat")


def _relaxed_solver(timeout_ms: int) -> Any:
    import z3

    s = z3.Then(*_RELAXED_TACTICS).solver()
    s.set("timeout", timeout_ms)
    return s


def _check_grammar(q: _Query, neg: Any, quick: bool = False) -> tuple[Any, Any, str, int]:
    """The shape's query with ``neg``: its result, a model when sat, why when unknown, and
    how many solver calls it took. The relaxed query (without the grammar values' WF) is
    asked first; its "unsat" is the query's, and so is a model of it that satisfies every
    clause of the query. Otherwise — a model that breaks one, or "unknown" (unless
    ``quick``: then that is the answer) — the full query is asked, as before the relaxation
    existed, and its answer stands."""
    import z3

    calls = 0
    if q.relaxed is not None:
        s = _relaxed_solver(q.b.timeout_ms)
        s.add(*q.relaxed)
        s.add(neg)
        r = s.check()
        calls += 1
        if r == z3.unsat:
            return r, None, "", calls
        if r == z3.unknown and quick:
            return r, None, s.reason_unknown(), calls
        if r == z3.sat:
            m = s.model()
            if all(z3.is_true(m.eval(a, model_completion=True)) for a in [*q.full(), neg]):
                return r, m, "", calls
    q.solver.add(neg)
    r = q.solver.check()
    calls += 1
    m = q.solver.model() if r == z3.sat else None
    why = q.solver.reason_unknown() if r == z3.unknown else ""
    return r, m, why, calls


#: the answers at a cut point, by the prefix's key and the question (a fact's name,
#: "obligations", or "*" for all together): the query asked (its clauses, the facts
#: assumed, the goal) and whether it was refuted. A prefix is the same terms in
#: every shape that has it (:meth:`_Query.cuts`), so one search asks it once; an answer is
#: reused only for the very same terms (kept alive here, Z3's hash-consing makes them one).
Refuted = dict[tuple[tuple[bool, int, bool, int], str], tuple[tuple[Any, ...], bool]]


def _refuted(q: _Query, seen: Refuted | None = None, *,
             whole: bool = True) -> tuple[bool, int]:
    """Whether the bit-blasting pipeline refutes the free shape's query — every clause of it
    and the negation of its obligations (:meth:`_Query.negation`) —, and how many solver
    calls that took. Its "unsat" is the query's (every tactic keeps satisfiability); "sat"
    and "unknown" decide nothing here.

    Through cut points (:meth:`_Query.cuts`), in fold order: at each, the candidate facts
    and the obligations the step emitted, asked with the clauses of the fold's prefix up to
    that state and the facts before it — all together first (one bit-blasting of the
    prefix; not if ``whole`` is false), one by one if that fails, the facts first, then the
    obligations with them. A fact or an obligation refuted on a part of the query's clauses
    holds in every model of the query, so assuming it changes no answer — it only gives the
    solver the intermediate steps, which bit-blasting cannot find by itself in two
    differently shaped folds (spec's and reflect's: INV-FRAME-SUFFICIENT (3, 1) gave no
    answer in 60 s asked whole, docs/performance.md). The final obligations, and those no
    prefix refuted, are asked last on the whole query with every refuted fact. A fact not
    refuted within half the timeout is dropped. ``seen`` keeps the answers for the shapes
    that share a prefix."""
    import z3

    calls = 0

    def unsat(base: list[Any], *clauses: Any, ms: int = q.b.timeout_ms) -> bool:
        nonlocal calls
        calls += 1
        s = _relaxed_solver(ms)
        s.add(*base, *clauses)
        return bool(s.check() == z3.unsat)

    memo: Refuted = {} if seen is None else seen

    def refuted(key: Any, clauses: list[Any], known: list[Any], goal: Any) -> bool:
        asked = (*clauses, *known, goal)
        hit = memo.get(key)
        if hit is None or len(hit[0]) != len(asked) or \
                not all(a.eq(b) for a, b in zip(hit[0], asked, strict=True)):
            hit = memo[key] = (asked, unsat(clauses, *known, z3.Not(goal),
                                            ms=max(1, q.b.timeout_ms // 2)))
        return hit[1]

    known: list[Any] = []
    left: list[Any] = []
    cuts = q.cuts()
    for cut in cuts:
        conds = [c for c in cut.obs if c is not True]
        if any(c is False for c in conds):
            return False, calls
        # the whole cut at once first (one bit-blasting of the prefix), one by one if not
        goals = [f for _n, f in cut.facts] + conds
        if whole and len(goals) > 1 and \
                refuted((cut.key, "*"), cut.clauses, known, z3.And(*goals)):
            known += [f for _n, f in cut.facts]
            continue
        for name, fact in cut.facts:
            if refuted((cut.key, name), cut.clauses, known, fact):
                known.append(fact)
        if conds and not refuted((cut.key, "obligations"), cut.clauses, known,
                                 z3.And(*conds)):
            left += conds
    # the final obligations: those of the whole run after the last cut's
    left += [o.cond for o in q.obs[sum(len(c.obs) for c in cuts):]]
    if any(c is False for c in left):
        return False, calls
    left = [c for c in left if c is not True]
    return not left or unsat(q.full(), *known, z3.Or(*[z3.Not(c) for c in left])), calls


@lru_cache(maxsize=8)
def _grammar(ps: int, cap: int, fields: int, depth: int) -> Grammar:
    return Grammar(ps, cap, fields=fields, depth=depth)


@lru_cache(maxsize=8)
def _shared(ps: int, cap: int, fields: int, depth: int) -> _Shared:
    """The symbolic types of a grammar, shared by every search of the process (``prove``
    searches invariant after invariant with the same grammar)."""
    return _Shared(_grammar(ps, cap, fields, depth))


def levels(b: Bounds) -> list[tuple[int, int]]:
    """The grammars searched, as (fields, depth): first flat structs of ≤ 3 fields — where the
    seed's counterexamples are, found in seconds — then the bounds' own grammar, which holds
    the first one."""
    small, big = (min(3, b.struct_fields), 1), (b.struct_fields, b.struct_depth)
    return [small, big] if small != big else [big]


#: the grammar phase's query timeout when the free phase follows: a shape it cannot decide
#: that soon is left to the free phase, whose WF summaries hold every grammar type's
GRAMMAR_FIRST_MS = 5000

#: and only shapes of at most this many values (arguments, results, the receiver): every
#: counterexample of the seed's family that `regabi check` finds has at most three, and the
#: grammar's queries grow with each value's nested terms (beyond three values they were
#: three quarters of the grammar phase's time for current: docs/performance.md); a larger
#: shape is left to the free phase at once, with the grammar asked there again where the
#: free phase cannot refute it
GRAMMAR_FIRST_VALUES = 3


def search_grammar(arch: Arch, variant: Variant, inv: Invariant, b: Bounds,
                   deadline: float | None = None, first: bool = False,
                   only: tuple[int, int, bool] | None = None) -> SearchResult:
    """The first counterexample among the grammar's types (proofs/grammar.py), shape by shape,
    smallest first, small grammar before large: decoded from the model and re-checked
    concretely. As the ``first`` of the two phases, only the flat grammar is asked, each
    query with GRAMMAR_FIRST_MS; a shape not decided within it, or of more than
    GRAMMAR_FIRST_VALUES values — and every shape, when the bounds nest structs — is *left*
    (``res.left``) for the free phase to decide, and the whole grammar is asked there
    again where the free phase cannot refute it.
    ``only``: that shape alone."""
    import z3

    if first:
        b = replace(b, timeout_ms=min(b.timeout_ms, GRAMMAR_FIRST_MS))
    t0 = time.perf_counter()
    res = SearchResult("NONE")
    grammars = levels(b)
    if first and len(grammars) > 1:
        # the nested grammar's terms are many times the flat one's (an inner struct's fold
        # feeds every field slot above it) and the free phase's WF summaries hold all its
        # types: as the first phase only the flat grammar, the nested one where the free
        # phase cannot refute a shape (docs/performance.md)
        fields, depth = grammars[-1]
        res.left += [(s, f"structs {fields}×{depth}: asked where the free phase cannot "
                      "refute") for s in shapes(b) if only is None or s == only]
        grammars = grammars[:1]
    for lvl, (fields, depth) in enumerate(grammars):
        key = (arch.ptr_size, b.max_groups, fields, depth)
        g, shared = _grammar(*key), _shared(*key)
        # shapes covered count only in the bounds' own grammar (the last)
        res.shapes_done = 0
        for shape in shapes(b) if only is None else [only]:
            if deadline is not None and time.perf_counter() > deadline:
                res.unknown.append("time budget exhausted before every shape was searched")
                break
            if first and sum(shape[:2]) + shape[2] > GRAMMAR_FIRST_VALUES:
                if lvl == len(grammars) - 1 and all(x != shape for x, _why in res.left):
                    res.left.append((shape, f"more than {GRAMMAR_FIRST_VALUES} values"))
                continue
            q = _Query(arch, variant, inv, shape, b, g, shared)
            neg = q.negation()
            if z3.is_false(z3.simplify(neg)):
                res.shapes_done += lvl == len(grammars) - 1
                continue
            r, m, why, calls = _check_grammar(q, neg, quick=first)
            res.queries += calls
            if r == z3.unknown and first:
                if all(x != shape for x, _why in res.left):
                    res.left.append((shape, f"structs {fields}×{depth}: {why}"))
                continue
            if r == z3.unknown:
                res.unknown.append(f"{shape_text(shape)}, structs {fields}×{depth}: {why}")
                break
            res.shapes_done += lvl == len(grammars) - 1
            if r == z3.sat:
                sig = q.decoded(m)
                vio = inv.check(sig, arch, variant)
                if vio is None:
                    raise ModelError(f"{inv.id}: Z3 found {sig} ({variant.name}, {arch.name}) "
                                     "but the concrete run of the same model does not fail")
                res.status, res.violation = "FALSIFIED", vio
                break
        if res.violation is not None or res.unknown:
            break
    if res.unknown:
        res.status = "UNKNOWN"
    res.seconds = time.perf_counter() - t0
    return res


def search(arch: Arch, variant: Variant, inv: Invariant, b: Bounds,
           deadline: float | None = None) -> SearchResult:
    """The smallest counterexample to ``inv`` within ``b``, re-checked concretely: first among
    the grammar's types, then among every WF summary (a model of which is turned back into a
    Go type; one the realizer cannot build is reported, and the verdict cannot be PROVED).
    The grammar's queries are short here (GRAMMAR_FIRST_MS): what they leave, the WF
    summaries decide, and where those do not refute a left shape, the grammar is asked
    there again with the whole timeout (spec/proofs.md PRF-6)."""
    import z3

    first = search_grammar(arch, variant, inv, b, deadline, first=not b.grammar_only)
    if first.status == "FALSIFIED" or b.grammar_only:
        return first
    t0 = time.perf_counter()
    res = SearchResult("NONE", unknown=list(first.unknown), queries=first.queries,
                       left=list(first.left))
    seen: Refuted = {}
    for shape in free_shapes(b):
        if deadline is not None and time.perf_counter() > deadline:
            res.unknown.append("time budget exhausted before every shape was searched")
            break
        # the shapes of shapes(b) this query decides
        covers = [s for s in shapes(b) if s[:2] == shape[:2] and shape[2] in (None, s[2])]
        q = _Query(arch, variant, inv, shape, b)
        neg = q.negation()
        if z3.is_false(z3.simplify(neg)):
            res.shapes_done += len(covers)
            continue
        # refuted first by bit-blasting (sound "unsat"; several times faster than the
        # default strategy on these shapes, docs/performance.md); a model, or an answer it
        # cannot give, is the default solver's to find
        refuted, calls = _refuted(q, seen)
        res.queries += calls
        if refuted:
            res.shapes_done += len(covers)
            continue
        for left in [s for s in covers if any(s == x for x, _why in first.left)]:
            # the grammar phase left this shape and the free phase cannot refute it: the
            # grammar's Go types get the whole timeout here, as the place to look first
            again = search_grammar(arch, variant, inv, b, deadline, only=left)
            res.queries += again.queries
            if again.status == "FALSIFIED":
                again.queries = res.queries
                again.seconds = time.perf_counter() - t0 + first.seconds
                return again
        q.solver.add(neg)
        blocked = 0
        # preferences, tried in turn and dropped: small values, and among equals the
        # signature without a receiver (the shapes' order before the two were one query)
        prefs = [x for v in q.params + q.results for x in small(q.D, v)]
        tries = ([[*prefs, z3.Not(q.hasr)]] if q.hasr is not None else []) + [prefs, []]
        while True:
            for extra in tries:
                q.solver.push()
                q.solver.add(*extra)
                r = q.solver.check()
                res.queries += 1
                if r == z3.sat:
                    m = q.solver.model()
                q.solver.pop()
                if r == z3.sat or not extra:
                    break
            if r == z3.unknown:
                res.unknown.append(f"{shape_text(shape)}: {q.solver.reason_unknown()}")
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
                    res.unknown.append(f"{shape_text(shape)}: more than {b.max_unrealized} "
                                       "summaries the realizer cannot build")
                    break
                pins = [pin(q.D, s, t) for s, t in zip(q.params + q.results, targets,
                                                        strict=True)]
                if q.hasr is not None:  # the same values with the other receiver choice stay
                    pins.append(q.D.eq(q.hasr, _has_receiver(q, m)))
                q.solver.add(q.D.z3.Not(q.D.and_(*pins)))
                continue
            res.status, res.violation = "FALSIFIED", vio
            res.shapes_done += 1
            res.seconds = time.perf_counter() - t0 + first.seconds
            return res
        res.shapes_done += len(covers)
        if res.unknown:
            break
    if res.unknown or res.unrealized:
        res.status = "UNKNOWN"
    res.seconds = time.perf_counter() - t0 + first.seconds
    return res
