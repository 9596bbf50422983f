"""Hypothesis strategies for Go types and function signatures (public API).

Install with the extra: ``pip install 'regabi[hypothesis]'``. Every value drawn is a
:mod:`regabi.model` object whose Go spelling (``str(t)``, ``sig.go()``) parses back with
:func:`regabi.model.syntax.parse_type` / ``parse_signature`` to an equal value, so a failing
example can be replayed with ``regabi layout '<sig>'``.

Types are built with ``st.recursive`` under a leaf budget and a byte budget (``max_size``), and
the leaves are balanced across kinds: integers, floats, complex numbers, strings, pointer-shaped
types, interfaces, slices and zero-size types are equally likely, so no kind crowds out the
others. Signatures may be drawn under *register pressure* (many multi-register values of one
class), which is what makes register exhaustion, structs that fail part-way and the
all-or-nothing rule (ASG-2) common. :func:`observe` reports, per test case, which of these
situations an example is in (``hypothesis.event``) and steers the search towards register
exhaustion (``hypothesis.target``).

Examples
--------
>>> from hypothesis import given
>>> from regabi.strategies import signatures
>>> @given(signatures(max_params=3))
... def test_something(sig): ...
"""

from __future__ import annotations

try:
    from hypothesis import event, target
    from hypothesis import strategies as st
except ImportError as e:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "regabi.strategies needs Hypothesis: pip install 'regabi[hypothesis]'") from e

from regabi.model.arch import Arch
from regabi.model.sig import Signature
from regabi.model.syntax import ERROR
from regabi.model.types import (
    BASIC,
    Array,
    Chan,
    Field,
    Func,
    GoType,
    Interface,
    Kind,
    Map,
    Pointer,
    Slice,
    Struct,
    layout,
)

__all__ = ["CLASSES", "basic_types", "classify", "go_types", "observe", "signature_texts",
           "signatures"]

#: Default byte budget of one type (64-bit layout). Far below what the model refuses
#: (model/summary.py MAX_BITMAP_WORDS), and small enough that a signature lays out in
#: microseconds; ``allow_big_arrays`` raises it to BIG_SIZE.
MAX_SIZE = 1 << 10
BIG_SIZE = 1 << 20

_INTS = ("bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
         "uint64", "uintptr")

#: interface method sets used for non-empty interfaces (two words whatever the methods)
_METHOD_SETS: tuple[tuple[str, ...], ...] = (("M()",), ("Read(p []byte) (int, error)",),
                                             ("A() int", "B(x string)"))


def basic_types() -> st.SearchStrategy[GoType]:
    """Predeclared types, ``unsafe.Pointer``, ``error`` and ``any``, one kind class at a time.

    Returns
    -------
    hypothesis.strategies.SearchStrategy[GoType]
        Integers (and bool) first, so that shrinking moves towards ``bool``.
    """
    return st.one_of(
        st.sampled_from([BASIC[n] for n in _INTS]),
        st.sampled_from([BASIC["float32"], BASIC["float64"]]),
        st.sampled_from([BASIC["complex64"], BASIC["complex128"]]),
        # strings were the rarest class at the top level (≈ 1.3–3 %): two draws in three
        st.sampled_from([BASIC["string"], BASIC["string"], BASIC["unsafe.Pointer"]]),
        st.sampled_from([ERROR, Interface(())]),
    )


def _scalar() -> st.SearchStrategy[GoType]:
    return st.sampled_from([BASIC[n] for n in ("int", "uint8", "string", "float64")])


def _pointer_shaped() -> st.SearchStrategy[GoType]:
    """One or two words that never recurse: pointers, maps, chans, funcs, interfaces."""
    scalar = _scalar()
    return st.one_of(
        scalar.map(Pointer),
        st.builds(Map, st.sampled_from([BASIC["string"], BASIC["int"]]), scalar),
        st.builds(Chan, scalar, st.sampled_from(["chan", "<-chan", "chan<-"])),
        st.builds(lambda p, r: Func(p, r), st.lists(scalar, max_size=2).map(tuple),
                  st.lists(scalar, max_size=2).map(tuple)),
        st.sampled_from([Interface(m) for m in _METHOD_SETS]),
    )


