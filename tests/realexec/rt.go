// Static half of the real-execution harness (tests/realexec). gen.py writes
// gen.go beside a copy of this file: the signatures, their callees F<i>,
// methods (R<i>).MV and (*R<i>).MP, and direct-call adapters D<i>.
//
// Every value is self-describing: the byte at offset o of argument k of call
// id is hb(seed(id, k), o), pointees get derived seeds, so a callee can rebuild
// what it should have received from (id, k) alone. Only reflect's type walking
// (Type, New, NewAt, MakeSlice, ...) is used to build and encode values; the
// call paths under test are the ten in `paths`.
//
// Output: one JSON line per call on stdout (written with syscall, so the
// binary links neither fmt nor os and cross-compiles quickly).

package main

import (
	"reflect"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// ---------------------------------------------------------------------------
// Self-describing values.

func mix(a, b uint64) uint64 {
	h := a*0x9E3779B97F4A7C15 ^ b
	h ^= h >> 29
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 32
	return h
}

func hb(seed uint64, off uintptr) uint8 { return uint8(mix(seed, uint64(off)) >> 56) }

func sub(seed uint64, off uintptr) uint64 { return mix(seed, uint64(off)+0x9E3779B9<<32) }

// Argument indices: parameters 0.., receiver recvIdx, results resIdx+k.
const (
	recvIdx = 1000
	resIdx  = 2000
)

func seedOf(id uint64, k int) uint64 { return mix(mix(id, uint64(k)), 0x243F6A8885A308D3) }

// Dynamic types stored in interface values.
type mI int32

func (x mI) M() uint64 { return uint64(x)*3 + 1 }

type mS struct {
	p *int64
	f float32
}

func (x mS) M() uint64 { return uint64(*x.p) ^ uint64(*(*uint32)(unsafe.Pointer(&x.f))) }

type mP struct {
	a [3]uint16
	s string
}

func (x *mP) M() uint64 { return uint64(x.a[0])<<32 | uint64(len(x.s)) }

type errT struct {
	code int64
	msg  string
}

func (e *errT) Error() string { return e.msg + "#" + strconv.FormatInt(e.code, 16) }

type errV string

func (e errV) Error() string { return string(e) }

// upT is what every unsafe.Pointer value points to.
type upT struct {
	p *int64
	x uint64
}

type mIface = interface{ M() uint64 }

var (
	tAny      = reflect.TypeFor[any]()
	tErr      = reflect.TypeFor[error]()
	tM        = reflect.TypeFor[mIface]()
	tUp       = reflect.TypeFor[upT]()
	tFnU64    = reflect.TypeFor[func() uint64]()
	tFnU64U64 = reflect.TypeFor[func(uint64) uint64]()
	anyImpls  = []reflect.Type{
		reflect.TypeFor[int64](), reflect.TypeFor[*int64](), reflect.TypeFor[string](),
		reflect.TypeFor[struct {
			a int8
			b float64
			p *int64
		}](),
		reflect.TypeFor[[2]uint16](), reflect.TypeFor[mS](), reflect.TypeFor[float32](),
		reflect.TypeFor[[1]*int64](),
	}
	mImpls   = []reflect.Type{reflect.TypeFor[mI](), reflect.TypeFor[mS](), reflect.TypeFor[*mP]()}
	errImpls = []reflect.Type{reflect.TypeFor[*errT](), reflect.TypeFor[errV]()}
)

func implsFor(t reflect.Type) []reflect.Type {
	switch t {
	case tAny:
		return anyImpls
	case tErr:
		return errImpls
	case tM:
		return mImpls
	}
	panic("realexec: unsupported interface type " + t.String())
}

func mkFnU64(s uint64) func() uint64          { return func() uint64 { return mix(s, 7) } }
func mkFnU64U64(s uint64) func(uint64) uint64 { return func(x uint64) uint64 { return x ^ s } }

// fill writes the self-describing value (seed, off) of type t at p (zeroed memory).
func fill(t reflect.Type, p unsafe.Pointer, seed uint64, off uintptr) {
	switch t.Kind() {
	case reflect.Bool:
		*(*uint8)(p) = hb(seed, off) & 1
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fillBytes(p, t.Size(), seed, off)
	case reflect.Float32:
		fillF32(p, seed, off)
	case reflect.Float64:
		fillF64(p, seed, off)
	case reflect.Complex64:
		fillF32(p, seed, off)
		fillF32(unsafe.Add(p, 4), seed, off+4)
	case reflect.Complex128:
		fillF64(p, seed, off)
		fillF64(unsafe.Add(p, 8), seed, off+8)
	case reflect.String:
		s := sub(seed, off)
		b := make([]byte, 1+mix(s, 1)%8)
		for k := range b {
			b[k] = hb(s, uintptr(k))
		}
		*(*string)(p) = string(b)
	case reflect.Pointer, reflect.UnsafePointer:
		et := tUp
		if t.Kind() == reflect.Pointer {
			et = t.Elem()
		}
		q := reflect.New(et).UnsafePointer()
		fill(et, q, sub(seed, off), 0)
		*(*unsafe.Pointer)(p) = q
	case reflect.Array:
		et, es := t.Elem(), t.Elem().Size()
		for i := 0; i < t.Len(); i++ {
			fill(et, unsafe.Add(p, uintptr(i)*es), seed, off+uintptr(i)*es)
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fill(f.Type, unsafe.Add(p, f.Offset), seed, off+f.Offset)
		}
	case reflect.Slice:
		s := sub(seed, off)
		n := int(1 + mix(s, 1)%3)
		sv := reflect.MakeSlice(t, n, n+int(mix(s, 2)%2))
		et, es := t.Elem(), t.Elem().Size()
		for i := 0; i < n; i++ {
			fill(et, unsafe.Add(sv.UnsafePointer(), uintptr(i)*es), s, uintptr(i)*es)
		}
		reflect.NewAt(t, p).Elem().Set(sv)
	case reflect.Map:
		s := sub(seed, off)
		m := reflect.MakeMap(t)
		for j := uint64(0); j < 1+mix(s, 1)%3; j++ {
			k, v := reflect.New(t.Key()), reflect.New(t.Elem())
			fill(t.Key(), k.UnsafePointer(), mix(s, 0x100+j), 0)
			fill(t.Elem(), v.UnsafePointer(), mix(s, 0x200+j), 0)
			m.SetMapIndex(k.Elem(), v.Elem())
		}
		reflect.NewAt(t, p).Elem().Set(m)
	case reflect.Chan:
		s := sub(seed, off)
		c := int(1 + mix(s, 1)%3)
		ch := reflect.MakeChan(t, c)
		for j := 0; j < int(mix(s, 2)%uint64(c+1)); j++ {
			e := reflect.New(t.Elem())
			fill(t.Elem(), e.UnsafePointer(), mix(s, 0x300+uint64(j)), 0)
			ch.Send(e.Elem())
		}
		reflect.NewAt(t, p).Elem().Set(ch)
	case reflect.Func:
		s := sub(seed, off)
		var f any
		switch {
		case t.ConvertibleTo(tFnU64):
			f = mkFnU64(s)
		case t.ConvertibleTo(tFnU64U64):
			f = mkFnU64U64(s)
		default:
			panic("realexec: unsupported func type " + t.String())
		}
		reflect.NewAt(t, p).Elem().Set(reflect.ValueOf(f).Convert(t)) // t may be named
	case reflect.Interface:
		s := sub(seed, off)
		impls := implsFor(t)
		d := impls[mix(s, 1)%uint64(len(impls))]
		q := reflect.New(d)
		fill(d, q.UnsafePointer(), s, 0)
		reflect.NewAt(t, p).Elem().Set(q.Elem())
	default:
		panic("realexec: unsupported kind " + t.Kind().String())
	}
}

func fillBytes(p unsafe.Pointer, n uintptr, seed uint64, off uintptr) {
	for k := uintptr(0); k < n; k++ {
		*(*uint8)(unsafe.Add(p, k)) = hb(seed, off+k)
	}
}

// Floats keep their self-describing bits unless those would be a NaN or an
// infinity (NaN payloads need not survive a trip through an FPU register, e.g.
// float32 held in double format on ppc64): then the top exponent bit is cleared.
func fillF32(p unsafe.Pointer, seed uint64, off uintptr) {
	fillBytes(p, 4, seed, off)
	u := (*uint32)(p)
	if *u>>23&0xff == 0xff {
		*u &^= 1 << 30
	}
}

func fillF64(p unsafe.Pointer, seed uint64, off uintptr) {
	fillBytes(p, 8, seed, off)
	u := (*uint64)(p)
	if *u>>52&0x7ff == 0x7ff {
		*u &^= 1 << 62
	}
}

func mkPtr(t reflect.Type, seed uint64) unsafe.Pointer {
	p := reflect.New(t).UnsafePointer()
	fill(t, p, seed, 0)
	return p
}

func mk[T any](c *callCtx, k int) T {
	return *(*T)(mkPtr(reflect.TypeFor[T](), seedOf(c.id, k)))
}

// ---------------------------------------------------------------------------
// Encoding: leaves as hex of their memory bytes; pointees, string and slice
// contents inline; pointer words separately (addrs) so identity can be checked
// while the hex stays comparable with a freshly built expected value.

type encoder struct {
	b     []byte
	addrs []uintptr
}

const hexdig = "0123456789abcdef"

func (e *encoder) hex(p unsafe.Pointer, n uintptr) {
	for k := uintptr(0); k < n; k++ {
		x := *(*uint8)(unsafe.Add(p, k))
		e.b = append(e.b, hexdig[x>>4], hexdig[x&15])
	}
}

func (e *encoder) str(s string) { e.b = append(e.b, s...) }

// copyOut returns a pointer to a fresh copy of v (reflect results and
// MakeFunc arguments are not addressable).
func copyOut(v reflect.Value) unsafe.Pointer {
	n := reflect.New(v.Type())
	n.Elem().Set(v)
	return n.UnsafePointer()
}

func (e *encoder) enc(t reflect.Type, p unsafe.Pointer) {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		e.hex(p, t.Size())
	case reflect.String:
		s := *(*string)(p)
		e.addrs = append(e.addrs, uintptr(unsafe.Pointer(unsafe.StringData(s))))
		e.str("s")
		e.hex(unsafe.Pointer(unsafe.StringData(s)), uintptr(len(s)))
	case reflect.Pointer, reflect.UnsafePointer:
		q := *(*unsafe.Pointer)(p)
		e.addrs = append(e.addrs, uintptr(q))
		if q == nil {
			e.str("nil")
			return
		}
		et := tUp
		if t.Kind() == reflect.Pointer {
			et = t.Elem()
		}
		e.str("p(")
		e.enc(et, q)
		e.str(")")
	case reflect.Array:
		et, es := t.Elem(), t.Elem().Size()
		e.str("[")
		for i := 0; i < t.Len(); i++ {
			if i > 0 {
				e.str(",")
			}
			e.enc(et, unsafe.Add(p, uintptr(i)*es))
		}
		e.str("]")
	case reflect.Struct:
		e.str("{")
		for i := 0; i < t.NumField(); i++ {
			if i > 0 {
				e.str(",")
			}
			f := t.Field(i)
			if f.Name == "_" {
				e.str("_:") // blank: the language never reads it
			}
			e.enc(f.Type, unsafe.Add(p, f.Offset))
		}
		e.str("}")
	case reflect.Slice:
		v := reflect.NewAt(t, p).Elem()
		data := v.UnsafePointer()
		e.addrs = append(e.addrs, uintptr(data))
		e.str("[" + strconv.Itoa(v.Len()) + "/" + strconv.Itoa(v.Cap()) + ":")
		et, es := t.Elem(), t.Elem().Size()
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				e.str(",")
			}
			e.enc(et, unsafe.Add(data, uintptr(i)*es))
		}
		e.str("]")
	case reflect.Map:
		v := reflect.NewAt(t, p).Elem()
		e.addrs = append(e.addrs, uintptr(v.UnsafePointer()))
		var ents []string
		it := v.MapRange()
		for it.Next() {
			var ke, ve encoder
			ke.enc(t.Key(), copyOut(it.Key()))
			ve.enc(t.Elem(), copyOut(it.Value()))
			ents = append(ents, string(ke.b)+"="+string(ve.b))
		}
		for i := 1; i < len(ents); i++ { // insertion sort: no "sort" import
			for j := i; j > 0 && ents[j] < ents[j-1]; j-- {
				ents[j], ents[j-1] = ents[j-1], ents[j]
			}
		}
		e.str("m{")
		for i, s := range ents {
			if i > 0 {
				e.str(";")
			}
			e.str(s)
		}
		e.str("}")
	case reflect.Chan:
		v := reflect.NewAt(t, p).Elem()
		e.addrs = append(e.addrs, uintptr(v.UnsafePointer()))
		e.str("c" + strconv.Itoa(v.Len()) + "/" + strconv.Itoa(v.Cap()))
	case reflect.Func:
		e.addrs = append(e.addrs, *(*uintptr)(p))
		v := reflect.NewAt(t, p).Elem()
		if v.IsNil() {
			e.str("nil")
			return
		}
		var r uint64
		if t.ConvertibleTo(tFnU64) {
			r = v.Convert(tFnU64).Interface().(func() uint64)()
		} else {
			r = v.Convert(tFnU64U64).Interface().(func(uint64) uint64)(0x0123456789abcdef)
		}
		e.str("f(")
		e.hex(unsafe.Pointer(&r), 8)
		e.str(")")
	case reflect.Interface:
		v := reflect.NewAt(t, p).Elem()
		if v.IsNil() {
			e.str("nil")
			return
		}
		d := v.Elem()
		e.str("i" + d.Type().String() + "(")
		e.enc(d.Type(), copyOut(d))
		e.str(")")
		switch x := v.Interface().(type) {
		case mIface:
			r := x.M()
			e.str("M=")
			e.hex(unsafe.Pointer(&r), 8)
		case error:
			m := x.Error()
			e.str("E=")
			e.hex(unsafe.Pointer(unsafe.StringData(m)), uintptr(len(m)))
		}
	default:
		panic("realexec: unsupported kind " + t.Kind().String())
	}
}

