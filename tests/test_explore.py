"""The GC explorer: current holds everywhere within bounds on every modelled architecture; the
seed's findings with shortest traces (lengths derived by hand below); vacuity of every INV-GC-*;
honest bounds (LIMIT, linear holding modes); exports (spec/call.md GC-1 … GC-8)."""

from __future__ import annotations

import json
import random

import pytest

from regabi.model.callmachine import GC_CATALOGUE, GC_INVARIANT_IDS
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature
from regabi.model.types import (
    BASIC,
    Array,
    Chan,
    Field,
    GoType,
    Interface,
    Map,
    Pointer,
    Slice,
    Struct,
)
from regabi.proofs.explore import (
    BUILTIN_CORPUS,
    add_explore_arguments,
    check_section,
    cli_explore,
    corpus_signatures,
    explore,
    explore_sig,
    itf_trace,
    to_dot,
)

_LEAF = ["int", "int8", "int32", "uint64", "float32", "float64", "complex128", "string", "bool",
         "uintptr"]


def rand_type(r: random.Random, depth: int = 0) -> GoType:
    """A random Go type from a small grammar (scalars, pointers, strings, slices, interfaces,
    maps, chans, short arrays, small structs)."""
    c = r.randrange(12 if depth < 2 else 6)
    if c < 4:
        return BASIC[r.choice(_LEAF)]
    if c == 4:
        return Pointer(BASIC["int"])
    if c == 5:
        return Interface()
    if c == 6:
        return Slice(rand_type(r, depth + 1))
    if c == 7:
        return Map(BASIC["string"], BASIC["int"]) if r.random() < 0.5 else Chan(BASIC["int"])
    if c == 8:
        return Array(r.randrange(3), rand_type(r, depth + 1))
    n = r.randrange(4)
    return Struct(tuple(Field(f"f{i}", rand_type(r, depth + 1)) for i in range(n)))


def rand_sig(r: random.Random) -> Signature:
    ps = tuple(rand_type(r) for _ in range(r.randrange(7)))
    rs = tuple(rand_type(r) for _ in range(r.randrange(4)))
    recv = r.choice([None, None, Pointer(BASIC["int"]), Struct((Field("a", BASIC["int"]),
                                                                 Field("b", BASIC["string"])))])
    return Signature(ps, rs, recv)


def test_catalogue_ids() -> None:
    assert GC_INVARIANT_IDS == tuple(i.id for i in GC_CATALOGUE)
    assert all(i.startswith("INV-GC-") for i in GC_INVARIANT_IDS)


ARCHES = ("amd64", "arm64", "ppc64", "ppc64le", "riscv64", "loong64", "s390x", "386", "arm")


@pytest.mark.parametrize("arch", ARCHES)
def test_current_corpus_holds(arch: str) -> None:
    for sig in corpus_signatures():
        for v in explore(sig, "current", arch, gc_cycles=2, stack_moves=2):
            assert v.status == "HOLDS", v.line
            assert "K=2" in v.bounds and "M=2" in v.bounds


def test_current_random_1000() -> None:
    """≥ 1000 seeded random signatures, K=2 M=2, amd64 (every architecture: the CI script
    .ci/after.d/callmachine.sh runs bench/bench_explore.py --random 1000)."""
    seed = 20240601
    r = random.Random(seed)
    for n in range(1000):
        sig = rand_sig(r)
        for v in explore(sig, "current"):
            assert v.status == "HOLDS", f"seed={seed} #{n} {sig}: {v.line}"


@pytest.mark.parametrize("arch", ARCHES[1:])
def test_current_random_other_arches(arch: str) -> None:
    seed = 20240602
    r = random.Random(seed)
    for n in range(120):
        sig = rand_sig(r)
        for v in explore(sig, "current", arch):
            assert v.status == "HOLDS", f"seed={seed} #{n} {sig} {arch}: {v.line}"


