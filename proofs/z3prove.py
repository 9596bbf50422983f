"""Z3 proofs of the invariant catalogue over a bounded universe of signatures
(regabi.proofs.z3prove).

Each value of a signature ranges over the classes of :mod:`regabi.proofs.catalogue`; the spec
algorithm (ASG-1 … ASG-9) and reflect's (RFL-1 … RFL-6, FRM-1 … FRM-4, BMP-1 … BMP-3, with the
variant deltas VAR-1 … VAR-5) are encoded over bit-vectors, and each invariant's *negation* is
asked of Z3 per signature shape (number of params, results, receiver). PROVED means every shape
is unsat; a model is decoded to a concrete Signature and re-checked with the concrete
``Invariant.check`` (disagreement raises ModelError). Per query, only the summaries the
invariant reads are tabulated, so each value ranges over the projection of the catalogue.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from regabi.errors import ModelError, SolverError
from regabi.model.arch import Arch, load_arch
from regabi.model.assign import is_direct
from regabi.model.invariants import CATALOGUE, Violation, get_invariant
from regabi.model.sig import Signature
from regabi.model.types import layout
from regabi.model.variants import Variant, get_variant
from regabi.proofs.catalogue import Bounds, Entry, build_catalogue
from regabi.verdict import Verdict, exit_status, render_table

__all__ = ["Bounds", "add_prove_arguments", "check_section", "cli_prove", "prove", "prove_one"]

W = 24  # bit width of byte counts: bounded frames stay far below 2**W (asserted in _Enc)


class _Val:
    """A symbolic value: attributes are created on first use and recorded for the table."""

    def __init__(self, enc: _Enc, name: str) -> None:
        self._enc = enc
        self._name = name
        self._vars: dict[str, object] = {}

    def __getattr__(self, a: str) -> object:
        if a.startswith("_"):
            raise AttributeError(a)
        v = self._vars.get(a)
        if v is None:
            z3 = self._enc.z3
            w = self._enc.width(a)
            v = z3.Bool(f"{self._name}.{a}") if w == 0 else z3.BitVec(f"{self._name}.{a}", w)
            self._vars[a] = v
        return v


class _Enc:
    """Encoding of one (arch, variant, shape)."""

    def __init__(self, arch: Arch, variant: Variant, cat: tuple[Entry, ...]) -> None:
        import z3

        self.z3 = z3
        self.arch = arch
        self.v = variant
        self.ps = arch.ptr_size
        self.cat = cat
        self.G = max((_groups_len(e, variant) for e in cat), default=0)
        self.maxw = max((e.size for e in cat), default=0) // self.ps + 2
        self.rw = max(arch.n_int, 1) + 32
        self.fw = 64
        self._rows: dict[tuple, list] = {}
        self._proj: dict[tuple, dict] = {}

    def width(self, a: str) -> int:
        if a in ("zero", "sok", "rok", "rnone", "dir") or a.startswith("bad"):
            return 0
        if a in ("gc", "hm"):
            return self.fw
        if a in ("spp", "sph", "rpp", "rph"):
            return self.rw
        return W

    # rows ---------------------------------------------------------------------------------
    def row(self, e: Entry, rcvr: bool = False) -> dict[str, int | bool]:
        """Every summary of class ``e`` as the encoding reads it (ASG-3, RFL-3, VAR-2/3)."""
        a, v, ps = self.arch, self.v, self.ps
        sp = e.spec_parts
        sok = e.size > 0 and sp is not None  # ASG-4
        r: dict[str, int | bool] = {"size": e.size, "al": e.align, "gc": e.gcmask,
                                    "hm": e.heapmask,
                                    "gcl": e.gcmask.bit_length(), "zero": e.size == 0,
                                    "sok": sok}
        ints = [p for p in sp or () if p[0] == "int"]
        r["sni"] = len(ints) if sok else 0
        r["snf"] = (len(sp) - len(ints)) if sok else 0
        r["spp"] = sum(1 << j for j, p in enumerate(ints) if p[3]) if sok else 0
        # TYP-10: an itab/type word may be marked or not (hi bound of BMP-2/3)
        r["sph"] = sum(1 << j for j, p in enumerate(ints) if p[3] or p[5]) if sok else 0
        rp = sp if v.visit_zero_fields else e.seed_parts  # VAR-3
        r["rok"] = rp is not None
        # seed: zero-size with parts -> no step and no alignment (VAR-2)
        r["rnone"] = e.size == 0 and rp is not None
        groups = []
        i = 0
        rp_l = list(rp or ())
        if rp is None:
            # RFL-3: regAssign places the prefix, then fails (a variant without rollback keeps
            # the prefix's registers, VAR-1): the prefix's groups, then one that never fits
            rp_l = list((e.spec_prefix if v.visit_zero_fields else e.seed_prefix) or ())
        while i < len(rp_l):
            c, _o, s, _p, g, _it = rp_l[i]
            bad = c == "float" and a.float_reg_size < s  # RFL-3: EffectiveFloatRegSize
            groups.append((g if c == "int" else 0, g if c == "float" else 0, bad))
            i += g
        if rp is None:
            groups.append((0, 0, True))
        bad_seen = False
        for k in range(self.G):
            di, df, bad = groups[k] if k < len(groups) else (0, 0, False)
            bad_seen = bad_seen or bad
            r[f"di{k}"] = di
            r[f"df{k}"] = df
            r[f"bad{k}"] = bad_seen
        rp_l = list(rp or ())
        rints = [p for p in rp_l if p[0] == "int"]
        r["rpp"] = sum(1 << j for j, p in enumerate(rints) if p[3])
        # parts that hold a pointer of any kind (the itab word too), and pointer-shapedness
        # (TYP-11, VAR-6): what proofs/gcz3.py needs about the Value holding the value
        r["rph"] = sum(1 << j for j, p in enumerate(rints) if p[3] or p[5])
        r["dir"] = is_direct(e.rep, ps, v)
        r["rti"] = len(rints)
        r["rtf"] = len(rp_l) - len(rints)
        if rcvr:
            r["isptr"] = int(not is_direct(e.rep, ps, v) or layout(e.rep, ps).ptrdata != 0)
        return r

    def table(self, val: _Val, entries: tuple[Entry, ...], rcvr: bool = False) -> object:
        """val's recorded attributes take one catalogue class's values (projected rows)."""
        z3 = self.z3
        names = sorted(val._vars)
        if not names:
            return z3.BoolVal(True)
        # small ad-hoc tables (tests pin one class) by value, the catalogue by identity
        rk = (rcvr, entries if len(entries) <= 16 else id(entries))
        ck = (tuple(names), *rk)
        seen = self._proj.get(ck)
        if seen is None:
            if rk not in self._rows:
                self._rows[rk] = [(self.row(e, rcvr), e) for e in entries]
            seen = {}
            for r, e in self._rows[rk]:
                seen.setdefault(tuple(r[n] for n in names), e)
            self._proj[ck] = seen
        val._rows = (names, seen)  # type: ignore[attr-defined]
        ors = []
        for tup in seen:
            ors.append(z3.And([val._vars[n] == tup[j] if not isinstance(tup[j], bool)
                               else (val._vars[n] if tup[j] else z3.Not(val._vars[n]))
                               for j, n in enumerate(names)]))
        return z3.Or(ors)


def _groups_len(e: Entry, v: Variant) -> int:
    rp = e.spec_parts if v.visit_zero_fields else e.seed_parts
    if rp is None:  # the walked prefix, then the failing group
        pre = (e.spec_prefix if v.visit_zero_fields else e.seed_prefix) or ()
        return sum(1 for p in pre if p[4] > 0) + 1
    return sum(1 for p in rp if p[4] > 0)


def _bv(z3: object, x: int) -> object:
    return z3.BitVecVal(x, W)  # type: ignore[attr-defined]


def _align(z3: object, x: object, a: object) -> object:
    return (x + a - 1) & ~(a - 1)  # type: ignore[operator]


class _Run:
    """One shape's encoding: spec and reflect layouts over symbolic values."""

    def __init__(self, enc: _Enc, np_: int, nr: int, recv: bool) -> None:
        z3 = enc.z3
        self.enc, self.z3 = enc, z3
        self.np, self.nr, self.recv = np_, nr, recv
        a, ps = enc.arch, enc.ps
        enc.fw = max(W + 8, (np_ + nr + 1) * enc.maxw + 8)
        self.params = [_Val(enc, f"p{i}") for i in range(np_)]
        self.results = [_Val(enc, f"r{i}") for i in range(nr)]
        self.rv = _Val(enc, "recv") if recv else None
        self.NI, self.NF = _bv(z3, a.n_int), _bv(z3, a.n_float)
        self.PS = _bv(z3, ps)
        self.spec = self._spec(self.NI, self.NF)
        self.refl = self._reflect(self.NI, self.NF)

    # ASG-1 … ASG-9 ------------------------------------------------------------------------
    def _spec(self, NI: object, NF: object) -> dict:
        z3, _ps = self.z3, self.enc.ps
        zero = _bv(z3, 0)
        st = {"I": zero, "F": zero, "S": zero, "SP": zero}
        ins, outs = [], []

        def one(size: object, al: object, ok: object, ni: object, nf: object, pp: object,
                result: bool, ph: object = None) -> dict:
            fits = z3.And(ok, z3.ULE(st["I"] + ni, NI), z3.ULE(st["F"] + nf, NF))  # ASG-2
            off = _align(z3, st["S"], al)  # ASG-5
            rec = {"reg": fits, "I": st["I"], "F": st["F"], "off": off, "pp": pp, "ni": ni,
                   "nf": nf, "size": size, "ph": pp if ph is None else ph}
            st["I"] = z3.If(fits, st["I"] + ni, st["I"])
            st["F"] = z3.If(fits, st["F"] + nf, st["F"])
            st["S"] = z3.If(fits, st["S"], off + size)
            if not result:  # ASG-7 spill slots
                spo = _align(z3, st["SP"], al)
                st["SP"] = z3.If(fits, spo + size, st["SP"])
            return rec

        if self.recv:  # ASG-9: one pointer word
            ins.append(one(self.PS, self.PS, z3.BoolVal(True), _bv(z3, 1), zero,
                           z3.BitVecVal(1, self.enc.rw), False))
        for p in self.params:
            ins.append(one(p.size, p.al, p.sok, p.sni, p.snf, p.spp, False, p.sph))
        args_end = st["S"]
        st["S"] = _align(z3, st["S"], self.PS)  # ASG-6
        ret_off = st["S"]
        st["I"] = st["F"] = zero  # ASG-8
        for r in self.results:
            outs.append(one(r.size, r.al, r.sok, r.sni, r.snf, r.spp, True, r.sph))
        rs = _bv(z3, self.enc.arch.reg_size)
        return {"ins": ins, "outs": outs, "args_end": args_end, "ret_off": ret_off,
                "off_spill": _align(z3, st["S"], rs), "spill_size": _align(z3, st["SP"], rs)}

    # RFL-1 … RFL-6, FRM-3/4, BMP-1 … BMP-3 -------------------------------------------------
    def _add_arg(self, q: dict, x: _Val, NI: object, NF: object) -> dict:
        z3, v, enc = self.z3, self.enc.v, self.enc
        I0, F0, S0 = q["I"], q["F"], q["S"]
        # RFL-3 group by group; fits_k monotone so leaked registers telescope (VAR-1)
        fits = x.rok
        ci, cf = _bv(z3, 0), _bv(z3, 0)
        leak_i, leak_f = _bv(z3, 0), _bv(z3, 0)
        for k in range(enc.G):
            di, df = getattr(x, f"di{k}"), getattr(x, f"df{k}")
            ci, cf = ci + di, cf + df
            fits = z3.And(fits, z3.Not(getattr(x, f"bad{k}")), z3.ULE(I0 + ci, NI),
                          z3.ULE(F0 + cf, NF))
            leak_i = leak_i + z3.If(fits, di, 0)
            leak_f = leak_f + z3.If(fits, df, 0)
        if v.zero_size_aligns_stack:  # VAR-2 (current): zero-size aligns, no step
            nostep = x.zero
            S_ns = _align(z3, S0, x.al)
        else:  # seed: zero-size with parts -> nothing at all
            nostep = x.rnone
            S_ns = S0
        reg = z3.And(z3.Not(nostep), fits)
        stack = z3.And(z3.Not(nostep), z3.Not(fits))
        off = _align(z3, S0, x.al)  # RFL-4 stackAssign
        if v.rollback_regs:
            I_fail, F_fail = I0, F0
        else:
            I_fail, F_fail = I0 + leak_i, F0 + leak_f
        q["I"] = z3.If(reg, I0 + x.rti, z3.If(stack, I_fail, I0))
        q["F"] = z3.If(reg, F0 + x.rtf, z3.If(stack, F_fail, F0))
        q["S"] = z3.If(nostep, S_ns, z3.If(reg, S0, off + x.size))
        return {"reg": reg, "stack": stack, "nostep": nostep, "I": I0, "F": F0, "off": off,
                "ni": x.rti, "nf": x.rtf, "pp": x.rpp, "size": x.size, "gc": x.gc,
                "gcl": x.gcl}

    def _reflect(self, NI: object, NF: object) -> dict:
        z3, enc, ps, v = self.z3, self.enc, self.enc.ps, self.enc.v
        a = enc.arch
        zero = _bv(z3, 0)
        fw = enc.fw
        sptrs = z3.BitVecVal(0, fw)
        sn = zero
        spill = zero
        spill_i = spill_f = zero
        q = {"I": zero, "F": zero, "S": zero}
        ins: list[dict] = []
        if self.recv:  # RFL-5
            isp = z3.Extract(0, 0, self.rv.isptr) == 1
            inreg = z3.ULE(_bv(z3, 1), NI)
            off = _align(z3, q["S"], self.PS)
            ins.append({"reg": inreg, "stack": z3.Not(inreg), "nostep": z3.BoolVal(False),
                        "I": q["I"], "F": zero, "off": off, "ni": _bv(z3, 1), "nf": zero,
                        "pp": z3.If(isp, z3.BitVecVal(1, enc.rw), z3.BitVecVal(0, enc.rw)),
                        "size": self.PS, "gc": z3.If(isp, z3.BitVecVal(1, fw),
                                                     z3.BitVecVal(0, fw)),
                        "gcl": _bv(z3, 1), "recv": True})
            q["I"] = z3.If(inreg, q["I"] + 1, q["I"])
            q["S"] = z3.If(inreg, q["S"], off + ps)
            sptrs = z3.If(inreg, sptrs, sptrs | ins[0]["gc"])  # BMP-1 word 0
            sn = z3.If(inreg, sn, _bv(z3, 1))
            if v.spill_by_type:
                spill = z3.If(inreg, spill + ps, spill)
            else:
                spill_i = z3.If(inreg, spill_i + ps, spill_i)
        in_ptrs = z3.BitVecVal(0, enc.rw)
        for i, p in enumerate(self.params):
            d = self._add_arg(q, p, NI, NF)
            ins.append(d)
            sptrs, sn = self._bits(d, sptrs, sn)
            notst = z3.Not(d["stack"])
            if v.spill_by_type:  # VAR-4 current
                spill = z3.If(notst, _align(z3, spill, p.al) + p.size, spill)
            else:  # VAR-4 seed
                spill_i = z3.If(notst, spill_i + (q["I"] - d["I"]) * ps, spill_i)
                spill_f = z3.If(notst, spill_f + (q["F"] - d["F"]) * a.float_reg_size,
                                spill_f)
            if v.in_reg_ptrs:  # BMP-2: stepsForValue(i), without the receiver offset
                slot = ins[i]
                in_ptrs = z3.If(notst, in_ptrs | self._mask(slot), in_ptrs)
        spill = _align(z3, spill if v.spill_by_type else spill_i + spill_f, self.PS)
        args = q["S"]
        ret_off = _align(z3, q["S"], self.PS)  # RFL-6
        q = {"I": zero, "F": zero, "S": ret_off}
        outs = []
        out_ptrs = z3.BitVecVal(0, enc.rw)
        for r in self.results:
            d = self._add_arg(q, r, NI, NF)
            outs.append(d)
            sptrs, sn = self._bits(d, sptrs, sn)
            out_ptrs = z3.If(d["stack"], out_ptrs, out_ptrs | self._mask(d))  # BMP-3
        fts = _align(z3, q["S"], self.PS)  # FRM-4
        return {"ins": ins, "outs": outs, "args": args, "ret_off": ret_off, "spill": spill,
                "sptrs": sptrs, "sn": sn, "in_ptrs": in_ptrs if v.in_reg_ptrs else None,
                "out_ptrs": out_ptrs, "fts": fts, "frame": _align(z3, fts, self.PS) + spill}

    def _mask(self, d: dict) -> object:
        z3, enc = self.z3, self.enc
        sh = z3.ZeroExt(enc.rw - W, d["I"])
        return z3.If(d["reg"], d["pp"] << sh, z3.BitVecVal(0, enc.rw))

    def _bits(self, d: dict, sptrs: object, sn: object) -> tuple[object, object]:
        z3, enc = self.z3, self.enc
        word = z3.LShR(d["off"], enc.ps.bit_length() - 1)
        sh = z3.ZeroExt(enc.fw - W, word)
        sptrs = z3.If(d["stack"], sptrs | (d["gc"] << sh), sptrs)
        top = word + d["gcl"]
        sn = z3.If(z3.And(d["stack"], d["gcl"] != 0, z3.UGT(top, sn)), top, sn)
        return sptrs, sn


