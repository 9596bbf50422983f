"""Assignment of arguments and results to registers and stack, written once over a domain
(model/domain.py) and run concretely by ``regabi layout`` and symbolically by ``regabi prove``:

* the spec — the ABIInternal algorithm of abi-internal.md as the compiler implements it
  (cmd/compile/internal/abi/abiutils.go): what the compiled callee expects (ASG-1 … ASG-9,
  FRM-1, FRM-2);
* reflect — ``abiSeq``/``newAbiDesc`` in a :class:`~.variants.Variant` (RFL-1 … RFL-6,
  FRM-3, FRM-4, BMP-1 … BMP-3).

Each is a fold over the signature's values (receiver, arguments, then results) whose per-value
step reads only the value's :class:`~.summary.Summary`. :func:`spec_assign` and
:func:`reflect_assign` run the folds concretely and expand the per-value records into the step
lists and tables the reports show.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from regabi.errors import InputError
from regabi.model.arch import Arch
from regabi.model.domain import CONCRETE, Domain
from regabi.model.sig import Signature
from regabi.model.summary import Part, Parts, Summary, basic, direct, summarize
from regabi.model.types import BASIC, GoType, Kind
from regabi.model.variants import Variant

__all__ = [
    "RCVR_WORD",
    "AbiDesc",
    "ReflFinal",
    "ReflPlace",
    "ReflState",
    "Seq",
    "SpecFinal",
    "SpecLayout",
    "SpecParam",
    "SpecPlace",
    "SpecState",
    "Step",
    "is_direct",
    "reflect_assign",
    "refl_arg",
    "refl_between",
    "refl_finish",
    "refl_init",
    "refl_rcvr",
    "refl_result",
    "spec_assign",
    "spec_between",
    "spec_finish",
    "spec_init",
    "spec_value",
]

# The receiver under reflect's interface calling convention: one pointer word (ASG-9).
RCVR_WORD = BASIC["unsafe.Pointer"]


class Regs(NamedTuple):
    """What an assignment needs of the architecture (ASG-8): register counts, the float
    register size reflect compares part sizes with (RFL-3), pointer and register size."""

    n_int: Any
    n_float: Any
    float_reg_size: int
    ps: int
    reg_size: int

    @staticmethod
    def of(arch: Arch) -> Regs:
        return Regs(arch.n_int, arch.n_float, arch.float_reg_size, arch.ptr_size, arch.reg_size)


# --------------------------------------------------------------------------------------------
# The spec algorithm (ASG): what the compiled callee expects


class SpecState(NamedTuple):
    I: Any  # next integer register
    F: Any  # next floating-point register
    S: Any  # stack offset
    SP: Any  # spill offset (ASG-7)


class SpecPlace(NamedTuple):
    """Where the spec puts one value (abiutils.go ABIParamAssignment)."""

    reg: Any  # register-assigned
    idx: tuple[Any, ...]  # register index of each part (its class's)
    off: Any  # stack offset (stack-assigned)
    spill: Any  # spill-slot offset (register-assigned argument)


def _spec_fit(D: Domain, parts: Parts, st: SpecState, regs: Regs) -> tuple[Any, tuple]:
    """ASG-2/ASG-3: all or nothing — the parts take consecutive registers of their class if the
    remaining registers of both classes suffice for all of them (abiutils.go tryAllocRegs)."""
    fits = D.and_(parts.ok, D.ule(st.I + parts.ni, regs.n_int),
                  D.ule(st.F + parts.nf, regs.n_float))
    idx = []
    ci: Any = st.I
    cf: Any = st.F
    for p in parts.slots:
        idx.append(D.ite(p.isint, ci, cf))
        ci = D.ite(p.isint, ci + 1, ci)
        cf = D.ite(p.isint, cf, cf + 1)
    return fits, tuple(idx)


def spec_init() -> SpecState:
    return SpecState(0, 0, 0, 0)


def spec_value(D: Domain, st: SpecState, s: Summary, regs: Regs,
               result: bool) -> tuple[SpecState, SpecPlace]:
    """abiutils.go assignParam for one value (ASG-2 … ASG-5, ASG-7)."""
    zero = D.eq(s.size, 0)
    ok, idx = _spec_fit(D, s.spec, st, regs)
    fits = D.and_(D.not_(zero), ok)  # ASG-4: zero-size values are stack-assigned
    off = D.align(st.S, s.align)  # ASG-5
    I = D.ite(fits, st.I + s.spec.ni, st.I)
    F = D.ite(fits, st.F + s.spec.nf, st.F)
    S = D.ite(fits, st.S, off + s.size)
    if result:
        return SpecState(I, F, S, st.SP), SpecPlace(fits, idx, off, 0)
    spill = D.align(st.SP, s.align)  # ASG-7
    SP = D.ite(fits, spill + s.size, st.SP)
    return SpecState(I, F, S, SP), SpecPlace(fits, idx, off, spill)


def spec_between(D: Domain, st: SpecState, regs: Regs) -> tuple[SpecState, Any, Any]:
    """After the arguments: (state for results, end of stack args, results offset). ASG-6:
    the stack offset is rounded to PtrSize; ASG-8: results start from the first registers."""
    ret = D.align(st.S, regs.ps)
    return SpecState(0, 0, ret, st.SP), st.S, ret


class SpecFinal(NamedTuple):
    offset_to_spill_area: Any  # FRM-1
    spill_area_size: Any  # FRM-2


def spec_finish(D: Domain, st: SpecState, regs: Regs) -> SpecFinal:
    return SpecFinal(D.align(st.S, regs.reg_size), D.align(st.SP, regs.reg_size))


# --------------------------------------------------------------------------------------------
# reflect's algorithm (RFL): abiSeq.addArg / addRcvr and newAbiDesc, per variant


class ReflPlace(NamedTuple):
    """Where reflect puts one value: its abiSteps, as one record."""

    reg: Any  # register-assigned (no stack step); with no parts: "assigned" with no steps
    stack: Any  # one stack step
    parts: Parts  # the walk it used (VAR-3)
    placed: tuple[Any, ...]  # per part: placed in a register
    idx: tuple[Any, ...]  # per part: its register index
    off: Any  # stack offset (stack step)
    ptrbits: Any  # bitmap of integer registers given a pointer step (abiStepPointer)


def reg_assign(D: Domain, parts: Parts, I0: Any, F0: Any,
               regs: Regs) -> tuple[Any, Any, Any, tuple, tuple]:
    """regAssign over a value's parts, group by group as assignIntN/assignFloatN place them
    (RFL-3): a group is checked as a whole; groups before a failing one stay placed and keep
    their registers (the caller rolls back, or not: VAR-1). A float part larger than the float
    register size fails (assignFloatN's EffectiveFloatRegSize check).

    Returns (fits, registers after, per-part placed, per-part register index)."""
    fits: Any = True
    I: Any = I0
    F: Any = F0
    placed = []
    idx = []
    for j, p in enumerate(parts.slots):
        live = D.ult(j, parts.n)
        starts = D.and_(live, D.not_(D.eq(p.group, 0)))
        gi = D.ite(p.isint, p.group, 0)
        gf = D.ite(p.isint, 0, p.group)
        room = D.and_(D.ule(I + gi, regs.n_int), D.ule(F + gf, regs.n_float),
                      D.or_(p.isint, D.ule(p.size, regs.float_reg_size)))
        fits = D.and_(fits, D.implies(starts, room))
        put = D.and_(live, fits)
        placed.append(put)
        idx.append(D.ite(p.isint, I, F))
        I = D.ite(D.and_(put, p.isint), I + 1, I)
        F = D.ite(D.and_(put, D.not_(p.isint)), F + 1, F)
    # a value with more parts than slots (symbolic summaries only) never fits: the slots
    # already cover every register (model/summary.py)
    fits = D.and_(fits, parts.ok, D.ule(parts.n, len(parts.slots)))
    return fits, I, F, tuple(placed), tuple(idx)


class ReflState(NamedTuple):
    """newAbiDesc's state: the abiSeq counters and the frame accumulators."""

    I: Any  # abiSeq.iregs
    F: Any  # abiSeq.fregs
    S: Any  # abiSeq.stackBytes
    spill: Any  # FRM-3 (current: bytes; seed: spillInt)
    spill_f: Any  # seed: spillFloat
    sptrs: Any  # BMP-1 stackPtrs (set of words)
    sn: Any  # stackPtrs.n
    inptrs: Any  # BMP-2 inRegPtrs (bitmap of registers)
    prev: Any  # pointer-step registers of the previous value of `in` (BMP-2's indexing)
    outptrs: Any  # BMP-3 outRegPtrs
    nargs: Any  # arguments added (stepsForValue's index)


def refl_init(D: Domain) -> ReflState:
    return ReflState(0, 0, 0, 0, 0, D.set_empty(), 0, 0, 0, 0, 0)


def _ptrbits(D: Domain, parts: Parts, placed: tuple, idx: tuple, on: Any) -> Any:
    bits: Any = 0
    for p, put, i in zip(parts.slots, placed, idx, strict=True):
        bits = D.setbit(bits, i, D.and_(on, put, p.isint, p.ptr))
    return bits


def add_arg(D: Domain, st: ReflState, s: Summary, regs: Regs,
            v: Variant) -> tuple[ReflState, ReflPlace]:
    """abiSeq.addArg (RFL-4) on the abiSeq counters only."""
    parts = s.spec if v.visit_zero_fields else s.seed  # VAR-3
    zero = D.eq(s.size, 0) if v.zero_size_aligns_stack else False  # VAR-2
    fits, I1, F1, placed, idx = reg_assign(D, parts, st.I, st.F, regs)
    reg = D.and_(D.not_(zero), fits)
    stack = D.and_(D.not_(zero), D.not_(fits))
    off = D.align(st.S, s.align)  # stackAssign
    if v.rollback_regs:  # VAR-1: `*a = aOld`
        I_fail, F_fail = st.I, st.F
    else:  # the seed truncates the steps only
        I_fail, F_fail = I1, F1
    I = D.ite(reg, I1, D.ite(stack, I_fail, st.I))
    F = D.ite(reg, F1, D.ite(stack, F_fail, st.F))
    S = D.ite(reg, st.S, off + s.size)  # a zero-size value aligns (VAR-2): off + 0
    placed = tuple(D.and_(reg, x) for x in placed)
    rec = ReflPlace(reg, stack, parts, placed, idx, off, _ptrbits(D, parts, placed, idx, reg))
    return st._replace(I=I, F=F, S=S), rec


def _rcvr_parts(is_ptr: Any, ps: int) -> Parts:
    return Parts((Part(True, 0, ps, is_ptr, False, 1),), 1, 1, 0, True)


def refl_rcvr(D: Domain, st: ReflState, s: Summary, regs: Regs,
              v: Variant) -> tuple[ReflState, ReflPlace]:
    """abiSeq.addRcvr (RFL-5): one word in an integer register if one remains, else a
    PtrSize-aligned stack word; a pointer unless the receiver is pointer-shaped and
    pointer-free (`rcvr.IfaceIndir() || rcvr.Pointers()`); newAbiDesc adds PtrSize of spill
    for a register receiver, and stackPtrs' bit 0 for a stack one."""
    ps = regs.ps
    is_ptr = D.or_(D.not_(direct(D, s, ps, v.direct_iface)), D.not_(D.eq(s.ptrwords, 0)))
    reg = D.ule(st.I + 1, regs.n_int)
    off = D.align(st.S, ps)
    parts = _rcvr_parts(is_ptr, ps)
    placed = (reg,)
    idx = (st.I,)
    rec = ReflPlace(reg, D.not_(reg), parts, placed, idx, off,
                    _ptrbits(D, parts, placed, idx, reg))
    stack = D.not_(reg)
    sptrs = D.set_add(st.sptrs, 0, D.and_(stack, is_ptr))
    st = st._replace(
        I=D.ite(reg, st.I + 1, st.I), S=D.ite(reg, st.S, off + ps),
        spill=D.ite(reg, st.spill + ps, st.spill), sptrs=sptrs,
        sn=D.ite(stack, 1, st.sn), prev=rec.ptrbits)
    return st, rec


def _add_type_bits(D: Domain, st: ReflState, s: Summary, rec: ReflPlace,
                   ps: int) -> ReflState:
    """addTypeBits for a stack step: the type's pointer words at its word offset (BMP-1);
    stackPtrs.n reaches one past its last pointer word."""
    lg = ps.bit_length() - 1
    word = D.shr(rec.off, lg)
    has = D.and_(rec.stack, D.not_(D.eq(s.ptrwords, 0)))
    sptrs = D.set_union_shifted(st.sptrs, s.gc, word, rec.stack)
    sn = D.ite(has, D.umax(st.sn, word + s.ptrwords), st.sn)
    return st._replace(sptrs=sptrs, sn=sn)


def refl_arg(D: Domain, st: ReflState, s: Summary, regs: Regs, v: Variant,
             has_rcvr: bool) -> tuple[ReflState, ReflPlace]:
    """One argument of newAbiDesc's loop over t.in()."""
    I0, F0 = st.I, st.F
    st, rec = add_arg(D, st, s, regs, v)
    st = _add_type_bits(D, st, s, rec, regs.ps)
    nostack = D.not_(rec.stack)
    if v.spill_by_type:  # VAR-4 (current): the argument's own alignment and size
        spill = D.ite(nostack, D.align(st.spill, s.align) + s.size, st.spill)
        spill_f = st.spill_f
    else:  # VAR-4 (seed): PtrSize per integer register, EffectiveFloatRegSize per float
        spill = D.ite(nostack, st.spill + (st.I - I0) * regs.ps, st.spill)
        spill_f = D.ite(nostack, st.spill_f + (st.F - F0) * regs.float_reg_size, st.spill_f)
    inptrs = st.inptrs
    if v.in_reg_ptrs:
        # BMP-2: go1.27.3 reads in.stepsForValue(i) for argument i; with a receiver (value 0)
        # that is the previous value's steps (faithful; see INV-INREGPTRS-RCVR)
        steps = st.prev if has_rcvr else rec.ptrbits
        inptrs = D.ite(nostack, st.inptrs | steps, st.inptrs)
    st = st._replace(spill=spill, spill_f=spill_f, inptrs=inptrs, prev=rec.ptrbits,
                     nargs=st.nargs + 1)
    return st, rec


def refl_between(D: Domain, st: ReflState, regs: Regs, v: Variant) -> tuple[ReflState, Any]:
    """From arguments to results: stackCallArgsSize, retOffset (RFL-6), the spill total
    (FRM-3); the results' abiSeq starts with stackBytes = retOffset. Returns the state for
    the results and ``(stackCallArgsSize, retOffset, spill)``."""
    ps = regs.ps
    if v.spill_by_type:
        spill = D.align(st.spill, ps)
    else:
        spill = D.align(st.spill + st.spill_f, ps)
    ret = D.align(st.S, ps)
    out = st._replace(I=0, F=0, S=ret, spill=spill, spill_f=0)
    return out, (st.S, ret, spill)


def refl_result(D: Domain, st: ReflState, s: Summary, regs: Regs,
                v: Variant) -> tuple[ReflState, ReflPlace]:
    st, rec = add_arg(D, st, s, regs, v)
    st = _add_type_bits(D, st, s, rec, regs.ps)
    return st._replace(outptrs=st.outptrs | rec.ptrbits), rec  # BMP-3


class ReflFinal(NamedTuple):
    frame_type_size: Any  # FRM-4: funcLayout's frametype.size
    frame_size: Any  # FRM-4: what Value.call passes to reflectcall


def refl_finish(D: Domain, st: ReflState, regs: Regs, spill: Any) -> ReflFinal:
    fts = D.align(st.S, regs.ps)
    return ReflFinal(fts, D.align(fts, regs.ps) + spill)


def is_direct(t: GoType, ps: int, v: Variant) -> bool:
    """Whether ``t`` is stored directly in an interface's data word (TYP-11, VAR-6)."""
    return bool(direct(CONCRETE, summarize(t, ps), ps, v.direct_iface))


# --------------------------------------------------------------------------------------------
# Concrete results, in the shapes reports and the call machine read


class SpecParam(NamedTuple):
    """One argument or result as the compiler assigns it (abiutils.go ABIParamAssignment).

    ``regs`` lists (class, index, offset-in-value, size, may-hold-heap-pointer) per part;
    empty when stack-assigned. ``stack`` is the stack offset (stack-assigned) else None;
    ``spill`` the spill offset inside the spill area (register-assigned arguments) else None.
    """

    type: GoType
    regs: tuple[tuple[str, int, int, int, bool], ...]
    stack: int | None
    spill: int | None


class SpecLayout(NamedTuple):
    """The compiler's view of a signature (abiutils.go ABIParamResultInfo)."""

    params: tuple[SpecParam, ...]  # receiver first when the signature has one
    results: tuple[SpecParam, ...]
    args_stack_size: int  # end of stack-assigned args, before rounding (ASG-6)
    ret_offset: int  # start of results = align(args_stack_size, PtrSize)
    offset_to_spill_area: int  # FRM-1
    spill_area_size: int  # FRM-2
    int_regs_used: int
    float_regs_used: int
    has_recv: bool


class Step(NamedTuple):
    """reflect's abiStep (RFL-1)."""

    kind: str  # "stack", "int", "ptr", "float"
    offset: int  # offset of the part inside the Go value
    size: int
    stkoff: int = 0
    ireg: int = 0
    freg: int = 0


class Seq(NamedTuple):
    """reflect's abiSeq after all values were added (RFL-2)."""

    steps: tuple[Step, ...]
    value_start: tuple[int, ...]
    stack_bytes: int
    iregs: int
    fregs: int

    def steps_for(self, i: int) -> tuple[Step, ...]:
        """abiSeq.stepsForValue(i)."""
        s = self.value_start[i]
        e = self.value_start[i + 1] if i + 1 < len(self.value_start) else len(self.steps)
        return self.steps[s:e]


class AbiDesc(NamedTuple):
    """Everything reflect's abiDesc holds, plus the frame sizes Value.call derives from it."""

    call: Seq
    ret: Seq
    stack_call_args_size: int  # RFL-6
    ret_offset: int  # RFL-6
    spill: int  # FRM-3
    stack_ptrs: int  # BMP-1: bit i = word i of the stack area is a pointer
    stack_ptrs_n: int  # bitVector.n
    in_reg_ptrs: int | None  # BMP-2 (None: the variant has no inRegPtrs)
    out_reg_ptrs: int  # BMP-3
    frame_type_size: int  # FRM-4: funcLayout's frametype.size
    frame_size: int  # FRM-4: what Value.call passes to reflectcall as frameSize
    has_recv: bool
    variant: str


def _spec_param(t: GoType, s: Summary, p: SpecPlace, result: bool) -> SpecParam:
    if not p.reg:
        return SpecParam(t, (), p.off, None)
    regs = tuple(("int" if q.isint else "float", i, q.off, q.size, q.ptr)
                 for q, i in zip(s.spec.slots, p.idx, strict=True))
    return SpecParam(t, regs, None, None if result else p.spill)


def spec_assign(sig: Signature, arch: Arch) -> SpecLayout:
    """The ABIInternal assignment of ``sig`` on ``arch`` (abi-internal.md "Function call
    argument and result passing"; abiutils.go ABIAnalyzeTypes). The receiver, if any, is the
    first argument and is one pointer word (ASG-9)."""
    D, regs, ps = CONCRETE, Regs.of(arch), arch.ptr_size
    st = spec_init()
    ins = ([RCVR_WORD] if sig.recv is not None else []) + list(sig.params)
    params = []
    for t in ins:
        s = summarize(t, ps)
        st, p = spec_value(D, st, s, regs, False)
        params.append(_spec_param(t, s, p, False))
    used = (st.I, st.F)
    st, args_end, ret = spec_between(D, st, regs)
    results = []
    for t in sig.results:
        s = summarize(t, ps)
        st, p = spec_value(D, st, s, regs, True)
        results.append(_spec_param(t, s, p, True))
    fin = spec_finish(D, st, regs)
    return SpecLayout(tuple(params), tuple(results), args_end, ret, fin.offset_to_spill_area,
                      fin.spill_area_size, used[0], used[1], sig.recv is not None)


def _steps(rec: ReflPlace, size: int) -> list[Step]:
    if rec.stack:
        return [Step("stack", 0, size, stkoff=rec.off)]
    out = []
    for q, put, i in zip(rec.parts.slots, rec.placed, rec.idx, strict=True):
        if put:
            if q.isint:
                out.append(Step("ptr" if q.ptr else "int", q.off, q.size, ireg=i))
            else:
                out.append(Step("float", q.off, q.size, freg=i))
    return out


def reflect_assign(sig: Signature, arch: Arch, v: Variant) -> AbiDesc:
    """reflect's newAbiDesc for ``sig`` in variant ``v``, with funcLayout's frame type size and
    the frameSize Value.call passes to reflectcall."""
    D, regs, ps = CONCRETE, Regs.of(arch), arch.ptr_size
    if sig.recv is not None and sig.recv.kind == Kind.INTERFACE:
        # RFL-5: methodReceiver resolves an interface's method to the dynamic type's, so
        # funcLayout never sees an interface receiver and panics if given one.
        raise InputError(f"reflect: funcLayout with interface receiver {sig.recv} (a method "
                         "called through an interface has the dynamic type as receiver)")
    st = refl_init(D)
    steps: list[Step] = []
    starts: list[int] = []
    if sig.recv is not None:
        st, rec = refl_rcvr(D, st, summarize(sig.recv, ps), regs, v)
        starts.append(len(steps))
        steps += _steps(rec, ps)
    for t in sig.params:
        s = summarize(t, ps)
        st, rec = refl_arg(D, st, s, regs, v, sig.recv is not None)
        starts.append(len(steps))
        steps += _steps(rec, s.size)
    call = Seq(tuple(steps), tuple(starts), st.S, st.I, st.F)
    st, (args, ret_off, spill) = refl_between(D, st, regs, v)
    steps, starts = [], []
    for t in sig.results:
        s = summarize(t, ps)
        st, rec = refl_result(D, st, s, regs, v)
        starts.append(len(steps))
        steps += _steps(rec, s.size)
    retq = Seq(tuple(steps), tuple(starts), st.S - ret_off, st.I, st.F)
    fin = refl_finish(D, st, regs, spill)
    return AbiDesc(call, retq, args, ret_off, spill, st.sptrs, st.sn,
                   st.inptrs if v.in_reg_ptrs else None, st.outptrs, fin.frame_type_size,
                   fin.frame_size, sig.recv is not None, v.name)


def spec_word_summary(ps: int) -> Summary:
    """The receiver word as the spec sees it (ASG-9)."""
    return basic("ptr", ps)
