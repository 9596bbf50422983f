"""Layout reports: the documented JSON schema ``regabi.layout/2`` (docs/json-schema.md) and the
readable table of ``regabi layout``. One report per (signature, arch, variant).

Pointer bitmaps are rendered by :mod:`regabi.render.bitmap` in time linear in the frame (hex
bytes and runs), so the report of a 1 GiB frame costs about as much as its layout."""

from __future__ import annotations

from typing import Any

from regabi.model.arch import Arch
from regabi.model.assign import AbiDesc, SpecLayout, reflect_assign, spec_assign
from regabi.model.sig import Signature
from regabi.model.types import GoType, layout
from regabi.model.variants import get_variant
from regabi.render.bitmap import bits_string, folded_runs, hex_bytes, hex_summary, runs_summary
from regabi.render.words import byte_span, call_n_text

__all__ = ["SCHEMA", "layout_report", "render_text"]

SCHEMA = "regabi.layout/2"
#: Bitmaps up to this many words are also shown bit by bit in the text table.
TEXT_BITS_MAX = 64


def _bitmap(mask: int, n: int) -> dict[str, Any]:
    """BMP-1's bitVector: ``n`` words, Go's bytes in hex, and the runs of pointer words folded
    into progressions ``[first, length, count, stride]`` (docs/json-schema.md)."""
    return {"n": n, "pointers": mask.bit_count(), "hex": hex_bytes(mask, n),
            "runs": folded_runs(mask)}


def _regs_named(mask: int | None, arch: Arch) -> list[str] | None:
    if mask is None:
        return None
    return [arch.int_reg_name(i) for i in range(mask.bit_length()) if (mask >> i) & 1]


def _value_rows(sig: Signature) -> list[tuple[str, int, GoType]]:
    rows: list[tuple[str, int, GoType]] = []
    if sig.recv is not None:
        rows.append(("recv", 0, sig.recv))
    rows.extend(("arg", i, t) for i, t in enumerate(sig.params))
    rows.extend(("result", i, t) for i, t in enumerate(sig.results))
    return rows


def _call_n(arch: Arch, frame: int) -> int | None:
    return next((n for n in arch.call_sizes if n >= frame), None)


def _spec_report(sig: Signature, arch: Arch, s: SpecLayout) -> dict[str, Any]:
    ps = arch.ptr_size
    values = []
    for (role, idx, t), p in zip(_value_rows(sig), s.params + s.results, strict=True):
        # the receiver travels as one pointer word (ASG-9), whatever its type's size
        lay = layout(t, ps) if role != "recv" else layout(p.type, ps)
        regs = [{"reg": arch.int_reg_name(i) if c == "int" else arch.float_reg_name(i),
                 "class": c, "index": i, "offset": off, "size": size, "pointer": ptr}
                for c, i, off, size, ptr in p.regs]
        values.append({
            "role": role, "index": idx, "type": t.go(), "size": lay.size, "align": lay.align,
            "where": "regs" if p.regs else "stack", "regs": regs,
            "stack_offset": p.stack, "spill_offset": p.spill,
        })
    frame = s.offset_to_spill_area + s.spill_area_size
    return {
        "values": values,
        "stack_args_size": s.args_stack_size, "ret_offset": s.ret_offset,
        "offset_to_spill_area": s.offset_to_spill_area, "spill_area_size": s.spill_area_size,
        "frame_size": frame, "int_regs_used": s.int_regs_used,
        "float_regs_used": s.float_regs_used,
    }


def _reflect_report(sig: Signature, arch: Arch, d: AbiDesc) -> dict[str, Any]:
    ps = arch.ptr_size
    values = []
    n_in = len(d.call.value_start)
    for k, (role, idx, t) in enumerate(_value_rows(sig)):
        steps = d.call.steps_for(k) if k < n_in else d.ret.steps_for(k - n_in)
        lay = layout(t, ps) if role != "recv" else None
        regs = []
        stack = None
        for st in steps:
            if st.kind == "stack":
                stack = st.stkoff
            elif st.kind == "float":
                regs.append({"reg": arch.float_reg_name(st.freg), "class": "float",
                             "index": st.freg, "offset": st.offset, "size": st.size,
                             "pointer": False})
            else:
                regs.append({"reg": arch.int_reg_name(st.ireg), "class": "int",
                             "index": st.ireg, "offset": st.offset, "size": st.size,
                             "pointer": st.kind == "ptr"})
        values.append({
            "role": role, "index": idx, "type": t.go(),
            "size": lay.size if lay else ps, "align": lay.align if lay else ps,
            "where": "stack" if stack is not None else ("regs" if regs else "none"),
            "regs": regs, "stack_offset": stack,
            "steps": [list(s) for s in steps],
        })
    return {
        "values": values,
        "stack_args_size": d.stack_call_args_size, "ret_offset": d.ret_offset,
        "spill": d.spill, "frame_type_size": d.frame_type_size, "frame_size": d.frame_size,
        "call_n": _call_n(arch, d.frame_size),
        "stack_ptrs": _bitmap(d.stack_ptrs, d.stack_ptrs_n),
        "in_reg_ptrs": _regs_named(d.in_reg_ptrs, arch),
        "out_reg_ptrs": _regs_named(d.out_reg_ptrs, arch),
        "int_regs_used": [d.call.iregs, d.ret.iregs], "float_regs_used": [d.call.fregs,
                                                                          d.ret.fregs],
    }


