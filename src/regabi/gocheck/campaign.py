"""A gocheck campaign: build the probes, check signatures in batches, shrink, report.

The unit of work is a *batch* (:class:`BatchTask`): one target, a few hundred signatures, the
two probe binaries. :func:`check_batch` runs both probes on it and compares every answer with
the model; it is a plain picklable function, so batches run inline, in a process pool
(``--jobs``) or on Dask workers (``--cluster``), and only this process writes the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from regabi.errors import InputError
from regabi.gocheck.db import CampaignDB
from regabi.gocheck.sigs import applicable, campaign_item, classify, probe_sig
from regabi.gotool.binaries import (
    GoTree,
    ProbeBinary,
    ProbeBuildError,
    ProbeRunError,
    TreeError,
    build_probe,
    cache_root,
    emulator,
    host_goarch,
    run_probe,
)
from regabi.gotool.compare import Diff, compare_config, compare_record
from regabi.model.arch import Arch, arch_names, load_arch
from regabi.model.sig import Signature

__all__ = ["Campaign", "Options", "Summary", "Target", "check_batch", "parse_targets",
           "parse_time", "render"]

_NO_TARGET = {"amd64-abi0"}


@dataclass(frozen=True)
class Target:
    """An architecture, optionally with emulated register counts (``amd64:2:1[:8]``)."""

    name: str
    goarch: str
    regs: tuple[int, int, int] | None = None

    def table(self) -> Arch:
        return load_arch(self.goarch)

    def arch(self) -> Arch:
        t = self.table()
        return t.with_regs(*self.regs) if self.regs else t


def parse_targets(text: str) -> list[Target]:
    """``amd64,arm64,amd64:2:1`` -> targets; unknown names are an InputError."""
    known = [a for a in arch_names() if a not in _NO_TARGET]
    out: list[Target] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, *nums = part.split(":")
        if name not in known:
            raise InputError(f"--arch {part}: unknown architecture {name!r} (known: "
                             f"{', '.join(known)})")
        regs = None
        if nums:
            if not (2 <= len(nums) <= 3 and all(n.isdigit() for n in nums)):
                raise InputError(f"--arch {part}: register counts are ARCH:INT:FLOAT[:FSIZE]")
            ni, nf = int(nums[0]), int(nums[1])
            fs = int(nums[2]) if len(nums) == 3 else (8 if nf else 0)
            if fs not in (0, 4, 8):
                raise InputError(f"--arch {part}: float register size must be 0, 4 or 8")
            regs = (ni, nf, fs)
        out.append(Target(part, name, regs))
    if not out:
        raise InputError("--arch: no architecture given")
    return out


def parse_time(text: str | None) -> float | None:
    """``90``, ``90s``, ``2m``, ``1h`` -> seconds."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not m:
        raise InputError(f"--time {text}: expected seconds, or a number with s, m or h")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


# ------------------------------------------------------------------------------ batches


@dataclass(frozen=True)
class BatchTask:
    """Signatures ``indices`` of campaign (target, seed); the worker builds them itself."""

    target: Target
    seed: int
    indices: tuple[int, ...]
    reflect: ProbeBinary
    compiler: ProbeBinary


def _diff_row(d: Diff) -> list[Any]:
    return [d.side, d.path, d.go, d.model]


def _resolve(b: ProbeBinary) -> ProbeBinary:
    """A binary built elsewhere is looked up in this machine's cache (Dask workers)."""
    if os.path.isfile(b.path):
        return b
    name = Path(b.path).name
    local = cache_root() / "probes" / b.key / name
    if not local.is_file():
        raise ProbeRunError(f"probe binary {name} ({b.key}) is not installed on this worker")
    return ProbeBinary(b.kind, b.goarch, str(local), b.key)


