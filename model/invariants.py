"""The invariant catalogue (spec/invariants.md): named objects that the tests, the Z3 encodings
(regabi.proofs.z3) and the GC explorer (regabi.proofs.explore) all refer to by ``id``.

:func:`Invariant.check` evaluates an invariant on one concrete signature and returns the
:class:`Violation` or None. Each check compares reflect's ``abiDesc`` (a variant) with an
independent reference: the spec algorithm, the type layout, or the sequential ABI0 layout.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from regabi.model.arch import Arch, regargs_layout
from regabi.model.assign import AbiDesc, SpecLayout, SpecParam, Step, reflect_assign, spec_assign
from regabi.model.sig import Signature
from regabi.model.types import layout, reg_parts
from regabi.model.variants import Variant

__all__ = ["CATALOGUE", "Invariant", "Violation", "check_all", "get_invariant"]

#: A compiled Go function's argument frame is below 1 GiB ("stack frame too large (>1GB)",
#: cmd/compile/internal/ssagen/pgen.go); the universe of signatures is bounded by it (SIG-3).
MAX_ARGS_FRAME = 1 << 30


@dataclass(frozen=True)
class Violation:
    """A concrete counterexample: which invariant, for what, and what each side said."""

    invariant: str
    sig: Signature
    arch: str
    variant: str
    message: str  # "reflect puts arg 3 on the stack at 8, spec puts it in CX"
    detail: dict = field(default_factory=dict, compare=False)

    def line(self) -> str:
        """The one-line verdict: ``INV-… false for func(…): <message>``."""
        recv = f" [recv {self.sig.recv}]" if self.sig.recv is not None else ""
        return (f"{self.invariant} false for {self.sig.go()}{recv} "
                f"({self.variant}, {self.arch}): {self.message}")

    def to_json(self) -> dict:
        return {"invariant": self.invariant, "signature": self.sig.go(),
                "recv": None if self.sig.recv is None else str(self.sig.recv),
                "arch": self.arch, "variant": self.variant, "message": self.message,
                "detail": self.detail}


class _Ctx:
    """What one signature's checks share: both layouts, computed once."""

    __slots__ = ("arch", "desc", "sig", "spec", "variant")

    def __init__(self, sig: Signature, arch: Arch, variant: Variant) -> None:
        self.sig = sig
        self.arch = arch
        self.variant = variant
        self.desc: AbiDesc = reflect_assign(sig, arch, variant)
        self.spec: SpecLayout = spec_assign(sig, arch)

    def fail(self, inv: str, msg: str, **detail: object) -> Violation:
        return Violation(inv, self.sig, self.arch.name, self.variant.name, msg, dict(detail))


@dataclass(frozen=True)
class Invariant:
    """One named invariant: statement, rationale, Go source, and its concrete check."""

    id: str
    title: str
    statement: str
    source: str
    check_fn: Callable[[_Ctx], Violation | None] = field(repr=False)
    #: "error": a violation is a flaw; "latent": a discrepancy in state nothing consumes
    severity: str = "error"

    def check(self, sig: Signature, arch: Arch, variant: Variant) -> Violation | None:
        return self.check_fn(_Ctx(sig, arch, variant))


# --------------------------------------------------------------------------------------------
# helpers


def _value_name(sig: Signature, which: str, i: int) -> str:
    if which == "in":
        if sig.recv is not None:
            return "the receiver" if i == 0 else f"arg {i - 1}"
        return f"arg {i}"
    return f"result {i}"


def _where_reflect(steps: tuple[Step, ...], arch: Arch) -> str:
    if not steps:
        return "nowhere (no steps)"
    if steps[0].kind == "stack":
        return f"it on the stack at {steps[0].stkoff}"
    regs = [arch.int_reg_name(s.ireg) if s.kind != "float" else arch.float_reg_name(s.freg)
            for s in steps]
    return "it in " + ",".join(regs)


def _where_spec(p: SpecParam, arch: Arch) -> str:
    if not p.regs:
        return f"it on the stack at {p.stack}"
    regs = [arch.int_reg_name(i) if c == "int" else arch.float_reg_name(i)
            for c, i, *_ in p.regs]
    return "it in " + ",".join(regs)


