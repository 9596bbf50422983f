"""Go constant expressions, evaluated with Go's rules (spec rule SIG-6): untyped and typed
constants, iota, conversions, ``len``/``real``/``imag``/``complex``/``min``/``max`` and
``unsafe.Sizeof``/``Alignof``/``Offsetof`` with the model's layout for the target's pointer size.

Values are exact (Python ints and Fractions), as go/constant's are (go1.27.3
src/go/constant/value.go); errors use go/types' wording (src/go/types/const.go, expr.go,
conversions.go, builtins.go, typexpr.go arrayLength). The :class:`Host` (model/syntax.py) resolves
names, types and layouts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol, cast

from regabi.errors import GoSyntaxError, GoTypeError, InputError, InputLimitError, UnsupportedError
from regabi.model.types import BASIC, Array, GoType, Kind, Named, Pointer, Struct

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["Const", "ConstEval", "Host", "format_value"]

#: go/types const.go overflow: untyped integer constants are limited to 512 bits
PREC = 512
#: go/types expr.go shift: const shiftBound = 1023 - 1 + 52
SHIFT_BOUND = 1023 - 1 + 52
#: regabi's limit on decimal exponents of float literals (go/constant has none; SIG-5)
MAX_EXP10 = 10000

_INT_KINDS = {
    Kind.INT8: (8, True), Kind.INT16: (16, True), Kind.INT32: (32, True), Kind.INT64: (64, True),
    Kind.UINT8: (8, False), Kind.UINT16: (16, False), Kind.UINT32: (32, False),
    Kind.UINT64: (64, False),
}
_FLOAT_KINDS = (Kind.FLOAT32, Kind.FLOAT64)
_COMPLEX_KINDS = (Kind.COMPLEX64, Kind.COMPLEX128)
_RANK = {"int": 0, "rune": 1, "float": 2, "complex": 3}


@dataclass(frozen=True, slots=True)
class Const:
    """A constant: ``kind`` is bool, string, int, float or complex (the value's representation);
    ``typ`` is its type, or None when untyped, then ``ukind`` (int, rune, float, complex, bool,
    string) is its untyped kind."""

    kind: str
    val: object  # bool | bytes | int | Fraction | tuple[Fraction, Fraction]
    typ: GoType | None = None
    ukind: str = ""

    @property
    def untyped(self) -> bool:
        return self.typ is None

    def type_name(self) -> str:
        return f"untyped {self.ukind}" if self.typ is None else str(self.typ)


class Host(Protocol):
    """What the evaluator needs from the type checker (model/syntax.py)."""

    ps: int

    def text(self, node: Node) -> str: ...

    def err(self, cls: type[InputError], msg: str, node: Node) -> InputError: ...

    def lookup_value(self, name: str, node: Node) -> tuple[str, object]: ...

    def eval_type(self, node: Node) -> GoType: ...

    def type_layout(self, t: GoType, node: Node) -> tuple[int, int, tuple[int, ...]]: ...

    def is_type_expr(self, node: Node) -> bool: ...

    def enter(self, node: Node) -> None: ...

    def leave(self) -> None: ...


# ------------------------------------------------------------------------------ literals


_DIGITS = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_BASE_NAME = {2: "binary", 8: "octal", 10: "decimal", 16: "hexadecimal"}


def _digits(host: Host, node: Node, s: str, base: int, off: int) -> tuple[str, int]:
    """Check Go's digit and '_' rules (scanner.go digits/invalidSep); returns the digits
    without separators and the offset of an invalid digit (or -1)."""
    out = []
    prev = "_" if off else ""  # a '_' may follow a base prefix
    invalid = -1
    for i, ch in enumerate(s):
        if ch == "_":
            if prev == "_" and (i or not off):
                raise _lit_err(host, node, off + i, "'_' must separate successive digits")
        elif ch.lower() in _DIGITS[16][:16] or ch.isdigit():
            if ch not in _DIGITS[max(base, 10)] and invalid < 0:
                invalid = i
            out.append(ch)
        else:
            break
        prev = ch
    if s.endswith("_"):
        raise _lit_err(host, node, off + len(s) - 1, "'_' must separate successive digits")
    return "".join(out), invalid


class _LitPos:
    """A position inside a literal (scanner errors point into the literal)."""

    def __init__(self, node: Node, delta: int) -> None:
        r, c = node.start_point
        self.start_point = (r, c + delta)
        self.start_byte = node.start_byte + delta


def _lit_err(host: Host, node: Node, delta: int, msg: str) -> InputError:
    return host.err(GoSyntaxError, msg, _LitPos(node, delta))  # type: ignore[arg-type]


def parse_int_literal(host: Host, node: Node, s: str) -> int:
    base, off = 10, 0
    low = s[:2].lower()
    if low in ("0x", "0b", "0o"):
        base, off = {"0x": 16, "0b": 2, "0o": 8}[low], 2
    elif len(s) > 1 and s[0] == "0":
        base, off = 8, 0
    body = s[off:]
    digits, bad = _digits(host, node, body, base, off)
    if off and not digits:
        raise _lit_err(host, node, len(s), f"{_BASE_NAME[base]} literal has no digits")
    if bad >= 0:
        raise _lit_err(host, node, off + bad,
                       f"invalid digit {body[bad]!r} in {_BASE_NAME[base]} literal")
    return int(digits, base) if digits else 0


_FLOAT_DEC = re.compile(r"^([0-9_]*)(?:\.([0-9_]*))?(?:[eE]([+-]?[0-9_]+))?$")
_FLOAT_HEX = re.compile(r"^0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?(?:[pP]([+-]?[0-9_]+))?$")


def parse_float_literal(host: Host, node: Node, s: str) -> Fraction:
    hexa = s[:2].lower() == "0x"
    m = (_FLOAT_HEX if hexa else _FLOAT_DEC).match(s)
    if m is None:
        raise host.err(GoSyntaxError, f"invalid floating-point literal {s}", node)
    ip, fp, ex = (g.replace("_", "") if g else "" for g in m.groups())
    if "__" in s or s.endswith("_"):
        raise _lit_err(host, node, s.find("__") if "__" in s else len(s) - 1,
                       "'_' must separate successive digits")
    if hexa:
        if not ip and not fp:
            raise _lit_err(host, node, len(s), "hexadecimal literal has no digits")
        if m.group(3) is None:
            raise _lit_err(host, node, len(s), "hexadecimal mantissa requires a 'p' exponent")
        mant = int((ip + fp) or "0", 16)
        e2 = int(ex) - 4 * len(fp)
        if abs(e2) > 4 * MAX_EXP10:
            raise host.err(InputLimitError, f"floating-point literal {s} beyond regabi's "
                           f"exponent limit (2**±{4 * MAX_EXP10})", node)
        return Fraction(mant) * (Fraction(2) ** e2)
    if m.group(3) is not None and not m.group(3).lstrip("+-"):
        raise _lit_err(host, node, len(s), "exponent has no digits")
    e10 = int(ex) if ex else 0
    if abs(e10) > MAX_EXP10:
        raise host.err(InputLimitError, f"floating-point literal {s} beyond regabi's exponent "
                       f"limit (1e±{MAX_EXP10})", node)
    mant = int((ip + fp) or "0")
    e10 -= len(fp)
    return Fraction(mant) * (Fraction(10) ** e10)


_ESC = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _unquote(host: Host, node: Node, s: str, quote: str) -> tuple[bytes, int]:
    """Interpret a rune or string literal's body (scanner.go escape); returns (bytes, number of
    characters)."""
    out = bytearray()
    n = 0
    i = 1
    end = len(s) - 1
    while i < end:
        ch = s[i]
        if ch != "\\":
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            n += 1
            continue
        c = s[i + 1] if i + 1 < end else ""
        n += 1
        if c in _ESC or c == quote:
            out.append(_ESC.get(c, ord(quote)))
            i += 2
        elif c in "01234567" and c:
            d = s[i + 1 : i + 4]
            if len(d) < 3 or any(x not in "01234567" for x in d):
                raise _lit_err(host, node, i, "invalid octal escape")  # rare: report at escape
            v = int(d, 8)
            if v > 255:
                raise _lit_err(host, node, i, "octal escape value > 255")
            out.append(v)
            i += 4
        elif c in "xuU":
            w = {"x": 2, "u": 4, "U": 8}[c]
            d = s[i + 2 : i + 2 + w]
            if len(d) < w or any(x not in _DIGITS[16] for x in d):
                raise _lit_err(host, node, i, "invalid escape sequence")
            v = int(d, 16)
            if c == "x":
                out.append(v)
            else:
                if v > 0x10FFFF or 0xD800 <= v < 0xE000:
                    raise _lit_err(host, node, i, "escape is invalid Unicode code point "
                                   f"U+{v:04X}")
                out += chr(v).encode()
            i += 2 + w
        else:
            raise _lit_err(host, node, i + 1, "unknown escape")
    return bytes(out), n


def parse_rune_literal(host: Host, node: Node, s: str) -> int:
    if len(s) < 2 or not s.endswith("'"):
        raise host.err(GoSyntaxError, "rune literal not terminated", node)
    b, n = _unquote(host, node, s, "'")
    if n == 0:
        raise host.err(GoSyntaxError, "empty rune literal or unescaped ' in rune literal", node)
    if n > 1:
        raise host.err(GoSyntaxError, "more than one character in rune literal", node)
    if s[1] == "\\" and s[2] in "x01234567":
        return b[0]
    return ord(b.decode("utf-8", "surrogatepass"))


def parse_string_literal(host: Host, node: Node, s: str) -> bytes:
    if s.startswith("`"):
        return s[1:-1].replace("\r", "").encode("utf-8", "surrogatepass")
    return _unquote(host, node, s, '"')[0]


# ------------------------------------------------------------------------------ formatting


def _quote(b: bytes) -> str:
    out = ['"']
    s = b.decode("utf-8", "replace") if not b.isascii() else b.decode()
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        else:
            out.append(ch)
    out.append('"')
    q = "".join(out)
    if len(q) > 72:
        q = q[:69] + "..."
    return q


def _fmt_g(x: float, prec: int | None = 6) -> str:
    """Go's %.6g (fmt): C's %g with Go's exponent form (at least two exponent digits)."""
    return f"{x:.{prec}g}" if prec is not None else _shortest(x)


