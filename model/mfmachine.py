"""The MakeFunc and method-value paths as call-machine programs, for the GC explorer
(spec/paths.md MF-GC-1 … MF-GC-9; the static checks of these paths are model/makefunc.py and
model/methodvalue.py).

A compiled caller calls a func value whose code is ``reflect.makeFuncStub`` (MakeFunc) or
``reflect.methodValueCall`` (a method value from ``Value.Method(i).Interface()``): it places the
arguments per ABIInternal (``spec_assign``) in registers and its outgoing stack area; the stub
spills the registers into its RegArgs local and ``moveMakeFuncArgPtrs`` fills ``Ptrs``; then
callReflect (Values, the user's fn, results encoded back) or callMethod (translation to the
method ABI and reflectcall — the very same ``_reflectcall`` points Value.call records). The
points are recorded by :class:`regabi.model.callmachine._Machine` (one machine, one recording);
what this module adds is how the runtime scans the stub's frame (MF-GC-2):

* its argument area with ``ctxt.stack`` from the ``*reflectMethodValue`` at 0(SP), cut to
  ``argLen`` while ``retValid`` is false (runtime/stkframe.go:100-151);
* its RegArgs local as a *stack object* synthesised by getStackMap (``methodValueCallFrameObjs``,
  runtime/stkframe.go:237-243, 262-286): only ``Ptrs`` are pointer words, and — like every stack
  object — it is scanned only when a scanned word points to it (runtime/mgcmark.go:1008-1019);
  callMethod's own ``methodRegs`` is a compiler stack object with the same rule.

``mutants`` are bugs of the shape a real one would have, for the vacuity tests (MUTANTS).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from regabi.errors import InputError
from regabi.model.arch import Arch
from regabi.model.assign import is_direct, reflect_assign, spec_assign
from regabi.model.callmachine import (
    _F32_REFLECT,
    GC_SRC,
    Leaf,
    Program,
    _diff,
    _f32_image,
    _f32_read,
    _Machine,
    _reflectcall,
    _value_bytes,
    check_build_args,
    classify,
    machine_arch,
    store_rcvr,
)
from regabi.model.gcrt import RuntimeVariant, runtime_variant
from regabi.model.makefunc import mf_registers
from regabi.model.methodvalue import callmethod_stack_to_reg
from regabi.model.sig import Signature
from regabi.model.types import Kind, layout
from regabi.model.variants import Variant, get_variant

__all__ = ["MUTANTS", "PATHS", "build_path_program"]

#: The paths this module compiles (the spelling of ``regabi prove --path``).
PATHS: tuple[str, ...] = ("makefunc", "method-value")

#: Model mutants for vacuity (never a variant: no release had them).
MUTANTS: dict[str, str] = {
    "skip-reg": "moveMakeFuncArgPtrs skips the first register of regPtrs: neither copies nor "
                "zeroes its Ptrs slot (MF:165-183 without the iteration)",
    "early-retvalid": "*retValid = true before the results are copied (V:856 / V:1126 moved "
                      "before V:779 / V:1103)",
    "no-stackobj": "getStackMap does not synthesise the RegArgs stack object of "
                   "makeFuncStub/methodValueCall (runtime/stkframe.go:237-243 removed)",
    "no-keepalive-regs": "callMethod without runtime.KeepAlive(valueRegs) (V:1137-1140 "
                         "removed)",
}

V = "reflect/value.go"
_SRC = {
    "place": "cmd/compile/abi-internal.md (the compiled caller: ABIInternal)",
    "stub": "reflect/asm_amd64.s:28-50 (asm_arm64.s:29-51; NOSPLIT|WRAPPER, no safepoint)",
    "mvstub": "reflect/asm_amd64.s:57-79 (asm_arm64.s:57-79)",
    "spill": "reflect/asm_amd64.s:32-33 (runtime·spillArgs: Ints and Floats only)",
    "move": "reflect/makefunc.go:165-183 (moveMakeFuncArgPtrs, //go:nosplit)",
    "stubargs": "reflect/asm_amd64.s:34-46 (ctxt at 0(SP), &argframe, retValid=0, &RegArgs)",
    "wrapper": "cmd/compile/internal/ssagen/abi.go:312 (ABI0→ABIInternal wrapper: NOSPLIT)",
    "unspill": "reflect/asm_amd64.s:48-50 (runtime·unspillArgs, RET)",
    "prologue": "runtime/stack.go:1055-1190 (morestack from the prologue; args map at entry)",
    "funcLayout": f"{V}:709", "make": f"{V}:713", "zero": f"{V}:716",
    "newStack": f"{V}:727", "copyStack": f"{V}:729 (reflect.typedmemmove → runtime/"
                                         "mbarrier.go:213, not nosplit)",
    "directStack": f"{V}:733", "newReg": f"{V}:740", "intFromReg": f"{V}:745 (reflect/"
                                                                    "abi.go:473, not inlined)",
    "ptrReg": f"{V}:748", "floatFromReg": f"{V}:751 (inlined)", "directReg": f"{V}:765",
    "append": f"{V}:768", "callfn": f"{V}:772", "assignTo": f"{V}:808",
    "retStack": f"{V}:819-824 (memmove: no write barrier)", "intToReg": f"{V}:831 (reflect/"
                                                                      "abi.go:480, not inlined)",
    "retDirect": f"{V}:838", "floatToReg": f"{V}:846 (inlined)", "retValid": f"{V}:856",
    "keepalive": f"{V}:862-867",
    # callMethod
    "rcvr": f"{V}:955", "methodReceiver": f"{V}:956 (methodReceiver: fn = &ifn escapes)",
    "layouts": f"{V}:966-968", "poolGet": f"{V}:972", "storeRcvr": f"{V}:976-991",
    "xlate": f"{V}:994-1089", "retIsPtr": f"{V}:1091-1098", "mcall": f"{V}:1103",
    "regsBack": f"{V}:1114-1116 (*valueRegs = methodRegs: wbMove, //go:nosplit)",
    "retCopy": f"{V}:1117-1122 (memmove)", "mretValid": f"{V}:1126",
    "memclr": f"{V}:1131 (reflect.typedmemclr → runtime/mbarrier.go:380)",
    "poolPut": f"{V}:1132", "mkeepalive": f"{V}:1135-1140",
}
_SCAN_STUB = ("runtime/stkframe.go:100-151 (argMapInternal: *reflectMethodValue at 0(SP), "
              "results dropped while !retValid), :237-243 (RegArgs stack object)")


class _StubMachine(_Machine):
    """The call machine plus stack objects (MF-GC-2): ``stack_objs`` maps a region to
    (frame, offset, pointer bitmap over words); at a safepoint, an object whose frame is on the
    stack is scanned iff a word scanned precisely or conservatively points into its region,
    transitively (runtime/mgcmark.go:1008-1019). copystack adjusts every stack object, reachable
    or not (runtime/stack.go:778-800); here only the reachable ones count as adjusted, which is
    the same because no stack object of these paths holds a stack address (RegArgs.Ptrs hold
    heap pointers only)."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.stack_objs: dict[str, tuple[str, int, int]] = {}

    def safepoint(self, where: str, label: str, src: str, kind: str, *,
                  extra: Sequence[tuple[str, str, Any, int, int]] = (),
                  conservative: Sequence[tuple[str, Any, int, int]] = (),
                  **kw: Any) -> None:
        cons_frames = {f for f, *_ in conservative}
        words: list[tuple] = []
        for _n, (fr, region, off, mask) in self.live.items():
            if fr in self.frames and fr not in cons_frames:
                words += [w for _o, w in self._words(region, off, mask)]
        for _n, fr, region, off, mask in extra:
            if fr in self.frames and fr not in cons_frames:
                words += [w for _o, w in self._words(region, off, mask)]
        for _fr, region, lo, hi in conservative:
            words += [self.word(region, o) for o in range(lo - lo % self.ps, hi, self.ps)]
        found: list[tuple[str, str, Any, int, int]] = []
        seen: set[str] = set()
        while True:
            new = [c[1] for w in words for c in [classify(w)] if c[0] == "stack"
                   and c[1] in self.stack_objs and c[1] not in seen
                   and self.stack_objs[c[1]][0] in self.frames]
            if not new:
                break
            words = []
            for region in dict.fromkeys(new):
                seen.add(region)
                fr, off, mask = self.stack_objs[region]
                found.append((f"{region} (stack object)", fr, region, off, mask))
                words += [w for _o, w in self._words(region, off, mask)]
        super().safepoint(where, label, src, kind, extra=[*extra, *found],
                          conservative=conservative, **kw)


