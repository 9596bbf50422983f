"""The Go syntax front end (model/syntax.py, spec rule SIG-2): signatures, declarations, files,
and one-line positioned errors for bad input."""

from __future__ import annotations

import pytest

from regabi.errors import (
    GoSyntaxError,
    GoTypeError,
    InputError,
    TypeTooLargeError,
    UnsupportedError,
)
from regabi.model.syntax import parse_file, parse_go_file, parse_signature, parse_type
from regabi.model.types import BASIC, Array, Interface, Named, Pointer, Slice, Struct, layout

INT, STRING = BASIC["int"], BASIC["string"]


# ----------------------------------------------------------------------------------------------
# signatures


def test_unnamed_params() -> None:
    sig = parse_signature("func(int, string) (bool, error)")
    assert sig.params == (INT, STRING)
    assert sig.results[0] == BASIC["bool"]
    assert isinstance(sig.results[1], Named) and sig.results[1].name == "error"
    assert sig.recv is None and not sig.variadic


def test_named_params_share_a_type() -> None:
    sig = parse_signature("func(a, b int, s string) (n int, err error)")
    assert sig.params == (INT, INT, STRING)
    assert sig.param_names == ("a", "b", "s")
    assert sig.result_names == ("n", "err")


def test_func_keyword_optional() -> None:
    assert parse_signature("(a int) string") == parse_signature("func(a int) string")


def test_variadic() -> None:
    sig = parse_signature("func(format string, args ...any)")
    assert sig.variadic
    assert sig.params == (STRING, Slice(Interface(())))
    assert sig.go() == "func(format string, args ...interface{})"
    unnamed = parse_signature("func(int, ...string)")
    assert unnamed.variadic and unnamed.params[1] == Slice(STRING)


def test_receiver() -> None:
    sig = parse_signature("func(x int) int", recv="*S", decls="type S struct{ a, b int }")
    assert isinstance(sig.recv, Pointer)
    assert isinstance(sig.recv.elem, Named) and sig.recv.elem.name == "S"
    assert sig.params == (INT,)
    by_value = parse_signature("func()", recv="S", decls="type S struct{ a, b int }")
    assert layout(by_value.recv, 8).size == 16  # type: ignore[arg-type]


def test_named_types_and_aliases() -> None:
    decls = ("type S struct{ a int8; b int64 }\n"
             "type A = struct{ x int32 }\n"
             "type N int16\n"
             "type P = *S")
    sig = parse_signature("func(s S, a A, n N, p P)", decls=decls)
    s, a, n, p = sig.params
    assert isinstance(s, Named) and s.name == "S" and layout(s, 8).size == 16
    assert isinstance(a, Struct)  # an alias is the type itself, not a new named type
    assert isinstance(n, Named) and n.underlying == BASIC["int16"]
    assert p == Pointer(s)


def test_self_referential_through_pointer() -> None:
    sig = parse_signature("func(l L) *L", decls="type L struct{ next *L; v int }")
    (l_,) = sig.params
    assert layout(l_, 8).size == 16
    assert layout(l_, 8).gcmask == 0b01


def test_array_length_constants() -> None:
    t = parse_type("[N * 2 + 1]int8", decls="const N = 3")
    assert t == Array(7, BASIC["int8"])
    assert parse_type("[0x10]byte") == Array(16, BASIC["uint8"])


def test_unsafe_pointer_and_error() -> None:
    sig = parse_signature("func(p unsafe.Pointer) error")
    assert sig.params == (BASIC["unsafe.Pointer"],)


# ----------------------------------------------------------------------------------------------
# files

GO_FILE = """package demo

import "unsafe"

type Point struct {
	X, Y float64
}

type List struct {
	next *List
	val  int
}

// Dist is a plain function.
func Dist(a, b Point) float64 { return 0 }

func (p *Point) Scale(f float64) { p.X *= f }

func (l List) Len() (n int) { return 0 }

func Raw(p unsafe.Pointer, rest ...uintptr) {}
"""