def _shortest(x: float) -> str:
    r = repr(x)
    if "e" in r:
        m, e = r.split("e")
        sign = e[0] if e[0] in "+-" else "+"
        e = e.lstrip("+-")
        r = f"{m}e{sign}{int(e):02d}"
    elif r.endswith(".0"):
        r = r[:-2]
    return r


def _fmt_float(f: Fraction) -> str:
    """go/constant floatVal/ratVal String (value.go): %.6g when the value is in float64 range,
    %g when %.6g hides that a non-integer is not an integer."""
    try:
        x = float(f)
    except OverflowError:
        x = math.inf
    if not math.isinf(x) and (f == 0) == (x == 0):
        s = _fmt_g(x)
        if f.denominator != 1 and "." not in s and "e" not in s:
            s = _shortest(x)
        return s
    # outside float64's range: mantissa and decimal exponent
    sign = "-" if f < 0 else ""
    a = abs(f)
    e = math.floor(math.log10(a.numerator) - math.log10(a.denominator))
    m = float(a / Fraction(10) ** e)
    if m >= 10:
        m, e = m / 10, e + 1
    return f"{sign}{_fmt_g(m)}e{'+' if e >= 0 else '-'}{abs(e):02d}"


def format_value(c: Const) -> str:
    """go/constant Value.String."""
    if c.kind == "bool":
        return "true" if c.val else "false"
    if c.kind == "string":
        return _quote(c.val)  # type: ignore[arg-type]
    if c.kind == "int":
        return str(c.val)
    if c.kind == "float":
        return _fmt_float(c.val)  # type: ignore[arg-type]
    if c.kind == "complex":
        re_, im = _to_cplx(c)
        return f"({_fmt_float(re_)} + {_fmt_float(im)}i)"
    return "unknown"


def describe(expr: str, c: Const) -> str:
    """go/types operandString for a constant operand: ``1 << 63 (untyped int constant
    9223372036854775808)``, ``int8(100) * 2 (constant 200 of type int8)``."""
    v = format_value(c)
    vpart = "" if v == expr else f" {v}"
    if c.typ is None:
        return f"{expr} (untyped {c.ukind} constant{vpart})"
    t = c.typ
    desc = f"{t.underlying} " if isinstance(t, Named) else ""
    return f"{expr} (constant{vpart} of {desc}type {t})"


# ------------------------------------------------------------------------------ evaluator


def _is_int_type(t: GoType) -> bool:
    k = t.kind
    return k in _INT_KINDS or k in (Kind.INT, Kind.UINT, Kind.UINTPTR)