def build_path_program(path: str, sig: Signature, variant: str | Variant,
                       arch: str | Arch = "amd64", runtime: RuntimeVariant | None = None,
                       results: str = "fresh", mutants: frozenset[str] = frozenset()) -> Program:
    """Compile one call through ``path`` ("makefunc" or "method-value"; ``sig.recv`` is the
    method value's receiver) into points, as :func:`callmachine.build_program` does for
    Value.call. ``results``: what the implementation returns in its results' pointer words
    ("fresh" objects or "args": the objects its arguments point to, CALL-12)."""
    if path not in PATHS:
        raise InputError(f"--path {path!r}: the explorer runs value-call, "
                         f"{', '.join(PATHS)}", source="--path")
    check_build_args(results, mutants, tuple(MUTANTS))
    v = get_variant(variant) if isinstance(variant, str) else variant
    if not mf_registers(v):
        raise InputError(f"variant {v.name}: makeFuncStub and methodValueCall take register "
                         "arguments from go1.17beta1 (28c5fed557, CL 298670); before, they are "
                         "ABI0 and callReflect reads ABI0 offsets (spec/paths.md MF-6): "
                         "explore go1.17beta1 or later", source="--variant")
    if path == "makefunc" and sig.recv is not None:
        raise InputError("--path makefunc: MakeFunc takes a func type (no receiver); "
                         "use --path method-value for a method value", source="--recv")
    if path == "method-value" and sig.recv is None:
        raise InputError("--path method-value needs --recv T (the method value's receiver)",
                         source="--recv")
    rv = runtime if runtime is not None else runtime_variant(v.name)
    a = machine_arch(arch, v.name)
    vsig = Signature(sig.params, sig.results)
    m = _StubMachine(sig, v, rv, a, ())
    m.results = results
    if path == "makefunc":
        _makefunc(m, vsig, mutants)
    else:
        _method_value(m, vsig, mutants)
    return Program(sig, v.name, a.name, (), m.points, m.objs, m.desc, m.spec, m.holders,
                   m.notes, m.heaps, results)


# --------------------------------------------------------------------------------------------
# Shared: the compiled caller and the stub (MF-GC-1, MF-GC-2, MF-GC-3)


class _Stub:
    """Where the stub's pieces live: regions and offsets (per arch: asm_amd64.s:20-21,
    asm_arm64.s:19-20; the model only needs the words, not their SP offsets)."""

    def __init__(self, m: _StubMachine, vsig: Signature, name: str) -> None:
        self.name = name
        self.vspec = spec_assign(vsig, m.arch)
        self.vdesc = reflect_assign(vsig, m.arch, m.v)
        ps = m.ps
        self.area = max(self.vspec.offset_to_spill_area + self.vspec.spill_area_size,
                        self.vdesc.stack_ptrs_n * ps)
        #: ctxt.argLen in words, the part of ctxt.stack scanned while !retValid
        self.nargs = (self.vdesc.stack_call_args_size & ~(ps - 1)) // ps
        m.region_frame.update({"caller.out": "caller", "stub.regs": name, "stub.out": name})


