"""The bounded search's shortcuts (issue 7, Speed) change how fast it answers, never what.

* A derived symbolic set expands its term once per index (``SymSet`` memo): the term must be
  the one the plain expansion builds.
* Each shape is asked first *relaxed* — without the grammar values' WF, a subset of the full
  query's clauses: "unsat" carries over; a model is used only if it satisfies every clause of
  the full query, else the full query is asked. Checked here against the full query itself.
* INV-ABI0's seed counterexample needs three values (derivation below) and is found at three.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import z3

from regabi.model import domain as domain_mod
from regabi.model.arch import load_arch
from regabi.model.domain import SymSet, Z3Domain
from regabi.model.invariants import get_invariant
from regabi.model.variants import CURRENT, SEED
from regabi.proofs import bounded
from regabi.proofs.bounded import Bounds, search_grammar, shapes
from regabi.proofs.grammar import Grammar, SymType
from regabi.proofs.symbolic import make_solver

AMD64 = load_arch("amd64")
TIMEOUT_MS = 240_000  # wall-clock: a loaded machine slows the tests, not fails them


def test_symset_memo_builds_the_very_term_of_a_plain_expansion(
        monkeypatch: pytest.MonkeyPatch) -> None:
    g = Grammar(8, 3)

    def sets(D: Z3Domain) -> list[tuple[Any, Any]]:
        t = SymType(D, g, "x")  # a fresh domain of the same prefix: the same constants
        return [(D.set_has(t.summary.gc, i), D.set_has(t.summary.heap, i))
                for i in (D.probe, D.probe + 1, 0, 3, D.probe)]

    memo = sets(Z3Domain(prefix="t."))

    def plain(self: SymSet, i: Any) -> Any:
        if self.asked is not None:
            self.asked.append(i)
        return self.fn(i)

    monkeypatch.setattr(domain_mod.SymSet, "__call__", plain)
    fresh = sets(Z3Domain(prefix="t."))
    for (a, b), (c, d) in zip(memo, fresh, strict=True):
        # the same AST (Z3 hash-conses terms), not merely an equivalent one
        assert a.eq(c) and b.eq(d), (a.sexpr()[:300], c.sexpr()[:300])


@pytest.mark.parametrize("inv_id,variant", [("INV-ABI0", SEED), ("INV-FRAME-SUFFICIENT", SEED),
                                            ("INV-ABI0", CURRENT)])
def test_relaxed_answer_is_the_full_querys(inv_id: str, variant: Any) -> None:
    """Shape by shape, the relaxed-first answer equals the full query's (asked on its own,
    with the strategy the search used before the relaxation)."""
    inv = get_invariant(inv_id)
    b = Bounds(max_params=2, max_results=1, max_groups=3, timeout_ms=TIMEOUT_MS)
    g = Grammar(AMD64.ptr_size, b.max_groups)
    shared = bounded._Shared(g)
    seen = set()
    for shape in shapes(b):
        q = bounded._Query(AMD64, variant, inv, shape, b, g, shared)
        neg = q.negation()
        if z3.is_false(z3.simplify(neg)):
            continue
        got, m, _why, _calls = bounded._check_grammar(q, neg)
        full = make_solver(q.D, TIMEOUT_MS)
        full.add(*q.full())
        full.add(neg)
        want = full.check()
        assert got == want, (inv_id, variant.name, shape)
        if got == z3.sat:  # the model used satisfies every clause of the full query
            assert all(z3.is_true(m.eval(c, model_completion=True)) for c in [*q.full(), neg])
        seen.add(str(got))
    assert seen  # the bounds asked something


def test_a_relaxed_model_that_breaks_a_full_clause_is_not_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The full query gains a clause no relaxed model is asked to satisfy (value 0 is the
    leaf ``string``): the model of the relaxed query breaks it, so the full query is asked
    (two calls), and its model is the answer. The relaxed solver is made to return such a
    model (``Not(extra)`` added to it): which model Z3 returns is not fixed, and a relaxed
    model that happened to satisfy the clause would be used at once, rightly, in one call."""
    inv = get_invariant("INV-GC-VISIBLE")
    b = Bounds(max_params=1, max_results=0, receiver=False, timeout_ms=TIMEOUT_MS)
    g = Grammar(AMD64.ptr_size, b.max_groups)
    q = bounded._Query(AMD64, SEED, inv, (1, 0, False), b, g)
    t = q.syms[0]
    k = g.leaves.index(next(x for x in g.leaves if str(x) == "string"))
    extra = z3.And(t.is_leaf, t.leaf == k)
    full = q.full()
    monkeypatch.setattr(q, "full", lambda: [*full, extra])
    neg = q.negation()
    orig = bounded._relaxed_solver

    def breaking(timeout_ms: int) -> z3.Solver:
        s = orig(timeout_ms)
        s.add(z3.Not(extra))
        return s

    monkeypatch.setattr(bounded, "_relaxed_solver", breaking)
    relaxed = bounded._relaxed_solver(TIMEOUT_MS)
    relaxed.add(*q.relaxed or [], neg)
    assert relaxed.check() == z3.sat  # premise: a relaxed model exists, and it breaks `extra`
    got, m, _why, calls = bounded._check_grammar(q, neg)
    # seed's GC-VISIBLE fails for any pointer argument held indirectly; a string has one
    assert got == z3.sat and calls == 2
    assert str(q.decoded(m).params[0]) == "string"


