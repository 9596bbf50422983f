"""Go syntax in: func types, signatures and whole source files, read as Go reads them (spec rules
SIG-2 … SIG-7).

The text is parsed with tree-sitter-go after Go's automatic semicolon insertion (the Go spec,
"Semicolons"), so that a signature or file spread over several lines means what it means to Go.
Positions are the user's (line:col of the text as given, never of a wrapper). Declarations are
checked the way go/types checks them (go1.27.3 src/go/types) where that decides whether a type
exists: named types (recursive ones included), aliases, constants (go/constant semantics, iota,
unsafe.Sizeof & co. with the model's layout for the target's pointer size), embedded interfaces
and fields, duplicate names, map keys, receivers; and the way the compiler sizes types
(cmd/compile/internal/types/size.go): sizes, channel elements, map keys. Whatever Go rejects is a
one-line :class:`~regabi.errors.InputError` naming the position; valid Go outside the model
(type parameters, types of other packages) is an :class:`~regabi.errors.UnsupportedError`, and in
a file only skips the function concerned. Nesting is limited to :data:`MAX_DEPTH` levels
(SIG-5), so Python's recursion limit is never reached.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from regabi.errors import (
    GoSyntaxError,
    GoTypeError,
    InputError,
    InputLimitError,
    TypeTooLargeError,
    UnsupportedError,
)
from regabi.model.sig import Signature
from regabi.model.summary import summarize
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
    layout,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

    from regabi.model.goconst import Const, ConstEval

__all__ = [
    "ANY",
    "ERROR",
    "MAX_DEPTH",
    "FuncDecl",
    "GoFile",
    "Skipped",
    "parse_file",
    "parse_go_file",
    "parse_signature",
    "parse_signatures",
    "parse_type",
]

#: nesting limit (type expressions, constant expressions, declarations resolved on demand, and
#: arrays/structs nested through named types): regabi's documented input limit (SIG-5)
MAX_DEPTH = 100

ERROR = Named("error", Interface(("Error() string",)))
ANY = Interface(())

_ERROR_METHODS = {"Error": Func((), (BASIC["string"],))}
# byte and rune are uint8 and int32 (equal to them) but print as written, as go/types does
_UNIVERSE_TYPES: dict[str, GoType] = {
    **{n: t for n, t in BASIC.items() if n != "unsafe.Pointer"},
    "byte": Basic(Kind.UINT8, "byte"), "rune": Basic(Kind.INT32, "rune"),
    "error": ERROR, "any": ANY,
}
_BUILTINS = frozenset({"append", "cap", "clear", "close", "complex", "copy", "delete", "imag",
                       "len", "make", "max", "min", "new", "panic", "print", "println", "real",
                       "recover"})
_TYPE_NODES = frozenset({"type_identifier", "qualified_type", "pointer_type", "slice_type",
                         "array_type", "implicit_length_array_type", "map_type", "channel_type",
                         "function_type", "interface_type", "struct_type", "parenthesized_type",
                         "generic_type"})
_KEYWORDS = frozenset({"break", "case", "chan", "const", "continue", "default", "defer", "else",
                       "fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
                       "map", "package", "range", "return", "select", "struct", "switch", "type",
                       "var"})
_SEMI_KEYWORDS = frozenset({"break", "continue", "fallthrough", "return"})
_NAME_NODES = frozenset({"identifier", "type_identifier", "field_identifier",
                         "package_identifier", "label_name", "blank_identifier"})
_LIT_NODES = frozenset({"int_literal", "float_literal", "imaginary_literal", "rune_literal",
                        "interpreted_string_literal", "raw_string_literal"})
_DECL_NODES = frozenset({"import_declaration", "const_declaration", "var_declaration",
                         "type_declaration", "function_declaration", "method_declaration"})


@cache
def _parser() -> Parser:
    import tree_sitter as ts
    import tree_sitter_go as tsg

    return ts.Parser(ts.Language(tsg.language()))


# ------------------------------------------------------------------------------ results


class FuncDecl:
    """A function or method found in a Go file."""

    __slots__ = ("line", "name", "sig")

    def __init__(self, name: str, sig: Signature, line: int) -> None:
        self.name = name
        self.sig = sig
        self.line = line


@dataclass(frozen=True)
class Skipped:
    """A function of a file that regabi does not lay out, and why."""

    name: str
    line: int
    reason: str
    pos: str = ""  # file:line:col when known


@dataclass
class GoFile:
    """What :func:`parse_go_file` finds: the functions laid out and those skipped."""

    package: str
    funcs: list[FuncDecl] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


# ------------------------------------------------------------------------------ input text


def _to_bytes(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        return text
    # surrogateescape: command-line arguments with invalid UTF-8 arrive that way
    return text.encode("utf-8", "surrogateescape")


def _line_col(data: bytes, off: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, off) + 1
    return line, off - (data.rfind(b"\n", 0, off) + 1) + 1


def _check_encoding(data: bytes, source: str, line0: int = 1) -> None:
    """Go's scanner rejects invalid UTF-8, NUL and a BOM other than the first character
    (go1.27.3 src/cmd/compile/internal/syntax/scanner.go, source.go)."""
    bad = -1
    msg = ""
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            bad, msg = e.start, "invalid UTF-8 encoding"
        bom = data.find(b"\xef\xbb\xbf", 1 if data.startswith(b"\xef\xbb\xbf") else 0)
        if bom >= 0 and (bad < 0 or bom < bad):
            bad, msg = bom, "invalid BOM in the middle of the file"
    nul = data.find(b"\0")
    if nul >= 0 and (bad < 0 or nul < bad):
        bad, msg = nul, "invalid NUL character"
    if bad >= 0:
        line, col = _line_col(data, bad)
        raise GoSyntaxError(msg, source=source, line=line + line0 - 1, column=col)


_TOK = re.compile(rb"""
 (?P<nl>\n)
