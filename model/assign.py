"""Assignment of arguments and results to registers and stack, written once over a domain
(model/domain.py) and run concretely by ``regabi layout`` and symbolically by ``regabi prove``:

* the spec — the ABIInternal algorithm of abi-internal.md as the compiler implements it
  (cmd/compile/internal/abi/abiutils.go): what the compiled callee expects (ASG-1 … ASG-9,
  FRM-1, FRM-2);
* reflect — ``abiSeq``/``newAbiDesc`` in a :class:`~.variants.Variant` (RFL-1 … RFL-6,
  FRM-3, FRM-4, BMP-1 … BMP-3).

Both are folds over the signature's values (receiver, arguments, then results), and a value is
itself processed in *events*: ``begin`` (what the value's summary says as a whole), one
``group`` per register group of its decomposition walk (reflect: one ``assignIntN``/
``assignFloatN`` call; the compiler: one leaf of ``allocateRegs``), and ``end``. That is the
shape of Go's code, and it is what lets ``regabi prove`` reason one group at a time.

:func:`spec_assign` and :func:`reflect_assign` run the folds concretely and expand them into the
step lists and tables the reports show.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from regabi.errors import InputError
from regabi.model.arch import Arch
from regabi.model.domain import CONCRETE, Domain
from regabi.model.sig import Signature
from regabi.model.summary import Group, Parts, Summary, basic, direct, summarize
from regabi.model.types import BASIC, GoType, Kind
from regabi.model.variants import Variant

__all__ = [
    "RCVR_WORD",
    "AbiDesc",
    "Regs",
    "Seq",
    "SpecLayout",
    "SpecParam",
    "Step",
    "is_direct",
    "reflect_assign",
    "spec_assign",
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


def shl(D: Domain, x: Any, i: Any) -> Any:
    """``x << i`` for register bitmaps (concrete ints, or bit-vectors)."""
    if isinstance(x, int) and isinstance(i, int):
        return x << i
    if isinstance(x, int) and x == 0:
        return 0
    return D.bv(x) << D.bv(i)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# The spec algorithm (ASG): what the compiled callee expects


class SpecState(NamedTuple):
    I: Any  # next integer register
    F: Any  # next floating-point register
    S: Any  # stack offset
    SP: Any  # spill offset (ASG-7)


class SpecCur(NamedTuple):
    """The spec inside one value: its decision, and the registers its groups take."""

    fits: Any  # register-assigned
    ci: Any  # next integer register for the next group
    cf: Any
    off: Any  # its stack slot (stack-assigned)
    spill: Any  # its spill slot (register-assigned argument)


def spec_init() -> SpecState:
    return SpecState(0, 0, 0, 0)


def spec_begin(D: Domain, st: SpecState, s: Summary, regs: Regs) -> SpecCur:
    """abiutils.go assignParam: ASG-2 all or nothing — register-assigned iff the walk
    completes and the remaining registers of both classes suffice for all its parts
    (tryAllocRegs checks ``typ.IntRegs()``/``FloatRegs()``); ASG-4 zero-size values are
    stack-assigned; ASG-5 a stack slot is aligned to the type; ASG-7 a spill slot likewise."""
    fits = D.and_(D.not_(D.eq(s.size, 0)), s.spec.ok, D.ule(st.I + s.spec.ni, regs.n_int),
                  D.ule(st.F + s.spec.nf, regs.n_float))
    return SpecCur(fits, st.I, st.F, D.align(st.S, s.align), D.align(st.SP, s.align))


def spec_group(D: Domain, cur: SpecCur, g: Group, live: Any) -> tuple[SpecCur, Any]:
    """allocateRegs for one leaf: its parts take the next registers of its class. Returns the
    group's first register."""
    idx = D.ite(g.isint, cur.ci, cur.cf)
    return cur._replace(ci=D.ite(D.and_(live, g.isint), cur.ci + g.n, cur.ci),
                        cf=D.ite(D.and_(live, D.not_(g.isint)), cur.cf + g.n, cur.cf)), idx


