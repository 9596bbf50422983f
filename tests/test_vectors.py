"""Go's published vectors, as facts.

Every expected value in this file is copied from one of Go's own files (go1.27.3, on disk at
GOROOT = site-packages/go) or, for the seed, derived by hand from the seed patch, with the
derivation written next to it. None is computed by regabi. Each case cites its file and test.

Sources
-------
* ``src/cmd/compile/abi-internal.md``: the worked example, the memory-layout table and the
  per-architecture register sequences.
* ``src/cmd/compile/internal/test/abiutils_test.go``: every ``TestABIUtils*`` case (the compiler's
  assignment, compared with :func:`regabi.model.assign.spec_assign`).
* ``src/reflect/all_test.go`` ``TestFuncLayout`` (compared with ``reflect_assign(…, CURRENT)``).
* ``src/reflect/abi_test.go``: ``TestReflectCallABI``, ``TestReflectMakeFuncCallABI``,
  ``TestMethodValueCallABI`` and the claims written in its comments.
* ``../shared/seed/go-e0215315-reflect-regabi-amd64.patch``: seed expectations by hand.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pytest

from regabi.model.arch import load_arch
from regabi.model.assign import AbiDesc, SpecLayout, SpecParam, reflect_assign, spec_assign
from regabi.model.invariants import check_all
from regabi.model.sig import Signature
from regabi.model.syntax import parse_file, parse_signature, parse_type
from regabi.model.types import layout, reg_parts
from regabi.model.variants import CURRENT, SEED

AMD64 = load_arch("amd64")


def _sig_text(sig: Signature) -> str:
    recv = f" [recv {sig.recv}]" if sig.recv is not None else ""
    return sig.go() + recv


# =============================================================================================
# abi-internal.md


def test_abi_internal_md_worked_example() -> None:
    """abi-internal.md "### Example": ``func f(a1 uint8, a2 [2]uintptr, a3 uint8) (r1 struct {
    x uintptr; y [2]uintptr }, r2 string)`` on a 64-bit architecture with R0–R9.

    "On entry, a1 is assigned to R0, a3 is assigned to R1 and the stack frame is laid out [as]
    a2 [2]uintptr; r1.x uintptr; r1.y [2]uintptr; a1Spill uint8; a3Spill uint8; _ [6]uint8".
    "On exit, r2.base is assigned to R0, r2.len is assigned to R1".
    """
    arch = AMD64.with_regs(10, AMD64.n_float)  # "hypothetical integer registers R0–R9"
    sig = parse_signature("func(a1 uint8, a2 [2]uintptr, a3 uint8) "
                          "(r1 struct { x uintptr; y [2]uintptr }, r2 string)")
    s = spec_assign(sig, arch)
    a1, a2, a3 = s.params
    r1, r2 = s.results
    assert [(c, i) for c, i, *_ in a1.regs] == [("int", 0)]  # a1 -> R0
    assert [(c, i) for c, i, *_ in a3.regs] == [("int", 1)]  # a3 -> R1
    assert a2.regs == () and a2.stack == 0  # a2 first in the frame
    assert r1.regs == () and r1.stack == 16  # then r1.x, r1.y (after 2 words of a2)
    # r2.base -> R0, r2.len -> R1
    assert [(c, i, off) for c, i, off, *_ in r2.regs] == [("int", 0, 0), ("int", 1, 8)]
    # then the spill area: a1Spill at +0, a3Spill at +1, 6 bytes of padding
    assert s.offset_to_spill_area == 16 + 24
    assert (a1.spill, a3.spill) == (0, 1)
    assert s.spill_area_size == 8
    # "only arguments, not results, are assigned a spill area"
    assert r1.spill is None and r2.spill is None
    # reflect (current) places every value the same way
    assert not [v for v in check_all(sig, arch, CURRENT) if v.invariant == "INV-ASSIGN-AGREE"]


# abi-internal.md "## Memory layout" table: type: (64-bit size, align, 32-bit size, align)
MEMORY_LAYOUT_TABLE: dict[str, tuple[int, int, int, int]] = {
    "bool": (1, 1, 1, 1), "uint8": (1, 1, 1, 1), "int8": (1, 1, 1, 1),
    "uint16": (2, 2, 2, 2), "int16": (2, 2, 2, 2),
    "uint32": (4, 4, 4, 4), "int32": (4, 4, 4, 4),
    "uint64": (8, 8, 8, 4), "int64": (8, 8, 8, 4),
    "int": (8, 8, 4, 4), "uint": (8, 8, 4, 4),
    "float32": (4, 4, 4, 4),
    "float64": (8, 8, 8, 4),
    "complex64": (8, 4, 8, 4),
    "complex128": (16, 8, 16, 4),
    "uintptr": (8, 8, 4, 4), "*int": (8, 8, 4, 4), "unsafe.Pointer": (8, 8, 4, 4),
    # "byte and rune are aliases for uint8 and int32"
    "byte": (1, 1, 1, 1), "rune": (4, 4, 4, 4),
    # "The layout of map, chan, and func types is equivalent to *T."
    "map[int]int": (8, 8, 4, 4), "chan int": (8, 8, 4, 4), "func()": (8, 8, 4, 4),
}


@pytest.mark.parametrize("text", sorted(MEMORY_LAYOUT_TABLE))
def test_abi_internal_md_memory_layout_table(text: str) -> None:
    s64, a64, s32, a32 = MEMORY_LAYOUT_TABLE[text]
    t = parse_type(text)
    assert (layout(t, 8).size, layout(t, 8).align) == (s64, a64)
    assert (layout(t, 4).size, layout(t, 4).align) == (s32, a32)


# abi-internal.md "## Architecture specifics": the integer and float argument register sequences.
ARCH_REGISTERS: dict[str, tuple[list[str], list[str]]] = {
    # "RAX, RBX, RCX, RDI, RSI, R8, R9, R10, R11"; "X0 – X14"
    "amd64": (["RAX", "RBX", "RCX", "RDI", "RSI", "R8", "R9", "R10", "R11"],
              [f"X{i}" for i in range(15)]),
    # "R0 – R15"; "F0 – F15"
    "arm64": ([f"R{i}" for i in range(16)], [f"F{i}" for i in range(16)]),
    # "R4 – R19"; "F0 – F15"
    "loong64": ([f"R{i}" for i in range(4, 20)], [f"F{i}" for i in range(16)]),
    # "R3 – R10 and R14 – R17"; "F1 – F12"
    "ppc64le": ([f"R{i}" for i in [*range(3, 11), *range(14, 18)]],
                [f"F{i}" for i in range(1, 13)]),
    # "X10 – X17, X8, X9, X18 – X23"; "F10 – F17, F8, F9, F18 – F23"
    "riscv64": ([f"X{i}" for i in [*range(10, 18), 8, 9, *range(18, 24)]],
                [f"F{i}" for i in [*range(10, 18), 8, 9, *range(18, 24)]]),
}


def _norm_amd64(name: str) -> str:
    # Go's assembler spells RAX as AX; abi-internal.md uses the RAX spelling.
    return name if name.startswith(("R", "X")) else "R" + name


@pytest.mark.parametrize("name", sorted(ARCH_REGISTERS))
def test_abi_internal_md_register_sequences(name: str) -> None:
    ints, floats = ARCH_REGISTERS[name]
    a = load_arch(name)
    assert (a.n_int, a.n_float) == (len(ints), len(floats))
    got_i = [a.int_reg_name(i) for i in range(a.n_int)]
    got_f = [a.float_reg_name(i) for i in range(a.n_float)]
    if name == "amd64":
        got_i = [_norm_amd64(n) for n in got_i]
    assert (got_i, got_f) == (ints, floats)


# =============================================================================================
# cmd/compile/internal/test/abiutils_test.go
#
# The harness (abiutilsaux_test.go) uses configAMD64 = abi.NewABIConfig(9, 15, 0, 1), builds the
# func type with mkFuncType(rcvr, ins, outs) and compares ABIParamResultInfo.String() token by
# token. Struct types come from mkstruct (unnamed fields; Go syntax needs names, which do not
# change layout). In the dump, ``R{ I0 F1 }`` names int register 0 and float register 1;
# ``spilloffset: N`` is the spill slot of a register-assigned param (-1 for results), ``offset: N``
# the frame offset of a stack-assigned one (results after the args, in the same frame).


class AbiUtilsCase(NamedTuple):
    test: str
    sig: str  # Go syntax of the func type (the harness's receiver, if any, as first param)
    decls: str
    dump: str  # copied verbatim from abiutils_test.go


ABIUTILS_CASES: list[AbiUtilsCase] = [
    AbiUtilsCase("TestABIUtilsBasic1", "func(int32) int32", "", """
        IN 0: R{ I0 } spilloffset: 0 typ: int32
        OUT 0: R{ I0 } spilloffset: -1 typ: int32
        offsetToSpillArea: 0 spillAreaSize: 8
