// Command regabi-gotypes loads Go packages with go/types and prints every function's signature,
// with fully resolved types, as JSON for regabi (model/gopkg.py; schema regabi.gopkg/1 in
// docs/gopkg.md).
//
// Usage: regabi-gotypes -go GO -goarch GOARCH [-dir DIR] PATTERN...
//
// Dependencies are imported from the export data that `go list -export -deps` builds (what
// golang.org/x/tools/go/packages does); the requested packages are type-checked from source, so
// their errors are go/types'. Generic functions are reported as skipped; each instantiation the
// loaded packages use is reported with the GC shape the compiler compiles it as
// (cmd/compile/internal/noder/reader.go Shapify and shapeSig, go1.27.3).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

type listPkg struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	CgoFiles   []string
	Export     string
	DepOnly    bool
	Standard   bool
	Error      *struct{ Err string }
	DepsErrors []*struct{ Err string }
}

type jType struct {
	K        string   `json:"k"`
	N        string   `json:"n,omitempty"`   // basic name; named type's name
	Pkg      string   `json:"pkg,omitempty"` // named: package path ("" for the universe)
	U        *int     `json:"u,omitempty"`   // named: underlying
	E        *int     `json:"e,omitempty"`   // element
	Key      *int     `json:"key,omitempty"` // map key
	Len      int64    `json:"len,omitempty"` // array length
	Dir      string   `json:"dir,omitempty"` // chan direction
	Params   []int    `json:"params,omitempty"`
	Results  []int    `json:"results,omitempty"`
	Variadic bool     `json:"variadic,omitempty"`
	Methods  []string `json:"methods,omitempty"`
	Fields   []jField `json:"fields,omitempty"`
	Align64  bool     `json:"align64,omitempty"` // sync/atomic.align64 and its runtime twin
	Shape    bool     `json:"shape,omitempty"`   // a go.shape type
}

type jField struct {
	Name     string `json:"name"`
	T        int    `json:"t"`
	Embedded bool   `json:"embedded,omitempty"`
}

type jParam struct {
	Name string `json:"name"`
	T    int    `json:"t"`
}

type jFunc struct {
	Name     string   `json:"name"`
	Pos      string   `json:"pos"`
	Recv     *jParam  `json:"recv,omitempty"`
	Params   []jParam `json:"params"`
	Results  []jParam `json:"results"`
	Variadic bool     `json:"variadic,omitempty"`
	Skipped  string   `json:"skipped,omitempty"`
	Instance string   `json:"instance,omitempty"` // F[int]: the instantiation
	Shape    string   `json:"shape,omitempty"`    // F[go.shape.int]: the function compiled
}

type jPkg struct {
	Path   string   `json:"path"`
	Name   string   `json:"name"`
	Dir    string   `json:"dir"`
	Errors []string `json:"errors,omitempty"`
	Funcs  []jFunc  `json:"funcs"`
}

type output struct {
	Schema   string  `json:"schema"`
	Goarch   string  `json:"goarch"`
	Packages []jPkg  `json:"packages"`
	Types    []jType `json:"types"`
}

type encoder struct {
	ids   map[types.Type]int
	types []jType
	qual  types.Qualifier
}

func (e *encoder) id(t types.Type) int {
	t = types.Unalias(t)
	if i, ok := e.ids[t]; ok {
		return i
	}
	i := len(e.types)
	e.types = append(e.types, jType{})
	e.ids[t] = i // before the children: recursive types refer back to it
	e.types[i] = e.encode(t)
	return i
}

func ptr(i int) *int { return &i }

