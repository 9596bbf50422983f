"""The signatures a campaign checks, and the boundary classes they cover.

Three sources, in this order for every campaign:

1. **Go's vectors** (:data:`GO_VECTORS`): the signatures of Go's own ABI tests, written out
   inline (the probes see no declarations).
2. **Boundary signatures** (:func:`boundary_signatures`): built for the architecture's register
   counts from the invariants' edge cases — exactly exhausting a register class, one register
   short, a struct failing after a partial assignment, zero-size values at every position,
   trailing zero-size padding, maximal alignment gaps, receivers that shift the assignment —
   with seeded filler types.
3. **Random signatures** (``regabi.model.corpus.random_signature``), seeded.

Signature ``i`` of a campaign is a pure function of (arch, seed, i), built alone
(:func:`campaign_item`): a campaign resumes by index, and workers build their own batches.
:func:`classify` names the boundary classes a signature *exercises*, computed from the spec's
assignment, whatever its source (the coverage report, TLC ``-coverage`` style).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from regabi.errors import RegabiError
from regabi.gotool.compare import spec_of
from regabi.model.arch import Arch
from regabi.model.corpus import random_signature
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature
from regabi.model.types import GoType, Named, layout, reg_parts_prefix

__all__ = [
    "CLASSES",
    "GO_VECTORS",
    "Item",
    "applicable",
    "boundary_signatures",
    "campaign_item",
    "campaign_items",
    "classify",
    "go_text",
    "probe_sig",
    "sig_id",
]

#: Boundary classes, in report order (ids used by the coverage report and the database).
CLASSES: dict[str, str] = {
    "exhaust-int": "the arguments or results use exactly every integer register",
    "exhaust-float": "the arguments or results use exactly every float register",
    "short-int": "a value needs more integer registers than are left (but some are)",
    "short-float": "a value needs more float registers than are left (but some are)",
    "partial-fail": "reflect assigns part of a value to registers, then fails and rolls back",
    "array-field-fail": "a struct with register-assignable fields before a [N>1] field",
    "zero-size-first": "a zero-size argument first",
    "zero-size-mid": "a zero-size argument between others",
    "zero-size-last": "a zero-size argument last",
    "zero-size-result": "a zero-size result",
    "zero-size-after-stack": "a zero-size value right after a stack-assigned one",
    "trailing-zero-pad": "a struct ending in a zero-size field (one byte of padding)",
    "align-gap-stack": "a stack-assigned value aligned up by PtrSize-1 bytes or more",
    "align-gap-spill": "a spill slot aligned up by PtrSize-1 bytes or more",
    "recv": "a method receiver",
    "recv-shift": "a receiver that moves another value (register or stack)",
    "stack-arg": "an argument on the stack",
    "stack-result": "a result on the stack",
    "go-vector": "a signature from Go's own tests",
    "boundary": "a generated boundary signature",
    "random": "a seeded random signature",
}

# Go's vectors, inlined (no declarations). Sources, go1.27.3:
#   src/cmd/compile/internal/test/abiutils_test.go (TestABIUtils*; the harness's receiver is
#   written as parameter 0, see tests/test_vectors.py), src/reflect/all_test.go TestFuncLayout,
#   src/reflect/abi_test.go (abiMakeFuncTestCases, passEmptyStruct, OnlyPointerInRegisterGC).
_S1 = "struct{ f1 int8; f2 int8; f3 struct{}; f4 int8; f5 int16 }"
_S2 = "struct{ f1 int64; f2 struct{} }"
_FS2 = f"struct{{ f1 float64; f2 {_S2}; f3 struct{{}} }}"
_SE = "struct{ f1 [2]int64; f2 struct{} }"
_SE2 = "struct{ f1 [3]int16; f2 struct{} }"
_FSE = f"struct{{ f1 float64; f {_SE}; f3 struct{{}} }}"
_M1 = "struct{ f1 int16; f2 int16; f3 int16 }"
_I1 = "struct{ f1 int16; f2 int16; f3 bool }"
_NEI = "interface{ F() string }"
_P1 = "struct{ f1 int8; f2 int16; f3 struct{}; f4 int32; f5 int64 }"
_TFS = "struct{ a, b uintptr; c, d *byte }"
GO_VECTORS: tuple[tuple[str, str | None], ...] = (
    ("func(int32) int32", None),
    ("func(int8, int16, int32, int64, float32, float32, float64, float64, int8, int16, int32, "
     "int64, float32, float32, float64, float64, complex128, complex128, complex128, complex128,"
     " complex64, int8, int16, int32, int64, int8, int16, int32, int64) "
     "(int32, float64, float64)", None),
    ("func([1]int32, [0]int32, [1][1]int32, [2]int32) ([2]int32, [1]int32, [0]int32, "
     "[1][1]int32)", None),
    (f"func(int8, {_S1}, int64) ({_S1}, int8, int32)", None),
    (f"func({_S2}, {_S2}, {_FS2}) ({_FS2}, {_FS2})", None),
    (f"func({_SE}, [2]bool, {_SE2}, {_FSE}, {_FSE}) ({_FSE}, [2]bool, {_FSE})", None),
    ("func([]int32, int8, []int32, int8, string, int8, int64, []int32) "
     "(string, int64, string, []int32)", None),
    (f"func({_M1}, *{_M1}, [7]*{_M1}, float64, int16, int16, int16) "
     f"([7]*{_M1}, float64, int64)", None),
    (f"func({_I1}, interface{{}}, interface{{}}, {_NEI}, *interface{{}}, {_NEI}, int16) "
     f"(interface{{}}, {_NEI}, *interface{{}})", None),
    (f"func(int32, {_P1}, struct{{}}, [1]int32)", None),
    ("func(a, b string) string", None),
    ("func(a, b, c uint32, p *byte, d uint16)", None),
    ("func(a map[int]int, b uintptr, c any)", None),
    (f"func(a {_TFS})", None),
    ("func(a uintptr, b *int)", "*byte"),
    ("func(a uintptr)", None),
    ("func() uintptr", None),
    ("func(a uintptr)", "uintptr"),
    ("func(b *uint64, _ struct{}) *uint64", None),
    ("func(int, struct{}, float64, struct{}) (int, struct{}, float64)", None),
    ("func(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 int, x struct{}) "
     "(r0, r1, r2, r3, r4, r5, r6, r7, r8, r9 int)", None),
    ("func(" + ", ".join(f"a{i}" for i in range(19)) + " float64, x struct{}) ("
     + ", ".join(f"r{i}" for i in range(19)) + " float64)", None),
    ("func(int, [1]uint32, float64, struct{}) (int, [1]uint32, float64)", None),
    *((f"func({t}, struct{{}}) {t}", None) for t in (
        "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "complex64", "complex128", "[1]uint32", "[2]uintptr", "string",
        "[]byte", "*byte")),
)

_INT1 = ("int", "int8", "uint16", "int32", "*int", "uintptr", "bool", "unsafe.Pointer",
         "chan int", "map[string]int", "func()", "[1]int64", "struct{ p *byte }")
_FLT1 = ("float64", "float32", "[1]float64", "struct{ f float32 }")
_ZERO = ("struct{}", "[0]int64", "[0]func()", "struct{ _ [0]int64 }", "[2]struct{}",
         "[0]complex128", "struct{ a struct{}; b [0]int32 }")
_TRAIL = ("struct{ x int8; _ struct{} }", "struct{ a int64; z [0]int64 }",
          "struct{ f float32; e struct{} }", "struct{ p *int; z [0]func() }",
          "struct{ a, b int16; z struct{} }")
_PARTIAL = ("struct{ x int; y [2]int32 }", "struct{ f float64; a [2]float32 }",
            "struct{ x int; z [2]struct{} }", "struct{ a struct{ x int; y [2]int8 } }",
            "struct{ p *int; q string; r [3]byte }", "struct{ a int8; b float64; c [2]int16 }")
_WIDE = ("int64", "complex128", "[1]int64", "struct{ a, b int64 }", "float64", "*int", "string")
_RECV = ("*int", "int", "struct{ p *int }", "[1]*int", "struct{ x, y int }", "uintptr",
         "*struct{ x int }", "struct{}", "string")


def _pick(rng: random.Random, xs: tuple[str, ...], n: int) -> list[str]:
    return [rng.choice(xs) for _ in range(n)]


def _sig(params: list[str], results: list[str] = ()) -> str:  # type: ignore[assignment]
    out = ", ".join(results)
    if len(results) > 1:
        out = f" ({out})"
    elif results:
        out = " " + out
    return f"func({', '.join(params)}){out}"


def _templates(arch: Arch, rng: random.Random) -> Iterator[tuple[str, str | None]]:
    """One round of boundary signatures for arch's register counts, fillers from rng."""
    ni, nf = arch.n_int, arch.n_float
    wide = "int64" if arch.ptr_size == 8 else "int32"
    # exactly exhausting, and one register short, in arguments and in results
    ints = _pick(rng, _INT1, ni)
    flts = _pick(rng, _FLT1, nf)
    yield _sig(ints), None
    yield _sig([], ints), None
    yield _sig(flts, flts), None
    yield _sig([*ints[: max(ni - 1, 0)], "string", "int8"]), None
    yield _sig([], [*ints[: max(ni - 1, 0)], "string", "int8"]), None
    yield _sig([*flts[: max(nf - 1, 0)], "complex128", "float32"]), None
    yield _sig([*ints, *flts, rng.choice(_INT1), rng.choice(_FLT1)]), None
    yield _sig([*ints[: max(ni - 2, 0)], "interface{}", rng.choice(_INT1)]), None
    # a struct failing after a partial assignment, then a value that must still fit
    part = rng.choice(_PARTIAL)
    yield _sig(["int8", part, "int8"], [part, "bool"]), None
    yield _sig([*ints[: max(ni - 1, 0)], "struct{ a, b, c int }", "int8"]), None
    yield _sig([*flts[: max(nf - 1, 0)], "struct{ a, b float64 }", "float32"]), None
    # zero-size values at every position, between register and stack values
    z = rng.choice(_ZERO)
    base = ["int8", rng.choice(_WIDE), "string", "int16", rng.choice(_WIDE)]
    for k in range(len(base) + 1):
        yield _sig([*base[:k], z, *base[k:]], [*base[:2][:k], z]), None
    # ... and after the registers ran out, so that stack alignment matters
    yield _sig([*ints, "int8", z, "int8", rng.choice(_WIDE)]), None
    yield _sig([*ints, "bool", rng.choice(_ZERO), wide], [*ints, "bool", z]), None
    # trailing zero-size padding, in registers and on the stack
    tr = rng.choice(_TRAIL)
    yield _sig([tr, "int8"], [tr]), None
    yield _sig([*ints, tr, "int8", tr], [*ints, tr]), None
    # maximal alignment gaps: 1-byte values before PtrSize-aligned ones, stack and spill
    yield _sig(["int8", wide, "bool", "complex128", "uint8", rng.choice(_WIDE)]), None
    yield _sig([*ints, *flts, "int8", rng.choice(_WIDE), "bool", "complex128"]), None
    # receivers that shift the assignment
    recv = rng.choice(_RECV)
    yield _sig(ints), recv
    yield _sig([*ints[: max(ni - 1, 0)], "string"]), recv
    yield _sig([z, *ints[:2]], [wide]), recv


