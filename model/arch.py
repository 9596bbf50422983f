"""Architecture register tables for Go's ABIInternal (spec/arch.md).

The tables themselves are data: one TOML file per configuration under
``spec/arch/`` (package data of ``regabi.spec``).  This module loads them into
immutable :class:`Arch` values, computes the ``internal/abi.RegArgs`` memory
layout rule (ARCH-11) and builds synthetic configurations with other register
counts (ARCH-14).

Imports are deliberately light (``dataclasses``, ``functools``; ``tomllib`` when a table is
first parsed, not when its parse is cached; ``importlib.resources`` only for a zipped install)
because the CLI imports this module at start-up.
"""

from __future__ import annotations

import functools
import os
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "FLOAT32_REG_FORMATS",
    "Arch",
    "ArchError",
    "RegArgsLayout",
    "arch_names",
    "load_arch",
    "regargs_layout",
    "split_arch_specs",
]

#: Allowed values of ``float32_reg_format`` (ARCH-8).
FLOAT32_REG_FORMATS: frozenset[str] = frozenset({"", "low32", "float64", "nanbox", "high32"})

_EMPTY: Mapping[str, Any] = MappingProxyType({})


try:
    from regabi.errors import ArchError as _ArchErrorBase
except ImportError:  # source tree used without the regabi package (tests' fallback)

    class _ArchErrorBase(ValueError):  # type: ignore[no-redef]
        exit_status = 2


class ArchError(_ArchErrorBase, KeyError):
    """Unknown or malformed architecture configuration.

    A :class:`regabi.errors.ArchError` (hence a ``RegabiError`` and a
    :class:`ValueError`) that is also a :class:`KeyError` (unknown name), so
    callers may catch any of these.
    """

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class RegArgsLayout:
    """Byte offsets of the fields of ``internal/abi.RegArgs`` and its size.

    Field order is ``Ints``, ``Floats``, ``Ptrs``, ``ReturnIsPtr``
    (go1.27.3 src/internal/abi/abi.go:21-45).
    """

    ints_offset: int
    floats_offset: int
    ptrs_offset: int
    return_is_ptr_offset: int
    size: int


def _round_up(n: int, align: int) -> int:
    return (n + align - 1) // align * align


def regargs_layout(n_int: int, n_float: int, ptr_size: int) -> RegArgsLayout:
    """Compute the memory layout of ``internal/abi.RegArgs`` (rule ARCH-11).

    The struct is ``{Ints [n_int]uintptr; Floats [n_float]uint64;
    Ptrs [n_int]unsafe.Pointer; ReturnIsPtr [(n_int+7)/8]uint8}`` laid out by
    the gc compiler's rules (cmd/compile/internal/types/size.go): ``uint64`` is
    aligned to the register size (assumed equal to ``ptr_size``, true for every
    Go 1.27 port), a zero-length array keeps its element's alignment, a
    non-empty struct ending in a zero-size field gets one byte of padding, and
    the size is rounded up to the struct alignment (``ptr_size``).

    Parameters
    ----------
    n_int : int
        Number of integer argument registers (``abi.IntArgRegs``).
    n_float : int
        Number of floating-point argument registers (``abi.FloatArgRegs``).
    ptr_size : int
        Pointer (and register) size in bytes: 4 or 8.

    Returns
    -------
    RegArgsLayout
        Field offsets and ``unsafe.Sizeof(RegArgs{})``.

    Raises
    ------
    ArchError
        If a count is negative or ``ptr_size`` is not 4 or 8.

    Examples
    --------
    amd64: Ints 9*8 = 72 bytes; Floats at 72, 15*8 = 120 bytes; Ptrs at 192,
    72 bytes; ReturnIsPtr at 264, 2 bytes; 266 rounded to 8 is 272.

    >>> r = regargs_layout(9, 15, 8)
    >>> (r.floats_offset, r.ptrs_offset, r.return_is_ptr_offset, r.size)
    (72, 192, 264, 272)
    >>> regargs_layout(0, 0, 8).size
    0
    """
    if n_int < 0 or n_float < 0:
        raise ArchError(f"register counts must be >= 0, got {n_int}/{n_float}")
    if ptr_size not in (4, 8):
        raise ArchError(f"ptr_size must be 4 or 8, got {ptr_size}")
    u64_align = min(8, ptr_size)  # types/size.go:290: uint64 align = RegSize
    ints_offset = 0
    floats_offset = _round_up(ints_offset + n_int * ptr_size, u64_align)
    ptrs_offset = _round_up(floats_offset + n_float * 8, ptr_size)
    rip_offset = ptrs_offset + n_int * ptr_size  # [N]uint8: align 1
    bitmap_len = (n_int + 7) // 8
    end = rip_offset + bitmap_len
    if end > 0 and bitmap_len == 0:
        end += 1  # types/size.go:520: trailing zero-size field padding
    # Struct alignment: max field alignment = ptr_size ([0]uintptr keeps it).
    size = _round_up(end, ptr_size)
    return RegArgsLayout(ints_offset, floats_offset, ptrs_offset, rip_offset, size)


