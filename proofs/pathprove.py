"""``regabi prove --path wincallback``: the Windows callback fold (model/wincallback.py
``cb_fold_*``) run over Z3 terms — the functions ``regabi paths`` runs concretely, no second
encoding (spec/proofs.md PRF-10).

* Induction over the list of parameters: the state (compileCallback's abiDesc counters, the
  spec's ASG state, refused so far, a pending zero-size argument) and the parameter are free;
  Houdini keeps the candidate facts that are inductive; each obligation must follow from them.
  A parameter is a free summary (WF, PRF-3) with a free walk tied to it by WF-CB (below).
* Bounded search otherwise: parameters and the result are symbolic Go types of a small
  grammar (a leaf, or a struct of up to three fields), their summaries and walks computed by
  the model's own type folds; fewest parameters first, then fewest fields. A model is decoded
  into a Go signature and re-checked concretely by the same fold and by ``check_signature``.
"""

from __future__ import annotations

import time
from typing import Any

from regabi.errors import ModelError
from regabi.model.arch import Arch
from regabi.model.domain import Z3Domain
from regabi.model.sig import Signature
from regabi.model.summary import (
    group_wf,
    struct_begin,
    struct_end,
    struct_field,
    summarize,
    value_wf,
)
from regabi.model.types import BASIC, Array, Field, GoType, Map, Pointer, Struct
from regabi.model.wincallback import (
    CB_FOLD_INVARIANTS,
    CB_LATENT,
    FIXES,
    CbJoint,
    CbState,
    CbVal,
    CbWalk,
    cb_fold_check,
    cb_fold_final,
    cb_fold_init,
    cb_fold_param,
    cb_struct_begin,
    cb_struct_field,
    cb_walk,
)
from regabi.proofs.grammar import pad
from regabi.proofs.symbolic import PROOF_WIDTH, SIZE_BOUND, STATE_BOUND, make_solver
from regabi.verdict import Verdict

__all__ = ["CB_VARIANTS", "CbGrammar", "prove_wincallback", "wf_cb"]

#: the callback variants: go1.27.3 as shipped, and with the four proposed fixes
CB_VARIANTS = {"current": frozenset(), "fixed": FIXES}


def wf_cb(D: Any, v: CbVal, ps: int) -> list[Any]:
    """WF-CB: what the walk of CB-4 and the ASG-3 decomposition of the same type share
    (spec/proofs.md PRF-10). A walk that does not panic visits exactly the spec's groups, each
    one integer part, the first at offset 0 (only zero-size fields can precede it); one that
    panics visits integer leaves the spec counts too; a zero-size type has no leaves; every
    leaf has a byte of its own. Checked on every grammar type by Z3 and on random types
    (tests/test_paths_prove.py)."""
    s, w = v.s, v.w
    first = D.and_(D.not_(w.panics), D.ule(1, w.n))
    if s.spec.groups:
        g0 = s.spec.groups[0]
        lead = D.implies(first, D.and_(g0.isint, D.eq(g0.n, 1), D.eq(g0.off, 0)))
    else:
        lead = D.not_(first)
    return [x for x in (
        D.ule(w.n, s.size),
        D.implies(D.eq(s.size, 0), D.eq(w.n, 0)),
        D.implies(D.not_(w.panics), D.and_(s.spec.ok, D.eq(s.spec.ni, w.n),
                                           D.eq(s.spec.nf, 0), D.eq(s.spec.n, w.n))),
        D.implies(D.and_(w.panics, s.spec.ok), D.ule(w.n, s.spec.ni)),
        lead,
    ) if not isinstance(x, bool)]


# --------------------------------------------------------------------------------------------
# symbolic Go types for callbacks


def _leaves() -> list[GoType]:
    # simplest first: the bounded search prefers lower indices (CbSym.cost)
    names = "uintptr uint8 bool int16 uint32 int64 float32 float64 complex64 string".split()
    return ([BASIC[n] for n in names] + [BASIC["unsafe.Pointer"], Pointer(BASIC["int"]),
                                         Map(BASIC["int"], BASIC["int"])])


class CbGrammar:
    """A parameter is a leaf or a struct of up to ``fields`` fields, each a leaf, a zero-size
    type or a short array."""

    def __init__(self, ps: int, fields: int = 3) -> None:
        self.ps, self.fields = ps, fields
        self.leaves = _leaves()
        self.choices: list[GoType] = [*self.leaves, Struct(()), Array(0, BASIC["int64"]),
                                      Array(1, BASIC["uint16"]), Array(1, BASIC["float64"]),
                                      Array(2, BASIC["uint8"])]
        self.vals = [CbVal(pad(summarize(t, ps), 1), cb_walk(t, ps)._replace(leaves=(), msg=None))
                     for t in self.choices]


