"""The rewriting rules of model/specialize.py: a function's syntax tree over a domain becomes
one over CONCRETE (see that module's docstring). Imported only when the cached bytecode is
missing or stale, so that a start with a warm cache does not import :mod:`ast`."""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["compile_concrete"]

#: Names under which the concrete domain appears in the listed functions: the parameter ``D``
#: (specialised code is only ever called with CONCRETE) and the constant itself.
_DOMAIN_NAMES = frozenset({"D", "CONCRETE"})


def _simple(e: ast.expr) -> bool:
    """Evaluating ``e`` twice is the same as once: a name, a constant, ``x.f`` or ``x.f.g``."""
    while isinstance(e, ast.Attribute):
        e = e.value
    return isinstance(e, (ast.Name, ast.Constant))


_PURE_NODES = (ast.Name, ast.Constant, ast.Attribute, ast.BinOp, ast.UnaryOp, ast.BoolOp,
               ast.Compare, ast.IfExp, ast.Tuple, ast.Subscript, ast.Load, ast.operator,
               ast.unaryop, ast.boolop, ast.cmpop, ast.Slice)


def _pure(e: ast.expr) -> bool:
    """No side effect to lose if ``e`` is not evaluated: reads and arithmetic only (domain
    operations have already been rewritten into such expressions, or are pure calls of D)."""
    for n in ast.walk(e):
        if isinstance(n, ast.Call):
            f = n.func
            if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                    and f.value.id in _DOMAIN_NAMES) and not (
                    isinstance(f, ast.Name) and f.id == "isinstance"):
                return False
        elif not isinstance(n, (*_PURE_NODES, ast.Call)):
            return False
    return True


def _bool(e: ast.expr) -> ast.expr:
    """``True if e else False``: the bool ``all``/``any``/``not`` would return."""
    return ast.IfExp(test=e, body=ast.Constant(True), orelse=ast.Constant(False))


def _bin(a: ast.expr, op: ast.operator, b: ast.expr) -> ast.expr:
    return ast.BinOp(left=a, op=op, right=b)


def _cmp(a: ast.expr, op: ast.cmpop, b: ast.expr) -> ast.expr:
    return ast.Compare(left=a, ops=[op], comparators=[b])


def _ite(a: list[ast.expr]) -> ast.expr | None:
    c, x, y = a
    return ast.IfExp(test=c, body=x, orelse=y) if _pure(x) and _pure(y) else None


def _and(a: list[ast.expr]) -> ast.expr | None:
    if not a:
        return ast.Constant(True)
    if not all(_pure(x) for x in a[1:]):
        return None
    return _bool(a[0] if len(a) == 1 else ast.BoolOp(op=ast.And(), values=a))


def _or(a: list[ast.expr]) -> ast.expr | None:
    if not a:
        return ast.Constant(False)
    if not all(_pure(x) for x in a[1:]):
        return None
    return _bool(a[0] if len(a) == 1 else ast.BoolOp(op=ast.Or(), values=a))


def _umax(a: list[ast.expr]) -> ast.expr | None:
    x, y = a
    if not (_simple(x) and _simple(y)):
        return None
    return ast.IfExp(test=_cmp(x, ast.GtE(), y), body=x, orelse=y)


def _align(a: list[ast.expr]) -> ast.expr | None:
    x, al = a
    if not _simple(al):
        return None
    return _bin(_bin(_bin(x, ast.Add(), al), ast.Sub(), ast.Constant(1)), ast.BitAnd(),
                ast.UnaryOp(op=ast.USub(), operand=al))


def _setbit_like(a: list[ast.expr]) -> ast.expr | None:
    x, i, c = a
    if not (_simple(x) and _pure(i)):
        return None
    return ast.IfExp(test=c, body=_bin(x, ast.BitOr(), _bin(ast.Constant(1), ast.LShift(), i)),
                     orelse=x)


def _union_shifted(a: list[ast.expr]) -> ast.expr | None:
    s, m, shift, c = a
    if not (_simple(s) and _simple(m) and _pure(shift)):
        return None
    return ast.IfExp(test=ast.BoolOp(op=ast.And(), values=[c, m]),
                     body=_bin(s, ast.BitOr(), _bin(m, ast.LShift(), shift)), orelse=s)


