"""Verdicts: the one result shape every checker (concrete layout check, Z3 prover, GC explorer)
reports, so ``regabi check`` can print one table and one exit status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_LIMIT", "EXIT_OK",
           "EXIT_UNKNOWN", "EXIT_VIOLATION", "FAILING", "Verdict", "exit_status", "render_table"]

#: statuses that make ``regabi check`` exit non-zero
FAILING = frozenset({"FALSIFIED", "VIOLATED", "ERROR"})

# Exit statuses of every command (README "Exit status"). A run that decided nothing must not
# pass a CI gate, so UNKNOWN and LIMIT have codes of their own, never 0.
EXIT_OK = 0  # everything proved / held (or matched the baseline)
EXIT_VIOLATION = 1  # a counterexample or violation was found
EXIT_INPUT = 2  # bad input: one line naming the problem and its position
EXIT_INTERNAL = 3  # a defect in regabi itself
EXIT_UNKNOWN = 4  # the solver answered unknown or timed out; nothing worse was found
EXIT_LIMIT = 5  # a state, depth or time budget stopped a search before its bounds were covered
EXIT_INTERRUPTED = 130  # Ctrl-C; what was decided so far has been printed


@dataclass
class Verdict:
    """One invariant's outcome for one (checker, variant, arch).

    status is one of:
    PROVED (Z3: negation unsat within ``bounds``), HOLDS (concrete/explorer: no violation within
    ``bounds``), FALSIFIED / VIOLATED (counterexample found), LATENT (violation in state nothing
    consumes), UNKNOWN (solver unknown or timeout; never counted as proved), LIMIT (state-space
    or time limit hit before the bounds were covered), ERROR (checker failure).
    """

    checker: str  # "layout", "z3", "explore"
    invariant: str
    variant: str
    arch: str
    status: str
    bounds: str = ""
    covered: int | None = None  # signatures (or states) the verdict covers
    seconds: float = 0.0
    line: str = ""  # one-line counterexample verdict, if any
    counterexample: Any = None  # Violation, trace, …
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        ce = self.counterexample
        if ce is not None and hasattr(ce, "to_json"):
            ce = ce.to_json()
        return {"checker": self.checker, "invariant": self.invariant, "variant": self.variant,
                "arch": self.arch, "status": self.status, "bounds": self.bounds,
                "covered": self.covered, "seconds": round(self.seconds, 3), "line": self.line,
                "counterexample": ce, **({"extra": self.extra} if self.extra else {})}


def exit_status(verdicts: list[Verdict]) -> int:
    """The worst outcome wins: violation (1) > unknown (4) > limit (5) > all proved/held (0)."""
    statuses = {v.status for v in verdicts}
    if statuses & FAILING:
        return EXIT_VIOLATION
    if "UNKNOWN" in statuses:
        return EXIT_UNKNOWN
    if "LIMIT" in statuses:
        return EXIT_LIMIT
    return EXIT_OK


def render_table(verdicts: list[Verdict]) -> str:
    """A fixed-width verdict table, then every counterexample line."""
    head = ("checker", "invariant", "variant", "arch", "status", "covered", "time", "bounds")
    rows = [head]
    for v in verdicts:
        cov = "" if v.covered is None else (f"{v.covered:.3g}" if v.covered >= 1e6
                                            else str(v.covered))
        states = f"; {v.extra['states']} states" if "states" in v.extra else ""
        rows.append((v.checker, v.invariant, v.variant, v.arch, v.status, cov,
                     f"{v.seconds:.2f}s", v.bounds + states))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head) - 1)]
    out = []
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1])
    lines = [v.line for v in verdicts if v.line]
    if lines:
        out.append("")
        out.extend(lines)
    return "\n".join(out)
