"""Hypothesis strategies for Go types and function signatures (public API).

Every value drawn is a :mod:`regabi.model` object whose Go spelling (``str(t)``, ``sig.go()``)
parses back with :func:`regabi.model.syntax.parse_type` / ``parse_signature`` to an equal value,
so a failing example can be replayed with ``regabi layout '<sig>'``.

This module imports Hypothesis at top level; nothing in the CLI imports it.

Examples
--------
>>> from hypothesis import given
>>> from regabi.strategies import signatures
>>> @given(signatures(max_params=3))
... def test_something(sig): ...
"""

from __future__ import annotations

from hypothesis import strategies as st

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
)

__all__ = ["basic_types", "go_types", "signature_texts", "signatures"]

_BASIC_NAMES: tuple[str, ...] = (
    "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
    "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "string",
    "unsafe.Pointer",
)

#: interface method sets used for non-empty interfaces (two words whatever the methods)
_METHOD_SETS: tuple[tuple[str, ...], ...] = (("M()",), ("Read(p []byte) (int, error)",),
                                             ("A() int", "B(x string)"))


def basic_types() -> st.SearchStrategy[GoType]:
    """Predeclared types, ``unsafe.Pointer``, ``error`` and ``any``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy[GoType]
        Scalars first, so that shrinking moves towards ``bool``.
    """
    return st.one_of(
        st.sampled_from([BASIC[n] for n in _BASIC_NAMES]),
        st.sampled_from([ERROR, Interface(())]),
    )


def _leafish() -> st.SearchStrategy[GoType]:
    """Types that are one or two words and never recurse: pointers, maps, chans, funcs."""
    scalar = st.sampled_from([BASIC[n] for n in ("int", "uint8", "string", "float64")])
    return st.one_of(
        scalar.map(Pointer),
        st.builds(Map, st.sampled_from([BASIC["string"], BASIC["int"]]), scalar),
        st.builds(Chan, scalar, st.sampled_from(["chan", "<-chan", "chan<-"])),
        st.builds(lambda p, r: Func(p, r), st.lists(scalar, max_size=2).map(tuple),
                  st.lists(scalar, max_size=2).map(tuple)),
        st.sampled_from([Interface(m) for m in _METHOD_SETS]),
    )


def go_types(
    max_depth: int = 2,
    max_fields: int = 4,
    allow_zero_size: bool = True,
    allow_big_arrays: bool = True,
) -> st.SearchStrategy[GoType]:
    """Go types built from :mod:`regabi.model.types`.

    Parameters
    ----------
    max_depth : int, optional
        Maximum nesting of composite types (arrays, structs, slices, pointers). 0 gives only
        basic and pointer-shaped types.
    max_fields : int, optional
        Maximum number of fields of a struct.
    allow_zero_size : bool, optional
        Whether zero-size types may appear: ``struct{}``, ``[0]T``, structs of zero-size fields
        (exercising the trailing-padding rule and zero-size argument handling).
    allow_big_arrays : bool, optional
        Whether arrays may be long (up to 1<<20 pointer-free elements, 4096 with pointers),
        which puts large values on the stack. Otherwise lengths are at most 4.

    Returns
    -------
    hypothesis.strategies.SearchStrategy[GoType]
        Types whose ``str()`` parses back (with :func:`regabi.model.syntax.parse_type`) to an
        equal type.
    """
    base = st.one_of(basic_types(), _leafish())
    if allow_zero_size:
        base = st.one_of(base, st.sampled_from([Struct(()), Array(0, BASIC["int64"])]))
    return _compose(base, max_depth, max_fields, allow_zero_size, allow_big_arrays)


def _compose(
    base: st.SearchStrategy[GoType], depth: int, max_fields: int, zero: bool, big: bool
) -> st.SearchStrategy[GoType]:
    if depth <= 0:
        return base
    inner = _compose(base, depth - 1, max_fields, zero, big)
    small_len = st.integers(min_value=0 if zero else 1, max_value=4)

    def arrays(elem: GoType) -> st.SearchStrategy[GoType]:
        if not big:
            return small_len.map(lambda n: Array(n, elem))
        from regabi.model.types import layout

        lay = layout(elem, 8)
        hi = 1 << 20 if lay.ptrdata == 0 else 4096
        if lay.size > 64:
            hi = min(hi, 1 << 10)
        return st.one_of(small_len, st.integers(min_value=5, max_value=hi)).map(
            lambda n: Array(n, elem))

    def structs(fields: list[GoType]) -> GoType:
        return Struct(tuple(Field(f"f{i}", t) for i, t in enumerate(fields)))

    composite = st.one_of(
        inner.flatmap(arrays),
        st.lists(inner, min_size=0 if zero else 1, max_size=max_fields).map(structs),
        inner.map(Slice),
        inner.map(Pointer),
    )
    return st.one_of(base, composite)


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
) -> Signature:
    params = draw(st.lists(types, max_size=max_params))
    results = draw(st.lists(types, max_size=max_results))
    var = draw(st.booleans()) if variadic is None else variadic
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
    **type_kw
        Passed to :func:`go_types` when ``types`` is not given.

    Returns
    -------
    hypothesis.strategies.SearchStrategy[Signature]
        Signatures whose ``go()`` text (with ``recv=str(sig.recv)``) parses back to an equal
        signature.
    """
    ts = types if types is not None else go_types(**type_kw)  # type: ignore[arg-type]
    return _signature(ts, max_params, max_results, receiver, variadic, named)


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