// ---------------------------------------------------------------------------
// Per-call context. One call at a time; the callee finds it in `cur`.

type valRec struct {
	set   bool
	hex   string
	addrs []uintptr
	ok    bool // callee side: equals the value rebuilt from (id, k)
	kind  string
	typ   string
}

func encRec(t reflect.Type, p unsafe.Pointer) valRec {
	var e encoder
	e.enc(t, p)
	return valRec{set: true, hex: string(e.b), addrs: e.addrs}
}

type callCtx struct {
	sig, path      int
	id             uint64
	gcAt, growAt   int
	corrupt        int // negative test: the callee flips a byte of this argument's copy
	reached        []string
	sentArgs       []valRec
	gotArgs        []valRec
	sentRecv       valRec
	gotRecv        valRec
	sentRes        []valRec
	gotRes         []valRec
	panicMsg       string
	hasPanic       bool
	calleeMismatch []int
}

var cur *callCtx

func enter(sig int, who string) *callCtx {
	c := cur
	if c == nil || c.sig != sig {
		panic("realexec: callee " + who + " of signature " + strconv.Itoa(sig) + " entered outside its call")
	}
	c.reached = append(c.reached, who)
	return c
}

//go:noinline
func grow(n int) uint64 {
	var buf [256]uint64
	buf[n%256] = uint64(n)
	if n == 0 {
		return buf[0]
	}
	return grow(n-1) + buf[(n*7)%256]
}