def _values(c: _Ctx) -> list[tuple[str, int, SpecParam, tuple[Step, ...]]]:
    out = []
    for i, p in enumerate(c.spec.params):
        out.append(("in", i, p, c.desc.call.steps_for(i)))
    for i, p in enumerate(c.spec.results):
        out.append(("out", i, p, c.desc.ret.steps_for(i)))
    return out


# --------------------------------------------------------------------------------------------
# the checks


def _reg_bounds(c: _Ctx) -> Violation | None:
    a = c.arch
    limits = {"int": (a.n_int, "IntArgRegs", a.int_reg_name),
              "float": (a.n_float, "FloatArgRegs", a.float_reg_name)}
    for name, seq in (("argument", c.desc.call), ("result", c.desc.ret)):
        seen: dict[str, set[int]] = {"int": set(), "float": set()}
        for s in seq.steps:
            if s.kind == "stack":
                continue
            cls = "float" if s.kind == "float" else "int"
            idx = s.freg if cls == "float" else s.ireg
            limit, limit_name, reg_name = limits[cls]
            if idx >= limit:
                return c.fail("INV-REG-BOUNDS", f"{name} {cls} register index {idx} >= "
                              f"{limit_name} {limit}")
            if idx in seen[cls]:
                return c.fail("INV-REG-BOUNDS", f"{name} register {reg_name(idx)} given to "
                              "two parts")
            seen[cls].add(idx)
    return None


def _stack_layout(c: _Ctx) -> Violation | None:
    d = c.desc
    ps = c.arch.ptr_size
    spans: list[tuple[int, int, str]] = []
    for which, i, p, steps in _values(c):
        if not steps or steps[0].kind != "stack":
            continue
        st = steps[0]
        lay = layout(p.type, ps)
        nm = _value_name(c.sig, which, i)
        al = lay.align if not (which == "in" and c.sig.recv is not None and i == 0) else ps
        if st.stkoff % al:
            return c.fail("INV-STACK-LAYOUT", f"{nm} at stack offset {st.stkoff} is not "
                          f"{al}-aligned")
        if which == "in" and st.stkoff + st.size > d.stack_call_args_size:
            return c.fail("INV-STACK-LAYOUT", f"{nm} [{st.stkoff},{st.stkoff + st.size}) ends "
                          f"past the argument area ({d.stack_call_args_size})")
        if which == "out" and st.stkoff < d.ret_offset:
            return c.fail("INV-STACK-LAYOUT", f"{nm} at {st.stkoff} is below retOffset "
                          f"{d.ret_offset}")
        if st.stkoff + st.size > d.frame_type_size:
            return c.fail("INV-STACK-LAYOUT", f"{nm} [{st.stkoff},{st.stkoff + st.size}) ends "
                          f"past the frame ({d.frame_type_size})")
        if st.size:
            spans.append((st.stkoff, st.stkoff + st.size, nm))
    spans.sort()
    for (a0, a1, an), (b0, _b1, bn) in itertools.pairwise(spans):
        if b0 < a1:
            return c.fail("INV-STACK-LAYOUT", f"{an} [{a0},{a1}) overlaps {bn} at {b0}")
    if d.ret_offset < d.stack_call_args_size:
        return c.fail("INV-STACK-LAYOUT", f"retOffset {d.ret_offset} < stack args size "
                      f"{d.stack_call_args_size}")
    return None


def _frame(c: _Ctx) -> Violation | None:
    d, s, a = c.desc, c.spec, c.arch
    need = s.offset_to_spill_area + s.spill_area_size
    if d.frame_size < need:
        return c.fail("INV-FRAME-SUFFICIENT", f"reflect reserves frameSize {d.frame_size}, the "
                      f"callee spills into [{s.offset_to_spill_area},{need})",
                      reflect_frame=d.frame_size, spec_need=need)
    if d.frame_type_size < s.offset_to_spill_area:
        return c.fail("INV-FRAME-SUFFICIENT", f"reflect copies {d.frame_type_size} stack bytes, "
                      f"the callee's stack args+results end at {s.offset_to_spill_area}")
    if s.offset_to_spill_area <= MAX_ARGS_FRAME:
        if d.frame_size >= 1 << 32:
            return c.fail("INV-FRAME-SUFFICIENT", f"frameSize {d.frame_size} does not fit the "
                          "uint32 reflectcall takes")
        if a.call_sizes and d.frame_size <= a.call_sizes[-1]:
            n = next(x for x in a.call_sizes if x >= d.frame_size)
            if n < d.frame_size:  # pragma: no cover - DISPATCH picks the first MAXSIZE >= size
                return c.fail("INV-FRAME-SUFFICIENT", f"call{n} < frameSize {d.frame_size}")
    return None