"""),
    AbiUtilsCase(
        "TestABIUtilsBasic2",
        "func(int8, int16, int32, int64, float32, float32, float64, float64, "
        "int8, int16, int32, int64, float32, float32, float64, float64, "
        "complex128, complex128, complex128, complex128, complex64, "
        "int8, int16, int32, int64, int8, int16, int32, int64) (int32, float64, float64)", "", """
        IN 0: R{ I0 } spilloffset: 0 typ: int8
        IN 1: R{ I1 } spilloffset: 2 typ: int16
        IN 2: R{ I2 } spilloffset: 4 typ: int32
        IN 3: R{ I3 } spilloffset: 8 typ: int64
        IN 4: R{ F0 } spilloffset: 16 typ: float32
        IN 5: R{ F1 } spilloffset: 20 typ: float32
        IN 6: R{ F2 } spilloffset: 24 typ: float64
        IN 7: R{ F3 } spilloffset: 32 typ: float64
        IN 8: R{ I4 } spilloffset: 40 typ: int8
        IN 9: R{ I5 } spilloffset: 42 typ: int16
        IN 10: R{ I6 } spilloffset: 44 typ: int32
        IN 11: R{ I7 } spilloffset: 48 typ: int64
        IN 12: R{ F4 } spilloffset: 56 typ: float32
        IN 13: R{ F5 } spilloffset: 60 typ: float32
        IN 14: R{ F6 } spilloffset: 64 typ: float64
        IN 15: R{ F7 } spilloffset: 72 typ: float64
        IN 16: R{ F8 F9 } spilloffset: 80 typ: complex128
        IN 17: R{ F10 F11 } spilloffset: 96 typ: complex128
        IN 18: R{ F12 F13 } spilloffset: 112 typ: complex128
        IN 19: R{ } offset: 0 typ: complex128
        IN 20: R{ } offset: 16 typ: complex64
        IN 21: R{ I8 } spilloffset: 128 typ: int8
        IN 22: R{ } offset: 24 typ: int16
        IN 23: R{ } offset: 28 typ: int32
        IN 24: R{ } offset: 32 typ: int64
        IN 25: R{ } offset: 40 typ: int8
        IN 26: R{ } offset: 42 typ: int16
        IN 27: R{ } offset: 44 typ: int32
        IN 28: R{ } offset: 48 typ: int64
        OUT 0: R{ I0 } spilloffset: -1 typ: int32
        OUT 1: R{ F0 } spilloffset: -1 typ: float64
        OUT 2: R{ F1 } spilloffset: -1 typ: float64
        offsetToSpillArea: 56 spillAreaSize: 136
"""),
    AbiUtilsCase(
        "TestABIUtilsArrays",
        "func([1]int32, [0]int32, [1][1]int32, [2]int32) ([2]int32, [1]int32, [0]int32, "
        "[1][1]int32)", "", """
        IN 0: R{ I0 } spilloffset: 0 typ: [1]int32
        IN 1: R{ } offset: 0 typ: [0]int32
        IN 2: R{ I1 } spilloffset: 4 typ: [1][1]int32
        IN 3: R{ } offset: 0 typ: [2]int32
        OUT 0: R{ } offset: 8 typ: [2]int32
        OUT 1: R{ I0 } spilloffset: -1 typ: [1]int32
        OUT 2: R{ } offset: 16 typ: [0]int32
        OUT 3: R{ I1 } spilloffset: -1 typ: [1][1]int32
        offsetToSpillArea: 16 spillAreaSize: 8
