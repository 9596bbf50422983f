// Regabi compiler ABI probe (package test).
//
// The Python harness (regabi.gotool) adds this file to
// GOROOT/src/cmd/compile/internal/test with `go test -overlay` and hides that
// package's other test files (GOROOT itself stays untouched), so this file's
// TestMain is the only one. It configures the compiler for the target
// architecture the way cmd/compile's main does (archInits[GOARCH](&ssagen.Arch),
// base.Ctxt, types.PtrSize/RegSize/MaxWidth, typecheck.InitUniverse) and takes
// the ABIInternal configuration from ssa.NewConfig(arch, ...).ABI1, i.e. the
// tree's own register tables, unless the input asks for other counts.
//
// Each signature string is type-checked with go/types (so named parameters,
// grouped names, constant array lengths, byte/rune/any/error all resolve as
// the language says), then converted to cmd/compile/internal/types values,
// and laid out by ABIConfig.ABIAnalyzeTypes, the analysis the compiler's back
// end uses. The compiler runs on the host for every target, as a
// cross-compiler does: the analysis depends on the target only through the
// configuration above.
//
// Input: the JSON file named by $REGABI_PROBE_IN
//
//	{"arch": "arm64", "intRegs": -1, "floatRegs": -1,
//	 "sigs": [{"func": "func(int) string", "recv": null}, ...]}
//
// (-1: the architecture's own count). Output: {"config": {...}, "records":
// [...], "next": n} (see regabiProbeOutput), written to $REGABI_PROBE_OUT.

package test

import (
	"bufio"
	"cmd/compile/internal/abi"
	"cmd/compile/internal/amd64"
	"cmd/compile/internal/arm64"
	"cmd/compile/internal/base"
	"cmd/compile/internal/loong64"
	"cmd/compile/internal/ppc64"
	"cmd/compile/internal/riscv64"
	"cmd/compile/internal/s390x"
	"cmd/compile/internal/ssa"
	"cmd/compile/internal/ssagen"
	"cmd/compile/internal/typecheck"
	"cmd/compile/internal/types"
	"cmd/compile/internal/x86"
	"cmd/internal/obj"
	objppc64 "cmd/internal/obj/ppc64"
	"cmd/internal/src"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	gotypes "go/types"
	"io"
	"os"
	"regexp"
	"strconv"
	"testing"
)

type regabiProbeSig struct {
	Func string  `json:"func"`
	Recv *string `json:"recv"`
}

type regabiProbeInput struct {
	Arch      string           `json:"arch"`
	IntRegs   int              `json:"intRegs"`
	FloatRegs int              `json:"floatRegs"`
	Sigs      []regabiProbeSig `json:"sigs"`
}

// regabiProbeConfig is the configuration the records were computed with.
// NativeIntRegs/NativeFloatRegs are the counts of the tree's own ABI1 for
// the architecture (ssa.NewConfig), whatever the input asked for.
type regabiProbeConfig struct {
	Arch            string `json:"arch"`
	PtrSize         int    `json:"ptrSize"`
	RegSize         int    `json:"regSize"`
	MaxWidth        int64  `json:"maxWidth"`
	LocalsOffset    int    `json:"localsOffset"`
	NativeIntRegs   int    `json:"nativeIntRegs"`
	NativeFloatRegs int    `json:"nativeFloatRegs"`
	IntRegs         int    `json:"intRegs"`
	FloatRegs       int    `json:"floatRegs"`
}

// As in cmd/compile/main.go, for the architectures regabi has tables for with a Go
// port (arm, mips* and wasm have no register ABI; their back ends are not built in).
var regabiProbeArchInits = map[string]func(*ssagen.ArchInfo){
	"386":     x86.Init,
	"amd64":   amd64.Init,
	"arm64":   arm64.Init,
	"loong64": loong64.Init,
	"ppc64":   ppc64.Init,
	"ppc64le": ppc64.Init,
	"riscv64": riscv64.Init,
	"s390x":   s390x.Init,
}

type regabiProbeParam struct {
	Regs   []int  `json:"regs"`
	Offset int    `json:"offset"`
	Type   string `json:"type"`
	Size   int    `json:"size"`
	Align  int    `json:"align"`
}

type regabiProbeRecord struct {
	OK                bool               `json:"ok"`
	Error             string             `json:"error,omitempty"`
	In                []regabiProbeParam `json:"in"`
	Out               []regabiProbeParam `json:"out"`
	OffsetToSpillArea int                `json:"offsetToSpillArea"`
	SpillAreaSize     int                `json:"spillAreaSize"`
	ArgWidth          int                `json:"argWidth"`
	InRegistersUsed   int                `json:"inRegistersUsed"`
	OutRegistersUsed  int                `json:"outRegistersUsed"`
}

