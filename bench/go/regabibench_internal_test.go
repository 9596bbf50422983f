// Layout benchmark, internal half (package reflect): added to GOROOT/src/reflect by
// bench/bench_layout.py with `go test -overlay` (GOROOT itself stays untouched), like the
// probes in tests/gotool. It times the unexported funcLayout — what reflect.Value.Call runs
// to lay out a call — over the batch of func types, with funcLayout's cache cleared before
// each pass so every layout is computed. No imports of packages that import reflect.

package reflect

import (
	"syscall"
	"time"
	"unsafe"
)

func regabiBenchCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// RegabiBenchLayouts returns, per pass, the wall-clock nanoseconds funcLayout took for all of
// fns, and the process CPU nanoseconds of all passes (GC threads included).
func RegabiBenchLayouts(fns []Type, passes int) ([]int64, int64) {
	out := make([]int64, passes)
	var sink uintptr
	c0 := regabiBenchCPU()
	for p := range passes {
		layoutCache.Clear() // type.go:2840: a sync.Map keyed by (func type, receiver)
		t0 := time.Now()
		for _, fn := range fns {
			ft, _, abid := funcLayout((*funcType)(unsafe.Pointer(fn.common())), nil)
			sink += ft.Size() + abid.spill
		}
		out[p] = time.Since(t0).Nanoseconds()
	}
	cpu := regabiBenchCPU() - c0
	if sink == 1 {
		println(sink) // keep the results live
	}
	return out, cpu
}