#: Concrete's operations as expressions (model/domain.py ``Concrete``, method by method);
#: None from a builder leaves that call as it is.
_INLINE: dict[str, tuple[int | None, Callable[[list[ast.expr]], ast.expr | None]]] = {
    "ite": (3, _ite),
    "sel": (3, _ite),
    "eq": (2, lambda a: _cmp(a[0], ast.Eq(), a[1])),
    "ult": (2, lambda a: _cmp(a[0], ast.Lt(), a[1])),
    "ule": (2, lambda a: _cmp(a[0], ast.LtE(), a[1])),
    "umax": (2, _umax),
    "align": (2, _align),
    "aligned": (2, lambda a: ast.UnaryOp(op=ast.Not(), operand=_bin(
        a[0], ast.BitAnd(), _bin(a[1], ast.Sub(), ast.Constant(1))))),
    "shr": (2, lambda a: _bin(a[0], ast.RShift(), a[1])),
    "bit": (2, lambda a: _cmp(_bin(_bin(a[0], ast.RShift(), a[1]), ast.BitAnd(),
                                   ast.Constant(1)), ast.NotEq(), ast.Constant(0))),
    "setbit": (3, _setbit_like),
    "set_add": (3, _setbit_like),
    "and_": (None, _and),
    "or_": (None, _or),
    "not_": (1, lambda a: ast.UnaryOp(op=ast.Not(), operand=a[0])),
    "implies": (2, lambda a: _bool(ast.BoolOp(op=ast.Or(), values=[
        ast.UnaryOp(op=ast.Not(), operand=a[0]), a[1]])) if _pure(a[1]) else None),
    "set_empty": (0, lambda a: ast.Constant(0)),
    "set_union_shifted": (4, _union_shifted),
}


def _const(e: ast.expr) -> tuple[bool, Any]:
    return (True, e.value) if isinstance(e, ast.Constant) else (False, None)