func (e *encoder) encode(t types.Type) jType {
	switch t := t.(type) {
	case *types.Basic:
		n := t.Name()
		switch t.Kind() {
		case types.UnsafePointer:
			n = "unsafe.Pointer"
		case types.Byte:
			n = "byte"
		case types.Rune:
			n = "rune"
		}
		return jType{K: "basic", N: n}
	case *types.Pointer:
		return jType{K: "ptr", E: ptr(e.id(t.Elem()))}
	case *types.Slice:
		return jType{K: "slice", E: ptr(e.id(t.Elem()))}
	case *types.Array:
		return jType{K: "array", Len: t.Len(), E: ptr(e.id(t.Elem()))}
	case *types.Chan:
		d := "chan"
		switch t.Dir() {
		case types.SendOnly:
			d = "chan<-"
		case types.RecvOnly:
			d = "<-chan"
		}
		return jType{K: "chan", Dir: d, E: ptr(e.id(t.Elem()))}
	case *types.Map:
		return jType{K: "map", Key: ptr(e.id(t.Key())), E: ptr(e.id(t.Elem()))}
	case *types.Signature:
		j := jType{K: "func", Variadic: t.Variadic(), Params: []int{}, Results: []int{}}
		for v := range t.Params().Variables() {
			j.Params = append(j.Params, e.id(v.Type()))
		}
		for v := range t.Results().Variables() {
			j.Results = append(j.Results, e.id(v.Type()))
		}
		return j
	case *types.Interface:
		j := jType{K: "iface", Methods: []string{}}
		for i := 0; i < t.NumMethods(); i++ {
			m := t.Method(i)
			j.Methods = append(j.Methods, m.Name()+strings.TrimPrefix(types.TypeString(m.Type(), e.qual), "func"))
		}
		return j
	case *types.Struct:
		j := jType{K: "struct", Fields: []jField{}}
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			j.Fields = append(j.Fields, jField{Name: f.Name(), T: e.id(f.Type()), Embedded: f.Embedded()})
		}
		return j
	case *types.Named:
		obj := t.Obj()
		j := jType{K: "named", N: types.TypeString(t, e.qual)}
		if obj.Pkg() != nil {
			j.Pkg = obj.Pkg().Path()
			if obj.Pkg().Name() == "go.shape" {
				j.Shape = true
				j.N = "go.shape." + obj.Name()
			}
			p := obj.Pkg().Path()
			if obj.Name() == "align64" && (p == "sync/atomic" || p == "internal/runtime/atomic") {
				j.Align64 = true
			}
		}
		j.U = ptr(e.id(t.Underlying()))
		return j
	case *types.TypeParam:
		return jType{K: "typeparam", N: t.Obj().Name()}
	case *types.Tuple:
		return jType{K: "tuple"}
	}
	return jType{K: "unknown", N: fmt.Sprintf("%T", t)}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "regabi-gotypes: "+format+"\n", args...)
	os.Exit(2)
}

func goList(goCmd, goarch, dir string, patterns []string) ([]*listPkg, error) {
	args := append([]string{"list", "-e", "-json", "-deps", "-export"}, patterns...)
	cmd := exec.Command(goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOARCH="+goarch, "CGO_ENABLED=0", "GOTOOLCHAIN=local", "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []*listPkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listPkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %v", err)
		}
		pkgs = append(pkgs, &p)
	}
	return pkgs, nil
}

// shapeOf is cmd/compile/internal/noder/reader.go Shapify (go1.27.3 reader.go:963-1025): the
// shape of a type argument is its underlying type, except that a pointer type instantiating a
// type parameter whose constraint is a basic interface (methods only) has shape *uint8.
func shapeOf(targ types.Type, basic bool, shapePkg *types.Package, cache map[string]*types.Named) types.Type {
	under := targ.Underlying()
	if _, isPtr := under.(*types.Pointer); isPtr && basic {
		under = types.NewPointer(types.Typ[types.Uint8])
	}
	name := types.TypeString(under, func(p *types.Package) string { return p.Path() })
	if n, ok := cache[name]; ok {
		return n
	}
	obj := types.NewTypeName(token.NoPos, shapePkg, name, nil)
	n := types.NewNamed(obj, under, nil)
	cache[name] = n
	return n
}

