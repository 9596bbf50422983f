"""GC × call exploration of the finalizer path (model/finmachine.py, proofs/explore.py
``path="finalizer"``; spec/paths.md FIN-GC-1 … FIN-GC-6).

Every expected verdict, root and failing step below is derived by hand from go1.27.3
src/runtime/mfinal.go (``FN``) and the ABI (amd64 integer registers AX, BX, …; arrays of
length > 1 are never register-assigned; the spill area follows the stack results), not read off
the model.
"""

from __future__ import annotations

import pytest

from regabi.cli import main
from regabi.errors import InputError
from regabi.model.finmachine import ROOT, build_fin_program
from regabi.model.syntax import parse_signature
from regabi.proofs.explore import INV_IDS, explore_sig
from regabi.proofs.paths import GC_FIN_CORPUS, check_gc_finalizer


def _run(sig: str, variant: str = "current", arch: str = "amd64",
         mutants: tuple[str, ...] = ()) -> dict:
    vs = explore_sig(parse_signature(sig), variant, arch, path="finalizer",
                     mutants=frozenset(mutants))
    return {v.invariant: v for v in vs}


def _prog(sig: str, variant: str = "current", arch: str = "amd64",
          mutants: tuple[str, ...] = ()) -> object:
    return build_fin_program("finalizer", parse_signature(sig), variant, arch,
                             mutants=frozenset(mutants))


# --------------------------------------------------------------------------------------------
# go1.27.3 holds: the record f.arg (a global root while i-1 < fb.cnt) keeps the object alive
# until after reflectcall returns (FN:272, 279-282); Ints and the noscan frame never need to.


@pytest.mark.parametrize("arch", ["amd64", "arm64", "386"])
@pytest.mark.parametrize("sig", GC_FIN_CORPUS)
def test_current_holds(sig: str, arch: str) -> None:
    r = _run(sig, arch=arch)
    assert {i: v.status for i, v in r.items()} == {i: "HOLDS" for i in INV_IDS}, \
        [v.line for v in r.values() if v.line]


def test_object_rooted_by_the_record_only() -> None:
    """At call16's prologue (amd64, func(p *int): framesz = 16 + 0), the argument is in
    regs.Ints[0] (a uintptr: the regs stack object's pointer words are Ptrs only, all zero)
    and the frame is noscan: the one root of the object is the record's arg word (fb.fin[i-1]
    +8: finptrmask ptr ptr INT ptr ptr)."""
    p = _prog("func(p *int)")
    (pt,) = [x for x in p.points if x.label.startswith("call16 prologue")]
    assert [r for r, o in pt.seen_raw if o == "a0.ref0"] == ["fb.fin[i-1] (fn, arg, ot)+8"]
    assert "frame (noscan)" in p.objects
    assert pt.frames.endswith(f"runFinalizers [precise], {ROOT} [precise]")


def test_frame_allocation_only_when_framecap_short() -> None:
    """FN:233: framecap (0 for a new goroutine) < framesz. go1.17 on amd64: framesz = nret =
    0 for func(p *int) → no mallocgc, stackArgs nil; current: framesz 16 → mallocgc(16)."""
    labels = [x.label for x in _prog("func(p *int)", "go1.17").points]
    assert not any(x.startswith("frame = mallocgc") for x in labels)
    assert any(x.startswith("CALL reflectcall(nil, fn, stackArgs, 0, 0, 0") for x in labels)
    labels = [x.label for x in _prog("func(p *int)").points]
    assert any(x.startswith("frame = mallocgc(16, nil, true)") for x in labels)


def test_interface_with_methods_calls_asserte2i() -> None:
    """FN:263-266: the itab is computed by a call after the data word is stored: one more
    safepoint, where the object is still rooted by the record."""
    p = _prog("func(x interface{M()})")
    (pt,) = [x for x in p.points if x.label.startswith("tab := assertE2I")]
    assert pt.sp == "call"
    assert ("fb.fin[i-1] (fn, arg, ot)+8", "a0.ref1") in pt.seen_raw
    assert not any(x.label.startswith("tab := assertE2I")
                   for x in _prog("func(x interface{})").points)


# --------------------------------------------------------------------------------------------
# Historical rungs: the explorer finds what model/finalizer.py finds statically


def test_go117_spill_overruns_callnn() -> None:
    """golang/go#51457 (P-7): go1.17, amd64, func(x any) [4]int64: nret = 32, framesz = nret =
    32 (register path without sizeof(any)) → call32; the result [4]int64 is stacked at
    SP+0..32, so the spill slots of x (AX, BX) are at SP+32..48: past call32's frame."""
    r = _run("func(x any) [4]int64", "go1.17")
    assert {i for i, v in r.items() if v.status != "HOLDS"} == {"INV-GC-FRAME"}
    msg = r["INV-GC-FRAME"].counterexample["message"]
    assert "spills param 0 to SP+32..48" in msg and "past call32's 32-byte frame" in msg
    # go1.17 arm64 has no register ABI (go1.18): the argument in the frame, framesz counts any
    assert {v.status for v in _run("func(x any) [4]int64", "go1.17", "arm64").values()} == {
        "HOLDS"}


