"""Fuzzing the command line (issue 10): on arbitrary bytes and on mutated valid signatures,
every command ends with an exit status in {0, 1, 2, 4, 5} — never 3 (internal error) — prints
no traceback, and finishes within TIME_BOUND seconds. Inputs go through ``regabi.cli.main`` as
a user's arguments would; files through a temporary .go file and a --batch file.

Hypothesis runs derandomized (tests/conftest.py, profile "ci"); a failure prints the input.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regabi.cli import main
from regabi.strategies import signature_texts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_syntax_fuzz import _VOCAB, _mutated  # the syntax fuzz's mutation operators

TIME_BOUND = 5.0
ALLOWED = {0, 1, 2, 4, 5}

_FUZZ = settings(deadline=None, max_examples=60,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                        HealthCheck.function_scoped_fixture])


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    t0 = time.perf_counter()
    code = main(list(argv))
    took = time.perf_counter() - t0
    out, err = capsys.readouterr()
    what = f"regabi {' '.join(repr(a)[:200] for a in argv)}"
    assert code in ALLOWED, f"{what}: exit {code}: {err[-500:]}"
    assert "Traceback" not in err and "internal error" not in err, f"{what}: {err[-500:]}"
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1, f"{what}: {err!r}"
        assert out == "", f"{what}: exit 2 with output on stdout"
    assert took < TIME_BOUND, f"{what}: {took:.2f}s"


def _text(data: bytes) -> str:
    # argv is text: bytes that are not UTF-8 reach regabi as surrogate escapes, as a shell's do
    return data.decode("utf-8", "surrogateescape")


@_FUZZ
@given(st.binary(max_size=300))
def test_bytes(capsys: pytest.CaptureFixture[str], data: bytes) -> None:
    s = _text(data)
    _run(capsys, "layout", s)
    _run(capsys, "diff", s)
    _run(capsys, "layout", "func()", "--recv", s)
    with tempfile.TemporaryDirectory() as td:
        f = Path(td) / "x.go"
        f.write_bytes(data)
        _run(capsys, "layout", str(f))
        b = Path(td) / "b.json"
        b.write_bytes(data)
        _run(capsys, "layout", "--batch", str(b))


@_FUZZ
@given(_mutated(signature_texts(max_params=4, max_results=2)))
def test_mutated_signatures(capsys: pytest.CaptureFixture[str], text: str) -> None:
    _run(capsys, "layout", text, "--variant", "all")
    _run(capsys, "layout", text, "--json")
    _run(capsys, "diff", text, "--arch", "arm64")
    _run(capsys, "explore", text, "--max-states", "20000", "--timeout", "3s")
    with tempfile.TemporaryDirectory() as td:
        b = Path(td) / "b.json"
        b.write_text(json.dumps([text, {"signature": text, "arch": "386"}, text[::-1]]))
        _run(capsys, "layout", "--batch", str(b))


@_FUZZ
@given(st.lists(st.sampled_from(["amd64", "arm64", "386", ":", ",", "1", "99", "/regs=",
                                 "-", "x", " ", "0"]), max_size=6).map("".join))
def test_arch_specs(capsys: pytest.CaptureFixture[str], spec: str) -> None:
    _run(capsys, "layout", "func(a int, b float64) string", "--arch", spec)
    _run(capsys, "diff", "func(a int)", "--arch", spec)


@_FUZZ
@given(st.sampled_from(["--timeout", "--max-states", "--gc-cycles", "--stack-moves"]),
       st.sampled_from(["0", "-1", "1e400", "nan", "x", "", "3", "1h", "99999999999"]))
def test_explore_options(capsys: pytest.CaptureFixture[str], opt: str, val: str) -> None:
    if opt == "--timeout" and val in ("3", "1h"):
        val = "2s"  # a real budget; the search itself is small
    _run(capsys, "explore", "func(p *int) int", opt, val)


def test_vocab_is_shared() -> None:
    assert "func(" * 60 in _VOCAB  # the depth stressors reach the CLI too


#: the command-line inputs issue 10 lists as internal errors or hangs, with the exit status
#: each must get now (2: refused as bad input, before any work)
ISSUE_CASES = [
    (["explore", "func(" + ", ".join(f"a{i} int" for i in range(10000)) + ")"], 2),
    (["explore", "func(x [1<<40]struct{a, b int64})"], 2),
    (["explore", "func(x [65536]byte)"], 2),
    (["explore", "func(s string)", "--dot", "{tmp}"], 2),
    (["explore", "func(s string)", "--itf", "{tmp}/no/such/dir/t.json"], 2),
    (["prove", "--arch", "386,nonsense"], 2),
    (["prove", "--arch", "amd64/regs=x"], 2),
    (["prove", "--pytest-dir", "{tmp}/file"], 2),
    (["prove", "--variant", "spec"], 2),
    (["prove", "--max-params", "-1"], 2),
    (["prove", "--struct-depth", "0"], 2),
    (["prove", "--struct-fields", "9"], 2),
    (["layout", "func()", "--arch", "amd64/regs=1,2,3"], 2),
    (["layout", "func(a [1<<24]byte) [2]*int"], 0),
    (["layout", "--batch", "{tmp}/deep.json"], 2),
    (["check", "--timeout", "-5"], 2),
]


@pytest.mark.parametrize("argv,want", ISSUE_CASES,
                         ids=[" ".join(a)[:50] for a, _ in ISSUE_CASES])
def test_issue_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str],
                      want: int) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "deep.json").write_text("[" * 100000 + "]" * 100000)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    t0 = time.perf_counter()
    code = main(argv)
    _, err = capsys.readouterr()
    assert code == want, err
    assert "Traceback" not in err and "internal error" not in err
    assert time.perf_counter() - t0 < TIME_BOUND
