"""Windows callbacks (``syscall.NewCallback``): the runtime's own C→Go assignment, and the C
conventions on the other side (spec/paths.md, rules CB-1 … CB-12).

Everything cites go1.27.3 src/runtime/syscall_windows.go (``SW``) unless it says otherwise. The
register path arrived with the amd64 register ABI in go1.17 (CL 300113 era; the pre-register
version copied to the Go stack only); the text of compileCallback/callbackWrap is the same
from go1.21.13 to go1.27.3 (research note wincallback.md §8, diffed per release).

Three layers:

* :func:`cb_type` — what compileCallback reads of one parameter type: size, alignment, whether
  the top-level kind is a float, and the *walk* of tryRegAssignArg (SW:171-199) as a list of
  events: a register leaf ``(offset, size)`` or the panic it would reach. This is concrete (it
  walks a :class:`~regabi.model.types.GoType`).
* :func:`cb_arg` / :func:`cb_finish` — assignArg (SW:93-163) and compileCallback's frame
  arithmetic (SW:277-307) as a fold over a :class:`~regabi.model.domain.Domain`: the state is
  four integers, each parameter contributes a :class:`CbArg` summary, and every branch is a
  ``D.ite``. :func:`compile_callback` runs it concretely and expands the copy steps (parts).
* :func:`check_signature` — each placement against the compiler's ABIInternal
  (:func:`regabi.model.assign.spec_assign`) and against the C convention of the platform.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import SpecLayout, spec_assign
from regabi.model.domain import CONCRETE, Domain
from regabi.model.sig import Signature
from regabi.model.types import Array, GoType, Kind, Struct, layout

__all__ = [
    "ARCHES",
    "FIXES",
    "CbArg",
    "CbLayout",
    "CbType",
    "Mismatch",
    "Part",
    "Refused",
    "c_passing",
    "call_class",
    "cb_arg",
    "cb_finish",
    "cb_type",
    "check_signature",
    "compile_callback",
]

SW = "go1.27.3 src/runtime/syscall_windows.go"
#: the GOARCHes with a windows port in go1.27.3 (windows/arm was removed in go1.26)
ARCHES = ("amd64", "arm64", "386")

# tryRegAssignArg's first case (SW:173) and the 64-bit one (SW:176-180).
_REG_KINDS = frozenset({Kind.BOOL, Kind.INT, Kind.INT8, Kind.INT16, Kind.INT32, Kind.UINT,
                        Kind.UINT8, Kind.UINT16, Kind.UINT32, Kind.UINTPTR, Kind.POINTER,
                        Kind.UNSAFE_POINTER})
_WORD64 = frozenset({Kind.INT64, Kind.UINT64})


class Refused(Exception):
    """compileCallback panics: the runtime refuses the signature (not a violation)."""

    def __init__(self, message: str, cite: str) -> None:
        super().__init__(message)
        self.message = message
        self.cite = cite


class CbType(NamedTuple):
    """One parameter type as assignArg sees it (CB-2 … CB-4)."""

    size: int
    align: int
    top_float: bool  # Float32/Float64 at the top level (SW:103)
    leaves: tuple[tuple[int, int], ...]  # register leaves (offset, size) before any panic
    panic: str | None  # the message of the panic the walk reaches after ``leaves``, if any


def _walk(t: GoType, off: int, ps: int, out: list[tuple[int, int]]) -> str | None:
    """tryRegAssignArg's recursion (SW:171-199); returns the panic it reaches, else None."""
    k = t.kind
    if k in _REG_KINDS or (k in _WORD64 and ps == 8):
        out.append((off, layout(t, ps).size))
        return None
    u = t.underlying
    if isinstance(u, Array) and u.length == 1:
        return _walk(u.elem, off, ps, out)
    if isinstance(u, Struct):
        lay = layout(u, ps)
        for f, foff in zip(u.fields, lay.offsets, strict=True):
            msg = _walk(f.type, off + foff, ps, out)
            if msg is not None:
                return msg
        return None
    # SW:196-198: everything else, at any depth (the runtime prints the type's name)
    return f"compileCallback: type {t} is currently not supported for use in system callbacks"


