"""GC × call exploration of the MakeFunc and method-value paths (model/mfmachine.py,
proofs/explore.py ``path=``; spec/paths.md MF-GC-1 … MF-GC-9).

Every expected verdict, scanned word and failing step below is derived by hand from the Go
code cited in spec/paths.md (register assignment by ASG: amd64 integer registers AX, BX, CX, …;
arrays of length > 1 are never register-assigned), not read off the model.
"""

from __future__ import annotations

import pytest

from regabi.cli import main
from regabi.errors import InputError
from regabi.model.mfmachine import MUTANTS, build_path_program
from regabi.model.syntax import parse_signature
from regabi.proofs.explore import INV_IDS, explore_sig
from regabi.proofs.paths import check_gc_paths


def _run(path: str, sig: str, recv: str | None = None, variant: str = "current",
         arch: str = "amd64", mutants: tuple[str, ...] = ()) -> dict:
    vs = explore_sig(parse_signature(sig, recv=recv), variant, arch, path=path,
                     mutants=frozenset(mutants))
    return {v.invariant: v for v in vs}


def _point(path: str, sig: str, label: str, recv: str | None = None,
           mutants: tuple[str, ...] = ()) -> object:
    p = build_path_program(path, parse_signature(sig, recv=recv), "current", "amd64",
                           mutants=frozenset(mutants))
    (pt,) = [x for x in p.points if x.label.startswith(label)]
    return pt


# --------------------------------------------------------------------------------------------
# The real code holds (go1.17 and go1.27.3, amd64 and arm64)

HOLDING = [
    # Every pointer argument is, at every safepoint, in a scanned place: the stub's RegArgs.Ptrs
    # (moveMakeFuncArgPtrs, a stack object referenced by callReflect's live `regs`) or its
    # argument area (ctxt.stack), then `in` (heap); every result in `out` (KeepAlive(out))
    # until callReflect returns, and no safepoint follows (MF-GC-3 … MF-GC-6).
    ("makefunc", "func(p *int)", None),
    ("makefunc", "func() [2]*int", None),
    ("makefunc", "func(p *int, x [2]*int, s string) ([2]*int, *int)", None),
    # callMethod: argument pointers stay in valueRegs/valueFrame, results in the stub's
    # RegArgs (valueRegs kept alive to the end, V:1140) and its result area (retValid set
    # before typedmemclr/Put, V:1126-1132) (MF-GC-7).
    ("method-value", "func() *int", "*int"),
    ("method-value", "func() [2]*int", "*int"),
    ("method-value", "func(a, b, c, d, e, f, g, h int, p *int, q [2]*int) (*int, [2]*int)",
     "struct{a, b int}"),
]


@pytest.mark.parametrize("variant", ["go1.17", "current"])
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
@pytest.mark.parametrize(("path", "sig", "recv"), HOLDING)
def test_real_paths_hold(path: str, sig: str, recv: str | None, variant: str,
                         arch: str) -> None:
    rs = _run(path, sig, recv, variant, arch)
    assert {i: r.status for i, r in rs.items()} == dict.fromkeys(INV_IDS, "HOLDS")


def test_float32_in_float64_registers() -> None:
    # ppc64/ppc64le keep a float32 in a float register as a float64 (ARCH-8): the compiled
    # caller widens it, spillArgs stores the 8 bytes, callReflect's floatFromReg narrows it
    # back (archFloat32FromReg) and floatToReg widens the result: every value arrives.
    for arch in ("ppc64le", "riscv64", "s390x"):
        rs = _run("makefunc", "func(a uint32, f float32, g float32) (float32, *int)", arch=arch)
        assert rs["INV-GC-VALUE"].status == "HOLDS", arch


@pytest.mark.parametrize("seed", [7])
def test_random_signatures_hold(seed: int) -> None:
    # Neither path loses or corrupts a value on random signatures (the tests above say why).
    import random

    from regabi.model.corpus import random_signature
    from regabi.model.sig import Signature

    rng = random.Random(seed)
    for k in range(12):
        sig = random_signature(rng, max_params=6, max_results=3, receiver=True)
        for path, s in (("makefunc", Signature(sig.params, sig.results)), ("method-value", sig)):
            vs = explore_sig(s, "current", "amd64", 1, 1, path=path)
            bad = [v.line for v in vs if v.status != "HOLDS"]
            assert not bad, f"seed {seed}, signature {k}: {bad}"


# --------------------------------------------------------------------------------------------
# How the stub's frame is scanned (MF-GC-2)


