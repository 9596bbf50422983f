"""Run control for the long commands (check, prove, explore): verdicts recorded as they are
decided, Ctrl-C and a wall-clock budget that stop the run within a second, and the final
one-line summary.

Ctrl-C cannot interrupt a Z3 query or a search loop from Python's own signal handler (that runs
only between bytecodes of the main thread, never inside a C call), so SIGINT is blocked in the
main thread and received by a watcher thread with ``sigtimedwait``; the watcher prints what was
decided, ends the worker processes and leaves with ``os._exit`` (status 130, or 5 when the
budget ran out).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from regabi.errors import InputError
from regabi.verdict import EXIT_INTERRUPTED, EXIT_LIMIT, Verdict

__all__ = ["Run", "Unit", "default_jobs", "parse_duration", "reported", "run_units", "summary_line"]


def parse_duration(text: str, option: str = "--timeout") -> float:
    """Seconds from ``90``, ``90s``, ``2m``, ``1h`` or ``1.5m``; positive, at most a week."""
    t = text.strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600}.get(t[-1:], None)
    num = t[:-1] if scale is not None else t
    try:
        secs = float(num) * (scale or 1)
    except ValueError:
        raise InputError(f"{option} {text!r}: a duration is N, Ns, Nm or Nh "
                         "(e.g. 90, 90s, 2m, 1h)") from None
    if not secs > 0 or secs > 7 * 86400:
        raise InputError(f"{option} {text!r}: the duration must be positive and at most a week")
    return secs


def _count(verdicts: list[Verdict]) -> dict[str, int]:
    n = {"proved": 0, "falsified": 0, "latent": 0, "unknown": 0, "limit": 0, "error": 0}
    for v in verdicts:
        key = {"PROVED": "proved", "HOLDS": "proved", "FALSIFIED": "falsified",
               "VIOLATED": "falsified", "LATENT": "latent", "UNKNOWN": "unknown",
               "LIMIT": "limit"}.get(v.status, "error")
        n[key] += 1
    return n


def summary_line(cmd: str, verdicts: list[Verdict], seconds: float, note: str = "") -> str:
    """``regabi check: 31 proved/held, 9 falsified, 3 latent, 0 unknown, 0 limit in 84.2 s``."""
    n = _count(verdicts)
    parts = [f"{n['proved']} proved/held", f"{n['falsified']} falsified",
             f"{n['latent']} latent", f"{n['unknown']} unknown", f"{n['limit']} limit"]
    if n["error"]:
        parts.append(f"{n['error']} error")
    return f"regabi {cmd}: {', '.join(parts)} in {seconds:.1f} s" + (f"; {note}" if note else "")


class _Progress:
    """A spinner on stderr when it is a terminal (rich, imported only then); nothing else."""

    def __init__(self) -> None:
        self._status: Any = None
        if sys.stderr.isatty() and not os.environ.get("REGABI_NO_PROGRESS"):
            try:
                from rich.console import Console

                self._status = Console(stderr=True).status("")
            except ImportError:  # rich is a dependency, but a broken install must not stop a run
                self._status = None

    def update(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)
            self._status.start()

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()


class Run:
    """One long command: what has been decided, streamed output, the stop conditions.

    ``emit`` prints one batch of verdicts in text mode (called with the output lock held);
    in JSON mode the verdicts are printed as one list at the end, or at the stop.
    """

    def __init__(self, cmd: str, *, json_out: bool, budget: float | None,
                 emit: Callable[[list[Verdict], TextIO], None] | None = None,
                 on_stop: Callable[[str, TextIO], None] | None = None) -> None:
        self.cmd = cmd
        self.json_out = json_out
        self.budget = budget
        self.emit = emit
        self.on_stop = on_stop
        self.decided: list[Verdict] = []
        self.t0 = time.perf_counter()
        self.lock = threading.RLock()
        self.progress = _Progress()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._masked = False

    # ------------------------------------------------------------------ life cycle

    @contextmanager
    def watching(self) -> Iterator[Run]:
        """Block SIGINT in this (main) thread and watch for it and for the budget."""
        if threading.current_thread() is threading.main_thread():
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            self._masked = True
        self._thread = threading.Thread(target=self._watch, name="regabi-watch", daemon=True)
        self._thread.start()
        try:
            yield self
        finally:
            self._done.set()
            self._thread.join()
            self.progress.stop()
            if self._masked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def _watch(self) -> None:
        deadline = None if self.budget is None else self.t0 + self.budget
        while not self._done.is_set():
            wait = 0.1 if deadline is None else max(0.0, min(0.1, deadline - time.perf_counter()))
            got = None
            if self._masked:
                got = signal.sigtimedwait({signal.SIGINT}, wait)
            else:
                time.sleep(wait)
            if self._done.is_set():
                return
            if got is not None:
                self._stop("interrupted (Ctrl-C)", EXIT_INTERRUPTED)
            if deadline is not None and time.perf_counter() >= deadline:
                self._stop(f"time limit of {self.budget:g} s reached", EXIT_LIMIT)

    def _stop(self, why: str, code: int) -> None:
        self.lock.acquire(timeout=0.5)  # a half-written line must not hold the exit back
        self.progress.stop()
        try:
            if self.json_out:
                sys.stdout.write(dumps([v.to_json() for v in self.decided]) + "\n")
            elif self.on_stop is not None:
                self.on_stop(why, sys.stdout)
            line = summary_line(self.cmd, self.decided, time.perf_counter() - self.t0,
                                f"{why}; what was decided so far is above" if not self.json_out
                                else f"{why}; the verdicts decided so far are on stdout")
            print(line, file=sys.stderr if self.json_out else sys.stdout)
            print(f"error: {why}", file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            _end_children()
            os._exit(code)

    # ------------------------------------------------------------------ verdicts

    def add(self, verdicts: list[Verdict]) -> None:
        with self.lock:
            self.decided.extend(verdicts)
            if not self.json_out and self.emit is not None and verdicts:
                self.progress.stop()
                self.emit(verdicts, sys.stdout)
                sys.stdout.flush()

    def status(self, text: str) -> None:
        self.progress.update(text)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0


#: one piece of a long run: a name (for progress), a module-level function (picklable, so a
#: worker process can run it), its arguments. The function takes ``report=`` too: in this
#: process it is given the reporter and calls it with what it decides as it decides it; in a
#: worker it is given None and the caller reports what it returns.
Unit = tuple[str, Callable[..., list[Any]], tuple[Any, ...]]


def default_jobs() -> int:
    """Worker processes when ``--jobs`` is not given: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def reported(results: list[Any], report: Callable[[list[Any]], None] | None) -> list[Any]:
    """The end of a unit that decides everything at once: report it here if in this process."""
    if report is not None:
        report(results)
    return results


