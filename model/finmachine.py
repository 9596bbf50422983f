"""The finalizer path as a call-machine program, for the GC explorer (spec/paths.md FIN-GC-1 …
FIN-GC-6; the static check of this path is model/finalizer.py, FIN-1 … FIN-6).

The finalizer goroutine's runFinalizers (go1.27.3 src/runtime/mfinal.go, ``FN``) takes a record
``f = &fb.fin[i-1]`` of a finBlock — memory outside the heap that markroot scans as a global root
while ``i-1 < fb.cnt`` (runtime/mgcmark.go:238-242, finptrmask: fn, arg and ot are pointer
words, FN:59-65, 118-133) — and calls the finalizer through reflectcall:

* the frame is ``mallocgc(framesz, nil, true)``: no type, so a *noscan* object
  (runtime/malloc.go:1080): nothing in it is ever scanned (FN:233-240, "all not yet finalized
  objects are stored in finq");
* the argument is written into ``regs.Ints`` (uintptr words: not scanned) when ``argRegs > 0``,
  else into ``frame[0:]`` (FN:244-270); an interface with methods costs a call to assertE2I in
  between (FN:263-266);
* ``reflectcall(nil, f.fn, frame, framesz, framesz, framesz, &regs)`` (FN:272): the very
  ``_reflectcall`` points Value.call records (callNN, the finalizer, callRet); the results are
  discarded (retOffset = frameSize: reflectcallmove copies nothing);
* only then ``f.fn = f.arg = f.ot = nil`` and ``fb.cnt = i-1`` (FN:279-282): the record keeps
  the object alive for the whole call — the finalizer's argument copies (Ints, the noscan
  frame, callNN's frame before the finalizer's args map covers it) are never what keeps it.

The program records one run of one finalizer by a goroutine whose frame cache is too small (so
the mallocgc safepoint is in it). The global root is shown as a pseudo-frame (``ROOT``) at the
bottom of the stack: it is scanned precisely at every safepoint, like the stack, and never moves.
``fin_variant`` (model/finalizer.py) gives each release's framesz and register choice (FIN-5);
the rest of runFinalizers' body is go1.27.3's (the seed's runfinq makes the same reflectcall
and then "Drop[s] finalizer queue heap references": seed runtime/mfinal.go:222-230; its
``var regs`` is a dummy declared just before the call, never written).
``mutants`` are bugs of the shape a real one would have, for the vacuity tests (MUTANTS).
"""

from __future__ import annotations

from regabi.errors import InputError
from regabi.model.arch import Arch
from regabi.model.callmachine import (
    Program,
    _reflectcall,
    _value_bytes,
    check_build_args,
    machine_arch,
)
from regabi.model.finalizer import fin_in_regs, fin_variant, finalizer_arg, finalizer_layout
from regabi.model.gcrt import RuntimeVariant, runtime_variant
from regabi.model.mfmachine import _StubMachine
from regabi.model.sig import Signature
from regabi.model.types import Interface, Kind
from regabi.model.variants import Variant, get_variant

__all__ = ["FIN_GC_MUTANTS", "FIN_PATHS", "ROOT", "build_fin_program"]

#: The paths this module compiles (the spelling of ``regabi explore --path``).
FIN_PATHS: tuple[str, ...] = ("finalizer",)

#: Model mutants for vacuity (never a variant: no release had them).
FIN_GC_MUTANTS: dict[str, str] = {
    "early-clear": "f.arg = nil before reflectcall instead of after it (FN:280 moved before "
                   "FN:272)",
    "scan-frame": "the frame allocated with a type whose every word is a pointer instead of "
                  "mallocgc(framesz, nil, true) (FN:238): its uintptr-typed words scanned",
}

FN = "runtime/mfinal.go"
#: the global root holding the finalizer record, shown as the bottom "frame"
ROOT = "markroot (allfin)"
RF = "runFinalizers"
_SRC = {
    "root": "runtime/mgcmark.go:238-242 (markroot fixedRootFinalizers: fb.fin[0:fb.cnt] with "
            f"finptrmask, {FN}:118-133)",
    "take": f"{FN}:207-221 (fb := finq; f := &fb.fin[i-1])",
    "regs": f"{FN}:223 (var regs abi.RegArgs: address taken, a stack object)",
    "framesz": f"{FN}:232",
    "alloc": f"{FN}:233-240 (mallocgc(framesz, nil, true): typ == nil → noscan, "
             "runtime/malloc.go:1080)",
    "r": f"{FN}:244-253",
    "ptr": f"{FN}:255-257", "eface": f"{FN}:258-262", "assertE2I": f"{FN}:263-266 "
    "(runtime/iface.go:467 assertE2I: a call)",
    "call": f"{FN}:271-272 (reflectcall(nil, f.fn, frame, framesz, framesz, framesz, &regs))",
    "clear": f"{FN}:279-282 (f.fn, f.arg, f.ot = nil; atomic.Store(&fb.cnt, i-1))",
    "next": f"{FN}:220-238 (the next record's mallocgc), 205-210 (or gopark: queue empty)",
}


