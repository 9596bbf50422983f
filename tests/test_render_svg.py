"""SVG pictures: the frame of `regabi layout --svg` and the explorer trace of `regabi
render-trace`. Each picture is parsed with xml.etree and its elements are checked against hand
derivations from the ABI rules (abi-internal.md's worked example, ASG-3, value.go) and against
geometry derived from the layout."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from regabi.cli import main
from regabi.model.arch import load_arch
from regabi.model.syntax import parse_signature
from regabi.render.frame import FRAME_X, ROW_H, WORD_W, frame_svg
from regabi.render.trace import trace_svg

NS = {"s": "http://www.w3.org/2000/svg"}
AMD64 = load_arch("amd64")


def parse(doc: str) -> ET.Element:
    root = ET.fromstring(doc)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g")
            if cls in (g.get("class") or "").split()]


def rects(g: ET.Element) -> list[ET.Element]:
    return g.findall("s:rect", NS)


def outline(root: ET.Element) -> ET.Element:
    (out,) = [r for r in root.iter("{http://www.w3.org/2000/svg}rect")
              if r.get("class") == "frame-outline"]
    return out


def frame_top(root: ET.Element) -> float:
    return float(outline(root).get("y", "nan"))


def worked_example_arch():
    # abi-internal.md "### Example": "a 64-bit architecture with hypothetical integer
    # registers R0–R9" (test_vectors.py builds the same with amd64.with_regs(10, …)).
    a = AMD64.with_regs(10, AMD64.n_float)
    return dataclasses.replace(a, int_regs=tuple(f"R{i}" for i in range(10)))


WORKED = ("func(a1 uint8, a2 [2]uintptr, a3 uint8) "
          "(r1 struct { x uintptr; y [2]uintptr }, r2 string)")


@pytest.mark.parametrize("variant", ["spec", "current"])
def test_worked_example_frame(variant: str) -> None:
    root = parse(frame_svg(parse_signature(WORKED), worked_example_arch(), variant))
    top = frame_top(root)
    # By hand (abi-internal.md): the frame is "a2 [2]uintptr; r1.x uintptr; r1.y [2]uintptr;
    # a1Spill uint8; a3Spill uint8; _ [6]uint8": a2 [0,16), r1 [16,40), a1 spill at 40, a3
    # spill at 41, padding [42,48). 48 bytes = 6 words, none folded.
    got = sorted((g.get("data-kind"), g.get("data-name"), int(g.get("data-lo", -1)),
                  int(g.get("data-hi", -1))) for g in groups(root, "value"))
    assert got == sorted([("arg", "a2", 0, 16), ("result", "r1", 16, 40),
                          ("spill", "a1", 40, 41), ("spill", "a3", 41, 42),
                          ("pad", None, 42, 48)])
    assert float(outline(root).get("height", 0)) == 6 * ROW_H
    # geometry from the byte ranges: a row per 8-byte word, a byte is WORD_W/8 wide
    for g in groups(root, "value"):
        for r in rects(g):
            lo, hi = int(r.get("data-lo", -1)), int(r.get("data-hi", -1))
            assert lo // 8 == (hi - 1) // 8  # one rect per row
            assert float(r.get("y", 0)) == pytest.approx(top + (lo // 8) * ROW_H)
            assert float(r.get("x", 0)) == pytest.approx(FRAME_X + (lo % 8) * WORD_W / 8)
            assert float(r.get("width", 0)) == pytest.approx((hi - lo) * WORD_W / 8)
    (a2,) = [g for g in groups(root, "value") if g.get("data-name") == "a2"]
    assert len(rects(a2)) == 2  # two words
    # "a1 is assigned to R0, a3 is assigned to R1"; "r2.base is assigned to R0, r2.len to R1"
    regs = sorted((g.get("data-phase"), g.get("data-reg"), g.get("data-value"),
                   g.get("data-lo"), g.get("data-hi"), g.get("data-pointer"))
                  for g in groups(root, "reg-part"))
    assert regs == sorted([("entry", "R0", "a1", "0", "1", "0"),
                           ("entry", "R1", "a3", "0", "1", "0"),
                           ("exit", "R0", "r2", "0", "8", "1"),  # a string's data pointer
                           ("exit", "R1", "r2", "8", "16", "0")])
    # no stack word holds a pointer (uintptr is not a pointer, TYP-10)
    assert not [c for c in root.iter("{http://www.w3.org/2000/svg}circle")
                if c.get("class") == "ptr-word"]
    # results start after a2's two words; the spill area is [40,48)
    (ret,) = [e for e in root.iter() if e.get("data-mark") == "ret_offset"]
    assert ret.get("data-offset") == "16"
    assert float(ret.get("y1", 0)) == pytest.approx(top + 2 * ROW_H)
    (spill,) = [e for e in root.iter() if e.get("data-mark") == "spill_area"]
    assert (spill.get("data-lo"), spill.get("data-hi")) == ("40", "48")
    (end,) = [e for e in root.iter() if e.get("data-mark") == "frame_size"]
    assert end.get("data-offset") == "48"


def test_worked_example_regargs() -> None:
    root = parse(frame_svg(parse_signature(WORKED), worked_example_arch(), "current"))
    cells = {(g.get("data-field"), int(g.get("data-index", -1))): g
             for g in groups(root, "regargs-cell")}
    # 10 Ints, 15 Floats, 10 Ptrs, 10 ReturnIsPtr bits
    assert sum(f == "Ints" for f, _ in cells) == 10
    assert sum(f == "Floats" for f, _ in cells) == 15
    assert cells["Ints", 0].get("data-before") == "a1[0:1]"
    assert cells["Ints", 1].get("data-before") == "a3[0:1]"
    assert cells["Ints", 0].get("data-after") == "r2[0:8]"
    assert cells["Ints", 1].get("data-after") == "r2[8:16]"
    # no argument part is a pointer, so Value.call fills no Ptrs (value.go:546, :552);
    # ReturnIsPtr has R0 (r2.base), and reflectcallmove copies Ints[0] to Ptrs[0]
    assert not any(g.get("data-before") for (f, _), g in cells.items() if f == "Ptrs")
    assert cells["Ptrs", 0].get("data-after") == "=Ints[0]"
    assert [i for (f, i), g in cells.items() if f == "ReturnIsPtr"
            and g.get("data-bit") == "1"] == [0]
    # RegArgs: Ints 10×8 = 80, Floats at 80 (15×8 = 120), Ptrs at 200 (80), ReturnIsPtr at
    # 280 (2 bytes), 282 rounded up to 8 = 288
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert any("288 bytes: Ints at 0, Floats at 80, Ptrs at 200, ReturnIsPtr at 280" in t
               for t in texts)


POINTERS = "func(p *int, x [2]*int8, s [3]string) (string, error)"


def test_pointer_words_and_ptrs() -> None:
    # By hand, amd64 (AX BX CX DI SI R8 …): p -> AX (pointer); x [2]*int8 is an array of
    # length 2: stack [0,16), both words pointers; s [3]string: stack [16,64), the data words
    # 2, 4, 6 are pointers. retOffset 64. string -> AX, BX; error -> CX, DI (DI the data word).
    for variant in ("spec", "current"):  # spec: from the types' GC masks; current: stackPtrs
        root = parse(frame_svg(parse_signature(POINTERS), AMD64, variant))
        top = frame_top(root)
        dots = {int(c.get("data-word", -1)): c
                for c in root.iter("{http://www.w3.org/2000/svg}circle")
                if c.get("class") == "ptr-word"}
        assert sorted(dots) == [0, 1, 2, 4, 6], variant
        for w, c in dots.items():
            assert float(c.get("cy", 0)) == pytest.approx(top + w * ROW_H + ROW_H / 2)
    (ret,) = [e for e in root.iter() if e.get("data-mark") == "ret_offset"]
    assert ret.get("data-offset") == "64"
    cells = {(g.get("data-field"), int(g.get("data-index", -1))): g
             for g in groups(root, "regargs-cell")}
    # current: a pointer part goes to Ptrs too (value.go:546/552)
    assert cells["Ptrs", 0].get("data-before") == "p"
    assert sorted(i for (f, i), g in cells.items() if f == "ReturnIsPtr"
                  and g.get("data-bit") == "1") == [0, 3]  # AX and DI
    # seed: only a directly held pointer is copied to Ptrs (e0215315 value.go, S-1)
    root = parse(frame_svg(parse_signature(POINTERS), AMD64, "seed"))
    cells = {(g.get("data-field"), int(g.get("data-index", -1))): g
             for g in groups(root, "regargs-cell")}
    assert cells["Ptrs", 0].get("data-before") == "p if direct"


def test_receiver_in_ptrs_only_in_current() -> None:
    sig = parse_signature("func(a int) int", recv="*int")
    for variant, ptrs in (("current", "recv"), ("seed", "")):
        root = parse(frame_svg(sig, AMD64, variant))
        cells = {(g.get("data-field"), int(g.get("data-index", -1))): g
                 for g in groups(root, "regargs-cell")}
        # the receiver is one pointer word in AX (ASG-9), a in BX
        assert cells["Ints", 0].get("data-before") == "recv[0:8]"
        assert cells["Ints", 1].get("data-before") == "a[0:8]"
        assert cells["Ptrs", 0].get("data-before") == ptrs


def test_large_frame_folds_rows() -> None:
    # a [1<<20]byte at [0, 1 MiB); b *int in AX; the [2]*int result at retOffset 1 MiB =
    # word 131072: its two words are pointers. The 131070 hidden words of a fold to one row.
    root = parse(frame_svg(parse_signature("func(a [1<<20]byte, b *int) [2]*int"), AMD64,
                           "current"))
    dots = sorted(int(c.get("data-word", -1)) for c in root.iter(
        "{http://www.w3.org/2000/svg}circle") if c.get("class") == "ptr-word")
    assert dots == [131072, 131073]
    box = outline(root)
    assert box.get("data-words") == str(131072 + 2 + 1)  # + b's spill slot
    assert float(box.get("height", 0)) < 20 * ROW_H


def test_seed_disagreement_is_flagged() -> None:
    # F-1: the seed skips the zero-size field and puts result 0 in AX; the callee (ASG-3: an
    # array of length 2, even of size 0, is not register-assigned) returns it on the stack.
    root = parse(frame_svg(parse_signature("func() struct{a int16; _ [2]struct{}}"), AMD64,
                           "seed"))
    (warn,) = [t for t in root.iter() if t.get("data-disagree")]
    assert warn.get("data-disagree") == "result 0"
    assert [g.get("data-kind") for g in groups(root, "value")] == ["beyond"]


def test_cli_svg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "f.svg"
    assert main(["layout", POINTERS, "--svg", str(out)]) == 0
    parse(out.read_text())
    assert main(["layout", POINTERS, "--svg", str(out), "--variant", "all"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


# ------------------------------------------------------------------------------ explorer trace

TRACE = [
    {"step": 0, "where": "Value.call", "label": "funcLayout", "choice": "step",
     "gc_cycles": 0, "stack_moves": 0, "freed": []},
    {"step": 1, "where": "Value.call", "label": "ReturnIsPtr set", "choice": "gc",
     "gc_cycles": 0, "stack_moves": 0, "freed": [], "gc_sees": "fn→fn", "future": 1},
    {"step": 2, "where": "reflectcall", "label": "DISPATCH", "choice": "move",
     "gc_cycles": 1, "stack_moves": 0, "freed": ["a0.ref0"]},
    {"step": 3, "where": "callee", "label": "read arg 0", "choice": "step", "gc_cycles": 1,
     "stack_moves": 1, "freed": ["a0.ref0"], "regs": "AX=&a0.ref0"},
]


def test_trace_svg_hand_built() -> None:
    verdicts = [{"invariant": "INV-GC-UAF", "variant": "seed", "status": "VIOLATED",
                 "counterexample": {"message": "reads freed a0.ref0", "trace": TRACE,
                                    "holding": [True]}},
                {"invariant": "INV-GC-SCAN", "status": "HOLDS", "counterexample": None}]
    root = parse(trace_svg(verdicts))
    (tr,) = groups(root, "trace")
    assert (tr.get("data-invariant"), tr.get("data-variant"), tr.get("data-steps")) == (
        "INV-GC-UAF", "seed", "4")
    lanes = [r.get("data-lane") for r in root.iter("{http://www.w3.org/2000/svg}rect")
             if r.get("data-lane")]
    assert lanes == ["Value.call", "reflectcall", "callee"]  # order of first appearance
    steps = groups(root, "step")
    assert [(g.get("data-step"), g.get("data-where"), g.get("data-choice")) for g in steps] == [
        ("0", "Value.call", "step"), ("1", "Value.call", "gc"), ("2", "reflectcall", "move"),
        ("3", "callee", "step")]
    lane_x = {name: float(r.get("x", 0)) for r in root.iter("{http://www.w3.org/2000/svg}rect")
              if (name := r.get("data-lane"))}
    for g in steps:  # each step's dot sits in its function's lane, rows top to bottom
        (dot,) = g.findall("s:circle", NS)
        x = float(dot.get("cx", 0))
        assert lane_x[g.get("data-where", "")] < x < lane_x[g.get("data-where", "")] + 112
    ys = [float(g.find("s:circle", NS).get("cy", 0)) for g in steps]  # type: ignore[union-attr]
    assert ys == sorted(ys)
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"GC sees: fn→fn", "freed: a0.ref0", "regs: AX=&a0.ref0", "GC", "STACK MOVE",
            "⇒ reads freed a0.ref0"} <= texts
    # the freed object is reported once, where it first appears
    assert sum(1 for t in root.iter("{http://www.w3.org/2000/svg}text")
               if t.text == "freed: a0.ref0") == 1


def test_trace_svg_from_explore_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the real explorer's JSON (finding S-1: func(s string) string, seed, K=1 GC)
    main(["explore", "func(s string) string", "--variant", "seed", "--json"])
    data = json.loads(capsys.readouterr().out)
    bad = [v for v in data if v["status"] == "VIOLATED"]
    assert bad
    src, out = tmp_path / "t.json", tmp_path / "t.svg"
    src.write_text(json.dumps(data))
    assert main(["render-trace", str(src), "-o", str(out)]) == 0
    root = parse(out.read_text())
    tr = groups(root, "trace")
    assert [g.get("data-invariant") for g in tr] == [v["invariant"] for v in bad]
    for g, v in zip(tr, bad, strict=True):
        steps = groups(g, "step")
        assert [s.get("data-where") for s in steps] == [
            s["where"] for s in v["counterexample"]["trace"]]
        assert [s.get("data-choice") for s in steps] == [
            s["choice"] for s in v["counterexample"]["trace"]]
    src.write_text("[1,")
    assert main(["render-trace", str(src), "-o", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
