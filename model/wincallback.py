"""Windows callbacks (``syscall.NewCallback``): the runtime's own C→Go assignment, and the C
conventions on the other side (spec/paths.md, rules CB-1 … CB-13).

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


class CbWalk(NamedTuple):
    """tryRegAssignArg's walk of one type (CB-4) as a fold over type structure, written over a
    domain like the type summaries (model/summary.py): the concrete facade :func:`cb_type`
    and the symbolic types of the proofs (proofs/pathprove.py) run the same functions."""

    n: Any  # register leaves the walk visits before it ends or panics
    panics: Any  # the walk reaches a kind it has no case for (SW:196-198)
    top_float: Any  # the type's own kind is Float32/Float64 (SW:103)
    agg: Any  # the type's own kind is Struct or Array (C passes it as an aggregate, CB-10)
    leaves: tuple[tuple[int, int], ...]  # concrete only: (offset, size) of each leaf
    msg: str | None  # concrete only: the panic's message


def _unsupported(t: GoType) -> str:
    # SW:196-198: everything else, at any depth (the runtime prints the type's name)
    return f"compileCallback: type {t} is currently not supported for use in system callbacks"


def cb_leaf(t: GoType, ps: int) -> CbWalk:
    """A non-composite kind: one leaf (SW:173-180) or a panic (SW:196-198)."""
    k = t.kind
    top_float = k in (Kind.FLOAT32, Kind.FLOAT64)
    if k in _REG_KINDS or (k in _WORD64 and ps == 8):
        return CbWalk(1, False, top_float, False, ((0, layout(t, ps).size),), None)
    return CbWalk(0, True, top_float, False, (), _unsupported(t))


def cb_array(D: Domain, length: Any, e: CbWalk, msg: str | None = None) -> CbWalk:
    """``[1]T`` walks as T (SW:181-185); any other length panics at once."""
    one = D.eq(length, 1)
    return CbWalk(D.ite(one, e.n, 0), D.ite(one, e.panics, True), False, True,
                  e.leaves if D.concrete and one else (),
                  (e.msg if one else msg) if D.concrete else None)


def cb_struct_begin() -> CbWalk:
    return CbWalk(0, False, False, True, (), None)


def cb_struct_field(D: Domain, acc: CbWalk, f: CbWalk, off: Any) -> CbWalk:
    """A struct walks its fields in order (SW:186-195) and stops at the first panic."""
    n = acc.n + D.ite(acc.panics, 0, f.n)
    if D.concrete:
        if acc.panics:
            return acc
        return CbWalk(n, f.panics, False, True,
                      acc.leaves + tuple((off + o, sz) for o, sz in f.leaves), f.msg)
    return CbWalk(n, D.or_(acc.panics, f.panics), False, True, (), None)


def cb_walk(t: GoType, ps: int) -> CbWalk:
    """The concrete walk of ``t``, by the fold above."""
    u = t.underlying
    if isinstance(u, Array):
        e = cb_walk(u.elem, ps)
        return cb_array(CONCRETE, u.length, e, _unsupported(t))._replace(
            top_float=t.kind in (Kind.FLOAT32, Kind.FLOAT64))
    if isinstance(u, Struct):
        acc = cb_struct_begin()
        for f, foff in zip(u.fields, layout(u, ps).offsets, strict=True):
            acc = cb_struct_field(CONCRETE, acc, cb_walk(f.type, ps), foff)
        return acc
    return cb_leaf(t, ps)


def cb_type(t: GoType, ps: int) -> CbType:
    lay = layout(t, ps)
    w = cb_walk(t, ps)
    if not lay.size:
        return CbType(lay.size, lay.align, w.top_float, (), None)
    return CbType(lay.size, lay.align, bool(w.top_float), w.leaves, w.msg if w.panics else None)


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
    #: bytes of C arguments the callback pops before it returns (CB-13): srcStackSize for a
    #: stdcall callback on 386, else 0
    ret_pop: int = 0


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


class CbPre(NamedTuple):
    """compileCallback's checks of one parameter before assignArg's walk (CB-2)."""

    too_big: Any  # size > PtrSize (SW:94-102)
    float: Any  # a top-level float off 386 (SW:103-110)
    byref: Any  # fix P-2: an aggregate windows/amd64 C passes by reference

    def any(self, D: Domain) -> Any:
        return D.or_(self.too_big, self.float, self.byref)


def cb_precheck(D: Domain, size: Any, w: CbWalk, arch: str, ps: int,
                fixes: frozenset[str] = frozenset()) -> CbPre:
    byref: Any = False
    if "refuse-byref" in fixes and arch == "amd64":
        byref = D.and_(w.agg, D.not_(D.or_(*[D.eq(size, k) for k in (0, 1, 2, 4, 8)])))
    return CbPre(D.ult(ps, size), w.top_float if arch != "386" else False, byref)


class CbRes(NamedTuple):
    """compileCallback's checks of the one result (CB-2; the result count is checked first)."""

    bad_size: Any  # SW:285-286
    float: Any  # SW:288-293
    fix_panic: Any  # fix P-3: its walk panics before it runs out of registers
    fix_not_one: Any  # fix P-3: its walk is not exactly one integer register

    def any(self, D: Domain) -> Any:
        return D.or_(self.bad_size, self.float, self.fix_panic, self.fix_not_one)