def test_seed_abi0_counterexample_has_three_values() -> None:
    """Hand derivation (spec/findings.md F-2, VAR-2): with no registers the seed's regAssign
    "succeeds" for a zero-size value without touching the stack offset, while ABI0 aligns
    the offset to the value's alignment. After a 1-byte value a ``[0]int64`` leaves reflect's
    offset at 1 and moves ABI0's to 8; the zero-size value has no bytes of its own and both
    start the results PtrSize-aligned, so only a third value, an argument after it, lands
    at different offsets: two values never break INV-ABI0, ``func(bool, [0]int64, bool)``
    does."""
    inv = get_invariant("INV-ABI0")
    b = Bounds(max_params=3, max_results=1, receiver=False, timeout_ms=TIMEOUT_MS)
    r = search_grammar(AMD64, SEED, inv, b)
    assert r.status == "FALSIFIED" and r.violation is not None
    assert r.violation.sig.nvalues() == 3
    assert len(r.violation.sig.params) == 3
    assert inv.check(r.violation.sig, AMD64, SEED) is not None
    assert inv.check(r.violation.sig, AMD64, CURRENT) is None


def test_grammar_only_stops_after_the_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--grammar-only``: the search ends after its first phase (the grammar's Go types) and
    the verdict says what it covered; the second phase (every WF summary) is never entered —
    ``small`` is the second phase's alone, so it may not be called."""
    from regabi.proofs.prove import prove_one

    def second_phase(*a: object, **k: object) -> object:
        raise AssertionError("the free-summary phase ran")

    monkeypatch.setattr(bounded, "small", second_phase)
    b = Bounds(max_params=1, max_results=1, timeout_ms=TIMEOUT_MS, grammar_only=True)
    vd = prove_one(AMD64, CURRENT, get_invariant("INV-REG-BOUNDS"), b)
    assert vd.status == "PROVED" and "only the search grammar's Go types" in vd.bounds, vd.bounds
    # the seed's GC-VISIBLE counterexample is a grammar type: still found, and minimal
    # (hand derivation, spec/findings.md F-5: a pointer argument held indirectly, VAR-7)
    vd = prove_one(AMD64, SEED, get_invariant("INV-GC-VISIBLE"), b)
    assert vd.status == "FALSIFIED" and "func(*int)" in vd.line, vd.line


def test_grammar_reaches_depth_three_with_four_fields() -> None:
    """Issue 7 item 5's reach: a struct three levels deep is a value of the default grammar
    (four field slots per level), and its symbolic summary is the Go type's. Derived by hand
    (TYP-5, TYP-6; amd64):

        S3 = struct{e float32; f int64; g [0]int64}   e@0 f@8 g@16; a trailing zero-size
                                                      field pads 16 → 17, size 24, align 8
        S2 = struct{c int8; d S3}                     c@0 d@8, size 32
        T  = struct{a int8; b S2}                     a@0 b@8, size 40, align 8

    register groups in memory order: int8@0, int8@8, float32@16, int64@24; no pointers."""
    g = Grammar(8, 4, fields=4, depth=3)
    D = Z3Domain(prefix="t.")
    t = SymType(D, g, "x")
    assert t.inner is not None and t.inner.inner is not None and t.inner.inner.inner is None
    k = {str(c): i + 1 for i, c in enumerate(g.choices)}
    ki = {str(c): i + 1 for i, c in enumerate(g.inner_choices)}
    pins = [z3.Not(t.is_leaf),
            t.slots[0] == k["int8"], t.slots[1] == len(g.choices) + 1, t.slots[2] == 0,
            t.inner.slots[0] == ki["int8"], t.inner.slots[1] == len(g.inner_choices) + 1,
            t.inner.slots[2] == 0,
            *[s == ki[c] for s, c in zip(t.inner.inner.slots,
                                         ("float32", "int64", "[0]int64"), strict=False)],
            t.inner.inner.slots[3] == 0]
    s = z3.Solver()
    s.add(*t.constraints, *pins)
    assert s.check() == z3.sat
    m = s.model()
    got = str(t.decode(m))
    assert got == ("struct{a int8; b struct{a int8; b struct{a float32; b int64; "
                   "_ [0]int64}}}"), got

    def ev(x: Any) -> int:
        return m.eval(x, model_completion=True).as_long()

    summ = t.summary
    assert (ev(summ.size), ev(summ.align), ev(summ.ptrwords)) == (40, 8, 0)
    assert ev(summ.spec.n) == 4 and z3.is_true(m.eval(summ.spec.ok, model_completion=True))
    groups = [(z3.is_true(m.eval(gr.isint, model_completion=True)), ev(gr.off), ev(gr.size),
               ev(gr.n)) for gr in summ.spec.groups]
    assert groups == [(True, 0, 1, 1), (True, 8, 1, 1), (False, 16, 4, 1), (True, 24, 8, 1)]
    # the depth-1 grammar of three fields has no value with four register groups
    flat = SymType(Z3Domain(prefix="f."), Grammar(8, 4), "y")
    s = z3.Solver()
    s.add(*flat.constraints, flat.summary.spec.n == 4)
    assert s.check() == z3.unsat


@pytest.mark.parametrize("inv_id,variant", [("INV-GC-VISIBLE", SEED), ("INV-ABI0", CURRENT),
                                            ("INV-BITMAP-REGS", SEED)])
def test_free_phase_refutation_is_the_default_solvers_answer(inv_id: str,
                                                             variant: Any) -> None:
    """The free-summary phase asks the bit-blasting pipeline first and trusts only its
    "unsat": on small shapes it refutes exactly the shapes the default strategy finds unsat
    (and so never a shape that has a counterexample)."""
    inv = get_invariant(inv_id)
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)
    seen = set()
    for shape in shapes(b):
        q = bounded._Query(AMD64, variant, inv, shape, b)
        neg = q.negation()
        if z3.is_false(z3.simplify(neg)):
            continue
        full = make_solver(q.D, TIMEOUT_MS)
        full.add(*q.full(), neg)
        want = full.check()
        assert want != z3.unknown
        for whole in (True, False):  # a cut's questions together, or one by one
            assert bounded._refuted(q, whole=whole)[0] == (want == z3.unsat), \
                (inv_id, variant.name, shape, whole)
        seen.add(str(want))
    # current has no counterexample; the seed's shapes that have one were asked, not refuted
    assert ("sat" in seen) is (variant is not CURRENT), seen