// stress runs after the callee read argument k (k = -1: at entry): a GC and
// a stack growth that moves the callee's frame and reflectcall's frame.
func (c *callCtx) stress(k int) {
	if k == c.gcAt {
		runtime.GC()
	}
	if k == c.growAt {
		grow(40)
	}
}

func (c *callCtx) check(k int, t reflect.Type, p unsafe.Pointer) {
	r := encRec(t, p)
	if k == c.corrupt {
		r.hex = corruptHex(t, p)
	}
	var e encoder
	e.enc(t, mkPtr(t, seedOf(c.id, k)))
	c.record(k, r, string(e.b) == r.hex)
}

// corruptHex (negative test) encodes a copy of *p whose first byte is
// flipped; only for pointer-free leaves, whose bytes may be anything.
func corruptHex(t reflect.Type, p unsafe.Pointer) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		panic("realexec: REALEXEC_CORRUPT_ARG must name an integer argument, not " + t.String())
	}
	q := reflect.New(t).UnsafePointer()
	reflect.NewAt(t, q).Elem().Set(reflect.NewAt(t, p).Elem())
	*(*uint8)(q) ^= 0x40
	return encRec(t, q).hex
}

func (c *callCtx) record(k int, r valRec, ok bool) {
	r.ok = ok
	if !r.ok {
		c.calleeMismatch = append(c.calleeMismatch, k)
	}
	if k == recvIdx {
		c.gotRecv = r
	} else {
		c.gotArgs[k] = r
	}
}

