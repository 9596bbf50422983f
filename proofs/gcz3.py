"""Z3 across the preemption point: GC visibility over symbolic signatures (spec/call.md GC-1,
GC-2, CALL-5, CALL-6, CALL-13; VAR-7, VAR-8).

The signatures are those of the layout prover (proofs/catalogue.py): up to ``n`` arguments
from the type catalogue, an optional receiver, and a symbolic *holding mode* per argument
(direct only for pointer-shaped types, CALL-3). Reflect's placement of every value (register
or stack, which registers, stack offsets, stackPtrs) is the prover's encoding of the variant
(proofs/z3prove.py ``_Run``), not a table. The property holds at the async preemption point
after Value.call's marshalling loop, where ``in`` and its heap copies are dead (CALL-13):

* every live heap-pointer word is GC-visible: in the stack-args frame under a stackPtrs bit
  (BMP-1), or in a register whose part Value.call also stored into ``regArgs.Ptrs`` (CALL-6:
  a ``ptr`` step of a direct Value; of an indirect one only with VAR-7; the receiver only with
  VAR-8);
* every GC-visible word holds a pointer or nil: a stackPtrs bit only over a pointer word of a
  stack value or over zeroed padding, and a Ptrs slot only from a part that holds a pointer.

INV-GC-UAF is the explorer's name for a violation of the first half (a later read of the freed
object); tests/test_explore.py checks that the two agree.
"""

from __future__ import annotations

import time

from regabi.model.arch import Arch, load_arch
from regabi.model.sig import Signature
from regabi.model.variants import Variant, get_variant
from regabi.proofs.catalogue import Bounds, Entry, build_catalogue
from regabi.proofs.z3prove import W, _decode, _Enc, _Run
from regabi.verdict import Verdict

__all__ = ["BOUNDS", "INV", "encode", "holds_for", "prove"]

INV = "INV-GC-UAF"
#: arguments only: the property is about the marshalled arguments before the call
BOUNDS = Bounds(max_params=3, max_results=0, max_fields=2, max_depth=1)


def encode(r: _Run, v: Variant) -> tuple[object, object, list]:
    """(lost, bad_content, holding) for one shape: ``lost`` when some live heap pointer is
    invisible, ``bad_content`` when some visible word holds no pointer; ``holding`` the
    per-argument "held indirectly" Bools."""
    z3, enc = r.z3, r.enc
    fw = enc.fw
    refl = r.refl
    sptrs = refl["sptrs"]
    f7, f8 = z3.BoolVal(v.indirect_ptrs_to_ptrs), z3.BoolVal(v.rcvr_to_ptrs)
    ins = refl["ins"]
    off0 = 1 if r.recv else 0
    hold = [z3.Bool(f"indir{i}") for i in range(len(r.params))]
    lost, bad, cons = [], [], []
    union = z3.BitVecVal(0, fw)  # pointer words of stack values (any kind), at their offsets
    shift = enc.ps.bit_length() - 1
    if r.recv:
        d = ins[0]
        isp = z3.Extract(0, 0, r.rv.isptr) == 1
        # the receiver word is a heap pointer (storeRcvr of a pointer); CALL-4, VAR-8
        lost.append(z3.And(d["reg"], isp, z3.Not(f8)))
        lost.append(z3.And(d["stack"], isp, z3.Extract(0, 0, sptrs) == 0))
        union = z3.If(d["stack"], union | d["gc"], union)
    for i, (p, h) in enumerate(zip(r.params, hold, strict=True)):
        d = ins[off0 + i]
        cons.append(z3.Implies(z3.Not(p.dir), h))  # CALL-3: only pointer-shaped may be direct
        w = z3.ZeroExt(fw - W, z3.LShR(d["off"], shift))
        hm = p.hm
        # registers: Ptrs gets the part iff it is a ptr step and (direct, or VAR-7)
        to_ptrs = z3.Or(z3.Not(h), f7)
        lost.append(z3.And(d["reg"], hm != 0,
                           z3.Or(d["pp"] == 0, z3.Not(to_ptrs))))
        # stack: the frame is live (used after the call) and scanned with stackPtrs
        lost.append(z3.And(d["stack"], ((hm << w) & ~sptrs) != 0))
        union = z3.If(d["stack"], union | (p.gc << w), union)
        bad.append(z3.And(d["reg"], to_ptrs, (d["pp"] & ~p.rph) != 0))
    bad.append((sptrs & ~union) != 0)
    return z3.And(*cons, z3.Or(*lost)) if lost else z3.BoolVal(False), \
        z3.And(*cons, z3.Or(*bad)), hold


def _shapes(b: Bounds) -> list[tuple[int, bool]]:
    out = [(n, rc) for n in range(b.max_params + 1)
           for rc in ((False, True) if b.receiver else (False,))]
    out.sort(key=lambda s: (s[0] + s[1], s[1]))
    return out


