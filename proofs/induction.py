"""Unbounded proofs by induction over a signature's events (spec/proofs.md).

The joint fold of model/joint.py processes a signature as a stream of events: the receiver,
then per argument ``begin``, one ``group`` per register group, ``end``; then ``between``; then
the results likewise; then the end. An invariant holds for every signature — any receiver, any
number of arguments and results, any types, any number of register groups per value — when its
obligations follow from an *inductive invariant* of the fold state, checked one event at a time
on the model's own step functions run over Z3 terms:

* INIT: it holds after the receiver (or with none);
* BEGIN, GROUP, END: if it holds before an event, it holds after, and the event's obligations
  hold (for arguments and for results);
* BETWEEN: it carries from the arguments to the results, with their end obligations;
* FINAL: the end obligations hold.

Every input of a step is free: the state, the value's summary (constrained by WF, which lemmas
TYPE-* prove of every Go type) and the group. The inductive invariant is found, not written:
each invariant of the registry proposes candidate facts (model/invariants.py ``candidates``) and
Houdini keeps the largest subset that is inductive. A candidate can never make a proof unsound,
only possible.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from regabi.model.arch import Arch
from regabi.model.assign import ReflCur, SpecCur
from regabi.model.domain import SymSet, Z3Domain
from regabi.model.invariants import CATALOGUE, Invariant
from regabi.model.joint import (
    Ctx,
    Cur,
    Joint,
    Ob,
    j_begin,
    j_between,
    j_end,
    j_final,
    j_group,
    j_init,
    j_value,
    machine_candidates,
    value_only,
)
from regabi.model.summary import Group, value_wf
from regabi.model.variants import Variant
from regabi.proofs.symbolic import (
    PROOF_WIDTH,
    SIZE_BOUND,
    STATE_BOUND,
    decode_summary,
    free_summary,
    instantiate_wf,
    make_solver,
)

__all__ = ["LEMMAS", "InductionResult", "prove_by_induction"]

#: The steps of the proof, in the order they are reported.
LEMMAS = ("INIT", "BEGIN-ARG", "GROUP-ARG", "END-ARG", "BETWEEN", "BEGIN-RESULT",
          "GROUP-RESULT", "END-RESULT", "FINAL")


@dataclass
class InductionResult:
    """Per invariant: "PROVED", "CTI" (a counterexample to induction) or "UNKNOWN"."""

    status: dict[str, str] = field(default_factory=dict)
    cti: dict[str, str] = field(default_factory=dict)
    lemmas: dict[str, list[str]] = field(default_factory=dict)  # situation -> kept candidates
    dropped: dict[str, list[str]] = field(default_factory=dict)
    queries: int = 0
    seconds: float = 0.0
    unknown: list[str] = field(default_factory=list)


class _Step:
    """One event run symbolically from a free state (a fresh domain per query)."""

    def __init__(self, arch: Arch, variant: Variant, has_rcvr: bool,
                 invs: Sequence[Invariant], tag: str,
                 only: Callable[[str], bool] | None = None, link_sets: bool = False) -> None:
        self.D = Z3Domain(prefix=f"{tag}.", width=PROOF_WIDTH)
        self.only = only
        self.c = Ctx(self.D, arch, variant, has_rcvr, tuple(invs), size_bound=SIZE_BOUND,
                     link_sets=link_sets)
        self.assume: list[Any] = []
        self.summaries: list[Any] = []

    # free inputs ------------------------------------------------------------------------------
    def num(self, name: str) -> Any:
        x = self.D.fresh(name)
        self.assume.append(self.D.ult(x, STATE_BOUND))
        return x

    def free(self, x: Any, name: str) -> Any:
        """A fresh value shaped like ``x``; numbers bounded (no wrap-around in one step)."""
        D = self.D
        if x is None:
            return None
        if isinstance(x, bool):
            return D.fresh_bool(name)
        if isinstance(x, int):
            return self.num(name)
        if isinstance(x, SymSet):
            return D.fresh_set(name)
        if isinstance(x, tuple):
            vals = [self.free(v, f"{name}.{i}") for i, v in enumerate(x)]
            return type(x)(*vals) if hasattr(x, "_fields") else tuple(vals)
        if D.z3.is_bool(x):
            return D.fresh_bool(name)
        return self.num(name)

    def value(self, name: str) -> Any:
        s = value_only(free_summary(self.D, name, 0))
        self.summaries.append(s)
        return s

    def group(self, name: str) -> Group:
        D = self.D
        return Group(D.fresh_bool(f"{name}.int"), self.num(f"{name}.off"),
                     self.num(f"{name}.size"), self.num(f"{name}.n"), self.num(f"{name}.ptr"),
                     self.num(f"{name}.itab"))

    def between_state(self, phase: str) -> Joint:
        tmpl = j_init(self.c)
        if phase == "results":
            tmpl, _ = j_between(self.c, tmpl)
        return self.free(tmpl, "pre")  # type: ignore[no-any-return]

    def inside_state(self, phase: str) -> Joint:
        """A free state inside an argument or result: the value is any WF value, the progress
        through its groups any that respects its counts."""
        D = self.D
        J = self.between_state(phase)
        s = self.value("cur")
        self.assume += [x for _n, x in value_wf(D, s, self.c.ps, SIZE_BOUND)
                        if not isinstance(x, bool)]
        fb, fn = D.fresh_bool, self.num
        cur = Cur(s, s, s, False, fn("j"), SpecCur(fb("sfits"), fn("ci"), fn("cf"), fn("soff"),
                                                   fn("sspill")),
                  ReflCur(fb("rzero"), fb("rfits"), fn("rI"), fn("rF"), fn("rbits")),
                  ReflCur(fb("zzero"), fb("zfits"), fn("zI"), fn("zF"), fn("zbits")),
                  fn("seq"), fn("s_end"), fn("s_ni"), fn("s_nf"), fn("r_end"), fn("r_ni"),
                  fn("r_nf"))
        w = s.spec if self.c.variant.visit_zero_fields else s.seed
        self.assume += [D.ule(cur.s_ni, s.spec.ni), D.ule(cur.s_nf, s.spec.nf),
                        D.ule(cur.r_ni, w.ni), D.ule(cur.r_nf, w.nf)]
        return J._replace(cur=cur)

    # queries ----------------------------------------------------------------------------------
    def candidates(self, J: Joint | None, phase: str) -> dict[str, Any]:
        if J is None:
            return {}
        out: dict[str, Any] = {f"fold:{n}": x for n, x in machine_candidates(self.c, J, phase)}
        for inv, g in zip(self.c.invs, J.ghosts, strict=True):
            for name, cond in inv.candidates(self.c, g, J, phase):
                out[f"{inv.id}:{name}"] = cond
        if self.only is not None:
            out = {k: v for k, v in out.items() if self.only(k)}
        return out

    def solver(self, timeout_ms: int, rlimit: int | None = None) -> Any:
        D = self.D
        s = make_solver(D, timeout_ms, rlimit)
        s.add(*[a for a in self.assume if not isinstance(a, bool)])
        s.add(*[a for _n, a in self.c.assumed if not isinstance(a, bool)])
        s.add(*instantiate_wf(D, self.summaries))
        return s


@dataclass
class _Situation:
    name: str
    pre: str | None  # key of the candidate set assumed before ("args:between", …)
    post: str | None  # key of the candidate set to establish after
    build: Callable[[_Step], tuple[Joint | None, Joint | None, list[Ob]]]


#: A fixed argument list run ahead of the results (finalizers: their one argument is one of a
#: few concrete types): the fold from j_init through j_between, with its obligations.
Prefix = Callable[[Ctx], tuple[Joint, list[Ob]]]


def _situations(has_rcvr: bool, prefix: Prefix | None = None) -> list[_Situation]:
    def init(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
        J = j_init(st.c)
        obs: list[Ob] = []
        if has_rcvr:
            r = free_summary(st.D, "rcvr", 0)
            st.summaries.append(r)
            J, obs = j_value(st.c, J, r, "recv", 0)
        return None, J, obs

    def begin(role: str, phase: str) -> Callable:
        def b(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
            J = st.between_state(phase)
            post, obs = j_begin(st.c, J, st.value("v"), role, 1)
            return J, post, obs
        return b

    def group(role: str, phase: str) -> Callable:
        def g(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
            J = st.inside_state(phase)
            gs = st.group("gs")
            gr = gs if st.c.variant.visit_zero_fields else st.group("gr")
            post, obs = j_group(st.c, J, gs, gr, role, 1)
            return J, post, obs
        return g

    def end(role: str, phase: str) -> Callable:
        def e(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
            J = st.inside_state(phase)
            post, obs = j_end(st.c, J, role, 1)
            return J, post, obs
        return e

    def between(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
        J = st.between_state("args")
        post, obs = j_between(st.c, J)
        return J, post, obs

    def final(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
        J = st.between_state("results")
        return J, None, j_final(st.c, J)

    def fixed(st: _Step) -> tuple[Joint | None, Joint | None, list[Ob]]:
        assert prefix is not None
        J, obs = prefix(st.c)
        return None, J, obs

    A, AI, R, RI = "args:between", "args:inside", "results:between", "results:inside"
    if prefix is not None:  # INIT establishes the results' invariant after the fixed arguments
        return [
            _Situation("INIT", None, R, fixed),
            _Situation("BEGIN-RESULT", R, RI, begin("result", "results")),
            _Situation("GROUP-RESULT", RI, RI, group("result", "results")),
            _Situation("END-RESULT", RI, R, end("result", "results")),
            _Situation("FINAL", R, None, final),
        ]
    return [
        _Situation("INIT", None, A, init),
        _Situation("BEGIN-ARG", A, AI, begin("arg", "args")),
        _Situation("GROUP-ARG", AI, AI, group("arg", "args")),
        _Situation("END-ARG", AI, A, end("arg", "args")),
        _Situation("BETWEEN", A, R, between),
        _Situation("BEGIN-RESULT", R, RI, begin("result", "results")),
        _Situation("GROUP-RESULT", RI, RI, group("result", "results")),
        _Situation("END-RESULT", RI, R, end("result", "results")),
        _Situation("FINAL", R, None, final),
    ]


#: Z3 resource units one goal query may use (≈ 40–60 s of CPU here; the slowest goal of
#: current/amd64 needs about a third of it).
GOAL_RLIMIT = 150_000_000


class _Prover:
    def __init__(self, arch: Arch, variant: Variant, timeout_ms: int,
                 invs: Sequence[Invariant] = CATALOGUE,
                 report: frozenset[str] | None = None, prefix: Prefix | None = None,
                 only: Callable[[str], bool] | None = None, link_sets: bool = False) -> None:
        self.arch, self.variant = arch, variant
        self.prefix, self.only, self.link_sets = prefix, only, link_sets
        # the invariants folded along (their candidates are lemmas), and those whose
        # obligations are decided (default: all of them)
        self.invs = tuple(invs)
        self.report = report
        self.timeout = timeout_ms
        # one goal that the solver cannot settle within GOAL_RLIMIT is dropped (a lemma) or
        # reported UNKNOWN (an obligation): never assumed. The budget is Z3's deterministic
        # resource count, not time: with an 8 s wall-clock cap a load of 3 turned
        # INV-FRAME-SUFFICIENT into a CTI (2026-12-02). The wall clock (the query timeout,
        # --timeout) only stops a run that load has made hopeless.
        self.goal_timeout = timeout_ms
        self.goal_rlimit = GOAL_RLIMIT
        self.res = InductionResult()
        self._n = 0

    def step(self, has_rcvr: bool) -> _Step:
        self._n += 1
        return _Step(self.arch, self.variant, has_rcvr, self.invs, f"s{self._n}", self.only,
                     self.link_sets)

    def build(self, sit: _Situation, has_rcvr: bool
              ) -> tuple[_Step, dict[str, Any], dict[str, Any], list[Ob]]:
        st = self.step(has_rcvr)
        pre, post, obs = sit.build(st)
        phase_pre = (sit.pre or "args").split(":")[0]
        phase_post = (sit.post or "args").split(":")[0]
        return st, st.candidates(pre, phase_pre), st.candidates(post, phase_post), obs

    def check(self, st: _Step, hyps: list[Any], goals: list[Any],
              keys: list[str] | None = None) -> tuple[set[int], set[int]]:
        """Which goals can be false in a state satisfying ``hyps`` (first set), and which the
        solver could not decide (second set); the rest are proved. A batch the solver cannot
        settle quickly is split (by invariant, then goal by goal): many small queries are far
        cheaper than one large disjunction."""
        if len(goals) > 1:
            verdict, m = self._check(st, hyps, goals, min(self.timeout, 4000))
            if verdict == "sat":
                return m, set()
            if verdict == "unsat":
                return set(), set()
            groups: dict[str, list[int]] = {}
            for k in range(len(goals)):
                name = keys[k].split(":")[0] if keys else str(k)
                groups.setdefault(name, []).append(k)
            parts = list(groups.values()) if len(groups) > 1 else [[k] for k in range(len(goals))]
            bad: set[int] = set()
            unk: set[int] = set()
            for part in parts:
                b2, u2 = self.check(st, hyps, [goals[k] for k in part],
                                    [keys[k] for k in part] if keys else None)
                bad |= {part[k] for k in b2}
                unk |= {part[k] for k in u2}
            return bad, unk
        verdict, m = self._check(st, hyps, goals, self.goal_timeout, self.goal_rlimit)
        if verdict == "unknown":
            self.res.unknown.append(f"{keys[0] if keys else 'goal'}: {m}")
            return set(), {0}
        return (m, set()) if verdict == "sat" else (set(), set())

    def _check(self, st: _Step, hyps: list[Any], goals: list[Any],
               timeout: int, rlimit: int | None = None) -> tuple[str, Any]:
        """One query: "sat" with the positions of the goals a model falsifies (read from
        indicator constants), "unsat", or "unknown" with the solver's reason."""
        z3 = st.D.z3
        s = st.solver(timeout, rlimit)
        s.add(*hyps)
        flags = [st.D.fresh_bool(f"goal{k}") for k in range(len(goals))]
        s.add(*[f == g for f, g in zip(flags, goals, strict=True)])
        s.add(z3.Or(*[z3.Not(f) for f in flags]))
        self.res.queries += 1
        r = s.check()
        if r == z3.sat:
            m = s.model()
            return "sat", {k for k, f in enumerate(flags)
                           if z3.is_false(m.eval(f, model_completion=True))} or set(
                               range(len(goals)))
        if r == z3.unknown:
            return "unknown", s.reason_unknown()
        return "unsat", None

    def houdini(self, has_rcvr: bool) -> dict[str, set[str]]:
        """The largest set of candidates, per situation, that is inductive."""
        sits = _situations(has_rcvr, self.prefix)
        keep: dict[str, set[str]] = {}
        for sit in sits:  # every candidate to begin with
            if sit.post and sit.post not in keep:
                _st, _pre, post, _obs = self.build(sit, has_rcvr)
                keep[sit.post] = set(post)
        # per situation, the (hypotheses, goals) last shown inductive: asked again with the
        # same hypotheses, a subset of those goals is unsat again, so the query is not asked
        # (Houdini only ever drops candidates: a situation whose pre set did not change since
        # then has nothing new to refute)
        proved: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        changed = True
        while changed:
            changed = False
            for sit in sits:
                if sit.post is None:
                    continue
                while True:
                    pre_keep = frozenset(keep[sit.pre]) if sit.pre else frozenset()
                    last = proved.get(sit.name)
                    if last is not None and last[0] == pre_keep and keep[sit.post] <= last[1]:
                        break
                    st, pre, post, _obs = self.build(sit, has_rcvr)
                    want = keep[sit.post]
                    hyps = [v for k, v in pre.items()
                            if sit.pre and k in keep[sit.pre] and not isinstance(v, bool)]
                    bad = {k for k, v in post.items() if k in want and v is False}
                    goals = {k: v for k, v in post.items()
                             if k in want and not isinstance(v, bool)}
                    if not bad and goals:
                        keys = list(goals)
                        b2, u2 = self.check(st, hyps, [goals[k] for k in keys], keys)
                        bad = {keys[k] for k in b2 | u2}  # not shown inductive: dropped
                    if not bad:
                        proved[sit.name] = (pre_keep, frozenset(want))
                        break
                    want -= bad
                    self.res.dropped.setdefault(sit.post, []).extend(
                        f"{k} (by {sit.name})" for k in sorted(bad))
                    changed = True
        return keep

    def obligations(self, has_rcvr: bool, keep: dict[str, set[str]]) -> None:
        for sit in _situations(has_rcvr, self.prefix):
            done: set[str] = set()
            while True:
                st, pre, _post, obs = self.build(sit, has_rcvr)
                hyps = [v for k, v in pre.items()
                        if sit.pre and k in keep[sit.pre] and not isinstance(v, bool)]
                mine = [o for o in obs if o.inv not in done and
                        self.res.status.get(o.inv) not in ("CTI",)
                        and (self.report is None or o.inv in self.report)]
                for o in mine:
                    if o.cond is False:
                        self._fail(o.inv, sit.name, has_rcvr, "fails in every state")
                goals = [o for o in mine if not isinstance(o.cond, bool)
                         and self.res.status.get(o.inv) != "CTI"]
                if not goals:
                    break
                b2, u2 = self.check(st, hyps, [o.cond for o in goals], [o.inv for o in goals])
                for k in u2:
                    inv = goals[k].inv
                    if self.res.status.get(inv) != "CTI":
                        self.res.status[inv] = "UNKNOWN"
                    done.add(inv)
                if not b2:
                    if u2:
                        continue
                    break
                failed = {goals[k].inv for k in b2}
                for inv in failed:
                    self._fail(inv, sit.name, has_rcvr, "a state satisfying every kept lemma "
                               "where its obligation fails")
                done |= failed

    def _fail(self, inv: str, lemma: str, has_rcvr: bool, what: str) -> None:
        if self.res.status.get(inv) == "CTI":
            return
        self.res.status[inv] = "CTI"
        self.res.cti[inv] = f"{lemma}{' (with a receiver)' if has_rcvr else ''}: {what}"

    @staticmethod
    def _cti(st: _Step, m: Any) -> str:
        parts = []
        for s in st.summaries:
            d = decode_summary(m, st.D, s, 64)
            parts.append(f"size {d['size']} align {d['align']} groups {d['spec'][1]}"
                         f"{'' if d['spec'][2] else ' (walk fails)'}")
        return ("a state satisfying every kept lemma where it fails"
                + (f"; the value: {', '.join(parts)}" if parts else ""))


