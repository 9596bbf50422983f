"""Type layout facts, each derived by hand in a comment (rules TYP-1 … TYP-12, spec/types.md;
cmd/compile/internal/types/size.go; abi-internal.md "Memory layout")."""

from __future__ import annotations

import pytest

from regabi.errors import InputError, TypeTooLargeError
from regabi.model.syntax import parse_type
from regabi.model.types import layout


def lay(text: str, ps: int = 8) -> tuple[int, int, tuple[int, ...]]:
    lt = layout(parse_type(text), ps)
    return lt.size, lt.align, lt.offsets


# ----------------------------------------------------------------------------------------------
# sizes, alignments, offsets


@pytest.mark.parametrize(("text", "ps", "want"), [
    # a int8 @0; b int64 aligned to 8 @8; c int16 @16, end 18 -> round to align 8: 24
    ("struct{ a int8; b int64; c int16 }", 8, (24, 8, (0, 8, 16))),
    # 32-bit: int64 aligns to 4: a @0, b @4 (8 bytes), c @12, end 14 -> round to 4: 16
    ("struct{ a int8; b int64; c int16 }", 4, (16, 4, (0, 4, 12))),
    # float64 and complex128 likewise align to 4 on 32-bit
    ("struct{ a int8; f float64 }", 4, (12, 4, (0, 4))),
    ("struct{ a int8; c complex128 }", 4, (20, 4, (0, 4))),
    ("struct{ a int8; c complex128 }", 8, (24, 8, (0, 8))),
    # complex64 is two float32: align 4 everywhere
    ("struct{ a int8; c complex64 }", 8, (12, 4, (0, 4))),
    # string = ptr+len, slice = ptr+len+cap, interface = 2 words
    ("struct{ a bool; s string }", 8, (24, 8, (0, 8))),
    ("struct{ a bool; s []int8 }", 4, (16, 4, (0, 4))),
    ("struct{ a bool; i interface{} }", 4, (12, 4, (0, 4))),
    # int is a word: 4 bytes on 32-bit
    ("struct{ a int8; i int; b int8 }", 4, (12, 4, (0, 4, 8))),
    # [3]int16: 6 bytes align 2; then int32 @8
    ("struct{ a [3]int16; b int32 }", 8, (12, 4, (0, 8))),
    # nested: inner struct{int8; int16} is 4 align 2; outer: @0 inner, @4 int8, end 5 -> 6
    ("struct{ s struct{ a int8; b int16 }; c int8 }", 8, (6, 2, (0, 4))),
])
def test_struct_layout(text: str, ps: int, want: tuple[int, int, tuple[int, ...]]) -> None:
    assert lay(text, ps) == want


@pytest.mark.parametrize(("text", "ps", "size", "align"), [
    ("int64", 4, 8, 4), ("uint64", 4, 8, 4), ("float64", 4, 8, 4), ("complex128", 4, 16, 4),
    ("int64", 8, 8, 8), ("float64", 8, 8, 8), ("complex128", 8, 16, 8),
    ("[5]int64", 4, 40, 4), ("[5]int64", 8, 40, 8),
    ("[0]int64", 8, 0, 8),  # a zero-length array keeps its element's alignment
    ("struct{}", 8, 0, 1),
])
def test_scalar_and_array_layout(text: str, ps: int, size: int, align: int) -> None:
    s, a, _ = lay(text, ps)
    assert (s, a) == (size, align)


# ----------------------------------------------------------------------------------------------
# trailing zero-size field padding (abi-internal.md: the struct is laid out as t1 … tM, tP with
# tP = byte if sizeof(tM) = 0 and some field has non-zero size)


def test_trailing_zero_size_field_padding() -> None:
    # a @0 (1 byte); z [0]int64 aligns to 8 -> @8, ends at 8; zero-size last field -> +1 byte
    # padding: 9; round to align 8: 16
    assert lay("struct{ a int8; z [0]int64 }", 8) == (16, 8, (0, 8))
    # 32-bit: z aligns to 4 -> @4; +1 = 5; round to 4: 8
    assert lay("struct{ a int8; z [0]int64 }", 4) == (8, 4, (0, 4))
    # no non-zero field: no padding, size 0 (but align 8)
    assert lay("struct{ z [0]int64 }", 8) == (0, 8, (0,))
    # a zero-size field that is not last: no padding: a @0, z @8, b @8 -> 16
    assert lay("struct{ a int8; z [0]int64; b int64 }", 8) == (16, 8, (0, 8, 8))
    # struct{} last after int64: 8 + 1 = 9 -> 16
    assert lay("struct{ a int64; e struct{} }", 8) == (16, 8, (0, 8))
    # [2]int16 + struct{}: 4 + 1 = 5 -> round to 2: 6
    assert lay("struct{ a [2]int16; e struct{} }", 8) == (6, 2, (0, 4))


# ----------------------------------------------------------------------------------------------
# pointer bitmaps: gcmask (bit i = word i holds a pointer) and heapmask (interface type word clear)


