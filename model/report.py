"""Layout reports: the documented JSON schema ``regabi.layout/2`` (docs/json-schema.md) and the
readable table of ``regabi layout``. One report per (signature, arch, variant).

:func:`layout_json` is the one writer of a report: it writes the JSON text itself, from pieces
memoized per architecture (a batch's values repeat the same types, register parts and steps,
so most of its text is written once). :func:`layout_report` is that text read back, for the
readers of the dict (the text table, ``diff``, the SVG frame, the Python API).

Pointer bitmaps are rendered by :mod:`regabi.render.bitmap` in time linear in the frame (hex
bytes and runs), so the report of a 1 GiB frame costs about as much as its layout."""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _str  # json.dumps' own (ensure_ascii)
from typing import Any

from regabi.model.arch import Arch
from regabi.model.assign import AbiDesc, SpecLayout, Step, reflect_assign, spec_assign
from regabi.model.sig import Signature
from regabi.model.summary import summarize
from regabi.model.types import GoType
from regabi.model.variants import get_variant
from regabi.render.bitmap import bits_string, folded_runs, hex_bytes, hex_summary, runs_summary
from regabi.render.words import byte_span, call_n_text, reg_part

__all__ = ["SCHEMA", "layout_json", "layout_report", "render_text"]

SCHEMA = "regabi.layout/2"
#: Bitmaps up to this many words are also shown bit by bit in the text table.
TEXT_BITS_MAX = 64
#: Bound of each memo (entries), so that a long-running process does not grow without end.
_MEMO_MAX = 1 << 16
#: Bitmaps longer than this many words are not memoized (rare, and costly to hash).
_MEMO_BITS = 1 << 12


def _int(x: int | None) -> str:
    """A number or null as json.dumps writes it (numbers that are never null are written with
    ``:d``, the same text)."""
    return "null" if x is None else int.__repr__(x)


class _ArchText:
    """The JSON pieces of one architecture, memoized."""

    __slots__ = ("arch", "bitmaps", "call_n", "heads", "regsets", "values")

    def __init__(self, arch: Arch) -> None:
        self.arch = arch
        self.heads: dict[str, str] = {}
        self.values: dict[tuple[Any, ...], str] = {}
        self.bitmaps: dict[tuple[int, int], str] = {}
        self.regsets: dict[int, str] = {}
        self.call_n: dict[int, str] = {}

    def head(self, variant: str) -> str:
        hit = self.heads.get(variant)
        if hit is None:
            a = self.arch
            hit = self.heads[variant] = (
                f'"arch":{_str(a.name)},"variant":{_str(variant)},"ptr_size":{_int(a.ptr_size)},'
                f'"int_regs":{_int(a.n_int)},"float_regs":{_int(a.n_float)},')
        return hit

    def bitmap(self, mask: int, n: int) -> str:
        """BMP-1's bitVector: ``n`` words, Go's bytes in hex, and the runs of pointer words
        folded into progressions ``[first, length, count, stride]`` (docs/json-schema.md)."""
        key = (mask, n)
        hit = self.bitmaps.get(key)
        if hit is not None:
            return hit
        runs = ",".join(f"[{_int(a)},{_int(ln)},{_int(c)},{_int(st)}]"
                        for a, ln, c, st in folded_runs(mask))
        out = (f'{{"n":{_int(n)},"pointers":{_int(mask.bit_count())},'
               f'"hex":{_str(hex_bytes(mask, n))},"runs":[{runs}]}}')
        if n <= _MEMO_BITS and mask.bit_length() <= _MEMO_BITS and len(self.bitmaps) < _MEMO_MAX:
            self.bitmaps[key] = out
        return out

    def regset(self, mask: int | None) -> str:
        """A bitmap of integer registers as their names."""
        if mask is None:
            return "null"
        hit = self.regsets.get(mask)
        if hit is None:
            name = self.arch.int_reg_name
            hit = "[" + ",".join(_str(name(i)) for i in range(mask.bit_length())
                                 if (mask >> i) & 1) + "]"
            if len(self.regsets) < _MEMO_MAX:
                self.regsets[mask] = hit
        return hit

    def call(self, frame: int) -> str:
        hit = self.call_n.get(frame)
        if hit is None:
            hit = _int(next((n for n in self.arch.call_sizes if n >= frame), None))
            if len(self.call_n) < _MEMO_MAX:
                self.call_n[frame] = hit
        return hit

    def remember(self, key: tuple[Any, ...], text: str) -> str:
        if len(self.values) < _MEMO_MAX:
            self.values[key] = text
        return text