def _zero_size() -> st.SearchStrategy[GoType]:
    """Zero-size types (TYP-7), including ``[2]struct{}`` which is never register-assigned."""
    return st.sampled_from([Struct(()), Array(0, BASIC["int64"]), Array(2, Struct(())),
                            Struct((Field("_", Array(0, BASIC["int32"])),))])


def _fields(ts: list[GoType]) -> Struct:
    return Struct(tuple(Field(f"f{i}", t) for i, t in enumerate(ts)))


def _fits(t: GoType, max_size: int) -> bool:
    try:
        return layout(t, 8).size <= max_size
    except Exception:  # a type the model refuses is outside the budget too
        return False


def go_types(
    max_depth: int = 2,
    max_fields: int = 4,
    allow_zero_size: bool = True,
    allow_big_arrays: bool = True,
    max_size: int | None = None,
) -> st.SearchStrategy[GoType]:
    """Go types built from :mod:`regabi.model.types`.

    Parameters
    ----------
    max_depth : int, optional
        Nesting budget: ``st.recursive`` gets ``2 ** (max_depth + 1)`` leaves. 0 gives only
        basic, pointer-shaped (and zero-size) types.
    max_fields : int, optional
        Maximum number of fields of a struct.
    allow_zero_size : bool, optional
        Whether zero-size types may appear: ``struct{}``, ``[0]T``, ``[2]struct{}``, structs of
        zero-size fields, and structs with a trailing zero-size field (TYP-6 padding).
    allow_big_arrays : bool, optional
        Whether arrays may be long (up to the byte budget), which puts large values on the
        stack. Otherwise lengths are at most 3.
    max_size : int, optional
        Byte budget of one type on 64-bit targets; default 1 KiB, 1 MiB with big arrays.

    Returns
    -------
    hypothesis.strategies.SearchStrategy[GoType]
        Types whose ``str()`` parses back (with :func:`regabi.model.syntax.parse_type`) to an
        equal type, at most ``max_size`` bytes.
    """
    budget = max_size if max_size is not None else (BIG_SIZE if allow_big_arrays else MAX_SIZE)
    leaves = [basic_types(), _pointer_shaped()]
    if allow_zero_size:
        leaves.append(_zero_size())
    base = st.one_of(*leaves)
    if max_depth <= 0:
        return base
    lo = 0 if allow_zero_size else 1

    def arrays(elem: GoType) -> st.SearchStrategy[GoType]:
        small = st.integers(min_value=lo, max_value=3)
        if not allow_big_arrays:
            return small.map(lambda n: Array(n, elem))
        hi = budget // max(layout(elem, 8).size, 1)
        if hi < 4:
            return small.map(lambda n: Array(n, elem))
        # long arrays are one choice in four: they all behave alike (stack-assigned)
        return st.one_of(small, small, small, st.integers(4, hi)).map(lambda n: Array(n, elem))

    def composites(inner: st.SearchStrategy[GoType]) -> list[st.SearchStrategy[GoType]]:
        structs = st.lists(inner, min_size=lo, max_size=max_fields).map(_fields)
        if allow_zero_size:
            # TYP-6: a trailing zero-size field pads a non-empty struct
            structs = st.one_of(structs, st.builds(
                lambda ts, z: _fields([*ts, z]),
                st.lists(inner, min_size=1, max_size=max(max_fields - 1, 1)), _zero_size()))
        # slices and pointers (one or three integer words whatever the element) share a branch
        return [inner.flatmap(arrays), structs,
                st.one_of(inner.map(Slice), inner.map(Pointer))]

    inner = st.recursive(base, lambda s: st.one_of(*composites(s)),
                         max_leaves=2 ** (max_depth + 1))
    # the outermost kind is chosen uniformly among the leaf classes and the composites, so that
    # the recursion's preference for its larger branches does not decide what a value is
    return st.one_of(*leaves, *composites(inner)).filter(lambda t: _fits(t, budget))


