"""What `regabi explore` and `regabi check` print: every message in the words of spec/call.md and
the guide (what was expected, what was got), never the call machine's internal tokens (byte
tuples, object ids, region names, Python enum names, field names without their rule).

Expected texts are written by hand from spec/call.md (S-1 … S-5, GC-2, GC-5, GC-6, CALL-3,
CALL-16) and spec/variants.md; the object names (a0.ref0: what arg 0's first pointer points to)
are the trace's, explained in docs/guide.md "Reading a trace"."""

from __future__ import annotations

import io
import re

import pytest

from regabi.model.callmachine import Leaf, Point, Program, _diff, _go_kind, _show_word
from regabi.model.syntax import parse_signature
from regabi.proofs.explore import (
    _holding_text,
    _place,
    bfs,
    check_section,
    corpus_signatures,
    explore,
    print_trace,
)


def _seed(text: str, recv: str | None = None) -> dict:
    return {v.invariant: v for v in explore(parse_signature(text, recv=recv), "seed")}


def test_uaf_message() -> None:
    """S-1: func(p *int) *int held indirectly, the pointee of arg 0 is freed and read."""
    v = _seed("func(p *int) *int")["INV-GC-UAF"]
    assert v.counterexample["message"] == ("reads a0.ref0: expected a live object, got one a "
                                           "GC freed")
    assert v.line.endswith("[14-step trace; arg 0 held indirectly]")


def test_scan_freed_message() -> None:
    """S-1 with a second GC: the freed pointer in the callee's spill slot (12 steps)."""
    v = _seed("func(p *int) *int")["INV-GC-SCAN"]
    assert v.counterexample["message"] == (
        "a GC scans a pointer to a0.ref0: expected nil or a pointer to a live object, got one an "
        "earlier GC freed")


def test_scan_non_pointer_message() -> None:
    """GC-2: a precisely scanned word that holds data. No modelled release has one, so the
    explorer runs a one-safepoint program whose GC finds the data bytes of arg 0 at callN's
    frame word SP+8 (the call machine's root name `callN.frame+8`)."""
    pt = Point("call16", "prologue", sp="prologue", bad=("callN.frame+8 holds a0@8[0:8]",))
    prog = Program(None, "x", "amd64", (), [pt, Point("call16", "next")], [], None, None)
    _parent, found, _n, _ended = bfs([prog], 1, 0, 100)
    assert found["INV-GC-SCAN"][2] == ("a GC scans callN's frame word SP+8 precisely: expected "
                                       "nil or a pointer, got a0@8[0:8] (not a pointer)")


def test_stack_message_and_trace() -> None:
    """S-5 / GC-5, GC-6: regArgs at 40(FP) of call16's arguments keeps the old address."""
    v = _seed("func(p *int) *int")["INV-GC-STACK"]
    assert v.counterexample["message"] == (
        "goes through the stack address in callN's argument word 40(FP), which the stack copy "
        "did not adjust (only words a map describes are: GC-6): expected an address in the new "
        "stack, got one into the freed old stack")
    assert v.line.endswith("[10-step trace; arg 0 held directly]")
    out = io.StringIO()
    print_trace(v, out)
    assert "        not adjusted: callN's argument word 40(FP)\n" in out.getvalue()


def test_value_kind_message() -> None:
    """S-3 / VAR-9: the seed gives a register pointer result the func type's Kind."""
    v = _seed("func(p *int) *int")["INV-GC-VALUE"]
    assert v.counterexample["message"] == ("result 0 (*int) comes back as a Value of Kind() "
                                           "reflect.Func, expected reflect.Pointer")
    labels = [d["label"] for d in v.counterexample["trace"]]
    assert "ret[0] = Value{*int, regArgs.Ptrs[0], flag(t.Kind()=reflect.Func)}" in labels


def test_go_kind_names() -> None:
    """reflect/type.go's constant names (Kind 22 Pointer, 26 UnsafePointer, 12 Uintptr)."""
    assert [_go_kind(k) for k in (22, 26, 12, 19, 15)] == [
        "reflect.Pointer", "reflect.UnsafePointer", "reflect.Uintptr", "reflect.Func",
        "reflect.Complex64"]


def test_diff_names_objects() -> None:
    """A wrong pointer word names the objects (not their ids in the machine's table)."""
    ptr = [("P", 0, 0, i) for i in range(8)]
    exp = [("P", 1, 0, i) for i in range(8)]
    assert _diff(ptr, exp, [Leaf(0, 8, "ptr")], ["a0.ref0", "a1.ref0"]) == (
        "bytes 0..8 are &a0.ref0, expected &a1.ref0")


def test_mixed_word() -> None:
    """A word made of several sources, e.g. a float32 read from an s390x register image
    (high32: data then the junk low word, spec/call.md CALL-11), is shown run by run."""
    w = [("D", "a0@0", i) for i in range(4)] + [("J", "low32", i) for i in range(4)]
    assert _show_word(w) == "a0@0[0:4] + junk(low32)"
    half = [("P", 0, 0, i) for i in range(4)] + [0] * 4
    assert _show_word(half, ["a0.ref0"]) == "&a0.ref0 bytes [0:4] + 4×0"


def test_holding_and_places() -> None:
    """CALL-3's words; GC-5's names for callN's arguments and frame."""
    assert _holding_text((True, False, True)) == ("arg 0 held indirectly, arg 1 directly, "
                                                  "arg 2 indirectly")
    assert _holding_text(()) == "no arguments"
    assert _place("callN.args+40") == "callN's argument word 40(FP)"
    assert _place("register R12") == "register R12"
    assert _place("callee.spill[0]") == "callee.spill[0]"


