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

A summary's register *parts* are the ASG-3 decomposition walked in memory order up to where it
fails; ``ok`` says whether the walk completed. Each part records the group it belongs to (one
``assignIntN``/``assignFloatN`` call of reflect): ``group`` is the group's size on its first part
and 0 on the others. Concretely ``slots`` are exactly the parts; symbolically there are a fixed
number of slots (the architecture's register count: a value with more parts can never be
register-assigned) and ``n`` may exceed it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from regabi.errors import TypeTooLargeError
from regabi.model.domain import CONCRETE, Domain

__all__ = [
    "Part",
    "Parts",
    "StructAcc",
    "Summary",
    "array",
    "basic",
    "direct",
    "maxwidth",
    "struct_begin",
    "struct_end",
    "struct_field",
    "summarize",
    "wf",
]


class Part(NamedTuple):
    """One register-sized piece of a value (ASG-3)."""

    isint: Any  # integer register class (else floating point)
    off: Any  # offset inside the value
    size: Any
    ptr: Any  # may hold a heap pointer (TYP-10)
    itab: Any  # an interface's type/itab word: a pointer, never into the heap (TYP-10)
    group: Any  # >0 on a group's first part: the group's size; 0 on the others


class Parts(NamedTuple):
    """The decomposition walk: parts in memory order, and whether the walk completed."""

    slots: tuple[Part, ...]
    n: Any
    ni: Any
    nf: Any
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
    """The compiler's MAXWIDTH: the largest type size (TYP-8; cmd/compile/internal/types
    size.go, ``MaxWidth`` set per arch in ssagen/ssa.go: 1<<50 on 64-bit, 1<<32-1 on 32-bit)."""
    return (1 << 50) if ps == 8 else (1 << 32) - 1


# --------------------------------------------------------------------------------------------
# basic kinds (TYP-2, TYP-3, TYP-9, TYP-10; ASG-3; RFL-3)

#: (size, align) in units: "p" = PtrSize; 64-bit scalars align to RegSize on 32-bit targets
#: (go1.27.3 cmd/compile/internal/types/size.go:570-610 CalcSize; types/type.go RegSize).
_SHAPES: dict[str, tuple[str, ...]] = {
    # kind: (size, align, parts...) where a part is "cls:off:size:flag:group"
    "bool": ("1", "1", "i:0:1::1"),
    "int8": ("1", "1", "i:0:1::1"), "uint8": ("1", "1", "i:0:1::1"),
    "int16": ("2", "2", "i:0:2::1"), "uint16": ("2", "2", "i:0:2::1"),
    "int32": ("4", "4", "i:0:4::1"), "uint32": ("4", "4", "i:0:4::1"),
    "int": ("p", "p", "i:0:p::1"), "uint": ("p", "p", "i:0:p::1"),
    "uintptr": ("p", "p", "i:0:p::1"),
    "float32": ("4", "4", "f:0:4::1"), "float64": ("8", "r8", "f:0:8::1"),
    "complex64": ("8", "4", "f:0:4::2", "f:4:4::0"),
    "complex128": ("16", "r8", "f:0:8::2", "f:8:8::0"),
    "ptr": ("p", "p", "i:0:p:ptr:1"),
    "string": ("2p", "p", "i:0:p:ptr:2", "i:p:p::0"),
    "iface": ("2p", "p", "i:0:p:itab:2", "i:p:p:ptr:0"),
    "slice": ("3p", "p", "i:0:p:ptr:3", "i:p:p::0", "i:2p:p::0"),
}


def _units(u: str, ps: int) -> int:
    if u.endswith("p"):
        return (int(u[:-1]) if u[:-1] else 1) * ps
    if u.startswith("r"):
        return min(int(u[1:]), ps)
    return int(u)


def _int64_parts(ps: int) -> tuple[str, ...]:
    # ASG-3: int64/uint64 take two integer registers on 32-bit targets, low word first
    # (reflect/abi.go regAssign Int64 case; abiutils.go via types.Type.Registers)
    return ("i:0:8::1",) if ps == 8 else ("i:0:4::2", "i:4:4::0")


_BASIC_CACHE: dict[tuple[str, int], Summary] = {}


