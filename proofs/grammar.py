"""Symbolic Go types from a small grammar, for the bounded counterexample search.

A value is a leaf, or a struct of up to ``fields`` fields, each absent or one of the field
choices: a leaf, a zero-size field (``[0]int64``, ``[0]int32``, ``struct{}``, ``[2]struct{}``),
an array ``[n]leaf`` with n ≤ 3, or — below ``depth`` levels of nesting — the value's one
inner struct, itself such a struct one level down (so ``struct{a int8; b S; c S}`` with the
same S twice is in the grammar; two different inner structs in one struct are not). Its
summary is computed by the model's own type functions (model/summary.py:
``struct_begin``/``struct_field``/``struct_end``) run over Z3 terms, so a model of a query
*is* a Go type — decoded, never reconstructed.

Leaf kinds whose summaries are equal are represented once (uint8 by int8, … ; map, chan,
func and unsafe.Pointer by ``*int``): the algorithms see only the summary.
"""

from __future__ import annotations

from typing import Any

from regabi.model.domain import CONCRETE, Z3Domain
from regabi.model.summary import (
    Group,
    Parts,
    Summary,
    array,
    basic,
    struct_begin,
    struct_end,
    struct_field,
    summarize,
)
from regabi.model.types import BASIC, Array, Field, GoType, Interface, Pointer, Slice, Struct

__all__ = ["Grammar", "SymType"]


def _leaves() -> list[GoType]:
    names = ("bool int8 int16 int32 int64 int float32 float64 complex64 complex128 string "
             "uintptr").split()
    return [BASIC[n] for n in names] + [Pointer(BASIC["int"]), Slice(BASIC["int"]),
                                        Interface()]


def _zero() -> list[GoType]:
    return [Array(0, BASIC["int64"]), Array(0, BASIC["int32"]), Struct(()),
            Array(2, Struct(()))]


#: an inner struct's field choices: every alignment (1, 2, 4, 8), both register classes, a
#: pointer, two-part values, zero-size values and an array that fails the register walk — each
#: nesting level multiplies a query's terms by its choices, so inner levels take these few
INNER_CHOICES = ("int8", "int16", "int32", "int64", "float32", "float64", "complex128", "*int",
                 "string", "[0]int64", "struct{}", "[2]int8")


class Grammar:
    """The choices, and their concrete summaries (padded to a common number of groups)."""

    def __init__(self, ps: int, cap: int, fields: int = 3, max_len: int = 3,
                 depth: int = 1) -> None:
        if depth < 1 or fields < 1:
            raise ValueError(f"a grammar needs depth ≥ 1 and fields ≥ 1, got {depth}, {fields}")
        self.ps, self.cap, self.fields, self.depth = ps, cap, fields, depth
        self.leaves = _leaves()
        small = [BASIC["int8"], BASIC["int32"], BASIC["int64"], BASIC["float32"],
                 BASIC["float64"], Pointer(BASIC["int"]), BASIC["string"]]
        arrays = [Array(n, t) for n in range(max_len + 1) for t in small]
        self.choices: list[GoType] = [*self.leaves, *_zero(), *arrays]
        self.sums = [pad(summarize(t, ps), self.cap) for t in self.choices]
        self.leaf_sums = self.sums[:len(self.leaves)]
        # an inner struct's fields: INNER_CHOICES, each once
        keep = [self.choices.index(t) for t in dict.fromkeys(
            t for t in self.choices if str(t) in INNER_CHOICES)]
        self.inner_choices = [self.choices[i] for i in keep]
        self.inner_sums = [self.sums[i] for i in keep]


