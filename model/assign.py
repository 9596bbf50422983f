"""Assignment of arguments and results to registers and stack, two ways over one type system:

* :func:`spec_assign` — the ABIInternal algorithm of abi-internal.md as the compiler implements it
  (cmd/compile/internal/abi/abiutils.go): what the compiled callee expects (rules ASG-1 … ASG-9).
* :func:`reflect_assign` — reflect's ``abiSeq``/``newAbiDesc``, in a :class:`~.variants.Variant`
  (seed or current), producing everything ``abiDesc`` holds (rules RFL-1 … RFL-8, FRM-1 … FRM-4,
  BMP-1 … BMP-3).
"""

from __future__ import annotations

from typing import NamedTuple

from regabi.errors import InputError
from regabi.model.arch import Arch
from regabi.model.sig import Signature
from regabi.model.types import BASIC, GoType, Kind, Part, layout, reg_parts, reg_parts_prefix
from regabi.model.variants import Variant

__all__ = [
    "AbiDesc",
    "Seq",
    "SpecLayout",
    "SpecParam",
    "Step",
    "reflect_assign",
    "spec_assign",
]


def _align(x: int, a: int) -> int:
    return (x + a - 1) & -a


# The receiver under reflect's interface calling convention: one pointer word (ASG-9).
RCVR_WORD = BASIC["unsafe.Pointer"]


# --------------------------------------------------------------------------------------------
# The spec algorithm (what the compiled callee expects)