def _agree(c: _Ctx) -> Violation | None:
    a = c.arch
    for which, i, p, steps in _values(c):
        if layout(p.type, a.ptr_size).size == 0:
            continue  # no bytes to place; its alignment effect shows on later values
        nm = _value_name(c.sig, which, i)
        if not p.regs:
            ok = len(steps) == 1 and steps[0].kind == "stack" and steps[0].stkoff == p.stack
        else:
            want = [(cls, idx, off, size) for cls, idx, off, size, _ in p.regs]
            got = [("float" if s.kind == "float" else "int",
                    s.freg if s.kind == "float" else s.ireg, s.offset, s.size)
                   for s in steps if s.kind != "stack"]
            ok = all(s.kind != "stack" for s in steps) and got == want
        if not ok:
            return c.fail("INV-ASSIGN-AGREE", f"reflect puts {nm} "
                          f"{_where_reflect(steps, a)[3:]}, spec puts {_where_spec(p, a)}",
                          value=nm)
    return None


def _sandwich(got: int, lo: int, hi: int) -> tuple[str, int] | None:
    """Where ``lo ⊆ got ⊆ hi`` fails: ("misses", bit) or ("marks", bit)."""
    if lo & ~got:
        return "misses", (lo & ~got).bit_length() - 1
    if got & ~hi:
        return "marks", (got & ~hi).bit_length() - 1
    return None


def _bitmap_stack(c: _Ctx) -> Violation | None:
    ps = c.arch.ptr_size
    lo = hi = 0
    for which, i, p, steps in _values(c):
        if steps and steps[0].kind == "stack":
            w = steps[0].stkoff // ps
            if which == "in" and c.sig.recv is not None and i == 0:
                lo |= 1 << w  # the receiver word is a pointer (RFL-5)
                hi |= 1 << w
            else:
                lay = layout(p.type, ps)
                lo |= lay.heapmask << w
                hi |= lay.gcmask << w
    got = c.desc.stack_ptrs
    bad = _sandwich(got, lo, hi)
    if bad is not None:
        what, w = bad
        msg = ("misses pointer word" if what == "misses" else "marks non-pointer word")
        return c.fail("INV-BITMAP-STACK", f"stackPtrs {msg} {w} (stack offset {w * ps})",
                      heap=bin(lo), pointers=bin(hi), got=bin(got))
    if c.desc.stack_ptrs_n < lo.bit_length():
        return c.fail("INV-BITMAP-STACK", f"stackPtrs has {c.desc.stack_ptrs_n} bits, pointers "
                      f"reach word {lo.bit_length() - 1}")
    return None


def _reg_masks(params: tuple[SpecParam, ...], arch: Arch, sig: Signature,
               args: bool) -> tuple[int, int]:
    """(heap-pointer registers, pointer-holding registers) per spec's assignment (TYP-10)."""
    lo = hi = 0
    types = ([None] if args and sig.recv is not None else []) + list(
        sig.params if args else sig.results)
    for p, t in zip(params, types, strict=True):
        if not p.regs:
            continue
        itabs = set()
        if t is not None:
            parts = reg_parts(t, arch.ptr_size) or ()
            itabs = {q.offset for q in parts if q.itab}
        for cls, idx, off, _size, ptr in p.regs:
            if cls != "int":
                continue
            if ptr:
                lo |= 1 << idx
                hi |= 1 << idx
            elif off in itabs:
                hi |= 1 << idx
    return lo, hi


