"""The compiled call path (model/callmachine.py, model/gcrt.py) against the rules of spec/call.md.

Expected values are derived by hand from the Go sources cited in each test (go1.27.3 GOROOT and
the seed patch), never copied from the model's output."""

from __future__ import annotations

import re

import pytest

from regabi.errors import InputError
from regabi.model.callmachine import (
    build_program,
    classify,
    count_holding_modes,
    holding_modes,
    leaves,
    machine_arch,
)
from regabi.model.gcrt import RUNTIME_VARIANTS, callN_args_map
from regabi.model.syntax import parse_signature, parse_type
from regabi.model.variants import CURRENT, SEED


def _sp(p):
    return [x for x in p.points if x.sp]


def test_no_safepoints_in_assembly_or_nosplit() -> None:
    """CALL-1 / GC-7: reflectcall (NOSPLIT), callN's body, spillArgs/unspillArgs, callRet and
    reflectcallmove (//go:nosplit, mbarrier.go:248) have none; callN has exactly one, its
    prologue (CALLFN is `WRAPPER, $MAXSIZE-48`, not NOSPLIT: asm_amd64.s:761)."""
    p = build_program(parse_signature("func(s string, x [2]*int) (*int, string)"), "current")
    for x in p.points:
        if x.where in ("reflectcall", "reflectcallmove"):
            assert not x.sp, x
    calln = [x for x in p.points if re.fullmatch(r"call\d+", x.where)]
    assert [x.sp for x in calln if x.sp] == ["prologue"]
    assert calln[0].sp == "prologue"


def test_value_call_only_synchronous() -> None:
    """runtime/preempt.go:465: no async preemption in reflect.*: every safepoint of Value.call
    is a call site (funcLayout, unsafe_New, assignTo, typedmemmove, intToReg, make, …)."""
    p = build_program(parse_signature("func(a int, s string, x [3]string) (int, string)"),
                      "current")
    vc = [x for x in _sp(p) if x.where == "Value.call"]
    assert vc and all(x.sp == "call" and x.move for x in vc)
    assert all("Value.call [precise]" in x.frames for x in vc)


def test_async_only_in_callee_conservative_no_move() -> None:
    """mgcmark.go:1079-1130: the asyncPreempt frame and the interrupted frame are conservative,
    frames above precise; stack.go:1245 isShrinkStackSafe: never copied at an async point."""
    p = build_program(parse_signature("func(p *int, s string) *int"), "current")
    asy = [x for x in _sp(p) if x.sp == "async"]
    assert asy and {x.where for x in asy} == {"callee"}
    for x in asy:
        assert not x.move
        assert x.frames.startswith("asyncPreempt [conservative")
        assert "callee [conservative]" in x.frames
        assert "call32 [precise]" in x.frames and "Value.call [precise]" in x.frames


def test_seed_value_call_has_no_intToReg_call() -> None:
    """seed value.go:510 marshals integers with memmove (assembly: no safepoint); go1.27.3
    calls intToReg (abi.go:480, not inlined): one more synchronous safepoint per int step.
    func(a int): seed call sites funcLayout, assignTo = 2; current + intToReg = 3."""
    sig = parse_signature("func(a int)")
    count = {v: sum(1 for x in _sp(build_program(sig, v)) if x.where == "Value.call")
             for v in ("seed", "current")}
    assert count == {"seed": 2, "current": 3}


def test_calln_args_map() -> None:
    """stubs.go: 7 args (typ, fn, stackArgs *, 3 × uint32, regArgs *): on 64-bit words 0,1,2 are
    pointers, bytes 24..35 the uint32s (+4 padding), regArgs at 40 = word 5 → 0b100111.
    On 32-bit: 0,4,8 pointers, 12..23 uint32s, regArgs at 24 = word 6 → 0b1000111.
    The seed's callNN declaration has 5 args (typ, fn, arg, n, retoffset): regArgs not mapped."""
    cur, seed = RUNTIME_VARIANTS["current"], RUNTIME_VARIANTS["seed"]
    assert callN_args_map(cur, 8) == (0b100111, 40)
    assert callN_args_map(cur, 4) == (0b1000111, 24)
    assert callN_args_map(seed, 8) == (0b000111, 40)


def test_seed_stack_copy_leaves_regargs_stale() -> None:
    """GC-6: at callN's prologue a stack copy adjusts only mapped words; with the seed's map the
    word regArgs+40(FP) keeps the old address (commit bc489dd6d5's message: "regArgs … will
    still point to the old stack"); with go1.17beta1+ it is adjusted."""
    sig = parse_signature("func(p *int) *int")
    for var, stale in (("seed", ["callN.args+40"]), ("current", [])):
        p = build_program(sig, var)
        pro = next(x for x in p.points if x.sp == "prologue")
        assert p.holder_names(pro.stale_move) == stale
        uses = [x for x in p.points if x.stack_uses]
        # unspillArgs, spillArgs, reflectcallmove's regs: three accesses through the word
        assert len(uses) == 3