_ARCHS: dict[int, _ArchText] = {}


def _arch_text(arch: Arch) -> _ArchText:
    at = _ARCHS.get(id(arch))
    if at is None or at.arch is not arch:
        at = _ARCHS[id(arch)] = _ArchText(arch)
    return at


def _value_rows(sig: Signature) -> list[tuple[str, int, GoType]]:
    rows: list[tuple[str, int, GoType]] = []
    if sig.recv is not None:
        rows.append(("recv", 0, sig.recv))
    rows.extend(("arg", i, t) for i, t in enumerate(sig.params))
    rows.extend(("result", i, t) for i, t in enumerate(sig.results))
    return rows


_PREFIXES: dict[tuple[str, int], str] = {}


def _prefix(role: str, idx: int) -> str:
    """A value's first keys: its role and index."""
    hit = _PREFIXES.get((role, idx))
    if hit is None:
        hit = f'{{"role":{_str(role)},"index":{_int(idx)},'
        if len(_PREFIXES) < _MEMO_MAX:
            _PREFIXES[(role, idx)] = hit
    return hit


def _spec_value(at: _ArchText, role: str, idx: int, t: GoType, lay_t: GoType, regs: Any,
                stack: int | None, spill: int | None) -> str:
    lay = summarize(lay_t, at.arch.ptr_size)  # size and align, as layout() reports them
    typ = t.go()
    key = ("spec", typ, lay.size, lay.align, regs, stack, spill)
    hit = at.values.get(key)
    if hit is not None:
        return _prefix(role, idx) + hit
    arch = at.arch
    parts = ",".join(
        f'{{"reg":{_str(arch.int_reg_name(i) if c == "int" else arch.float_reg_name(i))},'
        f'"class":{_str(c)},"index":{_int(i)},"offset":{_int(off)},"size":{_int(size)},'
        f'"pointer":{"true" if ptr else "false"}}}'
        for c, i, off, size, ptr in regs)
    return _prefix(role, idx) + at.remember(key, (
        f'"type":{_str(typ)},"size":{_int(lay.size)},'
        f'"align":{_int(lay.align)},"where":"{"regs" if regs else "stack"}","regs":[{parts}],'
        f'"stack_offset":{_int(stack)},"spill_offset":{_int(spill)}}}'))


def _spec_json(sig: Signature, arch: Arch, s: SpecLayout) -> str:
    at = _arch_text(arch)
    values = ",".join(
        _spec_value(at, role, idx, t, t if role != "recv" else p.type, p.regs, p.stack, p.spill)
        # the receiver travels as one pointer word (ASG-9), whatever its type's size
        for (role, idx, t), p in zip(_value_rows(sig), s.params + s.results, strict=True))
    frame = s.offset_to_spill_area + s.spill_area_size
    return (f'"values":[{values}],"stack_args_size":{_int(s.args_stack_size)},'
            f'"ret_offset":{_int(s.ret_offset)},'
            f'"offset_to_spill_area":{_int(s.offset_to_spill_area)},'
            f'"spill_area_size":{_int(s.spill_area_size)},"frame_size":{_int(frame)},'
            f'"int_regs_used":{_int(s.int_regs_used)},'
            f'"float_regs_used":{_int(s.float_regs_used)}}}')