"""),
    AbiUtilsCase(
        "TestABIUtilsStruct1", "func(int8, s, int64) (s, int8, int32)",
        # s := mkstruct(i8, i8, mkstruct(), i8, i16): an unnamed struct type, hence an alias
        "type s = struct{ f1 int8; f2 int8; f3 struct{}; f4 int8; f5 int16 }", """
        IN 0: R{ I0 } spilloffset: 0 typ: int8
        IN 1: R{ I1 I2 I3 I4 } spilloffset: 2 typ: struct { int8; int8; struct {}; int8; int16 }
        IN 2: R{ I5 } spilloffset: 8 typ: int64
        OUT 0: R{ I0 I1 I2 I3 } spilloffset: -1 typ: struct { int8; int8; struct {}; int8; int16 }
        OUT 1: R{ I4 } spilloffset: -1 typ: int8
        OUT 2: R{ I5 } spilloffset: -1 typ: int32
        offsetToSpillArea: 0 spillAreaSize: 16
"""),
    AbiUtilsCase(
        "TestABIUtilsStruct2", "func(s, s, fs) (fs, fs)",
        "type s = struct{ f1 int64; f2 struct{} }\n"
        "type fs = struct{ f1 float64; f2 s; f3 struct{} }", """
        IN 0: R{ I0 } spilloffset: 0 typ: struct { int64; struct {} }
        IN 1: R{ I1 } spilloffset: 16 typ: struct { int64; struct {} }
        IN 2: R{ F0 I2 } spilloffset: 32 typ: struct { float64; struct { int64; struct {} }; struct {} }
        OUT 0: R{ F0 I0 } spilloffset: -1 typ: struct { float64; struct { int64; struct {} }; struct {} }
        OUT 1: R{ F1 I1 } spilloffset: -1 typ: struct { float64; struct { int64; struct {} }; struct {} }
        offsetToSpillArea: 0 spillAreaSize: 64
"""),  # noqa: E501
    AbiUtilsCase(
        "TestABIUtilsEmptyFieldAtEndOfStruct", "func(s, [2]bool, s2, fs, fs) (fs, [2]bool, fs)",
        "type s = struct{ f1 [2]int64; f2 struct{} }\n"
        "type s2 = struct{ f1 [3]int16; f2 struct{} }\n"
        "type fs = struct{ f1 float64; f s; f3 struct{} }", """
        IN 0: R{ } offset: 0 typ: struct { [2]int64; struct {} }
        IN 1: R{ } offset: 24 typ: [2]bool
        IN 2: R{ } offset: 26 typ: struct { [3]int16; struct {} }
        IN 3: R{ } offset: 40 typ: struct { float64; struct { [2]int64; struct {} }; struct {} }
        IN 4: R{ } offset: 80 typ: struct { float64; struct { [2]int64; struct {} }; struct {} }
        OUT 0: R{ } offset: 120 typ: struct { float64; struct { [2]int64; struct {} }; struct {} }
        OUT 1: R{ } offset: 160 typ: [2]bool
        OUT 2: R{ } offset: 168 typ: struct { float64; struct { [2]int64; struct {} }; struct {} }
        offsetToSpillArea: 208 spillAreaSize: 0
"""),
    AbiUtilsCase(
        "TestABIUtilsSliceString",
        "func([]int32, int8, []int32, int8, string, int8, int64, []int32) "
        "(string, int64, string, []int32)", "", """
        IN 0: R{ I0 I1 I2 } spilloffset: 0 typ: []int32
        IN 1: R{ I3 } spilloffset: 24 typ: int8
        IN 2: R{ I4 I5 I6 } spilloffset: 32 typ: []int32
        IN 3: R{ I7 } spilloffset: 56 typ: int8
        IN 4: R{ } offset: 0 typ: string
        IN 5: R{ I8 } spilloffset: 57 typ: int8
        IN 6: R{ } offset: 16 typ: int64
        IN 7: R{ } offset: 24 typ: []int32
        OUT 0: R{ I0 I1 } spilloffset: -1 typ: string
        OUT 1: R{ I2 } spilloffset: -1 typ: int64
        OUT 2: R{ I3 I4 } spilloffset: -1 typ: string
        OUT 3: R{ I5 I6 I7 } spilloffset: -1 typ: []int32
        offsetToSpillArea: 48 spillAreaSize: 64
"""),
    # mkFuncType(s1, …): the compiler's receiver is a *value* of type s1 (three int16 words),
    # analysed as the first in-param. regabi's Signature.recv is reflect's interface-convention
    # receiver (one pointer word, ASG-9), so the harness's receiver is written as parameter 0.
    AbiUtilsCase(
        "TestABIUtilsMethod",
        "func(s1, *s1, [7]*s1, float64, int16, int16, int16) ([7]*s1, float64, int64)",
        "type s1 = struct{ f1 int16; f2 int16; f3 int16 }", """
        IN 0: R{ I0 I1 I2 } spilloffset: 0 typ: struct { int16; int16; int16 }
        IN 1: R{ I3 } spilloffset: 8 typ: *struct { int16; int16; int16 }
        IN 2: R{ } offset: 0 typ: [7]*struct { int16; int16; int16 }
        IN 3: R{ F0 } spilloffset: 16 typ: float64
        IN 4: R{ I4 } spilloffset: 24 typ: int16
        IN 5: R{ I5 } spilloffset: 26 typ: int16
        IN 6: R{ I6 } spilloffset: 28 typ: int16
        OUT 0: R{ } offset: 56 typ: [7]*struct { int16; int16; int16 }
        OUT 1: R{ F0 } spilloffset: -1 typ: float64
        OUT 2: R{ I0 } spilloffset: -1 typ: int64
        offsetToSpillArea: 112 spillAreaSize: 32
"""),
    AbiUtilsCase(
        "TestABIUtilsInterfaces",
        "func(s1, interface{}, interface{}, nei, *interface{}, nei, int16) "
        "(interface{}, nei, *interface{})",
        "type s1 = struct{ f1 int16; f2 int16; f3 bool }\n"
        "type nei = interface{ F() string }", """
        IN 0: R{ I0 I1 I2 } spilloffset: 0 typ: struct { int16; int16; bool }
        IN 1: R{ I3 I4 } spilloffset: 8 typ: interface {}
        IN 2: R{ I5 I6 } spilloffset: 24 typ: interface {}
        IN 3: R{ I7 I8 } spilloffset: 40 typ: interface { F() string }
        IN 4: R{ } offset: 0 typ: *interface {}
        IN 5: R{ } offset: 8 typ: interface { F() string }
        IN 6: R{ } offset: 24 typ: int16
        OUT 0: R{ I0 I1 } spilloffset: -1 typ: interface {}
        OUT 1: R{ I2 I3 } spilloffset: -1 typ: interface { F() string }
        OUT 2: R{ I4 } spilloffset: -1 typ: *interface {}
        offsetToSpillArea: 32 spillAreaSize: 56
