"""``regabi prove --path makefunc`` (spec/proofs.md PRF-10): the MakeFunc fold of
model/makefunc.py over Z3, and the same fold run concretely.

Expected outcomes are derived by hand from go1.27.3 src/reflect/value.go (V), makefunc.go (MF)
and the spec (ASG) in the comments. The independent concrete side is the byte-level
simulation (simulate_makefunc), and tests/test_paths_reflect.py's real runs."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from regabi.model.arch import load_arch
from regabi.model.corpus import random_signature
from regabi.model.makefunc import (
    MF_CATALOGUE,
    MfArgs,
    MfRegPtrs,
    check_makefunc,
    simulate_makefunc,
)
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature as P
from regabi.model.variants import CURRENT, SEED, get_variant

z3 = pytest.importorskip("z3")

from regabi.proofs.bounded import Bounds  # noqa: E402
from regabi.proofs.mfprove import prove_makefunc  # noqa: E402

NOROLLBACK = replace(CURRENT, name="norollback", rollback_regs=False)


def _found(sig: Signature, arch: str, v: Any) -> set[str]:
    return {f.invariant for f in check_makefunc(sig, arch, v)}


@pytest.mark.parametrize("variant", ["current", "go1.17beta1", "seed", "norollback"])
def test_fold_agrees_with_byte_simulation(variant: str) -> None:
    # One semantics, checked against an independent concrete run: the fold the prover runs
    # (check_makefunc) fails exactly the invariants the byte-level simulation sees fail, on
    # random signatures (seed printed on failure), for the shipped code, the seed's ABI0
    # callReflect and a layout mutant (no register rollback, VAR-1).
    v = NOROLLBACK if variant == "norollback" else get_variant(variant)
    seed = 11
    rng = random.Random(seed)
    for _ in range(150):
        s = random_signature(rng, max_params=12, max_results=6, receiver=False)
        sig = Signature(s.params, s.results)
        for arch in ("amd64", "arm64", "riscv64"):
            want = {f.invariant for f in simulate_makefunc(sig, arch, v)}
            assert _found(sig, arch, v) == want, (seed, arch, sig.go())


def test_seed_abi0_holds_without_registers() -> None:
    # The seed's callReflect is ABI0 (go1.16's): with no registers (amd64:0,0, every value
    # stacked by ASG) it reads and writes exactly where the spec puts values.
    from regabi.model.arch import parse_arch_spec

    seed = 3
    rng = random.Random(seed)
    a0 = parse_arch_spec("amd64:0,0")
    for _ in range(100):
        s = random_signature(rng, max_params=8, max_results=4, receiver=False)
        sig = Signature(s.params, s.results)
        got = _found(sig, a0, SEED) - {"INV-MF-STACKMAP"}  # the seed's own layout (VAR-2,3)
        assert got == set(), (seed, sig.go())


# Vacuity: each invariant fires on a variant or one-line mutant, derived by hand.

def test_vacuity_seed_args_results_frame_regptrs() -> None:
    # seed = go1.16 callReflect (the seed patch left it untouched), no inRegPtrs (VAR-5).
    # func(int): ABIInternal passes the int in RAX; callReflect reads frame[0:8] (ARGS).
    assert _found(P("func(int)"), "amd64", SEED) == {"INV-MF-ARGS"}
    # func() int: ABIInternal returns it in RAX; callReflect writes frame[0:8] (RESULTS), and
    # the caller reserved no stack at all (no stack values, no argument spill): FRAME.
    assert _found(P("func() int"), "amd64", SEED) == {"INV-MF-RESULTS", "INV-MF-FRAME"}
    # func(*int): RAX holds a heap pointer; the seed has no regPtrs (REGPTRS) and reads
    # frame[0:8] (ARGS).
    assert _found(P("func(*int)"), "amd64", SEED) == {"INV-MF-ARGS", "INV-MF-REGPTRS"}


def test_vacuity_stackmap_norollback() -> None:
    # amd64 (9 integer registers) without VAR-1's rollback: a1..a8 take RAX RBX RCX RDI RSI
    # R8 R9 R10, leaving R11. s needs 3 (int, then string's two): ASG stacks it at 0 (24
    # bytes) and gives p R11. reflect without rollback lets s.a take R11, fails at s.b,
    # stacks s at 0 and keeps R11 taken, so p is stacked at 24: ctxt.stack marks word 3
    # (p), which the spec leaves empty, and argLen is 32, not 24 (STACKMAP); callReflect reads
    # p from the frame though the caller put it in R11 (ARGS); regPtrs lacks R11 (REGPTRS).
    sig = P("func(a1, a2, a3, a4, a5, a6, a7, a8 int, s struct{a int; b string}, p *int)")
    assert _found(sig, "amd64", NOROLLBACK) == {"INV-MF-STACKMAP", "INV-MF-ARGS",
                                                "INV-MF-REGPTRS"}
    assert _found(sig, "amd64", CURRENT) == set()


def test_vacuity_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    # One-line mutant: every type pointer-shaped (makefunc's `direct`). func(int) then needs a
    # pointer step, but int's step is abiStepIntReg: V:761-764 panics (DIRECT only).
    import regabi.model.makefunc as mf

    assert _found(P("func(int)"), "amd64", CURRENT) == set()
    monkeypatch.setattr(mf, "direct", lambda D, s, ps, flavor: True)
    assert _found(P("func(int)"), "amd64", CURRENT) == {"INV-MF-DIRECT"}


def _drop_inregptrs(monkeypatch: pytest.MonkeyPatch) -> None:
    """One-line mutant of newAbiDesc: inRegPtrs never gets a bit (both the fold and the byte
    simulation run this function)."""
    import regabi.model.assign as asg
    import regabi.model.joint as joint

    orig = asg.refl_end_arg

    def mutant(D, st, cur, s, regs, v, has_rcvr):  # type: ignore[no-untyped-def]
        st1, p = orig(D, st, cur, s, regs, v, has_rcvr)
        return st1._replace(inptrs=st.inptrs), p

    monkeypatch.setattr(asg, "refl_end_arg", mutant)
    monkeypatch.setattr(joint, "refl_end_arg", mutant)


def test_vacuity_regptrs_mutant(monkeypatch: pytest.MonkeyPatch) -> None:
    # With no bit in inRegPtrs, moveMakeFuncArgPtrs zeroes Ptrs[0]; func(*int)'s pointer in
    # RAX is read from Ptrs[0] as nil (ARGS) and is invisible to the GC (REGPTRS).
    _drop_inregptrs(monkeypatch)
    assert _found(P("func(*int)"), "amd64", CURRENT) == {"INV-MF-ARGS", "INV-MF-REGPTRS"}
    assert {f.invariant for f in simulate_makefunc(P("func(*int)"), "amd64", CURRENT)} == {
        "INV-MF-ARGS", "INV-MF-REGPTRS"}


# The prover.

def test_current_proved_for_all_signatures() -> None:
    # go1.27.3 on amd64: callReflect follows reflect's abiDesc, which agrees with ASG group by
    # group (INV-ASSIGN-AGREE's lemmas): every invariant is inductive. DIRECT only with the
    # link between a type's pointer words and its groups (WF-LINK), which the first
    # induction does not assume (a CTI) and a second one, for DIRECT alone, does — and says.
    rows = prove_makefunc(load_arch("amd64"), CURRENT, Bounds(max_params=1, max_results=1))
    got = {(v.invariant, v.status, v.extra.get("method")) for v in rows}
    assert got == {(i.id, "PROVED", "induction") for i in MF_CATALOGUE}
    (d,) = [v for v in rows if v.invariant == "INV-MF-DIRECT"]
    assert d.extra["assumes"] == "WF-LINK" and "WF-LINK" in d.bounds
    assert d.extra["induction"].startswith("END-ARG")


def test_seed_falsified_minimal() -> None:
    # The seed's ABI0 callReflect against ABIInternal: the smallest counterexample to ARGS is
    # one int argument (hand: see test_vacuity_seed_args_results_frame_regptrs).
    rows = prove_makefunc(load_arch("amd64"), SEED, Bounds(max_params=1, max_results=1),
                          (MfArgs(),))
    assert [(v.invariant, v.status, v.counterexample.sig.go()) for v in rows] == [
        ("INV-MF-ARGS", "FALSIFIED", "func(int)")]


def test_prover_sees_a_mutant_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # The inRegPtrs mutant above, found by the bounded search alone after the induction fails;
    # minimised to one pointer argument (hand: func(*int) fails, no smaller type has a
    # pointer; the minimiser's pool orders *int first among one-leaf pointer types).
    _drop_inregptrs(monkeypatch)
    rows = prove_makefunc(load_arch("amd64"), CURRENT, Bounds(max_params=1, max_results=0),
                          (MfRegPtrs(),))
    assert [(v.invariant, v.status, v.counterexample.sig.go()) for v in rows] == [
        ("INV-MF-REGPTRS", "FALSIFIED", "func(*int)")]


def regabi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("args", "msg"), [
    (("prove", "--path", "makefunc", "--variant", "fixed"),
     "error: --path makefunc --variant 'fixed': unknown"),
    (("prove", "--path", "makefunc", "--invariant", "INV-CB-ASSIGN"),
     "error: --path makefunc --invariant 'INV-CB-ASSIGN': unknown"),
    (("prove", "--path", "makefunc,bogus"), "error: --path 'bogus': unknown path"),
])
def test_prove_path_makefunc_bad_input(args: tuple[str, ...], msg: str) -> None:
    p = regabi(*args)
    assert p.returncode == 2 and p.stdout == "", p
    assert p.stderr.startswith(msg) and p.stderr.count("\n") == 1, p.stderr


def test_prove_path_makefunc_cli_exit_status() -> None:
    # The seed's ARGS is falsified (exit 1, the one-line finding printed).
    p = regabi("prove", "--path", "makefunc", "--variant", "seed", "--invariant", "INV-MF-ARGS",
               "--max-params", "1", "--max-results", "0", "--no-premises")
    assert p.returncode == 1, p
    assert "INV-MF-ARGS false for func(int) (makefunc/seed, amd64)" in p.stdout, p.stdout
