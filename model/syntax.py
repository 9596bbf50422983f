"""Go syntax in: func types, signatures and whole source files, parsed with tree-sitter-go
(spec rule SIG-2).

Named types declared in the file (``type S struct{…}``) and aliases resolve to model types;
type parameters, unresolved names and recursive value types are refused with a one-line
:class:`~regabi.errors.InputError` that names the position.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from regabi.errors import GoSyntaxError, InputError, TypeTooLargeError, UnsupportedError
from regabi.model.sig import Signature
from regabi.model.types import (
    BASIC,
    Array,
    Chan,
    Field,
    Func,
    GoType,
    Interface,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
    layout,
)

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

__all__ = ["FuncDecl", "parse_file", "parse_signature", "parse_signatures", "parse_type"]

ERROR = Named("error", Interface(("Error() string",)))
ANY = Interface(())


@cache
def _parser() -> Parser:
    import tree_sitter as ts
    import tree_sitter_go as tsg

    return ts.Parser(ts.Language(tsg.language()))


class Ref(GoType):
    """A named type reached through an indirection before its declaration was resolved (so that
    ``type L struct{ next *L }`` works). Pointers never look at their element's layout."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "name", name)
        self._init(("named-ref", name))

    def _args(self) -> tuple:
        return (self.name,)

    def __str__(self) -> str:
        return self.name


class FuncDecl:
    """A function or method found in a Go file."""

    __slots__ = ("line", "name", "sig")

    def __init__(self, name: str, sig: Signature, line: int) -> None:
        self.name = name
        self.sig = sig
        self.line = line


class _Ctx:
    def __init__(self, src: bytes, source: str, col_shift: int, line_shift: int) -> None:
        self.src = src
        self.source = source
        self.col_shift = col_shift
        self.line_shift = line_shift
        self.decls: dict[str, Node] = {}
        self.aliases: set[str] = set()
        self.consts: dict[str, Node] = {}
        self.resolved: dict[str, GoType] = {}
        self.resolving: list[str] = []

    def pos(self, node: Node) -> tuple[int, int]:
        row, col = node.start_point
        line = row + 1 - self.line_shift
        col = col + 1 - (self.col_shift if row == self.line_shift else 0)
        return line, max(col, 1)

    def err(self, cls: type[Exception], msg: str, node: Node) -> Exception:
        line, col = self.pos(node)
        return cls(msg, source=self.source, line=line, column=col)  # type: ignore[call-arg]

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode()


def _first_error(node: Node) -> Node | None:
    if node.type == "ERROR" or node.is_missing:
        return node
    if not node.has_error:
        return None
    for c in node.children:
        e = _first_error(c)
        if e is not None:
            return e
    return node


def _check_syntax(ctx: _Ctx, root: Node) -> None:
    bad = _first_error(root)
    if bad is None:
        return
    if bad.is_missing:
        raise ctx.err(GoSyntaxError, f"syntax error: missing {bad.type!r}", bad)
    # tree-sitter wraps an unclosed construct in one ERROR node reaching the end of the input:
    # the problem is at its end, not at its start.
    if ctx.src[bad.end_byte:].strip() == b"" and len(bad.children) > 1:
        raise ctx.err(GoSyntaxError, "syntax error: unexpected end of input", _End(bad))
    leaf = bad
    while leaf.children:
        errs = [c for c in leaf.children if c.type == "ERROR" or c.is_missing]
        leaf = errs[0] if errs else leaf.children[-1]
    raise ctx.err(GoSyntaxError, f"syntax error: unexpected {ctx.text(leaf)[:30]!r}", leaf)


class _End:
    """A node-like position at the end of ``node`` (for errors at end of input)."""

    def __init__(self, node: Node) -> None:
        self.start_point = node.end_point