def test_check_table_names_causes_by_rule() -> None:
    """`regabi check`'s explorer rows name the cause by its rule, as the Z3 rows do: S-1 VAR-7,
    S-2 VAR-8, S-3 VAR-9, S-4 VAR-4, S-5 RT-1 (spec/call.md, spec/variants.md)."""
    from regabi.cli import render_section

    rows = check_section(("seed",))
    rules = {(r.invariant, tuple(r.extra["rules"])) for r in rows if r.status == "VIOLATED"}
    assert rules == {("INV-GC-UAF", ("VAR-7",)), ("INV-GC-UAF", ("VAR-8",)),
                     ("INV-GC-SCAN", ("VAR-7",)), ("INV-GC-SCAN", ("VAR-8",)),
                     ("INV-GC-STACK", ("RT-1",)), ("INV-GC-FRAME", ("VAR-4",)),
                     ("INV-GC-VALUE", ("VAR-9",)), ("INV-GC-MARK", ("VAR-7",)),
                     ("INV-GC-MARK", ("VAR-8",))}
    out = io.StringIO()
    render_section(rows, out)
    text = out.getvalue()
    assert "cause VAR-7" in text and "cause RT-1" in text
    assert "cause indirect_ptrs_to_ptrs" not in text and "cause calln_decl_args" not in text


# What must never reach the user: a byte tuple or other Python repr, a bare None, an object id
# after &, the old "?tag,tag" dump, enum names, "indir".
_INTERNAL = re.compile(r"\('|\bNone\b|&\d|\?\w|\bindir\b|kind [A-Z_]{3,}|=[A-Z_]{4,}\)")


@pytest.mark.parametrize("variant", ["seed", "current"])
def test_no_internal_tokens(variant: str) -> None:
    """Every verdict line and trace the explorer prints for the built-in corpus."""
    seen = 0
    for sig in corpus_signatures():
        for v in explore(sig, variant):
            text = v.line
            if v.status == "VIOLATED":
                out = io.StringIO()
                print_trace(v, out)
                text += "\n" + out.getvalue()
                seen += 1
            assert not _INTERNAL.search(text), (v.invariant, _INTERNAL.search(text), text[:300])
    assert seen or variant == "current"


def test_internal_pattern_fires() -> None:
    """Vacuity: the pattern catches what the messages used to print."""
    for old in ("[14-step trace, holding indir]", "bytes 0..8 are &3, expected &4",
                "?a0@0,low32", "comes back as a Value of kind FUNC, not POINTER",
                "flag(t.Kind()=FUNC)", "('D', 'a0@0', 0)"):
        assert _INTERNAL.search(old), old


# ------------------------------------------------------------------ the paths section of check


def _cb(sig: str, arch: str = "amd64") -> dict[str, str]:
    from regabi.model.wincallback import check_signature

    _cb_layout, mm = check_signature(parse_signature(sig), arch)
    return {m.invariant: m.what for m in mm}


def test_wincallback_registers_by_name() -> None:
    """spec/arch/amd64.toml: integer registers AX BX CX DI SI R8 R9 R10 R11, floats X0…; arm64
    floats F0…. Seven uintptrs take AX…R9; the 3-byte struct needs three of the two left, so
    ABIInternal stacks it and the uint8 after it goes to R10 (ASG-2), while compileCallback
    puts the struct at Go stack offset 0 and the uint8 at 3 (spec/paths.md CB rules)."""
    m = _cb("func(uintptr, uintptr, uintptr, uintptr, uintptr, uintptr, uintptr, "
            "struct{a uint8; b uint8; c uint8}, uint8) uintptr")
    assert m["INV-CB-ASSIGN"] == ("argument 8 (uint8): callbackWrap puts it at Go stack offset 3; "
                                  "ABIInternal reads it from R10")
    assert m["INV-CB-SPILL"] == ("callbackWrap reserves dstSpill 56 bytes of spill space, the "
                                 "spec's spill area is 64")
    assert _cb("func(uint8) struct{f float64}")["INV-CB-RESULT"] == (
        "result (struct{f float64}): callbackWrap returns Ints[0] (AX); ABIInternal returns it "
        "in X0")
    assert _cb("func(uint8) struct{f float64}", "arm64")["INV-CB-RESULT"] == (
        "result (struct{f float64}): callbackWrap returns Ints[0] (R0); ABIInternal returns it "
        "in F0")


def test_wincallback_zero_size_slot_lists_arguments() -> None:
    """CB: a zero-size argument gets a C slot but no Go one; every later one reads one slot
    early — named as arguments, not as a Python list."""
    assert _cb("func(struct{}, uint8) uintptr")["INV-CB-CSIDE"].endswith(
        "so argument 1 is read from the previous slot")
    assert _cb("func(struct{}, uint8, int) uintptr")["INV-CB-CSIDE"].endswith(
        "so arguments 1, 2 are read from the previous slot")


def test_check_table_cause_sentence() -> None:
    """The paths section gives its cause as a sentence: printed as one, not letter by letter
    (it used to read "cause n, o,  , s, t, a, c, k, …")."""
    from regabi.cli import render_section
    from regabi.verdict import Verdict

    v = Verdict("paths", "INV-MV-XLATE", "method-value/go1.17beta1", "amd64", "VIOLATED",
                extra={"cause": "no stack->register case (9d46ee5ac4 added it)"})
    out = io.StringIO()
    render_section([v], out)
    assert "  cause no stack->register case (9d46ee5ac4 added it)" in out.getvalue()
    assert "n, o" not in out.getvalue()
