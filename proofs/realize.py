"""From a summary back to a Go type (spec/proofs.md "Realizing a counterexample").

Z3 answers a bounded query with *summaries*, not types. :func:`realize` builds a Go type whose
summary (computed by the model, model/summary.py) is exactly the given one, or returns None with
the reason. A struct is assembled from the parts' groups (each group is one leaf kind: ``*int``,
``string``, ``interface{}``, ``[]int``, an integer or float, a complex), zero-size fields to
produce alignment gaps and trailing padding, a ``[2]struct{}`` or ``[2]byte`` where the
register walk must fail, and plain words after that for the remaining pointer bitmap and size.
The result is checked by recomputing its summary; nothing is trusted.
"""

from __future__ import annotations

from typing import Any

from regabi.model.summary import summarize
from regabi.model.types import BASIC, Array, Field, GoType, Interface, Pointer, Slice, Struct

__all__ = ["realize", "same_summary"]

_INT = {1: "int8", 2: "int16", 4: "int32", 8: "int64"}
_ZERO_ALIGN = {1: Struct(()), 2: Array(0, BASIC["int16"]), 4: Array(0, BASIC["int32"]),
               8: Array(0, BASIC["int64"])}


def _leaf(g: tuple, ps: int) -> GoType | None:
    """The leaf kind of one group (isint, off, size, n, ptrMap, itab mask)."""
    isint, _off, size, n, ptr, itab = g
    if not isint:
        if itab or ptr:
            return None
        if n == 1:
            return {4: BASIC["float32"], 8: BASIC["float64"]}.get(size)
        if n == 2:
            return {4: BASIC["complex64"], 8: BASIC["complex128"]}.get(size)
        return None
    if n == 1 and not itab:
        if ptr == 1 and size == ps:
            return Pointer(BASIC["int"])
        if ptr == 0 and size in _INT and size <= ps:
            return BASIC[_INT[size]]
        return None
    if n == 2 and ps == 4 and size == 4 and not ptr and not itab:
        return BASIC["int64"]
    if size != ps:
        return None
    if n == 2 and (ptr, itab) == (1, 0):
        return BASIC["string"]
    if n == 2 and (ptr, itab) == (2, 1):
        return Interface()
    if n == 3 and (ptr, itab) == (1, 0):
        return Slice(BASIC["int"])
    return None


class _Builder:
    def __init__(self, ps: int) -> None:
        self.ps = ps
        self.fields: list[Field] = []
        self.end = 0
        self.align = 1
        self.names = iter("abcdefghijklmnopqrstuvwxyz")

    def add(self, t: GoType, blank: bool = False) -> None:
        lay = summarize(t, self.ps)
        self.end = ((self.end + lay.align - 1) & -lay.align) + lay.size
        self.align = max(self.align, lay.align)
        self.fields.append(Field("_" if blank else next(self.names, "z"), t))

    def at(self, off: int, t: GoType) -> bool:
        """Place ``t`` at ``off``: its own alignment, or a zero-size field aligning first."""
        al = summarize(t, self.ps).align
        natural = (self.end + al - 1) & -al
        if natural != off:
            for a in (2, 4, 8):
                if a <= self.ps and a > al and (self.end + a - 1) & -a == off:
                    self.add(_ZERO_ALIGN[a], blank=True)
                    break
            else:
                return False
        self.add(t)
        return self.end == off + summarize(t, self.ps).size

    def walked(self, groups: tuple) -> bool:
        for g in groups:
            leaf = _leaf(g, self.ps)
            if leaf is None or not self.at(g[1], leaf):
                return False
        return True


def _words(b: _Builder, t: dict) -> bool:
    """Plain words after a failed walk: the remaining pointer bitmap."""
    ps = b.ps
    w = (b.end + ps - 1) // ps
    while w < t["ptrwords"]:
        gc, heap = t["gc"] >> w & 1, t["heap"] >> w & 1
        if not b.at(w * ps, Pointer(BASIC["int"]) if heap else BASIC["uintptr"] if not gc
                    else Interface()):
            return False
        w = (b.end + ps - 1) // ps
    return True


