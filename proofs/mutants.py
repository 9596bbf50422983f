"""Mutant catalogue (regabi.proofs.mutants): deliberate bugs in the reflect model, each of which
the invariant catalogue must kill with a concrete counterexample.

A mutant is a context manager that patches ``regabi.model.assign`` (methods of ``_Seq``, the
``layout`` it reads) or post-processes the ``AbiDesc`` that ``regabi.model.invariants`` sees,
and restores everything on exit: model/assign.py itself is never edited. Mutants apply to the
``current`` variant. The search is exhaustive over a small signature pool ordered by size, so
the reported counterexample is small.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import regabi.model.assign as A
import regabi.model.invariants as INV
from regabi.model.arch import load_arch
from regabi.model.invariants import CATALOGUE, Violation
from regabi.model.sig import Signature
from regabi.model.syntax import parse_type
from regabi.model.types import Kind, Layout
from regabi.model.variants import CURRENT

__all__ = ["MUTANTS", "Mutant", "MutantResult", "add_mutants_arguments", "cli_mutants",
           "run_mutants"]


@dataclass(frozen=True)
class Mutant:
    name: str
    rule: str  # the spec rule the mutant breaks
    description: str
    patch: Callable[[], contextlib.AbstractContextManager[None]]


@dataclass
class MutantResult:
    mutant: str
    rule: str
    killed_by: list[str]
    counterexample: Violation | None
    seconds: float

    @property
    def killed(self) -> bool:
        return self.counterexample is not None

    def to_json(self) -> dict:
        return {"mutant": self.mutant, "rule": self.rule, "killed": self.killed,
                "killed_by": self.killed_by, "seconds": round(self.seconds, 3),
                "counterexample": None if self.counterexample is None
                else self.counterexample.to_json()}


@contextlib.contextmanager
def _patched(obj: object, name: str, new: object) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, new)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _method(name: str, wrap: Callable[[Callable], Callable]) -> Callable:
    return lambda: _patched(A._Seq, name, wrap(getattr(A._Seq, name)))


def _desc(fn: Callable[[A.AbiDesc, Signature], A.AbiDesc]) -> Callable:
    """Post-process the AbiDesc the invariants see (they import reflect_assign by name)."""
    orig = A.reflect_assign

    def ra(sig: Signature, arch: object, v: object) -> A.AbiDesc:
        return fn(orig(sig, arch, v), sig)  # type: ignore[arg-type]

    return lambda: _patched(INV, "reflect_assign", ra)


def _mask(kind: Kind, mask: int) -> Callable:
    """reflect reads a wrong GC mask for one kind (addTypeBits over a broken ptrdata)."""
    orig = A.layout

    def lay(t: object, ps: int, mw: int | None = None) -> Layout:
        lo = orig(t, ps, mw)  # type: ignore[arg-type]
        if t.underlying.kind == kind:  # type: ignore[attr-defined]
            return lo._replace(gcmask=mask)
        return lo

    return lambda: _patched(A, "layout", lay)


def _reg_assign(int_slack: int = 0, float_slack: int = 0, group_one: bool = False,
                float_as_int: bool = False, all_ptr: bool = False) -> Callable:
    def reg_assign(self: A._Seq, parts: tuple, arch: object) -> bool:
        i, n = 0, len(parts)
        while i < n:
            p = parts[i]
            g = p.group
            need = 1 if group_one else g
            if p.cls == "int" or float_as_int:
                if self.iregs + need > arch.n_int + int_slack:  # type: ignore[attr-defined]
                    return False
                for q in parts[i:i + g]:
                    k = "ptr" if (q.ptr or all_ptr) else "int"
                    self.steps.append(A.Step(k, q.offset, q.size, ireg=self.iregs))
                    self.iregs += 1
            else:
                if self.fregs + need > arch.n_float + float_slack:  # type: ignore[attr-defined]
                    return False
                for q in parts[i:i + g]:
                    self.steps.append(A.Step("float", q.offset, q.size, freg=self.fregs))
                    self.fregs += 1
            i += g
        return True

    return lambda: _patched(A._Seq, "reg_assign", reg_assign)


def _variant(**kw: object) -> Callable:
    """Revert one VAR-* delta of the current variant."""
    orig = A.reflect_assign
    from dataclasses import replace

    def ra(sig: Signature, arch: object, v: object) -> A.AbiDesc:
        return orig(sig, arch, replace(v, **kw))  # type: ignore[arg-type]

    return lambda: _patched(INV, "reflect_assign", ra)


def _no_align(f: Callable) -> Callable:
    def stack_assign(self: A._Seq, size: int, align: int) -> A.Step:
        return f(self, size, 1)

    return stack_assign


def _rcvr_uncounted(f: Callable) -> Callable:
    def add_rcvr(self: A._Seq, rcvr: object, arch: object, v: object) -> tuple:
        r = f(self, rcvr, arch, v)
        if r[0] is None:
            self.iregs -= 1
        return r

    return add_rcvr


def _ret_offset_zero(d: A.AbiDesc, sig: Signature) -> A.AbiDesc:
    off = d.ret_offset
    steps = tuple(s._replace(stkoff=s.stkoff - off) if s.kind == "stack" else s
                  for s in d.ret.steps)
    return d._replace(ret_offset=0, ret=d.ret._replace(steps=steps))


def _ret_unaligned(d: A.AbiDesc, sig: Signature) -> A.AbiDesc:
    delta = d.ret_offset - d.stack_call_args_size
    steps = tuple(s._replace(stkoff=s.stkoff - delta) if s.kind == "stack" else s
                  for s in d.ret.steps)
    return d._replace(ret_offset=d.stack_call_args_size, ret=d.ret._replace(steps=steps),
                      frame_type_size=d.frame_type_size - delta,
                      frame_size=d.frame_size - delta)


MUTANTS: tuple[Mutant, ...] = (
    Mutant("int-reg-bound+1", "RFL-3", "assignIntN allows IntArgRegs+1 registers",
           _reg_assign(int_slack=1)),
    Mutant("float-reg-bound+1", "RFL-3", "assignFloatN allows FloatArgRegs+1 registers",
           _reg_assign(float_slack=1)),
    Mutant("group-checks-first-part", "RFL-3", "a group checks room for one part, not all",
           _reg_assign(group_one=True)),
    Mutant("float-into-int-regs", "ASG-3", "float parts go to integer registers",
           _reg_assign(float_as_int=True)),
    Mutant("all-int-parts-ptr", "BMP-2", "every integer part marked as a pointer",
           _reg_assign(all_ptr=True)),
    Mutant("stack-no-align", "RFL-4", "stackAssign does not align the offset",
           _method("stack_assign", _no_align)),
    Mutant("string-mask-shifted", "BMP-1", "a string's pointer word is its length word",
           _mask(Kind.STRING, 0b10)),
    Mutant("slice-mask-wrong", "BMP-1", "a slice's pointer word is its length word",
           _mask(Kind.SLICE, 0b010)),
    Mutant("iface-mask-type-only", "BMP-1", "an interface's data word is not a pointer",
           _mask(Kind.INTERFACE, 0b01)),
    Mutant("spill-short-8", "FRM-3", "spill area 8 bytes short",
           _desc(lambda d, s: d._replace(spill=max(d.spill - 8, 0),
                                         frame_size=d.frame_size - min(d.spill, 8)))),
    Mutant("stackptrs-shift-1", "BMP-1", "stackPtrs bit shifted by one word",
           _desc(lambda d, s: d._replace(stack_ptrs=d.stack_ptrs << 1,
                                         stack_ptrs_n=d.stack_ptrs_n + 1))),
    Mutant("retoffset-zero", "RFL-6", "results share the stack with the arguments",
           _desc(_ret_offset_zero)),
    Mutant("retoffset-unaligned", "RFL-6", "retOffset not rounded up to PtrSize",
           _desc(_ret_unaligned)),
    Mutant("outregptrs-from-args", "BMP-3", "outRegPtrs taken from the argument registers",
           _desc(lambda d, s: d._replace(out_reg_ptrs=d.in_reg_ptrs or 0))),
    Mutant("frame-missing-spill", "FRM-4", "frameSize omits the spill area",
           _desc(lambda d, s: d._replace(frame_size=d.frame_type_size))),
    Mutant("receiver-not-counted", "RFL-5", "the receiver's register is not consumed",
           _method("add_rcvr", _rcvr_uncounted)),
    Mutant("no-rollback", "VAR-1", "failed register assignment keeps registers (seed)",
           _variant(rollback_regs=False)),
    Mutant("zero-size-no-align", "VAR-2", "zero-size values do not align the stack (seed)",
           _variant(zero_size_aligns_stack=False)),
    Mutant("skip-zero-fields", "VAR-3", "regAssign skips zero-size fields (seed)",
           _variant(visit_zero_fields=False)),
    Mutant("spill-per-register", "VAR-4", "spill 8 bytes per register (seed)",
           _variant(spill_by_type=False)),
)


_POOL_SRC = [
    *("int8 int64 float32 float64 complex128 string []int interface{} *int [2]int8 "
      "[0]int64 struct{}").split(),
    "struct{a int8; b int64}", "struct{a int64; _ struct{}}", "struct{a int8; _ [2]struct{}}",
    "[2]string", "struct{a string; b []int; c []int}", "struct{a float64; b string}",
]


def _pool() -> list:
    return [parse_type(s) for s in _POOL_SRC]


def _signatures() -> Iterator[Signature]:
    """Small first: up to 2 params and 1 result over the pool, with and without receiver;
    then n copies of one type (register exhaustion) with a trailing value of every type."""
    pool = _pool()
    recv = pool[1]
    for n in range(0, 3):
        for m in range(0, 2):
            for ps in itertools.product(pool, repeat=n):
                for rs in itertools.product(pool, repeat=m):
                    yield Signature(ps, rs)
                    yield Signature(ps, rs, recv)
    zeros = [t for t in pool if str(t) in ("[0]int64", "struct{}")]
    for t in pool:
        for z in zeros:  # a zero-size value between two stack-assigned ones (VAR-2)
            yield Signature((t, z, t), (t,))
    for t in pool:
        for k in range(2, 17):
            for last in pool:
                yield Signature((t,) * k + (last,), (t,) * min(k, 3))
                yield Signature((t,) * k + (last,), (), recv)


def _find(arch_name: str) -> Violation | None:
    arch = load_arch(arch_name)
    a0 = arch.with_regs(0, 0)
    errs = [i for i in CATALOGUE if i.severity == "error"]
    for sig in _signatures():
        for a in (arch, a0):
            for inv in errs:
                try:
                    v = inv.check(sig, a, CURRENT)
                except Exception:  # a mutant may crash the model: not a verdict
                    continue
                if v is not None:
                    return v
    return None


def run_mutants(arch: str = "amd64") -> list[MutantResult]:
    """Apply every mutant to the current variant and search for a killing counterexample."""
    out = []
    for m in MUTANTS:
        t0 = time.perf_counter()
        with m.patch():
            v = _find(arch)
        if v is not None:  # the unmutated model must hold on it, or it is no kill
            a = load_arch(arch) if "/" not in v.arch else load_arch(arch).with_regs(0, 0)
            if INV.get_invariant(v.invariant).check(v.sig, a, CURRENT) is not None:
                v = None
        out.append(MutantResult(m.name, m.rule, [v.invariant] if v else [], v,
                                time.perf_counter() - t0))
    return out


def add_mutants_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--arch", default="amd64")
    parser.add_argument("--json", action="store_true")


def cli_mutants(args: argparse.Namespace) -> int:
    """Print the mutant table and the score; exit 1 if a mutant survives."""
    res = run_mutants(args.arch)
    k = sum(r.killed for r in res)
    if args.json:
        print(json.dumps({"killed": k, "total": len(res),
                          "mutants": [r.to_json() for r in res]}, indent=2))
    else:
        w = max(len(r.mutant) for r in res)
        print(f"{'mutant'.ljust(w)}  {'killed by'.ljust(20)}  counterexample")
        for r in res:
            by = ",".join(r.killed_by) or "SURVIVED"
            line = r.counterexample.line() if r.counterexample else ""
            print(f"{r.mutant.ljust(w)}  {by.ljust(20)}  {line}")
        print(f"killed {k}/{len(res)}")
    return 0 if k == len(res) else 1