def cb_type(t: GoType, ps: int) -> CbType:
    lay = layout(t, ps)
    leaves: list[tuple[int, int]] = []
    msg = _walk(t, 0, ps, leaves) if lay.size else None
    return CbType(lay.size, lay.align, t.kind in (Kind.FLOAT32, Kind.FLOAT64), tuple(leaves),
                  msg)


class CbArg(NamedTuple):
    """The numbers the fold needs of one parameter (concrete ints, or domain terms)."""

    size: Any
    align: Any
    n: Any  # register leaves the walk tries before it ends or panics
    panics: Any  # the walk ends in a panic after its ``n`` leaves


def cb_arg_of(ct: CbType) -> CbArg:
    return CbArg(ct.size, ct.align, len(ct.leaves), ct.panic is not None)


class CbState(NamedTuple):
    """abiDesc's counters (SW:80-91)."""

    src: Any  # srcStackSize
    dst: Any  # dstStackSize
    spill: Any  # dstSpill
    regs: Any  # dstRegisters


class CbStep(NamedTuple):
    """What assignArg did with one parameter."""

    zero: Any  # size 0: only aligned dstStackSize (SW:112-116)
    reg: Any  # tryRegAssignArg succeeded (SW:127-133)
    panic: Any  # the walk reached a panic (SW:198) — the signature is refused
    first_reg: Any  # dstRegisters before the parameter
    stack_off: Any  # its dstStackOffset when stack-assigned (SW:140)
    src_off: Any  # its C slot offset (srcStackSize before it)
    regs_after: Any  # dstRegisters after it (not restored on failure, SW:134-137)


def cb_init() -> CbState:
    return CbState(0, 0, 0, 0)


def cb_arg(D: Domain, st: CbState, a: CbArg, n_int: Any, ps: int,
           rollback: bool = False, zero_slot: bool = False) -> tuple[CbState, CbStep]:
    """assignArg(t) for a parameter that passed the size and float checks (SW:93-163).

    The walk assigns leaves one register each while ``dstRegisters < intArgRegs`` (assignReg
    SW:206-218); it fails at the first leaf without a register, or panics if it reaches an
    unsupported kind first. On failure the parts are undone but dstRegisters keeps the leaves
    already assigned (SW:126-137): that is every remaining register, since a failure only
    happens when they ran out. ``rollback=True`` is the proposed fix (restore dstRegisters with
    the parts, as ABIInternal does, ASG-2); ``zero_slot=True`` the fix of P-6 (a zero-size
    argument consumes its C slot, as C compilers pass one)."""
    zero = D.eq(a.size, 0)
    free = D.ite(D.ult(st.regs, n_int), n_int - st.regs, 0)
    panic = D.and_(D.not_(zero), a.panics, D.ule(a.n, free))
    reg = D.and_(D.not_(zero), D.not_(a.panics), D.ule(a.n, free))
    stack = D.and_(D.not_(zero), D.not_(panic), D.not_(reg))
    off = D.align(st.dst, a.align)
    regs = D.ite(reg, st.regs + a.n, st.regs if rollback else D.ite(stack, st.regs + free,
                                                                       st.regs))
    dst = D.ite(zero, off, D.ite(stack, off + a.size, st.dst))
    spill = D.ite(reg, D.align(st.spill, a.align) + a.size, st.spill)
    # SW:160-162: one C word per argument — but none for a zero-size one (SW:112-116)
    src = st.src + ps if zero_slot else D.ite(zero, st.src, st.src + ps)
    return (CbState(src, dst, spill, regs),
            CbStep(zero, reg, panic, st.regs, off, st.src, regs))


class CbFinal(NamedTuple):
    ret_offset: Any  # SW:279-280
    stack_args_size: Any  # dstStackSize passed to reflectcall (SW:387)
    frame_size: Any  # SW:303-304, recomputed identically in callbackWrap SW:382-383
    too_large: Any  # SW:305-307


def cb_finish(D: Domain, st: CbState, n_int: Any, ps: int) -> CbFinal:
    dst = D.align(st.dst, ps)
    dst2 = D.ite(D.eq(n_int, 0), dst + ps, dst)  # SW:294-299: 386 reserves the result word
    frame = D.align(dst2, ps) + st.spill
    return CbFinal(dst, dst2, frame, D.ult(64 * ps, frame))


