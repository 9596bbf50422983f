"""``regabi prove --path finalizer`` (spec/proofs.md PRF-11): runFinalizers' fold over Z3.

Expected values are derived by hand below from go1.27.3 src/runtime/mfinal.go (FN) and from
golang/go#51457 (the go1.17 program that crashed), never read off the code under test. The
fold run concretely is compared with the independent simulation (``simulate_finalizer``:
``spec_assign`` of the whole signature). Budget: about 20 s in all.
"""

from __future__ import annotations

import argparse

import pytest

from regabi.model.arch import load_arch
from regabi.model.finalizer import (
    FIN_MUTANTS,
    FIN_VARIANTS,
    check_finalizer,
    check_finalizer_lists,
    fin_catalogue,
    fin_variant,
    finalizer_layout,
    finalizer_results,
    simulate_finalizer,
)
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature as P
from regabi.model.syntax import parse_type
from regabi.model.variants import get_variant
from regabi.proofs import prove as prove_mod
from regabi.proofs.finprove import _candidate, _prefix, fin_search, prove_finalizer
from regabi.proofs.induction import prove_by_induction
from regabi.verdict import Verdict


def _fails(sig: str, arch: str, variant: str) -> set[str]:
    return {i for i, _ in check_finalizer(P(sig), arch, fin_variant(variant))}


@pytest.mark.parametrize("arch", ["amd64", "386", "s390x"])
def test_fold_equals_simulation(arch: str) -> None:
    """The fold (what prove decides) and the simulation agree on every finalizer with up to
    two results of a pool that stacks, splits and pads, in every release and mutant."""
    pool = tuple(parse_type(t) for t in ("int8", "[3]byte", "string", "[4]int64",
                                         "struct{a int8; b float64}"))
    args = ("*int", "interface{}", "interface{M()}")
    seen: set[str] = set()
    for name in (*FIN_VARIANTS, *FIN_MUTANTS):
        fv = fin_variant(name)
        for a in args:
            n = 0
            # the incremental enumeration (regabi paths) is the fold on each list
            for sig, bad in check_finalizer_lists(parse_type(a), pool, 2, arch, fv):
                n += 1
                fold = sorted(i for i, _ in bad)
                assert fold == sorted(i for i, _ in simulate_finalizer(sig, arch, fv)), \
                    (name, sig.go())
                if n % 7 == 0:
                    assert bad == check_finalizer(sig, arch, fv)
                seen.update(fold)
            assert n == len(finalizer_results(pool, 2))
    # the comparison is not vacuous: every invariant fails somewhere (registers only)
    if arch != "386":
        assert seen == {"INV-FIN-ARG", "INV-FIN-FRAME", "INV-FIN-FRAMESZ"}


def test_issue_51457_hand_derived() -> None:
    # golang/go#51457's F: func(p interface{}) [4]int64 on amd64. SetFinalizer: nret =
    # align(0, 8) + 32 = 32, rounded: 32 (FN:527-531). go1.17 passes framesz = nret = 32 on
    # the register path: call32. ABIInternal: [4]int64 is stacked (an array of length > 1),
    # at 0..32; the interface is in RAX, RBX with 16 bytes of spill after offsetToSpillArea
    # 32: the callee's area is 48 > 32, the spill overruns call32 (the crash in the issue).
    sig = "func(p interface{}) [4]int64"
    assert finalizer_layout(P(sig), load_arch("amd64"), fin_variant("go1.17")).framesz == 32
    assert _fails(sig, "amd64", "go1.17") == {"INV-FIN-FRAME", "INV-FIN-FRAMESZ"}
    # go1.27.3: framesz = 16 + 32 = 48 (FN:232) covers it exactly.
    assert finalizer_layout(P(sig), load_arch("amd64")).framesz == 48
    assert _fails(sig, "amd64", "current") == set()
    # 386 has no argument registers: go1.17 adds sizeof(any) there (8 + 32 = 40 >= 8 + 32).
    assert _fails(sig, "386", "go1.17") == set()
    # the seed writes the argument into the frame, ABIInternal reads RAX (dummy RegArgs: 0)
    assert _fails("func(p *int)", "amd64", "seed") == {"INV-FIN-ARG"}
    assert _fails("func(p *int)", "386", "seed") == set()


