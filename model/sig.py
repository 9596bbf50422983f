"""Function signatures: the unit every stage of regabi works on (spec rule SIG-1)."""

from __future__ import annotations

from dataclasses import dataclass, field

from regabi.model.types import GoType, Slice

__all__ = ["Signature"]


@dataclass(frozen=True, slots=True)
class Signature:
    """A function or method signature as reflect sees it.

    ``params`` already holds the variadic parameter as a slice (SIG-1: ``...T`` is ``[]T``).
    ``recv`` is the receiver's type for a method called through reflect's interface calling
    convention (one pointer word; ASG-9), or None.
    """

    params: tuple[GoType, ...]
    results: tuple[GoType, ...] = ()
    recv: GoType | None = None
    variadic: bool = False
    name: str = ""
    param_names: tuple[str, ...] = field(default=(), compare=False)
    result_names: tuple[str, ...] = field(default=(), compare=False)

    def go(self) -> str:
        """Go syntax of the func type (without receiver), e.g. ``func(a int, ...string) error``."""
        ps = []
        for i, p in enumerate(self.params):
            ty = p.go()  # (cached per type)
            if self.variadic and i == len(self.params) - 1 and isinstance(p, Slice):
                ty = "..." + p.elem.go()
            nm = self.param_names[i] if i < len(self.param_names) else ""
            ps.append(f"{nm} {ty}" if nm else ty)
        rs = []
        for i, r in enumerate(self.results):
            nm = self.result_names[i] if i < len(self.result_names) else ""
            rs.append(f"{nm} {r.go()}" if nm else r.go())
        out = ""
        if len(rs) == 1 and not (self.result_names and self.result_names[0]):
            out = " " + rs[0]
        elif rs:
            out = " (" + ", ".join(rs) + ")"
        return f"func({', '.join(ps)}){out}"

    def __str__(self) -> str:
        s = self.go()
        if self.recv is not None:
            s += f" [recv {self.recv}]"
        return s

    def leaves(self) -> int:
        n = sum(t.leaves() for t in self.params) + sum(t.leaves() for t in self.results)
        return n + (1 if self.recv is not None else 0)

    def nvalues(self) -> int:
        return len(self.params) + len(self.results) + (self.recv is not None)
