"""Real runs against a patched go1.27.3 GOROOT (tests/test_fingc_real.py,
tests/test_mfgc_real.py): a Go program built with ``go build -overlay`` whose overlay replaces
standard-library files by edited copies, then run with ``GODEBUG=clobberfree=1`` so that a
freed object reads as garbage. The edits are (anchor, replacement) pairs; each anchor must
occur exactly once in its file, so a changed GOROOT fails loudly instead of testing nothing.

The overlay rebuilds the runtime/standard library (tens of seconds to minutes on 2 cores): the
callers keep these runs opt-in (an environment variable) and native amd64."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from regabi.gotool import go_binary

__all__ = ["Edits", "build_and_run", "real_run_marks"]

#: per GOROOT/src-relative file, the (anchor, replacement) pairs applied in order
Edits = Mapping[str, Sequence[tuple[str, str]]]


def real_run_marks(env_var: str, what: str) -> list[pytest.MarkDecorator]:
    """pytestmark of an opt-in real run: the Go toolchain, ``env_var=1``, native amd64."""
    return [
        pytest.mark.gotoolchain,
        pytest.mark.skipif(os.environ.get(env_var) != "1", reason=f"set {env_var}=1: {what}"),
        pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="native amd64"),
    ]


def build_and_run(tmp_path: Path, prog: str, module: str, edits: Edits) -> tuple[str, str]:
    """Build ``prog`` (package main, module ``module``) against GOROOT with ``edits`` applied
    through an overlay, run it with clobberfree=1; return its last stdout line (the tail of
    stderr when it printed nothing) and the tail of its stderr (for a failure message)."""
    go = go_binary()
    assert go is not None
    goroot = Path(subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True,
                                 check=True).stdout.strip())
    (tmp_path / "main.go").write_text(prog)
    (tmp_path / "go.mod").write_text(f"module {module}\n\ngo 1.22\n")
    ov = tmp_path / "ov"
    ov.mkdir()
    replace = {}
    for rel, subs in edits.items():
        src = goroot / "src" / rel
        text = src.read_text()
        for anchor, repl in subs:
            assert text.count(anchor) == 1, (rel, anchor)
            text = text.replace(anchor, repl)
        dst = ov / rel.replace("/", "_")
        dst.write_text(text)
        replace[str(src)] = str(dst)
    (tmp_path / "overlay.json").write_text(json.dumps({"Replace": replace}))
    env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0")
    b = subprocess.run([go, "build", f"-overlay={tmp_path / 'overlay.json'}", "-o",
                        str(tmp_path / "prog"), "."], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=900)
    assert b.returncode == 0, b.stderr
    r = subprocess.run([str(tmp_path / "prog")], env=dict(env, GODEBUG="clobberfree=1"),
                       capture_output=True, text=True, timeout=120)
    out = r.stdout.strip()
    return out.splitlines()[-1] if out else r.stderr[-300:], r.stderr[-500:]