# --------------------------------------------------------------------------------------------
# Concrete facade


class Part(NamedTuple):
    """An abiPart (SW:56-62): ``kind`` "reg" (dst = register) or "stack" (dst = offset)."""

    kind: str
    src: int
    dst: int
    len: int


class CbParam(NamedTuple):
    type: GoType
    where: str  # "reg", "stack", "zero"
    regs: tuple[tuple[int, int, int], ...]  # (register, offset in value, size) per leaf
    stack: int | None  # dstStackOffset (stack) or the aligned offset (zero)
    slot: int | None  # C slot offset (srcStackSize), None for zero-size


class CbLayout(NamedTuple):
    arch: str
    params: tuple[CbParam, ...]
    parts: tuple[Part, ...]
    src_stack_size: int
    stack_args_size: int  # what reflectcall copies (dstStackSize after SW:294-299)
    ret_offset: int
    spill: int
    frame_size: int
    regs_used: int
    result_from: str  # "Ints[0]" or "frame[retOffset]" (SW:394-402)


def _refuse_result(sig: Signature, arch: Arch) -> None:
    msg = "compileCallback: expected function with one uintptr-sized result"
    if len(sig.results) != 1:
        raise Refused(msg, f"{SW}:282-283")
    r = sig.results[0]
    if layout(r, arch.ptr_size).size != arch.ptr_size:
        raise Refused(msg, f"{SW}:285-286")
    if r.kind in (Kind.FLOAT32, Kind.FLOAT64):
        raise Refused("compileCallback: float results not supported", f"{SW}:288-293")


#: the proposed fixes (spec/paths.md P-1 … P-3), each confirmed on the real runtime by
#: proofs/paths.py CALLBACK_FIXES through go build -overlay
FIXES = frozenset({"rollback", "refuse-byref", "refuse-result", "zero-slot"})


def compile_callback(sig: Signature, arch: Arch | str,
                     fixes: frozenset[str] = frozenset()) -> CbLayout:
    """compileCallback(fn, cdecl) for a function of type ``sig`` (SW:261-307): the abiDesc and
    the frame callbackWrap gives reflectcall, or :class:`Refused` with the panic's message.
    ``fixes`` applies proposed fixes from :data:`FIXES` (variant ``fixed``)."""
    if isinstance(arch, str):
        arch = load_arch(arch)
    if sig.recv is not None:
        raise Refused("compileCallback: expected function with one uintptr-sized result",
                      f"{SW}:267-269 (a method expression is a func of the receiver)")
    D, ps, n_int = CONCRETE, arch.ptr_size, arch.n_int
    st = cb_init()
    parts: list[Part] = []
    params: list[CbParam] = []
    for t in sig.params:  # SW:274-276: the checks run per parameter, in order
        ct = cb_type(t, ps)
        if ct.size > ps:
            raise Refused("compileCallback: argument size is larger than uintptr", f"{SW}:101")
        if arch.name != "386" and ct.top_float:
            raise Refused("compileCallback: float arguments not supported", f"{SW}:109")
        if ("refuse-byref" in fixes and arch.name == "amd64" and ct.size & (ct.size - 1)
                and t.underlying.kind in (Kind.STRUCT, Kind.ARRAY)):
            raise Refused("compileCallback: aggregate argument passed by reference in C",
                          "fix P-2")
        st, step = cb_arg(D, st, cb_arg_of(ct), n_int, ps, rollback="rollback" in fixes,
                          zero_slot="zero-slot" in fixes and arch.name == "amd64")
        if step.panic:
            raise Refused(ct.panic or "", f"{SW}:198")
        if step.zero:
            params.append(CbParam(t, "zero", (), step.stack_off,
                                  step.src_off if st.src != step.src_off else None))
        elif step.reg:
            regs = tuple((step.first_reg + i, off, sz) for i, (off, sz) in enumerate(ct.leaves))
            parts += [Part("reg", step.src_off + off, r, sz) for r, off, sz in regs]
            params.append(CbParam(t, "reg", regs, None, step.src_off))
        else:
            p = Part("stack", step.src_off, step.stack_off, ct.size)
            last = parts[-1] if parts else None
            if (last is not None and last.kind == "stack" and last.src + last.len == p.src
                    and last.dst + last.len == p.dst):  # tryMerge SW:64-73
                parts[-1] = last._replace(len=last.len + p.len)
            else:
                parts.append(p)
            params.append(CbParam(t, "stack", (), step.stack_off, step.src_off))
    _refuse_result(sig, arch)
    if "refuse-result" in fixes and n_int > 0:
        rt = cb_type(sig.results[0], ps)
        if rt.panic is not None and len(rt.leaves) <= n_int:
            raise Refused(rt.panic, f"fix P-3 via {SW}:198")
        if len(rt.leaves) != 1:
            raise Refused("compileCallback: result not returned in one integer register",
                          "fix P-3")
    fin = cb_finish(D, st, n_int, ps)
    if fin.too_large:
        raise Refused("compileCallback: function argument frame too large", f"{SW}:305-306")
    return CbLayout(arch.name, tuple(params), tuple(parts), st.src, fin.stack_args_size,
                    fin.ret_offset, st.spill, fin.frame_size, st.regs,
                    "frame[retOffset]" if fin.stack_args_size != fin.ret_offset else "Ints[0]")