def _solve(arch: Arch, v: Variant, cat: tuple[Entry, ...], n: int, rc: bool,
           pins: list[Entry] | None = None, rpin: Entry | None = None,
           hold_pin: list[bool] | None = None, timeout_ms: int = 20000):
    import z3

    enc = _Enc(arch, v, cat)
    r = _Run(enc, n, 0, rc)
    lost, bad, hold = encode(r, v)
    s = z3.SolverFor("QF_BV")
    s.set("timeout", timeout_ms)
    for i, val in enumerate(r.params):
        s.add(enc.table(val, (pins[i],) if pins else cat))
    if rc:
        s.add(enc.table(r.rv, (rpin,) if rpin else tuple(e for e in cat if e.rep.kind != 20),
                        rcvr=True))
    if hold_pin is not None:
        s.add(*[h if x else z3.Not(h) for h, x in zip(hold, hold_pin, strict=True)])
    return z3, s, r, enc, lost, bad, hold


def prove(variant: str, arch: str = "amd64", bounds: Bounds = BOUNDS) -> Verdict:
    """PROVED (within ``bounds``, every holding mode) or FALSIFIED with the first
    counterexample in order of fewest values, as a signature plus holding mode."""
    t0 = time.perf_counter()
    a = load_arch(arch)
    v = get_variant(variant)
    cat = build_catalogue(a.ptr_size, bounds.max_fields, bounds.max_depth)
    n_types = sum(e.count for e in cat)
    cov = sum(n_types ** (k + rc) * (1 << k) for k, rc in _shapes(bounds))
    desc = f"{bounds.describe()} (arguments only), every holding mode; before the call"
    unknown = []
    for n, rc in _shapes(bounds):
        for which in ("lost", "bad"):
            z3, s, r, enc, lost, bad, hold = _solve(a, v, cat, n, rc,
                                                  timeout_ms=bounds.timeout_ms)
            s.add(lost if which == "lost" else bad)
            res = s.check()
            if res == z3.sat:
                m = s.model()
                sig = _decode(r, m, enc)
                h = [bool(m.eval(x, model_completion=True)) for x in hold]
                sig = _fewest_leaves(sig, h, v, a, cat)
                what = ("a live heap pointer is not GC-visible" if which == "lost" else
                        "a GC-visible word holds no pointer")
                line = (f"{INV} false for {sig.go()}"
                        + (f" [recv {sig.recv}]" if sig.recv is not None else "")
                        + f" ({variant}, {arch}): {what} after marshalling (holding "
                        + (",".join("indir" if x else "direct" for x in h) or "-") + ")")
                return Verdict("z3", INV, variant, arch, "FALSIFIED", desc, cov,
                               time.perf_counter() - t0, line,
                               {"signature": sig.go(), "recv": None if sig.recv is None
                                else str(sig.recv), "holding": h, "half": which},
                               {"sig": sig})
            if res == z3.unknown:
                unknown.append(f"{n}p{'+recv' if rc else ''} {which}: {s.reason_unknown()}")
    st = "UNKNOWN" if unknown else "PROVED"
    return Verdict("z3", INV, variant, arch, st, desc, cov, time.perf_counter() - t0,
                   extra={"unknown": unknown} if unknown else {})


def _fewest_leaves(sig: Signature, holding: list[bool], v: Variant, a: Arch,
                  cat: tuple[Entry, ...]) -> Signature:
    """Greedy descent to fewer leaves, keeping the violation (same holding mode)."""
    by_rep = {e.rep: e for e in cat}
    pool = sorted(cat, key=lambda e: e.rep.leaves())
    ents = [by_rep[t] for t in sig.params]
    rv = by_rep.get(sig.recv) if sig.recv is not None else None
    for i in range(len(ents)):
        for e in pool:
            if e.rep.leaves() >= ents[i].rep.leaves():
                break
            if holding[i] is False and not _direct_ok(e, v, a):
                continue
            cand = [*ents[:i], e, *ents[i + 1:]]
            if not holds_for(cand, rv, holding, v.name, a.name):
                ents = cand
                break
    return Signature(tuple(e.rep for e in ents), (), sig.recv)


def _direct_ok(e: Entry, v: Variant, a: Arch) -> bool:
    from regabi.model.assign import is_direct

    return is_direct(e.rep, a.ptr_size, v)


def holds_for(sig_entries: list[Entry], recv: Entry | None, holding: list[bool],
              variant: str, arch: str = "amd64") -> bool:
    """The encoding's verdict (no lost pointer, no bad visible word) for one concrete
    signature given as catalogue entries, with its holding mode."""
    a = load_arch(arch)
    v = get_variant(variant)
    cat = tuple(sig_entries) + ((recv,) if recv is not None else ())
    z3, s, _r, _enc, lost, bad, _hold = _solve(a, v, cat, len(sig_entries), recv is not None,
                                               list(sig_entries), recv, holding)
    s.add(z3.Or(lost, bad))
    return s.check() == z3.unsat


def signature_of(entries: list[Entry], recv: Entry | None) -> Signature:
    return Signature(tuple(e.rep for e in entries), (), recv.rep if recv is not None else None)
