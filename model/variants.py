"""Reflect's algorithm in versioned variants: each a small, named delta of one algorithm
(spec/variants.md, rules VAR-1 … VAR-9).

A field is one behaviour that changed between the 2020 seed (go e0215315, dev.regabi) and today's
reflect (go1.27.3). Each carries the spec rule it realises and where the code lives, so that a
reader sees exactly what changed. The ladder seed → go1.17beta1 → go1.17 → go1.18 → go1.19 →
current is built rung by rung from the previous one; every changed field cites the commit that
changed it (``CHANGES``), read from that release's reflect source.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import NamedTuple

__all__ = ["CHANGES", "CURRENT", "DELTAS", "LADDER", "SEED", "VARIANTS", "Change", "Variant",
           "get_variant", "rung_changes"]


@dataclass(frozen=True, slots=True)
class Variant:
    """One version of reflect's ABI code. ``True`` means the current (go1.27.3) behaviour."""

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
    #: Architectures on which this release used the register ABI at all (elsewhere it was ABI0,
    #: i.e. 0 registers); ``None``: every architecture in spec/arch. Descriptive only: ``regabi
    #: prove --variant go1.17 --arch arm64`` still checks the algorithm with arm64's registers.
    regabi_arches: tuple[str, ...] | None = None
    #: Release differences the fields above (reflect's Value.call algorithm, VAR-1 … VAR-9) do
    #: not carry, noted so that the ladder shows them; no code reads them, so they change no
    #: verdict. "Unmodelled" by this class only: each entry names the module that models it by
    #: the variant's name, or says that nothing does. The other paths' per-release behaviour is
    #: modelled the same way, by name, and not repeated here: MakeFunc and method values
    #: (model/makefunc.py, methodvalue.py), finalizers (model/finalizer.py), Windows callbacks
    #: (model/wincallback.py: go1.27.3's only), under the GC explorer model/mfmachine.py,
    #: finmachine.py and wcmachine.py; the runtime's side of Value.call in model/gcrt.py.
    unmodelled: tuple[str, ...] = ()

    def deltas(self, other: Variant) -> list[str]:
        """Names of the modelled fields in which this variant differs from ``other``."""
        return [f.name for f in fields(self) if f.name not in _NOT_DELTAS
                and getattr(self, f.name) != getattr(other, f.name)]


_NOT_DELTAS = ("name", "go", "regabi_arches", "unmodelled")


class Change(NamedTuple):
    """The commit that moved a field to its current value."""

    commit: str  # golang/go hash (10 hex digits)
    cl: int  # go-review.googlesource.com change number
    title: str
    date: str  # commit date on master (or dev.regabi for the seed)
    release: str  # first release containing it



#: Field → the commit that gave it today's value. Releases derived from the commit date against
#: master at each release's freeze (/work/research/ladder.md §0); each is checked against the
#: release's source by tests/test_variants.py.
CHANGES: dict[str, Change] = {
    "spill_by_type": Change(
        "cda8ee095e", 293011, "reflect: fix register ABI spill space calculation",
        "2021-02-26", "go1.17beta1"),
    "zero_size_aligns_stack": Change(
        "a2f7067233", 293789,
        "reflect: include the alignment of zero-sized types in stack offsets",
        "2021-03-05", "go1.17beta1"),
    "rollback_regs": Change(
        "51cd074c59", 306109,
        "reflect: undo register count increments on register assignment failure",
        "2021-04-01", "go1.17beta1"),
    "visit_zero_fields": Change(
        "34b87b4a1a", 306929,
        "reflect: remove short-circuits for zero-sized types in ABI algorithm",
        "2021-04-02", "go1.17beta1"),
    "in_reg_ptrs": Change(
        "28c5fed557", 298670,
        "reflect: add register ABI support for makeFuncStub and methodValueCall",
        "2021-04-02", "go1.17beta1"),
    "ret_kind_from_result": Change(
        "912c4e29d3", 308189, "reflect: fix typo in result-in-registers case",
        "2021-04-08", "go1.17beta1"),
    "indirect_ptrs_to_ptrs": Change(
        "23adc139bf", 363358, "reflect: keep pointer in aggregate-typed args live in Call",
        "2021-11-12", "go1.18"),
    "rcvr_to_ptrs": Change(
        "74f0ccb68b", 407508, "reflect: store receiver in pointer slot for reflect call",
        "2022-05-23", "go1.19"),
    "direct_iface": Change(
        "03ed43988f", 714421,
        "cmd/compile: allow multi-field structs to be stored directly in interfaces",
        "after 2025-06-11 (golang/go#74092; not in the mirror)", "go1.26"),
}