def _bitmap_regs(c: _Ctx) -> Violation | None:
    a = c.arch
    checks = [("outRegPtrs", c.desc.out_reg_ptrs, c.spec.results, False, "result")]
    # inRegPtrs is consumed only with no receiver (reflect/makefunc.go passes funcLayout(ftyp,
    # nil)); receivers are INV-INREGPTRS-RCVR's business.
    if c.desc.in_reg_ptrs is not None and c.sig.recv is None:
        checks.append(("inRegPtrs", c.desc.in_reg_ptrs, c.spec.params, True, "argument"))
    for name, got, params, args, role in checks:
        lo, hi = _reg_masks(params, a, c.sig, args)
        bad = _sandwich(got, lo, hi)
        if bad is not None:
            what, r = bad
            art = "an" if role[0] in "aeiou" else "a"
            carries = f"carries {art} {role} pointer" if what == "misses" else \
                f"carries no {role} pointer"
            return c.fail("INV-BITMAP-REGS", f"{name} {what} {a.int_reg_name(r)}, which "
                          f"{carries}")
    return None


def _inregptrs_rcvr(c: _Ctx) -> Violation | None:
    if c.desc.in_reg_ptrs is None or c.sig.recv is None:
        return None
    lo, hi = _reg_masks(c.spec.params, c.arch, c.sig, True)
    bad = _sandwich(c.desc.in_reg_ptrs, lo, hi)
    if bad is not None:
        what, r = bad
        return c.fail("INV-INREGPTRS-RCVR", f"with a receiver, inRegPtrs {what} "
                      f"{c.arch.int_reg_name(r)} (" + ("a pointer" if what == "misses" else
                                                      "no pointer") + " there)")
    return None


def abi0_offsets(sig: Signature, ps: int) -> tuple[list[int], list[int], int]:
    """Sequential ABI0 layout (pre-regabi reflect funcLayout, removed by the seed; ABI-0):
    every value, zero-size ones included, at the next offset aligned to its type."""
    off = 0
    ins = []
    if sig.recv is not None:
        ins.append(0)
        off = ps
    for t in sig.params:
        lay = layout(t, ps)
        off = (off + lay.align - 1) & -lay.align
        ins.append(off)
        off += lay.size
    off = (off + ps - 1) & -ps
    ret = off
    outs = []
    for t in sig.results:
        lay = layout(t, ps)
        off = (off + lay.align - 1) & -lay.align
        outs.append(off)
        off += lay.size
    return ins, outs, ret


def _abi0(c: _Ctx) -> Violation | None:
    a0 = c.arch.with_regs(0, 0)
    d = reflect_assign(c.sig, a0, c.variant)
    ps = a0.ptr_size
    ins, outs, ret = abi0_offsets(c.sig, ps)
    if d.ret_offset != ret:
        return c.fail("INV-ABI0", f"with no registers reflect's retOffset is {d.ret_offset}, "
                      f"ABI0's is {ret}")
    for which, offs, seq in (("in", ins, d.call), ("out", outs, d.ret)):
        types = ([None] if which == "in" and c.sig.recv is not None else []) + list(
            c.sig.params if which == "in" else c.sig.results)
        for i, want in enumerate(offs):
            t = types[i]
            if t is not None and layout(t, ps).size == 0:
                continue
            steps = seq.steps_for(i)
            got = steps[0].stkoff if steps and steps[0].kind == "stack" else None
            if got != want:
                return c.fail("INV-ABI0", f"with no registers reflect puts "
                              f"{_value_name(c.sig, which, i)} at {got}, ABI0 at {want}")
    return None


def _regargs(c: _Ctx) -> Violation | None:
    a = c.arch
    want = regargs_layout(a.n_int, a.n_float, a.ptr_size)
    got = a.regargs
    if got != want:
        return c.fail("INV-REGARGS", f"RegArgs table {got} != struct layout {want}")
    # spillArgs/unspillArgs move register i at Ints+i*PtrSize and float j at Floats+j*8
    # (runtime/asm_amd64.s); every step's slot must lie inside RegArgs.
    for s in c.desc.call.steps + c.desc.ret.steps:
        if s.kind in ("int", "ptr"):
            end = got.ints_offset + s.ireg * a.ptr_size + a.ptr_size
            if end > got.floats_offset:
                return c.fail("INV-REGARGS", f"int register {s.ireg} slot ends at {end}, past "
                              f"Ints (Floats at {got.floats_offset})")
        elif s.kind == "float":
            end = got.floats_offset + (s.freg + 1) * 8
            if end > got.ptrs_offset:
                return c.fail("INV-REGARGS", f"float register {s.freg} slot ends at {end}, "
                              f"past Floats (Ptrs at {got.ptrs_offset})")
    return None


