"""The invariant registry (spec/invariants.md): each invariant is one object, written once over
the domain, observing the joint fold of model/joint.py. The concrete check
(:func:`check_all`, ``regabi check``, the tests), the Z3 proofs (``regabi prove``: bounded search
and induction) and the explorer all use these objects; adding an invariant is adding one class.

An invariant has

* a *ghost* state folded along the events (what it remembers: the registers taken, the end of
  the last stack value, the pointer words the spec says exist, …),
* *obligations* at value begin, per register group, at value end, when the arguments end, and
  at the end (:class:`~.joint.Ob`: a condition, and a message for a concrete failure),
* *candidates*: facts about the fold state that the induction proof may use as lemmas if it can
  prove them inductive (Houdini, proofs/induction.py). A wrong candidate is dropped by the proof,
  never assumed: candidates only help a proof succeed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from regabi.model.arch import Arch, regargs_layout
from regabi.model.assign import reflect_assign, shl, spec_assign
from regabi.model.joint import Ctx, Finals, GroupRec, Joint, Ob, ValueRec, run, when
from regabi.model.sig import Signature
from regabi.model.summary import direct, summarize
from regabi.model.valuecall import arg_to_ptrs, rcvr_to_ptrs
from regabi.model.variants import Variant

__all__ = ["CATALOGUE", "Invariant", "TraceInvariant", "Violation", "check_all",
           "get_invariant"]

#: A compiled Go function's argument frame is below 1 GiB ("stack frame too large (>1GB)",
#: cmd/compile/internal/ssagen/pgen.go); the universe of signatures is bounded by it (SIG-3).
MAX_ARGS_FRAME = 1 << 30


@dataclass(frozen=True)
class Violation:
    """A concrete counterexample: which invariant, for what, and what each side said."""

    invariant: str
    sig: Signature
    arch: str
    variant: str
    message: str  # "reflect puts arg 3 on the stack at 8, spec puts it in CX"
    detail: dict = field(default_factory=dict, compare=False)

    def line(self) -> str:
        """The one-line verdict: ``INV-… false for func(…): <message>``."""
        recv = f" [recv {self.sig.recv}]" if self.sig.recv is not None else ""
        return (f"{self.invariant} false for {self.sig.go()}{recv} "
                f"({self.variant}, {self.arch}): {self.message}")

    def to_json(self) -> dict:
        return {"invariant": self.invariant, "signature": self.sig.go(),
                "recv": None if self.sig.recv is None else str(self.sig.recv),
                "arch": self.arch, "variant": self.variant, "message": self.message,
                "detail": self.detail}


class Invariant:
    """One invariant. Subclasses override the hooks they need; every hook returns the new
    ghost and its obligations."""

    id: ClassVar[str]
    title: ClassVar[str]
    statement: ClassVar[str]
    source: ClassVar[str]
    rules: ClassVar[tuple[str, ...]] = ()
    #: "error": a violation is a flaw; "latent": a discrepancy in state nothing consumes
    severity: ClassVar[str] = "error"

    def init(self, c: Ctx) -> Any:
        return ()

    def begin(self, c: Ctx, g: Any, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        return g, []

    def group(self, c: Ctx, g: Any, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        return g, []

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        return g, []

    def between(self, c: Ctx, g: Any, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        return g, []

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        return []

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        """Lemma candidates about the fold state in ``phase`` ("args" or "results"); inside a
        value when ``J.cur`` is set."""
        return []

    def ob(self, cond: Any, msg: Any) -> Ob:
        return Ob(self.id, cond, msg)

    @staticmethod
    def stack_map_candidates(D: Any, lo: Any, hi: Any, got: Any, n: Any
                             ) -> list[tuple[str, Any]]:
        """Induction candidates of a stack-map check (``lo`` ⊆ ``got`` ⊆ ``hi``, ``lo`` below
        ``n``): shared by INV-BITMAP-STACK and the MakeFunc/method-value ``ctxt.stack``."""
        return [("lo<=got", D.set_subset(lo, got)), ("got<=hi", D.set_subset(got, hi)),
                ("lo<n", D.set_below(lo, n))]

    @staticmethod
    def spec_stacked_words(D: Any, g: Any, s: Any, fits: Any, off: Any, ps: int) -> Any:
        """``g`` (lo: heap-pointer words, hi: pointer words) with a value the spec stacks at
        ``off`` added: a value that does not fit in registers and is not of size zero."""
        on = D.and_(D.not_(fits), D.not_(D.eq(s.size, 0)))
        word = D.shr(off, ps.bit_length() - 1)
        return g._replace(lo=D.set_union_shifted(g.lo, s.heap, word, on),
                          hi=D.set_union_shifted(g.hi, s.gc, word, on))

    def stack_map_obs(self, D: Any, lo: Any, hi: Any, got: Any, n: Any) -> list[Ob]:
        """A stack pointer map ``got`` of ``n`` bits that a frame's GC reads (a MakeFunc's or a
        method value's ``ctxt.stack``) marks every word that may hold a heap pointer (``lo``)
        and no word that holds none (outside ``hi``)."""
        def low(x: int) -> int:
            return (x & -x).bit_length() - 1
        return [self.ob(D.set_subset(lo, got), lambda: (
                    f"ctxt.stack misses heap-pointer word {low(lo & ~got)}")),
                self.ob(D.set_subset(got, hi), lambda: (
                    f"ctxt.stack marks word {low(got & ~hi)}, which holds no pointer")),
                self.ob(D.set_below(lo, n), lambda: (
                    f"ctxt.stack has {n} bits, heap pointers reach word "
                    f"{lo.bit_length() - 1}"))]

    def check(self, sig: Signature, arch: Arch, variant: Variant) -> Violation | None:
        """This invariant on one concrete signature."""
        vs = check_all(sig, arch, variant, (self,))
        return vs[0] if vs else None

    def __repr__(self) -> str:
        return f"<Invariant {self.id}>"


# --------------------------------------------------------------------------------------------
# messages (concrete only: they re-run the concrete algorithms for the words)


def _reg(c: Ctx, isint: bool, i: int) -> str:
    try:
        return c.arch.int_reg_name(i) if isint else c.arch.float_reg_name(i)
    except IndexError:
        return f"{'int' if isint else 'float'} register #{i}"


def _value_no(c: Ctx, role: str, index: int) -> tuple[str, int]:
    if role == "result":
        return "ret", index
    return "call", index + (1 if c.has_rcvr is True and role == "arg" else 0)


def _where_refl(c: Ctx, role: str, index: int) -> str:
    sig = c.sig
    d = reflect_assign(sig, c.arch, c.variant)
    seq, i = _value_no(c, role, index)
    steps = getattr(d, seq).steps_for(i)
    if steps and steps[0].kind == "stack":
        return f"on the stack at {steps[0].stkoff}"
    regs = [_reg(c, s.kind != "float", s.ireg if s.kind != "float" else s.freg) for s in steps]
    return "in " + ",".join(regs) if regs else "nowhere (no steps)"


def _where_spec(c: Ctx, role: str, index: int) -> str:
    sig = c.sig
    s = spec_assign(sig, c.arch)
    seq, i = _value_no(c, role, index)
    p = (s.results if seq == "ret" else s.params)[i]
    if not p.regs:
        return f"on the stack at {p.stack}"
    return "in " + ",".join(_reg(c, cls == "int", r) for cls, r, *_ in p.regs)


def _lowest(x: int) -> int:
    return (x & -x).bit_length() - 1


def _in(J: Joint) -> bool:
    return J.cur is not None


# --------------------------------------------------------------------------------------------
# the invariants


class _Next(NamedTuple):
    ints: Any  # the lowest integer register the next value may take
    floats: Any
    ti: Any  # the same inside the current value, as its groups take registers
    tf: Any


class RegBounds(Invariant):
    id = "INV-REG-BOUNDS"
    title = "register bounds"
    statement = ("Every int register index < IntArgRegs and every float index < FloatArgRegs; "
                 "within the arguments, and within the results, registers are taken in "
                 "increasing order, so no register is given to two parts.")
    source = "reflect/abi.go assignIntN/assignFloatN; abi-internal.md register assignment"
    rules = ("RFL-3", "ASG-1", "ASG-8")

    def init(self, c: Ctx) -> _Next:
        return _Next(0, 0, 0, 0)

    def begin(self, c: Ctx, g: _Next, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        return g._replace(ti=g.ints, tf=g.floats), []

    def group(self, c: Ctx, g: _Next, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        D, q, i, put = c.D, r.gr, r.r_idx, r.r_put
        what = "result" if r.role == "result" else "argument"
        limit = D.ite(q.isint, c.regs.n_int, c.regs.n_float)
        nxt = D.ite(q.isint, g.ti, g.tf)
        obs = [
            self.ob(D.implies(put, D.ule(i + q.n, limit)), lambda: (
                f"{what} {'int' if q.isint else 'float'} register index {i + q.n - 1} >= "
                f"{'IntArgRegs' if q.isint else 'FloatArgRegs'} "
                f"{c.regs.n_int if q.isint else c.regs.n_float}")),
            self.ob(D.implies(put, D.ule(nxt, i)), lambda: (
                f"{what} register {_reg(c, q.isint, i)} is given again or out of order "
                f"(registers before {_reg(c, q.isint, nxt)} are taken)")),
        ]
        return g._replace(ti=D.ite(D.and_(put, q.isint), i + q.n, g.ti),
                          tf=D.ite(D.and_(put, D.not_(q.isint)), i + q.n, g.tf)), obs

    def end(self, c: Ctx, g: _Next, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        D = c.D  # the registers of a value are taken only if it stays in registers
        return g._replace(ints=D.ite(r.refl.reg, g.ti, g.ints),
                          floats=D.ite(r.refl.reg, g.tf, g.floats)), []

    def between(self, c: Ctx, g: _Next, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        return _Next(0, 0, 0, 0), []

    def candidates(self, c: Ctx, g: _Next, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D, R = c.D, J.refl
        out = [("next<=I", D.ule(g.ints, R.I)), ("next<=F", D.ule(g.floats, R.F)),
               ("I<=NI", D.ule(R.I, c.regs.n_int)), ("F<=NF", D.ule(R.F, c.regs.n_float))]
        if _in(J):
            cur = J.cur.refl  # type: ignore[union-attr]
            out += [("t<=curI", D.ule(g.ti, cur.I)), ("t<=curF", D.ule(g.tf, cur.F)),
                    ("curI<=NI", D.ule(cur.I, c.regs.n_int)),
                    ("curF<=NF", D.ule(cur.F, c.regs.n_float)),
                    ("I<=curI", D.ule(R.I, cur.I)), ("F<=curF", D.ule(R.F, cur.F))]
        return out


class StackLayout(Invariant):
    id = "INV-STACK-LAYOUT"
    title = "stack layout"
    statement = ("Stack-assigned values are aligned to their type and laid out in order without "
                 "overlap; arguments end at or below retOffset, results start at or above it, "
                 "all inside the frame type.")
    source = "reflect/abi.go stackAssign, newAbiDesc; abi-internal.md stack layout"
    rules = ("RFL-4", "RFL-6", "ASG-5", "ASG-6")

    def init(self, c: Ctx) -> Any:
        return 0  # end of the last non-empty stack value

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        D = c.D
        p = r.refl
        size = c.ps if r.role == "recv" else r.s.size
        al = c.ps if r.role == "recv" else r.s.align
        nm = c.name(r.role, r.index)
        nonempty = D.and_(p.stack, D.not_(D.eq(size, 0)))
        obs = [
            self.ob(D.implies(p.stack, D.aligned(p.off, al)),
                    lambda: f"{nm} at stack offset {p.off} is not {al}-aligned"),
            self.ob(D.implies(nonempty, D.ule(g, p.off)),
                    lambda: f"{nm} at stack offset {p.off} overlaps the value before it, "
                            f"which ends at {g}"),
        ]
        if r.role == "result":
            obs.append(self.ob(D.implies(p.stack, D.ule(pre.r_ret, p.off)),
                               lambda: f"{nm} at {p.off} is below retOffset {pre.r_ret}"))
        return D.ite(nonempty, p.off + size, g), obs

    def between(self, c: Ctx, g: Any, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        D = c.D
        return g, [
            self.ob(D.ule(g, post.r_args), lambda: f"the arguments end at {g}, past "
                    f"stackCallArgsSize {post.r_args}"),
            self.ob(D.ule(post.r_args, post.r_ret), lambda: f"retOffset {post.r_ret} < stack "
                    f"args size {post.r_args}"),
        ]

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        return [self.ob(c.D.ule(g, f.frame_type_size), lambda: f"the stack values end at {g}, "
                        f"past the frame type ({f.frame_type_size} bytes)")]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("end<=S", D.ule(g, J.refl.S))]
        if phase == "results":
            out += [("ret<=S", D.ule(J.r_ret, J.refl.S)), ("args<=ret", D.ule(J.r_args, J.r_ret))]
        return out


class FrameSufficient(Invariant):
    id = "INV-FRAME-SUFFICIENT"
    title = "frame sufficiency"
    statement = ("frameSize passed to reflectcall >= the callee's offsetToSpillArea + "
                 "spillAreaSize; the frame type covers the stack args and results; frameSize "
                 "fits uint32 for every signature whose spec frame is at most 1 GiB.")
    source = "reflect/value.go Value.call; runtime/asm_amd64.s reflectcall; abiutils.go"
    rules = ("FRM-1", "FRM-2", "FRM-3", "FRM-4", "FRM-5")

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        D = c.D
        need = f.offset_to_spill_area + f.spill_area_size
        small = D.ule(need, MAX_ARGS_FRAME)
        return [
            self.ob(D.ule(need, f.frame_size), lambda: (
                f"reflect reserves frameSize {f.frame_size}, the callee needs {need} "
                f"(stack arguments and results end at {f.offset_to_spill_area}, then "
                f"{f.spill_area_size} bytes of spill)")),
            self.ob(D.ule(f.offset_to_spill_area, f.frame_type_size), lambda: (
                f"reflect copies {f.frame_type_size} stack bytes, the callee's stack args and "
                f"results end at {f.offset_to_spill_area}")),
            self.ob(D.implies(small, D.ult(f.frame_size, 1 << 32)), lambda: (
                f"frameSize {f.frame_size} does not fit the uint32 reflectcall takes")),
        ]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D, r, s = c.D, J.refl, J.spec
        # reflect's spill exceeds the spec's only by alignment padding: at most one 8-byte
        # round-up per register it took (8-aligned bounds survive any further alignment)
        out = [("S=spec", D.eq(r.S, s.S)), ("S>=spec", D.ule(s.S, r.S))]
        if not c.variant.spill_by_type:  # VAR-4 seed: no per-type bound to propose
            return out
        if phase == "args":
            out += [("spill>=SP", D.ule(s.SP, r.spill + r.spill_f)),
                    ("spill<=SP+slack", D.ule(r.spill + r.spill_f,
                                              D.align(s.SP, 8) + (r.I + r.F) * 16))]
        else:
            out += [("spill>=area", D.ule(D.align(s.SP, c.regs.reg_size), J.spill)),
                    ("spill<=area+slack", D.ule(J.spill, D.align(s.SP, 8)
                                                + (c.regs.n_int + c.regs.n_float) * 16))]
        return out


class AssignAgree(Invariant):
    id = "INV-ASSIGN-AGREE"
    title = "assignment agreement"
    statement = ("For every receiver, argument and result of non-zero size, reflect's placement "
                 "(register of each part and the part's offset and size, or the stack offset) "
                 "equals the spec algorithm's.")
    source = "reflect/abi.go regAssign vs abiutils.go ABIAnalyzeTypes; abi-internal.md"
    rules = ("RFL-7", "ASG-2", "ASG-3")

    def _msg(self, c: Ctx, role: str, index: int) -> Any:
        nm = c.name(role, index)
        return lambda: (f"reflect puts {nm} {_where_refl(c, role, index)}, spec puts it "
                        f"{_where_spec(c, role, index)}")

    def group(self, c: Ctx, g: Any, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        D = c.D
        cur = pre.cur
        assert cur is not None
        a, b = r.gs, r.gr
        same = D.and_(r.live_r, r.r_put, D.eq(a.isint, b.isint), D.eq(a.off, b.off),
                      D.eq(a.size, b.size), D.eq(a.n, b.n), D.eq(r.s_idx, r.r_idx))
        return g, [self.ob(D.implies(D.and_(cur.spec.fits, r.live_s), same),
                           self._msg(c, r.role, r.index))]

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        D = c.D
        sp, rp = r.spec, r.refl
        agree = D.ite(sp.fits, rp.reg, D.and_(rp.stack, D.eq(rp.off, sp.off)))
        nonzero = D.not_(D.eq(r.ss.size, 0))
        return g, [self.ob(D.implies(nonzero, agree), self._msg(c, r.role, r.index))]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("I=spec", D.eq(J.refl.I, J.spec.I)), ("F=spec", D.eq(J.refl.F, J.spec.F)),
               ("S=spec", D.eq(J.refl.S, J.spec.S))]
        if _in(J):
            cur = J.cur
            assert cur is not None
            sc, rc = cur.spec, cur.refl
            out += [
                ("fits->rfits", D.implies(sc.fits, rc.fits)),
                ("rfits->I", D.implies(rc.fits, D.eq(rc.I, sc.ci))),
                ("rfits->F", D.implies(rc.fits, D.eq(rc.F, sc.cf))),
                ("ci=I+n", D.eq(sc.ci, J.spec.I + cur.s_ni)),
                ("cf=F+n", D.eq(sc.cf, J.spec.F + cur.s_nf)),
                ("rI=I+n", D.implies(rc.fits, D.eq(rc.I, J.refl.I + cur.r_ni))),
                ("rF=F+n", D.implies(rc.fits, D.eq(rc.F, J.refl.F + cur.r_nf))),
                ("fits->room", D.implies(sc.fits, D.and_(
                    D.ule(J.spec.I + cur.ss.spec.ni, c.regs.n_int),
                    D.ule(J.spec.F + cur.ss.spec.nf, c.regs.n_float)))),
                ("fits->ok", D.implies(sc.fits, cur.ss.spec.ok)),
                ("sni<=ni", D.ule(cur.s_ni, cur.ss.spec.ni)),
                ("snf<=nf", D.ule(cur.s_nf, cur.ss.spec.nf)),
                ("off=align", D.eq(sc.off, D.align(J.spec.S, cur.ss.align))),
                ("zero->nofit", D.implies(D.eq(cur.ss.size, 0), D.not_(sc.fits))),
            ]
        return out


class _Sets(NamedTuple):
    lo: Any
    hi: Any


class BitmapStack(Invariant):
    id = "INV-BITMAP-STACK"
    title = "stack bitmap soundness"
    statement = ("stackPtrs marks every heap-pointer word of the stack-assigned values (runtime "
                 "GC mask, TYP-10) and only words that hold pointers (TYP-9); the receiver word "
                 "is a pointer; it has enough bits to cover them.")
    source = "reflect/abi.go newAbiDesc addTypeBits; reflect/type.go funcLayout"
    rules = ("BMP-1", "TYP-9", "TYP-10")

    def init(self, c: Ctx) -> _Sets:
        return _Sets(c.D.set_empty(), c.D.set_empty())

    def end(self, c: Ctx, g: _Sets, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        D = c.D
        p = r.refl
        word = D.shr(p.off, c.ps.bit_length() - 1)
        if r.role == "recv":  # the receiver word is a pointer (RFL-5)
            return _Sets(D.set_add(g.lo, word, p.stack), D.set_add(g.hi, word, p.stack)), []
        return _Sets(D.set_union_shifted(g.lo, r.s.heap, word, p.stack),
                     D.set_union_shifted(g.hi, r.s.gc, word, p.stack)), []

    def final(self, c: Ctx, g: _Sets, J: Joint, f: Finals) -> list[Ob]:
        D, ps = c.D, c.ps
        got, n = J.refl.sptrs, J.refl.sn

        def miss() -> str:
            w = _lowest(g.lo & ~got)
            return f"stackPtrs misses pointer word {w} (stack offset {w * ps})"

        def extra() -> str:
            w = _lowest(got & ~g.hi)
            return f"stackPtrs marks non-pointer word {w} (stack offset {w * ps})"

        return [self.ob(D.set_subset(g.lo, got), miss),
                self.ob(D.set_subset(got, g.hi), extra),
                self.ob(D.set_below(g.lo, n), lambda: (
                    f"stackPtrs has {n} bits, pointers reach word {g.lo.bit_length() - 1}"))]

    def candidates(self, c: Ctx, g: _Sets, J: Joint, phase: str) -> list[tuple[str, Any]]:
        return self.stack_map_candidates(c.D, g.lo, g.hi, J.refl.sptrs, J.refl.sn)


class _RegSets(NamedTuple):
    ilo: Any  # heap-pointer argument registers, per the spec
    ihi: Any  # pointer-holding argument registers
    olo: Any
    ohi: Any
    vlo: Any  # the same for the current value
    vhi: Any


def _sandwich(c: Ctx, inv: Invariant, name: str, got: Any, lo: Any, hi: Any,
              role: str) -> list[Ob]:
    D = c.D
    art = "an" if role[0] in "aeiou" else "a"

    def miss() -> str:
        return (f"{name} misses {_reg(c, True, _lowest(lo & ~got))}, which carries {art} {role} "
                "pointer")

    def extra() -> str:
        return (f"{name} marks {_reg(c, True, _lowest(got & ~hi))}, which carries no {role} "
                "pointer")

    return [inv.ob(D.eq(lo & ~got, 0), miss), inv.ob(D.eq(got & ~hi, 0), extra)]


class BitmapRegs(Invariant):
    id = "INV-BITMAP-REGS"
    title = "register bitmap soundness"
    statement = ("outRegPtrs (and inRegPtrs, where it exists and is consumed) marks every "
                 "integer register that carries a heap-pointer part, and only registers that "
                 "carry pointers.")
    source = "reflect/abi.go newAbiDesc; runtime/mbarrier.go reflectcallmove; reflect/makefunc.go"
    rules: ClassVar[tuple[str, ...]] = ("BMP-2", "BMP-3", "TYP-10")

    def init(self, c: Ctx) -> _RegSets:
        return _RegSets(0, 0, 0, 0, 0, 0)

    def begin(self, c: Ctx, g: _RegSets, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        return g._replace(vlo=0, vhi=0), []

    def group(self, c: Ctx, g: _RegSets, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        """The spec's placement: the group's pointer parts at its registers (TYP-10: an
        interface's itab word is a pointer, never into the heap)."""
        D, q = c.D, r.gs
        cur = pre.cur
        assert cur is not None
        on = D.and_(cur.spec.fits, r.live_s, q.isint)
        return g._replace(vlo=g.vlo | D.ite(on, shl(D, q.ptr, r.s_idx), 0),
                          vhi=g.vhi | D.ite(on, shl(D, q.ptr | q.itab, r.s_idx), 0)), []

    def end(self, c: Ctx, g: _RegSets, pre: Joint, post: Joint,
            r: ValueRec) -> tuple[Any, list[Ob]]:
        if r.role == "result":
            return g._replace(olo=g.olo | g.vlo, ohi=g.ohi | g.vhi), []
        return g._replace(ilo=g.ilo | g.vlo, ihi=g.ihi | g.vhi), []

    def final(self, c: Ctx, g: _RegSets, J: Joint, f: Finals) -> list[Ob]:
        obs = _sandwich(c, self, "outRegPtrs", J.refl.outptrs, g.olo, g.ohi, "result")
        # inRegPtrs is consumed only with no receiver (reflect/makefunc.go passes
        # funcLayout(ftyp, nil)); receivers are INV-INREGPTRS-RCVR's business
        if c.variant.in_reg_ptrs and c.has_rcvr is not True:
            obs += when(c.D, c.D.not_(c.has_rcvr), _sandwich(
                c, self, "inRegPtrs", J.refl.inptrs, g.ilo, g.ihi, "argument"))
        return obs

    def candidates(self, c: Ctx, g: _RegSets, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D, R = c.D, J.refl
        out = [("olo<=out", D.eq(g.olo & ~R.outptrs, 0)),
               ("out<=ohi", D.eq(R.outptrs & ~g.ohi, 0))]
        if c.variant.in_reg_ptrs and c.has_rcvr is not True:
            nor = D.not_(c.has_rcvr)
            out += [("ilo<=in", D.implies(nor, D.eq(g.ilo & ~R.inptrs, 0))),
                    ("in<=ihi", D.implies(nor, D.eq(R.inptrs & ~g.ihi, 0)))]
        if _in(J):
            cur = J.cur
            assert cur is not None
            bits = cur.refl.bits
            out += [("vlo<=bits", D.implies(cur.spec.fits, D.eq(g.vlo & ~bits, 0))),
                    ("bits<=vhi", D.implies(cur.spec.fits, D.eq(bits & ~g.vhi, 0))),
                    ("nofit->v0", D.implies(D.not_(cur.spec.fits),
                                            D.and_(D.eq(g.vlo, 0), D.eq(g.vhi, 0))))]
        return out


class InRegPtrsRcvr(BitmapRegs):
    id = "INV-INREGPTRS-RCVR"
    title = "inRegPtrs with a receiver"
    statement = ("With a receiver, inRegPtrs also has bit i exactly when argument register i "
                 "carries a heap pointer. Nothing in Go consumes inRegPtrs for a receiver layout, "
                 "so a violation is latent.")
    source = "reflect/abi.go newAbiDesc in.stepsForValue(i); reflect/makefunc.go:66,120"
    rules = ("BMP-2",)
    severity = "latent"

    def final(self, c: Ctx, g: _RegSets, J: Joint, f: Finals) -> list[Ob]:
        if not c.variant.in_reg_ptrs or c.has_rcvr is False:
            return []
        return [o._replace(msg=lambda o=o: "with a receiver, " + o.msg())
                for o in when(c.D, c.has_rcvr, _sandwich(c, self, "inRegPtrs", J.refl.inptrs,
                                                         g.ilo, g.ihi, "argument"))]

    def candidates(self, c: Ctx, g: _RegSets, J: Joint, phase: str) -> list[tuple[str, Any]]:
        return []


class Abi0(Invariant):
    id = "INV-ABI0"
    title = "ABI0 equivalence"
    statement = "With zero registers, reflect's layout equals the sequential ABI0 layout."
    source = "seed reflect/type.go funcLayout (pre-regabi code); abi-internal.md"
    rules = ("VAR-2", "ASG-4")

    def end(self, c: Ctx, g: Any, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        D = c.D
        z = r.zero
        size = c.ps if r.role == "recv" else r.s.size
        nm = c.name(r.role, r.index)
        ok = D.implies(D.not_(D.eq(size, 0)), D.and_(z.stack, D.eq(z.off, r.seq)))
        return g, [self.ob(ok, lambda: (
            f"with no registers reflect puts {nm} "
            f"{'at ' + str(z.off) if z.stack else 'nowhere'}, ABI0 at {r.seq}"))]

    def between(self, c: Ctx, g: Any, pre: Joint, post: Joint) -> tuple[Any, list[Ob]]:
        return g, [self.ob(c.D.eq(post.z_ret, post.q_ret), lambda: (
            f"with no registers reflect's retOffset is {post.z_ret}, ABI0's is {post.q_ret}"))]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("zeroS=seq", D.eq(J.zero.S, J.seq)), ("zeroI=0", D.eq(J.zero.I, 0)),
               ("zeroF=0", D.eq(J.zero.F, 0))]
        if _in(J):
            cur = J.cur
            assert cur is not None
            out += [("curzeroI=0", D.eq(cur.zero.I, 0)), ("curzeroF=0", D.eq(cur.zero.F, 0)),
                    ("seq=align", D.eq(cur.seq, D.align(J.seq, cur.rs.align))),
                    ("zfits->nogroups", D.implies(cur.zero.fits, D.eq(cur.r_ni + cur.r_nf, 0)))]
        return out


class RegArgsInv(Invariant):
    id = "INV-REGARGS"
    title = "RegArgs agreement"
    statement = ("The arch table's RegArgs layout equals internal/abi.RegArgs's struct layout, and "
                 "every register slot spillArgs/unspillArgs use lies in its array.")
    source = "internal/abi/abi.go RegArgs; runtime/asm_amd64.s spillArgs/unspillArgs"
    rules = ("REGARGS-1", "ARCH-11")

    def group(self, c: Ctx, g: Any, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        D, ra, ps, q, i = c.D, c.arch.regargs, c.ps, r.gr, r.r_idx
        iend = ra.ints_offset + (i + q.n) * ps
        fend = ra.floats_offset + (i + q.n) * 8
        return g, [
            self.ob(D.implies(D.and_(r.r_put, q.isint), D.ule(iend, ra.floats_offset)),
                    lambda: f"int register {i + q.n - 1} slot ends at {iend}, past Ints "
                            f"(Floats at {ra.floats_offset})"),
            self.ob(D.implies(D.and_(r.r_put, D.not_(q.isint)), D.ule(fend, ra.ptrs_offset)),
                    lambda: f"float register {i + q.n - 1} slot ends at {fend}, past Floats "
                            f"(Ptrs at {ra.ptrs_offset})")]

    def final(self, c: Ctx, g: Any, J: Joint, f: Finals) -> list[Ob]:
        a = c.arch
        want = regargs_layout(a.n_int, a.n_float, a.ptr_size)
        return [self.ob(a.regargs == want,
                        lambda: f"RegArgs table {a.regargs} != struct layout {want}")]

    def candidates(self, c: Ctx, g: Any, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        out = [("I<=NI", D.ule(J.refl.I, c.regs.n_int)),
               ("F<=NF", D.ule(J.refl.F, c.regs.n_float))]
        if _in(J):
            cur = J.cur
            assert cur is not None
            out += [("curI<=NI", D.ule(cur.refl.I, c.regs.n_int)),
                    ("curF<=NF", D.ule(cur.refl.F, c.regs.n_float))]
        return out


class _Lost(NamedTuple):
    indirect: Any  # registers whose pointer parts would reach Ints only, held indirectly
    direct: Any  # the same, held directly


class GcVisible(Invariant):
    id = "INV-GC-VISIBLE"
    title = "register pointers visible to the GC"
    statement = ("Every heap-pointer part of a register argument, and a pointer receiver in a "
                 "register, reaches regArgs.Ptrs (which the GC scans) however the Value holds "
                 "it — directly, or through a heap copy (every value can be held that way, "
                 "CALL-3); regArgs.Ints alone is invisible to the GC. Conversely, only "
                 "pointers reach regArgs.Ptrs.")
    source = "reflect/value.go Value.call (register marshalling, storeRcvr)"
    rules = ("CALL-3", "CALL-4", "CALL-6", "GC-1")

    def init(self, c: Ctx) -> _Lost:
        return _Lost(0, 0)

    def begin(self, c: Ctx, g: _Lost, pre: Joint, post: Joint, role: str,
              index: int) -> tuple[Any, list[Ob]]:
        return _Lost(0, 0), []

    def group(self, c: Ctx, g: _Lost, pre: Joint, post: Joint,
              r: GroupRec) -> tuple[Any, list[Ob]]:
        if r.role != "arg":
            return g, []
        D, q = c.D, r.gr
        to_ind = arg_to_ptrs(D, c.variant, q, r.r_put, False)
        to_dir = arg_to_ptrs(D, c.variant, q, r.r_put, True)
        ind = q.ptr & ~to_ind
        dr = q.ptr & ~to_dir
        on = D.and_(r.r_put, q.isint)
        # the other half of the sandwich: what reaches Ptrs is a pointer (the GC would
        # otherwise scan a scalar as one: a bad-pointer crash or a retained object)
        only = D.and_(D.eq(to_ind & ~q.ptr, 0), D.eq(to_dir & ~q.ptr, 0))
        nm = c.name(r.role, r.index)
        return _Lost(g.indirect | D.ite(on, shl(D, ind, r.r_idx), 0),
                     g.direct | D.ite(on, shl(D, dr, r.r_idx), 0)), [
            self.ob(only, lambda: f"{nm}: a part that is no pointer is written to "
                                  "regArgs.Ptrs, which the GC scans as pointers")]

    def end(self, c: Ctx, g: _Lost, pre: Joint, post: Joint, r: ValueRec) -> tuple[Any, list[Ob]]:
        D = c.D
        nm = c.name(r.role, r.index)
        cur = pre.cur
        assert cur is not None
        if r.role == "recv":
            to = rcvr_to_ptrs(D, c.variant, r.refl.reg, cur.is_ptr)
            ok = D.implies(D.and_(r.refl.reg, cur.is_ptr), to)
            return g, [self.ob(ok, lambda: (
                f"{nm} (a pointer) is written to regArgs.Ints only: the GC does not see it "
                "(VAR-8)")),
                self.ob(D.implies(to, D.and_(r.refl.reg, cur.is_ptr)), lambda: (
                    f"{nm} is written to regArgs.Ptrs though it is no pointer in a register"))]
        if r.role != "arg":
            return g, []
        can_direct = direct(D, r.s, c.ps, c.variant.direct_iface)
        ok = D.implies(r.refl.reg, D.and_(D.eq(g.indirect, 0),
                                          D.implies(can_direct, D.eq(g.direct, 0))))

        def msg() -> str:
            lost, how = (g.indirect, "held through a heap copy (flagIndir)") if g.indirect \
                else (g.direct, "held directly")
            return (f"{nm} {how}: its pointer in {_reg(c, True, _lowest(lost))} is written to "
                    "regArgs.Ints only, which the GC does not scan (VAR-7)")
        return g, [self.ob(ok, msg)]

    def candidates(self, c: Ctx, g: _Lost, J: Joint, phase: str) -> list[tuple[str, Any]]:
        D = c.D
        return [("indirect=0", D.eq(g.indirect, 0)), ("direct=0", D.eq(g.direct, 0))]


class TraceInvariant(Invariant):
    """An invariant of executions of the call machine (spec/call.md INV-GC-*): the explorer
    decides it over interleavings with the GC; :meth:`check` runs the explorer on one
    signature."""

    def __init__(self, inv_id: str, title: str, statement: str, source: str) -> None:
        self.id = inv_id  # type: ignore[misc]
        self.title = title  # type: ignore[misc]
        self.statement = statement  # type: ignore[misc]
        self.source = source  # type: ignore[misc]

    def check(self, sig: Signature, arch: Arch, variant: Variant) -> Violation | None:
        from regabi.proofs.explore import explore_sig  # the explorer imports the model

        for v in explore_sig(sig, variant, arch, only=(self.id,)):
            if v.status == "VIOLATED":
                return Violation(self.id, sig, arch.name, variant.name, v.line,
                                 {"trace_len": v.extra.get("trace_len")})
        return None


CATALOGUE: tuple[Invariant, ...] = (
    RegBounds(), StackLayout(), FrameSufficient(), AssignAgree(), BitmapStack(), BitmapRegs(),
    InRegPtrsRcvr(), Abi0(), RegArgsInv(), GcVisible(),
)

_BY_ID = {i.id: i for i in CATALOGUE}


def get_invariant(inv_id: str) -> Invariant:
    try:
        return _BY_ID[inv_id]
    except KeyError:
        from regabi.errors import InputError

        raise InputError(f"unknown invariant {inv_id!r} (known: {', '.join(_BY_ID)})") from None


def check_all(sig: Signature, arch: Arch, variant: Variant,
              invariants: Sequence[Invariant] = CATALOGUE) -> list[Violation]:
    """The first violation of each invariant for one concrete signature."""
    from regabi.model.domain import CONCRETE

    ps = arch.ptr_size
    c = Ctx(CONCRETE, arch, variant, sig.recv is not None, tuple(invariants), sig=sig)
    rcvr = summarize(sig.recv, ps) if sig.recv is not None else None
    _J, obs = run(c, rcvr, [summarize(t, ps) for t in sig.params],
                  [summarize(t, ps) for t in sig.results])
    seen: dict[str, Violation] = {}
    for o in obs:
        if not o.cond and o.inv not in seen:
            seen[o.inv] = Violation(o.inv, sig, arch.name, variant.name, o.msg())
    return [seen[i.id] for i in invariants if i.id in seen]
