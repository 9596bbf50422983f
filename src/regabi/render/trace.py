"""SVG of GC-explorer counterexample traces: one swim lane per function (``where``), one row per
step, GC cycles and stack moves marked, registers, what the GC sees and what got freed.

Input is the JSON ``regabi explore SIG --json`` prints: a list of verdicts, each with
``counterexample.trace``, a list of steps ``{step, where, label, choice, gc_cycles,
stack_moves, freed, regs?, gc_sees?}``. A single verdict or a bare list of steps is accepted
too. Fields not listed are ignored and missing optional ones are left out, so the renderer
keeps working while the explorer's trace grows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from regabi.errors import InputError
from regabi.render.svg import Svg

__all__ = ["LANE_W", "STEP_H", "trace_svg", "traces_of", "write_trace_svg"]

LANE_W = 112
STEP_H = 22
LINE_H = 14
MARGIN = 16

CSS = """
.background{fill:#fff}
text{fill:#111}
.h1{font-size:15px;font-weight:bold}.h2{font-size:13px;font-weight:bold}
.small{font-size:11px;fill:#444}
.lane{fill:#f6f6f6;stroke:#ddd}
.lane-name{font-size:11px;font-weight:bold}
.dot{fill:#1f5fbf}.dot.gc{fill:#b00020}.dot.move{fill:#c77700}
.edge{stroke:#1f5fbf;stroke-width:1.5}
.band-gc{fill:#ffe3e6}.band-move{fill:#fff0d9}
.badge-gc{fill:#b00020;font-weight:bold;font-size:11px}
.badge-move{fill:#c77700;font-weight:bold;font-size:11px}
.regs{font-size:11px;fill:#1f5fbf}
.sees{font-size:11px;fill:#b00020}
.freed{font-size:11px;fill:#b00020;font-weight:bold}
.verdict{fill:#b00020;font-weight:bold}
"""


def traces_of(data: Any) -> list[dict[str, Any]]:
    """The verdicts with a trace, from explore's JSON (list of verdicts, one verdict, or a
    bare list of steps)."""
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError("trace JSON must be a list of verdicts or of steps")
    if data and all(isinstance(d, dict) and "where" in d and "label" in d for d in data):
        return [{"invariant": "trace", "counterexample": {"trace": data}}]
    out = []
    for v in data:
        if isinstance(v, dict) and isinstance((v.get("counterexample") or {}).get("trace"),
                                               list):
            out.append(v)
    return out


def trace_svg(data: Any, title: str | None = None) -> str:
    """One SVG with a section per counterexample trace."""
    verdicts = traces_of(data)
    svg = Svg(CSS)
    y: float = MARGIN + 16
    head = title or "GC explorer counterexample traces"
    svg.text(MARGIN, y, head, class_="h1")
    y += 14
    width = 600.0
    if not verdicts:
        svg.text(MARGIN, y + 16, "no counterexample: every invariant held within the bounds",
                 class_="small")
        y += 30
    for v in verdicts:
        y, w = _section(svg, v, y + 14)
        width = max(width, w)
    y = _legend(svg, y + 10)
    return svg.render(width + MARGIN, y + MARGIN, head)


def _section(svg: Svg, v: dict[str, Any], y: float) -> tuple[float, float]:
    ce = v.get("counterexample") or {}
    steps = [s for s in ce.get("trace", []) if isinstance(s, dict)]
    inv = v.get("invariant", "?")
    var = v.get("variant")
    msg = ce.get("message", "")
    hold = ce.get("holding")
    line = f"{inv}" + (f" ({var})" if var else "") + (f": {msg}" if msg else "")
    sig = (v.get("extra") or {}).get("signature")
    svg.open("g", class_="trace", data_invariant=inv, data_variant=var, data_steps=len(steps))
    svg.text(MARGIN, y, line, class_="h2")
    y += 16
    sub = []
    if sig:
        sub.append(sig)
    if hold is not None:
        sub.append("holding " + (", ".join("indirect" if h else "direct" for h in hold)
                                 or "-"))
    sub.append(f"{len(steps)} steps")
    svg.text(MARGIN, y, " · ".join(sub), class_="small")
    y += 12
    lanes: list[str] = []
    for s in steps:
        w = str(s.get("where", "?"))
        if w not in lanes:
            lanes.append(w)
    x0 = MARGIN + 34
    text_x = x0 + len(lanes) * LANE_W + 12
    # row heights first: a step with registers, GC view or new frees takes more lines
    heights = []
    prev_freed: list[str] = []
    extras = []
    for s in steps:
        ex = []
        if s.get("regs"):
            ex.append(("regs", f"regs: {s['regs']}"))
        if s.get("choice") == "gc" and s.get("gc_sees") is not None:
            ex.append(("sees", f"GC sees: {s['gc_sees'] or 'nothing'}"))
        freed = [str(f) for f in s.get("freed") or []]
        new = [f for f in freed if f not in prev_freed]
        if new:
            ex.append(("freed", "freed: " + ", ".join(new)))
        prev_freed = freed
        extras.append(ex)
        heights.append(STEP_H + LINE_H * len(ex))
    top = y + 18
    total = sum(heights)
    for i, name in enumerate(lanes):
        x = x0 + i * LANE_W
        svg.rect(x + 2, top, LANE_W - 4, total, class_="lane", data_lane=name)
        svg.text(x + LANE_W / 2, top - 5, name[:16], class_="lane-name", text_anchor="middle")
    yy = top
    prev = None
    maxw: float = text_x + 200
    for s, h, ex in zip(steps, heights, extras, strict=True):
        choice = str(s.get("choice", "step"))
        where = str(s.get("where", "?"))
        lane = lanes.index(where)
        cx = x0 + lane * LANE_W + LANE_W / 2
        cy = yy + STEP_H / 2
        svg.open("g", class_="step", data_step=s.get("step"), data_where=where,
                 data_choice=choice, data_gc_cycles=s.get("gc_cycles"),
                 data_stack_moves=s.get("stack_moves"))
        if choice in ("gc", "move"):
            svg.rect(MARGIN, yy, text_x - MARGIN + 700, h, class_=f"band-{choice}")
        if prev is not None:
            svg.line(prev[0], prev[1], cx, cy, class_="edge")
        svg.el("circle", cx=cx, cy=cy, r=5.0,
               class_="dot" + (f" {choice}" if choice in ("gc", "move") else ""))
        svg.text(MARGIN, cy + 4, str(s.get("step", "")), class_="small")
        label = str(s.get("label", ""))
        badge = {"gc": "GC", "move": "STACK MOVE"}.get(choice)
        tx = text_x
        if badge:
            svg.text(tx, cy + 4, badge, class_=f"badge-{choice}")
            tx += 8 * len(badge) + 8
        svg.text(tx, cy + 4, label, class_="label")
        maxw = max(maxw, tx + 7 * len(label))
        ly = yy + STEP_H + LINE_H - 4
        for cls, txt in ex:
            svg.text(text_x + 12, ly, txt, class_=cls)
            maxw = max(maxw, text_x + 12 + 6.5 * len(txt))
            ly += LINE_H
        svg.close("g")
        prev = (cx, cy)
        yy += h
    if msg:
        svg.text(text_x, yy + 16, f"⇒ {msg}", class_="verdict")
        yy += 20
    svg.close("g")
    return yy + 8, maxw


def _legend(svg: Svg, y: float) -> float:
    svg.text(MARGIN, y + 12, "Legend", class_="h2")
    y += 32
    x = MARGIN
    for cls, label in (("dot", "a step in that function"), ("dot gc", "a GC cycle runs here"),
                       ("dot move", "the stack moves here")):
        svg.el("circle", cx=float(x + 6), cy=y - 4.0, r=5.0, class_=cls)
        svg.text(x + 16, y, label, class_="small")
        x += 30 + 7 * len(label)
    y += 18
    svg.text(MARGIN, y, "blue: registers that matter at the step · red: what the GC sees "
             "as roots, and objects freed so far", class_="small")
    return y + 6


def write_trace_svg(src: str, out: str) -> None:
    """Read explore's JSON from ``src`` (a path, or ``-`` for stdin) and write the SVG."""
    import sys

    try:
        text = sys.stdin.read() if src == "-" else Path(src).read_text()
    except OSError as e:
        raise InputError(f"cannot read {src}: {e.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", source=src, line=e.lineno,
                         column=e.colno) from None
    doc = trace_svg(data)
    try:
        Path(out).write_text(doc)
    except OSError as e:
        raise InputError(f"cannot write {out}: {e.strerror}") from None
