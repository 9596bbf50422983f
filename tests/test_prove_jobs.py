"""``regabi prove --jobs``: the units of a run (runctl.run_units) in worker processes give the
rows, in the order, a run in one process gives; reports arrive as units finish; bad --jobs is
an input error."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from regabi.runctl import run_units


def _slow(name: str, delay: float, report: Any = None) -> list[str]:
    time.sleep(delay)
    if report is not None:
        report([name])
    return [name]


def test_units_keep_their_order_and_report_as_they_finish() -> None:
    # the first unit finishes last: the result keeps the units' order, the reports do not
    units = [("a", _slow, ("a", 1.0)), ("b", _slow, ("b", 0.0)), ("c", _slow, ("c", 0.0))]
    seen: list[list[str]] = []
    got = run_units(units, 2, seen.append)
    assert got == [["a"], ["b"], ["c"]]
    assert seen[-1] == ["a"] and sorted(x for s in seen for x in s) == ["a", "b", "c"]
    # in this process each unit reports itself, once
    seen.clear()
    assert run_units(units, 1, seen.append) == [["a"], ["b"], ["c"]]
    assert seen == [["a"], ["b"], ["c"]]


def _regabi(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *argv], capture_output=True,
                          text=True, timeout=600)


@pytest.mark.parametrize("bad", ["0", "-1"])
def test_bad_jobs_is_an_input_error(bad: str) -> None:
    r = _regabi("prove", "--jobs", bad, "--no-premises")
    assert r.returncode == 2, r.stderr
    assert r.stdout == "" and r.stderr.strip().count("\n") == 0
    assert "--jobs" in r.stderr and bad in r.stderr


def test_parallel_run_equals_serial_run() -> None:
    # two (arch, variant) units of the finalizer path and their premise rows: the same
    # verdicts in the same order either way (query counts and times may differ: a worker
    # starts with cold caches)
    argv = ("prove", "--path", "finalizer", "--arch", "386,arm", "--variant", "current",
            "--json")
    rows = []
    for jobs in ("1", "2"):
        r = _regabi(*argv, "--jobs", jobs)
        assert r.returncode == 0, r.stderr
        rows.append([(v["checker"], v["invariant"], v["variant"], v["arch"], v["status"])
                     for v in json.loads(r.stdout)])
    assert rows[0] == rows[1]
    # hand-derived: the three finalizer invariants on 386, then on arm (the --arch order),
    # then the premises of 386 (arm has no recorded oracle answers) and SYM=CONCRETE for
    # PtrSize 4
    fin = ["INV-FIN-ARG", "INV-FIN-FRAME", "INV-FIN-FRAMESZ"]
    assert [(r[1], r[3]) for r in rows[0]] == [
        *((i, "386") for i in fin), *((i, "arm") for i in fin),
        ("WF-RECORDED", "386"), ("SPEC=GO1.27.3", "386"), ("REFLECT=GO1.27.3", "386"),
        ("JOINT=LAYOUT", "386"), ("SYM=CONCRETE", "PtrSize 4")]