def _caller_and_stub(m: _StubMachine, vsig: Signature, st: _Stub, ctxt_obj: int,
                     mutants: frozenset[str]) -> list[tuple[list, list[Leaf]]]:
    """The compiled caller places the arguments (ABIInternal) and calls the closure; the stub
    spills, moves pointers and calls callReflect/callMethod. Returns the arguments sent."""
    a, ps, ra = m.arch, m.ps, m.ra
    vspec, vdesc = st.vspec, st.vdesc
    m.frames = ["caller"]
    # The caller's outgoing area: uninitialised stack (V:815-816: "not adequately zeroed").
    m.write("caller.out", 0, [("J", "stale stack", i) for i in range(st.area)])
    sent = [_value_bytes(m, t, f"a{i}") for i, t in enumerate(vsig.params)]
    for i, ((data, _l), p) in enumerate(zip(sent, vspec.params, strict=True)):
        if p.stack is not None:
            m.write("caller.out", p.stack, data)
        for cls, idx, off, sz, _h in p.regs:
            if cls == "int":
                m.ints[a.int_regs[idx]] = m.put(sz, data[off:off + sz], ("J", "hi", 0))
            else:
                r = a.float_regs[idx]
                m.floats[r] = (_f32_image(a.float32_reg_format, f"a{i}@{off}", data[off:off + 4])
                               if sz == 4 else data[off:off + sz] + [0] * (8 - sz))
    if m.ctxt:
        m.other[m.ctxt] = m.ptr(ctxt_obj)
    m.op("caller", f"arguments placed per ABIInternal; CALL the closure ({m.ctxt or 'ctxt'} = "
         f"&{m.objs[ctxt_obj]}); the caller holds no other reference to them", _SRC["place"],
         regs=m.show_regs())
    # The stub: NOSPLIT and assembly (never async-preempted: runtime/preempt.go:450-465), so
    # no safepoint until callReflect's prologue.
    m.frames.append(st.name)
    # Its args: ctxt.stack, cut to argLen while retValid is false (MF-GC-2).
    m.live["stub.args"] = (st.name, "caller.out", 0, vdesc.stack_ptrs & ((1 << st.nargs) - 1))
    # RegArgs: a frame local the stub never clears; Ptrs hold old stack contents until
    # moveMakeFuncArgPtrs writes them.
    m.write("stub.regs", 0, [("J", "stale stack", i) for i in range(ra.size)])
    if "no-stackobj" not in mutants and a.n_int:
        m.stack_objs["stub.regs"] = (st.name, ra.ptrs_offset, (1 << a.n_int) - 1)
    for j, r in enumerate(a.int_regs):
        m.write("stub.regs", ra.ints_offset + ps * j, m.ints[r][:ps])
    for j, r in enumerate(a.float_regs):
        m.write("stub.regs", ra.floats_offset + 8 * j, m.floats[r])
    if a.n_int + a.n_float:
        m.op(st.name, "spillArgs: registers → RegArgs.Ints/Floats (Ptrs untouched)",
             _SRC["spill"])
    reg_ptrs = vdesc.in_reg_ptrs or 0
    skip = (reg_ptrs & -reg_ptrs).bit_length() - 1 if "skip-reg" in mutants else -1
    for j in range(a.n_int):
        if j == skip:
            continue
        w = m.read("stub.regs", ra.ints_offset + ps * j, ps) if reg_ptrs >> j & 1 else [0] * ps
        m.write("stub.regs", ra.ptrs_offset + ps * j, w)
    if a.n_int:
        m.op(st.name, f"moveMakeFuncArgPtrs: Ptrs[i] = Ints[i] for regPtrs {reg_ptrs:#b}, "
             "0 for the others" + (f" (MUTANT: register {skip} skipped)" if skip >= 0 else ""),
             _SRC["move"])
    m.write("stub.out", 0, m.ptr(ctxt_obj))
    m.write("stub.out", ps, m.sptr("caller.out"))
    m.write("stub.out", 2 * ps, m.sptr("stub.out", 4 * ps))
    m.write("stub.out", 3 * ps, m.sptr("stub.regs"))
    m.write("stub.out", 4 * ps, [0] + [("J", "retValid pad", i) for i in range(ps - 1)])
    # From here on the registers are the wrapper's and callReflect's/callMethod's own: the
    # argument registers are dead (clobbered), the arguments live in memory only.
    for r in a.int_regs:
        m.ints[r] = [("J", r, i) for i in range(m.rs)]
    for r in a.float_regs:
        m.floats[r] = [("J", r, i) for i in range(8)]
    for r in m.other:
        m.other[r] = [("J", r, i) for i in range(ps)]
    m.op(st.name, "0(SP) = ctxt; 8(SP) = &argframe; retValid = 0; 16(SP) = &retValid; "
         "24(SP) = &RegArgs; CALL (ABI0 wrapper, NOSPLIT)", f"{_SRC['stubargs']}; "
         f"{_SRC['wrapper']}")
    return sent


def _set_ret_valid(m: _StubMachine, st: _Stub, fr: str, region: str, where: str,
                   src: str) -> None:
    """``*retValid = true``: from now on the stub's args map is ctxt.stack whole (MF-GC-2);
    the pointer to retValid (``region`` + 2 words) is dead after this store."""
    m.write("stub.out", 4 * m.ps, [1])
    su = m.deref_stack(region, 2 * m.ps)
    m.live["stub.args"] = (st.name, "caller.out", 0, st.vdesc.stack_ptrs)
    m.live.pop(f"{region}.retValid", None)
    m.op(fr, f"*retValid = true ({where}): the runtime scans the results with ctxt.stack",
         src, stack_uses=su)