# --------------------------------------------------------------------------------------------
# invariant negations (same ids as regabi.model.invariants.CATALOGUE)


def _neg_reg_bounds(r: _Run) -> object:
    z3 = r.z3
    bad = []
    for seq in (r.refl["ins"], r.refl["outs"]):
        for d in seq:
            bad.append(z3.And(d["reg"], z3.Or(z3.UGT(d["I"] + d["ni"], r.NI),
                                               z3.UGT(d["F"] + d["nf"], r.NF))))
        for j, a in enumerate(seq):
            for b in seq[j + 1:]:
                for c, n in (("I", "ni"), ("F", "nf")):
                    bad.append(z3.And(a["reg"], b["reg"], a[n] != 0, b[n] != 0,
                                      z3.ULT(a[c], b[c] + b[n]), z3.ULT(b[c], a[c] + a[n])))
    return z3.Or(bad)


def _neg_stack_layout(r: _Run) -> object:
    z3, R = r.z3, r.refl
    bad = [z3.ULT(R["ret_off"], R["args"])]
    spans = []
    for which, seq in (("in", R["ins"]), ("out", R["outs"])):
        for d in seq:
            al = r.PS if d.get("recv") else None
            if al is None:
                al = _val_of(r, d).al
            end = d["off"] + d["size"]
            bad.append(z3.And(d["stack"], (d["off"] & (al - 1)) != 0))
            if which == "in":
                bad.append(z3.And(d["stack"], z3.UGT(end, R["args"])))
            else:
                bad.append(z3.And(d["stack"], z3.ULT(d["off"], R["ret_off"])))
            bad.append(z3.And(d["stack"], z3.UGT(end, R["fts"])))
            spans.append(d)
    for j, a in enumerate(spans):
        for b in spans[j + 1:]:
            bad.append(z3.And(a["stack"], b["stack"], a["size"] != 0, b["size"] != 0,
                              z3.ULT(a["off"], b["off"] + b["size"]),
                              z3.ULT(b["off"], a["off"] + a["size"])))
    return z3.Or(bad)


