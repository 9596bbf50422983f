// Regabi reflect probe, internal half (package reflect).
//
// The Python harness in tests/gotool adds this file to GOROOT/src/reflect
// with `go test -overlay` (GOROOT itself stays untouched). Being an internal
// test file it can call the unexported funcLayout and read the abiDesc that
// reflect.Value.Call uses, and it exports the results like export_test.go
// does. It must not import anything that imports reflect (no fmt, testing,
// encoding/json: "import cycle not allowed in test"); the JSON I/O and the
// test function live in reflectprobe_test.go (package reflect_test).

package reflect

import (
	"internal/abi"
	"internal/goarch"
	"strconv"
	"unsafe"
)

type RegabiProbeStep struct {
	Kind   string `json:"kind"`
	Offset int    `json:"offset"`
	Size   int    `json:"size"`
	StkOff int    `json:"stkOff"`
	IReg   int    `json:"ireg"`
	FReg   int    `json:"freg"`
}

type RegabiProbeSeq struct {
	Steps      []RegabiProbeStep `json:"steps"`
	ValueStart []int             `json:"valueStart"`
	StackBytes int               `json:"stackBytes"`
	IRegs      int               `json:"iregs"`
	FRegs      int               `json:"fregs"`
}

type RegabiProbeFuncRecord struct {
	OK                bool            `json:"ok"`
	Error             string          `json:"error,omitempty"`
	Call              *RegabiProbeSeq `json:"call,omitempty"`
	Ret               *RegabiProbeSeq `json:"ret,omitempty"`
	StackCallArgsSize int             `json:"stackCallArgsSize"`
	RetOffset         int             `json:"retOffset"`
	Spill             int             `json:"spill"`
	StackPtrs         []int           `json:"stackPtrs"`
	InRegPtrs         []int           `json:"inRegPtrs"`
	OutRegPtrs        []int           `json:"outRegPtrs"`
	FrameTypeSize     int             `json:"frameTypeSize"`
	FrameTypePtrBytes int             `json:"frameTypePtrBytes"`
	FrameSize         int             `json:"frameSize"`
}

type RegabiProbeField struct {
	Name   string `json:"name"`
	Offset int    `json:"offset"`
}

type RegabiProbeTypeRecord struct {
	OK             bool               `json:"ok"`
	Error          string             `json:"error,omitempty"`
	String         string             `json:"string"`
	Kind           string             `json:"kind"`
	Size           int                `json:"size"`
	Align          int                `json:"align"`
	FieldAlign     int                `json:"fieldAlign"`
	PtrBytes       int                `json:"ptrBytes"`
	GCMask         []int              `json:"gcmask"`
	GCMaskOnDemand bool               `json:"gcMaskOnDemand"`
	GCProg         bool               `json:"gcprog"`
	DirectIface    bool               `json:"directIface"`
	Fields         []RegabiProbeField `json:"fields"`
}

// RegabiProbeMaxIntRegs and RegabiProbeMaxFloatRegs are the sizes of the
// register arrays (abi.RegArgs, abi.IntArgRegBitmap); SetArgRegs must not
// exceed them.
const (
	RegabiProbeMaxIntRegs   = abi.IntArgRegs
	RegabiProbeMaxFloatRegs = abi.FloatArgRegs
)

// RegabiProbeSetArgRegs is SetArgRegs (export_test.go), which also clears
// funcLayout's layoutCache (a cache keyed by (type, rcvr) only).
var RegabiProbeSetArgRegs = SetArgRegs

func regabiProbePanicText(e any) string {
	switch v := e.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	}
	return "non-string panic value"
}

func regabiProbeStepKind(k abiStepKind) string {
	switch k {
	case abiStepStack:
		return "stack"
	case abiStepIntReg:
		return "int"
	case abiStepPointer:
		return "ptr"
	case abiStepFloatReg:
		return "float"
	}
	return "bad(" + strconv.Itoa(int(k)) + ")"
}

func regabiProbeConvSeq(a *abiSeq) *RegabiProbeSeq {
	s := &RegabiProbeSeq{
		Steps:      []RegabiProbeStep{},
		ValueStart: append([]int{}, a.valueStart...),
		StackBytes: int(a.stackBytes),
		IRegs:      a.iregs,
		FRegs:      a.fregs,
	}
	for _, st := range a.steps {
		s.Steps = append(s.Steps, RegabiProbeStep{
			Kind:   regabiProbeStepKind(st.kind),
			Offset: int(st.offset),
			Size:   int(st.size),
			StkOff: int(st.stkOff),
			IReg:   st.ireg,
			FReg:   st.freg,
		})
	}
	return s
}