CATALOGUE: tuple[Invariant, ...] = (
    Invariant(
        "INV-REG-BOUNDS", "register bounds",
        "Every int register index < IntArgRegs and every float index < FloatArgRegs; no "
        "register is given to two parts of the arguments, nor of the results.",
        "reflect/abi.go assignIntN/assignFloatN; abi-internal.md", _reg_bounds),
    Invariant(
        "INV-STACK-LAYOUT", "stack layout",
        "Stack-assigned values are aligned to their type, pairwise disjoint, arguments end at or "
        "below retOffset, results start at or above it, all inside the frame type.",
        "reflect/abi.go stackAssign, newAbiDesc; abi-internal.md stack layout", _stack_layout),
    Invariant(
        "INV-FRAME-SUFFICIENT", "frame sufficiency",
        "frameSize passed to reflectcall >= the callee's offsetToSpillArea + spillAreaSize; the "
        "frame type covers the stack args and results; the callN that DISPATCH picks >= "
        "frameSize; frameSize fits uint32 for every compilable signature.",
        "reflect/value.go Value.call; runtime/asm_amd64.s reflectcall; abiutils.go", _frame),
    Invariant(
        "INV-ASSIGN-AGREE", "assignment agreement",
        "For every receiver, argument and result, reflect's placement (register of each part and "
        "its offset in the value, or the stack offset) equals the spec algorithm's.",
        "reflect/abi.go regAssign vs abiutils.go ABIAnalyzeTypes; abi-internal.md", _agree),
    Invariant(
        "INV-BITMAP-STACK", "stack bitmap soundness",
        "stackPtrs marks every heap-pointer word of the stack-assigned values (runtime GC mask, "
        "TYP-10) and only words that hold pointers (TYP-9); the receiver word is a pointer.",
        "reflect/abi.go newAbiDesc addTypeBits; reflect/type.go funcLayout", _bitmap_stack),
    Invariant(
        "INV-BITMAP-REGS", "register bitmap soundness",
        "outRegPtrs (and inRegPtrs, where it exists and is consumed) marks every integer "
        "register that carries a heap-pointer part, and only registers that carry pointers.",
        "reflect/abi.go newAbiDesc; runtime/mbarrier.go reflectcallmove; reflect/makefunc.go",
        _bitmap_regs),
    Invariant(
        "INV-INREGPTRS-RCVR", "inRegPtrs with a receiver",
        "With a receiver, inRegPtrs also has bit i exactly when argument register i carries a "
        "heap pointer. Nothing in Go consumes inRegPtrs for a receiver layout, so a violation "
        "is latent.",
        "reflect/abi.go newAbiDesc in.stepsForValue(i); reflect/makefunc.go:66,120",
        _inregptrs_rcvr, severity="latent"),
    Invariant(
        "INV-ABI0", "ABI0 equivalence",
        "With zero registers, reflect's layout equals the sequential ABI0 layout.",
        "seed reflect/type.go funcLayout (pre-regabi code); abi-internal.md", _abi0),
    Invariant(
        "INV-REGARGS", "RegArgs agreement",
        "The arch table's RegArgs layout equals internal/abi.RegArgs's struct layout, and every "
        "register slot spillArgs/unspillArgs use lies in its array.",
        "internal/abi/abi.go RegArgs; runtime/asm_amd64.s spillArgs/unspillArgs", _regargs),
)

_BY_ID = {i.id: i for i in CATALOGUE}


def get_invariant(inv_id: str) -> Invariant:
    try:
        return _BY_ID[inv_id]
    except KeyError:
        from regabi.errors import InputError

        raise InputError(f"unknown invariant {inv_id!r} (known: {', '.join(_BY_ID)})") from None


def check_all(sig: Signature, arch: Arch, variant: Variant,
              invariants: tuple[Invariant, ...] = CATALOGUE) -> list[Violation]:
    """Every violation of ``invariants`` for one signature (shares one layout computation)."""
    c = _Ctx(sig, arch, variant)
    out = []
    for inv in invariants:
        v = inv.check_fn(c)
        if v is not None:
            out.append(v)
    return out
