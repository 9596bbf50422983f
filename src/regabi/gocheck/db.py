"""The campaign database (SQLite): what was checked, what disagreed, across runs.

A *context* is one (tree, extra overlay, probe sources, target) combination; results are keyed
by (context, seed, index), so a rerun of a campaign — after Ctrl-C, a crash, or with a larger
``--n`` — skips every signature it already checked; totals and coverage count distinct
signatures over all runs and seeds. Only the process that
runs the campaign writes (Dask workers return their results to it).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from regabi.errors import InputError

__all__ = ["CampaignDB"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contexts(
    ctx TEXT PRIMARY KEY, goroot TEXT, version TEXT, target TEXT, overlay TEXT, created REAL);
CREATE TABLE IF NOT EXISTS results(
    ctx TEXT, sig_id TEXT, idx INTEGER, seed INTEGER, origin TEXT, func TEXT, recv TEXT,
    disagree INTEGER, sides TEXT, classes TEXT, diffs TEXT, run INTEGER,
    PRIMARY KEY (ctx, seed, idx));
CREATE INDEX IF NOT EXISTS results_sig ON results(ctx, sig_id);
CREATE TABLE IF NOT EXISTS findings(
    ctx TEXT, sig_id TEXT, side TEXT, func TEXT, recv TEXT, rounds INTEGER, diffs TEXT,
    json TEXT, PRIMARY KEY (ctx, sig_id, side));
CREATE TABLE IF NOT EXISTS runs(
    id INTEGER PRIMARY KEY, started REAL, seconds REAL, argv TEXT, checked INTEGER,
    disagreements INTEGER, interrupted INTEGER);
"""


class CampaignDB:
    """A campaign database file; raises InputError if it cannot be opened for writing."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = sqlite3.connect(str(self.path), timeout=30)
            self.con.executescript(_SCHEMA)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.commit()
        except (OSError, sqlite3.Error) as e:
            msg = getattr(e, "strerror", None) or str(e)
            raise InputError(f"--db {path}: cannot open for writing: {msg}") from None

    def close(self) -> None:
        self.con.close()

    def context(self, ctx: str, goroot: str, version: str, target: str, overlay: str) -> None:
        self.con.execute("INSERT OR IGNORE INTO contexts VALUES (?,?,?,?,?,?)",
                         (ctx, goroot, version, target, overlay, time.time()))
        self.con.commit()

    def done_indices(self, ctx: str, seed: int) -> set[int]:
        return {r[0] for r in self.con.execute(
            "SELECT idx FROM results WHERE ctx=? AND seed=?", (ctx, seed))}

    def start_run(self, argv: str) -> int:
        cur = self.con.execute("INSERT INTO runs(started, argv, checked, disagreements, "
                               "interrupted) VALUES (?,?,0,0,0)", (time.time(), argv))
        self.con.commit()
        return int(cur.lastrowid or 0)

    def end_run(self, run: int, seconds: float, checked: int, disagreements: int,
                interrupted: bool) -> None:
        self.con.execute("UPDATE runs SET seconds=?, checked=?, disagreements=?, interrupted=? "
                         "WHERE id=?", (seconds, checked, disagreements, int(interrupted), run))
        self.con.commit()

    def add_results(self, ctx: str, seed: int, run: int, rows: Iterable[Mapping[str, Any]]
                    ) -> None:
        self.con.executemany(
            "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(ctx, r["id"], r["index"], seed, r["origin"], r["func"], r["recv"],
              int(bool(r["diffs"])), ",".join(sorted({d[0] for d in r["diffs"]})),
              ",".join(sorted(r["classes"])), json.dumps(r["diffs"][:20]), run)
             for r in rows])
        self.con.commit()

    def disagreements(self, ctx: str) -> list[dict[str, Any]]:
        cur = self.con.execute("SELECT sig_id, MIN(idx), origin, func, recv, sides, diffs FROM "
                               "results WHERE ctx=? AND disagree=1 GROUP BY sig_id "
                               "ORDER BY MIN(idx)", (ctx,))
        return [{"id": a, "index": b, "origin": c, "func": d, "recv": e, "sides": f.split(","),
                 "diffs": json.loads(g)} for a, b, c, d, e, f, g in cur]

    def add_finding(self, ctx: str, sig_id: str, side: str, func: str, recv: str | None,
                    rounds: int, diffs: list[Any], obj: Mapping[str, Any]) -> None:
        self.con.execute("INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?,?,?,?)",
                         (ctx, sig_id, side, func, recv, rounds, json.dumps(diffs),
                          json.dumps(obj)))
        self.con.commit()

    def findings(self, ctx: str) -> list[dict[str, Any]]:
        cur = self.con.execute("SELECT sig_id, side, json FROM findings WHERE ctx=?", (ctx,))
        return [{"id": a, "side": b, **json.loads(c)} for a, b, c in cur]

    def totals(self, ctx: str) -> tuple[int, int]:
        """(signatures checked, signatures that disagree) in this context, over all runs."""
        row = self.con.execute("SELECT COUNT(DISTINCT sig_id), COUNT(DISTINCT CASE WHEN "
                               "disagree THEN sig_id END) FROM results WHERE ctx=?",
                               (ctx,)).fetchone()
        return int(row[0]), int(row[1])

    def coverage(self, ctx: str) -> Counter[str]:
        c: Counter[str] = Counter()
        for (classes,) in self.con.execute("SELECT MIN(classes) FROM results WHERE ctx=? "
                                           "GROUP BY sig_id", (ctx,)):
            if classes:
                c.update(classes.split(","))
        return c