def _int_value(ctx: _Ctx, node: Node) -> int:
    t = node.type
    if t == "int_literal":
        s = ctx.text(node).replace("_", "")
        if len(s) > 1 and s[0] == "0" and s[1] in "0123456789":
            return int(s, 8)
        return int(s, 0)
    if t == "parenthesized_expression":
        return _int_value(ctx, node.named_children[0])
    if t == "binary_expression":
        a = _int_value(ctx, node.child_by_field_name("left"))  # type: ignore[arg-type]
        b = _int_value(ctx, node.child_by_field_name("right"))  # type: ignore[arg-type]
        op = ctx.text(node.child_by_field_name("operator"))  # type: ignore[arg-type]
        ops = {
            "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
            "/": lambda: a // b if b else None, "%": lambda: a % b if b else None,
            "<<": lambda: a << b if b < 4096 else None, ">>": lambda: a >> b,
            "|": lambda: a | b, "&": lambda: a & b, "^": lambda: a ^ b,
        }
        v = ops[op]() if op in ops else None
        if v is None:
            raise ctx.err(UnsupportedError, f"unsupported array length expression {op!r}", node)
        return v
    if t == "identifier" and ctx.text(node) in ctx.consts:
        return _int_value(ctx, ctx.consts[ctx.text(node)])
    raise ctx.err(UnsupportedError, f"array length must be an integer constant, got "
                  f"{ctx.text(node)!r}", node)


def _resolve_name(ctx: _Ctx, name: str, node: Node, indirect: bool) -> GoType:
    if name in ctx.resolved:
        return ctx.resolved[name]
    if name in ctx.decls:
        if name in ctx.resolving:
            if indirect and name not in ctx.aliases:
                return Ref(name)
            raise ctx.err(UnsupportedError, f"invalid recursive type {name}", node)
        spec = ctx.decls[name]
        if spec.child_by_field_name("type_parameters") is not None:
            raise ctx.err(UnsupportedError, f"type parameters are not supported ({name})", node)
        ctx.resolving.append(name)
        try:
            under = _type(ctx, spec.child_by_field_name("type"), False)  # type: ignore[arg-type]
        finally:
            ctx.resolving.pop()
        t = under if name in ctx.aliases else Named(name, under)
        ctx.resolved[name] = t
        return t
    if name == "error":
        return ERROR
    if name == "any":
        return ANY
    if name in BASIC:
        return BASIC[name]
    raise ctx.err(UnsupportedError, f"undefined: {name}", node)


def _params(ctx: _Ctx, plist: Node | None) -> tuple[list[GoType], list[str], bool]:
    types: list[GoType] = []
    names: list[str] = []
    variadic = False
    if plist is None:
        return types, names, variadic
    if plist.type != "parameter_list":  # a bare result type: func() int
        return [_type(ctx, plist, False)], [""], False
    decls = [d for d in plist.named_children if d.type != "comment"]
    # Go's rule (go/parser): either every parameter is named or none is. tree-sitter-go can
    # split "a, b, …, i int" into a type-only "a" and a named rest, so when any declaration
    # carries names, bare identifiers are names waiting for the next declaration's type.
    named = any(d.children_by_field_name("name") for d in decls)
    pending: list[Node] = []
    for decl in decls:
        tnode = decl.child_by_field_name("type")
        ids = list(decl.children_by_field_name("name"))
        if decl.type == "variadic_parameter_declaration":
            if decl != decls[-1]:
                raise ctx.err(GoSyntaxError, "can only use ... with final parameter in list",
                              decl)
            variadic = True
            t: GoType = Slice(_type(ctx, tnode, True))  # type: ignore[arg-type]
            _check_size(ctx, t, decl)
            for i in [*pending, *ids] or [None]:
                types.append(t)
                names.append(ctx.text(i) if i is not None else "")
            pending = []
            continue
        if named and not ids and tnode is not None and tnode.type == "type_identifier":
            pending.append(tnode)
            continue
        if tnode is None:  # func(a, b): the "names" are types
            for i in ids:
                types.append(_resolve_name(ctx, ctx.text(i), i, False))
                names.append("")
            continue
        t = _type(ctx, tnode, False)
        _check_size(ctx, t, tnode)
        if ids:
            for i in [*pending, *ids]:
                types.append(t)
                names.append(ctx.text(i))
            pending = []
        else:
            types.append(t)
            names.append("")
    if pending:
        raise ctx.err(GoSyntaxError, "mixed named and unnamed parameters", pending[0])
    return types, names, variadic