|(?P<ws>[ \t\r\f\v]+)
|(?P<lc>//[^\n]*)
|(?P<gc>/\*(?:.*?\*/|.*))
|(?P<raw>`[^`]*`?)
|(?P<str>"(?:\\.|[^"\\\n])*"?)
|(?P<rune>'(?:\\.|[^'\\\n])*'?)
|(?P<num>\.?[0-9](?:[eEpP][+-]|[0-9a-zA-Z_.])*)
|(?P<id>[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*)
|(?P<inc>\+\+|--|[)\]}])
|(?P<op>.)
""", re.S | re.X)


def _insert_semicolons(data: bytes) -> tuple[bytes, list[int]]:
    """Go's automatic semicolon insertion (the Go spec, "Semicolons"): after a line's final
    token when it is an identifier, a literal, one of the keywords break continue fallthrough
    return, or one of ++ -- ) ] }. The ';' goes where the newline (or the comment standing for
    it) starts, so columns before it are unchanged. Returns the new text and the offsets (in it)
    of the inserted semicolons."""
    out = []
    ins = []
    pos = 0
    added = 0
    last = False
    for m in _TOK.finditer(data):
        k = m.lastgroup
        if k == "ws":
            continue
        if k in ("nl", "lc") or (k == "gc" and b"\n" in m.group()):
            if last:
                s = m.start()
                out.append(data[pos:s])
                out.append(b";")
                ins.append(s + added)
                added += 1
                pos = s
            last = False
            continue
        if k == "gc":
            continue
        if k == "id":
            w = m.group()
            last = w not in _KEYWORDS_B or w in _SEMI_KEYWORDS_B
        else:
            last = k in ("raw", "str", "rune", "num", "inc")
    if not ins:
        return data, []
    out.append(data[pos:])
    return b"".join(out), ins


_KEYWORDS_B = frozenset(k.encode() for k in _KEYWORDS)
_SEMI_KEYWORDS_B = frozenset(k.encode() for k in _SEMI_KEYWORDS)


@dataclass
class _Seg:
    """A piece of user text inside the wrapper source that tree-sitter parses."""

    start: int  # byte offset in the wrapper
    end: int
    row: int  # wrapper row and byte column where the user's text starts
    col: int
    source: str
    line0: int = 1  # the user's line number of the segment's first line
    end_row: int = 0  # wrapper row and column where the user's text ends
    end_col: int = 0
    ins_row: int = -1  # "func" inserted before a leading "(": wrapper row, column, length
    ins_col: int = 0
    ins_len: int = 0


class _Builder:
    """Assembles the wrapper source from fixed text and user segments."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.off = 0
        self.row = 0
        self.col = 0
        self.segs: list[_Seg] = []
        self.semis: set[int] = set()

    def fixed(self, b: bytes) -> None:
        self._advance(b)

    def _advance(self, b: bytes) -> None:
        self.parts.append(b)
        self.off += len(b)
        nl = b.count(b"\n")
        if nl:
            self.row += nl
            self.col = len(b) - b.rfind(b"\n") - 1
        else:
            self.col += len(b)

    def user(self, data: bytes, source: str, *, func_prefix: bool = False) -> _Seg:
        seg = _Seg(self.off, 0, self.row, self.col, source)
        if func_prefix:
            stripped = data.lstrip()
            if stripped.startswith(b"("):
                lead = len(data) - len(stripped)
                before = data[:lead]
                nl = before.count(b"\n")
                seg.ins_row = self.row + nl
                seg.ins_col = (self.col + lead) if not nl else lead - before.rfind(b"\n") - 1
                seg.ins_len = 4
                data = before + b"func" + stripped
        if b"\n" in data:
            data, ins = _insert_semicolons(data)
            self.semis.update(self.off + i for i in ins)
        self._advance(data)
        seg.end = self.off
        seg.end_row, seg.end_col = self.row, self.col
        self.segs.append(seg)
        return seg

    def source(self) -> bytes:
        return b"".join(self.parts)


class _At:
    """A position that is not a node's start (the end of a node, a point inside a literal)."""

    def __init__(self, row: int, col: int, byte: int) -> None:
        self.start_point = (row, col)
        self.start_byte = byte


def _end(node: Any) -> _At:
    r, c = node.end_point
    return _At(r, c, node.end_byte)


# ------------------------------------------------------------------------------ objects


class _Obj:
    __slots__ = ("alias_type", "err", "expr", "generic", "iota", "kind", "name", "named",
                 "node", "spec", "state", "typ", "typ_node", "value")

    def __init__(self, kind: str, name: str, node: Node, spec: Node | None = None) -> None:
        self.kind = kind  # type, alias, const, var, func, pkg
        self.name = name
        self.node = node  # the name's node (positions)
        self.spec = spec
        self.state = 0  # 0 new, 1 in progress, 2 done
        self.err: InputError | None = None
        self.named: Named | None = None
        self.alias_type: GoType | None = None
        self.generic = False
        self.typ_node: Node | None = None
        self.expr: Node | None = None
        self.iota = 0
        self.value: Const | str | None = None  # an import's package path is a str
        self.typ: GoType | None = None


class _Abandon(Exception):
    """A declaration depends on one whose error has already been reported."""


@dataclass(slots=True)
class _Param:
    name: Node | None
    type: Node | None
    ddd: bool
    decl: Node


# ------------------------------------------------------------------------------ the checker


class _Checker:
    """Type-checks the declarations and type expressions of one wrapper source."""

    def __init__(self, src: bytes, segs: list[_Seg], semis: set[int], ps: int, *,
                 scope: object, implicit_unsafe: bool) -> None:
        self.src = src
        self.segs = segs
        self.seg_starts = [s.start for s in segs]
        self.semis = semis
        self.ps = ps
        self.scope = scope
        self.objs: dict[str, _Obj] = {}
        self.all: list[_Obj] = []  # every declared object in source order, blank ones too
        self.implicit_unsafe = implicit_unsafe
        self.errors: list[tuple[int, InputError]] = []
        self.depth = 0
        self.path: list[_Obj] = []
        self.later: list[tuple[Any, tuple]] = []
        self.defer = False
        self.memo = True
        self.named_obj: dict[Named, _Obj] = {}
        self.vstate: dict[Named, int] = {}
        self.vdepth: dict[Named, int] = {}
        self.von: list[Named] = []
        self.pkg_name = ""
        self.eager = False  # size checks at construction (no declared named types)
        self.sizes = True  # the compiler's size checks (off for a bare type expression)
        self.table: dict[bytes, GoType] | None = None  # the memo in use (see memoize)
        self.sig_nodes: list[Node | None] = []  # type nodes of the last signature's values
        self._consts: ConstEval | None = None

    @property
    def consts(self) -> ConstEval:
        # the constant evaluator (and its exact arithmetic) loads when a constant needs it
        if self._consts is None:
            from regabi.model.goconst import ConstEval

            self._consts = ConstEval(self)
        return self._consts

    # -- positions and errors ------------------------------------------------------------------

    def where(self, node: Any) -> tuple[str, int, int]:
        byte = node.start_byte
        row, col = node.start_point
        i = bisect.bisect_right(self.seg_starts, byte) - 1
        seg = self.segs[max(i, 0)]
        if byte < seg.start:  # in the wrapper before the user's text: its start
            row, col = seg.row, seg.col
        elif byte > seg.end:  # in the wrapper after it: its end
            row, col = seg.end_row, seg.end_col
        if row == seg.ins_row and col >= seg.ins_col + seg.ins_len:
            col -= seg.ins_len
        line = row - seg.row + seg.line0
        c = col - seg.col + 1 if row == seg.row else col + 1
        return seg.source, line, max(c, 1)

    def err(self, cls: type[InputError], msg: str, node: Any) -> InputError:
        source, line, col = self.where(node)
        e = cls(msg, source=source, line=line, column=col)
        e._regabi_off = node.start_byte  # type: ignore[attr-defined]
        return e

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "surrogateescape")

    def record(self, e: InputError) -> None:
        self.errors.append((getattr(e, "_regabi_off", 1 << 62), e))

    def raise_first(self) -> None:
        if self.errors:
            raise min(self.errors, key=lambda p: p[0])[1]

    def enter(self, node: Any) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.depth -= 1
            raise self.err(InputLimitError, f"nested too deeply: regabi reads at most "
                           f"{MAX_DEPTH} levels of nested types, expressions and declarations "
                           "(SIG-5)", node)

    def leave(self) -> None:
        self.depth -= 1

    def _later(self, fn: Any, *args: Any) -> None:
        if self.defer:
            self.later.append((fn, args))
        else:
            fn(*args)

    def flush_later(self) -> None:
        while self.later:
            todo, self.later = self.later, []
            for fn, args in todo:
                try:
                    fn(*args)
                except _Abandon:
                    pass
                except InputError as e:
                    self.record(e)

    # -- syntax ----------------------------------------------------------------------------------

    def tokdesc(self, node: Node) -> str:
        """How cmd/compile/internal/syntax names a token in "unexpected X" (parser.go
        syntaxErrorAt, tokstring)."""
        if node.start_byte in self.semis and self.src[node.start_byte:node.end_byte] == b";":
            return "newline"
        t = node.type
        txt = self.text(node)
        if node.start_byte >= len(self.src.rstrip()) or not txt:
            return "EOF"
        if t in _NAME_NODES or (t == "ERROR" and re.fullmatch(r"\w+", txt) and
                                txt not in _KEYWORDS):
            return f"name {txt}"
        if t in _LIT_NODES:
            return f"literal {txt}"
        if txt in _KEYWORDS:
            return f"keyword {txt}"
        if txt == ",":
            return "comma"
        if txt == ";":
            return "semicolon"
        first = txt.splitlines()[0].strip() if txt.strip() else ""
        return first[:30] or "newline"

    def check_syntax(self, root: Node) -> None:
        if not root.has_error:
            return
        # the first ERROR or MISSING node, without recursion
        node = root
        while True:
            if node.type == "ERROR" or node.is_missing:
                break
            nxt = None
            for c in node.children:
                if c.type == "ERROR" or c.is_missing or c.has_error:
                    nxt = c
                    break
            if nxt is None:
                break
            node = nxt
        if node.is_missing:
            at: Any = node
            if node.type in (")", "]", "}") and node.start_byte in self.semis:
                raise self.err(GoSyntaxError, "syntax error: unexpected newline, expected "
                               f"{node.type}", node)
            raise self.err(GoSyntaxError, f"syntax error: missing {node.type!r}", at)
        # tree-sitter wraps an unclosed construct in one ERROR node reaching the end of the
        # input: the problem is at its end, not at its start.
        if self.src[node.end_byte:].strip() == b"" and len(node.children) > 1:
            last = node
            while last.children:
                last = last.children[-1]
            if last.type not in (")", "]", "}"):
                raise self.err(GoSyntaxError, "syntax error: unexpected EOF", _end(node))
        leaf = node
        while leaf.children:
            errs = [c for c in leaf.children if c.type == "ERROR" or c.is_missing]
            leaf = errs[0] if errs else leaf.children[0]
        if self.in_user(leaf.start_byte) is None:
            # recovery put the error in the wrapper's text: name the first user token in it
            stack = [node]
            found = None
            while stack and found is None:
                n = stack.pop()
                if not n.children:
                    if self.in_user(n.start_byte) is not None and n.end_byte > n.start_byte:
                        found = n
                    continue
                stack.extend(reversed(n.children))
            if found is None:
                raise self.err(GoSyntaxError, "syntax error: unexpected EOF", _end(node))
            leaf = found
        raise self.err(GoSyntaxError, f"syntax error: unexpected {self.tokdesc(leaf)}", leaf)

    def in_user(self, byte: int) -> _Seg | None:
        i = bisect.bisect_right(self.seg_starts, byte) - 1
        if i >= 0 and byte < self.segs[i].end:
            return self.segs[i]
        return None

    # -- declarations ------------------------------------------------------------------------------

    def declare(self, obj: _Obj) -> None:
        if obj.name != "_" and obj.name in self.objs:
            raise self.err(GoTypeError, f"{obj.name} redeclared in this block", obj.node)
        if obj.kind == "type" and not obj.generic:
            # blank types are distinct from each other
            obj.named = Named(obj.name, scope=(self.scope, len(self.all)) if obj.name == "_"
                              else self.scope)
            self.named_obj[obj.named] = obj
        self.all.append(obj)
        if obj.name != "_":
            self.objs[obj.name] = obj

    def collect(self, tops: list[Node]) -> list[Node]:
        """Declares the package-level objects of ``tops``; returns the func declarations."""
        funcs = []
        for top in tops:
            t = top.type
            try:
                if t == "import_declaration":
                    self._collect_imports(top)
                elif t == "type_declaration":
                    for spec in top.named_children:
                        if spec.type not in ("type_spec", "type_alias"):
                            continue
                        nn = spec.child_by_field_name("name")
                        o = _Obj("alias" if spec.type == "type_alias" else "type",
                                 self.text(nn), nn, spec)  # type: ignore[arg-type]
                        o.typ_node = spec.child_by_field_name("type")
                        o.generic = spec.child_by_field_name("type_parameters") is not None
                        self.declare(o)
                elif t == "const_declaration":
                    self._collect_consts(top)
                elif t == "var_declaration":
                    specs = [s for s in top.named_children if s.type == "var_spec"]
                    for vl in top.named_children:
                        if vl.type == "var_spec_list":
                            specs += [s for s in vl.named_children if s.type == "var_spec"]
                    for spec in specs:
                        tn = spec.child_by_field_name("type")
                        for nn in spec.children_by_field_name("name"):
                            if nn.is_named:
                                o = _Obj("var", self.text(nn), nn, spec)
                                o.typ_node = tn
                                self.declare(o)
                elif t == "function_declaration":
                    funcs.append(top)
                    nn = top.child_by_field_name("name")
                    name = self.text(nn)  # type: ignore[arg-type]
                    if name != "init":
                        self.declare(_Obj("func", name, nn, top))  # type: ignore[arg-type]
                elif t == "method_declaration":
                    funcs.append(top)
            except InputError as e:
                self.record(e)
        return funcs

    def _collect_imports(self, top: Node) -> None:
        specs = []
        for c in top.named_children:
            if c.type == "import_spec":
                specs.append(c)
            elif c.type == "import_spec_list":
                specs += [s for s in c.named_children if s.type == "import_spec"]
        for spec in specs:
            pn = spec.child_by_field_name("path")
            path = self.text(pn).strip('"`')  # type: ignore[arg-type]
            nn = spec.child_by_field_name("name")
            name = self.text(nn) if nn is not None else path.rsplit("/", 1)[-1]
            if name in ("_", "."):
                continue
            o = _Obj("pkg", name, nn or pn, spec)  # type: ignore[arg-type]
            o.value = path
            self.declare(o)

    def _collect_consts(self, top: Node) -> None:
        specs = [s for s in top.named_children if s.type == "const_spec"]
        prev_type: Node | None = None
        prev_vals: list[Node] = []
        for iota, spec in enumerate(specs):
            names = [n for n in spec.children_by_field_name("name") if n.is_named]
            tn = spec.child_by_field_name("type")
            vl = spec.child_by_field_name("value")
            if vl is not None:
                vals = [v for v in vl.named_children if v.type != "comment"]
                prev_type, prev_vals = tn, vals
            else:
                if tn is not None:
                    raise self.err(GoSyntaxError, "syntax error: missing init expr for const "
                                   "declaration", _end(tn))
                if not prev_vals:
                    raise self.err(GoTypeError, "missing init expr for const declaration",
                                   names[0] if names else spec)
                tn, vals = prev_type, prev_vals
            for i, nn in enumerate(names):
                o = _Obj("const", self.text(nn), nn, spec)
                o.typ_node = tn
                o.iota = iota
                if i < len(vals):
                    o.expr = vals[i]
                elif vl is not None or True:
                    o.err = self.err(GoTypeError, "missing init expr for const declaration",
                                     nn)
                    self.record(o.err)
                    o.state = 2
                self.declare(o)
            if len(vals) > len(names):
                self.record(self.err(GoTypeError, "extra init expr", vals[len(names)]))

    # -- name resolution ---------------------------------------------------------------------

    def lookup_value(self, name: str, node: Node) -> tuple[str, object]:
        o = self.objs.get(name)
        if o is not None:
            if o.kind == "const":
                return "const", self.const_value(o, node)
            if o.kind == "var":
                return "var", self.var_type(o)
            if o.kind in ("type", "alias"):
                return "type", self.type_obj(o, node, False)
            if o.kind == "func":
                return "func", None
            if o.kind == "pkg":
                return "pkg", o.value
        if name in ("true", "false"):
            from regabi.model.goconst import Const

            return "const", Const("bool", name == "true", None, "bool")
        if name == "iota":
            return "iota", None
        if name in _BUILTINS:
            return "builtin", name
        if name == "unsafe" and self.implicit_unsafe:
            return "pkg", "unsafe"
        if name == "nil":
            return "nil", None
        if name in _UNIVERSE_TYPES:
            return "type", _UNIVERSE_TYPES[name]
        if name == "_":
            raise self.err(GoTypeError, "cannot use _ as value", node)
        return "undefined", None

    def is_type_expr(self, node: Node) -> bool:
        t = node.type
        if t in _TYPE_NODES:
            return True
        if t == "parenthesized_expression" and len(node.named_children) == 1:
            inner = node.named_children[0]
            if inner.type == "unary_expression" and self.text(inner).startswith("*"):
                return True
            return self.is_type_expr(inner)
        if t == "identifier":
            o = self.objs.get(self.text(node))
            if o is not None:
                return o.kind in ("type", "alias")
            return self.text(node) in BASIC or self.text(node) in ("error", "any")
        if t == "selector_expression":
            op = node.child_by_field_name("operand")
            return (op is not None and self.text(op) in self._unsafe_names()
                    and self.text(node.child_by_field_name("field")) == "Pointer")  # type: ignore[arg-type]
        return False

    def _unsafe_names(self) -> set[str]:
        out = {o.name for o in self.objs.values() if o.kind == "pkg" and o.value == "unsafe"}
        if self.implicit_unsafe and "unsafe" not in self.objs:
            out.add("unsafe")
        return out

    def eval_type(self, node: Node) -> GoType:
        if node.type == "parenthesized_expression" and len(node.named_children) == 1:
            inner = node.named_children[0]
            if inner.type == "unary_expression":
                return Pointer(self.eval_type(inner.child_by_field_name("operand")))  # type: ignore[arg-type]
            return self.eval_type(inner)
        if node.type == "selector_expression":
            return BASIC["unsafe.Pointer"]
        t = self.type(node)
        self.not_constraint(t, node)
        return t

    def type_layout(self, t: GoType, node: Node) -> tuple[int, int, tuple[int, ...]]:
        """(size, align, field offsets) of a complete type, as unsafe.Sizeof & co. see it."""
        self.complete(t, node)
        try:
            size, align = _sizes(t, self.ps)
        except TypeTooLargeError as e:
            raise self.err(TypeTooLargeError, e.message, node) from None
        u = t.underlying
        offs: tuple[int, ...] = ()
        if isinstance(u, Struct):
            off = 0
            out = []
            for f in u.fields:
                fs, fa = _sizes(f.type, self.ps)
                off = (off + fa - 1) & -fa
                out.append(off)
                off += fs
            offs = tuple(out)
        return size, align, offs

    def const_value(self, o: _Obj, use: Node) -> Const:
        if o.state == 2:
            if o.value is None:
                if isinstance(o.err, UnsupportedError):
                    raise o.err
                raise _Abandon
            assert not isinstance(o.value, str)  # only an import's value is a path
            return o.value
        if o.state == 1:
            raise self.cycle_error(o, use)
        o.state = 1
        self.path.append(o)
        self.enter(use)
        try:
            v = self._const_decl(o)
            o.value = v
            return v
        except UnsupportedError as e:
            o.err = e
            raise
        except InputError as e:
            o.err = e
            self.record(e)
            if not getattr(e, "unknown", False):
                raise _Abandon from None
            # go/types goes on with an unknown value: uses report "constant unknown"
            o.value = self._unknown(o)
            return o.value
        finally:
            self.leave()
            self.path.pop()
            o.state = 2

    def _unknown(self, o: _Obj) -> Const:
        typ = None
        if o.typ_node is not None:
            try:
                typ = self.type(o.typ_node)
            except (InputError, _Abandon):
                typ = None
            if typ is not None and not _const_type(typ):
                typ = None
        from regabi.model.goconst import Const

        return Const("unknown", None, typ, "" if typ is not None else "int")

    def _const_decl(self, o: _Obj) -> Const:
        """go/types decl.go constDecl and assignment.go: the value, converted to the declared
        type."""
        from regabi.model.goconst import describe

        assert o.expr is not None
        v = self.consts.eval(o.expr, o.iota)
        if o.typ_node is None:
            return v
        t = self.type(o.typ_node)
        if not _const_type(t):
            raise self.err(GoTypeError, f"invalid constant type {t}", o.typ_node)
        if v.typ is not None and v.typ != t:
            raise self.err(GoTypeError, f"cannot use {describe(self.consts.expr_str(o.expr), v)} "
                           f"as {t} value in constant declaration", o.expr)
        r = self.consts.represent(v, t)
        if r is None:
            code = self.consts._overflow_code(v, t)
            tail = f" ({code})" if code != "cannot" else ""
            e = self.err(GoTypeError, f"cannot use {describe(self.consts.expr_str(o.expr), v)} "
                         f"as {t} value in constant declaration{tail}", o.expr)
            e.unknown = True  # type: ignore[attr-defined]
            raise e
        return r

    def var_type(self, o: _Obj) -> GoType | None:
        if o.typ is None and o.typ_node is not None and o.state == 0:
            o.state = 1
            try:
                o.typ = self.type(o.typ_node)
            finally:
                o.state = 2
        return o.typ

    def cycle_error(self, o: _Obj, use: Any) -> InputError:
        """go/types cycleError (decl.go): the cycle from its first object in source order."""
        idx = next((i for i, p in enumerate(self.path) if p is o), None)
        cyc = self.path[idx:] if idx is not None else [o]
        start = min(range(len(cyc)), key=lambda i: cyc[i].node.start_byte)
        cyc = cyc[start:] + cyc[:start]
        types = any(c.kind in ("type", "alias") for c in cyc)
        first = cyc[0]
        if len(cyc) == 1:
            msg = ("invalid recursive type: " if types else "initialization cycle: ") + \
                f"{first.name} refers to itself"
        else:
            refs = ", ".join(f"{a.name} refers to {b.name}"
                             for a, b in zip(cyc, cyc[1:] + cyc[:1], strict=True))
            msg = (f"invalid recursive type {first.name}: " if types else
                   f"initialization cycle for {first.name}: ") + refs
        return self.err(GoTypeError, msg, first.node)

    def type_obj(self, o: _Obj, use: Node, indirect: bool) -> GoType:
        """The type a type name denotes (a declared named type is returned before it is bound:
        its underlying type is bound by :meth:`bind`)."""
        if o.kind == "type":
            if o.generic:
                raise self.err(UnsupportedError, f"generic type {o.name} needs instantiation "
                               "(regabi lays out generic code per GC shape only for loaded "
                               "packages: regabi layout ./pkg)", use)
            assert o.named is not None
            return o.named
        # an alias: its type, resolved on demand
        if o.state == 2:
            if o.alias_type is None:
                raise o.err if isinstance(o.err, UnsupportedError) else _Abandon()
            return o.alias_type
        if o.state == 1:
            raise self.cycle_error(o, use)
        o.state = 1
        self.path.append(o)
        self.enter(use)
        try:
            o.alias_type = self.type(o.typ_node)  # type: ignore[arg-type]
            return o.alias_type
        except UnsupportedError as e:
            o.err = e
            raise
        except InputError as e:
            o.err = e
            self.record(e)
            raise _Abandon from None
        finally:
            self.leave()
            self.path.pop()
            o.state = 2

    def resolve(self, name: str, node: Node) -> GoType:
        o = self.objs.get(name)
        if o is not None:
            if o.kind in ("type", "alias"):
                return self.type_obj(o, node, False)
            raise self.err(GoTypeError, f"{name} is not a type", node)
        t = _UNIVERSE_TYPES.get(name)
        if t is not None:
            return t
        if name == "comparable":
            raise self.err(GoTypeError, "cannot use type comparable outside a type constraint: "
                           "interface is (or embeds) comparable", node)
        if name == "_":
            raise self.err(GoTypeError, "cannot use _ as value or type", node)
        raise self.err(GoTypeError, f"undefined: {name}", node)

    # -- binding named types -------------------------------------------------------------------

    def bind(self, o: _Obj) -> None:
        """Binds ``o``'s named type to its underlying type. A chain ``type A B; type B C; …``
        is followed iteratively (its length is not limited)."""
        chain: list[_Obj] = []
        cur = o
        under: GoType | None = None
        try:
            while True:
                if cur.state == 2:
                    if cur.named is None or not cur.named.bound:
                        if isinstance(cur.err, UnsupportedError):
                            raise cur.err
                        raise _Abandon
                    under = cur.named.underlying
                    break
                if cur.state == 1:
                    self.path.extend(chain)
                    try:
                        raise self.cycle_error(cur, cur.node)
                    finally:
                        del self.path[len(self.path) - len(chain):]
                cur.state = 1
                chain.append(cur)
                expr = _strip_parens(cur.typ_node)  # type: ignore[arg-type]
                nxt = None
                if expr is not None and expr.type in ("type_identifier", "identifier"):
                    tgt = self.objs.get(self.text(expr))
                    if tgt is not None and tgt.kind == "type" and not tgt.generic:
                        nxt = tgt
                    elif tgt is not None and tgt.kind == "alias":
                        self.path.extend(chain)
                        try:
                            at = self.type_obj(tgt, expr, False)
                        finally:
                            del self.path[len(self.path) - len(chain):]
                        if isinstance(at, Named) and at in self.named_obj:
                            nxt = self.named_obj[at]
                        else:
                            under = at.underlying
                            break
                if nxt is not None:
                    cur = nxt
                    continue
                self.path.extend(chain)
                try:
                    t = self.type(cur.typ_node)  # type: ignore[arg-type]
                finally:
                    del self.path[len(self.path) - len(chain):]
                if isinstance(t, Named) and not t.bound:
                    tgt = self.named_obj.get(t)
                    if tgt is None:
                        raise _Abandon
                    cur = tgt
                    continue
                under = t.underlying
                break
        except InputError as e:
            for c in chain:
                c.state = 2
                c.err = e
            raise
        except _Abandon:
            for c in chain:
                c.state = 2
            raise
        for c in reversed(chain):
            assert c.named is not None
            c.named.bind(under)
            c.state = 2

    def ensure_bound(self, n: Named, node: Any) -> None:
        if n.bound:
            return
        o = self.named_obj.get(n)
        if o is None:
            raise _Abandon
        if o.state == 1:
            raise self.cycle_error(o, node)
        if o.state == 2:
            if isinstance(o.err, UnsupportedError):
                raise o.err
            raise _Abandon
        self.enter(node)
        try:
            self.bind(o)
        finally:
            self.leave()

    def complete(self, t: GoType, node: Any) -> None:
        """Every named type that ``t`` holds by value is bound and none holds itself (go/types
        validtype.go); arrays and structs nest at most MAX_DEPTH levels through named types."""
        if not self.named_obj or t._lay.get(_COMPLETE):
            return  # without declared named types, nesting is the expression's (checked)
        if isinstance(t, Named):
            self.valid_named(t, node)
            return
        own, refs = _by_value(t)
        d = own
        for n, at in refs:
            self.valid_named(n, node)
            d = max(d, at + self.vdepth.get(n, 0))
        if d > MAX_DEPTH:
            raise self.err(InputLimitError, f"type {t} nests arrays and structs {d} levels deep "
                           f"(regabi's limit is {MAX_DEPTH}; SIG-5)", node)
        t._lay[_COMPLETE] = True  # type: ignore[index]

    def valid_named(self, root: Named, node: Any) -> None:
        """Iterative depth-first search of the by-value containment graph from ``root``
        (vstate: 1 on the search path, 2 valid, 3 invalid, error already reported)."""
        st = self.vstate.get(root)
        if st == 2:
            return
        if st == 3:
            raise _Abandon
        stack: list[tuple[Named, list[tuple[Named, int]], int]] = []
        on = self.von  # active nodes, shared with searches nested through bind (Sizeof)
        base = len(on)

        def push(n: Named) -> None:
            if n not in self.named_obj:  # from the universe or another package: valid
                own, _ = _by_value(n.underlying)
                self.vstate[n] = 2
                self.vdepth[n] = own
                return
            self.ensure_bound(n, node)
            own, refs = _by_value(n.underlying)
            self.vstate[n] = 1
            self.vdepth[n] = own
            stack.append((n, refs, 0))
            on.append(n)

        push(root)
        try:
            self._dfs(push, stack, on, node)
        except BaseException:
            for n in on[base:]:
                self.vstate[n] = 3
            del on[base:]
            raise

    def _dfs(self, push: Any, stack: list, on: list[Named], node: Any) -> None:
        while stack:
            n, refs, i = stack[-1]
            if i < len(refs):
                stack[-1] = (n, refs, i + 1)
                m, at = refs[i]
                st = self.vstate.get(m, 0)
                if st == 1:
                    cyc = [self.named_obj[x] for x in on[on.index(m):]]
                    saved = self.path
                    self.path = cyc
                    try:
                        raise self.cycle_error(cyc[0], node)
                    finally:
                        self.path = saved
                if st == 3:
                    raise _Abandon
                if st == 0:
                    push(m)
                continue
            stack.pop()
            on.pop()
            d = self.vdepth[n]
            for m, at in refs:
                d = max(d, at + self.vdepth.get(m, 0))
            self.vdepth[n] = d
            self.vstate[n] = 2
            if d > MAX_DEPTH:
                o = self.named_obj[n]
                raise self.err(InputLimitError, f"type {n.name} nests arrays and structs {d} "
                               f"levels deep (regabi's limit is {MAX_DEPTH}; SIG-5)", o.node)

    # -- type expressions ------------------------------------------------------------------------

    def type(self, node: Node) -> GoType:
        return self._type(node)

    def _type(self, node: Node) -> GoType:
        # Without declarations a type expression means the same everywhere: memoized by text
        # (every level, so repeated parts of a batch are built once), only once it has passed
        # every check.
        table = self.table
        if table is not None:
            key = self.src[node.start_byte : node.end_byte]
            hit = table.get(key)
            if hit is not None:
                return hit
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.depth -= 1
            self.enter(node)  # raises the limit error
        try:
            t = self._type_node(node)
        finally:
            self.depth -= 1
        if table is not None and len(table) < 65536 and not (
                isinstance(t, Interface) and t._lay.get(_CONSTRAINT)):
            table[key] = t
        return t

    def _type_node(self, node: Node) -> GoType:
        t = node.type
        if t == "type_identifier" or t == "identifier":
            return self.resolve(self.text(node), node)
        if t == "pointer_type":
            en = node.named_children[-1]
            et = self._type(en)
            if et.__class__ is Interface or et.__class__ is Named:
                self.not_constraint(et, en)
            return Pointer(et)
        if t == "slice_type":
            return Slice(self._elem(node, "element"))
        if t == "array_type":
            ln = node.child_by_field_name("length")
            txt = self.src[ln.start_byte : ln.end_byte]  # type: ignore[union-attr]
            if ln.type == "int_literal" and txt.isdigit() and (txt[:1] != b"0" or txt == b"0"):  # type: ignore[union-attr]
                n = int(txt)  # the common case, without the constant evaluator
                if n >= 1 << (8 * self.ps - 1):
                    n = self.array_length(ln)  # type: ignore[arg-type]
            else:
                n = self.array_length(ln)  # type: ignore[arg-type]
            a: GoType = Array(n, self._elem(node, "element"))
            if self.eager:
                self._eager(a, node)
            return a
        if t == "struct_type":
            st = self._struct(node)
            if self.eager:
                self._eager(st, node)
            return st
        if t == "function_type":
            ps, _, var, rs, _ = self.signature(node.child_by_field_name("parameters"),
                                               node.child_by_field_name("result"), node)
            f = Func(tuple(ps), tuple(rs), var)
            if self.eager and self.sizes:
                self._check_funcargs(f, f.params, f.results, node)
            return f
        if t == "map_type":
            kn = node.child_by_field_name("key")
            k = self._type(kn)  # type: ignore[arg-type]
            if k.__class__ is Interface or k.__class__ is Named:
                self.not_constraint(k, kn)
            v = self._elem(node, "value")
            self._later(self._check_map_key, k, kn)
            m = Map(k, v)
            if self.eager:
                self._eager(m, node)
            return m
        if t == "channel_type":
            kids = [c.type for c in node.children if not c.is_named]
            d = "<-chan" if kids[:1] == ["<-"] else ("chan<-" if kids[:2] == ["chan", "<-"]
                                                      else "chan")
            c = Chan(self._elem(node, "value"), d)
            if self.eager:
                self._eager(c, node)
            return c
        if t == "interface_type":
            return self._interface(node)
        if t == "parenthesized_type":
            inner = [c for c in node.named_children if c.type != "comment"]
            return self._type(inner[0])
        if t == "qualified_type":
            return self._qualified(node)
        if t == "implicit_length_array_type":
            raise self.err(GoTypeError, "invalid use of [...] array (outside a composite literal)",
                           node)
        if t == "generic_type":
            raise self.err(UnsupportedError, f"instantiated generic type "
                           f"{' '.join(self.text(node).split())}: regabi lays out generic code "
                           "per GC shape only for loaded packages (regabi layout ./pkg)", node)
        if t in ("negated_type", "union_type", "type_elem", "type_constraint"):
            inner = [c for c in node.named_children if c.type != "comment"]
            if t in ("type_elem", "type_constraint") and len(inner) == 1:
                return self._type(inner[0])
            raise self.err(GoTypeError, f"cannot use type {' '.join(self.text(node).split())} "
                           "outside a type constraint: interface contains type constraints", node)
        raise self.err(GoSyntaxError, f"syntax error: unexpected {self.tokdesc(node)}, expected "
                       "type", node)

    def memoize(self, eager: bool, sizes: bool = True) -> None:
        """Without declarations (``eager``) type expressions are memoized by text, per pointer
        size and size checking."""
        self.eager = eager
        self.sizes = sizes
        self.table = _MEMO.setdefault((self.ps, sizes), {}) if eager and self.memo else None

    def _eager(self, t: GoType, node: Any) -> None:
        """The compiler's size checks (see check_sizes) at construction: without declared named
        types every type reachable from this one was built (and checked) first."""
        if not self.sizes:
            return
        ps = self.ps
        try:
            if isinstance(t, Chan):
                if _sizes(t.elem, ps)[0] >= 1 << 16:
                    raise self.err(TypeTooLargeError, "channel element type too large (>64kB)",
                                   node)
            elif isinstance(t, Map):
                for part, what in ((t.elem, "element"), (t.key, "key")):
                    if _sizes(part, ps)[0] >= 1 << 31:
                        raise self.err(TypeTooLargeError, f"map {what} type too large", node)
            elif _sizes(t, ps)[0] >= 1 << 31 and ps == 4:
                raise self.err(TypeTooLargeError, f"type {_type_str(t)} too large", node)
        except TypeTooLargeError as e:
            if e.line is not None:
                raise
            raise self.err(TypeTooLargeError, e.message, node) from None

    def _elem(self, node: Node, fieldname: str) -> GoType:
        en = node.child_by_field_name(fieldname)
        t = self._type(en)  # type: ignore[arg-type]
        if t.__class__ is Interface or t.__class__ is Named:
            self.not_constraint(t, en)
        return t

    def _qualified(self, node: Node) -> GoType:
        pkg = self.text(node.child_by_field_name("package"))  # type: ignore[arg-type]
        name = self.text(node.child_by_field_name("name"))  # type: ignore[arg-type]
        o = self.objs.get(pkg)
        path: str | None = None
        if o is not None and o.kind == "pkg" and isinstance(o.value, str):
            path = o.value
        elif o is None and pkg == "unsafe" and self.implicit_unsafe:
            path = "unsafe"
        if path is None:
            if o is not None:
                raise self.err(GoTypeError, f"{pkg}.{name} is not a type", node)
            raise self.err(GoTypeError, f"undefined: {pkg}", node)
        if path == "unsafe":
            if name == "Pointer":
                return BASIC["unsafe.Pointer"]
            raise self.err(GoTypeError, f"undefined: unsafe.{name}", node)
        raise self.err(UnsupportedError, f"{pkg}.{name}: types of other packages need the Go "
                       f"toolchain (regabi layout loads packages with go/types: pass the "
                       f"package directory or import path)", node)

    def array_length(self, node: Node) -> int:
        """go/types typexpr.go arrayLength."""
        from regabi.model.goconst import _as_int, describe

        if node.type == "identifier":
            name = self.text(node)
            kind, _ = self.lookup_value_quiet(name)
            if kind == "undefined":
                raise self.err(GoTypeError, f"undefined array length {name} or missing type "
                               "constraint", node)
            if kind not in ("const", "iota"):
                raise self.err(GoTypeError, f"invalid array length {name}", node)
        try:
            c = self.consts.eval(node, None)
        except GoTypeError as e:
            nc = getattr(e, "not_constant", None)
            if nc is not None and nc[0] is node:
                desc = f"value of type {nc[1]}" if nc[1] else "value"
                raise self.err(GoTypeError, f"array length {self.consts.expr_str(node)} ({desc}) "
                               "must be constant", node) from None
            raise
        integer = (c.typ is None and c.ukind in ("int", "rune")) or (
            c.typ is not None and _is_int(c.typ))
        if c.typ is None or integer:
            v = _as_int(c)
            if v is not None and 0 <= v <= (1 << (8 * self.ps - 1)) - 1:
                return v
        desc = describe(self.consts.expr_str(node), c)
        if integer:
            raise self.err(GoTypeError, f"invalid array length {desc}", node)
        raise self.err(GoTypeError, f"array length {desc} must be integer", node)

    def lookup_value_quiet(self, name: str) -> tuple[str, object]:
        o = self.objs.get(name)
        if o is not None:
            return o.kind if o.kind != "alias" else "type", None
        if name in ("true", "false"):
            return "const", None
        if name == "iota":
            return "iota", None
        if name in _BUILTINS:
            return "builtin", None
        if name in BASIC or name in ("error", "any", "comparable"):
            return "type", None
        return "undefined", None

    def _struct(self, node: Node) -> GoType:
        """go/types struct.go: fields, embedded fields and their checks, duplicates."""
        fields: list[Field] = []
        seen: dict[str, Node] = {}
        fl = node.named_children[-1] if node.named_child_count else None
        if fl is None or fl.type != "field_declaration_list":
            fl = next((c for c in node.named_children if c.type == "field_declaration_list"),
                      None)
        for fd in fl.named_children if fl is not None else []:
            if fd.type != "field_declaration":
                continue
            names = []
            tnode = None
            for k in fd.named_children:
                kt = k.type
                if kt == "field_identifier":
                    names.append(k)
                elif tnode is None and kt != "comment":
                    tnode = k
            if names:
                ft = self._type(tnode)  # type: ignore[arg-type]
                if ft.__class__ is Interface or ft.__class__ is Named:
                    self.not_constraint(ft, tnode)
                for nn in names:
                    nm = self.text(nn)
                    if nm != "_":
                        if nm in seen:
                            raise self.err(GoTypeError, f"{nm} redeclared", nn)
                        seen[nm] = nn
                    fields.append(Field(nm, ft))
                continue
            star = fd.child(0).type == "*"  # type: ignore[union-attr]
            base = _strip_parens(tnode)  # type: ignore[arg-type]
            if base is not None and base.type == "generic_type":
                base = base.child_by_field_name("type")
            if base is None or base.type not in ("type_identifier", "qualified_type"):
                raise self.err(GoSyntaxError, "syntax error: unexpected "
                               f"{self.tokdesc(tnode)}, expected field name or embedded type",  # type: ignore[arg-type]
                               tnode)
            et = self._type(tnode)  # type: ignore[arg-type]
            if et.__class__ is Interface or et.__class__ is Named:
                self.not_constraint(et, tnode)
            ft = Pointer(et) if star else et
            nm = self.text(base.child_by_field_name("name") if base.type == "qualified_type"
                           else base)  # type: ignore[arg-type]
            self._field_name(nm, fd, seen)
            fields.append(Field(nm, ft, True))
            self._later(self._check_embedded, et, star, fd)
        return Struct(tuple(fields))

    def _field_name(self, nm: str, node: Node, seen: dict[str, Node]) -> None:
        if nm == "_":
            return
        if nm in seen:
            raise self.err(GoTypeError, f"{nm} redeclared", node)
        seen[nm] = node

    def _check_embedded(self, t: GoType, star: bool, node: Node) -> None:
        """go/types struct.go: embedded field checks (after the types are complete)."""
        if isinstance(t, Named):
            self.ensure_bound(t, node)
        u = t.underlying
        if u.kind == Kind.UNSAFE_POINTER:
            raise self.err(GoTypeError, "embedded field type cannot be unsafe.Pointer", node)
        if isinstance(u, Pointer):
            raise self.err(GoTypeError, "embedded field type cannot be a pointer", node)
        if isinstance(u, Interface) and star:
            raise self.err(GoTypeError, "embedded field type cannot be a pointer to an interface",
                           node)

    def _check_map_key(self, k: GoType, node: Any) -> None:
        if not self.comparable(k, node):
            raise self.err(GoTypeError, f"invalid map key type {_type_str(k)}", node)

    def comparable(self, t: GoType, node: Any) -> bool:
        """go/types predicates.go comparableType (iterative)."""
        stack = [t]
        seen: set[int] = set()
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, Named):
                self.ensure_bound(x, node)
                stack.append(x.underlying)
            elif isinstance(x, (Slice, Map, Func)):
                return False
            elif isinstance(x, Struct):
                stack.extend(f.type for f in x.fields)
            elif isinstance(x, Array):
                stack.append(x.elem)
        return True

    def not_constraint(self, t: GoType, node: Any) -> None:
        """A constraint interface (type set elements, comparable) is not a value type."""
        if isinstance(t, Interface):
            why = t._lay.get(_CONSTRAINT)
            if why:
                raise self.err(GoTypeError, f"cannot use type {_type_str(t)} outside a type "
                               f"constraint: {why}", node)
        elif isinstance(t, Named) and t in self.named_obj:
            self._later(self._not_constraint_named, t, node)

    def _not_constraint_named(self, t: Named, node: Any) -> None:
        self.ensure_bound(t, node)
        why = t.underlying._lay.get(_CONSTRAINT)
        if why:
            raise self.err(GoTypeError, f"cannot use type {t} outside a type constraint: {why}",
                           node)

    def _interface(self, node: Node) -> GoType:
        """go/types interface.go: explicit methods, embedded interfaces (their methods merge;
        the same name needs an identical signature), type-set elements."""
        display: list[str] = []
        methods: dict[str, Func] = {}
        explicit: set[str] = set()
        funcs: list[Func] = []
        why = ""
        for el in node.named_children:
            if el.type == "comment":
                continue
            if el.type == "method_elem":
                nn = el.child_by_field_name("name")
                name = self.text(nn)  # type: ignore[arg-type]
                ps, _, var, rs, _ = self.signature(el.child_by_field_name("parameters"),
                                                   el.child_by_field_name("result"), el)
                f = Func(tuple(ps), tuple(rs), var)
                # explicit methods must differ; an embedded one may repeat with the same type
                if name in explicit or (name in methods and methods[name] != f):
                    raise self.err(GoTypeError, f"duplicate method {name}", nn)
                explicit.add(name)
                if name == "_":
                    raise self.err(GoTypeError, "methods must have a unique non-blank name", nn)
                methods[name] = f
                funcs.append(f)
                display.append(" ".join(self.text(el).split()))
                continue
            inner = [c for c in el.named_children if c.type != "comment"]
            one = inner[0] if len(inner) == 1 else None
            display.append(" ".join(self.text(el).split()))
            if one is None or one.type in ("negated_type", "union_type"):
                why = why or "interface contains type constraints"
                continue
            et = self._type(one)
            if et is ANY:
                continue
            ms, ewhy = self.method_set(et, one)
            if ewhy:
                why = why or ewhy
                continue
            for name, f in ms.items():
                if name in methods and methods[name] != f:
                    raise self.err(GoTypeError, f"duplicate method {name}", one)
                methods[name] = f
            funcs.extend(ms.values())
        it = Interface(tuple(display))
        # Facts about this interface object ride in its per-object cache (Interface equality is
        # by display text, all a value type needs): memoized types keep them across parses.
        it._lay[_CONSTRAINT] = why  # type: ignore[index]
        it._lay[_FUNCS] = funcs  # type: ignore[index]
        it._lay[_MSET] = methods  # type: ignore[index]
        return it

    def method_set(self, t: GoType, node: Node) -> tuple[dict[str, Func], str]:
        """The methods of an embedded type, or why embedding it makes a constraint."""
        if t is ERROR or (isinstance(t, Named) and t.name == "error" and t not in self.named_obj):
            return dict(_ERROR_METHODS), ""
        if isinstance(t, Named):
            self.ensure_bound(t, node)
        u = t.underlying
        if not isinstance(u, Interface):
            return {}, "interface contains type constraints"
        return dict(u._lay.get(_MSET, {})), u._lay.get(_CONSTRAINT, "")  # type: ignore[call-overload]

    # -- parameter lists ---------------------------------------------------------------------

    def param_list(self, plist: Node | None, ddd_ok: bool) -> list[_Param]:
        """cmd/compile/internal/syntax parser.go paramList: names and types distributed as Go
        does, with Go's errors for mixed, missing and misplaced ``...`` parameters."""
        if plist is None:
            return []
        if plist.type != "parameter_list":  # a bare result type: func() int
            return [_Param(None, plist, False, plist)]
        decls = plist.named_children
        fast = self._param_fast(decls, ddd_ok)
        if fast is not None:
            return fast
        pars: list[_Param] = []
        for d in decls:
            dt = d.type
            if dt == "comment":
                continue
            if dt != "parameter_declaration" and dt != "variadic_parameter_declaration":
                raise self.err(GoSyntaxError, f"syntax error: unexpected {self.tokdesc(d)}", d)
            tn = d.child_by_field_name("type")
            names = d.children_by_field_name("name")
            if len(names) > 1:
                names = [n for n in names if n.is_named]
            ddd = dt == "variadic_parameter_declaration"
            if names:
                for nn in names[:-1]:
                    pars.append(_Param(nn, None, False, d))
                pars.append(_Param(names[-1], tn, ddd, d))
            elif not ddd and tn is not None and tn.type == "type_identifier":
                pars.append(_Param(tn, None, False, d))  # a name that may be a type
            else:
                pars.append(_Param(None, tn, ddd, d))
        if not pars:
            return pars
        named = sum(1 for p in pars if p.name is not None and p.type is not None)
        typed = sum(1 for p in pars if p.type is not None)
        if named == 0:
            for p in pars:
                if p.type is None:
                    p.type, p.name = p.name, None
        elif named != len(pars):
            err_at: Any = None
            typ: Node | None = None
            ddd = False
            for p in reversed(pars):
                if p.type is not None:
                    typ, ddd = p.type, p.ddd
                    if p.name is None:
                        err_at = p.type if not p.ddd else p.decl
                elif typ is not None:
                    p.type, p.ddd = typ, ddd
                else:
                    err_at = p.name
            if err_at is not None:
                if named == typed:
                    close = plist.children[-1] if plist.children else plist
                    raise self.err(GoSyntaxError, "syntax error: missing parameter type", close)
                raise self.err(GoSyntaxError, "syntax error: missing parameter name", err_at)
        for i, p in enumerate(pars):
            if p.ddd and (not ddd_ok or i + 1 < len(pars)):
                msg = "can only use ... with final parameter" if ddd_ok else "invalid use of ..."
                raise self.err(GoTypeError, msg, p.decl if p.name is None else
                               next((c for c in p.decl.children if c.type == "..."), p.decl))
        return pars

    def _param_fast(self, decls: list[Node], ddd_ok: bool) -> list[_Param] | None:
        """The common lists (all named, or none named, ``...`` only last): what paramList
        gives them, without its general algorithm; None for anything else."""
        out: list[_Param] = []
        any_named = None
        last = len(decls) - 1
        for i, d in enumerate(decls):
            dt = d.type
            if dt == "parameter_declaration":
                ddd = False
            elif dt == "variadic_parameter_declaration":
                if i != last or not ddd_ok:
                    return None
                ddd = True
            else:
                return None
            tn = d.child_by_field_name("type")
            if tn is None:
                return None
            names = d.children_by_field_name("name")
            if any_named is None:
                any_named = bool(names)
            elif any_named != bool(names):
                return None
            if not names:
                out.append(_Param(None, tn, ddd, d))
                continue
            if len(names) > 1:
                names = [n for n in names if n.is_named]
                if ddd and len(names) > 1:
                    return None
            for nn in names:
                out.append(_Param(nn, tn, ddd, d))
        return out

    def signature(self, params: Node | None, results: Node | None, node: Node,
                  recv: Node | None = None
                  ) -> tuple[list[GoType], list[str], bool, list[GoType], list[str]]:
        """Parameter and result types and names (go/types signature.go collectParams: every
        name is declared once in the function's scope)."""
        pp = self.param_list(params, True)
        rp = self.param_list(results, False)
        seen: set[str] = set()
        if recv is not None:
            for p in self.param_list(recv, False):
                if p.name is not None:
                    seen.add(self.text(p.name))
        out: list[list[GoType]] = [[], []]
        names: list[list[str]] = [[], []]
        nodes: list[Node | None] = []
        variadic = False
        for k, plist in enumerate((pp, rp)):
            for p in plist:
                nm = ""
                if p.name is not None:
                    nm = self.text(p.name)
                    if nm != "_":
                        if nm in seen:
                            raise self.err(GoTypeError, f"{nm} redeclared in this block", p.name)
                        seen.add(nm)
                t = self._type(p.type)  # type: ignore[arg-type]
                if t.__class__ is Interface or t.__class__ is Named:
                    self.not_constraint(t, p.type)
                if p.ddd:
                    t = Slice(t)
                    variadic = True
                out[k].append(t)
                names[k].append(nm)
                nodes.append(p.type)
        self.sig_nodes = nodes  # after the nested signatures
        return out[0], names[0], variadic, out[1], names[1]

    # -- compiler size checks ------------------------------------------------------------------

    def check_sizes(self, items: list[tuple[GoType, Any]]) -> None:
        """cmd/compile/internal/types/size.go CalcSize over every type reachable from a declared
        value (through pointers, slices, maps, channels, funcs and interface methods too)."""
        ps = self.ps
        if self.eager or not self.sizes:
            return  # done as the types were built, or not asked for
        field_max = (1 << 50) if ps == 8 else (1 << 31) - 1
        key = ("regabi.sized", ps)
        for t0, node in items:
            if t0._lay.get(key):
                continue
            stack = [t0]
            seen: dict[int, GoType] = {}
            while stack:
                t = stack.pop()
                if id(t) in seen or t._lay.get(key):
                    continue
                try:
                    self._size_one(t, stack, seen, node, field_max)
                except TypeTooLargeError as e:
                    if e.line is not None:
                        raise
                    raise self.err(TypeTooLargeError, e.message, node) from None
            for t in seen.values():
                t._lay[key] = True  # type: ignore[index]

    def _size_one(self, t: GoType, stack: list[GoType], seen: dict[int, GoType], node: Any,
                  field_max: int) -> None:
        ps = self.ps
        seen[id(t)] = t
        if isinstance(t, Named):
            if not t.bound:
                self.ensure_bound(t, node)
            stack.append(t.underlying)
            return
        if isinstance(t, (Array, Struct)):
            self.complete(t, node)
        size = _sizes(t, ps)[0]
        if ps == 4 and size >= 1 << 31:  # size.go: PtrSize == 4 && w != int64(int32(w))
            raise self.err(TypeTooLargeError, f"type {_type_str(t)} too large", node)
        if isinstance(t, Struct):
            stack.extend(f.type for f in t.fields)
        elif isinstance(t, (Array, Pointer, Slice)):
            stack.append(t.elem)
        elif isinstance(t, Chan):
            self.complete(t.elem, node)
            if _sizes(t.elem, ps)[0] >= 1 << 16:
                raise self.err(TypeTooLargeError, "channel element type too large (>64kB)", node)
            stack.append(t.elem)
        elif isinstance(t, Map):
            for part, what in ((t.elem, "element"), (t.key, "key")):
                self.complete(part, node)
                if _sizes(part, ps)[0] >= 1 << 31:
                    raise self.err(TypeTooLargeError, f"map {what} type too large", node)
            stack += [t.key, t.elem]
        elif isinstance(t, Func):
            self._check_funcargs(t, t.params, t.results, node)
            stack += [*t.params, *t.results]
        elif isinstance(t, Interface):
            stack += t._lay.get(_FUNCS, [])  # type: ignore[operator]

    def _check_funcargs(self, t: Any, params: Any, results: Any, node: Any,
                        recv: GoType | None = None, top: bool = False,
                        nodes: list[Any] | None = None) -> None:
        """size.go TFUNCARGS: the argument area (receiver, parameters, results) stays below
        MaxWidth (64-bit) or 1<<31-1 (32-bit). For a declared function (``top``) the values are
        laid out with :func:`layout` (the report needs it next), so the model's own limit on
        pointer bitmaps is reported here, where the value is written (``nodes``)."""
        ps = self.ps
        limit = (1 << 50) if ps == 8 else (1 << 31) - 1
        off = 0
        i = 0
        for group in ((recv,) if recv is not None else (), params, results):
            for p in group:
                at = nodes[i] if nodes is not None and i < len(nodes) else node
                i += 1
                if not self.eager:
                    self.complete(p, at)
                try:
                    if top:
                        try:
                            lay = summarize(p, ps)  # size and align as layout() has them
                        except TypeTooLargeError as e:
                            _sizes(p, ps)  # the compiler's error, if there is one
                            raise self.err(TypeTooLargeError, e.message, at) from None
                        size, align = lay.size, lay.align
                    else:
                        size, align = _sizes(p, ps)
                except TypeTooLargeError as e:
                    if e.line is not None:
                        raise
                    raise self.err(TypeTooLargeError, e.message, at) from None
                off = (off + align - 1) & -align
                off += size
                if off >= limit:
                    what = t if t is not None else Func(tuple(params), tuple(results))
                    raise self.err(TypeTooLargeError, f"type {_type_str(what)} too large", node)
            off = (off + ps - 1) & -ps


