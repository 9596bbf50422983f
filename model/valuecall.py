"""reflect.Value.call's marshalling of register arguments into ``regArgs``, written once over a
domain (spec/call.md CALL-4, CALL-6; VAR-7, VAR-8). The layout invariants (INV-GC-VISIBLE) and
the call machine read it from here.

The GC scans ``regArgs.Ptrs`` (a pointer-typed array of Value.call's frame) and never
``regArgs.Ints``; a pointer that only reaches ``Ints`` is invisible to it (GC-1).
"""

from __future__ import annotations

from typing import Any

from regabi.model.domain import Domain
from regabi.model.summary import Group
from regabi.model.variants import Variant

__all__ = ["arg_to_ptrs", "rcvr_to_ptrs"]


def arg_to_ptrs(D: Domain, v: Variant, g: Group, put: Any, held_direct: Any) -> Any:
    """The parts of a placed integer group that Value.call also writes to
    ``regArgs.Ptrs[ireg]``: every abiStepPointer part of a Value that holds its value directly
    (``regArgs.Ptrs[st.ireg] = v.ptr``); of one held indirectly (flagIndir) only with VAR-7
    (go1.27.3 reflect/value.go:541-546 "Duplicate this pointer in the pointer area of the
    register space"; absent in the seed and in go1.17, added by go 23adc139bf, CL 363358)."""
    on = D.and_(put, g.isint)
    if v.indirect_ptrs_to_ptrs:
        return D.ite(on, g.ptr, 0)
    return D.ite(D.and_(on, held_direct), g.ptr, 0)


def rcvr_to_ptrs(D: Domain, v: Variant, reg: Any, is_ptr: Any) -> Any:
    """Whether a register receiver that is a pointer reaches ``regArgs.Ptrs`` (VAR-8:
    go1.27.3 reflect/value.go:504-507 ``storeRcvr(rcvr, &regArgs.Ptrs[st.ireg])``; the seed and
    go1.17/go1.18 store it into ``Ints`` only; go 74f0ccb68b, CL 407508, go1.19)."""
    return D.and_(reg, is_ptr, v.rcvr_to_ptrs)
