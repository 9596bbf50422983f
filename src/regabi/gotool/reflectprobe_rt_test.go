// Regabi reflect probe with run-time types (package reflect_test).
//
// Added to GOROOT/src/reflect by `go test -c -overlay`, together with
// reflectprobe_internal_test.go, reflectprobe_test.go and an empty generated
// table. Unlike TestRegabiProbe (types compiled into the binary, one build
// per batch), this test builds the types at run time, so one binary per tree
// and architecture answers any number of signatures: each signature string is
// type-checked with go/types, and the go/types type is rebuilt with reflect's
// constructors (FuncOf, StructOf, ArrayOf, ...), which lay types out by the
// compiler's rules (size, align, trailing zero-size padding, pointer data,
// TFlagDirectIface by shape). Interface types are any (empty) or one fixed
// non-empty interface: funcLayout sees only their kind and two-word layout.
//
// Input: the JSON file named by $REGABI_PROBE_IN
//
//	{"intRegs": -1, "floatRegs": -1, "floatRegSize": -1,
//	 "sigs": [{"func": "func(int) string", "recv": null}, ...]}
//
// (-1: the value the tree was built with). Output: {"config": {...},
// "records": [...]} written to $REGABI_PROBE_OUT, one record per signature.

package reflect_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	gotypes "go/types"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"unsafe"
)

type regabiRTSig struct {
	Func string  `json:"func"`
	Recv *string `json:"recv"`
}

type regabiRTInput struct {
	IntRegs      int           `json:"intRegs"`
	FloatRegs    int           `json:"floatRegs"`
	FloatRegSize int           `json:"floatRegSize"`
	Sigs         []regabiRTSig `json:"sigs"`
}

type regabiRTConfig struct {
	GOARCH             string `json:"goarch"`
	PtrSize            int    `json:"ptrSize"`
	NativeIntRegs      int    `json:"nativeIntRegs"`
	NativeFloatRegs    int    `json:"nativeFloatRegs"`
	NativeFloatRegSize int    `json:"nativeFloatRegSize"`
	IntRegs            int    `json:"intRegs"`
	FloatRegs          int    `json:"floatRegs"`
	FloatRegSize       int    `json:"floatRegSize"`
}

type regabiRTOutput struct {
	Config  regabiRTConfig                  `json:"config"`
	Records []reflect.RegabiProbeFuncRecord `json:"records"`
}

type regabiRTIface interface{ RegabiProbeM() }

var (
	regabiRTAny   = reflect.TypeOf((*any)(nil)).Elem()
	regabiRTNonE  = reflect.TypeOf((*regabiRTIface)(nil)).Elem()
	regabiRTError = reflect.TypeOf((*error)(nil)).Elem()
	regabiRTBasic = map[gotypes.BasicKind]reflect.Type{
		gotypes.Bool:          reflect.TypeOf(false),
		gotypes.Int:           reflect.TypeOf(int(0)),
		gotypes.Int8:          reflect.TypeOf(int8(0)),
		gotypes.Int16:         reflect.TypeOf(int16(0)),
		gotypes.Int32:         reflect.TypeOf(int32(0)),
		gotypes.Int64:         reflect.TypeOf(int64(0)),
		gotypes.Uint:          reflect.TypeOf(uint(0)),
		gotypes.Uint8:         reflect.TypeOf(uint8(0)),
		gotypes.Uint16:        reflect.TypeOf(uint16(0)),
		gotypes.Uint32:        reflect.TypeOf(uint32(0)),
		gotypes.Uint64:        reflect.TypeOf(uint64(0)),
		gotypes.Uintptr:       reflect.TypeOf(uintptr(0)),
		gotypes.Float32:       reflect.TypeOf(float32(0)),
		gotypes.Float64:       reflect.TypeOf(float64(0)),
		gotypes.Complex64:     reflect.TypeOf(complex64(0)),
		gotypes.Complex128:    reflect.TypeOf(complex128(0)),
		gotypes.String:        reflect.TypeOf(""),
		gotypes.UnsafePointer: reflect.TypeOf(unsafe.Pointer(nil)),
	}
)

type regabiRTImporter struct{}

func (regabiRTImporter) Import(path string) (*gotypes.Package, error) {
	if path == "unsafe" {
		return gotypes.Unsafe, nil
	}
	return nil, errors.New("regabi probe: cannot import " + path)
}

// regabiRTCheck type-checks sig (and recv) with go/types.
func regabiRTCheck(sig string, recv *string) (*gotypes.Signature, gotypes.Type, error) {
	src := "package p\nimport \"unsafe\"\nvar _ unsafe.Pointer\nvar regabiSig " + sig + "\n"
	if recv != nil {
		src += "var regabiRecv " + *recv + "\n"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "sig.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err
	}
	var firstErr error
	conf := gotypes.Config{
		Importer: regabiRTImporter{},
		Sizes:    gotypes.SizesFor("gc", runtime.GOARCH),
		Error: func(err error) {
			if firstErr == nil {
				firstErr = err
			}
		},
	}
	pkg, _ := conf.Check("p", fset, []*ast.File{f}, nil)
	if firstErr != nil {
		return nil, nil, firstErr
	}
	st, ok := pkg.Scope().Lookup("regabiSig").Type().Underlying().(*gotypes.Signature)
	if !ok {
		return nil, nil, errors.New("not a func type: " + sig)
	}
	var rt gotypes.Type
	if recv != nil {
		rt = pkg.Scope().Lookup("regabiRecv").Type()
	}
	return st, rt, nil
}

