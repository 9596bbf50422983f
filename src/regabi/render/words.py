"""Plain-language pieces for messages about frames: byte ranges that may be empty and places
that may be missing, so that no message reads ``[16,16)`` or ``at None``."""

from __future__ import annotations

__all__ = ["byte_span", "call_n_text", "place", "reg_part"]


def byte_span(lo: int, hi: int, what: str = "bytes") -> str:
    """``bytes [16,24)``; ``no bytes`` when ``hi <= lo``."""
    if hi <= lo:
        return f"no {what}"
    return f"{what} [{lo},{hi})"


def place(stack_offset: int | None, regs: list[str] | None = None, size: int | None = None) -> str:
    """Where a value is: ``on the stack at 8``, ``in AX, BX``, ``nowhere (zero size)`` or
    ``not on the stack`` — never ``at None``."""
    if stack_offset is not None:
        return f"on the stack at {stack_offset}"
    if regs:
        return "in " + ", ".join(regs)
    if size == 0:
        return "nowhere (zero size)"
    return "not on the stack"


def call_n_text(call_n: int | None, frame_size: int) -> str:
    """``call16``; for a frame beyond the largest callN, what reflectcall does instead
    (go1.27.3 runtime/asm_amd64.s:757 jumps to badreflectcall, proc.go:596 panics)."""
    if call_n is not None:
        return f"call{call_n}"
    return (f"no callN holds {frame_size} bytes: reflectcall panics "
            "\"arg size to reflect.call more than 1GB\"")


def reg_part(reg: str, offset: int, size: int, pointer: bool = False) -> str:
    """One register part of a value as ``regabi layout`` shows it: ``BX[0:1]`` (bytes 0..1
    of the value in BX), ``SI*[0:8]`` for a pointer part."""
    return f"{reg}{'*' if pointer else ''}[{offset}:{offset + size}]"