def test_free_phase_ranges_over_the_inductions_universe() -> None:
    """PRF-4a: a free value is below SIZE_BOUND = 2³¹ bytes (every value of a compilable
    signature) and no larger — a value of 2³¹ − 8 bytes is in the query, one of 2³¹ is not —
    in PROOF_WIDTH-bit words."""
    from regabi.proofs.symbolic import PROOF_WIDTH, SIZE_BOUND

    assert SIZE_BOUND == 1 << 31
    b = Bounds(max_params=1, max_results=0, receiver=False, timeout_ms=TIMEOUT_MS)
    q = bounded._Query(AMD64, CURRENT, get_invariant("INV-ABI0"), (1, 0, False), b)
    size = q.params[0].size
    assert size.size() == PROOF_WIDTH
    for n, want in (((1 << 31) - 8, z3.sat), (1 << 31, z3.unsat)):
        s = make_solver(q.D, TIMEOUT_MS)
        s.add(*q.full(), size == n)
        assert s.check() == want, n


@pytest.mark.parametrize("variant,shape,want", [(CURRENT, (1, 1, False), True),
                                                (SEED, (0, 1, False), False)])
def test_lemma_guided_refutation(variant: Any, shape: tuple[int, int, bool],
                                 want: bool) -> None:
    """Asked one by one (as when a cut's questions asked together give up), the free phase
    refutes a shape through its cut points — the candidate facts after each value, each
    refuted before it is assumed, then each step's obligations — and never a shape with a
    counterexample: the seed's INV-FRAME-SUFFICIENT fails with one result (spec/findings.md
    F-3, ``func() struct{a int; _ [2]struct{}}``), and stays unrefuted."""
    inv = get_invariant("INV-FRAME-SUFFICIENT")
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)
    q = bounded._Query(AMD64, variant, inv, shape, b)
    cuts = q.cuts()
    names = [f"{k}:{n}" for k, c in enumerate(cuts) for n, _ in c.facts]
    # a cut point after each argument, after between, after each result: the fold's own
    # facts, then the invariant's, in fold order
    last = shape[0] + shape[1]
    at = [int(n.split(":")[0]) for n in names]
    # (facts that are plain Python booleans are not proposed: none at the seed's first state)
    assert at == sorted(at) and at[-1] == last
    assert f"{last}:S=spec" in names
    assert (f"{last}:spill>=area" in names) is variant.spill_by_type  # VAR-4
    # each cut's prefix: (receiver, arguments, between done, results), by hand from the shape
    want_keys = [(False, 1, False, 0), (False, 1, True, 0), (False, 1, True, 1)][-len(cuts):] \
        if shape == (1, 1, False) else [(False, 0, True, 0), (False, 0, True, 1)][-len(cuts):]
    assert [c.key for c in cuts] == want_keys
    # a prefix's clauses are a part of the query's: nothing is assumed that it does not
    full = {x.get_id() for x in q.full()}
    parts = [{x.get_id() for x in c.clauses} for c in cuts]
    assert all(p <= full for p in parts) and (len(parts) == 1 or parts[0] < parts[-1])
    refuted, calls = bounded._refuted(q, whole=False)
    assert refuted is want
    assert calls >= len(names)  # one question per fact at least


