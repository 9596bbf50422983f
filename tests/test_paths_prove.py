"""``regabi prove --path wincallback`` (spec/proofs.md PRF-10): the callback fold over Z3.

Expected outcomes are derived by hand from go1.27.3 src/runtime/syscall_windows.go (SW) and
the spec (ASG), in the comments; the concrete re-check of every counterexample is by
check_signature, the enumerated check of `regabi paths`."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from regabi.model.arch import load_arch
from regabi.model.corpus import random_type
from regabi.model.domain import CONCRETE
from regabi.model.syntax import parse_signature as P
from regabi.model.wincallback import (
    FIXES,
    Refused,
    cb_fold_check,
    cb_val,
    check_signature,
)
from regabi.proofs.paths import callback_signatures

z3 = pytest.importorskip("z3")

from regabi.model.domain import Z3Domain  # noqa: E402
from regabi.proofs.pathprove import CbGrammar, CbSym, prove_wincallback, wf_cb  # noqa: E402


def test_fold_agrees_with_check_signature() -> None:
    # One semantics: the fold the proofs run, run concretely, fails exactly the invariants
    # check_signature reports (VIOLATED; INV-CB-SPILL is latent in both), on every 5th
    # enumerated signature of each port, with and without the fixes.
    for arch in ("amd64", "arm64", "386"):
        for fixes in (frozenset(), FIXES):
            for k, sig in enumerate(callback_signatures(arch)):
                if k % 5:
                    continue
                try:
                    _, mm = check_signature(sig, arch, fixes)
                    want = {m.invariant for m in mm
                            if m.status == "VIOLATED" or m.invariant == "INV-CB-SPILL"}
                except Refused:
                    want = set()
                assert {o.inv for o in cb_fold_check(sig, arch, fixes)} == want, sig.go()


def test_wf_cb_on_random_types() -> None:
    # WF-CB is what the induction assumes of a parameter; it must hold of real types.
    seed = 7
    rng = random.Random(seed)
    for _ in range(400):
        t = random_type(rng, depth=3)
        for ps in (4, 8):
            try:
                v = cb_val(t, ps)
            except Exception:  # types too large for the target
                continue
            assert all(wf_cb(CONCRETE, v, ps)), (seed, t)


@pytest.mark.parametrize("ps", [4, 8])
def test_wf_cb_on_every_grammar_type(ps: int) -> None:
    # ... and of every type of the bounded search's grammar (Z3: its negation is unsat).
    D = Z3Domain("g.")
    sym = CbSym(D, CbGrammar(ps), "t")
    s = z3.Solver()
    s.add(*sym.constraints)
    s.add(z3.Not(z3.And(*[D.b(c) for c in wf_cb(D, sym.val, ps)])))
    assert s.check() == z3.unsat


def test_fixed_variant_proved_for_all_signatures() -> None:
    # With the four fixes (rollback, refuse-byref, refuse-result, zero-slot) compileCallback
    # follows ASG-2 step by step, so every invariant is inductive on amd64.
    rows = prove_wincallback(load_arch("amd64"), "fixed", timeout_ms=30000)
    assert {(v.invariant, v.status, v.extra["method"]) for v in rows} == {
        (i, "PROVED", "induction") for i in ("INV-CB-ASSIGN", "INV-CB-RESULT", "INV-CB-FRAME",
                                             "INV-CB-SPILL", "INV-CB-CSIDE")}


def test_386_proved_as_shipped() -> None:
    # 386 has no registers: assignArg stacks every accepted argument like ASG with 0
    # registers (CB-5), the result word is reserved at retOffset (SW:294-299).
    rows = prove_wincallback(load_arch("386"), "current", timeout_ms=30000)
    assert {v.status for v in rows} == {"PROVED"}


def test_mutant_zero_size_not_aligned_fires_on_386(monkeypatch: pytest.MonkeyPatch) -> None:
    # Vacuity of the 386 proof: a one-line mutant of cb_arg where a zero-size argument does not
    # align dstStackSize (SW:112-116 dropped). Hand: func(a uint8, z [0]uint32, b uint8)
    # uintptr: the mutant puts b at 1, ASG-4/5 at 4 (z aligns the offset to 4): INV-CB-ASSIGN
    # fails with three parameters, and no fewer do (a zero-size value between two others);
    # the result too: retOffset align(2, 4) = 4, ASG-6 align(5, 4) = 8 (INV-CB-RESULT).
    import regabi.model.wincallback as wcb

    orig = wcb.cb_arg

    def mutant(D, st, a, n_int, ps, rollback=False, zero_slot=False):  # type: ignore[no-untyped-def]
        st2, step = orig(D, st, a, n_int, ps, rollback, zero_slot)
        return st2._replace(dst=D.ite(step.zero, st.dst, st2.dst)), step

    monkeypatch.setattr(wcb, "cb_arg", mutant)
    assert [o.inv for o in wcb.cb_fold_check(P("func(a uint8, z [0]uint32, b uint8) uintptr"),
                                             "386")] == ["INV-CB-ASSIGN", "INV-CB-RESULT"]
    monkeypatch.setattr(wcb, "check_signature", lambda *a, **k: (None, [
        wcb.Mismatch("INV-CB-ASSIGN", "VIOLATED", "mutant", "")]))
    rows = {v.invariant: v for v in prove_wincallback(load_arch("386"), "current",
                                                      timeout_ms=30000,
                                                      invariants=("INV-CB-ASSIGN",))}
    v = rows["INV-CB-ASSIGN"]
    assert v.status == "FALSIFIED", v
    assert len(P(v.counterexample).params) == 3, v.counterexample


@pytest.fixture(scope="module")
def amd64_current() -> dict[str, object]:
    return {v.invariant: v for v in prove_wincallback(load_arch("amd64"), "current",
                                                      timeout_ms=60000)}


@pytest.mark.parametrize(("inv", "nparams", "status"), [
    # P-3: a result whose decomposition is not one integer register alone needs no
    # parameter at all (complex64: two float registers, SW:282-293 checks only size, kind).
    ("INV-CB-RESULT", 0, "FALSIFIED"),
    # P-2: one aggregate of size 3, 5, 6 or 7 (CB-10 by reference).
    ("INV-CB-CSIDE", 1, "FALSIFIED"),
    # P-4: the callee's area is the stacked result (8) + the spill; frameSize (no stack
    # arguments) is the spill alone: call16 < 8 + 16 needs 16 bytes of spill, two arguments.
    ("INV-CB-FRAME", 2, "FALSIFIED"),
    # P-1: 8 registers taken by values of at most 3 leaves (the grammar's structs) need 3
    # parameters, then a partially assigned one, then one ABIInternal puts in R8: 5.
    ("INV-CB-ASSIGN", 5, "FALSIFIED"),
    # the spill differs only when an argument is registered by one side and not the other:
    # P-1's shape again, latent.
    ("INV-CB-SPILL", 5, "LATENT"),
])
def test_current_findings_minimal(amd64_current: dict, inv: str, nparams: int,
                                  status: str) -> None:
    v = amd64_current[inv]
    assert v.status == status, v
    sig = P(v.counterexample)
    assert len(sig.params) == nparams, v.counterexample
    # the counterexample is real: the independent concrete check reports it
    _, mm = check_signature(sig, "amd64")
    assert inv in {m.invariant for m in mm}


def regabi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize(("args", "msg"), [
    (("prove", "--path", "bogus"), "error: --path 'bogus': unknown path"),
    (("prove", "--path", "finalizer", "--variant", "fixed"),
     "error: --path finalizer --variant 'fixed': unknown"),
    (("prove", "--path", "wincallback", "--variant", "seed"),
     "error: --path wincallback --variant 'seed'"),
    (("prove", "--path", "wincallback", "--arch", "ppc64"),
     "error: --path wincallback --arch 'ppc64': no windows port"),
])
def test_prove_path_bad_input(args: tuple[str, ...], msg: str) -> None:
    p = regabi(*args)
    assert p.returncode == 2 and p.stdout == "", p
    assert p.stderr.startswith(msg) and p.stderr.count("\n") == 1, p.stderr


def test_prove_path_wincallback_cli() -> None:
    import json

    p = regabi("prove", "--path", "wincallback", "--arch", "386", "--variant", "fixed",
               "--json", "--no-premises")
    assert p.returncode == 0, p
    rows = json.loads(p.stdout)
    assert {(r["invariant"], r["arch"], r["status"]) for r in rows} == {
        (i, "windows/386", "PROVED") for i in ("INV-CB-ASSIGN", "INV-CB-RESULT",
                                               "INV-CB-FRAME", "INV-CB-SPILL", "INV-CB-CSIDE")}
