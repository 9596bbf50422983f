"""The path of ``reflect.Value.Call`` as Go runs it, as a deterministic program over a small
abstract machine, compiled once per (signature, variant, architecture, holding mode) into a table
of *points* that the GC explorer (:mod:`regabi.proofs.explore`) interleaves with garbage
collections and stack moves. Rules ``CALL-n`` / ``GC-n`` are in spec/call.md.

Why a table: between safepoints the path is deterministic (CALL-1); a GC never changes live
memory, it only frees what it cannot see (GC-3); a stack move copies the stack and adjusts only
the words a stack map, argument map or stack object describes (GC-6). So the machine runs once
and records, at every safepoint, the frames on the stack and how each is scanned (GC-1, GC-2),
the objects that scan reaches, the non-pointer words it scans as pointers, and the words holding
a stack address that a move there would leave pointing into the freed old stack ("holders").
A path of the explorer is a choice per safepoint; its state is
``(mode, pc, gcs, moves, freed objects, stale holders)``.

Memory is byte-addressed; every byte describes itself so a mismatch explains itself:
``("D", tag, i)`` data byte *i* of value ``tag``; ``("P", obj, off, i)`` byte *i* of a pointer
to heap object ``obj``+off; ``("T", tag, i)`` a type word; ``("S", region, off, i)`` a pointer
into the goroutine stack (region = a frame's slot group); ``("W", tag, i)`` the float64
widening of float32 ``tag``; ``("J", reg, i)`` junk; ``0`` zero; ``0xFF`` an all-ones byte.
Registers hold the 8-byte (PtrSize-byte) image that a store of the register writes to memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from regabi.errors import InputError
from regabi.model.arch import Arch, load_arch, regargs_layout
from regabi.model.assign import AbiDesc, SpecLayout, is_direct, reflect_assign, spec_assign
from regabi.model.gcrt import (
    FIRST_REGABI,
    RuntimeVariant,
    callN_args_map,
    runtime_variant,
)
from regabi.model.invariants import TraceInvariant
from regabi.model.sig import Signature
from regabi.model.types import Array, GoType, Kind, Struct, layout
from regabi.model.variants import Variant, get_variant

__all__ = [
    "GC_CATALOGUE",
    "GC_INVARIANT_IDS",
    "MODELLED_ARCHES",
    "Point",
    "Program",
    "build_program",
    "check_build_args",
    "classify",
    "count_holding_modes",
    "holding_modes",
    "leaves",
    "machine_arch",
]

#: Architectures the call machine models: the register-ABI ones, and 386/arm as zero-register
#: configurations (their reflectcall never reads regArgs: cur asm_386.s:503-526, asm_arm.s).
MODELLED_ARCHES: tuple[str, ...] = (*FIRST_REGABI, "386", "arm")

# --------------------------------------------------------------------------------------------
# The INV-GC-* invariants (spec/call.md "Invariants").

GC_CATALOGUE: tuple[TraceInvariant, ...] = (
    TraceInvariant(
        "INV-GC-UAF", "no use of freed memory",
        "No step of the call path (Value.call, callN, the callee, the caller of Call) reads an "
        "object a garbage collection has freed.",
        "spec/call.md GC-1..GC-4"),
    TraceInvariant(
        "INV-GC-SCAN", "every precisely scanned word is a pointer or nil",
        "At every GC, every word scanned *precisely* as a pointer (stack maps, argument maps, "
        "stack objects, heap bitmaps) holds nil or a valid pointer to a live object or a "
        "non-heap address. Conservatively scanned frames may hold anything.",
        "spec/call.md GC-2, GC-3"),
    TraceInvariant(
        "INV-GC-STACK", "no access through a stale stack address",
        "After a stack copy, no instruction loads or stores through an address into the freed "
        "old stack (a word no map described, so copystack did not adjust it).",
        "spec/call.md GC-6, GC-7"),
    TraceInvariant(
        "INV-GC-FRAME", "spills and copies stay in the reserved frame",
        "The callee's spill of register arguments and its stack results lie inside the "
        "frameSize the caller of reflectcall reserved (the contract: reflect for Value.call and "
        "callMethod, the finalizer goroutine for a finalizer, callbackWrap for a Windows "
        "callback); reported apart from whether the callN frame DISPATCH chose absorbs the "
        "overflow.",
        "spec/call.md CALL-9, CALL-12"),
    TraceInvariant(
        "INV-GC-VALUE", "values arrive as sent",
        "Every argument the callee reads equals what Value.Call was given, and every result "
        "Value (bytes and Kind) equals what the callee returned.",
        "spec/call.md CALL-5..CALL-8, CALL-14..CALL-16"),
    TraceInvariant(
        "INV-GC-MARK", "concurrent mark keeps what a stop-the-world GC keeps",
        "At mark termination of a concurrent cycle (started at an earlier safepoint, stack "
        "scanned once, hybrid write barrier on in between), every object reachable from the "
        "roots at the terminating safepoint — the frames as GC-2 scans them, through heap "
        "bitmaps — is marked, so the sweep frees none of them.",
        "spec/call.md GC-9..GC-14"),
)
GC_INVARIANT_IDS: tuple[str, ...] = tuple(i.id for i in GC_CATALOGUE)

# --------------------------------------------------------------------------------------------
# Architectures


def machine_arch(arch: str | Arch, variant: str) -> Arch:
    """The configuration the call machine runs for ``arch`` under ``variant``: refuses an
    architecture it does not model; a register-ABI architecture in a release before its
    register ABI runs as a zero-register configuration (then reflectcall has no registers)."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    base = a.name.split("/regs=")[0]  # a synthetic with_regs configuration keeps its base name
    if base.endswith(".toml"):
        # ARCH-16: a table of one's own runs the runtime code of its goarch, whose assembly
        # (spillArgs, callNN, morestack) is what the machine models
        if a.goarch not in MODELLED_ARCHES:
            raise InputError(f"the call machine models the runtime of {', '.join(MODELLED_ARCHES)}"
                             f"; {base} has goarch {a.goarch!r}", source="--arch")
        base = a.goarch
    if base not in MODELLED_ARCHES:
        raise InputError(f"the call machine does not model architecture {a.name!r} (modelled: "
                         f"{', '.join(MODELLED_ARCHES)})", source="--arch")
    rv = runtime_variant(variant)
    if a.n_int + a.n_float and base not in rv.regabi_arches:
        a = replace(a.with_regs(0, 0), name=f"{a.name}(no regabi in {rv.name})")
    return a


# --------------------------------------------------------------------------------------------
# Values


class Leaf(NamedTuple):
    """One scalar piece of a value: offset, size and what the word is (data/ptr/type)."""

    offset: int
    size: int
    what: str  # "data", "ptr" (may point into the heap), "type" (itab/type word), "f32"


def leaves(t: GoType, off: int = 0, limit: int = 4096, ps: int = 8) -> list[Leaf]:
    """The scalar leaves of ``t`` in memory order (padding excluded)."""
    out: list[Leaf] = []
    _leaves(t.underlying, off, out, limit, ps)
    return out


def _leaves(t: GoType, off: int, out: list[Leaf], limit: int, ps: int) -> None:
    if len(out) > limit:
        raise InputError("value too large for the call machine (more than "
                         f"{limit} scalar leaves)", source="signature")
    k = t.kind
    if k in (Kind.UNSAFE_POINTER, Kind.POINTER, Kind.CHAN, Kind.MAP, Kind.FUNC):
        out.append(Leaf(off, ps, "ptr"))
    elif k == Kind.STRING:
        out += [Leaf(off, ps, "ptr"), Leaf(off + ps, ps, "data")]
    elif k == Kind.SLICE:
        out += [Leaf(off, ps, "ptr"), Leaf(off + ps, ps, "data"), Leaf(off + 2 * ps, ps, "data")]
    elif k == Kind.INTERFACE:
        out += [Leaf(off, ps, "type"), Leaf(off + ps, ps, "ptr")]
    elif isinstance(t, Array):
        es = layout(t.elem, ps).size
        for i in range(t.length):
            _leaves(t.elem.underlying, off + i * es, out, limit, ps)
    elif isinstance(t, Struct):
        for f, fo in zip(t.fields, layout(t, ps).offsets, strict=True):
            _leaves(f.type.underlying, off + fo, out, limit, ps)
    elif k == Kind.FLOAT32:
        out.append(Leaf(off, 4, "f32"))
    elif k == Kind.COMPLEX64:
        out += [Leaf(off, 4, "f32"), Leaf(off + 4, 4, "f32")]
    else:
        sz = layout(t, ps).size
        if sz:
            out.append(Leaf(off, sz, "data"))


_CLASSIFIED: dict[tuple, tuple] = {}


def classify(word: list | tuple) -> tuple:
    """What a GC finds in a word: ("nil",), ("heap", obj, off), ("stack", region, off),
    ("type",), or ("data",) (not a pointer: GC-2)."""
    key = tuple(word)
    r = _CLASSIFIED.get(key)
    if r is None:
        if len(_CLASSIFIED) > 1 << 16:
            _CLASSIFIED.clear()
        r = _CLASSIFIED[key] = _classify(key)
    return r


