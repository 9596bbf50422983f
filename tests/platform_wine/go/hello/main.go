// Command hello is the smallest windows/amd64 program: it proves that the Wine
// runner (tests/platform_wine) can start a Go binary at all.
package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	fmt.Printf("hello from %s/%s %s args=%q\n", runtime.GOOS, runtime.GOARCH, runtime.Version(), os.Args[1:])
	os.Exit(len(os.Args) - 1)
}
