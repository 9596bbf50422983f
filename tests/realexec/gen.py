"""Seeded signature generator for the real-execution harness, and the Go source it becomes.

Types are kept as Go type text plus the ``reflect.Kind`` name the value must have (the
independent expectation for result kinds). Register pressure comes from the signature
"shapes": many integer-class or float-class arguments/results exceed every architecture's
register counts (internal/abi/abi_*.go, go1.27.3: amd64 9 int/15 float, arm64/riscv64/loong64
16/16, ppc64x 12/12, s390x 8/16; 386 and arm use none).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["LEAVES", "RECEIVERS", "GoT", "Sig", "generate", "go_source"]


@dataclass(frozen=True)
class GoT:
    """A Go type: its text and the ``reflect.Kind.String()`` of its values."""

    text: str
    kind: str
    zero_size: bool = False


def _t(text: str, kind: str) -> GoT:
    return GoT(text, kind)


#: Every kind reflect has (but Invalid), with the concrete types rt.go knows how to build.
LEAVES: tuple[GoT, ...] = (
    _t("bool", "bool"), _t("int", "int"), _t("int8", "int8"), _t("int16", "int16"),
    _t("int32", "int32"), _t("int64", "int64"), _t("uint", "uint"), _t("uint8", "uint8"),
    _t("uint16", "uint16"), _t("uint32", "uint32"), _t("uint64", "uint64"),
    _t("uintptr", "uintptr"), _t("float32", "float32"), _t("float64", "float64"),
    _t("complex64", "complex64"), _t("complex128", "complex128"), _t("string", "string"),
    _t("unsafe.Pointer", "unsafe.Pointer"), _t("*int64", "ptr"),
    _t("*struct{ a int32; p *int64 }", "ptr"), _t("[]byte", "slice"), _t("[]int64", "slice"),
    _t("[]*int64", "slice"), _t("[]string", "slice"), _t("map[string]int64", "map"),
    _t("map[int64]*int64", "map"), _t("chan int64", "chan"), _t("chan *int64", "chan"),
    _t("func() uint64", "func"), _t("func(uint64) uint64", "func"), _t("any", "interface"),
    _t("interface{ M() uint64 }", "interface"), _t("error", "interface"),
)  # fmt: skip

_INTS = [t for t in LEAVES if t.kind in (
    "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32",
    "uint64", "uintptr", "ptr", "unsafe.Pointer", "map", "chan", "func")]
_FLOATS = [t for t in LEAVES if t.kind in ("float32", "float64", "complex64", "complex128")]

#: Receiver base types (named R<i>): scalar, float, zero-size, pointer-shaped, multi-word,
#: larger than the register set, and reference kinds.
RECEIVERS: tuple[str, ...] = (
    "int64", "float64", "struct{}", "[0]int64", "struct{ p *int64; x int32 }", "[1]*int64",
    "string", "map[string]int64", "func() uint64", "[3]float64", "chan int64",
    "struct{ a, b, c, d, e, f, g, h, i, j int64 }", "[]int64", "struct{ x int8; _ [0]int64 }",
)  # fmt: skip

_ZERO = (GoT("struct{}", "struct", True), GoT("[0]int64", "array", True),
         GoT("[0]*int64", "array", True), GoT("[2]struct{}", "array", True))


def _array(rng: random.Random, depth: int) -> GoT:
    n = rng.choice((0, 1, 1, 2, 3))
    e = _type(rng, depth - 1)
    return GoT(f"[{n}]{e.text}", "array", n == 0 or e.zero_size)


def _struct(rng: random.Random, depth: int) -> GoT:
    fields: list[tuple[str, GoT]] = []
    for i in range(rng.randint(0, 4)):
        r = rng.random()
        ft = rng.choice(_ZERO) if r < 0.2 else _type(rng, depth - 1)
        fields.append(("_" if rng.random() < 0.1 else f"f{i}", ft))
    if fields and rng.random() < 0.25:  # a trailing zero-size field (padded by the compiler)
        fields.append((f"z{len(fields)}", rng.choice(_ZERO)))
    if not fields:
        return GoT("struct{}", "struct", True)
    body = "; ".join(f"{n} {t.text}" for n, t in fields)
    return GoT(f"struct{{ {body} }}", "struct", all(t.zero_size for _, t in fields))


def _type(rng: random.Random, depth: int = 2) -> GoT:
    r = rng.random()
    if depth <= 0 or r < 0.6:
        return rng.choice(LEAVES)
    if r < 0.75:
        return _array(rng, depth)
    return _struct(rng, depth)


@dataclass(frozen=True)
class Sig:
    """One generated signature; callees are F<index>, (R<index>).MV and (*R<index>).MP."""

    index: int
    shape: str
    params: tuple[GoT, ...]
    results: tuple[GoT, ...]
    recv: str  # underlying type of R<index>

    def func_text(self) -> str:
        ps = ", ".join(f"a{k} {t.text}" for k, t in enumerate(self.params))
        rs = ", ".join(t.text for t in self.results)
        if len(self.results) > 1:
            rs = f"({rs})"
        return f"func({ps}) {rs}".rstrip()

    def type_text(self) -> str:
        """The func type without parameter names (what reflect.TypeOf(F<i>) is)."""
        ps = ", ".join(t.text for t in self.params)
        rs = ", ".join(t.text for t in self.results)
        if len(self.results) > 1:
            rs = f"({rs})"
        return f"func({ps}) {rs}".rstrip()

    def method_func_text(self) -> str:
        """Type of the method expression R<i>.MV: the receiver becomes parameter 0."""
        ps = ", ".join(t.text for t in (GoT(self.recv, ""), *self.params))
        rs = ", ".join(t.text for t in self.results)
        if len(self.results) > 1:
            rs = f"({rs})"
        return f"func({ps}) {rs}".rstrip()


SHAPES = ("cover", "random", "ints", "floats", "mixed", "results", "zero")


def _sig(rng: random.Random, index: int, shape: str, cover: int, first: bool) -> Sig:
    many = 20 if first else rng.randint(12, 20)  # the first of a shape always has 20
    if shape == "cover":  # every leaf kind as parameter and result
        chunk = LEAVES[cover * 6:(cover + 1) * 6]
        ps, rs = list(chunk), list(reversed(chunk))
    elif shape == "ints":
        ps = [rng.choice(_INTS) for _ in range(many)]
        rs = [rng.choice(_INTS) for _ in range(rng.randint(0, 3))]
    elif shape == "floats":
        ps = [rng.choice(_FLOATS) for _ in range(many)]
        rs = [rng.choice(_FLOATS) for _ in range(rng.randint(0, 3))]
    elif shape == "mixed":
        ps = [rng.choice(_INTS + _FLOATS) for _ in range(many + 4)]
        ps.insert(rng.randint(0, len(ps)), _struct(rng, 2))
        rs = [_type(rng) for _ in range(rng.randint(1, 3))]
    elif shape == "results":
        ps = [_type(rng) for _ in range(rng.randint(0, 3))]
        pool = _INTS + _FLOATS
        rs = [rng.choice(pool) for _ in range(many)]
    elif shape == "zero":
        ps = [rng.choice((*_ZERO, _struct(rng, 2), _array(rng, 2)))
              for _ in range(rng.randint(2, 6))]
        ps.insert(rng.randint(0, len(ps)), rng.choice(LEAVES))
        rs = [rng.choice((*_ZERO, _struct(rng, 2))) for _ in range(rng.randint(1, 3))]
    else:
        ps = [_type(rng) for _ in range(rng.randint(0, 8))]
        rs = [_type(rng) for _ in range(rng.randint(0, 4))]
    recv = rng.choice(RECEIVERS) if rng.random() < 0.8 else _recv_random(rng)
    return Sig(index, shape, tuple(ps), tuple(rs), recv)


def _recv_random(rng: random.Random) -> str:
    while True:
        t = _type(rng, 2)
        if t.kind not in ("interface", "ptr", "unsafe.Pointer"):
            return t.text


def generate(n: int, seed: int) -> list[Sig]:
    """``n`` signatures from ``seed``: first the ones covering every leaf kind, then the
    other shapes in turn."""
    rng = random.Random(seed)
    ncover = -(-len(LEAVES) // 6)
    out: list[Sig] = []
    for i in range(n):
        if i < ncover:
            out.append(_sig(rng, i, "cover", i, True))
        else:
            shape = SHAPES[1 + (i - ncover) % (len(SHAPES) - 1)]
            out.append(_sig(rng, i, shape, 0, all(s.shape != shape for s in out)))
    return out


def _results_text(sig: Sig) -> str:
    rs = ", ".join(t.text for t in sig.results)
    return f" ({rs})" if len(sig.results) > 1 else (f" {rs}" if rs else "")


def _body(sig: Sig, who: str, recv_line: str) -> list[str]:
    i = sig.index
    lines = [f'\tc := enter({i}, "{who}")']
    if recv_line:
        lines.append(f"\t{recv_line}")
    lines.append("\tc.stress(-1)")
    for k in range(len(sig.params)):
        lines += [f"\tchk(c, {k}, a{k})", f"\tc.stress({k})"]
    if sig.results:
        lines.append("\treturn " + ", ".join(
            f"res[{t.text}](c, {k})" for k, t in enumerate(sig.results)))
    return lines


def go_source(sigs: list[Sig], seed: int) -> str:
    """gen.go: the callees, receiver types, direct-call adapters and the table rt.go runs."""
    out = [
        "// Code generated by tests/realexec/gen.py. DO NOT EDIT.",
        "",
        "package main",
        "",
        "import (",
        '\t"reflect"',
        '\t"runtime"',
        '\t"unsafe"',
        ")",
        "",
        "var _ unsafe.Pointer",
        "",
        f"const genSeed = {seed}",
        "",
    ]
    for s in sigs:
        i = s.index
        params = ", ".join(f"a{k} {t.text}" for k, t in enumerate(s.params))
        rt = _results_text(s)
        out.append(f"// shape {s.shape}")
        out.append(f"type R{i} {s.recv}")
        out.append("")
        out.append(f"func F{i}({params}){rt} {{")
        out += _body(s, "F", "")
        out.append("}")
        out.append("")
        out.append(f"func (r R{i}) MV({params}){rt} {{")
        out += _body(s, "MV", "chk(c, recvIdx, r)")
        out.append("}")
        out.append("")
        out.append(f"func (r *R{i}) MP({params}){rt} {{")
        out += _body(s, "MP", "chkRecvPtr(c, r)")
        out.append("}")
        out.append("")
        ftype = s.type_text()
        out.append(f"func D{i}(c *callCtx, f any) {{")
        out.append(f"\tff := f.({ftype})")
        for k, t in enumerate(s.params):
            out.append(f"\ta{k} := arg[{t.text}](c, {k})")
        call = "ff(" + ", ".join(f"a{k}" for k in range(len(s.params))) + ")"
        if s.results:
            rv = ", ".join(f"r{k}" for k in range(len(s.results)))
            out.append(f"\t{rv} := {call}")
        else:
            out.append(f"\t{call}")
        out.append("\truntime.GC()")
        for k in range(len(s.results)):
            out.append(f"\tgot(c, {k}, r{k})")
        out.append("}")
        out.append("")
    out.append("var sigs = []sigEntry{")
    for s in sigs:
        i = s.index
        out.append(f"\t{{fn: F{i}, recv: reflect.TypeFor[R{i}](), direct: D{i}}},")
    out.append("}")
    return "\n".join(out) + "\n"