@dataclass(frozen=True, slots=True)
class Arch:
    """One architecture configuration (a ``spec/arch/<name>.toml`` table).

    Attributes mirror the TOML schema described in spec/arch.md (ARCH-1 to
    ARCH-13); ``int_regs``/``float_regs`` are the TOML ``int_arg_regs`` and
    ``float_arg_regs`` in assignment order.  ``reserved`` and ``sources`` are
    read-only mappings; list values in ``reserved`` become tuples.
    """

    name: str
    goarch: str
    ptr_size: int
    reg_size: int
    big_endian: bool
    max_width: int
    int_regs: tuple[str, ...]
    float_regs: tuple[str, ...]
    float_reg_size: int
    regabi: bool
    reserved: Mapping[str, object]
    regargs: RegArgsLayout
    call_sizes: tuple[int, ...]
    fixed_frame_size: int
    sources: Mapping[str, str]
    float32_reg_format: str = ""
    synthetic: bool = field(default=False)

    def __hash__(self) -> int:
        # Mappings are unhashable; hash a subset of the fields that
        # equality also compares, which keeps hash/eq consistent.
        return hash(
            (
                self.name,
                self.goarch,
                self.ptr_size,
                self.int_regs,
                self.float_regs,
                self.float_reg_size,
                self.regargs,
                self.call_sizes,
            )
        )

    @property
    def n_int(self) -> int:
        """Number of integer argument/result registers."""
        return len(self.int_regs)

    @property
    def n_float(self) -> int:
        """Number of floating-point argument/result registers."""
        return len(self.float_regs)

    def int_reg_name(self, i: int) -> str:
        """Name of integer argument register ``i``.

        Parameters
        ----------
        i : int
            Index in assignment order, ``0 <= i < n_int``.

        Returns
        -------
        str
            The register name, e.g. ``"AX"`` for amd64 index 0.

        Raises
        ------
        IndexError
            If ``i`` is out of range.
        """
        if not 0 <= i < len(self.int_regs):
            raise IndexError(f"{self.name}: no integer argument register {i} (n_int={self.n_int})")
        return self.int_regs[i]

    def float_reg_name(self, i: int) -> str:
        """Name of floating-point argument register ``i``.

        Parameters
        ----------
        i : int
            Index in assignment order, ``0 <= i < n_float``.

        Returns
        -------
        str
            The register name, e.g. ``"X0"`` for amd64 index 0.

        Raises
        ------
        IndexError
            If ``i`` is out of range.
        """
        if not 0 <= i < len(self.float_regs):
            raise IndexError(
                f"{self.name}: no float argument register {i} (n_float={self.n_float})"
            )
        return self.float_regs[i]

    def with_regs(self, n_int: int, n_float: int, float_reg_size: int | None = None) -> Arch:
        """Return a synthetic configuration with other register counts (ARCH-14).

        The first registers keep this table's names; registers past the table
        are named ``R<i>`` / ``F<i>`` (``i`` the index in assignment order),
        with a trailing ``'`` if that name is already used by the table (e.g.
        amd64 index 9 is ``R9'`` because ``R9`` is index 6).  ``RegArgs`` is
        recomputed with :func:`regargs_layout`; everything else (pointer size,
        endianness, reserved registers, reflectcall sizes) is kept.

        Parameters
        ----------
        n_int : int
            Number of integer argument registers, ``>= 0``.
        n_float : int
            Number of floating-point argument registers, ``>= 0``.
        float_reg_size : int or None, optional
            ``EffectiveFloatRegSize`` (0, 4 or 8).  By default this
            configuration's value, or 8 if that is 0 and ``n_float > 0``, or 0
            when ``n_float == 0``.

        Returns
        -------
        Arch
            A new configuration named ``"<name>/regs=<n_int>,<n_float>"``
            with ``synthetic=True``.

        Raises
        ------
        ArchError
            If a count is negative or ``float_reg_size`` is not 0, 4 or 8.
        """
        if n_int < 0 or n_float < 0:
            raise ArchError(f"register counts must be >= 0, got {n_int}/{n_float}")
        if float_reg_size is None:
            if n_float == 0:
                float_reg_size = 0
            else:
                float_reg_size = self.float_reg_size or 8
        if float_reg_size not in (0, 4, 8):
            raise ArchError(f"float_reg_size must be 0, 4 or 8, got {float_reg_size}")
        f32 = self.float32_reg_format if n_float else ""
        if n_float and not f32:
            f32 = "low32"  # reflect/float32reg_generic.go: the portable default
        note = f"synthetic: {self.name}.with_regs({n_int}, {n_float}, {float_reg_size})"
        sources = dict(self.sources)
        for key in ("int_arg_regs", "float_arg_regs", "float_reg_size", "regabi", "regargs"):
            sources[key] = note
        return Arch(
            name=f"{self.name}/regs={n_int},{n_float}",
            goarch=self.goarch,
            ptr_size=self.ptr_size,
            reg_size=self.reg_size,
            big_endian=self.big_endian,
            max_width=self.max_width,
            int_regs=_extend_names(self.int_regs, n_int, "R"),
            float_regs=_extend_names(self.float_regs, n_float, "F"),
            float_reg_size=float_reg_size,
            regabi=(n_int + n_float) > 0,
            reserved=self.reserved,
            regargs=regargs_layout(n_int, n_float, self.ptr_size),
            call_sizes=self.call_sizes,
            fixed_frame_size=self.fixed_frame_size,
            sources=MappingProxyType(sources),
            float32_reg_format=f32,
            synthetic=True,
        )