def run_units(units: list[Unit], jobs: int, report: Callable[[list[Any]], None],
              status: Callable[[str], None] | None = None,
              first: Callable[[], None] | None = None) -> list[list[Any]]:
    """Each unit's results, in the order of ``units``, whatever order they finish in.

    ``jobs`` ≤ 1, or a single unit and nothing to overlap it with: one after another in this
    process. Otherwise a pool of
    ``jobs`` worker processes, the units submitted in order (put the longest first); each
    unit's results are reported as soon as it is done, ties broken by the order of ``units``.
    ``first`` runs in this process while the workers start. Ctrl-C and the time budget are
    Run's: its watcher ends the workers (``_end_children``)."""
    if jobs <= 1 or not units or (len(units) == 1 and first is None):
        if first is not None:
            first()
        out = []
        for name, fn, args in units:
            if status is not None:
                status(f"running {name}…")
            out.append(fn(*args, report=report))
        return out
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    results: dict[int, list[Any]] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(units))) as ex:
        futs = {ex.submit(fn, *args, report=None): i for i, (_, fn, args) in enumerate(units)}
        if first is not None:
            first()
        pending = set(futs)
        while pending:
            if status is not None:
                running = [units[i][0] for f, i in futs.items() if f in pending]
                status(f"running {', '.join(running[:4])}"
                       + (f" and {len(running) - 4} more" if len(running) > 4 else "") + "…")
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for f in sorted(done, key=futs.__getitem__):
                results[futs[f]] = got = f.result()
                report(got)
    return [results[i] for i in range(len(units))]


def _end_children() -> None:
    """Worker processes (ProcessPoolExecutor) inherit the blocked SIGINT: end them here."""
    try:
        import multiprocessing

        for p in multiprocessing.active_children():
            p.terminate()
    except Exception:  # leaving anyway
        pass


def _default(o: Any) -> Any:
    if hasattr(o, "to_json"):
        return o.to_json()
    if hasattr(o, "go") and callable(o.go):  # a Signature or a Go type
        return o.go()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    return str(o)


def dumps(obj: Any, indent: int | None = 1) -> str:
    """JSON of verdicts and reports; objects without a JSON form (signatures, types) appear as
    their Go text, never as a crash."""
    return json.dumps(obj, indent=indent, default=_default)
