"""Lemmas about types: WF (spec/proofs.md PRF-3) holds of every Go type the model summarizes.

The induction and the bounded search assume that every value's summary satisfies WF. These
lemmas justify that assumption on the model's own type functions (model/summary.py), by
induction on type structure (spec/proofs.md PRF-9):

* TYPE-BASIC — every basic kind, on every pointer size: a finite set, proved by enumeration;
* TYPE-ARRAY — ``array(n, e)`` is WF for every WF element summary ``e`` and every length ``n``
  whose array fits SIZE_BOUND, by cases n = 0, n = 1, n ≥ 2: Z3 on the same ``array`` function
  run symbolically — its value clauses over the integers (model/domain.py Z3IntDomain: bit-blasting
  cannot do sums and products), its group clauses over bit-vectors;
* TYPE-STRUCT — the struct fold (``struct_begin``, ``struct_field``, ``struct_end``) yields a
  summary whose value clauses hold, for any number of WF fields: induction on the number of
  fields, the inductive invariant found by Houdini among WF of the struct ended so far and a few
  facts about the fold state (``_acc_facts``);
* TYPE-STRUCT-GROUPS — its walks' groups are well formed (WF-GROUP): induction on fields, an
  earlier group and a shifted field group each stay well formed (``_struct_groups``);
* TYPE-STRUCT-COUNTS — its walks' counts (n, ni, nf: the groups and their parts) and the seed's
  walk against the spec's group by group (WF-SEED-PREFIX): induction on type structure over
  ghosts of the concrete walks (length, prefix sums, prefix agreement), laws of concatenation
  proved in general form by induction on position (``_struct_counts``);
* TYPE-LINK — WF's set linkage (WF-LINK: a group's pointer bits are its value's GC and heap
  words) of every type: basic kinds by enumeration, arrays by cases on the length, structs by
  TYPE-STRUCT-GROUPS' obligations with the linkage in the invariant (``_link``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from regabi.model.domain import CONCRETE, Z3Domain, Z3IntDomain
from regabi.model.summary import (
    _SHAPES,
    Group,
    Parts,
    StructAcc,
    Summary,
    array,
    basic,
    struct_begin,
    struct_end,
    struct_field,
    summarize,
    value_wf,
    wf,
)
from regabi.proofs.symbolic import (
    SIZE_BOUND,
    free_parts,
    free_summary,
    instantiate_wf,
    make_solver,
)

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


#: value_wf's clauses (over the integers) and wf's group clauses (over bit-vectors).
_VALUE = ("WF-ALIGN", "WF-SIZE", "WF-HEAP", "WF-GC-BELOW", "WF-ITAB", "WF-PTRWORDS",
          "WF-SPEC-COUNTS", "WF-SEED-COUNTS", "WF-SEED-AGREES", "WF-DIRECT", "WF-ZERO")
_GROUPS = ("WF-GROUP", "WF-SEED-PREFIX", "WF-SPEC-COUNTS", "WF-SEED-COUNTS")
_SETS = ("WF-HEAP", "WF-GC-BELOW", "WF-ITAB")


#: Z3 resource units one type-lemma query may use. The slowest, TYPE-LINK's SHIFT at PtrSize 8,
#: needs ≈ 75 M (≈ 15 s of CPU here). The budget is Z3's deterministic count, so load cannot
#: turn PROVED into UNKNOWN; the wall-clock timeout (--timeout) only stops a query that load
#: has made hopeless.
TYPE_RLIMIT = 300_000_000


def _int_solver(D: Z3IntDomain, timeout_ms: int) -> Any:
    s = D.z3.Solver()
    s.set("timeout", timeout_ms)
    s.set("rlimit", TYPE_RLIMIT)
    s.add(*D.nonneg)
    return s


def _instances(D: Z3Domain, summaries: list[Summary]) -> list[Any]:
    """WF's set clauses of free summaries where the query asks, and one word further: WF-ITAB
    at word i speaks of word i + 1, whose own clauses a proof may need (more instances of a
    universally true fact are always sound)."""
    return instantiate_wf(D, summaries, shifts=(0, 1))


# --------------------------------------------------------------------------------------------
# arrays


def _array_value_case(ps: int, timeout_ms: int, length: int | None, clause: str) -> str:
    """One value clause of ``[n]e`` (n = ``length``; None: any n ≥ 2), over the integers."""
    D = Z3IntDomain(prefix="ta.")
    e = free_summary(D, "e", 0)
    n = D.fresh("n") if length is None else length
    a = array(D, n, e, ps)
    goal = [c for name, c in value_wf(D, a, ps, SIZE_BOUND)
            if name == clause and not isinstance(c, bool)]
    if not goal:
        return "unsat"  # every instance evaluated to the constant True
    s = _int_solver(D, timeout_ms)
    s.add(*[c for _n, c in value_wf(D, e, ps, SIZE_BOUND) if not isinstance(c, bool)])
    if length is None:
        s.add(D.ule(2, n))
        s.add(*_arith_facts(D, e, n, ps))
    s.add(D.ult(a.size, SIZE_BOUND))
    s.add(D.not_(D.and_(*goal)))
    s.add(*_instances(D, [e]))
    return str(s.check())


#: Theorems of integer arithmetic the array lemma uses (spec/proofs.md ARITH-1…4), each a
#: function of its terms: proved once in general form over fresh integers (``_arith_proved``),
#: then instantiated at the terms of ``[n]e``'s value clauses — Z3's non-linear arithmetic does
#: not find these instances by itself.
_ARITH: dict[str, Callable[..., Any]] = {
    # k | x  ⇒  k | x·n, and x·n = k·((x / k)·n)
    "ARITH-1": lambda z3, x, n, k: z3.Implies(
        z3.And(x >= 0, n >= 0, x % k == 0), z3.And((x * n) % k == 0, x * n == k * ((x / k) * n))),
    # i < st·n  ⇒  st·⌊i / st⌋ + st ≤ st·n (Euclidean division, monotonicity)
    "ARITH-2": lambda z3, st, i, n: z3.Implies(
        z3.And(st > 0, i >= 0, n >= 0, i < st * n), st * (i / st) + st <= st * n),
    # the next index stays in the same stride unless it crosses it
    "ARITH-3": lambda z3, st, i: z3.Implies(
        z3.And(st > 0, i >= 0, i % st + 1 < st),
        z3.And((i + 1) % st == i % st + 1, (i + 1) / st == i / st)),
    # st·(n − 1) + p − 1 is word p − 1 of the last element
    "ARITH-4": lambda z3, st, p, n: z3.Implies(
        z3.And(0 < p, p <= st, n >= 1),
        z3.And((st * (n - 1) + p - 1) % st == p - 1, (st * (n - 1) + p - 1) / st == n - 1)),
}


def _arith_proved(timeout_ms: int) -> list[str]:
    """The ARITH facts Z3 could not prove in general form (empty: all proved)."""
    import z3

    x, n, st, i, p = z3.Ints("x n st i p")
    general = {"ARITH-1": [_ARITH["ARITH-1"](z3, x, n, k) for k in (2, 4, 8)],
               "ARITH-2": [_ARITH["ARITH-2"](z3, st, i, n)],
               "ARITH-3": [_ARITH["ARITH-3"](z3, st, i)],
               "ARITH-4": [_ARITH["ARITH-4"](z3, st, p, n)]}
    bad = []
    for name, fs in general.items():
        for f in fs:
            s = z3.Solver()
            s.set("timeout", timeout_ms)
            s.add(z3.Not(f))
            if str(s.check()) != "unsat":
                bad.append(name)
    return bad


def _arith_facts(D: Z3IntDomain, e: Summary, n: Any, ps: int) -> list[Any]:
    """The ARITH facts at the terms of ``[n]e``'s value clauses."""
    z3 = D.z3
    st = D.shr(e.size, ps.bit_length() - 1)  # the stride in words, as ``array`` computes it
    out = [_ARITH["ARITH-1"](z3, e.size, n, k) for k in (2, 4, 8)]
    for i in (D.probe, D.probe + 1):
        out += [_ARITH["ARITH-2"](z3, st, i, n), _ARITH["ARITH-3"](z3, st, i)]
    out.append(_ARITH["ARITH-4"](z3, st, e.ptrwords, n))
    return out


