"""regabi prove: the induction, the bounded search, vacuity and sensitivity to injected bugs.

Expected values are hand derivations written next to each case (from abi-internal.md, the seed's
reflect/abi.go and go1.27.3's), never the output of the code under test. A Z3 run executes the
same model functions as the concrete run (one semantics), so a bug injected by monkeypatching a
model function is seen by the concrete check *and* by the prover — the sensitivity tests show
the prover reporting such bugs by itself.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from regabi.model import assign as assign_mod
from regabi.model import joint as joint_mod
from regabi.model.arch import load_arch
from regabi.model.domain import CONCRETE
from regabi.model.invariants import CATALOGUE, get_invariant
from regabi.model.summary import summarize, wf
from regabi.model.syntax import parse_signature
from regabi.model.types import BASIC, Array, Field, Interface, Map, Pointer, Slice, Struct
from regabi.model.variants import CURRENT, SEED
from regabi.proofs.bounded import Bounds, search_grammar
from regabi.proofs.induction import prove_by_induction
from regabi.proofs.prove import arch_of, minimise, prove
from regabi.verdict import EXIT_UNKNOWN, exit_status

AMD64 = load_arch("amd64")
ERROR_INVS = [i.id for i in CATALOGUE if i.severity == "error"]
# Z3 timeouts are wall-clock: generous, so that a loaded machine slows the tests, not fails them
TIMEOUT_MS = 240_000


# --------------------------------------------------------------------------------------------
# mutants: realistic one-line bugs in the model's algorithm functions


def _regs_off_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """refl_group checks room against one register more than the architecture has."""
    orig = joint_mod.refl_group

    def bad(D, cur, g, live, regs):  # type: ignore[no-untyped-def]
        return orig(D, cur, g, live, regs._replace(n_int=regs.n_int + 1))

    monkeypatch.setattr(joint_mod, "refl_group", bad)


def _stack_unaligned(monkeypatch: pytest.MonkeyPatch) -> None:
    """addArg's stackAssign forgets to align the stack offset."""
    orig = assign_mod._place

    def bad(D, st, cur, s, ok, v):  # type: ignore[no-untyped-def]
        return orig(D, st, cur, s._replace(align=1), ok, v)

    monkeypatch.setattr(assign_mod, "_place", bad)


def _bitmap_shifted(monkeypatch: pytest.MonkeyPatch) -> None:
    """addTypeBits marks the stack pointer bitmap one word too far."""
    orig = assign_mod._add_type_bits

    def bad(D, st, s, p, ps):  # type: ignore[no-untyped-def]
        return orig(D, st, s, p._replace(off=p.off + ps), ps)

    monkeypatch.setattr(assign_mod, "_add_type_bits", bad)


# --------------------------------------------------------------------------------------------
# vacuity: every invariant can fire (concretely), with the reason derived by hand


def _regargs_table_wrong() -> object:
    """amd64 whose RegArgs table puts Floats one word early (overlapping Ints[8])."""
    ra = AMD64.regargs
    return replace(AMD64, regargs=replace(ra, floats_offset=ra.floats_offset - 8))


VACUITY = [
    # seed VAR-3: regAssign skips the zero-size `_ [2]struct{}`, so the int goes to AX and no
    # frame is reserved; the spec (and current) fail the [2]T field: the struct is on the stack
    # at 0, size 16 (8 + trailing zero-size padding), so the callee needs 16 bytes of frame.
    ("INV-FRAME-SUFFICIENT", "seed", None, "func() struct{a int; _ [2]struct{}}"),
    ("INV-ASSIGN-AGREE", "seed", None, "func() struct{a int; _ [2]struct{}}"),
    # the same placement: seed's outRegPtrs marks AX for a result that the spec puts on the stack
    ("INV-BITMAP-REGS", "seed", None, "func() struct{a *int; _ [2]struct{}}"),
    # seed VAR-2 with no registers (ABI0): [0]int goes through regAssign, "succeeds" with no
    # steps and does not align stackBytes, so the second bool lands at 1; ABI0 puts it at 8.
    ("INV-ABI0", "seed", None, "func(bool, [0]int, bool)"),
    # seed VAR-7: a *int held through a heap copy (flagIndir) is written to Ints only, which
    # the GC does not scan
    ("INV-GC-VISIBLE", "seed", None, "func(*int)"),
    # go1.27.3 newAbiDesc reads in.stepsForValue(i) for argument i; with a receiver at value 0
    # that is off by one, so the receiver's pointer bit (AX) is never in inRegPtrs
    ("INV-INREGPTRS-RCVR", "current", None, "func()", "*int"),
    # off-by-one register room: the 10th int on amd64 (9 int registers) gets register 9
    ("INV-REG-BOUNDS", "current", _regs_off_by_one, "func(int, int, int, int, int, int, int, "
     "int, int, int)"),
    # with no registers, int64 follows bool at 8 (aligned); unaligned it would be at 1
    ("INV-STACK-LAYOUT", "current", _stack_unaligned, "func(bool, int64)", None, "amd64:0,0"),
    # with no registers, *int is stack word 0; the shifted bitmap marks word 1
    ("INV-BITMAP-STACK", "current", _bitmap_shifted, "func(*int)", None, "amd64:0,0"),
    ("INV-REGARGS", "current", "regargs", "func()"),
]


