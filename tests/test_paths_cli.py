"""`regabi paths`: bad input is one line and exit 2; --layout and the verdict table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from regabi.model.callmachine import GC_INVARIANT_IDS


def regabi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize(("args", "msg"), [
    (("paths", "--path", "bogus"), "error: unknown path 'bogus'"),
    (("paths", "--layout", "func(a int"), "error: <signature 1>:1:11: syntax error"),
    (("paths", "--layout"), "error: --layout needs a signature"),
    (("paths", "--layout", "--arch", "mips", "func()"), "error: no windows port for 'mips'"),
    (("paths", "--path", "wincallback", "--repro", "/nonexistent-regabi", "--arch", "arm64",
      "func() uintptr"), "error: --repro: no callback reproducer for windows/arm64"),
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
    # a10: the 9th integer register on amd64 is R11 (AX BX CX DI SI R8 R9 R10 R11)
    assert "  arg 9 uintptr: callback @8 (C slot 9); spec R11[0:8]" in p.stdout
    assert ("windows/amd64 func(f float64) uintptr: refused: compileCallback: float arguments "
            "not supported") in p.stdout


def test_layout_text_in_layout_notation() -> None:
    """--layout renders places as `regabi layout` does — REG[lo:hi] for bytes lo..hi of the
    value in REG, @off for a stack offset — never as Python lists. Hand-derived from
    go1.27.3 src/runtime/syscall_windows.go (SW) and the ABI:
    amd64: a → AX; s's three uint8 fields → BX, CX, DI (SW:165-218, one register per field);
    p → SI, f → R8; one 8-byte C slot per argument (SW:160-162), so the parts copy args[0:1],
    args[8:9], args[9:10], args[10:11], args[16:24], args[24:32] into the low bytes of those
    registers; no stack arguments, spill 1 + 3 + 8 + 8 = 24 (each aligned: SW:132-133), the
    result in Ints[0].
    386 (no registers): p at @0, n at @4, their stack parts merged (SW:64-73) into
    args[0:8] → frame[0:8]; the result word reserved after them (SW:294-297): stack args 12;
    a NewCallback callback pops the two 4-byte C slots (CB-13)."""
    p = regabi("paths", "--layout", "--arch", "amd64,386",
               "func(a uint8, s struct{a, b, c uint8}, p *int, f uintptr) uintptr",
               "func(p *int, n uintptr) uintptr")
    assert p.returncode == 0, p
    lines = p.stdout.splitlines()
    amd64 = lines.index("windows/amd64 func(a uint8, s struct{a uint8; b uint8; c uint8}, "
                        "p *int, f uintptr) uintptr")
    assert lines[amd64 + 1:amd64 + 7] == [
        "  arg 0 uint8: callback AX[0:1] (C slot 0); spec AX[0:1]",
        "  arg 1 struct{a uint8; b uint8; c uint8}: callback BX[0:1] CX[1:2] DI[2:3] (C slot 1);"
        " spec BX[0:1] CX[1:2] DI[2:3]",
        "  arg 2 *int: callback SI[0:8] (C slot 2); spec SI[0:8]",
        "  arg 3 uintptr: callback R8[0:8] (C slot 3); spec R8[0:8]",
        "  parts args[0:1] → AX[0:1], args[8:9] → BX[0:1], args[9:10] → CX[0:1], "
        "args[10:11] → DI[0:1], args[16:24] → SI[0:8], args[24:32] → R8[0:8]",
        "  frameSize 24 (stack args 0, spill 24); result from Ints[0]",
    ]
    i386 = lines.index("windows/386 func(p *int, n uintptr) uintptr")
    assert lines[i386 + 1:i386 + 5] == [
        "  arg 0 *int: callback @0 (C slot 0); spec @0",
        "  arg 1 uintptr: callback @4 (C slot 1); spec @4",
        "  parts args[0:8] → frame[0:8]",
        "  frameSize 12 (stack args 12, spill 0); result from frame[retOffset]; pops 8 bytes "
        "of C arguments (NewCallback, stdcall; NewCallbackCDecl: 0)",
    ]
    assert "[(" not in p.stdout and "regs [" not in p.stdout


def test_verdict_rows_and_exit_status() -> None:
    p = regabi("paths", "--path", "finalizer", "--arch", "amd64,arm64", "--json")
    assert p.returncode == 0, p
    rows = json.loads(p.stdout)
    # the static fold's rows and the GC explorer's (go1.27.3: spec/paths.md FIN-GC-*)
    assert {(r["invariant"], r["arch"], r["status"]) for r in rows} == {
        (i, a, "HOLDS") for i in ("INV-FIN-ARG", "INV-FIN-FRAME", "INV-FIN-FRAMESZ",
                                  *GC_INVARIANT_IDS)
        for a in ("amd64", "arm64")}
    p = regabi("paths", "--path", "wincallback", "--arch", "amd64")
    assert p.returncode == 1 and "INV-CB-ASSIGN" in p.stdout, p


def test_callback_repro_for_386(tmp_path: Path) -> None:
    # syscall.NewCallback makes a stdcall callback on 386 (spec/paths.md CB-12): the C caller
    # must call it as one, with uintptr 4 bytes wide.
    p = regabi("paths", "--path", "wincallback", "--repro", str(tmp_path), "--arch", "386",
               "func(a uint8, b uintptr) uintptr")
    assert p.returncode == 0, p
    assert "GOOS=windows GOARCH=386" in p.stdout and "i686-w64-mingw32-gcc" in p.stdout
    c = (tmp_path / "cbrepro.c").read_text()
    assert "typedef uint32_t (__stdcall *case0_fn)(uint8_t, uint32_t);" in c
    assert "syscall.NewCallback(cases[name])" in (tmp_path / "main.go").read_text()


def test_layout_386_pops_the_c_arguments() -> None:
    # CB-13, by hand: a takes C slot 0 and b slot 1 (z takes none), so srcStackSize is 8 and
    # a NewCallback callback pops those 8 bytes before it returns.
    p = regabi("paths", "--layout", "--arch", "386",
               "func(a uint8, z struct{}, b uintptr) uintptr")
    assert p.returncode == 0, p
    assert "  arg 2 uintptr: callback @4 (C slot 1); spec @4" in p.stdout
    assert p.stdout.rstrip().endswith("; pops 8 bytes of C arguments (NewCallback, stdcall; "
                                      "NewCallbackCDecl: 0)")