func regabiProbeBits(b *abi.IntArgRegBitmap, n int) []int {
	r := []int{}
	for i := 0; i < n; i++ {
		if b.Get(i) {
			r = append(r, i)
		}
	}
	return r
}

// RegabiProbeFuncLayout runs funcLayout(fn, rcvr) with the current register
// configuration and converts the abiDesc. A panic becomes {ok: false}.
func RegabiProbeFuncLayout(fn, rcvr Type) (rec RegabiProbeFuncRecord) {
	defer func() {
		if e := recover(); e != nil {
			rec = RegabiProbeFuncRecord{OK: false, Error: regabiProbePanicText(e)}
		}
	}()
	if fn == nil || fn.Kind() != Func {
		panic("regabi probe: not a func type")
	}
	var rt *abi.Type
	if rcvr != nil {
		rt = rcvr.common()
	}
	ft, _, abid := funcLayout((*funcType)(unsafe.Pointer(fn.common())), rt)
	stack := []int{}
	for i := uint32(0); i < abid.stackPtrs.n; i++ {
		stack = append(stack, int(abid.stackPtrs.data[i/8]>>(i%8)&1))
	}
	return RegabiProbeFuncRecord{
		OK:                true,
		Call:              regabiProbeConvSeq(&abid.call),
		Ret:               regabiProbeConvSeq(&abid.ret),
		StackCallArgsSize: int(abid.stackCallArgsSize),
		RetOffset:         int(abid.retOffset),
		Spill:             int(abid.spill),
		StackPtrs:         stack,
		InRegPtrs:         regabiProbeBits(&abid.inRegPtrs, intArgRegs),
		OutRegPtrs:        regabiProbeBits(&abid.outRegPtrs, intArgRegs),
		FrameTypeSize:     int(ft.Size()),
		FrameTypePtrBytes: int(ft.PtrBytes),
		// As in Value.call: frameSize = align(frametype.Size(), PtrSize) + spill.
		FrameSize: int(align(ft.Size(), goarch.PtrSize) + abid.spill),
	}
}

// regabiProbeMaxOnDemandAlloc bounds the allocation used to read a GC mask
// that the runtime only builds on demand (TFlagGCMaskOnDemand).
const regabiProbeMaxOnDemandAlloc = 1 << 26

// RegabiProbeTypeLayout reports the layout of t as reflect and the runtime
// see it. A panic becomes {ok: false}.
func RegabiProbeTypeLayout(t Type) (rec RegabiProbeTypeRecord) {
	defer func() {
		if e := recover(); e != nil {
			rec = RegabiProbeTypeRecord{OK: false, Error: regabiProbePanicText(e)}
		}
	}()
	at := t.common()
	rec = RegabiProbeTypeRecord{
		OK:          true,
		String:      t.String(),
		Kind:        t.Kind().String(),
		Size:        int(t.Size()),
		Align:       t.Align(),
		FieldAlign:  t.FieldAlign(),
		PtrBytes:    int(at.PtrBytes),
		GCMask:      []int{},
		DirectIface: at.IsDirectIface(),
		Fields:      []RegabiProbeField{},
	}
	nwords := int(at.PtrBytes / goarch.PtrSize)
	if at.TFlag&abi.TFlagGCMaskOnDemand != 0 {
		// Since GC programs were removed, large types carry no mask:
		// GCData points to a slot the runtime fills on first use. Let the
		// runtime build it through a heap allocation and read back the mask
		// the GC actually sees (runtime.pointerMask via gcbits, trailing
		// zero words trimmed; padded back to PtrBytes words here).
		rec.GCMaskOnDemand = true
		if t.Size() > regabiProbeMaxOnDemandAlloc {
			rec.GCMask = nil
		} else {
			m := gcbits(New(t).Interface())
			for i := 0; i < nwords; i++ {
				b := 0
				if i < len(m) {
					b = int(m[i])
				}
				rec.GCMask = append(rec.GCMask, b)
			}
		}
	} else if nwords > 0 {
		data := at.GcSlice(0, uintptr((nwords+7)/8))
		for i := 0; i < nwords; i++ {
			rec.GCMask = append(rec.GCMask, int(data[i/8]>>(i%8)&1))
		}
	}
	if t.Kind() == Struct {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			rec.Fields = append(rec.Fields, RegabiProbeField{Name: f.Name, Offset: int(f.Offset)})
		}
	}
	return rec
}
