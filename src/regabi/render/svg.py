"""A minimal SVG writer: elements as strings, classes styled by one <style> block, ``data-*``
attributes for the facts a picture shows (so tests and tools can read them back)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

__all__ = ["Svg"]

FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"


def _attrs(attrs: dict[str, object]) -> str:
    out = []
    for k, v in attrs.items():
        if v is None:
            continue
        name = k.rstrip("_").replace("_", "-")  # class_ -> class, data_lo -> data-lo
        if isinstance(v, float):
            v = f"{v:.2f}".rstrip("0").rstrip(".")
        out.append(f" {name}={quoteattr(str(v))}")
    return "".join(out)


class Svg:
    """Accumulates elements; :meth:`render` wraps them with a size and a stylesheet."""

    def __init__(self, css: str) -> None:
        self.css = css
        self.parts: list[str] = []

    def open(self, tag: str, **attrs: object) -> None:
        self.parts.append(f"<{tag}{_attrs(attrs)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def el(self, tag: str, text: str | None = None, title: str | None = None,
           **attrs: object) -> None:
        inner = ""
        if title is not None:
            inner += f"<title>{escape(title)}</title>"
        if text is not None:
            inner += escape(text)
        if inner:
            self.parts.append(f"<{tag}{_attrs(attrs)}>{inner}</{tag}>")
        else:
            self.parts.append(f"<{tag}{_attrs(attrs)}/>")

    def rect(self, x: float, y: float, w: float, h: float, **attrs: Any) -> None:
        self.el("rect", x=float(x), y=float(y), width=float(w), height=float(h), **attrs)

    def text(self, x: float, y: float, s: str, **attrs: Any) -> None:
        self.el("text", s, x=float(x), y=float(y), **attrs)

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: Any) -> None:
        self.el("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **attrs)

    def render(self, width: float, height: float, title: str) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
                f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
                f'font-family="{escape(FONT)}" font-size="12">'
                f"<title>{escape(title)}</title><style>{self.css}</style>"
                f'<rect class="background" x="0" y="0" width="{width:.0f}" '
                f'height="{height:.0f}"/>' + "".join(self.parts) + "</svg>\n")