class CbSym:
    """One symbolic value of the grammar: its summary and walk by the model's type folds."""

    def __init__(self, D: Z3Domain, g: CbGrammar, name: str) -> None:
        z3 = D.z3
        self.D, self.g = D, g
        self.is_leaf = D.fresh_bool(f"{name}.leaf")
        self.leaf = z3.BitVec(f"{name}.leafk", 8)
        self.slots = [z3.BitVec(f"{name}.f{i}", 8) for i in range(g.fields)]  # 0: absent
        self.constraints = [z3.ULT(self.leaf, len(g.leaves))]
        self.constraints += [z3.ULE(c, len(g.choices)) for c in self.slots]
        for a, b in zip(self.slots, self.slots[1:], strict=False):
            self.constraints.append(z3.Implies(a == 0, b == 0))
        self.constraints.append(z3.Implies(self.is_leaf, z3.And(*[c == 0 for c in self.slots])))
        self.val = self._val()
        # fewer fields first (64 each), then simpler choices (their index)
        lk = z3.ZeroExt(D.width - 8, self.leaf)
        self.cost = z3.If(self.is_leaf, D.bv(64) + lk, sum(
            (z3.If(c == 0, D.bv(0), D.bv(64) + z3.ZeroExt(D.width - 8, c)) for c in self.slots),
            D.bv(64)))

    def _pick(self, k: Any, vals: list[CbVal]) -> CbVal:
        D = self.D
        sets = [CbVal(v.s._replace(gc=D.as_set(v.s.gc), heap=D.as_set(v.s.heap)), v.w)
                for v in vals]
        out = sets[0]
        for i, v in enumerate(sets[1:], start=1):
            out = D.sel(k == i, v, out)
        return out

    def _val(self) -> CbVal:
        D, g = self.D, self.g
        acc = struct_begin(D, 1)
        w = cb_struct_begin()
        for c in self.slots:
            f = self._pick(c - 1, g.vals)
            off = D.align(acc.off, f.s.align)  # the field's offset, as struct_field places it
            absent = c == 0
            w = D.sel(absent, w, cb_struct_field(D, w, f.w, off))
            acc = D.sel(absent, acc, struct_field(D, acc, f.s, g.ps, 1))
        st = struct_end(D, acc)
        st = st._replace(spec=st.spec._replace(groups=st.spec.groups[:1]),
                         seed=st.seed._replace(groups=st.seed.groups[:1]))
        return D.sel(self.is_leaf, self._pick(self.leaf, g.vals[:len(g.leaves)]),
                     CbVal(st, w))

    def decode(self, m: Any) -> GoType:
        z3, g = self.D.z3, self.g
        if z3.is_true(m.eval(self.is_leaf, model_completion=True)):
            return g.leaves[m.eval(self.leaf, model_completion=True).as_long()]
        fields = []
        names = iter("abcdefgh")
        for c in self.slots:
            k = m.eval(c, model_completion=True).as_long()
            if k == 0:
                break
            fields.append(Field(next(names), g.choices[k - 1]))
        return Struct(tuple(fields))


# --------------------------------------------------------------------------------------------
# induction over the parameters


def _free_val(D: Z3Domain, name: str) -> CbVal:
    from regabi.proofs.symbolic import free_summary

    s = free_summary(D, name, 1)
    w = CbWalk(D.fresh(f"{name}.wn"), D.fresh_bool(f"{name}.panics"),
               D.fresh_bool(f"{name}.float"), D.fresh_bool(f"{name}.agg"), (), None)
    return CbVal(s, w)


def _val_assumptions(D: Z3Domain, v: CbVal, ps: int) -> list[Any]:
    out = [c for _n, c in value_wf(D, v.s, ps, SIZE_BOUND) if not isinstance(c, bool)]
    g0 = v.s.spec.groups[0]
    out += [c for _n, c in group_wf(D, g0, D.ult(0, v.s.spec.n), 0, v.s, ps, False)
            if not isinstance(c, bool)]
    return out + wf_cb(D, v, ps)


def _free_state(D: Z3Domain) -> tuple[CbJoint, list[Any]]:
    from regabi.model.assign import SpecState

    nums = {k: D.fresh(k) for k in ("src", "dst", "spill", "regs", "I", "F", "S", "SP")}
    J = CbJoint(CbState(nums["src"], nums["dst"], nums["spill"], nums["regs"]),
                SpecState(nums["I"], nums["F"], nums["S"], nums["SP"]),
                D.fresh_bool("refused"), D.fresh_bool("pending"))
    return J, [D.ult(x, STATE_BOUND) for x in nums.values()]


