// Finalizers through runFinalizers' RegArgs (spec/paths.md FIN-*): each finalizer checks
// that its one argument is the object it was set on, then returns results of several
// sizes (written into the callNN frame reflectcall picks from framesz). Prints "fin NAME ok"
// per finalizer that ran with the right argument, "fin NAME BAD ..." otherwise.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

type obj struct {
	id  int
	pad [3]*int
}

func (o *obj) M() {}

type mer interface{ M() }

var (
	mu   sync.Mutex
	seen = map[string]string{}
	want = map[string]uintptr{}
)

func record(name string, p unsafe.Pointer, id int) {
	mu.Lock()
	defer mu.Unlock()
	if uintptr(p) == want[name] && id == len(name) {
		seen[name] = "ok"
	} else {
		seen[name] = fmt.Sprintf("BAD %#x want %#x id %d", uintptr(p), want[name], id)
	}
}

//go:noinline
func setAll() {
	mk := func(name string) *obj {
		o := &obj{id: len(name)}
		want[name] = uintptr(unsafe.Pointer(o))
		return o
	}
	runtime.SetFinalizer(mk("ptr"), func(o *obj) { record("ptr", unsafe.Pointer(o), o.id) })
	runtime.SetFinalizer(mk("ptr_results"), func(o *obj) (int8, [3]byte, string, [2]*int) {
		record("ptr_results", unsafe.Pointer(o), o.id)
		return 1, [3]byte{2, 3, 4}, "five", [2]*int{new(int), new(int)}
	})
	runtime.SetFinalizer(mk("eface"), func(x any) {
		o := x.(*obj)
		record("eface", unsafe.Pointer(o), o.id)
	})
	runtime.SetFinalizer(mk("iface_results"), func(x mer) (struct {
		a int8
		b float64
	}, complex128) {
		o := x.(*obj)
		record("iface_results", unsafe.Pointer(o), o.id)
		return struct {
			a int8
			b float64
		}{1, 2}, 3
	})
}

func main() {
	setAll()
	for i := 0; i < 200; i++ {
		runtime.GC()
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == 4 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range []string{"ptr", "ptr_results", "eface", "iface_results"} {
		v, ok := seen[k]
		if !ok {
			v = "did not run"
		}
		fmt.Printf("fin %s %s\n", k, v)
	}
	if len(seen) != 4 {
		os.Exit(1)
	}
}
