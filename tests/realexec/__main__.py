"""``python -m tests.realexec``: run the real-execution differential by hand.

Prints, per architecture, the build and run times and the number of calls, mismatches with
the model's prediction (``predict``) and reflect-layout mismatches with ``reflect_assign``;
``--records FILE`` writes every record as JSON lines. Exit status 1 on any mismatch, 2 on
bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .driver import ARCHES, SETTINGS, run_matrix


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.realexec",
                                 description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--arch", action="append", choices=sorted(ARCHES),
                    help="GOARCH to run (repeatable; default: all)")
    ap.add_argument("-n", type=int, default=60, help="signatures per architecture (default 60)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--setting", action="append", choices=sorted(SETTINGS),
                    help="runtime setting (repeatable; default: all)")
    ap.add_argument("--workers", type=int, default=4, help="parallel runs (default 4)")
    ap.add_argument("--records", help="write every record (JSON lines) to this file")
    ap.add_argument("--keep", action="store_true", help="keep the build directories")
    a = ap.parse_args(argv)
    if a.n < 1:
        ap.error(f"-n must be positive, not {a.n}")
    archs = a.arch or list(ARCHES)
    t0 = time.monotonic()
    res = run_matrix(archs, a.n, a.seed, a.setting or list(SETTINGS), workers=a.workers,
                     keep=a.keep)
    bad = 0
    out = open(a.records, "w") if a.records else None
    for arch, r in res.items():
        if r.skipped:
            print(f"{arch:8} skipped: {r.skipped}")
            continue
        if r.error:
            bad += 1
            print(f"{arch:8} ERROR (seed={a.seed}): {r.error}")
        mm, lm = r.mismatches(), r.layout_mismatches()
        bad += len(mm) + len(lm)
        runs = " ".join(f"{s}={t:.1f}s" for s, t in r.run_seconds.items())
        print(f"{arch:8} build {r.build_seconds:5.1f}s  {len(r.records)} calls, {len(mm)} "
              f"mismatches; {len(r.layouts)} layouts, {len(lm)} mismatches  [{runs}]")
        for m in (mm + lm)[:10]:
            print("    " + m[:2000])
        if r.build is not None and a.keep:
            print(f"    kept {r.build.workdir}")
        if out:
            for rec in r.records:
                out.write(json.dumps(rec) + "\n")
    if out:
        out.close()
    print(f"seed={a.seed} n={a.n} total {time.monotonic() - t0:.1f}s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