def _array_group_case(ps: int, groups: int, timeout_ms: int, length: int | None,
                      clause: str, link: bool = False) -> str:
    """One group clause of ``[n]e``, over bit-vectors (group masks are bit operations).
    ``link``: the group clauses with WF's set linkage (WF-LINK), assumed of ``e`` too."""
    import z3

    D = Z3Domain(prefix="tg.", width=64)  # size * n of two values below 2**31 cannot wrap
    e = free_summary(D, "e", groups)
    n = D.fresh("n") if length is None else length
    a = array(D, n, e, ps)
    goal = [c for name, c in wf(D, a, ps, SIZE_BOUND, link_sets=link)
            if name == clause and not isinstance(c, bool)]
    if not goal:
        return "unsat"
    s = make_solver(D, timeout_ms)
    s.add(*[c for _n, c in wf(D, e, ps, SIZE_BOUND, link_sets=link)
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
    open_: list[str] = [f"{a} (general form)" for a in _arith_proved(timeout_ms)]
    cases: list[tuple[str, Callable[[int | None, str], str], tuple[str, ...]]] = [
        ("value", lambda n, c: _array_value_case(ps, timeout_ms, n, c), _VALUE),
        ("group", lambda n, c: _array_group_case(ps, groups, timeout_ms, n, c), _GROUPS)]
    total = 0
    for _kind, run, clauses in cases:
        for length, tag in ((0, "n=0"), (1, "n=1"), (None, "n>=2")):
            for clause in clauses:
                total += 1
                r = run(length, clause)
                if r == "sat":
                    return TypeLemma("TYPE-ARRAY", "FALSIFIED", f"{clause} at {tag}, PtrSize {ps}",
                                     time.perf_counter() - t0)
                if r != "unsat":
                    open_.append(f"{clause}@{tag}")
    dt = time.perf_counter() - t0
    if open_:
        return TypeLemma("TYPE-ARRAY", "UNKNOWN", f"PtrSize {ps}: Z3 gave up on "
                         f"{len(open_)} of {total} cases: {', '.join(open_)}", dt)
    return TypeLemma("TYPE-ARRAY", "PROVED", f"any length, any WF element (≤{groups} register "
                     f"groups for the group clauses), PtrSize {ps}; with ARITH-1…4, proved", dt)


# --------------------------------------------------------------------------------------------
# structs


def _acc_facts(D: Any, acc: StructAcc, ps: int) -> list[tuple[str, Any]]:
    """Facts about a struct fold state that WF of the struct ended so far does not imply but
    its preservation needs (candidates: Houdini keeps those that are inductive)."""
    lg = ps.bit_length() - 1
    sp, se = acc.spec, acc.seed
    return [
        ("ACC-NFIELDS", D.ule(acc.nfields, 2)),
        ("ACC-EMPTY", D.implies(D.eq(acc.nfields, 0), D.and_(
            D.eq(acc.off, 0), D.eq(acc.ptrwords, 0), D.eq(acc.align, 1), D.not_(acc.last_zero),
            sp.ok, se.ok, *[D.eq(x, 0) for x in (sp.n, sp.ni, sp.nf, se.n, se.ni, se.nf)]))),
        ("ACC-PTRWORDS", D.ule(acc.ptrwords, D.shr(acc.off + ps - 1, lg))),
        ("ACC-PTRS-ALIGNED", D.implies(D.not_(D.eq(acc.ptrwords, 0)), D.and_(
            D.eq(acc.align, ps), D.ule(acc.ptrwords * ps, acc.off)))),
        ("ACC-DIRECT", D.implies(D.and_(D.eq(acc.nfields, 1), acc.dir1), D.and_(
            D.eq(acc.off, ps), D.eq(acc.ptrwords, 1), D.eq(acc.align, ps),
            D.not_(acc.last_zero)))),
        ("ACC-COUNTS", D.and_(*[D.ule(x, acc.off) for x in (sp.ni + sp.nf, se.ni + se.nf)],
                              D.ule(sp.n, sp.ni + sp.nf), D.ule(sp.ni + sp.nf, sp.n * 3),
                              D.ule(se.n, se.ni + se.nf), D.ule(se.ni + se.nf, se.n * 3))),
        ("ACC-ZERO", D.implies(D.eq(acc.off, 0), D.and_(D.eq(sp.n, 0), D.eq(se.n, 0)))),
        ("ACC-BOUND", D.ult(acc.off, SIZE_BOUND)),
        ("ACC-AGREES", D.and_(
            D.ule(sp.n, se.n), D.ule(sp.ni, se.ni), D.ule(sp.nf, se.nf),
            D.implies(sp.ok, D.and_(se.ok, D.eq(sp.n, se.n), D.eq(sp.ni, se.ni),
                                    D.eq(sp.nf, se.nf))))),
    ]


def _struct_candidates(D: Any, acc: StructAcc, ps: int) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name, c in [*value_wf(D, struct_end(D, acc), ps, SIZE_BOUND), *_acc_facts(D, acc, ps)]:
        out.setdefault(name, []).append(c)
    return out


def _free_acc(D: Z3IntDomain) -> StructAcc:
    f = D.fresh
    return StructAcc(f("off"), f("align"), f("ptrwords"), D.fresh_set("gc"), D.fresh_set("heap"),
                     free_parts(D, "spec", 0), free_parts(D, "seed", 0), f("nfields"),
                     D.fresh_bool("dir1"), D.fresh_bool("last_zero"), ())


def _struct_step(ps: int, keep: list[str], name: str, timeout_ms: int) -> str:
    """Does candidate ``name`` hold after one more field, assuming the kept candidates before,
    for any WF field whose struct stays below SIZE_BOUND?"""
    D = Z3IntDomain(prefix="ts.")
    acc = _free_acc(D)
    f = free_summary(D, "f", 0)
    post_acc = struct_field(D, acc, f, ps, cap=0)
    goal = D.and_(*_struct_candidates(D, post_acc, ps)[name])
    if isinstance(goal, bool):
        return "unsat" if goal else "sat"
    pre = _struct_candidates(D, acc, ps)
    s = _int_solver(D, timeout_ms)
    for k in keep:
        s.add(*[c for c in pre[k] if not isinstance(c, bool)])
    s.add(*[c for _n, c in value_wf(D, f, ps, SIZE_BOUND) if not isinstance(c, bool)])
    # the struct is a type: refused (TypeTooLargeError) unless it fits; a prefix is no larger
    s.add(D.ult(struct_end(D, post_acc).size, SIZE_BOUND))
    s.add(D.not_(goal))
    kept_sets = all(k in keep for k in _SETS)
    s.add(*_instances(D, [f, struct_end(D, acc)] if kept_sets else [f]))
    return str(s.check())


def _struct_init(ps: int, name: str) -> bool:
    D = Z3IntDomain(prefix="ti.")
    cs = _struct_candidates(D, struct_begin(D), ps)[name]
    if all(isinstance(c, bool) for c in cs):
        return all(cs)
    s = _int_solver(D, 10000)
    s.add(D.not_(D.and_(*cs)))
    return str(s.check()) == "unsat"


def _struct(ps: int, timeout_ms: int, kept: list[str] | None = None) -> list[TypeLemma]:
    """Houdini over the candidates: the largest inductive subset; the lemma holds when every
    value clause of WF survives (the conclusion is then WF of ``struct_end`` of any fold)."""
    t0 = time.perf_counter()
    D0 = Z3IntDomain(prefix="tn.")
    names = list(_struct_candidates(D0, _free_acc(D0), ps))
    keep = [n for n in names if _struct_init(ps, n)]
    unknown: list[str] = []
    queries = 0
    while True:
        drop = []
        for n in keep:
            queries += 1
            r = _struct_step(ps, keep, n, timeout_ms)
            if r != "unsat":
                drop.append(n)
                if r != "sat":
                    unknown.append(n)
        if not drop:
            break
        keep = [n for n in keep if n not in drop]
    if kept is not None:
        kept.extend(keep)
    dt = time.perf_counter() - t0
    lost = [c for c in _VALUE if c not in keep]
    groups = _struct_groups(ps, timeout_ms)
    if not lost:
        facts = [n for n in keep if n.startswith("ACC-")]
        return [TypeLemma("TYPE-STRUCT", "PROVED", f"value clauses, any number of fields, "
                          f"PtrSize {ps} (induction on fields; {queries} queries; invariant: "
                          f"WF of the struct so far + {', '.join(facts)})", dt), groups]
    why = "Z3 gave up" if any(c in unknown for c in lost) else "not inductive"
    return [TypeLemma("TYPE-STRUCT", "UNKNOWN", f"PtrSize {ps}: {why} for {', '.join(lost)}",
                      dt), groups]


def _free_group(D: Z3IntDomain, name: str) -> Group:
    f = D.fresh
    return Group(D.fresh_bool(f"{name}.int"), f(f"{name}.off"), f(f"{name}.size"),
                 f(f"{name}.n"), D.fresh_mask(f"{name}.ptr"), D.fresh_mask(f"{name}.itab"))


def _acc_view(acc: StructAcc) -> Summary:
    """The struct so far as a summary whose size is the end of its last field (its groups
    must lie below that: a later field starts there)."""
    return Summary(acc.off, acc.align, acc.ptrwords, acc.gc, acc.heap, acc.spec, acc.seed,
                   acc.dir1)


def _field_step_setup(prefix: str, ps: int,
                      timeout_ms: int) -> tuple[Z3IntDomain, StructAcc, Summary, Any]:
    """One struct-fold step's free inputs — a fold state ``acc`` whose ended struct is WF and
    satisfies TYPE-STRUCT's kept facts, and a WF field ``f`` — with those hypotheses added to
    a fresh solver."""
    D = Z3IntDomain(prefix=prefix)
    acc = _free_acc(D)
    f = free_summary(D, "f", 0)
    s = _int_solver(D, timeout_ms)
    for _n, c in [*value_wf(D, struct_end(D, acc), ps, SIZE_BOUND),
                  *_acc_facts(D, acc, ps), *value_wf(D, f, ps, SIZE_BOUND)]:
        if not isinstance(c, bool):
            s.add(c)
    return D, acc, f, s


def _struct_groups(ps: int, timeout_ms: int) -> TypeLemma:
    """WF-GROUP of a struct's walks, by induction on fields. The walk of ``struct_field`` is,
    concretely, the walk so far followed by the field's walk shifted to the field's offset
    (``_append``/``concat``: a tuple concatenation; SYM=CONCRETE checks the symbolic branch
    against it), so every group of a struct is an earlier group or a shifted field group.
    Invariant G(acc, g, e): ``group_wf(g, e, acc as a summary of size acc.off)``. Three Z3
    obligations on the model's own ``struct_field``, ``_shift``, ``struct_end``, ``group_wf``:
    KEEP — G survives one more field; SHIFT — a WF group of a field, shifted, satisfies G after
    the field, given that the previous group ended at most ``e + off`` (e: its predecessor's
    end inside the field; for the field's first group, the struct's last group ended below
    ``acc.off ≤ off``); END — G implies ``group_wf`` against ``struct_end``. The counts (n, ni,
    nf as sums over the groups) and WF-SEED-PREFIX are TYPE-STRUCT-COUNTS."""
    t0 = time.perf_counter()
    results = _group_obligations(ps, timeout_ms, link=False)
    dt = time.perf_counter() - t0
    bad = {k: r for k, r in results.items() if r != "unsat"}
    if not bad:
        return TypeLemma("TYPE-STRUCT-GROUPS", "PROVED", f"WF-GROUP of every struct's walks, "
                         f"PtrSize {ps} (induction on fields: KEEP, SHIFT, END; counts and "
                         "WF-SEED-PREFIX: TYPE-STRUCT-COUNTS)", dt)
    return _failed("TYPE-STRUCT-GROUPS", ps, bad, dt)


def _failed(lemma: str, ps: int, bad: dict[str, str], dt: float) -> TypeLemma:
    status = "FALSIFIED" if "sat" in bad.values() else "UNKNOWN"
    why = {"sat": "not inductive", "vacuous": "hypotheses inconsistent"}
    return TypeLemma(lemma, status, f"PtrSize {ps}: " + ", ".join(
        f"{k} {why.get(r, 'Z3 gave up')}" for k, r in bad.items()), dt)


def _group_obligations(ps: int, timeout_ms: int, link: bool) -> dict[str, str]:
    """KEEP, SHIFT and END of the struct walks' group invariant (``_struct_groups``), Z3's
    answer to each (``unsat``: proved). ``link``: the invariant is ``group_wf`` *with* WF's
    set linkage (WF-LINK) against the struct so far — its bitmaps are the fold's own — and
    the field is assumed WF with WF-LINK; the set clauses of WF of the field and of the
    struct so far are instantiated where the query asks (as TYPE-STRUCT's step does)."""
    from regabi.model.summary import _shift, group_wf

    def setup(tag: str) -> tuple[Z3IntDomain, StructAcc, Summary, Any]:
        return _field_step_setup(f"tg{tag}{'l' if link else ''}.", ps, timeout_ms)

    def wf_group(D: Z3IntDomain, g: Group, e: Any, s: Summary) -> Any:
        return D.and_(*[c for _n, c in group_wf(D, g, True, e, s, ps, link_sets=link)])

    def check(D: Z3IntDomain, s: Any, acc: StructAcc, f: Summary) -> str:
        if link:  # after the query is built: every index it asked about is recorded (not
            # one word further, as _instances: WF-ITAB's next word is not needed here, and
            # those instances triple Z3's time on PtrSize 8)
            s.add(*instantiate_wf(D, [f, struct_end(D, acc)]))
            s.add(*D.nonneg)  # (the group's numbers too: made after the solver)
        return str(s.check())

    results: dict[str, str] = {}
    # KEEP
    D, acc, f, s = setup("k")
    g, e = _free_group(D, "g"), D.fresh("e")
    post = struct_field(D, acc, f, ps, cap=0)
    s.add(D.ult(struct_end(D, post).size, SIZE_BOUND))
    s.add(wf_group(D, g, e, _acc_view(acc)), D.not_(wf_group(D, g, e, _acc_view(post))))
    results["KEEP"] = check(D, s, acc, f)
    # SHIFT
    D, acc, f, s = setup("s")
    g, e, e2 = _free_group(D, "g"), D.fresh("e"), D.fresh("e2")
    post = struct_field(D, acc, f, ps, cap=0)
    off = post.off - f.size  # where the model put the field
    sg = _shift(D, Parts((g,), 1, 0, 0, True), off).groups[0]
    s.add(D.ult(struct_end(D, post).size, SIZE_BOUND))
    s.add(wf_group(D, g, e, f), D.ule(e2, e + off))
    s.add(D.not_(wf_group(D, sg, e2, _acc_view(post))))
    results["SHIFT"] = check(D, s, acc, f)
    # END
    D, acc, f, s = setup("e")
    g, e = _free_group(D, "g"), D.fresh("e")
    s.add(wf_group(D, g, e, _acc_view(acc)), D.not_(wf_group(D, g, e, struct_end(D, acc))))
    results["END"] = check(D, s, acc, f)
    return results


# --------------------------------------------------------------------------------------------
# the walks' counts and the seed's prefix (TYPE-STRUCT-COUNTS)
#
# WF's group-level count clauses (model/summary.py ``wf``: WF-SPEC-COUNTS, WF-SEED-COUNTS — n at
# most the groups present, ni and nf the integer and floating-point parts of the first n
# groups) and WF-SEED-PREFIX (the seed's groups equal the spec's at every position below the
# spec's n that both walks have) speak of whole walks, which TYPE-STRUCT's induction does not
# model (``cap = 0``) and TYPE-STRUCT-GROUPS sees one group at a time. Here a concrete walk is
# represented by *ghosts*: its length L (``len(groups)``), its prefix sums SI(t), SF(t) (the
# parts ``wf`` counts, over the first t groups) and, for a type's pair of walks, the prefix
# agreement AG(t) (its first t groups equal). The clauses in ghost form:
#   counts:  n ≤ L ∧ ni = SI(n) ∧ nf = SF(n)          (``wf``'s sums, for n ≤ L)
#   prefix:  AG(min(spec.n, L_spec, L_seed))          (``wf`` zips the two walks)
#   EXACT:   n = L — a concrete walk has no groups past its n (symbolic walks have fixed slots,
#            hence WF's n ≤ L). Not a WF clause but the induction needs it: ``_append`` puts the
#            field's groups after *all* groups present (tuple concatenation), which are the live
#            ones only when n = L.


class _Walk(NamedTuple):
    """A concrete walk's ghosts: its number of groups and its prefix sums (Python callables
    from a position t to a term)."""

    L: Any
    si: Callable[[Any], Any]
    sf: Callable[[Any], Any]


def _walk_clauses(D: Any, p: Parts, w: _Walk) -> tuple[Any, Any]:
    """(counts, EXACT) of walk ``p`` in ghost form."""
    counts = D.and_(D.ule(p.n, w.L), D.eq(p.ni, w.si(p.n)), D.eq(p.nf, w.sf(p.n)))
    return counts, D.eq(p.n, w.L)


def _min(D: Any, *xs: Any) -> Any:
    out = xs[0]
    for x in xs[1:]:
        out = D.ite(D.ult(x, out), x, out)
    return out


def _prefix_clause(D: Any, s: Summary, ws: _Walk, wd: _Walk, ag: Callable[[Any], Any]) -> Any:
    return ag(_min(D, s.spec.n, ws.L, wd.L))


def _type_clauses(D: Any, s: Summary, ws: _Walk, wd: _Walk,
                  ag: Callable[[Any], Any]) -> list[tuple[str, Any]]:
    """The clauses TYPE-STRUCT-COUNTS proves of every type, in ghost form."""
    sc, se = _walk_clauses(D, s.spec, ws)
    dc, de = _walk_clauses(D, s.seed, wd)
    return [("WF-SPEC-COUNTS", sc), ("WF-SEED-COUNTS", dc),
            ("WF-SEED-PREFIX", _prefix_clause(D, s, ws, wd, ag)), ("EXACT", D.and_(se, de))]


def _concrete_walk(p: Parts) -> _Walk:
    """The ghosts of a concrete walk, computed from its groups as ``wf`` sums them."""
    def psum(isint: bool) -> Callable[[Any], Any]:
        return lambda t: sum(g.n for g in p.groups[:t] if bool(g.isint) == isint)
    return _Walk(len(p.groups), psum(True), psum(False))


def _concrete_agree(a: Parts, b: Parts) -> Callable[[Any], Any]:
    return lambda t: all(tuple(x) == tuple(y) for x, y in zip(a.groups[:t], b.groups[:t],
                                                               strict=False))


def _free_walk(D: Z3IntDomain, name: str) -> _Walk:
    z3 = D.z3
    i = z3.IntSort()
    D._n += 1
    return _Walk(D.fresh(f"{name}.L"), z3.Function(f"{D.prefix}{name}.SI#{D._n}", i, i),
                 z3.Function(f"{D.prefix}{name}.SF#{D._n}", i, i))


def _free_agree(D: Z3IntDomain, name: str) -> Any:
    D._n += 1
    return D.z3.Function(f"{D.prefix}{name}.AG#{D._n}", D.z3.IntSort(), D.z3.BoolSort())


def _follows(z3: Any, ok_after: Any, ok_field: Any) -> Any:
    """Whether a walk after a step *is* the field's (element's) walk appended: ``_append`` hands
    the result its second walk's ``ok``, a walk left as it was keeps its own, so the result
    took the field's walk exactly where its ``ok`` depends on the field's. Read off the model's
    own term (the condition is written once, in ``struct_field``/``array``)."""
    if isinstance(ok_after, bool):
        return False
    return z3.Xor(z3.substitute(ok_after, (ok_field, z3.BoolVal(True))),
                  z3.substitute(ok_after, (ok_field, z3.BoolVal(False))))


#: Laws of sequence concatenation the struct step uses (spec/proofs.md PRF-9), proved once in
#: general form by ``_seq_laws`` — sequences as functions from positions to an uninterpreted
#: sort of groups, prefix sums and prefix agreement by their recurrences — then instantiated
#: at the step's terms:
#: SEQ-1  Σ over (A ++ B)'s first t groups = Σ A's first t (t ≤ |A|), = Σ A + Σ B's first
#:        t − |A| (|A| ≤ t ≤ |A| + |B|);
#: SEQ-2  A1 ++ B1 and A2 ++ B2 agree on their first t groups iff A1, A2 do (t ≤ |A1|, |A2|),
#:        iff A1, A2 agree wholly and B1, B2 on their first t − |A| (|A1| = |A2| = |A|);
#: SEQ-3  a sequence shifted group by group by an injective, count-preserving map (``_shift``:
#:        ``_shift_facts``) has the prefix sums, and a pair of them the agreement, of the
#:        unshifted.
_SEQ_LAWS = ("SEQ-1", "SEQ-2", "SEQ-3")


def _seq_laws(timeout_ms: int) -> list[str]:
    """The SEQ laws Z3 did not prove (empty: all proved), each by induction on the position:
    a base and a step query (the recurrences instantiated at the step's position)."""
    import z3

    ints = z3.IntSort()
    G = z3.DeclareSort("seq.G")
    w = z3.Function("seq.w", G, ints)
    sh = z3.Function("seq.sh", G, G)
    L1, L2, M1, M2, j = z3.Ints("seq.L1 seq.L2 seq.M1 seq.M2 seq.j")
    A1, A2, B1, B2 = (z3.Function(f"seq.{n}", ints, G) for n in ("A1", "A2", "B1", "B2"))

    def cat(X: Any, LX: Any, Y: Any) -> Callable[[Any], Any]:  # Python's (x + y)[i]
        return lambda i: z3.If(i < LX, X(i), Y(i - LX))

    def shifted(X: Any) -> Callable[[Any], Any]:
        return lambda i: sh(X(i))

    C1, C2 = cat(A1, L1, B1), cat(A2, L2, B2)

    def psum(name: str, X: Any) -> tuple[Any, Callable[[Any], Any]]:
        P = z3.Function(f"seq.P{name}", ints, ints)
        return P, lambda i: z3.And(P(0) == 0, P(i + 1) == P(i) + w(X(i)))

    def agree(name: str, X: Any, Y: Any) -> tuple[Any, Callable[[Any], Any]]:
        A = z3.Function(f"seq.AG{name}", ints, z3.BoolSort())
        return A, lambda i: z3.And(A(0), A(i + 1) == z3.And(A(i), X(i) == Y(i)))

    PA, dA = psum("A", A1)
    PB, dB = psum("B", B1)
    PC, dC = psum("C", C1)
    PS, dS = psum("S", shifted(A1))
    GA, eA = agree("A", A1, A2)
    GB, eB = agree("B", B1, B2)
    GC, eC = agree("C", C1, C2)
    GS, eS = agree("S", shifted(A1), shifted(A2))
    # (hypotheses, claim) per base and step; the step assumes the claim at j, shows it at j + 1
    k = j - L1
    laws: dict[str, list[tuple[list[Any], Any]]] = {
        "SEQ-1": [([dA(0), dC(0)], PC(0) == PA(0)),
                  ([0 <= j, j < L1, PC(j) == PA(j), dA(j), dC(j)], PC(j + 1) == PA(j + 1)),
                  ([PC(L1) == PA(L1), dB(0)], PC(L1) == PA(L1) + PB(0)),
                  ([0 <= k, k < M1, PC(j) == PA(L1) + PB(k), dB(k), dC(j)],
                   PC(j + 1) == PA(L1) + PB(k + 1))],
        "SEQ-2": [([eA(0), eC(0)], GC(0) == GA(0)),
                  ([0 <= j, j < L1, j < L2, GC(j) == GA(j), eA(j), eC(j)],
                   GC(j + 1) == GA(j + 1)),
                  ([L1 == L2, GC(L1) == GA(L1), eB(0)], GC(L1) == z3.And(GA(L1), GB(0))),
                  ([L1 == L2, 0 <= k, k < M1, k < M2, GC(j) == z3.And(GA(L1), GB(k)), eB(k),
                    eC(j)], GC(j + 1) == z3.And(GA(L1), GB(k + 1)))],
        "SEQ-3": [([dA(0), dS(0), eA(0), eS(0)], z3.And(PS(0) == PA(0), GS(0) == GA(0))),
                  ([0 <= j, PS(j) == PA(j), GS(j) == GA(j), dA(j), dS(j), eA(j), eS(j),
                    w(sh(A1(j))) == w(A1(j)),
                    z3.Implies(sh(A1(j)) == sh(A2(j)), A1(j) == A2(j))],
                   z3.And(PS(j + 1) == PA(j + 1), GS(j + 1) == GA(j + 1)))],
    }
    bad = []
    for name, cases in laws.items():
        for hyps, claim in cases:
            s = z3.Solver()
            s.set("timeout", timeout_ms)
            s.add(L1 >= 0, L2 >= 0, M1 >= 0, M2 >= 0, *hyps, z3.Not(claim))
            if str(s.check()) != "unsat":
                bad.append(name)
                break
    return bad


def _shift_facts(timeout_ms: int) -> str:
    """SEQ-3's premises of the model's own ``_shift``: it keeps a walk's length and counts and
    each group's class and part count (what ``wf`` sums), and shifted groups are equal only if
    the groups were (one offset for both walks: ``struct_field`` shifts both by ``off``)."""
    from regabi.model.summary import _shift

    D = Z3IntDomain(prefix="tsh.")
    g, h = _free_group(D, "g"), _free_group(D, "h")
    p = Parts((g, h), D.fresh("n"), D.fresh("ni"), D.fresh("nf"), D.fresh_bool("ok"))
    q = _shift(D, p, D.fresh("o"))
    if len(q.groups) != len(p.groups):
        return "sat"
    g2, h2 = q.groups

    def same(a: Group, b: Group) -> Any:
        return D.and_(*[D.eq(x, y) for x, y in zip(a, b, strict=True)])

    claim = D.and_(*[D.eq(x, y) for x, y in zip(q[1:], p[1:], strict=True)],
                   D.eq(g2.isint, g.isint), D.eq(g2.n, g.n), D.eq(same(g2, h2), same(g, h)))
    s = _int_solver(D, timeout_ms)
    s.add(*D.nonneg, D.not_(claim))
    return str(s.check())


def _count_obligations(ps: int, timeout_ms: int) -> dict[str, str]:
    """Z3's answer (``unsat``: proved) to each obligation of TYPE-STRUCT-COUNTS but the laws:
    STEP — for any fold state whose walks satisfy the clauses in ghost form (and value WF and
    the ``_acc_facts``, as TYPE-STRUCT-GROUPS assumes) and any field satisfying them and value
    WF, ``struct_field`` keeps them: each walk after the field is the walk so far, or it
    followed by the field's shifted walk (read off the model: ``_follows``), whose ghosts the
    SEQ laws give; END — ``struct_end`` gives them of the ended struct (its walks' groups are
    the fold's, checked on the model with group slots); ARRAY — ``array(n, e)`` for any n and
    any e satisfying them: its walks are e's or groupless (EMPTY_OK / EMPTY_FAIL)."""
    import z3

    out: dict[str, str] = {}

    def setup(tag: str) -> tuple[Z3IntDomain, StructAcc, Summary, Any]:
        return _field_step_setup(f"tc{tag}.", ps, timeout_ms)

    def ask(D: Z3IntDomain, s: Any, name: str, goals: list[tuple[str, Any]]) -> None:
        s.push()
        s.add(*D.nonneg)
        sane = str(s.check())  # hypotheses without a model would prove anything
        s.pop()
        if sane != "sat":
            out[name] = "vacuous" if sane == "unsat" else sane
            return
        for clause, c in goals:
            if isinstance(c, bool):
                out[f"{name} {clause}"] = "unsat" if c else "sat"
                continue
            s.push()
            s.add(*D.nonneg, D.not_(c))
            out[f"{name} {clause}"] = str(s.check())
            s.pop()

    # STEP
    D, acc, f, s = setup("s")
    xs, xd, ys, yd = (_free_walk(D, n) for n in ("xs", "xd", "ys", "yd"))
    agx, agy = _free_agree(D, "x"), _free_agree(D, "y")
    s.add(*[c for _n, c in _type_clauses(D, _acc_view(acc), xs, xd, agx)])
    s.add(*[c for _n, c in _type_clauses(D, f, ys, yd, agy)])
    post = struct_field(D, acc, f, ps, cap=0)
    s.add(D.ult(struct_end(D, post).size, SIZE_BOUND))
    cs, cd = _follows(z3, post.spec.ok, f.spec.ok), _follows(z3, post.seed.ok, f.seed.ok)
    facts: list[Any] = []

    def cat(x: _Walk, y: _Walk, c: Any, name: str, t: Any) -> _Walk:
        ci, cf = (z3.Function(f"{D.prefix}{name}.{k}", z3.IntSort(), z3.IntSort())
                  for k in ("SI", "SF"))
        for pc, px, py in ((ci, x.si, y.si), (cf, x.sf, y.sf)):  # SEQ-1, SEQ-3 at t
            facts.append(D.implies(D.ule(t, x.L), D.eq(pc(t), px(t))))
            facts.append(D.implies(D.and_(D.ule(x.L, t), D.ule(t, x.L + y.L)),
                                   D.eq(pc(t), px(x.L) + py(t - x.L))))
        return _Walk(x.L + D.ite(c, y.L, 0),
                     lambda u: D.ite(c, ci(u), x.si(u)), lambda u: D.ite(c, cf(u), x.sf(u)))

    zs = cat(xs, ys, cs, "zs", post.spec.n)
    zd = cat(xd, yd, cd, "zd", post.seed.n)
    agz = _free_agree(D, "z")
    t = _min(D, post.spec.n, zs.L, zd.L)
    lbs, lbd = D.ite(cs, ys.L, 0), D.ite(cd, yd.L, 0)
    facts.append(D.implies(D.ule(t, _min(D, xs.L, xd.L)), D.eq(agz(t), agx(t))))  # SEQ-2
    facts.append(D.implies(
        D.and_(D.eq(xs.L, xd.L), D.ule(xs.L, t), D.ule(t, xs.L + _min(D, lbs, lbd))),
        D.eq(agz(t), D.and_(agx(xs.L), D.ite(D.and_(cs, cd), agy(t - xs.L), True)))))
    s.add(*facts)
    ask(D, s, "STEP", _type_clauses(D, _acc_view(post), zs, zd, agz))
    # SEQ-3 takes both walks' field groups shifted by one offset: a field whose two walks
    # start with the same group g gets the same group in both, wherever both take it
    D = Z3IntDomain(prefix="tco.")
    g = _free_group(D, "g")
    p0 = Parts((_free_group(D, "junk"),), 0, 0, 0, True)
    acc = _free_acc(D)._replace(spec=p0, seed=p0)
    f = free_summary(D, "f", 0)
    f = f._replace(spec=Parts((g,), 1, f.spec.ni, f.spec.nf, f.spec.ok),
                   seed=Parts((g,), 1, f.seed.ni, f.seed.nf, f.seed.ok))
    post = struct_field(D, acc, f, ps, cap=1)
    both = D.and_(_follows(z3, post.spec.ok, f.spec.ok), _follows(z3, post.seed.ok, f.seed.ok))
    s = _int_solver(D, timeout_ms)
    s.add(*D.nonneg, both, D.not_(D.and_(*[D.eq(x, y) for x, y in
                                           zip(post.spec.groups[0], post.seed.groups[0],
                                               strict=True)])))
    out["STEP one offset"] = str(s.check())

    # END: struct_end keeps the fold's groups (checked with slots), so their ghosts
    D, acc, f, s = setup("e")
    D2 = Z3IntDomain(prefix="tce2.")
    acc2 = _free_acc(D2)._replace(spec=free_parts(D2, "spec", 2), seed=free_parts(D2, "seed", 2))
    end2 = struct_end(D2, acc2)
    kept = all(x is y or z3.is_true(z3.simplify(D2.eq(x, y)))
               for p, q in ((end2.spec, acc2.spec), (end2.seed, acc2.seed))
               for gp, gq in zip(p.groups, q.groups, strict=True)
               for x, y in zip(gp, gq, strict=True))
    if not kept:
        out["END groups kept"] = "sat"
    xs, xd, agx = _free_walk(D, "xs"), _free_walk(D, "xd"), _free_agree(D, "x")
    s.add(*[c for _n, c in _type_clauses(D, _acc_view(acc), xs, xd, agx)])
    ask(D, s, "END", _type_clauses(D, struct_end(D, acc), xs, xd, agx))

    # ARRAY: [n]e takes e's walks or none (the empty walks have no groups, checked below)
    D = Z3IntDomain(prefix="tca.")
    e = free_summary(D, "e", 0)
    n = D.fresh("n")
    a = array(D, n, e, ps)
    s = _int_solver(D, timeout_ms)
    s.add(*[c for _n, c in value_wf(D, e, ps, SIZE_BOUND) if not isinstance(c, bool)])
    s.add(D.ult(a.size, SIZE_BOUND))
    ys, yd, agy = _free_walk(D, "ys"), _free_walk(D, "yd"), _free_agree(D, "y")
    s.add(*[c for _n, c in _type_clauses(D, e, ys, yd, agy)])
    ts, td = _follows(z3, a.spec.ok, e.spec.ok), _follows(z3, a.seed.ok, e.seed.ok)

    def took(y: _Walk, c: Any) -> _Walk:
        return _Walk(D.ite(c, y.L, 0), lambda u: D.ite(c, y.si(u), 0),
                     lambda u: D.ite(c, y.sf(u), 0))

    ask(D, s, "ARRAY", _type_clauses(D, a, took(ys, ts), took(yd, td),
                                     lambda u: D.ite(D.and_(ts, td), agy(u), True)))
    elem = basic("string", ps)  # (the branch taken depends on n alone)
    if any(w.groups for k in (0, 2, 3) for w in (array(CONCRETE, k, elem, ps).spec,
                                                 array(CONCRETE, k, elem, ps).seed)):
        out["ARRAY empty walks"] = "sat"
    return out


def _struct_counts(ps: int, timeout_ms: int) -> TypeLemma:
    """TYPE-STRUCT-COUNTS: WF's count clauses and WF-SEED-PREFIX (with EXACT) of every type, by
    induction on type structure: basic kinds and the empty struct by enumeration, arrays and
    the struct step and end by Z3 on the model's ``array``, ``struct_field``, ``struct_end``
    (``_count_obligations``), with the SEQ laws of concatenation proved in general form and
    ``_shift``'s premises of SEQ-3 on the model's ``_shift``."""
    t0 = time.perf_counter()
    bad: dict[str, str] = {law: "unknown" for law in _seq_laws(timeout_ms)}
    r = _shift_facts(timeout_ms)
    if r != "unsat":
        bad["SHIFT"] = r
    shapes = [k for k in _SHAPES if k != "int64/4"]
    concrete = [(f"BASIC {k}", basic(k, ps)) for k in shapes]
    concrete.append(("BEGIN", _acc_view(struct_begin(CONCRETE))))
    for name, v in concrete:
        wrong = [c for c, ok in _type_clauses(CONCRETE, v, _concrete_walk(v.spec),
                                             _concrete_walk(v.seed),
                                             _concrete_agree(v.spec, v.seed)) if ok is not True]
        if wrong:
            bad[f"{name} {'/'.join(wrong)}"] = "sat"
    bad.update({k: r for k, r in _count_obligations(ps, timeout_ms).items() if r != "unsat"})
    dt = time.perf_counter() - t0
    if not bad:
        return TypeLemma("TYPE-STRUCT-COUNTS", "PROVED", f"WF-SPEC-COUNTS, WF-SEED-COUNTS (n, "
                         f"ni, nf as sums over the groups) and WF-SEED-PREFIX of every type, "
                         f"PtrSize {ps}: {len(shapes)} basic shapes and the empty struct "
                         "(enumeration), arrays, struct STEP and END (Z3; with SEQ-1…3, "
                         "proved)", dt)
    return _failed("TYPE-STRUCT-COUNTS", ps, bad, dt)


# --------------------------------------------------------------------------------------------
# WF-LINK


def _link(ps: int, groups: int, timeout_ms: int) -> TypeLemma:
    """TYPE-LINK: WF's set linkage (WF-LINK, ``group_wf(…, link_sets=True)``: a group's
    pointer-word parts are exactly its value's GC words, its ptrMap bits exactly its heap
    words, and a pointer-free group's first word holds no pointer) holds of every Go type, by
    induction on type structure, with WF-GROUP itself: basic kinds by enumeration; ``[n]e``
    by cases n = 0, 1, ≥ 2 for every e WF with WF-LINK (only ``[1]e`` has groups: ASG-3);
    structs by KEEP, SHIFT and END of TYPE-STRUCT-GROUPS with the linkage in the invariant
    (the field's groups and its bitmaps are shifted by the same offset)."""
    t0 = time.perf_counter()
    shapes = [k for k in _SHAPES if k != "int64/4"]
    for k in shapes:
        b = basic(k, ps)
        wrong = [n for n, ok in wf(CONCRETE, b, ps, link_sets=True) if ok is not True]
        if wrong:
            return TypeLemma("TYPE-LINK", "FALSIFIED", f"basic {k} (PtrSize {ps}): {wrong}",
                             time.perf_counter() - t0)
    results: dict[str, str] = {}
    for length, tag in ((0, "n=0"), (1, "n=1"), (None, "n>=2")):
        results[f"ARRAY {tag}"] = _array_group_case(ps, groups, timeout_ms, length, "WF-GROUP",
                                                    link=True)
    results.update(_group_obligations(ps, timeout_ms, link=True))
    dt = time.perf_counter() - t0
    bad = {k: r for k, r in results.items() if r != "unsat"}
    if not bad:
        return TypeLemma("TYPE-LINK", "PROVED", f"WF-LINK (with WF-GROUP) of every type, PtrSize "
                         f"{ps}: {len(shapes)} basic shapes (enumeration), arrays n=0, n=1, n>=2 "
                         f"(≤{groups} register groups), structs by induction on fields (KEEP, "
                         "SHIFT, END)", dt)
    return _failed("TYPE-LINK", ps, bad, dt)


def prove_type_lemmas(ps: int, groups: int = 3, timeout_ms: int = 60000) -> list[TypeLemma]:
    """The type lemmas for one pointer size."""
    kept: list[str] = []
    out = [_basic(ps), _array(ps, groups, timeout_ms), *_struct(ps, timeout_ms, kept),
           _struct_counts(ps, timeout_ms), _link(ps, groups, timeout_ms)]
    return [_rests_on_houdini(lem, kept) for lem in out]


def _rests_on_houdini(lem: TypeLemma, kept: list[str]) -> TypeLemma:
    """TYPE-STRUCT-GROUPS, TYPE-STRUCT-COUNTS and TYPE-LINK assume, of the struct so far, value
    WF and every ``_acc_facts`` fact: proved only if TYPE-STRUCT's induction kept them all."""
    if lem.id not in ("TYPE-STRUCT-GROUPS", "TYPE-STRUCT-COUNTS", "TYPE-LINK") \
            or lem.status != "PROVED":
        return lem
    D = Z3IntDomain(prefix="tk.")
    assumed = [*_VALUE, *(n for n, _c in _acc_facts(D, _free_acc(D), 4))]
    lost = [n for n in assumed if n not in kept]
    if not lost:
        return lem
    return TypeLemma(lem.id, "UNKNOWN", f"{lem.detail}; but it assumes {', '.join(lost)} of "
                     "the struct so far, which TYPE-STRUCT's induction did not keep",
                     lem.seconds)


# --------------------------------------------------------------------------------------------
# the symbolic constructors against the concrete ones


def symbolic_matches_concrete(ps: int, samples: int = 120,
                              seed: int = 20261202) -> tuple[int, str]:
    """One semantics, checked: the summary constructors' symbolic branches (what the grammar
    search and the type lemmas run) agree with their concrete ones (what ``summarize`` runs).
    For ``samples`` random points of the bounded search's type grammar (proofs/grammar.py:
    its structs go through ``struct_field``/``concat`` on Z3 terms) and every ``[n]e`` with
    n ≤ 3 of its small element types (``array`` with a symbolic length), the symbolic summary
    evaluated at that point must equal ``summarize`` of the Go type it denotes. Returns the
    number of types compared and the first disagreement ("" when none)."""
    import random

    from regabi.model.types import Array
    from regabi.proofs.grammar import Grammar, SymType, pad

    rng = random.Random(seed)
    D = Z3Domain(prefix="sc.", width=64)
    z3 = D.z3
    g = Grammar(ps, cap=4)
    st = SymType(D, g, "v")

    def words(s: Summary) -> int:
        return (int(s.size) + ps - 1) // ps

    def diff(t: Any, got: Callable[[Any], Any], sym: Summary) -> str:
        want = summarize(t, ps)
        for f in ("size", "align", "ptrwords", "dir_struct"):
            a, b = got(getattr(sym, f)), getattr(want, f)
            if a != b:
                return f"{t}: {f} symbolic {a}, concrete {b}"
        for f in ("gc", "heap"):
            a = sum(1 << i for i in range(words(want)) if got(D.set_has(getattr(sym, f), i)))
            if a != getattr(want, f):
                return f"{t}: {f} symbolic {a:#b}, concrete {getattr(want, f):#b}"
        for w in ("spec", "seed"):
            ps_, pw = getattr(sym, w), getattr(want, w)
            head = (got(ps_.n), got(ps_.ni), got(ps_.nf), got(ps_.ok))
            if head != (pw.n, pw.ni, pw.nf, pw.ok):
                return f"{t}: {w} walk (n, ni, nf, ok) symbolic {head}, concrete " \
                       f"{(pw.n, pw.ni, pw.nf, pw.ok)}"
            for j, cg in enumerate(pw.groups):
                sg = tuple(got(x) for x in ps_.groups[j])
                if sg != tuple(cg):
                    return f"{t}: {w} group {j} symbolic {sg}, concrete {tuple(cg)}"
        return ""

    def value(m: Any) -> Callable[[Any], Any]:
        def ev(x: Any) -> Any:
            if isinstance(x, (bool, int)):
                return x
            r = m.eval(D.b(x) if isinstance(x, bool) else x, model_completion=True)
            return z3.is_true(r) if z3.is_bool(r) else r.as_long()
        return ev

    n = 0
    for _ in range(samples):
        s = z3.Solver()
        s.add(*st.constraints)
        leaf = rng.random() < 0.2
        s.add(st.is_leaf == leaf, st.leaf == rng.randrange(len(g.leaves)))
        k = rng.randint(0, g.fields)
        for i, c in enumerate(st.slots):
            s.add(c == (rng.randint(1, len(g.choices)) if i < k else 0))
        if s.check() != z3.sat:  # pragma: no cover - every choice sequence is a type
            return n, "grammar point without a model"
        m = s.model()
        t = st.decode(m)
        want = summarize(t, ps)
        if max(len(want.spec.groups), len(want.seed.groups)) > g.cap:
            continue  # the symbolic walk keeps g.cap group slots
        n += 1
        bad = diff(t, value(m), st.summary)
        if bad:
            return n, f"{bad} (seed {seed})"
    for e in g.choices[len(g.leaves):]:
        for length in range(4):
            t = Array(length, e)
            es = pad(summarize(e, ps), g.cap)
            es = es._replace(size=z3.BitVecVal(es.size, 64))  # a symbolic element size
            sym = array(D, z3.BitVecVal(length, 64), es, ps)
            n += 1
            bad = diff(t, _simplified(z3), sym)
            if bad:
                return n, bad
    return n, ""


def _simplified(z3: Any) -> Callable[[Any], Any]:
    def ev(x: Any) -> Any:
        if isinstance(x, (bool, int)):
            return x
        r = z3.simplify(x)
        return z3.is_true(r) if z3.is_bool(r) else r.as_long()
    return ev
