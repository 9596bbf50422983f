"""Proof times: ``python bench/bench_prove.py [--search INV,...] [arch ...]``.

Per architecture: the induction for ``current`` (every invariant, all signatures) and for the
seed; then, per seed invariant the induction does not prove, the bounded search's time to its
first counterexample and the minimisation. ``--search`` skips the inductions and runs the seed
searches of the invariants named (each in this one process, in the order given; the first
pays for building the grammar's symbolic types, which later searches share). Each row shows
CPU seconds of this process (the comparable number on a shared machine) and wall seconds.
Numbers go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import time

from regabi.model.invariants import CATALOGUE, get_invariant
from regabi.model.variants import get_variant
from regabi.proofs.bounded import Bounds, search
from regabi.proofs.induction import prove_by_induction
from regabi.proofs.prove import arch_of, minimise


def _row(arch: str, variant: str, what: str, result: str, cpu: float, wall: float) -> None:
    print(f"{arch:<10} {variant:<8} {what:<34} {result[:44]:<44} {cpu:>7.1f}s {wall:>7.1f}s",
          flush=True)


def _search(a: object, name: str, inv_ids: list[str]) -> None:
    v = get_variant("seed")
    for inv_id in inv_ids:
        inv = get_invariant(inv_id)
        c0, w0 = time.process_time(), time.perf_counter()
        r = search(a, v, inv, Bounds())  # type: ignore[arg-type]
        c1, w1 = time.process_time(), time.perf_counter()
        if r.violation is None:
            _row(name, "seed", f"search {inv_id}", r.status, c1 - c0, w1 - w0)
            continue
        m = minimise(r.violation, a, v, inv)  # type: ignore[arg-type]
        c2, w2 = time.process_time(), time.perf_counter()
        _row(name, "seed", f"search {inv_id} ({r.queries} queries)", str(r.violation.sig),
             c1 - c0, w1 - w0)
        _row(name, "seed", "  minimised", str(m.sig), c2 - c1, w2 - w1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--search", help="only these seed searches (comma-separated ids)")
    ap.add_argument("arch", nargs="*", default=["amd64"])
    args = ap.parse_args()
    print(f"{'arch':<10} {'variant':<8} {'what':<34} {'result':<44} {'CPU':>8} {'wall':>8}")
    for name in args.arch:
        a = arch_of(name)
        if args.search:
            _search(a, name, [s.strip() for s in args.search.split(",") if s.strip()])
            continue
        for vname in ("current", "seed"):
            v = get_variant(vname)
            c0, w0 = time.process_time(), time.perf_counter()
            ind = prove_by_induction(a, v, list(CATALOGUE))
            proved = sum(st == "PROVED" for st in ind.status.values())
            _row(name, vname, "induction (all invariants)",
                 f"{proved}/{len(ind.status)} proved, {ind.queries} queries",
                 time.process_time() - c0, time.perf_counter() - w0)
            if vname == "seed":
                _search(a, name, [inv.id for inv in CATALOGUE
                                  if ind.status.get(inv.id) != "PROVED"])


if __name__ == "__main__":
    main()