def cb_result_check(D: Domain, size: Any, w: CbWalk, n_int: int, ps: int,
                    fixes: frozenset[str] = frozenset()) -> CbRes:
    bad = D.not_(D.eq(size, ps))
    flt = D.and_(D.not_(bad), w.top_float)
    fp: Any = False
    fn: Any = False
    if "refuse-result" in fixes and n_int > 0:
        ok = D.and_(D.not_(bad), D.not_(flt))
        fp = D.and_(ok, w.panics, D.ule(w.n, n_int))
        fn = D.and_(ok, D.not_(fp), D.not_(D.eq(w.n, 1)))
    return CbRes(bad, flt, fp, fn)


def call_class_d(D: Domain, frame: Any, arch: Arch) -> Any:
    """:func:`call_class` over a domain: the smallest size class >= ``frame`` (frames above
    the largest class do not occur: compileCallback refuses frames over 64 words)."""
    sizes = arch.call_sizes
    out: Any = sizes[-1]
    for c in reversed(sizes[:-1]):
        out = D.ite(D.ule(frame, c), c, out)
    return out


def compile_callback(sig: Signature, arch: Arch | str,
                     fixes: frozenset[str] = frozenset(), cdecl: bool = True) -> CbLayout:
    """compileCallback(fn, cdecl) for a function of type ``sig`` (SW:261-314): the abiDesc and
    the frame callbackWrap gives reflectcall, or :class:`Refused` with the panic's message.
    ``fixes`` applies proposed fixes from :data:`FIXES` (variant ``fixed``). ``cdecl`` is the
    runtime's argument: ``syscall.NewCallback`` passes true, ``NewCallbackCDecl`` false
    (go1.27.3 src/syscall/syscall_windows.go:234-246); CB-13."""
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
        pre = cb_precheck(D, ct.size, cb_walk(t, ps), arch.name, ps, fixes)
        if pre.too_big:
            raise Refused("compileCallback: argument size is larger than uintptr", f"{SW}:101")
        if pre.float:
            raise Refused("compileCallback: float arguments not supported", f"{SW}:109")
        if pre.byref:
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
    rw = cb_walk(sig.results[0], ps)
    rc = cb_result_check(D, ps, rw, n_int, ps, fixes)
    if rc.fix_panic:
        raise Refused(rw.msg or "", f"fix P-3 via {SW}:198")
    if rc.fix_not_one:
        raise Refused("compileCallback: result not returned in one integer register",
                      "fix P-3")
    fin = cb_finish(D, st, n_int, ps)
    if fin.too_large:
        raise Refused("compileCallback: function argument frame too large", f"{SW}:305-306")
    # CB-13: cdecl is forced false off 386 (SW:262-265); when true the callback pops the C
    # arguments (SW:309-314, sys_windows_386.s:122-135): stdcall, despite the name
    ret_pop = st.src if cdecl and arch.goarch == "386" else 0
    return CbLayout(arch.name, tuple(params), tuple(parts), st.src, fin.stack_args_size,
                    fin.ret_offset, st.spill, fin.frame_size, st.regs,
                    "frame[retOffset]" if fin.stack_args_size != fin.ret_offset else "Ints[0]",
                    ret_pop)


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
    gives an empty class size 1, by value in a slot, so a slot is taken either way). On 386 GNU
    C passes no slot for it (VERIFIED under Wine, CB-12), nor on arm64 (UNVERIFIED on Windows).

    * windows/amd64 (Microsoft x64): scalars by value; aggregates of size 1, 2, 4, 8 by value as
      an integer of that size, any other size by reference (VERIFIED under Wine for size 3,
      tests/test_wine.py::test_struct3_arrives_by_reference).
    * windows/arm64 (AAPCS64 as used by Windows): composites <= 16 bytes by value in X
      registers (UNVERIFIED: nothing here runs arm64 Windows code).
    * windows/386 (stdcall/cdecl): everything by value on the stack, rounded to 4 bytes
      (VERIFIED under Wine, tests/test_paths_wincallback.py CASES_386)."""
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


def _reg_names(arch: Arch, regs: Any) -> str:
    """Registers by their names in spec/arch (``AX, BX``; ``X0``), from ``(class, index)``
    pairs or bare integer-register indices."""
    names = [arch.float_regs[r[1]] if isinstance(r, tuple) and r[0] == "float" else
             arch.int_regs[r[1] if isinstance(r, tuple) else r] for r in regs]
    return ", ".join(names)


def _numbers(what: str, xs: list[int]) -> str:
    return f"{what}{'s' if len(xs) > 1 else ''} {', '.join(map(str, xs))}"


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
                                    "slot, compileCallback consumes none, so "
                                    f"{_numbers('argument', later)} "
                                    f"{'are' if len(later) > 1 else 'is'} read from the "
                                    "previous slot",
                                    f"{SW}:112-116,160-162"))
            continue
        if p.where == "reg" and integer_regs(sp) and (kind, where) == ("reg", p.regs):
            pass
        elif p.where == "stack" and (kind, where) == ("stack", p.stack):
            pass
        else:
            got = ("in " + _reg_names(arch, [r for r, _, _ in p.regs]) if p.where == "reg"
                   else f"at Go stack offset {p.stack}")
            want = (_reg_names(arch, [r for r, _, _ in where]) if kind == "reg"
                    else f"stack offset {where}")
            out.append(Mismatch("INV-CB-ASSIGN", "VIOLATED",
                                f"argument {i} ({p.type}): callbackWrap puts it {got}; "
                                f"ABIInternal reads it from {want}", f"{SW}:126-137,206-218"))
        cp = c_passing(p.type, arch.name, ps)
        if cp == "reference":
            out.append(Mismatch("INV-CB-CSIDE", "VIOLATED",
                                f"argument {i} ({p.type}, size {layout(p.type, ps).size}): "
                                "Windows x64 C passes it by reference; callbackWrap copies "
                                "the pointer's low bytes as the value", f"{SW}:93-163"))
    r = spec.results[0]
    if cb.result_from == "Ints[0]":
        # one integer part at offset 0: the bytes above it are padding (a size-PtrSize type
        # with one part), unspecified on both sides
        ok = [(c, i, o) for c, i, o, _s, _ in r.regs] == [("int", 0, 0)]
        if not ok:
            kind, where = _spec_where(r)
            want = (_reg_names(arch, [(c, i) for c, i, _, _, _ in r.regs]) if kind == "reg"
                    else f"the stack at offset {where}")
            out.append(Mismatch("INV-CB-RESULT", "VIOLATED",
                                f"result ({r.type}): callbackWrap returns Ints[0] "
                                f"({arch.int_regs[0]}); ABIInternal returns it in {want}",
                                f"{SW}:282-293,394-402"))
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
                            f"callbackWrap reserves dstSpill {cb.spill} bytes of spill "
                            f"space, the spec's spill area is {spec.spill_area_size}",
                            f"{SW}:128-133"))
    return cb, out


def integer_regs(sp: Any) -> bool:
    return all(cls == "int" for cls, *_ in sp.regs)


def _align(x: int, a: int) -> int:
    return (x + a - 1) // a * a


# --------------------------------------------------------------------------------------------
# The fold the proofs observe: compileCallback and the spec side by side, one event per
# parameter and one for the result and the frame, each invariant an obligation over a domain.
# ``regabi prove --path wincallback`` runs it over Z3 terms (proofs/pathprove.py); the
# concrete run (:func:`cb_fold_check`) must agree with :func:`check_signature`.

#: the invariants of the fold; INV-CB-SPILL is latent (the spill area's size is never read
#: past the frame: only a short frame would be, INV-CB-FRAME)
CB_FOLD_INVARIANTS = ("INV-CB-ASSIGN", "INV-CB-RESULT", "INV-CB-FRAME", "INV-CB-SPILL",
                      "INV-CB-CSIDE")
CB_LATENT = frozenset({"INV-CB-SPILL"})


class CbVal(NamedTuple):
    """One parameter or the result as the fold sees it: the spec's summary (size, alignment,
    ASG-3 decomposition) and compileCallback's walk of the same type."""

    s: Any  # model.summary.Summary
    w: CbWalk


