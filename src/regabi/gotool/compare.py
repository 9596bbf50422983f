"""Go's answers against the model, field by field.

A *record* is what a probe returns for one signature (regabi.gotool): reflect's ``abiDesc`` as
``funcLayout`` computed it, or the compiler's ``ABIParamResultInfo``. This module renders the
model's answer in the same shape and lists the fields that differ. It is shared by
``regabi gocheck`` (live answers of any Go tree) and :mod:`regabi.oracle` (recorded answers of
go1.27.3), and needs no Go toolchain.

Three comparisons, each a *side*:

* ``reflect``: Go's funcLayout against ``reflect_assign(sig, arch, variant)`` — every abiDesc
  field, plus the frame type's pointer bytes (funcLayout sets ``PtrBytes = stackPtrs.n *
  PtrSize``, go1.27.3 src/reflect/type.go:2873 in funcLayout).
* ``placement``: Go's funcLayout against ``spec_assign`` — where each non-zero-size value goes
  (register class and index, or stack offset): reflect must put every value where the compiled
  callee expects it (INV-ASSIGN-AGREE, on Go's own answer).
* ``compiler``: Go's ABIAnalyzeTypes against ``spec_assign`` — registers, stack and spill offsets
  per value, spill area, registers used. The compiler's stack offsets start at the
  architecture's FixedFrameSize (ABIConfig.offsetForLocals, go1.27.3
  src/cmd/compile/internal/abi/abiutils.go:318); they are compared relative to it, as the spec
  measures them (spec/frame.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from regabi.errors import RegabiError
from regabi.model.arch import Arch
from regabi.model.assign import reflect_assign, spec_assign
from regabi.model.sig import Signature
from regabi.model.types import layout
from regabi.model.variants import get_variant

__all__ = [
    "SIDES",
    "Diff",
    "compare_config",
    "compare_record",
    "model_compiler_record",
    "model_reflect_record",
    "normalize_compiler",
]

SIDES = ("reflect", "placement", "compiler")


@lru_cache(maxsize=8192)
def spec_of(sig: Signature, arch: Arch) -> Any:
    """``spec_assign`` memoized: each signature is compared and classified several times."""
    return spec_assign(sig, arch)


class Diff(NamedTuple):
    """One differing field: ``path`` like ``call.steps[2].ireg``."""

    side: str
    path: str
    go: Any
    model: Any

    def line(self) -> str:
        return f"{self.side} {self.path}: go={self.go!r} model={self.model!r}"


def _bits_list(mask: int | None) -> list[int] | None:
    if mask is None:
        return None
    return [i for i in range(mask.bit_length()) if (mask >> i) & 1]


def _seq(seq: Any) -> dict[str, Any]:
    return {
        "steps": [{"kind": s.kind, "offset": s.offset, "size": s.size, "stkOff": s.stkoff,
                   "ireg": s.ireg, "freg": s.freg} for s in seq.steps],
        "valueStart": list(seq.value_start), "stackBytes": seq.stack_bytes,
        "iregs": seq.iregs, "fregs": seq.fregs,
    }


def model_reflect_record(sig: Signature, arch: Arch, variant: str = "current") -> dict[str, Any]:
    """The model's abiDesc for ``sig`` in the reflect probe's record format."""
    try:
        d = reflect_assign(sig, arch, get_variant(variant))
    except RegabiError as e:  # e.g. an interface receiver: reflect panics too (RFL-5)
        return {"ok": False, "error": str(e)}
    return {
        "ok": True,
        "call": _seq(d.call), "ret": _seq(d.ret),
        "stackCallArgsSize": d.stack_call_args_size, "retOffset": d.ret_offset,
        "spill": d.spill,
        "stackPtrs": [(d.stack_ptrs >> i) & 1 for i in range(d.stack_ptrs_n)],
        "inRegPtrs": _bits_list(d.in_reg_ptrs), "outRegPtrs": _bits_list(d.out_reg_ptrs),
        "frameTypeSize": d.frame_type_size,
        "frameTypePtrBytes": d.stack_ptrs_n * arch.ptr_size,
        "frameSize": d.frame_size,
    }


def model_compiler_record(sig: Signature, arch: Arch) -> dict[str, Any]:
    """The spec's assignment in the (normalized) compiler record format."""
    try:
        s = spec_of(sig, arch)
    except RegabiError as e:
        return {"ok": False, "error": str(e)}

    def one(p: Any, result: bool) -> dict[str, Any]:
        regs = [i if c == "int" else arch.n_int + i for c, i, *_ in p.regs]
        if not regs:
            off = p.stack
        else:
            off = -1 if result else p.spill
        return {"regs": regs, "offset": off}

    return {
        "ok": True,
        "in": [one(p, False) for p in s.params], "out": [one(p, True) for p in s.results],
        "offsetToSpillArea": s.offset_to_spill_area, "spillAreaSize": s.spill_area_size,
        "inRegistersUsed": s.int_regs_used + s.float_regs_used,
        "outRegistersUsed": sum(len(p.regs) for p in s.results),
    }


