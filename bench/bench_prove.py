"""Proof times: ``python bench/bench_prove.py [arch ...]``.

Per architecture: the induction for ``current`` (every invariant, all signatures) and for the
seed; then, per seed invariant the induction does not prove, the bounded search's time to its
first counterexample and the minimisation. Numbers go to docs/performance.md.
"""

from __future__ import annotations

import sys
import time

from regabi.model.invariants import CATALOGUE
from regabi.model.variants import get_variant
from regabi.proofs.bounded import Bounds, search
from regabi.proofs.induction import prove_by_induction
from regabi.proofs.prove import arch_of, minimise


def main() -> None:
    archs = sys.argv[1:] or ["amd64"]
    print(f"{'arch':<10} {'variant':<8} {'what':<34} {'result':<44} {'time':>8}")
    for name in archs:
        a = arch_of(name)
        for vname in ("current", "seed"):
            v = get_variant(vname)
            ind = prove_by_induction(a, v, list(CATALOGUE))
            proved = sum(st == "PROVED" for st in ind.status.values())
            print(f"{name:<10} {vname:<8} {'induction (all invariants)':<34} "
                  f"{f'{proved}/{len(ind.status)} proved, {ind.queries} queries':<44} "
                  f"{ind.seconds:>7.1f}s")
            if vname != "seed":
                continue
            for inv in CATALOGUE:
                if ind.status.get(inv.id) == "PROVED":
                    continue
                t0 = time.perf_counter()
                r = search(a, v, inv, Bounds())
                t1 = time.perf_counter()
                what = f"search {inv.id}"
                if r.violation is None:
                    print(f"{name:<10} {vname:<8} {what:<34} {r.status:<44} {t1 - t0:>7.1f}s")
                    continue
                m = minimise(r.violation, a, v, inv)
                t2 = time.perf_counter()
                print(f"{name:<10} {vname:<8} {what:<34} {str(r.violation.sig)[:44]:<44} "
                      f"{t1 - t0:>7.1f}s")
                print(f"{name:<10} {vname:<8} {'  minimised':<34} {str(m.sig)[:44]:<44} "
                      f"{t2 - t1:>7.1f}s")


if __name__ == "__main__":
    main()