@pytest.mark.parametrize(("text", "ps", "gc", "heap", "ptrdata"), [
    ("int", 8, 0, 0, 0),
    ("*int", 8, 0b1, 0b1, 8),
    ("map[int]int", 4, 0b1, 0b1, 4),
    ("chan int", 8, 0b1, 0b1, 8),
    ("func()", 8, 0b1, 0b1, 8),
    ("unsafe.Pointer", 8, 0b1, 0b1, 8),
    # string: data pointer, len: ptrdata is one word
    ("string", 8, 0b01, 0b01, 8),
    # slice: data pointer, len, cap
    ("[]int", 8, 0b001, 0b001, 8),
    # interface: type/itab word and data word are both pointers to the GC; the first never
    # points into the heap
    ("interface{}", 8, 0b11, 0b10, 16),
    ("error", 4, 0b11, 0b10, 8),
    # [3]string: words 0,2,4 (stride 2); ptrdata ends after word 4: 5 words
    ("[3]string", 8, 0b10101, 0b10101, 40),
    # [2]interface{}: 4 words, all GC pointers, heap only the data words (1, 3)
    ("[2]interface{}", 8, 0b1111, 0b1010, 32),
    # struct{a int; p *int; s string}: a word 0, p word 1, s.ptr word 2, s.len word 3
    ("struct{ a int; p *int; s string }", 8, 0b0110, 0b0110, 24),
    # 32-bit: struct{x int64; p *int}: x is 2 words (0,1), p word 2
    ("struct{ x int64; p *int }", 4, 0b100, 0b100, 12),
    # struct{b byte; i interface{}}: i at 8: words 1, 2; heap word 2 only
    ("struct{ b byte; i interface{} }", 8, 0b110, 0b100, 24),
    # [0]*int: no words
    ("[0]*int", 8, 0, 0, 0),
    # pointer-free aggregate
    ("struct{ a [4]int32; f float64 }", 8, 0, 0, 0),
])
def test_gcmask_heapmask(text: str, ps: int, gc: int, heap: int, ptrdata: int) -> None:
    lt = layout(parse_type(text), ps)
    assert (lt.gcmask, lt.heapmask, lt.ptrdata) == (gc, heap, ptrdata)


# ----------------------------------------------------------------------------------------------
# direct (pointer-shaped: stored in an interface's data word itself)


@pytest.mark.parametrize(("text", "direct"), [
    ("*int", True), ("map[string]int", True), ("chan int", True), ("func()", True),
    ("unsafe.Pointer", True),
    ("struct{ p *int }", True),  # one pointer-shaped field
    ("[1]*int", True),  # one pointer-shaped element
    ("struct{ s struct{ p *int } }", True),
    ("int", False), ("uintptr", False), ("string", False), ("[]int", False),
    ("interface{}", False),
    ("struct{ p *int; x int }", False), ("[2]*int", False), ("[0]*int", False),
    ("struct{}", False),
])
def test_direct(text: str, direct: bool) -> None:
    assert layout(parse_type(text), 8).direct is direct


# ----------------------------------------------------------------------------------------------
# types too large for the address space (the compiler's MAXWIDTH)


def test_too_large_64bit() -> None:
    # 1<<60 bytes > MAXWIDTH 1<<50 on 64-bit targets
    t = parse_type("[1<<60]byte")
    with pytest.raises(TypeTooLargeError) as ei:
        layout(t, 8)
    assert isinstance(ei.value, InputError)
    assert "\n" not in str(ei.value)


def test_too_large_32bit_only() -> None:
    # [1<<31]int64 is 1<<34 bytes: fine on 64-bit, larger than 1<<32-1 on 32-bit
    t = parse_type("[1<<31]int64")
    assert layout(t, 8).size == 1 << 34
    with pytest.raises(TypeTooLargeError) as ei:
        layout(t, 4)
    assert "\n" not in str(ei.value)


def test_too_large_in_struct_32bit() -> None:
    # two fields of 1<<31 bytes: the second ends at 1<<32 > 1<<32 - 1
    t = parse_type("struct{ a [1<<31]byte; b [1<<31]byte }")
    assert layout(t, 8).size == 1 << 32
    with pytest.raises(TypeTooLargeError):
        layout(t, 4)


def test_layout_of_named_is_underlying() -> None:
    # TYP-12: a defined type has its underlying type's layout
    t = parse_type("S", decls="type S struct{ a int8; b int64 }")
    assert (layout(t, 8).size, layout(t, 8).offsets) == (16, (0, 8))


def test_struct_pointer_after_huge_field_refused_before_bitmap() -> None:
    """A pointer after a 1 TiB pointer-free field sits at word 2**37 (hand derivation: 2**40
    bytes / 8): its bitmap would need 2**37 bits, so the model refuses it (MAX_BITMAP_WORDS,
    2**28) instead of building it and exhausting memory."""
    import pytest

    from regabi.errors import TypeTooLargeError
    from regabi.model.syntax import parse_signature

    with pytest.raises(TypeTooLargeError, match=r"pointers in 137438953473 words"):
        parse_signature("func(struct{a [1<<40]byte; p *int})")