def check_batch(task: BatchTask) -> dict[str, Any]:
    """Run both probes on the batch and compare; one row per signature."""
    t0 = time.monotonic()
    tgt = task.target
    arch = tgt.arch()
    items = [campaign_item(arch, task.seed, i) for i in task.indices]
    probes = [it.probe for it in items]
    _, rrecs = run_probe(_resolve(task.reflect), probes, regs=tgt.regs)
    creg = (tgt.regs[0], tgt.regs[1], -1) if tgt.regs else None
    ccfg, crecs = run_probe(_resolve(task.compiler), probes, regs=creg)
    lo = int(ccfg.get("localsOffset", 0))
    rows = []
    for it, rr, cr in zip(items, rrecs, crecs, strict=True):
        diffs = (compare_record("reflect", it.sig, arch, rr)
                 + compare_record("placement", it.sig, arch, rr)
                 + compare_record("compiler", it.sig, arch, cr, locals_offset=lo))
        row: dict[str, Any] = {
            "index": it.index, "id": it.id, "origin": it.origin, "func": it.probe["func"],
            "recv": it.probe["recv"], "classes": sorted(classify(it.sig, arch, it.origin)),
            "diffs": [_diff_row(d) for d in diffs],
        }
        rows.append(row)
    return {"rows": rows, "seconds": time.monotonic() - t0, "target": tgt.name}


# ---------------------------------------------------------------------------- campaign


@dataclass
class Options:
    tree: GoTree
    targets: list[Target]
    n: int = 1000
    seed: int = 20201022
    time_limit: float | None = None
    jobs: int = 1
    db: str | None = None
    cluster: str | None = None
    overlay: dict[str, str] = field(default_factory=dict)
    out_dir: str = "gocheck-findings"
    shrink_limit: int = 3
    shrink_budget: float = 90.0
    batch: int = 250
    progress: bool | None = None
    argv: str = ""


@dataclass
class TargetReport:
    target: str
    new: int = 0
    disagree_new: int = 0
    total: int = 0
    disagree_total: int = 0
    seconds: float = 0.0
    config_diffs: list[str] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Summary:
    targets: list[TargetReport]
    seconds: float
    interrupted: bool = False
    files: list[str] = field(default_factory=list)
    timed_out: bool = False

    @property
    def disagreements(self) -> int:
        return sum(t.disagree_total + len(t.config_diffs) for t in self.targets)

    def line(self) -> str:
        checked = sum(t.total for t in self.targets)
        new = sum(t.new for t in self.targets)
        per = ", ".join(f"{t.target} {t.total}/{t.disagree_total + len(t.config_diffs)}"
                        for t in self.targets)
        tail = (" (interrupted)" if self.interrupted else
                " (time limit: batches left unchecked)" if self.timed_out else "")
        return (f"gocheck: {checked} signatures checked ({new} new), {self.disagreements} "
                f"disagreements, {self.seconds:.1f}s; per arch checked/disagree: {per}{tail}")

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": "regabi.gocheck/1", "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted, "timed_out": self.timed_out,
            "disagreements": self.disagreements,
            "targets": [t.__dict__ for t in self.targets], "files": self.files,
        }


def _ctx_key(tree: GoTree, target: Target, reflect: ProbeBinary, compiler: ProbeBinary) -> str:
    h = hashlib.sha256(f"{tree.goroot}\0{tree.version}\0{target.name}\0{reflect.key}\0"
                       f"{compiler.key}".encode())
    return h.hexdigest()[:20]


def default_db() -> Path:
    return cache_root() / "gocheck.sqlite"