def _extend_names(table: tuple[str, ...], n: int, prefix: str) -> tuple[str, ...]:
    if n <= len(table):
        return table[:n]
    names = list(table)
    used = set(table)
    for i in range(len(table), n):
        name = f"{prefix}{i}"
        while name in used:
            name += "'"
        used.add(name)
        names.append(name)
    return tuple(names)


# --------------------------------------------------------------------------- loading


def _arch_dir() -> Any:
    """Directory of the TOML tables: package data, else the source tree."""
    try:
        import regabi.spec
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "spec" / "arch"
    d = Path(regabi.spec.__file__).parent / "arch"
    if d.is_dir():  # importlib.resources costs tens of milliseconds of imports
        return d
    from importlib import resources  # a zipped install

    return resources.files("regabi.spec") / "arch"


def arch_names() -> list[str]:
    """List the known configuration names.

    Returns
    -------
    list of str
        Sorted stems of ``spec/arch/*.toml`` (e.g. ``["386", "amd64", ...]``).
    """
    return list(_arch_names())


@functools.cache
def _arch_names() -> tuple[str, ...]:
    names = [p.name[: -len(".toml")] for p in _arch_dir().iterdir() if p.name.endswith(".toml")]
    return tuple(sorted(names))


@functools.cache
def load_arch(name: str) -> Arch:
    """Load (and cache) the configuration ``spec/arch/<name>.toml``.

    Parameters
    ----------
    name : str
        Configuration name as used by ``--arch``, e.g. ``"amd64"`` or
        ``"amd64-abi0"``, or one with other register counts (:func:`parse_arch_spec`).

    Returns
    -------
    Arch
        The validated, immutable configuration.

    Raises
    ------
    ArchError
        If no such configuration exists, or its table is inconsistent
        (e.g. its ``[regargs]`` disagrees with :func:`regargs_layout`).
    """
    if ":" in name or "/regs=" in name:  # NAME:INT,FLOAT, so the spec round-trips as a name
        return parse_arch_spec(name)
    if name.endswith(".toml"):
        return _load_own_table(name)
    known = _arch_names()
    if name not in known:
        raise ArchError(f"unknown arch {name!r} (known: {', '.join(known)})")
    path = _arch_dir() / f"{name}.toml"
    return _from_toml(name, _read_table(path, path.read_text(encoding="utf-8"), name))


