"""``regabi prove --path finalizer``: the finalizer invariants of model/finalizer.py (hooks of
the joint fold) run over Z3 terms by the induction of proofs/induction.py (spec/proofs.md
PRF-11). No second encoding: the hooks are the ones ``regabi paths`` runs concretely.

* Induction over the results: a finalizer has one argument, a pointer or an interface
  (FN:494-524), so INIT runs the fold concretely through that argument and ``between``; then
  BEGIN/GROUP/END-RESULT from a free state and a free WF result, and FINAL. Houdini keeps the
  candidate facts that are inductive (the fold's own and INV-FIN-FRAME's: the spec's stacked
  results never exceed SetFinalizer's nret, the argument's stack words and spill slots fit
  sizeof(any)). Every result list — any number, any types — is covered.
* Bounded search otherwise: results of the grammar of proofs/grammar.py, fewest first; a
  model is decoded into a Go signature and re-checked by the fold run concretely and by the
  independent :func:`~regabi.model.finalizer.simulate_finalizer`; a disagreement is a defect.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from regabi.errors import ModelError
from regabi.model.arch import Arch
from regabi.model.domain import Z3Domain
from regabi.model.finalizer import (
    FIN_MUTANTS,
    FIN_VARIANTS,
    FinVariant,
    fin_catalogue,
    fin_fold_check,
    simulate_finalizer,
)
from regabi.model.invariants import Invariant
from regabi.model.joint import Ctx, Joint, Ob, j_between, j_init, j_value, run
from regabi.model.sig import Signature
from regabi.model.summary import Summary, summarize
from regabi.model.syntax import parse_type
from regabi.model.types import GoType
from regabi.model.variants import Variant, get_variant
from regabi.proofs.grammar import Grammar, SymType
from regabi.proofs.induction import LEMMAS, prove_by_induction
from regabi.proofs.symbolic import make_solver
from regabi.verdict import Verdict

__all__ = ["FIN_ARGS", "FIN_PROVE_VARIANTS", "fin_search", "prove_finalizer"]

#: the argument kinds SetFinalizer accepts (FN:505-521): a pointer, an empty and a non-empty
#: interface. Every pointer type has one summary, every interface another (TYP-10).
FIN_ARGS = ("*int", "interface{}", "interface{M()}")

#: what ``--variant`` may name: the ladder's rungs and the mutants
FIN_PROVE_VARIANTS = (*FIN_VARIANTS, *FIN_MUTANTS)


def _arg_summary(D: Any, t: GoType, ps: int) -> Summary:
    s = summarize(t, ps)
    if D.concrete:
        return s
    return s._replace(gc=D.as_set(s.gc), heap=D.as_set(s.heap))


def _prefix(t: GoType) -> Callable[[Ctx], tuple[Joint, list[Ob]]]:
    """INIT of the induction: the fold through the finalizer's one argument and ``between``."""
    def run_prefix(c: Ctx) -> tuple[Joint, list[Ob]]:
        J, obs = j_value(c, j_init(c), _arg_summary(c.D, t, c.ps), "arg", 0)
        J, o = j_between(c, J)
        return J, obs + o
    return run_prefix


def _candidate(key: str) -> bool:
    """The candidates the finalizer induction starts from: the finalizer invariants' own and
    the one fact of the fold they rest on (a stacked value's slot is the stack offset before
    it, aligned); reflect's state plays no part in runFinalizers, and every further fact
    only slows the solver down."""
    return key == "fold:spec.off=begin" or key.startswith("INV-FIN-")


def _cost(D: Z3Domain, sy: SymType) -> Any:
    """Simpler first: a leaf before a struct, fewer fields, earlier choices of the grammar."""
    z3 = D.z3
    lk = z3.ZeroExt(D.width - 8, sy.leaf)
    return z3.If(sy.is_leaf, D.bv(64) + lk, sum(
        (z3.If(c == 0, D.bv(0), D.bv(64) + z3.ZeroExt(D.width - 8, c)) for c in sy.slots),
        D.bv(64)))