def _is_basic(t: GoType) -> bool:
    try:
        return t.underlying.__class__.__name__ == "Basic" and t.kind != Kind.UNSAFE_POINTER
    except TypeError:  # an unbound named type
        return False


def _kind_of(t: GoType) -> str:
    k = t.kind
    if k == Kind.BOOL:
        return "bool"
    if k == Kind.STRING:
        return "string"
    if k in _FLOAT_KINDS:
        return "float"
    if k in _COMPLEX_KINDS:
        return "complex"
    return "int"


def _to_frac(c: Const) -> Fraction:
    """An int or float constant's value (Const.val is an int or a Fraction for those kinds)."""
    return Fraction(cast(int, c.val)) if c.kind == "int" else cast(Fraction, c.val)


def _to_cplx(c: Const) -> tuple[Fraction, Fraction]:
    if c.kind == "complex":
        return cast("tuple[Fraction, Fraction]", c.val)
    return (_to_frac(c), Fraction(0))


def _unknown_of(x: Const, y: Const) -> Const:
    typ = x.typ or y.typ
    return Const("unknown", None, typ, "" if typ is not None else (x.ukind or y.ukind or "int"))


def _as_int(c: Const) -> int | None:
    """go/constant ToInt: exact integers of any numeric kind."""
    if c.kind == "int":
        return cast(int, c.val)
    if c.kind == "float" and _to_frac(c).denominator == 1:
        return int(_to_frac(c))
    if c.kind == "complex":
        re_, im = _to_cplx(c)
        if im == 0 and re_.denominator == 1:
            return int(re_)
    return None


def _round_float(f: Fraction, k: Kind) -> Fraction | None:
    """The value rounded to float32/float64, or None on overflow (go/types roundFloat32/64)."""
    try:
        x = float(f)
    except OverflowError:
        return None
    if math.isinf(x):
        return None
    if k == Kind.FLOAT32:
        import struct

        try:
            x = struct.unpack("f", struct.pack("f", x))[0]
        except OverflowError:
            return None
        if math.isinf(x):
            return None
    return Fraction(x)


