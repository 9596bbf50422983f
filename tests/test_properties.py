"""Hypothesis properties of the spec algorithm and of reflect (current), over random signatures.

Derandomized (a fixed seed per property), so a run is reproducible; every failure message carries
the signature in Go syntax, runnable as ``regabi layout '<sig>'``.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, assume, given, seed, settings
from hypothesis import strategies as st

from regabi.errors import TypeTooLargeError
from regabi.model.arch import Arch, load_arch
from regabi.model.assign import AbiDesc, Step, reflect_assign, spec_assign
from regabi.model.invariants import check_all
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature, parse_type
from regabi.model.types import BASIC, GoType, Kind, Pointer, layout
from regabi.model.variants import CURRENT
from regabi.strategies import CLASSES, classify, go_types, observe, signature_texts, signatures

# Derandomization, deadline and database come from the profile tests/conftest.py loads
# (HYPOTHESIS_PROFILE, "ci" by default: derandomized, so every run draws the same examples).
PROPS = settings(max_examples=150,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ARCHES = {n: load_arch(n) for n in ("amd64", "arm64", "riscv64", "ppc64le", "loong64")}
AMD64 = ARCHES["amd64"]
# small register files make register exhaustion (and its edge cases) common
TIGHT = AMD64.with_regs(3, 2)


def replay(sig: Signature, arch: Arch | None = None) -> str:
    """How to reproduce: ``regabi layout '<sig>'`` (plus receiver and arch)."""
    cmd = f"regabi layout '{sig.go()}'"
    if sig.recv is not None:
        cmd += f" --recv '{sig.recv}'"
    if arch is not None:
        cmd += f" --arch {arch.name} (registers {arch.n_int}/{arch.n_float})"
    return cmd


def _align(x: int, a: int) -> int:
    return (x + a - 1) // a * a


def _ins(sig: Signature, ps: int) -> list[tuple[GoType | None, int, int]]:
    """(type, size, align) of each argument, the receiver as one pointer word."""
    out: list[tuple[GoType | None, int, int]] = []
    if sig.recv is not None:
        out.append((None, ps, ps))
    for t in sig.params:
        lay = layout(t, ps)
        out.append((t, lay.size, lay.align))
    return out


def abi0_layout(sig: Signature, ps: int) -> tuple[list[int], list[int], int, int]:
    """Independent sequential ABI0 layout: each value at the next offset aligned to its type,
    results from align(end of args, PtrSize). Returns (arg offsets, result offsets, args end,
    retOffset)."""
    off = 0
    ins = []
    for _t, size, al in _ins(sig, ps):
        off = _align(off, al)
        ins.append(off)
        off += size
    args_end = off
    off = _align(off, ps)
    ret = off
    outs = []
    for t in sig.results:
        lay = layout(t, ps)
        off = _align(off, lay.align)
        outs.append(off)
        off += lay.size
    return ins, outs, args_end, ret


def _values(d: AbiDesc, sig: Signature) -> Iterator[tuple[str, int, tuple[Step, ...]]]:
    n_in = len(sig.params) + (sig.recv is not None)
    for i in range(n_in):
        yield "in", i, d.call.steps_for(i)
    for i in range(len(sig.results)):
        yield "out", i, d.ret.steps_for(i)


# ------------------------------------------------------------------------------------------
# all-or-nothing


@PROPS
@given(sig=signatures(), arch=st.sampled_from([AMD64, TIGHT, ARCHES["ppc64le"]]))
def test_value_wholly_in_registers_or_on_stack(sig: Signature, arch: Arch) -> None:
    observe(sig, arch)
    s = spec_assign(sig, arch)
    for p in s.params + s.results:
        assert (p.regs == ()) == (p.stack is not None), replay(sig, arch)
    d = reflect_assign(sig, arch, CURRENT)
    for which, i, steps in _values(d, sig):
        kinds = {step.kind == "stack" for step in steps}
        assert len(kinds) <= 1, f"{which} {i}: {replay(sig, arch)}"
        if True in kinds:
            assert len(steps) == 1, f"{which} {i}: {replay(sig, arch)}"


# ------------------------------------------------------------------------------------------
# stack layout


def _spans_disjoint(spans: list[tuple[int, int]]) -> bool:
    spans = sorted(s for s in spans if s[1] > s[0])
    return all(b0 >= a1 for (_a0, a1), (b0, _b1) in itertools.pairwise(spans))


@PROPS
@given(sig=signatures(max_params=8), arch=st.sampled_from([AMD64, TIGHT, AMD64.with_regs(0, 0)]))
def test_stack_values_never_overlap(sig: Signature, arch: Arch) -> None:
    ps = arch.ptr_size
    s = spec_assign(sig, arch)
    spans = []
    for p in s.params + s.results:
        if p.stack is not None:
            lay = layout(p.type, ps)
            assert p.stack % lay.align == 0, replay(sig, arch)
            spans.append((p.stack, p.stack + lay.size))
    assert _spans_disjoint(spans), replay(sig, arch)
    d = reflect_assign(sig, arch, CURRENT)
    spans = [(step.stkoff, step.stkoff + step.size) for _, _, steps in _values(d, sig)
             for step in steps if step.kind == "stack"]
    assert _spans_disjoint(spans), replay(sig, arch)
    # arguments below retOffset, results at or above it, everything inside the frame type
    for which, _i, steps in _values(d, sig):
        for step in steps:
            if step.kind != "stack":
                continue
            if which == "in":
                assert step.stkoff + step.size <= d.stack_call_args_size, replay(sig, arch)
            else:
                assert step.stkoff >= d.ret_offset, replay(sig, arch)
            assert step.stkoff + step.size <= d.frame_type_size, replay(sig, arch)


@PROPS
@given(sig=signatures(max_params=8), name=st.sampled_from(["amd64", "386", "arm"]))
def test_zero_registers_is_abi0(sig: Signature, name: str) -> None:
    arch = load_arch(name).with_regs(0, 0)
    ps = arch.ptr_size
    ins, outs, args_end, ret = abi0_layout(sig, ps)
    s = spec_assign(sig, arch)
    assert [p.stack for p in s.params] == ins, replay(sig, arch)
    assert [p.stack for p in s.results] == outs, replay(sig, arch)
    assert (s.args_stack_size, s.ret_offset) == (args_end, ret), replay(sig, arch)
    assert s.spill_area_size == 0, replay(sig, arch)
    d = reflect_assign(sig, arch, CURRENT)
    assert (d.stack_call_args_size, d.ret_offset, d.spill) == (args_end, ret, 0), replay(sig, arch)
    ins_t = _ins(sig, ps)
    for which, i, steps in _values(d, sig):
        size = ins_t[i][1] if which == "in" else layout(sig.results[i], ps).size
        want = ins[i] if which == "in" else outs[i]
        if size == 0:
            assert steps == (), replay(sig, arch)  # zero-size: aligned for, but no step
            continue
        assert [(step.kind, step.stkoff) for step in steps] == [("stack", want)], replay(sig, arch)
    # the frame type is the whole ABI0 frame, rounded to PtrSize
    end = max([ret] + [o + layout(t, ps).size for o, t in zip(outs, sig.results, strict=True)])
    assert d.frame_type_size == _align(end, ps), replay(sig, arch)


# ------------------------------------------------------------------------------------------
# reflect (current) agrees with the spec


@PROPS
@given(sig=signatures(max_params=8, max_results=4),
       name=st.sampled_from(["amd64", "arm64", "riscv64", "ppc64le"]))
def test_current_agrees_with_spec(sig: Signature, name: str) -> None:
    arch = ARCHES[name]
    bad = [v.line() for v in check_all(sig, arch, CURRENT) if v.invariant == "INV-ASSIGN-AGREE"]
    assert not bad, f"{bad}: {replay(sig, arch)}"


@PROPS
@given(sig=signatures(max_params=8, max_results=4), arch=st.sampled_from([AMD64, TIGHT]))
def test_current_agrees_with_spec_tight(sig: Signature, arch: Arch) -> None:
    observe(sig, arch)
    bad = [v.line() for v in check_all(sig, arch, CURRENT) if v.invariant == "INV-ASSIGN-AGREE"]
    assert not bad, f"{bad}: {replay(sig, arch)}"


# ------------------------------------------------------------------------------------------
# registers


@PROPS
@given(sig=signatures(max_params=10, max_results=6),
       arch=st.sampled_from([AMD64, TIGHT, ARCHES["ppc64le"], AMD64.with_regs(1, 0)]))
def test_register_counts_never_exceed_arch(sig: Signature, arch: Arch) -> None:
    s = spec_assign(sig, arch)
    assert s.int_regs_used <= arch.n_int and s.float_regs_used <= arch.n_float, replay(sig, arch)
    for group in (s.params, s.results):
        ints = [i for p in group for c, i, *_ in p.regs if c == "int"]
        flts = [i for p in group for c, i, *_ in p.regs if c == "float"]
        # registers are handed out in order, each once
        assert ints == list(range(len(ints))) and len(ints) <= arch.n_int, replay(sig, arch)
        assert flts == list(range(len(flts))) and len(flts) <= arch.n_float, replay(sig, arch)
    d = reflect_assign(sig, arch, CURRENT)
    for seq in (d.call, d.ret):
        assert seq.iregs <= arch.n_int and seq.fregs <= arch.n_float, replay(sig, arch)
        iregs = [step.ireg for step in seq.steps if step.kind in ("int", "ptr")]
        fregs = [step.freg for step in seq.steps if step.kind == "float"]
        assert len(set(iregs)) == len(iregs) and all(r < arch.n_int for r in iregs)
        assert len(set(fregs)) == len(fregs) and all(r < arch.n_float for r in fregs)


@PROPS
@given(sig=signatures(max_params=8), arch=st.sampled_from([AMD64, TIGHT, ARCHES["arm64"]]))
def test_spill_area_is_sum_of_aligned_register_args(sig: Signature, arch: Arch) -> None:
    ps = arch.ptr_size
    s = spec_assign(sig, arch)
    off = 0
    for (_t, size, al), p in zip(_ins(sig, ps), s.params, strict=True):
        if p.regs:
            off = _align(off, al)
            assert p.spill == off, replay(sig, arch)
            off += size
        else:
            assert p.spill is None, replay(sig, arch)
    want = _align(off, ps)
    assert s.spill_area_size == want, replay(sig, arch)
    # the spill area follows the stack results, PtrSize-aligned
    ends = [s.ret_offset] + [p.stack + layout(p.type, ps).size for p in s.results
                             if p.stack is not None]
    assert s.offset_to_spill_area == _align(max(ends), ps), replay(sig, arch)
    # reflect (current) reserves the same spill space, after the PtrSize-rounded frame type
    d = reflect_assign(sig, arch, CURRENT)
    assert d.spill == want, replay(sig, arch)
    assert d.frame_size == _align(d.frame_type_size, ps) + want, replay(sig, arch)


@PROPS
@given(sig=signatures(max_params=8, max_results=5), arch=st.sampled_from([AMD64, TIGHT]))
def test_register_pointer_bitmaps(sig: Signature, arch: Arch) -> None:
    """outRegPtrs (and, without a receiver, inRegPtrs) has bit i exactly when integer register
    i carries a pointer word: the pointer part of a pointer-shaped value, a string's or slice's
    data word, an interface's data word (never its type/itab word)."""
    d = reflect_assign(sig, arch, CURRENT)

    def want(types: list[GoType], seq_steps: list[tuple[Step, ...]]) -> int:
        m = 0
        for t, steps in zip(types, seq_steps, strict=True):
            if not steps or steps[0].kind == "stack":
                continue
            heap = layout(t, arch.ptr_size).heapmask
            for stp in steps:
                if stp.kind != "float" and (heap >> (stp.offset // arch.ptr_size)) & 1:
                    m |= 1 << stp.ireg
        return m

    outs = want(list(sig.results), [d.ret.steps_for(i) for i in range(len(sig.results))])
    assert d.out_reg_ptrs == outs, replay(sig, arch)
    if sig.recv is None:
        ins = want(list(sig.params), [d.call.steps_for(i) for i in range(len(sig.params))])
        assert d.in_reg_ptrs == ins, replay(sig, arch)


@PROPS
@given(sig=signatures(max_params=8, max_results=4), arch=st.sampled_from([AMD64, TIGHT]))
def test_stack_bitmap_is_gcmask_at_offsets(sig: Signature, arch: Arch) -> None:
    ps = arch.ptr_size
    d = reflect_assign(sig, arch, CURRENT)
    want = 0
    for which, i, steps in _values(d, sig):
        if steps and steps[0].kind == "stack":
            if which == "in" and sig.recv is not None and i == 0:
                mask = 1  # the receiver word is a pointer
            else:
                t = sig.params[i - (sig.recv is not None)] if which == "in" else sig.results[i]
                mask = layout(t, ps).gcmask
            want |= mask << (steps[0].stkoff // ps)
    assert d.stack_ptrs == want, replay(sig, arch)
    assert d.stack_ptrs_n >= want.bit_length(), replay(sig, arch)


@PROPS
@given(sig=signatures(max_params=8, max_results=4),
       name=st.sampled_from(["amd64", "arm64", "riscv64", "ppc64le"]))
def test_current_has_no_error_violations(sig: Signature, name: str) -> None:
    """Every error-severity invariant of the catalogue holds for current reflect (the latent
    INV-INREGPTRS-RCVR is excluded: it is checked separately by the catalogue's own tests)."""
    arch = ARCHES[name]
    bad = [v.line() for v in check_all(sig, arch, CURRENT) if v.invariant != "INV-INREGPTRS-RCVR"]
    assert not bad, f"{bad}: {replay(sig, arch)}"


@PROPS
@given(sig=signatures(max_params=6))
def test_ret_offset_is_aligned_args_end(sig: Signature) -> None:
    for arch in (AMD64, TIGHT):
        s = spec_assign(sig, arch)
        d = reflect_assign(sig, arch, CURRENT)
        assert s.ret_offset == _align(s.args_stack_size, arch.ptr_size), replay(sig, arch)
        assert (d.stack_call_args_size, d.ret_offset) == (s.args_stack_size, s.ret_offset), \
            replay(sig, arch)


def test_more_registers_can_mean_more_stack() -> None:
    """Not a monotone property (so not a Hypothesis one): with 3 int registers a nine-int8
    struct goes to the stack (9 bytes) and a string to registers; with amd64's 9 the struct
    takes all nine and the string (16 bytes) goes to the stack."""
    sig = parse_signature("func(a struct{a, b, c, d, e, f, g, h, i int8}, b string)")
    assert spec_assign(sig, TIGHT).args_stack_size == 9
    assert spec_assign(sig, AMD64).args_stack_size == 16


# ------------------------------------------------------------------------------------------
# syntax


@PROPS
@given(sig=signatures(max_params=6, max_results=3))
def test_parse_str_round_trips(sig: Signature) -> None:
    text = sig.go()
    back = parse_signature(text, recv=None if sig.recv is None else str(sig.recv))
    assert back == sig, replay(sig)
    assert back.go() == text


@PROPS
@given(t=go_types(max_depth=3))
def test_type_str_round_trips(t: GoType) -> None:
    assert parse_type(str(t)) == t, str(t)


@PROPS
@given(text=signature_texts(max_params=4))
def test_signature_texts_parse(text: str) -> None:
    sig = parse_signature(text)
    assert sig.go() == text
    assert sig.recv is None


@PROPS
@given(t=go_types(max_depth=3), ps=st.sampled_from([4, 8]))
def test_layout_consistent(t: GoType, ps: int) -> None:
    """size is a multiple of align; ptrdata within size; the gcmask fits ptrdata and heapmask is
    a subset of it."""
    try:
        lay = layout(t, ps)
    except TypeTooLargeError:
        # arrays may exceed a 32-bit address space (TYP-8, tested in test_types.py)
        assume(False)
        return
    assert lay.size % lay.align == 0, str(t)
    assert lay.ptrdata <= lay.size, str(t)
    assert lay.ptrdata == lay.gcmask.bit_length() * ps, str(t)
    assert lay.heapmask & ~lay.gcmask == 0, str(t)


@pytest.mark.parametrize("receiver", [True, False])
def test_signatures_receiver_flag(receiver: bool) -> None:
    @settings(max_examples=20)
    @given(sig=signatures(receiver=receiver))
    def check(sig: Signature) -> None:
        assert (sig.recv is not None) == receiver

    check()


# ------------------------------------------------------------------------------------------
# the strategies themselves: what they reach, measured by a classifier written here from the
# spec's rules (spec/types.md TYP-1…TYP-7, spec/assignment.md ASG-2…ASG-4), sharing no code
# with regabi.strategies or regabi.model

_SCALAR = {Kind.BOOL: 1, Kind.INT8: 1, Kind.UINT8: 1, Kind.INT16: 2, Kind.UINT16: 2,
           Kind.INT32: 4, Kind.UINT32: 4, Kind.FLOAT32: 4, Kind.INT64: 8, Kind.UINT64: 8,
           Kind.FLOAT64: 8, Kind.INT: 8, Kind.UINT: 8, Kind.UINTPTR: 8}


def _sa(t: GoType) -> tuple[int, int]:
    """(size, align) on a 64-bit target (TYP-1…TYP-6)."""
    k = t.kind
    if k in _SCALAR:
        return _SCALAR[k], _SCALAR[k]
    if k == Kind.COMPLEX64:
        return 8, 4
    if k == Kind.COMPLEX128:
        return 16, 8
    if k in (Kind.STRING, Kind.INTERFACE):
        return 16, 8
    if k == Kind.SLICE:
        return 24, 8
    if k == Kind.ARRAY:
        es, ea = _sa(t.elem)  # type: ignore[attr-defined]
        return t.length * es, ea  # type: ignore[attr-defined]
    if k == Kind.STRUCT:
        off, al, last = 0, 1, 1
        for f in t.fields:  # type: ignore[attr-defined]
            fs, fa = _sa(f.type)
            off = _align(off, fa) + fs
            al, last = max(al, fa), fs
        if off > 0 and t.fields and last == 0:  # type: ignore[attr-defined]
            off += 1  # TYP-6
        return _align(off, al), al
    return 8, 8  # pointer-shaped


def _regs(t: GoType) -> list[str]:
    """ASG-3 in memory order: "i"/"f" per register, "x" where an array of length > 1 stops it."""
    k = t.kind
    if k in (Kind.FLOAT32, Kind.FLOAT64):
        return ["f"]
    if k in (Kind.COMPLEX64, Kind.COMPLEX128):
        return ["f", "f"]
    if k in (Kind.STRING, Kind.INTERFACE):
        return ["i", "i"]
    if k == Kind.SLICE:
        return ["i"] * 3
    if k == Kind.ARRAY:
        n = t.length  # type: ignore[attr-defined]
        return [] if n == 0 else _regs(t.elem) if n == 1 else ["x"]  # type: ignore[attr-defined]
    if k == Kind.STRUCT:
        out: list[str] = []
        for f in t.fields:  # type: ignore[attr-defined]
            out += _regs(f.type)
            if "x" in out:
                return out[: out.index("x") + 1]
        return out
    return ["i"]


def spec_classes(sig: Signature, n_int: int, n_float: int) -> set[str]:
    """Which situations the assignment of ``sig`` meets (names as regabi.strategies.CLASSES)."""
    out: set[str] = set()

    def padded(t: GoType) -> None:
        if t.kind == Kind.STRUCT:
            fs = t.fields  # type: ignore[attr-defined]
            if fs and _sa(t)[0] > 0 and _sa(fs[-1].type)[0] == 0:
                out.add("trailing zero-size padding")
            for f in fs:
                padded(f.type)
        elif t.kind in (Kind.ARRAY, Kind.SLICE, Kind.POINTER):
            padded(t.elem)  # type: ignore[attr-defined]

    ins = ([Pointer(BASIC["int"])] if sig.recv is not None else []) + list(sig.params)
    for values in (ins, list(sig.results)):  # ASG-1: results start again at register 0
        i = f = 0
        for t in values:
            padded(t)
            if _sa(t)[0] == 0:  # ASG-4
                out.add("zero-size value")
                continue
            need = _regs(t)
            ok = "x" not in need and need.count("i") <= n_int - i and \
                need.count("f") <= n_float - f
            if ok:  # ASG-2: all registers or none
                i, f = i + need.count("i"), f + need.count("f")
                continue
            # replay reflect's group-by-group placement to see where it stops (RFL-3)
            ii, ff, placed = i, f, 0
            for r in need:
                if r == "i" and ii < n_int:
                    ii, placed = ii + 1, placed + 1
                elif r == "f" and ff < n_float:
                    ff, placed = ff + 1, placed + 1
                else:
                    if r != "x":
                        out.add("int registers exhausted" if r == "i" else
                                "float registers exhausted")
                    if placed and t.kind == Kind.STRUCT:
                        out.add("struct fails part-way")
                    break
    return out


DIST_SEED = 20261202
DIST_N = 300


def _draw_many(strategy: st.SearchStrategy, n: int) -> list:
    got: list = []

    @seed(DIST_SEED)
    @settings(max_examples=n, database=None, derandomize=False, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x: object) -> None:
        got.append(x)

    collect()
    return got


def test_signatures_reach_every_class() -> None:
    """Each situation in CLASSES occurs in at least 2% of drawn signatures on amd64, counted by
    the classifier above; regabi.strategies.classify agrees with it on every example."""
    sigs = _draw_many(signatures(), DIST_N)
    assert len(sigs) >= DIST_N * 0.9, len(sigs)
    counts = {c: 0 for c in CLASSES}
    for sig in sigs:
        mine = spec_classes(sig, AMD64.n_int, AMD64.n_float)
        assert classify(sig, AMD64) == mine, f"{replay(sig, AMD64)} (seed {DIST_SEED})"
        for c in mine:
            counts[c] += 1
    low = {c: n for c, n in counts.items() if n < 0.02 * len(sigs)}
    assert not low, f"rarely reached in {len(sigs)} signatures (seed {DIST_SEED}): {counts}"


def _kind_class(t: GoType) -> str:
    if _sa(t)[0] == 0:
        return "zero"
    if t.kind in (Kind.FLOAT32, Kind.FLOAT64, Kind.COMPLEX64, Kind.COMPLEX128):
        return "float"
    if t.kind in _SCALAR:
        return "int"
    if t.kind in (Kind.MAP, Kind.CHAN, Kind.FUNC, Kind.UNSAFE_POINTER):
        return "pointer-shaped"
    return t.kind.name.lower()


@pytest.mark.parametrize("big", [False, True])
def test_types_balanced_and_within_budget(big: bool) -> None:
    """Over the parameters of drawn signatures no class of kind takes more than a third (structs
    lead: register pressure draws structs of several registers) and
    each takes at least 1%; no type exceeds the byte budget (1 KiB, or 1 MiB with big arrays).
    (Distinct draws of go_types alone cannot be balanced: there are only a few dozen leaf types,
    and Hypothesis does not repeat an example.)"""
    budget = 1 << 20 if big else 1 << 10
    for t in _draw_many(go_types(max_depth=3, allow_big_arrays=big), DIST_N):
        assert _sa(t)[0] <= budget, f"{t} is {_sa(t)[0]} bytes (seed {DIST_SEED})"
    params = [t for sig in _draw_many(signatures(allow_big_arrays=big), DIST_N)
              for t in sig.params]
    kinds: dict[str, int] = {}
    for t in params:
        assert _sa(t)[0] <= budget, f"{t} is {_sa(t)[0]} bytes (seed {DIST_SEED})"
        kinds[_kind_class(t)] = kinds.get(_kind_class(t), 0) + 1
    assert max(kinds.values()) <= len(params) // 3, f"skewed (seed {DIST_SEED}): {kinds}"
    for k in ("int", "float", "string", "interface", "pointer-shaped", "pointer", "slice",
              "array", "struct", "zero"):
        # 1%: the rarest classes (string, array) sit near 2.5% for this seed in a fresh
        # process, but the sample also depends on what the process imported before (Hypothesis
        # mixes constants found in loaded modules into its draws): under pytest-xdist, after
        # other files, arrays came out at 1.3% (15 of 1191).
        assert kinds.get(k, 0) >= 0.01 * len(params), f"{k} rare (seed {DIST_SEED}): {kinds}"


def test_strategies_need_hypothesis_with_a_clear_message() -> None:
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "try:\n    import regabi.strategies\n"
            "except ImportError as e:\n    print('IMPORTERROR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "IMPORTERROR" in out and "pip install 'regabi[hypothesis]'" in out, out