def fin_search(arch: Arch, v: Variant, cat: tuple[Invariant, ...], inv: Invariant,
               arg: GoType, max_results: int, max_groups: int, timeout_ms: int,
               simplest: bool = True) -> tuple[str, Signature | None, int, str]:
    """("FALSIFIED", sig) with the fewest results, then the simplest types, ("NONE", None)
    or ("UNKNOWN", None); the number of queries; the solver's reason for unknown, or for a
    FALSIFIED one why its types may not be the simplest (the descent to simpler types only
    with ``simplest``, each step at most 5 s). ``cat`` is
    folded (INV-FIN-FRAMESZ's obligation is stated by INV-FIN-FRAME's hooks)."""
    import z3

    g = Grammar(arch.ptr_size, max_groups)
    queries = 0
    for k in range(max_results + 1):
        D = Z3Domain("f.")
        syms = [SymType(D, g, f"r{i}") for i in range(k)]
        c = Ctx(D, arch, v, False, cat, link_sets=False)
        _J, obs = run(c, None, [_arg_summary(D, arg, arch.ptr_size)],
                      [s.summary for s in syms])
        conds = [o.cond for o in obs if o.inv == inv.id]
        if all(x is True for x in conds):
            continue
        s = make_solver(D, timeout_ms)
        for sy in syms:
            s.add(*sy.constraints)
        s.add(*[a for _n, a in c.assumed if not isinstance(a, bool)])
        s.add(z3.Or(*[z3.Not(D.b(x)) for x in conds]))
        cost = sum((_cost(D, sy) for sy in syms), D.bv(0))
        best: Signature | None = None
        cut = ""
        while True:
            queries += 1
            r = s.check()
            if r == z3.unknown and best is not None:
                # a descent step that times out keeps the best so far, and says so
                cut = f"types not shown simplest (a descent step gave up: {s.reason_unknown()})"
                break
            if r == z3.unsat:
                break
            if r == z3.unknown:
                return "UNKNOWN", None, queries, f"{k} results: {s.reason_unknown()}"
            m = s.model()
            best = Signature((arg,), tuple(sy.decode(m) for sy in syms))
            if not simplest:
                break
            s.add(z3.ULT(cost, m.eval(cost, model_completion=True)))
            s.set("timeout", min(timeout_ms, 5000))
        if best is not None:
            return "FALSIFIED", best, queries, cut
    return "NONE", None, queries, ""


def _recheck(sig: Signature, arch: Arch, v: Variant, fv: FinVariant, inv: str) -> str:
    """The counterexample re-run concretely: the fold, and the independent simulation, must
    both see ``inv`` fail."""
    fold = [x for x in fin_fold_check(sig, arch, fv) if x.invariant == inv]
    sim = [w for i, w in simulate_finalizer(sig, arch, fv) if i == inv]
    if not fold or not sim:
        raise ModelError(f"{inv}: Z3 found {sig.go()} ({fv.name}, {arch.name}) but the concrete "
                         f"run does not fail (fold: {bool(fold)}, simulation: {bool(sim)})")
    return fold[0].message