def _classify(word: tuple) -> tuple:
    b0 = word[0]
    if all(b == 0 for b in word):
        return ("nil",)
    if isinstance(b0, tuple) and b0[0] in ("P", "S", "T"):
        tag = b0[0]
        if all(isinstance(b, tuple) and b[0] == tag and b[:-1] == b0[:-1] and b[-1] == i
               for i, b in enumerate(word)):
            if tag == "P":
                return ("heap", b0[1], b0[2])
            if tag == "S":
                return ("stack", b0[1], b0[2])
            return ("type",)
    return ("data",)


def _show_word(word: list | tuple, names: list[str] | None = None) -> str:
    c = classify(word)
    if c[0] == "nil":
        return "0"
    if c[0] == "heap":
        return f"&{names[c[1]] if names else c[1]}" + (f"+{c[2]}" if c[2] else "")
    if c[0] == "stack":
        return f"&{c[1]}+{c[2]} (stack)"
    if c[0] == "type":
        return "&type"
    bs = [b for b in word if isinstance(b, tuple)]
    if bs and all(b[0] in ("D", "W") and b[1] == bs[0][1] for b in bs):
        pre = "float64(" if bs[0][0] == "W" else ""
        return f"{pre}{bs[0][1]}[{bs[0][2]}:{bs[-1][2] + 1}]" + (")" if pre else "")
    if bs and all(b[0] == "J" for b in bs):
        return f"junk({bs[0][1]})"
    return " + ".join(_show_run(run, names) for run in _runs(word))


def _runs(word: list | tuple) -> list[list]:
    """A mixed word cut into runs of bytes from one source (same kind and tag)."""
    out: list[list] = []
    for b in word:
        last = out[-1][-1] if out else None
        if isinstance(b, tuple) and isinstance(last, tuple):
            same = b[:-1] == last[:-1] and b[-1] == last[-1] + 1  # next byte of one source
        else:
            same = last is not None and not isinstance(last, tuple) and b == last
        if same:
            out[-1].append(b)
        else:
            out.append([b])
    return out


def _show_run(run: list, names: list[str] | None) -> str:
    """One run of a mixed word in the trace's notation: tag[i:j], junk(r), 0, 0xff, and for a
    piece of a pointer which bytes of it (GC-2 sees no pointer there)."""
    b = run[0]
    if not isinstance(b, tuple):
        return f"{len(run)}×{b:#x}" if b else f"{len(run)}×0"
    rng = f"[{b[-1]}:{run[-1][-1] + 1}]"
    if b[0] == "D":
        return f"{b[1]}{rng}"
    if b[0] == "W":
        return f"float64({b[1]}){rng}"
    if b[0] == "J":
        return f"junk({b[1]})"
    if b[0] == "P":
        return f"&{names[b[1]] if names else 'object'}" + (f"+{b[2]}" if b[2] else "") + \
            f" bytes {rng}"
    if b[0] == "S":
        return f"&{b[1]}+{b[2]} (stack) bytes {rng}"
    return f"&type bytes {rng}"


def _go_kind(k: int) -> str:
    """A reflect.Kind as Go spells it: reflect.Pointer, reflect.UnsafePointer."""
    return "reflect." + "".join(w.capitalize() for w in Kind(k).name.split("_"))


# --------------------------------------------------------------------------------------------
# The compiled program


@dataclass
class Point:
    """One instruction group or safepoint of the path (CALL-1).

    ``sp``: '' (no safepoint), 'call' (a synchronous safepoint: a call site whose callee's
    prologue may grow the stack or be preempted), 'prologue' (the stack check of the function
    starting here), 'async' (asynchronous preemption: GC only, GC-7)."""

    where: str
    label: str
    src: str = ""
    sp: str = ""
    move: bool = False  # a stack copy may happen here (GC-7)
    uses: int = 0  # heap objects read here (bitmask of object ids)
    stack_uses: int = 0  # stack-address holders dereferenced here (bitmask of holder ids)
    static: tuple[tuple[str, str], ...] = ()  # (invariant, message) revealed when executed
    reach: int = 0  # objects a GC here marks
    alloc: int = 0  # objects that exist here
    bad: tuple[str, ...] = ()  # non-pointer words scanned precisely as pointers here (GC-2)
    ms_static: tuple[tuple[str, str], ...] = ()  # violations if morestack runs here (CALL-9)
    stale_move: int = 0  # holders a stack copy here leaves pointing into the old stack
    regs_raw: Any = ""  # registers that matter: a string, or a thunk that formats them
    seen_raw: tuple = ()  # heap roots a GC here finds: (root name, object name) pairs
    frames: str = ""  # frames on the stack, innermost first, and how each is scanned
    # Concurrent mark (GC-9 … GC-14). Effects of the heap writes and allocations recorded
    # since the previous point (``eff_*``), the objects a stack scan here shades (``roots``)
    # and the heap graph (index into Program.heaps) as it is at this point.
    roots: int = 0
    eff_alloc: int = 0  # objects allocated (black while marking: GC-9)
    eff_shade: int = 0  # objects the write barrier shades (old and new pointer values: GC-11)
    eff_nobar: int = 0  # objects that get a heap pointer written without a barrier
    eff_wb: str = ""  # what the barrier of these writes is, for the trace
    heap: int = 0

    @property
    def regs(self) -> str:
        return self.regs_raw if isinstance(self.regs_raw, str) else self.regs_raw()

    @property
    def gc_sees(self) -> str:
        return ", ".join(f"{r}→{o}" for r, o in self.seen_raw) or "(no heap roots)"


@dataclass
class Program:
    """A compiled call path: points, heap object names and stack-address holder names."""

    sig: Signature
    variant: str
    arch: str
    holding: tuple[bool, ...]  # per argument: held indirectly (flagIndir)
    points: list[Point]
    objects: list[str]
    desc: AbiDesc
    spec: SpecLayout
    holders: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Heap graphs: per version, per object, the objects its pointer words point to.
    heaps: list[tuple[int, ...]] = field(default_factory=list)
    results: str = "fresh"

    def obj_names(self, mask: int) -> list[str]:
        return [n for i, n in enumerate(self.objects) if mask >> i & 1]

    def holder_names(self, mask: int) -> list[str]:
        return [n for i, n in enumerate(self.holders) if mask >> i & 1]


def _choice(sig: Signature, v: Variant, ps: int) -> list[int]:
    return [i for i, t in enumerate(sig.params) if layout(t, ps).size and is_direct(t, ps, v)]


def count_holding_modes(sig: Signature, variant: Variant, ps: int = 8) -> int:
    """How many holding modes exist (CALL-3): 2 per pointer-shaped argument."""
    return 1 << len(_choice(sig, variant, ps))


def holding_modes(sig: Signature, variant: Variant, limit: int = 16,
                  ps: int = 8) -> list[tuple[bool, ...]]:
    """Ways of holding the arguments (CALL-3): non-pointer-shaped values are always held
    indirectly; a pointer-shaped one either directly (ValueOf(p)) or indirectly
    (ValueOf(&p).Elem()). All of them when there are at most ``limit``; otherwise all-direct,
    all-indirect and every single-argument flip of each (2n + 2 modes). Linear per mode, no
    duplicate search: the listed bit patterns are distinct by construction."""
    choice = _choice(sig, variant, ps)
    n = len(choice)
    if 1 << n <= limit:
        order: list[int] = [0, (1 << n) - 1, *range(1, (1 << n) - 1)] if n else [0]
    else:
        full = (1 << n) - 1
        order = [0, full, *(1 << j for j in range(n)), *(full ^ (1 << j) for j in range(n))]
    base = [True] * len(sig.params)
    modes = []
    for bits in order:
        m = list(base)
        for j, i in enumerate(choice):
            m[i] = bool(bits >> j & 1)
        modes.append(tuple(m))
    return modes


# --------------------------------------------------------------------------------------------
# Sources (file:line) of the steps, go1.27.3 ("cur") and the seed patch's new-file lines.

