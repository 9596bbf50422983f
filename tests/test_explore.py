"""The GC explorer: current holds everywhere within bounds; seed's findings with shortest
traces; exports; Z3 agreement (spec/call.md GC-1 … GC-6)."""

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


@pytest.mark.parametrize("sig", corpus_signatures(), ids=str)
def test_current_corpus_holds(sig: Signature) -> None:
    for v in explore(sig, "current", gc_cycles=2, stack_moves=1):
        assert v.status == "HOLDS", v.line
        assert "K=2" in v.bounds and "M=1" in v.bounds


def test_current_random_1000() -> None:
    """≥ 1000 seeded random signatures, K=1 M=1, all holding modes (≤ 16)."""
    seed = 20240601
    r = random.Random(seed)
    n = 0
    for _ in range(1000):
        sig = rand_sig(r)
        for v in explore(sig, "current", gc_cycles=1, stack_moves=1):
            assert v.status == "HOLDS", f"seed={seed} #{n} {sig}: {v.line}"
        n += 1
    assert n == 1000


SEED_FINDINGS = [
    # (signature, recv, invariant, shortest trace length). The lengths pin the BFS result; the
    # independent check is that networkx's shortest path in the same graph has that length.
    ("func(s string) string", None, "INV-GC-UAF", 13),
    ("func(p *int) *int", None, "INV-GC-UAF", 12),
    ("func(a int) int", "*int", "INV-GC-UAF", 13),
    ("func(p *int) *int", None, "INV-GC-VALUE", 25),
    ("func(s struct{a int8; z [0]int64}) int", None, "INV-GC-FRAME", 11),
]


@pytest.mark.parametrize(("text", "recv", "inv", "length"), SEED_FINDINGS)
def test_seed_findings(text: str, recv: str | None, inv: str, length: int) -> None:
    sig = parse_signature(text, recv=recv)
    vs = {v.invariant: v for v in explore(sig, "seed")}
    v = vs[inv]
    assert v.status == "VIOLATED", v
    assert v.extra["trace_len"] == length
    assert len(v.counterexample["trace"]) == length
    # networkx agrees that the BFS trace is a shortest path in the explored graph
    from regabi.proofs.explore import _shortest

    assert len(_shortest(v)) == length
    # the same signature is fine today
    for w in explore(sig, "current"):
        assert w.status == "HOLDS", w.line


def test_seed_uaf_needs_a_gc() -> None:
    """Without a GC the seed's lost pointer is never noticed: the finding is a GC interleaving."""
    sig = parse_signature("func(s string) string")
    vs = {v.invariant: v for v in explore(sig, "seed", gc_cycles=0, stack_moves=0)}
    assert vs["INV-GC-UAF"].status == "HOLDS"
    tr = {v.invariant: v for v in explore(sig, "seed")}["INV-GC-UAF"].counterexample["trace"]
    assert [d["choice"] for d in tr].count("gc") == 1


def test_holding_mode_matters() -> None:
    sig = parse_signature("func(p *int)")
    direct = explore_sig(sig, "seed", holding=[(False,)])
    indirect = explore_sig(sig, "seed", holding=[(True,)])
    assert {v.invariant: v.status for v in direct}["INV-GC-UAF"] == "HOLDS"
    assert {v.invariant: v.status for v in indirect}["INV-GC-UAF"] == "VIOLATED"


def test_exports(tmp_path) -> None:
    sig = parse_signature("func(s string) string")
    v = {v.invariant: v for v in explore(sig, "seed")}["INV-GC-UAF"]
    itf = itf_trace(v)
    assert itf["vars"] and len(itf["states"]) == v.extra["trace_len"]
    assert itf["states"][0]["#meta"] == {"index": 0}
    json.dumps(itf)
    text = to_dot(v, str(tmp_path / "t.dot"))
    assert text.startswith("digraph")


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
    assert seed["INV-GC-UAF"] == "VIOLATED"
    assert seed["INV-GC-VALUE"] == "VIOLATED"
    assert sum(v.seconds for v in vs) / len(GC_INVARIANT_IDS) < 60


def test_check_section_isolates_independent_causes() -> None:
    """Each seed violation is attributed to the one variant delta whose reversal removes it;
    the use-after-free has two independent causes (indirect args VAR-7, receiver VAR-8), and
    with every found cause reverted the corpus holds (spec/call.md S-1 … S-4)."""
    from regabi.proofs.explore import check_section

    rows = check_section(("seed",))
    causes = {(r.invariant, tuple(r.extra.get("cause", ()))) for r in rows
              if r.status == "VIOLATED"}
    assert causes == {
        ("INV-GC-UAF", ("indirect_ptrs_to_ptrs",)),
        ("INV-GC-UAF", ("rcvr_to_ptrs",)),
        ("INV-GC-FRAME", ("spill_by_type",)),
        ("INV-GC-VALUE", ("ret_kind_from_result",)),
    }
    finals = {r.invariant: r.status for r in rows if " w/o " in r.variant}
    assert finals == {"INV-GC-UAF": "HOLDS", "INV-GC-FRAME": "HOLDS", "INV-GC-VALUE": "HOLDS"}
    assert all(r.status == "HOLDS" for r in check_section(("current",)))
