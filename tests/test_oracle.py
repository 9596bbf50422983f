"""The recorded answers of go1.27.3 (spec/oracle/*.jsonl.gz) against the model.

No Go toolchain needed: the answers were recorded by spec/oracle/regen.py from reflect's
funcLayout (built per GOARCH, run under qemu-user) and the compiler's ABIAnalyzeTypes. The
model must agree with every recorded field, in the ``current`` variant and the ``spec``.
"""

from __future__ import annotations

import gzip
import json
from importlib import resources

import pytest

from regabi import oracle
from regabi.errors import InputError

ARCHS = ("amd64", "arm64", "ppc64le", "ppc64", "riscv64", "loong64", "s390x", "386")


def test_every_arch_is_recorded() -> None:
    assert set(ARCHS) <= set(oracle.archs())


@pytest.mark.parametrize("arch", ARCHS)
def test_recorded_files(arch: str) -> None:
    f = resources.files("regabi.spec") / "oracle" / f"{arch}.jsonl.gz"
    data = f.read_bytes()
    assert len(data) < 2 * 1024 * 1024
    with gzip.open(f.open("rb"), "rt") as z:
        header = json.loads(z.readline())
    assert header["schema"] == "regabi.oracle/1"
    assert (header["go"], header["goarch"]) == ("go1.27.3", arch)
    assert isinstance(header["seed"], int) and "spec/oracle/regen.py" in header["command"]
    o = oracle.load(arch)
    assert len(o.rows) == header["rows"] >= 2500
    assert {r["origin"] for r in o.rows} == {"go-vector", "boundary", "random"}


@pytest.mark.parametrize("variant", ["current", "spec"])
@pytest.mark.parametrize("arch", ARCHS)
def test_model_agrees_with_recorded_go(arch: str, variant: str) -> None:
    res = oracle.compare(arch, variant)
    assert res.n >= 2500 and res.arch == arch
    assert res.ok, "\n".join(res.lines(5))


def test_seed_variant_disagrees_with_recorded_go() -> None:
    """The comparison can fail: the 2020 seed's reflect is not go1.27.3's (VAR-1 … VAR-9)."""
    res = oracle.compare("amd64", "seed")
    assert not res.ok
    assert any(m.path == "spill" for m in res.mismatches)
    lines = res.lines(2)
    assert len(lines) == 3 and "disagree" in lines[0] and lines[1].startswith("  amd64 #")


@pytest.mark.parametrize("arch,ps", [("amd64", 8), ("arm64", 8), ("386", 4)])
def test_recorded_funclayout_vector(arch: str, ps: int) -> None:
    """The recording is Go's answer: reflect/all_test.go TestFuncLayout, case
    ``func(a, b string) string`` with SetArgRegs(0, 0, 0): frame size 6*PtrSize, argSize and
    retOffset 4*PtrSize, stack bitmap 10101 (copied from the Go test, not computed here)."""
    rows = [r for r in oracle.load(arch).rows
            if r["func"] == "func(string, string) string" and not r["recv"]]
    want_regs = None if arch == "386" else [0, 0, 0]
    (row,) = [r for r in rows if r["regs"] == want_regs]
    rec = row["reflect"]
    assert (rec["frameTypeSize"], rec["stackCallArgsSize"], rec["retOffset"]) == (
        6 * ps, 4 * ps, 4 * ps)
    assert rec["stackPtrs"] == [1, 0, 1, 0, 1]


def test_recorded_abiutils_vector() -> None:
    """abiutils_test.go TestABIUtilsBasic1 on amd64: IN 0: R{ I0 } spilloffset: 0;
    OUT 0: R{ I0 } spilloffset: -1; offsetToSpillArea: 0 spillAreaSize: 8."""
    (row,) = [r for r in oracle.load("amd64").rows
              if r["func"] == "func(int32) int32" and r["regs"] is None]
    c = row["compiler"]
    assert (c["in"], c["out"]) == ([[[0], 0]], [[[0], -1]])
    assert (c["offsetToSpillArea"], c["spillAreaSize"]) == (0, 8)


def test_unknown_arch_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no recorded Go answers"):
        oracle.load("mips")
    with pytest.raises(InputError, match="unknown variant"):
        oracle.compare("amd64", "nope")