@pytest.mark.parametrize("case", VACUITY, ids=[c[0] for c in VACUITY])
def test_every_invariant_can_fire(case: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    inv_id, vname, mutant, text = case[:4]
    recv = case[4] if len(case) > 4 else None
    arch = arch_of(case[5]) if len(case) > 5 else AMD64
    sig = parse_signature(text, recv=recv)
    inv = get_invariant(inv_id)
    v = {"seed": SEED, "current": CURRENT}[vname]
    if vname == "seed" or inv.severity == "latent":
        control = None  # the flaw is the variant's (or go1.27.3's) own
    else:
        control = inv.check(sig, arch, v)
    if mutant == "regargs":
        arch = _regargs_table_wrong()
    elif mutant is not None:
        mutant(monkeypatch)
    vio = inv.check(sig, arch, v)
    assert vio is not None, f"{inv_id} did not fire on {sig} ({vname})"
    assert vio.invariant == inv_id
    assert control is None, f"{inv_id} fires on {sig} even without the mutant: {control}"


def test_gc_visible_refuses_scalars_in_ptrs(monkeypatch: pytest.MonkeyPatch) -> None:
    """INV-GC-VISIBLE's other half: Value.call writing a string's length word (not a pointer)
    to regArgs.Ptrs is a violation (the GC would scan a length as an address)."""
    from regabi.model import invariants as inv_mod

    sig = parse_signature("func(string)")
    inv = get_invariant("INV-GC-VISIBLE")
    assert inv.check(sig, AMD64, CURRENT) is None
    orig = inv_mod.arg_to_ptrs
    monkeypatch.setattr(inv_mod, "arg_to_ptrs",
                        lambda D, v, g, put, held: orig(D, v, g, put, held) | D.ite(put, 2, 0))
    vio = inv.check(sig, AMD64, CURRENT)
    assert vio is not None and "no pointer" in vio.message


def test_vacuity_table_covers_the_registry() -> None:
    assert {c[0] for c in VACUITY} == {i.id for i in CATALOGUE}


def test_seed_fixed_variant_passes_the_vacuity_signatures() -> None:
    """Reverting every seed delta gives current's behaviour: the seed rows must then pass."""
    fixed = replace(SEED, **{d: getattr(CURRENT, d) for d in SEED.deltas(CURRENT)})
    for inv_id, vname, _m, text, *_ in VACUITY:
        if vname == "seed":
            assert get_invariant(inv_id).check(parse_signature(text), AMD64, fixed) is None


# --------------------------------------------------------------------------------------------
# induction: PROVED for all signatures


def test_current_amd64_every_error_invariant_proved_by_induction() -> None:
    ind = prove_by_induction(AMD64, CURRENT, list(CATALOGUE), TIMEOUT_MS)
    assert not ind.unknown, ind.unknown
    for i in ERROR_INVS:
        assert ind.status[i] == "PROVED", (i, ind.cti.get(i))
    # go1.27.3's receiver off-by-one in inRegPtrs is real: the induction must not prove it
    assert ind.status["INV-INREGPTRS-RCVR"] != "PROVED"


@pytest.mark.parametrize("arch", ["386", "arm64"])
def test_current_other_arches_proved_by_induction(arch: str) -> None:
    ind = prove_by_induction(load_arch(arch), CURRENT, list(CATALOGUE), TIMEOUT_MS)
    assert [i for i in ERROR_INVS if ind.status[i] != "PROVED"] == []


def test_seed_induction_refuses_what_the_seed_breaks() -> None:
    """The induction never proves an invariant a concrete seed counterexample breaks."""
    ind = prove_by_induction(AMD64, SEED, list(CATALOGUE), TIMEOUT_MS)
    for inv_id, vname, mutant, *_ in VACUITY:
        if vname == "seed" and mutant is None:
            assert ind.status[inv_id] != "PROVED", inv_id


# --------------------------------------------------------------------------------------------
# the bounded search finds the seed's counterexamples by itself, smallest shape first


@pytest.mark.parametrize("inv_id,values", [
    # a single result suffices (the derivation in VACUITY), and no signature with no values
    # can break these: the smallest shape has exactly one value
    ("INV-FRAME-SUFFICIENT", 1), ("INV-ASSIGN-AGREE", 1), ("INV-BITMAP-REGS", 1),
    ("INV-GC-VISIBLE", 1)])
def test_seed_counterexample_found_and_minimal(inv_id: str, values: int) -> None:
    inv = get_invariant(inv_id)
    r = search_grammar(AMD64, SEED, inv, Bounds(max_params=1, max_results=1, receiver=False))
    assert r.status == "FALSIFIED" and r.violation is not None
    assert r.violation.sig.nvalues() == values
    # re-checked concretely, and the same signature passes in current
    assert inv.check(r.violation.sig, AMD64, SEED) is not None
    assert inv.check(r.violation.sig, AMD64, CURRENT) is None
    small = minimise(r.violation, AMD64, SEED, inv)
    assert small.sig.leaves() <= r.violation.sig.leaves()
    assert inv.check(small.sig, AMD64, SEED) is not None


# --------------------------------------------------------------------------------------------
# sensitivity: bugs injected into the model are reported by prove alone


@pytest.mark.parametrize("inv_id,mutant,arch", [
    ("INV-REG-BOUNDS", _regs_off_by_one, "amd64:2,1"),
    ("INV-BITMAP-STACK", _bitmap_shifted, "amd64:1,1"),
])
def test_prove_reports_an_injected_bug(inv_id: str, mutant, arch: str,  # type: ignore[no-untyped-def]
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # That the unmutated code is PROVED on these configurations is not re-proved here (≈ 30 s
    # each; the induction tests above prove current on amd64, 386 and arm64): the mutant's
    # counterexample is instead shown to be the mutant's, by undoing it and re-checking.
    b = Bounds(max_params=2, max_results=1, max_groups=2, receiver=False, timeout_ms=TIMEOUT_MS)
    mutant(monkeypatch)
    got = prove(arch, "current", [inv_id], b, timeout_ms=TIMEOUT_MS)
    assert [v.status for v in got] == ["FALSIFIED"], got
    assert got[0].extra.get("induction"), "the induction step must have failed first"
    sig = got[0].counterexample.sig
    assert get_invariant(inv_id).check(sig, arch_of(arch), CURRENT) is not None
    monkeypatch.undo()
    assert get_invariant(inv_id).check(sig, arch_of(arch), CURRENT) is None


# --------------------------------------------------------------------------------------------
# honesty: Z3 giving up is UNKNOWN, never PROVED, and never exit 0


def test_timeouts_are_unknown_not_proved() -> None:
    got = prove("amd64", "current", ["INV-REG-BOUNDS"], Bounds(max_params=1, max_results=0,
                                                               receiver=False, timeout_ms=1),
                timeout_ms=1)
    assert all(v.status != "PROVED" for v in got), [v.status for v in got]
    assert exit_status(got) == EXIT_UNKNOWN


# --------------------------------------------------------------------------------------------
# WF over-approximates every Go type: checked on random real types (the proofs assume it)


def _random_type(rng: random.Random, depth: int = 0):  # type: ignore[no-untyped-def]
    leaves = ["bool", "int8", "uint16", "int32", "int64", "int", "uintptr", "float32",
              "float64", "complex64", "complex128", "string"]
    k = rng.randrange(10 if depth < 3 else 5)
    if k <= 2:
        return BASIC[rng.choice(leaves)]
    if k == 3:
        return rng.choice([Pointer(BASIC["int"]), Slice(BASIC["byte"]), Interface(),
                           Map(BASIC["string"], BASIC["int"])])
    if k == 4:
        return Struct(())
    if k <= 6:
        return Array(rng.choice([0, 1, 2, 3, 7]), _random_type(rng, depth + 1))
    n = rng.randrange(5)
    return Struct(tuple(Field(rng.choice(["_", f"f{i}"]), _random_type(rng, depth + 1))
                        for i in range(n)))


@pytest.mark.parametrize("ps", [8, 4])
def test_wf_holds_on_random_go_types(ps: int) -> None:
    seed = 20261202
    rng = random.Random(seed)
    for n in range(400):
        t = _random_type(rng)
        bad = [name for name, ok in wf(CONCRETE, summarize(t, ps), ps) if ok is not True]
        assert not bad, f"seed {seed}, type #{n} {t} (ptr size {ps}): WF clauses false: {bad}"


@pytest.mark.parametrize("arch", ["amd64", "386"])
def test_wf_holds_on_every_recorded_oracle_value(arch: str) -> None:
    """Every value of the signatures recorded from go1.27.3 (Go's own vectors and the oracle
    generator's) has a WF summary."""
    from regabi.oracle import load

    ps = load_arch(arch).ptr_size
    checked = 0
    for row in load(arch).rows:
        sig = parse_signature(row["func"], recv=row.get("recv"))
        for t in (*sig.params, *sig.results):
            bad = [n for n, ok in wf(CONCRETE, summarize(t, ps), ps) if ok is not True]
            assert not bad, f"{t} in {row['func']} (row {row['i']}): {bad}"
            checked += 1
    assert checked > 1000


def test_type_basic_lemma_proved_for_both_pointer_sizes() -> None:
    from regabi.proofs.types import _basic

    assert [_basic(ps).status for ps in (4, 8)] == ["PROVED", "PROVED"]



@pytest.mark.parametrize("ps", [8, 4])
def test_type_lemmas_array_and_struct_proved(ps: int) -> None:
    """WF holds of every Go type by induction on its structure (spec/proofs.md PRF-9): basic
    kinds by enumeration, arrays of any length and structs of any number of fields by Z3 on
    model/summary.py's own functions."""
    from regabi.proofs.types import prove_type_lemmas

    got = {lem.id: lem.status for lem in prove_type_lemmas(ps, timeout_ms=TIMEOUT_MS)}
    assert got == {"TYPE-BASIC": "PROVED", "TYPE-ARRAY": "PROVED", "TYPE-STRUCT": "PROVED",
                   "TYPE-STRUCT-GROUPS": "PROVED", "TYPE-STRUCT-COUNTS": "PROVED",
                   "TYPE-LINK": "PROVED"}


def test_struct_group_lemmas_rest_on_the_facts_houdini_kept() -> None:
    """TYPE-STRUCT-GROUPS and TYPE-LINK assume of the struct so far every ACC-* fact and value
    clause: had TYPE-STRUCT's induction dropped one (here ACC-PTRS-ALIGNED, which TYPE-LINK's
    KEEP uses: a field's bitmap starts past every earlier group), they are not PROVED."""
    from regabi.proofs.types import _VALUE, TypeLemma, _rests_on_houdini

    facts = ["ACC-NFIELDS", "ACC-EMPTY", "ACC-PTRWORDS", "ACC-PTRS-ALIGNED", "ACC-DIRECT",
             "ACC-COUNTS", "ACC-ZERO", "ACC-BOUND", "ACC-AGREES"]
    lem = TypeLemma("TYPE-LINK", "PROVED", "d", 0.0)
    assert _rests_on_houdini(lem, [*_VALUE, *facts]) == lem
    got = _rests_on_houdini(lem, [*_VALUE, *[f for f in facts if f != "ACC-PTRS-ALIGNED"]])
    assert got.status == "UNKNOWN" and "ACC-PTRS-ALIGNED" in got.detail
    counts = TypeLemma("TYPE-STRUCT-COUNTS", "PROVED", "d", 0.0)
    assert _rests_on_houdini(counts, [*_VALUE, *facts[1:]]).status == "UNKNOWN"
    basic = TypeLemma("TYPE-BASIC", "PROVED", "d", 0.0)
    assert _rests_on_houdini(basic, []) == basic


def test_type_link_lemma_fires_on_a_field_bitmap_left_unshifted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity of TYPE-LINK: a struct fold that shifts a field's register groups to the
    field's offset but ORs its GC/heap words in unshifted. By hand (PtrSize 8): struct{a int;
    p *int} then has p's pointer group at offset 8 (word 1) but gc = heap = {0}: WF-LINK says
    word 1 is a pointer (ptrMap bit 0) and word 0, a's pointer-free group, is none — both
    false, so SHIFT (and KEEP, for a) is not provable."""
    from regabi.proofs import types as types_mod

    orig = types_mod.struct_field

    def unshifted(D, acc, f, ps, cap=None):  # type: ignore[no-untyped-def]
        return orig(D, acc, f, ps, cap)._replace(
            gc=D.set_union_shifted(acc.gc, f.gc, 0, True),
            heap=D.set_union_shifted(acc.heap, f.heap, 0, True))

    monkeypatch.setattr(types_mod, "struct_field", unshifted)
    got = types_mod._group_obligations(8, TIMEOUT_MS, link=True)
    assert got["SHIFT"] == "sat" and got["KEEP"] == "sat"
    # the same obligations without the linkage (TYPE-STRUCT-GROUPS) do not see it
    assert set(types_mod._group_obligations(8, TIMEOUT_MS, link=False).values()) == {"unsat"}


def test_type_link_lemma_fires_on_an_array_that_calls_its_itab_words_heap_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity of TYPE-LINK on arrays: ``[n]e`` whose heap words are all its GC words. By hand
    (PtrSize 8): [1]interface{} then has heap = gc = {0, 1}, but its one group (itab 0b01,
    ptrMap 0b10) says word 0 is no heap word — WF-LINK is false at n = 1. WF-HEAP (heap ⊆ gc)
    and WF-ITAB (no itab words left) still hold, so TYPE-ARRAY does not see it."""
    from regabi.proofs import types as types_mod

    orig = types_mod.array

    def heapy(D, n, e, ps):  # type: ignore[no-untyped-def]
        a = orig(D, n, e, ps)
        return a._replace(heap=a.gc)

    monkeypatch.setattr(types_mod, "array", heapy)
    assert types_mod._array_group_case(8, 3, TIMEOUT_MS, 1, "WF-GROUP", link=True) == "sat"
    assert types_mod._array_group_case(8, 3, TIMEOUT_MS, 1, "WF-GROUP") == "unsat"
    for clause in ("WF-HEAP", "WF-ITAB"):
        assert types_mod._array_value_case(8, TIMEOUT_MS, 1, clause) == "unsat"


def test_type_struct_groups_lemma_fires_on_a_field_walk_left_unshifted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity: a struct fold that appends a field's register groups at the field's own
    offsets instead of shifting them to where the field sits. By hand: struct{a int8; b
    int16} then has b's group at offset 0, before a's group ends (at 1): WF-GROUP's order
    clause is false, so SHIFT is not provable."""
    from regabi.model import summary as summary_mod
    from regabi.proofs import types as types_mod

    monkeypatch.setattr(summary_mod, "_shift", lambda D, p, off: p)
    lem = types_mod._struct_groups(8, TIMEOUT_MS)
    assert lem.status == "FALSIFIED" and "SHIFT" in lem.detail


@pytest.mark.parametrize("ps", [8, 4])
def test_count_ghosts_agree_with_wf_on_random_go_types(ps: int) -> None:
    """TYPE-STRUCT-COUNTS states WF's count clauses and WF-SEED-PREFIX over ghosts of a walk
    (its length, prefix sums, prefix agreement) and adds EXACT (a concrete walk has exactly n
    groups). Computed from real summaries' groups, the ghost form holds wherever ``wf``'s own
    clauses do — on random types and on walks built by hand to break each clause."""
    from regabi.model.summary import EMPTY_OK, Group, Parts
    from regabi.proofs.types import _concrete_agree, _concrete_walk, _type_clauses

    def ghost(s):  # type: ignore[no-untyped-def]
        return {n: ok for n, ok in _type_clauses(CONCRETE, s, _concrete_walk(s.spec),
                                                 _concrete_walk(s.seed),
                                                 _concrete_agree(s.spec, s.seed))}

    seed = 20261202
    rng = random.Random(seed)
    for n in range(200):
        t = _random_type(rng)
        s = summarize(t, ps)
        assert all(ghost(s).values()), f"seed {seed}, type #{n} {t}: {ghost(s)}"
    # by hand: one int64 group; its counts claimed as a float part; a seed walk whose one group
    # sits elsewhere; a walk with a group past its n
    s = summarize(BASIC["int64"], 8)
    g = Group(True, 0, 8, 1, 0, 0)
    for walks, clause in [((Parts((g,), 1, 0, 1, True),) * 2, "WF-SPEC-COUNTS"),
                          ((Parts((g,), 1, 1, 0, True), Parts((g._replace(off=4),), 1, 1, 0,
                                                               True)), "WF-SEED-PREFIX")]:
        bad = s._replace(spec=walks[0], seed=walks[1])
        assert not ghost(bad)[clause]
        assert any(ok is False for n, ok in wf(CONCRETE, bad, 8) if n == clause)
    junk = s._replace(seed=EMPTY_OK._replace(groups=(g,)))
    assert not ghost(junk)["EXACT"] and ghost(junk)["WF-SEED-COUNTS"]


def test_type_struct_counts_lemma_fires_on_a_fold_that_swaps_a_fields_counts(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity of TYPE-STRUCT-COUNTS: a struct fold that adds a field's floating-point parts
    to the integer count and its integer parts to the floating-point count. By hand (PtrSize
    8): struct{f float64} then has one floating-point group (1 part at offset 0) but ni = 1,
    nf = 0 — WF-SPEC-COUNTS (ni, nf the sums of its groups' parts: 0 and 1) is false, so the
    struct STEP is not provable. Its value clauses (ni + nf, each ≤ the size; n ≤ ni + nf ≤
    3n) and its groups are untouched: TYPE-STRUCT and TYPE-STRUCT-GROUPS stay PROVED."""
    from regabi.model import summary as summary_mod
    from regabi.proofs import types as types_mod

    orig = summary_mod._append

    def swapped(D, a, b, cap):  # type: ignore[no-untyped-def]
        return orig(D, a, b, cap)._replace(ni=a.ni + b.nf, nf=a.nf + b.ni)

    monkeypatch.setattr(summary_mod, "_append", swapped)
    lem = types_mod._struct_counts(8, TIMEOUT_MS)
    assert lem.status == "FALSIFIED" and "STEP WF-SPEC-COUNTS" in lem.detail, lem.detail
    assert [x.status for x in types_mod._struct(8, TIMEOUT_MS)] == ["PROVED", "PROVED"]
    # the concrete fold agrees with the hand derivation
    acc = summary_mod.struct_field(CONCRETE, summary_mod.struct_begin(CONCRETE),
                                   summary_mod.basic("float64", 8), 8)
    s = summary_mod.struct_end(CONCRETE, acc)
    assert (s.spec.ni, s.spec.nf) == (1, 0)
    assert dict(wf(CONCRETE, s, 8))["WF-SPEC-COUNTS"] is False


def test_type_struct_counts_lemma_fires_on_a_seed_walk_shifted_elsewhere(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity of TYPE-STRUCT-COUNTS' prefix: a struct fold that shifts a field's seed walk one
    byte further than its spec walk. By hand: struct{a int8; b int8} then has spec groups at
    offsets 0, 1 and seed groups at 0, 2 — both walks complete, so WF-SEED-PREFIX (equal at
    every position below the spec's n = 2) is false at position 1: the STEP's premise that one
    offset shifts both walks fails."""
    from regabi.model.summary import _append, _shift
    from regabi.proofs import types as types_mod

    orig = types_mod.struct_field

    def elsewhere(D, acc, f, ps, cap=None):  # type: ignore[no-untyped-def]
        post = orig(D, acc, f, ps, cap)
        fseed = _shift(D, f.seed, post.off - f.size + 1)
        nonzero = D.not_(D.eq(f.size, 0))
        return post._replace(seed=D.sel(D.and_(acc.seed.ok, nonzero),
                                        _append(D, acc.seed, fseed, cap), acc.seed))

    monkeypatch.setattr(types_mod, "struct_field", elsewhere)
    lem = types_mod._struct_counts(8, TIMEOUT_MS)
    assert lem.status == "FALSIFIED" and "STEP one offset" in lem.detail, lem.detail


def test_type_struct_counts_lemma_fires_on_a_shift_that_changes_a_groups_class(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """SEQ-3's premises are checked on the model's ``_shift``: one that turns every shifted
    group into an integer group (by hand: struct{f float64}'s float group would count as an
    integer part, so its nf = 1 would no longer be the sum of its groups' floating-point parts,
    0) is refused."""
    from regabi.model import summary as summary_mod
    from regabi.proofs import types as types_mod

    orig = summary_mod._shift
    monkeypatch.setattr(summary_mod, "_shift", lambda D, p, off: orig(D, p, off)._replace(
        groups=tuple(g._replace(isint=True) for g in orig(D, p, off).groups)))
    assert types_mod._shift_facts(TIMEOUT_MS) == "sat"
    lem = types_mod._struct_counts(8, TIMEOUT_MS)
    assert lem.status == "FALSIFIED" and "SHIFT" in lem.detail, lem.detail


def test_type_struct_counts_lemma_is_not_proved_from_inconsistent_hypotheses(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypotheses without a model prove anything: a fold fact no state satisfies (an offset
    below 0) makes STEP and END UNKNOWN (never PROVED), saying why."""
    from regabi.proofs import types as types_mod

    orig = types_mod._acc_facts
    monkeypatch.setattr(types_mod, "_acc_facts", lambda D, acc, ps: [
        *orig(D, acc, ps), ("ACC-NONE", D.ult(acc.off, 0))])
    lem = types_mod._struct_counts(8, TIMEOUT_MS)
    assert lem.status == "UNKNOWN", lem
    assert "STEP hypotheses inconsistent, END hypotheses inconsistent" in lem.detail


def test_type_struct_lemma_fires_on_a_fold_that_drops_a_fields_pointers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity: a struct fold that forgets a field's GC words but keeps its heap words. By
    hand: struct{ a *int } then has heap = {0} but gc = {} — WF-HEAP (heap ⊆ gc) is false, so
    the induction cannot keep it and TYPE-STRUCT is not PROVED."""
    from regabi.proofs import types as types_mod

    orig = types_mod.struct_field
    monkeypatch.setattr(types_mod, "struct_field",
                        lambda D, acc, f, ps, cap=None: orig(D, acc, f, ps, cap)._replace(
                            gc=acc.gc))
    lem = types_mod._struct(8, TIMEOUT_MS)[0]
    assert lem.status != "PROVED" and "WF-HEAP" in lem.detail


def test_type_array_lemma_fires_on_an_array_whose_pointer_words_are_one_short(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity: ``[n]e`` with ptrdata one word short. By hand: [2]*int then says ptrwords = 1
    while word 1 holds the second pointer — WF-GC-BELOW (every GC word below ptrwords) is
    false for n >= 2."""
    from regabi.proofs import types as types_mod

    orig = types_mod.array

    def short(D, n, e, ps):  # type: ignore[no-untyped-def]
        a = orig(D, n, e, ps)
        return a._replace(ptrwords=D.ite(D.ult(1, n), a.ptrwords - 1, a.ptrwords))

    monkeypatch.setattr(types_mod, "array", short)
    assert types_mod._array_value_case(8, TIMEOUT_MS, None, "WF-GC-BELOW") == "sat"


@pytest.mark.parametrize("ps", [8, 4])
def test_symbolic_summaries_equal_concrete_ones(ps: int) -> None:
    """The summary constructors' symbolic branches (run by the grammar search and the type
    lemmas) agree with the concrete ones (run by layout) on 160 grammar points (more than the
    60 `regabi prove` checks, and another seed) and every short array of the grammar's element
    types. The expected values are ``summarize``'s, which tests/test_differential.py holds
    against the real Go toolchain."""
    from regabi.proofs.types import symbolic_matches_concrete

    n, bad = symbolic_matches_concrete(ps, samples=160, seed=7)
    assert not bad and n > 140


def test_symbolic_matches_concrete_fires_on_a_symbolic_only_array_bug(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity: the symbolic ``array`` branch alone loses ``[1]T``'s walk (mutmut's
    ``x_array__mutmut_58``; the concrete branch is untouched, so layout and the differential
    tests cannot see it). By hand: ``[1][0]int64`` then has a failed spec walk symbolically,
    a completed empty one concretely (ASG-3: [1]T decomposes as T, [0]T to nothing)."""
    from regabi.model import summary as summary_mod
    from regabi.proofs import types as types_mod

    orig = summary_mod.array

    def mutant(D, n, e, ps):  # type: ignore[no-untyped-def]
        a = orig(D, n, e, ps)
        if D.concrete:
            return a
        return a._replace(spec=D.sel(D.eq(n, 1), summary_mod.EMPTY_FAIL._replace(
            groups=e.spec.groups), a.spec))

    monkeypatch.setattr(types_mod, "array", mutant)
    _n, bad = types_mod.symbolic_matches_concrete(8, samples=0)
    assert "[1]" in bad and "spec walk" in bad


def test_reflect_premise_catches_an_inregptrs_bug_the_proofs_miss(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity of REFLECT=GO1.27.3: inRegPtrs built from each argument's own steps even with a
    receiver (mutmut's ``x_refl_end_arg__mutmut_66``). The induction is unaffected (INV-
    INREGPTRS-RCVR's minimal witness, ``func()`` with receiver ``*int``, is unchanged), but
    go1.27.3's funcLayout for a method with a pointer argument differs: by hand, recv ``T``
    (int) and ``func(*int)`` put the argument in BX, and real reflect marks the *receiver's*
    steps (none: an int) for it, so BX is not in inRegPtrs — the mutant marks it."""
    from regabi.model import syntax as syntax_mod
    from regabi.proofs.prove import premise_verdicts

    orig = assign_mod.refl_end_arg
    monkeypatch.setattr(assign_mod, "refl_end_arg",
                        lambda D, st, cur, s, regs, v, has_rcvr: orig(D, st, cur, s, regs, v,
                                                                      False))
    monkeypatch.setattr(syntax_mod, "_MEMO", {})
    monkeypatch.setattr(syntax_mod, "_FAST_MEMO", {})
    bad = {v.invariant: v.status for v in premise_verdicts([AMD64])}
    assert bad["REFLECT=GO1.27.3"] == "FALSIFIED"

def test_joint_layout_premise_catches_a_slip_in_the_proofs_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Vacuity of JOINT=LAYOUT: the same slip as above, but in the proofs' fold (model/joint.py,
    mutmut's ``x_j_end__mutmut_112``, which survived the fifth mutation run) instead of the
    layout's driver. REFLECT=GO1.27.3 still holds — the layout is untouched — and the
    induction's INV-INREGPTRS-RCVR witness ``func()`` with receiver ``*int`` has no argument,
    so only this premise sees it. By hand: recv ``int`` is held indirectly in an interface (an
    int is not pointer-shaped), so the receiver word reflect passes in AX is a pointer (RFL-5:
    ``rcvr.IfaceIndir() || rcvr.Pointers()``); ``func(*int)`` puts the argument in BX.
    go1.27.3 marks, for argument 0, stepsForValue(0) — the receiver's AX: inRegPtrs 0b1; the
    slipped fold marks the argument's own BX: 0b10."""
    from regabi.model.joint import driver_mismatch
    from regabi.model.sig import Signature
    from regabi.model.syntax import parse_type
    from regabi.proofs.prove import premise_verdicts

    orig = joint_mod.refl_end_arg
    monkeypatch.setattr(joint_mod, "refl_end_arg",
                        lambda D, st, cur, s, regs, v, has_rcvr: orig(D, st, cur, s, regs, v,
                                                                      False))
    sig = Signature((parse_type("*int"),), (), parse_type("int"))
    msg = driver_mismatch(sig, AMD64, CURRENT)
    assert msg.startswith("reflect inRegPtrs: the proofs' fold gives 0b10, the layout gives "
                          "0b1 for func(*int) [recv int]"), msg
    bad = {v.invariant: v.status for v in premise_verdicts([AMD64])}
    assert bad["JOINT=LAYOUT"] == "FALSIFIED" and bad["REFLECT=GO1.27.3"] == "HOLDS", bad


def test_premises_hold_and_catch_a_shared_type_layout_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """prove's premises against go1.27.3's recorded answers hold for the model as it is, and
    catch a bug in the type summaries that the spec's fold and reflect's share (so no
    spec-vs-reflect invariant can see it): TYP-6's trailing padding after a zero-size last
    field (go1.27.3 types/size.go CalcStructSize) dropped."""
    from regabi.gotool.compare import spec_of
    from regabi.model import summary as summary_mod
    from regabi.model import syntax as syntax_mod
    from regabi.proofs.prove import premise_verdicts

    ok = premise_verdicts([AMD64])
    assert [(v.invariant, v.status) for v in ok] == [("WF-RECORDED", "HOLDS"),
                                                     ("SPEC=GO1.27.3", "HOLDS"),
                                                     ("REFLECT=GO1.27.3", "HOLDS"),
                                                     ("JOINT=LAYOUT", "HOLDS"),
                                                     ("SYM=CONCRETE", "HOLDS")]
    orig = summary_mod.struct_end
    monkeypatch.setattr(summary_mod, "struct_end",
                        lambda D, acc: orig(D, acc._replace(last_zero=False)))
    # parsed types (with their summaries) and assignments are memoized: start afresh
    monkeypatch.setattr(syntax_mod, "_MEMO", {})
    monkeypatch.setattr(syntax_mod, "_FAST_MEMO", {})  # the batch reader's memo (_Fast) too
    spec_of.cache_clear()
    bad = {v.invariant: v.status for v in premise_verdicts([AMD64])}
    spec_of.cache_clear()
    assert bad["SPEC=GO1.27.3"] == "FALSIFIED"
