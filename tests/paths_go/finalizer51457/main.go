// The shape of golang/go#51457 (spec/paths.md P-7), and the model's smallest counterexample.
// With go1.27.3 it prints "ok"; rebuilt with runtime/mfinal.go from proofs/paths.py
// mfinal_go117 (go1.17's framesz) the interface shape crashes: its second spill word lands on
// call32's return address. The pointer shape (argument "ptr") overruns call16 by one word,
// onto its saved frame pointer, which nothing unwinds in that window: it prints "ok".
package main

import (
	"os"
	"runtime"
)

var done = make(chan struct{}, 2)

type block [4]int64

func main() {
	objs := []*block{new(block), new(block)} // 32 bytes each: not tiny-allocated
	for _, o := range objs {
		if len(os.Args) > 1 && os.Args[1] == "ptr" {
			runtime.SetFinalizer(o, viaPointer)
		} else {
			runtime.SetFinalizer(o, viaInterface)
		}
	}
	objs = nil
	runtime.GC()
	runtime.GC()
	// waiting for both means the first finalizer's reflectcall has returned
	<-done
	<-done
	println("ok")
}

// viaInterface: the argument is two words (two spill slots), the result 32 stacked bytes.
// go1.17: framesz = nret = 32 selects call32; the callee's area is 32 + 16.
func viaInterface(v any) block {
	spill()
	done <- struct{}{}
	return *v.(*block)
}

// viaPointer: one spill slot, 16 stacked bytes: framesz 16 selects call16, the area is 24.
func viaPointer(b *block) struct{ lo [2]int64 } {
	spill()
	done <- struct{}{}
	return struct{ lo [2]int64 }{[2]int64{b[0], b[1]}}
}

// spill is a call the argument is live across, so the callee spills its register argument.
//
//go:noinline
func spill() {}
