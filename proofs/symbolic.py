"""Symbolic values for the model's own functions: free summaries (an arbitrary Go type, as far as
the algorithms can tell), free fold states (an arbitrary point of a fold, for induction), the
well-formedness assumptions that make them sound, and decoding of Z3 models back to concrete
values (spec/proofs.md).
"""

from __future__ import annotations

from typing import Any

from regabi.model.domain import SymSet, Z3Domain
from regabi.model.summary import Group, Parts, Summary, wf_at

__all__ = ["PROOF_WIDTH", "SIZE_BOUND", "STATE_BOUND", "decode_summary", "free_like", "free_parts",
           "free_summary", "instantiate_wf", "make_solver", "slots_for", "small"]

#: The induction's universe (spec/proofs.md): every value smaller than SIZE_BOUND and every
#: offset of a fold state below STATE_BOUND. A compiled function's argument frame is below
#: 1 GiB (SIG-3), so no value of a compilable call is larger; PROOF_WIDTH bits then never wrap.
SIZE_BOUND = 1 << 31
STATE_BOUND = 1 << 33
PROOF_WIDTH = 40


def make_solver(D: Z3Domain, timeout_ms: int, rlimit: int | None = None) -> Any:
    """The solver every query uses: Z3's QF_UFBV strategy (its models are complete, which the
    bit-blasting tactics' are not always: they read goals back from a model). ``rlimit`` is
    Z3's deterministic resource budget for each check (about 2–3 million units per CPU
    second on this machine): a verdict bounded by it does not depend on machine load, unlike
    the wall-clock ``timeout``, which then only stops a run that load has made hopeless."""
    s = D.z3.SolverFor("QF_UFBV")
    s.set("timeout", timeout_ms)
    if rlimit is not None:
        s.set("rlimit", rlimit)
    return s


def slots_for(n_int: int, n_float: int) -> int:
    """Register-part slots a symbolic summary needs: a value with more parts than there are
    registers never fits (model/summary.py)."""
    return n_int + n_float


def free_parts(D: Z3Domain, name: str, cap: int) -> Parts:
    groups = tuple(Group(D.fresh_bool(f"{name}.int{j}"), D.fresh(f"{name}.off{j}"),
                         D.fresh(f"{name}.size{j}"), D.fresh(f"{name}.n{j}"),
                         D.fresh(f"{name}.ptr{j}"), D.fresh(f"{name}.itab{j}"))
                   for j in range(cap))
    return Parts(groups, D.fresh(f"{name}.n"), D.fresh(f"{name}.ni"), D.fresh(f"{name}.nf"),
                 D.fresh_bool(f"{name}.ok"))


def free_summary(D: Z3Domain, name: str, cap: int) -> Summary:
    """A summary with every field free: any type. Constrain it with WF (model/summary.py
    :func:`wf`, and :func:`instantiate_wf` for its sets)."""
    return Summary(D.fresh(f"{name}.size"), D.fresh(f"{name}.align"),
                   D.fresh(f"{name}.ptrwords"), D.fresh_set(f"{name}.gc"),
                   D.fresh_set(f"{name}.heap"), free_parts(D, f"{name}.spec", cap),
                   free_parts(D, f"{name}.seed", cap), D.fresh_bool(f"{name}.dir"))


def instantiate_wf(D: Z3Domain, summaries: list[Summary],
                   shifts: tuple[int, ...] = (0,)) -> list[Any]:
    """WF's set clauses of each free summary at every index the query asked its sets about,
    and ``shifts`` words further (each index once; instantiating asks nothing new)."""
    out: list[Any] = []
    for s in summaries:
        bases = [b for b in (s.gc, s.heap) if isinstance(b, SymSet) and b.asked is not None]
        asked: dict[Any, Any] = {}
        for b in bases:
            for i in b.asked or ():
                asked.setdefault(i.get_id() if hasattr(i, "get_id") else ("c", i), i)
        saved = [b.asked for b in bases]
        for b in bases:
            b.asked = None  # instantiation must not record its own questions
        try:
            for i in asked.values():
                for k in shifts:
                    out += [c for _n, c in wf_at(D, s, i if k == 0 else i + k)
                            if not isinstance(c, bool)]
        finally:
            for b, a in zip(bases, saved, strict=True):
                b.asked = a
    return out


