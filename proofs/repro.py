"""Counterexamples as runnable code: a ``package main`` Go program that makes the call through
reflect (run it with the Go toolchain to see what the callee receives), and a pytest test that
pins the counterexample against the model."""

from __future__ import annotations

from typing import Any

from regabi.model.invariants import Violation

__all__ = ["go_source", "pytest_source"]


def _go_value(t: Any) -> str:
    from regabi.model.types import Array, Basic, Chan, Func, Interface, Map, Pointer, Slice, Struct

    ts = str(t)
    if isinstance(t, Basic):
        n = t.name
        if n == "bool":
            return "true"
        if n == "string":
            return '"hello"'
        if n == "unsafe.Pointer":
            return "unsafe.Pointer(new(int))"
        if n.startswith("complex"):
            return f"{n}(complex(1.5, -2.5))"
        if n.startswith("float"):
            return f"{n}(1.5)"
        return f"{n}(7)"
    if isinstance(t, Pointer):
        return f"new({t.elem})"
    if isinstance(t, Slice):
        return f"{ts}{{{_go_value(t.elem)}, {_go_value(t.elem)}}}"
    if isinstance(t, Interface):
        return "any(42)"
    if isinstance(t, Map):
        return f"{ts}{{{_go_value(t.key)}: {_go_value(t.elem)}}}"
    if isinstance(t, Chan):
        return f"make({ts}, 1)"
    if isinstance(t, Func):
        return f"{ts}{{}}"
    if isinstance(t, Array):
        return f"{ts}{{{', '.join(_go_value(t.elem) for _ in range(t.length))}}}"
    if isinstance(t, Struct):
        els = [f"{f.name}: {_go_value(f.type)}" for f in t.fields if f.name != "_"]
        return f"{ts}{{{', '.join(els)}}}"
    return f"*new({ts})"


def go_source(vio: Violation) -> str:
    """A ``package main`` program calling a function of the signature through reflect."""
    sig = vio.sig
    params = ", ".join(f"a{i} {t}" for i, t in enumerate(sig.params))
    res = ", ".join(str(t) for t in sig.results)
    ret = f" ({res})" if sig.results else ""
    body_ret = ", ".join(_go_value(t) for t in sig.results)
    prints = ", ".join(f"a{i}" for i in range(len(sig.params)))
    lines = ["// " + vio.line(), "package main", "", "import (", '\t"fmt"', '\t"reflect"']
    if "unsafe.Pointer" in str(sig) + str(sig.recv):
        lines.append('\t"unsafe"')
    lines += [")", ""]
    if sig.recv is not None:
        lines += [f"type R {sig.recv}", "",
                  f"func (r R) F({params}){ret} {{", f"\tfmt.Println(r, {prints or '0'})"]
    else:
        lines += [f"func F({params}){ret} {{", f"\tfmt.Println({prints})"]
    if sig.results:
        lines.append(f"\treturn {body_ret}")
    lines += ["}", "", "func main() {"]
    if sig.recv is not None:
        lines.append(f"\tfn := reflect.ValueOf(R({_go_value(sig.recv)})).Method(0)")
    else:
        lines.append("\tfn := reflect.ValueOf(F)")
    args = ", ".join(f"reflect.ValueOf({_go_value(t)})" for t in sig.params)
    lines += [f"\tout := fn.Call([]reflect.Value{{{args}}})",
              "\tfor _, o := range out {", "\t\tfmt.Println(o.Interface())", "\t}", "}", ""]
    return "\n".join(lines)


def pytest_source(vio: Violation) -> str:
    """A pytest regression test pinning the counterexample."""
    name = (f"test_{vio.variant}_{vio.invariant}_{vio.arch}".lower()
            .replace("-", "_").replace("/", "_").replace("=", "").replace(",", "_"))
    recv = f", recv={str(vio.sig.recv)!r}" if vio.sig.recv is not None else ""
    arch = vio.arch
    load = f"load_arch({arch!r})"
    if "/regs=" in arch:
        base, regs = arch.split("/regs=")
        load = f"load_arch({base!r}).with_regs({regs})"
    return "\n".join([
        f"def {name}():",
        f'    """{vio.line()}"""',
        "    from regabi.model.arch import load_arch",
        "    from regabi.model.invariants import get_invariant",
        "    from regabi.model.syntax import parse_signature",
        "    from regabi.model.variants import get_variant",
        "",
        f"    sig = parse_signature({vio.sig.go()!r}{recv})",
        f"    assert get_invariant({vio.invariant!r}).check(sig, {load}, "
        f"get_variant({vio.variant!r})) is not None",
        "",
    ])


