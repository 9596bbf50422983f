"""``regabi prove``: every invariant of the registry, on the model's own code run over Z3 terms.

For each (architecture, variant): first the induction (proofs/induction.py) — PROVED there means
*every* signature; an invariant it cannot prove is shown with its counterexample to induction,
and then the bounded search (proofs/bounded.py) either finds a real counterexample (FALSIFIED,
or LATENT for a latent invariant; re-checked concretely and minimised) or reports that none
exists within its bounds (PROVED within bounds — the verdict says which). Z3 ``unknown``,
timeouts and unrealized summaries are UNKNOWN, never PROVED.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from regabi.errors import InputError, ModelError, SolverError
from regabi.model.arch import Arch, parse_arch_spec, split_arch_specs
from regabi.model.invariants import CATALOGUE, Invariant, Violation, get_invariant
from regabi.model.sig import Signature
from regabi.model.variants import Variant, get_variant
from regabi.proofs.bounded import Bounds, search
from regabi.proofs.induction import LEMMAS, InductionResult, prove_by_induction
from regabi.proofs.repro import go_source, pytest_source
from regabi.runctl import Unit, default_jobs, reported, run_units
from regabi.verdict import Verdict, exit_status, render_table

__all__ = ["Bounds", "add_prove_arguments", "arch_of", "cli_prove", "minimise", "prove",
           "prove_one"]


def arch_of(name: str) -> Arch:
    """An architecture by name, or with custom register counts: ``amd64:2,1`` (also the older
    ``amd64/regs=2,1``); model/arch.py parse_arch_spec."""
    return parse_arch_spec(name)


# --------------------------------------------------------------------------------------------
# minimisation


def _pool() -> list[Any]:
    """Small Go types, fewest leaves first: what a counterexample's values are shrunk to."""
    from regabi.model.types import BASIC, Array, Field, Interface, Pointer, Slice, Struct

    leaves: list[Any] = [BASIC[n] for n in ("bool", "int8", "int16", "int32", "int64", "int",
                                            "float32", "float64", "complex64", "complex128",
                                            "string")]
    leaves += [Pointer(BASIC["int"]), Slice(BASIC["int"]), Interface(), Struct(())]
    zero: list[Any] = [Array(0, BASIC["int64"]), Array(2, Struct(()))]
    out: list[Any] = list(leaves)
    out += [Array(n, t) for n in (0, 1, 2) for t in leaves[:12]]
    for a in leaves + zero:
        for b in leaves + zero:
            names = ("_" if x in zero else y for x, y in ((a, "a"), (b, "b")))
            out.append(Struct(tuple(Field(n, t) for n, t in zip(names, (a, b), strict=True))))
    out.sort(key=lambda t: (t.leaves(), len(str(t))))  # minimise relies on this
    return out


_POOL: list[Any] = []


def minimise(vio: Violation, arch: Arch, v: Variant, inv: Invariant,
             budget_s: float = 5.0) -> Violation:
    """Fewest leaves by greedy concrete descent: each value replaced by a strictly smaller type
    of the pool (fewer leaves, or as many with a shorter spelling) that keeps the violation;
    the value count is already minimal. Strict descent terminates; ``budget_s`` bounds the
    time, after which the smallest violation found so far is returned."""
    if not _POOL:
        _POOL.extend(_pool())
    stop = time.perf_counter() + budget_s
    sig = vio.sig

    def key(t: Any) -> tuple[int, int]:
        return (t.leaves(), len(str(t)))

    changed = True
    while changed and time.perf_counter() < stop:
        changed = False
        for which in ("params", "results"):
            vals = list(getattr(sig, which))
            for i, t in enumerate(vals):
                for cand in _POOL:
                    if key(cand) >= key(t):
                        break  # the pool is sorted by key: nothing smaller follows
                    if time.perf_counter() > stop:
                        return vio
                    nv = list(vals)
                    nv[i] = cand
                    kw = {"params": sig.params, "results": sig.results, "recv": sig.recv}
                    kw[which] = tuple(nv)
                    new = Signature(**kw)  # type: ignore[arg-type]
                    try:
                        got = inv.check(new, arch, v)
                    except Exception:
                        got = None
                    if got is not None:
                        sig, vio, changed = new, got, True
                        vals = nv
                        break
    return vio


# --------------------------------------------------------------------------------------------
# one invariant


def _induction_text(ind: InductionResult) -> str:
    kept = sum(len(v) for v in ind.lemmas.values())
    return (f"all signatures (induction over {len(LEMMAS)} steps; {kept} lemmas kept, "
            f"{ind.queries} queries)")