class CbJoint(NamedTuple):
    cb: CbState
    spec: Any  # model.assign.SpecState
    refused: Any  # a parameter so far was refused (CB-2)
    pending_zero: Any  # a zero-size argument took no C slot though C passed one (CB-3, P-6)


class CbOb(NamedTuple):
    inv: str
    cond: Any
    msg: str


def cb_fold_init() -> CbJoint:
    from regabi.model.assign import spec_init

    return CbJoint(cb_init(), spec_init(), False, False)


def _spec_whole(D: Domain, st: Any, s: Any, regs: Any, result: bool) -> tuple[Any, Any]:
    """The spec's begin, its groups (their registers counted as a whole: WF-COUNTS), end."""
    from regabi.model.assign import spec_begin, spec_end

    cur = spec_begin(D, st, s, regs)
    cur = cur._replace(ci=cur.ci + s.spec.ni, cf=cur.cf + s.spec.nf)
    return spec_end(D, st, cur, s, result), cur


def cb_fold_param(D: Domain, arch: Arch, fixes: frozenset[str], J: CbJoint, v: CbVal,
                  index: int) -> tuple[CbJoint, list[CbOb]]:
    """One parameter: CB-2's checks, assignArg (cb_arg), the spec's assignment (ASG-2), and
    the obligations of INV-CB-ASSIGN and INV-CB-CSIDE, each conditioned on no refusal so far
    (a refused signature is no violation: the runtime panics at NewCallback)."""
    from regabi.model.assign import Regs

    ps, n_int = arch.ptr_size, arch.n_int
    s, w = v.s, v.w
    pre = cb_precheck(D, s.size, w, arch.name, ps, fixes)
    st, step = cb_arg(D, J.cb, CbArg(s.size, s.align, w.n, w.panics), n_int, ps,
                      rollback="rollback" in fixes,
                      zero_slot="zero-slot" in fixes and arch.name == "amd64")
    refused = D.or_(J.refused, pre.any(D), step.panic)
    spec, cur = _spec_whole(D, J.spec, s, Regs.of(arch), False)
    live = D.not_(refused)
    nonzero = D.not_(step.zero)
    nm = f"argument {index}"
    obs = [CbOb("INV-CB-ASSIGN", D.implies(D.and_(live, nonzero), D.and_(
        D.eq(step.reg, cur.fits),
        D.implies(step.reg, D.eq(step.first_reg, J.spec.I)),
        D.implies(D.not_(step.reg), D.eq(step.stack_off, cur.off)))),
        f"{nm}: callbackWrap's placement differs from ABIInternal's ({SW}:126-137,206-218)")]
    # CB-10: windows/amd64 C passes aggregates of other sizes than 1, 2, 4, 8 by reference,
    # and a zero-size argument in a slot of its own (GNU C)
    if arch.name == "amd64":
        byref = D.and_(w.agg, nonzero, D.not_(D.or_(*[D.eq(s.size, k) for k in (1, 2, 4, 8)])))
        obs.append(CbOb("INV-CB-CSIDE", D.implies(live, D.not_(byref)),
                        f"{nm}: C passes it by reference ({SW}:93-163)"))
        obs.append(CbOb("INV-CB-CSIDE", D.implies(D.and_(live, nonzero),
                                                  D.not_(J.pending_zero)),
                        f"{nm}: read one C slot early after a zero-size argument "
                        f"({SW}:112-116,160-162)"))
        no_slot = D.and_(step.zero, D.eq(st.src, J.cb.src))
        pending = D.or_(J.pending_zero, no_slot)
    else:
        pending = J.pending_zero
    return CbJoint(st, spec, refused, pending), obs