def test_cut_points_are_asked_once_per_prefix() -> None:
    """Shapes that share a fold prefix share its cut-point questions: (1, 0) and (1, 1) both
    start with one argument and ``between``, so with the answers of (1, 0) kept, (1, 1) asks
    only the questions after its result (and the last query) — and answers kept for other
    terms (the seed's fold, whose prefixes have the same keys) are never reused."""
    inv = get_invariant("INV-FRAME-SUFFICIENT")
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)

    def ask(variant: Any, shape: tuple[int, int, bool],
            seen: bounded.Refuted) -> tuple[bool, int]:
        q = bounded._Query(AMD64, variant, inv, shape, b)
        return bounded._refuted(q, seen, whole=False)

    alone = ask(CURRENT, (1, 1, False), {})
    assert alone[0]
    cuts = bounded._Query(AMD64, CURRENT, inv, (1, 1, False), b).cuts()
    # after the argument, after between, after the result
    assert [c.key for c in cuts] == [(False, 1, False, 0), (False, 1, True, 0),
                                     (False, 1, True, 1)]
    shared = sum(len(c.facts) + any(x is not True for x in c.obs) for c in cuts[:2])
    seen: bounded.Refuted = {}
    assert ask(CURRENT, (1, 0, False), seen)[0]
    assert ask(CURRENT, (1, 1, False), seen) == (True, alone[1] - shared)
    # the seed's questions at the same key are other terms: asked again, answered its own way
    other: bounded.Refuted = {}
    assert ask(SEED, (1, 0, False), other)[0] is ask(SEED, (1, 0, False), {})[0]
    assert ask(CURRENT, (1, 1, False), other) == alone


