"""Cause isolation (proofs/causes.py, spec/proofs.md PRF-7).

Hand derivation: `func() struct{a int; _ [2]struct{}}` breaks INV-ASSIGN-AGREE in the seed and
only VAR-3 (visit_zero_fields) explains it: the seed's regAssign skips the zero-size
`[2]struct{}` field and puts `a` in AX; reflect in current (and the spec) visit it, fail the
length-2 array and put the struct on the stack. So whatever else is found, VAR-3 must be among
the causes, and with every found cause reverted the invariant must be proved.
"""

from __future__ import annotations

from dataclasses import replace

from regabi.model.invariants import get_invariant
from regabi.model.syntax import parse_signature
from regabi.model.variants import CURRENT, SEED
from regabi.proofs.bounded import Bounds
from regabi.proofs.causes import attribute, isolate_causes
from regabi.proofs.prove import arch_of

AMD64 = arch_of("amd64")


def test_attribute_names_the_hand_derived_delta() -> None:
    inv = get_invariant("INV-ASSIGN-AGREE")
    vio = inv.check(parse_signature("func() struct{a int; _ [2]struct{}}"), AMD64, SEED)
    assert vio is not None
    assert attribute(vio, AMD64, SEED) == ("visit_zero_fields",)


def test_every_cause_is_real_and_reverting_them_proves_the_invariant() -> None:
    inv = get_invariant("INV-ASSIGN-AGREE")
    b = Bounds(max_params=2, max_results=1, max_groups=2, receiver=False)
    causes, final = isolate_causes(AMD64, SEED, inv.id, b)
    assert causes
    reverted: set[str] = set()
    for c in causes:
        shown = c.witness or c.violation
        if c.witness is not None or shown.variant == SEED.name:
            # the shown counterexample fails in the real seed …
            assert inv.check(shown.sig, AMD64, SEED) is not None, c.line()
        # … and its deltas, reverted on top of the earlier causes', explain what was found
        reverted |= set(c.deltas)
        fixed = replace(SEED, **{d: getattr(CURRENT, d) for d in reverted})
        assert inv.check(c.violation.sig, AMD64, fixed) is None, c.line()
    assert "visit_zero_fields" in {d for c in causes for d in c.deltas}
    assert final.status == "PROVED", final
