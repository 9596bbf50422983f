"""Layout benchmark: process wall time of `regabi layout --batch` on N seeded random signatures
(parse + layout + JSON out), and of `regabi layout` on one signature (startup included).

    python bench/bench_layout.py [--n 1000] [--seed 1] [--repeat 5]

Targets (issue 2): 1000 signatures <= 0.25 s; one signature < 150 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from regabi.model.corpus import random_signature


def _wall(cmd: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    sigs = [random_signature(rng, receiver=False).go() for _ in range(a.n)]
    exe = str(Path(sys.executable).with_name("regabi"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(sigs, f)
    batch = _wall([exe, "layout", "--batch", f.name, "--json"], a.repeat)
    one = _wall([exe, "layout", sigs[0]], a.repeat)
    base = _wall([sys.executable, "-c", "pass"], a.repeat)
    print(f"seed {a.seed}: {a.n} random signatures")
    print(f"  python startup           median {statistics.median(base) * 1e3:7.1f} ms")
    print(f"  layout --batch ({a.n:5})   median {statistics.median(batch) * 1e3:7.1f} ms  "
          f"(target 250 ms)")
    print(f"  layout (one signature)   median {statistics.median(one) * 1e3:7.1f} ms  "
          f"(target 150 ms)")


if __name__ == "__main__":
    main()