def _check_size(ctx: _Ctx, t: GoType, node: Node) -> None:
    """Size overflow is reported where the type is written (64-bit MAXWIDTH; a 32-bit target's
    smaller limit is checked again when that target lays the type out)."""
    try:
        layout(t, 8)
    except TypeTooLargeError as e:
        raise ctx.err(TypeTooLargeError, e.message, node) from None


#: type expressions by their text, for texts that cannot refer to file declarations
_MEMO: dict[bytes, GoType] = {}


def _type(ctx: _Ctx, node: Node, indirect: bool) -> GoType:
    if not ctx.decls:
        key = ctx.src[node.start_byte : node.end_byte]
        hit = _MEMO.get(key)
        if hit is not None:
            return hit
        t = _type_uncached(ctx, node, indirect)
        if len(_MEMO) < 65536:
            _MEMO[key] = t
        return t
    return _type_uncached(ctx, node, indirect)


def _type_uncached(ctx: _Ctx, node: Node, indirect: bool) -> GoType:
    t = node.type
    if t == "type_identifier" or t == "identifier":
        return _resolve_name(ctx, ctx.text(node), node, indirect)
    if t == "parenthesized_type":
        return _type(ctx, node.named_children[0], indirect)
    if t == "qualified_type":
        if ctx.text(node).replace(" ", "") == "unsafe.Pointer":
            return BASIC["unsafe.Pointer"]
        raise ctx.err(UnsupportedError, f"undefined: {ctx.text(node)} (only unsafe.Pointer is "
                      "known from other packages)", node)
    if t == "pointer_type":
        return Pointer(_type(ctx, node.named_children[0], True))
    if t == "slice_type":
        return Slice(_type(ctx, node.child_by_field_name("element"), True))  # type: ignore[arg-type]
    if t == "array_type":
        n = _int_value(ctx, node.child_by_field_name("length"))  # type: ignore[arg-type]
        if n < 0:
            raise ctx.err(UnsupportedError, f"invalid array length {n}", node)
        el = _type(ctx, node.child_by_field_name("element"), indirect)  # type: ignore[arg-type]
        return Array(n, el)
    if t == "implicit_length_array_type":
        raise ctx.err(UnsupportedError, "[...]T needs a composite literal", node)
    if t == "map_type":
        k = _type(ctx, node.child_by_field_name("key"), True)  # type: ignore[arg-type]
        v = _type(ctx, node.child_by_field_name("value"), True)  # type: ignore[arg-type]
        return Map(k, v)
    if t == "channel_type":
        txt = ctx.text(node)
        d = "<-chan" if txt.startswith("<-") else ("chan<-" if txt.replace(" ", "").startswith(
            "chan<-") else "chan")
        return Chan(_type(ctx, node.child_by_field_name("value"), True), d)  # type: ignore[arg-type]
    if t == "function_type":
        ps, _, var = _params(ctx, node.child_by_field_name("parameters"))
        rs, _, _ = _params(ctx, node.child_by_field_name("result"))
        return Func(tuple(ps), tuple(rs), var)
    if t == "interface_type":
        methods = []
        for el in node.named_children:
            if el.type == "comment":
                continue
            if el.type != "method_elem":
                txt = ctx.text(el)
                if txt in ("any", "error") or txt in ctx.decls:
                    methods.append(txt)  # embedded interface: still two words
                    continue
                raise ctx.err(UnsupportedError, "type constraints are not supported", el)
            methods.append(" ".join(ctx.text(el).split()))
        return Interface(tuple(methods))
    if t == "struct_type":
        fields: list[Field] = []
        fl = node.named_children[0] if node.named_children else None
        for fd in fl.named_children if fl is not None else []:
            if fd.type == "comment":
                continue
            tnode = fd.child_by_field_name("type")
            ft = _type(ctx, tnode, indirect)  # type: ignore[arg-type]
            ids = fd.children_by_field_name("name")
            if ids:
                fields.extend(Field(ctx.text(i), ft) for i in ids)
            else:
                star = any(c.type == "*" for c in fd.children)
                if star:
                    ft = Pointer(ft)
                nm = ctx.text(tnode).split(".")[-1]  # type: ignore[arg-type]
                fields.append(Field(nm, ft, True))
        return Struct(tuple(fields))
    if t == "generic_type":
        raise ctx.err(UnsupportedError, "type parameters are not supported", node)
    if t == "negated_type" or t == "union_type":
        raise ctx.err(UnsupportedError, "type constraints are not supported", node)
    raise ctx.err(UnsupportedError, f"unsupported type syntax {t}", node)