def call_class(frame_size: int, arch: Arch) -> int:
    """The callNN reflectcall picks: the smallest size class >= frameSize (asm_amd64.s:728-757
    DISPATCH; same table on every arch)."""
    return next(c for c in arch.call_sizes if c >= frame_size)


# --------------------------------------------------------------------------------------------
# The C side (CB-10 … CB-12)


def c_passing(t: GoType, arch: str, ps: int) -> str:
    """How the platform's C convention passes an argument of the C type with ``t``'s layout:
    "value" (its bytes in the low bytes of one slot), "reference" (the slot holds a pointer to
    a caller-made copy), or "none" (no slot).

    A zero-size argument has no ISO C type; GNU C's empty struct is passed by reference in its
    own slot by mingw gcc 12 on windows/amd64 (VERIFIED under Wine, spec/paths.md P-6; MSVC C++
    gives an empty class size 1, by value in a slot, so a slot is taken either way). On arm64
    and 386 GNU C passes no slot for it (UNVERIFIED on Windows).

    * windows/amd64 (Microsoft x64): scalars by value; aggregates of size 1, 2, 4, 8 by value as
      an integer of that size, any other size by reference (VERIFIED under Wine for size 3,
      tests/test_wine.py::test_struct3_arrives_by_reference).
    * windows/arm64 (AAPCS64 as used by Windows): composites <= 16 bytes by value in X
      registers (UNVERIFIED: nothing here runs arm64 Windows code).
    * windows/386 (stdcall/cdecl): everything by value on the stack, rounded to 4 bytes."""
    size = layout(t, ps).size
    if size == 0:
        return "reference" if arch == "amd64" else "none"
    agg = t.underlying.kind in (Kind.STRUCT, Kind.ARRAY)
    if arch == "amd64" and agg and size not in (1, 2, 4, 8):
        return "reference"
    return "value"


# --------------------------------------------------------------------------------------------
# Against the spec


class Mismatch(NamedTuple):
    invariant: str  # INV-CB-ASSIGN, INV-CB-RESULT, INV-CB-FRAME, INV-CB-SPILL, INV-CB-CSIDE
    status: str  # "VIOLATED" (the callee reads wrong data) or "LATENT"
    what: str
    cite: str


def _spec_where(sp: Any) -> tuple[str, Any]:
    if sp.regs:
        return "reg", tuple((idx, off, size) for cls, idx, off, size, _ in sp.regs)
    return "stack", sp.stack


