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

from typing import Any, ClassVar, NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import (
    RCVR_WORD,
    AbiDesc,
    SpecLayout,
    SpecParam,
    Step,
    reflect_assign,
    shl,
    spec_assign,
    walk,
)
from regabi.model.invariants import BitmapRegs, Invariant, Violation, check_all
from regabi.model.joint import Ctx, Finals, GroupRec, Joint, Ob, ValueRec
from regabi.model.sig import Signature
from regabi.model.summary import direct
from regabi.model.types import Array, GoType, Struct, layout
from regabi.model.variants import Variant, get_variant

__all__ = ["MF_CATALOGUE", "Finding", "check_makefunc", "check_method_value", "mf_fold_check",
           "simulate_makefunc", "value_bytes"]

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


def _abi0_offsets(ts: tuple[GoType, ...], start: int, ps: int) -> tuple[list[int], int]:
    """go1.16 callReflect's ``off``: each value at the next offset aligned to its type."""
    out, off = [], start
    for t in ts:
        lay = layout(t, ps)
        off = -(-off // lay.align) * lay.align
        out.append(off)
        off += lay.size
    return out, off


def simulate_makefunc(sig: Signature, arch: Arch | str, variant: Variant | str = "current"
                      ) -> list[Finding]:
    """A call of a MakeFunc'd function of type ``sig`` simulated byte by byte (no receiver:
    MakeFunc takes a func type, MF:47-73): the independent concrete re-check of the fold
    below (:func:`check_makefunc`). Without register support (the seed, :func:`mf_registers`)
    callReflect is go1.16's: every value at its ABI0 offset in the frame."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    v = get_variant(variant) if isinstance(variant, str) else variant
    ps = a.ptr_size
    regs = mf_registers(v)
    spec = spec_assign(sig, a)
    abid = reflect_assign(sig, a, v)
    out: list[Finding] = []
    m = Machine(a)
    sent = [value_bytes(i, t, ps) for i, t in enumerate(sig.params)]
    for sp, b in zip(spec.params, sent, strict=True):
        place_spec(m, sp, b, len(b))
    reg_ptrs = (abid.in_reg_ptrs or 0) if regs else 0
    if regs:
        _move_arg_ptrs(m, reg_ptrs, ps)  # ASM:32-37: spillArgs, moveMakeFuncArgPtrs
    offs, end = _abi0_offsets(sig.params, 0, ps)
    for i, (t, b) in enumerate(zip(sig.params, sent, strict=True)):
        if not b:
            continue  # V:715-718: Zero(typ)
        steps = abid.call.steps_for(i) if regs else (Step("stack", 0, len(b), stkoff=offs[i]),)
        got = _decode(m, steps, len(b))
        bad = _diff(b, got, t, ps)
        if bad:
            out.append(Finding("INV-MF-ARGS", "VIOLATED",
                               f"argument {i} ({t}): callReflect decodes bytes {bad} wrong "
                               f"(steps {[s.kind for s in steps]})", f"{V}:714-769"))
        if (regs and layout(t, ps).direct and steps[0].kind not in ("stack", "ptr")):
            out.append(Finding("INV-MF-DIRECT", "VIOLATED", f"argument {i} ({t}): "
                               "pointer-shaped but its step is not abiStepPointer: panic "
                               "'mismatch between ABI description and types'", f"{V}:761-764"))
    out += _reg_ptrs(spec.params, reg_ptrs, "INV-MF-REGPTRS", "ctxt.regPtrs (inRegPtrs)",
                     f"{MF}:66,165-183")
    out += _stack_map(spec, sig, abid, ps, "INV-MF-STACKMAP", f"{MF}:58-67")
    # Results: callReflect encodes, makeFuncStub unspills (ASM:48-49), the caller reads.
    m2 = Machine(a)
    rets = [value_bytes(i, t, ps, salt=5) for i, t in enumerate(sig.results)]
    roffs, _ = _abi0_offsets(sig.results, -(-end // ps) * ps, ps)
    for i, b in enumerate(rets):
        if b:
            _encode(m2, abid.ret.steps_for(i) if regs
                    else (Step("stack", 0, len(b), stkoff=roffs[i]),), b)
    area = spec.offset_to_spill_area + spec.spill_area_size
    if m2.mem and max(m2.mem) >= area:
        out.append(Finding("INV-MF-FRAME", "VIOLATED", f"callReflect writes byte "
                           f"{max(m2.mem)} of the frame; the caller reserved {area}",
                           f"{V}:809-850"))
    for i, (sp, t, b) in enumerate(zip(spec.results, sig.results, rets, strict=True)):
        if not b:
            continue
        bad = _diff(b, read_spec(m2, sp, len(b)), t, ps)
        if bad:
            out.append(Finding("INV-MF-RESULTS", "VIOLATED",
                               f"result {i} ({t}): the caller reads bytes {bad} wrong",
                               f"{V}:779-851"))
    return out


def check_makefunc(sig: Signature, arch: Arch | str, variant: Variant | str = "current"
                   ) -> list[Finding]:
    """A call of a MakeFunc'd function of type ``sig``: the fold of :data:`MF_CATALOGUE` run
    concretely (the code ``regabi prove --path makefunc`` runs over Z3)."""
    return [Finding(x.invariant, "VIOLATED", x.message, f"{V}:709-851; {MF}:58-67,165-183")
            for x in mf_fold_check(sig, arch, variant)]


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
    panicked = False  # callMethod panicked: the method is never called
    for i, (t, b) in enumerate(zip(sig.params, sent, strict=True)):
        vs, ms = vabi.call.steps_for(i), mabi.call.steps_for(i + 1)
        if not vs:
            dirs.append("zero")
            if ms:
                panicked = True
                out.append(Finding("INV-MV-XLATE", "VIOLATED", f"argument {i} ({t}): panic "
                                   "'method ABI and value ABI do not align'", f"{V}:999-1002"))
            continue
        if vs[0].kind == "stack":
            if ms[0].kind == "stack":  # stack -> stack (V:1016-1027)
                dirs.append("stack->stack")
                if vs[0].size != ms[0].size:
                    panicked = True
                    out.append(Finding("INV-MV-XLATE", "VIOLATED", f"argument {i}: panic "
                                       "(stack sizes differ)", f"{V}:1020-1022"))
                mm.store(ms[0].stkoff, vm.load(vs[0].stkoff, len(b)))
                continue
            dirs.append("stack->reg")
            if not stack_to_reg:
                panicked = True
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
            panicked = True
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
        bad = _diff(b, read_spec(mm, sp, len(b)), t, ps) if b and not panicked else []
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


# --------------------------------------------------------------------------------------------
# The fold the proofs observe (spec/paths.md MF-*, spec/proofs.md PRF-10).
#
# callReflect's decoding and encoding and moveMakeFuncArgPtrs, written over a domain as hooks
# of the joint fold (model/joint.py): the spec's assignment (what the compiled caller writes and
# reads) and reflect's newAbiDesc (what callReflect follows) advance in lockstep, one group at
# a time. ``check_makefunc`` runs them concretely (``regabi paths``); ``regabi prove --path
# makefunc`` runs the same hooks over Z3 terms (proofs/mfprove.py). The byte-level simulation
# above (:func:`simulate_makefunc`) is the independent concrete re-check of a counterexample.



def mf_registers(v: Variant) -> bool:
    """Whether makeFuncStub, callReflect and callMethod use the register ABI. One commit gave
    reflect both this and abiDesc.inRegPtrs (28c5fed557, CL 298670, go1.17beta1; VAR-5); the
    seed's callReflect is go1.16's, untouched by the seed patch: it reads every argument from
    the frame at its ABI0 offset and writes every result likewise (seed reflect/value.go
    callReflect, ``off += -off & uintptr(typ.align-1)``), and its makeFuncStub is ABI0."""
    return v.in_reg_ptrs


class MfPlace(NamedTuple):
    """Where callReflect reads an argument (V:714-769) or writes a result (V:809-850)."""

    reg: Any  # per register step
    stack: Any  # one stack step: the value at frame + off
    off: Any


def mf_place(D: Any, v: Variant, r: ValueRec) -> MfPlace:
    """callReflect's placement of one value: reflect's abiDesc (register variants), or the
    ABI0 offset (seed: the joint fold's sequential layout, ``r.seq``)."""
    if not mf_registers(v):
        return MfPlace(False, True, r.seq)
    return MfPlace(r.refl.reg, r.refl.stack, r.refl.off)


def mf_group_steps(D: Any, v: Variant, r: GroupRec) -> tuple[Any, Any, Any]:
    """callReflect's register steps for one group: (placed, first register, the integer
    registers it reads from ``Ptrs`` — abiStepPointer, V:746-748, 765)."""
    if not mf_registers(v):
        return False, 0, 0
    bits = D.ite(D.and_(r.r_put, r.gr.isint), shl(D, r.gr.ptr, r.r_idx), 0)
    return r.r_put, r.r_idx, bits


def move_make_func_arg_ptrs(D: Any, v: Variant, J: Joint, has_rcvr: Any) -> Any:
    """moveMakeFuncArgPtrs (MF:165-183): ``Ptrs[i] = Ints[i]`` exactly for the registers in
    ``ctxt.regPtrs`` = ``funcLayout(ftyp, nil)``'s inRegPtrs (MF:66, 120), zero for the
    others. Returns that set; the seed has no such step (no RegArgs at all)."""
    if not mf_registers(v):
        return 0
    return D.ite(has_rcvr, 0, J.refl.inptrs)


def _same_group(D: Any, r: GroupRec) -> Any:
    a, b = r.gs, r.gr
    return D.and_(D.eq(a.isint, b.isint), D.eq(a.off, b.off), D.eq(a.size, b.size),
                  D.eq(a.n, b.n), D.eq(r.s_idx, r.r_idx))


class _Dec(NamedTuple):
    vbad: Any  # this value: a group the caller wrote that callReflect does not read, or v.v.
    vneed: Any  # this value: registers callReflect reads from Ptrs
    need: Any  # every register argument so far: the same
    first_ptr: Any  # this value's first step is abiStepPointer


class _Decode(Invariant):
    """Shared by INV-MF-ARGS and INV-MF-RESULTS: callReflect's steps against the spec, group
    by group (V:714-769 decode, V:809-850 encode)."""

    role: ClassVar[str] = "arg"

    def init(self, c: Ctx) -> _Dec:
        return _Dec(False, 0, 0, False)

    def begin(self, c: Ctx, g: _Dec, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        return g._replace(vbad=False, vneed=0, first_ptr=False), []

    def group(self, c: Ctx, g: _Dec, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        if r.role != self.role:
            return g, []
        D, cur = c.D, pre.cur
        assert cur is not None
        caller = D.and_(cur.spec.fits, r.live_s)  # the compiled side's registers (ASG-2)
        put, _idx, bits = mf_group_steps(D, c.variant, r)
        ok = D.and_(caller, put, _same_group(D, r))
        first = D.and_(D.eq(r.j, 0), put, r.gr.isint, D.bit(r.gr.ptr, 0))
        return g._replace(vbad=D.or_(g.vbad, D.and_(D.or_(caller, put), D.not_(ok))),
                          vneed=g.vneed | bits, first_ptr=D.or_(g.first_ptr, first)), []

    def _agree(self, c: Ctx, g: _Dec, r: ValueRec) -> Ob:
        D = c.D
        p = mf_place(D, c.variant, r)
        sp = r.spec
        ok = D.ite(sp.fits, D.and_(p.reg, D.not_(g.vbad)),
                   D.and_(p.stack, D.eq(p.off, sp.off)))
        nm = c.name(r.role, r.index)
        verb = "reads" if self.role == "arg" else "writes"
        prep = "from" if self.role == "arg" else "to"

        def msg() -> str:
            where = (f"the frame at {p.off}" if p.stack else "registers")
            want = "registers" if sp.fits else f"the stack at {sp.off}"
            if p.reg and sp.fits:
                where = "other registers"
            return f"callReflect {verb} {nm} {prep} {where}; ABIInternal has it in {want}"
        return self.ob(D.implies(D.not_(D.eq(r.s.size, 0)), ok), msg)

    def candidates(self, c: Ctx, g: _Dec, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out: list[tuple[str, Any]] = []
        if self.role == "arg" and mf_registers(c.variant):
            out.append(("need<=in", D.eq(g.need & ~J.refl.inptrs, 0)))
        if J.cur is not None:
            cur = J.cur
            out += [("fits->ok", D.implies(cur.spec.fits, D.not_(g.vbad)))]
            if mf_registers(c.variant):
                out += [("vneed=bits", D.eq(g.vneed, cur.refl.bits))]
        return out


class MfArgs(_Decode):
    id = "INV-MF-ARGS"
    title = "MakeFunc arguments"
    statement = ("callReflect reads every non-zero-size argument where the compiled caller "
                 "put it (ABIInternal): the same registers with the same parts, or the same "
                 "stack offset; a part it reads from RegArgs.Ptrs was copied there by "
                 "moveMakeFuncArgPtrs.")
    source = "reflect/value.go callReflect (V:709-769); reflect/makefunc.go moveMakeFuncArgPtrs"
    rules = ("MF-2", "MF-3", "ASG-2")
    role = "arg"

    def end(self, c: Ctx, g: _Dec, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "arg":
            return g, []
        D = c.D
        p = mf_place(D, c.variant, r)
        return g._replace(need=g.need | D.ite(p.reg, g.vneed, 0)), [self._agree(c, g, r)]

    def final(self, c: Ctx, g: _Dec, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        moved = move_make_func_arg_ptrs(D, c.variant, J, c.has_rcvr)
        lost = g.need & ~moved
        return [self.ob(D.eq(lost, 0), lambda: (
            f"callReflect reads register {(lost & -lost).bit_length() - 1} from Ptrs, which "
            "moveMakeFuncArgPtrs zeroed (not in regPtrs): a pointer argument arrives nil"))]


class MfResults(_Decode):
    id = "INV-MF-RESULTS"
    title = "MakeFunc results"
    statement = ("callReflect writes every non-zero-size result where the compiled caller "
                 "reads it (ABIInternal): integer and pointer steps to Ints, floats to Floats, "
                 "stack steps to the frame at the spec's offset.")
    source = "reflect/value.go callReflect (V:779-851); reflect/asm_amd64.s makeFuncStub"
    rules = ("MF-4", "ASG-2")
    role = "result"

    def end(self, c: Ctx, g: _Dec, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "result":
            return g, []
        return g, [self._agree(c, g, r)]


class MfDirect(_Decode):
    id = "INV-MF-DIRECT"
    title = "MakeFunc pointer-shaped arguments"
    statement = ("callReflect does not panic 'mismatch between ABI description and types': a "
                 "register argument stored directly in an interface (pointer-shaped, TYP-11) "
                 "has abiStepPointer as its first step.")
    source = "reflect/value.go callReflect (V:757-766)"
    rules = ("MF-3", "TYP-11")
    role = "arg"

    def end(self, c: Ctx, g: _Dec, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "arg" or not mf_registers(c.variant):
            return g, []
        D = c.D
        p = mf_place(D, c.variant, r)
        dr = direct(D, r.s, c.ps, c.variant.direct_iface)
        nm = c.name(r.role, r.index)
        return g, [self.ob(D.implies(D.and_(p.reg, dr, D.not_(D.eq(r.s.size, 0))),
                                     g.first_ptr),
                           lambda: f"{nm} is pointer-shaped but its first step is not "
                                   "abiStepPointer: callReflect panics")]

    def candidates(self, c: Ctx, g: _Dec, J: Joint, phase: str) -> list[tuple[str, Any]]:
        """Inside a pointer-shaped argument whose walk completes, once a group is placed the
        first was a pointer step. Inductive only with WF's set linkage (a pointer-shaped
        value's one word is a heap pointer, so its first group has ptrMap bit 0), which the
        induction assumes only when asked to (spec/proofs.md PRF-10)."""
        cur = J.cur
        if cur is None or phase != "args" or not mf_registers(c.variant):
            return []
        D = c.D
        dr = direct(D, cur.s, c.ps, c.variant.direct_iface)
        return [("direct->first", D.implies(D.and_(
            dr, D.not_(D.eq(cur.s.size, 0)), walk(cur.rs, c.variant).ok, cur.refl.fits,
            D.ule(1, cur.j)), g.first_ptr))]


class MfRegPtrs(BitmapRegs):
    id = "INV-MF-REGPTRS"
    title = "MakeFunc regPtrs"
    statement = ("ctxt.regPtrs marks every integer argument register the spec says may hold "
                 "a heap pointer, so that moveMakeFuncArgPtrs puts it where the GC sees it.")
    source = "reflect/makefunc.go:66,165-183; reflect/abi.go inRegPtrs"
    rules = ("MF-1", "MF-2", "BMP-2")

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        moved = move_make_func_arg_ptrs(D, c.variant, J, c.has_rcvr)
        miss = g.ilo & ~moved
        return [self.ob(D.eq(miss, 0), lambda: (
            f"regPtrs misses register {(miss & -miss).bit_length() - 1}, which carries an "
            "argument's heap pointer"))]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        return [x for x in super().candidates(c, g, J, phase)
                if x[0] in ("ilo<=in", "vlo<=bits", "nofit->v0")]


class _Map(NamedTuple):
    lo: Any  # heap-pointer words of values the spec stacks
    hi: Any  # pointer words of values the spec stacks


class MfStackMap(Invariant):
    id = "INV-MF-STACKMAP"
    title = "MakeFunc stack map"
    statement = ("ctxt.stack (abiDesc.stackPtrs) marks every heap-pointer word of an argument "
                 "or result the spec stacks and only pointer words, within its length; ctxt."
                 "argLen equals the spec's stack argument size.")
    source = "reflect/makefunc.go:58-67; runtime/stkframe.go getArgInfo"
    rules = ("MF-1", "MF-5", "BMP-1")

    def init(self, c: Ctx) -> _Map:
        return _Map(c.D.set_empty(), c.D.set_empty())

    def end(self, c: Ctx, g: _Map, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        return self.spec_stacked_words(c.D, g, r.s, r.spec.fits, r.spec.off, c.ps), []

    def between(self, c: Ctx, g: _Map, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        D = c.D
        return g, [self.ob(D.eq(post.r_args, post.s_args), lambda: (
            f"ctxt.argLen {post.r_args} != the spec's stack argument size {post.s_args}"))]

    def final(self, c: Ctx, g: _Map, J: Joint, f: Finals) -> list[Ob]:
        return self.stack_map_obs(c.D, g.lo, g.hi, J.refl.sptrs, J.refl.sn)

    def candidates(self, c: Ctx, g: _Map, J: Joint, phase: str) -> list[tuple[str, Any]]:
        return self.stack_map_candidates(c.D, g.lo, g.hi, J.refl.sptrs, J.refl.sn)


class MfFrame(Invariant):
    id = "INV-MF-FRAME"
    title = "MakeFunc writes inside the caller's frame"
    statement = ("callReflect writes result bytes only inside the argument area the compiled "
                 "caller reserved (offsetToSpillArea + spillAreaSize, FRM-1, FRM-2).")
    source = "reflect/value.go callReflect (V:809-850)"
    rules = ("MF-4", "FRM-1", "FRM-2")

    def init(self, c: Ctx) -> Any:
        return 0  # end of the highest stack write so far

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role != "result":
            return g, []
        D = c.D
        p = mf_place(D, c.variant, r)
        on = D.and_(p.stack, D.not_(D.eq(r.s.size, 0)))
        return D.ite(on, D.umax(g, p.off + r.s.size), g), []

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        area = f.offset_to_spill_area + f.spill_area_size
        return [self.ob(D.ule(g, area), lambda: (
            f"callReflect writes results up to byte {g}; the caller reserved {area}"))]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        return [("end<=S", D.ule(g, J.spec.S)), ("end=0", D.eq(g, 0))]


#: the MakeFunc invariants, in report order
MF_CATALOGUE: tuple[Invariant, ...] = (MfArgs(), MfResults(), MfDirect(), MfRegPtrs(),
                                       MfStackMap(), MfFrame())


def mf_fold_check(sig: Signature, arch: Arch | str, variant: Variant | str = "current",
                  invariants: tuple[Invariant, ...] = MF_CATALOGUE) -> list[Violation]:
    """The fold run concretely on one MakeFunc'd type (no receiver: MakeFunc takes a func
    type, MF:47-73): the first violation of each invariant."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    v = get_variant(variant) if isinstance(variant, str) else variant
    return check_all(Signature(sig.params, sig.results), a, v, invariants)
