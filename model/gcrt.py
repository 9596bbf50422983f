"""The runtime side of the reflect call as Go runs it: per-release runtime deltas, the frame
kinds the GC meets and how it scans each, and where stacks may move (spec/call.md GC-1 … GC-8).

Reflect-side deltas live in :mod:`regabi.model.variants` (owned elsewhere); the runtime deltas
that the call machine needs are here, keyed by variant name. A variant name this table does not
know is looked up by its prefix before the first ``-`` (hypothetical variants built by cause
isolation, e.g. ``seed-rcvr_to_ptrs``); anything else is refused.

Sources: ``cur`` = go1.27.3 GOROOT/src; ``seed`` = e0215315 (../shared/seed/*.patch, new-file
line numbers); b17/g17/g18/g19 = the release snapshots of /work/research/ladder.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from regabi.errors import InputError

__all__ = [
    "FIRST_REGABI",
    "RUNTIME_DELTAS",
    "RUNTIME_VARIANTS",
    "RuntimeVariant",
    "callN_args_map",
    "runtime_variant",
]


@dataclass(frozen=True)
class RuntimeVariant:
    """Runtime facts of one release that the call machine depends on."""

    name: str
    #: Number of arguments in callNN's Go declaration (its args stack map, GC-6):
    #: seed declares ``call16(typ, fn, arg unsafe.Pointer, n, retoffset uint32)`` (4 words on
    #: 64-bit: regArgs+40(FP) is *not* described); from go1.17beta1 the 7-argument form
    #: (``bc489dd6d5``, CL 300154) whose map also covers regArgs.
    calln_decl_args: int
    calln_decl_src: str
    #: reflect marshals register integers with a call to intToReg (a Go function with a stack
    #: check: a synchronous safepoint) instead of an inline memmove (assembly, none).
    int_to_reg_call: bool
    int_to_reg_src: str
    #: Release in which each architecture first had the register ABI (ladder.md C3 / item 7).
    regabi_arches: tuple[str, ...]
    #: reflectcallmove runs bulkBarrierPreWrite before its memmove of the stack results into
    #: the heap frame (GC-13): every release does (seed runtime/mbarrier.go:228-230, go1.27.3
    #: runtime/mbarrier.go:250-255); False only in the mutant that shows INV-GC-MARK can fire.
    callmove_barrier: bool = True


#: Architectures whose register ABI is modelled, with the release that enabled it
#: (ladder.md "Corrections" 7; internal/buildcfg/exp.go per release).
FIRST_REGABI: dict[str, str] = {
    "amd64": "go1.17", "arm64": "go1.18", "ppc64": "go1.18", "ppc64le": "go1.18",
    "riscv64": "go1.19", "loong64": "go1.22", "s390x": "go1.26",
}
_ORDER = ("seed", "go1.17beta1", "go1.17", "go1.18", "go1.19", "current")
_REL = {"go1.17": 2, "go1.18": 3, "go1.19": 4, "go1.22": 5, "go1.26": 5}


def _arches(i: int) -> tuple[str, ...]:
    return tuple(a for a, r in FIRST_REGABI.items() if _REL[r] <= max(i, 2)) if i else ("amd64",)


_NEW_DECL = ("runtime/stubs.go (b17:326, g18:338, g19:381, cur:350): callNN has reflectcall's "
             "7-argument declaration, args map words typ|fn|stackArgs|regArgs")
RUNTIME_VARIANTS: dict[str, RuntimeVariant] = {
    "seed": RuntimeVariant(
        "seed", 5, "seed runtime/stubs.go:320-346 (unchanged by e0215315): call16(typ, fn, arg "
        "unsafe.Pointer, n, retoffset uint32) — 32 bytes, while asm_amd64.s:560 says "
        "$MAXSIZE-48; fixed by bc489dd6d5 (CL 300154) in go1.17beta1",
        False, "seed reflect/value.go:510 memmove(&regArgs.Ints[st.ireg], offset, st.size) "
        "(assembly, no safepoint)", ("amd64",)),
    **{n: RuntimeVariant(n, 7, _NEW_DECL, i >= 3,
                         "reflect/value.go intToReg call (g18:518, g19:546, cur:548; "
                         "reflect/abi.go:480, not nosplit, not inlined: `go build "
                         "-gcflags=reflect=-m` lists no inlining for value.go:548; since "
                         "fb84d213a8/ea434450c2, go1.18)" if i >= 3 else
                         "reflect/value.go b17/g17:512 memmove(&regArgs.Ints[st.ireg], …) "
                         "(assembly, no safepoint)", _arches(i))
       for i, n in enumerate(_ORDER) if n != "seed"},
}
# current has every register-ABI architecture (s390x since go1.26).
RUNTIME_VARIANTS["current"] = RuntimeVariant(
    "current", 7, _NEW_DECL, True, RUNTIME_VARIANTS["go1.19"].int_to_reg_src,
    tuple(FIRST_REGABI))


#: Runtime deltas that cause isolation may revert, with the rule and commit that changed them.
RUNTIME_DELTAS: dict[str, tuple[str, str]] = {
    "calln_decl_args": ("RT-1", "bc489dd6d5 (CL 300154, go1.17beta1): callNN declared with "
                        "reflectcall's 7 arguments, so its args map covers regArgs"),
}


def runtime_variant(name: str) -> RuntimeVariant:
    """The runtime deltas of variant ``name`` (exact, else the prefix before the first '-')."""
    if name in RUNTIME_VARIANTS:
        return RUNTIME_VARIANTS[name]
    base = name.split("-", 1)[0]
    if base in RUNTIME_VARIANTS:
        return RUNTIME_VARIANTS[base]
    raise InputError(f"no runtime model for variant {name!r} (known: "
                     f"{', '.join(RUNTIME_VARIANTS)})", source="--variant")


def callN_args_map(rv: RuntimeVariant, ps: int) -> tuple[int, int]:
    """(pointer bitmap over callNN's argument words, byte offset of regArgs in them).

    The 7-argument declaration ``(stackArgsType *_type, f, stackArgs unsafe.Pointer,
    stackArgsSize, stackRetOffset, frameSize uint32, regArgs *abi.RegArgs)``: three pointer
    words, three uint32s (12 bytes, padded to the pointer alignment), then regArgs — word 5 on
    64-bit (40(FP)), word 6 on 32-bit (24(FP)). The seed's 5-argument declaration stops after
    ``n, retoffset``: its map never reaches regArgs."""
    ra_off = 3 * ps + -(-12 // ps) * ps
    bits = 0b111
    if rv.calln_decl_args == 7:
        bits |= 1 << (ra_off // ps)
    return bits, ra_off