// chk and chkRecvPtr are called by the generated callees with their parameters.
func chk[T any](c *callCtx, k int, v T) {
	c.check(k, reflect.TypeFor[T](), unsafe.Pointer(&v))
}

// chkRecvPtr records the pointer receiver (with its address); what it points
// to must be the receiver value built from (id, recvIdx).
func chkRecvPtr[T any](c *callCtx, r *T) {
	t := reflect.TypeFor[T]()
	var got, want encoder
	got.enc(t, unsafe.Pointer(r))
	want.enc(t, mkPtr(t, seedOf(c.id, recvIdx)))
	c.record(recvIdx, encRec(reflect.PointerTo(t), unsafe.Pointer(&r)), string(got.b) == string(want.b))
}

func res[T any](c *callCtx, k int) T {
	t := reflect.TypeFor[T]()
	p := mkPtr(t, seedOf(c.id, resIdx+k))
	c.sentRes[k] = encRec(t, p)
	return *(*T)(p)
}

// arg and got are used by the direct-call adapters D<i>.
func arg[T any](c *callCtx, k int) T {
	t := reflect.TypeFor[T]()
	p := mkPtr(t, seedOf(c.id, k))
	c.sentArgs[k] = encRec(t, p)
	return *(*T)(p)
}

func got[T any](c *callCtx, k int, v T) {
	t := reflect.TypeFor[T]()
	r := encRec(t, unsafe.Pointer(&v))
	r.kind, r.typ = t.Kind().String(), t.String()
	c.gotRes[k] = r
}

