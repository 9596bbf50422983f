"""The Go type universe and its memory layout (spec rules TYP-1 … TYP-12, spec/types.md).

A type is an immutable, hashable value. Its layout depends on the pointer size, so it is computed
by :func:`layout` for a given ``ptr_size`` and cached on the type.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NamedTuple

from regabi.errors import TypeTooLargeError  # noqa: F401 - re-exported

__all__ = [
    "BASIC",
    "Array",
    "Basic",
    "Chan",
    "Field",
    "Func",
    "GoType",
    "Interface",
    "Kind",
    "Layout",
    "Map",
    "Named",
    "Part",
    "Pointer",
    "Slice",
    "Struct",
    "layout",
    "reg_parts",
    "reg_parts_prefix",
]


class Kind(IntEnum):
    """reflect.Kind numbering (src/reflect/type.go), so JSON and Go agree."""

    BOOL = 1
    INT = 2
    INT8 = 3
    INT16 = 4
    INT32 = 5
    INT64 = 6
    UINT = 7
    UINT8 = 8
    UINT16 = 9
    UINT32 = 10
    UINT64 = 11
    UINTPTR = 12
    FLOAT32 = 13
    FLOAT64 = 14
    COMPLEX64 = 15
    COMPLEX128 = 16
    ARRAY = 17
    CHAN = 18
    FUNC = 19
    INTERFACE = 20
    MAP = 21
    POINTER = 22
    SLICE = 23
    STRING = 24
    STRUCT = 25
    UNSAFE_POINTER = 26


class Layout(NamedTuple):
    """Memory layout of a type for one pointer size (TYP-2 … TYP-9).

    ``gcmask`` has bit *i* set when word *i* holds a pointer of any kind: what reflect's
    addTypeBits marks (TYP-9). ``heapmask`` is the subset that may point into the Go heap, which
    is the runtime's GC mask (cmd/compile typebits.Set): an interface's first word (itab or
    type descriptor) is clear (TYP-10). A sound GC bitmap lies between the two.
    """

    size: int
    align: int
    ptrdata: int
    gcmask: int
    heapmask: int
    direct: bool  # pointer-shaped: stored directly in an interface's data word (TYP-11)
    offsets: tuple[int, ...]  # struct field offsets, else ()


class GoType:
    """Base of all Go types. Subclasses are immutable; equality is structural."""

    __slots__ = ("_hash", "_key", "_lay")
    _hash: int
    _key: Any
    _lay: dict[Any, Any]
    kind: Kind

    def _init(self, key: tuple) -> None:
        # Keys hold child *types*, whose hashes are cached: hashing stays O(children).
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))
        object.__setattr__(self, "_lay", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Go types are immutable")

    def __reduce__(self) -> tuple:
        # immutable slots objects: rebuild through the constructor (pickling across processes)
        return (type(self), self._args())

    def _args(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoType) and self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"<GoType {self}>"

    def go(self) -> str:
        """Go syntax of the type, cached (reports print every value's type; composite types
        spell their children with it, so a batch's shared parts are written once)."""
        hit = self._lay.get("str")
        if hit is None:
            hit = self._lay["str"] = str(self)
        return hit  # type: ignore[return-value]

    @property
    def underlying(self) -> GoType:
        return self

    def leaves(self) -> int:
        """Number of scalar leaves (used to order counterexamples by size)."""
        return 1


class Basic(GoType):
    """A predeclared type, or unsafe.Pointer (TYP-1)."""

    __slots__ = ("kind", "name")
    name: str

    def __init__(self, kind: Kind, name: str) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "name", name)
        self._init(("basic", kind))

    def _args(self) -> tuple:
        return (self.kind, self.name)

    def __str__(self) -> str:
        return self.name


BASIC: dict[str, Basic] = {
    n: Basic(k, n)
    for n, k in [
        ("bool", Kind.BOOL), ("int", Kind.INT), ("int8", Kind.INT8), ("int16", Kind.INT16),
        ("int32", Kind.INT32), ("int64", Kind.INT64), ("uint", Kind.UINT), ("uint8", Kind.UINT8),
        ("uint16", Kind.UINT16), ("uint32", Kind.UINT32), ("uint64", Kind.UINT64),
        ("uintptr", Kind.UINTPTR), ("float32", Kind.FLOAT32), ("float64", Kind.FLOAT64),
        ("complex64", Kind.COMPLEX64), ("complex128", Kind.COMPLEX128), ("string", Kind.STRING),
        ("unsafe.Pointer", Kind.UNSAFE_POINTER),
    ]
}
BASIC["byte"] = BASIC["uint8"]
BASIC["rune"] = BASIC["int32"]


class Pointer(GoType):
    __slots__ = ("elem",)
    elem: GoType
    kind = Kind.POINTER

    def __init__(self, elem: GoType) -> None:
        object.__setattr__(self, "elem", elem)
        self._init(("ptr", elem))

    def _args(self) -> tuple:
        return (self.elem,)

    def __str__(self) -> str:
        return f"*{self.elem.go()}"


