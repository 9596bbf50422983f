"""Signatures to check: a built-in corpus and a seeded random generator (no Hypothesis, so the
CLI and the benchmark stay light). The Hypothesis strategies live in regabi.strategies."""

from __future__ import annotations

import random

from regabi.model.sig import Signature
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

__all__ = ["BUILTIN", "random_signature", "random_type"]

#: The default corpus of ``regabi check``: each line exercises one rule or a boundary.
BUILTIN: tuple[str, ...] = (
    "func()",
    "func(int) int",
    "func(a, b int, s string) (float64, error)",
    "func(int8, int16, int32, int64, uint, uintptr, bool) uint8",
    "func(float32, float64, complex64, complex128) complex128",
    "func(p *int, m map[string]int, c chan int, f func(), u unsafe.Pointer) *byte",
    "func(s []byte, e interface{}, i interface{ M() }) ([]int, any)",
    "func(a [0]int64, b [1]float64, c [1]*int, d [2]int8) [1]string",
    "func(s struct{}, t struct{ x int8; _ [0]int64 }) struct{ a, b float32 }",
    "func(s struct{ a int8; z [0]int64 }, b int) int",
    "func(a [2]int8, z [0]int64, b [2]int8)",
    "func(s struct{ a [2]struct{}; b int }) int",
    "func(s struct{ a, b, c, d, e, f, g, h, i, j int }, b int) string",
    "func(a, b, c, d, e, f, g, h, i, j int) (x, y, z, w, u, v, r, q, o, n int)",
    "func(a, b, c, d, e, f, g, h int, s string) string",
    "func(f1, f2, f3, f4, f5, f6, f7, f8 complex128) float64",
    "func(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13 float64, c complex64) int",
    "func(s struct{ p *int; x float64; q []string }) (struct{ a *int; b int }, *int)",
    "func(x struct{ _ [0]func(); p *int }) struct{ _ struct{}; q *int }",
    "func(...string) []string",
    "func([3]int, *[3]int) [3]int",
    "func(m map[int]string, i interface{}) (interface{}, bool, error)",
)

_LEAVES = [BASIC[n] for n in (
    "bool", "int8", "int16", "int32", "int64", "int", "uint8", "uint32", "uint64", "uintptr",
    "float32", "float64", "complex64", "complex128", "string", "unsafe.Pointer",
)] + [Pointer(BASIC["int"]), Slice(BASIC["byte"]), Interface(()), Interface(("M()",)),
      Map(BASIC["string"], BASIC["int"]), Chan(BASIC["int"]), Func((), (), False),
      Struct(()), Array(0, BASIC["int64"])]


def random_type(rng: random.Random, depth: int = 2) -> GoType:
    """A random Go type: mostly leaves, sometimes arrays (length 0, 1 or n) and structs
    (with blank and zero-size fields)."""
    r = rng.random()
    if depth <= 0 or r < 0.55:
        return rng.choice(_LEAVES)
    if r < 0.75:
        n = rng.choice((0, 1, 1, 2, 3))
        return Array(n, random_type(rng, depth - 1))
    nf = rng.randint(0, 4)
    fields = []
    for i in range(nf):
        ft = random_type(rng, depth - 1)
        name = "_" if rng.random() < 0.15 else f"f{i}"
        fields.append(Field(name, ft))
    return Struct(tuple(fields))


def random_signature(rng: random.Random, *, max_params: int = 8, max_results: int = 4,
                     receiver: bool | None = None, depth: int = 2) -> Signature:
    """A random signature; ``receiver`` None means "sometimes"."""
    ps = tuple(random_type(rng, depth) for _ in range(rng.randint(0, max_params)))
    rs = tuple(random_type(rng, depth) for _ in range(rng.randint(0, max_results)))
    has_recv = rng.random() < 0.2 if receiver is None else receiver
    recv = None
    while has_recv and (recv is None or recv.kind == Kind.INTERFACE):
        recv = random_type(rng, 1)  # reflect never lays out an interface receiver (RFL-5)
    return Signature(ps, rs, recv)