@lru_cache(maxsize=256)
def _boundary_round(arch: Arch, seed: int, r: int) -> tuple[tuple[str, str | None], ...]:
    return tuple(_templates(arch, random.Random(f"boundary/{arch.name}/{seed}/{r}")))


def boundary_signatures(arch: Arch, seed: int, rounds: int = 1) -> list[tuple[str, str | None]]:
    """``rounds`` rounds of boundary templates; round r draws its fillers from its own
    ``Random`` (so any round can be built alone)."""
    return [x for r in range(rounds) for x in _boundary_round(arch, seed, r)]


def go_text(t: GoType) -> str:
    """Go syntax of ``t`` with no declared names (the probes see no declarations)."""
    if isinstance(t, Named):
        return "error" if t.name == "error" else go_text(t.under)
    return str(t)


def probe_sig(sig: Signature) -> dict[str, str | None]:
    """The probes' input for ``sig``: Go syntax without parameter names (they do not change
    the layout) and without declared type names (the probes see no declarations)."""
    sig = Signature(tuple(_denamed(t) for t in sig.params),
                    tuple(_denamed(t) for t in sig.results),
                    _denamed(sig.recv) if sig.recv is not None else None, sig.variadic)
    return {"func": sig.go(), "recv": None if sig.recv is None else str(sig.recv)}