def prove_by_induction(arch: Arch, variant: Variant,
                       invariants: Sequence[Invariant] | None = None,
                       timeout_ms: int = 60000, helpers: Sequence[Invariant] | None = None,
                       receivers: tuple[bool, ...] = (False, True),
                       prefix: Prefix | None = None,
                       only: Callable[[str], bool] | None = None,
                       link_sets: bool = False) -> InductionResult:
    """Try to prove every invariant for all signatures on ``arch`` in ``variant``.

    By default the whole registry is folded along and decided. With ``helpers`` (another
    path's invariants, spec/proofs.md PRF-10), the step folds ``invariants`` and ``helpers``
    (whose candidates may become lemmas) and decides only ``invariants``; ``receivers``
    says which signature families there are (MakeFunc's have no receiver). With ``prefix``
    the arguments are not free: INIT runs it (the fixed arguments and ``between``) and the
    induction is over the results alone. ``only`` restricts the candidates Houdini starts
    from (by key, ``fold:…`` or ``INV-…:…``): fewer, cheaper queries where a path's
    invariants need few of the fold's facts. ``link_sets`` also assumes WF's set linkage
    (model/summary.py group_wf: a group's pointer bits are its value's pointer words; lemma
    TYPE-LINK proves it of every Go type, spec/proofs.md PRF-9): a verdict that uses it says
    so."""
    t0 = time.perf_counter()
    if helpers is None:
        p = _Prover(arch, variant, timeout_ms)
    else:
        invs = tuple(invariants or ())
        p = _Prover(arch, variant, timeout_ms, (*invs, *helpers),
                    frozenset(i.id for i in invs), prefix, only, link_sets)
    for has_rcvr in receivers:
        keep = p.houdini(has_rcvr)
        tag = "rcvr" if has_rcvr else "plain"
        for k, v in keep.items():
            p.res.lemmas[f"{tag}:{k}"] = sorted(v)
        p.obligations(has_rcvr, keep)
    wanted = [i.id for i in (invariants or CATALOGUE)]
    for i in wanted:
        p.res.status.setdefault(i, "PROVED")
    p.res.status = {k: v for k, v in p.res.status.items() if k in wanted}
    p.res.seconds = time.perf_counter() - t0
    return p.res
