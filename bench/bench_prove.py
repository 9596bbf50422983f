"""Proof times per invariant and per bound: ``python bench/bench_prove.py [arch] [variant]``."""

from __future__ import annotations

import sys

from regabi.proofs.z3prove import Bounds, prove

# A ladder of bounds (params, results, fields, depth); each row's `covered` is the number of
# distinct signatures proved. (4, 2, 3, 2) does not finish in minutes: the catalogue at 3
# fields has ~10^5 classes per value.
BOUNDS = [Bounds(2, 1, 1, 1), Bounds(3, 1, 1, 1), Bounds(2, 1, 2, 1), Bounds(3, 1, 2, 1),
          Bounds(2, 2, 2, 1), Bounds(4, 1, 1, 1)]


def main() -> None:
    arch = sys.argv[1] if len(sys.argv) > 1 else "amd64"
    variant = sys.argv[2] if len(sys.argv) > 2 else "current"
    print(f"{'bounds':<48} {'invariant':<22} {'status':<10} {'covered':>9} {'time':>7}")
    for b in BOUNDS:
        total = 0.0
        for v in prove(arch, variant, None, b):
            total += v.seconds
            print(f"{b.describe():<48} {v.invariant:<22} {v.status:<10} "
                  f"{v.covered:>9.3g} {v.seconds:>6.2f}s")
        print(f"{b.describe():<48} {'TOTAL':<22} {'':<10} {'':>9} {total:>6.2f}s")


if __name__ == "__main__":
    main()