def test_mutants_hand_derived() -> None:
    # nret not rounded: func(x interface{}) [3]byte on amd64: framesz = 16 + 3 = 19; the
    # callee's area is align(3, 8) = 8 + 16 of spill = 24 > 19, inside call32 (latent only).
    assert _fails("func(x interface{}) [3]byte", "amd64", "mutant-nret-unrounded") == {
        "INV-FIN-FRAMESZ"}
    # no sizeof(any): func(p *int) [4]int32 on 386: framesz = nret = 16, call16; the callee's
    # area is the pointer at 0..4 and the results at 4..20: 20 > 16.
    assert _fails("func(p *int) [4]int32", "386", "mutant-no-any") == {
        "INV-FIN-FRAME", "INV-FIN-FRAMESZ"}


def test_prove_current_every_result_list() -> None:
    vs = prove_finalizer(load_arch("amd64"), "current")
    assert {(v.invariant, v.status, v.extra.get("method")) for v in vs} == {
        (i, "PROVED", "induction") for i in ("INV-FIN-ARG", "INV-FIN-FRAME", "INV-FIN-FRAMESZ")}


def _search(arch: str, variant: str, inv: str) -> Signature:
    a, fv = load_arch(arch), fin_variant(variant)
    v = get_variant("current" if variant in FIN_MUTANTS else variant)
    cat = fin_catalogue(fv)
    st, sig, _q, _u = fin_search(a, v, cat, next(i for i in cat if i.id == inv),
                                 parse_type("*int"), 1, 4, 60000, simplest=False)
    assert st == "FALSIFIED" and sig is not None and len(sig.results) == 1
    assert inv in _fails(sig.go(), arch, variant)  # the concrete fold agrees
    assert inv in {i for i, _ in simulate_finalizer(sig, arch, fv)}  # and the simulation
    return sig


def test_prove_falsifies_mutant() -> None:
    # vacuity: the hand-derived witness of test_mutants_hand_derived fails; the induction
    # step fails (a CTI at FINAL) and the bounded search finds a real counterexample
    assert "INV-FIN-FRAME" in _fails("func(p *int) [4]int32", "386", "mutant-no-any")
    fv = fin_variant("mutant-no-any")
    ind = prove_by_induction(load_arch("386"), get_variant("current"), fin_catalogue(fv),
                             60000, helpers=(), receivers=(False,),
                             prefix=_prefix(parse_type("*int")), only=_candidate)
    assert ind.status["INV-FIN-FRAME"] == "CTI", ind.status
    assert ind.cti["INV-FIN-FRAME"].startswith("FINAL"), ind.cti
    _search("386", "mutant-no-any", "INV-FIN-FRAME")


def test_search_finds_issue_51457() -> None:
    # go1.17, amd64, func(p *int) [2]int64: nret = 16 = framesz selects call16; the callee's
    # area is the stacked [2]int64 (16) and the pointer's spill slot (8): 24 > 16
    assert "INV-FIN-FRAME" in _fails("func(p *int) [2]int64", "amd64", "go1.17")
    _search("amd64", "go1.17", "INV-FIN-FRAME")


