"""The amd64 path of ``reflect.Value.Call`` as a deterministic program over a small abstract
machine, compiled once per (signature, variant, holding mode) into a table of *points* that the
GC explorer (:mod:`regabi.proofs.explore`) interleaves with garbage collections and stack moves.

Rules cited as ``CALL-n`` / ``GC-n`` are in spec/call.md.

Why a table: between safepoints the path is deterministic (CALL-1), and a GC never changes the
contents of live memory, it only frees (poisons) what it cannot see (GC-3); a stack move only
relocates, and adjusts what the stack maps describe (GC-5). So the machine runs *once*
concretely, and at every point records what a GC there would see (the set of objects it would
reach, the words it would scan that are not pointers), which objects the instruction reads,
and what static discrepancies executing it reveals. A path of the explorer is then a choice per
safepoint, and its state is ``(pc, gc cycles, moves, freed-set, stale-set)``.

Memory is byte-addressed; each byte is self-describing so that a mismatch explains itself:

* ``("D", tag, i)`` byte *i* of the data of value ``tag`` (``a0`` arg 0, ``r1`` result 1, …),
* ``("P", obj, off, i)`` byte *i* of a pointer to heap object ``obj`` at offset ``off``,
* ``("T", tag, i)`` byte *i* of a type-descriptor pointer (valid, never a heap object),
* ``("S", region, off, i)`` byte *i* of a pointer into the goroutine stack,
* ``("J", reg, i)`` junk left in a register by the callee, ``0`` zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import AbiDesc, SpecLayout, is_direct, reflect_assign, spec_assign
from regabi.model.invariants import TraceInvariant
from regabi.model.sig import Signature
from regabi.model.types import Array, GoType, Kind, Struct, layout
from regabi.model.variants import Variant, get_variant

__all__ = [
    "GC_CATALOGUE",
    "GC_INVARIANT_IDS",
    "Point",
    "Program",
    "build_program",
    "holding_modes",
    "leaves",
]

PS = 8

# --------------------------------------------------------------------------------------------
# The INV-GC-* invariants (spec/call.md "Invariants"), shared by tests, explorer and Z3.


GC_CATALOGUE: tuple[TraceInvariant, ...] = (
    TraceInvariant(
        "INV-GC-UAF", "no use of freed memory",
        "No step of the call path (Value.call, reflectcall, the callee, the caller of Call) "
        "reads an object a garbage collection has freed.",
        "spec/call.md GC-1..GC-4"),
    TraceInvariant(
        "INV-GC-SCAN", "every scanned word is a pointer or nil",
        "At every GC, every word the GC scans as a pointer (stack/arg maps, RegArgs.Ptrs, heap "
        "bitmaps) holds nil or a valid pointer to a live object or a non-heap address.",
        "spec/call.md GC-2, GC-3"),
    TraceInvariant(
        "INV-GC-STACK", "no stale stack pointer",
        "After a stack move no pointer into the old stack is used.",
        "spec/call.md GC-5"),
    TraceInvariant(
        "INV-GC-FRAME", "spills and copies stay in the reserved frame",
        "The callee's spill of register arguments (spec offsets) and its stack results lie "
        "inside the frameSize reflect reserved; the argument copy fits callN's frame.",
        "spec/call.md CALL-9, CALL-12"),
    TraceInvariant(
        "INV-GC-VALUE", "values arrive as sent",
        "Every argument the callee reads equals what Value.Call was given, and every result "
        "Value (bytes and Kind) equals what the callee returned.",
        "spec/call.md CALL-5..CALL-8, CALL-14..CALL-16"),
)
GC_INVARIANT_IDS: tuple[str, ...] = tuple(i.id for i in GC_CATALOGUE)


# --------------------------------------------------------------------------------------------
# Values


class Leaf(NamedTuple):
    """One scalar piece of a value: offset, size and what the word is (data/ptr/type)."""

    offset: int
    size: int
    what: str  # "data", "ptr" (may point into the heap), "type" (itab/type word)


def leaves(t: GoType, off: int = 0, limit: int = 4096) -> list[Leaf]:
    """The scalar leaves of ``t`` in memory order (padding excluded)."""
    out: list[Leaf] = []
    _leaves(t.underlying, off, out, limit)
    return out


def _leaves(t: GoType, off: int, out: list[Leaf], limit: int) -> None:
    if len(out) > limit:
        raise ValueError("value too large for the call machine")
    k = t.kind
    if k in (Kind.UNSAFE_POINTER, Kind.POINTER, Kind.CHAN, Kind.MAP, Kind.FUNC):
        out.append(Leaf(off, PS, "ptr"))
    elif k == Kind.STRING:
        out += [Leaf(off, PS, "ptr"), Leaf(off + PS, PS, "data")]
    elif k == Kind.SLICE:
        out += [Leaf(off, PS, "ptr"), Leaf(off + PS, PS, "data"), Leaf(off + 2 * PS, PS, "data")]
    elif k == Kind.INTERFACE:
        out += [Leaf(off, PS, "type"), Leaf(off + PS, PS, "ptr")]
    elif isinstance(t, Array):
        es = layout(t.elem, PS).size
        for i in range(t.length):
            _leaves(t.elem.underlying, off + i * es, out, limit)
    elif isinstance(t, Struct):
        for f, fo in zip(t.fields, layout(t, PS).offsets, strict=True):
            _leaves(f.type.underlying, off + fo, out, limit)
    else:
        sz = layout(t, PS).size
        if sz:
            out.append(Leaf(off, sz, "data"))


def _ptr(obj: Any, off: int = 0) -> list[tuple]:
    return [("P", obj, off, i) for i in range(PS)]


def classify(word: list | tuple) -> tuple:
    """What a GC finds in an 8-byte word: ("nil",), ("heap", obj, off), ("stack", region,
    off), ("type",), or ("data",) (not a pointer: GC-2)."""
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
        return f"&stack.{c[1]}+{c[2]}"
    if c[0] == "type":
        return "&type"
    bs = [b for b in word if b != 0]
    if bs and all(isinstance(b, tuple) and b[0] == "D" and b[1] == bs[0][1] for b in bs):
        return f"{bs[0][1]}[{bs[0][2]}:{bs[-1][2] + 1}]"
    return "?" + ",".join(str(b[1]) if isinstance(b, tuple) else str(b) for b in word[:2])


# --------------------------------------------------------------------------------------------
# The compiled program


@dataclass
class Point:
    """One instruction or safepoint of the path (CALL-1). ``sp`` is the safepoint kind or ''."""

    where: str
    label: str
    sp: str = ""
    uses: int = 0  # heap objects read here (bitmask of object ids)
    stack_uses: int = 0  # undescribed stack-pointer holders read here
    static: tuple[tuple[str, str], ...] = ()  # (invariant, message) revealed when executed
    reach: int = 0  # objects a GC here marks (GC-1..GC-3)
    alloc: int = 0  # objects that exist here
    bad: tuple[str, ...] = ()  # non-pointer words scanned as pointers here (GC-2)
    ms_static: tuple[tuple[str, str], ...] = ()  # violations if morestack runs here (CALL-9)
    stale_move: int = 0  # holders left stale by a move here (GC-5)
    regs: str = ""  # registers that matter
    gc_sees: str = ""  # roots a GC here starts from


@dataclass
class Program:
    """A compiled call path: points plus the names of its heap objects."""

    sig: Signature
    variant: str
    arch: str
    holding: tuple[bool, ...]  # per argument: held indirectly (flagIndir)
    points: list[Point]
    objects: list[str]
    desc: AbiDesc
    spec: SpecLayout
    notes: list[str] = field(default_factory=list)

    def obj_names(self, mask: int) -> list[str]:
        return [n for i, n in enumerate(self.objects) if mask >> i & 1]


def holding_modes(sig: Signature, variant: Variant, limit: int = 16) -> list[tuple[bool, ...]]:
    """Every way of holding the arguments (CALL-3): non-pointer-shaped values are always held
    indirectly; a pointer-shaped one either directly (ValueOf(p)) or indirectly
    (ValueOf(&p).Elem()). At most ``limit`` modes, all-direct and all-indirect first."""
    choice = [i for i, t in enumerate(sig.params)
              if layout(t, PS).size and is_direct(t, PS, variant)]
    base = [True] * len(sig.params)
    modes = []
    n = len(choice)
    order = [0, (1 << n) - 1, *range(1, (1 << n) - 1)] if n else [0]
    for bits in order:
        m = list(base)
        for j, i in enumerate(choice):
            m[i] = bool(bits >> j & 1)
        if tuple(m) not in modes:
            modes.append(tuple(m))
        if len(modes) >= limit:
            break
    return modes


class _Machine:
    """Concrete simulation that records points. Object ids index ``objs``."""

    def __init__(self, sig: Signature, v: Variant, arch: Arch, holding: tuple[bool, ...]):
        self.sig, self.v, self.arch, self.holding = sig, v, arch, holding
        self.desc = reflect_assign(sig, arch, v)
        self.spec = spec_assign(sig, arch)
        self.objs: list[str] = []
        self.gcmask: list[int] = []
        self.mem: dict[Any, dict[int, Any]] = {}
        self.existing = 0
        self.points: list[Point] = []
        self.ints = {r: [0] * PS for r in arch.int_regs}
        self.floats = {r: [0] * PS for r in arch.float_regs}
        # GC roots currently live (GC-1): (description, region, offset, typed-pointer mask words)
        self.live: dict[str, tuple[Any, int, int]] = {}
        self.notes: list[str] = []

    # memory -------------------------------------------------------------------------------
    def new(self, name: str, size: int, gcmask: int) -> int:
        i = len(self.objs)
        self.objs.append(name)
        self.gcmask.append(gcmask)
        self.mem[i] = {}
        self.existing |= 1 << i
        return i

    def write(self, region: Any, off: int, data: list) -> None:
        m = self.mem.setdefault(region, {})
        for j, b in enumerate(data):
            m[off + j] = b

    def read(self, region: Any, off: int, n: int) -> list:
        m = self.mem.get(region, {})
        return [m.get(off + j, 0) for j in range(n)]

    # recording ----------------------------------------------------------------------------
    def op(self, where: str, label: str, uses: int = 0, static: list | None = None,
           regs: str = "") -> None:
        self.points.append(Point(where, label, "", uses, 0, tuple(static or ()), regs=regs))

    def use_value(self, data: list, lvs: list[Leaf]) -> int:
        """Objects read through the pointer leaves of a value (the callee dereferences them)."""
        u = 0
        for lf in lvs:
            if lf.what == "ptr":
                c = classify(data[lf.offset:lf.offset + PS])
                if c[0] == "heap":
                    u |= 1 << c[1]
        return u

    def roots(self, extra: list[tuple[str, Any, int, int]] = ()) -> list[tuple[str, list]]:
        out = []
        for name, (region, off, mask) in list(self.live.items()):
            w = 0
            while mask >> w:
                if mask >> w & 1:
                    out.append((f"{name}+{8 * w}" if mask > 1 else name,
                                self.read(region, off + 8 * w, PS)))
                w += 1
        for name, region, off, mask in extra:
            w = 0
            while mask >> w:
                if mask >> w & 1:
                    out.append((f"{name}+{8 * w}", self.read(region, off + 8 * w, PS)))
                w += 1
        return out

    def mark(self, roots: list[tuple[str, list]]) -> tuple[int, tuple[str, ...], str]:
        """GC-2/GC-3: mark from roots through heap bitmaps; report non-pointer words."""
        reach = 0
        bad = []
        work = []
        seen_desc = []
        for name, word in roots:
            c = classify(word)
            if c[0] == "data":
                bad.append(f"{name} holds {_show_word(word, self.objs)}")
            elif c[0] == "heap":
                seen_desc.append(f"{name}→{self.objs[c[1]]}")
                if not reach >> c[1] & 1:
                    reach |= 1 << c[1]
                    work.append(c[1])
        while work:
            o = work.pop()
            mask = self.gcmask[o]
            w = 0
            while mask >> w:
                if mask >> w & 1:
                    word = self.read(o, 8 * w, PS)
                    c = classify(word)
                    if c[0] == "data":
                        bad.append(f"{self.objs[o]}+{8 * w} holds {_show_word(word)}")
                    elif c[0] == "heap" and not reach >> c[1] & 1:
                        reach |= 1 << c[1]
                        work.append(c[1])
                w += 1
        return reach, tuple(bad), ", ".join(seen_desc) or "(no heap roots)"

    def safepoint(self, where: str, label: str, kind: str,
                  extra: list[tuple[str, Any, int, int]] = (),
                  ms_static: list | None = None, stale: int = 0) -> None:
        reach, bad, seen = self.mark(self.roots(extra))
        self.points.append(Point(where, label, kind, 0, 0, (), reach, self.existing, bad,
                                 tuple(ms_static or ()), stale, self.show_regs(), seen))

    def show_regs(self, n: int | None = None) -> str:
        used = [r for r in self.arch.int_regs if any(self.ints[r])]
        fl = [r for r in self.arch.float_regs if any(self.floats[r])]
        parts = [f"{r}={_show_word(self.ints[r], self.objs)}" for r in used[:n]]
        parts += [f"{r}={_show_word(self.floats[r], self.objs)}" for r in fl[:n]]
        return " ".join(parts)


def _value_bytes(m: _Machine, t: GoType, tag: str) -> tuple[list, list[Leaf]]:
    """A self-describing value of type ``t``: each pointer leaf points to a fresh object."""
    lay = layout(t, PS)
    data: list = [0] * lay.size
    lvs = leaves(t)
    for j, lf in enumerate(lvs):
        if lf.what == "ptr":
            o = m.new(f"{tag}.ref{j}", 8, 0)
            m.write(o, 0, [("D", f"{tag}.ref{j}", i) for i in range(8)])
            data[lf.offset:lf.offset + PS] = _ptr(o)
        elif lf.what == "type":
            data[lf.offset:lf.offset + PS] = [("T", tag, i) for i in range(PS)]
        else:
            data[lf.offset:lf.offset + lf.size] = [("D", tag, lf.offset + i)
                                                   for i in range(lf.size)]
    return data, lvs


def _diff(got: list, exp: list, lvs: list[Leaf]) -> str | None:
    for lf in lvs:
        g = got[lf.offset:lf.offset + lf.size]
        e = exp[lf.offset:lf.offset + lf.size]
        if g != e:
            return (f"bytes {lf.offset}..{lf.offset + lf.size} are {_show_word(g + [0] * 8)[:60]}"
                    f", expected {_show_word(e + [0] * 8)[:60]}")
    return None


def _local_off(params: list) -> int:
    """Word-aligned offset of the next callee local after ``params``."""
    return sum(-(-layout(p.type, PS).size // PS) * PS for p in params)


def build_program(sig: Signature, variant: str | Variant, arch: str | Arch = "amd64",
                  holding: tuple[bool, ...] | None = None) -> Program:
    """Compile the path of ``Value.Call`` for ``sig`` into points (see module docstring).

    Parameters
    ----------
    sig : Signature
        The function (or method, with ``sig.recv``) called through reflect.
    variant : str or Variant
        "seed" or "current".
    arch : str or Arch
        Only amd64 register names are modelled (CALL-11).
    holding : tuple of bool, optional
        Per argument, whether the Value holds it indirectly; default: all indirect except
        pointer-shaped values, which are held directly.
    """
    v = get_variant(variant) if isinstance(variant, str) else variant
    a = load_arch(arch) if isinstance(arch, str) else arch
    if holding is None:
        holding = holding_modes(sig, v)[0]
    m = _Machine(sig, v, a, holding)
    _run(m)
    return Program(sig, v.name, a.name, holding, m.points, m.objs, m.desc, m.spec, m.notes)


def _run(m: _Machine) -> None:
    sig, v, a, desc, spec = m.sig, m.v, m.arch, m.desc, m.spec
    ra = a.regargs
    nres = len(sig.results)
    VC = "Value.call"

    # -- the caller's Values (CALL-3) --------------------------------------------------------
    fn = m.new("fn", 8, 0)  # the funcval
    m.write("vc", 0, _ptr(fn))
    m.live["fn"] = ("vc", 0, 1)
    exp_args: list[tuple[list, list[Leaf]]] = []
    in_arr = m.new("in[]", 8 * max(1, len(sig.params)), (1 << len(sig.params)) - 1)
    for i, t in enumerate(sig.params):
        data, lvs = _value_bytes(m, t, f"a{i}")
        exp_args.append((data, lvs))
        if layout(t, PS).size == 0:
            continue
        if not m.holding[i]:  # flagIndir == 0: v.ptr is the pointer itself (CALL-3)
            m.write(in_arr, 8 * i, data[:PS])
        else:  # flagIndir: v.ptr → a heap copy of the value
            cp = m.new(f"a{i}.copy", len(data), layout(t, PS).gcmask)
            m.write(cp, 0, data)
            m.write(in_arr, 8 * i, _ptr(cp))
    m.write("vc", 8, _ptr(in_arr))
    m.live["in"] = ("vc", 8, 1)
    rcvr_word = None
    if sig.recv is not None:
        rdata, _ = _value_bytes(m, sig.recv, "rcvr")
        if is_direct(sig.recv, PS, v) or sig.recv.kind == Kind.INTERFACE:
            # storeRcvr: the pointer itself / the interface data word (CALL-4)
            rcvr_word = rdata[:PS] if sig.recv.kind != Kind.INTERFACE else rdata[PS:2 * PS]
        else:
            cp = m.new("rcvr.copy", len(rdata), layout(sig.recv, PS).gcmask)
            m.write(cp, 0, rdata)
            rcvr_word = _ptr(cp)
        m.write("vc", 16, rcvr_word)
        m.live["rcvr"] = ("vc", 16, 1)

    m.safepoint(VC, "funcLayout(t, rcvrtype) (call; may allocate)", "call")

    # -- frame (CALL-2) -----------------------------------------------------------------------
    ft = desc.frame_type_size
    stack_args = None
    if ft:
        m.safepoint(VC, "framePool.Get()" if nres == 0 else "unsafe_New(frametype)", "alloc")
        stack_args = m.new("stackArgs", ft, desc.stack_ptrs)
        m.write("vc", 24, _ptr(stack_args))
        m.live["stackArgs"] = ("vc", 24, 1)
        m.op(VC, f"stackArgs = {'pool' if nres == 0 else 'unsafe_New'} frame, {ft} bytes")
    # regArgs is a stack local whose address reaches call: live from here to its last use,
    # only Ptrs typed as pointers (CALL-2, GC-1).
    m.live["regArgs.Ptrs"] = ("regArgs", ra.ptrs_offset, (1 << a.n_int) - 1)

    # -- receiver (CALL-4, VAR-8) -----------------------------------------------------------
    in_start = 0
    if sig.recv is not None:
        st = desc.call.steps[0]
        if st.kind == "stack":
            m.write(stack_args, st.stkoff, rcvr_word)
            where = f"stackArgs+{st.stkoff}"
        elif st.kind == "float":
            m.write("regArgs", ra.floats_offset + 8 * st.freg, rcvr_word)
            where = f"Floats[{st.freg}]"
        else:
            where = f"Ints[{st.ireg}]"
            if st.kind == "ptr" and v.rcvr_to_ptrs:
                m.write("regArgs", ra.ptrs_offset + 8 * st.ireg, rcvr_word)
                where = f"Ptrs[{st.ireg}] and Ints[{st.ireg}]"
            m.write("regArgs", ra.ints_offset + 8 * st.ireg, rcvr_word)
        m.op(VC, f"storeRcvr(rcvr) → regArgs.{where}" if st.kind != "stack"
             else f"storeRcvr(rcvr) → {where}")
        del m.live["rcvr"]  # rcvr's last use (CALL-13)
        in_start = 1

    # -- arguments (CALL-5, CALL-6, VAR-7) ----------------------------------------------------
    for i, t in enumerate(sig.params):
        m.safepoint(VC, f"loop arg {i}: v.mustBeExported/assignTo (async preemption)", "async")
        data, lvs = exp_args[i]
        lay = layout(t, PS)
        indir = m.holding[i] or lay.size == 0
        vptr = m.read(in_arr, 8 * i, PS)
        src_obj = classify(vptr)[1] if indir and lay.size else None
        uses = (1 << src_obj) if isinstance(src_obj, int) else 0
        for st in desc.call.steps_for(i + in_start):
            if st.kind == "stack":
                val = m.read(src_obj, 0, lay.size) if indir else vptr
                m.write(stack_args, st.stkoff, val)
                how = "typedmemmove" if indir else "v.ptr"
                m.op(VC, f"arg {i} → stackArgs+{st.stkoff} ({how})",
                     uses)
                break
            if st.kind in ("int", "ptr"):
                if indir:
                    part = m.read(src_obj, st.offset, st.size)
                    if st.kind == "ptr" and v.indirect_ptrs_to_ptrs:
                        m.write("regArgs", ra.ptrs_offset + 8 * st.ireg, part)
                    m.write("regArgs", ra.ints_offset + 8 * st.ireg, part + [0] * (8 - st.size))
                    dst = f"Ints[{st.ireg}]" + (
                        f" and Ptrs[{st.ireg}]" if st.kind == "ptr" and v.indirect_ptrs_to_ptrs
                        else "")
                    m.op(VC, f"arg {i} bytes {st.offset}..{st.offset + st.size} (indirect) → "
                         f"regArgs.{dst}", uses)
                else:
                    if st.kind == "ptr":
                        m.write("regArgs", ra.ptrs_offset + 8 * st.ireg, vptr)
                    m.write("regArgs", ra.ints_offset + 8 * st.ireg, vptr)
                    m.op(VC, f"arg {i} v.ptr (direct) → regArgs.Ints[{st.ireg}]"
                         + (f" and Ptrs[{st.ireg}]" if st.kind == "ptr" else ""))
            else:
                part = m.read(src_obj, st.offset, st.size) if indir else vptr
                m.write("regArgs", ra.floats_offset + 8 * st.freg, part + [0] * (8 - st.size))
                m.op(VC, f"arg {i} bytes {st.offset}..{st.offset + st.size} → "
                     f"regArgs.Floats[{st.freg}]", uses)
    # The range loop's last use of `in`: the slice and the heap copies are dead (CALL-13).
    del m.live["in"]
    frame_size = desc.frame_size
    m.safepoint(VC, f"frameSize = align(frameSize, 8) + abi.spill = {frame_size} "
                "(async preemption; `in` dead)", "async")
    m.write("regArgs", ra.return_is_ptr_offset, [desc.out_reg_ptrs & 0xFF,
                                                  desc.out_reg_ptrs >> 8 & 0xFF])
    m.op(VC, f"regArgs.ReturnIsPtr = {desc.out_reg_ptrs:#b}")
    m.safepoint(VC, "regArgs.ReturnIsPtr set (async preemption before call)", "async")

    # -- reflectcall / callN (CALL-9 … CALL-11) ---------------------------------------------
    del m.live["fn"]
    maxsize = next((s for s in a.call_sizes if s >= frame_size), None)
    RC = "reflectcall"
    if maxsize is None:
        m.op(RC, "DISPATCH: frame too large", static=[("INV-GC-FRAME",
             f"frameSize {frame_size} exceeds every callN")])
        return
    m.write("callN.args", 0, [("T", "frametype", i) for i in range(PS)] if ft else [0] * PS)
    m.write("callN.args", 8, _ptr(fn))
    m.write("callN.args", 16, _ptr(stack_args) if stack_args is not None else [0] * PS)
    m.write("callN.args", 40, [("S", "regArgs", 0, i) for i in range(PS)])
    # callN's args map (stack map index 0): stackArgsType, f, stackArgs, regArgs (CALL-10).
    m.live["callN.args"] = ("callN.args", 0, 0b100111)
    cn = f"call{maxsize}"
    m.op(RC, f"DISPATCH(frameSize={frame_size}) → {cn} (NOSPLIT, no safepoint)")
    size = ft  # Value.call passes frametype.Size() as stackArgsSize (CALL-9)
    static = []
    if size > maxsize:
        static.append(("INV-GC-FRAME", f"{cn} copies {size} bytes into a {maxsize}-byte frame"))
    if size:
        m.write("callN.frame", 0, m.read(stack_args, 0, size))
    m.op(cn, f"REP MOVSB {size} bytes stackArgs → SP (NO_LOCAL_POINTERS)",
         (1 << stack_args) if stack_args is not None else 0, static)
    for j, r in enumerate(a.int_regs):
        m.ints[r] = m.read("regArgs", ra.ints_offset + 8 * j, PS)
    for j, r in enumerate(a.float_regs):
        m.floats[r] = m.read("regArgs", ra.floats_offset + 8 * j, PS)
    m.op(cn, "unspillArgs: regArgs(R12).Ints/Floats → AX…R11, X0…X14", regs=m.show_regs())
    m.op(cn, "MOVQ f, DX; MOVQ (DX), R12; CALL R12 (closure context in DX)", 1 << fn)

    # -- the callee (CALL-12, GC-4) ----------------------------------------------------------
    CE = "callee"
    callee_roots: list[tuple[str, Any, int, int]] = []
    for pi, p in enumerate(spec.params):
        gm = layout(p.type, PS).gcmask
        if p.stack is not None and gm:
            callee_roots.append((f"callee.args[{pi}]", "callN.frame", p.stack, gm))
    ms_static = []
    spill_end = 0
    saved = {}
    for pi, p in enumerate(spec.params):
        if p.spill is None:
            continue
        off = spec.offset_to_spill_area + p.spill
        end = off + layout(p.type, PS).size
        spill_end = max(spill_end, end)
        if end > frame_size:
            ms_static.append(("INV-GC-FRAME",
                              f"morestack spills param {pi} to SP+{off}..{end}, beyond the "
                              f"frameSize {frame_size} reflect reserved"))
    # At morestack the callee's register args sit in the spill slots, described by its args map
    # (GC-4): compute that view on a scratch copy (reload restores the same registers).
    spill_roots = []
    saved = dict(m.mem.get("callN.frame", {}))
    for pi, p in enumerate(spec.params):
        if p.spill is None:
            continue
        base = spec.offset_to_spill_area + p.spill
        for cls, idx, off, sz, _ptrf in p.regs:
            reg = a.int_regs[idx] if cls == "int" else a.float_regs[idx]
            val = (m.ints if cls == "int" else m.floats)[reg][:sz]
            m.write("callN.frame", base + off, val)
        gm = layout(p.type, PS).gcmask
        if gm:
            spill_roots.append((f"callee.spill[{pi}]", "callN.frame", base, gm))
    m.safepoint(CE, "prologue stack check → morestack (spills register args)", "prologue",
                extra=callee_roots + spill_roots, ms_static=ms_static)
    m.mem["callN.frame"] = saved

    # Body: read every argument per the spec (what compiled code expects).
    got_vals = []
    params = list(spec.params)
    expected = ([(rcvr_word, [Leaf(0, PS, "ptr")])] if sig.recv is not None else []) + exp_args
    for pi, p in enumerate(params):
        lay = layout(p.type, PS)
        got = [0] * lay.size
        if p.stack is not None:
            got = m.read("callN.frame", p.stack, lay.size)
        else:
            for cls, idx, off, sz, _ptrf in p.regs:
                reg = a.int_regs[idx] if cls == "int" else a.float_regs[idx]
                got[off:off + sz] = (m.ints if cls == "int" else m.floats)[reg][:sz]
        got_vals.append(got)
        exp, lvs = expected[pi]
        name = "receiver" if sig.recv is not None and pi == 0 else f"arg {pi - in_start}"
        st = []
        if p.stack is not None and p.stack + lay.size > ft:
            st.append(("INV-GC-VALUE", f"callee reads {name} at SP+{p.stack}..{p.stack + lay.size}"
                       f" beyond the {ft} bytes copied"))
        d = _diff(got, exp, lvs)
        if d is not None:
            st.append(("INV-GC-VALUE", f"callee received {name} ({p.type}) wrong: {d}"))
        uses = m.use_value(got, lvs)
        if sig.recv is not None and pi == 0:
            c = classify(got[:PS])
            if c[0] == "heap":
                uses |= 1 << c[1]
        loc = (f"SP+{p.stack}" if p.stack is not None else
               ",".join(a.int_regs[r[1]] if r[0] == "int" else a.float_regs[r[1]] for r in p.regs))
        m.op(CE, f"read {name} ({p.type}) from {loc or '(zero-size)'} and dereference it",
             uses, st)
        loff = _local_off(params[:pi])
        m.write("callee.locals", loff, got)
        gm = lay.gcmask
        if gm:
            m.live[f"callee.local[{pi}]"] = ("callee.locals", loff, gm)
    m.safepoint(CE, "body safepoint (args in locals)", "body")
    # Results: fresh values, pointer leaves to objects the callee allocates.
    exp_res: list[tuple[list, list[Leaf]]] = []
    if any(leaves(t) and any(lf.what == "ptr" for lf in leaves(t)) for t in sig.results):
        m.safepoint(CE, "new(result referents) (allocation)", "alloc")
    for ri, t in enumerate(sig.results):
        data, lvs = _value_bytes(m, t, f"r{ri}")
        exp_res.append((data, lvs))
        roff = sum(-(-layout(x, PS).size // PS) * PS for x in sig.results[:ri])
        m.write("callee.res", roff, data)
        gm = layout(t, PS).gcmask
        if gm:
            m.live[f"callee.result[{ri}]"] = ("callee.res", roff, gm)
    if sig.results:
        m.op(CE, "build results")
        m.safepoint(CE, "body safepoint (results in locals)", "body")
    for k in list(m.live):
        if k.startswith("callee."):
            del m.live[k]
    # Return: the callee clobbers argument registers, then sets result registers (CALL-14).
    for r in a.int_regs:
        m.ints[r] = [("J", r, i) for i in range(PS)]
    for r in a.float_regs:
        m.floats[r] = [("J", r, i) for i in range(PS)]
    st = []
    for ri, p in enumerate(spec.results):
        data = exp_res[ri][0]
        if p.stack is not None:
            end = p.stack + len(data)
            if end > frame_size:
                st.append(("INV-GC-FRAME", f"callee writes result {ri} at SP+{p.stack}..{end}, "
                           f"beyond frameSize {frame_size}"))
            m.write("callN.frame", p.stack, data)
        else:
            for cls, idx, off, sz, _ptrf in p.regs:
                reg = a.int_regs[idx] if cls == "int" else a.float_regs[idx]
                (m.ints if cls == "int" else m.floats)[reg] = data[off:off + sz] + [0] * (8 - sz)
    m.op(CE, "RET with results in registers and at SP+retOffset", static=st, regs=m.show_regs())

    # -- return path: assembly and nosplit only, no safepoints (CALL-14, CALL-15) -----------
    for j, r in enumerate(a.int_regs):
        m.write("regArgs", ra.ints_offset + 8 * j, m.ints[r])
    for j, r in enumerate(a.float_regs):
        m.write("regArgs", ra.floats_offset + 8 * j, m.floats[r])
    m.op(cn, "spillArgs: AX…R11, X0…X14 → regArgs(R12).Ints/Floats")
    ro = desc.ret_offset
    if stack_args is not None and ft > ro:
        m.write(stack_args, ro, m.read("callN.frame", ro, ft - ro))
    m.op("callRet", f"reflectcallmove: bulkBarrierPreWrite + memmove {max(0, ft - ro)} bytes "
         f"SP+{ro} → stackArgs+{ro}")
    for j in range(a.n_int):
        if desc.out_reg_ptrs >> j & 1:
            word = m.read("regArgs", ra.ints_offset + 8 * j, PS)
            m.write("regArgs", ra.ptrs_offset + 8 * j, word)
    m.op("reflectcallmove", f"Ptrs[i] = Ints[i] for ReturnIsPtr {desc.out_reg_ptrs:#b} (nosplit)")
    del m.live["callN.args"]

    # -- back in Value.call (CALL-16, VAR-9) -------------------------------------------------
    if nres == 0:
        if stack_args is not None:
            m.safepoint(VC, "typedmemclr(frametype, stackArgs) (call)", "call")
            m.write(stack_args, 0, [0] * ft)
            m.safepoint(VC, "framePool.Put(stackArgs) (call)", "call")
        m.op(VC, "return nil")
        return
    if stack_args is not None:
        m.safepoint(VC, "typedmemclrpartial(frametype, stackArgs, 0, retOffset) (call)", "call")
        m.write(stack_args, 0, [0] * ro)
    m.safepoint(VC, "ret = make([]Value, nout) (allocation)", "alloc")
    ret_arr = m.new("ret[]", 8 * nres, (1 << nres) - 1)
    m.write("vc", 32, _ptr(ret_arr))
    m.live["ret"] = ("vc", 32, 1)
    rets: list[tuple[int, bool]] = []  # (kind flag, flagIndir)
    for ri, t in enumerate(sig.results):
        lay = layout(t, PS)
        if lay.size == 0:
            rets.append((int(t.kind), True))
            m.op(VC, f"ret[{ri}] = Zero({t})")
            continue
        steps = desc.ret.steps_for(ri)
        if steps and steps[0].kind == "stack":
            m.write(ret_arr, 8 * ri, _ptr(stack_args, steps[0].stkoff))
            rets.append((int(t.kind), True))
            m.op(VC, f"ret[{ri}] = Value{{{t}, stackArgs+{steps[0].stkoff}, flagIndir}}")
            continue
        if is_direct(t, PS, v):
            kind = int(t.kind) if v.ret_kind_from_result else int(Kind.FUNC)
            w = m.read("regArgs", ra.ptrs_offset + 8 * steps[0].ireg, PS)
            m.write(ret_arr, 8 * ri, w)
            rets.append((kind, False))
            m.op(VC, f"ret[{ri}] = Value{{{t}, regArgs.Ptrs[{steps[0].ireg}], "
                 f"flag({'tv' if v.ret_kind_from_result else 't'}.Kind()={Kind(kind).name})}}")
            continue
        m.safepoint(VC, f"s := unsafe_New({t}) for result {ri} (allocation)", "alloc")
        s = m.new(f"r{ri}.box", lay.size, lay.gcmask)
        m.write("vc", 40, _ptr(s))
        m.live["s"] = ("vc", 40, 1)
        for st in steps:
            if st.kind == "int":
                m.write(s, st.offset, m.read("regArgs", ra.ints_offset + 8 * st.ireg, st.size))
            elif st.kind == "ptr":
                m.write(s, st.offset, m.read("regArgs", ra.ptrs_offset + 8 * st.ireg, PS))
            elif st.kind == "float":
                m.write(s, st.offset, m.read("regArgs", ra.floats_offset + 8 * st.freg, st.size))
        m.write(ret_arr, 8 * ri, _ptr(s))
        del m.live["s"]
        rets.append((int(t.kind), True))
        m.op(VC, f"copy result {ri} from regArgs into r{ri}.box; ret[{ri}] = Value{{…, flagIndir}}")
    del m.live["regArgs.Ptrs"]
    if "stackArgs" in m.live:
        del m.live["stackArgs"]
    m.op(VC, "return ret (regArgs dead)")

    # -- the caller of Call uses every result (CALL-17) --------------------------------------
    m.safepoint("caller", "after Value.Call returns (ret live)", "call")
    for ri, t in enumerate(sig.results):
        kind, indir = rets[ri]
        exp, lvs = exp_res[ri]
        lay = layout(t, PS)
        st = []
        uses = 0
        if kind != int(t.kind):
            st.append(("INV-GC-VALUE", f"result {ri} ({t}) comes back as a Value of kind "
                       f"{Kind(kind).name}, not {t.kind.name}"))
        w = m.read(ret_arr, 8 * ri, PS)
        if lay.size == 0:
            got = []
        elif indir:
            c = classify(w)
            got = m.read(c[1], c[2], lay.size) if c[0] == "heap" else [0] * lay.size
            if c[0] == "heap":
                uses |= 1 << c[1]
        else:
            got = w
        d = _diff(got, exp, lvs) if lay.size else None
        if d is not None:
            st.append(("INV-GC-VALUE", f"result {ri} ({t}) wrong: {d}"))
        uses |= m.use_value(got, lvs) if lay.size else 0
        m.op("caller", f"use result {ri} ({t}): Kind and bytes, dereference", uses, st)
