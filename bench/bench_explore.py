"""Benchmark of the GC explorer: states/s of the BFS core, where time goes (compiling the
program vs searching), and the time of the default corpus (``regabi check``'s section).

Run: ``python bench/bench_explore.py``.
"""

from __future__ import annotations

import time

from regabi.model.callmachine import build_program, holding_modes
from regabi.model.syntax import parse_signature
from regabi.model.variants import get_variant
from regabi.proofs.explore import bfs, check_section


def core(sig_text: str, variant: str, k: int, m: int, reps: int = 3) -> tuple[int, float, float]:
    """(states, compile seconds, search seconds) for one signature, best of ``reps``."""
    sig = parse_signature(sig_text)
    v = get_variant(variant)
    t0 = time.perf_counter()
    progs = [build_program(sig, v, "amd64", h) for h in holding_modes(sig, v)]
    tc = time.perf_counter() - t0
    best = 1e9
    n = 0
    for _ in range(reps):
        t0 = time.perf_counter()
        _, _, n, _ = bfs(progs, k, m, 10_000_000, want=())
        best = min(best, time.perf_counter() - t0)
    return n, tc, best


def main() -> None:
    big = "func(a *int, b *int, c *int, s string, t []byte, e any, x [2]*int) (*int, string)"
    for k, m in ((1, 1), (2, 1), (3, 2), (4, 2)):
        n, tc, ts = core(big, "current", k, m)
        print(f"core K={k} M={m}: {n} states in {ts:.3f}s = {n / ts:,.0f} states/s "
              f"(compile {tc * 1000:.1f} ms)")
    t0 = time.perf_counter()
    vs = check_section()
    print(f"default corpus (seed+current, K=1 M=1): {time.perf_counter() - t0:.2f}s, "
          f"{sum(v.status == 'VIOLATED' for v in vs)} violated verdicts")


if __name__ == "__main__":
    main()
