"""SVG picture of one call: the frame reflectcall passes (what the callee sees at its argument
pointer), the registers with the value part each carries, and internal/abi.RegArgs as reflect
fills it.

Every fact comes from the layout reports (:func:`regabi.model.report.layout_report`): the
variant's report places values, retOffset, frameSize and the pointer bitmaps; the ``spec``
report (the compiled callee's ABI) gives the spill slots the callee's morestack writes (ASG-7,
FRM-1/2). Long uniform stretches of a frame are folded into one row, so a 1 GiB frame draws as
fast as a small one. Elements carry ``data-*`` attributes (byte ranges, words, registers) that
state what they show.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from regabi.model.arch import Arch
from regabi.model.report import layout_report
from regabi.model.sig import Signature
from regabi.model.types import layout
from regabi.render.bitmap import folded_runs
from regabi.render.svg import Svg
from regabi.render.words import call_n_text

__all__ = ["FRAME_X", "ROW_H", "WORD_W", "abi_internal_example", "frame_svg", "value_names"]

ROW_H = 22  # one word (or one folded stretch of words)
WORD_W = 256  # one word's width; a byte is WORD_W / ptr_size
FRAME_X = 96  # left edge of the word column (offsets are written left of it)
MARGIN = 16
CELL_W, CELL_H = 104, 36  # a RegArgs cell that holds something
NARROW_W = 44  # one that holds nothing
MAX_ROWS = 400  # beyond this, pointer runs inside values are no longer drawn row by row

CSS = """
.background{fill:#fff}
text{fill:#111}
.h1{font-size:15px;font-weight:bold}
.h2{font-size:13px;font-weight:bold}
.small,.note{font-size:11px;fill:#444}
.warn{font-size:12px;fill:#b00020;font-weight:bold}
.item{stroke:#333;stroke-width:1}
.arg{fill:#cfe3ff}.result{fill:#d3f5d3}.recv{fill:#e6d5ff}
.spill{fill:#ffe1b3}.pad{fill:#f2f2f2;stroke:#bbb;stroke-dasharray:3 2}
.beyond{fill:#ffd6d6;stroke:#b00020}
.gap{fill:#fff;stroke:none}
.ptr-word,.ptr-reg,.key-ptr{fill:#b00020}
.ptr-count{fill:#b00020;font-size:11px}
.marker{stroke:#b00020;stroke-width:1.5;stroke-dasharray:6 3}
.frame-end{stroke:#111;stroke-width:2}
.bracket{stroke:#c77700;stroke-width:2;fill:none}
.frame-outline{fill:none;stroke:#111;stroke-width:1.5}
.reg{fill:#fafafa;stroke:#888}
.cell{fill:#fafafa;stroke:#999}.cell.used{fill:#fff8d6;stroke:#333}
.bit1{fill:#ffd6d6;stroke:#b00020}
"""


def abi_internal_example() -> tuple[Signature, Arch]:
    """The worked example of go1.27.3 src/cmd/compile/abi-internal.md ("### Example"): its
    signature, on "a 64-bit architecture with hypothetical integer registers R0–R9" — amd64's
    table with ten integer registers named R0 … R9."""
    from dataclasses import replace

    from regabi.model.arch import load_arch
    from regabi.model.syntax import parse_signature

    amd64 = load_arch("amd64")
    arch = replace(amd64.with_regs(10, amd64.n_float),
                   int_regs=tuple(f"R{i}" for i in range(10)))
    sig = parse_signature("func(a1 uint8, a2 [2]uintptr, a3 uint8) "
                          "(r1 struct { x uintptr; y [2]uintptr }, r2 string)")
    return sig, arch


def value_names(sig: Signature, rep: dict[str, Any]) -> list[str]:
    """A name per report value: the Go parameter name when there is one, else ``arg 0`` …"""
    out = []
    for v in rep["values"]:
        i = v["index"]
        if v["role"] == "recv":
            out.append("recv")
        elif v["role"] == "arg":
            nm = sig.param_names[i] if i < len(sig.param_names) else ""
            out.append(nm or f"arg {i}")
        else:
            nm = sig.result_names[i] if i < len(sig.result_names) else ""
            out.append(nm or f"result {i}")
    return out


@dataclass
class _Item:
    kind: str  # arg, result, recv, spill, pad, beyond
    lo: int
    hi: int
    label: str
    attrs: dict[str, object]
    short: str = ""  # for a box too narrow for the label


class _Ptrs:
    """Pointer words from folded runs, queried per word and per stretch without expanding:
    lone runs by bisection, progressions (few: one per pointer field of an array) in turn."""

    def __init__(self, runs: list[tuple[int, int, int, int]]) -> None:
        self.single = [(a, ln) for a, ln, c, _ in runs if c == 1]
        self.starts = [a for a, _ in self.single]
        self.prefix = [0]
        for _, ln in self.single:
            self.prefix.append(self.prefix[-1] + ln)
        self.prog = [r for r in runs if r[2] > 1]

    def has(self, w: int) -> bool:
        return self.count(w, w + 1) > 0

    def count(self, lo: int, hi: int) -> int:
        """Pointer words in [lo, hi)."""
        n = 0
        i0 = max(0, bisect_right(self.starts, lo) - 1)
        i1 = bisect_left(self.starts, hi)
        if i1 > i0:
            n += self.prefix[i1] - self.prefix[i0]
            for a, ln in {self.single[i0], self.single[i1 - 1]}:
                n -= min(ln, max(0, lo - a)) + min(ln, max(0, a + ln - hi))
        for a, ln, c, st in self.prog:
            k0 = max(0, (lo - ln - a) // st + 1)
            k1 = min(c, -((a - hi) // st)) if hi > a else 0  # ceil((hi - a) / st)
            if k1 <= k0:
                continue
            n += (k1 - k0) * ln
            for k in {k0, k1 - 1}:
                s = a + k * st
                n -= min(ln, max(0, lo - s)) + min(ln, max(0, s + ln - hi))
        return max(n, 0)

    def boundaries(self, limit: int) -> set[int]:
        out: set[int] = set()
        for a, ln, c, st in self.prog:
            last = a + (c - 1) * st
            out.update((a, a + ln - 1, a + st, a + st + ln - 1, last, last + ln - 1))
        for a, ln in self.single:
            if len(out) > limit:
                break
            out.update((a, a + ln - 1))
        return out


def _ptr_runs(sig: Signature, arch: Arch, rep: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    if rep["variant"] != "spec":
        return [tuple(r) for r in rep["stack_ptrs"]["runs"]]  # type: ignore[misc]
    # spec: the callee's view, from the types' GC masks (TYP-10) at their stack offsets
    ps = arch.ptr_size
    types = ([sig.recv] if sig.recv is not None else []) + list(sig.params) + list(sig.results)
    mask = 0
    for v, t in zip(rep["values"], types, strict=True):
        if v["where"] == "stack" and v["stack_offset"] is not None:
            g = 1 if v["role"] == "recv" else layout(t, ps).gcmask  # ASG-9: one pointer
            mask |= g << (v["stack_offset"] // ps)
    return folded_runs(mask)


def _items(sig: Signature, rep: dict[str, Any], spec: dict[str, Any], ps: int,
           names: list[str]) -> tuple[list[_Item], int]:
    items: list[_Item] = []
    for v, nm in zip(rep["values"], names, strict=True):
        if v["where"] == "stack" and v["size"] > 0:
            lo = v["stack_offset"]
            items.append(_Item(v["role"], lo, lo + v["size"], f"{nm} {v['type']}",
                               {"data_role": v["role"], "data_index": v["index"],
                                "data_name": nm}, nm))
    # the callee's spill slots (spec: ASG-7, at offsetToSpillArea + slot)
    base = spec["offset_to_spill_area"]
    for v, nm in zip(spec["values"], names, strict=True):
        if v.get("spill_offset") is not None and v["size"] > 0:
            lo = base + v["spill_offset"]
            size = ps if v["role"] == "recv" else v["size"]
            items.append(_Item("spill", lo, lo + size, f"{nm} spill",
                               {"data_role": v["role"], "data_index": v["index"],
                                "data_name": nm}, nm))
    end = max([rep["frame_size"], spec["frame_size"]] + [it.hi for it in items])
    reserved = rep["frame_size"]
    # what is not a value or a slot: padding inside the frame, or past frameSize (a callee
    # that needs more than reflect reserved: INV-FRAME-SUFFICIENT)
    cover = sorted((it.lo, it.hi) for it in items)
    pos = 0
    gaps = []
    for lo, hi in [*cover, (end, end)]:
        if lo > pos:
            gaps.append((pos, lo))
        pos = max(pos, hi)
    for lo, hi in gaps:
        if lo < reserved:
            items.append(_Item("pad", lo, min(hi, reserved), "padding", {}))
        if hi > reserved:
            items.append(_Item("beyond", max(lo, reserved), hi, "beyond frameSize", {}))
    items.sort(key=lambda it: (it.lo, it.hi))
    return items, end


def _rows(words: int, visible: set[int]) -> list[tuple[int, int]]:
    """Rows as word ranges [a, b): one word, or a folded stretch of ≥ 2 hidden words."""
    vis = sorted(w for w in visible if 0 <= w < words)
    rows: list[tuple[int, int]] = []
    prev = -1
    for w in vis:
        if w - prev - 1 >= 2:
            rows.append((prev + 1, w))
        elif w - prev - 1 == 1:
            rows.append((prev + 1, prev + 2))
        rows.append((w, w + 1))
        prev = w
    return rows


def _placement(v: dict[str, Any]) -> tuple[Any, ...]:
    return (v["where"], v["stack_offset"],
            tuple((r["reg"], r["offset"], r["size"]) for r in v["regs"]))


def frame_svg(sig: Signature, arch: Arch, variant: str = "current") -> str:
    """The SVG document for ``sig`` on ``arch`` in ``variant`` (spec, seed or current)."""
    rep = layout_report(sig, arch, variant)
    spec = rep if variant == "spec" else layout_report(sig, arch, "spec")
    ps = arch.ptr_size
    names = value_names(sig, rep)
    items, end = _items(sig, rep, spec, ps, names)
    ptrs = _Ptrs(_ptr_runs(sig, arch, rep))
    words = max(1, (end + ps - 1) // ps)

    marks = {"ret_offset": rep["ret_offset"], "frame_size": rep["frame_size"]}
    visible = {0, words - 1}
    for it in items:
        visible.update((it.lo // ps, (it.hi - 1) // ps))
    for b in marks.values():
        visible.update((b // ps, max(0, b // ps - 1)))
    if len(visible) < MAX_ROWS:
        visible |= ptrs.boundaries(MAX_ROWS)
    rows = _rows(words, visible)
    row_of: dict[int, int] = {}
    for r, (a, b) in enumerate(rows):
        if b - a == 1:
            row_of[a] = r

    svg = Svg(CSS)
    title = (f"{sig.go()}" + (f" [recv {sig.recv}]" if sig.recv is not None else "")
             + f" — {arch.name}, {variant}")
    y = MARGIN + 16
    svg.text(MARGIN, y, title, class_="h1")
    y += 26
    svg.text(MARGIN, y, "Stack frame as the callee sees it", class_="h2")
    svg.text(MARGIN + 270, y, "byte offsets; a row per word, ⋮ folds uniform words",
             class_="small")
    top = y + 12
    if variant != "spec":
        bad = [nm for v, s, nm in zip(rep["values"], spec["values"], names, strict=True)
               if v["size"] > 0 and _placement(v) != _placement(s)]
        if bad:
            svg.text(MARGIN, top + 4, f"{variant} and the callee (spec) disagree on "
                     f"{', '.join(bad)}: values drawn where {variant} puts them "
                     "(see regabi diff)", class_="warn", data_disagree=",".join(bad))
            top += 30

    def row_y(r: int) -> float:
        return top + r * ROW_H

    def byte_y(b: int) -> float:
        """y of the boundary before byte b (b a word multiple, or the frame's end)."""
        w = b // ps
        if w in row_of:
            return row_y(row_of[w]) + (b % ps) / ps * ROW_H
        if w >= words:
            return row_y(len(rows))
        for r, (a, e) in enumerate(rows):
            if a <= w < e:
                return row_y(r) + ROW_H / 2
        return row_y(len(rows))

    bx = WORD_W / ps
    # rows: offsets, folded stretches, pointer marks
    for r, (a, b) in enumerate(rows):
        yy = row_y(r)
        if b - a == 1:
            svg.text(FRAME_X - 6, yy + 15, f"+{a * ps}", class_="small", text_anchor="end")
            if ptrs.has(a):
                svg.el("circle", cx=float(FRAME_X + WORD_W + 10), cy=yy + ROW_H / 2, r=4.5,
                       class_="ptr-word", data_word=a, data_offset=a * ps,
                       title=f"stackPtrs bit {a}: word at +{a * ps} holds a pointer")
        else:
            svg.text(FRAME_X - 6, yy + 15, "⋮", class_="small", text_anchor="end")
            k = ptrs.count(a, b)
            if k:
                svg.text(FRAME_X + WORD_W + 4, yy + 15, f"{k} pointer words",
                         class_="ptr-count", data_words=f"{a}-{b}", data_count=k)
    # items, one rect per row they cover
    for it in items:
        svg.open("g", class_=f"value {it.kind}", data_kind=it.kind, data_lo=it.lo,
                 data_hi=it.hi, **it.attrs)
        first = True
        for r, (a, b) in enumerate(rows):
            lo, hi = max(it.lo, a * ps), min(it.hi, b * ps)
            if lo >= hi:
                continue
            folded = b - a > 1
            x0 = FRAME_X + (0 if folded else (lo - a * ps) * bx)
            x1 = FRAME_X + (WORD_W if folded else (hi - a * ps) * bx)
            svg.rect(x0, row_y(r), x1 - x0, ROW_H, class_=f"item {it.kind}",
                     data_lo=lo, data_hi=hi,
                     title=f"{it.label}: bytes [{it.lo},{it.hi})")
            if first:
                txt = it.label
                room = int((x1 - x0 - 6) // 7)
                if folded:
                    txt += f" ({(b - a) * ps} bytes folded)" if it.kind == "pad" else ""
                if len(txt) > room and it.short and len(it.short) <= room:
                    txt = it.short
                if room >= 2:
                    svg.text(x0 + 3, row_y(r) + 15, txt if len(txt) <= room
                             else txt[:room - 1] + "…", class_="label")
                first = False
        svg.close("g")
    svg.rect(FRAME_X, top, WORD_W, row_y(len(rows)) - top, class_="frame-outline",
             data_words=words, data_ptr_size=ps)
    # markers: retOffset, frameSize, the spill area
    rx = FRAME_X + WORD_W + 26
    ret = rep["ret_offset"]
    svg.line(FRAME_X - 40, byte_y(ret), rx + 150, byte_y(ret), class_="marker",
             data_offset=ret, data_mark="ret_offset")
    svg.text(rx + 154, byte_y(ret) + 4,
             ("retOffset " if variant != "spec" else "results at ") + str(ret), class_="small")
    fs = rep["frame_size"]
    fy = byte_y(fs)
    svg.line(FRAME_X - 40, fy, FRAME_X + WORD_W + 20, fy, class_="frame-end",
             data_offset=fs, data_mark="frame_size")
    if variant == "spec":
        fs_label = f"frame {fs}: what the callee needs its caller to reserve"
    else:
        fs_label = f"frameSize {fs} → {call_n_text(rep['call_n'], fs)}"
    svg.text(rx + 2, fy + 14, fs_label, class_="small")
    if variant == "spec":
        s_lo, s_hi = rep["offset_to_spill_area"], fs
    else:
        s_lo, s_hi = fs - rep["spill"], fs
    if s_hi > s_lo:
        y0, y1 = byte_y(s_lo), byte_y(s_hi)
        svg.el("path", d=f"M{rx - 8},{y0 + 1} h6 V{y1 - 1} h-6", class_="bracket",
               data_lo=s_lo, data_hi=s_hi, data_mark="spill_area")
        svg.text(rx + 2, (y0 + y1) / 2 + 4, f"spill area [{s_lo},{s_hi})", class_="small")
    frame_bottom = row_y(len(rows)) + 24

    # registers
    gx = rx + 400
    ry = top
    svg.text(gx, y, "Registers", class_="h2")
    svg.text(gx + 80, y, "⬤ = the part is a pointer", class_="small")
    for phase, roles in (("on entry", ("recv", "arg")), ("on exit", ("result",))):
        svg.text(gx, ry + 12, phase, class_="small")
        ry += 18
        n = 0
        for v, nm in zip(rep["values"], names, strict=True):
            if v["role"] not in roles:
                continue
            for p in v["regs"]:
                svg.open("g", class_="reg-part", data_reg=p["reg"], data_class=p["class"],
                         data_phase=phase.split()[1], data_value=nm, data_role=v["role"],
                         data_index=v["index"], data_lo=p["offset"],
                         data_hi=p["offset"] + p["size"], data_pointer=int(p["pointer"]))
                svg.rect(gx, ry, 300, 20, class_="reg")
                svg.text(gx + 6, ry + 14, f"{p['reg']:<4} ← {nm} [{p['offset']}:"
                         f"{p['offset'] + p['size']}]  {v['type'][:18]}")
                if p["pointer"]:
                    svg.el("circle", cx=float(gx + 288), cy=ry + 10.0, r=4.5, class_="ptr-reg")
                svg.close("g")
                ry += 22
                n += 1
        if not n:
            svg.text(gx + 6, ry + 12, "(none)", class_="small")
            ry += 18
        ry += 6
    bottom = max(frame_bottom, ry + 10)
    width: float = gx + 320

    if variant != "spec":
        bottom, w2 = _regargs(svg, rep, names, arch, variant, bottom + 10)
        width = max(width, w2)
    bottom = _legend(svg, bottom + 10)
    return svg.render(width + MARGIN, bottom + MARGIN, title)


def _regargs(svg: Svg, rep: dict[str, Any], names: list[str], arch: Arch, variant: str,
             y: float) -> tuple[float, float]:
    """internal/abi.RegArgs as reflect fills it: Value.call before the call (go1.27.3
    reflect/value.go:501-555: every int/pointer part to Ints, pointer parts also to Ptrs, the
    receiver too; seed e0215315 value.go: Ptrs only for a directly held pointer, the receiver
    only in Ints), ReturnIsPtr = outRegPtrs (value.go:574); after the call spillArgs has put
    the results in Ints/Floats and reflectcallmove copies Ints[i] to Ptrs[i] where ReturnIsPtr
    is set (runtime/mbarrier.go:260)."""
    ra = arch.regargs
    svg.text(MARGIN, y + 14, f"RegArgs as reflect fills it ({ra.size} bytes: Ints at "
             f"{ra.ints_offset}, Floats at {ra.floats_offset}, Ptrs at {ra.ptrs_offset}, "
             f"ReturnIsPtr at {ra.return_is_ptr_offset})", class_="h2")
    y += 24
    ints_in: dict[int, list[str]] = {}
    ints_out: dict[int, list[str]] = {}
    fl_in: dict[int, list[str]] = {}
    fl_out: dict[int, list[str]] = {}
    ptr_in: dict[int, list[str]] = {}
    for v, nm in zip(rep["values"], names, strict=True):
        for p in v["regs"]:
            part = f"{nm}[{p['offset']}:{p['offset'] + p['size']}]"
            out = v["role"] == "result"
            if p["class"] == "float":
                (fl_out if out else fl_in).setdefault(p["index"], []).append(part)
                continue
            (ints_out if out else ints_in).setdefault(p["index"], []).append(part)
            if out or not p["pointer"]:
                continue
            if variant == "seed":
                if v["role"] != "recv":
                    ptr_in.setdefault(p["index"], []).append(f"{nm} if direct")
            else:
                ptr_in.setdefault(p["index"], []).append(nm)
    ret_ptr = {arch.int_regs.index(r) for r in rep["out_reg_ptrs"]}
    ptr_out = {i: [f"=Ints[{i}]"] for i in ret_ptr}
    rows = [
        ("Ints", arch.n_int, ints_in, ints_out),
        ("Floats", arch.n_float, fl_in, fl_out),
        ("Ptrs", arch.n_int, ptr_in, ptr_out),
    ]
    lx = MARGIN + 96
    svg.text(lx, y + 10, "each cell: before the call / ↩ after it; empty cells are narrow",
             class_="small")
    y += 16
    # column x per register index: wide where any int-indexed row uses it (Ints, Ptrs and
    # ReturnIsPtr share the indices), separately for Floats
    int_used = [bool(ints_in.get(i) or ints_out.get(i) or ptr_in.get(i) or i in ret_ptr)
                for i in range(arch.n_int)]
    fl_used = [bool(fl_in.get(i) or fl_out.get(i)) for i in range(arch.n_float)]

    def columns(used: list[bool]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        x = float(lx)
        for u in used:
            w = CELL_W if u else NARROW_W
            out.append((x, w))
            x += w
        return out

    int_cols, fl_cols = columns(int_used), columns(fl_used)
    width = float(lx)
    for name, n, before, after in rows:
        svg.text(MARGIN, y + 22, name, class_="h2")
        cols = fl_cols if name == "Floats" else int_cols
        for i in range(n):
            x, w = cols[i]
            b, a = before.get(i, []), after.get(i, [])
            reg = arch.int_regs[i] if name != "Floats" else arch.float_regs[i]
            svg.open("g", class_="regargs-cell", data_field=name, data_index=i, data_reg=reg,
                     data_before=" ".join(b), data_after=" ".join(a))
            svg.rect(x, y, w - 2, CELL_H, class_="cell used" if b or a else "cell",
                     title=f"{name}[{i}] ({reg})")
            room = int((w - 6) // 5.8)
            svg.text(x + 3, y + 11, f"[{i}] {reg}" if w == CELL_W else f"[{i}]",
                     class_="small")
            if w == CELL_W:
                svg.text(x + 3, y + 22, (" ".join(b))[:room] or "·", class_="small")
                svg.text(x + 3, y + 33, ("↩ " + " ".join(a))[:room] if a else "",
                         class_="small")
            svg.close("g")
            width = max(width, x + w)
        y += CELL_H + 4
    svg.text(MARGIN, y + 18, "ReturnIsPtr", class_="h2")
    for i in range(arch.n_int):
        x, w = int_cols[i]
        bit = int(i in ret_ptr)
        svg.open("g", class_="regargs-cell", data_field="ReturnIsPtr", data_index=i,
                 data_reg=arch.int_regs[i], data_bit=bit)
        svg.rect(x, y, w - 2, 24, class_="bit1" if bit else "cell")
        svg.text(x + 3, y + 16, f"[{i}] {bit}" if w == CELL_W else str(bit), class_="small")
        svg.close("g")
    y += 30
    inr = rep.get("in_reg_ptrs")
    svg.text(MARGIN, y + 12, "inRegPtrs: " + ("none in this variant" if inr is None else
                                            (" ".join(inr) or "-"))
             + f"; outRegPtrs (= ReturnIsPtr): {' '.join(rep['out_reg_ptrs']) or '-'}",
             class_="note")
    return y + 20, width


def _legend(svg: Svg, y: float) -> float:
    svg.text(MARGIN, y + 12, "Legend", class_="h2")
    y += 20
    x = MARGIN
    for kind, label in (("arg", "argument"), ("result", "result"), ("recv", "receiver"),
                        ("spill", "spill slot (callee)"), ("pad", "padding"),
                        ("beyond", "needed beyond frameSize")):
        svg.open("g", class_="legend-key", data_kind=kind)
        svg.rect(x, y, 18, 14, class_=f"item {kind}")
        svg.text(x + 24, y + 11, label, class_="small")
        svg.close("g")
        x += 40 + 7 * len(label)
    y += 22
    x = MARGIN
    svg.el("circle", cx=float(x + 9), cy=y + 7.0, r=4.5, class_="key-ptr")
    svg.text(x + 24, y + 11, "pointer word (stackPtrs bit) / register part holding a pointer",
             class_="small")
    y += 20
    svg.line(x, y + 7, x + 18, y + 7, class_="marker")
    svg.text(x + 24, y + 11, "retOffset (start of stack results)", class_="small")
    svg.line(x + 300, y + 7, x + 318, y + 7, class_="frame-end")
    svg.text(x + 324, y + 11, "end of the frame reflectcall copies (frameSize)",
             class_="small")
    return y + 20
