"""The CONCRETE-specialised algorithms (model/specialize.py) against the generic ones they are
generated from: the same summaries, reflect abiDescs (every variant) and spec assignments, to
the last bool/int distinction (compared as repr), on thousands of signatures — seeded random
ones (regabi.model.corpus.random_signature), the syntax corpus and the recorded oracle
signatures — for a 64-bit, a 32-bit and a register-starved architecture. The generic side runs
in a child process with REGABI_NO_SPECIALIZE=1 (the code Z3 runs, on CONCRETE)."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261202
N_RANDOM = 2500
ARCHS = ("amd64", "386", "amd64:1,1")


def _inputs() -> list[tuple[str, str | None]]:
    """(func text, receiver text) in a fixed order: random, the syntax corpus, the oracle's."""
    from regabi.model.corpus import BUILTIN, random_signature

    sys.path.insert(0, str(ROOT / "tests"))
    import syntax_corpus

    rng = random.Random(SEED)
    out: list[tuple[str, str | None]] = []
    for k in range(N_RANDOM):
        s = random_signature(rng, depth=3 if k % 4 == 0 else 2)
        out.append((s.go(), None if s.recv is None else str(s.recv)))
    out += [(s, None) for s in BUILTIN]
    out += [(s, None) for s, decls, _arch in syntax_corpus.SIGS if not decls]
    for arch in ("amd64", "386"):
        with gzip.open(ROOT / "spec" / "oracle" / f"{arch}.jsonl.gz", "rt") as f:
            next(f)
            out += [(r["func"], r["recv"]) for r in map(json.loads, f)][::2]
    return out


def _results(lo: int, hi: int) -> list[str]:
    """One line per (input, arch): every value's summary, every variant's abiDesc, the spec's
    assignment and both direct-interface flavours, or the error. Fresh types per arch."""
    from regabi.errors import RegabiError
    from regabi.model.arch import parse_arch_spec
    from regabi.model.assign import is_direct, reflect_assign, spec_assign
    from regabi.model.summary import summarize
    from regabi.model.syntax import parse_signature
    from regabi.model.variants import VARIANTS

    out = []
    for arch_name in ARCHS:
        arch = parse_arch_spec(arch_name)
        ps = arch.ptr_size
        for text, recv in _inputs()[lo:hi]:
            row: list[str] = [arch_name, text, str(recv)]
            try:
                sig = parse_signature(text, recv=recv, ptr_size=ps)
                ts = [*((sig.recv,) if sig.recv is not None else ()), *sig.params, *sig.results]
                row += [repr(summarize(t, ps)) for t in ts]
                row += [repr((is_direct(t, ps, v), v.name)) for t in ts
                        for v in VARIANTS.values()]
                for v in VARIANTS.values():
                    try:
                        row.append(repr(reflect_assign(sig, arch, v)))
                    except RegabiError as e:
                        row.append(f"error {type(e).__name__}: {e}")
                row.append(repr(spec_assign(sig, arch)))
            except RegabiError as e:
                row.append(f"error {type(e).__name__}: {e}")
            except RecursionError:
                row.append("error RecursionError")
            out.append("\t".join(row))
    return out


def _generic(lo: int, hi: int) -> list[str]:
    env = dict(os.environ, REGABI_NO_SPECIALIZE="1")
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r}); "
            f"import json, test_specialize as t; print(json.dumps(t._results({lo}, {hi})))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _domain_calls(fn: object) -> int:
    """How many ``D.<operation>`` look-ups the function's bytecode does."""
    import dis
    from itertools import pairwise

    ins = list(dis.get_instructions(fn))  # type: ignore[arg-type]
    return sum(a.opname == "LOAD_FAST" and a.argval == "D" and b.opname in ("LOAD_METHOD",
                                                                              "LOAD_ATTR")
               for a, b in pairwise(ins))


def test_the_specialised_functions_are_in_use() -> None:
    from regabi.model import assign, summary

    assert summary.summarize is not summary._g_summarize
    assert assign.reflect_assign is not assign._g_reflect_assign
    # the struct fold and reflect's per-value steps keep at most a few domain calls (those
    # whose arguments may not be skipped or evaluated twice)
    for mod, name in ((summary, "struct_field"), (summary, "struct_end"), (assign, "_place"),
                      (assign, "refl_group"), (assign, "refl_end_arg"),
                      (assign, "_add_type_bits")):
        g, c = _domain_calls(getattr(mod, name)), _domain_calls(getattr(mod, f"_c_{name}"))
        assert g >= 4 and c <= g // 3, (name, g, c)


@pytest.mark.parametrize("part", range(4))
def test_specialised_equals_generic(part: int) -> None:
    n = len(_inputs())
    lo, hi = part * n // 4, (part + 1) * n // 4
    mine, theirs = _results(lo, hi), _generic(lo, hi)
    assert len(mine) == len(theirs) == len(ARCHS) * (hi - lo)
    for a, b in zip(mine, theirs, strict=True):
        assert a == b, f"seed {SEED}: specialised\n{a}\ngeneric\n{b}"
    errors = sum("\terror " in x for x in mine)
    assert errors < len(mine) // 4  # mostly real layouts, not errors


