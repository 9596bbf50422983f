"""GC × call exploration of the Windows callback path (model/wcmachine.py, proofs/explore.py
``path="wincallback"``; spec/paths.md WC-GC-1 … WC-GC-4).

Expected verdicts and steps are derived by hand from go1.27.3 src/runtime/syscall_windows.go
(``SW``) callbackWrap (SW:360-403) and the ABI, and from spec/paths.md's P-1 and P-3 (the
static findings, which the explorer must see as wrong values), not read off the model.
"""

from __future__ import annotations

import pytest

from regabi.cli import main
from regabi.errors import InputError
from regabi.model.syntax import parse_signature
from regabi.model.wcmachine import KEEPER, build_wc_program
from regabi.proofs.explore import INV_IDS, explore_sig
from regabi.proofs.paths import GC_WC_CORPUS, check_gc_wincallback


def _run(sig: str, arch: str = "amd64", mutants: tuple[str, ...] = ()) -> dict:
    vs = explore_sig(parse_signature(sig), "current", arch, path="wincallback",
                     mutants=frozenset(mutants))
    return {v.invariant: v for v in vs}


@pytest.mark.parametrize("arch", ["amd64", "arm64", "386"])
@pytest.mark.parametrize("sig", GC_WC_CORPUS)
def test_current_holds(sig: str, arch: str) -> None:
    r = _run(sig, arch)
    assert {i: v.status for i, v in r.items()} == {i: "HOLDS" for i in INV_IDS}, \
        [v.line for v in r.values() if v.line]


def test_frame_is_not_scanned_and_stackargs_is_adjusted() -> None:
    """amd64, 9 uintptr words then p *int: AX…R11 take a…i (9 integer registers), p goes to
    frame[0:8] (a byte array: SW:366). At callNN's prologue the only root of p's object is the
    keeper — not the frame, not callNN's stackArgs word (it points into the stack: the frame,
    and copystack adjusts it by callNN's args map, so INV-GC-STACK holds above)."""
    p = build_wc_program("wincallback", parse_signature(
        "func(a, b, c, d, e, f, g, h, i uintptr, p *int) uintptr"), "current", "amd64")
    # frameSize: p at SP+0..8, then 9 spill words: 80 → call128
    (pt,) = [x for x in p.points if x.label.startswith("call128 prologue")]
    refs = [r for r, o in pt.seen_raw if o == "a9.ref0"]
    assert refs == ["keeper"]
    assert pt.frames.endswith(f"callbackWrap [precise], {KEEPER} [precise]")
    assert any(x.label == "memmove(&frame[0], args+72, 8)" for x in p.points)


def test_static_findings_seen_as_wrong_values() -> None:
    """P-1 (amd64): `func(a1…a8 uintptr, s struct{a, b uint32}, a10 uintptr)`: s's walk takes
    registers 9 and 10 before failing, not given back, so a10 is stacked while ABIInternal
    puts it in register 9 (R11): the callback reads 0 there. P-3 (amd64): a result
    struct{a, b uint32} is returned in AX and BX; callbackWrap reads Ints[0] only: b is lost."""
    r = _run("func(a1, a2, a3, a4, a5, a6, a7, a8 uintptr, s struct{a, b uint32}, "
             "a10 uintptr) uintptr")
    assert {i for i, v in r.items() if v.status != "HOLDS"} == {"INV-GC-VALUE"}
    assert "callee received arg 9 (uintptr) wrong: bytes 0..8 are 0" in \
        r["INV-GC-VALUE"].counterexample["message"]
    r = _run("func(x uintptr) struct{a, b uint32}")
    assert {i for i, v in r.items() if v.status != "HOLDS"} == {"INV-GC-VALUE"}
    assert "the callback's result wrong: bytes 4..8" in \
        r["INV-GC-VALUE"].counterexample["message"]


@pytest.mark.parametrize("arch", ["amd64", "386"])
def test_no_keeper_is_a_uaf(arch: str) -> None:
    """Without an owner keeping it alive, a Go pointer argument is only in C memory, then in
    regs.Ints (amd64) or the byte array (386): a GC at callbackWrap's prologue or callNN's
    frees it (no root reaches it there), and the callback's use of its argument reads freed
    memory."""
    v = _run("func(p *int, n uintptr) uintptr", arch, ("no-keeper",))["INV-GC-UAF"]
    assert v.status == "VIOLATED"
    tr = v.counterexample["trace"]
    gcs = [d for d in tr if d["choice"] == "gc"]
    assert gcs and gcs[0]["label"].startswith(("callbackWrap prologue", "call16 prologue"))
    assert tr[-1]["where"] == "callee" and tr[-1]["label"].startswith("use arg 0 (*int)")
    for mutants, reached in (((), True), (("no-keeper",), False)):
        p = build_wc_program("wincallback", parse_signature("func(p *int, n uintptr) uintptr"),
                             "current", arch, mutants=frozenset(mutants))
        for label in ("callbackWrap prologue", "call16 prologue"):
            (pt,) = [x for x in p.points if x.label.startswith(label)]
            assert ("a0.ref0" in p.obj_names(pt.reach)) is reached, (mutants, label)


@pytest.mark.parametrize(("sig", "variant", "what"), [
    ("func(f float64) uintptr", "current", "float arguments not supported"),
    ("func(p *int)", "current", "one uintptr-sized result"),
    ("func(p *int) uintptr", "go1.17", "go1.27.3's callbackWrap only"),
])
def test_bad_inputs(sig: str, variant: str, what: str) -> None:
    with pytest.raises(InputError, match=what):
        build_wc_program("wincallback", parse_signature(sig), variant, "amd64")


def test_cli_and_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "func(p *int, n uintptr) uintptr", "--path", "wincallback"]) == 0
    assert "6 proved/held" in capsys.readouterr().out
    assert main(["explore", "func(f float64) uintptr", "--path", "wincallback"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "float arguments" in err
    rows = check_gc_wincallback()
    assert len(rows) == 18 and {r.status for r in rows} == {"HOLDS"}
    assert {r.arch for r in rows} == {"windows/amd64", "windows/arm64", "windows/386"}


def test_frame_message_names_callbackwrap(monkeypatch: pytest.MonkeyPatch) -> None:
    """INV-GC-FRAME names who reserved the frame: on this path callbackWrap passes frameSize =
    alignUp(dstStackSize, PtrSize) + dstSpill (SW:382-383) from compileCallback's abiMap, not
    reflect. Vacuity by a layout without dstSpill: func(p *int, n uintptr) uintptr on amd64 has
    p in AX, n in BX, no stack arguments, so frameSize 0 while the callee spills p at SP+0..8;
    DISPATCH picks call16 (the smallest class), whose frame absorbs it."""
    from regabi.model import wcmachine

    real = wcmachine.compile_callback
    monkeypatch.setattr(wcmachine, "compile_callback",
                        lambda sig, a: real(sig, a)._replace(frame_size=0))
    r = _run("func(p *int, n uintptr) uintptr")
    assert {i for i, v in r.items() if v.status != "HOLDS"} == {"INV-GC-FRAME"}
    assert ("morestack spills param 0 to SP+0..8: beyond the frameSize 0 callbackWrap reserved "
            "from compileCallback's abiMap (contract); absorbed by call16's 16-byte frame") in \
        r["INV-GC-FRAME"].counterexample["message"]