def _pressure_types(cls: str, zero: bool) -> st.SearchStrategy[GoType]:
    """Values of several registers of one class, to exhaust that class (and, with a trailing
    array of two, structs that start in registers and then fail)."""
    part: st.SearchStrategy[GoType]
    if cls == "float":
        # amd64 has 15 float registers: complex parts (two each) get there in a few values
        part = st.sampled_from([BASIC["complex128"], BASIC["complex64"], BASIC["float64"]])
    else:
        part = st.one_of(st.sampled_from([BASIC["string"], BASIC["int64"], ERROR]),
                         _scalar().map(Slice))
    tails = [Array(2, BASIC["int8"])] + ([Array(2, Struct(()))] if zero else [])
    return st.one_of(
        st.lists(part, min_size=2, max_size=4).map(_fields),
        st.lists(part, min_size=3, max_size=4).map(_fields),
        st.builds(lambda ts, t: _fields([*ts, t]), st.lists(part, min_size=1, max_size=3),
                  st.sampled_from(tails)),
    )


def _names(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(n))


@st.composite
def _signature(
    draw: st.DrawFn,
    types: st.SearchStrategy[GoType],
    max_params: int,
    max_results: int,
    receiver: bool | None,
    variadic: bool | None,
    named: bool | None,
    pressure: bool | None,
    zero: bool,
) -> Signature:
    press = draw(st.booleans()) if pressure is None else pressure
    if press:
        p = _pressure_types(draw(st.sampled_from(["int", "float"])), zero)
        ts = st.one_of(p, p, p, types)
        params = draw(st.lists(ts, min_size=min(max_params, 5), max_size=max_params))
        results = draw(st.lists(ts, max_size=max_results))
    else:
        params = draw(st.lists(types, max_size=max_params))
        results = draw(st.lists(types, max_size=max_results))
    # one in four: a variadic parameter is just a slice to the ABI
    var = draw(st.sampled_from([False, False, False, True])) if variadic is None else variadic
    var = var and bool(params)
    if var:
        params[-1] = Slice(params[-1])
    with_recv = draw(st.booleans()) if receiver is None else receiver
    # reflect refuses an interface receiver (a method called through an interface has the
    # dynamic type as receiver), so receivers are concrete types or pointers to any type
    concrete = types.filter(lambda t: t.kind != Kind.INTERFACE)
    recv = draw(st.one_of(concrete, types.map(Pointer))) if with_recv else None
    nm = draw(st.booleans()) if named is None else named
    pn = _names("a", len(params)) if nm else ()
    rn = _names("r", len(results)) if nm and draw(st.booleans()) else ()
    return Signature(tuple(params), tuple(results), recv, var, "", pn, rn)


def signatures(
    max_params: int = 6,
    max_results: int = 3,
    receiver: bool | None = None,
    variadic: bool | None = None,
    named: bool | None = None,
    types: st.SearchStrategy[GoType] | None = None,
    pressure: bool | None = None,
    **type_kw: object,
) -> st.SearchStrategy[Signature]:
    """Function signatures (:class:`regabi.model.sig.Signature`).

    Parameters
    ----------
    max_params, max_results : int, optional
        Bounds on the number of parameters (not counting the receiver) and results.
    receiver : bool or None, optional
        True: always a receiver (reflect's interface calling convention, one word; never an
        interface type); False: never; None: either.
    variadic : bool or None, optional
        True: the last parameter (if any) is variadic (``...T``, held as ``[]T``); False:
        never; None: either.
    named : bool or None, optional
        Whether parameters (and perhaps results) carry names ``a0…``/``r0…``. Names do not take
        part in equality.
    types : SearchStrategy[GoType], optional
        The strategy for parameter and result types; default ``go_types(**type_kw)``.
    pressure : bool or None, optional
        True: at least min(max_params, 5) parameters, mixed with multi-register values of one
        register class (integer or float) so that the class runs out; False: never; None: either.
    **type_kw
        Passed to :func:`go_types` when ``types`` is not given.

    Returns
    -------
    hypothesis.strategies.SearchStrategy[Signature]
        Signatures whose ``go()`` text (with ``recv=str(sig.recv)``) parses back to an equal
        signature.
    """
    ts = types if types is not None else go_types(**type_kw)  # type: ignore[arg-type]
    zero = bool(type_kw.get("allow_zero_size", True))
    return _signature(ts, max_params, max_results, receiver, variadic, named, pressure, zero)


