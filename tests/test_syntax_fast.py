"""The batch parser's fast path (model/syntax.py ``_Fast``) against the full parser: on
thousands of seeded random signatures (the differential tests' generator, written both as
``str()`` and as the oracle's probes write them), the syntax corpus, and random mutations of
them, ``parse_signatures`` gives the same result with the fast path on and off — equal
types, the same spelling of every type, the same names, the same interface facts, the same
errors. The full parser (tree-sitter, every check of go/types and the compiler) is the
reference; the fast path only has to agree with it or give up."""

from __future__ import annotations

import random
from typing import Any

import pytest
from syntax_corpus import SIGS

import regabi.model.syntax as syn
from regabi.errors import InputError
from regabi.gocheck.sigs import probe_sig
from regabi.model.corpus import BUILTIN, random_signature
from regabi.model.sig import Signature
from regabi.model.types import Array, Chan, Func, GoType, Interface, Map, Pointer, Slice, Struct

SEED = 20261202

#: token-level mutations: what the fast path must either read exactly as Go does or refuse
_VOCAB = ["(", ")", "[", "]", "{", "}", ",", ";", " ", "func", "func()", "struct", "interface",
          "map", "chan", "<-", "*", "...", "_", "a", "M()", "M ()", "_()", "int", "error", "any",
          "byte", "rune", "unsafe.Pointer", "unsafe. Pointer", "unsafe.Sizeof", "0", "00", "01",
          "7", "1<<62", "9223372036854775807", "2147483648", "\t", "\n", "//", "[]func()",
          "map[[]int]int", "map[func()]int", "chan [70000]byte", "[1<<40]*int", "f0 int",
          "f0 int; f0 int", "type", "comparable", "interface{ M(); N() }", "interface{ int }",
          "struct{ int }", "struct{ a, b int }", "struct{ a int; }", "é"]
#: valid types, so that many mutants stay valid and the fast path reads them
_VALID = ["int8", "string", "*int", "[]string", "[3]int", "[0]struct{}", "map[string]int",
          "chan int", "func(int) string", "struct{f0 int; _ int}", "interface{}",
          "interface{ M() }", "float64", "complex128", "uintptr", "bool", "error", "any",
          "byte", "rune", "[1<<40]byte", "[1<<62]byte", "[2147483648]byte", "map[any]int",
          "map[[2]int]int", "map[interface{ M() }]*int", "chan [70000]byte", "func() func()",
          "func(int, string) (bool, error)", "struct{a int; a int}", "[1]struct{_ int; _ int}",
          "[0]func()", "*interface{ M() }", "[]interface{}", "chan chan int"]


def _facts(t: GoType) -> list[Any]:
    """Everything about a type the full parser records, recursively (no declarations: no
    recursive types): its class, spelling and, for an interface, the facts kept in its
    per-object cache. Object identity is not compared: the two memos share differently."""
    out: list[Any] = [type(t).__name__, str(t)]
    if isinstance(t, Interface):
        out += [t._lay.get(syn._CONSTRAINT), [str(f) for f in t._lay.get(syn._FUNCS, [])],
                sorted((k, str(v)) for k, v in t._lay.get(syn._MSET, {}).items())]
    kids: list[GoType] = []
    if isinstance(t, (Pointer, Slice, Array, Chan)):
        kids = [t.elem]
    elif isinstance(t, Map):
        kids = [t.key, t.elem]
    elif isinstance(t, Struct):
        kids = [f.type for f in t.fields]
        out.append([(f.name, f.embedded) for f in t.fields])
    elif isinstance(t, Func):
        kids = [*t.params, *t.results]
        out.append(t.variadic)
    for k in kids:
        out += _facts(k)
    return out


def _view(r: Signature | InputError) -> Any:
    if isinstance(r, InputError):
        return ("error", type(r).__name__, str(r))
    return ("sig", r, r.param_names, r.result_names, r.variadic, r.recv, r.go(),
            [_facts(t) for t in (*r.params, *r.results)])