"""),
    AbiUtilsCase(
        "TestABIUtilsComputePadding", "func(int32, s1, struct{}, [1]int32)",
        "type s1 = struct{ f1 int8; f2 int16; f3 struct{}; f4 int32; f5 int64 }", """
        IN 0: R{ I0 } spilloffset: 0 typ: int32
        IN 1: R{ I1 I2 I3 I4 } spilloffset: 8 typ: struct { int8; int16; struct {}; int32; int64 }
        IN 2: R{ } offset: 0 typ: struct {}
        IN 3: R{ I5 } spilloffset: 24 typ: [1]int32
        offsetToSpillArea: 0 spillAreaSize: 32
"""),
]

_LINE = re.compile(r"(IN|OUT) (\d+): R\{([^}]*)\} (spilloffset|offset): (-?\d+) typ: .*")
_TAIL = re.compile(r"offsetToSpillArea: (\d+) spillAreaSize: (\d+)")


def _parse_dump(dump: str) -> tuple[list[tuple[str, int, list[str], str, int]], tuple[int, int]]:
    rows = []
    tail = None
    for line in dump.strip().splitlines():
        line = line.strip()
        m = _LINE.fullmatch(line)
        if m:
            rows.append((m[1], int(m[2]), m[3].split(), m[4], int(m[5])))
            continue
        m = _TAIL.fullmatch(line)
        assert m, line
        tail = (int(m[1]), int(m[2]))
    assert tail is not None
    return rows, tail


def _dump_row(which: str, k: int, p: SpecParam) -> tuple[str, int, list[str], str, int]:
    """ABIParamAssignment.ToString (abiutils.go) from our SpecParam, without the type."""
    regs = [("I" if c == "int" else "F") + str(i) for c, i, *_ in p.regs]
    if regs:
        return which, k, regs, "spilloffset", -1 if p.spill is None else p.spill
    assert p.stack is not None
    return which, k, regs, "offset", p.stack


@pytest.mark.parametrize("case", ABIUTILS_CASES, ids=lambda c: c.test)
def test_abiutils(case: AbiUtilsCase) -> None:
    """abiutils_test.go: the compiler's ABIAnalyze on configAMD64 (9 int, 15 float)."""
    sig = parse_signature(case.sig, decls=case.decls)
    want_rows, want_tail = _parse_dump(case.dump)
    got: SpecLayout = spec_assign(sig, AMD64)
    got_rows = [_dump_row("IN", k, p) for k, p in enumerate(got.params)]
    got_rows += [_dump_row("OUT", k, p) for k, p in enumerate(got.results)]
    assert got_rows == want_rows, _sig_text(sig)
    assert (got.offset_to_spill_area, got.spill_area_size) == want_tail, _sig_text(sig)


# TestABINumParamRegs: nrtest(t, type, want) = configAMD64.NumParamRegs(type)
NUM_PARAM_REGS: list[tuple[str, int]] = [
    ("int8", 1), ("int16", 1), ("int32", 1), ("int64", 1), ("float32", 1), ("float64", 1),
    ("complex64", 2), ("complex128", 2),
    # s := mkstruct(i8, i8, mkstruct(), i8, i16)
    ("struct{ a int8; b int8; c struct{}; d int8; e int16 }", 4),
    # a := mkstruct(s, s, s)
    ("struct{ x, y, z struct{ a int8; b int8; c struct{}; d int8; e int16 } }", 12),
    # TestABIUtilsEmptyFieldAtEndOfStruct: mkstruct(i64, i64, mkstruct()) has 2, not 3
    ("struct{ a int64; b int64; c struct{} }", 2),
]


@pytest.mark.parametrize(("text", "want"), NUM_PARAM_REGS)
def test_abiutils_num_param_regs(text: str, want: int) -> None:
    parts = reg_parts(parse_type(text), 8)
    assert parts is not None
    assert len(parts) == want


def test_abiutils_compute_padding() -> None:
    """TestABIUtilsComputePadding: ComputePadding of param 1 (s1) is ``[1 0 0 0]``: the padding
    after each register part up to the next part (or the end of the type)."""
    s1 = parse_type("struct{ f1 int8; f2 int16; f3 struct{}; f4 int32; f5 int64 }")
    parts = reg_parts(s1, 8)
    assert parts is not None
    ends = [p.offset for p in parts[1:]] + [layout(s1, 8).size]
    padding = [e - (p.offset + p.size) for p, e in zip(parts, ends, strict=True)]
    assert padding == [1, 0, 0, 0]


# =============================================================================================
# reflect/all_test.go TestFuncLayout
#
# Every case runs with SetArgRegs(lt.intRegs, lt.floatRegs, lt.floatRegSize) = (0, 0, 0) (the
# fields are left zero), on whatever GOARCH runs the test, so the expectations are written in
# goarch.PtrSize: we check them for PtrSize 8 (amd64) and 4 (386). ``stack`` expands
# abid.stackPtrs over its n bits; ``gc`` expands the frame type's GC bitmap over
# PtrBytes/PtrSize = stackPtrs.n words (export_test.go FuncLayout); ``size`` is the frame type's
# size; ``inRegs``/``outRegs`` expand the register bitmaps over intArgRegs (= 0) bits; the
# ``ptrs`` flag is set exactly when ``stack`` is non-empty.


class FuncLayoutCase(NamedTuple):
    rcvr: str | None
    typ: str
    size: int
    argsize: int
    retoffset: int
    stack: list[int]
    gc: list[int]