# Shortest seed traces on amd64, K=2 M=2, derived by hand from the step list of spec/call.md
# (one step per point: Value.call call sites and statements, callN, callee, return path):
#  UAF func(s string) string (string held indirectly): 0 funcLayout, 1 assignTo, 2 Ints[0] ← data
#    pointer (seed: memmove, no Ptrs copy), 3 Ints[1] ← len, 4 frameSize, 5 ReturnIsPtr, 6 CALL
#    reflectcall, 7 DISPATCH, 8 call16 prologue + GC (Value.call precise, `in` dead: the data is
#    unreachable), 9 R12 load, 10 unspillArgs, 11 CALL, 12 callee prologue, 13 async point,
#    14 use arg 0 → reads freed memory: 15 steps.
#  UAF func(p *int) *int held indirectly: the same with one register step: 14.
#  UAF func(a int) int, receiver *int: storeRcvr adds a step before assignTo: 15.
#  SCAN func(p *int) *int indirect: GC at call16's prologue (step 7) frees the referent, the
#    callee's prologue (step 11) spills AX into a slot its args map describes: a second GC there
#    scans a dangling pointer: 12.
#  STACK func(p *int) *int direct: 0 funcLayout, 1 assignTo, 2 Ints[0]/Ptrs[0], 3 frameSize,
#    4 ReturnIsPtr, 5 CALL, 6 DISPATCH, 7 call16 prologue + stack copy (regArgs+40(FP) not in
#    the 5-argument map), 8 R12 load, 9 unspillArgs through the old address: 10.
#  FRAME func(s struct{a int8; z [0]int64}) int: frameSize 0 + 8 (seed: 1 int reg × 8) → call16;
#    0 funcLayout, 1 assignTo, 2 Ints[0], 3 frameSize, 4 ReturnIsPtr, 5 CALL, 6 DISPATCH,
#    7 call16 prologue, 8 R12, 9 unspill, 10 CALL, 11 callee prologue + GC → morestack spills
#    16 bytes: 12.
#  MARK func(p *int) *int indirect (one concurrent cycle, GC-14): 0 funcLayout, 1 assignTo,
#    2 Ints[0] ← pointer (seed memmove, no Ptrs copy), 3 frameSize, 4 ReturnIsPtr, 5 CALL,
#    6 DISPATCH, 7 call16 prologue: the cycle starts (7'), the stack is scanned there (7'': `in`
#    dead, Ints not scanned: a0.ref0 stays white), 8 R12, 9 unspill, 10 CALL, 11 callee prologue:
#    the spill slot holds a0.ref0 (reachable), mark termination there: 8 + 2 + 4 = 14.
#  VALUE func(p *int) *int, no GC: … 13 use arg 0, 14 async, 15 new(results), 16 build, 17 async,
#    18 RET, 19 R12 reload, 20 spillArgs, 21 memmove, 22 Ptrs = Ints, 23 make, 24 ret[0] with
#    kind FUNC, 25 return, 26 caller safepoint, 27 use result 0: 28.
SEED_FINDINGS = [
    ("func(s string) string", None, "INV-GC-UAF", 15),
    ("func(p *int) *int", None, "INV-GC-UAF", 14),
    ("func(a int) int", "*int", "INV-GC-UAF", 15),
    ("func(p *int) *int", None, "INV-GC-SCAN", 12),
    ("func(p *int) *int", None, "INV-GC-STACK", 10),
    ("func(s struct{a int8; z [0]int64}) int", None, "INV-GC-FRAME", 12),
    ("func(p *int) *int", None, "INV-GC-VALUE", 28),
    ("func(p *int) *int", None, "INV-GC-MARK", 14),
]


@pytest.mark.parametrize(("text", "recv", "inv", "length"), SEED_FINDINGS)
def test_seed_findings(text: str, recv: str | None, inv: str, length: int) -> None:
    sig = parse_signature(text, recv=recv)
    vs = {v.invariant: v for v in explore(sig, "seed")}
    v = vs[inv]
    assert v.status == "VIOLATED", v
    assert v.extra["trace_len"] == length
    assert len(v.counterexample["trace"]) == length
    from regabi.proofs.explore import _shortest

    assert len(_shortest(v)) == length
    for w in explore(sig, "current"):
        assert w.status == "HOLDS", w.line