def prove_one(arch: Arch, v: Variant, inv: Invariant, b: Bounds,
              ind: InductionResult | None = None, deadline: float | None = None) -> Verdict:
    """One invariant on one (arch, variant)."""
    t0 = time.perf_counter()
    extra: dict[str, Any] = {}
    if ind is not None:
        st = ind.status.get(inv.id, "UNKNOWN")
        if st == "PROVED":
            # the induction proves every invariant at once: each row shows its whole time
            return Verdict("z3", inv.id, v.name, arch.name, "PROVED", _induction_text(ind),
                           None, ind.seconds, extra={"method": "induction"})
        extra["induction"] = ind.cti.get(inv.id) or "; ".join(ind.unknown) or st
    try:
        res = search(arch, v, inv, b, deadline)
    except ModelError:
        raise
    except Exception as e:  # z3 failures are not verdicts
        raise SolverError(f"{inv.id} ({v.name}, {arch.name}): {e}") from e
    dt = time.perf_counter() - t0
    if res.status == "FALSIFIED" and res.violation is not None:
        vio = minimise(res.violation, arch, v, inv)
        st = "LATENT" if inv.severity == "latent" else "FALSIFIED"
        extra |= {"go_source": go_source(vio), "pytest": pytest_source(vio)}
        return Verdict("z3", inv.id, v.name, arch.name, st, b.describe(), b.shapes(),
                       time.perf_counter() - t0, vio.line(), vio, extra)
    if res.status == "UNKNOWN":
        extra |= {"unknown": res.unknown, "unrealized": res.unrealized}
        # a time box that ran out is a LIMIT (exit 5), a solver that gave up is UNKNOWN (4)
        st = "LIMIT" if any("time budget" in u for u in res.unknown) else "UNKNOWN"
        return Verdict("z3", inv.id, v.name, arch.name, st, b.describe(),
                       res.shapes_done, dt, f"{inv.id} ({v.name}, {arch.name}): {st}: "
                       f"{'; '.join(res.unknown or res.unrealized)[:200]}", extra=extra)
    extra["method"] = "bounded"
    return Verdict("z3", inv.id, v.name, arch.name, "PROVED", "within bounds: " + b.describe(),
                   b.shapes(), dt, extra=extra)


