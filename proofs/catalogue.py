"""The finite type catalogue the Z3 prover quantifies over (regabi.proofs.catalogue).

Types are enumerated concretely up to :class:`Bounds`, then grouped into *classes*: two types are
in one class when every summary the algorithms read is equal (size, alignment, GC mask, the
register parts under the spec's rule and under the seed's skip-zero-fields rule). A Z3 value
ranges over classes; each class keeps its representative with the fewest leaves and the number
of Go types it stands for, so coverage is counted in Go types, not classes.

Summaries are composed structurally (TYP-4 … TYP-7, ASG-3) rather than by calling
:func:`regabi.model.types.layout` on every enumerated type, because the enumeration is large;
:func:`verify_catalogue` re-derives every representative's summary with the model's own
functions, and the tests run it.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from regabi.model.types import (
    BASIC,
    Array,
    Chan,
    Field,
    Func,
    GoType,
    Interface,
    Map,
    Pointer,
    Slice,
    Struct,
    layout,
    reg_parts,
    reg_parts_prefix,
)

__all__ = ["Bounds", "Entry", "build_catalogue", "verify_catalogue"]

#: one register part: (class, offset in value, size, may hold a heap pointer, group size)
PartT = tuple[str, int, int, bool, int, bool]


@dataclass
class Bounds:
    """How far the prover's quantification reaches.

    Values range over the catalogue: the leaf kinds; ``[0]T``, ``[1]T``, ``[2]T`` of a catalogue
    type one level down; structs of 1 … ``max_fields`` fields drawn from leaves and zero-size
    fields (``_ [0]int64``, ``_ [0]int8``, ``_ [2]struct{}``) at depth 1; at depth >= 2, a
    depth-(d-1) type wrapped as ``struct{X}``, ``struct{X; _ z}`` or ``struct{z; X}`` with z a
    zero-size field or ``int8`` (trailing zero-size fields, leading padding). A signature has up
    to ``max_params`` parameters, ``max_results`` results and optionally a receiver.
    """

    # defaults: what `regabi check` proves in well under a minute (docs/performance.md)
    max_params: int = 3
    max_results: int = 1
    max_fields: int = 2
    max_depth: int = 1
    receiver: bool = True
    timeout_ms: int = 20000

    def describe(self) -> str:
        r = "+recv" if self.receiver else ""
        deep = " (depth>=2: struct{X}/{X;z}/{z;X} wrappers only)" if self.max_depth >= 2 else ""
        return (f"params<={self.max_params} results<={self.max_results} "
                f"fields<={self.max_fields} depth<={self.max_depth}{r}{deep}")


@dataclass(frozen=True)
class Entry:
    """One class of types: its summaries for one pointer size."""

    rep: GoType  # fewest leaves
    count: int  # Go types of the catalogue in this class
    size: int
    align: int
    gcmask: int
    heapmask: int
    spec_parts: tuple[PartT, ...] | None  # reg_parts(t, ps): spec and current reflect
    seed_parts: tuple[PartT, ...] | None  # reg_parts(t, ps, skip_zero_fields=True)
    #: when the parts are None: the parts regAssign places before it fails (RFL-3), which
    #: keep their registers in a variant without rollback (VAR-1); None when complete
    spec_prefix: tuple[PartT, ...] | None = None
    seed_prefix: tuple[PartT, ...] | None = None

    @property
    def key(self) -> tuple:
        return (self.size, self.align, self.gcmask, self.heapmask, self.spec_parts,
                self.seed_parts, self.spec_prefix, self.seed_prefix)


def _leaves() -> list[GoType]:
    i = BASIC["int"]
    names = ("bool int8 int16 int32 int64 int uintptr float32 float64 complex64 complex128 "
             "string unsafe.Pointer").split()
    return [BASIC[n] for n in names] + [
        Pointer(i), Slice(i), Interface(), Map(BASIC["string"], i), Chan(i), Func((), ()),
        Struct(()),
    ]


def _zero_fields() -> list[GoType]:
    return [Array(0, BASIC["int64"]), Array(0, BASIC["int8"]), Array(2, Struct(()))]


def _summary(t: GoType, ps: int) -> tuple:
    """Summary straight from the model (used for leaves and for verification)."""
    lay = layout(t, ps)

    def pk(parts: tuple | None) -> tuple[PartT, ...] | None:
        if parts is None:
            return None
        return tuple((p.cls, p.offset, p.size, p.ptr, p.group, getattr(p, "itab", False))
                     for p in parts)

    sfx, sok = reg_parts_prefix(t, ps)
    dfx, dok = reg_parts_prefix(t, ps, True)
    return (lay.size, lay.align, lay.gcmask, lay.heapmask, pk(reg_parts(t, ps)),
            pk(reg_parts(t, ps, True)), None if sok else pk(sfx), None if dok else pk(dfx))


def _shift(parts: tuple[PartT, ...] | None, off: int) -> tuple[PartT, ...] | None:
    if parts is None:
        return None
    return tuple((c, o + off, s, p, g, it) for c, o, s, p, g, it in parts)


def _array_key(n: int, k: tuple, ps: int) -> tuple:
    size, align, mask, heap, _sp, _dp, _sx, _dx = k
    if n == 0:
        return (0, align, 0, 0, (), (), None, None)
    if n == 1:
        return k
    m = h = 0
    words = size // ps
    for j in range(n):
        m |= mask << (j * words)
        h |= heap << (j * words)
    # ASG-3: arrays of length > 1 never in registers; regAssign fails before placing anything
    return (size * n, align, m, h, None, None, (), ())


def _struct_key(ks: list[tuple], ps: int) -> tuple:
    """TYP-5/TYP-6 layout and ASG-3 parts of a struct from its fields' summaries."""
    off = 0
    align = 1
    mask = heap = 0
    sp: list[PartT] | None = []
    dp: list[PartT] | None = []
    sx: tuple[PartT, ...] | None = None  # frozen at the first failing field (RFL-3)
    dx: tuple[PartT, ...] | None = None
    last_zero = False
    for size, al, m, hm, fsp, fdp, fsx, fdx in ks:
        off = (off + al - 1) & -al
        mask |= m << (off // ps)
        heap |= hm << (off // ps)
        if sp is not None:
            sh = _shift(fsp, off)
            if sh is None:
                sx = tuple(sp) + _shift(fsx, off)  # type: ignore[operator]
            sp = None if sh is None else sp + list(sh)
        if dp is not None and size != 0:  # the seed skips zero-size fields (VAR-3)
            sh = _shift(fdp, off)
            if sh is None:
                dx = tuple(dp) + _shift(fdx, off)  # type: ignore[operator]
            dp = None if sh is None else dp + list(sh)
        off += size
        align = max(align, al)
        last_zero = size == 0
    if off > 0 and last_zero:
        off += 1
    size = (off + align - 1) & -align
    return (size, align, mask, heap, None if sp is None else tuple(sp),
            None if dp is None else tuple(dp), sx, dx)


def _name(i: int, t_size: int) -> str:
    return "_" if t_size == 0 else "abcdefgh"[i]


@functools.lru_cache(maxsize=16)
def build_catalogue(ps: int, max_fields: int, max_depth: int) -> tuple[Entry, ...]:
    """Classes of the catalogue for pointer size ``ps``, fewest-leaves representative first."""
    reps: dict[tuple, GoType] = {}
    counts: dict[tuple, int] = {}

    def add(k: tuple, t: GoType | None, n: int, build: object = None) -> None:
        counts[k] = counts.get(k, 0) + n
        if k not in reps:
            reps[k] = t if t is not None else build()  # type: ignore[operator]
        elif t is not None and t.leaves() < reps[k].leaves():
            reps[k] = t

    level: dict[tuple, int] = {}
    for t in _leaves():
        k = _summary(t, ps)
        add(k, t, 1)
        level[k] = level.get(k, 0) + 1
    zero = {}
    for z in _zero_fields():
        zero[_summary(z, ps)] = 1
    base = dict(level)  # depth-0 classes and their type counts
    fields0 = dict(base)
    for k, n in zero.items():
        fields0[k] = fields0.get(k, 0) + n
    for depth in range(1, max_depth + 1):
        new: dict[tuple, int] = {}

        def put(k: tuple, n: int, mk: object, new: dict = new) -> None:
            new[k] = new.get(k, 0) + n
            if k not in reps:
                reps[k] = mk()  # type: ignore[operator]
            counts[k] = counts.get(k, 0) + n

        for k, n in level.items():
            for ln in (0, 1, 2):
                put(_array_key(ln, k, ps), n, lambda ln=ln, k=k: Array(ln, reps[k]))
        if depth == 1:
            fl = list(fields0.items())
            for nf in range(1, max_fields + 1):
                for combo in itertools.product(fl, repeat=nf):
                    ks = [c[0] for c in combo]
                    n = 1
                    for c in combo:
                        n *= c[1]
                    put(_struct_key(ks, ps), n, lambda ks=ks: _mk_struct(ks, reps, zero_reps))
        else:
            wrap = [*list(zero.items()), (_summary(BASIC["int8"], ps), 1)]
            for k, n in level.items():
                put(_struct_key([k], ps), n, lambda k=k: _mk_struct([k], reps, zero_reps))
                if max_fields >= 2:
                    for zk, zn in wrap:
                        put(_struct_key([k, zk], ps), n * zn,
                            lambda k=k, zk=zk: _mk_struct([k, zk], reps, zero_reps))
                        put(_struct_key([zk, k], ps), n * zn,
                            lambda k=k, zk=zk: _mk_struct([zk, k], reps, zero_reps))
        level = new
    out = [Entry(reps[k], counts[k], *k) for k in counts]
    out.sort(key=lambda e: (e.rep.leaves(), len(str(e.rep))))
    return tuple(out)


zero_reps: dict[tuple, GoType] = {}


def _mk_struct(ks: list[tuple], reps: dict[tuple, GoType], zr: dict[tuple, GoType]) -> GoType:
    if not zr:
        for ps in (8, 4):
            for z in _zero_fields():
                zr.setdefault((ps, _summary(z, ps)), z)
    fields = []
    for i, k in enumerate(ks):
        t = reps.get(k)
        if t is None:
            t = next(v for (p, kk), v in zr.items() if kk == k)
        fields.append(Field(_name(i, k[0]), t))
    return Struct(tuple(fields))


def verify_catalogue(entries: tuple[Entry, ...], ps: int) -> list[str]:
    """Representatives whose composed summary differs from the model's (empty: consistent)."""
    bad = []
    for e in entries:
        if _summary(e.rep, ps) != e.key:
            bad.append(f"{e.rep}: composed {e.key} != model {_summary(e.rep, ps)}")
        if e.spec_parts is not None and e.seed_parts is not None and e.size:
            if e.spec_parts != e.seed_parts:
                bad.append(f"{e.rep}: spec and seed parts differ where both exist")
    return bad
