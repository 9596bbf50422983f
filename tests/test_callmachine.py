"""The compiled call path (model/callmachine.py): structure and rules of spec/call.md."""

from __future__ import annotations

from regabi.model.callmachine import (
    build_program,
    classify,
    holding_modes,
    leaves,
)
from regabi.model.syntax import parse_signature, parse_type
from regabi.model.variants import CURRENT, SEED


def _sp(p):
    return [(x.where, x.sp) for x in p.points if x.sp]


def test_no_safepoints_in_assembly_or_nosplit() -> None:
    """CALL-1: reflectcall, callN, spillArgs/unspillArgs, callRet, reflectcallmove have none."""
    p = build_program(parse_signature("func(s string, x [2]*int) (*int, string)"), "current")
    for x in p.points:
        if x.where.startswith(("reflectcall", "call", "callRet", "reflectcallmove")) \
                and x.where not in ("callee", "caller"):
            assert not x.sp, x


def test_safepoint_kinds() -> None:
    p = build_program(parse_signature("func(s string) *int"), "current")
    kinds = {k for _, k in _sp(p)}
    assert {"call", "alloc", "async", "prologue", "body"} <= kinds
    assert [x.where for x in p.points if x.sp == "prologue"] == ["callee"]


def test_regargs_ptrs_visible_current_not_seed() -> None:
    """VAR-7 / GC-1: after the loop, a string's data is reachable only in current."""
    sig = parse_signature("func(s string)")
    for var, want in (("current", True), ("seed", False)):
        p = build_program(sig, var)
        after = next(x for x in p.points if "`in` dead" in x.label)
        assert ("a0.ref0" in p.obj_names(after.reach)) is want


def test_receiver_ptrs() -> None:
    """VAR-8: a pointer receiver stays reachable after storeRcvr only in current."""
    sig = parse_signature("func()", recv="*int")
    for var, want in (("current", True), ("seed", False)):
        p = build_program(sig, var)
        loop_end = next(x for x in p.points if "`in` dead" in x.label)
        assert ("rcvr.ref0" in p.obj_names(loop_end.reach)) is want


def test_ret_kind() -> None:
    """VAR-9: seed gives a pointer register result the func's kind."""
    sig = parse_signature("func() *int")
    seed = build_program(sig, "seed")
    cur = build_program(sig, "current")
    assert any("FUNC" in m for x in seed.points for _, m in x.static)
    assert not any(x.static for x in cur.points)


def test_morestack_spill_covers_args() -> None:
    """GC-4: at the prologue the spill slots are roots (args reachable in both variants)."""
    for var in ("seed", "current"):
        p = build_program(parse_signature("func(p *int, s string)"), var, holding=(False, True))
        pro = next(x for x in p.points if x.sp == "prologue")
        assert "a0.ref0" in p.obj_names(pro.reach)
        assert "callee.spill" in pro.gc_sees


def test_frame_overflow_static() -> None:
    """CALL-9: seed reserves 8 bytes of spill for struct{a int8; z [0]int64}, the callee 16."""
    sig = parse_signature("func(s struct{a int8; z [0]int64}) int")
    pro = next(x for x in build_program(sig, "seed").points if x.sp == "prologue")
    assert pro.ms_static and pro.ms_static[0][0] == "INV-GC-FRAME"
    pro = next(x for x in build_program(sig, "current").points if x.sp == "prologue")
    assert not pro.ms_static


def test_holding_modes() -> None:
    sig = parse_signature("func(p *int, s string, q *byte)")
    modes = holding_modes(sig, CURRENT)
    assert len(modes) == 4 and all(m[1] for m in modes)
    assert holding_modes(parse_signature("func(s struct{p *int})"), SEED)[0] == (False,)


def test_values_self_describing() -> None:
    lv = leaves(parse_type("struct{a int8; s string; e any}"))
    assert [x.what for x in lv] == ["data", "ptr", "data", "type", "ptr"]
    assert classify([0] * 8) == ("nil",)
    assert classify([("P", 3, 0, i) for i in range(8)]) == ("heap", 3, 0)
    assert classify([("D", "a0", i) for i in range(8)]) == ("data",)