def _both(texts: list[str], ps: int) -> tuple[list[Any], list[Any], int]:
    """parse_signatures with the fast path and without it (fresh memos for each), and how many
    items the fast path read itself."""
    syn._MEMO.clear()
    syn._FAST_MEMO.clear()
    fast = syn._Fast(ps)
    n_fast = sum(fast.signature(t.encode()) is not None for t in texts)
    syn._FAST_MEMO.clear()
    with_fast = [_view(r) for r in syn.parse_signatures(texts, ptr_size=ps)]
    syn._MEMO.clear()
    syn._FAST_MEMO.clear()
    old = syn._FAST
    syn._FAST = False
    try:
        full = [_view(r) for r in syn.parse_signatures(texts, ptr_size=ps)]
    finally:
        syn._FAST = old
        syn._MEMO.clear()
        syn._FAST_MEMO.clear()
    return with_fast, full, n_fast


def _random_texts(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        s = random_signature(rng, receiver=False)
        out.append(s.go() if rng.random() < 0.3 else str(probe_sig(s)["func"]))
    return out


def _mutate(rng: random.Random, text: str) -> str:
    """One or two token edits; half of them put a vocabulary entry in place of a type name
    (mostly valid Go), the others insert, delete or replace any token (mostly invalid)."""
    toks = syn._FAST_TOK.findall(text.encode())
    for _ in range(1 if rng.random() < 0.7 else 2):
        names = [i for i, t in enumerate(toks) if t in _NAMES]
        k = rng.randrange(len(toks) + 1)
        op = rng.random()
        if op < 0.6 and names:
            pick = _VALID if rng.random() < 0.7 else _VOCAB
            toks[rng.choice(names)] = rng.choice(pick).encode()
        elif op < 0.7 and toks:
            del toks[min(k, len(toks) - 1)]
        elif op < 0.85:
            toks.insert(k, rng.choice(_VOCAB).encode())
        elif toks:
            toks[min(k, len(toks) - 1)] = rng.choice(_VOCAB).encode()
    out = b""
    for t in toks:  # a space where two names would merge, else one now and then
        if out and (rng.random() < 0.05 or ((out[-1:].isalnum() or out[-1:] == b"_") and (
                t[:1].isalnum() or t[:1] == b"_"))):
            out += b" "
        out += t
    return out.decode("utf-8", "replace")


_NAMES = frozenset(t.encode() for t in ("int", "int8", "int16", "int32", "int64", "uint8",
                                        "uint32", "uint64", "uintptr", "bool", "string",
                                        "float32", "float64", "complex64", "complex128",
                                        "unsafe.Pointer"))


def _assert_same(texts: list[str], with_fast: list[Any], full: list[Any], seed: int) -> None:
    for t, a, b in zip(texts, with_fast, full, strict=True):
        assert a == b, f"seed {seed}: fast path and full parser differ on {t!r}:\n{a}\n{b}"


@pytest.mark.parametrize("ps", [8, 4])
def test_fast_path_agrees_on_random_signatures(ps: int) -> None:
    rng = random.Random(SEED + ps)
    texts = _random_texts(rng, 2500)
    with_fast, full, n_fast = _both(texts, ps)
    _assert_same(texts, with_fast, full, SEED + ps)
    # vacuity: the fast path really read (nearly) all of them itself
    assert n_fast >= 0.95 * len(texts), (n_fast, len(texts))


@pytest.mark.parametrize("ps", [8, 4])
def test_fast_path_agrees_on_corpus_and_mutations(ps: int) -> None:
    seed = SEED + 100 + ps
    rng = random.Random(seed)
    base = [s for s, decls, _ in SIGS if not decls] + list(BUILTIN) + _random_texts(rng, 300)
    mutants = [_mutate(rng, rng.choice(base)) for _ in range(3000)]
    with_fast, full, _ = _both(base + mutants, ps)
    _assert_same(base + mutants, with_fast, full, seed)
    _, _, n_fast = _both(mutants, ps)
    errors = sum(v[0] == "error" for v in full[len(base):])
    # vacuity: valid and invalid mutants, and the fast path read many of them itself
    assert errors > 500 and n_fast > 500, (errors, n_fast)


def test_fast_path_memo_shares_types() -> None:
    """Within a batch, the same type text gives the same object (summaries are computed once),
    as with the full parser's memo."""
    syn._FAST_MEMO.clear()
    a, b = syn.parse_signatures(["func(struct{f0 int; f1 *int}) int",
                                 "func(int, struct{f0 int; f1 *int})"])
    assert isinstance(a, Signature) and isinstance(b, Signature)
    assert a.params[0] is b.params[1]