def _finish(b: _Builder, t: dict, walk_done: bool) -> Struct | None:
    """Alignment and size: leading zero-size fields raise the alignment; the size comes from
    a trailing zero-size field (TYP-6) or, once the walk has failed, a byte array."""
    want_al = t["align"]
    if want_al > b.align:
        if want_al not in _ZERO_ALIGN or summarize(_ZERO_ALIGN[want_al], b.ps).align != want_al:
            return None
        b.fields.insert(0, Field("_", _ZERO_ALIGN[want_al]))
        b.align = want_al
    size = t["size"]
    if (b.end + b.align - 1) & -b.align == size:
        return Struct(tuple(b.fields))
    if b.end > 0 and (b.end + 1 + b.align - 1) & -b.align == size:
        return Struct((*b.fields, Field("_", Struct(()))))
    if not walk_done and size > b.end:
        k = size - b.end
        for cut in range(0, b.align):
            arr = Array(k - cut, BASIC["uint8"])
            if k - cut > 1 and (b.end + k - cut + b.align - 1) & -b.align == size:
                return Struct((*b.fields, Field("_", arr)))
    return None


def _candidates(t: dict, ps: int) -> list[GoType]:
    out: list[GoType] = []
    sslots, sn, sok = t["spec"]
    dslots, dn, dok = t["seed"]
    if t["cut"] or sn > len(sslots) or dn > len(dslots):
        return out
    if t["size"] == 0:
        al = t["align"]
        z = _ZERO_ALIGN.get(al)
        if z is not None:
            out.append(z)
            out.append(Struct((Field("_", z), Field("_", Array(2, Struct(()))))))
            out.append(Array(2, z))
        return out
    if sok:
        if len(sslots) == 1:
            leaf = _leaf(sslots[0], ps)
            if leaf is not None:
                out.append(leaf)
        b = _Builder(ps)
        if b.walked(sslots):
            st = _finish(b, t, walk_done=True)
            if st is not None:
                out.append(st)
        return out
    # the walk fails: after the spec's prefix, either a zero-size [2]struct{} (the seed's walk
    # skips it and goes on) or a non-zero [2]byte (both walks stop)
    for zero_marker in (True, False):
        b = _Builder(ps)
        if not b.walked(sslots):
            continue
        if zero_marker:
            b.add(Array(2, Struct(())), blank=True)
            if not b.walked(dslots[len(sslots):]) if len(dslots) >= len(sslots) else True:
                continue
            if not dok:
                b.add(Array(2, BASIC["uint8"]), blank=True)
        else:
            b.add(Array(2, BASIC["uint8"]), blank=True)
        if not _words(b, t):
            continue
        st = _finish(b, t, walk_done=False)
        if st is not None:
            out.append(st)
    return out


def same_summary(t: GoType, target: dict, ps: int) -> bool:
    from regabi.proofs.symbolic import concrete_target

    try:
        got = concrete_target(summarize(t, ps))
    except Exception:
        return False
    for k in ("size", "align", "ptrwords", "gc", "heap", "dir"):
        if got[k] != target[k]:
            return False
    for k in ("spec", "seed"):
        gs, gn, gok = got[k]
        ts, tn, tok = target[k]
        if gn != tn or gok != tok or tuple(gs) != tuple(ts):
            return False
    return True


def realize(target: dict, ps: int, nearest: bool = False) -> tuple[GoType | None, str]:
    """A Go type whose summary is ``target`` (a decoded summary), or (None, why not). With
    ``nearest``, the first construction even when its summary differs in some field (the
    caller re-checks it)."""
    cands = _candidates(target, ps)
    for t in cands:
        if same_summary(t, target, ps):
            return t, ""
    if not cands:
        return None, "no construction fits its register parts"
    if nearest:
        return cands[0], "nearest"
    return None, f"{len(cands)} constructions tried, none has exactly this summary"


def describe(target: dict) -> str:
    _sslots, sn, sok = target["spec"]
    return (f"size {target['size']} align {target['align']} ptrwords {target['ptrwords']} "
            f"gc {target['gc']:#b} heap {target['heap']:#b} parts {sn}"
            f"{'' if sok else ' (walk fails)'}")


_ = Any