// regabiProbeImporter only knows package unsafe.
type regabiProbeImporter struct{}

func (regabiProbeImporter) Import(path string) (*gotypes.Package, error) {
	if path == "unsafe" {
		return gotypes.Unsafe, nil
	}
	return nil, errors.New("regabi probe: cannot import " + path)
}

// regabiProbeOutput holds the records for Sigs[:Next]; Next < len(Sigs)
// means the probe stopped after a compiler panic and must be rerun for
// Sigs[Next:].
type regabiProbeOutput struct {
	Config  regabiProbeConfig   `json:"config"`
	Records []regabiProbeRecord `json:"records"`
	Next    int                 `json:"next"`
}

// regabiProbeCheck type-checks sig (and recv) with go/types.
func regabiProbeCheck(sig string, recv *string) (*gotypes.Signature, gotypes.Type, error) {
	srcText := "package p\nimport \"unsafe\"\nvar _ unsafe.Pointer\nvar regabiSig " + sig + "\n"
	if recv != nil {
		srcText += "var regabiRecv " + *recv + "\n"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "sig.go", srcText, parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err
	}
	var firstErr error
	conf := gotypes.Config{
		Importer: regabiProbeImporter{},
		Sizes:    gotypes.SizesFor("gc", regabiProbeArch),
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

// regabiProbeArch is the target architecture (set by TestMain).
var regabiProbeArch = "amd64"

var regabiProbeBasic = map[gotypes.BasicKind]types.Kind{
	gotypes.Bool:          types.TBOOL,
	gotypes.Int:           types.TINT,
	gotypes.Int8:          types.TINT8,
	gotypes.Int16:         types.TINT16,
	gotypes.Int32:         types.TINT32,
	gotypes.Int64:         types.TINT64,
	gotypes.Uint:          types.TUINT,
	gotypes.Uint8:         types.TUINT8,
	gotypes.Uint16:        types.TUINT16,
	gotypes.Uint32:        types.TUINT32,
	gotypes.Uint64:        types.TUINT64,
	gotypes.Uintptr:       types.TUINTPTR,
	gotypes.Float32:       types.TFLOAT32,
	gotypes.Float64:       types.TFLOAT64,
	gotypes.Complex64:     types.TCOMPLEX64,
	gotypes.Complex128:    types.TCOMPLEX128,
	gotypes.String:        types.TSTRING,
	gotypes.UnsafePointer: types.TUNSAFEPTR,
}

func regabiProbeFields(tup *gotypes.Tuple) []*types.Field {
	fs := make([]*types.Field, tup.Len())
	for i := range fs {
		fs[i] = types.NewField(src.NoXPos, nil, regabiProbeConv(tup.At(i).Type()))
	}
	return fs
}

// regabiProbeConv converts a go/types type to a cmd/compile/internal/types type.
func regabiProbeConv(t gotypes.Type) *types.Type {
	t = gotypes.Unalias(t)
	switch t := t.(type) {
	case *gotypes.Basic:
		k, ok := regabiProbeBasic[t.Kind()]
		if !ok {
			panic("unsupported basic type " + t.String())
		}
		return types.Types[k]
	case *gotypes.Named:
		// Only the predeclared "error" can appear (no type declarations
		// in the signatures); it is laid out as an interface.
		return regabiProbeConv(t.Underlying())
	case *gotypes.Interface:
		// All interfaces are two words (itab/type pointer, data pointer)
		// and the ABI assigns them like any other interface (synthIface),
		// so a non-empty interface has the same layout as the empty one:
		// use interface{} for every interface type.
		return types.Types[types.TINTER]
	case *gotypes.Pointer:
		return types.NewPtr(regabiProbeConv(t.Elem()))
	case *gotypes.Slice:
		return types.NewSlice(regabiProbeConv(t.Elem()))
	case *gotypes.Array:
		return types.NewArray(regabiProbeConv(t.Elem()), t.Len())
	case *gotypes.Map:
		return types.NewMap(regabiProbeConv(t.Key()), regabiProbeConv(t.Elem()))
	case *gotypes.Chan:
		dir := types.Cboth
		switch t.Dir() {
		case gotypes.SendOnly:
			dir = types.Csend
		case gotypes.RecvOnly:
			dir = types.Crecv
		}
		return types.NewChan(regabiProbeConv(t.Elem()), dir)
	case *gotypes.Signature:
		// Variadic ...T is already []T in go/types.
		return types.NewSignature(nil, regabiProbeFields(t.Params()), regabiProbeFields(t.Results()))
	case *gotypes.Struct:
		fs := make([]*types.Field, t.NumFields())
		for i := range fs {
			v := t.Field(i)
			var sym *types.Sym
			if v.Name() == "_" {
				sym = types.BlankSym
			} else {
				sym = types.LocalPkg.Lookup(v.Name())
			}
			f := types.NewField(src.NoXPos, sym, regabiProbeConv(v.Type()))
			if v.Embedded() {
				f.Embedded = 1
			}
			fs[i] = f
		}
		return types.NewStruct(fs)
	}
	panic(fmt.Sprintf("unsupported type %v (%T)", t, t))
}

var regabiProbeOffsetRE = regexp.MustCompile(`offset: (-?[0-9]+) typ:`)

func regabiProbeParams(cfg *abi.ABIConfig, ps []abi.ABIParamAssignment) []regabiProbeParam {
	r := []regabiProbeParam{}
	for i := range ps {
		p := &ps[i]
		// The raw offset field is unexported (Offset() refuses register
		// params); ToString prints it: stack offset for stack params,
		// spill offset for register params, -1 for register results.
		m := regabiProbeOffsetRE.FindStringSubmatch(p.ToString(cfg, false))
		if m == nil {
			panic("cannot parse offset from " + p.ToString(cfg, false))
		}
		off, _ := strconv.Atoi(m[1])
		regs := []int{}
		for _, x := range p.Registers {
			regs = append(regs, int(x))
		}
		r = append(r, regabiProbeParam{
			Regs: regs, Offset: off, Type: p.Type.String(),
			Size: int(p.Type.Size()), Align: int(p.Type.Alignment()),
		})
	}
	return r
}

// regabiProbeOne lays out one signature. crashed reports that the compiler
// code panicked (a diagnostic under Flag.LowerH, or a bug): its global
// state (e.g. types' defercalc counter, widths left at -2) may then be
// inconsistent, so the caller stops and the harness restarts the process
// for the remaining signatures.
func regabiProbeOne(cfg *abi.ABIConfig, s regabiProbeSig, diag *os.File) (rec regabiProbeRecord, crashed bool) {
	diagStart, _ := diag.Seek(0, io.SeekCurrent)
	defer func() {
		if e := recover(); e != nil {
			crashed = true
			// base.Errorf/Fatalf panic("-h") (Flag.LowerH) after printing
			// the message to stdout, which is diag here.
			msg := fmt.Sprint(e)
			end, _ := diag.Seek(0, io.SeekCurrent)
			if end > diagStart {
				buf := make([]byte, end-diagStart)
				if _, err := diag.ReadAt(buf, diagStart); err == nil {
					msg += ": " + string(buf)
				}
			}
			rec = regabiProbeRecord{OK: false, Error: msg}
		}
	}()
	st, rt, err := regabiProbeCheck(s.Func, s.Recv)
	if err != nil {
		return regabiProbeRecord{OK: false, Error: err.Error()}, false
	}
	nerr := base.Errors()
	var params, results []*types.Type
	if rt != nil {
		// reflect passes a method receiver as one pointer-shaped word
		// (addRcvr), whatever its type; model that as unsafe.Pointer.
		params = append(params, types.Types[types.TUNSAFEPTR])
	}
	for i := 0; i < st.Params().Len(); i++ {
		params = append(params, regabiProbeConv(st.Params().At(i).Type()))
	}
	for i := 0; i < st.Results().Len(); i++ {
		results = append(results, regabiProbeConv(st.Results().At(i).Type()))
	}
	for _, t := range params {
		types.CalcSize(t)
	}
	for _, t := range results {
		types.CalcSize(t)
	}
	if base.Errors() > nerr {
		panic("compiler reported errors")
	}
	info := cfg.ABIAnalyzeTypes(params, results)
	return regabiProbeRecord{
		OK:                true,
		In:                regabiProbeParams(cfg, info.InParams()),
		Out:               regabiProbeParams(cfg, info.OutParams()),
		OffsetToSpillArea: int(info.SpillAreaOffset()),
		SpillAreaSize:     int(info.SpillAreaSize()),
		ArgWidth:          int(info.ArgWidth()),
		InRegistersUsed:   info.InRegistersUsed(),
		OutRegistersUsed:  info.OutRegistersUsed(),
	}, false
}

// regabiProbeSetup configures the compiler for arch as cmd/compile's main
// does and returns the ABIInternal configuration of the tree for it.
func regabiProbeSetup(arch string) (*abi.ABIConfig, error) {
	archInit, ok := regabiProbeArchInits[arch]
	if !ok {
		return nil, errors.New("unknown architecture " + strconv.Quote(arch))
	}
	regabiProbeArch = arch
	archInit(&ssagen.Arch)
	if arch == "ppc64le" {
		// ppc64.Init picks the byte order from buildcfg.GOARCH, the host's here.
		ssagen.Arch.LinkArch = &objppc64.Linkppc64le
	}
	base.Ctxt = obj.Linknew(ssagen.Arch.LinkArch)
	base.Ctxt.DiagFunc = base.Errorf
	base.Ctxt.DiagFlush = base.FlushErrors
	base.Ctxt.Bso = bufio.NewWriter(os.Stdout)
	types.LocalPkg = types.NewPkg("p", "local")
	types.LocalPkg.Prefix = "p"
	types.PtrSize = ssagen.Arch.LinkArch.PtrSize
	types.RegSize = ssagen.Arch.LinkArch.RegSize
	types.MaxWidth = ssagen.Arch.MAXWIDTH
	typecheck.InitUniverse()
	c := ssa.NewConfig(arch, *ssa.NewTypes(), base.Ctxt, true, ssagen.Arch.SoftFloat)
	return c.ABI1, nil
}

// regabiProbeCounts reads the register counts of cfg back from the ABI
// analysis itself (the counts are unexported).
func regabiProbeCounts(cfg *abi.ABIConfig) (ints, floats int) {
	ints = int(-cfg.FloatIndexFor(0))
	f64 := types.Types[types.TFLOAT64]
	ps := make([]*types.Type, 256)
	for i := range ps {
		ps[i] = f64
	}
	return ints, cfg.ABIAnalyzeTypes(ps, nil).InRegistersUsed()
}

func regabiProbeMain() error {
	raw, err := os.ReadFile(os.Getenv("REGABI_PROBE_IN"))
	if err != nil {
		return err
	}
	var in regabiProbeInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return err
	}
	cfg, err := regabiProbeSetup(in.Arch)
	if err != nil {
		return err
	}
	nativeI, nativeF := regabiProbeCounts(cfg)
	if in.IntRegs >= 0 || in.FloatRegs >= 0 {
		i, f := in.IntRegs, in.FloatRegs
		if i < 0 {
			i = nativeI
		}
		if f < 0 {
			f = nativeF
		}
		cfg = abi.NewABIConfig(i, f, cfg.LocalsOffset(), uint8(cfg.Which()))
	}
	ints, floats := regabiProbeCounts(cfg)
	out := regabiProbeOutput{
		Config: regabiProbeConfig{
			Arch: in.Arch, PtrSize: types.PtrSize, RegSize: types.RegSize,
			MaxWidth: types.MaxWidth, LocalsOffset: int(cfg.LocalsOffset()),
			NativeIntRegs: nativeI, NativeFloatRegs: nativeF,
			IntRegs: ints, FloatRegs: floats,
		},
		Records: []regabiProbeRecord{},
	}

	// Make compiler diagnostics panic (recovered per signature) instead of
	// exiting the process, and capture what they print.
	base.Flag.LowerH = 1
	base.Flag.LowerE = 1
	diag, err := os.CreateTemp("", "regabi-diag")
	if err != nil {
		return err
	}
	defer os.Remove(diag.Name())
	stdout := os.Stdout
	os.Stdout = diag
	func() {
		defer func() { os.Stdout = stdout }()
		for _, s := range in.Sigs {
			rec, crashed := regabiProbeOne(cfg, s, diag)
			out.Records = append(out.Records, rec)
			if crashed {
				break
			}
		}
	}()
	diag.Close()
	out.Next = len(out.Records)

	enc, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return os.WriteFile(os.Getenv("REGABI_PROBE_OUT"), enc, 0o644)
}

func TestMain(m *testing.M) {
	if os.Getenv("REGABI_PROBE_IN") == "" || os.Getenv("REGABI_PROBE_OUT") == "" {
		os.Exit(m.Run())
	}
	if err := regabiProbeMain(); err != nil {
		fmt.Fprintln(os.Stderr, "regabi probe:", err)
		os.Exit(1)
	}
	os.Exit(0)
}
