"""Pointer bitmaps (BMP-1) rendered in time linear in their length.

A bitmap is a Python int ``mask`` (bit i = word i is a pointer) with ``n`` words (bitVector.n).
A bit-by-bit loop over a big int costs O(n) per bit, O(n²) in all: a 128 MiB frame took a
minute. Here the int is converted once to bytes or to a bit string (C speed) and scanned with
``find``/``startswith``; the Python-level work is proportional to the number of pointer runs
that do not fold into progressions (arrays), not to the number of words.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["MAX_STRIDE", "bits_string", "expand_runs", "folded_runs", "hex_bytes",
           "hex_summary", "runs_summary"]

#: Progressions are looked for up to this period, in words (an array element's size in words).
MAX_STRIDE = 1 << 12
#: A period may hold up to this many runs (pointer fields of one array element).
MAX_BLOCK = 4

_NONZERO = bytes([0] + [1] * 255)  # translate: 1 where a byte has any pointer bit
_GAP = b"\0" * (MAX_STRIDE // 8 + 1)  # zero bytes no progression can span


def _bytes(mask: int, n: int) -> bytes:
    # more than ceil(n/8) bytes only if mask has bits past n, which no sound abiDesc has
    return mask.to_bytes((max(n, mask.bit_length()) + 7) // 8, "little")


def hex_bytes(mask: int, n: int) -> str:
    """The bitmap as Go stores a bitVector's bytedata — bit i in byte i/8, bit i%8 — in hex,
    ``ceil(n/8)`` bytes: ``hex_bytes(0b1_0000_0001, 9) == "0101"``."""
    return _bytes(mask, n).hex()


def bits_string(mask: int, n: int) -> str:
    """Word 0 first, one character per word (as Go's TestFuncLayout prints them)."""
    return (format(mask, "b")[::-1] if mask else "").ljust(n, "0")


def _unit_repeats(s: str, a: int, stride: int) -> int:
    """Largest r with ``s[a:a + r*stride] == s[a + stride:a + (r+1)*stride]``, i.e. ``s[a:]``
    repeats its first ``stride`` characters r + 1 times. Blocks of doubling, then halving,
    numbers of units, each compared once at C speed: O(extent) in all."""
    lim = (len(s) - a - stride) // stride
    done, step = 0, 1
    while done < lim:  # gallop while whole blocks agree
        step = min(step, lim - done)
        lo = a + stride + done * stride
        if not s.startswith(s[lo:lo + step * stride], a + done * stride):
            break
        done += step
        step *= 2
    else:
        return lim
    while step > 1:  # the first disagreeing unit is in [done, done + step)
        half = step // 2
        lo = a + stride + done * stride
        if s.startswith(s[lo:lo + half * stride], a + done * stride):
            done += half
            step -= half
        else:
            step = half
    return done


def _fold_segment(s: str, base: int, out: list[tuple[int, int, int, int]]) -> None:
    """Fold the runs of ``s`` (bit string, word ``base`` first) into ``out``."""
    n = len(s)
    find, startswith = s.find, s.startswith

    def run_end(k: int) -> int:
        e = find("0", k)
        return n if e < 0 else e

    i = find("1")
    while i >= 0:
        j = run_end(i)
        # the period: the distance to one of the next MAX_BLOCK run starts, if s[i:] repeats
        # with it at least twice and the third period starts with the same run
        d = 0
        block: list[tuple[int, int]] = [(0, j - i)]
        q = j
        while len(block) <= MAX_BLOCK:
            nxt = find("1", q)
            if nxt < 0 or nxt - i > MAX_STRIDE:
                break
            if startswith(s[i:nxt], nxt) and startswith(s[i:j], 2 * nxt - i):
                d = nxt - i
                break
            q = run_end(nxt)
            block.append((nxt - i, q - nxt))
        if not d:
            out.append((base + i, j - i, 1, 0))
            i = find("1", j)
            continue
        k = 1 + _unit_repeats(s, i, d)  # k ≥ 2 whole periods
        p = i + k * d
        tail = 0  # the block's first runs that recur once more after the last whole period
        for off, ln in block:
            e = p + off + ln
            if startswith(s[i:i + off + ln], p) and (e == n or s[e] == "0"):
                tail += 1
            else:
                break
        if k + (tail > 0) < 3:  # too short to fold: the first run alone
            out.append((base + i, j - i, 1, 0))
            i = find("1", j)
            continue
        out.extend((base + i + off, ln, k + (x < tail), d) for x, (off, ln) in enumerate(block))
        i = find("1", p + block[tail - 1][0] + block[tail - 1][1] if tail else p)


def folded_runs(mask: int) -> list[tuple[int, int, int, int]]:
    """Maximal runs of pointer words folded into arithmetic progressions ``(first, length,
    count, stride)``: run k < count covers words ``[first + k*stride, first + k*stride +
    length)``; ``stride`` is 0 exactly when ``count`` is 1. A pattern of up to
    :data:`MAX_BLOCK` runs that repeats with a period ≤ :data:`MAX_STRIDE` words at least
    three times (an array of pointers, or of structs with pointer fields) becomes one
    progression per run of the pattern. Sorted by ``first``; progressions may interleave."""
    if mask <= 0:
        return []
    b = mask.to_bytes((mask.bit_length() + 7) // 8, "little")
    nonzero = b.translate(_NONZERO)
    out: list[tuple[int, int, int, int]] = []
    pos = nonzero.find(1)
    while pos >= 0:  # segments between zero gaps too long to be inside a period
        end = b.find(_GAP, pos)
        end = len(b) if end < 0 else end
        seg = int.from_bytes(b[pos:end], "little")
        _fold_segment(format(seg, "b")[::-1], pos * 8, out)
        pos = nonzero.find(1, end)
    return out


def expand_runs(runs: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """The plain runs ``(first word, length)`` of :func:`folded_runs`' output, in order."""
    return sorted((a + k * st, ln) for a, ln, c, st in runs for k in range(c))


def runs_summary(runs: list[tuple[int, int, int, int]] | list[list[int]], limit: int = 8) -> str:
    """Folded runs in words: ``word 0 and every 2nd word to 8 (5 runs); words 10..12``; at
    most ``limit`` items."""
    parts: list[str] = []
    for a, ln, count, stride in runs[:limit]:
        one = f"word {a}" if ln == 1 else f"words {a}..{a + ln - 1}"
        if count == 1:
            parts.append(one)
            continue
        last = a + (count - 1) * stride
        to = f"{last}" if ln == 1 else f"{last}..{last + ln - 1}"
        every = "2nd word" if stride == 2 else f"{stride} words"
        parts.append(f"{one} and every {every} to {to} ({count} runs)")
    if len(runs) > limit:
        more = len(runs) - limit
        parts.append(f"… {more} more item{'s' if more != 1 else ''}")
    return "; ".join(parts)


@cache
def _repeat(v: int) -> re.Pattern[bytes]:
    return re.compile(re.escape(bytes([v])) + b"+")


def hex_summary(data: bytes, limit: int = 12) -> str:
    """Bytes (as :func:`hex_bytes` spells them) with repeats folded, ``00×262144 03``; at most
    ``limit`` groups, then ``… K more bytes``."""
    parts: list[str] = []
    i = 0
    while i < len(data):
        if len(parts) == limit:
            parts.append(f"… {len(data) - i} more byte{'s' if len(data) - i != 1 else ''}")
            break
        m = _repeat(data[i]).match(data, i)
        assert m is not None
        reps = m.end() - i
        parts.append(f"{data[i]:02x}" if reps == 1 else f"{data[i]:02x}×{reps}")
        i = m.end()
    return " ".join(parts)
