"""What the per-value steps of every algorithm need from a Go type: its *summary* (spec rules
TYP-2 … TYP-11, ASG-3, RFL-3, VAR-3, VAR-6), computed by one function per type constructor over
a domain (model/domain.py).

* :func:`basic` — the predeclared kinds (and pointer-shaped kinds, string, slice, interface);
* :func:`array` — ``[n]T``;
* :func:`struct_begin` / :func:`struct_field` / :func:`struct_end` — a struct is a fold over its
  fields.

:func:`summarize` runs them concretely over a :class:`~regabi.model.types.GoType` (cached on the
type). ``regabi prove`` runs the very same functions symbolically to prove, by induction on type
structure, that every summary satisfies :func:`wf` (spec/proofs.md): the well-formedness predicate
that the signature proofs assume of an arbitrary type.

A summary's register parts are the ASG-3 decomposition walked in memory order up to where it
fails; ``ok`` says whether the walk completed. Parts come in *groups*: one leaf of the
decomposition, which is exactly what one ``assignIntN``/``assignFloatN`` call of reflect places
(a string is one group of two integer parts). Concretely ``groups`` are exactly the groups;
symbolically there is a fixed number of slots (the architecture's register count: a value with
more groups can never be register-assigned) and ``n`` may exceed it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from regabi.errors import TypeTooLargeError
from regabi.model.domain import CONCRETE, Domain

__all__ = [
    "EMPTY_FAIL",
    "EMPTY_OK",
    "Group",
    "Parts",
    "StructAcc",
    "Summary",
    "array",
    "basic",
    "direct",
    "field_offsets",
    "group_bytes",
    "group_wf",
    "maxwidth",
    "struct_begin",
    "struct_end",
    "struct_field",
    "summarize",
    "value_wf",
    "wf",
    "wf_at",
]


class Group(NamedTuple):
    """One group of register parts: what one ``assignIntN(offset, size, n, ptrMap)`` or
    ``assignFloatN(offset, size, n)`` call of reflect places (RFL-3), and one leaf of the ASG-3
    decomposition: ``n`` parts of ``size`` bytes at ``off``, ``off+size``, …"""

    isint: Any  # integer register class (else floating point)
    off: Any  # offset of the first part inside the value
    size: Any  # size of each part
    n: Any  # number of parts (1 … 3)
    ptr: Any  # bit k: part k may hold a heap pointer (reflect's ptrMap; TYP-10)
    itab: Any  # bit k: part k is an interface's type/itab word (a pointer, never into the heap)


class Parts(NamedTuple):
    """The decomposition walk: groups in memory order, and whether the walk completed."""

    groups: tuple[Group, ...]
    n: Any  # number of groups
    ni: Any  # integer parts of all groups
    nf: Any  # floating-point parts of all groups
    ok: Any


class Summary(NamedTuple):
    """A type as the algorithms see it (one pointer size)."""

    size: Any
    align: Any
    ptrwords: Any  # ptrdata / PtrSize: one past the last word holding a pointer (TYP-9)
    gc: Any  # set of words that hold a pointer of any kind (TYP-9)
    heap: Any  # set of words that may point into the Go heap (TYP-10); a subset of gc
    spec: Parts  # ASG-3: every field visited (the compiler; reflect since go1.17)
    seed: Parts  # the seed's regAssign: zero-size fields skipped, size-0 structs trivially ok
    dir_struct: Any  # go1.16 isdirectiface: pointer-shaped kinds, [1]T and 1-field structs of one


#: Pointer bitmaps longer than this are refused rather than built (a resource limit: 1 GiB of
#: pointers on a 64-bit target, 2 GiB on a 32-bit one).
MAX_BITMAP_WORDS = 1 << 28

EMPTY_OK = Parts((), 0, 0, 0, True)
EMPTY_FAIL = Parts((), 0, 0, 0, False)


def maxwidth(ps: int) -> int:
    """The compiler's MAXWIDTH: the largest type size (TYP-8; go1.27.3 cmd/compile/internal/
    amd64/galign.go and x86/galign.go set arch.MAXWIDTH: 1<<50 on 64-bit, 1<<32-1 on 32-bit)."""
    return (1 << 50) if ps == 8 else (1 << 32) - 1


# --------------------------------------------------------------------------------------------
# basic kinds (TYP-2, TYP-3, TYP-9, TYP-10; ASG-3; RFL-3)

#: kind: (size, align, group) with sizes in units ("p" = PtrSize, "r8" = min(8, RegSize)) and
#: the group as "class:part size:parts:ptrMap:itab mask" (go1.27.3 types/size.go:570-610
#: CalcSize; reflect/abi.go regAssign: the assignIntN/assignFloatN call per kind).
_SHAPES: dict[str, tuple[str, str, str]] = {
    "bool": ("1", "1", "i:1:1:0:0"),
    "int8": ("1", "1", "i:1:1:0:0"), "uint8": ("1", "1", "i:1:1:0:0"),
    "int16": ("2", "2", "i:2:1:0:0"), "uint16": ("2", "2", "i:2:1:0:0"),
    "int32": ("4", "4", "i:4:1:0:0"), "uint32": ("4", "4", "i:4:1:0:0"),
    "int": ("p", "p", "i:p:1:0:0"), "uint": ("p", "p", "i:p:1:0:0"),
    "uintptr": ("p", "p", "i:p:1:0:0"),
    "float32": ("4", "4", "f:4:1:0:0"), "float64": ("8", "r8", "f:8:1:0:0"),
    "complex64": ("8", "4", "f:4:2:0:0"), "complex128": ("16", "r8", "f:8:2:0:0"),
    "ptr": ("p", "p", "i:p:1:1:0"),
    "string": ("2p", "p", "i:p:2:1:0"),  # ptrMap 0b01
    "iface": ("2p", "p", "i:p:2:2:1"),  # ptrMap 0b10: the data word; the itab word is bit 0
    "slice": ("3p", "p", "i:p:3:1:0"),  # ptrMap 0b001
    "int64": ("8", "8", "i:8:1:0:0"),
    # ASG-3: int64/uint64 take two integer registers on 32-bit targets, low word first
    # (reflect/abi.go regAssign Int64 case: assignIntN(offset, 4, 2, 0b0))
    "int64/4": ("8", "4", "i:4:2:0:0"),
}


def _units(u: str, ps: int) -> int:
    if u.endswith("p"):
        return (int(u[:-1]) if u[:-1] else 1) * ps
    if u.startswith("r"):
        return min(int(u[1:]), ps)
    return int(u)


_BASIC_CACHE: dict[tuple[str, int], Summary] = {}


def basic(shape: str, ps: int) -> Summary:
    """The summary of a non-composite kind. ``shape`` is a key of the table above ("int64" for
    int64/uint64). Pointer-shaped kinds (pointer, chan, map, func, unsafe.Pointer) are "ptr"."""
    key = (shape, ps)
    hit = _BASIC_CACHE.get(key)
    if hit is not None:
        return hit
    row = _SHAPES["int64/4" if shape == "int64" and ps == 4 else shape]
    size, al = _units(row[0], ps), _units(row[1], ps)
    cls, psize, n, ptr, itab = row[2].split(":")
    g = Group(cls == "i", 0, _units(psize, ps), int(n), int(ptr), int(itab))
    gc = g.ptr | g.itab  # one word per part: the parts of pointer groups are PtrSize
    ni = g.n if g.isint else 0
    parts = Parts((g,), 1, ni, g.n - ni, True)
    s = Summary(size, al, gc.bit_length(), gc, g.ptr, parts, parts, shape == "ptr")
    _BASIC_CACHE[key] = s
    return s


# --------------------------------------------------------------------------------------------
# group sequences


def _shift(D: Domain, p: Parts, off: Any) -> Parts:
    if isinstance(off, int) and off == 0:
        return p
    return Parts(tuple([Group(g.isint, g.off + off, g.size, g.n, g.ptr, g.itab)
                        for g in p.groups]), p.n, p.ni, p.nf, p.ok)


def concat(D: Domain, a: Parts, b: Parts, cap: int | None) -> tuple[Group, ...]:
    """The groups of ``a`` followed by those of ``b`` (``b`` already shifted). Concretely a tuple
    concatenation; symbolically, with ``a.n`` unknown, slot k is a multiplexer over where ``b``
    starts, truncated to ``cap`` slots."""
    if D.concrete or (isinstance(a.n, int) and a.n == len(a.groups)):
        out = a.groups + b.groups
        return out if cap is None else out[:cap]
    assert cap is not None
    junk = b.groups[0] if b.groups else (a.groups[0] if a.groups else None)
    slots = []
    for k in range(cap):
        cand = None
        for m in range(k + 1):  # b's group k - m, when a has m groups
            j = k - m
            if j >= len(b.groups):
                continue
            cand = b.groups[j] if cand is None else D.sel(D.eq(a.n, m), b.groups[j], cand)
        if cand is None:
            cand = junk
        if k < len(a.groups):
            cand = a.groups[k] if cand is None else D.sel(D.ult(k, a.n), a.groups[k], cand)
        if cand is None:
            break
        slots.append(cand)
    return tuple(slots)


def group_bytes(D: Domain, g: Group) -> Any:
    """``g.n * g.size`` without a symbolic multiplication (n is 1, 2 or 3)."""
    if isinstance(g.n, int) and isinstance(g.size, int):
        return g.n * g.size
    return D.ite(D.eq(g.n, 1), g.size, D.ite(D.eq(g.n, 2), g.size + g.size,
                                              g.size + g.size + g.size))


def _append(D: Domain, a: Parts, b: Parts, cap: int | None) -> Parts:
    return Parts(concat(D, a, b, cap), a.n + b.n, a.ni + b.ni, a.nf + b.nf, b.ok)


# --------------------------------------------------------------------------------------------
# arrays (TYP-4, ASG-3)


def array(D: Domain, n: Any, e: Summary, ps: int) -> Summary:
    """``[n]T`` from T's summary. ASG-3: ``[0]T`` decomposes to nothing, ``[1]T`` as T, longer
    arrays never (not even of zero-size T: size.go sets intRegs to MaxUint8); the seed's
    regAssign agrees (seed reflect/abi.go regAssign Array case)."""
    lg = ps.bit_length() - 1
    stride = D.shr(e.size, lg)
    size = e.size * n
    if D.concrete and size >= maxwidth(ps):
        raise TypeTooLargeError(f"array [{n}] of {e.size}-byte elements is larger than the "
                                "address space")
    one = D.eq(n, 1)
    zero = D.eq(n, 0)
    if D.concrete:
        spec = EMPTY_OK if n == 0 else e.spec if n == 1 else EMPTY_FAIL
        seed = EMPTY_OK if n == 0 else e.seed if n == 1 else EMPTY_FAIL
    else:  # the empty walks keep e's group slots (unused: n = 0) so that sel's records match
        spec = D.sel(zero, EMPTY_OK._replace(groups=e.spec.groups),
                     D.sel(one, e.spec, EMPTY_FAIL._replace(groups=e.spec.groups)))
        seed = D.sel(zero, EMPTY_OK._replace(groups=e.seed.groups),
                     D.sel(one, e.seed, EMPTY_FAIL._replace(groups=e.seed.groups)))
    has = D.and_(D.not_(zero), D.not_(D.eq(e.ptrwords, 0)))
    ptrwords = D.ite(has, stride * (n - 1) + e.ptrwords, 0)
    if D.concrete and ptrwords > MAX_BITMAP_WORDS:
        raise TypeTooLargeError(f"array [{n}] has pointers in {ptrwords} words: bitmaps over "
                                f"{MAX_BITMAP_WORDS} words are not modelled")
    gc = D.set_repeat(e.gc, stride, n)
    heap = D.set_repeat(e.heap, stride, n)
    return Summary(size, e.align, ptrwords, gc, heap, spec, seed, D.and_(one, e.dir_struct))


# --------------------------------------------------------------------------------------------
# structs (TYP-5, TYP-6, ASG-3, VAR-3)


class StructAcc(NamedTuple):
    """The state of the struct fold after some fields."""

    off: Any  # end of the last field
    align: Any
    ptrwords: Any
    gc: Any
    heap: Any
    spec: Parts
    seed: Parts
    nfields: Any  # capped at 2: all isdirectiface needs
    dir1: Any  # the first field is pointer-shaped (isdirectiface)
    last_zero: Any  # the last field has size zero (TYP-6)
    offsets: tuple[Any, ...]  # field offsets (reported; not used by any algorithm)


def struct_begin(D: Domain, cap: int | None = None) -> StructAcc:
    """An empty struct. Symbolically (``cap`` given) its walks have ``cap`` group slots, so
    that every choice the fold makes has the same shape."""
    empty = EMPTY_OK
    if cap is not None:
        empty = EMPTY_OK._replace(groups=(Group(True, 0, 1, 1, 0, 0),) * cap)
    return StructAcc(0, 1, 0, D.set_empty(), D.set_empty(), empty, empty, 0, False, False, ())


def struct_field(D: Domain, acc: StructAcc, f: Summary, ps: int,
                 cap: int | None = None) -> StructAcc:
    """Add one field (TYP-5): aligned to its type; its pointer words and register groups shifted
    by its offset. The ASG-3 walk stops at the first field whose walk fails; the seed's walk
    skips zero-size fields (VAR-3, seed reflect/abi.go regAssign "Ignore zero-sized fields")."""
    lg = ps.bit_length() - 1
    off = D.align(acc.off, f.align)
    word = D.shr(off, lg)
    if D.concrete and f.ptrwords and word + f.ptrwords > MAX_BITMAP_WORDS:
        # the limit array() applies, before the bitmap is built (a pointer after a huge
        # pointer-free field would otherwise need a bitmap of that many bits)
        raise TypeTooLargeError(f"struct has pointers in {word + f.ptrwords} words: bitmaps "
                                f"over {MAX_BITMAP_WORDS} words are not modelled")
    gc = D.set_union_shifted(acc.gc, f.gc, word, True)
    heap = D.set_union_shifted(acc.heap, f.heap, word, True)
    has = D.not_(D.eq(f.ptrwords, 0))
    ptrwords = D.umax(acc.ptrwords, D.ite(has, word + f.ptrwords, 0))
    nonzero = D.not_(D.eq(f.size, 0))
    fspec = _shift(D, f.spec, off)
    fseed = fspec if f.seed is f.spec else _shift(D, f.seed, off)  # (most types: one walk)
    spec = D.sel(acc.spec.ok, _append(D, acc.spec, fspec, cap), acc.spec)
    if nonzero is True and acc.seed is acc.spec and fseed is fspec:
        seed = spec  # the same walk so far and the same field: the same result
    else:
        seed = D.sel(D.and_(acc.seed.ok, nonzero), _append(D, acc.seed, fseed, cap), acc.seed)
    end = off + f.size
    if D.concrete and end >= maxwidth(ps):
        raise TypeTooLargeError("struct is larger than the address space")
    first = D.eq(acc.nfields, 0)
    return StructAcc(
        end, D.umax(acc.align, f.align), ptrwords, gc, heap, spec, seed,
        D.ite(D.ult(acc.nfields, 2), acc.nfields + 1, 2),
        D.ite(first, f.dir_struct, acc.dir1), D.not_(nonzero),
        (*acc.offsets, off) if D.concrete else (),
    )


def struct_end(D: Domain, acc: StructAcc) -> Summary:
    """TYP-6: a non-zero-size struct ending in a zero-size field gets one byte of padding so
    that a pointer to the last field stays inside the object (go1.27.3 types/size.go
    CalcStructSize, golang/go#9401); then the size is rounded to the alignment. The seed's
    regAssign succeeds at once on a zero-size struct (seed reflect/abi.go regAssign Struct)."""
    pad = D.and_(D.not_(D.eq(acc.off, 0)), acc.last_zero)
    end = D.ite(pad, acc.off + 1, acc.off)
    size = D.align(end, acc.align)
    seed = D.sel(D.eq(size, 0), acc.seed._replace(n=0, ni=0, nf=0, ok=True), acc.seed)
    return Summary(size, acc.align, acc.ptrwords, acc.gc, acc.heap, acc.spec, seed,
                   D.and_(D.eq(acc.nfields, 1), acc.dir1))


def direct(D: Domain, s: Summary, ps: int, flavor: str) -> Any:
    """Whether a value of this type is stored directly in an interface's data word (TYP-11,
    VAR-6): "shape" (go1.27.3 cmd/compile/internal/types/type.go IsDirectIface: exactly one
    pointer-sized word that holds a pointer) or "structural" (go1.16 isdirectiface)."""
    if flavor == "shape":
        return D.and_(D.eq(s.size, ps), D.eq(s.ptrwords, 1))
    return s.dir_struct


# --------------------------------------------------------------------------------------------
# concrete summaries of Go types

_KIND_SHAPE = {
    "BOOL": "bool", "INT": "int", "INT8": "int8", "INT16": "int16", "INT32": "int32",
    "INT64": "int64", "UINT": "uint", "UINT8": "uint8", "UINT16": "uint16", "UINT32": "uint32",
    "UINT64": "int64", "UINTPTR": "uintptr", "FLOAT32": "float32", "FLOAT64": "float64",
    "COMPLEX64": "complex64", "COMPLEX128": "complex128", "STRING": "string",
    "INTERFACE": "iface", "SLICE": "slice", "POINTER": "ptr", "UNSAFE_POINTER": "ptr",
    "CHAN": "ptr", "MAP": "ptr", "FUNC": "ptr",
}


def summarize(t: Any, ps: int) -> Summary:
    """The concrete summary of Go type ``t`` for pointer size ``ps`` (cached on the type).

    Raises TypeTooLargeError when the type does not fit the target (TYP-8).
    """
    cache = t._lay
    key = ("sum", ps)
    hit = cache.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    u = t.underlying
    kind = u.kind.name
    shape = _KIND_SHAPE.get(kind)
    if shape is not None:
        s = basic(shape, ps)
    elif kind == "ARRAY":
        s = array(CONCRETE, u.length, summarize(u.elem, ps), ps)
    elif kind == "STRUCT":
        acc = struct_begin(CONCRETE)
        for f in u.fields:
            acc = struct_field(CONCRETE, acc, summarize(f.type, ps), ps)
        s = struct_end(CONCRETE, acc)
        cache[("offsets", ps)] = acc.offsets
    else:  # pragma: no cover - every Kind is handled above
        raise AssertionError(kind)
    if s.size >= maxwidth(ps):
        raise TypeTooLargeError(f"type {t} larger than address space")
    cache[key] = s
    return s


def field_offsets(t: Any, ps: int) -> tuple[int, ...]:
    """Struct field offsets (TYP-5), as the struct fold computed them."""
    summarize(t, ps)
    return t._lay.get(("offsets", ps), ())  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# well-formedness (spec/proofs.md WF-*)


def value_wf(D: Domain, s: Summary, ps: int,
             size_bound: int | None = None) -> list[tuple[str, Any]]:
    """The well-formedness of a summary as a whole (its groups aside): what the proofs may
    assume of *any* type. Every clause holds of every Go type — ``regabi prove`` proves it by
    induction on type structure (lemmas TYPE-*), the tests check it on real types — so
    assuming it is sound. ``size_bound`` replaces MAXWIDTH for proofs that consider only the
    types a compilable call can pass (SIG-3). Set clauses are stated at the domain's probe.
    """
    lg = ps.bit_length() - 1
    words = D.shr(s.size + ps - 1, lg)
    a = s.align
    out: list[tuple[str, Any]] = [
        ("WF-ALIGN", D.and_(D.or_(*[D.eq(a, k) for k in (1, 2, 4, 8)]), D.ule(a, ps))),
        ("WF-SIZE", D.and_(D.aligned(s.size, a), D.ult(s.size, size_bound or maxwidth(ps)))),
    ]
    if D.concrete:
        itab = s.gc & ~s.heap
        out.append(("WF-HEAP", D.set_subset(s.heap, s.gc)))
        out.append(("WF-GC-BELOW", D.set_below(s.gc, s.ptrwords)))
        out.append(("WF-ITAB", not ((itab << 1) & ~(s.heap & s.gc))))
    else:
        out.extend(wf_at(D, s, D.probe))  # type: ignore[attr-defined]
    has = D.not_(D.eq(s.ptrwords, 0))
    out.append(("WF-PTRWORDS", D.and_(
        D.ule(s.ptrwords, words),
        D.implies(has, D.and_(D.set_has(s.gc, s.ptrwords - 1), D.aligned(s.size, ps),
                              D.eq(a, ps))))))
    for name, p in (("SPEC", s.spec), ("SEED", s.seed)):
        # every part has at least one byte of its own, so the counts stay small
        out.append((f"WF-{name}-COUNTS", D.and_(
            D.ule(p.ni, s.size), D.ule(p.nf, s.size), D.ule(p.ni + p.nf, s.size),
            D.ule(p.n, p.ni + p.nf), D.ule(p.ni + p.nf, p.n + p.n + p.n))))
    # the seed's walk agrees with the spec's wherever the spec's completes (VAR-3 only ever
    # turns a failure into a success); group by group in group_wf's caller
    out.append(("WF-SEED-AGREES", D.and_(
        D.ule(s.spec.n, s.seed.n), D.ule(s.spec.ni, s.seed.ni), D.ule(s.spec.nf, s.seed.nf),
        D.implies(s.spec.ok, D.and_(s.seed.ok, D.eq(s.spec.n, s.seed.n),
                                    D.eq(s.spec.ni, s.seed.ni), D.eq(s.spec.nf, s.seed.nf))))))
    # go1.16 isdirectiface only ever holds of a one-word pointer shape
    out.append(("WF-DIRECT", D.implies(s.dir_struct, D.and_(D.eq(s.size, ps),
                                                          D.eq(s.ptrwords, 1)))))
    # ASG-4's premise: a type of size zero has no parts, and a non-zero one that decomposes has
    out.append(("WF-ZERO", D.and_(
        D.implies(D.eq(s.size, 0), D.and_(D.eq(s.spec.n, 0), D.eq(s.seed.n, 0))),
        D.implies(D.and_(s.spec.ok, D.not_(D.eq(s.size, 0))), D.not_(D.eq(s.spec.n, 0))),
        D.implies(D.and_(s.seed.ok, D.not_(D.eq(s.size, 0))), D.not_(D.eq(s.seed.n, 0))))))
    return out


def wf_at(D: Domain, s: Summary, i: Any) -> list[tuple[str, Any]]:
    """The set clauses of :func:`value_wf` at word index ``i`` (a proof instantiates them at
    every index it asks a free summary's sets about)."""
    return [("WF-HEAP", D.implies(D.set_has(s.heap, i), D.set_has(s.gc, i))),
            ("WF-GC-BELOW", D.implies(D.set_has(s.gc, i), D.ult(i, s.ptrwords))),
            # the only pointer words that are not heap pointers are interfaces' type words,
            # and each is followed by its data word (TYP-10)
            ("WF-ITAB", D.implies(D.and_(D.set_has(s.gc, i), D.not_(D.set_has(s.heap, i))),
                                  D.and_(D.set_has(s.gc, i + 1), D.set_has(s.heap, i + 1))))]


def group_wf(D: Domain, g: Group, live: Any, prev_end: Any, s: Summary, ps: int,
             link_sets: bool = True) -> list[tuple[str, Any]]:
    """The well-formedness of one group of a walk, after groups ending at ``prev_end``: a
    valid leaf (ASG-3), aligned, in memory order inside the value. ``link_sets`` adds that the
    value's pointer bitmap marks exactly its pointer parts' words (WF-LINK, spec/proofs.md
    PRF-3; it holds of every Go type: lemma TYPE-LINK): the realization of a bounded
    counterexample needs it, and of the invariant proofs only INV-MF-DIRECT's (PRF-10)."""
    lg = ps.bit_length() - 1
    int_ok = D.and_(g.isint, D.or_(*[D.eq(g.size, k) for k in (1, 2, 4, 8) if k <= ps]),
                    D.ule(1, g.n), D.ule(g.n, 3))
    flt_ok = D.and_(D.not_(g.isint), D.or_(D.eq(g.size, 4), D.eq(g.size, 8)),
                    D.ule(1, g.n), D.ule(g.n, 2))
    ptrish = g.ptr | g.itab
    # the leaf kinds of ASG-3: one word or scalar; string (ptr, len); interface (itab, data);
    # int64 on a 32-bit target (lo, hi); slice (ptr, len, cap); complex (re, im)
    leaf = D.or_(
        D.and_(D.eq(g.n, 1), D.or_(D.and_(D.eq(g.ptr, 0), D.eq(g.itab, 0)),
                                   D.and_(g.isint, D.eq(g.ptr, 1), D.eq(g.itab, 0)))),
        D.and_(D.eq(g.n, 2), D.not_(g.isint), D.eq(ptrish, 0)),
        D.and_(D.eq(g.n, 2), g.isint, D.eq(g.size, ps), D.or_(
            D.and_(D.eq(g.ptr, 1), D.eq(g.itab, 0)), D.and_(D.eq(g.ptr, 2), D.eq(g.itab, 1)),
            D.and_(D.eq(ptrish, 0), ps == 4))),
        D.and_(D.eq(g.n, 3), g.isint, D.eq(g.size, ps), D.eq(g.ptr, 1), D.eq(g.itab, 0)))
    good = [
        D.or_(int_ok, flt_ok),
        leaf,
        D.aligned(g.off, D.ite(D.ult(ps, g.size), ps, g.size)),
        D.ule(D.ite(D.ult(ps, g.size), ps, g.size), s.align),
        D.ule(prev_end, g.off),
        D.ult(g.off, s.size),  # (no wrap-around: offsets are below the size)
        D.ule(g.off + group_bytes(D, g), s.size),
        D.eq(g.ptr & g.itab, 0),
        D.implies(D.not_(D.eq(ptrish, 0)), D.and_(g.isint, D.eq(g.size, ps),
                                                  D.aligned(g.off, ps))),
    ]
    if link_sets:
        word = D.shr(g.off, lg)
        for k in range(3):  # the group says which of its words hold pointers
            on = D.and_(D.ult(k, g.n), g.isint, D.eq(g.size, ps))
            good.append(D.implies(on, D.and_(
                D.eq(D.set_has(s.gc, word + k), D.bit(ptrish, k)),
                D.eq(D.set_has(s.heap, word + k), D.bit(g.ptr, k)))))
        # a part that is no pointer shares no word with one (pointers fill whole words)
        good.append(D.implies(D.eq(ptrish, 0), D.not_(D.set_has(s.gc, word))))
    return [("WF-GROUP", D.implies(live, D.and_(*good)))]


def wf(D: Domain, s: Summary, ps: int, size_bound: int | None = None,
       link_sets: bool = True) -> list[tuple[str, Any]]:
    """Every well-formedness clause of a summary with its groups (value, each group of both
    walks, counts, and the seed's walk against the spec's)."""
    out = value_wf(D, s, ps, size_bound)
    for name, p in (("SPEC", s.spec), ("SEED", s.seed)):
        end: Any = 0
        ni: Any = 0
        nf: Any = 0
        for j, g in enumerate(p.groups):
            live = D.ult(j, p.n)
            out.extend(group_wf(D, g, live, end, s, ps, link_sets))
            end = D.ite(live, g.off + group_bytes(D, g), end)
            ni = ni + D.ite(D.and_(live, g.isint), g.n, 0)
            nf = nf + D.ite(D.and_(live, D.not_(g.isint)), g.n, 0)
        out.append((f"WF-{name}-COUNTS", D.and_(D.ule(p.n, len(p.groups)), D.eq(p.ni, ni),
                                              D.eq(p.nf, nf))))
    for j, (x, y) in enumerate(zip(s.spec.groups, s.seed.groups, strict=False)):
        out.append(("WF-SEED-PREFIX", D.implies(D.ult(j, s.spec.n),
                                                D.and_(*[D.eq(a, b) for a, b in
                                                         zip(x, y, strict=True)]))))
    return out


# --------------------------------------------------------------------------------------------
# the concrete runs, specialised from the functions above (model/specialize.py)

from regabi.model.specialize import specialize  # noqa: E402 - needs the functions above

#: (generic, CONCRETE-specialised) pairs of this module's domain functions.
CONCRETE_PAIRS = specialize(
    globals(), ["_shift", "concat", "group_bytes", "_append", "array", "struct_begin",
                "struct_field", "struct_end", "direct"], drivers=["summarize"])
