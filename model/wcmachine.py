"""The Windows callback path as a call-machine program, for the GC explorer (spec/paths.md
WC-GC-1 … WC-GC-4; the static check of this path is model/wincallback.py, CB-1 … CB-12).

go1.27.3 src/runtime/syscall_windows.go (``SW``) callbackWrap (SW:360-403) runs on the
goroutine's stack (cgocallback) with ``a *callbackArgs`` whose ``args`` point to the C argument
block (C memory: never scanned). It copies each abiPart of the layout compileCallback computed
(model/wincallback.py ``compile_callback``) with ``memmove`` (assembly, no safepoint) either to
``var frame [callbackMaxFrame]byte`` — a byte array: no pointer words, so no stack object and
nothing the GC scans — or to ``regs.Ints[dstRegister]`` (uintptr words; ``regs`` is a stack
object whose pointer words, ``Ptrs``, stay zero), then calls ``reflectcall(nil, c.fn,
noescape(&frame), dstStackSize, retOffset, frameSize, &regs)`` — the ``_reflectcall`` points of
Value.call with stackArgs a *stack* address — and reads the one uintptr result from
``frame[retOffset]`` or ``regs.Ints[0]`` (SW:394-402).

So a Go pointer argument (compileCallback accepts pointer and unsafe.Pointer parameters:
model/wincallback.py ``_REG_KINDS``) is invisible to the GC from the C side until the
callback's prologue spills it under its own args map: nothing in callbackWrap keeps it alive.
Whatever handed it to C must (the syscall's ``//go:uintptrkeepalive`` arguments, a
runtime.Pinner: the cgo pointer rules). The model shows that keeper as a bottom pseudo-frame
(``KEEPER``); the ``no-keeper`` mutant removes it.
"""

from __future__ import annotations

from regabi.errors import InputError
from regabi.model.arch import Arch
from regabi.model.callmachine import (
    Program,
    _diff,
    _reflectcall,
    _value_bytes,
    check_build_args,
    classify,
    machine_arch,
)
from regabi.model.gcrt import RuntimeVariant, runtime_variant
from regabi.model.mfmachine import _StubMachine
from regabi.model.sig import Signature
from regabi.model.types import layout
from regabi.model.variants import Variant, get_variant
from regabi.model.wincallback import Refused, compile_callback

__all__ = ["KEEPER", "WC_GC_MUTANTS", "WC_PATHS", "build_wc_program"]

WC_PATHS: tuple[str, ...] = ("wincallback",)
WC_GC_MUTANTS: dict[str, str] = {
    "no-keeper": "nothing outside callbackWrap keeps a Go pointer argument alive (a pointer "
                 "C kept past the call that handed it over, or never pinned)",
}
SW = "runtime/syscall_windows.go"
#: the roots outside callbackWrap: the global cbs.ctxt (the callback's fn) and whatever keeps a
#: Go pointer argument alive while C holds it (not callbackWrap)
KEEPER = "roots (cbs.ctxt; the pointers' Go owner)"
CW = "callbackWrap"
_SRC = {
    "cbs": f"{SW}:14-18, 40-44 (var cbs: ctxt [cb_max]winCallback{{fn *funcval, …}}, a "
           "global: a data/bss root)",
    "keeper": f"{SW}:412-413 (syscall_syscalln: //go:uintptrkeepalive); the cgo "
              "pointer-passing rules",
    "entry": f"{SW}:360-362 (c := cbs.ctxt[a.index]; callbackWrap's prologue: cgocallbackg "
             "calls it on the goroutine stack)",
    "locals": f"{SW}:365-367 (var regs abi.RegArgs: a stack object, Ptrs only; var frame "
              "[callbackMaxFrame]byte: no pointer words; goArgs := &frame)",
    "stack": f"{SW}:370-371 (memmove: assembly, no safepoint)",
    "reg": f"{SW}:372-374 (memmove into &regs.Ints[dstRegister])",
    "call": f"{SW}:381-387 (reflectcall(nil, c.fn, noescape(goArgs), dstStackSize, retOffset, "
            "frameSize, &regs))",
    "result": f"{SW}:389-402 (a.result from frame[retOffset] or regs.Ints[0])",
}


