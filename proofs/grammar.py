"""Symbolic Go types from a small grammar, for the bounded counterexample search.

A value is a leaf, or a struct of up to ``fields`` fields, each absent or one of the field
choices: a leaf, a zero-size field (``[0]int64``, ``[0]int32``, ``struct{}``, ``[2]struct{}``),
or an array ``[n]leaf`` with n ≤ 3. Its summary is computed by the model's own type functions
(model/summary.py: ``struct_begin``/``struct_field``/``struct_end``) run over Z3 terms, so a
model of a query *is* a Go type — decoded, never reconstructed.
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


class Grammar:
    """The choices, and their concrete summaries (padded to a common number of groups)."""

    def __init__(self, ps: int, cap: int, fields: int = 3, max_len: int = 3) -> None:
        self.ps, self.cap, self.fields = ps, cap, fields
        self.leaves = _leaves()
        small = [BASIC["int8"], BASIC["int32"], BASIC["int64"], BASIC["float32"],
                 BASIC["float64"], Pointer(BASIC["int"]), BASIC["string"]]
        arrays = [Array(n, t) for n in range(max_len + 1) for t in small]
        self.choices: list[GoType] = [*self.leaves, *_zero(), *arrays]
        self.sums = [self._pad(summarize(t, ps)) for t in self.choices]
        self.leaf_sums = self.sums[:len(self.leaves)]

    def _pad(self, s: Summary) -> Summary:
        def pad(p: Parts) -> Parts:
            junk = Group(True, 0, 1, 1, 0, 0)
            gs = tuple(p.groups[:self.cap]) + (junk,) * (self.cap - min(len(p.groups),
                                                                       self.cap))
            return p._replace(groups=gs)
        return s._replace(spec=pad(s.spec), seed=pad(s.seed))

    def size(self) -> int:
        """How many values the grammar describes (leaves, and structs of up to ``fields``
        fields, counting each sequence of choices once)."""
        n = len(self.choices)
        return len(self.leaves) + sum(n ** k for k in range(self.fields + 1))


class SymType:
    """One symbolic value of the grammar."""

    def __init__(self, D: Z3Domain, g: Grammar, name: str) -> None:
        self.D, self.g = D, g
        z3 = D.z3
        self.is_leaf = D.fresh_bool(f"{name}.leaf")
        # choices are small bit-vectors (the solvers' logic has no integers)
        self.leaf = z3.BitVec(f"{name}.leafk", 8)
        self.slots = [z3.BitVec(f"{name}.f{i}", 8) for i in range(g.fields)]  # 0: absent
        self.constraints = [z3.ULT(self.leaf, len(g.leaves))]
        self.constraints += [z3.ULE(c, len(g.choices)) for c in self.slots]
        # absent fields come last: one struct, one encoding
        for a, b in zip(self.slots, self.slots[1:], strict=False):
            self.constraints.append(z3.Implies(a == 0, b == 0))
        self.summary = self._summary()

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
        for c in self.slots:
            f = self._pick(c - 1, g.sums)
            acc = D.sel(c == 0, acc, struct_field(D, acc, f, g.ps, g.cap))
        st = struct_end(D, acc)
        st = st._replace(spec=_fit(D, st.spec, g.cap), seed=_fit(D, st.seed, g.cap))
        return D.sel(self.is_leaf, self._pick(self.leaf, g.leaf_sums), st)

    def decode(self, m: Any) -> GoType:
        z3, g = self.D.z3, self.g
        if z3.is_true(m.eval(self.is_leaf, model_completion=True)):
            return g.leaves[m.eval(self.leaf, model_completion=True).as_long()]
        fields = []
        names = iter("abcdefgh")
        for c in self.slots:
            k = m.eval(c, model_completion=True).as_long()
            if k == 0:
                break
            t = g.choices[k - 1]
            zero = summarize(t, g.ps).size == 0
            fields.append(Field("_" if zero else next(names), t))
        return Struct(tuple(fields))


def _fit(D: Z3Domain, p: Parts, cap: int) -> Parts:
    junk = Group(True, 0, 1, 1, 0, 0)
    gs = tuple(p.groups[:cap]) + (junk,) * (cap - min(len(p.groups), cap))
    return p._replace(groups=gs)


_ = (array, basic, CONCRETE)
