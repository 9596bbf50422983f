"""Finalizers: runFinalizers' frame and RegArgs for the finalizer's one argument and its
results (spec/paths.md FIN-1 … FIN-6).

go1.27.3 src/runtime/mfinal.go (``FN``): SetFinalizer computes ``nret`` (FN:527-531: the results
laid out one after another, then rounded to PtrSize); runFinalizers (FN:193-290) passes the
argument in ``regs.Ints`` when ``argRegs = intArgRegs > 0`` (FN:213, 244-246) — a pointer as one
word, an interface as its two words (type/itab, data) (FN:254-268) — else at the start of
``frame`` (FN:247-253), and calls ``reflectcall(nil, fn, frame, framesz, framesz, framesz,
&regs)`` with ``framesz = sizeof(any) + nret`` (FN:232, 272), "conservatively" assuming every
result is on the stack. The function was named runfinq until the rename to runFinalizers (same
body).

The computation is written once, over the domain (model/domain.py), as hooks of the joint fold
(model/joint.py): ``INV-FIN-*`` observe the spec's assignment of the signature event by event,
the ghost of INV-FIN-FRAME folds SetFinalizer's ``nret`` loop over the results. ``regabi paths``
runs the fold concretely (:func:`check_finalizer`), ``regabi prove --path finalizer`` over Z3
terms (proofs/finprove.py). :func:`simulate_finalizer` is the independent concrete re-check of a
counterexample: the same arithmetic against the spec's concrete assignment (``spec_assign``).

Releases (:data:`FIN_VARIANTS`, the rungs of model/variants.py's ladder, FIN-5):

* seed (e0215315): go1.16's runfinq with a dummy RegArgs — the argument always in the frame,
  ``framesz = sizeof(any) + nret`` (seed runtime/mfinal.go:220-227, the patch's only change);
* go1.17beta1, go1.17, go1.18 (ladder snapshots, the last master acc5f55bac of 2022-02-28):
  the register path (f009b5b226, CL 300112) with ``framesz = f.nret`` when ``argRegs > 0`` —
  no room for the argument's spill slots (golang/go#51457, "Reproduce with Go 1.17 and tip
  [bcb89fc17a, 2022-03-03], not with Go 1.16");
* go1.19, current: ``framesz = sizeof(any) + nret`` on both paths (CL 389574, the fix of
  golang/go#51457, 2022-03-03; its comment "Even for the register case, we still need the
  spill slots" is at FN:224-226).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import spec_assign
from regabi.model.domain import CONCRETE, Domain
from regabi.model.invariants import Invariant, Violation, check_all
from regabi.model.joint import (
    Ctx,
    Finals,
    GroupRec,
    Joint,
    Ob,
    ValueRec,
    j_between,
    j_final,
    j_init,
    j_value,
)
from regabi.model.methodvalue import call_class
from regabi.model.sig import Signature
from regabi.model.summary import Summary, summarize
from regabi.model.types import GoType, Kind
from regabi.model.variants import Variant, get_variant

__all__ = ["FIN_CATALOGUE", "FIN_MUTANTS", "FIN_VARIANTS", "FinLayout", "FinVariant",
           "check_finalizer", "check_finalizer_lists", "fin_catalogue", "fin_fold_check",
           "fin_framesz", "fin_in_regs", "fin_nret", "fin_nret_step", "fin_variant",
           "finalizer_arg", "finalizer_layout", "finalizer_results", "simulate_finalizer"]

FN = "go1.27.3 src/runtime/mfinal.go"


@dataclass(frozen=True)
class FinVariant:
    """runFinalizers in one release (FIN-5). ``True`` is go1.27.3's behaviour."""

    name: str
    go: str
    #: FIN-2: the argument goes to regs.Ints when intArgRegs > 0 (f009b5b226, CL 300112)
    regs: bool
    #: FIN-1: framesz counts sizeof(any) when the argument is in registers (CL 389574)
    any_regs: bool
    #: FIN-1: framesz counts sizeof(any) when the argument is in the frame (every release)
    any_stack: bool = True
    #: FIN-1: nret rounded up to PtrSize (every release; False only in a mutant)
    round_nret: bool = True


_SEED = FinVariant("seed", "e0215315: go1.16's runfinq, a dummy RegArgs (seed "
                   "runtime/mfinal.go:223-227)", regs=False, any_regs=True)
