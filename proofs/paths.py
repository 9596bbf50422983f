"""The hand-written implementations of the register ABI besides Value.call, checked against the
spec (spec/paths.md): verdict rows for ``regabi check`` (:func:`check_section`), a byte-level
simulation of a Windows callback (:func:`simulate_callback`) and its reproducer (Go program plus
C caller, :func:`emit_callback_repro`).

Bounds: signatures are enumerated from small type pools (below) rather than proved for all
types — the fold :func:`regabi.model.wincallback.cb_arg` is written over a domain, but no Z3
proof drives it yet.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from regabi.model.arch import load_arch
from regabi.model.assign import spec_assign
from regabi.model.makefunc import data_bytes
from regabi.model.sig import Signature
from regabi.model.syntax import parse_type
from regabi.model.types import GoType, Kind, layout
from regabi.model.wincallback import (
    ARCHES,
    FIXES,
    Mismatch,
    Refused,
    c_passing,
    cb_type,
    check_signature,
    compile_callback,
)
from regabi.verdict import Verdict

__all__ = ["CB_INVARIANTS", "CB_PARAMS", "CB_RESULTS", "FIN_INVARIANTS", "GC_FIN_CORPUS",
           "GC_FIN_VARIANTS", "GC_MF_CORPUS", "GC_MV_CORPUS", "GC_WC_CORPUS",
           "MFINAL_GO117_FIX", "MF_INVARIANTS", "MV_INVARIANTS", "REFLECT_ARCHES",
           "VALUE_GO_BETA1_FIX", "CbSim", "callback_signatures", "check_finalizers",
           "check_gc_finalizer", "check_gc_paths", "check_gc_wincallback",
           "check_reflect_paths", "check_section", "check_wincallback", "emit_callback_repro",
           "emit_reflect_repro", "simulate_callback"]

CB_INVARIANTS = ("INV-CB-ASSIGN", "INV-CB-RESULT", "INV-CB-FRAME", "INV-CB-SPILL",
                 "INV-CB-CSIDE")

# Parameter types: every tryRegAssignArg case (SW:173-198), sizes 0 … 8, and the kinds it
# refuses (at the top level and nested).
CB_PARAMS = ("uint8", "int16", "uint32", "uintptr", "bool", "int64", "unsafe.Pointer", "*int",
             "[1]uint16", "struct{}", "struct{a, b uint32}", "struct{a, b, c uint8}",
             "struct{a uint8; b int16}", "struct{a uint32; f float32}", "struct{a [1]int8}",
             "[2]uint8", "float64", "map[int]int", "string")
# Results: pointer-sized ones with each register class and the stack (ASG-2), and refusals.
CB_RESULTS = ("uintptr", "unsafe.Pointer", "struct{a, b uint32}", "struct{f float64}",
              "struct{a uint8; b [7]uint8}", "complex64", "[1]int64", "uint32", "float64")


#: the register-ABI architectures (reflect/asm_*.s with LOCAL_REGARGS)
REFLECT_ARCHES = ("amd64", "arm64", "loong64", "ppc64", "ppc64le", "riscv64", "s390x")


def _types(names: Iterable[str]) -> list[GoType]:
    return [parse_type(n) for n in names]


def callback_signatures(arch: str) -> Iterator[Signature]:
    """k pointer-sized words (k = 0 and the last three register counts), then one or two
    parameters from CB_PARAMS, then a result from CB_RESULTS: every way a parameter of at most
    three leaves can meet the end of the register file."""
    n = load_arch(arch).n_int
    words = sorted({0, *range(max(0, n - 2), n + 1)})
    params, results = _types(CB_PARAMS), _types(CB_RESULTS)
    w = parse_type("uintptr")
    for k in words:
        for a in params:
            for b in [None, *params]:
                for r in results:
                    ps = (w,) * k + (a,) + (() if b is None else (b,))
                    yield Signature(ps, (r,))


def check_section(arches: Sequence[str] = ARCHES, variant: str = "current",
                  reflect_arches: Sequence[str] = REFLECT_ARCHES, n: int = 400,
                  seed: int = 1) -> list[Verdict]:
    """Every path's rows: Windows callbacks (:func:`check_wincallback`) and MakeFunc /
    method values (:func:`check_reflect_paths`)."""
    return (check_wincallback(arches, variant) + check_wincallback(arches, "fixed")
            + check_reflect_paths(reflect_arches, n=n, seed=seed)
            + check_finalizers((*reflect_arches, "386", "arm"))
            + check_gc_paths() + check_gc_finalizer() + check_gc_wincallback())


#: MakeFunc'd function types the GC explorer runs (spec/paths.md MF-GC-*): direct and
#: indirect pointers in registers, register exhaustion (stack arguments and results), stack
#: results with pointers, floats, interfaces and maps, zero-size values, a mixed struct.
GC_MF_CORPUS: tuple[str, ...] = (
    "func(p *int) *int",
    "func(s string, b []byte) (string, error)",
    "func(a, b, c, d, e, f, g, h, i int, p *int, s string) ([2]*int, string)",
    "func(x [2]*int, f float64, g float32) ([2]*int, float32)",
    "func(e any, m map[int]int) (any, *int)",
    "func(z struct{}, p *int) struct{}",
    "func(s struct{a int8; p *int; f float64}) (int, *int)",
)
#: (method type, receiver) pairs: a pointer result in a register (the RegArgs copy-back),
#: all four translation directions (spec/paths.md MV-3's example), stack→register pointers,
#: stack results, an indirect receiver.
GC_MV_CORPUS: tuple[tuple[str, str], ...] = (
    ("func() *int", "*int"),
    ("func(s string) *int", "struct{a, b int}"),
    ("func(a, b, c, d, e, f, g, h int, p *int, q [2]*int) (*int, [2]*int)", "*int"),
    ("func(a int, x [2]*int) ([2]*int, *int)", "struct{a, b int}"),
    ("func(a, b, c, d, e, f, g int, p struct{a, b int}, q int, r [2]int, z struct{})", "int"),
    ("func() string", "*struct{p *int}"),
)
#: the explorer's bounds for these rows (as `regabi check`'s explorer section: issue 8)
GC_K, GC_M = 2, 2


def _gc_rows(path: str, items: Sequence[tuple[str, str | None]], variant: str, arch: str,
             noun: str, row_variant: str, row_arch: str) -> list[Verdict]:
    """One row per INV-GC-*: the GC × call explorer (proofs/explore.py) on ``path`` over the
    (signature, receiver) ``items``, the first violation of each invariant; ``noun`` names the
    items in the bounds, ``row_variant``/``row_arch`` label the rows."""
    from regabi.model.syntax import parse_signature
    from regabi.proofs.explore import INV_IDS, explore_sig

    t0 = time.monotonic()
    first: dict[str, Verdict] = {}
    states = 0
    for sig_text, recv in items:
        for r in explore_sig(parse_signature(sig_text, recv=recv), variant, arch, GC_K, GC_M,
                             path=path):
            if r.status != "HOLDS":
                first.setdefault(r.invariant, r)
        states += r.covered or 0
    secs = time.monotonic() - t0
    # the state count is the batch's own (rows of other variants and archs differ), so it
    # is a field, not part of the bounds every row of the section shares
    bounds = (f"{len(items)} {noun} signatures; K={GC_K} GC, M={GC_M} stack copies, "
              "INV-GC-MARK one concurrent cycle")
    out: list[Verdict] = []
    for inv in INV_IDS:
        f = first.get(inv)
        out.append(Verdict(
            "paths", inv, row_variant, row_arch, f.status if f else "HOLDS", bounds,
            len(items), secs / len(INV_IDS), f.line if f else "",
            f.counterexample if f else None, {"states": states}))
    return out


def check_gc_paths(arches: Sequence[str] = ("amd64", "arm64"),
                   variants: Sequence[str] = ("go1.17", "current")) -> list[Verdict]:
    """The GC × call explorer (proofs/explore.py, model/mfmachine.py) on the MakeFunc and
    method-value paths: one row per (path, variant, arch, INV-GC-*), the first violation over
    the corpus. go1.17 is the first release with register arguments into these stubs (its arm64
    is ABI0: zero registers, as the call machine runs it); current is go1.27.3."""
    out: list[Verdict] = []
    mf: list[tuple[str, str | None]] = [(x, None) for x in GC_MF_CORPUS]
    mv: list[tuple[str, str | None]] = list(GC_MV_CORPUS)
    for path, items in (("makefunc", mf), ("method-value", mv)):
        for variant in variants:
            for arch in arches:
                out += _gc_rows(path, items, variant, arch, path, f"{path}/{variant}", arch)
    return out


#: Finalizers the GC explorer runs (spec/paths.md FIN-GC-*): golang/go#51457's shape first (a
#: row reports the first violation: there the go1.17 overrun is real, not absorbed), the three
#: argument kinds (a pointer: one word; an empty interface: two; one with methods: the
#: assertE2I call), no results, stacked results with and without pointers, P-7's minimal
#: shape, pointer results (INV-GC-MARK's passed-through mode).
GC_FIN_CORPUS: tuple[str, ...] = (
    "func(x any) [4]int64",
    "func(p *int)",
    "func(x interface{}) (int8, string)",
    "func(x interface{M()}) [2]*int",
    "func(p *struct{}) struct{a [2]int64}",
    "func(p *int) (*int, error)",
)
#: the releases the finalizer rows run: the seed (the argument in the frame, a dummy
#: RegArgs), go1.17 (the register path, framesz = nret: golang/go#51457), go1.27.3
GC_FIN_VARIANTS: tuple[str, ...] = ("seed", "go1.17", "current")


def check_gc_finalizer(arches: Sequence[str] = ("amd64", "arm64", "386"),
                       variants: Sequence[str] = GC_FIN_VARIANTS) -> list[Verdict]:
    """The GC explorer (proofs/explore.py, model/finmachine.py) on runFinalizers: one row per
    (variant, arch, INV-GC-*), the first violation over GC_FIN_CORPUS (spec/paths.md
    FIN-GC-*). A release without the register ABI on an arch runs it with the argument in the
    frame (386 always)."""
    items = [(x, None) for x in GC_FIN_CORPUS]
    return [row for variant in variants for arch in arches
            for row in _gc_rows("finalizer", items, variant, arch, "finalizer",
                                f"finalizer/{variant}", arch)]


#: Windows callbacks the GC explorer runs (spec/paths.md WC-GC-*): Go pointers in registers,
#: on the stack after the registers run out (9 words on amd64) and between small integers,
#: unsafe.Pointer, a pointer result, a struct of bytes — none of P-1 … P-4's shapes (their
#: INV-GC-VALUE agrees with INV-CB-*: tests/test_wcgc.py).
GC_WC_CORPUS: tuple[str, ...] = (
    "func(p *int, n uintptr) uintptr",
    "func(x uint8, p *int, y uint16) uintptr",
    "func(a, b, c, d, e, f, g, h, i uintptr, p *int, q unsafe.Pointer) uintptr",
    "func(a, b, c, d, e uintptr, p unsafe.Pointer) *int",
    "func(s struct{a, b, c uint8}, p *int) uintptr",
)


def check_gc_wincallback(arches: Sequence[str] = ARCHES) -> list[Verdict]:
    """The GC explorer (model/wcmachine.py) on go1.27.3's callbackWrap: one row per (arch,
    INV-GC-*), the first violation over GC_WC_CORPUS (spec/paths.md WC-GC-*)."""
    items = [(x, None) for x in GC_WC_CORPUS]
    return [row for arch in arches
            for row in _gc_rows("wincallback", items, "current", arch, "callback",
                                "wincallback/current", f"windows/{arch}")]


FIN_ARGS = ("*int", "interface{}", "interface{M()}", "*struct{}")
FIN_RESULTS = ("int8", "int64", "string", "[3]byte", "struct{a int8; b float64}", "[2]*int")
FIN_INVARIANTS = ("INV-FIN-ARG", "INV-FIN-FRAME", "INV-FIN-FRAMESZ")


def check_finalizers(arches: Sequence[str], max_results: int = 3) -> list[Verdict]:
    """runFinalizers for every finalizer ``func(A) (R...)`` with A from FIN_ARGS and up to
    ``max_results`` results from FIN_RESULTS: the fold of model/finalizer.py run concretely
    (``regabi prove --path finalizer`` proves it for every result list)."""
    from regabi.model.finalizer import check_finalizer_lists

    args, pool = _types(FIN_ARGS), tuple(_types(FIN_RESULTS))
    out: list[Verdict] = []
    for arch in arches:
        t0 = time.monotonic()
        hits: dict[str, str] = {}
        count = 0
        for a in args:
            for sig, bad in check_finalizer_lists(a, pool, max_results, arch):
                count += 1
                for inv, what in bad:
                    hits.setdefault(inv, f"paths finalizer {arch} {inv}: {sig.go()}: {what}")
        secs = time.monotonic() - t0
        for inv in FIN_INVARIANTS:
            failed = "LATENT" if inv == "INV-FIN-FRAMESZ" else "VIOLATED"
            out.append(Verdict("paths", inv, "finalizer/current", arch,
                               "HOLDS" if inv not in hits else failed,
                               bounds=f"{len(FIN_ARGS)} arg types x <= {max_results} results "
                               f"of {len(FIN_RESULTS)}", covered=count,
                               seconds=secs / len(FIN_INVARIANTS), line=hits.get(inv, "")))
    return out


def check_wincallback(arches: Sequence[str] = ARCHES, variant: str = "current"
                      ) -> list[Verdict]:
    """One verdict per (invariant, arch) for the Windows callback path (checker "paths"):
    HOLDS when no enumerated signature the runtime accepts violates it, VIOLATED (or LATENT:
    wrong but unobservable) with the smallest counterexample otherwise. Refusals are counted in
    ``extra["refused"]``, never as violations."""
    out: list[Verdict] = []
    for arch in arches:
        t0 = time.monotonic()
        accepted = refused = 0
        worst: dict[str, tuple[str, Signature, Mismatch]] = {}
        for sig in callback_signatures(arch):
            try:
                _, mm = check_signature(sig, arch, FIXES if variant == "fixed" else frozenset())
            except Refused:
                refused += 1
                continue
            accepted += 1
            for m in mm:
                prev = worst.get(m.invariant)
                key = (m.status == "VIOLATED", -_weight(sig))
                if prev is None or key > (prev[0] == "VIOLATED", -_weight(prev[1])):
                    worst[m.invariant] = (m.status, sig, m)
        secs = time.monotonic() - t0
        for inv in CB_INVARIANTS:
            hit = worst.get(inv)
            status = "HOLDS" if hit is None else hit[0]
            line = "" if hit is None else (f"paths wincallback {arch} {inv}: {hit[1].go()}: "
                                           f"{hit[2].what} ({hit[2].cite})")
            out.append(Verdict("paths", inv, f"wincallback/{variant}", f"windows/{arch}",
                               status, bounds=f"{len(CB_PARAMS)} param x {len(CB_RESULTS)} "
                               "result types, <=2 after 0,n-2..n words",
                               covered=accepted, seconds=secs / len(CB_INVARIANTS), line=line,
                               counterexample=None if hit is None else hit[1].go(),
                               extra={"refused": refused}))
    return out


#: model/makefunc.py MF_CATALOGUE (the fold ``regabi prove --path makefunc`` proves)
V_GO = "go1.27.3 src/reflect/value.go"
MF_INVARIANTS = ("INV-MF-ARGS", "INV-MF-RESULTS", "INV-MF-DIRECT", "INV-MF-REGPTRS",
                 "INV-MF-STACKMAP", "INV-MF-FRAME")
MV_INVARIANTS = ("INV-MV-RCVR", "INV-MV-ARGS", "INV-MV-XLATE", "INV-MV-RESULTS", "INV-MV-FRAME",
                 "INV-MV-RETPTR", "INV-MV-REGPTRS", "INV-MV-STACKMAP")


def check_reflect_paths(arches: Sequence[str] = REFLECT_ARCHES, n: int = 400, seed: int = 1,
                        variant: str = "current") -> list[Verdict]:
    """MakeFunc (callReflect) and method values (callMethod) on ``n`` random signatures per
    arch (model/corpus.py random_signature, seed ``seed``; method values get a random
    non-interface receiver). Only ``current``: before go1.17beta1 neither path had register
    support at all (ladder.md B4), so the seed variant is not a version of these paths."""
    import random

    from regabi.model.corpus import random_signature
    from regabi.model.makefunc import check_makefunc
    from regabi.model.methodvalue import mv_fold_check

    out: list[Verdict] = []
    for arch in arches:
        rng = random.Random(seed)
        t0 = time.monotonic()
        hits: dict[str, tuple[Signature, str]] = {}
        count = 0
        for _ in range(n):
            sig = random_signature(rng, max_params=12, max_results=6, receiver=True)
            plain = Signature(sig.params, sig.results)
            count += 1
            for f in check_makefunc(plain, arch, variant):
                hits.setdefault(f.invariant, (plain, f"{f.what} ({f.cite})"))
            assert sig.recv is not None
            # the method-value fold (model/methodvalue.py), as `prove --path method-value`
            for x in mv_fold_check(plain, sig.recv, arch, variant):
                hits.setdefault(x.invariant, (sig, f"{x.message} ({V_GO}:954-1140)"))
        secs = time.monotonic() - t0
        # go1.17beta1's callMethod (no stack->register translation, V:1028-1044 missing):
        # the historical variant, one row; its cause is that missing case alone.
        rng = random.Random(seed)
        beta1: tuple[Signature, str] | None = None
        for _ in range(n):
            sig = random_signature(rng, max_params=12, max_results=6, receiver=True)
            assert sig.recv is not None
            fs = [x for x in mv_fold_check(Signature(sig.params, sig.results), sig.recv,
                                           arch, "go1.17beta1")
                  if x.invariant == "INV-MV-XLATE"]
            if fs:
                beta1 = (sig, f"{fs[0].message} (go1.17beta1 src/reflect/value.go callMethod)")
                break
        out.append(Verdict("paths", "INV-MV-XLATE", "method-value/go1.17beta1", arch,
                           "HOLDS" if beta1 is None else "VIOLATED",
                           bounds=f"{n} random signatures, seed {seed}", covered=n,
                           line="" if beta1 is None else
                           f"paths method-value/go1.17beta1 {arch} INV-MV-XLATE: "
                           f"{beta1[0].go()}: {beta1[1]}",
                           extra={"cause": "no stack->register case (9d46ee5ac4 added it)"}))
        for path, invs in (("makefunc", MF_INVARIANTS), ("method-value", MV_INVARIANTS)):
            for inv in invs:
                hit = hits.get(inv)
                line = "" if hit is None else f"paths {path} {arch} {inv}: {hit[0].go()}: {hit[1]}"
                out.append(Verdict("paths", inv, f"{path}/{variant}", arch,
                                   "HOLDS" if hit is None else "VIOLATED",
                                   bounds=f"{n} random signatures, seed {seed}", covered=count,
                                   seconds=secs / (len(MF_INVARIANTS) + len(MV_INVARIANTS)),
                                   line=line, counterexample=None if hit is None else
                                   hit[0].go()))
    return out


def _weight(sig: Signature) -> int:
    return sum(t.leaves() for t in (*sig.params, *sig.results)) + len(sig.params)


# --------------------------------------------------------------------------------------------
# Byte-level simulation (windows/amd64): C slots -> callbackWrap -> what the Go callee reads


class CbSim(NamedTuple):
    received: tuple[tuple[int | None, ...], ...]  # per parameter, per byte; None = unknown
    c_result: tuple[int | None, ...]  # the bytes of the result C reads (RAX)


def sent_bytes(sig: Signature, ps: int = 8) -> list[bytes]:
    """The deterministic argument bytes a reproducer sends: parameter i, byte j."""
    return [bytes((0x11 * (i + 1) + 3 * j) & 0xFF or 1 for j in range(layout(t, ps).size))
            for i, t in enumerate(sig.params)]


def result_bytes(sig: Signature, ps: int = 8) -> bytes:
    return bytes((0xA0 + 7 * j) & 0xFF for j in range(layout(sig.results[0], ps).size))


def _covered(t: GoType, ps: int) -> set[int]:
    return {off + k for off, size in cb_type(t, ps).leaves for k in range(size)}


def simulate_callback(sig: Signature, arch: str = "amd64") -> CbSim:
    """What the Go callee receives when a C caller passes :func:`sent_bytes`, and what C gets
    back when the callee returns :func:`result_bytes`, under the model: C slots per
    :func:`c_passing`, callbackWrap's copies (SW:368-378; regs and frame zeroed, SW:365-367),
    the callee reading per ABIInternal (spec_assign), reflectcall copying only
    stackArgsSize bytes of the frame (asm_amd64.s:760-788) and, without result registers
    (386), the results back from it. Padding bytes are unknown."""
    a = load_arch(arch)
    ps = a.ptr_size
    cb = compile_callback(sig, a)
    spec = spec_assign(sig, a)
    sent = sent_bytes(sig, ps)
    slots: list[int | None] = []
    for t, b in zip(sig.params, sent, strict=True):
        cp = c_passing(t, arch, ps)
        if cp == "none":
            continue
        word: list[int | None] = [None] * ps  # bits above a narrow argument: unspecified
        if cp == "value":
            word[:len(b)] = list(b)
        slots += word
    regs: list[list[int | None]] = [[0] * ps for _ in range(a.n_int)]
    frame: list[int | None] = [0] * (64 * ps)
    for p in cb.parts:
        src = slots[p.src:p.src + p.len]
        if p.kind == "reg":
            regs[p.dst][:p.len] = src
        else:
            frame[p.dst:p.dst + p.len] = src
    frame[cb.stack_args_size:] = [None] * (len(frame) - cb.stack_args_size)
    received = []
    for t, sp in zip(sig.params, spec.params, strict=True):
        size = layout(t, ps).size
        val: list[int | None] = [None] * size
        if sp.regs:
            for cls, idx, off, sz, _ in sp.regs:
                val[off:off + sz] = regs[idx][:sz] if cls == "int" else [None] * sz
            cov = _covered(t, ps)  # a register carries the walk's leaves only
        elif sp.stack is not None:
            val = frame[sp.stack:sp.stack + size]
            cov = data_bytes(t, ps)  # a stack part copies the whole value (SW:139-153, 371-372)
        else:
            cov = set()
        received.append(tuple(v if j in cov else None for j, v in enumerate(val)))
    r = spec.results[0]
    rb = result_bytes(sig, ps)
    cres: list[int | None] = [None] * ps
    if cb.result_from == "Ints[0]":
        for cls, idx, off, sz, _ in r.regs:
            if cls == "int" and idx == 0:
                cres[:sz] = list(rb[off:off + sz])  # the part in RAX; bits above: unspecified
    elif r.stack is not None:
        # No result registers (386): the callee stores its result at its ABI offset,
        # reflectcall copies frame[retOffset:stackArgsSize] back (asm_386.s:503-539, CALLFN
        # and callRet), and callbackWrap reads the word at retOffset (SW:394-395).
        # The callee stores the result's fields; what it leaves in padding is unspecified.
        area = frame[:cb.stack_args_size]
        area[r.stack:r.stack + len(rb)] = [None] * len(rb)
        for j in data_bytes(sig.results[0], ps):
            area[r.stack + j] = rb[j]
        word = area[cb.ret_offset:cb.ret_offset + ps]
        cres[:len(word)] = word
    return CbSim(tuple(received), tuple(cres))


# --------------------------------------------------------------------------------------------
# Reproducer: a Go main package and a C caller (mingw, Windows x64)

_C_INT = {1: "int8_t", 2: "int16_t", 4: "int32_t", 8: "int64_t"}


def _c_type(t: GoType, ps: int, defs: list[str]) -> str:
    u = t.underlying
    if layout(t, ps).size == 0:  # GNU C's empty struct (spec/paths.md P-6)
        name = f"s{len(defs)}"
        defs.append(f"typedef struct {{ }} {name};")
        return name
    if u.kind == Kind.STRUCT:
        fields = [f"{_c_type(f.type, ps, defs)} f{i};" for i, f in enumerate(u.fields)]  # type: ignore[attr-defined]
        name = f"s{len(defs)}"
        defs.append(f"typedef struct {{ {' '.join(fields)} }} {name};")
        return name
    if u.kind == Kind.ARRAY:
        name = f"s{len(defs)}"
        el = _c_type(u.elem, ps, defs)  # type: ignore[attr-defined]
        defs.append(f"typedef struct {{ {el} e[{u.length}]; }} {name};")  # type: ignore[attr-defined]
        return name
    if u.kind in (Kind.POINTER, Kind.UNSAFE_POINTER):
        return "void *"
    return "u" + _C_INT[layout(t, ps).size]  # bool too: its byte, unnormalised


def _hexlist(b: bytes) -> str:
    return ", ".join(f"0x{x:02x}" for x in b)


#: The windows ports a reproducer is emitted for, and the C compiler that builds its caller.
REPRO_COMPILERS = {"amd64": "x86_64-w64-mingw32-gcc", "386": "i686-w64-mingw32-gcc"}


def emit_callback_repro(cases: Sequence[tuple[str, Signature]], dll: str = "cbrepro",
                        arch: str = "amd64") -> tuple[str, str]:
    """Go main.go and C source for windows/``arch`` (amd64 or 386). Running ``exe NAME…``
    prints, per case, ``go NAME arg I <hex>`` for every parameter as the callback received it,
    ``go NAME sent I <hex>`` for what C sent, ``go NAME ret <hex>`` for what it returned and
    ``c NAME got <hex>`` for what C received; a refused signature prints ``go NAME refused:
    <panic>``. On 386 the C side calls the callback as ``__stdcall``: what
    syscall.NewCallback makes there (go1.27.3 src/syscall/syscall_windows.go NewCallback)."""
    if arch not in REPRO_COMPILERS:
        raise ValueError(f"no reproducer for windows/{arch} (known: {', '.join(REPRO_COMPILERS)})")
    ps = load_arch(arch).ptr_size
    conv = "__stdcall " if arch == "386" else ""
    defs: list[str] = []
    cfuncs: list[str] = []
    gocases: list[str] = []
    for name, sig in cases:
        ctys = [_c_type(t, ps, defs) for t in sig.params]
        rty = _c_type(sig.results[0], ps, defs)
        sent = sent_bytes(sig, ps)
        lines = [f"typedef {rty} ({conv}*{name}_fn)({', '.join(ctys) or 'void'});",
                 f"EXPORT uint64_t call_{name}({name}_fn fn)", "{"]
        for i, (ct, b) in enumerate(zip(ctys, sent, strict=True)):
            if not b:
                lines.append(f"    {ct} a{i};")
                continue
            lines.append(f"    {ct} a{i}; static const uint8_t b{i}[] = {{{_hexlist(b)}}}; "
                         f"memcpy(&a{i}, b{i}, sizeof a{i});")
        lines += [f"    {rty} r = fn({', '.join(f'a{i}' for i in range(len(ctys)))});",
                  f'    dump("{name}", &r, sizeof r);', "    return 0;", "}"]
        cfuncs.append("\n".join(lines))
        params = ", ".join(f"a{i} {t}" for i, t in enumerate(sig.params))
        body = [f'\t\tfmt.Printf("go {name} arg {i} %x\\n", raw(unsafe.Pointer(&a{i}), '
                f"unsafe.Sizeof(a{i})))" for i in range(len(sig.params))]
        body += [f'\t\tfmt.Printf("go {name} sent {i} %x\\n", []byte{{{_hexlist(b)}}})'
                 for i, b in enumerate(sent)]
        rb = result_bytes(sig, ps)
        body += [f"\t\tvar r {sig.results[0]}",
                 f"\t\t*(*[{len(rb)}]byte)(unsafe.Pointer(&r)) = [{len(rb)}]byte{{{_hexlist(rb)}}}",
                 f'\t\tfmt.Printf("go {name} ret %x\\n", raw(unsafe.Pointer(&r), '
                 "unsafe.Sizeof(r)))", "\t\treturn r"]
        gocases.append(f'\t"{name}": func({params}) {sig.results[0]} {{\n' + "\n".join(body)
                       + "\n\t},")
    c = "\n".join([
        "/* Generated by regabi (proofs/paths.py emit_callback_repro). */",
        "#include <stdint.h>", "#include <stdio.h>", "#include <string.h>",
        "#define EXPORT __declspec(dllexport)",
        "static void dump(const char *name, const void *p, size_t n)", "{",
        '    const unsigned char *b = p;', '    printf("c %s got ", name);',
        '    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);',
        '    printf("\\n");', "    fflush(stdout);", "}", *defs, *cfuncs, ""])
    go = "\n".join([
        "// Generated by regabi (proofs/paths.py emit_callback_repro).", "package main", "",
        'import (\n\t"fmt"\n\t"os"\n\t"path/filepath"\n\t"syscall"\n\t"unsafe"\n)', "",
        "func raw(p unsafe.Pointer, n uintptr) []byte { return unsafe.Slice((*byte)(p), n) }",
        "", "var cases = map[string]any{", *gocases, "}", "",
        "func run(dll *syscall.DLL, name string) {",
        "\tdefer func() {", "\t\tif r := recover(); r != nil {",
        '\t\t\tfmt.Printf("go %s refused: %v\\n", name, r)', "\t\t}", "\t}()",
        "\tcb := syscall.NewCallback(cases[name])",
        '\tdll.MustFindProc("call_" + name).Call(cb)', "}", "",
        "func main() {", "\texe, err := os.Executable()", "\tif err != nil {", "\t\tpanic(err)",
        "\t}", f'\tdll := syscall.MustLoadDLL(filepath.Join(filepath.Dir(exe), "{dll}.dll"))',
        "\tfor _, name := range os.Args[1:] {", "\t\trun(dll, name)", "\t}", "}", ""])
    return go, c


def parse_repro_output(text: str, name: str) -> dict[str, Any]:
    """The lines of one case: {"arg": [bytes…], "sent": [bytes…], "ret": bytes, "c": bytes,
    "refused": str|None}."""
    got: dict[str, Any] = {"arg": {}, "sent": {}, "ret": None, "c": None, "refused": None}
    for ln in text.splitlines():
        f = ln.split(" ", 4)
        if f[:2] == ["go", name] and len(f) >= 3 and f[2] == "refused:":
            got["refused"] = ln.split("refused: ", 1)[1]
        elif f[:2] == ["go", name] and f[2] in ("arg", "sent"):
            got[f[2]][int(f[3])] = bytes.fromhex(f[4] if len(f) > 4 else "")
        elif f[:2] == ["go", name] and f[2] == "ret":
            got["ret"] = bytes.fromhex(f[3])
        elif f[:2] == ["c", name] and f[2] == "got":
            got["c"] = bytes.fromhex(f[3])
    got["arg"] = [got["arg"][i] for i in sorted(got["arg"])]
    got["sent"] = [got["sent"][i] for i in sorted(got["sent"])]
    return got


# --------------------------------------------------------------------------------------------
# Proposed fixes, applied with ``go build -overlay`` (GOROOT untouched)

#: (finding, anchor in go1.27.3 syscall_windows.go, replacement)
CALLBACK_FIXES: tuple[tuple[str, str, str], ...] = (
    # INV-CB-ASSIGN: undo the registers of a failed aggregate, as abiutils.go's assignParam
    # does (ASG-2), together with its parts (SW:126-137).
    ("INV-CB-ASSIGN", "\toldParts := p.parts\n",
     "\toldParts, oldRegisters := p.parts, p.dstRegisters\n"),
    ("INV-CB-ASSIGN", "\t\tp.parts = oldParts\n",
     "\t\tp.parts, p.dstRegisters = oldParts, oldRegisters\n"),
    # INV-CB-CSIDE: Windows x64 passes aggregates of size 3, 5, 6, 7 by reference; refuse
    # them like the larger ones (SW:94-102).
    ("INV-CB-CSIDE", "\tif t.Size_ == 0 {\n\t\t// The Go ABI aligns for zero-sized types.\n",
     "\tif k := t.Kind(); GOARCH == \"amd64\" && (k == abi.Struct || k == abi.Array) && "
     "t.Size_&(t.Size_-1) != 0 {\n"
     "\t\tpanic(\"compileCallback: aggregate argument passed by reference in C\")\n\t}\n"
     "\tif t.Size_ == 0 {\n\t\t// The Go ABI aligns for zero-sized types.\n"),
    # INV-CB-CSIDE (P-6): a zero-size argument takes a C slot on windows/amd64 (SW:112-116).
    ("INV-CB-CSIDE",
     "\t\tp.dstStackSize = alignUp(p.dstStackSize, uintptr(t.Align_))\n\t\treturn\n",
     "\t\tp.dstStackSize = alignUp(p.dstStackSize, uintptr(t.Align_))\n"
     "\t\tif GOARCH == \"amd64\" {\n\t\t\tp.srcStackSize += goarch.PtrSize\n\t\t}\n"
     "\t\treturn\n"),
    # INV-CB-RESULT (and INV-CB-FRAME, which needs a stack result): accept only a result the
    # Go ABI returns in integer register 0 alone, the one callbackWrap reads (SW:394-402).
    ("INV-CB-RESULT", "\tif intArgRegs == 0 {\n\t\t// Make room for the uintptr-sized result.\n",
     "\tif intArgRegs > 0 {\n\t\tvar rd abiDesc\n"
     "\t\tif !rd.tryRegAssignArg(ft.OutSlice()[0], 0) || rd.dstRegisters != 1 {\n"
     "\t\t\tpanic(\"compileCallback: result not returned in one integer register\")\n"
     "\t\t}\n\t}\n"
     "\tif intArgRegs == 0 {\n\t\t// Make room for the uintptr-sized result.\n"),
)


def callback_fixed_source(original: str, findings: Iterable[str] = ("INV-CB-ASSIGN",
                          "INV-CB-CSIDE", "INV-CB-RESULT")) -> str:
    """go1.27.3 src/runtime/syscall_windows.go with the proposed fixes for ``findings``."""
    want = set(findings)
    out = original
    for inv, anchor, repl in CALLBACK_FIXES:
        if inv not in want:
            continue
        if out.count(anchor) != 1:
            raise ValueError(f"fix for {inv}: anchor {anchor!r} not found exactly once")
        out = out.replace(anchor, repl)
    return out


# --------------------------------------------------------------------------------------------
# Reproducer for MakeFunc and method values: a Go program whose compiled callers call
# reflect-made functions; the reflect side records what it received (any GOARCH, real run)

_REFLECT_PRELUDE = '''// Generated by regabi (proofs/paths.py emit_reflect_repro).
package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"unsafe"
)

var fails int

// fill makes a deterministic value of type t: every byte that is not padding depends on
// the seed, pointers point to fresh heap objects (so a lost pointer shows after runtime.GC).
func fill(t reflect.Type, seed *int) reflect.Value {
	*seed++
	s := *seed
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Bool:
		v.SetBool(s%2 == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(s)*0x7f4a7c15 + 3)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Uintptr:
		v.SetUint(uint64(s) * 0x9e3779b97f4a7c15)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(s) + 0.5)
	case reflect.Complex64, reflect.Complex128:
		v.SetComplex(complex(float64(s)+0.25, -float64(s)))
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", s))
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		p.Elem().Set(fill(t.Elem(), seed))
		v.Set(p)
	case reflect.UnsafePointer:
		x := new(int)
		*x = s
		v.SetPointer(unsafe.Pointer(x))
	case reflect.Slice:
		v.Set(reflect.MakeSlice(t, 2, 2))
		for i := 0; i < 2; i++ {
			v.Index(i).Set(fill(t.Elem(), seed))
		}
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			v.Index(i).Set(fill(t.Elem(), seed))
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := v.Field(i)
			reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(fill(f.Type(), seed))
		}
	case reflect.Map:
		m := reflect.MakeMap(t)
		m.SetMapIndex(fill(t.Key(), seed), fill(t.Elem(), seed))
		v.Set(m)
	case reflect.Chan:
		v.Set(reflect.MakeChan(t, 0))
	case reflect.Interface:
		if t.NumMethod() == 0 {
			v.Set(reflect.ValueOf(&s))
		}
	}
	return v
}

func fills(ts []reflect.Type, seed int) []reflect.Value {
	out := make([]reflect.Value, len(ts))
	for i, t := range ts {
		out[i] = fill(t, &seed)
	}
	return out
}

func ins(t reflect.Type) []reflect.Type {
	out := make([]reflect.Type, t.NumIn())
	for i := range out {
		out[i] = t.In(i)
	}
	return out
}

func outs(t reflect.Type) []reflect.Type {
	out := make([]reflect.Type, t.NumOut())
	for i := range out {
		out[i] = t.Out(i)
	}
	return out
}

func as[T any](v reflect.Value) T {
	var z T
	reflect.ValueOf(&z).Elem().Set(v)
	return z
}

func check(where string, got any, want reflect.Value) {
	if !reflect.DeepEqual(got, want.Interface()) {
		fmt.Printf("MISMATCH %s: got %#v want %#v\\n", where, got, want.Interface())
		fails++
	}
}

func run(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("PANIC %s: %v\\n", name, r)
			fails++
		}
	}()
	f()
	fmt.Printf("ok %s\\n", name)
}
'''


def _has_blank(t: GoType) -> bool:
    u = t.underlying
    if u.kind == Kind.STRUCT:
        fs = u.fields  # type: ignore[attr-defined]
        return any(f.name == "_" or _has_blank(f.type) for f in fs)
    if u.kind == Kind.ARRAY:
        return _has_blank(u.elem)  # type: ignore[attr-defined]
    return False


def reflect_repro_ok(sig: Signature) -> bool:
    """Signatures the emitted program can express: no blank struct fields (a compiled copy
    need not carry them, so their bytes are not comparable) and a receiver that can have
    methods."""
    ts = (*sig.params, *sig.results, *((sig.recv,) if sig.recv is not None else ()))
    if any(_has_blank(t) for t in ts):
        return False
    if sig.recv is None:
        return True
    # Go: a receiver's base type may not be a pointer, unsafe.Pointer or an interface.
    base = sig.recv.elem if sig.recv.kind == Kind.POINTER else sig.recv  # type: ignore[attr-defined]
    return base.kind not in (Kind.POINTER, Kind.UNSAFE_POINTER, Kind.INTERFACE)


def emit_reflect_repro(cases: Sequence[tuple[str, Signature]]) -> str:
    """A Go main package. For a case without receiver, a compiled call of a reflect.MakeFunc'd
    function; with a receiver R, a compiled call of the method value
    ``reflect.ValueOf(r).Method(0).Interface()`` (methodValueCall → callMethod). The callee
    compares every argument (and the receiver) with what the caller sent after a
    runtime.GC(), the caller every result; it prints ``ok NAME``, ``MISMATCH NAME…`` or
    ``PANIC NAME: …``, and exits 1 if anything failed."""
    decls: list[str] = []
    calls: list[str] = []
    for name, sig in cases:
        if not reflect_repro_ok(sig):
            raise ValueError(f"{name}: {sig.go()} cannot be expressed (blank fields or "
                             "interface receiver)")
        params = ", ".join(f"a{i} {t}" for i, t in enumerate(sig.params))
        ftype = Signature(sig.params, sig.results).go()
        args = ", ".join(f"as[{t}](wi[{i}])" for i, t in enumerate(sig.params))
        rs = ", ".join(f"r{i}" for i in range(len(sig.results)))
        call = f"{rs} := f({args})" if sig.results else f"f({args})"
        checks = "".join(f'\t\tcheck("{name} result {i}", r{i}, wo[{i}])\n'
                         for i in range(len(sig.results)))
        seed = 1000 * (len(decls) + 1)
        if sig.recv is None:
            calls.append(f'''	run("{name}", func() {{
		ft := reflect.TypeOf(({ftype})(nil))
		wi, wo := fills(ins(ft), {seed}), fills(outs(ft), {seed + 500})
		var f {ftype}
		impl := func(args []reflect.Value) []reflect.Value {{
			runtime.GC()
			for i, a := range args {{
				check(fmt.Sprintf("{name} arg %d", i), a.Interface(), wi[i])
			}}
			return wo
		}}
		reflect.ValueOf(&f).Elem().Set(reflect.MakeFunc(ft, impl))
		{call}
		runtime.GC()
{checks}	}})''')
            decls.append("")
            continue
        rt, ptr = sig.recv, sig.recv.kind == Kind.POINTER
        base = rt.elem if ptr else rt  # type: ignore[attr-defined]
        tn = f"rcv_{name}"
        recv_decl = f"(r *{tn})" if ptr else f"(r {tn})"
        body = "".join(f'\tcheck(fmt.Sprintf("{name} arg %d", {i}), a{i}, wi_{name}[{i}])\n'
                       for i in range(len(sig.params)))
        rets = ", ".join(f"as[{t}](wo_{name}[{i}])" for i, t in enumerate(sig.results))
        decls.append(f'''type {tn} {base}

var wi_{name}, wo_{name} []reflect.Value
var wr_{name} reflect.Value

func {recv_decl} M({params}) ({", ".join(str(t) for t in sig.results)}) {{
	runtime.GC()
	check("{name} receiver", r, wr_{name})
{body}	return {rets}
}}''')
        mk = f"var rv0 {tn}\n\t\trv := reflect.ValueOf(&rv0).Elem()"
        set_rv = (f"{mk}\n\t\trv.Set(fill(rv.Type(), new(int)))\n"
                  + (f"\t\twr_{name} = rv.Addr()\n\t\tmv := rv.Addr().Method(0)\n" if ptr
                     else f"\t\twr_{name} = rv\n\t\tmv := rv.Method(0)\n"))
        calls.append(f'''	run("{name}", func() {{
		ft := reflect.TypeOf(({ftype})(nil))
		wi_{name}, wo_{name} = fills(ins(ft), {seed}), fills(outs(ft), {seed + 500})
		wi, wo := wi_{name}, wo_{name}
		_, _ = wi, wo
		{set_rv}		f := mv.Interface().({ftype})
		{call}
		runtime.GC()
{checks}	}})''')
    main = "\n".join(["func main() {", *calls, "\tif fails > 0 {", "\t\tos.Exit(1)", "\t}",
                      "}", ""])
    return _REFLECT_PRELUDE + "\n" + "\n\n".join(d for d in decls if d) + "\n\n" + main


#: go1.17beta1's callMethod, as an overlay on go1.27.3's reflect/value.go: the stack ->
#: register translation did not exist and panicked instead (ladder.md B4; 9d46ee5ac4 added it)
VALUE_GO_BETA1_FIX = (
    "\t\t\t// Handle stack -> register translation.\n",
    "\t\t\t// Handle stack -> register translation.\n"
    "\t\t\tpanic(\"method ABI and value ABI do not align\")\n",
)


def value_go_beta1(original: str) -> str:
    anchor, repl = VALUE_GO_BETA1_FIX
    if original.count(anchor) != 1:
        raise ValueError(f"anchor {anchor!r} not found exactly once in reflect/value.go")
    return original.replace(anchor, repl)


#: go1.17 … go1.18's framesz, as an overlay on go1.27.3's runtime/mfinal.go:232 (spec/paths.md
#: FIN-5, P-7; golang/go#51457): no sizeof(any) when the argument is in registers
MFINAL_GO117_FIX = (
    "\t\t\t\tframesz := unsafe.Sizeof((any)(nil)) + f.nret\n",
    "\t\t\t\tvar framesz uintptr\n\t\t\t\tif argRegs > 0 {\n\t\t\t\t\tframesz = f.nret\n"
    "\t\t\t\t} else {\n\t\t\t\t\tframesz = unsafe.Sizeof((any)(nil)) + f.nret\n\t\t\t\t}\n",
)


def mfinal_go117(original: str) -> str:
    """go1.27.3's runtime/mfinal.go with go1.17's framesz (``go build -overlay``; run
    tests/paths_go/finalizer51457 with it: spec/paths.md P-7)."""
    anchor, repl = MFINAL_GO117_FIX
    if original.count(anchor) != 1:
        raise ValueError(f"anchor {anchor!r} not found exactly once in runtime/mfinal.go")
    return original.replace(anchor, repl)


# --------------------------------------------------------------------------------------------
# regabi paths

PATHS = ("wincallback", "makefunc", "method-value", "finalizer")


def _layout_text(sig: Signature, arch: str) -> str:
    """``regabi paths --layout``: each argument where compileCallback puts it and where the
    spec does, in ``regabi layout``'s notation (``BX[0:1]`` bytes 0..1 of the value in BX,
    ``@8`` at stack offset 8), and callbackWrap's memmoves (SW:368-378) from C's ``args``."""
    from regabi.model.wincallback import check_signature as cb_check
    from regabi.render.words import reg_part

    try:
        cb, mm = cb_check(sig, arch)
    except Refused as e:
        return f"windows/{arch} {sig.go()}: refused: {e.message} ({e.cite})"
    a = load_arch(arch)
    spec = spec_assign(sig, a)
    lines = [f"windows/{arch} {sig.go()}"]
    for i, (p, sp) in enumerate(zip(cb.params, spec.params, strict=True)):
        got = (" ".join(reg_part(a.int_reg_name(r), off, sz) for r, off, sz in p.regs)
               if p.where == "reg" else f"@{p.stack}" if p.where == "stack"
               else f"(zero size) @{p.stack}")
        want = (" ".join(reg_part(a.int_reg_name(r) if c == "int" else a.float_reg_name(r), off,
                                  sz) for c, r, off, sz, _ptr in sp.regs) if sp.regs
                else f"@{sp.stack}" if sp.stack is not None else "(zero size)")
        slot = "" if p.slot is None else f" (C slot {p.slot // a.ptr_size})"
        lines.append(f"  arg {i} {p.type}: callback {got}{slot}; spec {want}")
    # memmove(&regs.Ints[dst] or frame+dst, args+src, len): a register part fills the low
    # bytes of its Ints word (every windows port is little-endian)
    moves = [f"args[{x.src}:{x.src + x.len}] → "
             + (reg_part(a.int_reg_name(x.dst), 0, x.len) if x.kind == "reg"
                else f"frame[{x.dst}:{x.dst + x.len}]") for x in cb.parts]
    lines.append(f"  parts {', '.join(moves) or '-'}")
    lines.append(f"  frameSize {cb.frame_size} (stack args {cb.stack_args_size}, spill "
                 f"{cb.spill}); result from {cb.result_from}"
                 + (f"; pops {cb.ret_pop} bytes of C arguments (NewCallback, stdcall; "
                    "NewCallbackCDecl: 0)" if arch == "386" else ""))
    lines += [f"  {m.status} {m.invariant}: {m.what} ({m.cite})" for m in mm]
    return "\n".join(lines)


def run_cli(args: Any) -> int:
    """``regabi paths``: verdict rows per path (default), ``--layout SIG`` (a signature as
    compileCallback lays it out, next to the spec) or ``--repro DIR SIG…`` (write the
    reproducer)."""
    import json
    from pathlib import Path

    from regabi.errors import InputError
    from regabi.model.syntax import parse_signature
    from regabi.verdict import exit_status, render_table

    paths = PATHS if not args.path else tuple(args.path.split(","))
    for p in paths:
        if p not in PATHS:
            raise InputError(f"unknown path {p!r} (known: {', '.join(PATHS)})")
    sigs = [parse_signature(s, source=f"<signature {i + 1}>",
                            recv=args.recv) for i, s in enumerate(args.signature)]
    if args.layout:
        if not sigs:
            raise InputError("--layout needs a signature")
        arches = tuple(args.arch.split(",")) if args.arch else ARCHES
        for a in arches:
            if a not in ARCHES:
                raise InputError(f"no windows port for {a!r} (known: {', '.join(ARCHES)})")
        print("\n".join(_layout_text(s, a) for s in sigs for a in arches))
        return 0
    if args.repro:
        if not sigs:
            raise InputError("--repro needs at least one signature")
        out = Path(args.repro)
        out.mkdir(parents=True, exist_ok=True)
        named = [(f"case{i}", s) for i, s in enumerate(sigs)]
        if "wincallback" in paths and len(paths) == 1:
            arch = args.arch or "amd64"
            if arch not in REPRO_COMPILERS:
                raise InputError(f"--repro: no callback reproducer for windows/{arch} (known: "
                                 f"{', '.join(REPRO_COMPILERS)}; one at a time)")
            go, c = emit_callback_repro([(n, Signature(s.params, s.results)) for n, s in named],
                                        arch=arch)
            (out / "cbrepro.c").write_text(c)
            note = (f"GOOS=windows GOARCH={arch} go build; {REPRO_COMPILERS[arch]} -shared -o "
                    "cbrepro.dll cbrepro.c; run `main.exe case0 …` beside the DLL")
        else:
            go = emit_reflect_repro(named)
            note = "go run . (exit 1 and MISMATCH/PANIC lines if a value arrived wrong)"
        (out / "main.go").write_text(go)
        (out / "go.mod").write_text("module regabi.repro/paths\n\ngo 1.22\n")
        print(f"wrote {out}/: {note}")
        return 0
    verdicts: list[Verdict] = []
    if "wincallback" in paths:
        verdicts += check_wincallback(tuple(args.arch.split(",")) if args.arch else ARCHES)
        verdicts += check_gc_wincallback(tuple(args.arch.split(",")) if args.arch else ARCHES)
    reflect_arches = tuple(args.arch.split(",")) if args.arch else REFLECT_ARCHES
    if "makefunc" in paths or "method-value" in paths:
        rows = check_reflect_paths(reflect_arches, n=args.n, seed=args.seed)
        rows += check_gc_paths(reflect_arches if args.arch else ("amd64", "arm64"))
        verdicts += [v for v in rows if v.variant.split("/")[0] in paths]
    if "finalizer" in paths:
        verdicts += check_finalizers(reflect_arches if args.arch else
                                     (*REFLECT_ARCHES, "386", "arm"))
        # go1.27.3 only, as the rows above (`regabi check` runs the historical rungs too)
        verdicts += check_gc_finalizer(reflect_arches if args.arch else
                                       ("amd64", "arm64", "386"), ("current",))
    if args.json:
        print(json.dumps([v.to_json() for v in verdicts], indent=1))
    else:
        print(render_table(verdicts))
    return exit_status(verdicts)