def test_a_patched_generic_function_reaches_the_concrete_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A mutant put in place of a generic function (as tests/test_prove.py does) is what the
    specialised code calls. By hand: with _place's stack offset moved 8 bytes up, func([2]int)
    on amd64 (an array of 2 is never register-assigned, ASG-3) has its argument at 8, not 0."""
    from regabi.model import assign
    from regabi.model.arch import load_arch
    from regabi.model.syntax import parse_signature
    from regabi.model.variants import get_variant

    amd64, cur = load_arch("amd64"), get_variant("current")
    sig = parse_signature("func([2]int)")
    assert assign.reflect_assign(sig, amd64, cur).call.steps[0].stkoff == 0
    orig = assign._place

    def bad(D, st, c, s, ok, v):  # type: ignore[no-untyped-def]
        st2, p = orig(D, st, c, s, ok, v)
        return st2, p._replace(off=p.off + 8)

    monkeypatch.setattr(assign, "_place", bad)
    assert assign.reflect_assign(sig, amd64, cur).call.steps[0].stkoff == 8
    monkeypatch.undo()
    assert assign.reflect_assign(sig, amd64, cur).call.steps[0].stkoff == 0


def test_the_bytecode_cache_is_keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache written under one key is read back under it and ignored under any other (a
    changed source), like a .pyc; a damaged file is ignored; PYTHONDONTWRITEBYTECODE writes
    nothing."""
    from regabi.model import specialize as sp

    code = compile("x = 1", "<t>", "exec")
    f = str(tmp_path / "m.concrete.bin")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    sp.store_cached(f, "key-1", code)
    assert not Path(f).exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    sp.store_cached(f, "key-1", code)
    assert sp.load_cached(f, "key-1") == code
    assert sp.load_cached(f, "key-2") is None
    Path(f).write_bytes(b"\x00garbage")
    assert sp.load_cached(f, "key-1") is None
    # a directory that cannot be made: not written (the user's cache is tried next)
    bad = str(tmp_path / "m.concrete.bin" / "sub" / "x.bin")
    assert sp.store_cached(bad, "key-1", code) is False


_RECORD_SRC = b'''
from typing import NamedTuple

class P(NamedTuple):
    a: int
    b: int
    c: int = 0

def side(log, x):
    log.append(x)
    return x

def pure(D, p: P, x) -> P:
    return p._replace(c=x + 1, a=x)

def ordered(D, p: P, log):
    return p._replace(a=side(log, 1), c=side(log, 3))

def unordered(D, p: P, log):
    return p._replace(c=side(log, 3), a=side(log, 1))

def through(D, p: P):
    q = pure(D, p, 5)
    r = q._replace(b=7)
    return r._replace(a=r.a + 1)

def build(D, x):
    return P(x, b=x + 1)

def build_unordered(D, log):
    return P(c=side(log, 3), a=side(log, 1), b=2)
'''


def test_replace_is_built_directly_and_exactly() -> None:
    """The specialiser's NamedTuple rules (model/specialize_rules.py): a NamedTuple local's
    ``_replace``, and a call of the class, become a direct tuple build where that is exact —
    ``_replace`` checks the class at run time (a subclass takes ``_replace``), and impure
    values given out of field order are left alone, so the evaluation order is kept. Expected
    values written by hand."""
    from regabi.model.specialize_rules import compile_concrete

    names = ["pure", "ordered", "unordered", "through", "build", "build_unordered"]
    ns: dict[str, object] = {"__name__": "t"}
    exec(compile(_RECORD_SRC, "<t>", "exec"), ns)
    code = compile_concrete(_RECORD_SRC, "<t>", names, [], [], {"P": ("a", "b", "c")},
                            {"P": {"c": 0}})
    exec(code, ns)
    P = ns["P"]

    class Q(P):  # type: ignore[misc, valid-type]
        pass

    def co(fn: str) -> str:
        return str(ns[f"_c_{fn}"].__code__.co_names)  # type: ignore[attr-defined]

    assert "_sp_tnew" in co("pure") and "_sp_tnew" in co("ordered")
    assert "_sp_tnew" not in co("unordered")  # side effects out of field order: kept
    assert "_sp_tnew" in co("through")  # q, r: classes from the return annotation, _replace
    p = P(1, 2)  # type: ignore[operator]
    assert ns["_c_pure"](None, p, 4) == (4, 2, 5)  # type: ignore[operator]
    assert type(ns["_c_pure"](None, Q(1, 2), 4)) is Q  # type: ignore[operator]
    log: list[int] = []
    assert ns["_c_ordered"](None, p, log) == (1, 2, 3) and log == [1, 3]  # type: ignore[operator]
    log = []
    assert ns["_c_unordered"](None, p, log) == (1, 2, 3) and log == [3, 1]  # type: ignore[operator]
    assert ns["_c_through"](None, p) == (6, 7, 6)  # type: ignore[operator]
    # constructors: built directly, the default filled in; out of order with side effects, kept
    assert "_sp_tnew" in co("build")
    assert ns["_c_build"](None, 4) == (4, 5, 0)  # type: ignore[operator]
    assert type(ns["_c_build"](None, 4)) is P
    assert "_sp_tnew" not in co("build_unordered")
    log = []
    assert ns["_c_build_unordered"](None, log) == (1, 2, 3) and log == [3, 1]  # type: ignore[operator]