def test_seed_traces_happen_in_go() -> None:
    """Every GC in a seed trace is at a point where Go can run one, with the frames scanned as
    scanframeworker would: never inside Value.call asynchronously, never in assembly; stack
    copies only at prologues/synchronous call sites (GC-7)."""
    for text, recv, inv, _n in SEED_FINDINGS:
        v = {v.invariant: v for v in explore(parse_signature(text, recv=recv), "seed")}[inv]
        for d in v.counterexample["trace"]:
            if d["choice"] in ("gc", "move"):
                assert d["safepoint"] in ("call", "prologue", "async"), d
                if d["safepoint"] == "async":
                    assert d["where"] == "callee" and d["choice"] == "gc"
                    assert "callee [conservative]" in d["frames"]
                else:
                    assert "conservative" not in d["frames"]
                assert d["src"]


def test_vacuity_each_invariant() -> None:
    """Each GC invariant fires on something (the seed, or a mutant), so HOLDS means something.
    STACK also on a mutant: current's reflect with the seed's runtime (5-argument callNN)."""
    from regabi.model.gcrt import RUNTIME_VARIANTS

    fired = set()
    for text, recv, inv, _n in SEED_FINDINGS:
        v = {v.invariant: v for v in explore(parse_signature(text, recv=recv), "seed")}[inv]
        if v.status == "VIOLATED":
            fired.add(inv)
    assert fired == set(GC_INVARIANT_IDS)
    (r,) = explore_sig(parse_signature("func(p *int)"), "current", only=("INV-GC-STACK",),
                       runtime=RUNTIME_VARIANTS["seed"])
    assert r.status == "VIOLATED" and "callN's argument word 40(FP)" in r.line  # GC-5: regArgs


def test_seed_uaf_needs_a_gc() -> None:
    """Without a GC the seed's lost pointer is never noticed: the finding is a GC interleaving."""
    sig = parse_signature("func(s string) string")
    vs = {v.invariant: v for v in explore(sig, "seed", gc_cycles=0, stack_moves=0)}
    assert vs["INV-GC-UAF"].status == "HOLDS"
    tr = {v.invariant: v for v in explore(sig, "seed")}["INV-GC-UAF"].counterexample["trace"]
    assert [d["choice"] for d in tr].count("gc") == 1
    gc = next(d for d in tr if d["choice"] == "gc")
    assert gc["where"] == "call16" and gc["safepoint"] == "prologue"


def test_seed_on_386_has_nothing_in_registers() -> None:
    """386 is a zero-register configuration: everything is on the stack, described by the
    frame's stackPtrs bitmap, so the seed's register findings cannot occur (hand-derived)."""
    for text in ("func(p *int) *int", "func(s string) string"):
        for v in explore(parse_signature(text), "seed", "386"):
            assert v.status == "HOLDS", v.line


def test_holding_mode_matters() -> None:
    sig = parse_signature("func(p *int)")
    direct = explore_sig(sig, "seed", holding=[(False,)], only=("INV-GC-UAF",))
    indirect = explore_sig(sig, "seed", holding=[(True,)], only=("INV-GC-UAF",))
    assert direct[0].status == "HOLDS"
    assert indirect[0].status == "VIOLATED"


def test_limit_and_scale() -> None:
    """The state budget stops the search (LIMIT, exit status 5); 40 pointer parameters at
    K=2, M=2 explore in < 10 s of CPU (82 of 2^40 holding modes, stated in the bounds). CPU
    time, not wall time: a loaded CI machine must not fail the test (≈ 2 s on an idle core)."""
    import time

    from regabi.verdict import EXIT_LIMIT, exit_status

    big = parse_signature("func(" + ", ".join(f"p{i} *int" for i in range(40)) + ")")
    vs = explore(big, "current", max_states=500)
    assert {v.status for v in vs} == {"LIMIT"} and exit_status(vs) == EXIT_LIMIT
    t0 = time.process_time()
    vs = explore(big, "current")
    assert time.process_time() - t0 < 10
    assert all(v.status == "HOLDS" for v in vs)
    assert "82/1099511627776 holding modes" in vs[0].bounds