func regabiRTTuple(tup *gotypes.Tuple) []reflect.Type {
	r := make([]reflect.Type, tup.Len())
	for i := range r {
		r[i] = regabiRTConv(tup.At(i).Type())
	}
	return r
}

// regabiRTConv rebuilds a go/types type as a reflect.Type.
func regabiRTConv(t gotypes.Type) reflect.Type {
	t = gotypes.Unalias(t)
	switch t := t.(type) {
	case *gotypes.Basic:
		if r, ok := regabiRTBasic[t.Kind()]; ok {
			return r
		}
		panic("unsupported basic type " + t.String())
	case *gotypes.Named:
		if t.Obj().Pkg() == nil && t.Obj().Name() == "error" {
			return regabiRTError
		}
		return regabiRTConv(t.Underlying())
	case *gotypes.Interface:
		if t.Empty() {
			return regabiRTAny
		}
		return regabiRTNonE
	case *gotypes.Pointer:
		return reflect.PointerTo(regabiRTConv(t.Elem()))
	case *gotypes.Slice:
		return reflect.SliceOf(regabiRTConv(t.Elem()))
	case *gotypes.Array:
		return reflect.ArrayOf(int(t.Len()), regabiRTConv(t.Elem()))
	case *gotypes.Map:
		return reflect.MapOf(regabiRTConv(t.Key()), regabiRTConv(t.Elem()))
	case *gotypes.Chan:
		dir := reflect.BothDir
		switch t.Dir() {
		case gotypes.SendOnly:
			dir = reflect.SendDir
		case gotypes.RecvOnly:
			dir = reflect.RecvDir
		}
		return reflect.ChanOf(dir, regabiRTConv(t.Elem()))
	case *gotypes.Signature:
		return reflect.FuncOf(regabiRTTuple(t.Params()), regabiRTTuple(t.Results()), t.Variadic())
	case *gotypes.Struct:
		// Field names do not change the layout; blank fields stay blank
		// (unexported, so StructOf wants a PkgPath), the others are F<i>.
		fs := make([]reflect.StructField, t.NumFields())
		for i := range fs {
			fs[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: regabiRTConv(t.Field(i).Type())}
			if t.Field(i).Name() == "_" {
				fs[i].Name, fs[i].PkgPath = "_", "regabiprobe"
			}
		}
		return reflect.StructOf(fs)
	}
	panic(fmt.Sprintf("unsupported type %v (%T)", t, t))
}

func regabiRTPanicText(e any) string {
	switch v := e.(type) {
	case string:
		return v
	case error:
		return v.Error()
	}
	return fmt.Sprint(e)
}

func regabiRTOne(s regabiRTSig) (rec reflect.RegabiProbeFuncRecord) {
	defer func() {
		if e := recover(); e != nil {
			rec = reflect.RegabiProbeFuncRecord{OK: false, Error: "build: " + regabiRTPanicText(e)}
		}
	}()
	st, rt, err := regabiRTCheck(s.Func, s.Recv)
	if err != nil {
		return reflect.RegabiProbeFuncRecord{OK: false, Error: "compile: " + err.Error()}
	}
	fn := regabiRTConv(st)
	var rcvr reflect.Type
	if rt != nil {
		rcvr = regabiRTConv(rt)
	}
	return reflect.RegabiProbeFuncLayout(fn, rcvr)
}

func TestRegabiProbeRT(t *testing.T) {
	inPath, outPath := os.Getenv("REGABI_PROBE_IN"), os.Getenv("REGABI_PROBE_OUT")
	if inPath == "" || outPath == "" {
		t.Skip("REGABI_PROBE_IN/REGABI_PROBE_OUT not set")
	}
	raw, err := os.ReadFile(inPath)
	if err != nil {
		t.Fatal(err)
	}
	var in regabiRTInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	ni, nf, fs := reflect.RegabiProbeSetArgRegs(0, 0, 0)
	reflect.RegabiProbeSetArgRegs(ni, nf, fs)
	cfg := regabiRTConfig{
		GOARCH: runtime.GOARCH, PtrSize: int(unsafe.Sizeof(uintptr(0))),
		NativeIntRegs: ni, NativeFloatRegs: nf, NativeFloatRegSize: int(fs),
		IntRegs: ni, FloatRegs: nf, FloatRegSize: int(fs),
	}
	if in.IntRegs >= 0 {
		cfg.IntRegs = in.IntRegs
	}
	if in.FloatRegs >= 0 {
		cfg.FloatRegs = in.FloatRegs
	}
	if in.FloatRegSize >= 0 {
		cfg.FloatRegSize = in.FloatRegSize
	}
	if cfg.IntRegs > reflect.RegabiProbeMaxIntRegs || cfg.FloatRegs > reflect.RegabiProbeMaxFloatRegs {
		t.Fatalf("register counts %d/%d exceed internal/abi limits %d/%d",
			cfg.IntRegs, cfg.FloatRegs,
			reflect.RegabiProbeMaxIntRegs, reflect.RegabiProbeMaxFloatRegs)
	}
	out := regabiRTOutput{Config: cfg, Records: make([]reflect.RegabiProbeFuncRecord, len(in.Sigs))}
	func() {
		// reflect's type constructors do not consult the register counts;
		// SetArgRegs clears funcLayout's cache both ways.
		defer reflect.RegabiProbeSetArgRegs(reflect.RegabiProbeSetArgRegs(
			cfg.IntRegs, cfg.FloatRegs, uintptr(cfg.FloatRegSize)))
		for i, s := range in.Sigs {
			out.Records[i] = regabiRTOne(s)
		}
	}()
	enc, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outPath, enc, 0o644); err != nil {
		t.Fatal(err)
	}
}