def _neg_frame(r: _Run) -> object:
    z3, R, S = r.z3, r.refl, r.spec
    need = S["off_spill"] + S["spill_size"]
    # frameSize < 2**32 holds trivially: every bounded frame is < 2**W (W < 32)
    return z3.Or(z3.ULT(R["frame"], need), z3.ULT(R["fts"], S["off_spill"]))


def _neg_agree(r: _Run) -> object:
    z3 = r.z3
    bad = []
    for sseq, rseq in ((r.spec["ins"], r.refl["ins"]), (r.spec["outs"], r.refl["outs"])):
        for s, d in zip(sseq, rseq, strict=True):
            nz = s["size"] != 0
            bad.append(z3.And(nz, z3.Or(
                s["reg"] != d["reg"],
                z3.And(s["reg"], z3.Or(s["I"] != d["I"], s["F"] != d["F"])),
                z3.And(z3.Not(s["reg"]), z3.Or(z3.Not(d["stack"]), s["off"] != d["off"])))))
    return z3.Or(bad)


def _neg_bitmap_stack(r: _Run) -> object:
    z3, R, enc = r.z3, r.refl, r.enc
    lo = hi = z3.BitVecVal(0, enc.fw)
    vals = ([r.rv] if r.recv else []) + r.params + r.results
    for d, x in zip(R["ins"] + R["outs"], vals, strict=True):
        word = z3.ZeroExt(enc.fw - W, z3.LShR(d["off"], enc.ps.bit_length() - 1))
        one = z3.BitVecVal(1, enc.fw)
        ml, mh = (one, one) if d.get("recv") else (x.hm, d["gc"])
        lo = z3.If(d["stack"], lo | (ml << word), lo)
        hi = z3.If(d["stack"], hi | (mh << word), hi)
    sn = z3.ZeroExt(enc.fw - W, R["sn"])
    got = R["sptrs"]
    # TYP-10 sandwich: heap words must be marked, only pointer words may be
    return z3.Or((lo & ~got) != 0, (got & ~hi) != 0, z3.LShR(lo, sn) != 0)