def small(D: Z3Domain, s: Summary, max_size: int = 64) -> list[Any]:
    """Preferences for readable counterexamples (tried first, then dropped)."""
    return [D.ule(s.size, max_size), D.ule(s.spec.n, 4), D.ule(s.seed.n, 4)]


def free_like(D: Z3Domain, x: Any, name: str) -> Any:
    """A fresh symbolic value shaped like ``x`` (an int, bool, set or record of them): an
    arbitrary fold state."""
    if isinstance(x, bool):
        return D.fresh_bool(name)
    if isinstance(x, int):
        return D.fresh(name)
    if isinstance(x, SymSet):
        return D.fresh_set(name)
    if isinstance(x, tuple):
        vals = [free_like(D, v, f"{name}.{i}") for i, v in enumerate(x)]
        return type(x)(*vals) if hasattr(x, "_fields") else tuple(vals)
    if D.z3.is_bool(x):
        return D.fresh_bool(name)
    if D.z3.is_bv(x):
        return D.fresh(name)
    raise TypeError(f"cannot make a free value like {type(x).__name__}")


def bounded_state(D: Z3Domain, x: Any) -> list[Any]:
    """Every number of a fold state below STATE_BOUND (no 64-bit wrap-around in one step)."""
    out: list[Any] = []
    if isinstance(x, tuple):
        for v in x:
            out += bounded_state(D, v)
    elif not isinstance(x, (bool, int, SymSet)) and D.z3.is_bv(x):
        out.append(D.ult(x, STATE_BOUND))
    return out


# --------------------------------------------------------------------------------------------
# decoding


def _val(m: Any, x: Any) -> Any:
    if isinstance(x, (bool, int)):
        return x
    v = m.eval(x, model_completion=True)
    import z3

    return bool(z3.is_true(v)) if z3.is_bool(v) else v.as_long()


def _set_words(m: Any, D: Z3Domain, s: Any, n: int) -> int:
    out = 0
    for i in range(n):
        if _val(m, D.set_has(s, D.bv(i))):
            out |= 1 << i
    return out


def decode_parts(m: Any, p: Parts) -> tuple[tuple[tuple, ...], int, bool]:
    n = _val(m, p.n)
    groups = tuple(tuple(_val(m, f) for f in g) for g in p.groups[:min(n, len(p.groups))])
    return groups, n, _val(m, p.ok)


def decode_summary(m: Any, D: Z3Domain, s: Summary, max_words: int = 4096) -> dict:
    """The concrete summary a model gives a free one: every field, sets as word bitmasks (sets
    beyond ``max_words`` words are cut, and marked so)."""
    ptrwords = _val(m, s.ptrwords)
    words = min(ptrwords, max_words)
    return {
        "size": _val(m, s.size), "align": _val(m, s.align), "ptrwords": ptrwords,
        "gc": _set_words(m, D, s.gc, words), "heap": _set_words(m, D, s.heap, words),
        "cut": ptrwords > max_words,
        "spec": decode_parts(m, s.spec), "seed": decode_parts(m, s.seed),
        "dir": _val(m, s.dir_struct),
    }


def concrete_target(s: Summary) -> dict:
    """A concrete summary in :func:`decode_summary`'s shape (to compare with a realization)."""
    def parts(p: Parts) -> tuple:
        return (tuple(tuple(int(x) for x in g) for g in p.groups), p.n, bool(p.ok))
    return {"size": s.size, "align": s.align, "ptrwords": s.ptrwords, "gc": s.gc,
            "heap": s.heap, "cut": False, "spec": parts(s.spec), "seed": parts(s.seed),
            "dir": bool(s.dir_struct)}


def pin(D: Z3Domain, s: Summary, t: dict) -> Any:
    """The constraint "``s`` is exactly the decoded summary ``t``" (to block or replay it)."""
    cs = [D.eq(s.size, t["size"]), D.eq(s.align, t["align"]),
          D.eq(s.ptrwords, t["ptrwords"]), D.eq(s.dir_struct, t["dir"])]
    for p, (groups, n, ok) in ((s.spec, t["spec"]), (s.seed, t["seed"])):
        cs += [D.eq(p.n, n), D.eq(p.ok, ok)]
        for g, vals in zip(p.groups, groups, strict=False):
            cs += [D.eq(f, v) for f, v in zip(g, vals, strict=True)]
    return D.and_(*cs)
