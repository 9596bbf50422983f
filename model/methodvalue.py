"""Method values (``methodValueCall`` → ``callMethod``) as hooks of the joint fold
(spec/paths.md MV-*, spec/proofs.md PRF-10).

callMethod translates a call made with the *value ABI* — ``funcLayout(valueFuncType, nil)``,
the func type without receiver, what the compiled caller of the method value uses — into the
*method ABI* — ``funcLayout(valueFuncType, rcvrType)``, what the compiled method expects
(V:966-968). Two layouts of one signature, in one fold: the joint fold of model/joint.py runs
the method ABI (the spec's and reflect's assignment with the receiver first), and every
invariant here carries the value ABI's fold (the spec's and reflect's assignment without a
receiver) in its ghost state, advanced by the same functions of model/assign.py on the same
values and groups (:class:`VFold`). ``check_method_value`` in model/makefunc.py is the
byte-level simulation, the independent concrete re-check.

Citations: go1.27.3 src/reflect/value.go (``V``), makefunc.go (``MF``). Register support
arrived with CL 298670 (28c5fed557, go1.17beta1; model/makefunc.py ``mf_registers``); the
seed's callMethod is go1.16's (ABI0, the receiver word prepended; its TODO "Have this
actually support the register-based ABI") and is not modelled here.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import (
    ReflCur,
    ReflPlace,
    ReflState,
    SpecCur,
    SpecState,
    refl_begin,
    refl_between,
    refl_end_arg,
    refl_end_result,
    refl_group,
    refl_init,
    shl,
    spec_begin,
    spec_between,
    spec_end,
    spec_group,
    spec_init,
)
from regabi.model.domain import Domain
from regabi.model.invariants import BitmapRegs, Invariant, Violation, check_all
from regabi.model.joint import Ctx, Finals, GroupRec, Joint, Ob, ValueRec
from regabi.model.sig import Signature
from regabi.model.types import GoType
from regabi.model.variants import Variant, get_variant

__all__ = ["MV_CATALOGUE", "MV_VARIANTS", "VFold", "callmethod_stack_to_reg", "mv_fold_check"]

V = "go1.27.3 src/reflect/value.go"

#: the reflect rungs whose callMethod has register support (CL 298670 onwards)
MV_VARIANTS = ("go1.17beta1", "go1.17", "go1.18", "go1.19", "current")


def callmethod_stack_to_reg(v: Variant) -> bool:
    """callMethod's stack→register case (V:1028-1044) was added by 9d46ee5ac4 (CL 327089,
    golang/go#46696) after the go1.17beta1 cut: that release's callMethod panics "method ABI
    and value ABI do not align" there (spec/paths.md P-5). Every later rung has it."""
    return v.name != "go1.17beta1"


def call_class(D: Domain, frame: Any, arch: Arch) -> Any:
    """The callNN reflectcall picks for ``frame`` (asm_amd64.s:728-757): the smallest size
    class >= it; frames above the largest class do not occur (SIG-3)."""
    sizes = arch.call_sizes
    out: Any = sizes[-1]
    for c in reversed(sizes[:-1]):
        out = D.ite(D.ule(frame, c), c, out)
    return out


class VFold(NamedTuple):
    """The value ABI's fold: the spec's and reflect's assignment of the signature without its
    receiver, with the current value's progress (meaningless between values)."""

    spec: SpecState
    refl: ReflState
    cs: SpecCur
    cr: ReflCur
    s_args: Any  # after between: the spec's end of stack arguments
    s_ret: Any
    r_args: Any  # reflect: stackCallArgsSize (the value ABI's argLen, MF:120)
    r_ret: Any  # reflect: retOffset (V:1114-1123 copies results to it)


class VGroup(NamedTuple):
    """One group in the value ABI."""

    fits: Any  # the spec register-assigns the value (the caller wrote this group)
    s_idx: Any
    put: Any  # reflect's value ABI placed the group
    idx: Any


class VEnd(NamedTuple):
    spec: SpecCur
    place: ReflPlace