def build_wc_program(path: str, sig: Signature, variant: str | Variant,
                     arch: str | Arch = "amd64", runtime: RuntimeVariant | None = None,
                     results: str = "fresh",
                     mutants: frozenset[str] = frozenset()) -> Program:
    """Compile one C→Go callback of ``sig`` through callbackWrap into points (go1.27.3 only:
    model/wincallback.py models that runtime's compileCallback)."""
    if path not in WC_PATHS:
        raise InputError(f"--path {path!r}: this module compiles {', '.join(WC_PATHS)}",
                         source="--path")
    check_build_args(results, mutants, tuple(WC_GC_MUTANTS))
    v = get_variant(variant) if isinstance(variant, str) else variant
    if v.name != "current":
        raise InputError(f"variant {v.name}: --path wincallback models go1.27.3's callbackWrap "
                         "only (model/wincallback.py)", source="--variant")
    rv = runtime if runtime is not None else runtime_variant(v.name)
    a = machine_arch(arch, v.name)
    try:
        lay = compile_callback(sig, a)
    except Refused as e:
        raise InputError(f"{e.message} ({e.cite})", source="--sig") from None
    ps = a.ptr_size
    m = _StubMachine(sig, v, rv, a, ())
    m.results = results
    # reflectcall(nil, fn, &frame, dstStackSize, retOffset, frameSize, &regs); regs zero:
    # no ReturnIsPtr (SW:366, 387)
    m.desc = m.desc._replace(stack_call_args_size=lay.stack_args_size,
                             ret_offset=lay.ret_offset, frame_type_size=lay.stack_args_size,
                             frame_size=lay.frame_size, out_reg_ptrs=0, stack_ptrs=0)
    m.region_frame.update({"regArgs": CW, "cw": CW, "cw.frame": CW, "keep": KEEPER})
    ra = m.ra
    # -- C's argument block; the keeper (WC-GC-1) ---------------------------------------------
    fnobj = m.new("fn (callback funcval)", ps, 0)
    sent = [_value_bytes(m, t, f"a{i}") for i, t in enumerate(sig.params)]
    m.frames = [KEEPER]
    m.write("cbs", 0, m.ptr(fnobj))
    m.live["cbs.ctxt[i].fn"] = (KEEPER, "cbs", 0, 1)
    keep = 0
    if "no-keeper" not in mutants:
        for data, lvs in sent:
            for lf in lvs:
                if lf.what == "ptr" and classify(data[lf.offset:lf.offset + ps])[0] == "heap":
                    m.write("keep", keep * ps, data[lf.offset:lf.offset + ps])
                    keep += 1
        if keep:
            m.live["keeper"] = (KEEPER, "keep", 0, (1 << keep) - 1)
    for i, (data, _l) in enumerate(sent):
        p = lay.params[i]
        if p.slot is not None:
            m.write("cargs", p.slot, data)
    m.op(KEEPER, f"C calls the callback: arguments in C memory (args block, not scanned); "
         f"{keep} Go pointer argument(s) kept alive by their Go owner"
         + (" (MUTANT: by nothing)" if "no-keeper" in mutants else ""), _SRC["keeper"])
    # -- callbackWrap (WC-GC-2, WC-GC-3) ----------------------------------------------------
    m.frames.append(CW)
    m.safepoint(CW, "callbackWrap prologue (args map: a, a pointer into C memory)",
                _SRC["entry"], "prologue")
    m.write("cw", 0, m.ptr(fnobj))
    m.live["callbackWrap.c.fn"] = (CW, "cw", 0, 1)
    m.op(CW, "c := cbs.ctxt[a.index] (a copy: c.fn live until reflectcall)", _SRC["entry"])
    m.write("regArgs", 0, [0] * ra.size)
    if a.n_int:
        m.stack_objs["regArgs"] = (CW, ra.ptrs_offset, (1 << a.n_int) - 1)
    m.write("cw.frame", 0, [0] * max(ps, lay.frame_size))
    m.op(CW, "var regs abi.RegArgs; var frame [callbackMaxFrame]byte (zeroed; bytes only)",
         _SRC["locals"])
    for part in lay.parts:
        src = m.read("cargs", part.src, part.len)
        if part.kind == "stack":
            m.write("cw.frame", part.dst, src)
            m.op(CW, f"memmove(&frame[{part.dst}], args+{part.src}, {part.len})",
                 _SRC["stack"])
        else:
            slot = [0] * ps
            off = ps - part.len if a.big_endian else 0
            slot[off:off + part.len] = src
            m.write("regArgs", ra.ints_offset + ps * part.dst, slot)
            m.op(CW, f"memmove(&regs.Ints[{part.dst}], args+{part.src}, {part.len})",
                 _SRC["reg"])
    del m.live["callbackWrap.c.fn"]  # its last use: the reflectcall argument
    res = _reflectcall(m, CW, _SRC["call"], fnobj, "cw.frame", sent, None, nil_type=True,
                       reserved_by="callbackWrap reserved from compileCallback's abiMap")
    if res is None:
        return _program(m, sig, v, a, results)
    # -- the result (WC-GC-4) -----------------------------------------------------------------
    exp, lvs = res[0]
    if lay.result_from == "Ints[0]":
        got = m.read("regArgs", ra.ints_offset, ps)
    else:
        got = m.read("cw.frame", lay.ret_offset, ps)
    size = layout(sig.results[0], ps).size
    d = _diff(got[:size], exp, lvs, m.objs)
    m.op(CW, f"a.result = {lay.result_from} (uintptr, back to C)", _SRC["result"],
         static=[("INV-GC-VALUE", f"the callback's result wrong: {d}")] if d else [])
    m.frames.pop()
    return _program(m, sig, v, a, results)


def _program(m: _StubMachine, sig: Signature, v: Variant, a: Arch, results: str) -> Program:
    return Program(sig, v.name, a.name, (), m.points, m.objs, m.desc, m.spec, m.holders,
                   m.notes, m.heaps, results)