class Campaign:
    """One ``regabi gocheck`` run over its targets."""

    def __init__(self, opts: Options, out: TextIO | None = None, err: TextIO | None = None
                 ) -> None:
        self.o = opts
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.progress = opts.progress if opts.progress is not None else self.err.isatty()
        self.db = CampaignDB(opts.db or default_db())
        self.bins: dict[str, tuple[ProbeBinary, ProbeBinary]] = {}

    # -- setup

    def _build(self) -> None:
        comp = None
        for tgt in self.o.targets:
            try:
                emulator(tgt.goarch)
                refl = build_probe(self.o.tree, "reflect", tgt.goarch,
                                   extra_overlay=self.o.overlay)
                if comp is None:
                    comp = build_probe(self.o.tree, "compiler", host_goarch(),
                                       extra_overlay=self.o.overlay)
            except TreeError as e:
                raise InputError(str(e)) from None
            except ProbeBuildError as e:
                raise InputError(str(e)) from None
            self.bins[tgt.name] = (refl, ProbeBinary("compiler", tgt.goarch, comp.path,
                                                     comp.key))

    def _config(self, tgt: Target, rep: TargetReport) -> None:
        refl, comp = self.bins[tgt.name]
        table = tgt.table()
        rcfg, _ = run_probe(refl, [])
        ccfg, _ = run_probe(comp, [])
        rep.config_diffs = [d.line() for d in compare_config("reflect", table, rcfg)
                            + compare_config("compiler", table, ccfg)]
        if tgt.regs and (tgt.regs[0] > rcfg.get("nativeIntRegs", 0)
                         or tgt.regs[1] > rcfg.get("nativeFloatRegs", 0)):
            raise InputError(
                f"--arch {tgt.name}: reflect on this tree has at most "
                f"{rcfg.get('nativeIntRegs')}/{rcfg.get('nativeFloatRegs')} registers for "
                f"GOARCH={tgt.goarch} (its RegArgs arrays); emulate fewer")

    # -- execution

    def _executor(self) -> tuple[Callable[[BatchTask], Any], Callable[[list[Any]], Iterator[Any]],
                                 Callable[[], None], int]:
        if self.o.cluster:
            from regabi.gocheck.cluster import dask_executor

            return dask_executor(self.o.cluster, [b for pair in self.bins.values() for b in pair])
        if self.o.jobs > 1:
            import concurrent.futures as cf
            import multiprocessing as mp

            pool = cf.ProcessPoolExecutor(self.o.jobs, mp_context=mp.get_context("fork"))

            def done(fs: list[Any]) -> Iterator[Any]:
                yield from cf.as_completed(fs)

            def close() -> None:
                pool.shutdown(wait=False, cancel_futures=True)

            return (lambda t: pool.submit(check_batch, t)), done, close, self.o.jobs

        class _Now:
            def __init__(self, task: BatchTask) -> None:
                self.task = task

            def result(self) -> Any:
                return check_batch(self.task)

        return _Now, (lambda fs: iter(fs)), (lambda: None), 1

    def run(self) -> Summary:
        t0 = time.monotonic()
        run_id = self.db.start_run(self.o.argv)
        self._build()
        reports = {t.name: TargetReport(t.name) for t in self.o.targets}
        ctxs: dict[str, str] = {}
        for tgt in self.o.targets:
            self._config(tgt, reports[tgt.name])
            refl, comp = self.bins[tgt.name]
            ctx = ctxs[tgt.name] = _ctx_key(self.o.tree, tgt, refl, comp)
            self.db.context(ctx, self.o.tree.goroot, self.o.tree.version, tgt.name,
                            json.dumps(self.o.overlay, sort_keys=True))
        # every target's pending batches, interleaved so that --time shares the budget
        queues: list[list[BatchTask]] = []
        before: dict[str, int] = {}
        for tgt in self.o.targets:
            done = self.db.done_indices(ctxs[tgt.name], self.o.seed)
            refl, comp = self.bins[tgt.name]
            todo = [i for i in range(self.o.n) if i not in done]
            before[tgt.name] = self.db.totals(ctxs[tgt.name])[0]
            q = [BatchTask(tgt, self.o.seed, tuple(todo[i:i + self.o.batch]), refl, comp)
                 for i in range(0, len(todo), self.o.batch)]
            queues.append(q)
        tasks = list(_interleave(queues))
        submit, completed, close, width = self._executor()
        interrupted = timed_out = False
        deadline = t0 + self.o.time_limit if self.o.time_limit is not None else None
        pending: list[Any] = []
        it = iter(tasks)
        n_total = sum(len(t.indices) for t in tasks)
        n_done = 0
        try:
            while True:
                while len(pending) < 2 * width and (deadline is None or
                                                    time.monotonic() < deadline):
                    nxt = next(it, None)
                    if nxt is None:
                        break
                    pending.append(submit(nxt))
                if not pending:
                    timed_out = next(it, None) is not None
                    break
                fut = next(completed(pending))
                pending.remove(fut)
                res = fut.result()
                rep = reports[res["target"]]
                self.db.add_results(ctxs[res["target"]], self.o.seed, run_id, res["rows"])
                rep.disagree_new += sum(1 for r in res["rows"] if r["diffs"])
                rep.seconds += res["seconds"]
                n_done += len(res["rows"])
                self._progress(n_done, n_total, reports, t0)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            close()
        if self.progress:
            self.err.write("\n")
        summary = Summary(list(reports.values()), 0.0, interrupted, timed_out=timed_out)
        if not interrupted:
            try:
                self._shrink_all(ctxs, reports, summary)
            except KeyboardInterrupt:
                summary.interrupted = True
        for tgt in self.o.targets:
            rep = reports[tgt.name]
            rep.total, rep.disagree_total = self.db.totals(ctxs[tgt.name])
            rep.new = rep.total - before[tgt.name]
            cov = self.db.coverage(ctxs[tgt.name])
            rep.coverage = {c: cov.get(c, 0) for c in applicable(tgt.arch())}
        summary.seconds = time.monotonic() - t0
        self.db.end_run(run_id, summary.seconds, sum(r.new for r in summary.targets),
                        summary.disagreements, summary.interrupted)
        return summary

    def _progress(self, done: int, total: int, reports: Mapping[str, TargetReport],
                  t0: float) -> None:
        if not self.progress:
            return
        rate = done / max(time.monotonic() - t0, 1e-9)
        bad = sum(r.disagree_new for r in reports.values())
        self.err.write(f"\rgocheck: {done}/{total} signatures, {bad} disagreements, "
                       f"{rate:.0f}/s   ")
        self.err.flush()

    # -- shrinking and reporting

    def _still_fails(self, tgt: Target, side: str) -> Callable[[Sequence[Signature]], list[bool]]:
        refl, comp = self.bins[tgt.name]
        arch = tgt.arch()

        def check(cands: Sequence[Signature]) -> list[bool]:
            probes = [probe_sig(c) for c in cands]
            if side == "compiler":
                creg = (tgt.regs[0], tgt.regs[1], -1) if tgt.regs else None
                cfg, recs = run_probe(comp, probes, regs=creg)
                lo = int(cfg.get("localsOffset", 0))
                return [bool(compare_record(side, c, arch, r, locals_offset=lo))
                        for c, r in zip(cands, recs, strict=True)]
            _, recs = run_probe(refl, probes, regs=tgt.regs)
            return [bool(compare_record(side, c, arch, r)) for c, r in
                    zip(cands, recs, strict=True)]
        return check

    def _shrink_all(self, ctxs: Mapping[str, str], reports: Mapping[str, TargetReport],
                    summary: Summary) -> None:
        from regabi.gocheck.emit import (
            REFLECT_EXPORT,
            finding_json,
            go_test_compiler,
            go_test_reflect,
        )
        from regabi.gocheck.shrink import shrink
        from regabi.model.syntax import parse_signature

        out_dir = Path(self.o.out_dir)
        for tgt in self.o.targets:
            ctx = ctxs[tgt.name]
            rep = reports[tgt.name]
            arch = tgt.arch()
            have = {(f["id"], f["side"]) for f in self.db.findings(ctx)}
            picked: dict[str, list[dict[str, Any]]] = {}
            for row in self.db.disagreements(ctx):
                # one finding per side (placement first: values passed wrong)
                for side in ("placement", "reflect", "compiler"):
                    if side in row["sides"]:
                        break
                lst = picked.setdefault(side, [])
                if len(lst) < self.o.shrink_limit and (row["id"], side) not in have:
                    lst.append(row)
            new: list[dict[str, Any]] = []
            for side, rows in picked.items():
                for row in rows:
                    sig = parse_signature(row["func"], recv=row["recv"])
                    small, rounds = shrink(sig, self._still_fails(tgt, side),
                                           budget_s=self.o.shrink_budget)
                    p = probe_sig(small)
                    diffs = self._diffs(tgt, side, small)
                    title = (f"regabi gocheck: {self.o.tree.version} at {self.o.tree.goroot}, "
                             f"{tgt.name}, {side} side (shrunk from {row['func']}"
                             f"{' [recv ' + row['recv'] + ']' if row['recv'] else ''} in "
                             f"{rounds} rounds)")
                    new.append({"sig": small, "probe": p, "arch": arch, "regs": tgt.regs,
                                "side": side, "diffs": diffs, "title": title,
                                "original": {"func": row["func"], "recv": row["recv"]},
                                "rounds": rounds, "tree": self.o.tree.goroot,
                                "version": self.o.tree.version, "target": tgt.name,
                                "row_id": row["id"]})
            if not new:
                rep.findings = self.db.findings(ctx)
                continue
            out_dir.mkdir(parents=True, exist_ok=True)
            stem = tgt.name.replace(":", "_")
            refl_f = [f for f in new if f["side"] != "compiler"]
            comp_f = [f for f in new if f["side"] == "compiler"]
            if refl_f:
                sub = out_dir / stem
                sub.mkdir(exist_ok=True)
                path = sub / "regabi_gocheck_test.go"
                path.write_text(go_test_reflect(refl_f))
                (sub / "regabi_gocheck_export_test.go").write_text(REFLECT_EXPORT)
                summary.files.append(str(path))
                summary.files.append(str(sub / "regabi_gocheck_export_test.go"))
                for k, f in enumerate(refl_f, 1):
                    f["go_test_path"] = (f"{path} (TestRegabiGocheck{k}; put it and "
                                         "regabi_gocheck_export_test.go in $GOROOT/src/reflect)")
            if comp_f:
                sub = out_dir / f"{stem}-compiler"
                sub.mkdir(exist_ok=True)
                path = sub / "regabi_gocheck_test.go"
                path.write_text(go_test_compiler(comp_f))
                summary.files.append(str(path))
                for k, f in enumerate(comp_f, 1):
                    f["go_test_path"] = (f"{path} (TestRegabiGocheckCompiler{k}; put it in "
                                         "$GOROOT/src/cmd/compile/internal/test)")
            objs = [finding_json(f) for f in new]
            jpath = out_dir / f"findings-{stem}.json"
            jpath.write_text(json.dumps(objs, indent=1) + "\n")
            summary.files.append(str(jpath))
            for f, obj in zip(new, objs, strict=True):
                self.db.add_finding(ctx, f["row_id"], f["side"], obj["minimal"]["func"],
                                    obj["minimal"]["recv"], f["rounds"],
                                    obj["diffs"], obj)
            rep.findings = self.db.findings(ctx)

    def _diffs(self, tgt: Target, side: str, sig: Signature) -> list[Diff]:
        refl, comp = self.bins[tgt.name]
        p = [probe_sig(sig)]
        if side == "compiler":
            creg = (tgt.regs[0], tgt.regs[1], -1) if tgt.regs else None
            cfg, recs = run_probe(comp, p, regs=creg)
            return compare_record(side, sig, tgt.arch(), recs[0],
                                  locals_offset=int(cfg.get("localsOffset", 0)))
        _, recs = run_probe(refl, p, regs=tgt.regs)
        return compare_record(side, sig, tgt.arch(), recs[0])


