"""The command line as a person and a CI job meet it (issue 10): exit statuses, --timeout and
Ctrl-C, the check baseline, --arch NAME:INT,FLOAT everywhere, --version, stdin, one JSON shape.

Expected register assignments are derived by hand from spec/assignment.md (ASG-3) and the arch
tables (amd64: int AX BX CX …, float X0 X1 …)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regabi.cli import main
from regabi.errors import ModelError, SolverError
from regabi.model.arch import parse_arch_spec

REGABI = [sys.executable, "-m", "regabi"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("regabi ")


def test_help_documents_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["check", "--help"], ["prove", "--help"], ["explore", "--help"],
                 ["layout", "--help"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0
        for line in ("130  interrupted", "4    UNKNOWN", "5    LIMIT", "3    internal error"):
            assert line in out, (argv, line)
        assert "examples:" in out


def test_help_text_for_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    from regabi.cli import build_parser

    p = build_parser()
    sub = next(a for a in p._actions if a.dest == "cmd")
    for name, sp in sub.choices.items():  # type: ignore[attr-defined]
        if name in ("prove", "explore", "invariants", "archs", "gocheck"):
            continue  # prove/explore: their own parsers; gocheck has its own owner
        for a in sp._actions:
            if a.dest != "help":
                assert a.help, f"{name} {a.option_strings or a.dest} has no help"


def test_internal_errors_exit_3() -> None:
    assert ModelError("x").exit_status == 3 and SolverError("x").exit_status == 3


@pytest.mark.parametrize("spec,msg", [
    ("amd64:1", "column 7: register counts must be INT,FLOAT"),
    ("amd64:x,1", "column 7"),
    ("vax", "column 1: unknown architecture 'vax'"),
    ("amd64:100,1", "more than the supported 64"),
    ("amd64/regs=1", "register counts"),
])
def test_arch_spec_errors(capsys: pytest.CaptureFixture[str], spec: str, msg: str) -> None:
    for argv in (["layout", "func()"], ["diff", "func()"], ["explore", "func()"],
                 ["prove", "--no-induction"], ["check", "--layout-only", "--random", "0"]):
        code, out, err = run(capsys, *argv, "--arch", spec)
        assert code == 2 and out == "" and err.count("\n") == 1, (argv, err)
        assert msg in err, (argv, err)


def test_arch_spec_custom_registers(capsys: pytest.CaptureFixture[str]) -> None:
    # By hand (ASG-3): one int and one float register. a -> AX; b finds no int register left,
    # so the whole value goes to the stack at 0; c -> X0.
    a = parse_arch_spec("amd64:1,1")
    assert (a.n_int, a.n_float, a.int_regs) == (1, 1, ("AX",))
    assert parse_arch_spec("amd64/regs=1,1") == a
    code, out, _ = run(capsys, "layout", "func(a, b int, c float64)", "--arch", "amd64:1,1",
                       "--json", "--variant", "spec")
    assert code == 0
    (rep,) = json.loads(out)
    a_, b_, c_ = rep["values"]
    assert [r["reg"] for r in a_["regs"]] == ["AX"]
    assert (b_["where"], b_["stack_offset"]) == ("stack", 0)
    assert [r["reg"] for r in c_["regs"]] == ["X0"]
    code, out, _ = run(capsys, "diff", "func(a, b int, c float64)", "--arch", "amd64:1,1")
    assert code == 0 and "stack@0" in out


def test_layout_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
                      ) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"func(p *int) int\n")))
    code, out, _ = run(capsys, "layout", "-", "--json")
    (rep,) = json.loads(out)
    assert code == 0 and rep["values"][0]["regs"][0]["reg"] == "AX"
    src = b"// a file\npackage x\n\nfunc F(a int) {}\nfunc G(s string) {}\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(src)))
    code, out, _ = run(capsys, "layout", "-", "--json")
    assert code == 0 and [r["name"] for r in json.loads(out)] == ["F", "G"]


def test_json_is_always_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["layout", "func()", "--json"], ["layout", "func()", "--json", "--variant",
                                                   "all"],
                 ["explore", "func(p *int)", "--json"]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and isinstance(json.loads(out), list)


def test_diff_every_function_of_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                       ) -> None:
    f = tmp_path / "x.go"
    f.write_text("package x\n\nfunc F(a int) {}\n\n"
                 "func G(s struct{ a int8; z [0]int64 }, b int) int { return 0 }\n")
    code, out, _ = run(capsys, "diff", str(f))
    # F agrees everywhere; G is test_cli's by-hand seed difference (spill 16 < 24 needed)
    assert code == 1
    assert "F: func(a int)" in out and "G: func(" in out
    assert "2 functions" in out


def _baseline(tmp: Path, findings: list[dict]) -> str:
    p = tmp / "b.json"
    p.write_text(json.dumps({"schema": "regabi.baseline/1", "findings": findings}))
    return str(p)


def test_check_baseline_gate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["check", "--layout-only", "--random", "0"]
    wb = str(tmp_path / "w.json")
    code, out, _ = run(capsys, *argv, "--strict", "--write-baseline", wb)
    assert code == 1  # the seed's built-in corpus has the [0]int64 case (INV-ABI0)
    found = json.loads(Path(wb).read_text())["findings"]
    assert {"checker": "layout", "invariant": "INV-ABI0", "variant": "seed", "arch": "amd64",
            "status": "FALSIFIED", "cause": []} in found
    # exactly the recorded findings: exit 0; the summary says so
    code, out, _ = run(capsys, *argv, "--baseline", wb)
    assert code == 0 and "findings match the baseline" in out.splitlines()[-1]
    # one finding fewer in the baseline: a new finding, exit 1
    code, out, _ = run(capsys, *argv, "--baseline", _baseline(tmp_path, found[1:]))
    assert code == 1 and "1 new finding(s), 0 baseline finding(s) lost" in out
    # one finding more: lost, exit 1
    extra = {**found[0], "invariant": "INV-REGARGS"}
    code, out, _ = run(capsys, *argv, "--baseline", _baseline(tmp_path, [*found, extra]))
    assert code == 1 and "0 new finding(s), 1 baseline finding(s) lost" in out
    assert "lost: INV-REGARGS seed" in out


def test_check_output_reads(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--layout-only", "--random", "0", "--strict")
    assert code == 1  # --strict: the seed's findings count
    lines = out.splitlines()
    assert lines[0] == "regabi check: amd64, variants seed, current"
    assert lines[1].startswith("  1. layout self-check")
    assert "seed (as shipped)" in out and "current (as shipped)" in out
    assert lines[-1].startswith("regabi check: ") and " proved/held, " in lines[-1]
    assert " falsified, " in lines[-1] and " unknown, " in lines[-1] and " limit in " in lines[-1]


def test_check_bad_options_before_work(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                       ) -> None:
    for argv, msg in ((["--timeout", "0"], "positive"), (["--timeout", "soon"], "duration"),
                      (["--variant", "spec"], "check runs reflect's variants"),
                      (["--random", "-1"], "--random"),
                      (["--baseline", str(tmp_path / "none.json")], "cannot read"),
                      (["--write-baseline", str(tmp_path)], "is a directory")):
        t0 = time.perf_counter()
        code, out, err = run(capsys, "check", *argv)
        assert code == 2 and out == "" and msg in err and err.count("\n") == 1, (argv, err)
        assert time.perf_counter() - t0 < 2


def test_check_json_pipes_into_json_tool() -> None:
    p1 = subprocess.Popen([*REGABI, "check", "--no-z3", "--random", "20", "--json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p2 = subprocess.run([sys.executable, "-m", "json.tool"], stdin=p1.stdout,
                        capture_output=True, text=True, check=False)
    p1.wait(timeout=300)
    assert p2.returncode == 0
    rows = json.loads(p2.stdout)
    assert isinstance(rows, list) and {r["checker"] for r in rows} >= {"layout", "explore"}


def _env() -> dict[str, str]:
    return {**os.environ, "REGABI_NO_PROGRESS": "1"}


def _until_watching(p: subprocess.Popen[str], limit: float = 60.0) -> None:
    """Until the run has blocked SIGINT in its main thread (runctl.Run.watching): on a loaded
    machine start-up alone can take longer than a fixed sleep, and a SIGINT before that is a
    plain KeyboardInterrupt with nothing decided yet."""
    stop = time.perf_counter() + limit
    while time.perf_counter() < stop and p.poll() is None:
        with open(f"/proc/{p.pid}/status") as f:
            blk = next(ln for ln in f if ln.startswith("SigBlk:")).split()[1]
        if int(blk, 16) & (1 << (signal.SIGINT - 1)):
            return
        time.sleep(0.05)
    raise AssertionError("the run never started watching for SIGINT")


def test_timeout_exits_5_with_summary() -> None:
    # --max-params 8: a bounded search that cannot finish in 2 s on any machine
    t0 = time.perf_counter()
    p = subprocess.run([*REGABI, "prove", "--max-params", "8", "--time-limit", "2s"],
                       capture_output=True, text=True, timeout=60, env=_env(), check=False)
    assert p.returncode == 5, p.stderr
    assert time.perf_counter() - t0 < 20
    assert "time limit of 2 s reached" in p.stdout and "Traceback" not in p.stderr


@pytest.mark.parametrize("argv", [
    ["prove", "--max-params", "8"],
    ["check", "--random", "0"],
])
def test_ctrl_c_stops_within_a_second(argv: list[str]) -> None:
    p = subprocess.Popen([*REGABI, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=_env())
    _until_watching(p)
    time.sleep(3)  # into the run (check: the layout section is done by then, or nearly)
    t0 = time.perf_counter()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert time.perf_counter() - t0 < 1.5
    assert p.returncode == 130, err
    assert "interrupted (Ctrl-C)" in out and "Traceback" not in err
    assert out.splitlines()[-1].startswith(f"regabi {argv[0]}: ")


def test_ctrl_c_with_json_prints_valid_json() -> None:
    p = subprocess.Popen([*REGABI, "check", "--json", "--random", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    _until_watching(p)
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert isinstance(json.loads(out), list)  # the verdicts decided so far, as one list
    assert "interrupted (Ctrl-C)" in err and "Traceback" not in err


def test_shipped_baseline_is_consistent() -> None:
    """spec/baseline.json (what `regabi check` compares with) names only invariants of the
    catalogues, finding statuses, real variants and known architectures, each once."""
    from regabi.cli import Baseline, _default_baseline
    from regabi.model.arch import arch_names
    from regabi.model.callmachine import GC_CATALOGUE
    from regabi.model.gcrt import RUNTIME_DELTAS
    from regabi.model.invariants import CATALOGUE
    from regabi.model.variants import DELTAS
    from regabi.proofs.paths import CB_INVARIANTS, FIN_INVARIANTS, MF_INVARIANTS, MV_INVARIANTS

    b = Baseline.load(_default_baseline())
    ids = {i.id for i in (*CATALOGUE, *GC_CATALOGUE)} | {"ORACLE-GO1.27.3"}
    # the paths section's GC explorer rows (finalizer/…) report INV-GC-* too
    path_ids = {*CB_INVARIANTS, *FIN_INVARIANTS, *MF_INVARIANTS, *MV_INVARIANTS,
                *(i.id for i in GC_CATALOGUE)}
    assert b.entries, "the seed has findings: an empty baseline would hide them"
    keys = [Baseline._key_of(e) for e in b.entries]
    assert len(keys) == len(set(keys))
    for e in b.entries:
        if e["checker"] == "paths":  # other implementations: path/release, own platforms
            assert e["invariant"] in path_ids and e["status"] in Baseline.FINDING
            assert e["variant"].partition("/")[0] in (
                "wincallback", "makefunc", "method-value", "finalizer")
            continue
        assert e["invariant"] in ids and e["status"] in Baseline.FINDING
        assert e["variant"].partition(" w/o ")[0] in ("seed", "current")
        assert e["arch"].partition("/")[0] in arch_names()
        assert set(e["cause"]) <= set(DELTAS) | set(RUNTIME_DELTAS)  # reflect's or runtime's
    # the seed's headline finding (spec/findings.md): INV-ABI0 by the concrete check
    assert ("layout", "INV-ABI0", "seed", "amd64", "FALSIFIED", ()) in b.expected


def test_baseline_scope(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A baseline written without the explorer says nothing about the explorer's findings:
    they are reported as not compared and do not change the exit status."""
    wb = str(tmp_path / "w.json")
    run(capsys, "check", "--layout-only", "--random", "0", "--strict", "--write-baseline", wb)
    assert json.loads(Path(wb).read_text())["checkers"] == ["layout"]
    code, out, _ = run(capsys, "check", "--no-z3", "--no-paths", "--random", "0", "--baseline", wb)
    assert "[not compared: the baseline records no explore findings]" in out  # INV-GC-UAF
    assert code == 0, out.splitlines()[-1]
    assert "explore, oracle not compared" in out.splitlines()[-1]


