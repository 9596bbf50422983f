"""regabi: a specification and model checker for Go's register ABI (ABIInternal) as used by
``reflect.Value.Call`` and ``runtime.reflectcall``.

The library surface is these five names; everything else lives in the subpackages
(``regabi.model``, ``regabi.proofs``) and may change. Heavy dependencies (z3, networkx) are
imported only when a function needs them::

    import regabi
    regabi.layout("func(a int, s string) float64")["values"][1]["regs"]
    regabi.check(layout_only=True)          # list of Verdicts
    regabi.prove("seed", invariants=["INV-ABI0"])
    regabi.explore("func(s string) string", variant="seed")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regabi.model.sig import Signature
    from regabi.verdict import Verdict

    __version__: str

__all__ = ["__version__", "check", "explore", "layout", "prove"]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("regabi")
    except Exception:  # the source tree on sys.path, not installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    # importlib.metadata costs tens of milliseconds: only when __version__ is asked for
    if name == "__version__":
        v = _version()
        globals()["__version__"] = v
        return v
    raise AttributeError(f"module 'regabi' has no attribute {name!r}")


def _sig(sig: str | Signature, recv: str | None, ptr_size: int) -> Signature:
    if isinstance(sig, str):
        from regabi.model.syntax import parse_signature

        return parse_signature(sig, recv=recv, ptr_size=ptr_size)
    return sig


def layout(sig: str | Signature, arch: str = "amd64", variant: str = "current",
           recv: str | None = None) -> dict[str, Any]:
    """The ``regabi.layout/2`` report (docs/json-schema.md) of one signature.

    ``arch`` is a name from ``regabi archs`` or ``NAME:INT,FLOAT``; ``variant`` is ``spec``,
    ``seed`` or ``current``. Raises :class:`regabi.errors.InputError` on bad input.
    """
    from regabi.model.arch import parse_arch_spec
    from regabi.model.report import layout_report

    a = parse_arch_spec(arch)
    return layout_report(_sig(sig, recv, a.ptr_size), a, variant)


def check(arch: str = "amd64", variants: tuple[str, ...] = ("seed", "current"),
          random: int = 2000, seed: int = 20201022, layout_only: bool = False,
          z3: bool = True, explore: bool = True) -> list[Verdict]:
    """What ``regabi check`` decides, as a list of verdicts (no printing, no baseline)."""
    from regabi import cli

    a = cli._arch(arch).name
    out = list(cli.layout_check(a, list(variants), random, seed))
    if layout_only:
        return out
    out += cli.oracle_check(a)
    for v in variants:
        if z3:
            out += cli._z3_rows(a, v)
        if explore:
            out += cli._explore_rows(a, v)
    return out


def prove(variant: str = "current", arch: str = "amd64", invariants: list[str] | None = None,
          induction: bool = True, timeout_ms: int = 60000) -> list[Verdict]:
    """``regabi prove`` on one (arch, variant): one verdict per invariant (default: all)."""
    from regabi.model.arch import parse_arch_spec
    from regabi.proofs.prove import prove as _prove

    return list(_prove(parse_arch_spec(arch), variant, invariants, None, induction,
                       timeout_ms))


def explore(sig: str | Signature, variant: str = "current", arch: str = "amd64",
            gc_cycles: int = 1, stack_moves: int = 1, max_states: int = 2_000_000,
            recv: str | None = None, path: str = "value-call") -> list[Verdict]:
    """``regabi explore``: one verdict per GC invariant for one reflect call of ``sig``
    (``path`` "value-call"), or one compiled call of a MakeFunc'd ``sig`` ("makefunc") or of
    the method value with receiver type ``recv`` ("method-value")."""
    from regabi.model.arch import parse_arch_spec
    from regabi.proofs.explore import explore as _explore

    a = parse_arch_spec(arch)
    return list(_explore(_sig(sig, recv, a.ptr_size), variant, a.name, gc_cycles, stack_moves,
                         max_states, path))