def _collect(ctx: _Ctx, root: Node) -> None:
    for top in root.named_children:
        if top.type == "type_declaration":
            for spec in top.named_children:
                if spec.type in ("type_spec", "type_alias"):
                    name = ctx.text(spec.child_by_field_name("name"))  # type: ignore[arg-type]
                    ctx.decls[name] = spec
                    if spec.type == "type_alias":
                        ctx.aliases.add(name)
        elif top.type == "const_declaration":
            for spec in top.named_children:
                vals = spec.child_by_field_name("value")
                names = spec.children_by_field_name("name")
                if vals is not None and len(names) == 1 and vals.named_children:
                    ctx.consts[ctx.text(names[0])] = vals.named_children[0]


def _wrap_parse(src: bytes, source: str, col_shift: int, line_shift: int) -> tuple[_Ctx, Node]:
    tree = _parser().parse(src)
    ctx = _Ctx(src, source, col_shift, line_shift)
    _check_syntax(ctx, tree.root_node)
    _collect(ctx, tree.root_node)
    return ctx, tree.root_node


_SIG_PREFIX = "package p\ntype _ "
_COL = len("type _ ")


def parse_signature(text: str, *, recv: str | None = None, decls: str = "",
                    source: str = "<signature>") -> Signature:
    """Parse a func type such as ``func(a, b int, s struct{x int8}) (error, [1]float32)``.

    Parameters
    ----------
    text : str
        The func type; a leading ``func`` may be omitted (``(int) string``).
    recv : str, optional
        The receiver's type, e.g. ``*S``.
    decls : str, optional
        Go declarations (``type S struct{…}``) the signature may refer to.
    """
    body = text.strip()
    if body.startswith("func") and body[4:].lstrip().startswith("["):
        raise UnsupportedError("type parameters are not supported", source=source, line=1,
                               column=text.index("[") + 1)
    if not body.startswith("func"):
        body = "func" + body
    if "\n" in body:
        body = " ".join(body.splitlines())
    prefix = _SIG_PREFIX
    extra = ("\n" + decls) if decls else ""
    recv_src = f"\ntype _ {recv}" if recv is not None else ""
    src = (prefix + body + recv_src + extra + "\n").encode()
    ctx, root = _wrap_parse(src, source, _COL, 1)
    specs = [n for n in root.named_children if n.type == "type_declaration"]
    ft = specs[0].named_children[0].child_by_field_name("type")
    if ft is None or ft.type != "function_type":
        raise ctx.err(GoSyntaxError, "not a func type", specs[0])
    ps, pn, var = _params(ctx, ft.child_by_field_name("parameters"))
    rs, rn, _ = _params(ctx, ft.child_by_field_name("result"))
    rt = None
    if recv is not None:
        rnode = specs[1].named_children[0].child_by_field_name("type")
        rt = _type(ctx, rnode, False)  # type: ignore[arg-type]
    return Signature(tuple(ps), tuple(rs), rt, var, "", tuple(pn), tuple(rn))