#: who chose reflectcall's frameSize here, for INV-GC-FRAME's message: framesz (FN:232, 272);
#: the goroutine's function was runfinq before its rename to runFinalizers (same body)
_RESERVED_BY = "the finalizer goroutine (runfinq, now runFinalizers) reserved as framesz"


def build_fin_program(path: str, sig: Signature, variant: str | Variant,
                      arch: str | Arch = "amd64", runtime: RuntimeVariant | None = None,
                      results: str = "fresh",
                      mutants: frozenset[str] = frozenset()) -> Program:
    """Compile one run of finalizer ``sig`` (``func(A) (R...)``, A a pointer or interface) by
    runFinalizers into points, as :func:`callmachine.build_program` does for Value.call."""
    if path not in FIN_PATHS:
        raise InputError(f"--path {path!r}: this module compiles {', '.join(FIN_PATHS)}",
                         source="--path")
    check_build_args(results, mutants, tuple(FIN_GC_MUTANTS))
    try:
        arg_t = finalizer_arg(sig)
    except ValueError as e:
        raise InputError(str(e), source="--sig") from None
    v = get_variant(variant) if isinstance(variant, str) else variant
    fv = fin_variant(v.name)
    rv = runtime if runtime is not None else runtime_variant(v.name)
    a = machine_arch(arch, v.name)
    ps = a.ptr_size
    fl = finalizer_layout(sig, a, fv)  # FIN-1, FIN-2: the release's framesz and arg place
    in_regs = fin_in_regs(fv, a.n_int)
    m = _StubMachine(sig, v, rv, a, ())
    m.results = results  # "args": the finalizer returns the object it was given (CALL-12)
    # reflectcall(nil, fn, frame, framesz, framesz, framesz): the frame is framesz bytes of
    # arguments, retOffset = frameSize = framesz, no ReturnIsPtr (regs is zero: FIN-GC-4)
    m.desc = m.desc._replace(stack_call_args_size=fl.framesz, ret_offset=fl.framesz,
                             frame_type_size=fl.framesz, frame_size=fl.framesz,
                             out_reg_ptrs=0, stack_ptrs=0)
    m.region_frame.update({"regArgs": RF, "rf": RF, "finblock": ROOT})
    ra = m.ra

    # -- before: SetFinalizer's record, queued by the sweeper (FIN-GC-1) ----------------------
    fnobj = m.new("fn (finalizer funcval)", ps, 0)
    data, lvs = _value_bytes(m, arg_t, "a0")
    argw = data[:ps] if arg_t.kind == Kind.POINTER else data[ps:2 * ps]
    m.write("finblock", 0, m.ptr(fnobj))
    m.write("finblock", ps, argw)
    m.write("finblock", 2 * ps, [("D", "nret", i) for i in range(ps)])
    m.write("finblock", 3 * ps, [("T", "fint", i) for i in range(ps)])
    m.write("finblock", 4 * ps, [("T", "ot", i) for i in range(ps)])
    m.frames = [ROOT, RF]
    rec = "fb.fin[i-1] (fn, arg, ot)"
    m.live[rec] = (ROOT, "finblock", 0, 0b11011)
    m.op(RF, f"f := &fb.fin[i-1]: fn = &{m.objs[fnobj]}, arg = the object, nret = {fl.nret}; "
         "the record is a global root while i-1 < fb.cnt", f"{_SRC['take']}; {_SRC['root']}")
    # -- the frame (FIN-GC-2) -------------------------------------------------------------------
    frame = None
    if fl.framesz:  # framecap (0 for a new goroutine) < framesz: allocate
        m.safepoint(RF, f"frame = mallocgc({fl.framesz}, nil, true) — call (allocation)",
                    _SRC["alloc"], "call")
        scan = "scan-frame" in mutants
        frame = m.new("frame" + (" (MUTANT: scanned)" if scan else " (noscan)"), fl.framesz,
                      (1 << (fl.framesz // ps)) - 1 if scan else 0)
        m.write("rf", 0, m.ptr(frame))
        m.live["runFinalizers.frame"] = (RF, "rf", 0, 1)
        m.op(RF, f"framecap = {fl.framesz}" + (
            " (MUTANT: a typed frame, every word a pointer)" if scan else
            " (frame: noscan, its words are never scanned)"), _SRC["alloc"])
    # -- var regs; r (FIN-GC-3) -------------------------------------------------------------------
    m.write("regArgs", 0, [0] * ra.size)
    if a.n_int:
        m.stack_objs["regArgs"] = (RF, ra.ptrs_offset, (1 << a.n_int) - 1)
    region: str | int  # where r points: the RegArgs local, or the frame (a heap object)
    if in_regs:
        region, base = "regArgs", ra.ints_offset
        m.write("rf", ps, m.sptr("regArgs", ra.ints_offset))
        where = "regs.Ints"
    else:
        assert frame is not None  # framesz >= sizeof(any) on the stack path (FIN-1)
        region, base = frame, 0
        m.write("rf", ps, m.ptr(frame))
        m.write(frame, 0, [0] * 2 * ps, True, "*(*[2]uintptr)(frame) = …: typed as uintptr")
        where = "frame[0:]"
    m.live["runFinalizers.r"] = (RF, "rf", ps, 1)
    m.op(RF, f"var regs abi.RegArgs (zero); r := {'&regs.Ints' if in_regs else 'frame'}"
         + ("" if in_regs else "; *(*[2]uintptr)(frame) = [2]uintptr{}"),
         f"{_SRC['regs']}; {_SRC['r']}")

    def store(off: int, word: list, what: str) -> None:
        # the compiler's write barrier: r is an unsafe.Pointer (the destination is unknown)
        m.write(region, base + off, word, True, "*(*unsafe.Pointer)(r) = …: compiler write "
                "barrier")
        m.op(RF, f"{where}[{off // ps}] = {what}", _SRC["ptr" if arg_t.kind == Kind.POINTER
                                                         else "eface"])

    if arg_t.kind == Kind.POINTER:
        store(0, argw, "f.arg")
    else:
        store(0, data[:ps] if not _methods(arg_t) else [("T", "ot.Type", i) for i in range(ps)],
              "&f.ot.Type")
        store(ps, argw, "f.arg")
        if _methods(arg_t):
            m.safepoint(RF, "tab := assertE2I(ityp, (*eface)(r)._type) — call",
                        _SRC["assertE2I"], "call")
            m.write(region, base, data[:ps], True, "iface.tab: compiler write barrier")
            m.op(RF, f"{where}[0] = tab (the itab)", _SRC["assertE2I"])
    del m.live["runFinalizers.r"]
    if "early-clear" in mutants:
        m.write("finblock", ps, [0] * ps)
        m.op(RF, "f.arg = nil (MUTANT: before the call)", _SRC["clear"])
    # -- reflectcall (FIN-GC-4, FIN-GC-5) ------------------------------------------------------
    res = _reflectcall(m, RF, _SRC["call"], fnobj, frame, [(data, lvs)], None, nil_type=True,
                       reserved_by=_RESERVED_BY)
    if res is None:
        return _program(m, sig, v, a, results)
    m.op(RF, "results discarded (retOffset = frameSize: reflectcallmove copied none)",
         _SRC["call"])
    # -- the record cleared, the slot released (FIN-GC-6) ------------------------------------
    m.write("finblock", 0, [0] * ps)
    m.write("finblock", ps, [0] * ps)
    m.write("finblock", 4 * ps, [0] * ps)
    del m.live[rec]
    m.op(RF, "f.fn = nil; f.arg = nil; f.ot = nil; fb.cnt = i-1 (the record is no root any "
         "more)", _SRC["clear"])
    m.safepoint(RF, "next record: mallocgc for a larger frame, or gopark (the finalized "
                "object unreferenced)", _SRC["next"], "call")
    return _program(m, sig, v, a, results)


def _methods(t: object) -> bool:
    return isinstance(t, Interface) and bool(t.methods)


def _program(m: _StubMachine, sig: Signature, v: Variant, a: Arch, results: str) -> Program:
    return Program(sig, v.name, a.name, (), m.points, m.objs, m.desc, m.spec, m.holders,
                   m.notes, m.heaps, results)