def spec_end(D: Domain, st: SpecState, cur: SpecCur, s: Summary, result: bool) -> SpecState:
    I = D.ite(cur.fits, cur.ci, st.I)
    F = D.ite(cur.fits, cur.cf, st.F)
    S = D.ite(cur.fits, st.S, cur.off + s.size)
    SP = st.SP if result else D.ite(cur.fits, cur.spill + s.size, st.SP)
    return SpecState(I, F, S, SP)


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


class ReflState(NamedTuple):
    """newAbiDesc's state between values: the abiSeq counters and the frame accumulators."""

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


class ReflCur(NamedTuple):
    """reflect inside one value: regAssign's progress."""

    zero: Any  # a zero-size value that addArg only aligns (VAR-2)
    fits: Any  # every group so far was placed
    I: Any  # abiSeq.iregs as regAssign advances it
    F: Any
    bits: Any  # registers given abiStepPointer steps so far


class ReflPlace(NamedTuple):
    """Where reflect put one value (at its end)."""

    reg: Any  # register-assigned (no stack step; with no groups: "assigned" with no steps)
    stack: Any  # one stack step
    off: Any  # its stack offset
    ptrbits: Any  # registers given abiStepPointer steps


def refl_init(D: Domain) -> ReflState:
    return ReflState(0, 0, 0, 0, 0, D.set_empty(), 0, 0, 0, 0)


def walk(s: Summary, v: Variant) -> Parts:
    """The decomposition reflect walks (VAR-3: the seed skips zero-size fields)."""
    return s.spec if v.visit_zero_fields else s.seed


def refl_begin(D: Domain, st: ReflState, s: Summary, v: Variant) -> ReflCur:
    """abiSeq.addArg's start: a zero-size value only aligns stackBytes in current (VAR-2); in
    the seed it goes through regAssign like any value."""
    zero = D.eq(s.size, 0) if v.zero_size_aligns_stack else False
    return ReflCur(zero, True, st.I, st.F, 0)


def refl_group(D: Domain, cur: ReflCur, g: Group, live: Any,
               regs: Regs) -> tuple[ReflCur, Any, Any]:
    """One assignIntN(offset, size, n, ptrMap) or assignFloatN(offset, size, n) call of
    regAssign (RFL-3): the group is placed whole if its registers remain — and, for floats,
    if its parts fit the float register (EffectiveFloatRegSize) — else regAssign fails and
    places nothing more. Returns (state, placed, first register)."""
    room = D.ite(g.isint, D.ule(cur.I + g.n, regs.n_int),
                 D.and_(D.ule(cur.F + g.n, regs.n_float), D.ule(g.size, regs.float_reg_size)))
    fits = D.and_(cur.fits, D.implies(live, room))
    put = D.and_(live, fits)
    idx = D.ite(g.isint, cur.I, cur.F)
    bits = cur.bits | D.ite(D.and_(put, g.isint), shl(D, g.ptr, idx), 0)
    return ReflCur(cur.zero, fits, D.ite(D.and_(put, g.isint), cur.I + g.n, cur.I),
                   D.ite(D.and_(put, D.not_(g.isint)), cur.F + g.n, cur.F), bits), put, idx


def _place(D: Domain, st: ReflState, cur: ReflCur, s: Summary, ok: Any,
           v: Variant) -> tuple[ReflState, ReflPlace]:
    """addArg's end (RFL-4): register-assigned if every group was placed and the walk
    completed; else the steps are truncated and the value stack-assigned — the registers its
    placed groups took are given back only with VAR-1 (``*a = aOld``)."""
    fits = D.and_(cur.fits, ok)
    reg = D.and_(D.not_(cur.zero), fits)
    stack = D.and_(D.not_(cur.zero), D.not_(fits))
    off = D.align(st.S, s.align)  # stackAssign
    keep_i, keep_f = (st.I, st.F) if v.rollback_regs else (cur.I, cur.F)
    I = D.ite(reg, cur.I, D.ite(stack, keep_i, st.I))
    F = D.ite(reg, cur.F, D.ite(stack, keep_f, st.F))
    S = D.ite(reg, st.S, off + s.size)  # a zero-size value aligns (VAR-2): off + 0
    return st._replace(I=I, F=F, S=S), ReflPlace(reg, stack, off, D.ite(reg, cur.bits, 0))