def parse_type(text: str, *, decls: str = "", source: str = "<type>") -> GoType:
    """Parse one Go type expression."""
    src = (_SIG_PREFIX + text.strip() + (("\n" + decls) if decls else "") + "\n").encode()
    ctx, root = _wrap_parse(src, source, _COL, 1)
    spec = root.named_children[1].named_children[0]  # [0] is the package clause
    return _type(ctx, spec.child_by_field_name("type"), False)  # type: ignore[arg-type]


def parse_file(text: str, *, source: str = "<file>") -> list[FuncDecl]:
    """Every function and method declared in a Go source file, in order."""
    src = (text if text.endswith("\n") else text + "\n").encode()
    ctx, root = _wrap_parse(src, source, 0, 0)
    out: list[FuncDecl] = []
    for top in root.named_children:
        if top.type not in ("function_declaration", "method_declaration"):
            continue
        name_node = top.child_by_field_name("name")
        name = ctx.text(name_node)  # type: ignore[arg-type]
        if top.child_by_field_name("type_parameters") is not None:
            raise ctx.err(UnsupportedError, f"type parameters are not supported ({name})", top)
        ps, pn, var = _params(ctx, top.child_by_field_name("parameters"))
        rs, rn, _ = _params(ctx, top.child_by_field_name("result"))
        rt = None
        if top.type == "method_declaration":
            rl, _, _ = _params(ctx, top.child_by_field_name("receiver"))
            rt = rl[0]
            base = rt.elem if isinstance(rt, Pointer) else rt
            if isinstance(base, Named):
                name = f"({rt}).{name}"
        sig = Signature(tuple(ps), tuple(rs), rt, var, name, tuple(pn), tuple(rn))
        out.append(FuncDecl(name, sig, top.start_point[0] + 1))
    return out


def parse_signatures(texts: list[str], *, source: str = "item",
                     numbers: list[int] | None = None) -> list[Signature | InputError]:
    """Parse many func types at once: one tree-sitter parse for the whole batch (the per-call
    overhead dominates for small signatures); items with errors are re-parsed alone so that
    each error names its own item and position (``numbers`` gives the item numbers used in
    messages; default 0, 1, …). Returns a Signature or the error, per item."""
    nums = numbers if numbers is not None else list(range(len(texts)))
    bodies = []
    for text in texts:
        body = " ".join(text.strip().splitlines())
        if not body.startswith("func"):
            body = "func" + body
        bodies.append(body)
    src = ("package p\n" + "".join(f"type _ {b}\n" for b in bodies)).encode()
    tree = _parser().parse(src)
    ctx = _Ctx(src, source, _COL, 1)
    decls = [n for n in tree.root_node.named_children if n.type == "type_declaration"]
    by_row = {d.start_point[0]: d for d in decls}
    out: list[Signature | InputError] = []
    for i, text in enumerate(texts):
        d = by_row.get(i + 1)
        ft = None
        if d is not None and not d.has_error and d.end_point[0] == i + 1:
            ft = d.named_children[0].child_by_field_name("type")
        try:
            if ft is None or ft.type != "function_type" or bodies[i].startswith("func["):
                out.append(parse_signature(text, source=f"{source} {nums[i]}"))
                continue
            ctx.source = f"{source} {nums[i]}"
            ctx.line_shift = i + 1
            ps, pn, var = _params(ctx, ft.child_by_field_name("parameters"))
            rs, rn, _ = _params(ctx, ft.child_by_field_name("result"))
            out.append(Signature(tuple(ps), tuple(rs), None, var, "", tuple(pn), tuple(rn)))
        except InputError as e:
            out.append(e)
    return out