def test_free_shapes_pair_the_receiver_families() -> None:
    """The free phase asks each (arguments, results) once for both receiver families; the
    order and the families by hand: fewest values first, then fewer arguments."""
    b = Bounds(max_params=1, max_results=1)
    assert bounded.free_shapes(b) == [(0, 0, None), (0, 1, None), (1, 0, None), (1, 1, None)]
    assert bounded.free_shapes(replace(b, receiver=False)) == [
        (0, 0, False), (0, 1, False), (1, 0, False), (1, 1, False)]
    assert bounded.free_shapes(replace(b, only_receiver=True)) == [
        (0, 0, True), (0, 1, True), (1, 0, True), (1, 1, True)]
    assert bounded.shape_text((2, 1, None)) == "(2 params, 1 results, ±receiver)"


@pytest.mark.parametrize("inv_id,variant", [("INV-INREGPTRS-RCVR", CURRENT),
                                            ("INV-BITMAP-REGS", CURRENT),
                                            ("INV-GC-VISIBLE", SEED)])
def test_one_query_for_both_receiver_families(inv_id: str, variant: Any) -> None:
    """A ±receiver query with its Boolean fixed is that family's own query: satisfiable
    exactly where the query of the shape with (or without) a receiver is, asked apart.
    INV-INREGPTRS-RCVR fails on current only with a receiver (latent L-1, ``func()`` with
    ``*int``), and INV-BITMAP-REGS's inRegPtrs obligations hold only without one: a
    receiver's obligations under the wrong guard make the two answers differ."""
    inv = get_invariant(inv_id)
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)

    def answer(q: Any, *extra: Any) -> str:
        s = make_solver(q.D, TIMEOUT_MS)
        s.add(*q.full(), q.negation(), *extra)
        r = s.check()
        assert r != z3.unknown
        return str(r)

    seen = set()
    for n, m, _ in bounded.free_shapes(b):
        both = bounded._Query(AMD64, variant, inv, (n, m, None), b)
        for rc in (False, True):
            want = answer(bounded._Query(AMD64, variant, inv, (n, m, rc), b))
            assert answer(both, both.hasr == rc) == want, (n, m, rc)
            seen.add((rc, want))
    if inv_id == "INV-INREGPTRS-RCVR":
        assert seen == {(False, "unsat"), (True, "sat")}
    elif variant is CURRENT:
        assert {w for _rc, w in seen} == {"unsat"}
    else:  # the seed loses `func(*int)`'s pointer (F-5, VAR-7): without a receiver
        assert (False, "sat") in seen