def _add_type_bits(D: Domain, st: ReflState, s: Summary, p: ReflPlace, ps: int) -> ReflState:
    """addTypeBits for a stack step: the type's pointer words at its word offset (BMP-1);
    stackPtrs.n reaches one past its last pointer word."""
    word = D.shr(p.off, ps.bit_length() - 1)
    has = D.and_(p.stack, D.not_(D.eq(s.ptrwords, 0)))
    sptrs = D.set_union_shifted(st.sptrs, s.gc, word, p.stack)
    return st._replace(sptrs=sptrs, sn=D.ite(has, D.umax(st.sn, word + s.ptrwords), st.sn))


def refl_end_arg(D: Domain, st: ReflState, cur: ReflCur, s: Summary, regs: Regs, v: Variant,
                 has_rcvr: Any) -> tuple[ReflState, ReflPlace]:
    """One argument of newAbiDesc's loop over t.in(): addArg, then stackPtrs or spill and
    inRegPtrs."""
    st1, p = _place(D, st, cur, s, walk(s, v).ok, v)
    st1 = _add_type_bits(D, st1, s, p, regs.ps)
    nostack = D.not_(p.stack)
    if v.spill_by_type:  # VAR-4 (current): the argument's own alignment and size
        spill = D.ite(nostack, D.align(st1.spill, s.align) + s.size, st1.spill)
        spill_f = st1.spill_f
    else:  # VAR-4 (seed): PtrSize per integer register, EffectiveFloatRegSize per float
        spill = D.ite(nostack, st1.spill + (st1.I - st.I) * regs.ps, st1.spill)
        spill_f = D.ite(nostack, st1.spill_f + (st1.F - st.F) * regs.float_reg_size,
                        st1.spill_f)
    inptrs = st1.inptrs
    if v.in_reg_ptrs:
        # BMP-2: go1.27.3 reads in.stepsForValue(i) for argument i; with a receiver (value 0)
        # that is the previous value's steps (faithful; see INV-INREGPTRS-RCVR)
        steps = D.ite(has_rcvr, st1.prev, p.ptrbits)
        inptrs = D.ite(nostack, st1.inptrs | steps, st1.inptrs)
    return st1._replace(spill=spill, spill_f=spill_f, inptrs=inptrs, prev=p.ptrbits), p


def refl_end_result(D: Domain, st: ReflState, cur: ReflCur, s: Summary, regs: Regs,
                    v: Variant) -> tuple[ReflState, ReflPlace]:
    st1, p = _place(D, st, cur, s, walk(s, v).ok, v)
    st1 = _add_type_bits(D, st1, s, p, regs.ps)
    return st1._replace(outptrs=st1.outptrs | p.ptrbits), p  # BMP-3


def rcvr_is_ptr(D: Domain, s: Summary, ps: int, v: Variant) -> Any:
    """addRcvr: the receiver word is a pointer unless the receiver is pointer-shaped and
    pointer-free (`rcvr.IfaceIndir() || rcvr.Pointers()`; RFL-5)."""
    return D.or_(D.not_(direct(D, s, ps, v.direct_iface)), D.not_(D.eq(s.ptrwords, 0)))


def rcvr_word(D: Domain, is_ptr: Any, ps: int) -> Summary:
    """The one word addRcvr assigns, as a value with one group: assignIntN(0, PtrSize, 1,
    isPtr ? 0b1 : 0b0) (RFL-5)."""
    g = Group(True, 0, ps, 1, D.ite(is_ptr, 1, 0), 0)
    parts = Parts((g,), 1, 1, 0, True)
    word = D.set_add(D.set_empty(), 0, is_ptr)
    return Summary(ps, ps, D.ite(is_ptr, 1, 0), word, word, parts, parts, False)


def refl_end_rcvr(D: Domain, st: ReflState, cur: ReflCur, is_ptr: Any,
                  regs: Regs) -> tuple[ReflState, ReflPlace]:
    """addRcvr's end and newAbiDesc's receiver case: a register receiver adds PtrSize of
    spill, a stack one stackPtrs' bit 0 (isPtr)."""
    word = rcvr_word(D, is_ptr, regs.ps)
    v0 = _ROLLBACK  # one group: nothing to roll back either way
    st1, p = _place(D, st, cur, word, True, v0)
    stack = p.stack
    return st1._replace(
        spill=D.ite(p.reg, st1.spill + regs.ps, st1.spill),
        sptrs=D.set_add(st1.sptrs, 0, D.and_(stack, is_ptr)),
        sn=D.ite(stack, 1, st1.sn), prev=p.ptrbits), p