class Slice(GoType):
    __slots__ = ("elem",)
    elem: GoType
    kind = Kind.SLICE

    def __init__(self, elem: GoType) -> None:
        object.__setattr__(self, "elem", elem)
        self._init(("slice", elem))

    def _args(self) -> tuple:
        return (self.elem,)

    def __str__(self) -> str:
        return f"[]{self.elem.go()}"

    def leaves(self) -> int:
        return 3


class Chan(GoType):
    __slots__ = ("dir", "elem")
    dir: str
    elem: GoType
    kind = Kind.CHAN

    def __init__(self, elem: GoType, dir: str = "chan") -> None:
        object.__setattr__(self, "elem", elem)
        object.__setattr__(self, "dir", dir)
        self._init(("chan", dir, elem))

    def _args(self) -> tuple:
        return (self.elem, self.dir)

    def __str__(self) -> str:
        return f"{self.dir} {self.elem.go()}"


class Map(GoType):
    __slots__ = ("elem", "key")
    elem: GoType
    key: GoType
    kind = Kind.MAP

    def __init__(self, key: GoType, elem: GoType) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "elem", elem)
        self._init(("map", key, elem))

    def _args(self) -> tuple:
        return (self.key, self.elem)

    def __str__(self) -> str:
        return f"map[{self.key.go()}]{self.elem.go()}"


class Func(GoType):
    """A func type. As a value it is one pointer (to a funcval); as a signature see model.sig."""

    __slots__ = ("params", "results", "variadic")
    params: tuple[Any, ...]
    results: tuple[Any, ...]
    variadic: bool
    kind = Kind.FUNC

    def __init__(
        self, params: tuple[GoType, ...], results: tuple[GoType, ...], variadic: bool = False
    ) -> None:
        object.__setattr__(self, "params", tuple(params))
        object.__setattr__(self, "results", tuple(results))
        object.__setattr__(self, "variadic", variadic)
        self._init(("func", self.params, self.results, variadic))

    def _args(self) -> tuple:
        return (self.params, self.results, self.variadic)

    def __str__(self) -> str:
        ps = [p.go() for p in self.params]
        if self.variadic and ps:
            ps[-1] = "..." + self.params[-1].elem.go()  # type: ignore[attr-defined]
        out = ", ".join([r.go() for r in self.results])
        if len(self.results) > 1:
            out = f"({out})"
        return f"func({', '.join(ps)})" + (f" {out}" if out else "")


class Interface(GoType):
    """An interface. ``methods`` are kept for display only: every interface is two words."""

    __slots__ = ("methods",)
    methods: tuple[Any, ...]
    kind = Kind.INTERFACE

    def __init__(self, methods: tuple[str, ...] = ()) -> None:
        object.__setattr__(self, "methods", tuple(methods))
        self._init(("iface", self.methods))

    def _args(self) -> tuple:
        return (self.methods,)

    def __str__(self) -> str:
        if not self.methods:
            return "interface{}"
        return "interface{ " + "; ".join(self.methods) + " }"

    def leaves(self) -> int:
        return 2


class Array(GoType):
    __slots__ = ("elem", "length")
    elem: GoType
    length: int
    kind = Kind.ARRAY

    def __init__(self, length: int, elem: GoType) -> None:
        object.__setattr__(self, "length", length)
        object.__setattr__(self, "elem", elem)
        self._init(("array", length, elem))

    def _args(self) -> tuple:
        return (self.length, self.elem)

    def __str__(self) -> str:
        return f"[{self.length}]{self.elem.go()}"

    def leaves(self) -> int:
        return min(self.length, 1 << 20) * self.elem.leaves() or 1


class Field(NamedTuple):
    name: str  # "_" for blank fields, the type's name for embedded ones
    type: GoType
    embedded: bool = False


class Struct(GoType):
    __slots__ = ("fields",)
    fields: tuple[Field, ...]
    kind = Kind.STRUCT

    def __init__(self, fields: tuple[Field, ...]) -> None:
        object.__setattr__(self, "fields", tuple(fields))
        self._init(("struct", self.fields))

    def _args(self) -> tuple:
        return (self.fields,)

    def __str__(self) -> str:
        if not self.fields:
            return "struct{}"
        parts = [f.type.go() if f.embedded else f"{f.name} {f.type.go()}" for f in self.fields]
        return "struct{" + "; ".join(parts) + "}"

    def leaves(self) -> int:
        return sum(f.type.leaves() for f in self.fields) or 1