func main() {
	goCmd := flag.String("go", "go", "the go command")
	goarch := flag.String("goarch", "amd64", "GOARCH")
	dir := flag.String("dir", ".", "directory to run go list in")
	flag.Parse()
	if flag.NArg() == 0 {
		fail("no package patterns")
	}
	pkgs, err := goList(*goCmd, *goarch, *dir, flag.Args())
	if err != nil {
		fail("%v", err)
	}
	exports := map[string]string{}
	for _, p := range pkgs {
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q (does it build?)", path)
		}
		return os.Open(f)
	})
	sizes := types.SizesFor("gc", *goarch)
	if sizes == nil {
		fail("unknown GOARCH %q", *goarch)
	}
	out := output{Schema: "regabi.gopkg/1", Goarch: *goarch, Packages: []jPkg{}}
	shapePkg := types.NewPackage("go.shape", "go.shape")
	shapes := map[string]*types.Named{}
	enc := &encoder{ids: map[types.Type]int{}}
	for _, lp := range pkgs {
		if lp.DepOnly {
			continue
		}
		jp := jPkg{Path: lp.ImportPath, Name: lp.Name, Dir: lp.Dir, Funcs: []jFunc{}}
		if lp.Error != nil && len(lp.GoFiles) == 0 {
			jp.Errors = append(jp.Errors, strings.TrimSpace(lp.Error.Err))
			out.Packages = append(out.Packages, jp)
			continue
		}
		var files []*ast.File
		for _, name := range lp.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(lp.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				jp.Errors = append(jp.Errors, err.Error())
				continue
			}
			files = append(files, f)
		}
		for _, name := range lp.CgoFiles {
			jp.Errors = append(jp.Errors, fmt.Sprintf("%s: cgo file not loaded (CGO_ENABLED=0)", filepath.Join(lp.Dir, name)))
		}
		if len(jp.Errors) > 0 && len(files) < len(lp.GoFiles) {
			out.Packages = append(out.Packages, jp)
			continue
		}
		info := &types.Info{Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{},
			Instances: map[*ast.Ident]types.Instance{}}
		conf := types.Config{Importer: imp, Sizes: sizes, GoVersion: "",
			Error: func(err error) { jp.Errors = append(jp.Errors, err.Error()) }}
		pkg, _ := conf.Check(lp.ImportPath, fset, files, info)
		if len(jp.Errors) > 0 {
			out.Packages = append(out.Packages, jp)
			continue
		}
		enc.qual = func(p *types.Package) string { // as Go code in pkg spells it
			if p == pkg {
				return ""
			}
			return p.Name()
		}
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				fn, _ := info.Defs[fd.Name].(*types.Func)
				if fn == nil {
					continue
				}
				jp.Funcs = append(jp.Funcs, describe(enc, fset, fn, fd.Pos()))
			}
		}
		jp.Funcs = append(jp.Funcs, instances(enc, fset, pkg, info, shapePkg, shapes)...)
		out.Packages = append(out.Packages, jp)
	}
	out.Types = enc.types
	w := json.NewEncoder(os.Stdout)
	if err := w.Encode(out); err != nil {
		fail("%v", err)
	}
}

func funcName(enc *encoder, fn *types.Func) string {
	sig := fn.Type().(*types.Signature)
	if r := sig.Recv(); r != nil {
		return "(" + types.TypeString(r.Type(), enc.qual) + ")." + fn.Name()
	}
	return fn.Name()
}

func params(enc *encoder, t *types.Tuple) []jParam {
	out := []jParam{}
	for v := range t.Variables() {
		out = append(out, jParam{Name: v.Name(), T: enc.id(v.Type())})
	}
	return out
}