class SpecParam(NamedTuple):
    """One argument or result as the compiler assigns it (abiutils.go ABIParamAssignment).

    ``regs`` lists (class, index, offset-in-value, size, may-hold-heap-pointer) per part (an
    interface's itab word counts as no heap pointer, TYP-10; see ``itab_regs``); empty
    when stack-assigned. ``stack`` is the stack offset (stack-assigned) else None; ``spill`` the
    spill offset inside the spill area (register-assigned arguments) else None.
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


def _spec_one(
    t: GoType, arch: Arch, state: list[int], result: bool
) -> SpecParam:
    """abiutils.go assignParam: all-or-nothing register assignment, else the stack (ASG-2..5)."""
    ps = arch.ptr_size
    lay = layout(t, ps, arch.max_width)
    parts = reg_parts(t, ps) if lay.size else None  # ASG-4: zero-size values are stack-assigned
    if parts is not None:
        ni = sum(1 for p in parts if p.cls == "int")
        nf = len(parts) - ni
        if ni <= arch.n_int - state[0] and nf <= arch.n_float - state[1]:
            regs = []
            for p in parts:
                if p.cls == "int":
                    regs.append(("int", state[0], p.offset, p.size, p.ptr))
                    state[0] += 1
                else:
                    regs.append(("float", state[1], p.offset, p.size, p.ptr))
                    state[1] += 1
            spill = None
            if not result:  # ASG-7: register-assigned arguments get a spill slot
                spill = _align(state[3], lay.align)
                state[3] = spill + lay.size
            return SpecParam(t, tuple(regs), None, spill)
    off = _align(state[2], lay.align)  # ASG-5
    state[2] = off + lay.size
    return SpecParam(t, (), off, None)


def spec_assign(sig: Signature, arch: Arch) -> SpecLayout:
    """The ABIInternal assignment of ``sig`` on ``arch`` (abi-internal.md "Function call
    argument and result passing"; abiutils.go ABIAnalyzeTypes).

    The receiver, if any, is the first argument and is one pointer word (ASG-9).
    """
    state = [0, 0, 0, 0]  # int regs, float regs, stack offset, spill offset
    ins = [RCVR_WORD] if sig.recv is not None else []
    ins.extend(sig.params)
    params = tuple(_spec_one(t, arch, state, False) for t in ins)
    args_end = state[2]
    used = (state[0], state[1])
    state[2] = _align(state[2], arch.ptr_size)  # ASG-6
    ret_off = state[2]
    state[0] = state[1] = 0  # results start again from the first register (ASG-8)
    results = tuple(_spec_one(t, arch, state, True) for t in sig.results)
    return SpecLayout(
        params, results, args_end, ret_off,
        _align(state[2], arch.reg_size), _align(state[3], arch.reg_size),
        used[0], used[1], sig.recv is not None,
    )


# --------------------------------------------------------------------------------------------
# reflect's algorithm (abiSeq / newAbiDesc), per variant


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


class _Seq:
    __slots__ = ("fregs", "iregs", "stack_bytes", "steps", "value_start")

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.value_start: list[int] = []
        self.stack_bytes = 0
        self.iregs = 0
        self.fregs = 0

    def freeze(self) -> Seq:
        return Seq(tuple(self.steps), tuple(self.value_start), self.stack_bytes, self.iregs,
                   self.fregs)

    def reg_assign(self, parts: tuple[Part, ...], arch: Arch) -> bool:
        """regAssign over a value's parts, group by group as assignIntN/assignFloatN do (RFL-3):
        a group (string, slice, interface, complex, split int64) is checked as a whole, but
        groups already placed stay placed when a later one fails."""
        i = 0
        n = len(parts)
        while i < n:
            p = parts[i]
            g = p.group
            if p.cls == "int":
                if self.iregs + g > arch.n_int:
                    return False
                for q in parts[i:i + g]:
                    self.steps.append(Step("ptr" if q.ptr else "int", q.offset, q.size,
                                           ireg=self.iregs))
                    self.iregs += 1
            else:
                if self.fregs + g > arch.n_float or arch.float_reg_size < p.size:
                    return False
                for q in parts[i:i + g]:
                    self.steps.append(Step("float", q.offset, q.size, freg=self.fregs))
                    self.fregs += 1
            i += g
        return True

    def stack_assign(self, size: int, align: int) -> Step:
        self.stack_bytes = _align(self.stack_bytes, align)
        st = Step("stack", 0, size, stkoff=self.stack_bytes)
        self.steps.append(st)
        self.stack_bytes += size
        return st

    def add_arg(self, t: GoType, arch: Arch, v: Variant) -> Step | None:
        """abiSeq.addArg (RFL-4): the stack step if stack-assigned, else None."""
        ps = arch.ptr_size
        lay = layout(t, ps, arch.max_width)
        self.value_start.append(len(self.steps))
        if lay.size == 0 and v.zero_size_aligns_stack:  # VAR-2
            self.stack_bytes = _align(self.stack_bytes, lay.align)
            return None
        parts, complete = reg_parts_prefix(t, ps, skip_zero_fields=not v.visit_zero_fields)
        if lay.size == 0 and complete:
            return None  # seed: zero-size struct / [0]T / [1]struct{} "assigned", no steps
        p_start = len(self.steps)
        regs = (self.iregs, self.fregs)
        # regAssign places parts as it walks: the parts before an [N>1] array or before the
        # group that did not fit keep their registers until addArg undoes them (VAR-1)
        if not (self.reg_assign(parts, arch) and complete):
            del self.steps[p_start:]
            if v.rollback_regs:  # VAR-1
                self.iregs, self.fregs = regs
            return self.stack_assign(lay.size, lay.align)
        return None

    def add_rcvr(self, rcvr: GoType, arch: Arch, v: Variant) -> tuple[Step | None, bool]:
        """abiSeq.addRcvr (RFL-5): one word, a pointer unless pointer-shaped and pointer-free."""
        ps = arch.ptr_size
        self.value_start.append(len(self.steps))
        lay = layout(rcvr, ps, arch.max_width)
        ptr = not is_direct(rcvr, ps, v) or lay.ptrdata != 0
        if self.iregs + 1 <= arch.n_int:
            self.steps.append(Step("ptr" if ptr else "int", 0, ps, ireg=self.iregs))
            self.iregs += 1
            return None, ptr
        return self.stack_assign(ps, ps), ptr


def is_direct(t: GoType, ps: int, v: Variant) -> bool:
    """Whether ``t`` is stored directly in an interface's data word (TYP-11, VAR-6)."""
    lay = layout(t, ps)
    if v.direct_iface == "shape":
        return lay.size == ps and lay.ptrdata == ps
    return lay.direct


def reflect_assign(sig: Signature, arch: Arch, v: Variant) -> AbiDesc:
    """reflect's newAbiDesc for ``sig`` in variant ``v``, with funcLayout's frame type size and
    the frameSize Value.call passes to reflectcall."""
    ps = arch.ptr_size
    if sig.recv is not None and sig.recv.kind == Kind.INTERFACE:
        # RFL-5: methodReceiver resolves an interface's method to the dynamic type's, so
        # funcLayout never sees an interface receiver and panics if given one.
        raise InputError(f"reflect: funcLayout with interface receiver {sig.recv} (a method "
                         "called through an interface has the dynamic type as receiver)")
    stack_ptrs = 0
    stack_n = 0
    spill = 0
    spill_int = spill_float = 0
    in_ptrs = 0
    inq = _Seq()
    if sig.recv is not None:
        st, is_ptr = inq.add_rcvr(sig.recv, arch, v)
        if st is not None:
            stack_ptrs |= int(is_ptr)  # BMP-1: word 0
            stack_n = 1
        elif v.spill_by_type:
            spill += ps
        else:
            spill_int += ps
    for i, t in enumerate(sig.params):
        iregs, fregs = inq.iregs, inq.fregs
        st = inq.add_arg(t, arch, v)
        if st is not None:
            lay = layout(t, ps)
            if lay.gcmask:  # addTypeBits
                stack_ptrs |= lay.gcmask << (st.stkoff // ps)
                stack_n = max(stack_n, st.stkoff // ps + lay.gcmask.bit_length())
        elif v.spill_by_type:  # VAR-4 (current)
            lay = layout(t, ps)
            spill = _align(spill, lay.align) + lay.size
            if v.in_reg_ptrs:
                # Faithful to go1.27.3: stepsForValue(i) ignores the receiver's value slot,
                # so with a receiver this reads the previous value's steps (BMP-2 note).
                for s in _steps_of(inq, i):
                    if s.kind == "ptr":
                        in_ptrs |= 1 << s.ireg
        else:  # VAR-4 (seed): 8 bytes per integer register, EffectiveFloatRegSize per float
            spill_int += (inq.iregs - iregs) * ps
            spill_float += (inq.fregs - fregs) * arch.float_reg_size
    if not v.spill_by_type:
        spill = _align(spill_int + spill_float, ps)
    else:
        spill = _align(spill, ps)
    stack_call_args = inq.stack_bytes
    ret_offset = _align(inq.stack_bytes, ps)  # RFL-6
    outq = _Seq()
    outq.stack_bytes = ret_offset
    out_ptrs = 0
    for i, t in enumerate(sig.results):
        st = outq.add_arg(t, arch, v)
        if st is not None:
            lay = layout(t, ps)
            if lay.gcmask:
                stack_ptrs |= lay.gcmask << (st.stkoff // ps)
                stack_n = max(stack_n, st.stkoff // ps + lay.gcmask.bit_length())
        else:
            for s in _steps_of(outq, i):
                if s.kind == "ptr":
                    out_ptrs |= 1 << s.ireg
    outq.stack_bytes -= ret_offset
    frame_type_size = _align(ret_offset + outq.stack_bytes, ps)  # FRM-4
    frame_size = _align(frame_type_size, ps) + spill
    return AbiDesc(
        inq.freeze(), outq.freeze(), stack_call_args, ret_offset, spill, stack_ptrs, stack_n,
        in_ptrs if v.in_reg_ptrs else None, out_ptrs, frame_type_size, frame_size,
        sig.recv is not None, v.name,
    )


def _steps_of(q: _Seq, i: int) -> list[Step]:
    s = q.value_start[i]
    e = q.value_start[i + 1] if i + 1 < len(q.value_start) else len(q.steps)
    return q.steps[s:e]