SEED = Variant(
    name="seed", go="e0215315 (Oct 2020, dev.regabi)",
    rollback_regs=False, zero_size_aligns_stack=False, visit_zero_fields=False,
    spill_by_type=False, in_reg_ptrs=False, direct_iface="structural",
    indirect_ptrs_to_ptrs=False, rcvr_to_ptrs=False, ret_kind_from_result=False,
    regabi_arches=(), unmodelled=(
        "runtime: callNN declared with 5 arguments, so regArgs is missing from their argument "
        "pointer map (fixed by bc489dd6d5, CL 300154, go1.17beta1; modelled by model/gcrt.py "
        "calln_decl_args)",
        "reflect: no register handling in makeFuncStub/callReflect/callMethod "
        "(28c5fed557, CL 298670, go1.17beta1; modelled by model/makefunc.py mf_registers: "
        "ABI0 offsets)"),
)

# reflect at master dc00dc6c6b (2021-06-10, the go1.17beta1 cut): every layout fix is in;
# Value.call still leaves the pointers of indirect arguments and the receiver to Ints only.
GO1_17BETA1 = replace(
    SEED, name="go1.17beta1", go="go1.17beta1 (master dc00dc6c6b, 2021-06-10)",
    rollback_regs=True, zero_size_aligns_stack=True, visit_zero_fields=True, spill_by_type=True,
    in_reg_ptrs=True, ret_kind_from_result=True,
    regabi_arches=("amd64",), unmodelled=(
        "reflect callMethod: a value-ABI stack argument that the method ABI puts in a register "
        "panics \"method ABI and value ABI do not align\" (golang/go#46696; fixed in go1.17 by "
        "9d46ee5ac4, CL 327089; modelled by model/methodvalue.py callmethod_stack_to_reg)",
        "register ABI only on GOOS linux, android, darwin, windows (internal/buildcfg/exp.go; "
        "not modelled: the architecture tables are per GOARCH)"),
)

# go1.17: master before the 1.18 version bump (5805efc78e, 2021-08-12). Same Value.call as beta1;
# callMethod gained stack→register translation (9d46ee5ac4, CL 327089, 2021-06-12: model/
# methodvalue.py callmethod_stack_to_reg).
GO1_17 = replace(
    GO1_17BETA1, name="go1.17", go="go1.17 (master 5805efc78e, 2021-08-12)",
    unmodelled=("register ABI only on GOOS linux, android, darwin, windows "
                "(internal/buildcfg/exp.go; not modelled: the architecture tables are per "
                "GOARCH)",),
)

# go1.18 (master acc5f55bac, 2022-02-28): Value.call copies pointer words of indirectly held
# register arguments into regArgs.Ptrs (reflect/value.go:516); arm64, ppc64, ppc64le join.
GO1_18 = replace(
    GO1_17, name="go1.18", go="go1.18 (master acc5f55bac, 2022-02-28)",
    indirect_ptrs_to_ptrs=True,
    regabi_arches=("amd64", "arm64", "ppc64", "ppc64le"), unmodelled=(),
)

# go1.19 (master 1b7e71e8ae, 2022-08-02; equal to Debian golang-1.19-src for reflect): the
# receiver also goes to regArgs.Ptrs (reflect/value.go:503); riscv64 joins.
GO1_19 = replace(
    GO1_18, name="go1.19", go="go1.19 (master 1b7e71e8ae, 2022-08-02)",
    rcvr_to_ptrs=True,
    regabi_arches=("amd64", "arm64", "ppc64", "ppc64le", "riscv64"),
)

# go1.27.3: interface directness by shape (CL 714421, go1.26); loong64 (go1.22) and s390x
# (go1.26) use the register ABI too, so every spec/arch table applies.
CURRENT = replace(
    GO1_19, name="current", go="go1.27.3 (same layout algorithm since go1.17beta1)",
    direct_iface="shape", regabi_arches=None,
)

#: The ladder, oldest first.
LADDER: tuple[Variant, ...] = (SEED, GO1_17BETA1, GO1_17, GO1_18, GO1_19, CURRENT)

VARIANTS: dict[str, Variant] = {v.name: v for v in LADDER}


def rung_changes(name: str) -> list[tuple[str, Change]]:
    """The fields that changed from the previous rung to ``name``, each with its commit."""
    i = [v.name for v in LADDER].index(get_variant(name).name)
    if i == 0:
        return []
    return [(d, CHANGES[d]) for d in LADDER[i].deltas(LADDER[i - 1])]


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
    """The variant named ``name`` (one of ``VARIANTS``: seed, go1.17beta1, …, current)."""
    try:
        return VARIANTS[name]
    except KeyError:
        from regabi.errors import InputError

        raise InputError(f"unknown variant {name!r} (known: {', '.join(VARIANTS)})") from None