def test_scanning_windows() -> None:
    """The seed's indirectly held string data pointer sits only in regArgs.Ints after the loop.
    At callN's prologue Value.call is precise (Ints are not pointer-typed): not reached in the
    seed, reached in current (Ptrs, VAR-7). At the callee's first async point the registers
    are scanned conservatively (asyncPreempt frame): reached in both."""
    sig = parse_signature("func(s string)")
    for var, at_calln in (("seed", False), ("current", True)):
        p = build_program(sig, var, holding=(True,))
        pro = next(x for x in p.points if x.sp == "prologue")
        assert ("a0.ref0" in p.obj_names(pro.reach)) is at_calln
        asy = next(x for x in p.points if x.sp == "async")
        assert "a0.ref0" in p.obj_names(asy.reach)
        assert "asyncPreempt:AX" in asy.gc_sees


def test_receiver_ptrs() -> None:
    """VAR-8: a pointer receiver is reachable at callN's prologue only in current."""
    sig = parse_signature("func()", recv="*int")
    for var, want in (("current", True), ("seed", False)):
        p = build_program(sig, var)
        pro = next(x for x in p.points if x.sp == "prologue")
        assert ("rcvr.ref0" in p.obj_names(pro.reach)) is want


def test_ret_kind() -> None:
    """VAR-9: seed gives a pointer register result the func's kind."""
    sig = parse_signature("func() *int")
    assert any("Kind() reflect.Func, expected reflect.Pointer" in m
               for x in build_program(sig, "seed").points for _, m in x.static)
    assert not any(x.static for x in build_program(sig, "current").points)


def test_morestack_spill_covers_args() -> None:
    """GC-4: at the callee's prologue the spill slots are described by its args map."""
    for var in ("seed", "current"):
        p = build_program(parse_signature("func(p *int, s string)"), var, holding=(False, True))
        pro = [x for x in p.points if x.sp == "prologue"][1]
        assert pro.where == "callee"
        assert "a0.ref0" in p.obj_names(pro.reach)
        assert "callee.spill[0]" in pro.gc_sees


def test_frame_overflow_contract_vs_class() -> None:
    """CALL-9 / item 10: seed reserves 8 bytes of spill for struct{a int8; z [0]int64} (one int
    register × PtrSize), the callee spills its 16-byte value: beyond frameSize 8 (contract), but
    DISPATCH chose call16 (16 ≥ 8), whose 16-byte frame absorbs it."""
    sig = parse_signature("func(s struct{a int8; z [0]int64}) int")
    pro = [x for x in build_program(sig, "seed").points if x.sp == "prologue"][1]
    (inv, msg), = pro.ms_static
    assert inv == "INV-GC-FRAME"
    assert "frameSize 8" in msg and "absorbed by call16's 16-byte frame" in msg
    pro = [x for x in build_program(sig, "current").points if x.sp == "prologue"][1]
    assert not pro.ms_static


def test_holding_modes_linear() -> None:
    """CALL-3: 2^n modes for n pointer-shaped args; beyond the limit, 2n + 2 distinct ones."""
    sig = parse_signature("func(p *int, s string, q *byte)")
    modes = holding_modes(sig, CURRENT)
    assert len(modes) == 4 and all(m[1] for m in modes)
    assert holding_modes(parse_signature("func(s struct{p *int})"), SEED)[0] == (False,)
    big = parse_signature("func(" + ", ".join(f"p{i} *int" for i in range(40)) + ")")
    m = holding_modes(big, CURRENT)
    assert len(m) == 82 and len(set(m)) == 82
    assert count_holding_modes(big, CURRENT) == 2 ** 40


def test_values_self_describing() -> None:
    lv = leaves(parse_type("struct{a int8; s string; e any}"))
    assert [x.what for x in lv] == ["data", "ptr", "data", "type", "ptr"]
    assert [x.size for x in leaves(parse_type("string"), ps=4)] == [4, 4]
    assert classify([0] * 8) == ("nil",)
    assert classify([("P", 3, 0, i) for i in range(8)]) == ("heap", 3, 0)
    assert classify([("D", "a0", i) for i in range(8)]) == ("data",)


def test_archs_refused_or_zero_register() -> None:
    """Only modelled architectures; a release before an arch's register ABI (arm64: go1.18)
    runs it with zero registers; 386/arm are zero-register configurations with PtrSize 4."""
    with pytest.raises(InputError):
        machine_arch("amd64-abi0", "current")
    a = machine_arch("arm64", "seed")
    assert a.n_int == 0 and "no regabi in seed" in a.name
    assert machine_arch("arm64", "current").n_int == 16
    for name in ("386", "arm"):
        a = machine_arch(name, "current")
        assert a.ptr_size == 4 and a.n_int == 0


