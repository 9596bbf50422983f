"""The joint fold every layout invariant observes: over a signature's values, side by side,

* the spec's assignment (ASG; what the compiled callee expects),
* reflect's newAbiDesc in a variant (RFL, FRM, BMP),
* reflect's newAbiDesc with no registers (what INV-ABI0 compares with ABI0),
* ABI0's sequential layout (pre-regabi reflect funcLayout; every value at the next offset aligned
  to its type),

plus each invariant's *ghost* state (model/invariants.py). A value is processed in events —
``begin``, one ``group`` per register group of its decomposition walks, ``end`` — and every
function here takes a domain: the concrete check runs them on one signature, ``regabi prove``
runs them on symbolic values (bounded search) and on a symbolic state (one induction step).

Each event also states what it *assumes* of its inputs: the well-formedness of the value's
summary (model/summary.py ``wf``), checked event by event. Concretely these are facts about a
real Go type (and checked as such); symbolically they constrain the free inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from regabi.model.arch import Arch
from regabi.model.assign import (
    ReflCur,
    ReflPlace,
    ReflState,
    Regs,
    SpecCur,
    SpecState,
    rcvr_is_ptr,
    rcvr_word,
    refl_begin,
    refl_between,
    refl_end_arg,
    refl_end_rcvr,
    refl_end_result,
    refl_finish,
    refl_group,
    refl_init,
    spec_begin,
    spec_between,
    spec_end,
    spec_finish,
    spec_group,
    spec_init,
    walk,
)
from regabi.model.domain import Domain
from regabi.model.summary import Group, Summary, basic, group_wf, value_wf
from regabi.model.variants import Variant

__all__ = ["Ctx", "Cur", "Finals", "GroupRec", "Joint", "Ob", "ValueRec", "driver_mismatch", "run",
           "when"]


class Ob(NamedTuple):
    """One obligation: ``cond`` must hold; ``msg`` explains a concrete failure."""

    inv: str
    cond: Any
    msg: Any  # Callable[[], str]; only called concretely, when cond is False


def when(D: Domain, cond: Any, obs: list[Ob]) -> list[Ob]:
    """``obs`` where ``cond`` holds (a Python bool, or a domain Boolean: the bounded search's
    receiver there or not, :func:`run`)."""
    if cond is True:
        return obs
    return [o._replace(cond=D.implies(cond, o.cond)) for o in obs]


class Cur(NamedTuple):
    """The value being processed (meaningless between values)."""

    s: Summary  # its summary, groups left out (they arrive as events)
    ss: Summary  # what the spec assigns (the receiver: one pointer word, ASG-9)
    rs: Summary  # what reflect assigns (the receiver: addRcvr's word)
    is_ptr: Any  # the receiver: its word is a pointer (RFL-5)
    j: Any  # groups seen so far
    spec: SpecCur
    refl: ReflCur
    zero: ReflCur
    seq: Any  # its ABI0 offset
    # what the events assume of the walks so far (WF): end of the last group, parts counted
    s_end: Any
    s_ni: Any
    s_nf: Any
    r_end: Any
    r_ni: Any
    r_nf: Any


class GroupRec(NamedTuple):
    """One group event as every algorithm saw it."""

    role: str
    index: int  # type: ignore[assignment]  # a field named like tuple.index, on purpose
    j: Any
    gs: Group  # the spec's walk's group j
    gr: Group  # reflect's walk's group j
    live_s: Any
    live_r: Any
    s_idx: Any  # the spec's first register for it
    r_put: Any  # reflect placed it
    r_idx: Any
    z_put: Any  # no-register reflect placed it


class ValueRec(NamedTuple):
    """What every algorithm did with one value, at its end."""

    role: str  # "recv", "arg", "result"
    index: int  # type: ignore[assignment]  # a field named like tuple.index, on purpose
    s: Summary
    ss: Summary
    spec: SpecCur  # .fits, .off, .spill
    refl: ReflPlace
    zero: ReflPlace
    seq: Any  # ABI0 offset


class Joint(NamedTuple):
    spec: SpecState
    refl: ReflState
    zero: ReflState
    seq: Any
    # set when the arguments end (between); 0 before
    s_args: Any  # spec: end of stack arguments
    s_ret: Any  # spec: results offset
    r_args: Any  # reflect: stackCallArgsSize
    r_ret: Any  # reflect: retOffset
    spill: Any  # reflect: spill
    z_ret: Any  # no-register reflect: retOffset
    q_ret: Any  # ABI0: results offset
    cur: Cur | None
    ghosts: tuple[Any, ...]


class Finals(NamedTuple):
    offset_to_spill_area: Any
    spill_area_size: Any
    frame_type_size: Any
    frame_size: Any


@dataclass
class Ctx:
    """One run's fixed facts: domain, architecture, variant, invariants, and what the run
    assumes (WF of its inputs), collected event by event."""

    D: Domain
    arch: Arch
    variant: Variant
    #: a Python bool; in the bounded search's free phase also a domain Boolean, the receiver
    #: there or not: both signature families in one query (``run``)
    has_rcvr: Any
    invs: Sequence[Any]  # model.invariants.Invariant
    size_bound: int | None = None  # SIG-3 for proofs; MAXWIDTH otherwise
    link_sets: bool = True
    sig: Any = None  # the concrete signature, for messages
    regs: Regs = field(init=False)
    zregs: Regs = field(init=False)
    assumed: list[tuple[str, Any]] = field(default_factory=list)
    #: the roles of the values whose WF the events assume: all of them, unless the caller
    #: knows WF of some by construction and states it otherwise (the bounded search's
    #: grammar values, real Go types: proofs/bounded.py)
    wf_roles: frozenset[str] = frozenset(("recv", "arg", "result"))

    def __post_init__(self) -> None:
        self.regs = Regs.of(self.arch)
        self.zregs = self.regs._replace(n_int=0, n_float=0)

    @property
    def ps(self) -> int:
        return self.arch.ptr_size

    def name(self, role: str, index: int) -> str:
        return "the receiver" if role == "recv" else f"{role} {index}"

    def assume(self, clauses: list[tuple[str, Any]]) -> None:
        self.assumed.extend(c for c in clauses if c[1] is not True)


def _hooks(c: Ctx, J: Joint, post: Joint, method: str, *args: Any) -> tuple[Joint, list[Ob]]:
    obs: list[Ob] = []
    ghosts = []
    for inv, g in zip(c.invs, J.ghosts, strict=True):
        g2, o = getattr(inv, method)(c, g, J, post, *args)
        ghosts.append(g2)
        obs.extend(o)
    return post._replace(ghosts=tuple(ghosts)), obs


def j_init(c: Ctx) -> Joint:
    D = c.D
    return Joint(spec_init(), refl_init(D), refl_init(D), 0, 0, 0, 0, 0, 0, 0, 0, None,
                 tuple(inv.init(c) for inv in c.invs))


def value_only(s: Summary) -> Summary:
    """A summary without its groups: what a ``begin`` event carries."""
    return s._replace(spec=s.spec._replace(groups=()), seed=s.seed._replace(groups=()))


def j_begin(c: Ctx, J: Joint, s: Summary, role: str, index: int) -> tuple[Joint, list[Ob]]:
    """A value starts: its summary as a whole (WF of it is assumed)."""
    D, v = c.D, c.variant
    if role in c.wf_roles:
        c.assume(value_wf(D, s, c.ps, c.size_bound))
    if role == "recv":
        ss = basic("ptr", c.ps)
        is_ptr = rcvr_is_ptr(D, s, c.ps, v)
        rs = rcvr_word(D, is_ptr, c.ps)
        seq = D.align(J.seq, c.ps)
    else:
        ss = rs = s
        is_ptr = False
        seq = D.align(J.seq, s.align)
    spec = spec_begin(D, J.spec, value_only(ss), c.regs)
    refl = refl_begin(D, J.refl, rs, v)
    zero = refl_begin(D, J.zero, rs, v)
    cur = Cur(value_only(s), value_only(ss), value_only(rs), is_ptr, 0, spec, refl, zero, seq,
              0, 0, 0, 0, 0, 0)
    return _hooks(c, J, J._replace(cur=cur), "begin", role, index)


def j_group(c: Ctx, J: Joint, gs: Group, gr: Group, role: str,
            index: int) -> tuple[Joint, list[Ob]]:
    """Group j of the value's walks: the spec's walk and reflect's (they differ only in the
    seed, VAR-3). A group past the end of a walk is not live for that walk."""
    D, cur = c.D, J.cur
    assert cur is not None
    rwalk = walk(cur.rs, c.variant)
    live_s = D.ult(cur.j, cur.ss.spec.n)
    live_r = D.ult(cur.j, rwalk.n)
    wf = role in c.wf_roles
    if wf:
        c.assume(group_wf(D, gs, live_s, cur.s_end, cur.ss, c.ps, c.link_sets))
        c.assume(group_wf(D, gr, live_r, cur.r_end, cur.rs, c.ps, c.link_sets))
    # the seed's walk starts with the spec's: it visits the same fields in the same order and
    # only skips zero-size ones, which have no groups (WF-SEED-PREFIX)
    if wf and c.variant.visit_zero_fields is False and role != "recv":
        c.assume([("WF-SEED-PREFIX", D.implies(live_s, D.and_(live_r, *[
            D.eq(x, y) for x, y in zip(gs, gr, strict=True)])))])
    spec, s_idx = spec_group(D, cur.spec, gs, live_s)
    refl, r_put, r_idx = refl_group(D, cur.refl, gr, live_r, c.regs)
    zero, z_put, _z = refl_group(D, cur.zero, gr, live_r, c.zregs)
    bytes_s = gs.off + _gbytes(D, gs)
    bytes_r = gr.off + _gbytes(D, gr)
    ncur = cur._replace(
        j=cur.j + 1, spec=spec, refl=refl, zero=zero,
        s_end=D.ite(live_s, bytes_s, cur.s_end),
        s_ni=cur.s_ni + D.ite(D.and_(live_s, gs.isint), gs.n, 0),
        s_nf=cur.s_nf + D.ite(D.and_(live_s, D.not_(gs.isint)), gs.n, 0),
        r_end=D.ite(live_r, bytes_r, cur.r_end),
        r_ni=cur.r_ni + D.ite(D.and_(live_r, gr.isint), gr.n, 0),
        r_nf=cur.r_nf + D.ite(D.and_(live_r, D.not_(gr.isint)), gr.n, 0))
    # a walk delivers no more parts than its summary counts (they are equal at its end)
    if wf:
        c.assume([("WF-PROGRESS", D.and_(
            D.ule(ncur.s_ni, cur.ss.spec.ni), D.ule(ncur.s_nf, cur.ss.spec.nf),
            D.ule(ncur.r_ni, rwalk.ni), D.ule(ncur.r_nf, rwalk.nf)))])
    rec = GroupRec(role, index, cur.j, gs, gr, live_s, live_r, s_idx, r_put, r_idx, z_put)
    return _hooks(c, J, J._replace(cur=ncur), "group", rec)


def _gbytes(D: Domain, g: Group) -> Any:
    from regabi.model.summary import group_bytes

    return group_bytes(D, g)


def j_end(c: Ctx, J: Joint, role: str, index: int) -> tuple[Joint, list[Ob]]:
    """A value ends: every group was seen (assumed), each algorithm finishes it."""
    D, v, cur = c.D, c.variant, J.cur
    assert cur is not None
    rwalk = walk(cur.rs, v)
    if role in c.wf_roles:
        c.assume([("WF-GROUPS-SEEN", D.and_(D.ule(cur.ss.spec.n, cur.j),
                                            D.ule(rwalk.n, cur.j))),
                  ("WF-COUNTS", D.and_(D.eq(cur.s_ni, cur.ss.spec.ni),
                                       D.eq(cur.s_nf, cur.ss.spec.nf),
                                       D.eq(cur.r_ni, rwalk.ni), D.eq(cur.r_nf, rwalk.nf)))])
    s = cur.s
    if role == "recv":
        spec = spec_end(D, J.spec, cur.spec, cur.ss, False)
        refl, rp = refl_end_rcvr(D, J.refl, cur.refl, cur.is_ptr, c.regs)
        zero, zp = refl_end_rcvr(D, J.zero, cur.zero, cur.is_ptr, c.zregs)
        seq = cur.seq + c.ps
    elif role == "arg":
        spec = spec_end(D, J.spec, cur.spec, s, False)
        refl, rp = refl_end_arg(D, J.refl, cur.refl, s, c.regs, v, c.has_rcvr)
        zero, zp = refl_end_arg(D, J.zero, cur.zero, s, c.zregs, v, c.has_rcvr)
        seq = cur.seq + s.size
    else:
        spec = spec_end(D, J.spec, cur.spec, s, True)
        refl, rp = refl_end_result(D, J.refl, cur.refl, s, c.regs, v)
        zero, zp = refl_end_result(D, J.zero, cur.zero, s, c.zregs, v)
        seq = cur.seq + s.size
    rec = ValueRec(role, index, s, cur.ss, cur.spec, rp, zp, cur.seq)
    post = J._replace(spec=spec, refl=refl, zero=zero, seq=seq, cur=None)
    return _hooks(c, J, post, "end", rec)


def j_value(c: Ctx, J: Joint, s: Summary, role: str, index: int) -> tuple[Joint, list[Ob]]:
    """A whole value: begin, every group of both walks, end."""
    J, obs = j_begin(c, J, s, role, index)
    cur = J.cur
    assert cur is not None
    if role == "recv":
        sg = basic("ptr", c.ps).spec.groups
        rg = rcvr_word(c.D, cur.is_ptr, c.ps).spec.groups
    else:
        sg, rg = s.spec.groups, walk(s, c.variant).groups
    n = max(len(sg), len(rg))
    for j in range(n):
        gs = sg[j] if j < len(sg) else (rg[j] if j < len(rg) else sg[0])
        gr = rg[j] if j < len(rg) else gs
        J, o = j_group(c, J, gs, gr, role, index)
        obs += o
    J, o = j_end(c, J, role, index)
    return J, obs + o


def j_between(c: Ctx, J: Joint) -> tuple[Joint, list[Ob]]:
    D = c.D
    spec, s_args, s_ret = spec_between(D, J.spec, c.regs)
    refl, (r_args, r_ret, spill) = refl_between(D, J.refl, c.regs, c.variant)
    zero, (_z_args, z_ret, _z_spill) = refl_between(D, J.zero, c.zregs, c.variant)
    q_ret = D.align(J.seq, c.ps)
    post = Joint(spec, refl, zero, q_ret, s_args, s_ret, r_args, r_ret, spill, z_ret, q_ret,
                 None, J.ghosts)
    return _hooks(c, J, post, "between")


def finals(c: Ctx, J: Joint) -> Finals:
    sf = spec_finish(c.D, J.spec, c.regs)
    rf = refl_finish(c.D, J.refl, c.regs, J.spill)
    return Finals(sf.offset_to_spill_area, sf.spill_area_size, rf.frame_type_size,
                  rf.frame_size)


def j_final(c: Ctx, J: Joint) -> list[Ob]:
    f = finals(c, J)
    obs: list[Ob] = []
    for inv, g in zip(c.invs, J.ghosts, strict=True):
        obs.extend(inv.final(c, g, J, f))
    return obs


#: the fold's state after a step of :func:`run`, with how many clauses the context had
#: assumed and how many obligations the run had emitted by then
Mark = tuple["Joint", int, int]


def run(c: Ctx, rcvr: Summary | None, params: Sequence[Summary],
        results: Sequence[Summary], marks: list[Mark] | None = None) -> tuple[Joint, list[Ob]]:
    """The whole signature: receiver, arguments, between, results, final obligations. With
    ``marks``, the state after each step (each value and ``between``) is appended to it with
    the number of clauses assumed and obligations emitted so far: the run's prefixes, which
    the bounded search's cut points ask about (the same steps, so the same terms, as a run
    of that prefix alone). With ``c.has_rcvr`` a domain Boolean instead of a Python bool,
    ``rcvr`` is the receiver where it holds: the signatures with and without one in one run
    (spec/proofs.md PRF-6)."""
    J = j_init(c)
    obs: list[Ob] = []
    if rcvr is not None and not isinstance(c.has_rcvr, bool):
        # the receiver there or not, as c.has_rcvr says: the state after it is the one
        # after the receiver's step or the initial one, its obligations only where it is
        post, o = j_value(c, J, rcvr, "recv", 0)
        J = c.D.sel(c.has_rcvr, post, J)
        obs += when(c.D, c.has_rcvr, o)
        if marks is not None:
            marks.append((J, len(c.assumed), len(obs)))
        rcvr = None
    steps = ([("recv", 0, rcvr)] if rcvr is not None else []) + \
        [("arg", i, s) for i, s in enumerate(params)] + [("between", 0, None)] + \
        [("result", i, s) for i, s in enumerate(results)]
    for role, i, s in steps:
        J, o = j_between(c, J) if s is None else j_value(c, J, s, role, i)
        obs += o
        if marks is not None:
            marks.append((J, len(c.assumed), len(obs)))
    obs += j_final(c, J)
    return J, obs


_ = (ReflCur, Group)


def driver_mismatch(sig: Any, arch: Arch, v: Variant) -> str:
    """Where this fold, run concretely, disagrees with the layout's own drivers on ``sig``
    (model/assign.py ``reflect_assign`` and ``spec_assign``, what ``regabi layout`` runs and
    what the REFLECT=/SPEC=GO1.27.3 premises hold against go1.27.3): "" when it agrees.

    The two share every step function but not the loop over the values (this one also folds
    the invariants' ghosts, the no-register reflect and ABI0 alongside), so a slip in either
    loop — a value's role or index, a flag passed to a step — would leave the proofs about a
    fold that is not the one laid out and recorded. PRF-3's premise JOINT=LAYOUT runs this on
    every recorded signature."""
    from regabi.model.assign import reflect_assign, spec_assign
    from regabi.model.domain import CONCRETE
    from regabi.model.summary import summarize

    ps = arch.ptr_size
    c = Ctx(CONCRETE, arch, v, sig.recv is not None, (), sig=sig)
    J, _ = run(c, summarize(sig.recv, ps) if sig.recv is not None else None,
               [summarize(t, ps) for t in sig.params], [summarize(t, ps) for t in sig.results])
    f = finals(c, J)
    d, sp = reflect_assign(sig, arch, v), spec_assign(sig, arch)
    pairs = (
        ("reflect stackCallArgsSize", J.r_args, d.stack_call_args_size),
        ("reflect retOffset", J.r_ret, d.ret_offset),
        ("reflect spill", J.spill, d.spill),
        ("reflect stackPtrs", J.refl.sptrs, d.stack_ptrs),
        ("reflect stackPtrs.n", J.refl.sn, d.stack_ptrs_n),
        ("reflect inRegPtrs", J.refl.inptrs if v.in_reg_ptrs else None, d.in_reg_ptrs),
        ("reflect outRegPtrs", J.refl.outptrs, d.out_reg_ptrs),
        ("reflect results' stack bytes", J.refl.S - J.r_ret, d.ret.stack_bytes),
        ("reflect result registers", (J.refl.I, J.refl.F), (d.ret.iregs, d.ret.fregs)),
        ("frametype.size", f.frame_type_size, d.frame_type_size),
        ("frameSize", f.frame_size, d.frame_size),
        ("spec end of stack arguments", J.s_args, sp.args_stack_size),
        ("spec results offset", J.s_ret, sp.ret_offset),
        ("spec offset to the spill area", f.offset_to_spill_area, sp.offset_to_spill_area),
        ("spec spill area size", f.spill_area_size, sp.spill_area_size),
    )
    for what, got, want in pairs:
        if got != want:
            bits = what.endswith("Ptrs")  # bitmaps: words or registers, bit i = i
            return (f"{what}: the proofs' fold gives {_show(got, bits)}, the layout gives "
                    f"{_show(want, bits)} for {sig.go()}"
                    + (f" [recv {sig.recv}]" if sig.recv is not None else "")
                    + f" ({v.name}, {arch.name})")
    return ""


def _show(x: Any, bits: bool) -> str:
    return f"{x:#b}" if bits and isinstance(x, int) else str(x)


def machine_candidates(c: Ctx, J: Joint, phase: str) -> list[tuple[str, Any]]:
    """Facts of the fold itself that induction may use as lemmas (Houdini keeps the inductive
    ones): inside a value, what ``begin`` computed from the state before it."""
    D = c.D
    out = [("specI<=NI", D.ule(J.spec.I, c.regs.n_int)),
           ("specF<=NF", D.ule(J.spec.F, c.regs.n_float))]
    if c.variant.spill_by_type:
        out.append(("spill_f=0", D.eq(J.refl.spill_f, 0)))
    cur = J.cur
    if cur is None:
        return out
    ss, rs = cur.ss, cur.rs
    fits = D.and_(D.not_(D.eq(ss.size, 0)), ss.spec.ok,
                  D.ule(J.spec.I + ss.spec.ni, c.regs.n_int),
                  D.ule(J.spec.F + ss.spec.nf, c.regs.n_float))
    zero = D.eq(rs.size, 0) if c.variant.zero_size_aligns_stack else False
    out += [("spec.fits=begin", D.eq(cur.spec.fits, fits)),
            ("spec.off=begin", D.eq(cur.spec.off, D.align(J.spec.S, ss.align))),
            ("spec.spill=begin", D.eq(cur.spec.spill, D.align(J.spec.SP, ss.align))),
            ("refl.zero=begin", D.eq(cur.refl.zero, zero)),
            ("zero.zero=begin", D.eq(cur.zero.zero, zero)),
            ("spec.ci=progress", D.eq(cur.spec.ci, J.spec.I + cur.s_ni)),
            ("spec.cf=progress", D.eq(cur.spec.cf, J.spec.F + cur.s_nf)),
            ("refl.I>=before", D.ule(J.refl.I, cur.refl.I)),
            ("refl.F>=before", D.ule(J.refl.F, cur.refl.F)),
            ("refl.I=progress", D.implies(cur.refl.fits, D.eq(cur.refl.I, J.refl.I + cur.r_ni))),
            ("refl.F=progress", D.implies(cur.refl.fits, D.eq(cur.refl.F, J.refl.F + cur.r_nf))),
            ("refl.I<=NI", D.ule(cur.refl.I, c.regs.n_int)),
            ("refl.F<=NF", D.ule(cur.refl.F, c.regs.n_float)),
            ("zero.I=before", D.eq(cur.zero.I, J.zero.I)),
            ("zero.F=before", D.eq(cur.zero.F, J.zero.F)),
            ("zero.fits->empty", D.implies(cur.zero.fits, D.eq(cur.r_ni + cur.r_nf, 0)))]
    return out