class Named(GoType):
    """A defined type (``type S struct{…}``): a name over an underlying type; layout is the
    underlying type's (TYP-12).

    ``Named(name, under)`` is a named type whose identity is its name and underlying type (as
    before). ``Named(name, scope=s)`` creates a declared type first and :meth:`bind` gives it its
    underlying type later, so that the underlying type may mention the named type itself
    (``type Fn func(Fn) Fn``; SIG-4). Its identity is (scope, name), as in Go where two named
    types are identical only when they come from the same declaration (spec "Type identity"):
    the scope names the declaring package or source text. Equality, hashing and ``str`` never
    look at the underlying type, so they terminate on recursive types; ``layout`` and
    ``reg_parts`` look through arrays and struct fields only, which a valid recursive type can
    only revisit through a pointer, slice, map, chan or func (never looked into by value).
    """

    __slots__ = ("_under", "name", "scope")
    _under: Any
    name: str
    scope: Any

    def __init__(self, name: str, under: GoType | None = None, *, scope: object = None) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_under", None)
        if scope is None:
            if under is None:
                raise TypeError(f"Named({name!r}) needs its underlying type or a scope")
            scope = ("structural", under.underlying)
        object.__setattr__(self, "scope", scope)
        self._init(("named", scope, name))
        if under is not None:
            self.bind(under)

    def bind(self, under: GoType) -> None:
        """Give a declared type its underlying type (once)."""
        if self._under is not None:
            raise TypeError(f"named type {self.name} is already bound")
        object.__setattr__(self, "_under", under.underlying)

    @property
    def bound(self) -> bool:
        return self._under is not None

    @property
    def kind(self) -> Kind:  # type: ignore[override]
        return self.underlying.kind

    @property
    def underlying(self) -> GoType:
        u = self._under
        if u is None:
            raise TypeError(f"named type {self.name} has no underlying type yet")
        return u

    @property
    def under(self) -> GoType:
        return self.underlying

    def _args(self) -> tuple:
        return (self.name, self._under)

    def __reduce__(self) -> tuple:
        # the underlying type goes in the state, so pickle can rebuild a recursive type
        return (_declared_named, (self.name, self.scope), self._under)

    def __setstate__(self, state: GoType | None) -> None:
        if state is not None and self._under is None:
            object.__setattr__(self, "_under", state)

    def __str__(self) -> str:
        return self.name

    def leaves(self) -> int:
        return self.underlying.leaves()


def _declared_named(name: str, scope: object) -> Named:
    if isinstance(scope, tuple) and scope and scope[0] == "structural":
        return Named(name, scope[1])
    return Named(name, scope=scope)


class Part(NamedTuple):
    """One register-sized piece of a value (ASG-3), as reports and tests read it: register
    class, offset and size inside the value, and whether it may hold a heap pointer (TYP-10)."""

    cls: str  # "int" or "float"
    offset: int
    size: int
    ptr: bool
    #: parts placed by one assignIntN/assignFloatN call start with the group's size, then 0
    group: int = 1
    #: an interface's first word: a pointer, but never to the heap (TYP-10)
    itab: bool = False


# The layout of a type is computed once, by the summary functions (model/summary.py); these
# are views of it for callers that want the classic shapes.


def layout(t: GoType, ps: int, max_width: int | None = None) -> Layout:
    """Size, alignment, pointer bitmaps and field offsets of ``t`` for pointer size ``ps``
    (TYP-2 … TYP-10), from its summary. ``max_width`` is accepted for compatibility: the
    summary applies the compiler's MAXWIDTH for ``ps`` (TYP-8)."""
    hit = t._lay.get(ps)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    from regabi.model.summary import field_offsets, summarize

    s = summarize(t, ps)
    lay = Layout(s.size, s.align, s.ptrwords * ps, s.gc, s.heap, bool(s.dir_struct),
                 field_offsets(t, ps) if t.underlying.kind == Kind.STRUCT else ())
    t._lay[ps] = lay
    return lay


def _old_parts(parts: object) -> tuple[Part, ...]:
    return tuple(Part("int" if g.isint else "float", g.off + k * g.size, g.size,
                      bool(g.ptr >> k & 1), g.n if k == 0 else 0, bool(g.itab >> k & 1))
                 for g in parts.groups for k in range(g.n))  # type: ignore[attr-defined]


def reg_parts(t: GoType, ps: int, skip_zero_fields: bool = False) -> tuple[Part, ...] | None:
    """The register decomposition of ``t`` (ASG-3), or None when ``t`` cannot be
    register-assigned. ``skip_zero_fields`` gives the seed's walk (VAR-3)."""
    parts, ok = reg_parts_prefix(t, ps, skip_zero_fields)
    return parts if ok else None


def reg_parts_prefix(t: GoType, ps: int, skip_zero_fields: bool = False
                     ) -> tuple[tuple[Part, ...], bool]:
    """The decomposition walked in memory order up to where it fails: (parts, complete)."""
    from regabi.model.summary import summarize

    s = summarize(t, ps)
    w = s.seed if skip_zero_fields else s.spec
    return _old_parts(w), bool(w.ok)