def test_descent_cut_short_says_its_types_may_not_be_simplest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The descent to simpler types keeps its best counterexample when a step gives up, and
    says that the types are then not shown simplest (never silently non-minimal). Every
    check after the first is made to answer "unknown"."""
    import z3

    from regabi.proofs import finprove

    class GivesUp:
        def __init__(self, s: z3.Solver) -> None:
            self.s, self.n = s, 0

        def check(self) -> z3.CheckSatResult:
            self.n += 1
            return self.s.check() if self.n == 1 else z3.unknown

        def reason_unknown(self) -> str:
            return "canceled"

        def __getattr__(self, name: str) -> object:
            return getattr(self.s, name)

    real = finprove.make_solver
    monkeypatch.setattr(finprove, "make_solver", lambda *a: GivesUp(real(*a)))
    a, fv = load_arch("amd64"), fin_variant("go1.17")
    cat = fin_catalogue(fv)
    st, sig, q, why = fin_search(a, get_variant("go1.17"), cat,
                                 next(i for i in cat if i.id == "INV-FIN-FRAME"),
                                 parse_type("*int"), 1, 4, 60000)
    assert st == "FALSIFIED" and sig is not None and q == 2
    assert why == "types not shown simplest (a descent step gave up: canceled)"


def _prove_args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    prove_mod.add_prove_arguments(p)
    return p.parse_args(list(argv))


def test_path_only_runs_print_premises(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    asked: list[list[str]] = []
    sym = Verdict("premise", "SYM=CONCRETE", "-", "PtrSize 8", "HOLDS")

    def premises(archs: list) -> list:
        asked.append([a.name for a in archs])
        return [("premises", lambda report=None: [sym], ())]

    def row(*vs: Verdict) -> object:
        return lambda *a, report=None: list(vs)

    # the path units as path_units builds them: (name, function, its arguments)
    units = [("wincallback 386 fixed", row(Verdict("z3", "INV-CB-FRAME", "wincallback/fixed",
                                                   "windows/386", "PROVED")),
              ("386", "fixed")),
             ("finalizer amd64 current", row(Verdict("z3", "INV-FIN-ARG", "finalizer/current",
                                                     "amd64", "PROVED")),
              ("amd64", "current"))]
    monkeypatch.setattr(prove_mod, "premise_units", premises)
    monkeypatch.setattr(prove_mod, "path_units", lambda args, paths: list(units))
    assert prove_mod.cli_prove(_prove_args("--path", "wincallback,finalizer", "--jobs", "1")) == 0
    assert asked == [["386", "amd64"]]
    assert "SYM=CONCRETE" in capsys.readouterr().out
    asked.clear()
    prove_mod.cli_prove(_prove_args("--path", "finalizer", "--no-premises", "--jobs", "1"))
    assert asked == []


def test_path_all_honours_arch_and_variant(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    got: dict[str, tuple] = {}

    def paths(args: argparse.Namespace, ps: list[str]) -> list:
        got[ps[0]] = (args.arch, args.variant)
        return []

    monkeypatch.setattr(prove_mod, "path_units", paths)
    monkeypatch.setattr(prove_mod, "prove", lambda *a, **k: [])
    prove_mod.cli_prove(_prove_args("--path", "all", "--arch", "amd64,ppc64", "--variant",
                                    "current", "--no-premises", "--jobs", "1"))
    assert got == {"wincallback": (["amd64"], ["current"]),
                   "makefunc": (["amd64", "ppc64"], ["current"]),
                   "method-value": (["amd64", "ppc64"], ["current"]),
                   "finalizer": (["amd64", "ppc64"], ["current"])}
    got.clear()
    # seed is no callback variant: the callbacks are skipped, and say so
    prove_mod.cli_prove(_prove_args("--path", "all", "--variant", "seed", "--no-premises",
                                    "--jobs", "1"))
    assert got == {"makefunc": (None, ["seed"]), "finalizer": (None, ["seed"])}
    err = capsys.readouterr().err
    assert "wincallback skipped" in err and "method-value skipped" in err


def test_arch_lists_with_386() -> None:
    # "386" after a name is an architecture, not the FLOAT count of a NAME:INT spec (it was
    # joined to s390x before: `--arch …,s390x,386,arm` failed)
    from regabi.model.arch import split_arch_specs

    assert split_arch_specs(["amd64,s390x,386,arm"]) == ["amd64", "s390x", "386", "arm"]
    assert split_arch_specs(["amd64:2,1,386", "arm64/regs=3,0"]) == [
        "amd64:2,1", "386", "arm64/regs=3,0"]
