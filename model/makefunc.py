"""reflect.MakeFunc and method values: register arguments arriving *into* Go-implemented
functions (spec/paths.md MF-1 … MF-6, MV-1 … MV-7).

Citations are go1.27.3 src/reflect/value.go (``V``), src/reflect/makefunc.go (``MF``) and
src/reflect/asm_amd64.s (``ASM``; the other reflect/asm_*.s do the same). The register paths
arrived in go1.17beta1 (28c5fed557, CL
298670 "reflect: add register ABI support for makeFuncStub and methodValueCall"); callMethod's
stack→register case in go1.17 (9d46ee5ac4, CL 327089); the code is semantically unchanged from
go1.18 to go1.27.3 (research note ladder.md B4, "callReflect", "callMethod").

The model is a byte-level simulation of one call through each path:

* the compiled caller places every argument as ABIInternal says (``spec_assign``), into integer
  and float registers and its stack argument area;
* makeFuncStub / methodValueCall spill the registers into a RegArgs (ASM:28-50 and :57-79) and
  moveMakeFuncArgPtrs copies ``Ints[i]`` to ``Ptrs[i]`` for the registers in ``regPtrs``
  (= abiDesc.inRegPtrs), zeroing the others (MF:165-183);
* callReflect decodes the arguments with reflect's abiDesc (``reflect_assign``, V:709-769) and
  encodes the results (V:779-851); callMethod translates the value ABI into the method ABI
  (V:966-1089), calls, and copies the results back (V:1114-1123);
* the compiled callee (or caller, for results) reads per ABIInternal.

A register holds the bytes last written to it with their width; reading another width gives
unknown bytes (that is exact on both byte orders: intToReg/intFromReg move the low-order end).
Every byte of every argument and result is compared with what was sent. The GC side is checked
on the maps (stack bitmap, inRegPtrs, outRegPtrs) against the spec's pointer words.
"""

from __future__ import annotations

from typing import NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import (
    RCVR_WORD,
    AbiDesc,
    SpecLayout,
    SpecParam,
    Step,
    reflect_assign,
    spec_assign,
)
from regabi.model.sig import Signature
from regabi.model.types import Array, GoType, Struct, layout
from regabi.model.variants import Variant, get_variant

__all__ = ["Finding", "check_makefunc", "check_method_value", "value_bytes"]

V = "go1.27.3 src/reflect/value.go"
MF = "go1.27.3 src/reflect/makefunc.go"

Reg = tuple[int | None, ...]


class Finding(NamedTuple):
    invariant: str
    status: str  # VIOLATED or LATENT
    what: str
    cite: str


def value_bytes(i: int, t: GoType, ps: int, salt: int = 0) -> tuple[int, ...]:
    """Deterministic, non-zero bytes for value ``i`` (so a zeroed or unwritten byte shows)."""
    return tuple(((0x25 + salt) * (i + 1) + 7 * j) % 255 + 1 for j in range(layout(t, ps).size))


class Machine:
    """Registers (RegArgs Ints/Floats/Ptrs images) and one stack argument area."""

    def __init__(self, arch: Arch) -> None:
        self.ints: list[Reg] = [(0,) * arch.ptr_size] * arch.n_int
        self.floats: list[Reg] = [(0,) * 8] * arch.n_float
        self.ptrs: list[Reg] = [(0,) * arch.ptr_size] * arch.n_int
        self.mem: dict[int, int | None] = {}

    def load(self, off: int, n: int) -> Reg:
        return tuple(self.mem.get(off + j) for j in range(n))

    def store(self, off: int, b: Reg) -> None:
        for j, x in enumerate(b):
            self.mem[off + j] = x


def _read(reg: Reg, size: int) -> Reg:
    return reg if len(reg) == size else (None,) * size


def place_spec(m: Machine, sp: SpecParam, b: Reg, size: int) -> None:
    """The compiled caller (arguments) or callee (results) stores a value per ABIInternal."""
    if sp.regs:
        for cls, idx, off, sz, _ in sp.regs:
            (m.ints if cls == "int" else m.floats)[idx] = b[off:off + sz]
    elif sp.stack is not None:
        m.store(sp.stack, b[:size])