// ---------------------------------------------------------------------------
// The call paths.

type sigEntry struct {
	fn     any
	recv   reflect.Type // R<i>
	direct func(c *callCtx, f any)
}

var pathNames = []string{
	"direct", "call", "makefunc", "makefunc-call", "method", "method-ptr",
	"method-byname", "method-func", "methodvalue", "methodvalue-ptr",
}

var paths = []func(c *callCtx, s *sigEntry){
	func(c *callCtx, s *sigEntry) { s.direct(c, s.fn) },
	func(c *callCtx, s *sigEntry) { callV(c, reflect.ValueOf(s.fn), nil) },
	func(c *callCtx, s *sigEntry) { s.direct(c, makeFn(c, s).Interface()) },
	func(c *callCtx, s *sigEntry) { callV(c, makeFn(c, s), nil) },
	func(c *callCtx, s *sigEntry) { callV(c, recvVal(c, s).Method(0), nil) },
	func(c *callCtx, s *sigEntry) { callV(c, recvPtr(c, s).Method(0), nil) },
	func(c *callCtx, s *sigEntry) { callV(c, recvPtrSentAsValue(c, s).MethodByName("MV"), nil) },
	func(c *callCtx, s *sigEntry) {
		r := recvVal(c, s)
		m, _ := s.recv.MethodByName("MV")
		callV(c, m.Func, []reflect.Value{r})
	},
	func(c *callCtx, s *sigEntry) { s.direct(c, recvVal(c, s).Method(0).Interface()) },
	func(c *callCtx, s *sigEntry) { s.direct(c, recvPtr(c, s).Method(0).Interface()) },
}

// recvVal is a non-addressable R<i>, as reflect.ValueOf(r) gives it.
func recvVal(c *callCtx, s *sigEntry) reflect.Value {
	p := mkPtr(s.recv, seedOf(c.id, recvIdx))
	c.sentRecv = encRec(s.recv, p)
	return reflect.ValueOf(reflect.NewAt(s.recv, p).Elem().Interface())
}

// recvPtr is a *R<i>; the callee MP receives the pointer itself.
func recvPtr(c *callCtx, s *sigEntry) reflect.Value {
	p := mkPtr(s.recv, seedOf(c.id, recvIdx))
	c.sentRecv = encRec(reflect.PointerTo(s.recv), unsafe.Pointer(&p))
	return reflect.NewAt(s.recv, p)
}