def vf_init(D: Domain) -> VFold:
    return VFold(spec_init(), refl_init(D), SpecCur(False, 0, 0, 0, 0),
                 ReflCur(False, True, 0, 0, 0), 0, 0, 0, 0)


def _same(D: Domain, r: GroupRec, s_idx: Any, idx: Any) -> Any:
    a, b = r.gs, r.gr
    return D.and_(D.eq(a.isint, b.isint), D.eq(a.off, b.off), D.eq(a.size, b.size),
                  D.eq(a.n, b.n), D.eq(s_idx, idx))


class _ValueAbi(Invariant):
    """An invariant that also folds the value ABI (ghost ``(VFold, own)``); subclasses
    implement the ``own_*`` hooks."""

    def own_init(self, c: Ctx) -> Any:
        return ()

    def own_begin(self, c: Ctx, own: Any) -> Any:
        return own

    def own_group(self, c: Ctx, own: Any, vf: VFold, vg: VGroup | None, pre: Joint,
                  r: GroupRec) -> tuple[Any, list[Ob]]:
        return own, []

    def own_end(self, c: Ctx, own: Any, vf: VFold, ve: VEnd | None, pre: Joint,
                r: ValueRec) -> tuple[Any, list[Ob]]:
        return own, []

    def own_between(self, c: Ctx, own: Any, vf: VFold, pre: Joint,
                    post: Joint) -> tuple[Any, list[Ob]]:
        return own, []

    def own_final(self, c: Ctx, own: Any, vf: VFold, J: Joint, f: Finals) -> list[Ob]:
        return []

    def own_candidates(self, c: Ctx, own: Any, vf: VFold, J: Joint,
                       phase: str) -> list[tuple[str, Any]]:
        return []

    # the value ABI's fold ----------------------------------------------------------------
    # Each invariant carries its own copy of the value ABI's fold, except when the carrier
    # (:class:`ValueAbiFold`) is folded along too (the induction): then the copy is the
    # carrier's, read from the joint state, and its lemmas are proposed once.
    def _shared(self, c: Ctx) -> int | None:
        if isinstance(self, ValueAbiFold):
            return None
        for k, inv in enumerate(c.invs):
            if isinstance(inv, ValueAbiFold):
                return k
        return None

    def _vf(self, c: Ctx, g: Any, J: Joint) -> VFold:
        k = self._shared(c)
        return g[0] if k is None else J.ghosts[k][0]  # type: ignore[no-any-return]

    def _keep(self, c: Ctx, vf: VFold) -> VFold | None:
        return vf if self._shared(c) is None else None

    def init(self, c: Ctx) -> Any:
        return (self._keep(c, vf_init(c.D)), self.own_init(c))

    def begin(self, c: Ctx, g: Any, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        vf, own = self._vf(c, g, pre), g[1]
        if role != "recv":
            assert post.cur is not None
            s = post.cur.s
            vf = vf._replace(cs=spec_begin(c.D, vf.spec, s, c.regs),
                             cr=refl_begin(c.D, vf.refl, s, c.variant))
        return (self._keep(c, vf), self.own_begin(c, own)), []

    def group(self, c: Ctx, g: Any, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        vf, own = self._vf(c, g, pre), g[1]
        if r.role == "recv":
            own, obs = self.own_group(c, own, vf, None, pre, r)
            return (self._keep(c, vf), own), obs
        D = c.D
        cs, s_idx = spec_group(D, vf.cs, r.gs, r.live_s)
        cr, put, idx = refl_group(D, vf.cr, r.gr, r.live_r, c.regs)
        own, obs = self.own_group(c, own, vf, VGroup(vf.cs.fits, s_idx, put, idx), pre, r)
        return (self._keep(c, vf._replace(cs=cs, cr=cr)), own), obs

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        vf, own = self._vf(c, g, pre), g[1]
        if r.role == "recv":
            own, obs = self.own_end(c, own, vf, None, pre, r)
            return (self._keep(c, vf), own), obs
        D, s = c.D, r.s
        if r.role == "arg":
            spec = spec_end(D, vf.spec, vf.cs, s, False)
            refl, p = refl_end_arg(D, vf.refl, vf.cr, s, c.regs, c.variant, False)
        else:
            spec = spec_end(D, vf.spec, vf.cs, s, True)
            refl, p = refl_end_result(D, vf.refl, vf.cr, s, c.regs, c.variant)
        own, obs = self.own_end(c, own, vf, VEnd(vf.cs, p), pre, r)
        return (self._keep(c, vf._replace(spec=spec, refl=refl)), own), obs

    def between(self, c: Ctx, g: Any, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        vf, own = self._vf(c, g, pre), g[1]
        D = c.D
        spec, s_args, s_ret = spec_between(D, vf.spec, c.regs)
        refl, (r_args, r_ret, _spill) = refl_between(D, vf.refl, c.regs, c.variant)
        vf2 = vf._replace(spec=spec, refl=refl, s_args=s_args, s_ret=s_ret, r_args=r_args,
                          r_ret=r_ret)
        own, obs = self.own_between(c, own, vf2, pre, post)
        return (self._keep(c, vf2), own), obs

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        return self.own_final(c, g[1], self._vf(c, g, J), J, f)

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        vf, own = self._vf(c, g, J), g[1]
        mine = vf_candidates(c, vf, J, phase) if self._shared(c) is None else []
        return mine + self.own_candidates(c, own, vf, J, phase)


class ValueAbiFold(_ValueAbi):
    """Not an invariant: the value ABI's fold alone, folded along by the induction so that
    the method-value invariants share one copy of it (no obligations)."""

    id = "MV-VALUE-ABI"
    title = "the value ABI's fold"
    statement = "(carrier of the value ABI's assignment; no obligation)"
    source = "reflect/value.go callMethod: valueABI = funcLayout(valueFuncType, nil)"
    rules = ("MV-1",)


def vf_candidates(c: Ctx, vf: VFold, J: Joint, phase: str) -> list[tuple[str, Any]]:
    """Facts of the value ABI's fold and of its relation to the method ABI's that the
    induction may keep (the value-ABI mirror of INV-ASSIGN-AGREE's and the fold's own)."""
    D, regs, v = c.D, c.regs, c.variant
    out = [("v:I=spec", D.eq(vf.refl.I, vf.spec.I)), ("v:F=spec", D.eq(vf.refl.F, vf.spec.F)),
           ("v:S=spec", D.eq(vf.refl.S, vf.spec.S)),
           ("v:I<=NI", D.ule(vf.spec.I, regs.n_int)), ("v:F<=NF", D.ule(vf.spec.F, regs.n_float))]
    if v.spill_by_type:
        out.append(("v:spill_f=0", D.eq(vf.refl.spill_f, 0)))
    if phase == "results":
        # results: both ABIs start from register 0 at their retOffset, the same values follow
        out += [("v:ret", D.eq(vf.r_ret, vf.s_ret)), ("v:args", D.eq(vf.r_args, vf.s_args)),
                ("m:ret", D.eq(J.r_ret, J.s_ret)), ("m:ret<=S", D.ule(J.s_ret, J.spec.S)),
                ("mv:I", D.eq(J.spec.I, vf.spec.I)), ("mv:F", D.eq(J.spec.F, vf.spec.F)),
                # both retOffsets are PtrSize-aligned (ASG-6; INV-MV-RESULTS' lemmas)
                ("m:ret%ps", D.aligned(J.s_ret, c.ps)), ("v:ret%ps", D.aligned(vf.s_ret, c.ps))]
    cur = J.cur
    if cur is None:
        return out
    s, cs, cr = cur.ss, vf.cs, vf.cr
    fits = D.and_(D.not_(D.eq(s.size, 0)), s.spec.ok, D.ule(vf.spec.I + s.spec.ni, regs.n_int),
                  D.ule(vf.spec.F + s.spec.nf, regs.n_float))
    zero = D.eq(s.size, 0) if v.zero_size_aligns_stack else False
    out += [("v:fits=begin", D.eq(cs.fits, fits)),
            ("v:off=align", D.eq(cs.off, D.align(vf.spec.S, s.align))),
            ("v:spill=align", D.eq(cs.spill, D.align(vf.spec.SP, s.align))),
            ("v:rzero=begin", D.eq(cr.zero, zero)),
            ("v:ci=I+n", D.eq(cs.ci, vf.spec.I + cur.s_ni)),
            ("v:cf=F+n", D.eq(cs.cf, vf.spec.F + cur.s_nf)),
            ("v:fits->rfits", D.implies(cs.fits, cr.fits)),
            ("v:rfits->I", D.implies(cr.fits, D.eq(cr.I, cs.ci))),
            ("v:rfits->F", D.implies(cr.fits, D.eq(cr.F, cs.cf))),
            ("v:rI=I+n", D.implies(cr.fits, D.eq(cr.I, vf.refl.I + cur.r_ni))),
            ("v:rF=F+n", D.implies(cr.fits, D.eq(cr.F, vf.refl.F + cur.r_nf))),
            ("v:I>=before", D.ule(vf.refl.I, cr.I)), ("v:F>=before", D.ule(vf.refl.F, cr.F)),
            ("v:rI<=NI", D.ule(cr.I, regs.n_int)), ("v:rF<=NF", D.ule(cr.F, regs.n_float))]
    if phase == "results":
        out += [("mv:fits", D.eq(cur.spec.fits, cs.fits)), ("mv:ci", D.eq(cur.spec.ci, cs.ci)),
                ("mv:cf", D.eq(cur.spec.cf, cs.cf))]
    return out


# --------------------------------------------------------------------------------------------
# the invariants


class _Args(NamedTuple):
    vbad: Any  # value ABI: a group the caller wrote that callMethod does not read, or v.v.
    mbad: Any  # method ABI: a group callMethod writes that the method does not read, or v.v.
    vneed: Any  # value-ABI registers this value's pointer parts are read from (Ptrs)
    need: Any  # the same, for every register→stack argument so far
    mis: Any  # register→register: a group placed in one ABI and not the other


class MvArgs(_ValueAbi):
    id = "INV-MV-ARGS"
    title = "method value arguments"
    statement = ("callMethod reads every non-zero-size argument where the compiled caller put "
                 "it (value ABI = ABIInternal without the receiver) and writes it where the "
                 "compiled method reads it (method ABI = ABIInternal with the receiver); a "
                 "pointer part it copies from valueRegs.Ptrs was put there by "
                 "moveMakeFuncArgPtrs.")
    source = "reflect/value.go callMethod (V:994-1089); reflect/makefunc.go:120,165-183"
    rules: ClassVar[tuple[str, ...]] = ("MV-1", "MV-3", "ASG-2")  # MvXlate narrows it

    def own_init(self, c: Ctx) -> _Args:
        return _Args(False, False, 0, 0, False)

    def own_begin(self, c: Ctx, own: _Args) -> _Args:
        return own._replace(vbad=False, mbad=False, vneed=0, mis=False)

    def own_group(self, c: Ctx, own: _Args, vf: VFold, vg: VGroup | None, pre: Joint,
                  r: GroupRec) -> tuple[Any, list[Ob]]:
        if vg is None or r.role != "arg":
            return own, []
        D, cur = c.D, pre.cur
        assert cur is not None
        vcall = D.and_(vg.fits, r.live_s)
        vok = D.and_(vcall, vg.put, _same(D, r, vg.s_idx, vg.idx))
        mcall = D.and_(cur.spec.fits, r.live_s)
        mok = D.and_(mcall, r.r_put, _same(D, r, r.s_idx, r.r_idx))
        bits = D.ite(D.and_(vg.put, r.gr.isint), shl(D, r.gr.ptr, vg.idx), 0)
        return own._replace(vbad=D.or_(own.vbad, D.and_(D.or_(vcall, vg.put), D.not_(vok))),
                            mbad=D.or_(own.mbad, D.and_(D.or_(mcall, r.r_put), D.not_(mok))),
                            vneed=own.vneed | bits,
                            mis=D.or_(own.mis, D.not_(D.eq(vg.put, r.r_put)))), []

    def own_end(self, c: Ctx, own: _Args, vf: VFold, ve: VEnd | None, pre: Joint,
                r: ValueRec) -> tuple[Any, list[Ob]]:
        if ve is None or r.role != "arg":
            return own, []
        D = c.D
        vs, vp, ms, mp = ve.spec, ve.place, r.spec, r.refl
        okv = D.ite(vs.fits, D.and_(vp.reg, D.not_(own.vbad)),
                    D.and_(vp.stack, D.eq(vp.off, vs.off)))
        okm = D.ite(ms.fits, D.and_(mp.reg, D.not_(own.mbad)),
                    D.and_(mp.stack, D.eq(mp.off, ms.off)))
        nm = c.name(r.role, r.index)

        def msg() -> str:
            side = "where the caller put it" if not okv else "where the method reads it"
            return f"callMethod does not move {nm} {side}"
        need = own.need | D.ite(D.and_(vp.reg, mp.stack), own.vneed, 0)
        return own._replace(need=need), [
            self.ob(D.implies(D.not_(D.eq(r.s.size, 0)), D.and_(okv, okm)), msg)]

    def own_final(self, c: Ctx, own: _Args, vf: VFold, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        lost = own.need & ~vf.refl.inptrs  # regPtrs = valueABI.inRegPtrs (MF:120)
        return [self.ob(D.eq(lost, 0), lambda: (
            f"callMethod copies register {(lost & -lost).bit_length() - 1} from valueRegs.Ptrs, "
            "which moveMakeFuncArgPtrs zeroed: a pointer argument arrives nil"))]

    def own_candidates(self, c: Ctx, own: _Args, vf: VFold, J: Joint,
                       phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("need<=in", D.eq(own.need & ~vf.refl.inptrs, 0))]
        cur = J.cur
        if cur is not None:
            out += [("vfits->ok", D.implies(vf.cs.fits, D.not_(own.vbad))),
                    ("mfits->ok", D.implies(cur.spec.fits, D.not_(own.mbad))),
                    ("vneed=bits", D.eq(own.vneed, vf.cr.bits)),
                    ("mis->nofit", D.implies(own.mis, D.not_(D.and_(vf.cr.fits,
                                                                    cur.refl.fits))))]
        return out


class MvXlate(MvArgs):
    id = "INV-MV-XLATE"
    title = "method value translation"
    statement = ("callMethod does not panic translating an argument: a zero-size one has no "
                 "method-ABI steps; register→register steps correspond one to one; the "
                 "release has the stack→register case where it is needed.")
    source = "reflect/value.go callMethod (V:994-1089)"
    rules = ("MV-3",)

    def own_end(self, c: Ctx, own: _Args, vf: VFold, ve: VEnd | None, pre: Joint,
                r: ValueRec) -> tuple[Any, list[Ob]]:
        if ve is None or r.role != "arg":
            return own, []
        D = c.D
        vp, mp = ve.place, r.refl
        nonzero = D.not_(D.eq(r.s.size, 0))
        # steps exist for a stacked value and for a non-zero register one (WF-ZERO: a non-zero
        # value whose walk completes has a group)
        vsteps = D.or_(vp.stack, D.and_(vp.reg, nonzero))
        msteps = D.or_(mp.stack, D.and_(mp.reg, nonzero))
        nm = c.name(r.role, r.index)
        obs = [self.ob(D.eq(vsteps, msteps), lambda: (
                   f"{nm}: one ABI has steps, the other none: panic 'method ABI and value ABI "
                   "do not align'")),
               self.ob(D.implies(D.and_(vp.reg, mp.reg, nonzero), D.not_(own.mis)), lambda: (
                   f"{nm}: register steps differ: panic 'method ABI and value ABI don't "
                   "align'"))]
        if not callmethod_stack_to_reg(c.variant):
            obs.append(self.ob(D.not_(D.and_(vp.stack, mp.reg, nonzero)), lambda: (
                f"{nm}: stacked by the value ABI, in registers in the method ABI: panic "
                "'method ABI and value ABI do not align' (go1.17beta1)")))
        return own, obs

    def own_final(self, c: Ctx, own: _Args, vf: VFold, J: Joint, f: Finals) -> list[Ob]:
        return []


class MvRcvr(Invariant):
    id = "INV-MV-RCVR"
    title = "method value receiver"
    statement = ("callMethod stores the receiver word where the compiled method reads it "
                 "(storeRcvr into the method ABI's first step, V:976-991).")
    source = "reflect/value.go callMethod (V:976-991)"
    rules = ("MV-2", "ASG-9")

    def init(self, c: Ctx) -> Any:
        return False

    def group(self, c: Ctx, g: Any, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        if r.role != "recv":
            return g, []
        D, cur = c.D, pre.cur
        assert cur is not None
        call = D.and_(cur.spec.fits, r.live_s)
        ok = D.and_(call, r.r_put, D.eq(r.s_idx, r.r_idx), D.eq(r.gs.isint, r.gr.isint))
        return D.or_(g, D.and_(D.or_(call, r.r_put), D.not_(ok))), []

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "recv":
            return False, []
        D, sp, rp = c.D, r.spec, r.refl
        ok = D.ite(sp.fits, D.and_(rp.reg, D.not_(g)), D.and_(rp.stack, D.eq(rp.off, sp.off)))
        return False, [self.ob(ok, lambda: "callMethod stores the receiver where the method "
                                           "does not read it")]


class _Res(NamedTuple):
    end: Any  # end of the method's stack results
    # proof device (no obligation reads it): the spec's result assignment run from stack
    # offset 0 instead of retOffset, with the method ABI's registers — where the results sit
    # *relative to* retOffset. Both ABIs' stack results are at their retOffset plus these
    # offsets (the lemmas below), which makes INV-MV-RESULTS' equation linear: Z3 did not
    # settle align(J.S, a) + vf.retOffset = align(vf.S, a) + J.retOffset, which needs both
    # retOffsets PtrSize-aligned and a ≤ PtrSize at once, within the goal budget.
    rel: SpecState  # only S is read; the register counters are the method ABI's (begin)
    rcur: SpecCur


class MvResults(_ValueAbi):
    id = "INV-MV-RESULTS"
    title = "method value results"
    statement = ("Every non-zero-size result the compiled method returns (method ABI) reaches "
                 "the compiled caller where it reads it (value ABI): register results through "
                 "*valueRegs = methodRegs, stack results by the copy from the method frame's "
                 "retOffset to the value frame's, inside the copied length.")
    source = "reflect/value.go callMethod (V:1105-1123)"
    rules = ("MV-5",)

    def own_init(self, c: Ctx) -> _Res:
        return _Res(0, spec_init(), SpecCur(False, 0, 0, 0, 0))

    def own_between(self, c: Ctx, own: _Res, vf: VFold, pre: Joint,
                    post: Joint) -> tuple[Any, list[Ob]]:
        return own._replace(rel=post.spec._replace(S=0)), []

    def begin(self, c: Ctx, g: Any, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        (vf, own), obs = super().begin(c, g, pre, post, role, index)
        if role == "result":
            assert post.cur is not None
            # ASG-5 from offset 0 (spec_begin on the shifted state)
            own = own._replace(rcur=spec_begin(c.D, own.rel._replace(I=pre.spec.I,
                                                                      F=pre.spec.F),
                                               post.cur.ss, c.regs))
        return (vf, own), obs

    def own_end(self, c: Ctx, own: _Res, vf: VFold, ve: VEnd | None, pre: Joint,
                r: ValueRec) -> tuple[Any, list[Ob]]:
        if ve is None or r.role != "result":
            return own, []
        D = c.D
        ms, vs = r.spec, ve.spec
        nonzero = D.not_(D.eq(r.s.size, 0))
        # the method writes per ABIInternal; registers are copied whole (same indices), the
        # stack area from methodABI.retOffset to valueABI.retOffset (reflect's offsets)
        # (registers: the same first registers, the same groups after them)
        ok = D.ite(ms.fits, D.and_(vs.fits, D.eq(pre.spec.I, vf.spec.I),
                                   D.eq(pre.spec.F, vf.spec.F)),
                   D.and_(D.not_(vs.fits), D.ule(pre.r_ret, ms.off),
                          D.eq(ms.off + vf.r_ret, vs.off + pre.r_ret)))
        nm = c.name(r.role, r.index)
        on = D.and_(D.not_(ms.fits), nonzero)
        rel = spec_end(D, own.rel, own.rcur, r.s, True)
        return own._replace(end=D.ite(on, D.umax(own.end, ms.off + r.s.size), own.end),
                            rel=rel), [
            self.ob(D.implies(nonzero, ok), lambda: f"{nm} reaches the caller elsewhere than "
                                                    "it reads it")]

    def own_final(self, c: Ctx, own: _Res, vf: VFold, J: Joint, f: Finals) -> list[Ob]:
        return [self.ob(c.D.ule(own.end, f.frame_type_size), lambda: (
            f"the method's stack results end at {own.end}, past the {f.frame_type_size} bytes "
            "callMethod copies back"))]

    def own_candidates(self, c: Ctx, own: _Res, vf: VFold, J: Joint,
                       phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("end<=S", D.ule(own.end, J.spec.S)), ("m:S=spec", D.eq(J.refl.S, J.spec.S))]
        if phase != "results":
            return out
        k, cur = own.rel.S, J.cur
        out += [("m:S=ret+k", D.eq(J.spec.S, J.s_ret + k)),
                ("v:S=ret+k", D.eq(vf.spec.S, vf.s_ret + k))]
        if cur is not None:
            rc = own.rcur
            out += [("k:fits", D.eq(rc.fits, cur.spec.fits)),
                    ("m:off=ret+k", D.eq(cur.spec.off, J.s_ret + rc.off)),
                    ("v:off=ret+k", D.eq(vf.cs.off, vf.s_ret + rc.off))]
        return out


class MvFrame(Invariant):
    id = "INV-MV-FRAME"
    title = "method value frame"
    statement = ("methodFrameSize = align(frametype.size, PtrSize) + spill selects a callNN "
                 "that holds the method's argument area (FRM-1 + FRM-2).")
    source = "reflect/value.go callMethod (V:1091-1103)"
    rules = ("MV-4", "FRM-1", "FRM-2")

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        need = f.offset_to_spill_area + f.spill_area_size
        cls = call_class(D, f.frame_size, c.arch)
        # above the largest class reflectcall does not call: badreflectcall panics
        fits = D.ule(f.frame_size, c.arch.call_sizes[-1])
        return [self.ob(D.implies(fits, D.ule(need, cls)), lambda: (
            f"methodFrameSize {f.frame_size} selects call{cls} < the method's argument area "
            f"{need}"))]


class MvRetPtr(BitmapRegs):
    id = "INV-MV-RETPTR"
    title = "method value ReturnIsPtr"
    statement = ("ReturnIsPtr = methodABI.outRegPtrs marks every integer result register the "
                 "spec says may hold a heap pointer (kept alive by reflectcallmove).")
    source = "reflect/value.go callMethod (V:1097-1098)"
    rules = ("MV-4", "BMP-3")

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        miss = g.olo & ~J.refl.outptrs
        return [self.ob(D.eq(miss, 0), lambda: (
            f"ReturnIsPtr misses register {(miss & -miss).bit_length() - 1}, which carries a "
            "result's heap pointer"))]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        return [x for x in super().candidates(c, g, J, phase)
                if x[0] in ("olo<=out", "vlo<=bits", "nofit->v0")]


class _Lo(NamedTuple):
    vlo: Any
    ilo: Any


class MvRegPtrs(_ValueAbi):
    id = "INV-MV-REGPTRS"
    title = "method value regPtrs"
    statement = ("ctxt.regPtrs = valueABI.inRegPtrs marks every integer argument register the "
                 "spec (value ABI) says may hold a heap pointer.")
    source = "reflect/makefunc.go:120,165-183"
    rules = ("MV-1", "MF-2", "BMP-2")

    def own_init(self, c: Ctx) -> _Lo:
        return _Lo(0, 0)

    def own_begin(self, c: Ctx, own: _Lo) -> _Lo:
        return own._replace(vlo=0)

    def own_group(self, c: Ctx, own: _Lo, vf: VFold, vg: VGroup | None, pre: Joint,
                  r: GroupRec) -> tuple[Any, list[Ob]]:
        if vg is None or r.role != "arg":
            return own, []
        D = c.D
        on = D.and_(vg.fits, r.live_s, r.gs.isint)
        return own._replace(vlo=own.vlo | D.ite(on, shl(D, r.gs.ptr, vg.s_idx), 0)), []

    def own_end(self, c: Ctx, own: _Lo, vf: VFold, ve: VEnd | None, pre: Joint,
                r: ValueRec) -> tuple[Any, list[Ob]]:
        if ve is None or r.role != "arg":
            return own, []
        return own._replace(ilo=own.ilo | own.vlo), []

    def own_final(self, c: Ctx, own: _Lo, vf: VFold, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        miss = own.ilo & ~vf.refl.inptrs
        return [self.ob(D.eq(miss, 0), lambda: (
            f"regPtrs misses register {(miss & -miss).bit_length() - 1}, which carries an "
            "argument's heap pointer"))]

    def own_candidates(self, c: Ctx, own: _Lo, vf: VFold, J: Joint,
                       phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("ilo<=in", D.eq(own.ilo & ~vf.refl.inptrs, 0))]
        if J.cur is not None:
            out += [("vlo<=bits", D.implies(vf.cs.fits, D.eq(own.vlo & ~vf.cr.bits, 0))),
                    ("nofit->v0", D.implies(D.not_(vf.cs.fits), D.eq(own.vlo, 0)))]
        return out


class _Map(NamedTuple):
    lo: Any
    hi: Any


class MvStackMap(_ValueAbi):
    id = "INV-MV-STACKMAP"
    title = "method value stack map"
    statement = ("ctxt.stack (the value ABI's stackPtrs) marks every heap-pointer word of a "
                 "value the spec (value ABI) stacks and only pointer words, within its length; "
                 "ctxt.argLen equals the spec's stack argument size.")
    source = "reflect/makefunc.go:113-121; runtime/stkframe.go getArgInfo"
    rules = ("MV-1", "BMP-1")

    def own_init(self, c: Ctx) -> _Map:
        return _Map(c.D.set_empty(), c.D.set_empty())

    def own_end(self, c: Ctx, own: _Map, vf: VFold, ve: VEnd | None, pre: Joint,
                r: ValueRec) -> tuple[Any, list[Ob]]:
        if ve is None:
            return own, []
        return self.spec_stacked_words(c.D, own, r.s, ve.spec.fits, ve.spec.off, c.ps), []

    def own_between(self, c: Ctx, own: _Map, vf: VFold, pre: Joint,
                    post: Joint) -> tuple[Any, list[Ob]]:
        return own, [self.ob(c.D.eq(vf.r_args, vf.s_args), lambda: (
            f"ctxt.argLen {vf.r_args} != the spec's stack argument size {vf.s_args}"))]

    def own_final(self, c: Ctx, own: _Map, vf: VFold, J: Joint, f: Finals) -> list[Ob]:
        return self.stack_map_obs(c.D, own.lo, own.hi, vf.refl.sptrs, vf.refl.sn)

    def own_candidates(self, c: Ctx, own: _Map, vf: VFold, J: Joint,
                       phase: str) -> list[tuple[str, Any]]:
        return self.stack_map_candidates(c.D, own.lo, own.hi, vf.refl.sptrs, vf.refl.sn)


#: the method-value invariants, in report order
MV_CATALOGUE: tuple[Invariant, ...] = (MvRcvr(), MvArgs(), MvXlate(), MvResults(), MvFrame(),
                                       MvRetPtr(), MvRegPtrs(), MvStackMap())


def mv_fold_check(sig: Signature, recv: GoType, arch: Arch | str,
                  variant: Variant | str = "current",
                  invariants: tuple[Invariant, ...] = MV_CATALOGUE) -> list[Violation]:
    """The fold run concretely on the method value ``x.M`` (x of type ``recv``, M of type
    ``sig``): the first violation of each invariant."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    v = get_variant(variant) if isinstance(variant, str) else variant
    return check_all(Signature(sig.params, sig.results, recv=recv), a, v, invariants)
