"""``regabi prove --path makefunc`` (and the reflect paths after it): the MakeFunc fold of
model/makefunc.py — callReflect's decoding and encoding and moveMakeFuncArgPtrs as hooks of
the joint fold — run over Z3 terms by the same induction and bounded search as Value.call
(proofs/induction.py, proofs/bounded.py; spec/proofs.md PRF-10). No second encoding: the hooks
are the ones ``regabi paths`` runs concretely.

* Induction over the signature's events: the MakeFunc invariants are folded along with
  helper invariants of the registry whose candidate facts may become lemmas (reflect's and
  the spec's placements agree, registers in order, …); only the MakeFunc obligations are
  decided. MakeFunc takes a func type: no receiver (MF:47-73).
* Bounded search otherwise: the grammar of symbolic Go types, then free WF summaries realized
  as Go types; a counterexample is re-checked by the fold run concretely and by the byte-level
  simulation (model/makefunc.py simulate_makefunc); a disagreement is a defect (exit 3).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from regabi.errors import ModelError
from regabi.model.arch import Arch
from regabi.model.invariants import AssignAgree, Invariant
from regabi.model.makefunc import MF_CATALOGUE, simulate_makefunc
from regabi.model.variants import Variant
from regabi.proofs.bounded import Bounds, search
from regabi.proofs.induction import LEMMAS, prove_by_induction
from regabi.verdict import Verdict

__all__ = ["MF_HELPERS", "MF_VARIANTS", "prove_makefunc", "prove_method_value"]

#: registry invariants whose candidates the MakeFunc induction may use as lemmas (their own
#: obligations are not decided here)
MF_HELPERS: tuple[Invariant, ...] = (AssignAgree(),)

#: variants of the reflect ladder where MakeFunc's code changed: the seed (go1.16's ABI0
#: callReflect, no register support) and every register rung (the same callReflect since
#: go1.17beta1; the layout they follow is the rung's)
MF_VARIANTS = ("seed", "go1.17beta1", "go1.17", "go1.18", "go1.19", "current")


def _recheck(vd_sig: Any, arch: Arch, v: Variant, inv: str) -> None:
    """The byte-level simulation must fail the same invariant on the counterexample."""
    if vd_sig.recv is not None:
        from regabi.model.makefunc import check_method_value
        from regabi.model.methodvalue import callmethod_stack_to_reg
        from regabi.model.sig import Signature

        got = {f.invariant for f in check_method_value(
            Signature(vd_sig.params, vd_sig.results), vd_sig.recv, arch, v,
            stack_to_reg=callmethod_stack_to_reg(v))}
    else:
        got = {f.invariant for f in simulate_makefunc(vd_sig, arch, v)}
    if inv not in got:
        raise ModelError(f"{inv}: the fold fails on {vd_sig} ({v.name}, {arch.name}) but "
                         f"the byte-level simulation does not (it reports {sorted(got)})")


def prove_makefunc(arch: Arch, v: Variant, bounds: Bounds | None = None,
                   invariants: tuple[Invariant, ...] = MF_CATALOGUE,
                   induction: bool = True) -> list[Verdict]:
    """One verdict per MakeFunc invariant on (arch, variant): PROVED for all signatures by
    induction; else FALSIFIED (re-checked twice) or PROVED within the bounds or UNKNOWN."""
    return _prove_path("makefunc", arch, v, bounds, invariants, induction)


def prove_method_value(arch: Arch, v: Variant, bounds: Bounds | None = None,
                       invariants: tuple[Invariant, ...] | None = None,
                       induction: bool = True) -> list[Verdict]:
    """The same for method values (model/methodvalue.py): every signature has a receiver
    (the method ABI's), the value ABI is folded in the invariants' ghosts."""
    from regabi.model.methodvalue import MV_CATALOGUE

    return _prove_path("method-value", arch, v, bounds, invariants or MV_CATALOGUE, induction)


def _prove_path(path: str, arch: Arch, v: Variant, bounds: Bounds | None,
                invariants: tuple[Invariant, ...], induction: bool) -> list[Verdict]:
    mv = path == "method-value"
    b = bounds or Bounds()
    b = replace(b, receiver=mv, only_receiver=mv)
    vname = f"{path}/{v.name}"
    helpers: tuple[Invariant, ...] = MF_HELPERS
    if mv:
        from regabi.model.invariants import FrameSufficient
        from regabi.model.methodvalue import ValueAbiFold

        # the value ABI's fold once for all invariants, and the method fold's frame lemmas
        helpers = (ValueAbiFold(), *MF_HELPERS, FrameSufficient())
    ind = (prove_by_induction(arch, v, invariants, b.timeout_ms, helpers=helpers,
                              receivers=(mv,)) if induction else None)
    linked = None
    direct = [i for i in invariants if i.id == "INV-MF-DIRECT"]
    if ind is not None and direct and ind.status.get(direct[0].id) == "CTI":
        # DIRECT is inductive once WF's set linkage is assumed (spec/proofs.md PRF-10): a
        # second induction, for it alone, that says so in its verdict (WF-LINK holds of
        # every Go type: lemma TYPE-LINK, PRF-9)
        linked = prove_by_induction(arch, v, direct, b.timeout_ms, helpers=MF_HELPERS,
                                    receivers=(mv,), link_sets=True)
    out: list[Verdict] = []
    for inv in invariants:
        t0 = time.perf_counter()
        extra: dict[str, Any] = {}
        if linked is not None and linked.status.get(inv.id) == "PROVED" and ind is not None:
            out.append(Verdict("z3", inv.id, vname, arch.name, "PROVED",
                               f"all signatures (induction over {len(LEMMAS)} steps; "
                               f"{linked.queries} queries; assumes WF and its set linkage "
                               "WF-LINK, which lemma TYPE-LINK proves of every Go type)",
                               None, ind.seconds + linked.seconds,
                               extra={"method": "induction", "assumes": "WF-LINK",
                                      "induction": ind.cti.get(inv.id, "")}))
            continue
        if ind is not None:
            st = ind.status.get(inv.id, "UNKNOWN")
            if st == "PROVED":
                kept = sum(len(x) for x in ind.lemmas.values())
                out.append(Verdict("z3", inv.id, vname, arch.name, "PROVED",
                                   f"all signatures (induction over {len(LEMMAS)} steps; {kept} "
                                   f"lemmas kept, {ind.queries} queries; assumes WF)", None,
                                   ind.seconds, extra={"method": "induction"}))
                continue
            extra["induction"] = ind.cti.get(inv.id) or "; ".join(ind.unknown) or st
        res = search(arch, v, inv, b)
        secs = time.perf_counter() - t0 + (ind.seconds if ind is not None else 0.0)
        if res.status == "FALSIFIED" and res.violation is not None:
            from regabi.proofs.prove import minimise

            vio = minimise(res.violation, arch, v, inv)
            _recheck(vio.sig, arch, v, inv.id)
            st = "LATENT" if inv.severity == "latent" else "FALSIFIED"
            out.append(Verdict("z3", inv.id, vname, arch.name, st, b.describe(), b.shapes(),
                               secs, vio.line().replace(f"({v.name},", f"({vname},"), vio,
                               extra))
        elif res.status == "UNKNOWN":
            out.append(Verdict("z3", inv.id, vname, arch.name, "UNKNOWN", b.describe(),
                               res.shapes_done, secs, f"{inv.id} ({vname}, {arch.name}): "
                               f"UNKNOWN: {'; '.join(res.unknown or res.unrealized)[:200]}",
                               extra=extra | {"unknown": res.unknown}))
        else:
            out.append(Verdict("z3", inv.id, vname, arch.name, "PROVED",
                               "within bounds: " + b.describe(), b.shapes(), secs,
                               extra=extra | {"method": "bounded"}))
    return out