def test_unmodelled_arch_refused() -> None:
    from regabi.errors import InputError

    with pytest.raises(InputError):
        explore(parse_signature("func()"), "current", "amd64-abi0")


def test_exports(tmp_path) -> None:
    sig = parse_signature("func(s string) string")
    v = {v.invariant: v for v in explore(sig, "seed")}["INV-GC-UAF"]
    itf = itf_trace(v)
    assert itf["vars"] and len(itf["states"]) == v.extra["trace_len"]
    assert itf["states"][0]["#meta"] == {"index": 0}
    json.dumps(itf)
    text = to_dot(v, str(tmp_path / "t.dot"))
    assert text.startswith("digraph")
    # the explored graph, bounded, with the 15-step path (14 edges + the violation) in red
    assert text.count("color=red, penwidth=2];") == 15 + 14
    assert 15 < text.count("[label=") <= 300 + 14 + 300 + 2
    path_only = to_dot(v, str(tmp_path / "p.dot"), trace_only=True)
    assert path_only.count(" -> ") == 15


def test_cli(tmp_path, capsys) -> None:
    import argparse

    p = argparse.ArgumentParser()
    add_explore_arguments(p)
    itf = tmp_path / "t.itf.json"
    a = p.parse_args(["func(s string) string", "--variant", "seed", "--trace",
                      "--itf", str(itf), "--dot", str(tmp_path / "t.dot")])
    assert cli_explore(a) == 1
    out = capsys.readouterr().out
    assert "GC sees" in out and "INV-GC-UAF" in out
    assert json.loads(itf.read_text())["states"]
    a = p.parse_args(["func(a int) int", "--recv", "*int", "--json"])
    assert cli_explore(a) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "HOLDS"


def test_check_section() -> None:
    vs = check_section()
    assert len(BUILTIN_CORPUS) >= 10
    cur = [v for v in vs if v.variant == "current"]
    seed = {v.invariant: v.status for v in vs if v.variant == "seed"}
    assert all(v.status == "HOLDS" for v in cur)
    assert seed == dict.fromkeys(GC_INVARIANT_IDS, "VIOLATED")
    assert sum(v.seconds for v in vs) < 60


def test_check_section_isolates_independent_causes() -> None:
    """Each seed violation is attributed to the one variant delta whose reversal removes it;
    the use-after-free has two independent causes (indirect args VAR-7, receiver VAR-8), and
    with every found cause reverted the corpus holds (spec/call.md S-1 … S-4)."""
    from regabi.proofs.explore import check_section

    rows = check_section(("seed",))
    causes = {(r.invariant, tuple(r.extra.get("cause", ()))) for r in rows
              if r.status == "VIOLATED"}
    # UAF and SCAN (the freed object seen again in the callee's spill slot) have the same two
    # reflect causes; the stale regArgs word has the runtime cause RT-1 (bc489dd6d5).
    assert causes == {
        ("INV-GC-UAF", ("indirect_ptrs_to_ptrs",)),
        ("INV-GC-UAF", ("rcvr_to_ptrs",)),
        ("INV-GC-SCAN", ("indirect_ptrs_to_ptrs",)),
        ("INV-GC-SCAN", ("rcvr_to_ptrs",)),
        ("INV-GC-STACK", ("calln_decl_args",)),
        ("INV-GC-FRAME", ("spill_by_type",)),
        ("INV-GC-VALUE", ("ret_kind_from_result",)),
        ("INV-GC-MARK", ("indirect_ptrs_to_ptrs",)),
        ("INV-GC-MARK", ("rcvr_to_ptrs",)),
    }
    finals = {r.invariant: r.status for r in rows if " w/o " in r.variant}
    assert finals == {"INV-GC-UAF": "HOLDS", "INV-GC-SCAN": "HOLDS", "INV-GC-FRAME": "HOLDS",
                      "INV-GC-VALUE": "HOLDS", "INV-GC-MARK": "HOLDS"}
    assert all("K=2" in r.bounds and "M=2" in r.bounds for r in rows)
    assert all(r.status == "HOLDS" for r in check_section(("current",)))