def test_paths_table_gives_each_rows_state_count_with_its_bounds() -> None:
    """`regabi paths` prints the flat table: there a row's bounds end with the states its
    explorer batch visited (the field), and a row without one is unchanged. By hand."""
    from regabi.verdict import Verdict, render_table

    gc = "7 makefunc signatures; K=2 GC, M=2 stack copies, INV-GC-MARK one concurrent cycle"
    out = render_table([
        Verdict("paths", "INV-GC-UAF", "makefunc/current", "amd64", "HOLDS", gc, 7, 0.01,
                extra={"states": 8135}),
        Verdict("paths", "INV-MF-ARGS", "makefunc/current", "amd64", "HOLDS",
                "100 random signatures, seed 1", 100, 0.04)]).splitlines()
    assert out[1].endswith(f"{gc}; 8135 states")
    assert out[2].endswith("0.04s  100 random signatures, seed 1")


def test_check_section_over_several_archs_names_each_rows_arch() -> None:
    """The paths section's rows differ only by architecture (one per GOARCH a path has): the
    section shows an arch column and names every architecture in its header; its bounds are
    given per path, with the states of its explorer batches summed (8135 + 9221 = 17356; a
    batch's rows share its count: the second INV-GC-MARK row adds nothing); its unit is
    signatures. A one-arch section keeps its four columns. Expected text written by hand."""
    import io

    from regabi.cli import render_section
    from regabi.verdict import Verdict

    gc = "7 makefunc signatures; K=2 GC, M=2 stack copies, INV-GC-MARK one concurrent cycle"
    rows = [Verdict("paths", "INV-MF-ARGS", "makefunc/current", "amd64", "HOLDS",
                    "100 random signatures, seed 1", 100, 0.04),
            Verdict("paths", "INV-MF-ARGS", "makefunc/current", "arm64", "HOLDS",
                    "100 random signatures, seed 1", 100, 0.03),
            Verdict("paths", "INV-GC-UAF", "makefunc/current", "amd64", "HOLDS",
                    gc, 7, 0.01, extra={"states": 8135}),
            Verdict("paths", "INV-GC-UAF", "makefunc/current", "arm64", "HOLDS",
                    gc, 7, 0.01, extra={"states": 9221}),
            Verdict("paths", "INV-GC-MARK", "makefunc/current", "arm64", "HOLDS",
                    gc, 7, 0.01, extra={"states": 9221})]
    out = io.StringIO()
    render_section(rows, out)
    lines = out.getvalue().splitlines()
    assert lines[1] == "== paths — makefunc/current, amd64, arm64"
    assert lines[2:4] == ["   bounds: makefunc: 100 random signatures, seed 1",
                          f"   bounds: makefunc: {gc}; 17356 states in all"]
    # every paths row counts signatures (proofs/paths.py: random, enumerated or corpus ones)
    assert lines[4].split() == ["variant", "arch", "status", "signatures", "time"]
    assert [ln.split() for ln in lines[6:8]] == [
        ["makefunc/current", "(as", "shipped)", "amd64", "HOLDS", "100", "0.0s"],
        ["makefunc/current", "(as", "shipped)", "arm64", "HOLDS", "100", "0.0s"]]
    one = io.StringIO()
    render_section(rows[:1], one)
    assert one.getvalue().splitlines()[1] == "== paths — makefunc/current, amd64"
    assert one.getvalue().splitlines()[3].split() == ["variant", "status", "signatures", "time"]
