"""A greedy shrinker over a signature's types.

Each round lists every one-step simplification of the current signature — drop a value (the
receiver, a result, a parameter), replace a type by a part of it (a struct by one of its field
types, an array by its element), drop a struct field, shorten an array, simplify a leaf — keeps
those that are strictly smaller, asks the oracle about all of them in one batch, and moves to
the first that still disagrees. It stops when no candidate does (a local minimum: no single
step keeps the disagreement) or the budget runs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence

from regabi.model.sig import Signature
from regabi.model.types import (
    BASIC,
    Array,
    Chan,
    Field,
    Func,
    GoType,
    Interface,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
)

__all__ = ["shrink", "size_key"]

_INT = BASIC["int"]
_SCALAR_KINDS = {BASIC[n].kind for n in ("int", "int8", "int16", "int32", "int64", "uint",
                                         "uint8", "uint16", "uint32", "uint64", "uintptr",
                                         "bool", "float32", "float64")}
_PTR = Pointer(BASIC["int"])
# leaf -> simpler leaves (same register class first)
_LEAF_SIMPLER: dict[str, tuple[GoType, ...]] = {
    "complex128": (BASIC["float64"],), "complex64": (BASIC["float32"],),
    "float32": (BASIC["float64"],),
    "string": (_PTR, _INT), "unsafe.Pointer": (_PTR,),
    "int8": (_INT,), "int16": (_INT,), "int32": (_INT,), "int64": (_INT,), "uint": (_INT,),
    "uint8": (_INT,), "uint16": (_INT,), "uint32": (_INT,), "uint64": (_INT,),
    "uintptr": (_INT,), "bool": (_INT,),
}


def _nodes(t: GoType) -> int:
    if isinstance(t, Named):
        return _nodes(t.under)
    if isinstance(t, Struct):
        return 1 + sum(_nodes(f.type) for f in t.fields)
    if isinstance(t, Array):
        return 1 + min(t.length, 64) + _nodes(t.elem)
    if isinstance(t, Pointer) and t.elem.kind in _SCALAR_KINDS:
        return 1  # *int is as simple as unsafe.Pointer (one pointer word)
    if isinstance(t, (Pointer, Slice, Chan)):
        return 1 + _nodes(t.elem)
    if isinstance(t, Map):
        return 1 + _nodes(t.key) + _nodes(t.elem)
    if isinstance(t, Func):
        return 1 + sum(_nodes(x) for x in (*t.params, *t.results))
    if isinstance(t, Interface):
        return 2 if t.methods else 1
    return 1


def size_key(sig: Signature) -> tuple[int, int, int]:
    """Smaller is simpler: (values, type nodes, text length)."""
    ts = [*sig.params, *sig.results, *([sig.recv] if sig.recv is not None else [])]
    return (len(ts), sum(_nodes(t) for t in ts), len(str(sig)))


def _simpler(t: GoType) -> Iterator[GoType]:
    """One-step simplifications of ``t`` (not necessarily smaller; the caller checks)."""
    if isinstance(t, Named):
        yield t.under
        return
    if isinstance(t, Struct):
        fs = t.fields
        for f in fs:  # hoist a field's type
            yield f.type
        for i in range(len(fs)):  # drop a field
            yield Struct(fs[:i] + fs[i + 1:])
        for i, f in enumerate(fs):  # simplify a field
            for s in _simpler(f.type):
                yield Struct((*fs[:i], Field(f.name, s, f.embedded), *fs[i + 1:]))
        return
    if isinstance(t, Array):
        yield t.elem
        for n in (0, 1, 2, t.length - 1):
            if 0 <= n < t.length:
                yield Array(n, t.elem)
        for s in _simpler(t.elem):
            yield Array(t.length, s)
        return
    if isinstance(t, Interface):
        if t.methods:
            yield Interface(())
        yield _PTR
        return
    if isinstance(t, (Slice, Map, Chan, Func)) or (isinstance(t, Pointer) and t != _PTR):
        yield _PTR
        yield _INT
        return
    if t == _PTR:
        yield _INT
        return
    yield from _LEAF_SIMPLER.get(str(t), ())


def _candidates(sig: Signature) -> Iterator[Signature]:
    ps, rs, recv = sig.params, sig.results, sig.recv
    if recv is not None:
        yield Signature(ps, rs, None)
    for i in range(len(rs)):
        yield Signature(ps, rs[:i] + rs[i + 1:], recv)
    for i in range(len(ps)):
        yield Signature(ps[:i] + ps[i + 1:], rs, recv)
    for i, t in enumerate(ps):
        for s in _simpler(t):
            yield Signature((*ps[:i], s, *ps[i + 1:]), rs, recv)
    for i, t in enumerate(rs):
        for s in _simpler(t):
            yield Signature(ps, (*rs[:i], s, *rs[i + 1:]), recv)
    if recv is not None:
        for s in _simpler(recv):
            yield Signature(ps, rs, s)


def shrink(sig: Signature, still_fails: Callable[[Sequence[Signature]], list[bool]], *,
           budget_s: float = 90.0, max_rounds: int = 500,
           accept: Callable[[Signature], bool] | None = None) -> tuple[Signature, int]:
    """Shrink ``sig`` while ``still_fails`` holds; returns (minimal signature, rounds).

    ``still_fails`` answers a whole round of candidates at once (one probe run). ``accept``
    filters candidates the oracle cannot take (e.g. an interface receiver).
    """
    cur = sig
    deadline = time.monotonic() + budget_s
    rounds = 0
    while rounds < max_rounds and time.monotonic() < deadline:
        key = size_key(cur)
        seen: set[str] = set()
        cands: list[Signature] = []
        for c in _candidates(cur):
            text = str(c)
            if text in seen or size_key(c) >= key or (accept and not accept(c)):
                continue
            seen.add(text)
            cands.append(c)
        if not cands:
            break
        res = still_fails(cands)
        nxt = next((c for c, r in zip(cands, res, strict=True) if r), None)
        rounds += 1
        if nxt is None:
            break
        cur = nxt
    return cur, rounds