def _reflect_value(at: _ArchText, role: str, idx: int, t: GoType,
                   steps: tuple[Step, ...]) -> str:
    ps = at.arch.ptr_size
    typ = t.go()
    if role != "recv":
        lay = summarize(t, ps)  # size and align, as layout() reports them
        size, align = lay.size, lay.align
    else:
        size = align = ps
    key = (typ, size, align, steps)
    hit = at.values.get(key)
    if hit is not None:
        return _prefix(role, idx) + hit
    arch = at.arch
    regs = []
    stack = None
    for st in steps:
        if st.kind == "stack":
            stack = st.stkoff
        elif st.kind == "float":
            regs.append(f'{{"reg":{_str(arch.float_reg_name(st.freg))},"class":"float",'
                        f'"index":{st.freg:d},"offset":{st.offset:d},'
                        f'"size":{st.size:d},"pointer":false}}')
        else:
            regs.append(f'{{"reg":{_str(arch.int_reg_name(st.ireg))},"class":"int",'
                        f'"index":{st.ireg:d},"offset":{st.offset:d},'
                        f'"size":{st.size:d},'
                        f'"pointer":{"true" if st.kind == "ptr" else "false"}}}')
    where = "stack" if stack is not None else ("regs" if regs else "none")
    # (``:d`` writes an int, or a bool, as int.__repr__ does, without a call per number)
    steps_text = ",".join(f"[{_str(k)},{o:d},{sz:d},{so:d},{ir:d},{fr:d}]"
                          for k, o, sz, so, ir, fr in steps)
    return _prefix(role, idx) + at.remember(key, (
        f'"type":{_str(typ)},"size":{_int(size)},'
        f'"align":{_int(align)},"where":"{where}","regs":[{",".join(regs)}],'
        f'"stack_offset":{_int(stack)},"steps":[{steps_text}]}}'))


def _reflect_json(sig: Signature, arch: Arch, d: AbiDesc) -> str:
    at = _arch_text(arch)
    n_in = len(d.call.value_start)
    values = ",".join(
        _reflect_value(at, role, idx, t,
                       d.call.steps_for(k) if k < n_in else d.ret.steps_for(k - n_in))
        for k, (role, idx, t) in enumerate(_value_rows(sig)))
    return (f'"values":[{values}],"stack_args_size":{d.stack_call_args_size:d},'
            f'"ret_offset":{d.ret_offset:d},"spill":{d.spill:d},'
            f'"frame_type_size":{d.frame_type_size:d},"frame_size":{d.frame_size:d},'
            f'"call_n":{at.call(d.frame_size)},'
            f'"stack_ptrs":{at.bitmap(d.stack_ptrs, d.stack_ptrs_n)},'
            f'"in_reg_ptrs":{at.regset(d.in_reg_ptrs)},'
            f'"out_reg_ptrs":{at.regset(d.out_reg_ptrs)},'
            f'"int_regs_used":[{d.call.iregs:d},{d.ret.iregs:d}],'
            f'"float_regs_used":[{d.call.fregs:d},{d.ret.fregs:d}]}}')


def layout_json(sig: Signature, arch: Arch, variant: str) -> str:
    """The ``regabi.layout/2`` JSON object for one signature, as compact JSON text (what
    ``json.dumps(..., separators=(",", ":"))`` writes of :func:`layout_report`'s dict).

    Parameters
    ----------
    sig : Signature
    arch : Arch
    variant : {"spec", "seed", "current"}
        ``spec`` is the compiler's assignment (what the callee expects); the others are
        reflect's abiDesc in that variant.
    """
    head = (f'{{"schema":"{SCHEMA}","signature":{_str(sig.go())},'
            f'"recv":{"null" if sig.recv is None else _str(str(sig.recv))},'
            f'"name":{_str(sig.name) if sig.name else "null"},')
    at = _arch_text(arch)
    if variant == "spec":
        body = _spec_json(sig, arch, spec_assign(sig, arch))
    else:
        body = _reflect_json(sig, arch, reflect_assign(sig, arch, get_variant(variant)))
    return head + at.head(variant) + body


def layout_report(sig: Signature, arch: Arch, variant: str) -> dict[str, Any]:
    """The ``regabi.layout/2`` JSON object for one signature, as a dict (:func:`layout_json`
    read back)."""
    return json.loads(layout_json(sig, arch, variant))  # type: ignore[no-any-return]


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
            detail = " ".join(reg_part(r["reg"], r["offset"], r["size"], r["pointer"])
                              for r in v["regs"])
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