def _spec_mask(r: _Run, seq: list[dict], key: str = "pp") -> object:
    z3, enc = r.z3, r.enc
    m = z3.BitVecVal(0, enc.rw)
    for s in seq:
        m = z3.If(s["reg"], m | (s[key] << z3.ZeroExt(enc.rw - W, s["I"])), m)
    return m


def _sandwich(r: _Run, got: object, seq: list[dict]) -> object:
    lo, hi = _spec_mask(r, seq, "pp"), _spec_mask(r, seq, "ph")
    return r.z3.Or((lo & ~got) != 0, (got & ~hi) != 0)


def _neg_bitmap_regs(r: _Run) -> object:
    z3, R = r.z3, r.refl
    bad = [_sandwich(r, R["out_ptrs"], r.spec["outs"])]
    if R["in_ptrs"] is not None and not r.recv:
        bad.append(_sandwich(r, R["in_ptrs"], r.spec["ins"]))
    return z3.Or(bad)


def _neg_inregptrs_rcvr(r: _Run) -> object:
    z3, R = r.z3, r.refl
    if R["in_ptrs"] is None or not r.recv:
        return z3.BoolVal(False)
    return _sandwich(r, R["in_ptrs"], r.spec["ins"])


def _neg_abi0(r: _Run) -> object:
    z3 = r.z3
    zero = _bv(z3, 0)
    R = r._reflect(zero, zero)
    off = zero
    want_in, want_out = [], []
    if r.recv:
        want_in.append(zero)
        off = r.PS
    for p in r.params:
        off = _align(z3, off, p.al)
        want_in.append(off)
        off = off + p.size
    ret = _align(z3, off, r.PS)
    off = ret
    for x in r.results:
        off = _align(z3, off, x.al)
        want_out.append(off)
        off = off + x.size
    bad = [R["ret_off"] != ret]
    for seq, want in ((R["ins"], want_in), (R["outs"], want_out)):
        for d, w in zip(seq, want, strict=True):
            got_ok = z3.And(d["stack"], d["off"] == w)
            bad.append(z3.And(d["size"] != 0, z3.Not(got_ok)))
    return z3.Or(bad)