class _Rewrite(ast.NodeTransformer):
    """Inline the domain's operations, fold what ``D.concrete`` decides, and route calls of
    listed functions to their specialised versions."""

    def __init__(self, routed: Iterable[str],
                 records: dict[str, tuple[str, ...]] | None = None,
                 defaults: dict[str, dict[str, Any]] | None = None) -> None:
        self.routed = frozenset(routed)
        self.records = records or {}
        self.defaults = defaults or {}
        self.vars: dict[str, str] = {}  # the function's NamedTuple locals (_record_vars)

    def _construct(self, node: ast.Call) -> ast.expr | None:
        """``C(a, k=v)`` with ``C`` a NamedTuple class of the module: ``_sp_tnew(C, (a, v,
        …))`` with the fields' constant defaults filled in (what ``C.__new__`` does, without its
        Python call). Exact under the same conditions as :meth:`_replace`."""
        f = node.func
        if not (isinstance(f, ast.Name) and f.id in self.records):
            return None
        fields = self.records[f.id]
        defaults = self.defaults.get(f.id, {})
        n = len(node.args)
        keys = [k.arg for k in node.keywords]
        if (n > len(fields) or any(isinstance(a, ast.Starred) for a in node.args)
                or None in keys or len(set(keys)) != len(keys)
                or not set(keys) <= set(fields[n:])
                or any(fl not in keys and fl not in defaults for fl in fields[n:])
                or any(isinstance(x, ast.NamedExpr) for a in (*node.args, *node.keywords)
                       for x in ast.walk(a))):
            return None
        if not (all(_pure(k.value) for k in node.keywords)
                or keys == sorted(keys, key=fields.index)):  # type: ignore[arg-type]
            return None
        vals = {k.arg: k.value for k in node.keywords}
        elts = [*node.args, *(vals[fl] if fl in vals else ast.Constant(defaults[fl])
                              for fl in fields[n:])]
        out = ast.Call(func=ast.Name("_sp_tnew", ast.Load()),
                       args=[ast.Name(f.id, ast.Load()), ast.Tuple(elts, ast.Load())],
                       keywords=[])
        return ast.fix_missing_locations(ast.copy_location(out, node))

    def _replace(self, node: ast.Call) -> ast.expr | None:
        """``x._replace(k=v, …)`` with ``x`` a local of NamedTuple class ``C``:
        ``(_sp_tnew(C, (x[0], v, …)) if x.__class__ is C else x._replace(k=v, …))``, the tuple
        built directly (``_replace`` costs two Python calls and a ``map`` over the fields).
        Exact: the class is checked, ``x`` is a name, and the values are pure or given in field
        order, so they are evaluated once each, in the same order."""
        f = node.func
        if not (isinstance(f, ast.Attribute) and f.attr == "_replace"
                and isinstance(f.value, ast.Name) and f.value.id in self.vars
                and not node.args and node.keywords):
            return None
        x, cls = f.value.id, self.vars[f.value.id]
        fields = self.records[cls]
        keys = [k.arg for k in node.keywords]
        if (None in keys or len(set(keys)) != len(keys) or not set(keys) <= set(fields)
                or any(isinstance(n, ast.NamedExpr) for k in node.keywords
                       for n in ast.walk(k.value))):
            return None
        if not (all(_pure(k.value) for k in node.keywords)
                or keys == sorted(keys, key=fields.index)):  # type: ignore[arg-type]
            return None
        vals = {k.arg: k.value for k in node.keywords}
        elts = [vals[fl] if fl in vals else
                ast.Subscript(value=ast.Name(x, ast.Load()), slice=ast.Constant(i),
                              ctx=ast.Load()) for i, fl in enumerate(fields)]
        fast = ast.Call(func=ast.Name("_sp_tnew", ast.Load()),
                        args=[ast.Name(cls, ast.Load()), ast.Tuple(elts, ast.Load())],
                        keywords=[])
        guard = _cmp(ast.Attribute(value=ast.Name(x, ast.Load()), attr="__class__",
                                   ctx=ast.Load()), ast.Is(), ast.Name(cls, ast.Load()))
        out = ast.IfExp(test=guard, body=fast, orelse=copy.deepcopy(node))
        return ast.fix_missing_locations(ast.copy_location(out, node))

    # ---- expressions -------------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        self.generic_visit(node)
        if (node.attr == "concrete" and isinstance(node.value, ast.Name)
                and node.value.id in _DOMAIN_NAMES and isinstance(node.ctx, ast.Load)):
            return ast.copy_location(ast.Constant(True), node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        f = node.func
        if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                and f.value.id in _DOMAIN_NAMES and f.attr in _INLINE and not node.keywords
                and not any(isinstance(a, ast.Starred) for a in node.args)):
            arity, build = _INLINE[f.attr]
            if arity is None or arity == len(node.args):
                out = build(list(node.args))
                if out is not None:  # fold what the expansion decides (``True and m``)
                    return self.visit(ast.fix_missing_locations(ast.copy_location(out, node)))
            return node
        fast = self._replace(node) or self._construct(node)
        if fast is not None:
            return fast
        if isinstance(f, ast.Name) and f.id in self.routed:
            # (_c_f if f is _g_f else f)(...): the generic f may have been replaced (a mutant)
            node.func = ast.copy_location(ast.IfExp(
                test=_cmp(ast.Name(f.id, ast.Load()), ast.Is(), ast.Name(f"_g_{f.id}",
                                                                        ast.Load())),
                body=ast.Name(f"_c_{f.id}", ast.Load()), orelse=ast.Name(f.id, ast.Load())), f)
            ast.fix_missing_locations(node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        known, v = _const(node.operand)
        if known and isinstance(node.op, ast.Not):
            return ast.copy_location(ast.Constant(not v), node)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        """Leading constants decide or drop out, as Python evaluates them: ``True and x`` is
        ``x``, ``True or x`` is ``True``."""
        self.generic_visit(node)
        vals = list(node.values)
        is_and = isinstance(node.op, ast.And)
        while len(vals) > 1:
            known, v = _const(vals[0])
            if not known:
                break
            if bool(v) == is_and:
                vals.pop(0)  # True and …, False or …: the rest decides
            else:
                return ast.copy_location(ast.Constant(v), node)
        if len(vals) == 1:
            return vals[0]
        node.values = vals
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        self.generic_visit(node)
        known, v = _const(node.test)
        if known:
            return node.body if v else node.orelse
        return node

    # ---- statements --------------------------------------------------------------------
    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        known, v = _const(node.test)
        if known:
            return (node.body if v else node.orelse) or ast.copy_location(ast.Pass(), node)
        return node


def _record_vars(fn: ast.FunctionDef, defs: dict[str, ast.FunctionDef],
                 records: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The local names of ``fn`` that hold one NamedTuple class (of ``records``) wherever they
    are bound, read from the annotations: a parameter annotated ``C``; ``x = f(…)`` or
    ``x, y = f(…)`` with ``f`` a function of the module returning ``C`` or ``tuple[C, …]``;
    ``x = C(…)``; ``x = y._replace(…)``. Only a guess: each rewrite it enables checks the class
    at run time."""

    def rec(a: ast.expr | None) -> str | None:
        return a.id if isinstance(a, ast.Name) and a.id in records else None

    binds: dict[str, list[str | None]] = {}  # each binding's class (None: unknown)
    a = fn.args
    for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs):
        binds.setdefault(arg.arg, []).append(rec(arg.annotation))
    stores: dict[str, int] = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            stores[n.id] = stores.get(n.id, 0) + 1
    for n in ast.walk(fn):
        if not (isinstance(n, ast.Assign) and len(n.targets) == 1):
            continue
        tgt, v = n.targets[0], n.value
        names = [tgt] if isinstance(tgt, ast.Name) else (
            list(tgt.elts) if isinstance(tgt, ast.Tuple) else [])
        if not names or not all(isinstance(x, ast.Name) for x in names):
            continue
        classes: list[str | None] = [None] * len(names)
        if isinstance(v, ast.Call) and isinstance(v.func, ast.Name):
            if v.func.id in records and len(names) == 1:
                classes = [v.func.id]
            elif v.func.id in defs:
                r = defs[v.func.id].returns
                if len(names) == 1:
                    classes = [rec(r)]
                elif (isinstance(r, ast.Subscript) and isinstance(r.value, ast.Name)
                      and r.value.id == "tuple" and isinstance(r.slice, ast.Tuple)
                      and len(r.slice.elts) == len(names)):
                    classes = [rec(e) for e in r.slice.elts]
        elif (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute)
              and v.func.attr == "_replace" and isinstance(v.func.value, ast.Name)
              and len(names) == 1):
            classes = [f"={v.func.value.id}"]  # y's class, resolved below
        for x, c in zip(names, classes, strict=True):
            binds.setdefault(x.id, []).append(c)  # type: ignore[attr-defined]
            stores[x.id] -= 1  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    for _ in range(3):  # (x = y._replace(…) after y's own bindings)
        for name, cs in binds.items():
            if stores.get(name, 0):
                continue  # bound somewhere else too (a loop, a with, a comprehension …)
            got = {out.get(c[1:]) if c is not None and c[0] == "=" else c for c in cs}
            if len(got) == 1 and None not in got:
                out[name] = got.pop()  # type: ignore[assignment]
    return out


def _strip_annotations(fn: ast.FunctionDef) -> None:
    """Annotations are documentation; without them the copy compiles without the module's
    ``from __future__ import annotations`` and evaluates nothing at definition time."""
    a = fn.args
    for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
        if arg is not None:
            arg.annotation = None
    fn.returns = None


def compile_concrete(src: bytes, path: str, generic: list[str], drivers: list[str],
                     routed: list[str], records: dict[str, tuple[str, ...]] | None = None,
                     defaults: dict[str, dict[str, Any]] | None = None) -> Any:
    """The module's listed functions, rewritten, as one code object. ``records``: the
    NamedTuple classes the module's names refer to, with their fields; ``defaults``: their
    fields' default values that are constants (int, bool, str, None)."""
    tree = ast.parse(src, path)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    records = records or {}
    rw = _Rewrite(routed, records, defaults)
    body: list[ast.stmt] = [ast.parse("_sp_tnew = tuple.__new__").body[0]]
    # (read before any function is rewritten: rewriting strips the annotations)
    local = {name: _record_vars(defs[name], defs, records) for name in (*generic, *drivers)}
    for name in (*generic, *drivers):
        fn = defs[name]
        if fn.decorator_list:
            raise ValueError(f"specialize: {name} has decorators")
        rw.vars = local[name]
        fn = rw.visit(fn)
        _strip_annotations(fn)
        if name in generic:
            fn.name = f"_c_{name}"
        body.append(fn)
    return compile(ast.Module(body=body, type_ignores=[]), path, "exec", dont_inherit=True)
