"""Recorded answers of the real Go toolchain, and the model checked against them.

``spec/oracle/<arch>.jsonl.gz`` (package data of ``regabi.spec``) holds, for a few thousand
signatures per architecture, what go1.27.3's reflect ``funcLayout`` (built for that GOARCH, run
under qemu-user off amd64) and compiler ``ABIAnalyzeTypes`` answered. ``spec/oracle/regen.py``
regenerates them; each file's header records the go version, GOARCH, seed and command.

:func:`compare` runs the model on every recorded signature and compares field by field
(:mod:`regabi.gotool.compare`), so a check can rest on real Go where no Go toolchain is
installed:

* ``variant="current"`` (or ``"seed"``): reflect's recorded abiDesc against
  ``reflect_assign(…, variant)``;
* ``variant="spec"``: the compiler's recorded assignment against ``spec_assign``, and reflect's
  recorded placements against the spec's (every value where the compiled callee expects it).

Both also compare the probes' view of the architecture (register counts, pointer size,
FixedFrameSize, …) with ``spec/arch/<arch>.toml``.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

from regabi.errors import InputError, RegabiError

__all__ = ["Mismatch", "Oracle", "OracleResult", "archs", "compare", "load"]


@dataclass(frozen=True)
class Mismatch:
    """One field where the model and the recorded Go answer differ."""

    arch: str
    index: int
    signature: str
    recv: str | None
    side: str
    path: str
    go: Any
    model: Any

    def line(self) -> str:
        recv = f" [recv {self.recv}]" if self.recv else ""
        return (f"{self.arch} #{self.index} {self.signature}{recv}: {self.side} {self.path}: "
                f"go={self.go!r} model={self.model!r}")


@dataclass
class OracleResult:
    """The outcome of :func:`compare` for one architecture and variant."""

    arch: str
    variant: str
    n: int
    mismatches: list[Mismatch] = field(default_factory=list)
    go: str = ""

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def lines(self, k: int = 3) -> list[str]:
        """A summary line, then the first ``k`` mismatches as one-liners."""
        bad = {m.index for m in self.mismatches}
        head = (f"oracle {self.arch} ({self.go}) vs {self.variant}: {self.n} signatures, "
                f"{len(bad)} disagree ({len(self.mismatches)} fields)")
        return [head] + ["  " + m.line() for m in self.mismatches[:k]]


@dataclass
class Oracle:
    """The recorded answers for one architecture."""

    header: dict[str, Any]
    rows: list[dict[str, Any]]


def _dir() -> Any:
    return resources.files("regabi.spec") / "oracle"


def archs() -> list[str]:
    """The architectures with recorded answers."""
    d = _dir()
    if not d.is_dir():
        return []
    return sorted(p.name.removesuffix(".jsonl.gz") for p in d.iterdir()
                  if p.name.endswith(".jsonl.gz"))


@cache
def load(arch: str) -> Oracle:
    """Read ``spec/oracle/<arch>.jsonl.gz``."""
    f = _dir() / f"{arch}.jsonl.gz"
    if not f.is_file():
        raise InputError(f"no recorded Go answers for arch {arch!r} (have: "
                         f"{', '.join(archs()) or 'none'})")
    with f.open("rb") as raw, gzip.open(raw, "rt") as z:
        lines = [json.loads(ln) for ln in z if ln.strip()]
    return Oracle(lines[0], lines[1:])


def _expand_reflect(rec: dict[str, Any]) -> dict[str, Any]:
    if not rec.get("ok"):
        return rec
    out = dict(rec)
    for k in ("call", "ret"):
        seq = dict(rec[k])
        seq["steps"] = [dict(zip(("kind", "offset", "size", "stkOff", "ireg", "freg"), s,
                                 strict=True)) for s in seq["steps"]]
        out[k] = seq
    return out


def _expand_compiler(rec: dict[str, Any]) -> dict[str, Any]:
    if not rec.get("ok"):
        return rec
    out = dict(rec)
    for k in ("in", "out"):
        out[k] = [{"regs": r, "offset": o} for r, o in rec[k]]
    return out


def compare(arch: str, variant: str = "current") -> OracleResult:
    """Run the model on every recorded signature of ``arch`` and list the differences."""
    from regabi.gotool.compare import compare_config, compare_record
    from regabi.model.arch import load_arch
    from regabi.model.syntax import parse_signatures, parse_type
    from regabi.model.variants import VARIANTS

    if variant != "spec" and variant not in VARIANTS:
        raise InputError(f"unknown variant {variant!r} (known: spec, {', '.join(VARIANTS)})")
    orc = load(arch)
    table = load_arch(orc.header["goarch"])
    res = OracleResult(arch, variant, len(orc.rows), go=orc.header.get("go", ""))
    sides = ("compiler", "placement") if variant == "spec" else ("reflect",)
    for key, cfg in orc.header.get("configs", {}).items():
        if key == "native":
            for kind in ("reflect", "compiler"):
                for d in compare_config(kind, table, cfg[kind]):
                    res.mismatches.append(Mismatch(arch, -1, f"<{key} config>", None, d.side,
                                                   d.path, d.go, d.model))
    locals_off = {k: c["compiler"].get("localsOffset", 0)
                  for k, c in orc.header.get("configs", {}).items()}
    # one tree-sitter parse for all func types; receivers one by one
    parsed = parse_signatures([r["func"] for r in orc.rows], source=f"oracle {arch}",
                              numbers=[r["i"] for r in orc.rows])
    for row, sig in zip(orc.rows, parsed, strict=True):
        regs = row.get("regs")
        model_arch = table.with_regs(*regs) if regs else table
        key = "regs=" + ",".join(map(str, regs)) if regs else "native"
        try:
            if isinstance(sig, RegabiError):
                raise sig
            if row.get("recv"):
                sig = replace(sig, recv=parse_type(row["recv"], source=f"oracle {arch}"))
        except RegabiError as e:
            res.mismatches.append(Mismatch(arch, row["i"], row["func"], row.get("recv"),
                                           "parse", "", "recorded", str(e)))
            continue
        recs = {"reflect": _expand_reflect(row["reflect"]),
                "placement": _expand_reflect(row["reflect"]),
                "compiler": _expand_compiler(row["compiler"])}
        for side in sides:
            for d in compare_record(side, sig, model_arch, recs[side], variant=variant
                                    if variant != "spec" else "current",
                                    locals_offset=locals_off.get(key, 0)):
                res.mismatches.append(Mismatch(arch, row["i"], row["func"], row.get("recv"),
                                               d.side, d.path, d.go, d.model))
    return res
