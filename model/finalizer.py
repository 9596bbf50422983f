"""Finalizers: runFinalizers' frame and RegArgs for the finalizer's one argument and its
results (spec/paths.md FIN-1 … FIN-4).

go1.27.3 src/runtime/mfinal.go (``MF``): SetFinalizer computes ``nret`` (MF:527-531: the results
laid out one after another, then rounded to PtrSize); runFinalizers (MF:193-290) passes the
argument in ``regs.Ints`` when ``intArgRegs > 0`` (MF:244-253) — a pointer as one word, an
interface as its two words (type/itab, data) (MF:254-270) — else at the start of ``frame``, and
calls ``reflectcall(nil, fn, frame, framesz, framesz, framesz, &regs)`` with ``framesz =
sizeof(any) + nret`` (MF:232, 272), "conservatively" assuming every result is on the stack.
The register path arrived in go1.17beta1 (f009b5b226, CL 300112 "runtime: support register ABI
for finalizers"); the function was named runfinq until the rename to runFinalizers (same body;
ladder.md C5).
"""

from __future__ import annotations

from typing import NamedTuple

from regabi.model.arch import Arch, load_arch
from regabi.model.assign import spec_assign
from regabi.model.sig import Signature
from regabi.model.types import GoType, Kind, layout

__all__ = ["FinLayout", "check_finalizer", "finalizer_layout"]

MFG = "go1.27.3 src/runtime/mfinal.go"


class FinLayout(NamedTuple):
    regs: tuple[int, ...]  # Ints slots written (register path)
    stack: tuple[int, ...]  # frame word offsets written (no registers: 386)
    nret: int  # MF:527-531
    framesz: int  # MF:232: stackArgsSize = retOffset = frameSize for reflectcall


def finalizer_layout(sig: Signature, arch: Arch) -> FinLayout:
    ps = arch.ptr_size
    if len(sig.params) != 1 or sig.variadic or sig.params[0].kind not in (
            Kind.POINTER, Kind.INTERFACE):
        raise ValueError("runtime.SetFinalizer: a finalizer takes one pointer or interface "
                         f"argument ({MFG}:494-524 throws otherwise)")
    nret = 0
    for t in sig.results:
        lay = layout(t, ps)
        nret = -(-nret // lay.align) * lay.align + lay.size
    nret = -(-nret // ps) * ps
    words = 1 if sig.params[0].kind == Kind.POINTER else 2
    slots = tuple(range(words))
    if arch.n_int > 0:
        return FinLayout(slots, (), nret, 2 * ps + nret)
    return FinLayout((), tuple(w * ps for w in slots), nret, 2 * ps + nret)


def check_finalizer(sig: Signature, arch: Arch | str) -> list[tuple[str, str]]:
    """(invariant, what) for every disagreement with ABIInternal: the argument's words where
    the compiled finalizer reads them (INV-FIN-ARG) and the callee's argument area inside the
    callNN that framesz selects (INV-FIN-FRAME)."""
    a = load_arch(arch) if isinstance(arch, str) else arch
    ps = a.ptr_size
    fl = finalizer_layout(sig, a)
    spec = spec_assign(sig, a)
    p = spec.params[0]
    out: list[tuple[str, str]] = []
    if fl.regs:
        want = tuple(idx for cls, idx, _, _, _ in p.regs if cls == "int")
        offs = tuple(off for _, _, off, _, _ in p.regs)
        if not p.regs or want != fl.regs or offs != tuple(w * ps for w in fl.regs):
            out.append(("INV-FIN-ARG", f"runFinalizers writes Ints{list(fl.regs)}; ABIInternal "
                        f"reads {p.regs or f'stack offset {p.stack}'} ({MFG}:244-270)"))
    elif p.stack != 0:
        out.append(("INV-FIN-ARG", f"runFinalizers writes frame[0:]; ABIInternal reads stack "
                    f"offset {p.stack} ({MFG}:252-270)"))
    need = spec.offset_to_spill_area + spec.spill_area_size
    cls = next(c for c in a.call_sizes if c >= fl.framesz)
    if cls < need:
        out.append(("INV-FIN-FRAME", f"framesz {fl.framesz} selects call{cls} < the "
                    f"finalizer's argument area {need} ({MFG}:232,272)"))
    return out


def finalizer_results(pool: tuple[GoType, ...], n: int) -> list[tuple[GoType, ...]]:
    """Every result list of length <= n over ``pool`` (for the bounded check)."""
    out: list[tuple[GoType, ...]] = [()]
    frontier: list[tuple[GoType, ...]] = [()]
    for _ in range(n):
        frontier = [(*f, t) for f in frontier for t in pool]
        out += frontier
    return out
