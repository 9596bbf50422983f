// golang/go#51457's program (spec/paths.md P-7), and the model's smallest counterexample.
// With go1.27.3 it prints "ok"; rebuilt with runtime/mfinal.go from proofs/paths.py
// mfinal_go117 (go1.17's framesz) the interface case crashes: its second spill word lands on
// call32's return address. The pointer case ("ptr" argument) overruns call16 by one word,
// onto its saved frame pointer, which nothing unwinds in that window: it prints "ok".
package main

import (
	"os"
	"runtime"
)

var ch = make(chan int, 2)

func main() {
	x, y := new([4]int64), new([4]int64) // not tinyalloc'd
	if len(os.Args) > 1 && os.Args[1] == "ptr" {
		runtime.SetFinalizer(x, G)
		runtime.SetFinalizer(y, G)
	} else {
		runtime.SetFinalizer(x, F)
		runtime.SetFinalizer(y, F)
	}
	runtime.GC()
	runtime.GC()
	<-ch
	<-ch // the second finalizer runs only after the first reflectcall returned
	println("ok")
}

// F is the finalizer: a 32-byte stacked result; go1.17's framesz 32 selects call32,
// the callee's area is 32 + 16 (the interface's spill slots).
func F(p interface{}) [4]int64 {
	forceSpill()
	ch <- 1
	x := p.(*[4]int64)
	return *x
}

// G is the search's minimal shape: framesz 16 selects call16, the area is 16 + 8.
func G(p *[4]int64) struct{ a [2]int64 } {
	forceSpill()
	ch <- 1
	return struct{ a [2]int64 }{[2]int64{p[0], p[1]}}
}

//go:noinline
func forceSpill() {}