def test_parse_file_functions_and_methods() -> None:
    decls = parse_file(GO_FILE)
    assert [d.name for d in decls] == ["Dist", "(*Point).Scale", "(List).Len", "Raw"]
    assert [d.line for d in decls] == [15, 17, 19, 21]
    dist, scale, ln, raw = (d.sig for d in decls)
    assert dist.recv is None and len(dist.params) == 2 and dist.results == (BASIC["float64"],)
    assert isinstance(scale.recv, Pointer) and scale.params == (BASIC["float64"],)
    assert isinstance(ln.recv, Named) and ln.result_names == ("n",)
    assert raw.variadic and raw.params[1] == Slice(BASIC["uintptr"])


# ----------------------------------------------------------------------------------------------
# bad input: an InputError subclass, one line, naming line:col


def _one_line_at(e: InputError, line: int, col: int) -> None:
    s = str(e)
    assert "\n" not in s
    assert (e.line, e.column) == (line, col)
    assert f":{line}:{col}:" in s


def test_syntax_error_position() -> None:
    with pytest.raises(GoSyntaxError) as ei:
        parse_signature("func(a int")
    # "func(a int" is 10 columns; the error is at end of input, column 11
    _one_line_at(ei.value, 1, 11)


def test_undefined_name_column() -> None:
    with pytest.raises(GoTypeError) as ei:
        parse_signature("func(x Foo)")
    # f1 u2 n3 c4 (5 x6 _7 F8
    _one_line_at(ei.value, 1, 8)
    assert "Foo" in str(ei.value)


def test_undefined_name_column_later() -> None:
    with pytest.raises(GoTypeError) as ei:
        parse_signature("func(a int, b []Bar) int")
    # "func(a int, b []" is 16 columns: Bar starts at 17
    _one_line_at(ei.value, 1, 17)


def test_type_parameters_refused() -> None:
    with pytest.raises(InputError) as ei:
        parse_signature("func(x G[int])", decls="type G[T any] struct{ x T }")
    assert "\n" not in str(ei.value) and ei.value.line is not None
    # in a file, a generic function is skipped with the reason, not an error for the file
    f = parse_go_file("package p\n\nfunc F[T any](x T) {}\nfunc G() {}\n")
    assert [d.name for d in f.funcs] == ["G"]
    assert [(s.name, s.line) for s in f.skipped] == [("F", 3)]
    assert "generic" in f.skipped[0].reason


def test_recursive_value_type_refused() -> None:
    with pytest.raises(GoTypeError) as ei:
        parse_signature("func(t T)", decls="type T struct{ t T }")
    assert "recursive" in str(ei.value)
    assert "\n" not in str(ei.value) and ei.value.line is not None


def test_recursive_through_array_refused() -> None:
    with pytest.raises(GoTypeError):
        parse_signature("func(t T)", decls="type T struct{ a [2]T }")


def test_overflowing_size_refused_with_position() -> None:
    with pytest.raises(TypeTooLargeError) as ei:
        parse_signature("func(x [1<<60]byte)")
    # the type [1<<60]byte starts at column 8
    _one_line_at(ei.value, 1, 8)


def test_bad_array_length() -> None:
    with pytest.raises(InputError) as ei:
        parse_signature("func(x [n]byte)")
    assert "\n" not in str(ei.value) and ei.value.line == 1


def test_file_error_line() -> None:
    with pytest.raises(GoTypeError) as ei:
        parse_file("package p\n\nfunc F(a int,\n\tb Missing) {}\n")
    # "\tb Missing": tab is column 1, b column 2, Missing column 4
    _one_line_at(ei.value, 4, 4)


def test_errors_are_input_errors() -> None:
    for cls in (GoSyntaxError, GoTypeError, UnsupportedError, TypeTooLargeError):
        assert issubclass(cls, InputError)
