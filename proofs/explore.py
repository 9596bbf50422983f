"""Exhaustive exploration of the interleavings of the reflect call path with a garbage collector
and stack moves (spec/call.md GC-1 … GC-6).

A state is a plain tuple ``(prog, pc, gc_cycles, moves, freed, stale)``: which compiled program
(one per holding mode, CALL-3), the next point, the budget used, the freed-object bitmask and the
bitmask of stack-address holders left pointing into a freed old stack. Between safepoints the
path is deterministic; at a safepoint the successors are: nothing, a GC (if fewer than K
happened; it scans each frame as the point records: precisely, or conservatively for an
asynchronously preempted frame), a stack copy (if fewer than M, and only where Go can copy the
stack: prologues and synchronous safepoints, GC-7). BFS with a parent map makes the first
violation found for each invariant a shortest trace. No partial-order or symmetry reduction is
applied. The state budget is checked in every phase (building programs included); hitting it
makes the undecided verdicts LIMIT.

INV-GC-MARK has its own search (``mark_bfs``, spec/call.md GC-14): one concurrent cycle per
path whose mark phase spans safepoints — start, one scan of this goroutine's stack, drains,
termination — with the hybrid write barrier shading what each store's barrier shades (GC-11,
GC-12) and allocation black (GC-9).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import replace
from typing import Any

from regabi.model.arch import Arch
from regabi.model.callmachine import (
    GC_INVARIANT_IDS,
    Program,
    build_program,
    count_holding_modes,
    holding_modes,
    leaves,
    machine_arch,
)
from regabi.model.finmachine import FIN_PATHS, build_fin_program
from regabi.model.gcrt import RUNTIME_DELTAS, RUNTIME_VARIANTS, RuntimeVariant, runtime_variant
from regabi.model.mfmachine import PATHS as MF_PATHS
from regabi.model.mfmachine import build_path_program
from regabi.model.sig import Signature
from regabi.model.syntax import parse_signature
from regabi.model.variants import CURRENT, DELTAS, Variant, get_variant
from regabi.model.wcmachine import WC_PATHS, build_wc_program
from regabi.verdict import Verdict, exit_status, render_table

__all__ = [
    "BUILTIN_CORPUS",
    "add_explore_arguments",
    "check_section",
    "cli_explore",
    "explore",
    "explore_sig",
    "itf_trace",
    "state_graph",
    "to_dot",
]

#: Built-in corpus for ``regabi check`` (signature, receiver or None).
BUILTIN_CORPUS: list[str] = [
    "func(p *int) *int",                                     # direct pointer, pointer result
    "func(a int, p *int, q *byte)",                          # direct pointers in registers
    "func(s string) string",                                 # indirect pointer part (string)
    "func(b []byte, n int) []byte",                          # slice
    "func(e any, err error) error",                          # interfaces
    "func(a, b, c, d, e, f, g, h, i int, p *int, s string)", # register exhaustion → stack
    "func(x [2]*int, y [3]string) ([2]*int, int)",           # stack-assigned with pointers
    "func(x struct{}, y [0]int, p *int) struct{}",           # zero-size values
    "func(s struct{a, b, c int; p *int; f float64; g float32}) (int, *int)",  # many registers
    "func(f float64, c complex128, g float32) (float64, complex128)",         # float registers
    "func(m map[int]int, ch chan int, fn func()) (map[int]int, chan int)",    # pointer kinds
    "func(a int8, b int16, c int32) (int8, *int, string)",   # small ints, mixed results
    "func(s struct{a int8; z [0]int64}) int",                 # trailing zero-size field
    "func() (*int, *int, *int)",                              # several pointer results
    "func(p *int) [2]*int",  # a register pointer returned on the stack: reflectcallmove's barrier
]
#: (signature, receiver type) pairs in the corpus with receivers.
BUILTIN_METHODS: list[tuple[str, str]] = [
    ("func(a int) int", "*int"),
    ("func(s string) *int", "struct{a, b int}"),
    ("func() string", "*struct{p *int}"),
]

INV_IDS = GC_INVARIANT_IDS
#: ``regabi explore --path``: the spelling of ``regabi prove --path``
EXPLORE_PATHS: tuple[str, ...] = ("value-call", *MF_PATHS, *FIN_PATHS, *WC_PATHS)
#: Who makes the call on each non-Value.Call path (bounds and traces).
_PATH_CALLER = {"finalizer": "runFinalizers' record a global root",
                "wincallback": "C calls callbackWrap, Go pointers kept by their owner"}
_PATH_HOW = {"makefunc": "a compiled caller passes the arguments per ABIInternal",
             "finalizer": "runFinalizers calls the finalizer through reflectcall "
                          "(model/finmachine.py)",
             "wincallback": "C calls a syscall.NewCallback function through callbackWrap "
                            "(model/wcmachine.py)"}
#: Invariants the atomic search (``bfs``) decides; INV-GC-MARK is the concurrent-mark search's.
ATOMIC_IDS = tuple(i for i in INV_IDS if i != "INV-GC-MARK")


class _Tables:
    """Flat per-point arrays of one program, for the inner loop."""

    __slots__ = ("alloc", "bad", "move", "ms", "n", "reach", "sp", "stale", "static", "suses",
                 "uses")

    def __init__(self, p: Program) -> None:
        pts = p.points
        self.n = len(pts)
        self.sp = tuple(bool(x.sp) for x in pts)
        self.uses = tuple(x.uses for x in pts)
        self.suses = tuple(x.stack_uses for x in pts)
        self.static = tuple(x.static[0] if x.static else None for x in pts)
        self.reach = tuple(x.reach for x in pts)
        self.alloc = tuple(x.alloc for x in pts)
        self.bad = tuple(x.bad[0] if x.bad else None for x in pts)
        self.ms = tuple(x.ms_static[0] if x.ms_static else None for x in pts)
        self.stale = tuple(x.stale_move for x in pts)
        self.move = tuple(x.move for x in pts)


def bfs(progs: list[Program], gc_cycles: int, stack_moves: int, max_states: int,
        want: tuple[str, ...] = INV_IDS) -> tuple[dict, dict, int, str]:
    """The core search. Returns (parent map, first violation per invariant, states, how it
    ended: "complete" (every state within the bounds visited), "limit" (``max_states``
    reached first) or "found" (every wanted invariant violated; the rest is irrelevant)).

    A violation is ``(state, choice, message)``; the parent map sends a state to
    ``(previous state, choice)``.
    """
    tabs = [_Tables(p) for p in progs]
    parent: dict[tuple, Any] = {}
    found: dict[str, tuple] = {}
    q: deque = deque()
    for i in range(len(progs)):
        s0 = (i, 0, 0, 0, 0, 0)
        parent[s0] = None
        q.append(s0)
    K, M = gc_cycles, stack_moves
    wantset = set(want)
    ended = "complete"
    popleft, append = q.popleft, q.append
    while q:
        s = popleft()
        pi, pc, k, m, freed, stale = s
        T = tabs[pi]
        # Executing point pc: reads of freed objects (GC-6), stale stack use, static checks.
        if T.uses[pc] & freed:
            if "INV-GC-UAF" not in found:
                names = progs[pi].obj_names(T.uses[pc] & freed)
                found["INV-GC-UAF"] = (s, "step", f"reads {', '.join(names)}: expected a live "
                                       "object, got one a GC freed")
            continue
        if T.suses[pc] & stale:
            if "INV-GC-STACK" not in found:
                where = ", ".join(_place(h) for h in progs[pi].holder_names(T.suses[pc] & stale))
                found["INV-GC-STACK"] = (s, "step", f"goes through the stack address in {where}, "
                                         "which the stack copy did not adjust (only words a map "
                                         "describes are: GC-6): expected an address in the new "
                                         "stack, got one into the freed old stack")
            continue
        st = T.static[pc]
        if st is not None:
            if st[0] not in found:
                found[st[0]] = (s, "step", st[1])
            continue
        nxt = pc + 1
        if nxt >= T.n:
            continue
        succ = (pi, nxt, k, m, freed, stale)
        if succ not in parent:
            parent[succ] = (s, "step")
            append(succ)
        if T.sp[pc]:
            if k < K:
                bad = T.bad[pc]
                dang = T.reach[pc] & freed
                if T.ms[pc] is not None:
                    if T.ms[pc][0] not in found:
                        found[T.ms[pc][0]] = (s, "gc", T.ms[pc][1])
                elif bad is not None or dang:
                    if "INV-GC-SCAN" not in found:
                        msg = _scan_text(bad, progs[pi].obj_names(dang))
                        found["INV-GC-SCAN"] = (s, "gc", msg)
                else:
                    g = (pi, nxt, k + 1, m, freed | (T.alloc[pc] & ~T.reach[pc]), stale)
                    if g not in parent:
                        parent[g] = (s, "gc")
                        append(g)
            if m < M and T.move[pc]:
                if T.ms[pc] is not None:
                    if T.ms[pc][0] not in found:
                        found[T.ms[pc][0]] = (s, "move", T.ms[pc][1])
                else:
                    g = (pi, nxt, k, m + 1, freed, stale | T.stale[pc])
                    if g not in parent:
                        parent[g] = (s, "move")
                        append(g)
        if len(parent) >= max_states:
            ended = "limit"
            break
        if wantset and wantset <= found.keys():
            ended = "found"
            break
    return parent, found, len(parent), ended


# --------------------------------------------------------------------------------------------
# The concurrent mark phase (spec/call.md GC-9 … GC-14)

_PH = ("GC off, write barrier off", "marking, write barrier on, stack grey (not scanned yet)",
       "marking, write barrier on, stack black (scanned)")


class _MarkTables:
    """Per-point arrays of one program for the concurrent-mark search. The effects recorded
    with a point are applied on the transition that performs them: an instruction's when it
    executes (leaving its state), a safepoint's on arriving there (the callee stopped at the
    call site has not run yet, but the stores before the call have)."""

    __slots__ = ("alloc", "canon_from", "heap", "heaps", "n", "nobar", "reach", "roots",
                 "shade", "sp")

    def __init__(self, p: Program) -> None:
        pts = p.points
        n = self.n = len(pts)
        self.sp = tuple(bool(x.sp) for x in pts)
        self.roots = tuple(x.roots for x in pts)
        self.reach = tuple(x.reach for x in pts)
        self.heaps = p.heaps
        self.heap = tuple(x.heap if x.sp or i == 0 else pts[i - 1].heap
                          for i, x in enumerate(pts))

        def post(attr: str) -> tuple[int, ...]:
            return tuple((0 if pts[i].sp else getattr(pts[i], attr))
                         | (getattr(pts[i + 1], attr) if i + 1 < n and pts[i + 1].sp else 0)
                         for i in range(n))

        self.alloc, self.shade, self.nobar = post("eff_alloc"), post("eff_shade"), \
            post("eff_nobar")
        last = max((i for i in range(n) if self.nobar[i]), default=-1)
        #: From this pc on no store lacks a barrier, so a grey set can be replaced by its
        #: closure (GC-14 reduction: every object reachable from a grey one then stays marked).
        self.canon_from = last + 1


def _blacken(g: int, b: int, edges: tuple[int, ...]) -> int:
    """Mark workers drain the grey set: everything reachable from ``g`` through heap pointer
    words, never scanning a black object again (gcDrain; GC-9). Returns the new black set."""
    seen = g & ~b
    work = seen
    while work:
        low = work & -work
        work ^= low
        out = edges[low.bit_length() - 1] & ~b & ~seen
        seen |= out
        work |= out
    return b | seen


def mark_bfs(progs: list[Program], max_states: int) -> tuple[dict, dict, int, str]:
    """INV-GC-MARK: one concurrent GC cycle per path (GC-14). State ``(program, pc, phase,
    grey, black)``; phase 0 = no cycle yet, 1 = marking with this goroutine's stack not yet
    scanned, 2 = stack scanned (black). Choices: ``gc-start`` at a safepoint (gcStart's
    stop-the-world: write barrier on, every object white), ``scan`` at a later or the same
    safepoint (the stack's roots are shaded once: scanstack), ``drain`` before a store without
    a barrier (workers blacken every grey object), ``gc-end`` at a safepoint after the scan
    (gcMarkDone drains, mark termination, sweep). A cycle ends the path: if it frees nothing
    reachable, it freed a subset of what the atomic GC at the same safepoint frees, and that
    continuation is the atomic search's (``bfs``)."""
    tabs = [_MarkTables(p) for p in progs]
    parent: dict[tuple, Any] = {}
    found: dict[str, tuple] = {}
    q: deque = deque()
    for i in range(len(progs)):
        s0 = (i, 0, 0, 0, 0)
        parent[s0] = None
        q.append(s0)
    cache: dict[tuple, int] = {}

    def black_of(pi: int, g: int, b: int, h: int) -> int:
        key = (pi, g, b, h)
        r = cache.get(key)
        if r is None:
            if len(cache) > 1 << 18:
                cache.clear()
            r = cache[key] = _blacken(g, b, tabs[pi].heaps[h])
        return r

    # Subsumption (GC-14): where no store without a barrier lies ahead, a state whose grey set
    # contains another's (same program, pc, phase, black set) reaches no violation the other
    # does not — the choices are the same and more grey only marks more — so only the minimal
    # grey sets are explored.
    minimal: dict[tuple, list[int]] = {}
    dominated: set[tuple] = set()

    def push(st: tuple, prev: tuple, choice: str) -> None:
        if st in parent:
            return
        pi, pc, ph, g, b = st
        if ph and pc >= tabs[pi].canon_from:
            key = (pi, pc, ph, b)
            gs = minimal.setdefault(key, [])
            for x in gs:
                if x & ~g == 0:
                    return
            keep = []
            for x in gs:
                if g & ~x == 0:
                    dominated.add((pi, pc, ph, x, b))
                else:
                    keep.append(x)
            keep.append(g)
            minimal[key] = keep
        parent[st] = (prev, choice)
        q.append(st)

    ended = "complete"
    while q:
        s = q.popleft()
        if s in dominated:
            continue
        pi, pc, ph, g, b = s
        T = tabs[pi]
        nxt = pc + 1
        if nxt < T.n:
            if ph:
                nb = b | T.alloc[pc]
                ng = (g | T.shade[pc]) & ~nb
                if ng and nxt >= T.canon_from:
                    ng = black_of(pi, ng, nb, T.heap[nxt]) & ~nb
                push((pi, nxt, ph, ng, nb), s, "step")
                if T.nobar[pc] and g:
                    push((pi, pc, ph, 0, black_of(pi, g, b, T.heap[pc])), s, "drain")
            else:
                push((pi, nxt, 0, 0, 0), s, "step")
        if T.sp[pc]:
            if ph == 0:
                push((pi, pc, 1, 0, 0), s, "gc-start")
            elif ph == 1:
                ng = (g | T.roots[pc]) & ~b
                if ng and pc >= T.canon_from:
                    ng = black_of(pi, ng, b, T.heap[pc]) & ~b
                push((pi, pc, 2, ng, b), s, "scan")
            else:
                marked = black_of(pi, g, b, T.heap[pc])
                lost = T.reach[pc] & ~marked
                if lost and "INV-GC-MARK" not in found:
                    found["INV-GC-MARK"] = (s, "gc-end", "mark termination leaves "
                                            + ", ".join(progs[pi].obj_names(lost))
                                            + " white although reachable: the sweep frees it")
                    ended = "found"
                    break
        if len(parent) >= max_states:
            ended = "limit"
            break
    return parent, found, len(parent), ended


def _mark_trace_json(progs: list[Program], tr: list[tuple[tuple, str]]) -> list[dict]:
    steps = []
    for i, (s, c) in enumerate(tr):
        pi, pc, ph, g, b = s
        p = progs[pi]
        pt = p.points[pc]
        # the mark state this step leads to (the last step: the state it ends in)
        _, _, ph, g, b = tr[i + 1][0] if i + 1 < len(tr) else s
        d = {"step": i, "where": pt.where, "label": pt.label, "src": pt.src, "choice": c,
             "gc_cycles": int(ph > 0), "stack_moves": 0, "freed": [], "stale": [],
             "mark": _PH[ph]}
        if ph:
            d["grey"] = p.obj_names(g)
            d["black"] = p.obj_names(b)
        if pt.eff_wb:
            d["barrier"] = pt.eff_wb
        if pt.regs:
            d["regs"] = pt.regs
        if pt.sp:
            d["safepoint"] = pt.sp
            d["frames"] = pt.frames
        if c in ("scan", "gc-end"):
            d["gc_sees"] = pt.gc_sees
        steps.append(d)
    return steps


def _trace(parent: dict, s: tuple, choice: str) -> list[tuple[tuple, str]]:
    out = [(s, choice)]
    while parent[s] is not None:
        s, c = parent[s]
        out.append((s, c))
    out.reverse()
    return out


def _trace_json(progs: list[Program], tr: list[tuple[tuple, str]]) -> list[dict]:
    steps = []
    for i, (s, c) in enumerate(tr):
        pi, pc, k, m, freed, stale = s
        pt = progs[pi].points[pc]
        d = {"step": i, "where": pt.where, "label": pt.label, "src": pt.src, "choice": c,
             "gc_cycles": k, "stack_moves": m, "freed": progs[pi].obj_names(freed),
             "stale": progs[pi].holder_names(stale)}
        if pt.regs:
            d["regs"] = pt.regs
        if pt.sp:
            d["safepoint"] = pt.sp
            d["frames"] = pt.frames
        if c == "gc":
            d["gc_sees"] = pt.gc_sees
        if c == "move":
            d["left_stale"] = progs[pi].holder_names(pt.stale_move)
        steps.append(d)
    return steps


def _sig_text(sig: Signature) -> str:
    return str(sig)


def _holding_text(holding: tuple[bool, ...] | list[bool]) -> str:
    """How the Values hold the arguments (CALL-3), e.g. "arg 0 held indirectly, arg 1
    directly"."""
    if not holding:
        return "no arguments"
    return ", ".join(f"arg {i} held {'indirectly' if h else 'directly'}" if i == 0 else
                     f"arg {i} {'indirectly' if h else 'directly'}"
                     for i, h in enumerate(holding))


def _scan_text(bad: str | None, dangling: list[str]) -> str:
    """INV-GC-SCAN (GC-2): a precisely scanned word that is neither nil nor a pointer to a live
    object. ``bad`` is the call machine's "WORD holds VALUE" for a non-pointer word."""
    if bad is not None:
        word, _, value = bad.partition(" holds ")
        return (f"a GC scans {_place(word)} precisely: expected nil or a pointer, got "
                f"{value} (not a pointer)")
    return (f"a GC scans a pointer to {', '.join(dangling)}: expected nil or a pointer to a "
            "live object, got one an earlier GC freed")


def _place(name: str) -> str:
    """A stack word or register of the call machine (a holder name, ``region+off``) in the words
    of spec/call.md: callN's arguments are at ``off(FP)`` (GC-5), its frame at ``SP+off``."""
    region, plus, off = name.rpartition("+")
    if not plus or not off.isdigit():
        return name  # "register R12"
    return {"callN.args": f"callN's argument word {off}(FP)",
            "callN.frame": f"callN's frame word SP+{off}",
            "vc": f"Value.call's local +{off}",
            "callee.locals": f"the callee's local +{off}",
            "callee.res": f"the callee's result +{off}"}.get(region, name)


def explore_sig(sig: Signature, variant: str | Variant, arch: str | Arch = "amd64",
                gc_cycles: int = 2, stack_moves: int = 2, max_states: int = 2_000_000,
                only: tuple[str, ...] = INV_IDS,
                holding: list[tuple[bool, ...]] | None = None,
                runtime: RuntimeVariant | None = None, path: str = "value-call",
                mutants: frozenset[str] = frozenset()) -> list[Verdict]:
    """:func:`explore` with an optional restriction to invariants and holding modes;
    ``variant`` may be a Variant object (a hypothetical one, for cause isolation). The time of
    each verdict is the whole run (programs built and searched). ``path``: "value-call"
    (reflect.Value.Call, model/callmachine.py), "makefunc" or "method-value" (a compiled call
    of a MakeFunc'd function or a method value, model/mfmachine.py: one program, no holding
    modes); ``mutants``: model mutants of those paths (vacuity tests only)."""
    t0 = time.perf_counter()
    v = variant if isinstance(variant, Variant) else get_variant(variant)
    variant = v.name
    a = machine_arch(arch, v.name)  # refuses an architecture the machine does not model
    ps = a.ptr_size
    if path == "value-call":
        modes = holding if holding is not None else holding_modes(sig, v, ps=ps)
        total = count_holding_modes(sig, v, ps) if holding is None else len(modes)

        def build(h: tuple[bool, ...], results: str = "fresh") -> Program:
            return build_program(sig, v, arch, h, runtime, results=results)
    else:
        modes, total = [()], 1

        def build(h: tuple[bool, ...], results: str = "fresh") -> Program:
            build_path = (build_fin_program if path in FIN_PATHS else build_wc_program
                          if path in WC_PATHS else build_path_program)
            return build_path(path, sig, v, arch, runtime, results, mutants)
    progs: list[Program] = []
    built = 0
    ended = "complete"
    for h in modes:  # the budget counts compiled points too: no phase runs unbounded
        if built >= max_states:
            ended = "limit"
            break
        p = build(h)
        built += len(p.points)
        progs.append(p)
    parent: dict = {}
    found: dict = {}
    n = built
    atomic = tuple(i for i in only if i in ATOMIC_IDS)
    if progs and ended == "complete" and atomic:
        parent, found, n, ended = bfs(progs, gc_cycles, stack_moves, max(1, max_states - built),
                                      atomic)
    mprogs: list[Program] = []
    mparent: dict = {}
    if "INV-GC-MARK" in only and gc_cycles > 0 and ended != "limit":
        # The callee's results either fresh or passed through from its arguments (CALL-12):
        # only the second can hand reflectcallmove an object allocated before the cycle.
        alias = any(lf.what == "ptr" for t in sig.results for lf in leaves(t, ps=ps)) and \
            any(lf.what == "ptr" for t in sig.params for lf in leaves(t, ps=ps))
        mprogs = list(progs)
        for h in modes[:len(progs)] if alias else ():
            if n >= max_states:
                ended = "limit"
                break
            q = build(h, "args")
            n += len(q.points)
            mprogs.append(q)
        if ended != "limit":
            mparent, mfound, mn, mended = mark_bfs(mprogs, max(1, max_states - n))
            n += mn
            found.update(mfound)
            if mended == "limit":
                ended = "limit"
    dt = time.perf_counter() - t0
    bounds = (f"K={gc_cycles} GC, M={stack_moves} stack moves, {len(progs)}/{total} holding "
              f"modes{'' if len(modes) == total else ' (all-direct, all-indirect, single flips)'}"
              f", one goroutine, {a.name}") if path == "value-call" else (
        f"{path}: K={gc_cycles} GC, M={stack_moves} stack moves, "
        f"{_PATH_CALLER.get(path, 'a compiled caller')}, one "
        f"goroutine, {a.name}" + (f"; MUTANTS {','.join(sorted(mutants))}" if mutants else ""))
    what = _sig_text(sig) if path == "value-call" else f"{path} {_sig_text(sig)}"
    if "INV-GC-MARK" in only:
        bounds += ("; INV-GC-MARK: one concurrent cycle per path (start, stack scan, end at "
                   "safepoints; full drains before unbarriered stores), results fresh"
                   + (" or passed through" if len(mprogs) > len(progs) else ""))
    out = []
    for inv in only:
        if inv in found:
            s, c, msg = found[inv]
            if inv == "INV-GC-MARK":
                tr = _trace(mparent, s, c)
                steps = _mark_trace_json(mprogs, tr)
                p = mprogs[s[0]]
                tprogs, tparent = mprogs, mparent
            else:
                tr = _trace(parent, s, c)
                steps = _trace_json(progs, tr)
                p = progs[s[0]]
                tprogs, tparent = progs, parent
            rmode = "; results passed through" if p.results == "args" else ""
            line = (f"{inv} false for {what} ({variant}, {a.name}): {msg} "
                    f"[{len(tr)}-step trace; {_holding_text(p.holding)}{rmode}]")
            out.append(Verdict("explore", inv, variant, a.name, "VIOLATED", bounds, n, dt, line,
                               {"message": msg, "trace": steps, "holding": list(p.holding),
                                "results": p.results},
                               {"trace_len": len(tr), "state": s, "signature": str(sig),
                                "path": path, "_progs": tprogs, "_parent": tparent}))
        else:
            status = "LIMIT" if ended == "limit" else "HOLDS"
            line = (f"{inv} undecided for {what} ({variant}, {a.name}): state limit "
                    f"{max_states} reached" if status == "LIMIT" else "")
            out.append(Verdict("explore", inv, variant, a.name, status, bounds, n, dt, line,
                               extra={"signature": str(sig), "path": path}))
    return out


def explore(sig: Signature, variant: str, arch: str = "amd64", gc_cycles: int = 2,
            stack_moves: int = 2, max_states: int = 2_000_000,
            path: str = "value-call") -> list[Verdict]:
    """One Verdict per INV-GC-* invariant for ``sig`` under ``variant``.

    Parameters
    ----------
    sig : Signature
        The function called through ``reflect.Value.Call`` (method if ``sig.recv``).
    variant : str
        A variant name (reflect deltas: model/variants.py; runtime deltas: model/gcrt.py).
    arch : str
        One of ``callmachine.MODELLED_ARCHES``.
    gc_cycles, stack_moves : int
        Bounds K and M on the number of GCs and stack moves on one path.
    max_states : int
        State budget; verdicts become LIMIT when it is exhausted first.
    path : str
        "value-call" (Value.Call), "makefunc" (a compiled call of a MakeFunc'd ``sig``) or
        "method-value" (a compiled call of the method value ``x.M``, x of type ``sig.recv``).
    """
    return explore_sig(sig, variant, arch, gc_cycles, stack_moves, max_states, path=path)


# --------------------------------------------------------------------------------------------
# Graphs and exports (networkx only here, never in the search)


def state_graph(v: Verdict) -> Any:
    """The explored state graph (tree edges of the parent map) of a VIOLATED verdict, as a
    networkx DiGraph, with the counterexample's shortest path checked by networkx."""
    import networkx as nx

    parent = v.extra["_parent"]
    g = nx.DiGraph()
    for s, pr in parent.items():
        g.add_node(s)
        if pr is not None:
            g.add_edge(pr[0], s, choice=pr[1])
    return g


def _shortest(v: Verdict) -> list:
    import networkx as nx

    g = state_graph(v)
    target = v.extra["state"]
    roots = [s for s, pr in v.extra["_parent"].items() if pr is None and s[0] == target[0]]
    return nx.shortest_path(g, roots[0], target)


def _node_label(progs: list[Program], s: tuple) -> str:
    if len(s) == 5:  # a concurrent-mark state (mark_bfs)
        pi, pc, ph, g, b = s
        pt = progs[pi].points[pc]
        return (f"{pt.where}: {pt.label[:60]}\\n{_PH[ph]}" + (
            f" grey {len(progs[pi].obj_names(g))} black {len(progs[pi].obj_names(b))}"
            if ph else "")).replace('"', "'")
    pi, pc, k, m, freed, stale = s
    pt = progs[pi].points[pc]
    extra = f"\\nK={k} M={m}" + (f" freed {len(progs[pi].obj_names(freed))}" if freed else "") \
        + (" stale" if stale else "")
    return f"{pt.where}: {pt.label[:60]}{extra}".replace('"', "'")


def to_dot(v: Verdict, path: str, max_nodes: int = 300, trace_only: bool = False) -> str:
    """Write the explored state graph of ``v`` as DOT (and SVG beside it if graphviz ``dot``
    exists): the counterexample path in red, plus as many other explored states (breadth-first
    from the start, tree edges of the search) as fit in ``max_nodes``; ``trace_only`` writes the
    path alone."""
    progs = v.extra["_progs"]
    parent = v.extra["_parent"]
    path_nodes = _shortest(v)
    on_path = set(path_nodes)
    keep = list(path_nodes)
    if not trace_only:
        for st in parent:  # insertion order of a BFS parent map = breadth-first
            if len(keep) >= max_nodes:
                break
            if st not in on_path and st[0] == path_nodes[0][0]:
                keep.append(st)
    ids = {st: i for i, st in enumerate(keep)}
    lines = ["digraph states {", "  rankdir=TB; node [shape=box, fontsize=9];",
             f'  label="{v.invariant} {v.variant} {v.arch}: {len(keep)} of {len(parent)} '
             f'explored states shown"; labelloc=t;']
    for st, i in ids.items():
        color = ", color=red, penwidth=2" if st in on_path else ""
        lines.append(f'  n{i} [label="{_node_label(progs, st)}"{color}];')
    for st, i in ids.items():
        pr = parent.get(st)
        if pr is not None and pr[0] in ids:
            red = ", color=red, penwidth=2" if st in on_path and pr[0] in on_path else ""
            lines.append(f'  n{ids[pr[0]]} -> n{i} [label="{pr[1]}"{red}];')
    msg = v.counterexample["message"].replace('"', "'")
    lines.append(f'  viol [label="{v.invariant}: {msg}", shape=note, color=red];')
    trace = v.counterexample["trace"]
    lines.append(f'  n{ids[path_nodes[-1]]} -> viol [label="{trace[-1]["choice"]}", '
                 'color=red];')
    lines.append("}")
    text = "\n".join(lines) + "\n"
    with open(path, "w") as f:
        f.write(text)
    if shutil.which("dot") and path.endswith(".dot"):
        subprocess.run(["dot", "-Tsvg", path, "-o", path[:-4] + ".svg"], check=False)
    return text


def itf_trace(v: Verdict) -> dict:
    """The counterexample of ``v`` in the ITF trace format (Apalache/Quint)."""
    steps = v.counterexample["trace"]
    states = []
    for i, d in enumerate(steps):
        states.append({"#meta": {"index": i}, "where": d["where"], "label": d["label"],
                       "choice": d["choice"], "gc_cycles": {"#bigint": str(d["gc_cycles"])},
                       "stack_moves": {"#bigint": str(d["stack_moves"])},
                       "freed": {"#set": d["freed"]}})
    return {"#meta": {"format": "ITF", "format-description":
                      "https://apalache-mc.org/docs/adr/015adr-trace.html",
                      "source": "regabi explore", "invariant": v.invariant,
                      "signature": v.extra.get("signature"), "variant": v.variant,
                      "violation": v.counterexample["message"], "bounds": v.bounds},
            "vars": ["where", "label", "choice", "gc_cycles", "stack_moves", "freed"],
            "states": states}


# --------------------------------------------------------------------------------------------
# CLI


def add_explore_arguments(parser: Any) -> None:
    """Arguments of ``regabi explore``."""
    parser.add_argument("sig", metavar="SIG", help='Go func type, e.g. "func(s string) *int"')
    parser.add_argument("--variant", default="current",
                        help="seed, current, or another variant of model/variants.py")
    parser.add_argument("--arch", default="amd64",
                        help="architecture, NAME:INT,FLOAT, or PATH.toml (a table of your own "
                             "runs the runtime code of its goarch) (default amd64)")
    parser.add_argument("--gc-cycles", "-K", type=int, default=2, dest="gc_cycles")
    parser.add_argument("--stack-moves", "-M", type=int, default=2, dest="stack_moves")
    parser.add_argument("--max-states", type=int, default=2_000_000)
    parser.add_argument("--trace", action="store_true", help="print each counterexample trace")
    parser.add_argument("--dot", metavar="F", help="write the first violation's state graph "
                        "as DOT (+SVG with graphviz; counterexample path in red)")
    parser.add_argument("--svg", metavar="F", help="the same graph rendered as SVG (graphviz)")
    parser.add_argument("--dot-trace-only", action="store_true",
                        help="with --dot/--svg: the counterexample path alone")
    parser.add_argument("--itf", metavar="F", help="write the first trace as ITF JSON")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--recv", metavar="T", help="receiver type (method call; with --path "
                        "method-value: the method value's receiver)")
    parser.add_argument("--path", default="value-call", choices=EXPLORE_PATHS,
                        help="the call path: reflect.Value.Call (default), a compiled call of "
                        "a MakeFunc'd function, or of a method value (needs --recv), or "
                        "runFinalizers running a finalizer func(*T or interface) (R...), or "
                        "callbackWrap running a Windows callback (go1.27.3)")


def print_trace(v: Verdict, out: Any = None) -> None:
    """A trace step by step: the step, the registers that matter, what the GC sees."""
    out = out if out is not None else sys.stdout
    ce = v.counterexample
    print(f"{v.invariant} ({v.variant}): {ce['message']}", file=out)
    hold = ", ".join(f"arg {i} {'indirect (ValueOf(&x).Elem())' if h else 'direct'}"
                     for i, h in enumerate(ce["holding"]))
    path = v.extra.get("path", "value-call")
    if path == "value-call":
        print(f"  holding: {hold or '(no arguments)'}", file=out)
    else:
        print(f"  path: {path} ({_PATH_HOW.get(path, _PATH_HOW['makefunc'])})",
              file=out)
    for d in ce["trace"]:
        ch = {"step": "", "gc": "  ** GC **", "move": "  ** stack copy **",
              "gc-start": "  ** GC starts: stop the world, write barrier on **",
              "scan": "  ** GC scans this goroutine's stack (once per cycle) **",
              "drain": "  ** mark workers drain the grey objects **",
              "gc-end": "  ** mark termination, sweep **"}[d["choice"]]
        src = f"  [{d['src']}]" if d.get("src") else ""
        print(f"  {d['step']:3d} {d['where']:<16} {d['label']}{ch}{src}", file=out)
        if d.get("regs") and d["choice"] == "step":
            print(f"        regs: {d['regs']}", file=out)
        if d["choice"] in ("gc", "move", "scan", "gc-end") and d.get("frames"):
            print(f"        frames: {d['frames']}", file=out)
        if d["choice"] in ("gc", "scan", "gc-end"):
            print(f"        GC sees: {d['gc_sees']}", file=out)
        if d.get("barrier") and d["choice"] == "step":
            print(f"        stores: {d['barrier']}", file=out)
        if "mark" in d and (d["choice"] != "step" or d.get("barrier")):
            print(f"        → mark: {d['mark']}" + (
                f"; grey: {', '.join(d['grey']) or '-'}; black: {', '.join(d['black']) or '-'}"
                if "grey" in d else ""), file=out)
        if d["choice"] == "move":
            print(f"        not adjusted: {', '.join(map(_place, d['left_stale'])) or '(nothing)'}",
                  file=out)
        if d["freed"]:
            print(f"        freed so far: {', '.join(d['freed'])}", file=out)
    print(f"  ⇒ {ce['message']}", file=out)


def cli_explore(args: Any) -> int:
    """``regabi explore``: verdict table, traces, exports; exit 1 on a violation."""
    sig = parse_signature(args.sig, recv=args.recv)
    vs = explore(sig, args.variant, args.arch, args.gc_cycles, args.stack_moves, args.max_states,
                 getattr(args, "path", "value-call"))
    bad = [v for v in vs if v.status == "VIOLATED"]
    if args.json:
        print(json.dumps([_public(v) for v in vs], indent=2))
    else:
        print(render_table(vs))
        if args.trace:
            for v in bad:
                print()
                print_trace(v)
    if bad and args.dot:
        to_dot(bad[0], args.dot, trace_only=args.dot_trace_only)
    if bad and args.svg:
        if not shutil.which("dot"):
            print("error: --svg needs graphviz's `dot` on PATH", file=sys.stderr)
            return 2
        with tempfile.TemporaryDirectory() as d:
            to_dot(bad[0], f"{d}/g.txt", trace_only=args.dot_trace_only)
            subprocess.run(["dot", "-Tsvg", f"{d}/g.txt", "-o", args.svg], check=True)
    if bad and args.itf:
        with open(args.itf, "w") as f:
            json.dump(itf_trace(bad[0]), f, indent=1)
    return exit_status(vs)


def _public(v: Verdict) -> dict:
    d = v.to_json()
    d.pop("extra", None)
    d["extra"] = {k: x for k, x in v.extra.items() if not k.startswith("_") and k != "state"}
    return d


def corpus_signatures() -> list[Signature]:
    """The built-in corpus, parsed."""
    out = [parse_signature(s) for s in BUILTIN_CORPUS]
    out += [parse_signature(s, recv=r) for s, r in BUILTIN_METHODS]
    return out


def _attribute(sig: Signature, inv: str, v: Variant, arch: str, holding: list[bool],
               k: int, m: int) -> tuple[str, ...]:
    """The single delta of ``v`` from current whose reversal removes the violation (same
    signature, same holding mode, same bounds), else () (proofs/causes.py does the same for
    the layout invariants). Runtime deltas (model/gcrt.py) follow the reflect variant's name:
    a hypothetical variant ``seed-…`` keeps the seed's runtime."""
    for d in v.deltas(CURRENT):
        fixed = replace(v, name=f"{v.name}-{d}", **{d: getattr(CURRENT, d)})
        (r,) = explore_sig(sig, fixed, arch, k, m, only=(inv,), holding=[tuple(holding)])
        if r.status == "HOLDS":
            return (d,)
    rv, cur = runtime_variant(v.name), RUNTIME_VARIANTS["current"]
    for d in RUNTIME_DELTAS:
        if getattr(rv, d) != getattr(cur, d):
            (r,) = explore_sig(sig, v, arch, k, m, only=(inv,), holding=[tuple(holding)],
                               runtime=replace(rv, **{d: getattr(cur, d)}))
            if r.status == "HOLDS":
                return (d,)
    return ()


def _delta_rule(d: str) -> str:
    """The rule ID of a reflect (VAR-n) or runtime (RT-n) delta."""
    return DELTAS[d][0] if d in DELTAS else RUNTIME_DELTAS[d][0]


def _delta_text(d: str) -> str:
    return f"{_delta_rule(d)} {d}"


def _row_time(t0: float, spent: float) -> float:
    """A row's time: its own work plus the cost of the cached explorations it consulted."""
    return max(time.perf_counter() - t0, spent)


#: Bounds of ``regabi check``'s exploration (issue 8: K >= 2 GCs, M >= 2 stack copies).
CHECK_K, CHECK_M = 2, 2


def check_section(variants: tuple[str, ...] = ("seed", "current"),
                  arch: str = "amd64") -> list[Verdict]:
    """``regabi check``: per (invariant, variant), the built-in corpus at K=2, M=2. A violation
    is attributed to the variant delta that explains it (VAR-…); that delta is then reverted
    and the corpus searched again, so independent causes each get their own row. A violation
    no reflect delta explains is reported with cause "runtime" (model/gcrt.py deltas) or none."""
    sigs = corpus_signatures()
    K, M = CHECK_K, CHECK_M
    bounds = (f"{len(sigs)} corpus signatures; K={K} GC, M={M} stack copies; all holding modes "
              "up to 16 per signature, else all-direct, all-indirect and single flips")
    out = []
    cache: dict[tuple[str, str], tuple[dict[str, Verdict], float]] = {}
    spent = [0.0]  # exploration seconds this row used, cached runs counted at their cost

    def run(sig: Signature, v: Variant) -> dict[str, Verdict]:
        key = (v.name, str(sig))
        if key not in cache:
            t = time.perf_counter()
            rs = {r.invariant: r for r in explore_sig(sig, v, arch, K, M)}
            cache[key] = (rs, time.perf_counter() - t)
        spent[0] += cache[key][1]
        return cache[key][0]

    for var in variants:
        base = get_variant(var)
        for inv in INV_IDS:
            t0 = time.perf_counter()
            spent[0] = 0.0
            v = base
            rules: list[str] = []
            for _round in range(6):
                hit = None
                for sig in sigs:
                    r = run(sig, v)[inv]
                    if r.status != "HOLDS":
                        hit = (sig, r)
                        break
                if hit is None:
                    name = var if not rules else f"{var} w/o {','.join(rules)}"
                    out.append(Verdict("explore", inv, name, arch, "HOLDS", bounds, len(sigs),
                                       _row_time(t0, spent[0])))
                    break
                sig, r = hit
                ds = _attribute(sig, inv, v, arch, r.counterexample["holding"], K, M) \
                    if r.status == "VIOLATED" else ()
                why = ", ".join(_delta_text(d) for d in ds) or (
                    "no variant delta" if r.status == "VIOLATED" else "undecided")
                line = (r.line.replace(f"({v.name}, ", f"({var}, ") + f"  [cause: {why}]"
                        if r.line else "")
                out.append(Verdict("explore", inv, var, arch, r.status, r.bounds + "; " + bounds,
                                   len(sigs), _row_time(t0, spent[0]), line, r.counterexample,
                                   {**{k: x for k, x in r.extra.items()
                                       if not k.startswith("_")}, "cause": list(ds),
                                    "rules": [_delta_rule(d) for d in ds]}))
                if not ds or any(d in RUNTIME_DELTAS for d in ds):
                    # a runtime cause cannot be reverted on the reflect variant; the rest of
                    # the corpus is reported by the rows above
                    break
                rules += [DELTAS[d][0] for d in ds]
                v = replace(v, name=f"{v.name}-{'-'.join(ds)}",
                            **{d: getattr(CURRENT, d) for d in ds})
    return out
