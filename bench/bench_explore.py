"""Benchmark of the GC explorer: states/s of the BFS core, where time goes (compiling the
programs vs searching), per architecture, the 40-parameter scale target, and the time of
``regabi check``'s section. ``--random N`` also explores N seeded random signatures under
``current`` on every modelled architecture and exits 1 if any verdict is not HOLDS (CI).

Run: ``python bench/bench_explore.py [--random 1000] [--seed S]``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from regabi.model.callmachine import MODELLED_ARCHES, build_program, holding_modes, machine_arch
from regabi.model.syntax import parse_signature
from regabi.model.variants import get_variant
from regabi.proofs.explore import bfs, check_section, corpus_signatures, explore

BIG = "func(a *int, b *int, c *int, s string, t []byte, e any, x [2]*int) (*int, string)"


def core(sig_text: str, variant: str, arch: str, k: int, m: int,
         reps: int = 3) -> tuple[int, float, float]:
    """(states, compile seconds, search seconds) for one signature, best of ``reps``."""
    sig = parse_signature(sig_text)
    v = get_variant(variant)
    ps = machine_arch(arch, variant).ptr_size
    t0 = time.perf_counter()
    progs = [build_program(sig, v, arch, h) for h in holding_modes(sig, v, ps=ps)]
    tc = time.perf_counter() - t0
    best = 1e9
    n = 0
    for _ in range(reps):
        t0 = time.perf_counter()
        _, _, n, _ = bfs(progs, k, m, 10_000_000, want=())
        best = min(best, time.perf_counter() - t0)
    return n, tc, best


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()
    for k, m in ((1, 1), (2, 2), (4, 2)):
        n, tc, ts = core(BIG, "current", "amd64", k, m)
        print(f"core amd64 K={k} M={m}: {n} states in {ts:.3f}s = {n / ts:,.0f} states/s "
              f"(compile {tc * 1000:.1f} ms)")
    forty = parse_signature("func(" + ", ".join(f"p{i} *int" for i in range(40)) + ")")
    t0, c0 = time.perf_counter(), time.process_time()
    vs = explore(forty, "current")
    print(f"40 pointer params, K=2 M=2: {time.perf_counter() - t0:.2f}s wall, "
          f"{time.process_time() - c0:.2f}s CPU, {vs[0].covered} states, {vs[0].bounds}")
    sigs = corpus_signatures()
    for arch in MODELLED_ARCHES:
        t0, c0 = time.perf_counter(), time.process_time()
        for sig in sigs:
            explore(sig, "current", arch)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        n, tc, ts = core(BIG, "current", arch, 2, 2, reps=1)
        print(f"{arch:8} corpus ({len(sigs)} sigs, K=2 M=2): {wall:.2f}s wall, {cpu:.2f}s CPU; "
              f"7-arg sig: {n} states, {n / ts:,.0f} states/s, compile {tc * 1000:.0f} ms")
    t0, c0 = time.perf_counter(), time.process_time()
    vs = check_section()
    print(f"check section (seed+current, K=2 M=2, cause isolation): "
          f"{time.perf_counter() - t0:.2f}s wall, {time.process_time() - c0:.2f}s CPU, "
          f"{sum(v.status == 'VIOLATED' for v in vs)} violated")
    bad = 0
    if a.random:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from test_explore import rand_sig

        for arch in MODELLED_ARCHES:
            r = random.Random(a.seed)
            t0, c0 = time.perf_counter(), time.process_time()
            for i in range(a.random):
                sig = rand_sig(r)
                for v in explore(sig, "current", arch):
                    if v.status != "HOLDS":
                        bad += 1
                        print(f"seed={a.seed} #{i} {arch}: {v.line or v.status}")
            print(f"{arch:8} {a.random} random signatures (seed {a.seed}), K=2 M=2: "
                  f"{time.perf_counter() - t0:.1f}s wall, {time.process_time() - c0:.1f}s CPU")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