def layout_report(sig: Signature, arch: Arch, variant: str) -> dict[str, Any]:
    """The ``regabi.layout/2`` JSON object for one signature.

    Parameters
    ----------
    sig : Signature
    arch : Arch
    variant : {"spec", "seed", "current"}
        ``spec`` is the compiler's assignment (what the callee expects); the others are
        reflect's abiDesc in that variant.
    """
    head: dict[str, Any] = {
        "schema": SCHEMA, "signature": sig.go(),
        "recv": None if sig.recv is None else str(sig.recv),
        "name": sig.name or None, "arch": arch.name, "variant": variant,
        "ptr_size": arch.ptr_size, "int_regs": arch.n_int, "float_regs": arch.n_float,
    }
    if variant == "spec":
        head.update(_spec_report(sig, arch, spec_assign(sig, arch)))
    else:
        head.update(_reflect_report(sig, arch, reflect_assign(sig, arch, get_variant(variant))))
    return head


def render_text(rep: dict[str, Any]) -> str:
    """The readable table of ``regabi layout`` for one report."""
    lines = []
    title = rep["signature"]
    if rep.get("recv"):
        title = f"({rep['recv']}) {title}"
    if rep.get("name"):
        title = f"{rep['name']}: {title}"
    lines.append(f"{title}   [{rep['arch']}, {rep['variant']}]")
    rows = [("value", "type", "size", "where", "parts / offset")]
    for v in rep["values"]:
        nm = "recv" if v["role"] == "recv" else f"{v['role']} {v['index']}"
        if v["where"] == "stack":
            where, detail = "stack", f"@{v['stack_offset']}"
        elif v["where"] == "regs":
            where = "regs"
            detail = " ".join(f"{r['reg']}{'*' if r['pointer'] else ''}"
                              f"[{r['offset']}:{r['offset'] + r['size']}]" for r in v["regs"])
        else:
            where, detail = "-", "(zero size)" if v["size"] == 0 else ""
        if v.get("spill_offset") is not None:
            detail += f"  spill@{v['spill_offset']}"
        typ = v["type"] if len(v["type"]) <= 40 else v["type"][:37] + "..."
        rows.append((nm, typ, str(v["size"]), where, detail))
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        lines.append("  " + "  ".join(c.ljust(x) for c, x in zip(r[:4], w, strict=True))
                     + "  " + r[4])
    if rep["variant"] == "spec":
        lo = rep["offset_to_spill_area"]
        spill = byte_span(lo, lo + rep["spill_area_size"], "spill area")
        lines.append(f"  stack args {rep['stack_args_size']}, results at {rep['ret_offset']}, "
                     f"{spill}, frame {rep['frame_size']}")
    else:
        lines.append(f"  stack args {rep['stack_args_size']}, retOffset {rep['ret_offset']}, "
                     f"spill {rep['spill']}, frame type {rep['frame_type_size']}, "
                     f"frameSize {rep['frame_size']} "
                     f"({call_n_text(rep['call_n'], rep['frame_size'])})")
        inr = rep["in_reg_ptrs"]
        lines.append(f"  stackPtrs {_bitmap_text(rep['stack_ptrs'])}")
        lines.append(f"  inRegPtrs {'n/a' if inr is None else (' '.join(inr) or '-')}; "
                     f"outRegPtrs {' '.join(rep['out_reg_ptrs']) or '-'}   (* = pointer part)")
    return "\n".join(lines)


def _bitmap_text(bm: dict[str, Any]) -> str:
    """Short bitmaps bit by bit (word 0 first); long ones as runs and folded hex bytes."""
    n, runs = bm["n"], bm["runs"]
    if n == 0:
        return "- (no words)"
    if n <= TEXT_BITS_MAX:
        mask = int.from_bytes(bytes.fromhex(bm["hex"]), "little")
        return f"{bits_string(mask, n)} ({n} word{'s' if n != 1 else ''})"
    ptrs = bm["pointers"]
    where = f": {runs_summary(runs)}" if runs else ""
    return (f"{n} words, {ptrs} pointer word{'s' if ptrs != 1 else ''}{where}; "
            f"bytes {hex_summary(bytes.fromhex(bm['hex']))}")