def test_big_endian_subword_placement() -> None:
    """internal/abi/abi.go:78-81 IntRegArgAddr: on big-endian a 1-byte value lives at offset
    8 - 1 = 7 of its 8-byte Ints slot; on little-endian at 0."""
    sig = parse_signature("func(a int8)")
    for arch, suffix in (("ppc64", "regArgs.Ints[0]+7"), ("ppc64le", "regArgs.Ints[0]")):
        p = build_program(sig, "current", arch)
        lab = next(x.label for x in p.points if "bytes 0..1" in x.label)
        assert lab.endswith(suffix), lab


def test_float32_register_format_mutant(monkeypatch) -> None:
    """riscv64 NaN-boxes float32 (float32reg_riscv64.s:13-25); a reflect that stored it like
    float32reg_generic.go (zero-extended) delivers a non-boxed value: INV-GC-VALUE fires."""
    from regabi.model import callmachine
    from regabi.proofs.explore import explore

    sig = parse_signature("func(f float32) float32")
    assert all(v.status == "HOLDS" for v in explore(sig, "current", "riscv64"))
    monkeypatch.setitem(callmachine._F32_REFLECT, "riscv64", "low32")
    vs = {v.invariant: v for v in explore(sig, "current", "riscv64")}
    assert vs["INV-GC-VALUE"].status == "VIOLATED"
    assert "not-nanboxed" in vs["INV-GC-VALUE"].line


def test_frame_overflow_past_the_class() -> None:
    """Item 10, the other side: two such structs — seed spill 2 regs × 8 = 16, frametype 0, so
    frameSize 16 and DISPATCH picks call16 (16 ≥ 16); the callee spills 2 × 16 bytes, param 1 at
    SP+16..32, past call16's 16-byte frame: real memory corruption, reported as such."""
    sig = parse_signature("func(s, t struct{a int8; z [0]int64})")
    pro = [x for x in build_program(sig, "seed", holding=(True, True)).points
           if x.sp == "prologue"][1]
    (inv, msg), = pro.ms_static
    assert inv == "INV-GC-FRAME" and "SP+16..32" in msg
    assert "past call16's 16-byte frame" in msg


def test_runtime_ladder() -> None:
    """model/gcrt.py against /work/research/ladder.md: callNN's 7-argument declaration from
    go1.17beta1 (bc489dd6d5), intToReg from go1.18 (b17/g17:512 still memmove), register ABI on
    arm64/ppc64x from go1.18, riscv64 go1.19, loong64 go1.22, s390x go1.26."""
    r = RUNTIME_VARIANTS
    assert [r[n].calln_decl_args for n in ("seed", "go1.17beta1", "go1.19", "current")] == \
        [5, 7, 7, 7]
    assert [r[n].int_to_reg_call for n in ("go1.17beta1", "go1.17", "go1.18")] == \
        [False, False, True]
    assert r["go1.17"].regabi_arches == ("amd64",)
    assert "riscv64" not in r["go1.18"].regabi_arches
    assert "riscv64" in r["go1.19"].regabi_arches and "loong64" not in r["go1.19"].regabi_arches
    assert set(r["current"].regabi_arches) == {"amd64", "arm64", "ppc64", "ppc64le", "riscv64",
                                                "loong64", "s390x"}


def test_builders_refuse_bad_arguments_alike() -> None:
    """The four program builders (Value.call, MakeFunc/method values, finalizers, Windows
    callbacks) refuse an unknown results mode and an unknown mutant with the same one-line
    InputError (check_build_args); the known mutants are each builder's own."""
    from regabi.model.finmachine import build_fin_program
    from regabi.model.mfmachine import build_path_program
    from regabi.model.wcmachine import build_wc_program

    sig = parse_signature("func(p *int) uintptr")
    with pytest.raises(InputError, match=r"^results mode 'both' \(known: fresh, args\)$"):
        build_program(sig, "current", results="both")
    for build, path, known in ((build_path_program, "makefunc", "skip-reg, early-retvalid, "
                                "no-stackobj, no-keepalive-regs"),
                               (build_fin_program, "finalizer", "early-clear, scan-frame"),
                               (build_wc_program, "wincallback", "no-keeper")):
        with pytest.raises(InputError, match=r"^results mode 'both' \(known: fresh, args\)$"):
            build(path, sig, "current", results="both")
        with pytest.raises(InputError, match=rf"^unknown mutant\(s\) a, z \(known: {known}\)$"):
            build(path, sig, "current", mutants=frozenset({"z", "a"}))
