// Layout benchmark, external half (package reflect_test). regabiBenchTypes comes from the
// generated regabibench_gen_test.go: reflect.TypeOf((SIG)(nil)) for every signature, so the
// types are built by the real compiler. Writes the per-pass wall times and the mean CPU time per pass as JSON to
// $REGABI_BENCH_OUT.

package reflect_test

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

func TestRegabiBench(t *testing.T) {
	out := os.Getenv("REGABI_BENCH_OUT")
	if out == "" {
		t.Skip("REGABI_BENCH_OUT not set")
	}
	const passes = 50
	ns, cpu := reflect.RegabiBenchLayouts(regabiBenchTypes, passes)
	enc, err := json.Marshal(map[string]any{"n": len(regabiBenchTypes), "ns": ns,
		"cpu_ns_per_pass": cpu / passes})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, enc, 0o644); err != nil {
		t.Fatal(err)
	}
}