def _interleave(queues: list[list[BatchTask]]) -> Iterator[BatchTask]:
    k = 0
    while any(k < len(q) for q in queues):
        for q in queues:
            if k < len(q):
                yield q[k]
        k += 1


def render(summary: Summary, out: TextIO) -> None:
    """The human report: findings, coverage per target, the summary line."""
    for rep in summary.targets:
        for d in rep.config_diffs:
            out.write(f"DISAGREE {rep.target} architecture table: {d}\n")
        for f in rep.findings:
            m = f.get("minimal", {})
            recv = f" [recv {m.get('recv')}]" if m.get("recv") else ""
            out.write(f"DISAGREE {rep.target} {f['side']}: {m.get('func')}{recv}\n")
            orig = f.get("original") or {}
            out.write(f"  shrunk from {orig.get('func')} in {f.get('shrink_rounds')} rounds\n")
            for d in f.get("diffs", [])[:8]:
                out.write(f"  {d['path']}: go={d['go']!r} spec={d['model']!r}\n")
            out.write(f"  spec's view: {f.get('command')}\n")
            if f.get("go_test"):
                out.write(f"  Go test:     {f['go_test']}\n")
        cov = rep.coverage
        if cov:
            out.write(f"coverage {rep.target} (all runs, {rep.total} signatures):\n")
            width = max(len(c) for c in cov)
            for c, hits in cov.items():
                mark = "" if hits else "   <- not hit"
                out.write(f"  {c.ljust(width)}: {hits}{mark}\n")
    for path in summary.files:
        out.write(f"wrote {path}\n")
    out.write(summary.line() + "\n")