def read_spec(m: Machine, sp: SpecParam, size: int) -> Reg:
    """The compiled callee (arguments) or caller (results) loads a value per ABIInternal."""
    out: list[int | None] = [None] * size
    if sp.regs:
        for cls, idx, off, sz, _ in sp.regs:
            out[off:off + sz] = _read((m.ints if cls == "int" else m.floats)[idx], sz)
    elif sp.stack is not None:
        out = list(m.load(sp.stack, size))
    return tuple(out)


def _decode(m: Machine, steps: tuple[Step, ...], size: int) -> Reg:
    """callReflect's argument decoding (V:714-769) of one non-zero-size value."""
    out: list[int | None] = [None] * size
    if steps and steps[0].kind == "stack":
        return m.load(steps[0].stkoff, size)
    for st in steps:
        src = {"int": m.ints, "ptr": m.ptrs, "float": m.floats}[st.kind]
        idx = st.freg if st.kind == "float" else st.ireg
        out[st.offset:st.offset + st.size] = _read(src[idx], st.size)
    return tuple(out)


def _encode(m: Machine, steps: tuple[Step, ...], b: Reg) -> None:
    """callReflect's result encoding (V:809-850): stack steps to the frame, integer and
    pointer steps to Ints (direct pointers too, V:838), floats to Floats."""
    for st in steps:
        if st.kind == "stack":
            m.store(st.stkoff, b)
            return
        if st.kind == "float":
            m.floats[st.freg] = b[st.offset:st.offset + st.size]
        else:
            m.ints[st.ireg] = b[st.offset:st.offset + st.size]


def _move_arg_ptrs(m: Machine, reg_ptrs: int, ps: int) -> None:
    """moveMakeFuncArgPtrs (MF:165-183)."""
    for i in range(len(m.ints)):
        m.ptrs[i] = m.ints[i] if reg_ptrs >> i & 1 else (0,) * ps


def data_bytes(t: GoType, ps: int, off: int = 0) -> set[int]:
    """The bytes of ``t`` that are not padding (only those must survive a copy)."""
    u = t.underlying
    if isinstance(u, Struct):
        lay = layout(u, ps)
        return set().union(*(data_bytes(f.type, ps, off + o)
                             for f, o in zip(u.fields, lay.offsets, strict=True)))
    if isinstance(u, Array):
        es = layout(u.elem, ps).size
        return set().union(*(data_bytes(u.elem, ps, off + k * es) for k in range(u.length)))
    return set(range(off, off + layout(t, ps).size))


def _diff(sent: Reg, got: Reg, t: GoType, ps: int) -> list[int]:
    keep = data_bytes(t, ps)
    return [j for j, (a, b) in enumerate(zip(sent, got, strict=True)) if a != b and j in keep]


