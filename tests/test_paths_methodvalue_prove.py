"""``regabi prove --path method-value`` (spec/proofs.md PRF-10): callMethod's translation
from the value ABI to the method ABI as hooks of the joint fold (model/methodvalue.py), two
layouts in one fold, and the same fold run concretely.

Expected outcomes are derived by hand from go1.27.3 src/reflect/value.go (V) and the spec
(ASG) in the comments. The independent concrete side is the byte-level simulation
(model/makefunc.py check_method_value), and tests/test_paths_reflect.py's real runs."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from regabi.model.arch import load_arch
from regabi.model.corpus import random_signature
from regabi.model.makefunc import check_method_value
from regabi.model.methodvalue import MvXlate, callmethod_stack_to_reg, mv_fold_check
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature as P
from regabi.model.syntax import parse_type as T
from regabi.model.variants import CURRENT, get_variant

z3 = pytest.importorskip("z3")

from regabi.proofs.bounded import Bounds  # noqa: E402
from regabi.proofs.mfprove import prove_method_value  # noqa: E402

NOROLLBACK = replace(CURRENT, name="norollback", rollback_regs=False)


def _fold(sig: Signature, recv: Any, arch: str, v: Any) -> set[str]:
    return {x.invariant for x in mv_fold_check(sig, recv, arch, v)}


@pytest.mark.parametrize("variant", ["current", "go1.17beta1", "norollback"])
def test_fold_agrees_with_byte_simulation(variant: str) -> None:
    # One semantics against an independent concrete run: on random method values (seed
    # printed on failure) the fold fails exactly the invariants the byte simulation sees.
    v = NOROLLBACK if variant == "norollback" else get_variant(variant)
    seed = 5
    rng = random.Random(seed)
    for _ in range(120):
        s = random_signature(rng, max_params=12, max_results=6, receiver=True)
        plain = Signature(s.params, s.results)
        for arch in ("amd64", "arm64"):
            want = {f.invariant for f in check_method_value(
                plain, s.recv, arch, v, stack_to_reg=callmethod_stack_to_reg(v))}
            assert _fold(plain, s.recv, arch, v) == want, (seed, arch, str(s))


def _results_lemmas(sig: Signature, recv: Any, arch: str, v: Any) -> list[str]:
    """Run the joint fold concretely, as the induction arranges it (the value fold shared by
    ValueAbiFold), and evaluate INV-MV-RESULTS' lemmas after every result event: the names
    of those that are false."""
    from regabi.model.arch import load_arch as la
    from regabi.model.assign import walk
    from regabi.model.domain import CONCRETE
    from regabi.model.joint import Ctx, j_begin, j_between, j_end, j_group, j_init, j_value
    from regabi.model.methodvalue import MvResults, ValueAbiFold
    from regabi.model.summary import summarize

    a = la(arch)
    ps = a.ptr_size
    c = Ctx(CONCRETE, a, v, True, (ValueAbiFold(), MvResults()))
    names = {"MV-VALUE-ABI:m:ret", "MV-VALUE-ABI:v:ret", "MV-VALUE-ABI:m:ret%ps",
             "MV-VALUE-ABI:v:ret%ps", "MV-VALUE-ABI:mv:fits", "INV-MV-RESULTS:m:S=ret+k",
             "INV-MV-RESULTS:v:S=ret+k", "INV-MV-RESULTS:k:fits",
             "INV-MV-RESULTS:m:off=ret+k", "INV-MV-RESULTS:v:off=ret+k"}
    bad: list[str] = []

    def check(J: Any, where: str) -> None:
        for inv, g in zip(c.invs, J.ghosts, strict=True):
            for n, x in inv.candidates(c, g, J, "results"):
                if f"{inv.id}:{n}" in names and not x:
                    bad.append(f"{inv.id}:{n} {where}")

    J, _ = j_value(c, j_init(c), summarize(recv, ps), "recv", 0)
    for i, t in enumerate(sig.params):
        J, _ = j_value(c, J, summarize(t, ps), "arg", i)
    J, _ = j_between(c, J)
    check(J, "between")
    for i, t in enumerate(sig.results):
        sm = summarize(t, ps)
        J, _ = j_begin(c, J, sm, "result", i)
        check(J, f"begin {i}")
        sg, rg = sm.spec.groups, walk(sm, v).groups
        for j in range(max(len(sg), len(rg))):
            gs = sg[j] if j < len(sg) else (rg[j] if j < len(rg) else sg[0])
            J, _ = j_group(c, J, gs, rg[j] if j < len(rg) else gs, "result", i)
            check(J, f"group {i}.{j}")
        J, _ = j_end(c, J, "result", i)
        check(J, f"end {i}")
    return bad


@pytest.mark.parametrize("variant", ["current", "go1.17beta1", "norollback"])
def test_results_lemmas_hold_concretely(variant: str) -> None:
    # The induction's lemmas for RESULTS (the ghost: results' offsets relative to retOffset)
    # are true of real method values, independently of Z3: on random signatures (seed printed
    # on failure) and on FOUR, every one holds after every result event — except, without
    # rollback, "reflect's retOffset = the spec's" (m:ret, v:ret), false on FOUR's method ABI
    # (40 vs 32, derived below) and on RESULTS_NR's value ABI (88 vs 16).
    v = NOROLLBACK if variant == "norollback" else get_variant(variant)
    seed = 11
    rng = random.Random(seed)
    cases = [(FOUR, T("int")), (RESULTS_NR, T("*int"))]
    for _ in range(60):
        s = random_signature(rng, max_params=10, max_results=6, receiver=True)
        cases.append((Signature(s.params, s.results), s.recv))
    for arch in ("amd64", "arm64", "386"):
        for sig, recv in cases:
            bad = _results_lemmas(sig, recv, arch, v)
            if variant == "norollback":
                bad = [b for b in bad if not b.startswith(("MV-VALUE-ABI:m:ret ",
                                                           "MV-VALUE-ABI:v:ret "))]
            assert bad == [], (seed, arch, sig.go(), bad)
    if variant == "norollback":
        assert "MV-VALUE-ABI:m:ret between" in _results_lemmas(FOUR, T("int"), "amd64", v)
        assert "MV-VALUE-ABI:v:ret between" in _results_lemmas(RESULTS_NR, T("*int"),
                                                               "amd64", v)


# Vacuity, derived by hand.

# amd64 (9 integer registers). Value ABI: a..g RAX..R9 (7), p (2 words) R10 R11, q finds none:
# stack 0, r ([2]int, ASG-3 never in registers) stack 8, z zero-size. Method ABI: the receiver
# RAX, a..g RBX..R10, p needs 2 with 1 left: stack 0, q R11, r stack 16, z. So q goes
# stack→register (tests/test_paths_reflect.py FOUR).
FOUR = P("func(a, b, c, d, e, f, g int, p struct{a, b int}, q int, r [2]int, z struct{}) "
         "(int, [2]*int)")


def test_vacuity_xlate_go1_17beta1() -> None:
    # go1.17beta1 lacked the stack→register case (P-5): q makes callMethod panic (XLATE);
    # every other invariant holds (the panic is the finding).
    assert _fold(FOUR, T("int"), "amd64", CURRENT) == set()
    assert _fold(FOUR, T("int"), "amd64", get_variant("go1.17beta1")) == {"INV-MV-XLATE"}


def test_vacuity_norollback() -> None:
    # Without VAR-1's rollback, reflect's method ABI lets p.a take R11 and keeps it when p.b
    # fails: p is stacked at 0, q finds no register and is stacked at 16, r at 24, z at 40,
    # retOffset 40. The compiled method reads q from R11 and r at 16 (ARGS), and writes its
    # stacked result [2]*int at the spec's retOffset 32, which callMethod does not copy back
    # (it copies from 40: RESULTS). The receiver is reflect's first register step, RAX, as
    # the spec's (RCVR holds); the value ABI is unaffected (no receiver: p fits there).
    assert _fold(FOUR, T("int"), "amd64", NOROLLBACK) == {"INV-MV-ARGS", "INV-MV-RESULTS"}


# The search's counterexample for RESULTS on the no-rollback layout, derived by hand (amd64,
# 9 integer registers; receiver *int). struct{a int; _ [2]struct{}} (16 bytes: a trailing
# zero-size field is padded) is stack-assigned by the spec — regassignArray refuses an array of
# length 2 — while reflect first gives a a register (RFL-3: [2]struct{} then fails the walk).
# Value ABI (no receiver): the spec stacks arg 0 at 0 and puts arg 1's 9 words in RAX…R11,
# retOffset 16; reflect without rollback keeps RAX for a, has 8 registers left for arg 1 and
# stacks it at 16: retOffset 88. The stacked [2]int result is read by the caller at 16 and
# copied by callMethod to 88 (RESULTS). The method ABI stacks both arguments in both
# algorithms (RAX is the receiver; 7 < 9 left for arg 1), retOffset 88 in each.
RESULTS_NR = P("func(struct{a int; _ [2]struct{}}, struct{a []int; b []int; c []int}) [2]int")


def test_vacuity_norollback_results_search_shape() -> None:
    assert _fold(RESULTS_NR, T("*int"), "amd64", CURRENT) == set()
    got = _fold(RESULTS_NR, T("*int"), "amd64", NOROLLBACK)
    # and arg 1 (ARGS), its pointers' registers (REGPTRS), argLen 88 != 16 (STACKMAP)
    assert got == {"INV-MV-ARGS", "INV-MV-RESULTS", "INV-MV-REGPTRS", "INV-MV-STACKMAP"}


def test_vacuity_frame_mutant(monkeypatch: pytest.MonkeyPatch) -> None:
    # One-line mutant of newAbiDesc (model/assign.py, run by the fold and by the byte
    # simulation alike): the spill total is 0. func(a, b, c int) with an int receiver: no
    # stack arguments, so methodFrameSize = align(0, 8) + 0 = 0 selects the smallest class,
    # call16, while the method's argument area is 0 + 4 words of spill = 32 (FRAME).
    import regabi.model.assign as asg
    import regabi.model.joint as joint

    orig = asg.refl_between

    def no_spill(D, st, regs, v):  # type: ignore[no-untyped-def]
        st2, (args, ret, _spill) = orig(D, st, regs, v)
        return st2, (args, ret, 0)

    sig = P("func(a, b, c int)")
    assert _fold(sig, T("int"), "amd64", CURRENT) == set()
    monkeypatch.setattr(asg, "refl_between", no_spill)
    monkeypatch.setattr(joint, "refl_between", no_spill)
    assert _fold(sig, T("int"), "amd64", CURRENT) == {"INV-MV-FRAME"}
    assert {f.invariant for f in check_method_value(sig, T("int"), "amd64")} == {
        "INV-MV-FRAME"}


def test_vacuity_rcvr_mutant(monkeypatch: pytest.MonkeyPatch) -> None:
    # One-line mutant of addRcvr's end (model/assign.py refl_end_rcvr): the receiver word is
    # given a stack step at 0 while its register stays taken. func(a int) with an int
    # receiver: storeRcvr writes the frame at 0, the compiled method reads RAX (RCVR only:
    # a is still in RBX for both, nothing else is stacked).
    import regabi.model.assign as asg
    import regabi.model.joint as joint

    orig = asg.refl_end_rcvr

    def mutant(D, st, cur, is_ptr, regs):  # type: ignore[no-untyped-def]
        st1, p = orig(D, st, cur, is_ptr, regs)
        return st1, p._replace(reg=False, stack=True, off=0)

    monkeypatch.setattr(asg, "refl_end_rcvr", mutant)
    monkeypatch.setattr(joint, "refl_end_rcvr", mutant)
    sig = P("func(a int)")
    assert _fold(sig, T("int"), "amd64", CURRENT) == {"INV-MV-RCVR"}
    assert {f.invariant for f in check_method_value(sig, T("int"), "amd64")} == {
        "INV-MV-RCVR"}


def test_vacuity_maps_fire_on_norollback_random() -> None:
    # RETPTR, REGPTRS and STACKMAP fire on random method values under the no-rollback layout
    # (as the byte simulation's map checks do, test_fold_agrees_with_byte_simulation).
    seed = 1
    rng = random.Random(seed)
    seen: set[str] = set()
    for _ in range(200):
        s = random_signature(rng, max_params=12, max_results=6, receiver=True)
        seen |= _fold(Signature(s.params, s.results), s.recv, "amd64", NOROLLBACK)
    assert {"INV-MV-RETPTR", "INV-MV-REGPTRS", "INV-MV-STACKMAP"} <= seen, seed


# The prover.

def test_current_proved_by_induction() -> None:
    # go1.27.3 on amd64: the value ABI's fold and the method ABI's agree with the spec's
    # value by value; every invariant is inductive, RESULTS through its ghost (the results'
    # offsets relative to retOffset, the same in both ABIs). No bounded search runs: the
    # bounds given here would make any fallback visible as method "bounded".
    rows = prove_method_value(load_arch("amd64"), CURRENT, Bounds(max_params=1, max_results=1))
    got = {(v.invariant, v.status, v.extra.get("method")) for v in rows}
    assert got == {(i, "PROVED", "induction")
                   for i in ("INV-MV-RCVR", "INV-MV-ARGS", "INV-MV-XLATE", "INV-MV-RESULTS",
                             "INV-MV-FRAME", "INV-MV-RETPTR", "INV-MV-REGPTRS",
                             "INV-MV-STACKMAP")}


def test_norollback_results_not_inductive() -> None:
    # Vacuity of RESULTS' lemmas: on the no-rollback layout the same induction (every
    # candidate, the ghost's included) must not prove RESULTS. By hand (FOUR, RESULTS_NR
    # above) reflect's retOffset there leaves the spec's (40 vs 32, 88 vs 16), so the lemmas
    # "reflect's retOffset = the spec's" are not inductive — BETWEEN drops them for both ABIs
    # — and END-RESULT's obligation, whose stack case compares reflect's retOffsets, has a
    # CTI. (The search then finds RESULTS_NR: scripts in docs/performance.md, 200 s.)
    from regabi.model.invariants import AssignAgree, FrameSufficient
    from regabi.model.methodvalue import MvResults, ValueAbiFold
    from regabi.proofs.induction import prove_by_induction

    r = prove_by_induction(load_arch("amd64"), NOROLLBACK, (MvResults(),), 60000,
                           helpers=(ValueAbiFold(), AssignAgree(), FrameSufficient()),
                           receivers=(True,))
    assert r.status == {"INV-MV-RESULTS": "CTI"}, (r.status, r.unknown)
    assert r.cti["INV-MV-RESULTS"].startswith("END-RESULT"), r.cti
    dropped = " ".join(r.dropped.get("results:between", []))
    assert "MV-VALUE-ABI:m:ret (by BETWEEN)" in dropped, dropped
    assert "MV-VALUE-ABI:v:ret (by BETWEEN)" in dropped, dropped


def test_go1_17beta1_falsified_by_the_search() -> None:
    # P-5 found by the prover alone: the smallest shape is two arguments, the first filling
    # all 9 registers in the value ABI but only 8 are left in the method ABI (so it is
    # stacked there), the second stacked in the value ABI and in R11 in the method ABI.
    rows = prove_method_value(load_arch("amd64"), get_variant("go1.17beta1"),
                              Bounds(max_params=2, max_results=0), (MvXlate(),))
    (v,) = rows
    assert v.status == "FALSIFIED", v
    assert len(v.counterexample.sig.params) == 2 and "stack->reg" not in v.line, v.line
    assert "stacked by the value ABI, in registers in the method ABI" in v.line


def regabi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("args", "msg"), [
    (("prove", "--path", "method-value", "--variant", "seed"),
     "error: --path method-value --variant 'seed': unknown"),
    (("prove", "--path", "method-value", "--invariant", "INV-MF-ARGS"),
     "error: --path method-value --invariant 'INV-MF-ARGS': unknown"),
    (("prove", "--path", "finalizer", "--invariant", "INV-MV-ARGS"),
     "error: --path finalizer --invariant 'INV-MV-ARGS': unknown"),
])
def test_prove_path_method_value_bad_input(args: tuple[str, ...], msg: str) -> None:
    p = regabi(*args)
    assert p.returncode == 2 and p.stdout == "", p
    assert p.stderr.startswith(msg) and p.stderr.count("\n") == 1, p.stderr