def _func_layout_cases(ps: int) -> list[FuncLayoutCase]:
    def align(x: int) -> int:
        return (x + ps - 1) & ~(ps - 1)

    r = [0, 0, 0, 1] if ps == 4 else [0, 0, 1]
    decls = "type S struct {\n\ta, b uintptr\n\tc, d *byte\n}"  # TestFuncLayout's S
    return [
        FuncLayoutCase(None, "func(a, b string) string", 6 * ps, 4 * ps, 4 * ps,
                       [1, 0, 1, 0, 1], [1, 0, 1, 0, 1]),
        FuncLayoutCase(None, "func(a, b, c uint32, p *byte, d uint16)",
                       align(align(3 * 4) + ps + 2), align(3 * 4) + ps + 2,
                       align(align(3 * 4) + ps + 2), r, r),
        FuncLayoutCase(None, "func(a map[int]int, b uintptr, c any)", 4 * ps, 4 * ps, 4 * ps,
                       [1, 0, 1, 1], [1, 0, 1, 1]),
        FuncLayoutCase(None, "func(a S)\n" + decls, 4 * ps, 4 * ps, 4 * ps,
                       [0, 0, 1, 1], [0, 0, 1, 1]),
        FuncLayoutCase("*byte", "func(a uintptr, b *int)", 3 * ps, 3 * ps, 3 * ps,
                       [1, 0, 1], [1, 0, 1]),
        FuncLayoutCase(None, "func(a uintptr)", ps, ps, ps, [], []),
        FuncLayoutCase(None, "func() uintptr", ps, 0, 0, [], []),
        FuncLayoutCase("uintptr", "func(a uintptr)", 2 * ps, 2 * ps, 2 * ps, [1], [1]),
    ]


def _bits(mask: int, n: int) -> list[int]:
    return [(mask >> i) & 1 for i in range(n)]


@pytest.mark.parametrize("arch_name", ["amd64", "386"])
@pytest.mark.parametrize("k", range(8))
def test_reflect_func_layout(arch_name: str, k: int) -> None:
    arch = load_arch(arch_name).with_regs(0, 0)
    case = _func_layout_cases(arch.ptr_size)[k]
    text, _, decls = case.typ.partition("\n")
    sig = parse_signature(text, recv=case.rcvr, decls=decls)
    d: AbiDesc = reflect_assign(sig, arch, CURRENT)
    stack = _bits(d.stack_ptrs, d.stack_ptrs_n)
    gc = _bits(d.stack_ptrs, d.stack_ptrs_n)  # frame type: ptrdata = stackPtrs.n * PtrSize
    got = (d.frame_type_size, d.stack_call_args_size, d.ret_offset, stack, gc)
    assert got == (case.size, case.argsize, case.retoffset, case.stack, case.gc), _sig_text(sig)
    assert d.in_reg_ptrs is not None
    assert _bits(d.in_reg_ptrs, arch.n_int) == [] and _bits(d.out_reg_ptrs, arch.n_int) == []
    assert (len(stack) > 0) == (d.stack_ptrs_n > 0)


# =============================================================================================
# reflect/abi_test.go
#
# TestReflectCallABI calls each passX through reflect.Value.Call, TestReflectMakeFuncCallABI
# calls a reflect.MakeFunc of each callArgsX's parameter type from compiled code, and
# TestMethodValueCallABI calls method values — all with SetArgRegs(abi.IntArgRegs,
# abi.FloatArgRegs, abi.EffectiveFloatRegSize), i.e. amd64's 9/15/8. They pass in Go 1.27.3 only if
# reflect places every value where the compiler does, so the fact is: current reflect and the spec
# agree on every value (INV-ASSIGN-AGREE) and the register pointer bitmaps are right
# (INV-BITMAP-REGS). Declarations copied from abi_test.go.

ABI_TEST_DECLS = """
type MagicLastTypeNameForTestingRegisterABI struct{}
type StructWithMethods struct {
	Value int
}
type StructFewRegs struct {
	a0, a1, a2, a3 int
	f0, f1, f2, f3 float64
}
type StructFillRegs struct {
	a0, a1, a2, a3, a4, a5, a6, a7, a8                              int
	f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14 float64
}
type Struct1 struct {
	A, B, C uint
}
type Struct2 struct {
	A, B, C uint
	D       [2]uint32
}
type Struct3 struct {
	A, B, C uint
	D       [2]uint32
}
type Struct4 struct {
	A, B int8
	C, D uint8
	E    bool
}
type Struct5 struct {
	A             uint16
	B             int16
	C, D          uint32
	E             int32
	F, G, H, I, J float32
}
type Struct6 struct {
	Struct1
}
type Struct7 struct {
	Struct1
	Struct2
}
type Struct8 struct {
	Struct5
	Struct1
}
type Struct9 struct {
	Struct1
	Struct7
}
type Struct10 struct {
	Struct5
	Struct8
}
type Struct11 struct {
	X map[string]int
}
type Struct12 struct {
	A int
	Struct11
}
type Struct13 struct {
	A int
	X struct{}
	B int
}
type Struct14 struct {
	A uintptr
	X [3]struct{}
	B float64
}
type Struct15 struct {
	A uintptr
	X struct {
		Y [3]struct{}
	}
	B float64
}
"""

# abiCallTestCases: the passX functions (bodies dropped: a Go declaration without a body).
ABI_CALL_FUNCS = """
func passNone()
func passInt(a int) int
func passInt8(a int8) int8
func passInt16(a int16) int16
func passInt32(a int32) int32
func passInt64(a int64) int64
func passUint(a uint) uint
func passUint8(a uint8) uint8
func passUint16(a uint16) uint16
func passUint32(a uint32) uint32
func passUint64(a uint64) uint64
func passFloat32(a float32) float32
func passFloat64(a float64) float64
func passComplex64(a complex64) complex64
func passComplex128(a complex128) complex128
func passManyInt(a, b, c, d, e, f, g, h, i, j int) (int, int, int, int, int, int, int, int, int, int)
func passManyFloat64(a, b, c, d, e, f, g, h, i, j, l, m, n, o, p, q, r, s, t float64) (float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64, float64)
func passArray1(a [1]uint32) [1]uint32
func passArray(a [2]uintptr) [2]uintptr
func passArray1Mix(a int, b [1]uint32, c float64) (int, [1]uint32, float64)
func passString(a string) string
func passSlice(a []byte) []byte
func passPointer(a *byte) *byte
func passStruct1(a Struct1) Struct1
func passStruct2(a Struct2) Struct2
func passStruct3(a Struct3) Struct3
func passStruct4(a Struct4) Struct4
func passStruct5(a Struct5) Struct5
func passStruct6(a Struct6) Struct6
func passStruct7(a Struct7) Struct7
func passStruct8(a Struct8) Struct8
func passStruct9(a Struct9) Struct9
func passStruct10(a Struct10) Struct10
func passStruct11(a Struct11) Struct11
func passStruct12(a Struct12) Struct12
func passStruct13(a Struct13) Struct13
func passStruct14(a Struct14) Struct14
func passStruct15(a Struct15) Struct15
func pass2Struct1(a, b Struct1) (x, y Struct1)
func passEmptyStruct(a int, b struct{}, c float64) (int, struct{}, float64)
func passStruct10AndSmall(a Struct10, b byte, c uint) (Struct10, byte, uint)
func (m *StructWithMethods) AllRegsCall(s StructFewRegs, _ MagicLastTypeNameForTestingRegisterABI) StructFewRegs
func (m *StructWithMethods) RegsAndStackCall(s StructFewRegs, a [4]uint64, _ MagicLastTypeNameForTestingRegisterABI) (StructFewRegs, [4]uint64)
func (m *StructWithMethods) SpillStructCall(s StructFillRegs, _ MagicLastTypeNameForTestingRegisterABI) StructFillRegs
func (m *StructWithMethods) ValueRegMethodSpillInt(s StructFillRegs, i int, _ MagicLastTypeNameForTestingRegisterABI) (StructFillRegs, int)
func (m *StructWithMethods) ValueRegMethodSpillPtr(s StructFillRegs, i *byte, _ MagicLastTypeNameForTestingRegisterABI) (StructFillRegs, *byte)
"""  # noqa: E501

