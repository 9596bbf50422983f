"""Cause isolation: every independent flaw behind an invariant, not only the smallest one.

Z3 answers one minimal counterexample per invariant; when a variant has two flaws that break the
same invariant, the second hides behind the first. A variant is a set of named deltas from
``current`` (spec/variants.md, VAR-1 … VAR-9), so a counterexample can be *attributed*: the
smallest set of deltas that, reverted to current's behaviour, makes it pass. Reverting those
deltas gives a hypothetical variant in which Z3 searches again, until the invariant is proved
or a counterexample no delta explains turns up. This uses only the model's decomposition into
deltas, never knowledge of particular bugs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from regabi.errors import RegabiError
from regabi.model.arch import Arch
from regabi.model.invariants import Violation, get_invariant
from regabi.model.sig import Signature
from regabi.model.types import GoType
from regabi.model.variants import CURRENT, DELTAS, Variant
from regabi.proofs.bounded import Bounds
from regabi.proofs.repro import go_source, pytest_source
from regabi.verdict import Verdict

__all__ = ["Cause", "attribute", "isolate_causes", "witness"]


@dataclass(frozen=True)
class Cause:
    """One independent flaw: its minimal counterexample and the deltas that explain it."""

    invariant: str
    deltas: tuple[str, ...]  # Variant field names; () if no delta explains it
    rules: tuple[str, ...]  # their spec rule IDs (VAR-…)
    violation: Violation
    verdict: Verdict
    #: a counterexample in the *actual* variant fixed by reverting exactly these deltas, when
    #: ``violation`` was found in a hypothetical variant (other causes reverted)
    witness: Violation | None = None

    def line(self) -> str:
        why = ", ".join(f"{r} {d}" for r, d in zip(self.rules, self.deltas, strict=True))
        v = self.witness or self.violation
        return f"{v.line()}  [cause: {why or 'no variant delta explains it'}]"


def attribute(vio: Violation, arch: Arch, v: Variant, reference: Variant = CURRENT,
              max_size: int = 2) -> tuple[str, ...]:
    """The smallest set of ``v``'s deltas from ``reference`` whose reversal removes ``vio``.

    Returns () when no set of up to ``max_size`` deltas (nor all of them) explains it.
    """
    inv = get_invariant(vio.invariant)
    deltas = v.deltas(reference)
    for k in range(1, max_size + 1):
        for combo in itertools.combinations(deltas, k):
            fixed = replace(v, **{d: getattr(reference, d) for d in combo})
            if inv.check(vio.sig, arch, fixed) is None:
                return combo
    fixed = replace(v, **{d: getattr(reference, d) for d in deltas})
    if deltas and inv.check(vio.sig, arch, fixed) is None:
        return tuple(deltas)
    return ()


def witness(vio: Violation, arch: Arch, actual: Variant, deltas: tuple[str, ...],
            pool: list[GoType], pair_pool: list[GoType]) -> Violation | None:
    """A signature near ``vio``'s that violates the invariant in ``actual`` and passes once
    ``deltas`` are reverted: the cause shown on the real variant. Tries one substitution from
    ``pool``, then two from the smaller ``pair_pool``; fewest leaves first."""
    inv = get_invariant(vio.invariant)
    fixed = replace(actual, **{d: getattr(CURRENT, d) for d in deltas})

    def ok(sig: Signature) -> Violation | None:
        try:
            got = inv.check(sig, arch, actual)
            return got if got is not None and inv.check(sig, arch, fixed) is None else None
        except RegabiError:
            return None

    base = vio.sig
    if (hit := ok(base)) is not None:
        return hit
    slots = [("params", i) for i in range(len(base.params))] + [
        ("results", i) for i in range(len(base.results))]
    for k, cands in ((1, pool), (2, pair_pool)):
        cands = sorted(cands, key=lambda t: t.leaves())
        for where in itertools.combinations(slots, k):
            for picks in itertools.product(cands, repeat=k):
                ps, rs = list(base.params), list(base.results)
                for (which, i), t in zip(where, picks, strict=True):
                    (ps if which == "params" else rs)[i] = t
                if (hit := ok(Signature(tuple(ps), tuple(rs), base.recv))) is not None:
                    return hit
    return None


def isolate_causes(arch: Arch, v: Variant, inv_id: str, bounds: Bounds,
                   induction: bool = True, max_rounds: int = 8,
                   _ind: dict | None = None) -> tuple[list[Cause], Verdict]:
    """Every cause of ``inv_id`` failing in ``v``.

    Returns the causes in the order found and the final verdict for the variant with every
    found cause reverted: PROVED for all signatures when the induction succeeds on it, else
    PROVED within the bounds, UNKNOWN, or the FALSIFIED verdict no delta explains.
    """
    from regabi.proofs.induction import prove_by_induction
    from regabi.proofs.prove import _pool, prove_one

    inv = get_invariant(inv_id)
    cache = _ind if _ind is not None else {}
    causes: list[Cause] = []
    cur = v
    for _ in range(max_rounds):
        ind = None
        if induction:
            key = tuple(sorted(cur.deltas(CURRENT)))
            if key not in cache:
                cache[key] = prove_by_induction(arch, cur, None, bounds.timeout_ms)
            ind = cache[key]
        verdict = prove_one(arch, cur, inv, bounds, ind)
        vio = verdict.counterexample
        if verdict.status not in ("FALSIFIED", "LATENT") or vio is None:
            return causes, verdict
        ds = attribute(vio, arch, cur)
        wit = None
        if ds and cur is not v:
            pool = _pool()
            wit = witness(vio, arch, v, ds, pool[:300], pool[:40])
        causes.append(Cause(inv_id, ds, tuple(DELTAS[d][0] for d in ds), vio, verdict, wit))
        if not ds:
            return causes, verdict
        cur = replace(cur, name=f"{cur.name}-{'-'.join(ds)}",
                      **{d: getattr(CURRENT, d) for d in ds})
    return causes, verdict


def variant_verdicts(arch: Arch, v: Variant, bounds: Bounds,
                     invariant_ids: list[str] | None = None,
                     induction: bool = True) -> list[Verdict]:
    """Every invariant on one variant, with its causes: one FALSIFIED/LATENT row per cause,
    then the verdict for the variant with all found causes reverted (when there were any)."""
    from regabi.model.invariants import CATALOGUE

    out: list[Verdict] = []
    cache: dict = {}
    for inv_id in invariant_ids or [i.id for i in CATALOGUE]:
        causes, final = isolate_causes(arch, v, inv_id, bounds, induction, _ind=cache)
        for c in causes:
            shown = c.witness or c.violation
            extra: dict = {"cause": list(c.deltas), "rules": list(c.rules)}
            if shown.variant == v.name:  # a demo/regression test only for a real variant
                extra |= {"go_source": go_source(shown), "pytest": pytest_source(shown)}
            out.append(replace(c.verdict, variant=v.name, line=c.line(), counterexample=shown,
                               extra=extra))
        if causes and causes[-1].deltas:
            rules = ",".join(r for c in causes for r in c.rules)
            out.append(replace(final, variant=f"{v.name} w/o {rules}"))
        elif not causes:
            out.append(final)
    return out


#: the bounds of ``regabi check``'s Z3 section, and its time box per invariant search
CHECK_BOUNDS = Bounds(max_params=3, max_results=1, max_groups=3)
CHECK_SEARCH_S = 90.0


def _variant_rows(arch_name: str, variant: str) -> list[Verdict]:
    """``prove`` on one variant (induction, then a time-boxed search for what it refuses), each
    counterexample attributed to the deltas that explain it (concretely: no more Z3). The full
    isolation of every cause, with a proof for the variant with all of them reverted, is
    ``regabi prove --causes``: too slow for the main job."""
    import time

    from regabi.model.variants import get_variant
    from regabi.proofs.induction import prove_by_induction
    from regabi.proofs.prove import arch_of, prove_one

    a, v = arch_of(arch_name), get_variant(variant)
    from regabi.model.invariants import CATALOGUE

    ind = prove_by_induction(a, v, list(CATALOGUE), CHECK_BOUNDS.timeout_ms)
    out = []
    for inv in CATALOGUE:
        vd = prove_one(a, v, inv, CHECK_BOUNDS, ind, time.perf_counter() + CHECK_SEARCH_S)
        vio = vd.counterexample
        if vd.status in ("FALSIFIED", "LATENT") and isinstance(vio, Violation):
            ds = attribute(vio, a, v)
            rules = tuple(DELTAS[d][0] for d in ds)
            why = ", ".join(f"{r} {d}" for r, d in zip(rules, ds, strict=True))
            vd = replace(vd, line=f"{vio.line()}  [cause: {why or 'no variant delta explains it'}]",
                         extra={**vd.extra, "cause": list(ds), "rules": list(rules)})
        out.append(vd)
    return out


def check_section(arch: str = "amd64", variants: tuple[str, ...] = ("seed", "current")
                  ) -> list[Verdict]:
    """``regabi check``'s Z3 section: one process per variant (the machine has two cores)."""
    if len(variants) == 1:
        return _variant_rows(arch, variants[0])
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(2, len(variants))) as ex:
        parts = list(ex.map(_variant_rows, [arch] * len(variants), variants))
    return [v for part in parts for v in part]