_SRC = {
    "cur": {
        "funcLayout": "reflect/value.go:473", "poolGet": "reflect/value.go:479",
        "newFrame": "reflect/value.go:483", "storeRcvr": "reflect/value.go:501-511",
        "loop": "reflect/value.go:518", "assignTo": "reflect/value.go:524",
        "typedmemmove": "reflect/value.go:532 (runtime/mbarrier.go:213 reflect_typedmemmove, "
                        "not nosplit)",
        "ptrsDup": "reflect/value.go:546", "intToReg": "reflect/value.go:548",
        "direct": "reflect/value.go:551-555", "floatToReg": "reflect/value.go:562",
        "frameSize": "reflect/value.go:570-571", "retIsPtr": "reflect/value.go:574",
        "call": "reflect/value.go:586", "memclr": "reflect/value.go:596",
        "poolPut": "reflect/value.go:597", "memclrpartial": "reflect/value.go:604",
        "make": "reflect/value.go:608", "retPtr": "reflect/value.go:639",
        "retNew": "reflect/value.go:652", "retStack": "reflect/value.go:620-627",
        "dispatch": "runtime/asm_amd64.s:728-758", "callfn": "runtime/asm_amd64.s:761",
        "copy": "runtime/asm_amd64.s:763-767", "loadR12": "runtime/asm_amd64.s:769",
        "unspill": "runtime/asm_amd64.s:688-726", "callR12": "runtime/asm_amd64.s:772-775",
        "reloadR12": "runtime/asm_amd64.s:777", "spill": "runtime/asm_amd64.s:660-686",
        "callRet": "runtime/asm_amd64.s:779-801",
        "move": "runtime/mbarrier.go:249-268 (//go:nosplit)",
        "retPtrs": "runtime/mbarrier.go:261-265",
    },
    "seed": {
        "funcLayout": "seed reflect/value.go:440", "poolGet": "seed reflect/value.go:446",
        "newFrame": "seed reflect/value.go:450", "storeRcvr": "seed reflect/value.go:466-480",
        "loop": "seed reflect/value.go:486", "assignTo": "seed reflect/value.go:492",
        "typedmemmove": "seed reflect/value.go:500", "ptrsDup": "seed reflect/value.go:516",
        "intToReg": "seed reflect/value.go:510 (memmove: assembly, no safepoint)",
        "direct": "seed reflect/value.go:513-517", "floatToReg": "seed reflect/value.go:523",
        "frameSize": "seed reflect/value.go:534-535", "retIsPtr": "seed reflect/value.go:538",
        "call": "seed reflect/value.go:541", "memclr": "seed reflect/value.go:551",
        "poolPut": "seed reflect/value.go:552", "memclrpartial": "seed reflect/value.go:559",
        "make": "seed reflect/value.go:563", "retPtr": "seed reflect/value.go:594",
        "retNew": "seed reflect/value.go:607", "retStack": "seed reflect/value.go:580-590",
        "dispatch": "seed runtime/asm_amd64.s:527-556", "callfn": "seed runtime/asm_amd64.s:560",
        "copy": "seed runtime/asm_amd64.s:562-566", "loadR12": "seed runtime/asm_amd64.s:568",
        "unspill": "seed runtime/asm_amd64.s:478-503",
        "callR12": "seed runtime/asm_amd64.s:571-574",
        "reloadR12": "seed runtime/asm_amd64.s:576", "spill": "seed runtime/asm_amd64.s:450-475",
        "callRet": "seed runtime/asm_amd64.s:578-601",
        "move": "seed runtime/mbarrier.go:227 (//go:nosplit)",
        "retPtrs": "seed runtime/mbarrier.go:234-237",
    },
}
# Per-architecture assembly of CALLFN's two regArgs loads (ladder.md C3, cur line numbers).
_ASM = {"arm64": ("runtime/asm_arm64.s", 616, 624), "ppc64": ("runtime/asm_ppc64x.s", 524, 534),
        "ppc64le": ("runtime/asm_ppc64x.s", 524, 534),
        "riscv64": ("runtime/asm_riscv64.s", 491, 499),
        "loong64": ("runtime/asm_loong64.s", 427, 435), "s390x": ("runtime/asm_s390x.s", 433, 439),
        "386": ("runtime/asm_386.s", 503, 526), "arm": ("runtime/asm_arm.s", 466, 490)}
GC_SRC = {
    "precise": "runtime/mgcmark.go:1132-1167 (scanframeworker: getStackMap, locals+args "
               "bitmaps, stack objects)",
    "conservative": "runtime/mgcmark.go:1079-1130 (scanframeworker: state.conservative for "
                    "asyncPreempt and the frame it interrupted)",
    "async_reflect": "runtime/preempt.go:465 (isAsyncSafePoint: no async preemption in "
                     "reflect.* / runtime.*), :450-459 (nor in assembly)",
    "shrink": "runtime/stack.go:1245-1280 (isShrinkStackSafe: !gp.asyncSafePoint)",
    "grow": "runtime/stack.go:1055-1190 (newstack from a prologue's morestack)",
    "adjust": "runtime/stack.go:701-802 (adjustframe: locals, args, stack objects only)",
    "ctxt": "runtime/mgcmark.go:966-967 (scanstack scans gp.sched.ctxt)",
}


# --------------------------------------------------------------------------------------------
# The machine