# abiMakeFuncTestCases: the MakeFunc'ed type is callArgsX's first parameter,
# func(T..., MagicLastTypeNameForTestingRegisterABI) (T...).
_M = "MagicLastTypeNameForTestingRegisterABI"
_ONE = ["int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "complex64", "complex128", "[1]uint32", "[2]uintptr", "string",
        "[]byte", "*byte", *[f"Struct{i}" for i in range(1, 16)]]
MAKEFUNC_TYPES: list[str] = [
    f"func({_M})",
    *[f"func({t}, {_M}) {t}" for t in _ONE],
    f"func(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9 int, x {_M}) "
    "(r0, r1, r2, r3, r4, r5, r6, r7, r8, r9 int)",
    "func(" + ", ".join(f"a{i}" for i in range(19)) + f" float64, x {_M}) ("
    + ", ".join(f"r{i}" for i in range(19)) + " float64)",
    f"func(int, [1]uint32, float64, {_M}) (int, [1]uint32, float64)",
    f"func(Struct1, Struct1, {_M}) (Struct1, Struct1)",
    f"func(int, struct{{}}, float64, {_M}) (int, struct{{}}, float64)",
    # t.Run("OnlyPointerInRegisterGC"): var f func(b *uint64, _ Magic…) *uint64
    f"func(b *uint64, _ {_M}) *uint64",
]


def _abi_test_sigs() -> list[tuple[str, Signature]]:
    decls = parse_file("package reflect_test\n" + ABI_TEST_DECLS + ABI_CALL_FUNCS)
    out = [(f.name, f.sig) for f in decls]
    # A method *value* (TestMethodValueCallABI) has the method's type without the receiver.
    out += [(f.name + " (method value)", Signature(f.sig.params, f.sig.results))
            for f in decls if f.sig.recv is not None]
    out += [(t, parse_signature(t, decls=ABI_TEST_DECLS)) for t in MAKEFUNC_TYPES]
    return out


ABI_TEST_SIGS = _abi_test_sigs()


@pytest.mark.parametrize(("name", "sig"), ABI_TEST_SIGS, ids=[n for n, _ in ABI_TEST_SIGS])
def test_reflect_abi_test_agreement(name: str, sig: Signature) -> None:
    bad = [v.line() for v in check_all(sig, AMD64, CURRENT)
           if v.invariant in ("INV-ASSIGN-AGREE", "INV-BITMAP-REGS", "INV-STACK-LAYOUT",
                              "INV-REG-BOUNDS", "INV-FRAME-SUFFICIENT")]
    assert not bad, f"{name}: {_sig_text(sig)}: {bad}"


def test_abi_test_go_counts() -> None:
    """abiCallTestCases has 41 functions, abiMakeFuncTestCases 40 (+ OnlyPointerInRegisterGC),
    TestMethodValueCallABI 5 methods."""
    assert sum(1 for n, _ in ABI_TEST_SIGS if n.startswith("pass")) == 41
    assert len(MAKEFUNC_TYPES) == 41
    assert sum(1 for n, _ in ABI_TEST_SIGS if n.endswith("(method value)")) == 5


_BY_NAME = dict(ABI_TEST_SIGS)


def _where(steps: tuple) -> str:
    return "stack" if steps and steps[0].kind == "stack" else "regs"


@pytest.mark.parametrize(("name", "arg", "want"), [
    # "Struct2 is Struct1 but with an array-typed field that will force it to get passed on the
    # stack." / "Struct3 … should act identically to Struct2."
    ("passStruct2", 0, "stack"), ("passStruct3", 0, "stack"),
    # "Struct7 is a struct with a nested array-typed field that cannot be passed in registers"
    ("passStruct7", 0, "stack"),
    # "Struct8 is large aggregate struct type that may be passed in registers."
    ("passStruct8", 0, "regs"),
    # "Struct9 is a type that has an array type nested 2 layers deep, and as a result needs to be
    # passed on the stack."
    ("passStruct9", 0, "stack"),
    # "Struct10 is a struct type that is too large to be passed in registers."
    ("passStruct10", 0, "stack"),
    # passStruct10AndSmall: "forces a large argument to the stack followed by more in-register
    # arguments."
    ("passStruct10AndSmall", 0, "stack"), ("passStruct10AndSmall", 1, "regs"),
    ("passStruct10AndSmall", 2, "regs"),
    # ValueRegMethodSpillInt/Ptr: "When called as a method value, i is passed on the stack. When
    # called as a method, i is passed in a register." (receiver is value 0 of a method)
    ("(*StructWithMethods).ValueRegMethodSpillInt (method value)", 1, "stack"),
    ("(*StructWithMethods).ValueRegMethodSpillInt", 2, "regs"),
    ("(*StructWithMethods).ValueRegMethodSpillPtr (method value)", 1, "stack"),
    ("(*StructWithMethods).ValueRegMethodSpillPtr", 2, "regs"),
])
def test_reflect_abi_test_comments(name: str, arg: int, want: str) -> None:
    sig = _BY_NAME[name]
    d = reflect_assign(sig, AMD64, CURRENT)
    assert _where(d.call.steps_for(arg)) == want, _sig_text(sig)
    p = spec_assign(sig, AMD64).params[arg]
    assert ("regs" if p.regs else "stack") == want, _sig_text(sig)