def _neg_regargs(r: _Run) -> object:
    z3, a = r.z3, r.enc.arch
    ra = a.regargs
    bad = []
    for d in r.refl["ins"] + r.refl["outs"]:
        iend = _bv(z3, ra.ints_offset) + (d["I"] + d["ni"]) * a.ptr_size
        fend = _bv(z3, ra.floats_offset) + (d["F"] + d["nf"]) * 8
        bad.append(z3.And(d["reg"], d["ni"] != 0, z3.UGT(iend, ra.floats_offset)))
        bad.append(z3.And(d["reg"], d["nf"] != 0, z3.UGT(fend, ra.ptrs_offset)))
    return z3.Or(bad)


def _val_of(r: _Run, d: dict) -> _Val:
    for seq, vals in ((r.refl["ins"], ([r.rv] if r.recv else []) + r.params),
                      (r.refl["outs"], r.results)):
        for x, v in zip(seq, vals, strict=True):
            if x is d:
                return v  # type: ignore[return-value]
    raise ModelError("value not found")


NEGATIONS: dict[str, Callable[[_Run], object]] = {
    "INV-REG-BOUNDS": _neg_reg_bounds,
    "INV-STACK-LAYOUT": _neg_stack_layout,
    "INV-FRAME-SUFFICIENT": _neg_frame,
    "INV-ASSIGN-AGREE": _neg_agree,
    "INV-BITMAP-STACK": _neg_bitmap_stack,
    "INV-BITMAP-REGS": _neg_bitmap_regs,
    "INV-INREGPTRS-RCVR": _neg_inregptrs_rcvr,
    "INV-ABI0": _neg_abi0,
    "INV-REGARGS": _neg_regargs,
}