class _Machine:
    """Concrete simulation that records points. Object ids index ``objs``."""

    def __init__(self, sig: Signature, v: Variant, rv: RuntimeVariant, arch: Arch,
                 holding: tuple[bool, ...]):
        self.sig, self.v, self.rv, self.arch, self.holding = sig, v, rv, arch, holding
        self.ps = arch.ptr_size
        self.rs = max(arch.reg_size, arch.ptr_size)
        self.desc = reflect_assign(sig, arch, v)
        self.spec = spec_assign(sig, arch)
        self.src = _SRC["seed" if rv.name == "seed" else "cur"]
        self.objs: list[str] = []
        self.gcmask: list[int] = []
        self.mem: dict[Any, dict[int, Any]] = {}
        self.existing = 0
        self.points: list[Point] = []
        self.ints: dict[str, list[Any]] = {r: [0] * self.rs for r in arch.int_regs}
        self.floats: dict[str, list[Any]] = {r: [0] * 8 for r in arch.float_regs}
        res = arch.reserved
        self.rp = str(res.get("regargs_pointer") or "") or None
        self.ctxt = str(res.get("closure_context") or "") or None
        self.other: dict[str, list] = {}
        if self.rp:
            self.other[self.rp] = [0] * self.ps
        if self.ctxt:
            self.other[self.ctxt] = [0] * self.ps
        # Precise roots: name -> (frame, region, offset, pointer bitmap over words)
        self.live: dict[str, tuple[str, Any, int, int]] = {}
        self.frames: list[str] = []  # innermost last
        self.holders: list[str] = []
        self.ra = arch.regargs if arch.n_int + arch.n_float else regargs_layout(0, 0, self.ps)
        self.notes: list[str] = []
        self.wcache: dict[Any, dict[int, tuple]] = {}
        self.sholders: set[tuple[str, int]] = set()  # stack words that held a stack address
        self.heap_version = 0
        self.region_frame: dict[str, str] = {"vc": "Value.call", "regArgs": "Value.call",
                                             "callee.locals": "callee", "callee.res": "callee"}
        self.closures: dict[tuple[int, int], tuple[int, tuple[str, ...]]] = {}
        self.results = "fresh"
        # Concurrent-mark effects since the last recorded point (GC-9 … GC-13).
        self.eff_alloc = self.eff_shade = self.eff_nobar = 0
        self.eff_wb: list[str] = []
        self.heaps: list[tuple[int, ...]] = []
        self.heaps_version: tuple[int, int] = (-1, 0)
        self.edges: list[int] = []  # per object, the objects its pointer words point to
        self.dirty: set[int] = set()  # objects written since the last heap snapshot

    # memory --------------------------------------------------------------------------------
    def new(self, name: str, size: int, gcmask: int) -> int:
        i = len(self.objs)
        self.objs.append(name)
        self.gcmask.append(gcmask)
        self.mem[i] = {}
        self.existing |= 1 << i
        self.eff_alloc |= 1 << i
        self.edges.append(0)  # the heap graph gains a node (Program.heaps)
        return i

    def write(self, region: Any, off: int, data: list, barrier: bool | None = None,
              wb: str = "") -> None:
        """Store ``data`` at region+off. A store into a heap object (an int region) that puts
        a heap pointer into, or takes one out of, one of its pointer words (the object's
        gcmask) must say whether a write barrier precedes it (GC-11, GC-12): ``barrier`` True
        shades the old and new pointer of every pointer word written (bulkBarrierPreWrite /
        the compiler's gcWriteBarrier), False shades nothing; ``wb`` names it for traces."""
        if not isinstance(region, str) and self.points:
            self._barrier(region, off, data, barrier, wb)
        m = self.mem.setdefault(region, {})
        for j, b in enumerate(data):
            m[off + j] = b
        ps = self.ps
        if not isinstance(region, str):
            self.heap_version += 1
            self.dirty.add(region)
        wc = self.wcache.setdefault(region, {})
        for w in range(off - off % ps, off + len(data), ps):
            wc.pop(w, None)
            if isinstance(region, str) and any(isinstance(b, tuple) and b[0] == "S"
                                               for b in self.read(region, w, ps)):
                self.sholders.add((region, w))

    def _barrier(self, obj: int, off: int, data: list, barrier: bool | None, wb: str) -> None:
        ps, gm = self.ps, self.gcmask[obj]
        touched = False
        for w in range(off - off % ps, off + len(data), ps):
            if not gm >> (w // ps) & 1:
                continue
            old = classify(self.read(obj, w, ps))
            new = classify([data[j - off] if off <= j < off + len(data) else
                            self.mem[obj].get(j, 0) for j in range(w, w + ps)])
            for c in (old, new):
                if c[0] == "heap":
                    touched = True
                    if barrier:
                        self.eff_shade |= 1 << c[1]
            if new[0] == "heap" and barrier is False:
                self.eff_nobar |= 1 << obj
        if touched:
            if barrier is None:
                raise AssertionError(f"model: heap pointer store into {self.objs[obj]} "
                                     "without a stated barrier")
            if wb and wb not in self.eff_wb:
                self.eff_wb.append(wb)

    def _effects(self) -> dict[str, Any]:
        """The concurrent-mark effects since the last point, and the heap graph now."""
        version = (self.heap_version, len(self.objs))
        if self.heaps_version != version:
            for i in self.dirty:
                out = 0
                for _o, word in self._words(i, 0, self.gcmask[i]):
                    c = classify(word)
                    if c[0] == "heap":
                        out |= 1 << c[1]
                self.edges[i] = out
            self.dirty.clear()
            self.heaps.append(tuple(self.edges))
            self.heaps_version = version
        d = {"eff_alloc": self.eff_alloc, "eff_shade": self.eff_shade,
             "eff_nobar": self.eff_nobar, "eff_wb": "; ".join(self.eff_wb),
             "heap": len(self.heaps) - 1}
        self.eff_alloc = self.eff_shade = self.eff_nobar = 0
        self.eff_wb = []
        return d

    def word(self, region: Any, off: int) -> tuple:
        """The aligned word at region+off (cached until written)."""
        wc = self.wcache.setdefault(region, {})
        w = wc.get(off)
        if w is None:
            w = wc[off] = tuple(self.read(region, off, self.ps))
        return w

    def read(self, region: Any, off: int, n: int) -> list:
        get = self.mem.get(region, {}).get
        return [get(j, 0) for j in range(off, off + n)]

    def ptr(self, obj: Any, off: int = 0) -> list:
        return [("P", obj, off, i) for i in range(self.ps)]

    def sptr(self, region: str, off: int = 0) -> list:
        return [("S", region, off, i) for i in range(self.ps)]

    def holder(self, name: str) -> int:
        if name not in self.holders:
            self.holders.append(name)
        return 1 << self.holders.index(name)

    def deref_stack(self, region: str, off: int) -> int:
        """Holder bit of the stack address stored at region+off (loaded and dereferenced)."""
        return self.holder(f"{region}+{off}") if classify(
            self.read(region, off, self.ps))[0] == "stack" else 0

    # recording -------------------------------------------------------------------------------
    def op(self, where: str, label: str, src: str = "", uses: int = 0,
           static: list | None = None, regs: str = "", stack_uses: int = 0) -> None:
        self.points.append(Point(where, label, src, "", False, uses, stack_uses,
                                 tuple(static or ()), regs_raw=regs, **self._effects()))

    def use_value(self, data: list, lvs: list[Leaf]) -> int:
        """Objects read through the pointer leaves of a value (the callee dereferences them)."""
        u = 0
        for lf in lvs:
            if lf.what == "ptr":
                c = classify(data[lf.offset:lf.offset + self.ps])
                if c[0] == "heap":
                    u |= 1 << c[1]
        return u

    def _words(self, region: Any, off: int, mask: int) -> list[tuple[int, tuple]]:
        out = []
        w = 0
        ps = self.ps
        word = self.word if off % ps == 0 else (lambda r, o: tuple(self.read(r, o, ps)))
        while mask >> w:
            if mask >> w & 1:
                out.append((off + ps * w, word(region, off + ps * w)))
            w += 1
        return out

    def safepoint(self, where: str, label: str, src: str, kind: str, *,
                  extra: Sequence[tuple[str, str, Any, int, int]] = (),
                  conservative: Sequence[tuple[str, Any, int, int]] = (),
                  cons_regs: bool = False, ms_static: list | None = None,
                  move: bool = True, scan_ctxt: bool = False) -> None:
        """Record a safepoint. Frames in ``self.frames`` are scanned precisely through the live
        roots tagged with them (plus ``extra``), except the ones named in ``conservative``
        (region ranges scanned word by word, GC-2) and the saved registers (``cons_regs``:
        the asyncPreempt frame). ``move``: a stack copy may happen here (GC-7)."""
        cons_frames = {f for f, *_ in conservative}
        precise: list[tuple[str, list | tuple]] = []
        adjusted: set[tuple[Any, int]] = set()
        for name, (fr, region, off, mask) in list(self.live.items()) + \
                [(n, (f, r, o, k)) for n, f, r, o, k in extra]:
            if fr not in self.frames or fr in cons_frames:
                continue
            for o, word in self._words(region, off, mask):
                precise.append((f"{name}+{o - off}" if mask > 1 else name, word))
                adjusted.add((region, o))
        cons: list[tuple[str, list | tuple]] = []
        for fr, region, lo, hi in conservative:
            for o in range(lo - lo % self.ps, hi, self.ps):
                cons.append((f"{fr}:{region}+{o}", self.word(region, o)))
        if cons_regs:
            for r, img in [*self.ints.items(), *self.floats.items(), *self.other.items()]:
                cons.append((f"asyncPreempt:{r}", img[:self.ps]))
        if scan_ctxt and self.ctxt:
            precise.append((f"gp.sched.ctxt ({self.ctxt})", self.other[self.ctxt]))
        reach, bad, seen, roots = self._mark(precise, cons)
        stale = 0
        if move:
            for region, o in sorted(self.sholders):
                if self.region_frame.get(region, "") not in self.frames:
                    continue  # memory of a returned frame: dead, never read again
                c = classify(self.word(region, o))
                if c[0] == "stack" and (region, o) not in adjusted:
                    stale |= self.holder(f"{region}+{o}")
            for r, img in [*self.ints.items(), *self.other.items()]:
                if classify(img[:self.ps])[0] == "stack":
                    stale |= self.holder(f"register {r}")
        fdesc = []
        for fr in reversed(self.frames):
            how = "conservative" if fr in cons_frames else "precise"
            fdesc.append(f"{fr} [{how}]")
        if cons_regs:
            fdesc.insert(0, "asyncPreempt [conservative: saved registers]")
        self.points.append(Point(where, label, src, kind, move, 0, 0, (), reach, self.existing,
                                 bad, tuple(ms_static or ()), stale, self.regs_thunk(), seen,
                                 ", ".join(fdesc), roots=roots, **self._effects()))

    def _closure(self, o: int) -> tuple[int, tuple[str, ...]]:
        """Objects reachable from heap object ``o`` through heap bitmaps, and the non-pointer
        words scanned on the way; cached until the heap is written."""
        key = (o, self.heap_version)
        r = self.closures.get(key)
        if r is None:
            reach = 1 << o
            bad = []
            work = [o]
            while work:
                x = work.pop()
                for off, word in self._words(x, 0, self.gcmask[x]):
                    c = classify(word)
                    if c[0] == "data":
                        bad.append(f"{self.objs[x]}+{off} holds {_show_word(word, self.objs)}")
                    elif c[0] == "heap" and not reach >> c[1] & 1:
                        reach |= 1 << c[1]
                        work.append(c[1])
            r = self.closures[key] = (reach, tuple(bad))
        return r

    def _mark(self, precise: list[tuple[str, list | tuple]], cons: list[tuple[str, list | tuple]]
              ) -> tuple[int, tuple[str, ...], tuple, int]:
        """GC-2/GC-3: mark from roots through heap bitmaps; report precise non-pointers.
        Also the roots themselves (what a stack scan shades: GC-10)."""
        reach = roots = 0
        bad: list[str] = []
        seen = []
        np = len(precise)
        for j, (name, word) in enumerate(precise + cons):
            c = classify(word)
            if c[0] == "heap":
                seen.append((name, self.objs[c[1]]))
                roots |= 1 << c[1]
                if not reach >> c[1] & 1:
                    r, b = self._closure(c[1])
                    reach |= r
                    bad.extend(b)
            elif c[0] == "data" and j < np:
                bad.append(f"{name} holds {_show_word(word, self.objs)}")
        return reach, tuple(dict.fromkeys(bad)), tuple(seen), roots

    def regs_thunk(self) -> Any:
        snap = [(r, tuple(x)) for r, x in [*self.ints.items(), *self.floats.items(),
                                           *self.other.items()] if any(x)]
        objs, ps = self.objs, self.ps
        return lambda: " ".join(f"{r}={_show_word(x[:ps], objs)}" for r, x in snap)

    def show_regs(self) -> str:
        parts = [f"{r}={_show_word(x[:self.ps], self.objs)}"
                 for r, x in [*self.ints.items(), *self.floats.items(), *self.other.items()]
                 if any(x)]
        return " ".join(parts)

    # registers as the hardware holds them (CALL-11) -----------------------------------------
    def sub(self, img: list, size: int) -> list:
        """The ``size``-byte value in the low-order bits of a register image (big-endian:
        the high-address end, internal/abi/abi.go:78-81 IntRegArgAddr)."""
        return img[len(img) - size:] if self.arch.big_endian else img[:size]

    def put(self, size: int, data: list, fill: Any = 0) -> list:
        img = [fill] * (self.rs - size)
        return img + data if self.arch.big_endian else data + img

    def reg_bytes(self, cls: str, idx: int, size: int) -> list:
        """The ``size`` bytes compiled code reads from argument register ``idx`` of class
        ``cls`` ("int" or "float"): the low-order bits, or a float32 as the ABI holds it."""
        a = self.arch
        if cls == "int":
            return self.sub(self.ints[a.int_regs[idx]], size)
        img = self.floats[a.float_regs[idx]]
        return _f32_read(a.float32_reg_format, img, None) if size == 4 else img[:size]

    def read_regs(self, regs: Sequence[tuple], size: int) -> list:
        """A ``size``-byte value compiled code assembles from its register pieces (the
        ``regs`` of a SpecParam: class, index, offset, size, …) per ABIInternal (CALL-11)."""
        got: list = [0] * size
        for cls, idx, off, sz, *_ in regs:
            got[off:off + sz] = self.reg_bytes(cls, idx, sz)
        return got


def _value_bytes(m: _Machine, t: GoType, tag: str,
                 reuse: list | None = None) -> tuple[list, list[Leaf]]:
    """A self-describing value of type ``t``: each pointer leaf points to a fresh object, or
    (``reuse``, results passed through) to the next object of ``reuse`` while any is left."""
    ps = m.ps
    lay = layout(t, ps)
    data: list = [0] * lay.size
    lvs = leaves(t, ps=ps)
    for j, lf in enumerate(lvs):
        if lf.what == "ptr" and reuse:
            data[lf.offset:lf.offset + ps] = m.ptr(reuse.pop(0))
        elif lf.what == "ptr":
            o = m.new(f"{tag}.ref{j}", ps, 0)
            m.write(o, 0, [("D", f"{tag}.ref{j}", i) for i in range(ps)])
            data[lf.offset:lf.offset + ps] = m.ptr(o)
        elif lf.what == "type":
            data[lf.offset:lf.offset + ps] = [("T", tag, i) for i in range(ps)]
        else:
            data[lf.offset:lf.offset + lf.size] = [("D", f"{tag}@{lf.offset}", i)
                                                   for i in range(lf.size)]
    return data, lvs


def _diff(got: list, exp: list, lvs: list[Leaf], names: list[str]) -> str | None:
    for lf in lvs:
        g = got[lf.offset:lf.offset + lf.size]
        e = exp[lf.offset:lf.offset + lf.size]
        if g != e:
            return (f"bytes {lf.offset}..{lf.offset + lf.size} are "
                    f"{_show_word(g, names)[:60]}, expected {_show_word(e, names)[:60]}")
    return None


_RET_WB = "ret[i] = Value{…}: compiler write barrier"


# float32 in a float register (CALL-11): what reflect's floatToReg stores (build-tagged files)
# and what compiled code expects (the ABI).
_F32_REFLECT = {  # reflect/float32reg_*.{go,s} in go1.27.3
    "ppc64": "float64", "ppc64le": "float64", "riscv64": "nanbox", "s390x": "high32"}


def _f32_image(fmt: str, tag: str, data: list) -> list:
    if fmt == "float64":
        return [("W", tag, i) for i in range(8)]
    if fmt == "nanbox":
        return data + [0xFF] * 4
    if fmt == "high32":
        return data + [("J", "low32", i) for i in range(4)]
    return data + [0] * 4  # low32: float32reg_generic.go, zero-extended


def _f32_read(fmt: str, img: list, tag_of: Any) -> list:
    """Bytes of the float32 compiled code reads from a float register holding ``img``."""
    if fmt == "float64":
        b0 = img[0]
        if all(isinstance(b, tuple) and b[0] == "W" for b in img):
            return [("D", b0[1], i) for i in range(4)]
        return [("J", "not-float64", i) for i in range(4)]
    if fmt == "nanbox" and img[4:8] != [0xFF] * 4:
        return [("J", "not-nanboxed", i) for i in range(4)]
    return img[:4]


def check_build_args(results: str, mutants: frozenset[str] = frozenset(),
                     known: Sequence[str] = ()) -> None:
    """Refuse (InputError) a results mode other than "fresh"/"args" (CALL-12) or a mutant not
    in ``known``: the argument check every program builder (Value.call and the paths) shares."""
    bad = sorted(set(mutants) - set(known))
    if bad:
        raise InputError(f"unknown mutant(s) {', '.join(bad)} (known: {', '.join(known)})")
    if results not in ("fresh", "args"):
        raise InputError(f"results mode {results!r} (known: fresh, args)")


def build_program(sig: Signature, variant: str | Variant, arch: str | Arch = "amd64",
                  holding: tuple[bool, ...] | None = None,
                  runtime: RuntimeVariant | None = None, results: str = "fresh") -> Program:
    """Compile the path of ``Value.Call`` for ``sig`` into points (see module docstring).

    Parameters
    ----------
    sig : Signature
        The function (or method, with ``sig.recv``) called through reflect.
    variant : str or Variant
        A reflect variant; its runtime deltas come from :mod:`regabi.model.gcrt` by name.
    arch : str or Arch
        One of :data:`MODELLED_ARCHES`; anything else is refused (InputError).
    holding : tuple of bool, optional
        Per argument, whether the Value holds it indirectly; default: the first mode of
        :func:`holding_modes`.
    runtime : RuntimeVariant, optional
        Runtime deltas; default: the ones of ``variant``'s name (model/gcrt.py). Given
        explicitly only to isolate a cause.
    results : str
        What the callee returns in its results' pointer words (CALL-12): "fresh" objects it
        allocates, or "args" — the objects its arguments point to, in order, as
        ``func(p *int) *int { return p }`` does (fresh ones once those run out).
    """
    check_build_args(results)
    v = get_variant(variant) if isinstance(variant, str) else variant
    rv = runtime if runtime is not None else runtime_variant(v.name)
    a = machine_arch(arch, v.name)
    if holding is None:
        holding = holding_modes(sig, v, ps=a.ptr_size)[0]
    m = _Machine(sig, v, rv, a, holding)
    m.results = results
    _run(m)
    return Program(sig, v.name, a.name, holding, m.points, m.objs, m.desc, m.spec, m.holders,
                   m.notes, m.heaps, results)


def _run(m: _Machine) -> None:
    sig, v, a, desc, S, ps = m.sig, m.v, m.arch, m.desc, m.src, m.ps
    ra = m.ra
    nres = len(sig.results)
    VC = "Value.call"
    m.frames = ["caller", VC]  # Value.call is never async-preempted: GC_SRC["async_reflect"]

    # -- the caller's Values (CALL-3) ---------------------------------------------------------
    fn = m.new("fn", ps, 0)  # the funcval
    m.write("vc", 0, m.ptr(fn))
    m.live["fn"] = (VC, "vc", 0, 1)
    exp_args: list[tuple[list, list[Leaf]]] = []
    in_arr = m.new("in[]", ps * max(1, len(sig.params)), (1 << len(sig.params)) - 1)
    for i, t in enumerate(sig.params):
        data, lvs = _value_bytes(m, t, f"a{i}")
        exp_args.append((data, lvs))
        if layout(t, ps).size == 0:
            continue
        if not m.holding[i]:  # flagIndir == 0: v.ptr is the pointer itself (CALL-3)
            m.write(in_arr, ps * i, data[:ps])
        else:  # flagIndir: v.ptr → a heap copy of the value
            cp = m.new(f"a{i}.copy", len(data), layout(t, ps).gcmask)
            m.write(cp, 0, data)
            m.write(in_arr, ps * i, m.ptr(cp))
    m.write("vc", ps, m.ptr(in_arr))
    m.live["in"] = (VC, "vc", ps, 1)
    rcvr_word: list = []  # read only when sig.recv is not None
    if sig.recv is not None:
        rdata, _ = _value_bytes(m, sig.recv, "rcvr")
        if sig.recv.kind == Kind.INTERFACE:
            rcvr_word = rdata[ps:2 * ps]  # storeRcvr: the interface data word (CALL-4)
        elif is_direct(sig.recv, ps, v):
            rcvr_word = rdata[:ps]
        else:
            cp = m.new("rcvr.copy", len(rdata), layout(sig.recv, ps).gcmask)
            m.write(cp, 0, rdata)
            rcvr_word = m.ptr(cp)
        m.write("vc", 2 * ps, rcvr_word)
        m.live["rcvr"] = (VC, "vc", 2 * ps, 1)

    def vc_call(label: str, src: str, kind: str = "call") -> None:
        m.safepoint(VC, label, src, kind)

    vc_call("funcLayout(t, rcvrtype) — call (its prologue may grow the stack or be "
            "preempted; Value.call scanned with its stack map at this call)", S["funcLayout"])

    # -- frame (CALL-2) -------------------------------------------------------------------------
    ft = desc.frame_type_size
    stack_args = None
    if ft:
        if nres == 0:
            vc_call("framePool.Get() — call", S["poolGet"])
        else:
            vc_call("unsafe_New(frametype) — call (allocation)", S["newFrame"])
        stack_args = m.new("stackArgs", ft, desc.stack_ptrs)
        m.write("vc", 3 * ps, m.ptr(stack_args))
        m.live["stackArgs"] = (VC, "vc", 3 * ps, 1)
        m.op(VC, f"stackArgs = {'pool' if nres == 0 else 'new'} frame, {ft} bytes",
             S["poolGet" if nres == 0 else "newFrame"])
    # regArgs: a local whose address reaches call; live (statically) to its last use; only
    # Ptrs are pointer-typed words (CALL-2, GC-1).
    if a.n_int:
        m.live["regArgs.Ptrs"] = (VC, "regArgs", ra.ptrs_offset, (1 << a.n_int) - 1)

    # -- receiver (CALL-4, VAR-8) -------------------------------------------------------------
    in_start = 0
    if sig.recv is not None:
        where = store_rcvr(m, desc, v, stack_args, rcvr_word, "stackArgs", "regArgs")
        m.op(VC, f"storeRcvr(rcvr) → {where} (inlined)", S["storeRcvr"])
        del m.live["rcvr"]  # rcvr's last use (CALL-13)
        in_start = 1

    # -- arguments (CALL-5, CALL-6, VAR-7) ------------------------------------------------------
    for i, t in enumerate(sig.params):
        vc_call(f"arg {i}: v.assignTo(…) — call (may allocate)", S["assignTo"])
        data, lvs = exp_args[i]
        lay = layout(t, ps)
        indir = m.holding[i] or lay.size == 0
        vptr = m.read(in_arr, ps * i, ps)
        src_obj = classify(vptr)[1] if indir and lay.size else None
        uses = (1 << src_obj) if isinstance(src_obj, int) else 0
        for st in desc.call.steps_for(i + in_start):
            if st.kind == "stack":
                if indir:
                    vc_call(f"arg {i}: typedmemmove(…, stackArgs+{st.stkoff}, v.ptr) — call",
                            S["typedmemmove"])
                val = m.read(src_obj, 0, lay.size) if indir else vptr
                m.write(stack_args, st.stkoff, val, True,
                        "typedmemmove → bulkBarrierPreWrite(dst, src, typ)" if indir else
                        "*(*unsafe.Pointer)(addr) = v.ptr: compiler write barrier")
                m.op(VC, f"arg {i} → stackArgs+{st.stkoff} "
                     f"({'copied' if indir else '*addr = v.ptr'})", S["typedmemmove"], uses)
                break
            if st.kind in ("int", "ptr"):
                if indir:
                    part = m.read(src_obj, st.offset, st.size)
                    dup = st.kind == "ptr" and v.indirect_ptrs_to_ptrs
                    if dup:
                        m.write("regArgs", ra.ptrs_offset + ps * st.ireg, part)
                        m.op(VC, f"arg {i}: regArgs.Ptrs[{st.ireg}] = *(*unsafe.Pointer)(v.ptr"
                             f"+{st.offset})", S["ptrsDup"], uses)
                    if m.rv.int_to_reg_call:
                        vc_call(f"arg {i}: intToReg(&regArgs, {st.ireg}, {st.size}, …) — call",
                                S["intToReg"])
                    word = m.read("regArgs", ra.ints_offset + ps * st.ireg, ps)
                    off = ps - st.size if a.big_endian else 0
                    word[off:off + st.size] = part
                    m.write("regArgs", ra.ints_offset + ps * st.ireg, word)
                    m.op(VC, f"arg {i} bytes {st.offset}..{st.offset + st.size} (indirect) → "
                         f"regArgs.Ints[{st.ireg}]" + (f"+{off}" if off else ""),
                         S["intToReg"], uses)
                else:
                    if st.kind == "ptr":
                        m.write("regArgs", ra.ptrs_offset + ps * st.ireg, vptr)
                    m.write("regArgs", ra.ints_offset + ps * st.ireg, vptr)
                    m.op(VC, f"arg {i} v.ptr (direct) → regArgs.Ints[{st.ireg}]"
                         + (f" and Ptrs[{st.ireg}]" if st.kind == "ptr" else ""), S["direct"])
            else:
                part = m.read(src_obj, st.offset, st.size) if indir else vptr
                if st.size == 4:
                    img = _f32_image(_F32_REFLECT.get(a.goarch, "low32"), f"a{i}@{st.offset}",
                                     part)
                else:
                    img = part + [0] * (8 - st.size)
                m.write("regArgs", ra.floats_offset + 8 * st.freg, img)
                m.op(VC, f"arg {i} bytes {st.offset}..{st.offset + st.size} → "
                     f"regArgs.Floats[{st.freg}] (floatToReg, inlined)", S["floatToReg"], uses)
    # The range loop's last use of `in`: the slice and the heap copies are dead (CALL-13).
    del m.live["in"]
    frame_size = desc.frame_size
    m.op(VC, f"frameSize = align(frameSize, PtrSize) + abi.spill = {frame_size}",
         S["frameSize"])
    m.write("regArgs", ra.return_is_ptr_offset, [desc.out_reg_ptrs & 0xFF,
                                                  desc.out_reg_ptrs >> 8 & 0xFF])
    m.op(VC, f"regArgs.ReturnIsPtr = {desc.out_reg_ptrs:#b}", S["retIsPtr"])

    # -- reflectcall / callN (CALL-9 … CALL-11) ------------------------------------------------
    del m.live["fn"]  # passed to call; dead in Value.call after it (CALL-13)
    exp_res = _reflectcall(m, VC, S["call"], fn, stack_args, exp_args, rcvr_word)
    if exp_res is None:
        return
    ro = desc.ret_offset

    # -- back in Value.call (CALL-16, VAR-9) ---------------------------------------------------
    if nres == 0:
        if stack_args is not None:
            vc_call("typedmemclr(frametype, stackArgs) — call", S["memclr"])
            m.write(stack_args, 0, [0] * ft, True,
                    "typedmemclr → bulkBarrierPreWrite(ptr, 0, …): shades the old values")
            vc_call("framePool.Put(stackArgs) — call", S["poolPut"])
        m.op(VC, "return nil")
        return
    if stack_args is not None:
        vc_call("typedmemclrpartial(frametype, stackArgs, 0, retOffset) — call",
                S["memclrpartial"])
        m.write(stack_args, 0, [0] * ro, True, "typedmemclrpartial → bulkBarrierPreWrite"
                "(ptr, 0, size, nil): shades the old values")
    vc_call("ret = make([]Value, nout) — call (allocation)", S["make"])
    ret_arr = m.new("ret[]", 3 * ps * nres, sum(0b011 << (3 * r) for r in range(nres)))
    m.write("vc", 4 * ps, m.ptr(ret_arr))
    m.live["ret"] = (VC, "vc", 4 * ps, 1)
    rets: list[tuple[int, bool]] = []  # (kind flag, flagIndir)
    for ri, t in enumerate(sig.results):
        lay = layout(t, ps)
        slot = 3 * ps * ri + ps  # Value{typ_, ptr, flag}: ptr is word 1
        m.write(ret_arr, 3 * ps * ri, [("T", f"ret{ri}", i) for i in range(ps)], True,
                _RET_WB)
        if lay.size == 0:
            rets.append((int(t.kind), True))
            m.op(VC, f"ret[{ri}] = Zero({t})")
            continue
        steps = desc.ret.steps_for(ri)
        if steps and steps[0].kind == "stack":
            m.write(ret_arr, slot, m.ptr(stack_args, steps[0].stkoff), True, _RET_WB)
            rets.append((int(t.kind), True))
            m.op(VC, f"ret[{ri}] = Value{{{t}, stackArgs+{steps[0].stkoff}, flagIndir}}",
                 S["retStack"])
            continue
        if is_direct(t, ps, v):
            kind = int(t.kind) if v.ret_kind_from_result else int(Kind.FUNC)
            w = m.read("regArgs", ra.ptrs_offset + ps * steps[0].ireg, ps)
            m.write(ret_arr, slot, w, True, _RET_WB)
            rets.append((kind, False))
            m.op(VC, f"ret[{ri}] = Value{{{t}, regArgs.Ptrs[{steps[0].ireg}], "
                 f"flag({'tv' if v.ret_kind_from_result else 't'}.Kind()={_go_kind(kind)})}}",
                 S["retPtr"])
            continue
        vc_call(f"s := unsafe_New({t}) for result {ri} — call (allocation)", S["retNew"])
        s = m.new(f"r{ri}.box", lay.size, lay.gcmask)
        m.write("vc", 5 * ps, m.ptr(s))
        m.live["s"] = (VC, "vc", 5 * ps, 1)
        for st in steps:
            if st.kind == "int":
                w = m.read("regArgs", ra.ints_offset + ps * st.ireg, ps)
                m.write(s, st.offset, w[ps - st.size:] if a.big_endian else w[:st.size], False,
                        "intFromReg: memmove, no barrier (a scalar word)")
            elif st.kind == "ptr":
                m.write(s, st.offset, m.read("regArgs", ra.ptrs_offset + ps * st.ireg, ps), True,
                        "*(*unsafe.Pointer)(s) = regArgs.Ptrs[…]: compiler write barrier")
            elif st.kind == "float":
                img = m.read("regArgs", ra.floats_offset + 8 * st.freg, 8)
                fmt = _F32_REFLECT.get(a.goarch, "low32")
                m.write(s, st.offset, _f32_read(fmt, img, None) if st.size == 4
                        else img[:st.size], False, "floatFromReg: memmove, no barrier")
        m.write(ret_arr, slot, m.ptr(s), True, _RET_WB)
        del m.live["s"]
        rets.append((int(t.kind), True))
        m.op(VC, f"copy result {ri} from regArgs into r{ri}.box (intFromReg/floatFromReg); "
             f"ret[{ri}] = Value{{…, flagIndir}}", S["retNew"])
    m.live.pop("regArgs.Ptrs", None)
    m.live.pop("stackArgs", None)
    m.op(VC, "return ret (regArgs dead)")
    m.frames.pop()

    # -- the caller of Call uses every result (CALL-17) ----------------------------------------
    m.live["ret"] = ("caller", "vc", 4 * ps, 1)
    m.safepoint("caller", "after Value.Call returns — call site (only ret live)", "", "call")
    for ri, t in enumerate(sig.results):
        kind, indir = rets[ri]
        exp, lvs = exp_res[ri]
        lay = layout(t, ps)
        sv = []
        uses = 0
        if kind != int(t.kind):
            sv.append(("INV-GC-VALUE", f"result {ri} ({t}) comes back as a Value of Kind() "
                       f"{_go_kind(kind)}, expected {_go_kind(t.kind)}"))
        w = m.read(ret_arr, 3 * ps * ri + ps, ps)
        got: list[Any]
        if lay.size == 0:
            got = []
        elif indir:
            c = classify(w)
            got = m.read(c[1], c[2], lay.size) if c[0] == "heap" else [0] * lay.size
            if c[0] == "heap":
                uses |= 1 << c[1]
        else:
            got = w
        d = _diff(got, exp, lvs, m.objs) if lay.size else None
        if d is not None:
            sv.append(("INV-GC-VALUE", f"result {ri} ({t}) wrong: {d}"))
        uses |= m.use_value(got, lvs) if lay.size else 0
        m.op("caller", f"use result {ri} ({t}): Kind and bytes, dereference", "", uses, sv)


def store_rcvr(m: _Machine, desc: AbiDesc, v: Variant, frame: int | None, word: list,
               frame_name: str, regs_name: str) -> str:
    """storeRcvr (reflect/value.go), as Value.call and callMethod both inline it: the receiver
    word into the frame, a float register, or Ints (and Ptrs with VAR-8) of the RegArgs the
    machine calls "regArgs"; returns where, in the caller's names (CALL-4, VAR-8)."""
    ra, ps = m.ra, m.ps
    st = desc.call.steps[0]
    if st.kind == "stack":
        assert frame is not None
        m.write(frame, st.stkoff, word, True, "storeRcvr's *(*unsafe.Pointer)(p) = …: "
                "compiler write barrier (GC-13)")
        return f"{frame_name}+{st.stkoff}"
    if st.kind == "float":
        m.write("regArgs", ra.floats_offset + 8 * st.freg, word)
        return f"{regs_name}.Floats[{st.freg}]"
    where = f"{regs_name}.Ints[{st.ireg}]"
    if st.kind == "ptr" and v.rcvr_to_ptrs:
        m.write("regArgs", ra.ptrs_offset + ps * st.ireg, word)
        where = f"{regs_name}.Ptrs[{st.ireg}] and Ints[{st.ireg}]"
    m.write("regArgs", ra.ints_offset + ps * st.ireg, word)
    return where


def _reflectcall(m: _Machine, caller: str, call_src: str, fn: int,
                 stack_args: int | str | None,
                 exp_args: list[tuple[list, list[Leaf]]], rcvr_word: list | None,
                 nil_type: bool = False, reserved_by: str = "reflect reserved"
                 ) -> list[tuple[list, list[Leaf]]] | None:
    """reflectcall → callNN → the callee → callRet/reflectcallmove, as ``caller`` (Value.call,
    or callMethod: spec/paths.md MF-GC-7) runs it with the frame ``stack_args`` (a heap object) and
    the RegArgs in region "regArgs" (CALL-9 … CALL-15). ``nil_type``: the caller passes
    stackArgsType nil (runFinalizers, spec/paths.md FIN-GC-4); a ``stack_args`` string is a
    frame on the goroutine stack (callbackWrap's ``frame``, WC-GC-3). ``reserved_by`` says, in
    INV-GC-FRAME's message, who chose the frameSize passed (the contract): reflect for
    Value.call and callMethod, the finalizer goroutine, callbackWrap. Returns the results the
    callee built (bytes, leaves), or None when no callNN is large enough (the path ends
    there)."""
    sig, a, desc, spec, S, ps = m.sig, m.arch, m.desc, m.spec, m.src, m.ps
    ra = m.ra
    ft = desc.frame_type_size
    frame_size = desc.frame_size
    in_start = 1 if sig.recv is not None else 0
    VC = caller
    maxsize = next((s for s in a.call_sizes if s >= frame_size), None)
    RC = "reflectcall"
    if maxsize is None:
        m.op(RC, "DISPATCH: frame too large", S["dispatch"], static=[(
            "INV-GC-FRAME", f"frameSize {frame_size} exceeds every callN")])
        return None
    cmap, ra_off = callN_args_map(m.rv, ps)
    ft_word = [("T", "frametype", i) for i in range(ps)] if ft and not nil_type else [0] * ps
    m.write("callN.args", 0, ft_word)
    m.write("callN.args", ps, m.ptr(fn))
    on_stack = isinstance(stack_args, str)
    m.write("callN.args", 2 * ps, [0] * ps if stack_args is None else
            m.sptr(stack_args) if isinstance(stack_args, str) else m.ptr(stack_args))
    m.write("callN.args", ra_off, m.sptr("regArgs"))
    cn = f"call{maxsize}"
    m.region_frame["callN.args"] = m.region_frame["callN.frame"] = cn
    m.live["callN.args"] = (cn, "callN.args", 0, cmap)
    m.op(VC, f"CALL reflectcall({'nil' if nil_type else 'frametype'}, fn, stackArgs, {ft}, "
         f"{desc.ret_offset}, {frame_size}, &regArgs)", call_src)
    m.op(RC, f"DISPATCH(frameSize={frame_size}) → JMP {cn} (NOSPLIT, no frame, no safepoint)",
         S["dispatch"])
    m.frames.append(cn)
    afile, l1, l2 = _ASM.get(a.goarch, ("runtime/asm_amd64.s", 769, 777))
    load_src, reload_src = (S["loadR12"], S["reloadR12"]) if a.goarch == "amd64" else (
        f"{afile}:{l1}", f"{afile}:{l2}")
    decl = ("args map from the 5-argument declaration: regArgs not described"
            if m.rv.calln_decl_args == 5
            else "args map typ|fn|stackArgs|regArgs")
    m.safepoint(cn, f"{cn} prologue: stack check → morestack (WRAPPER, not NOSPLIT; {decl})",
                f"{S['callfn']} ({m.rv.calln_decl_src})", "prologue")
    size = ft  # Value.call passes frametype.Size() as stackArgsSize (CALL-9)
    static = []
    if size > maxsize:
        static.append(("INV-GC-FRAME", f"{cn} copies {size} bytes into a {maxsize}-byte frame"))
    if size:
        m.write("callN.frame", 0, m.read(stack_args, 0, size))
    ffs = a.fixed_frame_size
    if size or static:
        m.op(cn, f"copy {size} bytes stackArgs → SP+{ffs} (NO_LOCAL_POINTERS)", S["copy"],
             (1 << stack_args) if isinstance(stack_args, int) else 0, static,
             stack_uses=m.deref_stack("callN.args", 2 * ps) if on_stack else 0)
    rp = m.rp
    if rp and a.n_int + a.n_float:
        m.other[rp] = m.read("callN.args", ra_off, ps)
        su = m.deref_stack("callN.args", ra_off)
        m.op(cn, f"{rp} = regArgs+{ra_off}(FP)", load_src)
        for j, r in enumerate(a.int_regs):
            m.ints[r] = m.read("regArgs", ra.ints_offset + ps * j, ps)
        for j, r in enumerate(a.float_regs):
            m.floats[r] = m.read("regArgs", ra.floats_offset + 8 * j, 8)
        m.op(cn, f"unspillArgs: ({rp}).Ints/Floats → {a.int_regs[0]}…, "
             f"{a.float_regs[0] if a.float_regs else ''}…", S["unspill"] if a.goarch == "amd64"
             else f"{afile} unspillArgs", regs=m.show_regs(), stack_uses=su)
    if m.ctxt:
        m.other[m.ctxt] = m.ptr(fn)
    if rp:
        m.other[rp] = [("J", "code", i) for i in range(ps)]
    m.op(cn, f"{m.ctxt or 'ctxt'} = f; {rp or 'reg'} = f.fn; PCDATA StackMapIndex 0; CALL "
         f"(closure context in {m.ctxt})", S["callR12"], 1 << fn)

    # -- the callee (CALL-12, GC-4, GC-5) ------------------------------------------------------
    CE = "callee"
    m.frames.append(CE)
    expected = ([(rcvr_word or [], [Leaf(0, ps, "ptr")])] if sig.recv is not None
                else []) + exp_args
    params = list(spec.params)
    ms_static = []
    for pi, p in enumerate(params):
        if p.spill is None:
            continue
        off = spec.offset_to_spill_area + p.spill
        end = off + layout(p.type, ps).size
        if end > frame_size:
            absorbed = end <= maxsize
            ms_static.append(("INV-GC-FRAME", (
                f"morestack spills param {pi} to SP+{off}..{end}: beyond the frameSize "
                f"{frame_size} {reserved_by} (contract); " + (
                    f"absorbed by {cn}'s {maxsize}-byte frame (no memory corrupted)"
                    if absorbed else f"past {cn}'s {maxsize}-byte frame: overwrites the "
                    "caller's memory"))))

    def spill_all() -> None:
        """Register args into their spill slots (morestack, or the compiler before a call)."""
        for _pi, p in enumerate(params):
            if p.spill is None:
                continue
            base = spec.offset_to_spill_area + p.spill
            for cls, idx, off, sz, _pf in p.regs:
                m.write("callN.frame", base + off, m.reg_bytes(cls, idx, sz))

    def arg_slots(first: int, spilled: bool) -> None:
        """The callee's args map at a safepoint: params >= first are live, stack ones in their
        stack slots, register ones in their spill slots once spilled (GC-4)."""
        for k in [k for k in m.live if k.startswith(("callee.arg[", "callee.spill["))]:
            del m.live[k]
        for pi in range(first, len(params)):
            p = params[pi]
            gm = layout(p.type, ps).gcmask
            if not gm:
                continue
            if p.stack is not None:
                m.live[f"callee.arg[{pi}]"] = (CE, "callN.frame", p.stack, gm)
            elif p.spill is not None and spilled:
                m.live[f"callee.spill[{pi}]"] = (CE, "callN.frame",
                                                 spec.offset_to_spill_area + p.spill, gm)

    saved = dict(m.mem.get("callN.frame", {}))
    spill_all()
    arg_slots(0, True)
    m.safepoint(CE, "callee prologue: stack check → morestack (register args spilled to the "
                "spill area)", f"{GC_SRC['grow']}; cmd/compile/abi-internal.md (spill area)",
                "prologue", ms_static=ms_static, scan_ctxt=True)
    m.mem["callN.frame"] = saved  # morestack reloads the registers and restarts
    cons_area = [(CE, "callee.locals", 0, 0), (CE, "callN.frame", 0, frame_size)]

    def callee_async(label: str) -> None:
        m.safepoint(CE, f"{label} — asynchronous preemption", GC_SRC["conservative"], "async",
                    conservative=cons_area, cons_regs=True, move=False)

    spilled = False
    got_vals = []
    nloc = 0
    for pi, p in enumerate(params):
        lay = layout(p.type, ps)
        callee_async(f"before statement {pi}")
        if pi > 0:  # a call site between uses: live args are in their slots (GC-4)
            if not spilled:
                spill_all()
                spilled = True
            arg_slots(pi, True)
            m.safepoint(CE, f"g() before using param {pi} — call site (callee frame precise)",
                        GC_SRC["precise"], "call")
            for r in a.int_regs:  # g clobbers the argument registers (all caller-saved)
                m.ints[r] = [("J", r, i) for i in range(m.rs)]
            for r in a.float_regs:
                m.floats[r] = [("J", r, i) for i in range(8)]
        if p.stack is not None:
            got = m.read("callN.frame", p.stack, lay.size)
        elif spilled:
            assert p.spill is not None  # register-assigned params have a spill slot
            got = m.read("callN.frame", spec.offset_to_spill_area + p.spill, lay.size)
        else:
            got = m.read_regs(p.regs, lay.size)
        got_vals.append(got)
        exp, lvs = expected[pi]
        name = "receiver" if sig.recv is not None and pi == 0 else f"arg {pi - in_start}"
        sv = []
        if p.stack is not None and p.stack + lay.size > ft:
            sv.append(("INV-GC-VALUE", f"callee reads {name} at SP+{p.stack}..{p.stack + lay.size}"
                       f" beyond the {ft} bytes copied"))
        d = _diff(got, exp, lvs, m.objs)
        if d is not None:
            sv.append(("INV-GC-VALUE", f"callee received {name} ({p.type}) wrong: {d}"))
        uses = m.use_value(got, lvs)
        if sig.recv is not None and pi == 0:
            c = classify(got[:ps])
            if c[0] == "heap":
                uses |= 1 << c[1]
        loc = (f"SP+{p.stack}" if p.stack is not None else
               "spill slot" if spilled and p.regs else
               ",".join(a.int_regs[r[1]] if r[0] == "int" else a.float_regs[r[1]] for r in p.regs))
        m.op(CE, f"use {name} ({p.type}) from {loc or '(zero-size)'}: read and dereference",
             "cmd/compile/abi-internal.md (callee side of the ABI)", uses, sv)
        m.write("callee.locals", nloc, got)
        nloc += -(-lay.size // ps) * ps
    cons_area = [(CE, "callee.locals", 0, nloc), (CE, "callee.res", 0, 0),
                 (CE, "callN.frame", 0, frame_size)]
    # Results: fresh values whose pointer leaves point to objects the callee allocates.
    exp_res: list[tuple[list, list[Leaf]]] = []
    arg_slots(len(params), spilled)
    if any(lf.what == "ptr" for t in sig.results for lf in leaves(t, ps=ps)):
        callee_async("before allocating results")
        m.safepoint(CE, "new(result referents) — call (allocation; callee frame precise)",
                    GC_SRC["precise"], "call")
    rend = 0
    reuse = [o for data, lvs in exp_args for lf in lvs if lf.what == "ptr"
             for c in [classify(data[lf.offset:lf.offset + ps])] if c[0] == "heap"
             for o in [c[1]]] if m.results == "args" else None
    for ri, t in enumerate(sig.results):
        data, lvs = _value_bytes(m, t, f"r{ri}", reuse)
        exp_res.append((data, lvs))
        m.write("callee.res", rend, data)
        gm = layout(t, ps).gcmask
        if gm:
            m.live[f"callee.result[{ri}]"] = (CE, "callee.res", rend, gm)
        rend += -(-layout(t, ps).size // ps) * ps
    if sig.results:
        m.op(CE, "build results in locals")
        cons_area = [(CE, "callee.res", 0, rend), (CE, "callN.frame", 0, frame_size)]
        callee_async("results built")
    for k in list(m.live):
        if k.startswith("callee."):
            del m.live[k]
    # Return: the callee clobbers argument registers, then sets result registers (CALL-14).
    for r in a.int_regs:
        m.ints[r] = [("J", r, i) for i in range(m.rs)]
    for r in a.float_regs:
        m.floats[r] = [("J", r, i) for i in range(8)]
    sv = []
    for ri, p in enumerate(spec.results):
        data = exp_res[ri][0]
        if p.stack is not None:
            end = p.stack + len(data)
            if end > frame_size:
                sv.append(("INV-GC-FRAME", f"callee writes result {ri} at SP+{p.stack}..{end}: "
                           f"beyond frameSize {frame_size} (contract); " + (
                               f"absorbed by {cn}'s {maxsize}-byte frame" if end <= maxsize
                               else f"past {cn}'s {maxsize}-byte frame")))
            m.write("callN.frame", p.stack, data)
        else:
            for cls, idx, off, sz, _pf in p.regs:
                if cls == "int":
                    reg = a.int_regs[idx]
                    m.ints[reg] = m.put(sz, data[off:off + sz], ("J", reg, 0))
                else:
                    reg = a.float_regs[idx]
                    m.floats[reg] = (_f32_image(a.float32_reg_format, f"r{ri}@{off}",
                                                data[off:off + 4]) if sz == 4
                                     else data[off:off + sz] + [0] * (8 - sz))
    m.frames.pop()
    m.op(CE, "RET with results in registers and at SP+retOffset", static=sv, regs=m.show_regs())

    # -- return path: assembly and nosplit only, no safepoints (CALL-14, CALL-15) -------------
    if rp and a.n_int + a.n_float:
        m.other[rp] = m.read("callN.args", ra_off, ps)
        su = m.deref_stack("callN.args", ra_off)
        m.op(cn, f"{rp} = regArgs+{ra_off}(FP) (reloaded: the callee clobbered it)", reload_src)
        for j, r in enumerate(a.int_regs):
            m.write("regArgs", ra.ints_offset + ps * j, m.ints[r][:ps])
        for j, r in enumerate(a.float_regs):
            m.write("regArgs", ra.floats_offset + 8 * j, m.floats[r])
        m.op(cn, f"spillArgs: registers → ({rp}).Ints/Floats", S["spill"] if a.goarch == "amd64"
             else f"{afile} spillArgs", stack_uses=su)
    else:
        su = m.deref_stack("callN.args", ra_off)
    ro = desc.ret_offset
    # reflectcallmove's barrier needs a type (runtime/mbarrier.go:250): none with nil_type
    cmb = m.rv.callmove_barrier and not nil_type
    if stack_args is not None and ft > ro:
        m.write(stack_args, ro, m.read("callN.frame", ro, ft - ro), cmb,
                "bulkBarrierPreWrite(stackArgs+retOffset, SP+retOffset, size, nil)" if cmb
                else "memmove only: NO write barrier (mutant)")
    m.op("reflectcallmove", f"{'bulkBarrierPreWrite + ' if cmb else ''}memmove "
         f"{max(0, ft - ro)} bytes SP+{ro} → stackArgs+{ro}", S["move"],
         stack_uses=m.deref_stack("callN.args", 2 * ps) if on_stack and ft > ro else 0)
    for j in range(a.n_int):
        if desc.out_reg_ptrs >> j & 1:
            word = m.read("regArgs", ra.ints_offset + ps * j, ps)
            m.write("regArgs", ra.ptrs_offset + ps * j, word)
    if a.n_int:
        m.op("reflectcallmove", f"regs.Ptrs[i] = regs.Ints[i] for ReturnIsPtr "
             f"{desc.out_reg_ptrs:#b} (regs = callRet's copy of {rp})", S["retPtrs"],
             stack_uses=su)
    del m.live["callN.args"]
    if rp:
        m.other[rp] = [("J", "code", i) for i in range(ps)]  # Value.call's code reuses it
    m.frames.pop()
    return exp_res