def _const_type(t: GoType) -> bool:
    try:
        u = t.underlying
    except TypeError:
        return False
    return u.__class__.__name__ == "Basic" and u.kind != Kind.UNSAFE_POINTER


def _is_int(t: GoType) -> bool:
    return t.kind in (Kind.INT, Kind.INT8, Kind.INT16, Kind.INT32, Kind.INT64, Kind.UINT,
                      Kind.UINT8, Kind.UINT16, Kind.UINT32, Kind.UINT64, Kind.UINTPTR)


def _strip_parens(node: Node | None) -> Node | None:
    while node is not None and node.type in ("parenthesized_type", "parenthesized_expression"):
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def _type_str(t: GoType) -> str:
    """go/types TypeString spacing for the types that appear in its messages."""
    s = str(t)
    return s.replace("interface{ ", "interface{").replace(" }", "}")


def _size_of(t: GoType, ps: int) -> int:
    """The size of a complete type. :func:`layout` when it can (the report needs it later
    anyway), else :func:`_sizes`, which raises the compiler's error if there is one; the
    model's own limit on pointer bitmaps is reported where a value of the type is laid out."""
    try:
        return summarize(t, ps).size  # layout()'s size
    except TypeTooLargeError:
        return _sizes(t, ps)[0]


def _sizes(t: GoType, ps: int) -> tuple[int, int]:
    """(size, align) as cmd/compile/internal/types/size.go computes them (TYP-2 … TYP-8),
    without the pointer bitmaps :func:`layout` builds; for a complete type (the recursion
    follows arrays and struct fields, at most MAX_DEPTH levels)."""
    key = ("regabi.size", ps)
    hit = t._lay.get(key)
    if hit is not None:
        return hit  # type: ignore[return-value]
    u = t.underlying
    if isinstance(u, Array):
        es, ea = _sizes(u.elem, ps)
        mw = (1 << 50) if ps == 8 else (1 << 32) - 1
        if es and u.length > (mw - 1) // es:  # size.go CalcArraySize
            raise TypeTooLargeError(f"type {_type_str(t)} larger than address space")
        r = (es * u.length, ea)
    elif isinstance(u, Struct):
        fmax = (1 << 50) if ps == 8 else (1 << 31) - 1  # size.go calcStructOffset
        off, al, last0 = 0, 1, False
        for f in u.fields:
            fs, fa = _sizes(f.type, ps)
            off = ((off + fa - 1) & -fa) + fs
            if off >= fmax:
                raise TypeTooLargeError(f"type {_type_str(t)} too large")
            al = max(al, fa)
            last0 = fs == 0
        if off > 0 and last0:
            off += 1  # TYP-6
        r = (((off + al - 1) & -al), al)
    else:
        r = _SCALAR.get((u.kind, ps))  # type: ignore[assignment]
        if r is None:
            lay = layout(u, ps)
            r = _SCALAR[(u.kind, ps)] = (lay.size, lay.align)
    t._lay[key] = r  # type: ignore[index]
    return r