def refl_between(D: Domain, st: ReflState, regs: Regs, v: Variant) -> tuple[ReflState, Any]:
    """From arguments to results: stackCallArgsSize, retOffset (RFL-6), the spill total
    (FRM-3); the results' abiSeq starts with stackBytes = retOffset. Returns the state for
    the results and ``(stackCallArgsSize, retOffset, spill)``."""
    ps = regs.ps
    spill = D.align(st.spill, ps) if v.spill_by_type else D.align(st.spill + st.spill_f, ps)
    ret = D.align(st.S, ps)
    return st._replace(I=0, F=0, S=ret, spill=spill, spill_f=0), (st.S, ret, spill)


class ReflFinal(NamedTuple):
    frame_type_size: Any  # FRM-4: funcLayout's frametype.size
    frame_size: Any  # FRM-4: what Value.call passes to reflectcall


def refl_finish(D: Domain, st: ReflState, regs: Regs, spill: Any) -> ReflFinal:
    fts = D.align(st.S, regs.ps)
    return ReflFinal(fts, D.align(fts, regs.ps) + spill)


def is_direct(t: GoType, ps: int, v: Variant) -> bool:
    """Whether ``t`` is stored directly in an interface's data word (TYP-11, VAR-6)."""
    return bool(direct(CONCRETE, summarize(t, ps), ps, v.direct_iface))


class _Rollback(NamedTuple):
    rollback_regs: bool = True


_ROLLBACK: Any = _Rollback()


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


def _spec_value(st: SpecState, t: GoType, s: Summary, regs: Regs,
                result: bool) -> tuple[SpecState, SpecParam]:
    D = CONCRETE
    cur = spec_begin(D, st, s, regs)
    parts = []
    for g in s.spec.groups:
        cur, i = spec_group(D, cur, g, True)
        parts += [("int" if g.isint else "float", i + k, g.off + k * g.size, g.size,
                   bool(g.ptr >> k & 1)) for k in range(g.n)]
    st = spec_end(D, st, cur, s, result)
    if not cur.fits:
        return st, SpecParam(t, (), cur.off, None)
    return st, SpecParam(t, tuple(parts), None, None if result else cur.spill)


def spec_assign(sig: Signature, arch: Arch) -> SpecLayout:
    """The ABIInternal assignment of ``sig`` on ``arch`` (abi-internal.md "Function call
    argument and result passing"; abiutils.go ABIAnalyzeTypes). The receiver, if any, is the
    first argument and is one pointer word (ASG-9)."""
    D, regs, ps = CONCRETE, Regs.of(arch), arch.ptr_size
    st = spec_init()
    ins = ([RCVR_WORD] if sig.recv is not None else []) + list(sig.params)
    params = []
    for t in ins:
        st, p = _spec_value(st, t, summarize(t, ps), regs, False)
        params.append(p)
    used = (st.I, st.F)
    st, args_end, ret = spec_between(D, st, regs)
    results = []
    for t in sig.results:
        st, p = _spec_value(st, t, summarize(t, ps), regs, True)
        results.append(p)
    fin = spec_finish(D, st, regs)
    return SpecLayout(tuple(params), tuple(results), args_end, ret, fin.offset_to_spill_area,
                      fin.spill_area_size, used[0], used[1], sig.recv is not None)


#: _refl_groups' results by (summary, variant, registers taken so far, registers): half the
#: values of a batch repeat one (the summary and variant are kept in the entry, so that the
#: ids in the key stay theirs).
_GROUPS_MEMO: dict[tuple[int, int, int, int, Regs],
                   tuple[Summary, Variant, ReflCur, tuple[Step, ...]]] = {}