def _stub_return(m: _StubMachine, vsig: Signature, st: _Stub,
                 exp_res: list[tuple[list, list[Leaf]]]) -> None:
    """The stub unspills and returns; the caller reads every result (MF-GC-6)."""
    a, ps, ra = m.arch, m.ps, m.ra
    for j, r in enumerate(a.int_regs):
        m.ints[r] = m.read("stub.regs", ra.ints_offset + ps * j, ps)
    for j, r in enumerate(a.float_regs):
        m.floats[r] = m.read("stub.regs", ra.floats_offset + 8 * j, 8)
    m.frames.pop()
    m.live.pop("stub.args", None)
    m.op(st.name, "unspillArgs: RegArgs.Ints/Floats → registers; RET", _SRC["unspill"],
         regs=m.show_regs())
    vals = []
    for ri, (t, p) in enumerate(zip(vsig.results, st.vspec.results, strict=True)):
        size = layout(t, ps).size
        if p.stack is not None:
            got = m.read("caller.out", p.stack, size)
        else:
            got = m.read_regs(p.regs, size)
        vals.append(got)
        m.write("caller.res", ps * sum(-(-layout(x, ps).size // ps) for x in vsig.results[:ri]),
                got)
    m.region_frame["caller.res"] = "caller"
    off = 0
    for ri, t in enumerate(vsig.results):
        gm = layout(t, ps).gcmask
        if gm:
            m.live[f"caller.r{ri}"] = ("caller", "caller.res", off, gm)
        off += ps * -(-layout(t, ps).size // ps)
    m.op("caller", "results read from registers and the stack area into locals (precise)",
         _SRC["place"])
    m.safepoint("caller", "next call site in the caller (results live in its frame)",
                GC_SRC["precise"], "call")
    for ri, t in enumerate(vsig.results):
        exp, lvs = exp_res[ri]
        got = vals[ri]
        stc = []
        d = _diff(got, exp, lvs, m.objs)
        if d is not None:
            stc.append(("INV-GC-VALUE", f"result {ri} ({t}) wrong: {d}"))
        m.op("caller", f"use result {ri} ({t}): bytes, dereference", "",
             m.use_value(got, lvs), stc)


# --------------------------------------------------------------------------------------------
# MakeFunc: makeFuncStub → callReflect → fn (MF-GC-3 … MF-GC-6)


def _ctxt_frame(m: _StubMachine, frame: str, region: str, ctxt: int) -> None:
    """callReflect's or callMethod's frame: its register args (ctxt, frame, retValid, regs)
    spilled at its prologue, each kept live by its stack map to its last use (ctxt to the
    KeepAlive at V:867), then the prologue's stack check."""
    ps = m.ps
    m.frames.append(frame)
    m.write(region, 0, m.ptr(ctxt))
    m.write(region, ps, m.sptr("caller.out"))
    m.write(region, 2 * ps, m.sptr("stub.out", 4 * ps))
    m.write(region, 3 * ps, m.sptr("stub.regs"))
    for k, n in enumerate(("ctxt", "frame", "retValid", "regs")):
        m.live[f"{region}.{n}"] = (frame, region, k * ps, 1)
    m.safepoint(frame, f"{frame} prologue: stack check → morestack (args map: ctxt, frame, "
                "retValid, regs)", _SRC["prologue"], "prologue")


def _makefunc(m: _StubMachine, vsig: Signature, mutants: frozenset[str]) -> None:
    a, v, ps, ra, S = m.arch, m.v, m.ps, m.ra, _SRC
    CR, FN = "callReflect", "fn"
    st = _Stub(m, vsig, "makeFuncStub")
    abid = st.vdesc
    m.region_frame.update({"cr": CR, "fn": FN})
    fnobj = m.new("fn (user func)", ps, 0)
    # makeFuncImpl{makeFuncCtxt{fn, stack, argLen, regPtrs}, ftyp, fn} (MF:20-24, 147-152)
    impl = m.new("makeFuncImpl", 6 * ps, 1 << 1 | 1 << 4 | 1 << 5)
    m.write(impl, 0, [("D", "code", i) for i in range(ps)])
    m.write(impl, ps, [("T", "stackmap", i) for i in range(ps)])
    m.write(impl, 4 * ps, [("T", "ftyp", i) for i in range(ps)])
    m.write(impl, 5 * ps, m.ptr(fnobj))
    sent = _caller_and_stub(m, vsig, st, impl, mutants)
    _ctxt_frame(m, CR, "cr", impl)
    early = "early-retvalid" in mutants
    m.safepoint(CR, "funcLayout(ftyp, nil) — call", S["funcLayout"], "call")
    nin = len(vsig.params)
    m.safepoint(CR, f"in := make([]Value, 0, {nin}) — call (allocation)", S["make"], "call")
    in_arr = m.new("in[]", 3 * ps * max(1, nin), sum(0b011 << (3 * i) for i in range(nin)))
    m.write("cr", 4 * ps, m.ptr(in_arr))
    m.live["cr.in"] = (CR, "cr", 4 * ps, 1)
    indir: list[bool] = []
    for i, t in enumerate(vsig.params):
        lay = layout(t, ps)
        val = None
        boxed = False
        if lay.size == 0:
            m.safepoint(CR, f"arg {i}: Zero({t}) — call", S["zero"], "call")
            val = [("T", "zeroVal", j) for j in range(ps)]
            boxed = True
        else:
            steps = abid.call.steps_for(i)
            direct = is_direct(t, ps, v)
            if not direct:
                m.safepoint(CR, f"arg {i}: v.ptr = unsafe_New({t}) — call (allocation)",
                            S["newStack" if steps[0].kind == "stack" else "newReg"], "call")
                box = m.new(f"a{i}.box", lay.size, lay.gcmask)
                m.write("cr", 5 * ps, m.ptr(box))
                m.live["cr.v"] = (CR, "cr", 5 * ps, 1)
                val, boxed = m.ptr(box), True
            if steps[0].kind == "stack":
                su = m.deref_stack("cr", ps)
                src = m.read("caller.out", steps[0].stkoff, lay.size)
                if direct:
                    val = src[:ps]
                    m.op(CR, f"arg {i}: v.ptr = *(frame+{steps[0].stkoff}) (pointer-shaped)",
                         S["directStack"], stack_uses=su)
                else:
                    m.safepoint(CR, f"arg {i}: typedmemmove(v.ptr, frame+{steps[0].stkoff}) "
                                "— call", S["copyStack"], "call")
                    m.write(box, 0, src, True, "typedmemmove → bulkBarrierPreWrite")
                    m.op(CR, f"arg {i}: {lay.size} bytes frame+{steps[0].stkoff} → a{i}.box",
                         S["copyStack"], stack_uses=m.deref_stack("cr", ps))
            else:
                su = m.deref_stack("cr", 3 * ps)
                if direct:
                    if steps[0].kind != "ptr":
                        m.op(CR, f"arg {i}: pointer-shaped but its first step is "
                             f"{steps[0].kind}", f"{V}:761-764", static=[(
                                 "INV-GC-VALUE", f"callReflect panics on arg {i} ({t}): "
                                 "mismatch between ABI description and types")])
                        return
                    val = m.read("stub.regs", ra.ptrs_offset + ps * steps[0].ireg, ps)
                    m.op(CR, f"arg {i}: v.ptr = regs.Ptrs[{steps[0].ireg}]", S["directReg"],
                         stack_uses=su)
                for stp in steps if not direct else ():
                    if stp.kind == "int":
                        if m.rv.int_to_reg_call:
                            m.safepoint(CR, f"arg {i}: intFromReg(regs, {stp.ireg}, "
                                        f"{stp.size}, …) — call", S["intFromReg"], "call")
                        off = ps - stp.size if a.big_endian else 0
                        m.write(box, stp.offset, m.read("stub.regs", ra.ints_offset
                                                        + ps * stp.ireg + off, stp.size),
                                False, "intFromReg: memmove of a scalar")
                        m.op(CR, f"arg {i} bytes {stp.offset}..{stp.offset + stp.size} ← "
                             f"regs.Ints[{stp.ireg}]", S["intFromReg"],
                             stack_uses=m.deref_stack("cr", 3 * ps))
                    elif stp.kind == "ptr":
                        m.write(box, stp.offset, m.read("stub.regs", ra.ptrs_offset
                                                        + ps * stp.ireg, ps),
                                True, "*(*unsafe.Pointer)(s) = regs.Ptrs[…]: compiler write "
                                "barrier")
                        m.op(CR, f"arg {i} bytes {stp.offset}..{stp.offset + ps} ← "
                             f"regs.Ptrs[{stp.ireg}]", S["ptrReg"], stack_uses=su)
                    else:
                        img = m.read("stub.regs", ra.floats_offset + 8 * stp.freg, 8)
                        fmt = _F32_REFLECT.get(a.goarch, "low32")
                        m.write(box, stp.offset, _f32_read(fmt, img, None) if stp.size == 4
                                else img[:stp.size], False, "floatFromReg: no barrier")
                        m.op(CR, f"arg {i} bytes {stp.offset}..{stp.offset + stp.size} ← "
                             f"regs.Floats[{stp.freg}]", S["floatFromReg"], stack_uses=su)
        indir.append(boxed)
        assert val is not None
        m.write(in_arr, 3 * ps * i, [("T", f"in{i}.typ", j) for j in range(ps)], True,
                "append: compiler write barrier")
        m.write(in_arr, 3 * ps * i + ps, val, True, "append: compiler write barrier")
        m.live.pop("cr.v", None)
        m.op(CR, f"in = append(in, v) (arg {i}; capacity preallocated)", S["append"])
    # out := f(in): `in` passes to f and is dead in callReflect after the call.
    del m.live["cr.in"]
    m.frames.append(FN)
    m.write("fn", 0, m.ptr(in_arr))
    m.live["fn.in"] = (FN, "fn", 0, 1)
    m.op(CR, "out := f(in) — CALL ctxt.fn", S["callfn"], 1 << impl | 1 << fnobj)
    m.safepoint(FN, "fn prologue: stack check → morestack (args map: in)", S["prologue"],
                "prologue")
    m.safepoint(FN, "fn — asynchronous preemption (user code)", GC_SRC["conservative"],
                "async", conservative=[(FN, "fn", 0, ps)], cons_regs=True, move=False)
    for i, t in enumerate(vsig.params):
        data, lvs = sent[i]
        if i:
            m.safepoint(FN, f"fn: call site before using in[{i}]", GC_SRC["precise"], "call")
        lay = layout(t, ps)
        w = m.read(in_arr, 3 * ps * i + ps, ps)
        uses = 1 << in_arr
        got: list[Any] = []
        if lay.size and indir[i]:
            c = classify(w)
            got = m.read(c[1], 0, lay.size) if c[0] == "heap" else [0] * lay.size
            uses |= (1 << c[1]) if c[0] == "heap" else 0
        elif lay.size:
            got = w
        stc = []
        d = _diff(got, data, lvs, m.objs) if lay.size else None
        if d is not None:
            stc.append(("INV-GC-VALUE", f"fn received arg {i} ({t}) wrong: {d}"))
        m.op(FN, f"fn uses in[{i}] ({t}): bytes, dereference", "",
             uses | (m.use_value(got, lvs) if lay.size else 0), stc)
    del m.live["fn.in"]
    nres = len(vsig.results)
    exp_res: list[tuple[list, list[Leaf]]] = []
    out_arr = in_arr  # replaced below when there are results
    if nres:
        m.safepoint(FN, "fn allocates its results (new, make([]Value, n), boxes) — call",
                    GC_SRC["precise"], "call")
        reuse = [o for data, lvs in sent for lf in lvs if lf.what == "ptr"
                 for c in [classify(data[lf.offset:lf.offset + ps])] if c[0] == "heap"
                 for o in [c[1]]] if m.results == "args" else None
        out_arr = m.new("out[]", 3 * ps * nres, sum(0b011 << (3 * r) for r in range(nres)))
        for ri, t in enumerate(vsig.results):
            data, lvs = _value_bytes(m, t, f"r{ri}", reuse)
            exp_res.append((data, lvs))
            lay = layout(t, ps)
            if lay.size and is_direct(t, ps, v):
                word = data[:ps]
            elif lay.size:
                box = m.new(f"r{ri}.box", lay.size, lay.gcmask)
                m.write(box, 0, data, True, "fn fills its result box (write barrier)")
                word = m.ptr(box)
            else:
                word = [("T", "zeroVal", j) for j in range(ps)]
            m.write(out_arr, 3 * ps * ri, [("T", f"out{ri}.typ", j) for j in range(ps)], True,
                    "out[i] = Value{…}: compiler write barrier")
            m.write(out_arr, 3 * ps * ri + ps, word, True,
                    "out[i] = Value{…}: compiler write barrier")
        m.op(FN, f"fn builds out = []Value{{…}} ({nres} results) and returns it")
        m.write("cr", 6 * ps, m.ptr(out_arr))
        m.live["cr.out"] = (CR, "cr", 6 * ps, 1)
    else:
        m.op(FN, "fn returns nil")
    m.frames.pop()
    # Results (MF-GC-5): each Value converted by assignTo (a call), then copied.
    if early:
        _set_ret_valid(m, st, CR, "cr", "MUTANT: before the results are copied", S["retValid"])
    for ri, t in enumerate(vsig.results):
        lay = layout(t, ps)
        if lay.size == 0:
            continue
        m.safepoint(CR, f"result {ri}: v = out[{ri}].assignTo(…) — call", S["assignTo"],
                    "call")
        word = m.read(out_arr, 3 * ps * ri + ps, ps)
        direct = is_direct(t, ps, v)
        c = classify(word)
        box_uses = (1 << c[1]) if not direct and c[0] == "heap" else 0
        data = m.read(c[1], 0, lay.size) if box_uses else word
        for stp in abid.ret.steps_for(ri):
            if stp.kind == "stack":
                m.write("caller.out", stp.stkoff, data if not direct else word)
                m.op(CR, f"result {ri} → frame+{stp.stkoff} ("
                     + ("memmove" if not direct else "*(*uintptr)(addr) = v.ptr")
                     + ", no write barrier)", S["retStack"], 1 << out_arr | box_uses,
                     stack_uses=m.deref_stack("cr", ps))
                break
            if stp.kind in ("int", "ptr"):
                if direct:
                    m.write("stub.regs", ra.ints_offset + ps * stp.ireg, word)
                    m.op(CR, f"result {ri}: regs.Ints[{stp.ireg}] = uintptr(v.ptr) (Ints only)",
                         S["retDirect"], 1 << out_arr, stack_uses=m.deref_stack("cr", 3 * ps))
                    continue
                if m.rv.int_to_reg_call:
                    m.safepoint(CR, f"result {ri}: intToReg(regs, {stp.ireg}, {stp.size}, …) "
                                "— call", S["intToReg"], "call")
                slot = m.read("stub.regs", ra.ints_offset + ps * stp.ireg, ps)
                off = ps - stp.size if a.big_endian else 0
                slot[off:off + stp.size] = data[stp.offset:stp.offset + stp.size]
                m.write("stub.regs", ra.ints_offset + ps * stp.ireg, slot)
                m.op(CR, f"result {ri} bytes {stp.offset}..{stp.offset + stp.size} → regs.Ints"
                     f"[{stp.ireg}]", S["intToReg"], 1 << out_arr | box_uses,
                     stack_uses=m.deref_stack("cr", 3 * ps))
            else:
                part = data[stp.offset:stp.offset + stp.size]
                img = (_f32_image(_F32_REFLECT.get(a.goarch, "low32"), f"r{ri}@{stp.offset}",
                                  part) if stp.size == 4 else part + [0] * (8 - stp.size))
                m.write("stub.regs", ra.floats_offset + 8 * stp.freg, img)
                m.op(CR, f"result {ri} bytes {stp.offset}..{stp.offset + stp.size} → regs."
                     f"Floats[{stp.freg}]", S["floatToReg"], 1 << out_arr | box_uses,
                     stack_uses=m.deref_stack("cr", 3 * ps))
    if not early:
        _set_ret_valid(m, st, CR, "cr", "after the results", S["retValid"])
    for key in [k for k in m.live if k.startswith("cr.")]:
        del m.live[key]
    m.frames.pop()
    m.op(CR, "KeepAlive(out), KeepAlive(ctxt); RET (no safepoint)", S["keepalive"])
    _stub_return(m, vsig, st, exp_res)


# --------------------------------------------------------------------------------------------
# Method values: methodValueCall → callMethod → reflectcall (MF-GC-7)


def _method_value(m: _StubMachine, vsig: Signature, mutants: frozenset[str]) -> None:
    a, v, ps, ra, S = m.arch, m.v, m.ps, m.ra, _SRC
    CM = "callMethod"
    sig = m.sig
    assert sig.recv is not None
    st = _Stub(m, vsig, "methodValueCall")
    vdesc, desc = st.vdesc, m.desc  # value ABI (the caller's), method ABI (m.sig has recv)
    m.region_frame.update({"cm": CM, "regArgs": CM})
    # The receiver as the method value holds it (methodValue.rcvr, MF:98-131).
    rdata, _ = _value_bytes(m, sig.recv, "rcvr")
    if sig.recv.kind == Kind.INTERFACE:
        rword = rdata[ps:2 * ps]  # storeRcvr: the interface data word (V:918-921)
        rptr = rdata[ps:2 * ps]
    elif is_direct(sig.recv, ps, v):
        rword = rptr = rdata[:ps]
    else:
        cp = m.new("rcvr.copy", len(rdata), layout(sig.recv, ps).gcmask)
        m.write(cp, 0, rdata)
        rword = rptr = m.ptr(cp)
    # methodValue{makeFuncCtxt{fn, stack, argLen, regPtrs}, method, rcvr Value}: pointer words
    # stack, rcvr.typ, rcvr.ptr (MF:85-89, 147-152)
    mv = m.new("methodValue", 8 * ps, 1 << 1 | 1 << 5 | 1 << 6)
    m.write(mv, 0, [("D", "code", i) for i in range(ps)])
    m.write(mv, ps, [("T", "stackmap", i) for i in range(ps)])
    m.write(mv, 5 * ps, [("T", "rcvr.typ", i) for i in range(ps)])
    m.write(mv, 6 * ps, rptr)
    sent = _caller_and_stub(m, vsig, st, mv, mutants)
    _ctxt_frame(m, CM, "cm", mv)
    m.write("cm", 4 * ps, rptr)
    m.live["cm.rcvr"] = (CM, "cm", 4 * ps, 1)
    m.op(CM, "rcvr := ctxt.rcvr", S["rcvr"], 1 << mv)
    m.safepoint(CM, "methodReceiver(\"call\", rcvr, ctxt.method) — call", S["methodReceiver"],
                "call")
    ifn = m.new("ifn (method code word)", ps, 0)
    m.write("cm", 5 * ps, m.ptr(ifn))
    m.live["cm.methodFn"] = (CM, "cm", 5 * ps, 1)
    m.safepoint(CM, "funcLayout(valueFuncType, nil) — call", S["layouts"], "call")
    m.safepoint(CM, "funcLayout(valueFuncType, rcvrType) — call", S["layouts"], "call")
    ft = desc.frame_type_size
    m.safepoint(CM, "methodFrame := methodFramePool.Get() — call (may allocate)", S["poolGet"],
                "call")
    frame = None
    if ft:
        frame = m.new("methodFrame", ft, desc.stack_ptrs)
        m.write("cm", 6 * ps, m.ptr(frame))
        m.live["cm.methodFrame"] = (CM, "cm", 6 * ps, 1)
    # methodRegs: a local whose address is taken, so a compiler stack object (Ptrs only are
    # pointers), scanned only while a scanned word points to it (MF-GC-7).
    m.write("regArgs", 0, [0] * ra.size)
    if a.n_int:
        m.stack_objs["regArgs"] = (CM, ra.ptrs_offset, (1 << a.n_int) - 1)
    m.op(CM, "var methodRegs abi.RegArgs (zeroed)", S["poolGet"])
    where = store_rcvr(m, desc, v, frame, rword, "methodFrame", "methodRegs")
    del m.live["cm.rcvr"]
    m.op(CM, f"storeRcvr(rcvr) → {where} (inlined)", S["storeRcvr"])
    intcall = m.rv.int_to_reg_call

    def int_call(what: str, regs: str) -> None:
        # intToReg(&methodRegs, …) / intFromReg(valueRegs, …): the callee's argument points to
        # that RegArgs while it runs (its args map), so a GC in its prologue scans the object
        if intcall:
            m.write("cm.tmp", 0, m.sptr(regs))
            m.safepoint(CM, f"{what} — call", S["xlate"], "call", extra=[
                ("intToReg/intFromReg arg r", CM, "cm.tmp", 0, 1)])

    m.region_frame["cm.tmp"] = CM
    for i in range(len(vsig.params)):
        vsteps, msteps = vdesc.call.steps_for(i), desc.call.steps_for(i + 1)
        if not vsteps:
            continue
        vs0 = vsteps[0]
        if vs0.kind == "stack":
            if msteps[0].kind == "stack":
                assert frame is not None
                m.safepoint(CM, f"arg {i}: typedmemmove(methodFrame+{msteps[0].stkoff}, "
                            f"valueFrame+{vs0.stkoff}) — call", S["xlate"], "call")
                m.write(frame, msteps[0].stkoff,
                        m.read("caller.out", vs0.stkoff, vs0.size), True,
                        "typedmemmove → bulkBarrierPreWrite")
                m.op(CM, f"arg {i}: stack → stack", S["xlate"],
                     stack_uses=m.deref_stack("cm", ps))
                continue
            if not callmethod_stack_to_reg(v):
                m.op(CM, f"arg {i}: stack → registers", f"go1.17beta1 {V} callMethod", static=[(
                    "INV-GC-VALUE", f"callMethod panics on arg {i}: \"method ABI and value ABI "
                    "do not align\" (no stack→register case before 9d46ee5ac4, MV-3)")])
                return
            for ms in msteps:
                frm = vs0.stkoff + ms.offset
                if ms.kind == "ptr":
                    m.write("regArgs", ra.ptrs_offset + ps * ms.ireg,
                            m.read("caller.out", frm, ps))
                if ms.kind in ("ptr", "int"):
                    int_call(f"arg {i}: intToReg(&methodRegs, {ms.ireg}, …)", "regArgs")
                    slot = m.read("regArgs", ra.ints_offset + ps * ms.ireg, ps)
                    off = ps - ms.size if a.big_endian else 0
                    slot[off:off + ms.size] = m.read("caller.out", frm, ms.size)
                    m.write("regArgs", ra.ints_offset + ps * ms.ireg, slot)
                else:
                    part = m.read("caller.out", frm, ms.size)
                    m.write("regArgs", ra.floats_offset + 8 * ms.freg, _f32_image(
                        _F32_REFLECT.get(a.goarch, "low32"), f"a{i}@{ms.offset}", part)
                        if ms.size == 4 else part + [0] * (8 - ms.size))
                m.op(CM, f"arg {i} bytes {ms.offset}..{ms.offset + ms.size}: stack → "
                     f"methodRegs ({ms.kind})", S["xlate"], stack_uses=m.deref_stack("cm", ps))
            continue
        if msteps[0].kind == "stack":
            assert frame is not None
            base = msteps[0].stkoff
            for vs in vsteps:
                if vs.kind == "ptr":
                    m.write(frame, base + vs.offset, m.read("stub.regs", ra.ptrs_offset
                                                            + ps * vs.ireg, ps), True,
                            "*(*unsafe.Pointer)(to) = valueRegs.Ptrs[…]: compiler write "
                            "barrier")
                elif vs.kind == "int":
                    int_call(f"arg {i}: intFromReg(valueRegs, {vs.ireg}, …)", "stub.regs")
                    off = ps - vs.size if a.big_endian else 0
                    m.write(frame, base + vs.offset, m.read(
                        "stub.regs", ra.ints_offset + ps * vs.ireg + off, vs.size), False,
                        "intFromReg: memmove of a scalar")
                else:
                    img = m.read("stub.regs", ra.floats_offset + 8 * vs.freg, 8)
                    m.write(frame, base + vs.offset, _f32_read(
                        _F32_REFLECT.get(a.goarch, "low32"), img, None) if vs.size == 4
                        else img[:vs.size], False, "floatFromReg: no barrier")
                m.op(CM, f"arg {i} bytes {vs.offset}..{vs.offset + vs.size}: valueRegs → "
                     f"methodFrame+{base + vs.offset}", S["xlate"],
                     stack_uses=m.deref_stack("cm", 3 * ps))
            continue
        for vs, ms in zip(vsteps, msteps, strict=True):
            if vs.kind == "ptr":
                m.write("regArgs", ra.ptrs_offset + ps * ms.ireg,
                        m.read("stub.regs", ra.ptrs_offset + ps * vs.ireg, ps))
            if vs.kind in ("ptr", "int"):
                m.write("regArgs", ra.ints_offset + ps * ms.ireg,
                        m.read("stub.regs", ra.ints_offset + ps * vs.ireg, ps))
            else:
                m.write("regArgs", ra.floats_offset + 8 * ms.freg,
                        m.read("stub.regs", ra.floats_offset + 8 * vs.freg, 8))
        m.op(CM, f"arg {i}: valueRegs → methodRegs ({len(vsteps)} step(s))", S["xlate"],
             stack_uses=m.deref_stack("cm", 3 * ps))
    m.write("regArgs", ra.return_is_ptr_offset, [desc.out_reg_ptrs & 0xFF,
                                                  desc.out_reg_ptrs >> 8 & 0xFF])
    m.op(CM, f"methodRegs.ReturnIsPtr = {desc.out_reg_ptrs:#b}", S["retIsPtr"])
    del m.live["cm.methodFn"]
    exp_args = sent
    early = "early-retvalid" in mutants
    if early:  # no safepoint between V:1103 and V:1126: the mutant moves it before the call
        _set_ret_valid(m, st, CM, "cm", "MUTANT: before the method returns its results",
                       S["mretValid"])
    exp_res = _reflectcall(m, CM, S["mcall"], ifn, frame, exp_args, rword)
    if exp_res is None:
        return
    # *valueRegs = methodRegs (wbMove is nosplit: no safepoint), then the stack results.
    m.write("stub.regs", 0, m.read("regArgs", 0, ra.size))
    last_regs = "no-keepalive-regs" in mutants
    su = m.deref_stack("cm", 3 * ps)
    if last_regs:
        del m.live["cm.regs"]  # its last use: nothing points to the stub's RegArgs any more
    m.op(CM, "*valueRegs = methodRegs" + (" (MUTANT: valueRegs dead after it)" if last_regs
                                         else ""), S["regsBack"], stack_uses=su)
    ret_size = desc.frame_type_size - desc.ret_offset
    if ret_size > 0:
        assert frame is not None
        m.write("caller.out", vdesc.ret_offset, m.read(frame, desc.ret_offset, ret_size))
        m.op(CM, f"memmove {ret_size} bytes methodFrame+{desc.ret_offset} → valueFrame+"
             f"{vdesc.ret_offset} (no write barrier: stack)", S["retCopy"], 1 << frame,
             stack_uses=m.deref_stack("cm", ps))
    del m.live["cm.frame"]
    if not early:
        _set_ret_valid(m, st, CM, "cm", "after the results", S["mretValid"])
    # Both calls happen whatever the frame's size (a zero-size frame is &zerobase).
    m.safepoint(CM, "typedmemclr(methodFrameType, methodFrame) — call", S["memclr"], "call")
    if frame is not None:
        m.write(frame, 0, [0] * ft, True, "typedmemclr → bulkBarrierPreWrite: shades the old "
                "values")
        m.op(CM, "methodFrame cleared", S["memclr"])
    m.safepoint(CM, "methodFramePool.Put(methodFrame) — call", S["poolPut"], "call")
    m.live.pop("cm.methodFrame", None)
    for key in [k for k in m.live if k.startswith("cm.")]:
        del m.live[key]
    m.frames.pop()
    m.op(CM, "KeepAlive(ctxt), KeepAlive(valueRegs); RET (no safepoint)", S["mkeepalive"])
    _stub_return(m, vsig, st, exp_res)