_SCALAR: dict[tuple[Kind, int], tuple[int, int]] = {}


def _by_value(t: GoType) -> tuple[int, list[tuple[Named, int]]]:
    """Named types held by value in ``t`` (through arrays and struct fields) with their nesting
    level, and ``t``'s own nesting depth."""
    refs = []
    own = 0
    stack = [(t, 0)]
    while stack:
        x, d = stack.pop()
        if d > own:
            own = d
        if isinstance(x, Named):
            if d or x is not t:
                refs.append((x, d))
                continue
            if not x.bound:
                continue
            x = x.underlying
        if isinstance(x, Array):
            stack.append((x.elem, d + 1))
        elif isinstance(x, Struct):
            stack.extend((f.type, d + 1) for f in x.fields)
    return own, refs


# keys of the facts kept in an Interface's per-object cache
_CONSTRAINT = "regabi.constraint"  # why it is a constraint interface, or ""
_FUNCS = "regabi.funcs"  # its methods' func types (the compiler sizes them)
_MSET = "regabi.mset"  # its method set, name -> func type
_COMPLETE = "regabi.complete"  # complete() passed

#: type expressions by (pointer size, text), for texts that cannot refer to declarations
_MEMO: dict[tuple[int, bool], dict[bytes, GoType]] = {}


