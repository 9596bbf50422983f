"""ARCH-16: `--arch PATH.toml`, an architecture table of the user's own (a port in progress),
held to the rules of the built-in tables and usable by layout, diff, prove and explore.

The port here is amd64 cut down to 4 integer and 2 float argument registers. Its RegArgs,
by hand (ARCH-11): Ints [4]uintptr @0 (32 bytes), Floats [2]uint64 @32 (16), Ptrs
[4]unsafe.Pointer @48 (32), ReturnIsPtr [2]uint8 @80, end 82, size 88 (aligned to 8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from regabi.model import arch as A

AMD64 = Path(A.__file__).resolve().parent.parent / "spec" / "arch" / "amd64.toml"
if not AMD64.exists():  # an installed regabi: the tables are package data
    AMD64 = Path(A._arch_dir()) / "amd64.toml"

REGARGS = {"floats_offset": 32, "ptrs_offset": 48, "return_is_ptr_offset": 80, "size": 88}


def port_table(name: str = "four", **edits: str) -> str:
    lines = []
    for ln in AMD64.read_text().splitlines():
        key = ln.split("=")[0].strip()
        if key == "name":
            ln = f'name = "{name}"'
        elif key == "int_arg_regs":
            ln = 'int_arg_regs = ["AX", "BX", "CX", "DI"]'
        elif key == "float_arg_regs":
            ln = 'float_arg_regs = ["X0", "X1"]'
        elif key in REGARGS:
            ln = f"{key} = {REGARGS[key]}"
        if key in edits:
            ln = f"{key} = {edits[key]}"
        lines.append(ln)
    return "\n".join(lines) + "\n"


@pytest.fixture
def port(tmp_path: Path) -> Path:
    p = tmp_path / "four.toml"
    p.write_text(port_table())
    return p


def regabi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regabi", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)


def test_own_table_loads_and_lays_out(port: Path) -> None:
    a = A.load_arch(str(port))
    assert a.name == str(port) and a.goarch == "amd64" and (a.n_int, a.n_float) == (4, 2)
    assert (a.regargs.floats_offset, a.regargs.size) == (32, 88)
    # By hand (ASG on 4 + 2 registers): a..d take AX BX CX DI, e finds none and goes to the
    # stack @0; f, g take X0, X1, h goes to @8. Stack args 16, spill 4*8 + 2*8 = 48, frame
    # 16 + 48 = 64: call64.
    p = regabi("layout", "func(a, b, c, d, e int, f, g, h float64)", "--arch", "four.toml",
               cwd=port.parent)
    assert p.returncode == 0, p
    assert "[four.toml, current]" in p.stdout
    for row in ("arg 3  int      8     regs   DI[0:8]", "arg 4  int      8     stack  @0",
                "arg 6  float64  8     regs   X1[0:8]", "arg 7  float64  8     stack  @8",
                "stack args 16, retOffset 16, spill 48, frame type 16, frameSize 64 (call64)"):
        assert row in p.stdout, (row, p.stdout)


def test_own_table_with_other_counts(port: Path) -> None:
    b = A.load_arch(f"{port}:1,1")
    assert b.int_regs == ("AX",) and b.float_regs == ("X0",)
    assert A.load_arch(b.name) == b  # the name round-trips, as worker processes need


@pytest.mark.parametrize(("content", "msg"), [
    (None, "four.toml: no such file"),
    ("x = [\n", "four.toml: Invalid value (at end of document)"),
    (port_table(name="five"), "four.toml: name = 'five' does not match the file name"),
    (port_table(size="272"), "four.toml: [regargs] size = 272, expected 88 (ARCH-11: RegArgs "
                             "of 4 integer and 2 float registers, pointer size 8)"),
    (port_table(ptr_size='"eight"'), "four.toml: a value of the wrong type"),
    (b"\xff\xfe".decode("latin-1"), "four.toml: byte 0: not UTF-8 text"),
    ("\n".join(ln for ln in port_table().splitlines() if not ln.startswith("max_width = 1")),
     "four.toml: missing key 'max_width'"),
    ("\n".join(ln for ln in port_table().splitlines() if not ln.startswith('max_width = "')),
     "four.toml: [sources] lacks max_width"),
])
def test_bad_own_table_is_one_line(tmp_path: Path, content: str | None, msg: str) -> None:
    if content is not None:
        (tmp_path / "four.toml").write_bytes(content.encode("latin-1" if "\xff" in content
                                                            else "utf-8"))
    p = regabi("layout", "func(a int)", "--arch", "four.toml", cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == "", p
    assert p.stderr.count("\n") == 1 and msg in p.stderr, p.stderr


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.toml").mkdir()
    p = regabi("layout", "func(a int)", "--arch", "d.toml", cwd=tmp_path)
    assert p.returncode == 2 and "d.toml: is a directory, not a TOML table" in p.stderr, p


def test_prove_and_explore_on_own_table(port: Path) -> None:
    # Two invariants over two worker processes: each loads the table again by its name.
    p = regabi("prove", "--arch", "four.toml", "--variant", "current", "--invariant",
               "INV-REG-BOUNDS,INV-BITMAP-REGS", "--jobs", "2", "--no-premises",
               cwd=port.parent)
    assert p.returncode == 0, p
    rows = [ln.split() for ln in p.stdout.splitlines() if ln.startswith("z3 ")]
    assert {(r[1], r[3], r[4]) for r in rows} == {
        ("INV-REG-BOUNDS", "four.toml", "PROVED"), ("INV-BITMAP-REGS", "four.toml", "PROVED")}
    # explore runs the runtime of the table's goarch (amd64's assembly, 4 + 2 registers)
    p = regabi("explore", "func(p *int, s string) *int", "--arch", "four.toml",
               cwd=port.parent)
    assert p.returncode == 0, p
    assert "0 falsified" in p.stderr + p.stdout
    (port.parent / "m.toml").write_text(port_table(name="m", goarch='"mips64"'))
    p = regabi("explore", "func(p *int) *int", "--arch", "m.toml", cwd=port.parent)
    assert p.returncode == 2 and "m.toml has goarch 'mips64'" in p.stderr, p


def test_archs_checks_and_shows_a_table(port: Path, tmp_path: Path) -> None:
    p = regabi("archs", "four.toml", cwd=port.parent)
    assert p.returncode == 0, p
    assert p.stdout.splitlines()[1:4] == [  # the hand-derived RegArgs of the module docstring
        "  int 4: AX BX CX DI", "  float 2: X0 X1 (8 bytes, float32 low32)",
        "  RegArgs: Ints @0, Floats @32, Ptrs @48, ReturnIsPtr @80, size 88"]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "four.toml").write_text(port_table(size="272"))
    p = regabi("archs", "four.toml", cwd=bad)
    assert p.returncode == 2 and p.stdout == "" and "size = 272, expected 88" in p.stderr, p


def test_name_is_the_normalised_path(port: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ./four.toml and four.toml are one configuration, e.g. in a check baseline
    monkeypatch.chdir(port.parent)
    assert A.load_arch("./four.toml").name == A.load_arch("four.toml").name == "four.toml"