# --------------------------------------------------------------------------------------------
# driver


def _shapes(b: Bounds) -> list[tuple[int, int, bool]]:
    out = [(n, m, rc) for n in range(b.max_params + 1) for m in range(b.max_results + 1)
           for rc in ((False, True) if b.receiver else (False,))]
    out.sort(key=lambda s: (s[0] + s[1] + s[2], s[2], s[0]))
    return out


def covered(b: Bounds, ps: int = 8) -> int:
    """Distinct signatures the bounds cover: sum over shapes of N^(params+results) (x N for a
    receiver), N the catalogue's Go types."""
    n = sum(e.count for e in build_catalogue(ps, b.max_fields, b.max_depth))
    return sum(n ** (p + m) * (n if rc else 1) for p, m, rc in _shapes(b))


def _decode(r: _Run, model: object, enc: _Enc) -> Signature:
    def pick(val: _Val) -> object:
        names, rows = val._rows  # type: ignore[attr-defined]
        tup = []
        for nm in names:
            x = model.eval(val._vars[nm], model_completion=True)  # type: ignore[attr-defined]
            tup.append(bool(x) if enc.width(nm) == 0 else x.as_long())
        e = rows.get(tuple(tup))
        if e is None:
            raise ModelError(f"Z3 model row {dict(zip(names, tup, strict=True))} not in table")
        return e.rep

    ps_ = tuple(pick(p) if p._vars else enc.cat[0].rep for p in r.params)
    rs_ = tuple(pick(x) if x._vars else enc.cat[0].rep for x in r.results)
    rv = None
    if r.recv:
        rv = pick(r.rv) if r.rv._vars else enc.cat[0].rep
    return Signature(ps_, rs_, rv)  # type: ignore[arg-type]


def _minimise(sig: Signature, inv_id: str, arch: Arch, v: Variant,
              cat: tuple[Entry, ...]) -> Signature:
    """Fewest leaves by greedy concrete descent (the value count is already minimal)."""
    inv = get_invariant(inv_id)
    pool = [e.rep for e in cat[:400]]
    changed = True
    while changed:
        changed = False
        for which in ("params", "results", "recv"):
            vals = list(getattr(sig, which)) if which != "recv" else (
                [sig.recv] if sig.recv is not None else [])
            for i, t in enumerate(vals):
                for c in pool:
                    if c.leaves() >= t.leaves():
                        break
                    nv = list(vals)
                    nv[i] = c
                    if which == "recv":
                        cand = Signature(sig.params, sig.results, c)
                    else:
                        kw = {"params": sig.params, "results": sig.results, "recv": sig.recv}
                        kw[which] = tuple(nv)
                        cand = Signature(**kw)
                    if inv.check(cand, arch, v) is not None:
                        sig, changed = cand, True
                        break
    return sig


def prove_one(arch: Arch, v: Variant, inv_id: str, b: Bounds) -> Verdict:
    """One invariant on one (arch, variant): PROVED, FALSIFIED/LATENT, or UNKNOWN."""
    import z3

    t0 = time.perf_counter()
    inv = get_invariant(inv_id)
    cat = build_catalogue(arch.ptr_size, b.max_fields, b.max_depth)
    bounds = b.describe()
    cov = covered(b, arch.ptr_size)
    from regabi.model.arch import regargs_layout

    if inv_id == "INV-REGARGS" and arch.regargs != regargs_layout(arch.n_int, arch.n_float,
                                                                  arch.ptr_size):
        vio = inv.check(Signature(()), arch, v)
        return _falsified(inv, v, arch, vio, bounds, cov, t0)
    enc = _Enc(arch, v, cat)
    unknown = []
    for np_, nr, rc in _shapes(b):
        r = _Run(enc, np_, nr, rc)
        neg = NEGATIONS[inv_id](r)
        s = z3.SolverFor("QF_BV")
        s.set("timeout", b.timeout_ms)
        for val in [*r.params, *r.results, *([r.rv] if rc else [])]:
            s.add(enc.table(val, cat, rcvr=val is r.rv))
        s.add(neg)
        res = s.check()
        if res == z3.sat:
            sig = _decode(r, s.model(), enc)
            vio = inv.check(sig, arch, v)
            if vio is None:
                raise ModelError(f"{inv_id}: Z3 model {sig} ({v.name}, {arch.name}) is not a "
                                 "concrete violation: the encoding and the model disagree")
            sig = _minimise(sig, inv_id, arch, v, cat)
            vio = inv.check(sig, arch, v)
            return _falsified(inv, v, arch, vio, bounds, cov, t0)
        if res == z3.unknown:
            unknown.append(f"{np_}p{nr}r{'+recv' if rc else ''}: {s.reason_unknown()}")
    st = "UNKNOWN" if unknown else "PROVED"
    return Verdict("z3", inv_id, v.name, arch.name, st, bounds, cov,
                   time.perf_counter() - t0, extra={"unknown": unknown} if unknown else {})