def signature_texts(**kw: object) -> st.SearchStrategy[str]:
    """Go syntax of func types (no receiver), e.g. ``func(a0 int, a1 ...string) error``.

    Parameters
    ----------
    **kw
        Passed to :func:`signatures` (``receiver`` is forced to False).

    Returns
    -------
    hypothesis.strategies.SearchStrategy[str]
        Texts accepted by :func:`regabi.model.syntax.parse_signature`.
    """
    kw["receiver"] = False
    return signatures(**kw).map(lambda s: s.go())  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# what an example exercises

#: The situations :func:`classify` names (spec/assignment.md, spec/types.md).
CLASSES = ("zero-size value", "int registers exhausted", "float registers exhausted",
           "struct fails part-way", "trailing zero-size padding")


def _parts(t: GoType, ps: int) -> list[str] | None:
    """ASG-3 decomposition into "i"/"f" parts in memory order; None if not decomposable.
    A trailing ``None`` marks the point where an array of length > 1 stops it."""
    k = t.underlying.kind
    if k in (Kind.INT64, Kind.UINT64) and ps == 4:
        return ["i", "i"]
    if k in (Kind.FLOAT32, Kind.FLOAT64):
        return ["f"]
    if k in (Kind.COMPLEX64, Kind.COMPLEX128):
        return ["f", "f"]
    if k in (Kind.STRING, Kind.INTERFACE):
        return ["i", "i"]
    if k == Kind.SLICE:
        return ["i", "i", "i"]
    u = t.underlying
    if isinstance(u, Array):
        if u.length == 0:
            return []
        return _parts(u.elem, ps) if u.length == 1 else None
    if isinstance(u, Struct):
        out: list[str] = []
        for f in u.fields:
            p = _parts(f.type, ps)
            if p is None:
                return [*out, "x"]
            out += p
        return out
    return ["i"]


def classify(sig: Signature, arch: Arch) -> set[str]:
    """Which of :data:`CLASSES` the spec's assignment of ``sig`` on ``arch`` runs into."""
    ps, out = arch.ptr_size, set()

    def walk(t: GoType) -> None:
        u = t.underlying
        if isinstance(u, Struct) and u.fields and layout(t, ps).size > 0 \
                and layout(u.fields[-1].type, ps).size == 0:
            out.add(CLASSES[4])
        for c in (u.fields if isinstance(u, Struct) else ()):
            walk(c.type)
        if isinstance(u, Array | Slice | Pointer):
            walk(u.elem)

    ins = ([Pointer(BASIC["int"])] if sig.recv is not None else []) + list(sig.params)
    for vals in (ins, list(sig.results)):
        ni = nf = 0
        for t in vals:
            walk(t)
            if layout(t, ps).size == 0:
                out.add(CLASSES[0])
                continue
            parts = _parts(t, ps) or ["x"]
            i, f, placed = ni, nf, 0
            for p in parts:
                if p == "i" and i < arch.n_int:
                    i, placed = i + 1, placed + 1
                elif p == "f" and f < arch.n_float:
                    f, placed = f + 1, placed + 1
                else:
                    if p in ("i", "f"):
                        out.add(CLASSES[1] if p == "i" else CLASSES[2])
                    if placed and isinstance(t.underlying, Struct):
                        out.add(CLASSES[3])
                    break
            else:
                ni, nf = i, f
    return out


def observe(sig: Signature, arch: Arch) -> set[str]:
    """Inside a test: ``hypothesis.event`` for each class ``sig`` is in, and
    ``hypothesis.target`` on its register demand relative to ``arch``'s register file, so that
    the search moves towards exhaustion. Returns the classes."""
    cls = classify(sig, arch)
    for c in sorted(cls):
        event(c)
    demand = {"i": 0, "f": 0}
    for t in sig.params:
        for p in _parts(t, arch.ptr_size) or ():
            if p in demand:
                demand[p] += 1
    target(max(demand["i"] / max(arch.n_int, 1), demand["f"] / max(arch.n_float, 1)),
           label="register demand / registers")
    return cls