def test_stub_args_cut_to_arglen_and_regargs_object() -> None:
    # func(p *int, x [2]*int) [2]*int on amd64: p in AX (register 0, regPtrs bit 0); x on the
    # stack at 0..16; the result at 16..32. ctxt.stack = words 0..3, argLen = 16: while
    # retValid is false only words 0 and 1 are scanned. At callReflect's prologue the GC sees
    # p through RegArgs.Ptrs[0] (the stack object, referenced by callReflect's `regs`) and
    # x's two pointers through the argument map — and nothing of the (junk) result words.
    pt = _point("makefunc", "func(p *int, x [2]*int) [2]*int", "callReflect prologue")
    seen = set(pt.seen_raw)  # type: ignore[attr-defined]
    assert ("stub.regs (stack object)+0", "a0.ref0") in seen
    assert {("stub.args+0", "a1.ref0"), ("stub.args+8", "a1.ref1")} <= seen
    assert not any(r.startswith(("stub.args+16", "stub.args+24")) for r, _ in seen)
    # Without the synthesised stack object (mutant) p is not seen at all.
    pt = _point("makefunc", "func(p *int, x [2]*int) [2]*int", "callReflect prologue",
                mutants=("no-stackobj",))
    assert not any(o == "a0.ref0" for _, o in pt.seen_raw)  # type: ignore[attr-defined]


def test_regargs_scanned_only_while_referenced() -> None:
    # func() *int with receiver *int: the method's result comes back in AX; reflectcallmove
    # copies Ints[0] to Ptrs[0] (ReturnIsPtr = 1); *valueRegs = methodRegs copies it into the
    # stub's RegArgs. At typedmemclr (V:1131) valueRegs is live (KeepAlive, V:1140), so the
    # stub's RegArgs is scanned; without the KeepAlive nothing points to it: not scanned.
    pt = _point("method-value", "func() *int", "typedmemclr", recv="*int")
    assert ("stub.regs (stack object)+0", "r0.ref0") in pt.seen_raw  # type: ignore
    pt = _point("method-value", "func() *int", "typedmemclr", recv="*int",
                mutants=("no-keepalive-regs",))
    assert not any(o == "r0.ref0" for _, o in pt.seen_raw)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# Vacuity: bugs of the shape a real one would have, each caught at the hand-derived step

# makeFuncStub's path for func(p *int) on amd64, step by step (each step one point):
#  0 caller places p in AX, calls        1 spillArgs         2 moveMakeFuncArgPtrs
#  3 stub stores ctxt, &argframe, …      4 callReflect prologue (safepoint)
#  5 funcLayout (safepoint)              6 make([]Value) (safepoint)
#  7 v.ptr = regs.Ptrs[0]                8 in = append(in, v)    9 CALL f
# 10 fn prologue (safepoint)            11 fn async preemption  12 fn uses in[0]
MF_P = "func(p *int)"


def test_mutant_skip_reg() -> None:
    # moveMakeFuncArgPtrs skips register 0: Ptrs[0] keeps the stub frame's old contents.
    # The first GC (callReflect's prologue, step 4) scans the RegArgs stack object: junk ->
    # INV-GC-SCAN; callReflect reads the junk as p -> fn gets a wrong value at step 12. The
    # real object is never dereferenced, so no use after free.
    rs = _run("makefunc", MF_P, mutants=("skip-reg",))
    tr = rs["INV-GC-SCAN"].counterexample["trace"]
    assert rs["INV-GC-SCAN"].status == "VIOLATED" and len(tr) == 5
    assert tr[4]["label"].startswith("callReflect prologue") and tr[4]["choice"] == "gc"
    assert ("a GC scans stub.regs (stack object)+0 precisely: expected nil or a pointer, got junk"
            in rs["INV-GC-SCAN"].counterexample["message"])
    tr = rs["INV-GC-VALUE"].counterexample["trace"]
    assert len(tr) == 13 and tr[12]["label"].startswith("fn uses in[0]")
    assert all(d["choice"] == "step" for d in tr)  # no GC needed
    assert rs["INV-GC-UAF"].status == "HOLDS"


def test_mutant_no_stack_object() -> None:
    # Without the RegArgs stack object, p lives only in unscanned memory until `in = append`
    # (step 8) stores it into the heap: one GC at a safepoint before that (4, 5 or 6) frees
    # it, and fn's use at step 12 reads freed memory.
    rs = _run("makefunc", MF_P, mutants=("no-stackobj",))
    ce = rs["INV-GC-UAF"].counterexample
    tr = ce["trace"]
    assert len(tr) == 13 and tr[12]["label"].startswith("fn uses in[0]")
    gcs = [d["step"] for d in tr if d["choice"] == "gc"]
    assert len(gcs) == 1 and gcs[0] in (4, 5, 6)
    assert ce["message"] == "reads a0.ref0: expected a live object, got one a GC freed"


def test_mutant_early_retvalid_makefunc() -> None:
    # func() [2]*int: the result is stack-assigned (words 0, 1 of the caller's area, junk until
    # written). With retValid set before the copy, the first safepoint after it — result 0's
    # assignTo, step 13 — scans the junk: 0-3 stub as above, 4 prologue, 5 funcLayout,
    # 6 make, 7 CALL f, 8 fn prologue, 9 async, 10 fn allocates, 11 builds out, 12 retValid.
    rs = _run("makefunc", "func() [2]*int", mutants=("early-retvalid",))
    tr = rs["INV-GC-SCAN"].counterexample["trace"]
    assert len(tr) == 14
    assert tr[12]["label"].startswith("*retValid = true (MUTANT")
    assert tr[13]["label"].startswith("result 0: v = out[0].assignTo") and \
        tr[13]["choice"] == "gc"
    assert ("a GC scans stub.args+0 precisely: expected nil or a pointer, got junk"
            in rs["INV-GC-SCAN"].counterexample["message"])