def _candidates(D: Any, J: CbJoint, arch: Arch) -> dict[str, Any]:
    """Facts the induction may keep (Houdini drops those that are not inductive): the two
    folds in step, each guarded by "refused so far" (after a refusal nothing is observed)."""
    cb, sp = J.cb, J.spec
    facts = {"regs=I": D.eq(cb.regs, sp.I), "F=0": D.eq(sp.F, 0), "dst=S": D.eq(cb.dst, sp.S),
             "spill=SP": D.eq(cb.spill, sp.SP), "no-pending": D.not_(J.pending_zero),
             "regs<=NI": D.ule(cb.regs, arch.n_int), "I<=NI": D.ule(sp.I, arch.n_int),
             "I<=regs": D.ule(sp.I, cb.regs)}
    out = {k: D.or_(J.refused, v) for k, v in facts.items()}
    out["regs<=NI!"] = D.ule(cb.regs, arch.n_int)
    return out


class _Induction:
    def __init__(self, arch: Arch, fixes: frozenset[str], timeout_ms: int) -> None:
        self.arch, self.fixes, self.timeout = arch, fixes, timeout_ms
        self.queries = 0

    def _valid(self, D: Z3Domain, hyps: list[Any], goal: Any) -> str:
        if isinstance(goal, bool):
            return "unsat" if goal else "sat"
        s = make_solver(D, self.timeout)
        s.add(*hyps)
        s.add(D.z3.Not(goal))
        self.queries += 1
        r = s.check()
        return "unsat" if r == D.z3.unsat else ("sat" if r == D.z3.sat else "unknown")

    def houdini(self) -> set[str]:
        from regabi.model.domain import CONCRETE

        keep = {k for k, v in _candidates(CONCRETE, cb_fold_init(), self.arch).items() if v}
        while True:
            D = Z3Domain("i.", PROOF_WIDTH)
            J, hyps = _free_state(D)
            pre = _candidates(D, J, self.arch)
            v = _free_val(D, "v")
            J2, _obs = cb_fold_param(D, self.arch, self.fixes, J, v, 0)
            post = _candidates(D, J2, self.arch)
            hyps = hyps + _val_assumptions(D, v, self.arch.ptr_size) + [pre[k] for k in keep]
            bad = {k for k in keep if self._valid(D, hyps, post[k]) != "unsat"}
            if not bad:
                return keep
            keep -= bad

    def obligations(self, keep: set[str]) -> dict[str, str]:
        """Per invariant: "PROVED", "CTI" or "UNKNOWN"."""
        out = {i: "PROVED" for i in CB_FOLD_INVARIANTS}
        D = Z3Domain("o.", PROOF_WIDTH)
        J, hyps = _free_state(D)
        pre = _candidates(D, J, self.arch)
        hyps += [pre[k] for k in keep]
        v = _free_val(D, "v")
        _J2, obs = cb_fold_param(D, self.arch, self.fixes, J, v, 0)
        r = _free_val(D, "r")
        fobs, _refused = cb_fold_final(D, self.arch, self.fixes, J, r)
        ps = self.arch.ptr_size
        for o in obs:
            res = self._valid(D, hyps + _val_assumptions(D, v, ps), o.cond)
            if res != "unsat" and out[o.inv] == "PROVED":
                out[o.inv] = "CTI" if res == "sat" else "UNKNOWN"
        for o in fobs:
            res = self._valid(D, hyps + _val_assumptions(D, r, ps), o.cond)
            if res != "unsat" and out[o.inv] == "PROVED":
                out[o.inv] = "CTI" if res == "sat" else "UNKNOWN"
        return out


# --------------------------------------------------------------------------------------------
# bounded search