def _denamed(t: GoType) -> GoType:
    from regabi.model.syntax import parse_type

    return t if not isinstance(t, Named) or t.name == "error" else parse_type(go_text(t))


def sig_id(sig: dict[str, str | None]) -> str:
    """A stable id of a probe signature (the campaign database's key)."""
    h = hashlib.sha1(f"{sig['func']}\0{sig.get('recv') or ''}".encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class Item:
    """Signature ``index`` of a campaign."""

    index: int
    origin: str  # "go-vector", "boundary" or "random"
    sig: Signature
    probe: dict[str, str | None]
    id: str


def campaign_item(arch: Arch, seed: int, i: int) -> Item:
    """Signature ``i`` of the campaign (arch, seed), built alone (so workers can build theirs).

    Go's vectors come first; after them every fourth index is a boundary signature (round
    ``k // per_round`` of the templates), the rest are random, each index with its own seeded
    ``Random``. Small random signatures repeat now and then; the database keeps one result
    per distinct signature.
    """
    nv = len(GO_VECTORS)
    if i < nv:
        origin, (text, recv) = "go-vector", GO_VECTORS[i]
        sig = parse_signature(text, recv=recv, source=f"go-vector {i}")
    elif (i - nv) % 4 == 0:
        k = (i - nv) // 4
        per = len(_boundary_round(arch, seed, 0))
        text, recv = _boundary_round(arch, seed, k // per)[k % per]
        origin, sig = "boundary", parse_signature(text, recv=recv, source=f"boundary {i}")
    else:
        origin = "random"
        sig = random_signature(random.Random(f"random/{arch.name}/{seed}/{i}"))
    p = probe_sig(sig)
    return Item(i, origin, sig, p, sig_id(p))


def campaign_items(arch: Arch, seed: int, n: int, *, start: int = 0) -> Iterator[Item]:
    """Signatures ``start`` … ``n - 1`` of the campaign (arch, seed)."""
    for i in range(start, n):
        yield campaign_item(arch, seed, i)


def _zero(t: GoType, ps: int) -> bool:
    return layout(t, ps).size == 0


def _trailing_zero(t: GoType, ps: int) -> bool:
    u = t.underlying
    fields = getattr(u, "fields", None)
    if fields:
        return layout(u, ps).size > 0 and _zero(fields[-1].type, ps)
    return False


def _has_array_field_fail(t: GoType, ps: int) -> bool:
    parts, complete = reg_parts_prefix(t, ps)
    return not complete and bool(parts)


def classify(sig: Signature, arch: Arch, origin: str | None = None) -> set[str]:
    """The boundary classes ``sig`` exercises on ``arch`` (by the spec's assignment)."""
    ps = arch.ptr_size
    out: set[str] = set() if origin is None else {origin}
    try:
        s = spec_of(sig, arch)
    except RegabiError:  # a signature the model refuses exercises nothing
        return out
    if sig.recv is not None:
        out.add("recv")
        base = spec_of(sig.__class__(sig.params, sig.results), arch)
        if [(p.regs, p.stack) for p in s.params[1:]] != [(p.regs, p.stack) for p in base.params]:
            out.add("recv-shift")
    types = ([None] if sig.recv is not None else []) + list(sig.params)
    for group, plist, tlist in (("arg", s.params, types), ("result", s.results, sig.results)):
        used_i = used_f = 0
        end = s.ret_offset if group == "result" else 0
        spill_end = 0
        n_args = len(sig.params)
        for k, (p, t) in enumerate(zip(plist, tlist, strict=True)):
            if t is None:  # the receiver word
                used_i += len(p.regs)
                if p.stack is not None:
                    end = p.stack + ps
                continue
            lay = layout(t, ps)
            if lay.size == 0:
                if group == "result":
                    out.add("zero-size-result")
                else:
                    idx = k - (1 if sig.recv is not None else 0)
                    out.add("zero-size-first" if idx == 0 else
                            "zero-size-last" if idx == n_args - 1 else "zero-size-mid")
                if k > 0 and plist[k - 1].stack is not None and not plist[k - 1].regs:
                    out.add("zero-size-after-stack")
            if _trailing_zero(t, ps):
                out.add("trailing-zero-pad")
            if _has_array_field_fail(t, ps):
                out.add("array-field-fail")
            if p.regs:
                ni = sum(1 for r in p.regs if r[0] == "int")
                used_i += ni
                used_f += len(p.regs) - ni
                if p.spill is not None:
                    if p.spill - spill_end >= ps - 1:
                        out.add("align-gap-spill")
                    spill_end = p.spill + lay.size
            elif lay.size:
                out.add("stack-result" if group == "result" else "stack-arg")
                if p.stack is not None and p.stack - end >= ps - 1:
                    out.add("align-gap-stack")
                parts, complete = reg_parts_prefix(t, ps)
                need_i = sum(1 for q in parts if q.cls == "int")
                need_f = len(parts) - need_i
                free_i, free_f = arch.n_int - used_i, arch.n_float - used_f
                if complete and need_i > free_i > 0:
                    out.add("short-int")
                if complete and need_f > free_f > 0:
                    out.add("short-float")
                # reflect places parts in memory order, a group (one assignIntN or
                # assignFloatN) at a time, until one does not fit (RFL-3)
                fi, ff, placed, j = free_i, free_f, 0, 0
                while j < len(parts):
                    g = max(parts[j].group, 1)
                    if parts[j].cls == "int" and fi >= g:
                        fi -= g
                    elif parts[j].cls == "float" and ff >= g:
                        ff -= g
                    else:
                        break
                    placed += g
                    j += g
                if placed and (not complete or placed < len(parts)):
                    out.add("partial-fail")
            if p.stack is not None:
                end = p.stack + lay.size
        if arch.n_int and used_i == arch.n_int:
            out.add("exhaust-int")
        if arch.n_float and used_f == arch.n_float:
            out.add("exhaust-float")
    return out


def applicable(arch: Arch) -> list[str]:
    """The classes that can occur on ``arch`` (no register classes without registers)."""
    skip = set()
    if arch.n_int == 0:
        skip |= {"exhaust-int", "short-int", "partial-fail", "recv-shift", "align-gap-spill"}
    if arch.n_float == 0:
        skip |= {"exhaust-float", "short-float"}
    return [c for c in CLASSES if c not in skip]
