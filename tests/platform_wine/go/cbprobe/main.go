// Command cbprobe drives syscall.NewCallback from C: for each case named on the
// command line it makes a callback from a Go function, passes it to
// call_<cfunc> in cbcaller.dll (tests/platform_wine/cbcaller.c), and the C
// code calls it with fixed arguments.  The callback prints what it received
// ("go <case>: ..."), the C side what came back ("c <case>: ...").  Cases
// without a C function only show whether NewCallback accepts the type
// ("go <case>: refused: <panic>").  Expected lines: tests/test_wine.py.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"unsafe"
)

type sII struct{ a, b int32 }
type sBHI struct {
	a int8
	b int16
	c int32
}
type sPtr struct{ p *int32 }
type sPair struct{ a, b uint8 }
type s3 struct{ a, b, c uint8 }
type sUU struct{ a, b uint32 }

type probe struct {
	name  string
	cfunc string // "" for refusal cases: NewCallback only, no call
	fn    any
}

var target unsafe.Pointer // address of ptr_target in cbcaller.dll

var probes = []probe{
	{"small", "small", func(b bool, i8 int8, u8 uint8, i16 int16, u16 uint16) uintptr {
		fmt.Println("go small:", b, i8, u8, i16, u16)
		return 0x1122334455667788
	}},
	{"wide", "wide", func(i32 int32, u32 uint32, i int, u uint, up uintptr, i64 int64, u64 uint64) uintptr {
		fmt.Println("go wide:", i32, u32, i, u, up, i64, u64)
		return ^uintptr(0)
	}},
	{"dirty", "dirty", func(i8 int8, u16 uint16, i32 int32, b bool, u8 uint8, u32 uint32) uintptr {
		fmt.Println("go dirty:", i8, u16, i32, b, u8, u32)
		return 7
	}},
	{"ptrs", "ptrs", func(p *int32, up unsafe.Pointer, s *byte) uintptr {
		fmt.Println("go ptrs:", *p, string((*[5]byte)(up)[:]), s == nil)
		*p = 43
		return uintptr(unsafe.Pointer(p))
	}},
	{"many", "many", func(a1 int8, a2 uint16, a3 int32, a4 uint64, a5 int8, a6 int16, a7 uint32,
		a8 int64, a9 uintptr, a10 uint8, a11 int32, a12 *int64) uintptr {
		fmt.Println("go many:", a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, *a12)
		return 0x600dcafe
	}},
	{"float_slots", "float_slots", func(a, _, c, _, e, f uintptr, g uint32) uintptr {
		fmt.Printf("go float_slots: %d %d %d %#x %#x\n", a, c, e, f, g)
		return f
	}},
	{"max64", "max64", func(
		a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15,
		a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31,
		a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47,
		a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63 uintptr) uintptr {
		fmt.Println("go max64:",
			a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15,
			a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31,
			a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47,
			a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63)
		return a63
	}},
	{"structs", "structs", func(s1 sII, s2 sBHI, s3 [1]uint32, s4 sPtr, s5 sPair) uintptr {
		fmt.Println("go structs:", s1.a, s1.b, s2.a, s2.b, s2.c, s3[0], *s4.p, s5.a, s5.b)
		return uintptr(s5.b)
	}},
	{"struct3", "struct3", func(s s3, x uintptr) uintptr {
		fmt.Println("go struct3:", s.a, s.b, s.c, x)
		return x
	}},
	{"struct3_ptr", "struct3", func(p *[3]uint8, x uintptr) uintptr {
		fmt.Println("go struct3_ptr:", p[0], p[1], p[2], x)
		return x
	}},
	{"partial", "partial", func(a1, a2, a3, a4, a5, a6, a7, a8 uintptr, s sUU, a10 uintptr) uintptr {
		fmt.Println("go partial:", a1, a2, a3, a4, a5, a6, a7, a8, s.a, s.b, a10)
		return a10
	}},
	{"ret_struct2", "ret_struct2", func() sUU {
		fmt.Println("go ret_struct2: returning 1 2")
		return sUU{1, 2}
	}},
	// The two cases below print before returning, so RAX holds fmt.Println's byte
	// count when the Go function returns: that is what callbackWrap hands to C.
	{"ret_fstruct", "ret_fstruct", func() struct{ f float64 } {
		fmt.Println("go ret_fstruct: returning 1.5")
		return struct{ f float64 }{1.5}
	}},
	{"ret_bytes8", "ret_bytes8", func() struct {
		a uint8
		b [7]uint8
	} {
		fmt.Println("go ret_bytes8: returning 1 2 3 4 5 6 7 8")
		return struct {
			a uint8
			b [7]uint8
		}{1, [7]uint8{2, 3, 4, 5, 6, 7, 8}}
	}},
	{"ret_ptr", "ret_ptr", func() unsafe.Pointer {
		fmt.Println("go ret_ptr: returning", *(*int32)(target))
		return target
	}},

	// Accepted although Go's ABI returns it in X0/X1 and callbackWrap returns RAX.
	{"complex64_result", "", func() complex64 { return 1 }},

	// Refusals: each panics inside NewCallback.
	{"float32_arg", "", func(f float32) uintptr { return 0 }},
	{"float64_arg", "", func(f float64) uintptr { return 0 }},
	{"string_arg", "", func(s string) uintptr { return 0 }},
	{"struct16_arg", "", func(s struct{ a, b int64 }) uintptr { return 0 }},
	{"complex64_arg", "", func(c complex64) uintptr { return 0 }},
	{"map_arg", "", func(m map[int]int) uintptr { return 0 }},
	{"chan_arg", "", func(c chan int) uintptr { return 0 }},
	{"func_arg", "", func(f func()) uintptr { return 0 }},
	{"array2_arg", "", func(a [2]uint8) uintptr { return 0 }},
	{"floatfield_arg", "", func(s struct{ f, g float32 }) uintptr { return 0 }},
	{"zeroarray_field_arg", "", func(s struct {
		z [0]int64
		x int32
	}) uintptr {
		return 0
	}},
	{"float64_result", "", func() float64 { return 0 }},
	{"int32_result", "", func() int32 { return 0 }},
	{"no_result", "", func() {}},
	{"two_results", "", func() (uintptr, uintptr) { return 0, 0 }},
	{"not_func", "", 42},
	{"args65", "", func(
		a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15,
		a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31,
		a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47,
		a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63,
		a64 uintptr) uintptr {
		return 0
	}},
}

func run(dll *syscall.DLL, p probe) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Printf("go %s: refused: %v\n", p.name, r)
		}
	}()
	cb := syscall.NewCallback(p.fn)
	if p.cfunc == "" {
		fmt.Printf("go %s: accepted\n", p.name)
		return
	}
	r, _, _ := dll.MustFindProc("call_" + p.cfunc).Call(cb)
	fmt.Printf("go %s: C got 0x%016x\n", p.name, r)
}

func main() {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	dll := syscall.MustLoadDLL(filepath.Join(filepath.Dir(exe), "cbcaller.dll"))
	addr, _, _ := dll.MustFindProc("target_address").Call()
	target = *(*unsafe.Pointer)(unsafe.Pointer(&addr)) // a C static: never moves, never freed
	byName := map[string]probe{}
	for _, p := range probes {
		byName[p.name] = p
	}
	names := os.Args[1:]
	if len(names) == 1 && names[0] == "all" {
		names = names[:0]
		for _, p := range probes {
			names = append(names, p.name)
		}
	}
	for _, n := range names {
		p, ok := byName[n]
		if !ok {
			fmt.Fprintf(os.Stderr, "cbprobe: unknown case %q\n", n)
			os.Exit(2)
		}
		run(dll, p)
	}
}