def prove(arch: str | Arch, variant: str | Variant, invariant_ids: list[str] | None = None,
          bounds: Bounds | None = None, induction: bool = True,
          timeout_ms: int = 60000,
          report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    """Prove or falsify each invariant (default: the whole registry) on one (arch, variant);
    ``report`` is given each verdict as it is decided."""
    b = bounds or Bounds(timeout_ms=timeout_ms)
    a = arch if isinstance(arch, Arch) else arch_of(arch)
    v = variant if isinstance(variant, Variant) else get_variant(variant)
    invs = [get_invariant(i) for i in invariant_ids] if invariant_ids else list(CATALOGUE)
    ind = prove_by_induction(a, v, invs, timeout_ms) if induction else None
    out = []
    for inv in invs:
        out.append(prove_one(a, v, inv, b, ind))
        if report is not None:
            report(out[-1:])
    return out


# --------------------------------------------------------------------------------------------
# CLI


def add_prove_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``regabi prove``."""
    d = Bounds()
    parser.add_argument("--arch", action="append", default=None,
                        help="architecture, NAME:INT,FLOAT for other register counts, or "
                             "PATH.toml, a table of your own (repeatable or comma list; "
                             "default amd64)")
    parser.add_argument("--variant", action="append", default=None,
                        help="a variant of spec/variants.md: seed, go1.17beta1, go1.17, go1.18, "
                             "go1.19, current (repeatable or comma list; default seed,current)")
    parser.add_argument("--path", action="append", default=None,
                        help="which implementation of the register ABI: value-call (default: "
                             "reflect.Value.Call), wincallback (Windows callbacks; variants "
                             "current and fixed), makefunc (reflect.MakeFunc; the reflect "
                             "variants), method-value (reflect method values; go1.17beta1 … "
                             "current), finalizer (runFinalizers; the reflect ladder's rungs "
                             "and two mutants), or all (comma list or repeatable; each path "
                             "takes the --arch and --variant names it has)")
    parser.add_argument("--invariant", action="append", default=None,
                        help="invariant id (repeatable or comma list; default all)")
    parser.add_argument("--max-params", type=int, default=d.max_params,
                        help="bounded search: arguments per signature")
    parser.add_argument("--max-results", type=int, default=d.max_results,
                        help="bounded search: results per signature")
    parser.add_argument("--max-groups", type=int, default=d.max_groups,
                        help="bounded search: register groups per value")
    parser.add_argument("--struct-fields", type=int, default=d.struct_fields, metavar="N",
                        help="bounded search: fields per struct of the search grammar (1 … 8)")
    parser.add_argument("--struct-depth", type=int, default=d.struct_depth, metavar="N",
                        help="bounded search: levels of struct nesting of the search grammar "
                             "(1 … 5)")
    parser.add_argument("--no-receiver", action="store_true",
                        help="bounded search: no method receivers")
    parser.add_argument("--no-induction", action="store_true",
                        help="only the bounded search")
    parser.add_argument("--grammar-only", action="store_true",
                        help="bounded search: only the search grammar's Go types, not then "
                             "every well-formed summary (where no counterexample exists the "
                             "second phase takes far longer: docs/performance.md); a PROVED "
                             "within bounds then says so")
    parser.add_argument("--timeout", type=int, default=d.timeout_ms,
                        help="per-query Z3 timeout in ms")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--go-dir", default=None, help="write a Go demo per counterexample")
    parser.add_argument("--pytest-dir", default=None, help="write a pytest per counterexample")
    parser.add_argument("--type-lemmas", action="store_true",
                        help="also try the type lemmas that justify WF (spec/proofs.md PRF-3): "
                             "TYPE-BASIC, TYPE-ARRAY, TYPE-STRUCT, TYPE-STRUCT-GROUPS, "
                             "TYPE-STRUCT-COUNTS, TYPE-LINK (Z3, ≈20 s per pointer size)")
    parser.add_argument("--no-premises", action="store_true",
                        help="skip checking the proofs' premises against go1.27.3's recorded "
                             "answers (WF of every recorded value; the model's type layout and "
                             "the spec's assignment against the compiler's) and the symbolic "
                             "summary constructors against the concrete ones (SYM=CONCRETE)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes: each (architecture, variant) of each path "
                             "(with --no-induction each invariant of it), the premise rows and "
                             "the type lemmas are separate pieces of work (default: the cores "
                             "this process may use; 1: in this process)")
    parser.add_argument("--causes", action="store_true",
                        help="isolate every cause per invariant (proofs/causes.py), not only "
                             "the smallest counterexample")


def _split(xs: list[str] | None, default: list[str]) -> list[str]:
    return [y.strip() for x in xs or [] for y in x.split(",") if y.strip()] or default


def _bounds(args: argparse.Namespace) -> Bounds:
    for name in ("max_params", "max_results", "max_groups", "timeout"):
        if getattr(args, name) < (1 if name in ("max_groups", "timeout") else 0):
            raise InputError(f"--{name.replace('_', '-')} must be "
                             f"{'positive' if name in ('max_groups', 'timeout') else '>= 0'}, "
                             f"got {getattr(args, name)}")
    d = Bounds()
    fields = getattr(args, "struct_fields", d.struct_fields)
    depth = getattr(args, "struct_depth", d.struct_depth)
    if not 1 <= fields <= 8:
        raise InputError(f"--struct-fields must be 1 … 8, got {fields}")
    if not 1 <= depth <= 5:
        raise InputError(f"--struct-depth must be 1 … 5, got {depth}")
    return Bounds(args.max_params, args.max_results, args.max_groups, not args.no_receiver,
                  args.timeout, grammar_only=getattr(args, "grammar_only", False),
                  struct_fields=fields, struct_depth=depth)


#: the paths ``regabi prove --path`` knows (spec/proofs.md PRF-10, PRF-11)
PROVE_PATHS = ("value-call", "wincallback", "makefunc", "method-value", "finalizer")


def prove_paths(args: argparse.Namespace) -> list[str]:
    """The --path list, validated: one line and exit 2 for an unknown one."""
    paths = _split(getattr(args, "path", None), ["value-call"])
    if "all" in paths:
        return list(PROVE_PATHS)
    for p in paths:
        if p not in PROVE_PATHS:
            raise InputError(f"--path {p!r}: unknown path (known: "
                             f"{', '.join(PROVE_PATHS)}, all)")
    return list(dict.fromkeys(paths))


def _for_path(args: argparse.Namespace, path: str, known_archs: tuple[str, ...] | None,
              known_variants: tuple[str, ...]) -> tuple[list[str] | None, list[str] | None]:
    """``--path all``: the --arch and --variant names that apply to ``path`` (None: none was
    given, the path's defaults). A path none of whose names applies is skipped with a note
    (``([], …)`` or ``(…, [])``): --arch ppc64 has no windows port, --variant seed no
    callback variant."""
    archs = split_arch_specs(args.arch) or None
    variants = _split(args.variant, []) or None
    if archs is not None and known_archs is not None:
        archs = [a for a in archs if a in known_archs]
    if variants is not None:
        variants = [v for v in variants if v in known_variants]
    for what, got, given in (("--arch", archs, args.arch), ("--variant", variants,
                                                             args.variant)):
        if got == []:
            print(f"note: --path all: {path} skipped: no {what} among "
                  f"{', '.join(_split(given, []))} applies to it", file=sys.stderr)
    return archs, variants


def wincallback_units(args: argparse.Namespace) -> list[Unit]:
    """``--path wincallback``: each windows port named by --arch (default amd64, arm64, 386),
    variants current and fixed (or --variant among them)."""
    from regabi.model.wincallback import ARCHES
    from regabi.proofs.pathprove import CB_VARIANTS

    archs = [a for a in split_arch_specs(args.arch) or list(ARCHES)]
    for a in archs:
        if a not in ARCHES:
            raise InputError(f"--path wincallback --arch {a!r}: no windows port (known: "
                             f"{', '.join(ARCHES)})")
    variants = _split(args.variant, list(CB_VARIANTS))
    for v in variants:
        if v not in CB_VARIANTS:
            raise InputError(f"--path wincallback --variant {v!r}: the callback variants are "
                             f"{', '.join(CB_VARIANTS)}")
    invs = tuple(_split(args.invariant, []))
    from regabi.model.wincallback import CB_FOLD_INVARIANTS

    for i in invs:
        if i not in CB_FOLD_INVARIANTS:
            raise InputError(f"--path wincallback --invariant {i!r}: unknown (known: "
                             f"{', '.join(CB_FOLD_INVARIANTS)})")
    return [(f"wincallback {a} {v}", _unit_wincallback,
             (a, v, max(args.max_params, 8), args.timeout, invs or CB_FOLD_INVARIANTS))
            for a in archs for v in variants]


def _unit_wincallback(arch: str, variant: str, max_params: int, timeout_ms: int,
                      invariants: tuple[str, ...],
                      report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    from regabi.proofs.pathprove import prove_wincallback

    return reported(list(prove_wincallback(arch_of(arch), variant, max_params=max_params,
                                           timeout_ms=timeout_ms, invariants=invariants)),
                    report)


def _path_invariants(args: argparse.Namespace, path: str, known: tuple[str, ...]
                     ) -> tuple[str, ...] | None:
    """The --invariant names of ``path`` (all of them when none is given; None when names are
    given but none is this path's: the path is skipped)."""
    names = _split(getattr(args, "invariant", None), [])
    if not names:
        return known
    mine = tuple(n for n in names if n in known)
    return mine or None


def makefunc_units(args: argparse.Namespace, path: str = "makefunc") -> list[Unit]:
    """``--path makefunc``: each --arch (default amd64), each --variant among the reflect
    ladder (default seed, current), the MakeFunc invariants (model/makefunc.py).
    ``--path method-value`` likewise (model/methodvalue.py; default go1.17beta1, current)."""
    from regabi.model.makefunc import MF_CATALOGUE
    from regabi.model.methodvalue import MV_CATALOGUE, MV_VARIANTS
    from regabi.proofs.mfprove import MF_VARIANTS

    cat, known_v, default_v = (
        (MF_CATALOGUE, MF_VARIANTS, ["seed", "current"]) if path == "makefunc"
        else (MV_CATALOGUE, MV_VARIANTS, ["go1.17beta1", "current"]))
    ids = tuple(i.id for i in cat)
    invs = _path_invariants(args, path, ids)
    if invs is None:
        return []
    archs = split_arch_specs(args.arch) or ["amd64"]
    for a in archs:
        arch_of(a)  # a bad name is an input error before any work
    variants = _split(args.variant, default_v)
    for v in variants:
        if v not in known_v:
            raise InputError(f"--path {path} --variant {v!r}: unknown (known: "
                             f"{', '.join(known_v)})")
    b = _bounds(args)
    chosen = tuple(i for i in ids if i in invs)
    return [(f"{path} {a} {v}", _unit_makefunc, (a, path, v, b, chosen, not args.no_induction))
            for a in archs for v in variants]


def _unit_makefunc(arch: str, path: str, variant: str, b: Bounds, ids: tuple[str, ...],
                   induction: bool,
                   report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    from regabi.model.makefunc import MF_CATALOGUE
    from regabi.model.methodvalue import MV_CATALOGUE
    from regabi.proofs.mfprove import prove_makefunc, prove_method_value

    cat, run = ((MF_CATALOGUE, prove_makefunc) if path == "makefunc"
                else (MV_CATALOGUE, prove_method_value))
    chosen = tuple(i for i in cat if i.id in ids)
    return reported(list(run(arch_of(arch), get_variant(variant), b, chosen, induction)),
                    report)


#: ``--path finalizer`` defaults: a register ABI and none; go1.17 (golang/go#51457) and today
FIN_DEFAULT_ARCHS = ["amd64", "386"]
FIN_DEFAULT_VARIANTS = ["go1.17", "current"]


def finalizer_units(args: argparse.Namespace) -> list[Unit]:
    """``--path finalizer``: each --arch (default amd64, 386), each --variant among the ladder's
    rungs and the mutants of model/finalizer.py (default go1.17, current), the finalizer
    invariants proved for every result list (proofs/finprove.py)."""
    from regabi.model.finalizer import FIN_CATALOGUE
    from regabi.proofs.finprove import FIN_PROVE_VARIANTS

    ids = tuple(i.id for i in FIN_CATALOGUE)
    invs = _path_invariants(args, "finalizer", ids)
    if invs is None:
        return []
    archs = split_arch_specs(args.arch) or FIN_DEFAULT_ARCHS
    for a in archs:
        arch_of(a)
    variants = _split(args.variant, FIN_DEFAULT_VARIANTS)
    for v in variants:
        if v not in FIN_PROVE_VARIANTS:
            raise InputError(f"--path finalizer --variant {v!r}: unknown (known: "
                             f"{', '.join(FIN_PROVE_VARIANTS)})")
    return [(f"finalizer {a} {v}", _unit_finalizer,
             (a, v, args.max_results, args.max_groups, args.timeout, invs,
              not args.no_induction)) for a in archs for v in variants]


def _unit_finalizer(arch: str, variant: str, max_results: int, max_groups: int,
                    timeout_ms: int, invariants: tuple[str, ...], induction: bool,
                    report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    from regabi.proofs.finprove import prove_finalizer

    return reported(list(prove_finalizer(arch_of(arch), variant, max_results=max_results,
                                         max_groups=max_groups, timeout_ms=timeout_ms,
                                         invariants=invariants, induction=induction)), report)


def _check_path_invariants(args: argparse.Namespace, paths: list[str]) -> None:
    """Every --invariant name belongs to one of the paths asked for (path-only runs)."""
    from regabi.model.finalizer import FIN_CATALOGUE
    from regabi.model.makefunc import MF_CATALOGUE
    from regabi.model.methodvalue import MV_CATALOGUE
    from regabi.model.wincallback import CB_FOLD_INVARIANTS

    known = {"wincallback": CB_FOLD_INVARIANTS,
             "makefunc": tuple(i.id for i in MF_CATALOGUE),
             "method-value": tuple(i.id for i in MV_CATALOGUE),
             "finalizer": tuple(i.id for i in FIN_CATALOGUE)}
    allowed = {i for p in paths for i in known.get(p, ())}
    for n in _split(getattr(args, "invariant", None), []):
        if n not in allowed:
            raise InputError(f"--path {','.join(paths)} --invariant {n!r}: unknown (known: "
                             f"{', '.join(sorted(allowed))})")


def path_units(args: argparse.Namespace, paths: list[str]) -> list[Unit]:
    """The work of the paths other than Value.call, in PROVE_PATHS order (validated here)."""
    out = makefunc_units(args) if "makefunc" in paths else []
    if "method-value" in paths:
        out += makefunc_units(args, "method-value")
    if "finalizer" in paths:
        out += finalizer_units(args)
    if "wincallback" in paths:
        names = _split(args.invariant, [])
        sub = argparse.Namespace(**vars(args))
        sub.invariant = [n for n in names if n.startswith("INV-CB-")] or None
        if not names or sub.invariant:
            out += wincallback_units(sub)
    return out


def path_verdicts(args: argparse.Namespace, paths: list[str]) -> list[Verdict]:
    """The verdicts of the paths other than Value.call, in this process."""
    return [vd for vs in run_units(path_units(args, paths), 1, lambda vs: None) for vd in vs]


def _names_wincallback() -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    from regabi.model.wincallback import ARCHES
    from regabi.proofs.pathprove import CB_VARIANTS

    return tuple(ARCHES), tuple(CB_VARIANTS)


def _names_makefunc() -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    from regabi.proofs.mfprove import MF_VARIANTS

    return None, tuple(MF_VARIANTS)


def _names_method_value() -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    from regabi.model.methodvalue import MV_VARIANTS

    return None, tuple(MV_VARIANTS)


def _names_finalizer() -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    from regabi.proofs.finprove import FIN_PROVE_VARIANTS

    return None, tuple(FIN_PROVE_VARIANTS)


#: per path: the --arch names it takes (None: any) and its variants
_PATH_NAMES = {"wincallback": _names_wincallback, "makefunc": _names_makefunc,
               "method-value": _names_method_value, "finalizer": _names_finalizer}


def _premise_paths(units: list[Unit]) -> list[Arch]:
    """The architectures the path units run on (a windows port by its GOARCH), once each:
    every path unit takes its architecture first."""
    seen: dict[str, Arch] = {}
    for _, _fn, args in units:
        name = args[0].split("/")[-1]
        if name not in seen:
            seen[name] = arch_of(name)
    return list(seen.values())


def _unit_prove(arch: str, variant: str, invs: list[str] | None, b: Bounds, induction: bool,
                causes: bool,
                report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    a, v = arch_of(arch), get_variant(variant)
    if causes:
        from regabi.proofs.causes import variant_verdicts

        return reported(list(variant_verdicts(a, v, b, invs, induction)), report)
    return prove(a, v, invs, b, induction, b.timeout_ms, report)


def _unit_type_lemmas(ptr_size: int, timeout_ms: int,
                      report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    return reported(type_lemma_verdicts([ptr_size], timeout_ms), report)


def _jobs(args: argparse.Namespace) -> int:
    n = getattr(args, "jobs", None)
    if n is None:
        return default_jobs()
    if n < 1:
        raise InputError(f"--jobs must be at least 1, got {n}")
    return int(n)


def cli_prove(args: argparse.Namespace,
              report: Callable[[list[Verdict]], None] | None = None) -> int:
    """Run ``regabi prove``: a verdict table (or JSON); the exit status of the verdicts.

    The work is cut into units — each (architecture, variant) of each path, the premise rows
    of each architecture and pointer size, the type lemmas of each pointer size — run by
    ``--jobs`` worker processes; ``report`` is given each unit's verdicts as they are decided
    (the CLI records them for Ctrl-C and --time-limit). The table keeps the units' order."""
    jobs = _jobs(args)
    rep = report or (lambda vs: None)
    paths = prove_paths(args)
    if "value-call" not in paths:
        _check_path_invariants(args, paths)
        only = path_units(args, paths)
        got = run_units(only + ([] if args.no_premises else premise_units(_premise_paths(only))),
                        jobs, rep)
        # the paths' rows, then what the paths' proofs rest on, as for Value.call
        cb = [vd for vs in got for vd in vs]
        if args.json:
            print(json.dumps([v.to_json() for v in cb], indent=2))
        else:
            print(render_table(cb))
            print(f"\n{WF_NOTE}" + ("; WF-CB (spec/proofs.md PRF-10) is checked, not proved"
                                    if "wincallback" in paths else "")
                  + ("; INV-MF-DIRECT's induction (PRF-10) also assumes WF's set linkage "
                     "WF-LINK, which lemma TYPE-LINK proves of every Go type"
                     if "makefunc" in paths else ""))
        return exit_status(cb)
    b = _bounds(args)
    invs = _split(args.invariant, []) or None
    for i in invs or ():
        get_invariant(i)
    arch_names = split_arch_specs(args.arch) or ["amd64"]
    archs = [arch_of(a) for a in arch_names]
    from regabi.model.variants import VARIANTS

    names = [v for v in _split(args.variant, ["seed", "current"]) if v in VARIANTS]
    if not names:  # --path all with only other paths' variants
        print("note: --path all: value-call skipped: no --variant among "
              f"{', '.join(_split(args.variant, []))} applies to it", file=sys.stderr)
    # one induction proves every invariant at once: a unit per (arch, variant); without it
    # each invariant's search is its own unit, so that --jobs shares them out
    split = args.no_induction and not args.causes
    groups = [[i] for i in invs or [inv.id for inv in CATALOGUE]] if split else [invs]
    vunits: list[Unit] = [(f"{a} {v}" + (f" {g[0]}" if split and g else ""), _unit_prove,
                           (a, v, g, b, not args.no_induction, args.causes))
                          for a in arch_names for v in names for g in groups]
    lunits: list[Unit] = ([(f"type lemmas PtrSize {ps}", _unit_type_lemmas, (ps, b.timeout_ms))
                           for ps in sorted({a.ptr_size for a in archs})]
                          if args.type_lemmas else [])
    punits: list[Unit] = []
    for p in (p for p in paths if p != "value-call"):
        # --path all: each path with the --arch and --variant names it has
        known_a, known_v = _PATH_NAMES[p]()
        pa, pv = _for_path(args, p, known_a, known_v)
        if pa == [] or pv == []:
            continue
        sub = argparse.Namespace(**vars(args))
        sub.arch, sub.variant, sub.invariant = pa, pv, None
        punits += path_units(sub, [p])
    munits = [] if args.no_premises else premise_units([*archs, *_premise_paths(punits)])
    # the longest first: Value.call's (arch, variant), the paths, the lemmas, the premises
    got = run_units([*vunits, *punits, *lunits, *munits], jobs, rep)
    nv, np_ = len(vunits), len(punits)
    order = [*got[:nv], *got[nv + np_:nv + np_ + len(lunits)], *got[nv + np_ + len(lunits):],
             *got[nv:nv + np_]]
    out = [vd for vs in order for vd in vs]
    for key, dirn, ext in (("go_source", args.go_dir, "go"), ("pytest", args.pytest_dir, "py")):
        if not dirn:
            continue
        d = Path(dirn)
        if d.exists() and not d.is_dir():
            raise InputError(f"not a directory: {dirn}")
        d.mkdir(parents=True, exist_ok=True)
        for n, vd in enumerate(out):
            if key in vd.extra:
                stem = f"{vd.variant}_{vd.arch}_{vd.invariant}_{n}".lower().replace("-", "_")
                stem = stem.replace("/", "_").replace(":", "_").replace(",", "_").replace(" ", "")
                if ext == "go":
                    (d / stem).mkdir(exist_ok=True)
                    (d / stem / "main.go").write_text(vd.extra[key])
                else:
                    (d / f"test_{stem}.py").write_text(vd.extra[key])
    if args.json:
        print(json.dumps([v.to_json() for v in out], indent=2))
    else:
        print(render_table(out))
        if not args.type_lemmas:
            print(f"\n{WF_NOTE}")
    return exit_status(out)


#: what every "PROVED for all signatures" rests on (spec/proofs.md PRF-3, PRF-4)
WF_NOTE = ("note: proofs assume every value's summary is well formed (WF, spec/proofs.md PRF-3); "
           "lemmas TYPE-BASIC, TYPE-ARRAY, TYPE-STRUCT, TYPE-STRUCT-GROUPS and TYPE-STRUCT-COUNTS "
           "prove it of every Go type by induction on type structure, and TYPE-LINK its set "
           "linkage WF-LINK "
           "(--type-lemmas re-proves them, about 20 s per pointer size)")


def premise_units(archs: list[Arch]) -> list[Unit]:
    """What every verdict above rests on, held against real Go (go1.27.3's answers recorded in
    spec/oracle, no toolchain needed): WF of every recorded value's summary (the induction
    assumes WF, spec/proofs.md PRF-3), and the model's type layout and the spec's assignment
    equal to the compiler's ABIAnalyze on every recorded signature (a bug shared by the spec
    fold and reflect's fold, e.g. in the type summaries, cannot show as a disagreement
    between them; it shows here); then SYM=CONCRETE per pointer size."""
    from regabi.oracle import archs as recorded

    units: list[Unit] = []
    done: set[str] = set()
    for a in archs:
        base = a.name.split("/")[0].split(":")[0]
        if base in done or base not in recorded():
            continue
        done.add(base)
        units.append((f"premises {base}", _unit_premise_arch, (base, a.ptr_size)))
    units += [(f"SYM=CONCRETE PtrSize {ps}", _unit_premise_sym, (ps,))
              for ps in sorted({a.ptr_size for a in archs})]
    return units


def premise_verdicts(archs: list[Arch]) -> list[Verdict]:
    """premise_units' rows, in this process."""
    return [vd for vs in run_units(premise_units(archs), 1, lambda vs: None) for vd in vs]


def _unit_premise_arch(base: str, ptr_size: int,
                       report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    from regabi.model.domain import CONCRETE
    from regabi.model.joint import driver_mismatch
    from regabi.model.summary import summarize, wf
    from regabi.model.syntax import parse_signatures, parse_type
    from regabi.oracle import compare, load

    out: list[Verdict] = []
    t0 = time.perf_counter()
    rows = load(base).rows
    bad = ""
    sigs = parse_signatures([r["func"] for r in rows], source=f"oracle {base}")
    n = 0
    read: list[Signature] = []
    for row, sig in zip(rows, sigs, strict=True):
        if isinstance(sig, Exception):  # a recorded signature the model cannot read
            bad = bad or f"cannot read recorded {row['func']}: {sig}"
            continue
        if row.get("recv"):
            sig = Signature(sig.params, sig.results,
                            parse_type(row["recv"], source=f"oracle {base}"))
        read.append(sig)
        vals = [*sig.params, *sig.results, *([sig.recv] if sig.recv is not None else [])]
        for t in vals:
            n += 1
            false = [c for c, ok in wf(CONCRETE, summarize(t, ptr_size), ptr_size)
                     if ok is not True]
            if false and not bad:
                bad = f"WF false for {t} in {row['func']}: {', '.join(false)}"
    st = "FALSIFIED" if bad else "HOLDS"
    out.append(Verdict("premise", "WF-RECORDED", "-", base, st,
                       f"{n} values of {len(rows)} recorded go1.27.3 signatures", n,
                       time.perf_counter() - t0, bad))
    # the spec's assignment against the compiler's, and the model of reflect (what the
    # proofs are about) against go1.27.3's reflect, on every recorded signature
    for inv_id, variant, what in (
            ("SPEC=GO1.27.3", "spec", "type layout, assignment, frame vs the compiler's "
             "ABIAnalyze"),
            ("REFLECT=GO1.27.3", "current", "reflect's layout (steps, frame, "
             "inRegPtrs/outRegPtrs) vs go1.27.3's funcLayout")):
        t0 = time.perf_counter()
        res = compare(base, variant)
        out.append(Verdict("premise", inv_id, variant, base,
                           "HOLDS" if res.ok else "FALSIFIED",
                           f"{res.n} recorded signatures: {what}", res.n,
                           time.perf_counter() - t0,
                           "" if res.ok else "; ".join(res.lines(2))))
    # the proofs' fold (model/joint.py run) against the layout's drivers that the two rows
    # above hold against go1.27.3: the same step functions, but two loops over the values
    t0 = time.perf_counter()
    arch, cur = arch_of(base), get_variant("current")
    diff = next((m for m in (driver_mismatch(sig, arch, cur) for sig in read) if m), "")
    out.append(Verdict("premise", "JOINT=LAYOUT", "current", base,
                       "FALSIFIED" if diff else "HOLDS",
                       f"{len(read)} recorded signatures: the proofs' fold (joint.run) = "
                       "reflect_assign and spec_assign", len(read), time.perf_counter() - t0,
                       diff))
    return reported(out, report)


def _unit_premise_sym(ptr_size: int,
                      report: Callable[[list[Verdict]], None] | None = None) -> list[Verdict]:
    # the symbolic constructors (what the search and the type lemmas run) against the
    # concrete ones (what layout runs): one semantics, checked
    from regabi.proofs.types import symbolic_matches_concrete

    t0 = time.perf_counter()
    n, bad = symbolic_matches_concrete(ptr_size, samples=SYM_SAMPLES)
    return reported([Verdict("premise", "SYM=CONCRETE", "-", f"PtrSize {ptr_size}",
                             "FALSIFIED" if bad else "HOLDS",
                             f"{n} types: symbolic summary constructors = summarize", n,
                             time.perf_counter() - t0, bad)], report)


#: grammar points the SYM=CONCRETE premise compares (tests/test_prove.py runs more)
SYM_SAMPLES = 60


def type_lemma_verdicts(ptr_sizes: list[int], timeout_ms: int) -> list[Verdict]:
    """The type lemmas as verdict rows; a lemma not proved is UNKNOWN, never PROVED."""
    from regabi.proofs.types import prove_type_lemmas

    out = []
    for ps in ptr_sizes:
        for lem in prove_type_lemmas(ps, timeout_ms=timeout_ms):
            st = "UNKNOWN" if lem.status == "UNPROVED" else lem.status
            out.append(Verdict("z3", lem.id, "-", f"PtrSize {ps}", st, lem.detail, None,
                               lem.seconds, "" if st == "PROVED" else f"{lem.id}: {lem.detail}"))
    return out
