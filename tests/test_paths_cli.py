"""`regabi paths`: bad input is one line and exit 2; --layout and the verdict table."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def regabi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("args", "msg"), [
    (("paths", "--path", "bogus"), "error: unknown path 'bogus'"),
    (("paths", "--layout", "func(a int"), "error: <signature 1>:1:11: syntax error"),
    (("paths", "--layout"), "error: --layout needs a signature"),
    (("paths", "--layout", "--arch", "mips", "func()"), "error: no windows port for 'mips'"),
])
def test_bad_input(args: tuple[str, ...], msg: str) -> None:
    p = regabi(*args)
    assert p.returncode == 2 and p.stdout == "", p
    assert p.stderr.startswith(msg) and p.stderr.count("\n") == 1, p.stderr


def test_layout_shows_partial_struct() -> None:
    p = regabi("paths", "--layout", "--arch", "amd64",
               "func(a1, a2, a3, a4, a5, a6, a7, a8 uintptr, s struct{a, b uint32}, "
               "a10 uintptr) uintptr", "func(f float64) uintptr")
    assert p.returncode == 0, p
    # Hand-derived (tests/test_paths_wincallback.py::test_partial_struct_parts_hand_derived).
    assert "  arg 9 uintptr: callback stack 8 C slot 9; spec regs [8]" in p.stdout
    assert ("windows/amd64 func(f float64) uintptr: refused: compileCallback: float arguments "
            "not supported") in p.stdout


def test_verdict_rows_and_exit_status() -> None:
    p = regabi("paths", "--path", "finalizer", "--arch", "amd64,arm64", "--json")
    assert p.returncode == 0, p
    rows = json.loads(p.stdout)
    assert {(r["invariant"], r["arch"], r["status"]) for r in rows} == {
        (i, a, "HOLDS") for i in ("INV-FIN-ARG", "INV-FIN-FRAME", "INV-FIN-FRAMESZ")
        for a in ("amd64", "arm64")}
    p = regabi("paths", "--path", "wincallback", "--arch", "amd64")
    assert p.returncode == 1 and "INV-CB-ASSIGN" in p.stdout, p