def prove_finalizer(arch: Arch, variant: str = "current", max_results: int = 3,
                    max_groups: int = 4, timeout_ms: int = 60000,
                    invariants: tuple[str, ...] | None = None,
                    induction: bool = True) -> list[Verdict]:
    """One verdict per finalizer invariant on (arch, variant): PROVED for every result list
    and every argument kind by induction over the results; else FALSIFIED (LATENT for
    INV-FIN-FRAMESZ) with the fewest results (re-checked twice), PROVED within the bounds, or
    UNKNOWN."""
    fv = FIN_VARIANTS.get(variant) or FIN_MUTANTS[variant]
    v = get_variant("current" if variant in FIN_MUTANTS else variant)
    full = fin_catalogue(fv)
    cat = tuple(i for i in full if invariants is None or i.id in invariants)
    ids = tuple(i.id for i in cat)
    helpers = tuple(i for i in full if i not in cat)
    vname = f"finalizer/{variant}"
    args = [parse_type(a, source="FIN_ARGS") for a in FIN_ARGS]
    status = {i: "PROVED" for i in ids}
    why: dict[str, str] = {}
    queries = lemmas = 0
    t0 = time.perf_counter()
    done: dict[Summary, str] = {}
    for a, name in zip(args, FIN_ARGS, strict=True):
        if not induction:
            status = {i: "NOT TRIED" for i in ids}
            break
        if summarize(a, arch.ptr_size) in done:  # the fold sees only the summary (TYP-10)
            continue
        done[summarize(a, arch.ptr_size)] = name
        ind = prove_by_induction(arch, v, cat, timeout_ms, helpers=helpers, receivers=(False,),
                                 prefix=_prefix(a), only=_candidate)
        queries += ind.queries
        lemmas = max(lemmas, sum(len(x) for x in ind.lemmas.values()))
        for i in ids:
            st = ind.status.get(i, "UNKNOWN")
            if st != "PROVED" and status[i] == "PROVED":
                status[i] = st
                why[i] = f"func({name}): " + (ind.cti.get(i) or "; ".join(ind.unknown) or st)
    t_ind = time.perf_counter() - t0
    out: list[Verdict] = []
    for inv in cat:
        if status[inv.id] == "PROVED":
            out.append(Verdict("z3", inv.id, vname, arch.name, "PROVED",
                               f"every result list, argument {', '.join(FIN_ARGS)} (induction "
                               f"over the results, {len(LEMMAS) - 4} steps; {lemmas} lemmas "
                               f"kept, {queries} queries; assumes WF)", None, t_ind,
                               extra={"method": "induction"}))
            continue
        t1 = time.perf_counter()
        bounds = (f"argument {', '.join(FIN_ARGS)}; ≤{max_results} results of the grammar "
                  f"(≤{max_groups} register groups)")
        extra: dict[str, Any] = {"induction": why.get(inv.id, status[inv.id])}
        found: tuple[Signature, str, str] | None = None
        unknown: list[str] = []
        q_all = 0
        for a in args:
            if found is not None and not found[0].results:
                break  # no result list is shorter
            most = max_results if found is None else len(found[0].results) - 1
            st, sig, q, unk = fin_search(arch, v, full, inv, a, most, max_groups, timeout_ms)
            q_all += q
            if st == "FALSIFIED" and sig is not None:
                cand = (sig, _recheck(sig, arch, v, fv, inv.id), unk)
                if found is None or len(sig.results) < len(found[0].results):
                    found = cand
            elif st == "UNKNOWN":
                unknown.append(f"func({a}): {unk}")
        secs = t_ind + time.perf_counter() - t1
        extra["queries"] = q_all
        if found is not None:
            sig, what, cut = found
            vs = "LATENT" if inv.severity == "latent" else "FALSIFIED"
            out.append(Verdict("z3", inv.id, vname, arch.name, vs,
                               bounds + "; fewest results" + (f"; {cut}" if cut else ""),
                               max_results + 1, secs,
                               f"{inv.id} false for {sig.go()} ({vname}, {arch.name}): {what}",
                               counterexample=sig.go(), extra=extra))
        elif unknown:
            out.append(Verdict("z3", inv.id, vname, arch.name, "UNKNOWN", bounds, None, secs,
                               f"{inv.id} ({vname}, {arch.name}): UNKNOWN: "
                               f"{'; '.join(unknown)[:200]}", extra=extra | {"unknown": unknown}))
        else:
            out.append(Verdict("z3", inv.id, vname, arch.name, "PROVED",
                               "within bounds: " + bounds, max_results + 1, secs,
                               extra=extra | {"method": "bounded"}))
    return out
