"""Mutation testing of the algorithm modules with mutmut 3, ``regabi prove`` as the killer.

    python bench/mutation.py [--modules assign,summary] [--sample N] [--seed S]
                             [--mutants NAME,…] [--max-children 2] [--work /tmp/regabi-mutation]

mutmut mutates a ``src/`` tree and imports the mutants from ``mutants/src``; regabi's package
layout (model/ → regabi.model, proofs/ → regabi.proofs via package-dir) does not fit that, so
the script builds a scratch tree in ``--work`` with everything under ``src/regabi/`` and the
killer (bench/mutation_killer.py) as its only test. Nothing in the repository is touched.

One killer run costs ~25 s CPU (Z3 induction over every invariant), so a full run over
hundreds of mutants does not fit a 2-core machine in an hour: ``--sample N`` draws N mutants
per module with ``random.Random(seed)`` (the seed is printed) and runs only those. The
result (every mutant's status, and the diff of each survivor) goes to ``--work``/results.json.
Needs the ``mutation`` extra: ``pip install -e '.[mutation]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = {
    "assign": "model/assign.py",
    "summary": "model/summary.py",
    "valuecall": "model/valuecall.py",
    "joint": "model/joint.py",
}

PYPROJECT = """\
[tool.mutmut]
source_paths = ["src"]
only_mutate = {only}
pytest_add_cli_args = ["-q", "-x", "-p", "no:cacheprovider"]
pytest_add_cli_args_test_selection = ["tests/"]
# a mutant that runs more than ~3x the killer's CPU time is a timeout (counted as killed)
timeout_multiplier = 1.5
timeout_constant = 5.0
use_git_change_detection = false
"""


def build_tree(work: Path, only: list[str]) -> None:
    """Scratch tree: src/regabi/{…, model, proofs, spec} and tests/test_killer.py."""
    if work.exists():
        shutil.rmtree(work)
    pkg = work / "src" / "regabi"
    ign = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src" / "regabi", pkg, ignore=ign)
    for sub in ("model", "proofs", "spec"):
        shutil.copytree(ROOT / sub, pkg / sub, ignore=ign)
    (work / "tests").mkdir()
    shutil.copy(ROOT / "bench" / "mutation_killer.py", work / "tests" / "test_killer.py")
    (work / "pyproject.toml").write_text(PYPROJECT.format(only=json.dumps(only)))


# mutmut wraps every mutated function in a trampoline; model/specialize.py refuses to rewrite
# decorated or wrapped functions, so the scratch tree runs the generic (domain) code: the code
# the proofs run anyway, and the concrete checks compare the same (tests/test_specialize.py).
ENV = dict(os.environ, REGABI_NO_SPECIALIZE="1")


def mutmut(work: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mutmut")
    return subprocess.run([str(exe), *args], cwd=work, text=True, capture_output=True,
                          check=check, env=ENV)


def generate(work: Path) -> list[str]:
    """Mutant names, by generating the mutants (mutmut's own generator, no test run)."""
    code = ("import mutmut.__main__ as m; from mutmut.mutation.trampoline import "
            "set_mutant_under_test as s; from mutmut.utils import file_utils as f; "
            "s('mutant_generation'); f.copy_src_dir(); f.copy_also_copy_files(); "
            "f.setup_source_paths(); m.store_lines_covered_by_tests(); m.create_mutants(2)")
    subprocess.run([sys.executable, "-c", code], cwd=work, check=True, env=ENV)
    names: list[str] = []
    for meta in sorted((work / "mutants").rglob("*.meta")):
        names += sorted(json.loads(meta.read_text())["exit_code_by_key"])
    return names


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modules", default="assign,summary",
                    help=f"comma list of {', '.join(MODULES)}")
    ap.add_argument("--sample", type=int, default=0, help="mutants per module (0: all)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--mutants", default="",
                    help="comma list of mutant names to run instead of a sample (e.g. a "
                         "survivor of an earlier run, after a new invariant)")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--work", type=Path, default=Path("/tmp/regabi-mutation"))
    args = ap.parse_args()
    mods = [m.strip() for m in args.modules.split(",") if m.strip()]
    bad = [m for m in mods if m not in MODULES]
    if bad:
        print(f"error: unknown module {bad[0]!r} (known: {', '.join(MODULES)})", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    print(f"mutation: modules={','.join(mods)} sample={args.sample} seed={seed}", flush=True)
    only = ["src/regabi/" + MODULES[m] for m in mods]
    build_tree(args.work, only)
    names = generate(args.work)
    rng = random.Random(seed)
    chosen: list[str] = []
    wanted = [n.strip() for n in args.mutants.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"error: --mutants {unknown[0]!r}: no such mutant of {','.join(mods)}",
              file=sys.stderr)
        return 2
    for m in [] if wanted else mods:
        mine = [n for n in names if n.startswith(f"regabi.{MODULES[m][:-3].replace('/', '.')}.")]
        pick = mine if not args.sample or args.sample >= len(mine) else rng.sample(
            mine, args.sample)
        print(f"  {m}: {len(mine)} mutants, running {len(pick)}", flush=True)
        chosen += sorted(pick)
    chosen += wanted
    t0 = time.monotonic()
    run = mutmut(args.work, "run", "--max-children", str(args.max_children), *chosen,
                 check=False)
    wall = time.monotonic() - t0
    (args.work / "run.log").write_text(run.stdout + run.stderr)
    status = read_statuses(args.work, chosen)
    survivors = {n: mutmut(args.work, "show", n, check=False).stdout
                 for n, s in status.items() if s != "killed" and s != "timeout"}
    killed = sum(s in ("killed", "timeout") for s in status.values())
    out = {"seed": seed, "modules": mods, "sample": args.sample, "total": len(names),
           "run": len(chosen), "wall_seconds": round(wall), "killed": killed,
           "status": status, "survivors": survivors}
    (args.work / "results.json").write_text(json.dumps(out, indent=1))
    print(f"ran {len(chosen)} of {len(names)} mutants in {wall:.0f}s: {killed} killed, "
          f"{len(survivors)} not killed; results in {args.work / 'results.json'}")
    if run.returncode != 0 and not status:
        print(run.stdout[-2000:] + run.stderr[-2000:], file=sys.stderr)
        return 1
    return 0


def read_statuses(work: Path, chosen: list[str]) -> dict[str, str]:
    """Each chosen mutant's status from mutmut's per-file ``.meta`` records (written as the run
    goes, so an interrupted run still reports what finished)."""
    from mutmut.stats import status_by_exit_code

    codes: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.meta"):
        codes |= json.loads(meta.read_text())["exit_code_by_key"]
    return {n: status_by_exit_code[codes.get(n)] for n in chosen}


if __name__ == "__main__":
    sys.exit(main())