def test_free_phase_reads_the_receiver_off_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the grammar phase, the free phase's ±receiver query finds L-1 (current's
    latent INV-INREGPTRS-RCVR: ``func()`` with a ``*int`` receiver, spec/findings.md) and
    the signature it reports has the receiver the model chose."""
    monkeypatch.setattr(bounded, "search_grammar",
                        lambda *a, **k: bounded.SearchResult("NONE"))
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)
    res = bounded.search(AMD64, CURRENT, get_invariant("INV-INREGPTRS-RCVR"), b)
    assert res.status == "FALSIFIED" and res.violation is not None
    sig = res.violation.sig
    assert (sig.params, sig.results, sig.recv is not None) == ((), (), True)


def test_grammar_shapes_left_to_the_free_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    """A grammar shape the first phase cannot decide in its short timeout is left to the free
    phase (whose WF summaries hold every grammar type's), not reported UNKNOWN: the free
    phase decides it — no counterexample for current; the seed's F-3 shape (spec/findings.md)
    is not refuted, and there the grammar is asked again with the whole timeout. With
    ``--grammar-only`` the grammar has the whole query timeout."""
    orig = bounded._check_grammar

    def gives_up(q: Any, neg: Any, quick: bool = False) -> Any:
        return (z3.unknown, None, "canceled", 1) if quick else orig(q, neg, quick)

    monkeypatch.setattr(bounded, "_check_grammar", gives_up)
    inv = get_invariant("INV-FRAME-SUFFICIENT")
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)
    cur = bounded.search(AMD64, CURRENT, inv, b)
    assert (cur.status, cur.unknown) == ("NONE", [])
    assert len(cur.left) == len([s for s in shapes(b) if s[:2] != (0, 0)])
    # the seed's shape (0, 1) is not refuted by the free phase, so the grammar is asked
    # there again with the whole timeout, and its Go types give F-3's counterexample
    seed = bounded.search(AMD64, SEED, inv, b)
    assert seed.status == "FALSIFIED" and seed.violation is not None
    assert seed.violation.sig.params == () and len(seed.violation.sig.results) == 1
    # both families fail there (the receiver is one more word): the one without is reported
    assert seed.violation.sig.recv is None
    # alone, the grammar phase asks with the bounds' timeout, and nothing is left
    only = bounded.search(AMD64, CURRENT, inv, replace(b, grammar_only=True))
    assert only.status == "NONE" and not only.left


def test_grammar_first_phase_leaves_shapes_of_more_than_three_values(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The grammar's short first phase asks only shapes of at most GRAMMAR_FIRST_VALUES (3)
    values — arguments, results and the receiver — and leaves the others to the free phase
    without a query. With ≤ 3 arguments, ≤ 1 result and a receiver or not, those are, by
    hand: (3, 1), (3, 0, receiver), (2, 1, receiver), (3, 1, receiver). Where the free phase
    cannot refute a left shape the grammar is asked there again with the whole timeout, so a
    counterexample in a left shape is still the grammar's Go types: with every shape left
    (the cap at 0), the seed's F-3 shape (0, 1) gives its counterexample, a struct result."""
    asked: list[tuple[tuple[int, int, bool], bool]] = []
    orig = bounded._check_grammar

    def spy(q: Any, neg: Any, quick: bool = False) -> Any:
        asked.append(((len(q.params), len(q.results), q.rc), quick))
        return orig(q, neg, quick)

    monkeypatch.setattr(bounded, "_check_grammar", spy)
    inv = get_invariant("INV-REG-BOUNDS")
    b = Bounds(max_params=3, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)
    first = search_grammar(AMD64, CURRENT, inv, b, first=True)
    big = {(3, 1, False), (3, 0, True), (2, 1, True), (3, 1, True)}
    assert {s for s, _why in first.left} == big
    assert all(why == "more than 3 values" for _s, why in first.left)
    assert asked and not big & {s for s, _q in asked}
    # the grammar alone (no free phase after it) asks every shape
    asked.clear()
    search_grammar(AMD64, CURRENT, inv, b)
    assert big <= {s for s, _q in asked}

    asked.clear()
    monkeypatch.setattr(bounded, "GRAMMAR_FIRST_VALUES", 0)
    fs = get_invariant("INV-FRAME-SUFFICIENT")
    small = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS)
    seed = bounded.search(AMD64, SEED, fs, small)
    assert seed.status == "FALSIFIED" and seed.violation is not None
    assert seed.violation.sig.params == () and len(seed.violation.sig.results) == 1
    assert all(not quick for _s, quick in asked)  # only the fallback's whole-timeout queries


def test_grammar_first_phase_asks_only_the_flat_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nested structs in the bounds, the short first phase asks the flat grammar only
    (fields ≤ 3, depth 1) and leaves every shape for the nested one, which is asked where
    the free phase cannot refute a shape: the seed's F-3 counterexample (a struct result,
    spec/findings.md) is still found in the flat grammar, in the first phase."""
    asked: list[tuple[int, int, bool]] = []
    orig = bounded._check_grammar

    def spy(q: Any, neg: Any, quick: bool = False) -> Any:
        g = q.grammar
        asked.append((g.fields, g.depth, quick))
        return orig(q, neg, quick)

    monkeypatch.setattr(bounded, "_check_grammar", spy)
    b = Bounds(max_params=1, max_results=1, max_groups=2, timeout_ms=TIMEOUT_MS,
               struct_fields=4, struct_depth=2)
    inv = get_invariant("INV-REG-BOUNDS")
    first = search_grammar(AMD64, CURRENT, inv, b, first=True)
    assert asked and {(f, d) for f, d, _q in asked} == {(3, 1)}
    assert {s for s, _why in first.left} == set(shapes(b))
    assert all(why.startswith("structs 4×2: ") for _s, why in first.left)
    # the grammar alone asks both levels
    asked.clear()
    search_grammar(AMD64, CURRENT, inv, b)
    assert {(f, d) for f, d, _q in asked} == {(3, 1), (4, 2)}
    asked.clear()
    seed = bounded.search(AMD64, SEED, get_invariant("INV-FRAME-SUFFICIENT"), b)
    assert seed.status == "FALSIFIED" and seed.violation is not None
    assert seed.violation.sig.params == () and len(seed.violation.sig.results) == 1
    assert {(f, d, q) for f, d, q in asked} == {(3, 1, True)}