_EARLY = ("f009b5b226 (CL 300112) register path; framesz = f.nret with argRegs > 0 "
          "(golang/go#51457)")
_FIXED = "framesz = sizeof(any) + nret on both paths (CL 389574, golang/go#51457; FN:224-232)"

#: runFinalizers per rung of the reflect ladder (model/variants.py LADDER)
FIN_VARIANTS: dict[str, FinVariant] = {
    "seed": _SEED,
    **{n: FinVariant(n, _EARLY, regs=True, any_regs=False)
       for n in ("go1.17beta1", "go1.17", "go1.18")},
    **{n: FinVariant(n, _FIXED, regs=True, any_regs=True) for n in ("go1.19", "current")},
}

#: mutants of go1.27.3 that no release is: the vacuity witnesses of INV-FIN-FRAME(SZ)
FIN_MUTANTS: dict[str, FinVariant] = {
    "mutant-no-any": FinVariant("mutant-no-any", "framesz = nret on both paths",
                                regs=True, any_regs=False, any_stack=False),
    "mutant-nret-unrounded": FinVariant("mutant-nret-unrounded", "nret not rounded to PtrSize "
                                        "(FN:531 dropped)", regs=True, any_regs=True,
                                        round_nret=False),
}


def fin_variant(name: str) -> FinVariant:
    """The runFinalizers of ladder rung or mutant ``name`` (a name this table does not know is
    looked up by its prefix before the first ``-``, as model/gcrt.py does)."""
    from regabi.errors import InputError

    for table in (FIN_VARIANTS, FIN_MUTANTS):
        if name in table:
            return table[name]
    base = name.split("-", 1)[0]
    if base in FIN_VARIANTS:
        return FIN_VARIANTS[base]
    raise InputError(f"no runFinalizers model for variant {name!r} (known: "
                     f"{', '.join([*FIN_VARIANTS, *FIN_MUTANTS])})", source="--variant")


# --------------------------------------------------------------------------------------------
# the finalizer's arithmetic, over a domain (FIN-1, FIN-2)


def fin_in_regs(fv: FinVariant, n_int: int) -> bool:
    """FN:213, 245: ``argRegs = intArgRegs`` (abi.IntArgRegs, the architecture's count)."""
    return fv.regs and n_int > 0


def fin_nret_step(D: Domain, nret: Any, s: Summary) -> Any:
    """One iteration of SetFinalizer's loop: ``nret = alignUp(nret, t.Align_) + t.Size_``
    (FN:528-529)."""
    return D.align(nret, s.align) + s.size


def fin_nret(D: Domain, fv: FinVariant, nret: Any, ps: int) -> Any:
    """``nret = alignUp(nret, goarch.PtrSize)`` (FN:531)."""
    return D.align(nret, ps) if fv.round_nret else nret


def fin_framesz(fv: FinVariant, nret: Any, ps: int, n_int: int) -> Any:
    """``framesz = unsafe.Sizeof((any)(nil)) + f.nret`` (FN:232); go1.17beta1 … go1.18 left
    out the ``any`` on the register path (:data:`FIN_VARIANTS`)."""
    with_any = fv.any_regs if fin_in_regs(fv, n_int) else fv.any_stack
    return nret + 2 * ps if with_any else nret


# --------------------------------------------------------------------------------------------
# the invariants: hooks of the joint fold


class _Fin(Invariant):
    """A finalizer invariant; ``fv`` fixes runFinalizers' release, else the fold's variant
    names it (:func:`fin_variant`)."""

    def __init__(self, fv: FinVariant | None = None) -> None:
        self.fv = fv

    def variant(self, c: Ctx) -> FinVariant:
        return self.fv or fin_variant(c.variant.name)