def test_reflect_abi_test_struct4_whole_registers() -> None:
    """abi_test.go: "Struct4 has byte-length fields that should each use up a whole
    registers." (5 fields, 5 integer registers)."""
    d = reflect_assign(_BY_NAME["passStruct4"], AMD64, CURRENT)
    steps = d.call.steps_for(0)
    assert [s.ireg for s in steps] == [0, 1, 2, 3, 4]
    assert [s.size for s in steps] == [1] * 5


# =============================================================================================
# The seed (go e0215315, dev.regabi, ../shared/seed/go-e0215315-reflect-regabi-amd64.patch)
#
# Expectations derived by hand from the seed's reflect/abi.go (addArg, regAssign, assignIntN,
# assignFloatN, stackAssign, newAbiDesc) and reflect/type.go funcLayout / value.go Value.call,
# with abi.IntArgRegs = 9, abi.FloatArgRegs = 15, abi.EffectiveFloatRegSize = 8 (amd64 under
# GOEXPERIMENT=regabi). Each case also states what current reflect does, to show the delta.


class SeedCase(NamedTuple):
    delta: str
    sig: str
    # (value index, "stack", stkoff) or (value index, "int"/"float", register index) for params
    seed_args: list[tuple[int, str, int]]
    current_args: list[tuple[int, str, int]]
    # (stack_call_args_size, ret_offset, spill, frame_type_size) for seed and current
    seed_sizes: tuple[int, int, int, int]
    current_sizes: tuple[int, int, int, int]
    #: non-empty: the model disagrees with this hand-derived vector (reported, not "fixed")
    model_bug: str = ""


SEED_CASES: list[SeedCase] = [
    # S1 (VAR-1). addArg(a): pStart=0; regAssign(struct, 0): t.size=24≠0; field x int:
    #   assignIntN(0, 8, 1, 0): iregs 0+1 <= 9 -> step{IntReg, ireg 0}, iregs=1; field y [2]int:
    #   Array len 2 -> false. addArg: a.steps = a.steps[:0] (iregs stays 1!);
    #   stackAssign(24, 8): stackBytes 0 -> stkOff 0, stackBytes=24.
    # addArg(b int): assignIntN: iregs 1+1 <= 9 -> ireg 1 (RBX), iregs=2.
    # newAbiDesc: a stack (no spill); b reg: spillInt += (2-1)*8 = 8 -> spill = align(8, 8) = 8.
    # stackCallArgsSize = 24, retOffset = align(24, 8) = 24; no results: frametype size 24.
    # Current: addArg restores `*a = aOld`, so b gets ireg 0; spill = align(0,8)+8 = 8.
    SeedCase("rollback_regs", "func(a struct{ x int; y [2]int }, b int)",
             [(0, "stack", 0), (1, "int", 1)], [(0, "stack", 0), (1, "int", 0)],
             (24, 24, 8, 24), (24, 24, 8, 24)),
    # S2 (VAR-1, floats). regAssign(struct): f float64: assignFloatN(0, 8, 1): fregs 0+1 <= 15,
    #   8 <= EffectiveFloatRegSize -> freg 0, fregs=1; y [2]float64 -> false; steps cut, fregs
    #   stays 1; stackAssign(24, 8) -> stkOff 0. g: assignFloatN -> freg 1.
    # spill: g: spillFloat += 1*8 -> spill 8. Current: g gets freg 0.
    SeedCase("rollback_regs", "func(a struct{ f float64; y [2]float64 }, g float64)",
             [(0, "stack", 0), (1, "float", 1)], [(0, "stack", 0), (1, "float", 0)],
             (24, 24, 8, 24), (24, 24, 8, 24)),
    # S3 (VAR-1, cascading to the stack). Eight ints: iregs 0..7 -> ireg 0..7, iregs=8,
    #   spillInt = 64. addArg(s struct{a int; t string}): a: assignIntN(…,1): 8+1 <= 9 -> ireg 8,
    #   iregs=9; t: assignIntN(…, 2): 9+2 > 9 -> false; steps cut, iregs stays 9;
    #   stackAssign(24, 8) -> stkOff 0, stackBytes 24. addArg(z int): assignIntN 9+1 > 9 -> false;
    #   stackAssign(8, 8) -> stkOff 24, stackBytes 32. spill = align(64, 8) = 64.
    #   stackCallArgsSize 32, retOffset 32, frametype size 32.
    # Current: iregs restored to 8, so z -> ireg 8 (R11); stack args 24; spill 8*8 + 8 = 72.
    SeedCase("rollback_regs",
             "func(i0, i1, i2, i3, i4, i5, i6, i7 int, s struct{ a int; t string }, z int)",
             [(7, "int", 7), (8, "stack", 0), (9, "stack", 24)],
             [(7, "int", 7), (8, "stack", 0), (9, "int", 8)],
             (32, 32, 64, 32), (24, 24, 72, 24)),
    # S4 (VAR-2). addArg(a [2]int8): regAssign Array len 2 -> false; stackAssign(2, 1) -> 0,
    #   stackBytes 2. addArg(b [0]int64): regAssign Array len 0 -> true, no steps, stackBytes
    #   untouched (2). addArg(c [2]int8): false; stackAssign(2, 1) -> stkOff 2, stackBytes 4.
    #   stackCallArgsSize 4, retOffset align(4, 8) = 8, spill 0, frametype size 8.
    # Current: addArg(b): t.Size() == 0 -> stackBytes = align(2, 8) = 8; c at 8; args 10,
    #   retOffset 16.
    SeedCase("zero_size_aligns_stack", "func(a [2]int8, b [0]int64, c [2]int8)",
             [(0, "stack", 0), (2, "stack", 2)], [(0, "stack", 0), (2, "stack", 8)],
             (4, 8, 0, 8), (10, 16, 0, 16)),
    # S5 (VAR-2, results). No args: retOffset 0, out.stackBytes = 0. addArg(a [2]int8) -> stack
    #   stkOff 0, stackBytes 2; addArg(z [0]int64) -> true, nothing; addArg(b [2]int8) -> stkOff
    #   2, stackBytes 4; out.stackBytes -= 0. funcLayout: size = align(0 + 4, 8) = 8.
    # Current: z aligns to 8, b at 8, out.stackBytes 10 -> frametype size 16.
    SeedCase("zero_size_aligns_stack", "func() (a [2]int8, z [0]int64, b [2]int8)",
             [], [], (0, 0, 0, 8), (0, 0, 0, 16)),
    # S6 (VAR-3). regAssign(struct{a int; z [2]struct{}}): t.size = 16 ≠ 0 (8 + trailing pad);
    #   field a: assignIntN -> ireg 0; field z: f.typ.Size() == 0 -> continue. true.
    #   spillInt += 8 -> spill 8; no stack: stackCallArgsSize 0, retOffset 0, frametype size 0.
    # Current: regAssign visits z: Array len 2 -> false -> stack at 0, size 16; spill 0.
    SeedCase("visit_zero_fields", "func(s struct{ a int; z [2]struct{} })",
             [(0, "int", 0)], [(0, "stack", 0)], (0, 0, 8, 0), (16, 16, 0, 16)),
    # S7 (VAR-4). a, b int8 each take one register: spillInt = 8 + 8 = 16, spill = 16.
    # Current: spill = align(0,1)+1 = 1; align(1,1)+1 = 2; align(2, 8) = 8.
    SeedCase("spill_by_type", "func(a, b int8)",
             [(0, "int", 0), (1, "int", 1)], [(0, "int", 0), (1, "int", 1)],
             (0, 0, 16, 0), (0, 0, 8, 0)),
    # S8 (VAR-4, floats). Three float32 in F0..F2: spillFloat = 3 * EffectiveFloatRegSize = 24.
    # Current: 4 + 4 + 4 = 12 -> align(12, 8) = 16.
    SeedCase("spill_by_type", "func(a, b, c float32)",
             [(0, "float", 0), (2, "float", 2)], [(0, "float", 0), (2, "float", 2)],
             (0, 0, 24, 0), (0, 0, 16, 0)),
]