def _search(arch: Arch, fixes: frozenset[str], inv: str, max_params: int, fields: int,
            timeout_ms: int) -> tuple[str, Signature | None, int, list[str]]:
    """("FALSIFIED", sig) with the fewest parameters and then fields, ("NONE", None) or
    ("UNKNOWN", None); the number of queries; reasons for unknown."""
    g = CbGrammar(arch.ptr_size, fields)
    queries = 0
    for k in range(max_params + 1):
        D = Z3Domain("b.")
        z3 = D.z3
        syms = [CbSym(D, g, f"p{i}") for i in range(k + 1)]  # the last one is the result
        J = cb_fold_init()
        obs = []
        for i, sy in enumerate(syms[:-1]):
            J, o = cb_fold_param(D, arch, fixes, J, sy.val, i)
            obs += o
        fobs, refused = cb_fold_final(D, arch, fixes, J, syms[-1].val)
        conds = [o.cond for o in obs + fobs if o.inv == inv]
        if all(c is True for c in conds):
            continue
        s = make_solver(D, timeout_ms)
        for sy in syms:
            s.add(*sy.constraints)
        s.add(z3.Not(D.b(refused)), z3.Or(*[z3.Not(D.b(c)) for c in conds]))
        cost = sum((sy.cost for sy in syms), D.bv(0))
        best = None
        while True:
            queries += 1
            r = s.check()
            if r == z3.unknown:
                if best is not None:  # the cost descent ran out of time: fewest params only
                    return "FALSIFIED", best, queries, ["fewest parameters; the descent to "
                                                        "fewer fields timed out"]
                return "UNKNOWN", None, queries, [f"{k} params: {s.reason_unknown()}"]
            if r == z3.unsat:
                break
            m = s.model()
            best = Signature(tuple(sy.decode(m) for sy in syms[:-1]), (syms[-1].decode(m),))
            s.add(z3.ULT(cost, m.eval(cost, model_completion=True)))
            s.set("timeout", min(timeout_ms, 5000))  # each step of the descent is capped
        if best is not None:
            return "FALSIFIED", best, queries, ["fewest parameters, then fewest fields"]
    return "NONE", None, queries, []


def _recheck(sig: Signature, arch: Arch, fixes: frozenset[str], inv: str) -> str:
    """The counterexample re-run concretely: the same fold, and check_signature (the
    independent concrete check) must both see ``inv`` fail."""
    from regabi.model.wincallback import Refused, check_signature

    fold = [o for o in cb_fold_check(sig, arch, fixes) if o.inv == inv]
    try:
        _, mm = check_signature(sig, arch, fixes)
    except Refused as e:
        raise ModelError(f"{inv}: Z3 found {sig.go()} but compileCallback refuses it: "
                         f"{e.message}") from None
    seen = [m for m in mm if m.invariant == inv]
    if not fold or not seen:
        raise ModelError(f"{inv}: Z3 found {sig.go()} ({arch.name}) but the concrete run does "
                         f"not fail (fold: {bool(fold)}, check_signature: {bool(seen)})")
    return seen[0].what


def prove_wincallback(arch: Arch, variant: str = "current", max_params: int = 8,
                      fields: int = 3, timeout_ms: int = 60000,
                      invariants: tuple[str, ...] = CB_FOLD_INVARIANTS) -> list[Verdict]:
    """One verdict per callback invariant on windows/``arch``: PROVED for all signatures by
    induction (under WF and WF-CB), else FALSIFIED/LATENT with the smallest counterexample of
    the bounded search (re-checked concretely), PROVED within its bounds, or UNKNOWN."""
    fixes = CB_VARIANTS[variant]
    t0 = time.perf_counter()
    ind = _Induction(arch, fixes, timeout_ms)
    keep = ind.houdini()
    status = ind.obligations(keep)
    t_ind = time.perf_counter() - t0
    out = []
    vname = f"wincallback/{variant}"
    where = f"windows/{arch.name}"
    for inv in invariants:
        if status[inv] == "PROVED":
            out.append(Verdict("z3", inv, vname, where, "PROVED",
                               f"all signatures (induction over the parameters; {len(keep)} "
                               f"lemmas kept, {ind.queries} queries; assumes WF, WF-CB)",
                               None, t_ind, extra={"method": "induction",
                                                   "lemmas": sorted(keep)}))
            continue
        t1 = time.perf_counter()
        st, sig, q, unk = _search(arch, fixes, inv, max_params, fields, timeout_ms)
        secs = t_ind + time.perf_counter() - t1
        bounds = (f"≤{max_params} params, 1 result; each a leaf or a struct of ≤{fields} "
                  "fields (grammar of 18 choices)")
        extra: dict[str, Any] = {"induction": status[inv], "queries": q, "minimal": unk}
        if st == "FALSIFIED" and sig is not None:
            what = _recheck(sig, arch, fixes, inv)
            vs = "LATENT" if inv in CB_LATENT else "FALSIFIED"
            out.append(Verdict("z3", inv, vname, where, vs, f"{bounds}; {unk[0]}",
                               max_params + 1, secs,
                               f"{inv} false for {sig.go()} ({vname}, {where}): {what}",
                               counterexample=sig.go(), extra=extra))
        elif st == "NONE":
            out.append(Verdict("z3", inv, vname, where, "PROVED", "within bounds: " + bounds,
                               max_params + 1, secs, extra=extra | {"method": "bounded"}))
        else:
            out.append(Verdict("z3", inv, vname, where, "UNKNOWN", bounds, None, secs,
                               f"{inv} ({vname}, {where}): UNKNOWN: {'; '.join(unk)}",
                               extra=extra | {"unknown": unk}))
    return out
