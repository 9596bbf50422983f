"""Reflect's algorithm in versioned variants: each a small, named delta of one algorithm
(spec/variants.md, rules VAR-1 … VAR-9).

A field is one behaviour that changed between the 2020 seed (go e0215315, dev.regabi) and today's
reflect (go1.27.3, unchanged in substance since go1.17). Each carries the spec rule it realises and
where the code lives, so that a reader sees exactly what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

__all__ = ["CURRENT", "DELTAS", "SEED", "VARIANTS", "Variant", "get_variant"]


@dataclass(frozen=True, slots=True)
class Variant:
    """One version of reflect's ABI code. ``True`` means the current (go1.17+) behaviour."""

    name: str
    go: str
    #: VAR-1: on a failed register assignment, restore iregs/fregs too (addArg's ``aOld := *a``).
    rollback_regs: bool
    #: VAR-2: a zero-size argument or result is stack-assigned: it aligns stackBytes.
    zero_size_aligns_stack: bool
    #: VAR-3: regAssign visits zero-size struct fields (so a ``[2]T{}``-sized field fails it).
    visit_zero_fields: bool
    #: VAR-4: spill space is the arguments' own layout (align, size) rather than 8 bytes a register.
    spill_by_type: bool
    #: VAR-5: newAbiDesc computes inRegPtrs (the seed has no such bitmap).
    in_reg_ptrs: bool
    #: VAR-6: interface-stored directness: "shape" (size == ptrdata == PtrSize, go1.27) or
    #: "structural" (one pointer-shaped field or element, go1.16).
    direct_iface: str
    #: VAR-7: Value.call also copies pointer parts of indirectly held args into RegArgs.Ptrs.
    indirect_ptrs_to_ptrs: bool
    #: VAR-8: a register receiver that is a pointer goes to RegArgs.Ptrs as well as Ints.
    rcvr_to_ptrs: bool
    #: VAR-9: a pointer-shaped register result's Value gets the result's kind (not the func's).
    ret_kind_from_result: bool

    def deltas(self, other: Variant) -> list[str]:
        """Names of the fields in which this variant differs from ``other``."""
        return [f.name for f in fields(self) if f.name not in ("name", "go")
                and getattr(self, f.name) != getattr(other, f.name)]


CURRENT = Variant(
    name="current", go="go1.27.3 (same algorithm since go1.17)",
    rollback_regs=True, zero_size_aligns_stack=True, visit_zero_fields=True, spill_by_type=True,
    in_reg_ptrs=True, direct_iface="shape", indirect_ptrs_to_ptrs=True, rcvr_to_ptrs=True,
    ret_kind_from_result=True,
)

SEED = replace(
    CURRENT, name="seed", go="e0215315 (Oct 2020, dev.regabi)",
    rollback_regs=False, zero_size_aligns_stack=False, visit_zero_fields=False,
    spill_by_type=False, in_reg_ptrs=False, direct_iface="structural",
    indirect_ptrs_to_ptrs=False, rcvr_to_ptrs=False, ret_kind_from_result=False,
)

VARIANTS: dict[str, Variant] = {"seed": SEED, "current": CURRENT}

#: Where each delta is in the code: (spec rule, seed source, current source).
DELTAS: dict[str, tuple[str, str, str]] = {
    "rollback_regs": (
        "VAR-1", "seed reflect/abi.go addArg: `a.steps = a.steps[:pStart]` only",
        "go1.27.3 reflect/abi.go addArg: `aOld := *a` … `*a = aOld`"),
    "zero_size_aligns_stack": (
        "VAR-2", "seed reflect/abi.go regAssign: `if t.size == 0 { return true }`",
        "go1.27.3 reflect/abi.go addArg: `if t.Size() == 0 { a.stackBytes = align(…) }`"),
    "visit_zero_fields": (
        "VAR-3", "seed reflect/abi.go regAssign Struct: `if f.typ.Size() == 0 { continue }`",
        "go1.27.3 reflect/abi.go regAssign Struct: every field"),
    "spill_by_type": (
        "VAR-4", "seed reflect/abi.go newAbiDesc: spillInt += regs*ptrSize, "
        "spillFloat += regs*EffectiveFloatRegSize",
        "go1.27.3 reflect/abi.go newAbiDesc: `spill = align(spill, arg.Align()); spill += "
        "arg.Size()`"),
    "in_reg_ptrs": (
        "VAR-5", "seed reflect/abi.go abiDesc: outRegPtrs only",
        "go1.27.3 reflect/abi.go newAbiDesc: inRegPtrs from in.stepsForValue(i)"),
    "direct_iface": (
        "VAR-6", "go1.16 cmd/compile/internal/gc isdirectiface (structural)",
        "go1.27.3 cmd/compile/internal/types/type.go:1847 IsDirectIface (size/ptrdata)"),
    "indirect_ptrs_to_ptrs": (
        "VAR-7", "seed reflect/value.go Value.call: Ptrs set only when flagIndir == 0",
        "go1.27.3 reflect/value.go Value.call: "
        "`regArgs.Ptrs[st.ireg] = *(*unsafe.Pointer)(offset)`"),
    "rcvr_to_ptrs": (
        "VAR-8", "seed reflect/value.go Value.call: storeRcvr(rcvr, &regArgs.Ints[st.ireg])",
        "go1.27.3 reflect/value.go Value.call: storeRcvr(…Ptrs…); fallthrough to Ints"),
    "ret_kind_from_result": (
        "VAR-9", "seed reflect/value.go Value.call: `Value{…, flag(t.Kind())}` (t is the func)",
        "go1.27.3 reflect/value.go Value.call: `Value{tv, …, flag(tv.Kind())}`"),
}


def get_variant(name: str) -> Variant:
    """The variant named ``name`` ("seed" or "current")."""
    try:
        return VARIANTS[name]
    except KeyError:
        from regabi.errors import InputError

        raise InputError(f"unknown variant {name!r} (known: spec, {', '.join(VARIANTS)})") from None