def _arg_places(d: AbiDesc, idx: list[tuple[int, str, int]]) -> list[tuple[int, str, int]]:
    out = []
    for i, _, _ in idx:
        st = d.call.steps_for(i)
        s0 = st[0]
        if s0.kind == "stack":
            out.append((i, "stack", s0.stkoff))
        elif s0.kind == "float":
            out.append((i, "float", s0.freg))
        else:
            out.append((i, "int", s0.ireg))
    return out


@pytest.mark.parametrize("case", [
    pytest.param(c, id=f"{c.delta}:{c.sig}",
                 marks=[pytest.mark.xfail(strict=True, reason=c.model_bug)] if c.model_bug else [])
    for c in SEED_CASES
])
def test_seed_vectors(case: SeedCase) -> None:
    sig = parse_signature(case.sig)
    seed = reflect_assign(sig, AMD64, SEED)
    cur = reflect_assign(sig, AMD64, CURRENT)
    assert _arg_places(seed, case.seed_args) == case.seed_args, _sig_text(sig)
    assert _arg_places(cur, case.current_args) == case.current_args, _sig_text(sig)
    sizes = (seed.stack_call_args_size, seed.ret_offset, seed.spill, seed.frame_type_size)
    assert sizes == case.seed_sizes, _sig_text(sig)
    sizes = (cur.stack_call_args_size, cur.ret_offset, cur.spill, cur.frame_type_size)
    assert sizes == case.current_sizes, _sig_text(sig)
    # value.go Value.call: frameSize = align(frametype.size, ptrSize) + abi.spill (both versions)
    assert seed.frame_size == case.seed_sizes[3] + case.seed_sizes[2]
    assert seed != cur


def test_seed_result_offsets_zero_size() -> None:
    """S5 above, the result steps: seed puts b at 2, current at 8 (derivation in S5)."""
    sig = parse_signature("func() (a [2]int8, z [0]int64, b [2]int8)")
    seed = reflect_assign(sig, AMD64, SEED)
    cur = reflect_assign(sig, AMD64, CURRENT)
    assert [s.stkoff for s in seed.ret.steps_for(2)] == [2]
    assert [s.stkoff for s in cur.ret.steps_for(2)] == [8]
    assert seed.ret.steps_for(1) == () and cur.ret.steps_for(1) == ()


def test_seed_no_in_reg_ptrs() -> None:
    """VAR-5. The seed's abiDesc has only outRegPtrs (no inRegPtrs field); current newAbiDesc
    sets inRegPtrs bit st.ireg for each abiStepPointer step of a register-assigned arg:
    func(p *int, n int): p -> ireg 0 (pointer), n -> ireg 1: inRegPtrs = 0b01. Both: the result
    *int is a pointer in ireg 0: outRegPtrs = 0b1."""
    sig = parse_signature("func(p *int, n int) *int")
    seed = reflect_assign(sig, AMD64, SEED)
    cur = reflect_assign(sig, AMD64, CURRENT)
    assert seed.in_reg_ptrs is None and cur.in_reg_ptrs == 0b01
    assert seed.out_reg_ptrs == cur.out_reg_ptrs == 0b1


def test_seed_rcvr_stack_bitmap() -> None:
    """Seed newAbiDesc with a receiver on a 0-register arch: addRcvr -> assignIntN fails ->
    stackAssign(ptrSize, ptrSize) at 0 and isPtr (ifaceIndir(uintptr) is true) ->
    stackPtrs.append(1). Then a uintptr at 8: addTypeBits adds nothing. Matches TestFuncLayout's
    last case, which is what pre-regabi funcLayout also produced."""
    sig = parse_signature("func(a uintptr)", recv="uintptr")
    arch = AMD64.with_regs(0, 0)
    seed = reflect_assign(sig, arch, SEED)
    assert (seed.stack_ptrs, seed.stack_ptrs_n) == (0b1, 1)
    assert (seed.stack_call_args_size, seed.ret_offset, seed.frame_type_size) == (16, 16, 16)


def test_seed_cases_count() -> None:
    assert len(SEED_CASES) >= 6
    assert {c.delta for c in SEED_CASES} >= {"rollback_regs", "zero_size_aligns_stack",
                                            "visit_zero_fields", "spill_by_type"}