// recvPtrSentAsValue is a *R<i> whose value method MV receives *p.
func recvPtrSentAsValue(c *callCtx, s *sigEntry) reflect.Value {
	p := mkPtr(s.recv, seedOf(c.id, recvIdx))
	c.sentRecv = encRec(s.recv, p)
	return reflect.NewAt(s.recv, p)
}

func argV(c *callCtx, k int, t reflect.Type) reflect.Value {
	p := mkPtr(t, seedOf(c.id, k))
	c.sentArgs[k] = encRec(t, p)
	v := reflect.NewAt(t, p).Elem()
	if t.Kind() == reflect.Interface && (c.id+uint64(k))%2 == 1 {
		return v // a Value of Kind Interface (addressable)
	}
	return reflect.ValueOf(v.Interface()) // the dynamic value; Call converts it
}

func callV(c *callCtx, fn reflect.Value, pre []reflect.Value) {
	ft := fn.Type()
	in := append([]reflect.Value{}, pre...)
	for k := len(pre); k < ft.NumIn(); k++ {
		in = append(in, argV(c, k-len(pre), ft.In(k)))
	}
	out := fn.Call(in)
	in = nil
	runtime.GC()
	for k, v := range out {
		r := encRec(v.Type(), copyOut(v))
		r.kind, r.typ = v.Kind().String(), v.Type().String()
		c.gotRes[k] = r
	}
}

func makeFn(c *callCtx, s *sigEntry) reflect.Value {
	ft := reflect.TypeOf(s.fn)
	sig := c.sig
	return reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value {
		c := enter(sig, "impl")
		c.stress(-1)
		for k, v := range in {
			c.check(k, v.Type(), copyOut(v))
			c.stress(k)
		}
		out := make([]reflect.Value, ft.NumOut())
		for k := range out {
			t := ft.Out(k)
			p := mkPtr(t, seedOf(c.id, resIdx+k))
			c.sentRes[k] = encRec(t, p)
			out[k] = reflect.NewAt(t, p).Elem()
		}
		return out
	})
}

// ---------------------------------------------------------------------------
// Driver.

func run(seed uint64, si, pi int) *callCtx {
	s := &sigs[si]
	ft := reflect.TypeOf(s.fn)
	id := seed<<20 | uint64(si)<<6 | uint64(pi)
	h := mix(id, 0xC0FFEE)
	n := ft.NumIn()
	c := &callCtx{
		sig: si, path: pi, id: id, corrupt: -2,
		gcAt:     int(h%uint64(n+1)) - 1,
		growAt:   int((h>>16)%uint64(n+1)) - 1,
		sentArgs: make([]valRec, n), gotArgs: make([]valRec, n),
		sentRes: make([]valRec, ft.NumOut()), gotRes: make([]valRec, ft.NumOut()),
	}
	if corruptSig == si && corruptPath == pi {
		c.corrupt = corruptArg
	}
	cur = c
	select {
	case churnKick <- struct{}{}: // nil channel (no churn): never ready
	default:
	}
	done := make(chan struct{})
	go func() { // a fresh goroutine: a small stack, so grow() really moves it
		defer func() {
			if e := recover(); e != nil {
				c.hasPanic, c.panicMsg = true, panicText(e)
			}
			close(done)
		}()
		paths[pi](c, s)
	}()
	<-done
	cur = nil
	return c
}

func panicText(e any) string {
	switch v := e.(type) {
	case string:
		return v
	case error:
		return v.Error()
	}
	return "non-string panic value of type " + reflect.TypeOf(e).String()
}

var corruptSig, corruptPath, corruptArg = -1, -1, -1

func atoiEnv(name string, def int) int {
	if s, ok := syscall.Getenv(name); ok && s != "" {
		if v, err := strconv.Atoi(s); err == nil {
			return v
		}
	}
	return def
}

// churn allocates a burst of pointerful garbage each time a call starts, so that
// GC cycles (and, with async preemption, preemptions) overlap the reflect call
// without burning a CPU between calls.
var churnKick chan struct{}