def _load_own_table(spec: str) -> Arch:
    """ARCH-16: ``--arch PATH.toml``, a table of the user's own (a port in progress), held to
    every rule a built-in table is. The configuration is named by the path as given, so that
    the name round-trips through :func:`load_arch` (worker processes, ``NAME:INT,FLOAT``)."""
    path = Path(spec)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArchError(f"--arch {spec}: no such file") from None
    except IsADirectoryError:
        raise ArchError(f"--arch {spec}: is a directory, not a TOML table") from None
    except OSError as e:
        raise ArchError(f"--arch {spec}: cannot read it: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise ArchError(f"--arch {spec}: byte {e.start}: not UTF-8 text") from None
    stem = path.name[: -len(".toml")]
    # str, not Path: no parse cache is written beside a file of the user's
    arch = _from_toml(stem, _read_table(str(path), text, stem, where=spec), where=spec)
    # normalised, so that ./port.toml and port.toml are one name (e.g. in a check baseline)
    return replace(arch, name=os.path.normpath(spec))


def _read_table(path: Any, text: str, name: str, where: str = "") -> dict[str, Any]:
    """The TOML table ``text`` of ``path``, parsed; from a cache of the parse when one was
    written for the same text (as Python caches bytecode: keyed on the text and the Python
    version, with ``marshal``, in ``__pycache__`` next to the table), because ``tomllib`` and
    its imports cost a ``regabi layout`` start about as much as the rest of its imports."""
    try:
        from regabi.model.specialize import cache_files, load_cached, store_cached
    except ImportError:  # source tree used without the regabi package
        cache_files = None  # type: ignore[assignment]
    files: list[str] = []
    if cache_files is not None and isinstance(path, Path):
        raw = text.encode()
        key = repr((sys.version, "toml", len(raw), zlib.crc32(raw)))
        files = cache_files(str(path), f"{path.name}-{sys.implementation.cache_tag}.bin")
        for cf in files:
            hit = load_cached(cf, key)
            if isinstance(hit, dict):
                return hit
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ArchError(f"{where or f'spec/arch/{name}.toml'}: {e}") from e
    for cf in files:
        try:
            if store_cached(cf, key, data):
                break
        except ValueError:  # a value marshal cannot write (a TOML date): no cache
            break
    return data


def _from_toml(name: str, d: Mapping[str, Any], where: str = "") -> Arch:
    def bad(msg: str) -> ArchError:
        return ArchError(f"{where or f'spec/arch/{name}.toml'}: {msg}")

    try:
        ra = d["regargs"]
        rc = d["reflectcall"]
        reserved = {k: tuple(v) if isinstance(v, list) else v for k, v in d["reserved"].items()}
        arch = Arch(
            name=d["name"],
            goarch=d["goarch"],
            ptr_size=int(d["ptr_size"]),
            reg_size=int(d["reg_size"]),
            big_endian=bool(d["big_endian"]),
            max_width=int(d["max_width"]),
            int_regs=tuple(d["int_arg_regs"]),
            float_regs=tuple(d["float_arg_regs"]),
            float_reg_size=int(d["float_reg_size"]),
            regabi=bool(d["regabi"]),
            reserved=MappingProxyType(reserved),
            regargs=RegArgsLayout(
                ints_offset=int(ra["ints_offset"]),
                floats_offset=int(ra["floats_offset"]),
                ptrs_offset=int(ra["ptrs_offset"]),
                return_is_ptr_offset=int(ra["return_is_ptr_offset"]),
                size=int(ra["size"]),
            ),
            call_sizes=tuple(int(x) for x in rc["call_sizes"]),
            fixed_frame_size=int(rc["fixed_frame_size"]),
            sources=MappingProxyType(dict(d.get("sources", _EMPTY))),
            float32_reg_format=str(d.get("float32_reg_format", "")),
        )
    except KeyError as e:
        raise bad(f"missing key {e.args[0]!r}") from e
    except (TypeError, ValueError, AttributeError) as e:  # e.g. ptr_size = "8", a list for a table
        raise bad(f"a value of the wrong type ({e})") from e
    if arch.name != name:
        raise bad(f"name = {arch.name!r} does not match the file name")
    if arch.ptr_size not in (4, 8) or arch.reg_size != arch.ptr_size:
        raise bad(f"ptr_size/reg_size {arch.ptr_size}/{arch.reg_size} unsupported")
    if arch.float_reg_size not in (0, 4, 8):
        raise bad(f"float_reg_size {arch.float_reg_size} not in (0, 4, 8)")
    if (arch.float_reg_size == 0) != (arch.n_float == 0):
        raise bad("float_reg_size must be 0 exactly when there are no float registers")
    if arch.regabi != (arch.n_int + arch.n_float > 0):
        raise bad("regabi must be true exactly when there are argument registers")
    if arch.float32_reg_format not in FLOAT32_REG_FORMATS or (
        bool(arch.float32_reg_format) != (arch.n_float > 0)
    ):
        raise bad(f"bad float32_reg_format {arch.float32_reg_format!r}")
    for regs in (arch.int_regs, arch.float_regs):
        if len(set(regs)) != len(regs):
            raise bad("duplicate argument register name")
    want = regargs_layout(arch.n_int, arch.n_float, arch.ptr_size)
    if arch.regargs != want:
        diff = "; ".join(f"{f.name} = {getattr(arch.regargs, f.name)}, expected "
                         f"{getattr(want, f.name)}" for f in fields(want)
                         if getattr(arch.regargs, f.name) != getattr(want, f.name))
        raise bad(f"[regargs] {diff} (ARCH-11: RegArgs of {arch.n_int} integer and "
                  f"{arch.n_float} float registers, pointer size {arch.ptr_size})")
    cs = arch.call_sizes
    doubling = all(cs[k + 1] == 2 * cs[k] for k in range(len(cs) - 1))
    if not cs or not doubling or cs[0] & (cs[0] - 1):
        raise bad("call_sizes must be consecutive powers of two")
    required = [*_REQUIRED_SOURCES, *(f"reserved.{k}" for k in arch.reserved)]
    missing = [k for k in required if k not in arch.sources]
    if missing:
        raise bad(f"[sources] lacks {', '.join(missing)}")
    return arch


_REQUIRED_SOURCES: tuple[str, ...] = (
    "goarch",
    "ptr_size",
    "reg_size",
    "big_endian",
    "max_width",
    "int_arg_regs",
    "float_arg_regs",
    "float_reg_size",
    "float32_reg_format",
    "regabi",
    "regargs",
    "call_sizes",
    "fixed_frame_size",
)


#: the most argument registers of either class a custom configuration may ask for: far above
#: any real port (amd64 has 9 int, 15 float) yet small enough to keep RegArgs and the state
#: spaces bounded
MAX_CUSTOM_REGS = 64


def split_arch_specs(xs: list[str] | None) -> list[str]:
    """Repeated or comma-separated ``--arch`` values as one list of specs. ``NAME:INT,FLOAT``
    holds a comma itself: a number right after ``NAME:INT`` (or ``NAME/regs=INT``) is its
    FLOAT, any other item a spec of its own (``s390x,386`` is two architectures)."""
    import re

    out: list[str] = []
    for x in xs or []:
        for y in x.split(","):
            y = y.strip()
            if out and re.fullmatch(r"\d+", y) and re.search(r"[:=]\s*\d+$", out[-1]):
                out[-1] = f"{out[-1]},{y}"
            elif y:
                out.append(y)
    return out


def parse_arch_spec(spec: str) -> Arch:
    """The configuration named by ``--arch``: ``NAME`` or ``NAME:INT,FLOAT`` (other register
    counts, ARCH-14; the older ``NAME/regs=INT,FLOAT`` is accepted too).

    Raises
    ------
    ArchError
        Naming the problem and the column of ``spec`` where it starts, e.g.
        ``--arch amd64:1: column 7: register counts must be INT,FLOAT …``.
    """
    text = spec.strip()
    base, sep, regs = text.partition(":")
    if not sep and "/regs=" in text:
        base, _, regs = text.partition("/regs=")
        sep = ":"
    if not base:
        raise ArchError(f"--arch {spec!r}: column 1: empty architecture name "
                        f"(known: {', '.join(_arch_names())})")
    if base not in _arch_names() and not base.endswith(".toml"):
        raise ArchError(f"--arch {spec!r}: column 1: unknown architecture {base!r} "
                        f"(known: {', '.join(_arch_names())}, or a table of your own, "
                        "PATH.toml)")
    a = load_arch(base)
    if not sep:
        return a
    col = len(base) + 2
    parts = regs.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ArchError(f"--arch {spec!r}: column {col}: register counts must be INT,FLOAT "
                        f"(two non-negative integers, e.g. {base}:2,1), got {regs!r}")
    ni, nf = (int(p) for p in parts)
    for n, what in ((ni, "integer"), (nf, "float")):
        if n > MAX_CUSTOM_REGS:
            raise ArchError(f"--arch {spec!r}: column {col}: {n} {what} argument registers "
                            f"is more than the supported {MAX_CUSTOM_REGS}")
    return a.with_regs(ni, nf)