def check_signature(sig: Signature, arch: Arch | str, fixes: frozenset[str] = frozenset()
                    ) -> tuple[CbLayout, list[Mismatch]]:
    """compileCallback's layout of ``sig`` against ABIInternal (spec_assign) and the C
    convention; raises :class:`Refused` for signatures the runtime refuses."""
    if isinstance(arch, str):
        arch = load_arch(arch)
    cb = compile_callback(sig, arch, fixes)
    spec: SpecLayout = spec_assign(sig, arch)
    ps = arch.ptr_size
    out: list[Mismatch] = []
    for i, (p, sp) in enumerate(zip(cb.params, spec.params, strict=True)):
        kind, where = _spec_where(sp)
        if p.where == "zero":
            # ASG-4: zero-size values sit at an aligned offset and nothing is copied; but if C
            # passes a slot for it, every later argument is read one slot early (P-6).
            later = [j for j, q in enumerate(cb.params) if j > i and q.where != "zero"]
            if c_passing(p.type, arch.name, ps) != "none" and later and p.slot is None:
                out.append(Mismatch("INV-CB-CSIDE", "VIOLATED",
                                    f"argument {i} ({p.type}) is zero-size: C passes it in a "
                                    "slot, compileCallback consumes none, so arguments "
                                    f"{later} are read from the previous slot",
                                    f"{SW}:112-116,160-162"))
            continue
        if p.where == "reg" and integer_regs(sp) and (kind, where) == ("reg", p.regs):
            pass
        elif p.where == "stack" and (kind, where) == ("stack", p.stack):
            pass
        else:
            got = (f"registers {[r for r, _, _ in p.regs]}" if p.where == "reg"
                   else f"Go stack offset {p.stack}")
            want = (f"registers {[r for r, _, _ in where]}" if kind == "reg"
                    else f"stack offset {where}")
            out.append(Mismatch("INV-CB-ASSIGN", "VIOLATED",
                                f"argument {i} ({p.type}): callbackWrap puts it in {got}; "
                                f"ABIInternal reads it from {want}", f"{SW}:126-137,206-218"))
        cp = c_passing(p.type, arch.name, ps)
        if cp == "reference":
            out.append(Mismatch("INV-CB-CSIDE", "VIOLATED",
                                f"argument {i} ({p.type}, size {layout(p.type, ps).size}): "
                                "Windows x64 C passes it by reference; callbackWrap copies "
                                "the pointer's low bytes as the value", f"{SW}:93-163"))
    r = spec.results[0]
    if cb.result_from == "Ints[0]":
        ok = [(c, i, o, s) for c, i, o, s, _ in r.regs] == [("int", 0, 0, ps)]
        if not ok:
            kind, where = _spec_where(r)
            want = (f"registers {[(c, i) for c, i, _, _, _ in r.regs]}" if kind == "reg"
                    else f"the stack at offset {where}")
            out.append(Mismatch("INV-CB-RESULT", "VIOLATED",
                                f"result ({r.type}): callbackWrap returns Ints[0]; ABIInternal "
                                f"returns it in {want}", f"{SW}:282-293,394-402"))
    elif r.stack != cb.ret_offset:
        out.append(Mismatch("INV-CB-RESULT", "VIOLATED",
                            f"result ({r.type}): callbackWrap reads frame[{cb.ret_offset}]; "
                            f"ABIInternal writes offset {r.stack}", f"{SW}:394-402"))
    # The callee's argument area (FRM-1, FRM-2); only the callNN size class reflectcall picks
    # from frameSize bounds what the callee may touch (asm_amd64.s:728-757).
    need = spec.offset_to_spill_area + spec.spill_area_size
    cls = call_class(cb.frame_size, arch)
    if cls < need or _align(cb.frame_size, arch.reg_size) < need:
        out.append(Mismatch("INV-CB-FRAME", "VIOLATED" if cls < need else "LATENT",
                            f"frameSize {cb.frame_size} < the callee's argument area {need} "
                            f"(stack args+results {spec.offset_to_spill_area}, spill "
                            f"{spec.spill_area_size}); reflectcall picks call{cls}",
                            f"{SW}:301-304,382-387"))
    if _align(cb.spill, arch.reg_size) != spec.spill_area_size:
        out.append(Mismatch("INV-CB-SPILL", "LATENT",
                            f"dstSpill {cb.spill} != the spec's spill area "
                            f"{spec.spill_area_size}", f"{SW}:128-133"))
    return cb, out


def integer_regs(sp: Any) -> bool:
    return all(cls == "int" for cls, *_ in sp.regs)


def _align(x: int, a: int) -> int:
    return (x + a - 1) // a * a