func describe(enc *encoder, fset *token.FileSet, fn *types.Func, pos token.Pos) jFunc {
	sig := fn.Type().(*types.Signature)
	j := jFunc{Name: funcName(enc, fn), Pos: fset.Position(pos).String(), Params: []jParam{}, Results: []jParam{}}
	if sig.TypeParams().Len() > 0 || sig.RecvTypeParams().Len() > 0 {
		j.Skipped = "generic: compiled once per GC shape of its type arguments, with a dictionary argument; its instantiations in the loaded packages are listed as F[T]"
		return j
	}
	if r := sig.Recv(); r != nil {
		j.Recv = &jParam{Name: r.Name(), T: enc.id(r.Type())}
	}
	j.Params = params(enc, sig.Params())
	j.Results = params(enc, sig.Results())
	j.Variadic = sig.Variadic()
	return j
}

// instances lists the instantiations of this package's generic functions and of the methods of
// its generic types that the package uses, each laid out as the compiler compiles it: the
// shaped function, whose signature has the receiver (if any) first and then the dictionary
// argument .dict, a pointer (noder/reader.go shapeSig: params[0] = .dict *[N]uintptr).
func instances(enc *encoder, fset *token.FileSet, pkg *types.Package, info *types.Info, shapePkg *types.Package, cache map[string]*types.Named) []jFunc {
	type inst struct {
		key  string
		fn   *types.Func
		recv *types.Named // instantiated receiver base type, for methods of generic types
		targ []types.Type
		pos  token.Pos
	}
	var found []inst
	seen := map[string]bool{}
	idents := make([]*ast.Ident, 0, len(info.Instances))
	for id := range info.Instances {
		idents = append(idents, id)
	}
	sort.Slice(idents, func(i, j int) bool { return idents[i].Pos() < idents[j].Pos() })
	for _, id := range idents {
		in := info.Instances[id]
		obj := info.Uses[id]
		if obj == nil {
			obj = info.Defs[id]
		}
		if hasTypeParam(in.Type, map[types.Type]bool{}) {
			continue // inside generic code: instantiated with the enclosing instantiation
		}
		switch o := obj.(type) {
		case *types.Func:
			if o.Pkg() != pkg {
				continue
			}
			var targs []types.Type
			for t := range in.TypeArgs.Types() {
				targs = append(targs, t)
			}
			key := o.FullName() + "[" + typeList(targs) + "]"
			if !seen[key] {
				seen[key] = true
				found = append(found, inst{key, o, nil, targs, id.Pos()})
			}
		case *types.TypeName:
			named, _ := types.Unalias(in.Type).(*types.Named)
			if o.Pkg() != pkg || named == nil {
				continue
			}
			var targs []types.Type
			for t := range in.TypeArgs.Types() {
				targs = append(targs, t)
			}
			for i := 0; i < named.NumMethods(); i++ {
				m := named.Method(i)
				if m.Type().(*types.Signature).TypeParams().Len() > 0 {
					continue // a generic method: listed where it is instantiated
				}
				key := types.TypeString(named, nil) + "." + m.Name()
				if !seen[key] {
					seen[key] = true
					found = append(found, inst{key, m, named, targs, id.Pos()})
				}
			}
		}
	}
	var out []jFunc
	for _, in := range found {
		out = append(out, shaped(enc, fset, in.fn, in.recv, in.targ, in.pos, shapePkg, cache))
	}
	return out
}