def _heap_words(sp: SpecParam, t: GoType, ps: int) -> set[int]:
    if sp.stack is None or sp.regs:
        return set()
    hm = layout(t, ps).heapmask
    return {sp.stack // ps + w for w in range(hm.bit_length()) if hm >> w & 1}


def _gc_words(sp: SpecParam, t: GoType, ps: int) -> set[int]:
    if sp.stack is None or sp.regs:
        return set()
    gm = layout(t, ps).gcmask
    return {sp.stack // ps + w for w in range(gm.bit_length()) if gm >> w & 1}


def _bits(x: int) -> set[int]:
    return {i for i in range(x.bit_length()) if x >> i & 1}


def _stack_map(spec: SpecLayout, sig: Signature, abid: AbiDesc, ps: int, inv: str,
               cite: str) -> list[Finding]:
    """The runtime scans makeFuncStub's/methodValueCall's caller-reserved argument area with
    ctxt.stack (abid.stackPtrs; args only, results too once retValid) (MF:58-67,
    runtime/stkframe.go getArgInfo/argMapInternal). It must cover every heap pointer word of a
    stack-assigned value and mark nothing that is not a pointer word."""
    out: list[Finding] = []
    need: set[int] = set()
    allowed: set[int] = set()
    for sp, t in zip((*spec.params, *spec.results), (*sig.params, *sig.results), strict=True):
        need |= _heap_words(sp, t, ps)
        allowed |= _gc_words(sp, t, ps)
    have = _bits(abid.stack_ptrs)
    if need - have:
        out.append(Finding(inv, "VIOLATED", f"stack words {sorted(need - have)} hold heap "
                           "pointers but ctxt.stack does not mark them", cite))
    if have - allowed:
        out.append(Finding(inv, "VIOLATED", f"ctxt.stack marks words {sorted(have - allowed)} "
                           "that hold no pointer", cite))
    if abid.stack_call_args_size != spec.args_stack_size:
        out.append(Finding(inv, "VIOLATED", f"ctxt.argLen {abid.stack_call_args_size} != the "
                           f"spec's stack argument size {spec.args_stack_size}", f"{MF}:65,120"))
    return out


def _reg_ptrs(spec_params: tuple[SpecParam, ...], have: int, inv: str, what: str,
              cite: str) -> list[Finding]:
    need = {idx for sp in spec_params for cls, idx, _, _, heap in sp.regs
            if cls == "int" and heap}
    miss = need - _bits(have)
    if miss:
        return [Finding(inv, "VIOLATED", f"integer registers {sorted(miss)} hold heap pointers "
                        f"but {what} does not mark them", cite)]
    return []


def check_makefunc(sig: Signature, arch: Arch | str, variant: Variant | str = "current"
                   ) -> list[Finding]:
    """A call of a MakeFunc'd function of type ``sig`` (no receiver: MakeFunc takes a func
    type, MF:47-73)."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    v = get_variant(variant) if isinstance(variant, str) else variant
    ps = a.ptr_size
    spec = spec_assign(sig, a)
    abid = reflect_assign(sig, a, v)
    out: list[Finding] = []
    m = Machine(a)
    sent = [value_bytes(i, t, ps) for i, t in enumerate(sig.params)]
    for sp, b in zip(spec.params, sent, strict=True):
        place_spec(m, sp, b, len(b))
    reg_ptrs = abid.in_reg_ptrs or 0
    _move_arg_ptrs(m, reg_ptrs, ps)  # ASM:32-37: spillArgs, moveMakeFuncArgPtrs
    for i, (t, b) in enumerate(zip(sig.params, sent, strict=True)):
        if not b:
            continue  # V:715-718: Zero(typ)
        steps = abid.call.steps_for(i)
        got = _decode(m, steps, len(b))
        bad = _diff(b, got, t, ps)
        if bad:
            out.append(Finding("INV-MF-ARGS", "VIOLATED",
                               f"argument {i} ({t}): callReflect decodes bytes {bad} wrong "
                               f"(steps {[s.kind for s in steps]})", f"{V}:714-769"))
        if (layout(t, ps).direct and steps[0].kind != "stack" and steps[0].kind != "ptr"):
            out.append(Finding("INV-MF-ARGS", "VIOLATED", f"argument {i} ({t}): "
                               "pointer-shaped but its step is not abiStepPointer: panic "
                               "'mismatch between ABI description and types'", f"{V}:761-764"))
    out += _reg_ptrs(spec.params, reg_ptrs, "INV-MF-REGPTRS", "ctxt.regPtrs (inRegPtrs)",
                     f"{MF}:66,165-183")
    out += _stack_map(spec, sig, abid, ps, "INV-MF-STACKMAP", f"{MF}:58-67")
    # Results: callReflect encodes, makeFuncStub unspills (ASM:48-49), the caller reads.
    m2 = Machine(a)
    rets = [value_bytes(i, t, ps, salt=5) for i, t in enumerate(sig.results)]
    for i, b in enumerate(rets):
        if b:
            _encode(m2, abid.ret.steps_for(i), b)
    for i, (sp, t, b) in enumerate(zip(spec.results, sig.results, rets, strict=True)):
        if not b:
            continue
        bad = _diff(b, read_spec(m2, sp, len(b)), t, ps)
        if bad:
            out.append(Finding("INV-MF-RESULTS", "VIOLATED",
                               f"result {i} ({t}): the caller reads bytes {bad} wrong",
                               f"{V}:779-851"))
    return out


def check_method_value(sig: Signature, recv: GoType, arch: Arch | str,
                       variant: Variant | str = "current", *, stack_to_reg: bool = True,
                       directions: list[str] | None = None) -> list[Finding]:
    """A call of the method value ``x.M`` (x of type ``recv``, M of type ``sig``) obtained
    by reflect (Value.Method(i).Interface() or a Value call of it): methodValueCall →
    callMethod (V:954-1140).

    ``stack_to_reg=False`` is go1.17beta1's callMethod, which panicked "method ABI and value
    ABI do not align" where the value ABI stacks an argument that the method ABI puts in
    registers (fixed in go1.17 by 9d46ee5ac4, CL 327089). ``directions``, if given, receives
    each argument's translation: "zero", "stack->stack", "stack->reg", "reg->stack",
    "reg->reg"."""
    dirs = directions if directions is not None else []
    a = load_arch(arch) if isinstance(arch, str) else arch
    v = get_variant(variant) if isinstance(variant, str) else variant
    ps = a.ptr_size
    msig = Signature(sig.params, sig.results, recv=recv)
    spec_v, spec_m = spec_assign(sig, a), spec_assign(msig, a)
    vabi, mabi = reflect_assign(sig, a, v), reflect_assign(msig, a, v)
    out: list[Finding] = []
    # The caller calls the closure with the value ABI; methodValueCall spills and moves
    # pointers like makeFuncStub (ASM:61-66, regPtrs = valueABI.inRegPtrs, MF:120).
    vm = Machine(a)
    sent = [value_bytes(i, t, ps) for i, t in enumerate(sig.params)]
    for sp, b in zip(spec_v.params, sent, strict=True):
        place_spec(vm, sp, b, len(b))
    _move_arg_ptrs(vm, vabi.in_reg_ptrs or 0, ps)
    mm = Machine(a)
    rword = tuple(0xC0 + j for j in range(ps))  # storeRcvr's word (V:916-927)
    st0 = mabi.call.steps[0]
    if st0.kind == "stack":  # V:976-991
        mm.store(0, rword)
    elif st0.kind == "float":
        mm.floats[st0.freg] = rword
    else:
        if st0.kind == "ptr":
            mm.ptrs[st0.ireg] = rword
        mm.ints[st0.ireg] = rword
    for i, (t, b) in enumerate(zip(sig.params, sent, strict=True)):
        vs, ms = vabi.call.steps_for(i), mabi.call.steps_for(i + 1)
        if not vs:
            dirs.append("zero")
            if ms:
                out.append(Finding("INV-MV-XLATE", "VIOLATED", f"argument {i} ({t}): panic "
                                   "'method ABI and value ABI do not align'", f"{V}:999-1002"))
            continue
        if vs[0].kind == "stack":
            if ms[0].kind == "stack":  # stack -> stack (V:1016-1027)
                dirs.append("stack->stack")
                if vs[0].size != ms[0].size:
                    out.append(Finding("INV-MV-XLATE", "VIOLATED", f"argument {i}: panic "
                                       "(stack sizes differ)", f"{V}:1020-1022"))
                mm.store(ms[0].stkoff, vm.load(vs[0].stkoff, len(b)))
                continue
            dirs.append("stack->reg")
            if not stack_to_reg:
                out.append(Finding("INV-MV-XLATE", "VIOLATED", f"argument {i} ({t}): stacked "
                                   "by the value ABI, in registers in the method ABI: panic "
                                   "'method ABI and value ABI do not align' (go1.17beta1)",
                                   "go1.17beta1 src/reflect/value.go callMethod"))
                continue
            for s in ms:  # stack -> registers (V:1028-1044)
                frm = vm.load(vs[0].stkoff + s.offset, s.size)
                if s.kind == "float":
                    mm.floats[s.freg] = frm
                else:
                    if s.kind == "ptr":
                        mm.ptrs[s.ireg] = frm
                    mm.ints[s.ireg] = frm
            continue
        if ms[0].kind == "stack":  # registers -> stack (V:1046-1063)
            dirs.append("reg->stack")
            for s in vs:
                src = {"int": vm.ints, "ptr": vm.ptrs, "float": vm.floats}[s.kind]
                reg = src[s.freg if s.kind == "float" else s.ireg]
                mm.store(ms[0].stkoff + s.offset, _read(reg, s.size))
            continue
        if len(vs) != len(ms) or any(x.kind != y.kind for x, y in zip(vs, ms, strict=False)):
            out.append(Finding("INV-MV-XLATE", "VIOLATED", f"argument {i} ({t}): panic "
                               "'method ABI and value ABI don't align'", f"{V}:1065-1075"))
            continue
        dirs.append("reg->reg")
        for x, y in zip(vs, ms, strict=True):  # registers -> registers (V:1071-1088)
            if x.kind == "float":
                mm.floats[y.freg] = vm.floats[x.freg]
            else:
                if x.kind == "ptr":
                    mm.ptrs[y.ireg] = vm.ptrs[x.ireg]
                mm.ints[y.ireg] = vm.ints[x.ireg]
    # reflectcall copies methodFrameType.Size() bytes of the frame (V:1103): the callee reads
    # per ABIInternal of the method (receiver first).
    got_r = read_spec(mm, spec_m.params[0], ps)
    if _diff(rword, got_r, RCVR_WORD, ps):
        out.append(Finding("INV-MV-RCVR", "VIOLATED", f"the receiver reaches the method as "
                           f"{got_r}", f"{V}:976-991"))
    for i, (sp, t, b) in enumerate(zip(spec_m.params[1:], sig.params, sent, strict=True)):
        bad = _diff(b, read_spec(mm, sp, len(b)), t, ps) if b else []
        if bad:
            out.append(Finding("INV-MV-ARGS", "VIOLATED", f"argument {i} ({t}): the method "
                               f"reads bytes {bad} wrong",
                               f"{V}:994-1089"))
    # The callee's argument area must fit the callNN reflectcall picks (V:1091-1095).
    need = spec_m.offset_to_spill_area + spec_m.spill_area_size
    fsize = -(-mabi.frame_type_size // ps) * ps + mabi.spill
    if next(c for c in a.call_sizes if c >= fsize) < need:
        out.append(Finding("INV-MV-FRAME", "VIOLATED", f"methodFrameSize {fsize} < the "
                           f"method's argument area {need}", f"{V}:1091-1095"))
    # ReturnIsPtr = methodABI.outRegPtrs (V:1098): the call path keeps register results that
    # are pointers alive through Ptrs (runtime reflectcallmove).
    out += _reg_ptrs(spec_m.results, mabi.out_reg_ptrs, "INV-MV-RETPTR", "ReturnIsPtr",
                     f"{V}:1097-1098")
    # Results: the method stores per ABIInternal; call copies the stack results back; then
    # *valueRegs = methodRegs and methodFrame[methodABI.retOffset:] -> valueFrame (V:1114-1123).
    rets = [value_bytes(i, t, ps, salt=5) for i, t in enumerate(sig.results)]
    for sp, b in zip(spec_m.results, rets, strict=True):
        place_spec(mm, sp, b, len(b))
    back = Machine(a)
    back.ints, back.floats = list(mm.ints), list(mm.floats)
    ret_size = mabi.frame_type_size - mabi.ret_offset
    back.store(vabi.ret_offset, mm.load(mabi.ret_offset, ret_size))
    for i, (sp, t, b) in enumerate(zip(spec_v.results, sig.results, rets, strict=True)):
        if b and _diff(b, read_spec(back, sp, len(b)), t, ps):
            out.append(Finding("INV-MV-RESULTS", "VIOLATED", f"result {i} ({t}): the caller "
                               "reads it wrong", f"{V}:1105-1123"))
    out += _stack_map(spec_v, sig, vabi, ps, "INV-MV-STACKMAP", f"{MF}:113-121")
    out += _reg_ptrs(spec_v.params, vabi.in_reg_ptrs or 0, "INV-MV-REGPTRS",
                     "ctxt.regPtrs (inRegPtrs)", f"{MF}:120,165-183")
    return out