class SymType:
    """One symbolic value of the grammar."""

    def __init__(self, D: Z3Domain, g: Grammar, name: str, depth: int | None = None,
                 struct_only: bool = False) -> None:
        self.D, self.g = D, g
        z3 = D.z3
        self.depth = g.depth if depth is None else depth
        self.struct_only = struct_only
        self.is_leaf = D.fresh_bool(f"{name}.leaf")
        # choices are small bit-vectors (the solvers' logic has no integers)
        self.leaf = z3.BitVec(f"{name}.leafk", 8)
        self.slots = [z3.BitVec(f"{name}.f{i}", 8) for i in range(g.fields)]  # 0: absent
        # choice len(choices) + 1: the inner struct, one level down
        self.inner = (SymType(D, g, f"{name}.s", self.depth - 1, struct_only=True)
                      if self.depth > 1 else None)
        self.choices = g.inner_choices if struct_only else g.choices
        self.sums = g.inner_sums if struct_only else g.sums
        top = len(self.choices) + (self.inner is not None)
        self.constraints = [z3.ULT(self.leaf, len(g.leaves))]
        self.constraints += [z3.ULE(c, top) for c in self.slots]
        # absent fields come last: one struct, one encoding
        for a, b in zip(self.slots, self.slots[1:], strict=False):
            self.constraints.append(z3.Implies(a == 0, b == 0))
        if self.inner is not None:
            self.constraints += self.inner.constraints
        self.summary = self._summary()
        if not struct_only:
            # the bound on register groups (the full query's WF-GROUPS-SEEN): a value of more
            # would have lost groups past the ``cap`` slots; said here, the relaxed query
            # knows it too (nested structs reach more groups than a flat struct's slots)
            self.constraints += [D.ule(self.summary.spec.n, g.cap),
                                 D.ule(self.summary.seed.n, g.cap)]

    def _pick(self, k: Any, sums: list[Summary]) -> Summary:
        D = self.D
        sets = [s._replace(gc=D.as_set(s.gc), heap=D.as_set(s.heap)) for s in sums]
        out = sets[0]
        for i, s in enumerate(sets[1:], start=1):
            out = D.sel(k == i, s, out)
        return out

    def _summary(self) -> Summary:
        D, g = self.D, self.g
        acc = struct_begin(D, g.cap)
        inner = self.inner.summary if self.inner is not None else None
        for c in self.slots:
            f = self._pick(c - 1, self.sums)
            if inner is not None:
                f = D.sel(c == len(self.choices) + 1, inner, f)
            acc = D.sel(c == 0, acc, struct_field(D, acc, f, g.ps, g.cap))
        st = struct_end(D, acc)
        st = pad(st, g.cap)
        if self.struct_only:
            return st
        return D.sel(self.is_leaf, self._pick(self.leaf, g.leaf_sums), st)

    def decode(self, m: Any) -> GoType:
        z3, g = self.D.z3, self.g
        if not self.struct_only and z3.is_true(m.eval(self.is_leaf, model_completion=True)):
            return g.leaves[m.eval(self.leaf, model_completion=True).as_long()]
        inner = self.inner.decode(m) if self.inner is not None else None
        fields = []
        names = iter("abcdefgh")
        for c in self.slots:
            k = m.eval(c, model_completion=True).as_long()
            if k == 0:
                break
            t = (inner if k == len(self.choices) + 1 and inner is not None
                 else self.choices[k - 1])
            zero = summarize(t, g.ps).size == 0
            fields.append(Field("_" if zero else next(names), t))
        return Struct(tuple(fields))


def pad(s: Summary, cap: int) -> Summary:
    """``s`` with exactly ``cap`` register groups in each walk: its first ones, then unused
    ones (a symbolic value has a fixed number of group slots; the walk's count ``n`` says how
    many are real)."""
    def fit(p: Parts) -> Parts:
        junk = Group(True, 0, 1, 1, 0, 0)
        return p._replace(groups=tuple(p.groups[:cap]) + (junk,) * (cap - min(len(p.groups),
                                                                              cap)))
    return s._replace(spec=fit(s.spec), seed=fit(s.seed))


_ = (array, basic, CONCRETE)
