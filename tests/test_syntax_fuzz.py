"""Fuzzing the Go front end (model/syntax.py): on arbitrary bytes and on mutated valid
signatures and files, parse_signature / parse_type / parse_go_file either succeed or raise an
InputError (one line, with a position when it names one), never anything else, and each input
takes less than TIME_BOUND seconds (spec SIG-5).

Hypothesis runs derandomized (tests/conftest.py, profile "ci"); a failure prints the input.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regabi.errors import InputError
from regabi.model.syntax import parse_go_file, parse_signature, parse_type
from regabi.strategies import signature_texts

TIME_BOUND = 2.0

_FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                       HealthCheck.filter_too_much])

#: tokens that stress the grammar, the constant evaluator and the limits
_VOCAB = ["(", ")", "[", "]", "{", "}", "\n", "//", "/*", "*/", "...", ",", ";", "func",
          "struct", "interface", "map", "chan", "<-", "*", "iota", "1<<63", "'", '"', "`",
          "~", "|", "_", "unsafe.Sizeof(", "len(", "0x", "1e9", "int", "error", "any", "type",
          "const", "T", "=", "-", "^", ".", "\t", "\\", "\xff", "\x00", "[1]" * 60, "(" * 60,
          "func(" * 60, "comparable", "package"]

_SEED_FILE = """package p

import "unsafe"

const N = 1 << 3

type L struct {
	next *L
	v    [N]int
}

type Fn func(Fn) Fn

func F(a, b int, l *L, f Fn) (x [unsafe.Sizeof(L{})]byte, err error) { return }

func (l L) M(s ...string) {}
"""


def _bounded(fn, *args, **kw) -> None:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    try:
        fn(*args, **kw)
    except InputError as e:
        s = str(e)
        assert "\n" not in s, s
        assert e.line is None or (e.line >= 1 and (e.column or 1) >= 1), s
    took = time.perf_counter() - t0
    assert took < TIME_BOUND, f"{took:.2f}s for {args[0]!r}"


@_FUZZ
@given(st.binary(max_size=400))
def test_bytes_as_signature(data: bytes) -> None:
    _bounded(parse_signature, data)


@_FUZZ
@given(st.binary(max_size=400))
def test_bytes_as_type(data: bytes) -> None:
    _bounded(parse_type, data)


@_FUZZ
@given(st.binary(max_size=600))
def test_bytes_as_file(data: bytes) -> None:
    _bounded(parse_go_file, data)
    _bounded(parse_go_file, b"package p\n" + data)


@st.composite
def _mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    text = draw(base)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "dup"]))
        if op == "insert":
            text = text[:i] + draw(st.sampled_from(_VOCAB)) + text[i:]
        elif op == "delete":
            j = draw(st.integers(i, min(len(text), i + 8)))
            text = text[:i] + text[j:]
        elif op == "replace" and i < len(text):
            text = text[:i] + draw(st.sampled_from(_VOCAB)) + text[i + 1:]
        else:
            j = draw(st.integers(i, min(len(text), i + 20)))
            text = text[:j] + text[i:j] + text[j:]
    return text


@_FUZZ
@given(_mutated(signature_texts(max_params=4, max_results=2)))
def test_mutated_signatures(text: str) -> None:
    _bounded(parse_signature, text)
    _bounded(parse_signature, text, ptr_size=4)


@_FUZZ
@given(_mutated(st.just(_SEED_FILE)))
def test_mutated_files(text: str) -> None:
    _bounded(parse_go_file, text)


@_FUZZ
@given(_mutated(st.sampled_from(["func(x [N]T, y S) (r R)", "func(a A) B"])),
       _mutated(st.just("const N = iota + 2\ntype T [N]S\ntype S struct{ a *T; b [2]int }\n"
                        "type R = map[string]S\ntype A func(A) B\ntype B interface{ M(A) }")))
def test_mutated_signatures_with_decls(text: str, decls: str) -> None:
    _bounded(parse_signature, text, decls=decls)