func churn() {
	var keep [64]*[16]*int64
	i := 0
	for range churnKick {
		for end := i + 4096; i < end; i++ {
			x := new([16]*int64)
			for j := range x {
				v := int64(i + j)
				x[j] = &v
			}
			keep[i%64] = x
			if i%64 == 0 {
				runtime.Gosched()
			}
		}
	}
}

func main() {
	seed := uint64(atoiEnv("REALEXEC_SEED", int(genSeed)))
	corruptSig = atoiEnv("REALEXEC_CORRUPT_SIG", -1)
	corruptPath = atoiEnv("REALEXEC_CORRUPT_PATH", -1)
	corruptArg = atoiEnv("REALEXEC_CORRUPT_ARG", -1)
	if atoiEnv("REALEXEC_LAYOUT", 0) == 1 {
		printLayouts()
		return
	}
	if atoiEnv("REALEXEC_CALLGC", 0) == 1 {
		enableCallGC()
	}
	if atoiEnv("REALEXEC_CHURN", 0) == 1 {
		churnKick = make(chan struct{}, 1)
		go churn()
	}
	for si := range sigs {
		for pi := range paths {
			c := run(seed, si, pi)
			write(c.json())
		}
	}
}

func write(b []byte) {
	for len(b) > 0 {
		n, err := syscall.Write(1, b)
		if err != nil {
			if err == syscall.EINTR {
				continue
			}
			panic(err)
		}
		b = b[n:]
	}
}

// ---------------------------------------------------------------------------
// JSON by hand (no encoding/json: it would pull in far more to cross-compile).

func jstr(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' || ch == '\\':
			b = append(b, '\\', ch)
		case ch < 0x20 || ch >= 0x7f:
			b = append(b, '\\', 'u', '0', '0', hexdig[ch>>4], hexdig[ch&15])
		default:
			b = append(b, ch)
		}
	}
	return append(b, '"')
}

func (r *valRec) json(b []byte, withOK bool) []byte {
	if !r.set {
		return append(b, "null"...)
	}
	b = append(b, `{"hex":`...)
	b = jstr(b, r.hex)
	b = append(b, `,"addrs":[`...)
	for i, a := range r.addrs {
		if i > 0 {
			b = append(b, ',')
		}
		b = jstr(b, "0x"+strconv.FormatUint(uint64(a), 16))
	}
	b = append(b, ']')
	if withOK {
		b = append(b, `,"ok":`...)
		b = strconv.AppendBool(b, r.ok)
	}
	if r.kind != "" {
		b = append(b, `,"kind":`...)
		b = jstr(b, r.kind)
		b = append(b, `,"type":`...)
		b = jstr(b, r.typ)
	}
	return append(b, '}')
}

func pairs(b []byte, sent, gotv []valRec, calleeGot bool) []byte {
	b = append(b, '[')
	for k := range sent {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"sent":`...)
		b = sent[k].json(b, false)
		b = append(b, `,"got":`...)
		b = gotv[k].json(b, calleeGot)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (c *callCtx) json() []byte {
	b := []byte(`{"sig":`)
	b = strconv.AppendInt(b, int64(c.sig), 10)
	b = append(b, `,"path":`...)
	b = jstr(b, pathNames[c.path])
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, c.id, 10)
	b = append(b, `,"gc_at":`...)
	b = strconv.AppendInt(b, int64(c.gcAt), 10)
	b = append(b, `,"grow_at":`...)
	b = strconv.AppendInt(b, int64(c.growAt), 10)
	b = append(b, `,"reached":[`...)
	for i, w := range c.reached {
		if i > 0 {
			b = append(b, ',')
		}
		b = jstr(b, w)
	}
	b = append(b, `],"args":`...)
	b = pairs(b, c.sentArgs, c.gotArgs, true)
	b = append(b, `,"recv":`...)
	if c.sentRecv.set || c.gotRecv.set {
		b = pairs(b, []valRec{c.sentRecv}, []valRec{c.gotRecv}, true)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"results":`...)
	b = pairs(b, c.sentRes, c.gotRes, false)
	b = append(b, `,"callee_mismatch":[`...)
	for i, k := range c.calleeMismatch {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(k), 10)
	}
	b = append(b, `],"panic":`...)
	if c.hasPanic {
		b = jstr(b, c.panicMsg)
	} else {
		b = append(b, "null"...)
	}
	return append(b, "}\n"...)
}