def _falsified(inv: object, v: Variant, arch: Arch, vio: Violation | None, bounds: str,
               cov: int, t0: float) -> Verdict:
    if vio is None:
        raise ModelError("no concrete violation")
    st = "LATENT" if inv.severity == "latent" else "FALSIFIED"  # type: ignore[attr-defined]
    return Verdict("z3", vio.invariant, v.name, arch.name, st, bounds, cov,
                   time.perf_counter() - t0, vio.line(), vio,
                   {"go_source": go_source(vio), "pytest": pytest_source(vio)})


def prove(arch: str, variant: str, invariant_ids: list[str] | None = None,
          bounds: Bounds | None = None) -> list[Verdict]:
    """Prove or falsify each invariant (default: the whole catalogue) on ``arch``/``variant``.

    ``arch`` is an arch name or ``name/regs=I,F`` for synthetic register counts.
    """
    b = bounds or Bounds()
    a = _arch(arch)
    v = get_variant(variant)
    ids = invariant_ids or [i.id for i in CATALOGUE]
    out = []
    for i in ids:
        get_invariant(i)
        try:
            out.append(prove_one(a, v, i, b))
        except ModelError:
            raise
        except Exception as e:  # z3 exceptions are not verdicts
            raise SolverError(f"{i} ({variant}, {arch}): {e}") from e
    return out


def _arch(name: str) -> Arch:
    if "/regs=" in name:
        base, regs = name.split("/regs=")
        ni, nf = (int(x) for x in regs.split(","))
        return load_arch(base).with_regs(ni, nf)
    return load_arch(name)


def check_section(arch: str = "amd64", variants: tuple[str, ...] = ("seed", "current")
                  ) -> list[Verdict]:
    """What ``regabi check`` runs: every invariant per variant at small, fast bounds."""
    b = Bounds(max_params=3, max_results=1, max_fields=2, max_depth=1)
    out = []
    for v in variants:
        out.extend(prove(arch, v, None, b))
    return out


# --------------------------------------------------------------------------------------------
# rendering


def _go_value(t: object) -> str:
    from regabi.model.types import Array, Basic, Chan, Func, Interface, Map, Pointer, Slice, Struct

    ts = str(t)
    if isinstance(t, Basic):
        n = t.name
        if n == "bool":
            return "true"
        if n == "string":
            return '"hello"'
        if n == "unsafe.Pointer":
            return "unsafe.Pointer(new(int))"
        if n.startswith("complex"):
            return f"{n}(complex(1.5, -2.5))"
        if n.startswith("float"):
            return f"{n}(1.5)"
        return f"{n}(7)"
    if isinstance(t, Pointer):
        return f"new({t.elem})"
    if isinstance(t, Slice):
        return f"{ts}{{{_go_value(t.elem)}, {_go_value(t.elem)}}}"
    if isinstance(t, Interface):
        return "any(42)"
    if isinstance(t, Map):
        return f"{ts}{{{_go_value(t.key)}: {_go_value(t.elem)}}}"
    if isinstance(t, Chan):
        return f"make({ts}, 1)"
    if isinstance(t, Func):
        return f"{ts}{{}}"
    if isinstance(t, Array):
        return f"{ts}{{{', '.join(_go_value(t.elem) for _ in range(t.length))}}}"
    if isinstance(t, Struct):
        els = [f"{f.name}: {_go_value(f.type)}" for f in t.fields if f.name != "_"]
        return f"{ts}{{{', '.join(els)}}}"
    return f"*new({ts})"


