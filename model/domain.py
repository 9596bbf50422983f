"""The two domains every algorithm of the model runs over (spec/README.md "One semantics").

An algorithm (type summaries, the spec's assignment, reflect's, frame and bitmaps) is written once
against the small interface below. :data:`CONCRETE` evaluates it on Python ints and bools: that is
what ``regabi layout``, the tests and the explorer run. :class:`Z3Domain` evaluates the *same
function* on Z3 bit-vectors and booleans: that is what ``regabi prove`` hands to the solver. The
interface is deliberately tiny, so that the code a user reads is the code that is proved.

Numbers are unsigned (byte counts, offsets, register indices). Sets of word indices (pointer
bitmaps) are Python ints concretely and, symbolically, *predicates* over an index: a Z3 proof asks
about one fresh index (the domain's ``probe``), which is enough because every set operation the
algorithms use is pointwise (spec/proofs.md "Sets and the probe").

Control flow must not depend on a symbolic value: write ``D.ite(c, a, b)`` instead of ``if c``.
Python-level branching on *concrete* facts (a variant's delta, an architecture's register count,
a loop bound) is fine and keeps the symbolic terms small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["CONCRETE", "Concrete", "Domain", "Z3Domain", "Z3IntDomain", "is_concrete_value"]

#: Bit width of every symbolic number. Sizes stay below 2**51 (the compiler's MAXWIDTH is 2**50)
#: and the proofs assume frames below 2**40 (spec/proofs.md), so 64 bits never wrap.
WIDTH = 64


def is_concrete_value(x: object) -> bool:
    return isinstance(x, (int, bool))


class Domain:
    """The operations an algorithm may use (documentation of the interface; both domains
    implement every method)."""

    concrete: bool

    # numbers --------------------------------------------------------------------------------
    def ite(self, c: Any, a: Any, b: Any) -> Any: ...
    def eq(self, a: Any, b: Any) -> Any: ...
    def ult(self, a: Any, b: Any) -> Any: ...
    def ule(self, a: Any, b: Any) -> Any: ...
    def umax(self, a: Any, b: Any) -> Any: ...
    def align(self, x: Any, a: Any) -> Any: ...
    def aligned(self, x: Any, a: Any) -> Any: ...
    def shr(self, x: Any, k: int) -> Any: ...
    def urem(self, x: Any, y: Any) -> Any: ...
    def udiv(self, x: Any, y: Any) -> Any: ...
    def bit(self, x: Any, i: Any) -> Any: ...
    def setbit(self, x: Any, i: Any, c: Any) -> Any: ...

    # booleans -------------------------------------------------------------------------------
    def and_(self, *xs: Any) -> Any: ...
    def or_(self, *xs: Any) -> Any: ...
    def not_(self, x: Any) -> Any: ...
    def implies(self, a: Any, b: Any) -> Any: ...

    # records --------------------------------------------------------------------------------
    def sel(self, c: Any, a: Any, b: Any) -> Any: ...

    # sets of word indices -------------------------------------------------------------------
    def set_empty(self) -> Any: ...
    def set_union_shifted(self, s: Any, m: Any, shift: Any, c: Any) -> Any: ...
    def set_add(self, s: Any, i: Any, c: Any) -> Any: ...
    def set_repeat(self, m: Any, stride: Any, n: Any) -> Any: ...
    def set_has(self, s: Any, i: Any) -> Any: ...
    def set_subset(self, a: Any, b: Any) -> Any: ...
    def set_below(self, s: Any, n: Any) -> Any: ...


class Concrete(Domain):
    """Python ints and bools. Everything is eager and cheap; ``sel`` picks a record."""

    concrete = True

    @staticmethod
    def ite(c: Any, a: Any, b: Any) -> Any:
        return a if c else b

    sel = ite

    @staticmethod
    def eq(a: int, b: int) -> bool:
        return a == b

    @staticmethod
    def ult(a: int, b: int) -> bool:
        return a < b

    @staticmethod
    def ule(a: int, b: int) -> bool:
        return a <= b

    @staticmethod
    def umax(a: int, b: int) -> int:
        return a if a >= b else b

    @staticmethod
    def align(x: int, a: int) -> int:
        """``x`` rounded up to ``a``, a power of two (every alignment and PtrSize in Go)."""
        return (x + a - 1) & -a

    @staticmethod
    def aligned(x: int, a: int) -> bool:
        """``x`` is a multiple of the power of two ``a``."""
        return not (x & (a - 1))

    @staticmethod
    def shr(x: int, k: int) -> int:
        return x >> k

    @staticmethod
    def urem(x: int, y: int) -> int:
        return x % y if y else x

    @staticmethod
    def udiv(x: int, y: int) -> int:
        return x // y if y else 0

    @staticmethod
    def bit(x: int, i: int) -> bool:
        return bool(x >> i & 1)

    @staticmethod
    def setbit(x: int, i: int, c: bool) -> int:
        return x | (1 << i) if c else x

    @staticmethod
    def and_(*xs: bool) -> bool:
        return all(xs)

    @staticmethod
    def or_(*xs: bool) -> bool:
        return any(xs)

    @staticmethod
    def not_(x: bool) -> bool:
        return not x

    @staticmethod
    def implies(a: bool, b: bool) -> bool:
        return (not a) or bool(b)

    @staticmethod
    def set_empty() -> int:
        return 0

    @staticmethod
    def set_union_shifted(s: int, m: int, shift: int, c: bool) -> int:
        return s | (m << shift) if c and m else s

    @staticmethod
    def set_add(s: int, i: int, c: bool) -> int:
        return s | (1 << i) if c else s

    @staticmethod
    def set_repeat(m: int, stride: int, n: int) -> int:
        """``m`` repeated ``n`` times ``stride`` words apart, by doubling (O(log n) big-int ops)."""
        if not m or not n:
            return 0
        out, block, bw, pos = 0, m, stride, 0
        while n:
            if n & 1:
                out |= block << pos
                pos += bw
            block |= block << bw
            bw *= 2
            n >>= 1
        return out

    @staticmethod
    def set_has(s: int, i: int) -> bool:
        return i >= 0 and bool(s >> i & 1)

    @staticmethod
    def set_subset(a: int, b: int) -> bool:
        return not (a & ~b)

    @staticmethod
    def set_below(s: int, n: int) -> bool:
        return s.bit_length() <= n


CONCRETE = Concrete()


class SymSet:
    """A symbolic set of word indices: a predicate built from Z3 terms. ``base`` sets (a free
    summary's masks, a pre-state's bitmap in an induction step) record every index they are
    asked about, so that the facts assumed of them can be instantiated exactly there."""

    __slots__ = ("asked", "fn", "memo", "name")

    def __init__(self, fn: Callable[[Any], Any], name: str = "", base: bool = False) -> None:
        self.fn = fn
        self.name = name
        self.asked: list[Any] | None = [] if base else None
        # a derived set's term at each index asked, so that a DAG of sets (a struct's bitmap
        # chosen among field choices, each choice reading the fields before it) is expanded
        # once per index, not once per path to it; Z3 hash-conses terms, so the term is the
        # very same one a fresh expansion would build (keyed by AST id: the index is kept)
        self.memo: dict[Any, tuple[Any, Any]] | None = None if base else {}

    def __call__(self, i: Any) -> Any:
        if self.asked is not None:
            self.asked.append(i)
        memo = self.memo
        if memo is None:
            return self.fn(i)
        key = ("c", i) if isinstance(i, int) else i.get_id()
        hit = memo.get(key)
        if hit is not None:
            return hit[1]
        r = self.fn(i)
        memo[key] = (i, r)
        return r


class Z3Domain(Domain):
    """Z3 bit-vectors (``WIDTH`` bits) and booleans. Python constants stay Python constants as
    long as possible (constant folding keeps the terms small); they are lifted on contact with a
    symbolic operand.

    ``probe`` is the one index every set question of a query is asked at (spec/proofs.md): a
    set is empty iff it does not contain an arbitrary index.
    """

    concrete = False

    def __init__(self, prefix: str = "", width: int = WIDTH) -> None:
        import z3

        self.z3 = z3
        self.prefix = prefix
        self.width = width
        self._n = 0
        self.probe = z3.BitVec(f"{prefix}probe", width)
        self.bases: list[SymSet] = []

    # creation -------------------------------------------------------------------------------
    def fresh(self, name: str) -> Any:
        self._n += 1
        return self.z3.BitVec(f"{self.prefix}{name}#{self._n}", self.width)

    def fresh_bool(self, name: str) -> Any:
        self._n += 1
        return self.z3.Bool(f"{self.prefix}{name}#{self._n}")

    def fresh_set(self, name: str) -> SymSet:
        self._n += 1
        f = self.z3.Function(f"{self.prefix}{name}#{self._n}", self.z3.BitVecSort(self.width),
                             self.z3.BoolSort())
        s = SymSet(f, name, base=True)
        self.bases.append(s)
        return s

    def bv(self, x: Any) -> Any:
        return self.z3.BitVecVal(x, self.width) if isinstance(x, int) else x

    def b(self, x: Any) -> Any:
        return self.z3.BoolVal(x) if isinstance(x, bool) else x

    # numbers --------------------------------------------------------------------------------
    def ite(self, c: Any, a: Any, b: Any) -> Any:
        if isinstance(c, bool):
            return a if c else b
        if a is b:
            return a
        if isinstance(a, bool) or isinstance(b, bool) or self._is_bool(a) or self._is_bool(b):
            if isinstance(a, bool) and isinstance(b, bool) and a == b:
                return a
            return self.z3.If(c, self.b(a), self.b(b))
        if isinstance(a, int) and isinstance(b, int) and a == b:
            return a
        return self.z3.If(c, self.bv(a), self.bv(b))

    def _is_bool(self, x: Any) -> bool:
        return self.z3.is_bool(x) if not isinstance(x, (int, bool)) else False

    def sel(self, c: Any, a: Any, b: Any) -> Any:
        if isinstance(c, bool):
            return a if c else b
        if isinstance(a, tuple):
            vals = [self.sel(c, x, y) for x, y in zip(a, b, strict=True)]
            return type(a)(*vals) if hasattr(a, "_fields") else tuple(vals)
        if isinstance(a, SymSet) or isinstance(b, SymSet) or callable(a) or callable(b):
            fa, fb = self._setfn(a), self._setfn(b)
            return SymSet(lambda i: self.z3.If(c, self.b(fa(i)), self.b(fb(i))))
        return self.ite(c, a, b)

    def eq(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        if isinstance(a, bool) or isinstance(b, bool) or self._is_bool(a) or self._is_bool(b):
            return self.b(a) == self.b(b)
        return self.bv(a) == self.bv(b)

    def ult(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return a < b
        return self.z3.ULT(self.bv(a), self.bv(b))

    def ule(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return a <= b
        return self.z3.ULE(self.bv(a), self.bv(b))

    def umax(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return max(a, b)
        return self.ite(self.ule(b, a), a, b)

    # Alignments are powers of two up to 8 (WF-ALIGN; PtrSize on every Go target). A
    # symbolic one is split into those four cases: each is a constant mask, which the solver
    # bit-blasts far more cheaply than ``& -a`` with ``a`` unknown.
    _ALIGNS = (1, 2, 4, 8)

    def align(self, x: Any, a: Any) -> Any:
        if isinstance(x, int) and isinstance(a, int):
            return (x + a - 1) & -a
        if isinstance(a, int):
            return (self.bv(x) + (a - 1)) & -a
        out = self.bv(x)
        for k in self._ALIGNS[1:]:
            out = self.z3.If(a == k, (self.bv(x) + (k - 1)) & -k, out)
        return out

    def aligned(self, x: Any, a: Any) -> Any:
        if isinstance(x, int) and isinstance(a, int):
            return not (x & (a - 1))
        if isinstance(a, int):
            return (self.bv(x) & (a - 1)) == 0
        return self.z3.Or(a == 1, *[self.z3.And(a == k, (self.bv(x) & (k - 1)) == 0)
                                    for k in self._ALIGNS[1:]])

    def shr(self, x: Any, k: int) -> Any:
        if isinstance(x, int):
            return x >> k
        return self.z3.LShR(x, k)

    def urem(self, x: Any, y: Any) -> Any:
        if isinstance(x, int) and isinstance(y, int):
            return x % y if y else x
        return self.z3.URem(self.bv(x), self.bv(y))

    def udiv(self, x: Any, y: Any) -> Any:
        if isinstance(x, int) and isinstance(y, int):
            return x // y if y else 0
        return self.z3.UDiv(self.bv(x), self.bv(y))

    def bit(self, x: Any, i: Any) -> Any:
        if isinstance(x, int) and isinstance(i, int):
            return bool(x >> i & 1)
        return self.z3.Extract(0, 0, self.z3.LShR(self.bv(x), self.bv(i))) == 1

    def setbit(self, x: Any, i: Any, c: Any) -> Any:
        if isinstance(c, bool) and not c:
            return x
        if isinstance(x, int) and isinstance(i, int) and isinstance(c, bool):
            return x | (1 << i)
        return self.ite(c, self.bv(x) | (self.bv(1) << self.bv(i)), x)

    # booleans -------------------------------------------------------------------------------
    def and_(self, *xs: Any) -> Any:
        sym = []
        for x in xs:
            if isinstance(x, bool):
                if not x:
                    return False
            else:
                sym.append(x)
        if not sym:
            return True
        return sym[0] if len(sym) == 1 else self.z3.And(*sym)

    def or_(self, *xs: Any) -> Any:
        sym = []
        for x in xs:
            if isinstance(x, bool):
                if x:
                    return True
            else:
                sym.append(x)
        if not sym:
            return False
        return sym[0] if len(sym) == 1 else self.z3.Or(*sym)

    def not_(self, x: Any) -> Any:
        return (not x) if isinstance(x, bool) else self.z3.Not(x)

    def implies(self, a: Any, b: Any) -> Any:
        return self.or_(self.not_(a), b)

    # sets -----------------------------------------------------------------------------------
    @staticmethod
    def _setfn(s: Any) -> Callable[[Any], Any]:
        if isinstance(s, int):
            def has(i: Any, s: int = s) -> Any:
                return Concrete.set_has(s, i) if isinstance(i, int) else _bitof(s, i)
            return has
        return s  # type: ignore[no-any-return]

    def set_empty(self) -> Any:
        return SymSet(lambda i: False, "empty")

    def as_set(self, s: Any) -> SymSet:
        """A set as a predicate (a concrete bitmask becomes one), for choosing between sets
        with ``sel``."""
        return s if isinstance(s, SymSet) else SymSet(self._setfn(s))

    def set_union_shifted(self, s: Any, m: Any, shift: Any, c: Any) -> Any:
        if isinstance(m, int) and m == 0:
            return s
        if isinstance(c, bool) and not c:
            return s
        if isinstance(s, int) and isinstance(m, int) and isinstance(shift, int) and c is True:
            return s | (m << shift)
        fs, fm = self._setfn(s), self._setfn(m)

        def f(i: Any) -> Any:
            inside = self.and_(c, self.ule(shift, i))
            return self.or_(fs(i), self.and_(inside, fm(self.bv(i) - self.bv(shift))))
        return SymSet(f)

    def set_add(self, s: Any, i: Any, c: Any) -> Any:
        if isinstance(c, bool) and not c:
            return s
        if isinstance(s, int) and isinstance(i, int) and c is True:
            return s | (1 << i)
        fs = self._setfn(s)
        return SymSet(lambda j: self.or_(fs(j), self.and_(c, self.eq(j, i))))

    def set_repeat(self, m: Any, stride: Any, n: Any) -> Any:
        if isinstance(m, int) and isinstance(stride, int) and isinstance(n, int):
            return Concrete.set_repeat(m, stride, n)
        if isinstance(n, int) and n <= 1:  # as Concrete.set_repeat: nothing, or m itself
            return m if n == 1 else self.set_empty()
        fm = self._setfn(m)
        return SymSet(lambda i: self.and_(self.ult(i, self.bv(stride) * n),
                                          fm(self.urem(i, stride))))

    def set_has(self, s: Any, i: Any) -> Any:
        if isinstance(s, int) and isinstance(i, int):
            return Concrete.set_has(s, i)
        return self._setfn(s)(i)

    def set_subset(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return Concrete.set_subset(a, b)
        p = self.probe
        return self.implies(self.set_has(a, p), self.set_has(b, p))

    def set_below(self, s: Any, n: Any) -> Any:
        if isinstance(s, int) and isinstance(n, int):
            return Concrete.set_below(s, n)
        p = self.probe
        return self.implies(self.set_has(s, p), self.ult(p, n))


class Z3IntDomain(Z3Domain):
    """Z3 mathematical integers (non-negative) instead of bit-vectors: the same semantics as
    :data:`CONCRETE`, whose Python ints never wrap either. Bit-blasting is hopeless at
    inequalities over sums (``a ≤ c ∧ b ≤ d ⇒ a + b ≤ c + d``) and over products; linear and
    non-linear integer arithmetic is what Z3's arithmetic solvers are built for. Used for the
    type lemmas (proofs/types.py); bit operations on symbolic numbers are refused rather than
    approximated. Every fresh number is non-negative: :attr:`nonneg` lists those facts, which a
    query must assume (the domain's numbers are unsigned)."""

    def __init__(self, prefix: str = "") -> None:
        import z3

        self.z3 = z3
        self.prefix = prefix
        self.width = 0
        self._n = 0
        self.probe = z3.Int(f"{prefix}probe")
        self.bases = []
        self.nonneg: list[Any] = [self.probe >= 0]

    def fresh(self, name: str) -> Any:
        self._n += 1
        x = self.z3.Int(f"{self.prefix}{name}#{self._n}")
        self.nonneg.append(x >= 0)
        return x

    def fresh_set(self, name: str) -> SymSet:
        self._n += 1
        f = self.z3.Function(f"{self.prefix}{name}#{self._n}", self.z3.IntSort(),
                             self.z3.BoolSort())
        s = SymSet(f, name, base=True)
        self.bases.append(s)
        return s

    def bv(self, x: Any) -> Any:
        return self.z3.IntVal(x) if isinstance(x, int) else x

    def fresh_mask(self, name: str, bits: int = 3) -> Any:
        """A small bit mask (a group's ptrMap/itab bits): a bit-vector among the integers, since
        masks are combined with ``|`` and ``&``."""
        self._n += 1
        return self.z3.BitVec(f"{self.prefix}{name}#{self._n}", bits)

    def eq(self, a: Any, b: Any) -> Any:
        z3 = self.z3
        for x, y in ((a, b), (b, a)):  # a mask against a Python int
            if isinstance(y, int) and not isinstance(y, bool) and z3.is_bv(x):
                return x == z3.BitVecVal(y, x.size())
        return super().eq(a, b)

    def ult(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return a < b
        return self.bv(a) < self.bv(b)

    def ule(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            return a <= b
        return self.bv(a) <= self.bv(b)

    def align(self, x: Any, a: Any) -> Any:
        if isinstance(x, int) and isinstance(a, int):
            return (x + a - 1) & -a
        if isinstance(a, int):
            return ((self.bv(x) + (a - 1)) / a) * a
        out = self.bv(x)
        for k in self._ALIGNS[1:]:
            out = self.z3.If(a == k, ((self.bv(x) + (k - 1)) / k) * k, out)
        return out

    def aligned(self, x: Any, a: Any) -> Any:
        if isinstance(x, int) and isinstance(a, int):
            return not (x & (a - 1))
        if isinstance(a, int):
            return self.bv(x) % a == 0
        return self.z3.Or(a == 1, *[self.z3.And(a == k, self.bv(x) % k == 0)
                                    for k in self._ALIGNS[1:]])

    def shr(self, x: Any, k: int) -> Any:
        if isinstance(x, int):
            return x >> k
        return x / (1 << k)

    def urem(self, x: Any, y: Any) -> Any:
        if isinstance(x, int) and isinstance(y, int):
            return x % y if y else x
        return self.z3.If(self.bv(y) == 0, self.bv(x), self.bv(x) % self.bv(y))

    def udiv(self, x: Any, y: Any) -> Any:
        if isinstance(x, int) and isinstance(y, int):
            return x // y if y else 0
        return self.z3.If(self.bv(y) == 0, 0, self.bv(x) / self.bv(y))

    def bit(self, x: Any, i: Any) -> Any:
        if isinstance(x, int) and isinstance(i, int):
            return bool(x >> i & 1)
        if isinstance(i, int) and self.z3.is_bv(x):
            return self.z3.Extract(i, i, x) == 1
        if isinstance(i, int):
            return (self.bv(x) / (1 << i)) % 2 == 1
        raise NotImplementedError("a symbolic bit index over the integers")

    def setbit(self, x: Any, i: Any, c: Any) -> Any:
        raise NotImplementedError("bit updates over the integers")


def _bitof(s: int, i: Any) -> Any:
    """Membership of a symbolic index in a concrete set: a disjunction over its bits (concrete
    sets inside symbolic runs are small: a basic kind's mask)."""
    import z3

    bits = [k for k in range(s.bit_length()) if s >> k & 1]
    if not bits:
        return False
    return z3.Or([i == k for k in bits]) if len(bits) > 1 else (i == bits[0])


def conj(D: Domain, xs: Iterable[Any]) -> Any:
    return D.and_(*xs)


def count_true(D: Domain, xs: Sequence[Any]) -> Any:
    """Number of true booleans in ``xs`` (a sum of ites symbolically)."""
    total: Any = 0
    for x in xs:
        total = total + D.ite(x, 1, 0) if not isinstance(x, bool) else total + int(x)
    return total