class ConstEval:
    """Evaluates constant expressions for one checker (``host``)."""

    def __init__(self, host: Host) -> None:
        self.h = host

    # -- representability (go/types const.go representableConst) ----------------------------

    def int_range(self, t: GoType) -> tuple[int, int]:
        k = t.kind
        if k in _INT_KINDS:
            bits, signed = _INT_KINDS[k]
        else:
            bits, signed = self.h.ps * 8, k == Kind.INT
        if signed:
            return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        return 0, (1 << bits) - 1

    def represent(self, c: Const, t: GoType) -> Const | None:
        """c converted to basic type t if representable (rounding floats), else None."""
        k = t.kind
        if k == Kind.BOOL:
            return Const("bool", c.val, t) if c.kind == "bool" else None
        if k == Kind.STRING:
            return Const("string", c.val, t) if c.kind == "string" else None
        if c.kind in ("bool", "string"):
            return None
        if _is_int_type(t):
            v = _as_int(c)
            if v is None:
                return None
            lo, hi = self.int_range(t)
            return Const("int", v, t) if lo <= v <= hi else None
        if k in _FLOAT_KINDS:
            if c.kind == "complex":
                if c.val[1] != 0:  # type: ignore[index]
                    return None
                f = c.val[0]  # type: ignore[index]
            else:
                f = _to_frac(c)
            r = _round_float(f, k)
            return None if r is None else Const("float", r, t)
        if k in _COMPLEX_KINDS:
            re_, im = _to_cplx(c)
            fk = Kind.FLOAT32 if k == Kind.COMPLEX64 else Kind.FLOAT64
            a, b = _round_float(re_, fk), _round_float(im, fk)
            return None if a is None or b is None else Const("complex", (a, b), t)
        return None

    def _overflow_code(self, c: Const, t: GoType) -> str:
        """go/types representation: which error a failed representation gets."""
        if c.kind in ("int", "float", "complex") and _kind_of(t) in ("int", "float", "complex"):
            if c.kind != "int" and _is_int_type(t) and (c.typ is None or not _is_int_type(c.typ)):
                return "truncated"
            return "overflows"
        return "cannot"

    def check_typed(self, c: Const, node: Node) -> Const:
        """go/types overflow(): typed constants must be representable after each operation;
        untyped integers must stay within 512 bits."""
        if c.typ is not None:
            r = self.represent(c, c.typ)
            if r is None:
                code = self._overflow_code(c, c.typ)
                msg = {"truncated": "{} truncated to {}", "overflows": "{} overflows {}"}.get(
                    code, "cannot convert {} to type {}")
                raise self.h.err(GoTypeError, msg.format(describe(self.expr_str(node), c), c.typ),
                                 node)
            return r
        return c

    def _untyped_overflow(self, c: Const, op: str, node: Node) -> None:
        if c.kind == "int" and abs(c.val).bit_length() > PREC:  # type: ignore[arg-type]
            e = self.h.err(GoTypeError, f"constant {op}{' ' if op else ''}overflow", node)
            e.unknown = True  # type: ignore[attr-defined]  # go/types: the value is unknown
            raise e

    # -- expressions -------------------------------------------------------------------------

    def eval(self, node: Node, iota: int | None) -> Const:
        """The constant value of an expression; errors as go/types reports them."""
        h = self.h
        h.enter(node)
        try:
            return self._eval(node, iota)
        finally:
            h.leave()

    def _eval(self, node: Node, iota: int | None) -> Const:
        h = self.h
        t = node.type
        if t == "binary_expression":
            return self._binary_chain(node, iota)
        if t == "parenthesized_expression":
            inner = [c for c in node.named_children if c.type != "comment"]
            if len(inner) != 1:
                raise h.err(GoSyntaxError, "syntax error: unexpected comma", node)
            return self.eval(inner[0], iota)
        if t == "int_literal":
            return Const("int", parse_int_literal(h, node, h.text(node)), None, "int")
        if t == "float_literal":
            return Const("float", parse_float_literal(h, node, h.text(node)), None, "float")
        if t == "imaginary_literal":
            s = h.text(node)[:-1]
            if re.fullmatch(r"[0-9_]+", s) and not s.startswith("0x"):
                im = Fraction(int(s.replace("_", "") or "0", 10))  # 0123i is decimal
            elif re.fullmatch(r"0[xXbBoO][0-9a-fA-F_]+", s):
                im = Fraction(parse_int_literal(h, node, s))
            else:
                im = parse_float_literal(h, node, s)
            return Const("complex", (Fraction(0), im), None, "complex")
        if t == "rune_literal":
            return Const("int", parse_rune_literal(h, node, h.text(node)), None, "rune")
        if t in ("interpreted_string_literal", "raw_string_literal"):
            return Const("string", parse_string_literal(h, node, h.text(node)), None, "string")
        if t in ("true", "false"):
            return self._ident(node, t, iota)
        if t == "iota":
            return self._ident(node, "iota", iota)
        if t == "identifier":
            return self._ident(node, h.text(node), iota)
        if t == "unary_expression":
            return self._unary(node, iota)
        if t == "call_expression":
            return self._call(node, iota)
        if t == "type_conversion_expression":
            tt = h.eval_type(node.child_by_field_name("type"))  # type: ignore[arg-type]
            return self._convert(tt, node.child_by_field_name("operand"), node, iota)  # type: ignore[arg-type]
        if t == "nil":
            raise self.not_constant(node, "untyped nil")
        if t in ("index_expression", "selector_expression", "composite_literal",
                 "slice_expression", "func_literal"):
            raise self.not_constant(node, None)
        raise h.err(UnsupportedError, f"constant expression {self.expr_str(node)} is not "
                    "supported by regabi", node)

    def not_constant(self, node: Node, typ: str | None) -> InputError:
        """An operand that is a value but not a constant."""
        desc = "value" + (f" of type {typ}" if typ else "")
        if typ == "untyped nil":
            desc = "untyped nil value"
        e = self.h.err(GoTypeError, f"{self.expr_str(node)} ({desc}) is not constant", node)
        e.not_constant = (node, typ)  # type: ignore[attr-defined]
        return e

    def _ident(self, node: Node, name: str, iota: int | None) -> Const:
        h = self.h
        kind, obj = h.lookup_value(name, node)
        if kind == "const":
            return obj  # type: ignore[return-value]
        if kind == "iota":
            if iota is None:
                raise h.err(GoTypeError, "cannot use iota outside constant declaration", node)
            return Const("int", iota, None, "int")
        if kind == "var":
            raise self.not_constant(node, str(obj) if obj is not None else None)
        if kind == "type":
            raise h.err(GoTypeError, f"{name} (type) is not an expression", node)
        if kind == "builtin":
            raise h.err(GoTypeError, f"{name} (built-in function {name}) must be called", node)
        if kind == "func":
            raise self.not_constant(node, str(obj) if obj else None)
        if kind == "pkg":
            raise h.err(GoTypeError, f"use of package {name} without selector", node)
        raise h.err(GoTypeError, f"undefined: {name}", node)

    def _unary(self, node: Node, iota: int | None) -> Const:
        h = self.h
        op = h.text(node.child_by_field_name("operator"))  # type: ignore[arg-type]
        opnd = node.child_by_field_name("operand")
        if op in ("*", "&", "<-"):
            raise self.not_constant(node, None)
        x = self.eval(opnd, iota)  # type: ignore[arg-type]
        if x.kind == "unknown":
            return x
        if op == "!":
            if x.kind != "bool":
                raise h.err(GoTypeError, f"invalid operation: operator ! not defined on "
                            f"{describe(self.expr_str(opnd), x)}", node)  # type: ignore[arg-type]
            return Const("bool", not x.val, x.typ, x.ukind)
        if x.kind in ("bool", "string"):
            raise h.err(GoTypeError, f"invalid operation: operator {op} not defined on "
                        f"{describe(self.expr_str(opnd), x)}", node)  # type: ignore[arg-type]
        if op == "+":
            return x
        if op == "-":
            if x.kind == "complex":
                a, b = _to_cplx(x)
                r = Const("complex", (-a, -b), x.typ, x.ukind)
            else:
                r = Const(x.kind, -x.val, x.typ, x.ukind)  # type: ignore[operator]
            return self.check_typed(r, node)
        if op == "^":
            if x.kind != "int":
                raise h.err(GoTypeError, f"invalid operation: operator ^ not defined on "
                            f"{describe(self.expr_str(opnd), x)}", node)  # type: ignore[arg-type]
            v = ~x.val  # type: ignore[operator]
            if x.typ is not None and x.typ.kind in (Kind.UINT8, Kind.UINT16, Kind.UINT32,
                                                     Kind.UINT64, Kind.UINT, Kind.UINTPTR):
                v &= self.int_range(x.typ)[1]  # go/constant UnaryOp with prec for unsigned
            return self.check_typed(Const("int", v, x.typ, x.ukind), node)
        raise h.err(UnsupportedError, f"unsupported operator {op}", node)

    def _binary_chain(self, node: Node, iota: int | None) -> Const:
        # Left-deep chains (a + b + c + …) are walked iteratively, so their length is not
        # limited by the nesting depth.
        spine = []
        cur = node
        while cur.type == "binary_expression":
            spine.append(cur)
            cur = cur.child_by_field_name("left")  # type: ignore[assignment]
        x = self.eval(cur, iota)
        for b in reversed(spine):
            y_node = b.child_by_field_name("right")
            op = self.h.text(b.child_by_field_name("operator"))  # type: ignore[arg-type]
            if x.kind == "unknown":  # go/constant: operations on unknown values are unknown
                y = self.eval(y_node, iota)  # type: ignore[arg-type]
                x = _unknown_of(x, y) if op not in ("==", "!=", "<", "<=", ">", ">=") else \
                    Const("unknown", None, None, "bool")
                continue
            if op in ("<<", ">>"):
                x = self._shift(b, x, op, y_node, iota)  # type: ignore[arg-type]
                continue
            if op in ("&&", "||"):
                y = self.eval(y_node, iota)  # type: ignore[arg-type]
                if x.kind != "bool" or y.kind != "bool":
                    bad, bn = ((x, b.child_by_field_name("left")) if x.kind != "bool"
                               else (y, y_node))
                    raise self.h.err(GoTypeError, f"invalid operation: operator {op} not "
                                     f"defined on {describe(self.expr_str(bn), bad)}", b)  # type: ignore[arg-type]
                typ = x.typ or y.typ
                v = (x.val and y.val) if op == "&&" else (x.val or y.val)
                x = Const("bool", v, typ, "bool" if typ is None else "")
                continue
            y = self.eval(y_node, iota)  # type: ignore[arg-type]
            if y.kind == "unknown":
                x = _unknown_of(x, y)
                continue
            x = self._binary(b, op, x, y)
        return x

    def _match(self, node: Node, op: str, x: Const, y: Const) -> tuple[Const, Const]:
        """go/types matchTypes: an untyped operand takes the other's type (or the larger
        untyped kind)."""
        h = self.h
        lnode, rnode = node.child_by_field_name("left"), node.child_by_field_name("right")
        if x.typ is not None and y.typ is not None:
            if x.typ != y.typ:
                raise h.err(GoTypeError, f"invalid operation: {self.expr_str(node)} (mismatched "
                            f"types {x.typ} and {y.typ})", node)
            return x, y
        if x.typ is None and y.typ is None:
            kx, ky = x.ukind, y.ukind
            if kx == ky:
                return x, y
            if kx in _RANK and ky in _RANK:
                k = kx if _RANK[kx] > _RANK[ky] else ky
                return self._promote(x, k), self._promote(y, k)
            raise h.err(GoTypeError, f"invalid operation: {self.expr_str(node)} (mismatched "
                        f"types untyped {kx} and untyped {ky})", node)
        # one typed, one untyped: convert the untyped one implicitly
        if x.typ is None:
            return self._implicit(x, y.typ, lnode, node), y  # type: ignore[arg-type]
        return x, self._implicit(y, x.typ, rnode, node)  # type: ignore[arg-type]

    def _promote(self, c: Const, k: str) -> Const:
        if k in ("int", "rune"):
            return Const(c.kind, c.val, None, k)
        if k == "float":
            return Const("float", _to_frac(c), None, "float") if c.kind != "complex" else c
        return Const("complex", _to_cplx(c), None, "complex")

    def _implicit(self, c: Const, t: GoType, cnode: Node, opnode: Node) -> Const:
        r = self.represent(c, t) if _is_basic(t) else None
        if r is None:
            numeric = c.kind in ("int", "float", "complex")
            if _is_basic(t) and numeric and _kind_of(t) in ("int", "float", "complex"):
                code = self._overflow_code(c, t)
                raise self.h.err(GoTypeError, f"cannot use {describe(self.expr_str(cnode), c)} "
                                 f"as {t} value in {self.expr_str(opnode)} ({code})", cnode)
            raise self.h.err(GoTypeError, f"invalid operation: {self.expr_str(opnode)} "
                             f"(mismatched types {t} and untyped {c.ukind})", opnode)
        return r

    def _binary(self, node: Node, op: str, x: Const, y: Const) -> Const:
        h = self.h
        x, y = self._match(node, op, x, y)
        typ = x.typ
        uk = x.ukind
        k = x.kind if x.kind == y.kind else ("complex" if "complex" in (x.kind, y.kind) else
                                             "float" if "float" in (x.kind, y.kind) else x.kind)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            if x.kind == "bool" and op not in ("==", "!="):
                raise h.err(GoTypeError, f"invalid operation: {self.expr_str(node)} (operator "
                            f"{op} not defined on "
                            f"{self.expr_str(node.child_by_field_name('left'))} (untyped bool "
                            "constant))", node)
            if k == "complex" and op not in ("==", "!="):
                raise h.err(GoTypeError, f"invalid operation: {self.expr_str(node)} (operator "
                            f"{op} not defined on complex)", node)
            # compared as complex pairs (== and != only), fractions, or ints, strings, bools
            ca: Any
            cb: Any
            if k == "complex":
                ca, cb = _to_cplx(x), _to_cplx(y)
            elif k == "float":
                ca, cb = _to_frac(x), _to_frac(y)
            else:
                ca, cb = x.val, y.val
            v = {"==": ca == cb, "!=": ca != cb}.get(op)
            if v is None:
                v = {"<": ca < cb, "<=": ca <= cb, ">": ca > cb, ">=": ca >= cb}[op]
            return Const("bool", v, None, "bool")
        if x.kind == "bool" or y.kind == "bool":
            raise h.err(GoTypeError, f"invalid operation: operator {op} not defined on "
                        f"{describe(self.expr_str(node.child_by_field_name('left')), x)}", node)  # type: ignore[arg-type]
        if x.kind == "string":
            if op != "+":
                raise h.err(GoTypeError, f"invalid operation: operator {op} not defined on "
                            f"{describe(self.expr_str(node.child_by_field_name('left')), x)}",
                            node)  # type: ignore[arg-type]
            r = Const("string", x.val + y.val, typ, uk)  # type: ignore[operator]
            if len(r.val) > 2_000_000_000:  # type: ignore[arg-type]
                raise h.err(GoTypeError, "constant string too long", node)
            return r
        int_op = op in ("%", "&", "|", "^", "&^")
        integer = (typ is not None and _is_int_type(typ)) or (typ is None and k == "int")
        if int_op and not integer:
            raise h.err(GoTypeError, f"invalid operation: operator {op} not defined on "
                        f"{describe(self.expr_str(node.child_by_field_name('left')), x)}", node)  # type: ignore[arg-type]
        if op in ("/", "%"):
            zero = (y.val == 0) if y.kind != "complex" else (y.val == (0, 0))
            if zero:
                raise h.err(GoTypeError, "invalid operation: division by zero",
                            node.child_by_field_name("right"))  # type: ignore[arg-type]
        opname = {"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division"}
        if k == "int" and integer:
            xi, yi = cast(int, x.val), cast(int, y.val)
            if op == "/":
                q = abs(xi) // abs(yi)
                iv = q if (xi >= 0) == (yi > 0) else -q
            elif op == "%":
                r_ = abs(xi) % abs(yi)
                iv = r_ if xi >= 0 else -r_
            else:
                iv = {"+": lambda: xi + yi, "-": lambda: xi - yi, "*": lambda: xi * yi,
                      "&": lambda: xi & yi, "|": lambda: xi | yi, "^": lambda: xi ^ yi,
                      "&^": lambda: xi & ~yi}[op]()
            r = Const("int", iv, typ, uk)
        elif k == "complex":
            (a, b), (c, d) = _to_cplx(x), _to_cplx(y)
            if op == "+":
                val = (a + c, b + d)
            elif op == "-":
                val = (a - c, b - d)
            elif op == "*":
                val = (a * c - b * d, a * d + b * c)
            else:
                den = c * c + d * d
                val = ((a * c + b * d) / den, (b * c - a * d) / den)
            r = Const("complex", val, typ, uk if typ is None else "")
        else:
            a, b = _to_frac(x), _to_frac(y)
            v = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                 "/": lambda: a / b}[op]()
            if typ is None and uk in ("int", "rune") and op != "/":
                r = Const("int", int(v), None, uk)
            else:
                r = Const("float", v, typ, uk if typ is None else "")
                if typ is not None and _is_int_type(typ):
                    r = Const("int", int(v), typ)
        if typ is None:
            self._untyped_overflow(r, opname.get(op, ""), node)
        return self.check_typed(r, node)

    def _shift(self, node: Node, x: Const, op: str, ynode: Node, iota: int | None) -> Const:
        h = self.h
        lnode = node.child_by_field_name("left")
        y = self.eval(ynode, iota)
        if y.kind == "unknown":
            return _unknown_of(x, x)
        # the shift count (go/types expr.go shift): an integer; untyped ones must be
        # representable as uint
        ys = self.expr_str(ynode)
        s = _as_int(y)
        if y.typ is not None and not _is_int_type(y.typ):
            raise h.err(GoTypeError, f"invalid operation: shift count {describe(ys, y)} must be "
                        "integer", ynode)
        if s is None:
            raise h.err(GoTypeError, f"invalid operation: shift count {describe(ys, y)} must be "
                        "integer", ynode)
        if s < 0:
            raise h.err(GoTypeError, f"invalid operation: negative shift count "
                        f"{describe(ys, y)}", ynode)
        # the shifted operand: an integer (an untyped constant representable as one)
        if x.typ is None:
            xi = _as_int(x)
            if xi is None:
                raise h.err(GoTypeError, f"invalid operation: shifted operand "
                            f"{describe(self.expr_str(lnode), x)} must be integer", lnode)  # type: ignore[arg-type]
            if s > SHIFT_BOUND:
                raise h.err(GoTypeError, f"invalid operation: invalid shift count "
                            f"{describe(ys, y)}", ynode)
            uk = x.ukind if x.ukind in ("int", "rune") else "int"
            v = xi << s if op == "<<" else xi >> s
            r = Const("int", v, None, uk)
            if abs(v).bit_length() > PREC:
                e = h.err(GoTypeError, "constant shift overflow", ynode)
                e.unknown = True  # type: ignore[attr-defined]
                raise e
            return r
        if not _is_int_type(x.typ):
            raise h.err(GoTypeError, f"invalid operation: shifted operand "
                        f"{describe(self.expr_str(lnode), x)} must be integer", lnode)  # type: ignore[arg-type]
        if s > SHIFT_BOUND:
            raise h.err(GoTypeError, f"invalid operation: invalid shift count {describe(ys, y)}",
                        ynode)
        v = x.val << s if op == "<<" else x.val >> s  # type: ignore[operator]
        return self.check_typed(Const("int", v, x.typ), node)

    # -- calls and conversions ----------------------------------------------------------------

    def _args(self, node: Node) -> list[Node]:
        al = node.child_by_field_name("arguments")
        if al is None:
            return []
        return [c for c in al.named_children if c.type != "comment"]

    def _call(self, node: Node, iota: int | None) -> Const:
        h = self.h
        fn = node.child_by_field_name("function")
        assert fn is not None
        args = self._args(node)
        if fn.type == "selector_expression":
            opnd = fn.child_by_field_name("operand")
            if opnd is not None and opnd.type == "identifier":
                kind, obj = h.lookup_value(h.text(opnd), opnd)
                if kind == "pkg" and obj == "unsafe":
                    return self._unsafe(node, h.text(fn.child_by_field_name("field")), args)  # type: ignore[arg-type]
        if fn.type == "identifier":
            kind, obj = h.lookup_value(h.text(fn), fn)
            if kind == "builtin":
                return self._builtin(node, h.text(fn), args, iota)
            if kind == "type":
                if len(args) != 1:
                    raise h.err(GoTypeError, ("missing argument in conversion to " if not args
                                              else "too many arguments in conversion to ")
                                + str(obj), node)
                return self._convert(obj, args[0], node, iota)  # type: ignore[arg-type]
            if kind == "func":
                raise self.not_constant(node, None)
        if h.is_type_expr(fn):
            t = h.eval_type(fn)
            if len(args) != 1:
                raise h.err(GoTypeError, f"missing argument in conversion to {t}", node)
            return self._convert(t, args[0], node, iota)
        raise self.not_constant(node, None)

    def _convert(self, t: GoType, arg: Node, node: Node, iota: int | None) -> Const:
        """go/types conversion.go: constant conversions to basic types."""
        h = self.h
        x = self.eval(arg, iota)
        if x.kind == "unknown":
            return Const("unknown", None, t if _is_basic(t) else None, "" if _is_basic(t) else
                         "int")
        if not _is_basic(t):
            raise self.not_constant(node, str(t))
        tk = _kind_of(t)
        if tk == "string" and x.kind == "int" and (x.typ is None or _is_int_type(x.typ)):
            cp = cast(int, x.val)
            b = chr(cp).encode() if 0 <= cp <= 0x10FFFF and not 0xD800 <= cp < 0xE000 else \
                "\ufffd".encode()
            return Const("string", b, t)
        r = self.represent(x, t)
        if r is None:
            if x.kind == "int" and (x.typ is None or _is_int_type(x.typ)) and _is_int_type(t):
                raise h.err(GoTypeError, f"constant {format_value(x)} overflows {t}", arg)
            raise h.err(GoTypeError, f"cannot convert {describe(self.expr_str(arg), x)} to type "
                        f"{t}", arg)
        return r

    def _const_args(self, node: Node, args: list[Node], n: int | None, name: str,
                    iota: int | None) -> list[Const]:
        h = self.h
        if n is not None and len(args) != n:
            which = "not enough" if len(args) < n else "too many"
            raise h.err(GoTypeError, f"{which} arguments for {self.expr_str(node)} (expected "
                        f"{n}, found {len(args)})", node)
        return [self.eval(a, iota) for a in args]

    def _builtin(self, node: Node, name: str, args: list[Node], iota: int | None) -> Const:
        h = self.h
        intt = BASIC["int"]
        if name in ("len", "cap"):
            if len(args) != 1:
                raise h.err(GoTypeError, f"{'not enough' if not args else 'too many'} arguments "
                            f"for {self.expr_str(node)} (expected 1, found {len(args)})", node)
            a = args[0]
            n = self._array_len(a)
            if n is not None:
                return Const("int", n, intt)
            x = self.eval(a, iota)
            if x.kind == "unknown":
                return Const("unknown", None, intt)
            if x.kind == "string" and name == "len":
                return Const("int", len(x.val), intt)  # type: ignore[arg-type]
            raise h.err(GoTypeError, f"invalid argument: {describe(self.expr_str(a), x)} for "
                        f"built-in {name}", a)
        if name in ("real", "imag"):
            (x,) = self._const_args(node, args, 1, name, iota)
            if x.kind not in ("int", "float", "complex"):
                raise h.err(GoTypeError, f"invalid argument: {describe(self.expr_str(args[0]), x)}"
                            " not of complex type", args[0])
            re_, im = _to_cplx(x)
            v = re_ if name == "real" else im
            typ: GoType | None = None
            if x.typ is not None:
                if x.typ.kind not in _COMPLEX_KINDS:
                    raise h.err(GoTypeError, f"invalid argument: "
                                f"{describe(self.expr_str(args[0]), x)} not of complex type",
                                args[0])
                typ = BASIC["float32" if x.typ.kind == Kind.COMPLEX64 else "float64"]
            return Const("float", v, typ, "float" if typ is None else "")
        if name == "complex":
            ra, ia = self._const_args(node, args, 2, name, iota)
            if ra.kind not in ("int", "float") or ia.kind not in ("int", "float"):
                bad, bn = (ra, args[0]) if ra.kind not in ("int", "float") else (ia, args[1])
                raise h.err(GoTypeError, f"invalid argument: {describe(self.expr_str(bn), bad)} "
                            "must be a float constant", bn)
            typ = ra.typ or ia.typ
            ctyp = None
            if typ is not None:
                ctyp = BASIC["complex64" if typ.kind == Kind.FLOAT32 else "complex128"]
            return Const("complex", (_to_frac(ra), _to_frac(ia)), ctyp,
                         "complex" if ctyp is None else "")
        if name in ("min", "max"):
            if not args:
                raise h.err(GoTypeError, f"not enough arguments for {self.expr_str(node)} "
                            "(expected 1, found 0)", node)
            vals = [self.eval(arg, iota) for arg in args]
            best = vals[0]
            for i, cv in enumerate(vals[1:], 1):
                bn = args[i]
                best, cv = self._match(node, name, best, cv)
                if best.kind in ("bool", "complex") or cv.kind in ("bool", "complex"):
                    raise h.err(GoTypeError, f"invalid argument: {describe(self.expr_str(bn), cv)}"
                                " cannot be ordered", bn)
                # ints and strings compare as themselves, other numbers as fractions
                ka: Any = best.val if best.kind in ("int", "string") and cv.kind == best.kind \
                    else _to_frac(best)
                kb: Any = cv.val if best.kind in ("int", "string") and cv.kind == best.kind \
                    else _to_frac(cv)
                if (kb < ka) if name == "min" else (kb > ka):
                    best = cv
            return best
        if name == "iota":
            return self._ident(node, "iota", iota)
        raise self.not_constant(node, None)

    def _array_len(self, a: Node) -> int | None:
        """len/cap of an expression of array (or pointer to array) type without calls: a
        constant (spec "Length and capacity")."""
        h = self.h
        t = self.type_of(a, quiet=True)
        if t is None:
            return None
        try:
            u = t.underlying
            if isinstance(u, Pointer):
                u = u.elem.underlying
        except TypeError:
            return None
        if isinstance(u, Array) and not self._has_call(a):
            return u.length
        _ = h
        return None

    def _has_call(self, node: Node) -> bool:
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in ("call_expression", "unary_expression") and (
                    n.type == "call_expression" or self.h.text(n).startswith("<-")):
                if n.type == "call_expression":
                    fn = n.child_by_field_name("function")
                    if fn is not None and fn.type == "identifier" and \
                            self.h.lookup_value(self.h.text(fn), fn)[0] == "type":
                        stack.extend(n.named_children)
                        continue
                return True
            stack.extend(n.named_children)
        return False

    # -- unsafe ---------------------------------------------------------------------------------

    def _unsafe(self, node: Node, fname: str, args: list[Node]) -> Const:
        h = self.h
        uptr = BASIC["uintptr"]
        if fname not in ("Sizeof", "Alignof", "Offsetof"):
            if fname in ("Add", "Slice", "String", "StringData", "SliceData"):
                raise self.not_constant(node, None)
            raise h.err(GoTypeError, f"undefined: unsafe.{fname}", node)
        if len(args) != 1:
            raise h.err(GoTypeError, f"{'not enough' if not args else 'too many'} arguments for "
                        f"{self.expr_str(node)} (expected 1, found {len(args)})", node)
        a = args[0]
        if fname == "Offsetof":
            return Const("int", self._offsetof(a), uptr)
        t = self.type_of(a)
        assert t is not None
        size, align, _ = h.type_layout(t, a)
        return Const("int", size if fname == "Sizeof" else align, uptr)

    def _offsetof(self, a: Node) -> int:
        h = self.h
        inner = a
        while inner.type == "parenthesized_expression" and inner.named_children:
            inner = inner.named_children[0]
        if inner.type != "selector_expression":
            raise h.err(GoTypeError, f"invalid argument: {self.expr_str(a)} is not a selector "
                        "expression", a)
        base = inner.child_by_field_name("operand")
        fname = h.text(inner.child_by_field_name("field"))  # type: ignore[arg-type]
        t = self.type_of(base)  # type: ignore[arg-type]
        assert t is not None
        path = self._field_path(t, fname)
        if path is None:
            raise h.err(GoTypeError, f"{self.expr_str(inner)} undefined (type {t} has no field or "
                        f"method {fname})", inner)
        off = 0
        cur = t
        for i, (idx, via_ptr) in enumerate(path):
            if via_ptr and i > 0:
                raise h.err(GoTypeError, f"invalid argument: field {fname} is embedded via a "
                            f"pointer in {self.expr_str(base)}", a)  # type: ignore[arg-type]
            u = cur.underlying
            if isinstance(u, Pointer):
                u = u.elem.underlying
            assert isinstance(u, Struct)
            holder = cur.underlying.elem if isinstance(cur.underlying, Pointer) else cur  # type: ignore[attr-defined]
            off += h.type_layout(holder, a)[2][idx]
            cur = u.fields[idx].type
        return off

    def _field_path(self, t: GoType, name: str) -> list[tuple[int, bool]] | None:
        """Breadth-first field lookup through embedded structs (go/types lookup.go): the
        shallowest field named ``name``; each step is (field index, reached through a
        pointer)."""
        level: list[tuple[GoType, list[tuple[int, bool]]]] = [(t, [])]
        seen: set[int] = set()
        for _ in range(64):
            nxt = []
            found = None
            for typ, path in level:
                try:
                    u = typ.underlying
                except TypeError:
                    continue
                ptr = False
                if isinstance(u, Pointer):
                    u, ptr = u.elem.underlying, True
                if not isinstance(u, Struct) or id(u) in seen:
                    continue
                seen.add(id(u))
                if path and ptr:
                    path = [*path[:-1], (path[-1][0], True)]
                for i, f in enumerate(u.fields):
                    if f.name == name:
                        if found is not None:
                            return None  # ambiguous selector
                        found = [*path, (i, False)]
                    elif f.embedded:
                        nxt.append((f.type, [*path, (i, False)]))
            if found is not None:
                return found
            if not nxt:
                return None
            level = nxt
        return None

    def type_of(self, node: Node, quiet: bool = False) -> GoType | None:
        """The type of an operand of unsafe.Sizeof and friends (go/types would check the whole
        expression; regabi needs only its type)."""
        h = self.h
        t = node.type
        if t == "parenthesized_expression" and len(node.named_children) == 1:
            return self.type_of(node.named_children[0], quiet)
        if t == "composite_literal":
            return h.eval_type(node.child_by_field_name("type"))  # type: ignore[arg-type]
        if t == "type_conversion_expression":
            return h.eval_type(node.child_by_field_name("type"))  # type: ignore[arg-type]
        if t == "identifier":
            kind, obj = h.lookup_value(h.text(node), node)
            if kind == "var" and obj is not None:
                return obj  # type: ignore[return-value]
            if kind == "const":
                return self.default_type(obj)  # type: ignore[arg-type]
            if kind == "type" and not quiet:
                raise h.err(GoTypeError, f"{h.text(node)} (type) is not an expression", node)
            if kind == "undefined" and not quiet:
                raise h.err(GoTypeError, f"undefined: {h.text(node)}", node)
        if t == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is not None and (h.is_type_expr(fn) or (
                    fn.type == "identifier" and h.lookup_value(h.text(fn), fn)[0] == "type")):
                return h.eval_type(fn)
        if t == "selector_expression":
            base = node.child_by_field_name("operand")
            bt = self.type_of(base, quiet) if base is not None else None  # type: ignore[arg-type]
            if bt is not None:
                path = self._field_path(bt, h.text(node.child_by_field_name("field")))  # type: ignore[arg-type]
                if path is not None:
                    cur = bt
                    for idx, _ in path:
                        u = cur.underlying
                        if isinstance(u, Pointer):
                            u = u.elem.underlying
                        cur = u.fields[idx].type  # type: ignore[attr-defined]
                    return cur
        if t == "index_expression":
            bt = self.type_of(node.child_by_field_name("operand"), quiet)  # type: ignore[arg-type]
            if bt is not None:
                u = bt.underlying
                if isinstance(u, Pointer):
                    u = u.elem.underlying
                if hasattr(u, "elem") and u.kind in (Kind.ARRAY, Kind.SLICE):
                    return u.elem  # type: ignore[attr-defined,no-any-return]
                if u.kind == Kind.STRING:
                    return BASIC["uint8"]
        if t == "unary_expression":
            op = h.text(node.child_by_field_name("operator"))  # type: ignore[arg-type]
            inner = self.type_of(node.child_by_field_name("operand"), quiet)  # type: ignore[arg-type]
            if inner is not None:
                if op == "*" and isinstance(inner.underlying, Pointer):
                    return inner.underlying.elem  # type: ignore[attr-defined,no-any-return]
                if op == "&":
                    return Pointer(inner)
        if t in ("int_literal", "float_literal", "imaginary_literal", "rune_literal",
                 "interpreted_string_literal", "raw_string_literal", "true", "false",
                 "binary_expression", "unary_expression", "call_expression"):
            try:
                c = self.eval(node, None)
            except InputError:
                if quiet:
                    return None
                raise
            return self.default_type(c)
        if quiet:
            return None
        raise h.err(UnsupportedError, f"regabi cannot determine the type of "
                    f"{self.expr_str(node)}", node)

    @staticmethod
    def default_type(c: Const) -> GoType:
        if c.typ is not None:
            return c.typ
        return BASIC[{"int": "int", "rune": "int32", "float": "float64",
                      "complex": "complex128", "bool": "bool", "string": "string"}[c.ukind]]

    # -- expression text (go/ast ExprString) ------------------------------------------------

    def expr_str(self, node: Node | None) -> str:
        if node is None:
            return ""
        out: list[str] = []
        self._expr_str(node, out, 0)
        return "".join(out)

    def _expr_str(self, node: Node, out: list[str], depth: int) -> None:
        h = self.h
        t = node.type
        if depth > 200:
            out.append("…")
            return
        if t == "binary_expression":
            # left-deep chains iteratively
            spine = []
            cur = node
            while cur.type == "binary_expression":
                spine.append(cur)
                cur = cur.child_by_field_name("left")  # type: ignore[assignment]
            self._expr_str(cur, out, depth + 1)
            for b in reversed(spine):
                out.append(f" {h.text(b.child_by_field_name('operator'))} ")  # type: ignore[arg-type]
                self._expr_str(b.child_by_field_name("right"), out, depth + 1)  # type: ignore[arg-type]
            return
        if t == "unary_expression":
            out.append(h.text(node.child_by_field_name("operator")))  # type: ignore[arg-type]
            self._expr_str(node.child_by_field_name("operand"), out, depth + 1)  # type: ignore[arg-type]
            return
        if t == "parenthesized_expression":
            out.append("(")
            for c in node.named_children:
                self._expr_str(c, out, depth + 1)
            out.append(")")
            return
        if t == "call_expression":
            self._expr_str(node.child_by_field_name("function"), out, depth + 1)  # type: ignore[arg-type]
            out.append("(")
            for i, a in enumerate(self._args(node)):
                if i:
                    out.append(", ")
                self._expr_str(a, out, depth + 1)
            out.append(")")
            return
        if t == "selector_expression":
            self._expr_str(node.child_by_field_name("operand"), out, depth + 1)  # type: ignore[arg-type]
            out.append("." + h.text(node.child_by_field_name("field")))  # type: ignore[arg-type]
            return
        if t == "composite_literal":
            out.append(" ".join(h.text(node.child_by_field_name("type")).split()) + "{…}")  # type: ignore[arg-type]
            return
        if t == "index_expression":
            self._expr_str(node.child_by_field_name("operand"), out, depth + 1)  # type: ignore[arg-type]
            out.append("[")
            self._expr_str(node.child_by_field_name("index"), out, depth + 1)  # type: ignore[arg-type]
            out.append("]")
            return
        out.append(" ".join(h.text(node).split()))