def test_mutant_early_retvalid_method_value() -> None:
    # No safepoint lies between callMethod's result copy and retValid (V:1117-1126), so the
    # mutant sets it before the call: the first safepoint after is callNN's prologue. The
    # frame: result [2]*int 16 bytes + the receiver's 8-byte spill = 24 -> call32. Steps:
    # 0-3 stub, 4 prologue, 5 rcvr, 6 methodReceiver, 7-8 funcLayout, 9 Get, 10 methodRegs,
    # 11 storeRcvr, 12 ReturnIsPtr, 13 retValid, 14 CALL reflectcall, 15 DISPATCH, 16 call32.
    rs = _run("method-value", "func() [2]*int", "*int", mutants=("early-retvalid",))
    tr = rs["INV-GC-SCAN"].counterexample["trace"]
    assert len(tr) == 17 and tr[16]["label"].startswith("call32 prologue")
    assert tr[16]["choice"] == "gc"


def test_mutant_no_keepalive_valueregs() -> None:
    # The method's *int result is, after *valueRegs = methodRegs, only in the stub's
    # RegArgs.Ptrs (methodRegs is no longer referenced: reflectcall returned). Without
    # KeepAlive(valueRegs) a GC at typedmemclr or Put frees it; the caller's use (the last
    # step) reads freed memory.
    rs = _run("method-value", "func() *int", "*int", mutants=("no-keepalive-regs",))
    ce = rs["INV-GC-UAF"].counterexample
    tr = ce["trace"]
    assert tr[-1]["label"].startswith("use result 0")
    assert ce["message"] == "reads r0.ref0: expected a live object, got one a GC freed"
    (g,) = [d for d in tr if d["choice"] == "gc"]
    assert g["label"].startswith(("typedmemclr", "methodFramePool.Put"))


def test_go117beta1_callmethod_panics() -> None:
    # spec/paths.md P-5: in the value ABI a…g take 7 of amd64's 9 integer registers and p the
    # last two, so q is stacked; in the method ABI the receiver and a…g take 8, p (2 words)
    # no longer fits and is stacked, and q takes the 9th register: q (argument 8) is a stack→
    # register translation, which go1.17beta1's callMethod lacks (it panics).
    sig = "func(a, b, c, d, e, f, g int, p struct{a, b int}, q int, r [2]int, z struct{})"
    rs = _run("method-value", sig, "int", "go1.17beta1")
    assert rs["INV-GC-VALUE"].status == "VIOLATED"
    assert "callMethod panics on arg 8" in rs["INV-GC-VALUE"].counterexample["message"]
    assert _run("method-value", sig, "int", "go1.17")["INV-GC-VALUE"].status == "HOLDS"


def test_every_mutant_is_tested() -> None:
    assert set(MUTANTS) == {"skip-reg", "early-retvalid", "no-stackobj", "no-keepalive-regs"}


# --------------------------------------------------------------------------------------------
# Inputs, CLI, check rows


@pytest.mark.parametrize(("path", "recv", "variant", "mutants", "what"), [
    ("makefunc", "*int", "current", (), "no receiver"),
    ("method-value", None, "current", (), "needs --recv"),
    ("makefunc", None, "seed", (), "go1.17beta1"),
    ("makefunc", None, "current", ("bogus",), "unknown mutant"),
    ("value-call", None, "current", (), "the explorer runs"),
])
def test_bad_inputs(path: str, recv: str | None, variant: str, mutants: tuple[str, ...],
                    what: str) -> None:
    with pytest.raises(InputError, match=what):
        build_path_program(path, parse_signature("func(p *int)", recv=recv), variant,
                           mutants=frozenset(mutants))


def test_cli_explore_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explore", "func(p *int) *int", "--path", "makefunc"]) == 0
    out = capsys.readouterr().out
    assert "makefunc: K=2 GC, M=2" in out and "6 proved/held" in out
    assert main(["explore", "func(p *int)", "--path", "makefunc", "--recv", "*int"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no receiver" in err


def test_check_rows() -> None:
    rows = check_gc_paths()
    # 2 paths x 2 variants x 2 arches x 6 invariants, all holding (the tests above)
    assert len(rows) == 48 and {r.status for r in rows} == {"HOLDS"}
    assert {r.variant for r in rows} == {"makefunc/go1.17", "makefunc/current",
                                         "method-value/go1.17", "method-value/current"}
    assert {r.checker for r in rows} == {"paths"} and {r.arch for r in rows} == {"amd64",
                                                                                  "arm64"}
    # the states a batch visited are its rows' field, not text of the bounds they share
    assert all("states" not in r.bounds and r.extra["states"] > 0 for r in rows)
    per: dict[tuple[str, str], set[int]] = {}
    for r in rows:
        per.setdefault((r.variant, r.arch), set()).add(r.extra["states"])
    assert len(per) == 8 and all(len(n) == 1 for n in per.values())