def go_source(vio: Violation) -> str:
    """A ``package main`` program calling a function of the signature through reflect."""
    sig = vio.sig
    params = ", ".join(f"a{i} {t}" for i, t in enumerate(sig.params))
    res = ", ".join(str(t) for t in sig.results)
    ret = f" ({res})" if sig.results else ""
    body_ret = ", ".join(_go_value(t) for t in sig.results)
    prints = ", ".join(f"a{i}" for i in range(len(sig.params)))
    lines = ["// " + vio.line(), "package main", "", "import (", '\t"fmt"', '\t"reflect"']
    if "unsafe.Pointer" in str(sig) + str(sig.recv):
        lines.append('\t"unsafe"')
    lines += [")", ""]
    if sig.recv is not None:
        lines += [f"type R {sig.recv}", "",
                  f"func (r R) F({params}){ret} {{", f"\tfmt.Println(r, {prints or '0'})"]
    else:
        lines += [f"func F({params}){ret} {{", f"\tfmt.Println({prints})"]
    if sig.results:
        lines.append(f"\treturn {body_ret}")
    lines += ["}", "", "func main() {"]
    if sig.recv is not None:
        lines.append(f"\tfn := reflect.ValueOf(R({_go_value(sig.recv)})).Method(0)")
    else:
        lines.append("\tfn := reflect.ValueOf(F)")
    args = ", ".join(f"reflect.ValueOf({_go_value(t)})" for t in sig.params)
    lines += [f"\tout := fn.Call([]reflect.Value{{{args}}})",
              "\tfor _, o := range out {", "\t\tfmt.Println(o.Interface())", "\t}", "}", ""]
    return "\n".join(lines)


def pytest_source(vio: Violation) -> str:
    """A pytest regression test pinning the counterexample."""
    name = (f"test_{vio.variant}_{vio.invariant}_{vio.arch}".lower()
            .replace("-", "_").replace("/", "_").replace("=", "").replace(",", "_"))
    recv = f", recv={str(vio.sig.recv)!r}" if vio.sig.recv is not None else ""
    arch = vio.arch
    load = f"load_arch({arch!r})"
    if "/regs=" in arch:
        base, regs = arch.split("/regs=")
        load = f"load_arch({base!r}).with_regs({regs})"
    return "\n".join([
        f"def {name}():",
        f'    """{vio.line()}"""',
        "    from regabi.model.arch import load_arch",
        "    from regabi.model.invariants import get_invariant",
        "    from regabi.model.syntax import parse_signature",
        "    from regabi.model.variants import get_variant",
        "",
        f"    sig = parse_signature({vio.sig.go()!r}{recv})",
        f"    assert get_invariant({vio.invariant!r}).check(sig, {load}, "
        f"get_variant({vio.variant!r})) is not None",
        "",
    ])


# --------------------------------------------------------------------------------------------
# CLI


def add_prove_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``regabi prove``."""
    d = Bounds()
    parser.add_argument("--arch", action="append", default=None,
                        help="arch name or name/regs=I,F (repeatable or comma list; amd64)")
    parser.add_argument("--variant", action="append", default=None,
                        help="seed, current (repeatable or comma list; both)")
    parser.add_argument("--invariant", action="append", default=None,
                        help="invariant id (repeatable or comma list; all)")
    parser.add_argument("--max-params", type=int, default=d.max_params)
    parser.add_argument("--max-results", type=int, default=d.max_results)
    parser.add_argument("--max-fields", type=int, default=d.max_fields)
    parser.add_argument("--max-depth", type=int, default=d.max_depth)
    parser.add_argument("--no-receiver", action="store_true")
    parser.add_argument("--timeout", type=int, default=d.timeout_ms,
                        help="per-query Z3 timeout in ms")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--go-dir", default=None, help="write a Go demo per counterexample")
    parser.add_argument("--pytest-dir", default=None, help="write a pytest per counterexample")
    parser.add_argument("--causes", action="store_true",
                        help="isolate every cause per invariant (proofs/causes.py), not only "
                             "the smallest counterexample")


def _split(xs: list[str] | None, default: list[str]) -> list[str]:
    if not xs:
        return default
    return [y.strip() for x in xs for y in x.split(",") if y.strip()]


def cli_prove(args: argparse.Namespace) -> int:
    """Run ``regabi prove``: a verdict table (or JSON); the exit status of the verdicts."""
    b = Bounds(args.max_params, args.max_results, args.max_fields, args.max_depth,
               not args.no_receiver, args.timeout)
    invs = _split(args.invariant, []) or None
    out: list[Verdict] = []
    for a in _split(args.arch, ["amd64"]):
        for v in _split(args.variant, ["seed", "current"]):
            if args.causes:
                from regabi.proofs.causes import variant_verdicts

                out.extend(variant_verdicts(a, v, b, invs))
            else:
                out.extend(prove(a, v, invs, b))
    for key, dirn, ext in (("go_source", args.go_dir, "go"), ("pytest", args.pytest_dir, "py")):
        if not dirn:
            continue
        Path(dirn).mkdir(parents=True, exist_ok=True)
        for n, vd in enumerate(out):
            if key in vd.extra:
                stem = f"{vd.variant}_{vd.arch}_{vd.invariant}_{n}".lower().replace("-", "_")
                stem = stem.replace("/", "_").replace("=", "").replace(",", "_")
                if ext == "go":
                    d = Path(dirn) / stem
                    d.mkdir(exist_ok=True)
                    (d / "main.go").write_text(vd.extra[key])
                else:
                    (Path(dirn) / f"test_{stem}.py").write_text(vd.extra[key])
    if args.json:
        print(json.dumps([v.to_json() for v in out], indent=2))
    else:
        print(render_table(out))
    return exit_status(out)
