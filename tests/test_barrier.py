"""The concurrent mark phase and the write barriers of the reflect call path (spec/call.md
GC-9 … GC-14, INV-GC-MARK). Expected values are derived by hand from the Go sources cited (the
seed patch and go1.27.3), never copied from the model's output."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from regabi.model.callmachine import build_program, holding_modes
from regabi.model.gcrt import RUNTIME_VARIANTS
from regabi.model.syntax import parse_signature
from regabi.model.variants import LADDER
from regabi.proofs.explore import (
    _blacken,
    corpus_signatures,
    explore_sig,
    mark_bfs,
    print_trace,
)

_NO_WB = replace(RUNTIME_VARIANTS["current"], callmove_barrier=False)


def _stores(p) -> list[tuple[str, str]]:
    return [(x.label, x.eff_wb) for x in p.points if x.eff_wb]


@pytest.mark.parametrize("var", [v.name for v in LADDER])
def test_barrier_sites(var: str) -> None:
    """GC-13, read from the seed (value.go:470, 500-502, 551-625; mbarrier.go:227-231) and
    go1.27.3 (value.go:503, 532-534, 596-670; mbarrier.go:249-256), the same statements:
    an indirect stack argument goes through typedmemmove (bulkBarrierPreWrite with the type),
    a direct one through `*(*unsafe.Pointer)(addr) = v.ptr` (compiler barrier: stackArgs is not
    a stack address); reflectcallmove's bulkBarrierPreWrite covers the stack results;
    typedmemclrpartial shades the old argument words; every `ret[i] = Value{…}` and the
    pointer step into a result box are Go stores with the compiler's barrier. func(p *int,
    x [2]*int) ([2]*int, string): x and the [2]*int result on the stack, p in AX, the string
    result in AX/BX → boxed."""
    sig = parse_signature("func(p *int, x [2]*int) ([2]*int, string)")
    for h in holding_modes(sig, LADDER[[v.name for v in LADDER].index(var)]):
        p = build_program(sig, var, holding=h)
        st = _stores(p)
        kinds = [wb for _, wb in st]
        assert any(("typedmemmove" if h[1] else "*(*unsafe.Pointer)(addr)") in k
                   for k in kinds), st
        assert any("bulkBarrierPreWrite(stackArgs+retOffset" in k for k in kinds)
        assert any("typedmemclrpartial" in k for k in kinds)
        assert any("*(*unsafe.Pointer)(s) = regArgs.Ptrs" in k for k in kinds)
        assert sum("ret[i] = Value" in k for k in kinds) == 2
        # nothing stores a heap pointer into the heap without a barrier
        assert not any(x.eff_nobar for x in p.points)


def test_no_store_without_barrier_in_any_variant() -> None:
    """Over the whole corpus and every holding mode, no variant stores a heap pointer into a
    heap object without a barrier (GC-13): so INV-GC-MARK can only fail through pointers the
    stack scan does not see (VAR-7, VAR-8), never through a missing barrier."""
    for var in (v.name for v in LADDER):
        for sig in corpus_signatures():
            for h in holding_modes(sig, LADDER[[v.name for v in LADDER].index(var)])[:4]:
                for res in ("fresh", "args"):
                    p = build_program(sig, var, holding=h, results=res)
                    assert not any(x.eff_nobar for x in p.points), (var, str(sig))


def test_blacken_stops_at_black() -> None:
    """gcDrain scans grey objects only; an object allocated black (gcmarknewobject,
    malloc.go:1306-1311) is never scanned, so what it points to is not reached through it.
    Heap 0 → 1 → 2, 3 → 2: greying 0 blackens 0, 1, 2; with 1 already black only 0."""
    edges = (0b10, 0b100, 0, 0b100)
    assert _blacken(0b1, 0, edges) == 0b111
    assert _blacken(0b1, 0b10, edges) == 0b11
    assert _blacken(0b1000, 0, edges) == 0b1100


def test_atomic_cycle_loses_nothing() -> None:
    """Start, scan and terminate at one safepoint is the stop-the-world GC: the roots' closure
    is the reachable set, so INV-GC-MARK holds for it by construction. Hand check on current:
    every corpus signature holds with any placement (go1.19+ have VAR-7 and VAR-8)."""
    for sig in corpus_signatures():
        (r,) = explore_sig(sig, "current", only=("INV-GC-MARK",))
        assert r.status == "HOLDS", r.line
        assert "one concurrent cycle per path" in r.bounds


# The vacuity mutant: go1.27.3 with reflectcallmove's memmove but no bulkBarrierPreWrite.
# func(p *int) [2]*int, p held directly, the callee returns [2]*int{p, …} (results passed
# through, CALL-12): frametype = 16 bytes of results, stackArgs = unsafe_New. Points:
#  0 funcLayout, 1 unsafe_New(frametype), 2 stackArgs = …, 3 assignTo, 4 Ints[0]/Ptrs[0] ← p,
#  5 frameSize, 6 ReturnIsPtr, 7 CALL, 8 DISPATCH, 9 call32 prologue, 10 copy, 11 R12,
#  12 unspill, 13 CALL, 14 callee prologue, 15 async, 16 use p, 17 async, 18 new(…), 19 build,
#  20 async, 21 RET, 22 R12, 23 spillArgs, 24 reflectcallmove memmove (no barrier),
#  25 Ptrs = Ints, 26 typedmemclrpartial, 27 make, 28 ret[0] = Value{…, stackArgs+0},
#  29 return, 30 caller's call site (only ret live), 31 use result 0.
# For a0.ref0 (p's referent) to be lost: stackArgs must be black when the memmove writes p
# into it — allocated during the cycle, so the cycle starts at 0 or 1; ret[] is allocated
# black too and ret[0] = stackArgs is barriered (shades stackArgs, but it is already black);
# the stack must be scanned where p is on no stack: regArgs.Ptrs[0] holds it while Value.call
# runs, so only at 30; termination at 30 (ret → stackArgs → a0.ref0 is reachable). Shortest
# trace: states 0, 1, 1 (after gc-start), 2 … 30, 30 (after the scan) = 33.
def test_mutant_without_callmove_barrier_fires() -> None:
    sig = parse_signature("func(p *int) [2]*int")
    (r,) = explore_sig(sig, "current", only=("INV-GC-MARK",), runtime=_NO_WB)
    assert r.status == "VIOLATED"
    assert "a0.ref0 white although reachable" in r.line
    assert r.extra["trace_len"] == 33
    tr = r.counterexample["trace"]
    assert r.counterexample["results"] == "args" and r.counterexample["holding"] == [False]
    choices = [(d["choice"], d["where"], d["step"]) for d in tr if d["choice"] != "step"]
    assert [c for c, _, _ in choices] == ["gc-start", "scan", "gc-end"]
    assert choices[0][2] <= 1 and choices[1][1] == choices[2][1] == "caller"
    mv = next(d for d in tr if d["where"] == "reflectcallmove" and d.get("barrier"))
    assert "NO write barrier" in mv["barrier"] and "stackArgs" in mv["black"]
    # the real runtime (barrier on) holds on the same signature, every variant of the ladder
    for v in LADDER:
        if v.name in ("go1.19", "current"):
            (ok,) = explore_sig(sig, v.name, only=("INV-GC-MARK",))
            assert ok.status == "HOLDS", ok.line


def test_mark_events_only_at_safepoints() -> None:
    """GC-9/GC-10: gcStart and mark termination stop the world, the stack scan suspends the
    goroutine — all at safepoints (never in reflectcall, callN's body or reflectcallmove);
    workers drain concurrently, only before a store without a barrier."""
    sig = parse_signature("func(p *int) [2]*int")
    for var, rt in (("seed", None), ("current", _NO_WB)):
        (r,) = explore_sig(sig, var, only=("INV-GC-MARK",), runtime=rt)
        for d in r.counterexample["trace"]:
            if d["choice"] in ("gc-start", "scan", "gc-end"):
                assert d["safepoint"] in ("call", "prologue", "async"), d
                assert d["where"] not in ("reflectcall", "reflectcallmove")


def test_seed_mark_cause_and_ladder() -> None:
    """INV-GC-MARK on the ladder is F-5/F-6 again: the seed, go1.17beta1 and go1.17 lose an
    indirectly held argument pointer (only in regArgs.Ints when the stack is scanned); go1.18
    still loses a register receiver (VAR-8, fixed in go1.19); go1.19 and current hold."""
    sig, rsig = (parse_signature("func(s string) string"),
                 parse_signature("func(a int) int", recv="*int"))
    want = {"seed": (True, True), "go1.17beta1": (True, True), "go1.17": (True, True),
            "go1.18": (False, True), "go1.19": (False, False), "current": (False, False)}
    for var, (arg, rcvr) in want.items():
        got = tuple(explore_sig(s, var, only=("INV-GC-MARK",))[0].status == "VIOLATED"
                    for s in (sig, rsig))
        assert got == (arg, rcvr), var


def test_trace_shows_mark_state() -> None:
    sig = parse_signature("func(p *int) [2]*int")
    (r,) = explore_sig(sig, "current", only=("INV-GC-MARK",), runtime=_NO_WB)
    out = io.StringIO()
    print_trace(r, out)
    text = out.getvalue()
    assert "GC starts: stop the world, write barrier on" in text
    assert "GC scans this goroutine's stack (once per cycle)" in text
    assert "mark termination, sweep" in text
    assert "stack black (scanned)" in text and "black: stackArgs" in text
    assert "[runtime/mbarrier.go:249-268" in text and "[reflect/value.go:483]" in text


def test_budget_limits_the_mark_search() -> None:
    (r,) = explore_sig(parse_signature("func(p *int) [2]*int"), "current",
                       only=("INV-GC-MARK",), max_states=200)
    assert r.status == "LIMIT"


def test_mark_search_directly() -> None:
    """mark_bfs on one program: the mutant's violation needs the results passed through; with
    fresh results the callee allocates them during the cycle (black) or before it (then they
    are on the stack when it is scanned): no loss — derived in spec/call.md GC-14."""
    sig = parse_signature("func(p *int) [2]*int")
    fresh = build_program(sig, "current", holding=(False,), runtime=_NO_WB)
    args = build_program(sig, "current", holding=(False,), runtime=_NO_WB, results="args")
    assert mark_bfs([fresh], 10**6)[1] == {}
    assert "INV-GC-MARK" in mark_bfs([args], 10**6)[1]