def normalize_compiler(rec: Mapping[str, Any], locals_offset: int) -> dict[str, Any]:
    """A compiler probe record with stack offsets made relative to the arguments' start."""
    if not rec.get("ok"):
        return {"ok": False, "error": rec.get("error", "")}

    def one(p: Mapping[str, Any]) -> dict[str, Any]:
        off = p["offset"]
        if not p["regs"]:
            off -= locals_offset
        return {"regs": list(p["regs"]), "offset": off}

    return {
        "ok": True,
        "in": [one(p) for p in rec["in"]], "out": [one(p) for p in rec["out"]],
        "offsetToSpillArea": rec["offsetToSpillArea"] - locals_offset,
        "spillAreaSize": rec["spillAreaSize"],
        "inRegistersUsed": rec["inRegistersUsed"],
        "outRegistersUsed": rec["outRegistersUsed"],
    }


def _walk(side: str, path: str, go: Any, model: Any) -> Iterator[Diff]:
    if isinstance(go, Mapping) and isinstance(model, Mapping):
        for k in model:
            yield from _walk(side, f"{path}.{k}" if path else k, go.get(k), model[k])
    elif isinstance(go, list) and isinstance(model, list) and len(go) == len(model) and any(
            isinstance(x, Mapping) for x in go):
        for i, (a, b) in enumerate(zip(go, model, strict=True)):
            yield from _walk(side, f"{path}[{i}]", a, b)
    elif go != model:
        yield Diff(side, path, go, model)


def _placements_reflect(rec: Mapping[str, Any], nvals: int) -> list[Any]:
    """Per value (receiver, args, results): ("regs", [(cls, idx)…]) / ("stack", off) / None."""
    out: list[Any] = []
    for seq in (rec["call"], rec["ret"]):
        vs, steps = seq["valueStart"], seq["steps"]
        for k, s0 in enumerate(vs):
            e = vs[k + 1] if k + 1 < len(vs) else len(steps)
            part = steps[s0:e]
            if not part:
                out.append(None)
            elif part[0]["kind"] == "stack":
                out.append(("stack", part[0]["stkOff"]))
            else:
                out.append(("regs", [("float", s["freg"]) if s["kind"] == "float"
                                     else ("int", s["ireg"]) for s in part]))
    return out[:nvals] + [None] * (nvals - len(out))


def _placements_spec(sig: Signature, arch: Arch) -> list[Any]:
    s = spec_of(sig, arch)
    ps = arch.ptr_size
    types = ([None] if sig.recv is not None else []) + list(sig.params) + list(sig.results)
    out: list[Any] = []
    for t, p in zip(types, s.params + s.results, strict=True):
        if t is not None and layout(t, ps).size == 0:
            out.append(None)  # zero-size values have no step in reflect (RFL-3)
        elif p.regs:
            out.append(("regs", [(c, i) for c, i, *_ in p.regs]))
        else:
            out.append(("stack", p.stack))
    return out


def compare_record(side: str, sig: Signature, arch: Arch, go: Mapping[str, Any], *,
                   variant: str = "current", locals_offset: int = 0) -> list[Diff]:
    """The fields in which Go's record ``go`` and the model differ on ``side``."""
    if side == "compiler":
        want = model_compiler_record(sig, arch)
        got = normalize_compiler(go, locals_offset)
    elif side == "reflect":
        want = model_reflect_record(sig, arch, variant)
        got = dict(go)
    elif side == "placement":
        if not go.get("ok"):
            return []  # the reflect side reports the failure
        try:
            spec = _placements_spec(sig, arch)
        except RegabiError as e:
            return [Diff(side, "ok", True, f"model error: {e}")]
        refl = _placements_reflect(go, len(spec))
        return [Diff(side, f"value[{k}]", a, b)
                for k, (a, b) in enumerate(zip(refl, spec, strict=True))
                if a != b and a is not None and b is not None]
    else:
        raise ValueError(f"side must be one of {SIDES}")
    if not (got.get("ok") and want.get("ok")):
        if bool(got.get("ok")) == bool(want.get("ok")):
            return []  # both refuse the signature (e.g. reflect panics on an interface rcvr)
        return [Diff(side, "ok", got.get("ok") or got.get("error"),
                     want.get("ok") or want.get("error"))]
    want = {k: v for k, v in want.items() if k != "ok"}
    if all(got.get(k) == v for k, v in want.items()):
        return []  # the common case, without walking
    return list(_walk(side, "", got, want))


def compare_config(kind: str, arch: Arch, config: Mapping[str, Any]) -> list[Diff]:
    """The probe's view of the architecture against its table (spec/arch/*.toml); ``arch`` is
    the table itself, not a configuration with emulated register counts."""
    want: dict[str, Any] = {"ptrSize": arch.ptr_size, "nativeIntRegs": arch.n_int,
                            "nativeFloatRegs": arch.n_float}
    if kind == "compiler":
        want.update(regSize=arch.reg_size, maxWidth=arch.max_width,
                    localsOffset=arch.fixed_frame_size)
    else:
        want.update(nativeFloatRegSize=arch.float_reg_size)
    return [Diff(f"{kind}-config", k, config.get(k), v) for k, v in want.items()
            if config.get(k) != v]