def cb_fold_final(D: Domain, arch: Arch, fixes: frozenset[str], J: CbJoint,
                  r: CbVal) -> tuple[list[CbOb], Any]:
    """The one result (CB-2's result checks, CB-7) and the frame (CB-6): INV-CB-RESULT,
    INV-CB-FRAME, INV-CB-SPILL, conditioned on the signature not being refused; and whether
    the whole signature is refused (the parameters' obligations count only if it is not)."""
    from regabi.model.assign import Regs, spec_between, spec_finish

    ps, n_int, regs = arch.ptr_size, arch.n_int, Regs.of(arch)
    rc = cb_result_check(D, r.s.size, r.w, n_int, ps, fixes)
    fin = cb_finish(D, J.cb, n_int, ps)
    live = D.not_(D.or_(J.refused, rc.any(D), fin.too_large))
    spec, _args, _ret = spec_between(D, J.spec, regs)
    spec2, cur = _spec_whole(D, spec, r.s, regs, True)
    sf = spec_finish(D, spec2, regs)
    if n_int > 0:
        # CB-7: callbackWrap returns Ints[0]; the callee returns the result there only if its
        # decomposition is one integer part (at offset 0: the rest of the word is padding)
        g0 = r.s.spec.groups[0] if r.s.spec.groups else None
        at0 = D.and_(g0.isint, D.eq(g0.n, 1), D.eq(g0.off, 0)) if g0 is not None else False
        ok = D.and_(cur.fits, D.eq(r.s.spec.ni, 1), D.eq(r.s.spec.nf, 0), at0)
    else:
        ok = D.and_(D.not_(cur.fits), D.eq(cur.off, fin.ret_offset))
    need = sf.offset_to_spill_area + sf.spill_area_size
    cls = call_class_d(D, fin.frame_size, arch)
    return [
        CbOb("INV-CB-RESULT", D.implies(live, ok),
             f"the result is not where callbackWrap reads it ({SW}:282-293,394-402)"),
        CbOb("INV-CB-FRAME", D.implies(live, D.ule(need, cls)),
             f"reflectcall's callNN is smaller than the callee's argument area "
             f"({SW}:301-304,382-387)"),
        CbOb("INV-CB-SPILL", D.implies(live, D.eq(D.align(J.cb.spill, arch.reg_size),
                                                  sf.spill_area_size)),
             f"dstSpill differs from the spec's spill area ({SW}:128-133)"),
    ], D.not_(live)


def cb_val(t: GoType, ps: int) -> CbVal:
    from regabi.model.summary import summarize

    return CbVal(summarize(t, ps), cb_walk(t, ps))


def cb_fold_check(sig: Signature, arch: Arch | str, fixes: frozenset[str] = frozenset()
                  ) -> list[CbOb]:
    """The fold run concretely on one signature: the obligations that fail. A signature
    refused for its result count fails none (the fold needs exactly one result)."""
    if isinstance(arch, str):
        arch = load_arch(arch)
    if sig.recv is not None or len(sig.results) != 1:
        return []
    D, ps = CONCRETE, arch.ptr_size
    J = cb_fold_init()
    obs: list[CbOb] = []
    for i, t in enumerate(sig.params):
        J, o = cb_fold_param(D, arch, fixes, J, cb_val(t, ps), i)
        obs += o
    fobs, refused = cb_fold_final(D, arch, fixes, J, cb_val(sig.results[0], ps))
    return [] if refused else [o for o in obs + fobs if not o.cond]