def basic(shape: str, ps: int) -> Summary:
    """The summary of a non-composite kind. ``shape`` is a key of the table above, or "int64"
    (int64/uint64). Pointer-shaped kinds (pointer, chan, map, func, unsafe.Pointer) are "ptr"."""
    key = (shape, ps)
    hit = _BASIC_CACHE.get(key)
    if hit is not None:
        return hit
    if shape == "int64":
        size, al, parts = 8, min(8, ps), _int64_parts(ps)
    else:
        row = _SHAPES[shape]
        size, al, parts = _units(row[0], ps), _units(row[1], ps), row[2:]
    slots = []
    gc = heap = 0
    for p in parts:
        cls, off_u, size_u, flag, group = p.split(":")
        off = _units(off_u, ps)
        part = Part(cls == "i", off, _units(size_u, ps), flag == "ptr", flag == "itab",
                    int(group))
        if flag:
            gc |= 1 << (off // ps)
        if flag == "ptr":
            heap |= 1 << (off // ps)
        slots.append(part)
    ni = sum(1 for s in slots if s.isint)
    ps_parts = Parts(tuple(slots), len(slots), ni, len(slots) - ni, True)
    s = Summary(size, al, gc.bit_length(), gc, heap, ps_parts, ps_parts, shape == "ptr")
    _BASIC_CACHE[key] = s
    return s


# --------------------------------------------------------------------------------------------
# parts sequences


def _shift(D: Domain, p: Parts, off: Any) -> Parts:
    if isinstance(off, int) and off == 0:
        return p
    return p._replace(slots=tuple(s._replace(off=s.off + off) for s in p.slots))


def concat(D: Domain, a: Parts, b: Parts, cap: int | None) -> tuple[Part, ...]:
    """The slots of ``a`` followed by those of ``b`` (``b`` already shifted). Concretely a tuple
    concatenation; symbolically, with ``a.n`` unknown, slot k is a multiplexer over where ``b``
    starts, truncated to ``cap`` slots."""
    if D.concrete or (isinstance(a.n, int) and a.n == len(a.slots)):
        out = a.slots + b.slots
        return out if cap is None else out[:cap]
    assert cap is not None
    junk = b.slots[0] if b.slots else (a.slots[0] if a.slots else None)
    slots = []
    for k in range(cap):
        # b's part k - m, when a has m parts
        cand = None
        for m in range(k + 1):
            j = k - m
            if j >= len(b.slots):
                continue
            cand = b.slots[j] if cand is None else D.sel(D.eq(a.n, m), b.slots[j], cand)
        if cand is None:
            cand = junk
        if k < len(a.slots):
            cand = a.slots[k] if cand is None else D.sel(D.ult(k, a.n), a.slots[k], cand)
        if cand is None:
            break
        slots.append(cand)
    return tuple(slots)


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
    spec = D.sel(zero, EMPTY_OK, D.sel(one, e.spec, EMPTY_FAIL)) if not D.concrete else (
        EMPTY_OK if n == 0 else e.spec if n == 1 else EMPTY_FAIL)
    seed = D.sel(zero, EMPTY_OK, D.sel(one, e.seed, EMPTY_FAIL)) if not D.concrete else (
        EMPTY_OK if n == 0 else e.seed if n == 1 else EMPTY_FAIL)
    has = D.and_(D.not_(zero), D.not_(D.eq(e.ptrwords, 0)))
    ptrwords = D.ite(has, stride * (n - 1) + e.ptrwords, 0) if not D.concrete else (
        stride * (n - 1) + e.ptrwords if has else 0)
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


def struct_begin(D: Domain) -> StructAcc:
    return StructAcc(0, 1, 0, D.set_empty(), D.set_empty(), EMPTY_OK, EMPTY_OK, 0, False,
                     False, ())


def struct_field(D: Domain, acc: StructAcc, f: Summary, ps: int,
                 cap: int | None = None) -> StructAcc:
    """Add one field (TYP-5): aligned to its type; its pointer words and register parts shifted
    by its offset. The ASG-3 walk stops at the first field whose walk fails; the seed's walk
    skips zero-size fields (VAR-3, seed reflect/abi.go regAssign "Ignore zero-sized fields")."""
    lg = ps.bit_length() - 1
    off = D.align(acc.off, f.align)
    word = D.shr(off, lg)
    gc = D.set_union_shifted(acc.gc, f.gc, word, True)
    heap = D.set_union_shifted(acc.heap, f.heap, word, True)
    has = D.not_(D.eq(f.ptrwords, 0))
    ptrwords = D.umax(acc.ptrwords, D.ite(has, word + f.ptrwords, 0))
    nonzero = D.not_(D.eq(f.size, 0))
    spec = D.sel(acc.spec.ok, _append(D, acc.spec, _shift(D, f.spec, off), cap), acc.spec)
    seed = D.sel(D.and_(acc.seed.ok, nonzero),
                 _append(D, acc.seed, _shift(D, f.seed, off), cap), acc.seed)
    end = off + f.size
    if D.concrete and end >= maxwidth(ps):
        raise TypeTooLargeError("struct is larger than the address space")
    first = D.eq(acc.nfields, 0)
    return StructAcc(
        end, D.umax(acc.align, f.align), ptrwords, gc, heap, spec, seed,
        D.ite(D.ult(acc.nfields, 2), acc.nfields + 1, 2),
        D.ite(first, f.dir_struct, acc.dir1), D.not_(nonzero),
        acc.offsets + (off,) if D.concrete else (),
    )


def struct_end(D: Domain, acc: StructAcc) -> Summary:
    """TYP-6: a non-zero-size struct ending in a zero-size field gets one byte of padding so
    that a pointer to the last field stays inside the object (go1.27.3 types/size.go:
    CalcStructSize, golang/go#9401); then the size is rounded to the alignment. The seed's
    regAssign succeeds at once on a zero-size struct (seed reflect/abi.go regAssign Struct)."""
    pad = D.and_(D.not_(D.eq(acc.off, 0)), acc.last_zero)
    end = D.ite(pad, acc.off + 1, acc.off)
    size = D.align(end, acc.align)
    seed = D.sel(D.eq(size, 0), EMPTY_OK, acc.seed)
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


def wf(D: Domain, s: Summary, ps: int, cap: int | None = None) -> list[tuple[str, Any]]:
    """The well-formedness predicate, as named clauses, of a summary: what the signature proofs
    may assume of *any* type. Every clause is proved to hold of every Go type by induction on
    type structure (``regabi prove``, lemmas TYPE-*), so assuming it is sound.

    Set clauses are stated at the domain's probe index (a universally quantified word index).
    """
    lg = ps.bit_length() - 1
    words = D.shr(s.size + ps - 1, lg)
    out: list[tuple[str, Any]] = []
    a = s.align
    out.append(("WF-ALIGN", D.or_(*[D.eq(a, k) for k in (1, 2, 4, 8) if k <= max(ps, 8)])))
    out.append(("WF-ALIGN-PS", D.ule(a, ps)))
    out.append(("WF-SIZE", D.and_(D.eq(D.urem(s.size, a), 0),
                                  D.ult(s.size, maxwidth(ps)))))
    p = getattr(D, "probe", 0)
    if not D.concrete:
        out.append(("WF-HEAP", D.implies(D.set_has(s.heap, p), D.set_has(s.gc, p))))
        out.append(("WF-GC-BELOW", D.implies(D.set_has(s.gc, p), D.ult(p, s.ptrwords))))
    else:
        out.append(("WF-HEAP", D.set_subset(s.heap, s.gc)))
        out.append(("WF-GC-BELOW", D.set_below(s.gc, s.ptrwords)))
    out.append(("WF-PTRWORDS", D.and_(
        D.ule(s.ptrwords, words),
        D.implies(D.not_(D.eq(s.ptrwords, 0)), D.set_has(s.gc, s.ptrwords - 1)),
        D.implies(D.not_(D.eq(s.ptrwords, 0)), D.eq(D.urem(s.size, ps), 0)),
        D.implies(D.not_(D.eq(s.ptrwords, 0)), D.eq(a, ps)))))
    for name, parts in (("SPEC", s.spec), ("SEED", s.seed)):
        out.extend(_wf_parts(D, name, parts, s, ps))
    # the seed's walk agrees with the spec's wherever the spec's completes (VAR-3 only ever
    # turns a failure into a success)
    same = [D.eq(s.spec.n, s.seed.n), s.seed.ok]
    for j, (x, y) in enumerate(zip(s.spec.slots, s.seed.slots, strict=False)):
        live = D.ult(j, s.spec.n)
        same.append(D.implies(live, D.and_(*[D.eq(fx, fy) for fx, fy in zip(x, y, strict=True)])))
    out.append(("WF-SEED-AGREES", D.implies(s.spec.ok, D.and_(*same))))
    # ASG-4's premise: a type of size zero has no parts, and a non-zero one that decomposes has
    out.append(("WF-ZERO", D.and_(
        D.implies(D.eq(s.size, 0), D.and_(D.eq(s.spec.n, 0), D.eq(s.seed.n, 0))),
        D.implies(D.and_(s.spec.ok, D.not_(D.eq(s.size, 0))),
                  D.not_(D.eq(s.spec.n, 0))))))
    return out


def _wf_parts(D: Domain, name: str, parts: Parts, s: Summary,
              ps: int) -> list[tuple[str, Any]]:
    lg = ps.bit_length() - 1
    clauses = []
    prev_end: Any = 0
    cnt_i: Any = 0
    cnt_f: Any = 0
    ingroup: Any = 0  # parts of the current group still to come
    gcls: Any = True
    gsize: Any = 0
    for j, p in enumerate(parts.slots):
        live = D.ult(j, parts.n)
        int_ok = D.and_(p.isint, D.or_(*[D.eq(p.size, k) for k in (1, 2, 4, 8) if k <= ps]))
        flt_ok = D.and_(D.not_(p.isint), D.or_(D.eq(p.size, 4), D.eq(p.size, 8)))
        word = D.shr(p.off, lg)
        ptrish = D.or_(p.ptr, p.itab)
        starts = D.not_(D.eq(p.group, 0))
        good = D.and_(
            D.or_(int_ok, flt_ok),
            D.eq(D.urem(p.off, D.ite(D.ult(ps, p.size), ps, p.size)), 0),
            D.ule(prev_end, p.off),
            D.ule(p.off + p.size, s.size),
            D.implies(ptrish, D.and_(p.isint, D.eq(p.size, ps), D.set_has(s.gc, word))),
            D.implies(p.ptr, D.and_(D.not_(p.itab), D.set_has(s.heap, word))),
            D.implies(p.itab, D.not_(D.set_has(s.heap, word))),
            D.implies(D.and_(p.isint, D.eq(p.size, ps), D.not_(ptrish)),
                      D.not_(D.set_has(s.gc, word))),
            # groups: a new one starts exactly when the previous is complete (RFL-3)
            D.eq(starts, D.eq(ingroup, 0)),
            D.implies(starts, D.and_(D.ule(1, p.group), D.ule(p.group, 3))),
            D.implies(D.not_(starts), D.and_(D.eq(p.isint, gcls), D.eq(p.size, gsize))),
        )
        clauses.append(D.implies(live, good))
        prev_end = D.ite(live, p.off + p.size, prev_end)
        cnt_i = cnt_i + D.ite(D.and_(live, p.isint), 1, 0)
        cnt_f = cnt_f + D.ite(D.and_(live, D.not_(p.isint)), 1, 0)
        ingroup = D.ite(live, D.ite(starts, p.group - 1, ingroup - 1), ingroup)
        gcls = D.ite(starts, p.isint, gcls)
        gsize = D.ite(starts, p.size, gsize)
    nslots = len(parts.slots)
    fits = D.ule(parts.n, nslots)
    counts = D.and_(D.eq(parts.ni + parts.nf, parts.n),
                    D.implies(fits, D.and_(D.eq(parts.ni, cnt_i), D.eq(parts.nf, cnt_f))),
                    D.implies(D.not_(fits), D.and_(D.ule(cnt_i, parts.ni),
                                                   D.ule(cnt_f, parts.nf))))
    whole = D.implies(D.and_(parts.ok, fits), D.eq(ingroup, 0))
    return [(f"WF-{name}-PARTS", D.and_(*clauses)), (f"WF-{name}-COUNTS", counts),
            (f"WF-{name}-GROUPS", whole)]