class FinArg(_Fin):
    id = "INV-FIN-ARG"
    title = "finalizer argument"
    statement = ("runFinalizers writes the finalizer's argument where ABIInternal reads it: "
                 "word k of the pointer or interface in integer register k (regs.Ints[k]), "
                 "or, without registers, at frame[0:], the callee's stack argument offset 0.")
    source = "runtime/mfinal.go runFinalizers (FN:244-270)"
    rules = ("FIN-2", "ASG-2", "ASG-5")

    def group(self, c: Ctx, g: Any, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        if r.role != "arg" or not fin_in_regs(self.variant(c), c.arch.n_int):
            return g, []
        D, q, ps = c.D, r.gs, c.ps
        cur = pre.cur
        assert cur is not None
        # Ints[k] holds word k: a part read from register s_idx + j at byte off + j*size
        ok = D.implies(D.and_(r.live_s, cur.spec.fits),
                       D.and_(q.isint, D.eq(q.size, ps), D.eq(r.s_idx * ps, q.off)))
        return g, [self.ob(ok, lambda: (
            f"the argument's part at byte {q.off} is read from "
            f"{'int' if q.isint else 'float'} register {r.s_idx} ({q.size} bytes); "
            f"runFinalizers wrote word {q.off // ps} to Ints[{q.off // ps}] ({FN}:254-268)"))]

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "arg":
            return g, []
        D = c.D
        if fin_in_regs(self.variant(c), c.arch.n_int):
            return g, [self.ob(r.spec.fits, lambda: (
                f"runFinalizers writes Ints[0:{r.s.size // c.ps}]; ABIInternal reads the "
                f"argument from stack offset {r.spec.off} ({FN}:244-270)"))]
        return g, [self.ob(D.and_(D.not_(r.spec.fits), D.eq(r.spec.off, 0)), lambda: (
            "runFinalizers writes the argument at frame[0:] and leaves regs zero; "
            + ("ABIInternal reads it from registers" if r.spec.fits else
               f"ABIInternal reads it at stack offset {r.spec.off}") + f" ({FN}:247-270)"))]


class _Nret(NamedTuple):
    nret: Any  # SetFinalizer's nret so far (before FN:531's rounding)
    # where the results so far would end if every one were stacked from the spec's results
    # offset — FIN-3's conservative assumption; a proof device: it splits "the stacked results
    # fit nret" into two facts the solver settles in a second each (align's monotonicity, and
    # its commuting with an offset aligned to PtrSize) instead of one it needs minutes for
    e: Any


class FinFrame(_Fin):
    id = "INV-FIN-FRAME"
    title = "finalizer frame"
    statement = ("The callNN that framesz selects holds the finalizer's argument area: its "
                 "stack-assigned arguments and results and the spill slots of its register "
                 "argument (FRM-1 + FRM-2); above the largest class reflectcall panics instead.")
    source = "runtime/mfinal.go SetFinalizer, runFinalizers (FN:232, 272, 527-531)"
    rules = ("FIN-1", "FIN-3", "FIN-4", "FRM-1", "FRM-2")

    def init(self, c: Ctx) -> _Nret:
        return _Nret(0, 0)

    def between(self, c: Ctx, g: _Nret, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        return g._replace(e=post.s_ret), []

    def end(self, c: Ctx, g: _Nret, pre: Joint, post: Joint,
            r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "result":
            return g, []
        return _Nret(fin_nret_step(c.D, g.nret, r.s), fin_nret_step(c.D, g.e, r.s)), []

    def frame(self, c: Ctx, g: _Nret, f: Finals) -> tuple[Any, Any]:
        """(framesz, the callee's argument area)."""
        fv = self.variant(c)
        framesz = fin_framesz(fv, fin_nret(c.D, fv, g.nret, c.ps), c.ps, c.arch.n_int)
        return framesz, f.offset_to_spill_area + f.spill_area_size

    def final(self, c: Ctx, g: _Nret, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        framesz, need = self.frame(c, g, f)
        cls = call_class(D, framesz, c.arch)
        fits = D.ule(framesz, c.arch.call_sizes[-1])  # else badreflectcall panics
        area = (f"the finalizer's argument area {need} (stack values end at "
                f"{f.offset_to_spill_area}, then {f.spill_area_size} bytes of spill)")
        fv = self.variant(c)
        where = f"{FN}:232, 272" if fv.any_regs and fv.any_stack and fv.round_nret else fv.go
        return [self.ob(D.implies(fits, D.ule(need, cls)), lambda: (
                    f"framesz {framesz} selects call{cls} < {area}: the callee's frame "
                    f"overruns call{cls}'s argument area ({where})")),
                # INV-FIN-FRAMESZ's obligation, stated here: one ghost, one set of lemmas
                Ob(FinFrameSz.id, D.ule(need, framesz), lambda: (
                    f"framesz {framesz} < {area} ({where})"))]

    def candidates(self, c: Ctx, g: _Nret, J: Joint, phase: str) -> list[tuple[str, Any]]:
        """The results so far occupy no more stack than SetFinalizer's nret counts (the spec
        stacks a subsequence of them, packed alike from an offset aligned to PtrSize), and the
        argument's stack words and spill slots fit sizeof(any)."""
        D, ps = c.D, c.ps
        if phase != "results":
            return [("nret=0", D.eq(g.nret, 0))]
        return [("S<=e", D.ule(J.spec.S, g.e)), ("e=ret+nret", D.eq(g.e, J.s_ret + g.nret)),
                ("ret-aligned", D.aligned(J.s_ret, ps)),
                ("SP-aligned", D.aligned(J.spec.SP, ps)),
                ("ret+SP<=any", D.ule(J.s_ret + J.spec.SP, 2 * ps))]


class FinFrameSz(_Fin):
    """Reported on its own; its obligation is stated by :meth:`FinFrame.final`, over the same
    ghost (fold FinFrame along to decide it)."""

    id = "INV-FIN-FRAMESZ"
    title = "finalizer framesz"
    statement = ("framesz itself covers the finalizer's argument area (FIN-4's claim). A "
                 "shortfall that callNN's size class absorbs is latent.")
    source = "runtime/mfinal.go runFinalizers (FN:222-232)"
    rules = ("FIN-1", "FIN-4", "FRM-1", "FRM-2")
    severity = "latent"


def fin_catalogue(fv: FinVariant | None = None) -> tuple[Invariant, ...]:
    """The finalizer invariants, for ``fv`` (default: the fold's variant's release)."""
    return (FinArg(fv), FinFrame(fv), FinFrameSz(fv))


#: the finalizer invariants, in report order
FIN_CATALOGUE: tuple[Invariant, ...] = fin_catalogue()


# --------------------------------------------------------------------------------------------
# concrete entry points


def finalizer_arg(sig: Signature) -> GoType:
    """The argument of a finalizer SetFinalizer accepts (FN:494-524 throws otherwise)."""
    if len(sig.params) != 1 or sig.variadic or sig.recv is not None or sig.params[0].kind \
            not in (Kind.POINTER, Kind.INTERFACE):
        raise ValueError("runtime.SetFinalizer: a finalizer takes one pointer or interface "
                         f"argument ({FN}:494-524 throws otherwise)")
    return sig.params[0]


def _fin_of(variant: Variant | FinVariant | str) -> tuple[Variant, FinVariant]:
    """The reflect variant the joint fold runs with, and runFinalizers' release."""
    if isinstance(variant, FinVariant):
        return get_variant("current" if variant.name in FIN_MUTANTS else variant.name), variant
    v = get_variant(variant) if isinstance(variant, str) else variant
    return v, fin_variant(v.name)


def check_finalizer(sig: Signature, arch: Arch | str,
                    variant: Variant | FinVariant | str = "current") -> list[tuple[str, str]]:
    """(invariant, what) for every disagreement of runFinalizers with ABIInternal on one
    finalizer type: the fold of :data:`FIN_CATALOGUE` run concretely."""
    return [(x.invariant, x.message) for x in fin_fold_check(sig, arch, variant)]


def fin_fold_check(sig: Signature, arch: Arch | str,
                   variant: Variant | FinVariant | str = "current") -> list[Violation]:
    finalizer_arg(sig)
    a = load_arch(arch) if isinstance(arch, str) else arch
    v, fv = _fin_of(variant)
    return check_all(Signature(sig.params, sig.results), a, v, fin_catalogue(fv))


def check_finalizer_lists(arg: GoType, pool: tuple[GoType, ...], n: int, arch: Arch | str,
                          variant: Variant | FinVariant | str = "current"
                          ) -> Iterator[tuple[Signature, list[tuple[str, str]]]]:
    """:func:`check_finalizer` on ``func(arg)`` with every result list of length <= n over
    ``pool``: the fold is incremental, so each list extends its prefix's fold by one value."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    v, fv = _fin_of(variant)
    finalizer_arg(Signature((arg,), ()))
    ps = a.ptr_size
    c = Ctx(CONCRETE, a, v, False, fin_catalogue(fv))
    sums = [summarize(t, ps) for t in pool]
    J, obs = j_value(c, j_init(c), summarize(arg, ps), "arg", 0)
    J, o = j_between(c, J)

    def first(obs: list[Ob]) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for x in obs:
            if not x.cond and x.inv not in seen:
                seen[x.inv] = x.msg()
        return [(i.id, seen[i.id]) for i in c.invs if i.id in seen]

    def walk(J: Joint, obs: list[Ob], rs: tuple[GoType, ...]
             ) -> Iterator[tuple[Signature, list[tuple[str, str]]]]:
        yield Signature((arg,), rs), first(obs + j_final(c, J))
        if len(rs) < n:
            for t, sm in zip(pool, sums, strict=True):
                J2, o2 = j_value(c, J, sm, "result", len(rs))
                yield from walk(J2, obs + o2, (*rs, t))

    yield from walk(J, obs + o, ())


class FinLayout(NamedTuple):
    regs: tuple[int, ...]  # Ints slots written (register path)
    stack: tuple[int, ...]  # frame word offsets written (no registers: 386, arm)
    nret: int  # FN:527-531
    framesz: int  # FN:232: stackArgsSize = retOffset = frameSize for reflectcall


def finalizer_layout(sig: Signature, arch: Arch,
                     fv: FinVariant = FIN_VARIANTS["current"]) -> FinLayout:
    """What runFinalizers does for ``sig``, by the functions the fold uses."""
    ps = arch.ptr_size
    t = finalizer_arg(sig)
    nret = 0
    for r in sig.results:
        nret = fin_nret_step(CONCRETE, nret, summarize(r, ps))
    nret = fin_nret(CONCRETE, fv, nret, ps)
    slots = tuple(range(summarize(t, ps).size // ps))
    framesz = fin_framesz(fv, nret, ps, arch.n_int)
    if fin_in_regs(fv, arch.n_int):
        return FinLayout(slots, (), nret, framesz)
    return FinLayout((), tuple(w * ps for w in slots), nret, framesz)


def simulate_finalizer(sig: Signature, arch: Arch | str,
                       fv: FinVariant = FIN_VARIANTS["current"]) -> list[tuple[str, str]]:
    """The independent re-check: runFinalizers' writes (:func:`finalizer_layout`) against the
    spec's concrete assignment (``spec_assign``) of the whole signature."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    ps = a.ptr_size
    fl = finalizer_layout(sig, a, fv)
    spec = spec_assign(sig, a)
    p = spec.params[0]
    out: list[tuple[str, str]] = []
    if fl.regs:
        want = tuple(idx for cls, idx, _, _, _ in p.regs if cls == "int")
        offs = tuple(off for _, _, off, _, _ in p.regs)
        if not p.regs or want != fl.regs or offs != tuple(w * ps for w in fl.regs):
            out.append(("INV-FIN-ARG", f"runFinalizers writes Ints{list(fl.regs)}; ABIInternal "
                        f"reads {p.regs or f'stack offset {p.stack}'} ({FN}:244-270)"))
    elif p.regs or p.stack != 0:
        out.append(("INV-FIN-ARG", f"runFinalizers writes frame[0:]; ABIInternal reads "
                    f"{p.regs or f'stack offset {p.stack}'} ({FN}:247-270)"))
    need = spec.offset_to_spill_area + spec.spill_area_size
    cls = next((c for c in a.call_sizes if c >= fl.framesz), None)
    if cls is not None and cls < need:
        out.append(("INV-FIN-FRAME", f"framesz {fl.framesz} selects call{cls} < the "
                    f"finalizer's argument area {need} ({FN}:232,272)"))
    if fl.framesz < need:
        out.append(("INV-FIN-FRAMESZ", f"framesz {fl.framesz} < the finalizer's argument "
                    f"area {need} ({FN}:232)"))
    return out


def finalizer_results(pool: tuple[GoType, ...], n: int) -> list[tuple[GoType, ...]]:
    """Every result list of length <= n over ``pool`` (for the bounded check)."""
    out: list[tuple[GoType, ...]] = [()]
    frontier: list[tuple[GoType, ...]] = [()]
    for _ in range(n):
        frontier = [(*f, t) for f in frontier for t in pool]
        out += frontier
    return out
