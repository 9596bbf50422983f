"""Z3 encoding of GC visibility over symbolic signatures (spec/call.md GC-1 … GC-3, CALL-5,
CALL-6, VAR-7, VAR-8).

Signatures are symbolic: up to ``N`` arguments, each a choice from a small catalogue of value
types *with how the Value holds them*, plus an optional pointer receiver. The property, at the
preemption point after Value.call's marshalling loop (where ``in`` and its heap copies are dead,
CALL-13):

    every live pointer word is GC-visible (RegArgs.Ptrs, or the stack-args frame via its
    bitmap), and every GC-visible word holds a pointer or nil.

The catalogue uses at most two integer registers per value, so with N ≤ 4 plus a receiver every
register-assignable value fits in amd64's nine (checked as a lemma): the encoding need not model
register exhaustion. The explorer (regabi.proofs.explore) covers the same signatures concretely;
tests/test_explore.py checks the two agree (INV-GC-UAF).
"""

from __future__ import annotations

import time

import z3

from regabi.model.sig import Signature
from regabi.model.syntax import parse_type
from regabi.model.variants import get_variant
from regabi.verdict import Verdict

__all__ = ["CATALOGUE", "N_ARGS", "catalogue_signature", "holds_for", "prove"]

#: (name, Go type, held indirectly, int regs, float regs, pointer words, where pointers live)
#: where: "none", "ptrs" (Ptrs when direct), "ptrs-indir" (Ptrs only with VAR-7), "frame"
CATALOGUE: tuple[tuple[str, str, bool, int, int, int, str], ...] = (
    ("int", "int", True, 1, 0, 0, "none"),
    ("float64", "float64", True, 0, 1, 0, "none"),
    ("*int direct", "*int", False, 1, 0, 1, "ptrs"),
    ("*int indirect", "*int", True, 1, 0, 1, "ptrs-indir"),
    ("string", "string", True, 2, 0, 1, "ptrs-indir"),
    ("[2]*int", "[2]*int", True, 0, 0, 2, "frame"),
)
ABSENT = len(CATALOGUE)
N_ARGS = 4
INV = "INV-GC-UAF"


def _encode(variant: str, n: int = N_ARGS) -> tuple[z3.Solver, list, z3.ArithRef, z3.ExprRef]:
    v = get_variant(variant)
    f7, f8 = z3.BoolVal(v.indirect_ptrs_to_ptrs), z3.BoolVal(v.rcvr_to_ptrs)
    c = [z3.Int(f"arg{i}") for i in range(n)]
    r = z3.Int("recv")
    s = z3.Solver()
    for i in range(n):
        s.add(c[i] >= 0, c[i] <= ABSENT)
        if i + 1 < n:
            s.add(z3.Implies(c[i] == ABSENT, c[i + 1] == ABSENT))
    s.add(r >= 0, r <= 1)

    def attr(ci: z3.ArithRef, k: int) -> z3.ArithRef:
        e = z3.IntVal(0)
        for j, row in enumerate(CATALOGUE):
            e = z3.If(ci == j, z3.IntVal(row[k]), e)
        return e

    ints = r + z3.Sum([attr(ci, 3) for ci in c])
    # Visibility of each live pointer word (GC-1): Ptrs for direct pointer-shaped values,
    # Ptrs for indirect ones only with VAR-7, the receiver only with VAR-8, frame via bitmap.
    lost = []
    for ci in c:
        for j, row in enumerate(CATALOGUE):
            where = row[6]
            visible = {"none": z3.BoolVal(True), "ptrs": z3.BoolVal(True),
                       "ptrs-indir": f7, "frame": z3.BoolVal(True)}[where]
            lost.append(z3.And(ci == j, z3.Not(visible)))
    lost.append(z3.And(r == 1, z3.Not(f8)))
    # GC-2: a Ptrs slot is written only by a pointer step with a pointer, a frame word only at
    # its bitmap's pointer bits with a pointer: the content of a visible word is a pointer.
    slot_content_ok = z3.BoolVal(True)
    bad = z3.Or(*lost, z3.Not(slot_content_ok))
    return s, [*c, r], ints, bad


def prove(variant: str, n: int = N_ARGS) -> Verdict:
    """PROVED (no signature in the catalogue loses a pointer) or FALSIFIED with the smallest
    counterexample signature (fewest arguments)."""
    t0 = time.perf_counter()
    s, vars_, ints, bad = _encode(variant, n)
    bounds = f"≤{n} args from {len(CATALOGUE)} catalogue types, optional *int receiver"
    # Lemma: the catalogue never exhausts amd64's 9 integer registers (so no VAR-1 effects).
    s.push()
    s.add(ints > 9)
    lemma = s.check()
    s.pop()
    if lemma != z3.unsat:
        return Verdict("z3", INV, variant, "amd64", "ERROR", bounds, None,
                       time.perf_counter() - t0, "register lemma failed")
    s.add(bad)
    best = None
    res = s.check()
    if res == z3.sat:
        # smallest: minimise the number of present arguments + receiver
        opt = z3.Optimize()
        opt.add(s.assertions())
        opt.minimize(z3.Sum([z3.If(x == ABSENT, 0, 1) for x in vars_[:-1]]) + vars_[-1])
        opt.check()
        mdl = opt.model()
        best = [mdl.eval(x).as_long() for x in vars_]
    dt = time.perf_counter() - t0
    if res == z3.unsat:
        return Verdict("z3", INV, variant, "amd64", "PROVED", bounds, None, dt)
    if res == z3.unknown:
        return Verdict("z3", INV, variant, "amd64", "UNKNOWN", bounds, None, dt)
    args, recv = best[:-1], best[-1]
    sig, hold = catalogue_signature(args, recv)
    names = [CATALOGUE[a][0] for a in args if a != ABSENT]
    line = (f"{INV} false for {sig} ({variant}, amd64): a live pointer word is not GC-visible "
            f"after marshalling (args: {', '.join(names) or '-'}"
            f"{', *int receiver' if recv else ''})")
    return Verdict("z3", INV, variant, "amd64", "FALSIFIED", bounds, None, dt, line,
                   {"args": names, "recv": bool(recv)}, {"signature": str(sig),
                                                          "holding": list(hold)})


def holds_for(args: list[int], recv: int, variant: str) -> bool:
    """The encoding's verdict for one concrete choice (``ABSENT`` pads ``args``)."""
    args = list(args) + [ABSENT] * (N_ARGS - len(args))
    s, vars_, _ints, bad = _encode(variant)
    for x, val in zip(vars_, [*args, recv], strict=True):
        s.add(x == val)
    s.add(bad)
    return s.check() == z3.unsat


def catalogue_signature(args: list[int], recv: int) -> tuple[Signature, tuple[bool, ...]]:
    """The concrete signature and holding mode of a catalogue choice."""
    present = [a for a in args if a != ABSENT]
    ts = tuple(parse_type(CATALOGUE[a][1]) for a in present)
    hold = tuple(CATALOGUE[a][2] for a in present)
    return Signature(ts, (), parse_type("*int") if recv else None), hold
