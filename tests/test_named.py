"""Named types (model/types.py Named; spec SIG-4, TYP-12): created first and bound later so that
their underlying type may mention them; identity is (scope, name); equality, hashing, str(),
layout(), reg_parts() and pickling terminate on recursive types. Also the front end's handling
of the target's pointer size, and batches spread over lines."""

from __future__ import annotations

import pickle

import pytest

from regabi.cli import main
from regabi.errors import GoSyntaxError, InputError
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature, parse_signatures
from regabi.model.types import (
    BASIC,
    Array,
    Field,
    Func,
    Interface,
    Kind,
    Named,
    Pointer,
    Slice,
    Struct,
    layout,
    reg_parts,
)

INT = BASIC["int"]


def test_structural_named_as_before() -> None:
    a = Named("S", Struct((Field("x", INT),)))
    b = Named("S", Struct((Field("x", INT),)))
    assert a == b and hash(a) == hash(b) and a.bound
    assert a != Named("S", Struct((Field("y", INT),)))
    assert a.underlying == Struct((Field("x", INT),)) and a.under == a.underlying
    assert a.kind == Kind.STRUCT and str(a) == "S"
    assert Named("T", a).underlying == a.underlying  # underlying of a named type is not named


def test_declare_then_bind_recursive() -> None:
    fn = Named("Fn", scope="p")
    assert not fn.bound
    with pytest.raises(TypeError):
        _ = fn.underlying
    fn.bind(Func((fn,), (fn,)))
    assert fn.kind == Kind.FUNC and str(fn) == "Fn" and str(fn.underlying) == "func(Fn) Fn"
    with pytest.raises(TypeError):
        fn.bind(INT)
    # identity is (scope, name): the same declaration; another scope is another type
    assert fn == Named("Fn", scope="p") and fn != Named("Fn", scope="q")
    # a pointer-shaped value: one word holding a pointer (TYP-2, TYP-9)
    assert layout(fn, 8).size == 8 and layout(fn, 8).gcmask == 1
    assert reg_parts(fn, 8) is not None and len(reg_parts(fn, 8)) == 1  # type: ignore[arg-type]


def test_mutual_recursion_through_pointer_lays_out() -> None:
    # type A struct{ b *B; n int32 }; type B struct{ a A; s []B }
    a, b = Named("A", scope="m"), Named("B", scope="m")
    a.bind(Struct((Field("b", Pointer(b)), Field("n", BASIC["int32"]))))
    b.bind(Struct((Field("a", a), Field("s", Slice(b)))))
    # A: pointer (8) + int32 (4) + padding = 16; B: A (16) + slice (24) = 40, on 64-bit
    assert layout(a, 8).size == 16 and layout(b, 8).size == 40
    # B's pointer words: A.b (word 0) and the slice's data (word 2)
    assert layout(b, 8).gcmask == 0b101
    assert str(b.underlying) == "struct{a A; s []B}"
    assert a.leaves() == 2 and b.leaves() == 5


def test_pickle_recursive() -> None:
    s = Named("S", scope="p")
    s.bind(Struct((Field("f", Func((s,), ())), Field("next", Pointer(s)))))
    t = pickle.loads(pickle.dumps(s))
    assert t == s and t.underlying.fields[1].type.elem is t  # type: ignore[attr-defined]
    e = Named("error", Interface(("Error() string",)))
    assert pickle.loads(pickle.dumps(e)) == e


def test_parsed_recursive_types_share_identity_per_declarations() -> None:
    decls = "type Fn func(Fn) Fn"
    a = parse_signature("func(f Fn) Fn", decls=decls)
    b = parse_signature("func(f Fn) Fn", decls=decls)
    assert a == b  # the same declarations: the same types
    c = parse_signature("func(f Fn) Fn", decls="type Fn func(Fn) int")
    assert a != c


def test_pointer_size_threads_into_constants() -> None:
    # unsafe.Sizeof(uintptr(0)) is the pointer size; int is 4 bytes on 32-bit targets
    s8 = parse_signature("func(x [unsafe.Sizeof(uintptr(0))]byte, y [unsafe.Sizeof(0)]int8)")
    s4 = parse_signature("func(x [unsafe.Sizeof(uintptr(0))]byte, y [unsafe.Sizeof(0)]int8)",
                         ptr_size=4)
    assert s8.params[0] == Array(8, BASIC["uint8"]) and s8.params[1] == Array(8, BASIC["int8"])
    assert s4.params[0] == Array(4, BASIC["uint8"]) and s4.params[1] == Array(4, BASIC["int8"])
    # [1<<31]byte: an int on 64-bit, not on 32-bit (go/types arrayLength reports at the length,
    # which starts at column 10 after the 9 bytes "func(x *[")
    parse_signature("func(x *[1<<31]byte)")
    with pytest.raises(InputError) as ei:
        parse_signature("func(x *[1<<31]byte)", ptr_size=4)
    assert "invalid array length" in str(ei.value) and ei.value.column == 10


def test_cli_arch_sets_pointer_size(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["layout", "func(x [unsafe.Sizeof(int(0))]byte)", "--arch", "386",
                 "--json", "--variant", "spec"]) == 0
    (rep,) = json.loads(capsys.readouterr().out)  # --json is always a list
    assert rep["values"][0]["size"] == 4


def test_batch_items_over_several_lines() -> None:
    out = parse_signatures(["func(a int,\n  b string)", "func()\n(int)", "func(x int) // c",
                            "(int) string", "func(a int\n)"])
    assert isinstance(out[0], Signature) and out[0].params == (INT, BASIC["string"])
    e1 = out[1]
    assert isinstance(e1, GoSyntaxError) and (e1.source, e1.line, e1.column) == ("item 1", 2, 1)
    assert isinstance(out[2], Signature) and isinstance(out[3], Signature)
    e4 = out[4]
    # "func(a int" is 10 bytes: the newline Go turns into a semicolon is column 11
    assert isinstance(e4, InputError) and (e4.source, e4.line, e4.column) == ("item 4", 1, 11)


def test_func_prefix_keeps_columns() -> None:
    with pytest.raises(InputError) as ei:
        parse_signature("  (a Foo) int")
    # "  (a " is 5 bytes: Foo at column 6 of the user's text, whatever regabi inserted
    assert (ei.value.line, ei.value.column) == (1, 6)