func hasTypeParam(t types.Type, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.TypeParam:
		return true
	case *types.Named:
		for a := range t.TypeArgs().Types() {
			if hasTypeParam(a, seen) {
				return true
			}
		}
		return false
	case *types.Alias:
		return hasTypeParam(types.Unalias(t), seen)
	case *types.Pointer:
		return hasTypeParam(t.Elem(), seen)
	case *types.Slice:
		return hasTypeParam(t.Elem(), seen)
	case *types.Array:
		return hasTypeParam(t.Elem(), seen)
	case *types.Chan:
		return hasTypeParam(t.Elem(), seen)
	case *types.Map:
		return hasTypeParam(t.Key(), seen) || hasTypeParam(t.Elem(), seen)
	case *types.Signature:
		for v := range t.Params().Variables() {
			if hasTypeParam(v.Type(), seen) {
				return true
			}
		}
		for v := range t.Results().Variables() {
			if hasTypeParam(v.Type(), seen) {
				return true
			}
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if hasTypeParam(t.Field(i).Type(), seen) {
				return true
			}
		}
	case *types.Interface:
		for i := 0; i < t.NumMethods(); i++ {
			if hasTypeParam(t.Method(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}

var dictType = types.NewPointer(types.Typ[types.Uintptr])

func typeList(ts []types.Type) string {
	var s []string
	for _, t := range ts {
		s = append(s, types.TypeString(t, nil))
	}
	return strings.Join(s, ",")
}

func isBasicConstraint(tp *types.TypeParam) bool {
	iface, _ := tp.Constraint().Underlying().(*types.Interface)
	return iface != nil && iface.IsMethodSet()
}

func shaped(enc *encoder, fset *token.FileSet, fn *types.Func, recvNamed *types.Named, targs []types.Type, pos token.Pos, shapePkg *types.Package, cache map[string]*types.Named) jFunc {
	origin := fn.Origin()
	osig := origin.Type().(*types.Signature)
	j := jFunc{Pos: fset.Position(pos).String(), Params: []jParam{}, Results: []jParam{}}
	var sig *types.Signature
	var recvType types.Type
	var shapeArgs []types.Type
	var tparams *types.TypeParamList
	if recvNamed != nil {
		tparams = recvNamed.Origin().TypeParams()
	} else {
		tparams = osig.TypeParams()
	}
	for i, t := range targs {
		basic := i < tparams.Len() && isBasicConstraint(tparams.At(i))
		shapeArgs = append(shapeArgs, shapeOf(t, basic, shapePkg, cache))
	}
	if recvNamed != nil {
		// the method of the generic type instantiated with the shapes
		inst, err := types.Instantiate(nil, recvNamed.Origin(), shapeArgs, false)
		if err != nil {
			j.Skipped = err.Error()
			return j
		}
		in := inst.(*types.Named)
		for i := 0; i < in.NumMethods(); i++ {
			if in.Method(i).Name() == fn.Name() {
				sig = in.Method(i).Type().(*types.Signature)
			}
		}
		recvType = sig.Recv().Type()
		star := ""
		if _, ok := recvType.(*types.Pointer); ok {
			star = "*"
		}
		// the symbol's spelling: type arguments separated by "," (noder/reader.go mangle)
		base := recvNamed.Origin().Obj().Name()
		j.Instance = "(" + star + base + "[" + typeListQ(targs, enc.qual) + "])." + fn.Name()
		j.Shape = "(" + star + base + "[" + typeListQ(shapeArgs, enc.qual) + "])." + fn.Name()
	} else {
		inst, err := types.Instantiate(nil, osig, shapeArgs, false)
		if err != nil {
			j.Skipped = err.Error()
			return j
		}
		sig = inst.(*types.Signature)
		if r := sig.Recv(); r != nil {
			recvType = r.Type()
		}
		j.Instance = origin.Name() + "[" + typeListQ(targs, enc.qual) + "]"
		j.Shape = origin.Name() + "[" + typeListQ(shapeArgs, enc.qual) + "]"
	}
	j.Name = j.Instance
	if recvType != nil {
		j.Params = append(j.Params, jParam{Name: sig.Recv().Name(), T: enc.id(recvType)})
	}
	// .dict is *[N]uintptr; N depends on the body, the ABI only sees one pointer
	j.Params = append(j.Params, jParam{Name: ".dict", T: enc.id(dictType)})
	j.Params = append(j.Params, params(enc, sig.Params())...)
	j.Results = params(enc, sig.Results())
	j.Variadic = sig.Variadic()
	return j
}

func typeListQ(ts []types.Type, q types.Qualifier) string {
	var s []string
	for _, t := range ts {
		s = append(s, types.TypeString(t, q))
	}
	return strings.Join(s, ",")
}