def _refl_groups(s: Summary, v: Variant, st: ReflState,
                 regs: Regs) -> tuple[ReflCur, tuple[Step, ...]]:
    if not (isinstance(st.I, int) and isinstance(st.F, int)):
        # symbolic runs: Z3 terms are no dictionary keys (== builds a formula), and a result
        # must never carry another query's terms
        return _refl_groups_run(s, v, st, regs)
    key = (id(s), id(v), st.I, st.F, regs)
    hit = _GROUPS_MEMO.get(key)
    if hit is not None and hit[0] is s and hit[1] is v:
        return hit[2], hit[3]
    cur, steps = _refl_groups_run(s, v, st, regs)
    if len(_GROUPS_MEMO) < 1 << 16:
        _GROUPS_MEMO[key] = (s, v, cur, steps)
    return cur, steps


def _refl_groups_run(s: Summary, v: Variant, st: ReflState,
                     regs: Regs) -> tuple[ReflCur, tuple[Step, ...]]:
    D = CONCRETE
    cur = refl_begin(D, st, s, v)
    steps = []
    for g in walk(s, v).groups:
        cur, put, i = refl_group(D, cur, g, True, regs)
        if put:
            for k in range(g.n):
                off = g.off + k * g.size
                if g.isint:
                    steps.append(Step("ptr" if g.ptr >> k & 1 else "int", off, g.size,
                                      ireg=i + k))
                else:
                    steps.append(Step("float", off, g.size, freg=i + k))
    return cur, tuple(steps)


def _value_steps(p: ReflPlace, steps: tuple[Step, ...], size: int) -> tuple[Step, ...]:
    if p.stack:
        return (Step("stack", 0, size, stkoff=p.off),)
    return steps if p.reg else ()


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
        is_ptr = rcvr_is_ptr(D, summarize(sig.recv, ps), ps, v)
        cur, gsteps = _refl_groups(rcvr_word(D, is_ptr, ps), v, st, regs)
        st, p = refl_end_rcvr(D, st, cur, is_ptr, regs)
        starts.append(len(steps))
        steps += _value_steps(p, gsteps, ps)
    for t in sig.params:
        s = summarize(t, ps)
        cur, gsteps = _refl_groups(s, v, st, regs)
        st, p = refl_end_arg(D, st, cur, s, regs, v, sig.recv is not None)
        starts.append(len(steps))
        steps += _value_steps(p, gsteps, s.size)
    call = Seq(tuple(steps), tuple(starts), st.S, st.I, st.F)
    st, (args, ret_off, spill) = refl_between(D, st, regs, v)
    steps, starts = [], []
    for t in sig.results:
        s = summarize(t, ps)
        cur, gsteps = _refl_groups(s, v, st, regs)
        st, p = refl_end_result(D, st, cur, s, regs, v)
        starts.append(len(steps))
        steps += _value_steps(p, gsteps, s.size)
    retq = Seq(tuple(steps), tuple(starts), st.S - ret_off, st.I, st.F)
    fin = refl_finish(D, st, regs, spill)
    return AbiDesc(call, retq, args, ret_off, spill, st.sptrs, st.sn,
                   st.inptrs if v.in_reg_ptrs else None, st.outptrs, fin.frame_type_size,
                   fin.frame_size, sig.recv is not None, v.name)


def spec_word_summary(ps: int) -> Summary:
    """The receiver word as the spec sees it (ASG-9)."""
    return basic("ptr", ps)


# --------------------------------------------------------------------------------------------
# the concrete runs, specialised from the functions above (model/specialize.py)

from regabi.model.specialize import specialize  # noqa: E402 - needs the functions above
from regabi.model.summary import CONCRETE_PAIRS as _SUMMARY_PAIRS  # noqa: E402

#: (generic, CONCRETE-specialised) pairs of this module's domain functions.
CONCRETE_PAIRS = specialize(
    globals(), ["shl", "spec_init", "spec_begin", "spec_group", "spec_end", "spec_between",
                "spec_finish", "refl_init", "refl_begin", "refl_group", "_place",
                "_add_type_bits", "refl_end_arg", "refl_end_result", "rcvr_is_ptr", "rcvr_word",
                "refl_end_rcvr", "refl_between", "refl_finish"],
    drivers=["_spec_value", "spec_assign", "_refl_groups_run", "reflect_assign", "is_direct"],
    imported=_SUMMARY_PAIRS)