def test_frame_message_names_the_finalizer_goroutine() -> None:
    """INV-GC-FRAME says who reserved the frame: on this path the finalizer goroutine's framesz
    (FN:232, passed as frameSize at FN:272; go1.17's runfinq: framesz = nret = 32), not reflect."""
    msg = _run("func(x any) [4]int64", "go1.17")["INV-GC-FRAME"].counterexample["message"]
    assert ("beyond the frameSize 32 the finalizer goroutine (runfinq, now runFinalizers) "
            "reserved as framesz (contract)") in msg
    assert "reflect" not in msg


def test_seed_dummy_regargs() -> None:
    """The seed's runfinq writes the argument at frame[0:] and passes a zero RegArgs (seed
    runtime/mfinal.go:223-227), while the seed's amd64 call machine loads AX from it: the
    finalizer receives 0 (INV-GC-VALUE, = INV-FIN-ARG). And the seed's callNN is declared with
    5 arguments (seed runtime/stubs.go): &regs at 40(FP) is in no args map, so a stack copy at
    call16's prologue leaves it pointing into the old stack (INV-GC-STACK)."""
    r = _run("func(p *int)", "seed")
    assert {i for i, v in r.items() if v.status != "HOLDS"} == {"INV-GC-VALUE", "INV-GC-STACK"}
    assert "callee received arg 0 (*int) wrong: bytes 0..8 are 0" in \
        r["INV-GC-VALUE"].counterexample["message"]
    assert "40(FP)" in r["INV-GC-STACK"].counterexample["message"]
    # 386: no registers, the argument in the frame the callee reads: holds
    assert {v.status for v in _run("func(p *int)", "seed", "386").values()} == {"HOLDS"}


# --------------------------------------------------------------------------------------------
# Vacuity: the mutants


@pytest.mark.parametrize(("arch", "frame"), [("amd64", "call16"), ("386", "call16")])
def test_early_clear_is_a_uaf(arch: str, frame: str) -> None:
    """f.arg = nil before reflectcall: the object is then only in regs.Ints (amd64) or the
    noscan frame (386) — neither scanned — until the finalizer's args map covers it; a GC at
    callNN's prologue frees it and the finalizer's use of its argument reads freed memory."""
    r = _run("func(p *int)", arch=arch, mutants=("early-clear",))
    v = r["INV-GC-UAF"]
    assert v.status == "VIOLATED"
    tr = v.counterexample["trace"]
    gcs = [d for d in tr if d["choice"] == "gc"]
    assert gcs and gcs[0]["label"].startswith(f"{frame} prologue")
    assert tr[-1]["where"] == "callee" and tr[-1]["label"].startswith("use arg 0 (*int)")


def test_scanned_frame_keeps_the_object() -> None:
    """FN:234-237: "If we do not mark it as FlagNoScan, the last finalized object is not
    collected". On 386 the argument stays in the cached frame after the call; with a scanned
    frame it is still reachable at the next record, with the noscan frame it is not. (A
    liveness property: no INV-GC-* fires either way.)"""
    def reach_at_end(mutants: tuple[str, ...]) -> list[str]:
        p = _prog("func(p *int)", arch="386", mutants=mutants)
        last = p.points[-1]
        assert last.label.startswith("next record")
        return p.obj_names(last.reach)

    assert "a0.ref0" not in reach_at_end(())
    assert "a0.ref0" in reach_at_end(("scan-frame",))
    assert {v.status for v in _run("func(p *int)", arch="386",
                                   mutants=("scan-frame",)).values()} == {"HOLDS"}


# --------------------------------------------------------------------------------------------
# Inputs, CLI, check rows


@pytest.mark.parametrize(("sig", "mutants", "what"), [
    ("func(x int)", (), "one pointer or interface argument"),
    ("func(p *int, q *int)", (), "one pointer or interface argument"),
    ("func(p *int)", ("bogus",), "unknown mutant"),
])
def test_bad_inputs(sig: str, mutants: tuple[str, ...], what: str) -> None:
    with pytest.raises(InputError, match=what):
        _prog(sig, mutants=mutants)


def test_cli_explore_finalizer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "func(p *int)", "--path", "finalizer"]) == 0
    out = capsys.readouterr().out
    assert "finalizer: K=2 GC, M=2" in out and "6 proved/held" in out
    assert main(["explore", "func(x any) [4]int64", "--path", "finalizer", "--variant",
                 "go1.17", "--trace"]) == 1
    assert "path: finalizer (runFinalizers calls" in capsys.readouterr().out
    assert main(["explore", "func(x int)", "--path", "finalizer"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "pointer or interface" in err


def test_check_rows() -> None:
    rows = check_gc_finalizer()
    # 3 variants x 3 arches x 6 invariants; the findings are the three above (amd64 only:
    # arm64 has no register ABI before go1.18, 386 none at all)
    assert len(rows) == 54 and {r.checker for r in rows} == {"paths"}
    bad = {(r.variant, r.arch, r.invariant) for r in rows if r.status != "HOLDS"}
    assert bad == {("finalizer/seed", "amd64", "INV-GC-VALUE"),
                   ("finalizer/seed", "amd64", "INV-GC-STACK"),
                   ("finalizer/go1.17", "amd64", "INV-GC-FRAME")}