# ------------------------------------------------------------------------------ entry points


_PKG = b"package p\n"
_GENERIC_FUNC = re.compile(rb"\s*func\s*\[")
_LEADING = re.compile(rb"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)


def _scope_of(data: bytes, source: str) -> str:
    import hashlib

    return f"{source}#{hashlib.blake2b(data, digest_size=8).hexdigest()}"


def _parse(b: _Builder, ps: int, scope: object, implicit_unsafe: bool
           ) -> tuple[_Checker, Node]:
    src = b.source()
    tree = _parser().parse(src)
    ck = _Checker(src, b.segs, b.semis, ps, scope=scope, implicit_unsafe=implicit_unsafe)
    ck.check_syntax(tree.root_node)
    return ck, tree.root_node


def _seg_nodes(ck: _Checker, root: Node, seg: _Seg) -> list[Node]:
    # a wrapper's "type _ " starts before the user's text: nodes overlapping the segment
    return [n for n in root.named_children
            if n.end_byte > seg.start and n.start_byte < max(seg.end, seg.start + 1)
            and n.type != "comment"]


def _only_type(ck: _Checker, root: Node, seg: _Seg, what: str) -> Node:
    """The type of the one ``type _ T`` declaration that a signature or type segment must be."""
    nodes = _seg_nodes(ck, root, seg)
    decl = nodes[0] if nodes else None
    for extra in nodes[1:]:
        if extra.type in _DECL_NODES:
            raise ck.err(GoSyntaxError, f"syntax error: unexpected {ck.tokdesc(extra)} after "
                         f"{what}", extra)
        raise ck.err(GoSyntaxError, "syntax error: non-declaration statement outside function "
                     "body", extra)
    spec = decl.named_children[0] if decl is not None and decl.named_children else None
    if decl is None or decl.type != "type_declaration" or spec is None or spec.type != "type_spec":
        at = decl if decl is not None else _At(seg.row, seg.col, seg.start)
        raise ck.err(GoSyntaxError, f"syntax error: expected {what}", at)
    tn = spec.child_by_field_name("type")
    if tn is None or spec.child_by_field_name("type_parameters") is not None:
        raise ck.err(GoSyntaxError, f"syntax error: expected {what}", spec)
    return tn


def _wrap_decls(b: _Builder, decls: str | bytes, source: str) -> _Seg | None:
    if not decls:
        return None
    data = _to_bytes(decls)
    _check_encoding(data, source)
    seg = b.user(data, source)
    b.fixed(b"\n")
    return seg


def _setup_decls(ck: _Checker, root: Node, seg: _Seg | None) -> list[Node]:
    if seg is None:
        ck.memoize(True)
        return []
    tops = _seg_nodes(ck, root, seg)
    for top in tops:
        if top.type not in _DECL_NODES or top.type in ("import_declaration",):
            raise ck.err(GoSyntaxError, "syntax error: non-declaration statement outside "
                         "function body", top)
    ck.defer = True
    funcs = ck.collect(tops)
    _check_decls(ck)
    return funcs


def _check_decls(ck: _Checker) -> None:
    """Binds every named type, evaluates every constant and variable type, then the checks
    that need complete types (go/types: package objects, then check.later, then validType)."""
    for o in list(ck.all):
        try:
            if o.kind == "type" and not o.generic and o.state == 0:
                ck.bind(o)
            elif o.kind == "alias":
                ck.type_obj(o, o.node, False)
            elif o.kind == "const" and o.state == 0:
                ck.const_value(o, o.node)
            elif o.kind == "var" and o.typ_node is not None:
                t = ck.var_type(o)
                if t is not None:
                    ck.not_constraint(t, o.typ_node)
                    ck.check_sizes([(t, o.typ_node)])
        except _Abandon:
            pass
        except UnsupportedError as e:
            o.err = o.err or e
        except InputError as e:
            ck.record(e)
    for o in list(ck.all):
        if o.kind == "type" and o.named is not None and o.named.bound:
            try:
                ck.valid_named(o.named, o.node)
                if o.name != "_":  # the compiler sizes every declared type (noder; size.go)
                    ck.check_sizes([(o.named, o.node)])
            except _Abandon:
                pass
            except UnsupportedError:
                pass
            except InputError as e:
                ck.record(e)
    ck.flush_later()


def _sig_from(ck: _Checker, ft: Node) -> Signature:
    ft = _strip_parens(ft) or ft
    if ft.type != "function_type":
        raise ck.err(GoSyntaxError, f"not a func type: {' '.join(ck.text(ft).split())}", ft)
    ps, pn, var, rs, rn = ck.signature(ft.child_by_field_name("parameters"),
                                       ft.child_by_field_name("result"), ft)
    return Signature(tuple(ps), tuple(rs), None, var, "", tuple(pn), tuple(rn))


def parse_signature(text: str | bytes, *, recv: str | None = None, decls: str = "",
                    source: str = "<signature>", recv_source: str = "<recv>",
                    decls_source: str = "<decls>", ptr_size: int = 8) -> Signature:
    """Parse a func type such as ``func(a, b int, s struct{x int8}) (error, [1]float32)``.

    Parameters
    ----------
    text : str
        The func type (Go syntax, any number of lines); a leading ``func`` may be omitted
        (``(int) string``).
    recv : str, optional
        The receiver's type, e.g. ``*S`` (reflect's method calls); errors in it name
        ``recv_source``.
    decls : str, optional
        Go declarations (``type S struct{…}``, ``const N = 4``) the signature may refer to.
    ptr_size : int, optional
        The target's pointer size: ``unsafe.Sizeof`` & co. and the compiler's size limits
        depend on it (8 or 4).
    """
    data = _to_bytes(text)
    _check_encoding(data, source)
    m = _GENERIC_FUNC.match(data)
    if m:  # syntax/parser.go funcType: "function type must have no type parameters"
        line, col = _line_col(data, m.end() - 1)
        raise GoSyntaxError("syntax error: function type must have no type parameters",
                            source=source, line=line, column=col)
    b = _Builder()
    b.fixed(_PKG + b"type _ ")
    sseg = b.user(data, source, func_prefix=True)
    b.fixed(b"\n")
    rseg = None
    if recv is not None:
        rdata = _to_bytes(recv)
        _check_encoding(rdata, recv_source)
        b.fixed(b"type _ ")
        rseg = b.user(rdata, recv_source)
        b.fixed(b"\n")
    dseg = _wrap_decls(b, decls, decls_source)
    scope = _scope_of(_to_bytes(decls), decls_source) if decls else "<signature>"
    ck, root = _parse(b, ptr_size, scope, True)
    ft = _only_type(ck, root, sseg, "func type")
    rnode = _only_type(ck, root, rseg, "receiver type") if rseg is not None else None
    _setup_decls(ck, root, dseg)
    try:
        sig = _sig_from(ck, ft)
        nodes = list(ck.sig_nodes)
        rt = None
        if rnode is not None:
            rt = ck.type(rnode)
            ck.not_constraint(rt, rnode)
        ck.flush_later()
        ck.raise_first()
        items: list[tuple[GoType, Any]] = list(zip((*sig.params, *sig.results), nodes,
                                                   strict=True))
        if rt is not None:
            items.append((rt, rnode))
        ck.check_sizes(items)
        ck._check_funcargs(None, sig.params, sig.results, ft, rt, True,
                           ([rnode] if rt is not None else []) + nodes)
    except _Abandon:
        ck.raise_first()
        raise
    ck.raise_first()
    if rt is not None:
        sig = Signature(sig.params, sig.results, rt, sig.variadic, "", sig.param_names,
                        sig.result_names)
    return sig


def parse_type(text: str | bytes, *, decls: str = "", source: str = "<type>",
               decls_source: str = "<decls>", ptr_size: int = 8) -> GoType:
    """Parse one Go type expression: valid when Go accepts ``type _ T``, which go/types checks
    but the compiler does not size (a value of the type may still be too large: layout() says
    so, and parse_signature rejects it as the compiler does)."""
    data = _to_bytes(text)
    _check_encoding(data, source)
    b = _Builder()
    b.fixed(_PKG + b"type _ ")
    tseg = b.user(data, source)
    b.fixed(b"\n")
    dseg = _wrap_decls(b, decls, decls_source)
    scope = _scope_of(_to_bytes(decls), decls_source) if decls else "<type>"
    ck, root = _parse(b, ptr_size, scope, True)
    tn = _only_type(ck, root, tseg, "type")
    _setup_decls(ck, root, dseg)  # declared types are sized, as the compiler does
    ck.memoize(ck.eager, False)
    try:
        t = ck.type(tn)
        ck.not_constraint(t, tn)
        ck.flush_later()
        ck.raise_first()
        ck.check_sizes([(t, tn)])
    except _Abandon:
        ck.raise_first()
        raise
    ck.raise_first()
    return t


def parse_go_file(text: str | bytes, *, source: str = "<file>", ptr_size: int = 8) -> GoFile:
    """Every function and method declared in a Go source file: those regabi lays out, and those
    it skips (generic functions, types of other packages) with the reason.

    A file Go rejects raises the InputError Go reports first (by position)."""
    data = _to_bytes(text)
    bom = data.startswith(b"\xef\xbb\xbf")
    _check_encoding(data, source)
    if bom:
        data = b"   " + data[3:]  # keeps offsets and columns
    m = _LEADING.match(data)
    assert m is not None  # the pattern matches the empty string
    if not data[m.end():].startswith(b"package") or data[m.end() + 7 : m.end() + 8].isalnum():
        # syntax/parser.go fileOrNil: the first token must be "package"
        line, col = _line_col(data, m.end())
        raise GoSyntaxError("syntax error: package statement must be first", source=source,
                            line=line, column=col)
    b = _Builder()
    seg = b.user(data, source)
    b.fixed(b"\n")
    ck, root = _parse(b, ptr_size, _scope_of(data, source), False)
    tops = [n for n in root.named_children if n.type != "comment"]
    if not tops or tops[0].type != "package_clause":
        at = tops[0] if tops else _At(seg.row, seg.col, seg.start)
        raise ck.err(GoSyntaxError, "syntax error: package statement must be first", at)
    pkg = ck.text(tops[0].named_children[0]) if tops[0].named_children else ""
    seen_decl = False
    for top in tops[1:]:
        if top.type == "package_clause":
            raise ck.err(GoSyntaxError, "syntax error: non-declaration statement outside "
                         "function body", top)
        if top.type == "import_declaration":
            if seen_decl:
                raise ck.err(GoSyntaxError, "syntax error: imports must appear before other "
                             "declarations", top)
            continue
        if top.type not in _DECL_NODES:
            raise ck.err(GoSyntaxError, "syntax error: non-declaration statement outside "
                         "function body", top)
        seen_decl = True
    ck.defer = True
    ck.memo = False
    ck.pkg_name = pkg
    funcs = ck.collect(tops[1:])
    _check_decls(ck)
    out = GoFile(pkg)
    methods: dict[tuple[str, str], Node] = {}
    for top in funcs:
        try:
            r = _func_decl(ck, top, methods)
        except _Abandon:
            continue
        except UnsupportedError as e:
            nn = top.child_by_field_name("name")
            out.skipped.append(Skipped(_func_name(ck, top), ck.where(nn)[1], e.message))
            continue
        except InputError as e:
            ck.record(e)
            continue
        if isinstance(r, Skipped):
            out.skipped.append(r)
        else:
            out.funcs.append(r)
    ck.flush_later()
    ck.raise_first()
    return out


def parse_file(text: str | bytes, *, source: str = "<file>", ptr_size: int = 8
               ) -> list[FuncDecl]:
    """Every function and method of a Go source file that regabi lays out, in order (see
    :func:`parse_go_file` for the skipped ones)."""
    return parse_go_file(text, source=source, ptr_size=ptr_size).funcs


def _func_name(ck: _Checker, top: Node) -> str:
    name = ck.text(top.child_by_field_name("name"))  # type: ignore[arg-type]
    if top.type == "method_declaration":
        rl = top.child_by_field_name("receiver")
        txt = " ".join(ck.text(rl).split()) if rl is not None else "()"  # type: ignore[arg-type]
        pars = [d for d in rl.named_children if d.type == "parameter_declaration"] if rl else []
        if len(pars) == 1:
            tn = pars[0].child_by_field_name("type")
            txt = "(" + " ".join(ck.text(tn).split()) + ")" if tn is not None else txt  # type: ignore[arg-type]
        return f"{txt}.{name}"
    return name


def _func_decl(ck: _Checker, top: Node, methods: dict[tuple[str, str], Node]
               ) -> FuncDecl | Skipped:
    nn = top.child_by_field_name("name")
    name = ck.text(nn)  # type: ignore[arg-type]
    line = ck.where(nn)[1]
    params = top.child_by_field_name("parameters")
    results = top.child_by_field_name("result")
    if top.child_by_field_name("type_parameters") is not None:
        return Skipped(name, line, "generic function: the compiler lays out one instantiation "
                       "per GC shape, with a dictionary argument; load the package "
                       "(regabi layout ./pkg) to see the instantiations it uses")
    rt = None
    rnode = None
    if top.type == "method_declaration":
        rl = top.child_by_field_name("receiver")
        rpars = ck.param_list(rl, False)
        if not rpars:
            raise ck.err(GoTypeError, "method has no receiver", _end(rl))
        if len(rpars) > 1:
            raise ck.err(GoTypeError, "method has multiple receivers", rpars[1].name or
                         rpars[1].type)
        rnode = rpars[0].type
        base = _strip_parens(rnode)
        star = False
        if base is not None and base.type == "pointer_type":
            star = True
            base = _strip_parens(base.named_children[-1])
        if base is not None and base.type == "generic_type":
            return Skipped(_func_name(ck, top), line, "method of a generic type: the compiler "
                           "lays out one instantiation per GC shape, with a dictionary argument; "
                           "load the package (regabi layout ./pkg) to see them")
        rt = ck.type(rnode)  # type: ignore[arg-type]
        bt = rt.elem if star and isinstance(rt, Pointer) else rt
        _valid_recv(ck, bt, rt, rnode, star)
        assert isinstance(bt, Named)
        key = (bt.name, name)
        if name != "_":
            if key in methods:
                _, pl, pc = ck.where(methods[key])
                raise ck.err(GoTypeError, f"method {bt.name}.{name} already declared at "
                             f"{ck.where(methods[key])[0]}:{pl}:{pc}", nn)
            methods[key] = nn  # type: ignore[assignment]
            u = bt.underlying
            if isinstance(u, Struct) and any(f.name == name for f in u.fields):
                raise ck.err(GoTypeError, f"field and method with the same name {name}", nn)
        ps, pn, var, rs, rn = ck.signature(params, results, top, rl)
        fname = f"({rt}).{name}"
    else:
        ps, pn, var, rs, rn = ck.signature(params, results, top)
        fname = name
        if name in ("init", "main") and (ps or rs) and (name == "init" or _pkg_main(ck)):
            raise ck.err(GoTypeError, f"func {name} must have no arguments and no return values",
                         nn)
    nodes = list(ck.sig_nodes)
    ck.flush_later()
    ck.raise_first()
    at = params if params is not None else top
    items: list[tuple[GoType, Any]] = list(zip((*ps, *rs), nodes, strict=True))
    if rt is not None:
        items.append((rt, rnode))
    ck.check_sizes(items)
    ck._check_funcargs(None, ps, rs, at, rt, True, ([rnode] if rt is not None else []) + nodes)
    sig = Signature(tuple(ps), tuple(rs), rt, var, fname, tuple(pn), tuple(rn))
    return FuncDecl(fname, sig, line)


def _pkg_main(ck: _Checker) -> bool:
    return ck.pkg_name == "main"


def _valid_recv(ck: _Checker, bt: GoType, rt: GoType, node: Any, star: bool) -> None:
    """go/types signature.go validRecv."""
    if isinstance(bt, Named) and bt in ck.named_obj:
        ck.ensure_bound(bt, node)
        u = bt.underlying
        cause = ""
        if u.kind == Kind.UNSAFE_POINTER:
            cause = "unsafe.Pointer"
        elif isinstance(u, (Pointer, Interface)):
            cause = "pointer or interface type"
        if cause:
            raise ck.err(GoTypeError, f"invalid receiver type {bt} ({cause})", node)
        return
    if isinstance(bt, Named) or bt.__class__.__name__ == "Basic":
        raise ck.err(GoTypeError, f"cannot define new methods on non-local type {bt}", node)
    raise ck.err(GoTypeError, f"invalid receiver type {_type_str(rt)}", node)


# ------------------------------------------------------------------------------ the fast path

#: The tokens of the fast path: a name (``M()`` and ``unsafe.Pointer`` are one token, so that
#: they are written without spaces), a decimal literal, or one other character. Spaces between
#: tokens are skipped; a line with anything the fast path does not know is not read by it.
_FAST_TOK = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*(?:\(\)|\.[A-Za-z_][A-Za-z0-9_]*)?|[0-9]+|[^ ]")
_FAST_OK = re.compile(rb"func\([ -~]*")  # one line of printable ASCII (no tab)
#: The fast path is on (tests turn it off to compare it with the full parser).
_FAST = True
#: Tokens that may follow a func type without results.
_FAST_AFTER_FUNC = frozenset({b"", b",", b")", b";", b"}", b"]"})
_FAST_OPEN = frozenset({b"(", b"[", b"{"})
_FAST_CLOSE = frozenset({b")", b"]", b"}"})
_FAST_SEP = frozenset({b",", b";"})
#: The fast path's memo: canonical token text (tokens joined by one space) -> type, per
#: pointer size; only types that passed every check, as in _Checker._type.
_FAST_MEMO: dict[int, dict[bytes, GoType]] = {}


class _NotFast(Exception):
    """The fast path met something it does not know: the full parser decides."""


class _Fast:
    """A recursive-descent reader for the func types a batch mostly holds (what the oracle's
    probes and ``str()`` of the model's types write: unnamed parameters, predeclared names,
    unsafe.Pointer, pointers, slices, arrays with decimal lengths, maps, chans, funcs, structs
    with one name per field, ``interface{}`` and ``interface{ M() }``). It builds the same types
    with the same checker calls as :meth:`_Checker._type` (tests/test_syntax_fast.py compares
    the two), and never reports an error: on anything outside that subset, any check that
    fails, or deep nesting it gives up and the full parser reads the item and positions the
    error."""

    __slots__ = ("ck", "depth", "pos", "table", "toks")
    toks: list[bytes]
    pos: int
    depth: int

    _AT = _At(0, 0, 0)  # checks that fail only need *a* position: the item is re-read

    def __init__(self, ps: int) -> None:
        self.ck = ck = _Checker(b"", [_Seg(0, 0, 0, 0, "item")], set(), ps, scope="<signature>",
                                implicit_unsafe=True)
        ck.eager = True  # no declarations: size checks as types are built (memoize(True))
        self.table = _FAST_MEMO.setdefault(ps, {})

    def signature(self, data: bytes) -> Signature | None:
        """The item's Signature, or None: the full parser decides."""
        if not _FAST_OK.fullmatch(data):
            return None
        toks = _FAST_TOK.findall(data)
        if b"func()" in toks:  # the tokenizer's "M()" form
            toks = [x for t in toks for x in ((b"func", b"(", b")") if t == b"func()" else (t,))]
        toks.append(b"")  # the end
        self.toks, self.pos, self.depth = toks, 1, 0
        ck = self.ck
        try:
            ps, rs = self._func()
            if self.pos != len(toks) - 1:
                return None
            at = [self._AT] * (len(ps) + len(rs))
            ck._check_funcargs(None, ps, rs, self._AT, None, True, at)
        except (_NotFast, InputError, _Abandon, IndexError):
            return None
        finally:
            ck.depth = 0
        return Signature(tuple(ps), tuple(rs), None, False, "", ("",) * len(ps),
                         ("",) * len(rs))

    def _eat(self, t: bytes) -> None:
        if self.toks[self.pos] != t:
            raise _NotFast
        self.pos += 1

    def _func(self) -> tuple[list[GoType], list[GoType]]:
        """After ``func``: ``(T, …)`` and a result type or ``(T, …)``."""
        self._eat(b"(")
        ps = self._list()
        rs: list[GoType] = []
        t = self.toks[self.pos]
        if t == b"(":
            self.pos += 1
            rs = self._list()
            if not rs:
                raise _NotFast
        elif t not in _FAST_AFTER_FUNC:
            rs = [self._type()]
        return ps, rs

    def _list(self) -> list[GoType]:
        out: list[GoType] = []
        if self.toks[self.pos] == b")":
            self.pos += 1
            return out
        while True:
            out.append(self._type())
            t = self.toks[self.pos]
            self.pos += 1
            if t == b")":
                return out
            if t != b",":
                raise _NotFast

    def _type(self) -> GoType:
        toks, i = self.toks, self.pos
        j, d = i, 0
        while True:  # the type's extent: up to a separator or closer at its own level
            t = toks[j]
            if t in _FAST_OPEN:
                d += 1
            elif t in _FAST_CLOSE or not t:
                if not d:
                    break
                d -= 1
            elif not d and t in _FAST_SEP:
                break
            j += 1
        key = b" ".join(toks[i:j])
        hit = self.table.get(key)
        if hit is not None:
            self.pos = j
            return hit
        self.depth += 1
        if self.depth > MAX_DEPTH // 2:
            raise _NotFast
        typ = self._build()
        self.depth -= 1
        if self.pos != j:
            raise _NotFast
        ck = self.ck
        if isinstance(typ, (Array, Struct, Map, Chan)):
            ck._eager(typ, self._AT)
        elif isinstance(typ, Func):
            ck._check_funcargs(typ, typ.params, typ.results, self._AT)
        if len(self.table) < 65536:
            self.table[key] = typ
        return typ

    def _build(self) -> GoType:
        tok = self.toks[self.pos]
        self.pos += 1
        if tok == b"*":
            return Pointer(self._type())
        if tok == b"[":
            t = self.toks[self.pos]
            self.pos += 1
            if t == b"]":
                return Slice(self._type())
            if not t.isdigit() or (t[:1] == b"0" and t != b"0"):
                raise _NotFast
            n = int(t)
            if n >= 1 << (8 * self.ck.ps - 1):
                raise _NotFast
            self._eat(b"]")
            return Array(n, self._type())
        if tok == b"map":
            self._eat(b"[")
            k = self._type()
            self._eat(b"]")
            v = self._type()
            self.ck._check_map_key(k, self._AT)
            return Map(k, v)
        if tok == b"chan":
            if self.toks[self.pos] in (b"<", b"(", b"-"):
                raise _NotFast
            return Chan(self._type(), "chan")
        if tok == b"func":
            ps, rs = self._func()
            return Func(tuple(ps), tuple(rs), False)
        if tok == b"struct":
            return self._struct()
        if tok == b"interface":
            return self._interface()
        if tok == b"unsafe.Pointer":
            return BASIC["unsafe.Pointer"]
        basic = _UNIVERSE_TYPES.get(tok.decode())
        if basic is None:
            raise _NotFast
        return basic

    def _struct(self) -> GoType:
        self._eat(b"{")
        fields: list[Field] = []
        seen: set[bytes] = set()
        if self.toks[self.pos] == b"}":
            self.pos += 1
            return Struct(())
        while True:
            nm = self.toks[self.pos]
            if not _FAST_NAME.fullmatch(nm) or nm in _KEYWORDS_B:
                raise _NotFast
            if nm != b"_":
                if nm in seen:
                    raise _NotFast
                seen.add(nm)
            self.pos += 1
            if self.toks[self.pos] in _FAST_NOT_TYPE:  # several names, embedded fields
                raise _NotFast
            fields.append(Field(nm.decode(), self._type()))
            t = self.toks[self.pos]
            self.pos += 1
            if t == b"}":
                return Struct(tuple(fields))
            if t != b";" or self.toks[self.pos] == b"}":
                raise _NotFast

    def _interface(self) -> GoType:
        """``interface{}`` or ``interface{ M() }``: with the facts _Checker._interface
        records."""
        self._eat(b"{")
        funcs: list[Func] = []
        display: tuple[str, ...] = ()
        m = self.toks[self.pos]
        if m != b"}":
            if not m.endswith(b"()") or not _FAST_NAME.fullmatch(m[:-2]) or m == b"_()" or (
                    m[:-2] in _KEYWORDS_B):
                raise _NotFast
            self.pos += 1
            funcs = [Func((), (), False)]
            display = (m.decode(),)
        self._eat(b"}")
        it = Interface(display)
        it._lay[_CONSTRAINT] = ""  # type: ignore[index]
        it._lay[_FUNCS] = funcs  # type: ignore[index]
        it._lay[_MSET] = {d[:-2]: f for d, f in zip(display, funcs, strict=True)}  # type: ignore[index]
        return it


_FAST_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_FAST_NOT_TYPE = frozenset({b",", b";", b"}", b"", b")", b"]"})


def parse_signatures(texts: list[str], *, source: str = "item",
                     numbers: list[int] | None = None, ptr_size: int = 8
                     ) -> list[Signature | InputError]:
    """Parse many func types at once: one tree-sitter parse for the whole batch (the per-call
    overhead dominates for small signatures); items that do not come out as one clean func type
    are re-parsed alone so that each error names its own item and position (``numbers`` gives
    the item numbers used in messages; default 0, 1, …). Returns a Signature or the error, per
    item."""
    nums = numbers if numbers is not None else list(range(len(texts)))
    fast = _Fast(ptr_size) if _FAST else None
    done: dict[int, Signature] = {}
    b = _Builder()
    b.fixed(_PKG)
    segs: list[_Seg | None] = []
    parts = b.parts
    for i, text in enumerate(texts):
        data = _to_bytes(text)
        if fast is not None:
            sig = fast.signature(data)
            if sig is not None:
                done[i] = sig
                segs.append(None)
                continue
        if not data.isascii() or b"\0" in data:
            segs.append(None)  # checked alone
            continue
        if data.startswith(b"func") and b"\n" not in data and data[4:5] != b"[":
            # the common case, one line: the builder's bookkeeping inline
            start = b.off + 7
            seg = _Seg(start, start + len(data), b.row, 7, f"{source} {nums[i]}", 1, b.row,
                       7 + len(data))
            parts.append(b"type _ " + data + b"\n")
            b.off = seg.end + 1
            b.row += 1
            b.segs.append(seg)
            segs.append(seg)
            continue
        b.fixed(b"type _ ")
        segs.append(b.user(data, f"{source} {nums[i]}", func_prefix=True))
        b.fixed(b"\n")
    if len(done) == len(texts):  # tree-sitter is not even loaded
        return [done[i] for i in range(len(texts))]
    src = b.source()
    tree = _parser().parse(src)
    ck = _Checker(src, b.segs, b.semis, ptr_size, scope="<signature>", implicit_unsafe=True)
    ck.memoize(True)
    starts = [s.start for s in b.segs]
    per: list[list[Node]] = [[] for _ in b.segs]
    for n in tree.root_node.named_children:
        if n.type == "package_clause":
            continue
        j = bisect.bisect_right(starts, n.end_byte - 1) - 1
        if j >= 0:
            per[j].append(n)
    out: list[Signature | InputError] = []
    j = 0
    for i, text in enumerate(texts):
        hit = done.get(i)
        if hit is not None:
            out.append(hit)
            continue
        sg = segs[i]
        ft = None
        if sg is not None:
            nodes = per[j]
            j += 1
            if len(nodes) == 1 and not nodes[0].has_error and nodes[0].type == "type_declaration":
                spec = nodes[0].named_child(0)
                # type parameters ("func[T any]") were sent to parse_signature's check
                if spec is not None and spec.type == "type_spec":
                    ft = spec.child_by_field_name("type")
        try:
            if ft is None or ft.type != "function_type":
                out.append(parse_signature(text, source=f"{source} {nums[i]}",
                                           ptr_size=ptr_size))
                continue
            ps, pn, var, rs, rn = ck.signature(ft.child_by_field_name("parameters"),
                                               ft.child_by_field_name("result"), ft)
            ck._check_funcargs(None, ps, rs, ft, None, True, ck.sig_nodes)
            out.append(Signature(tuple(ps), tuple(rs), None, var, "", tuple(pn), tuple(rn)))
        except InputError as e:
            out.append(e)
        finally:
            ck.depth = 0
    return out

