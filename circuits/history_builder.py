"""Circuit helpers of the history family: proven-width comparisons and the builder clauses share.

Every compared operand carries a proven bit bound (``Value.bits``), so ``width`` gives a comparison
width that cannot wrap modulo r; ``HistoryBuilder`` holds the window's values and builds each shared
sum once, under its own scope, the first time a clause asks for it (history_clauses.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zkyield.circuits.history_series import BPS, BPS_MAX, GROSS_BITS, NAV_BITS, SIGNED_BITS, S, Y
from zkyield.dsl import Circuit, Value
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.compare import assert_less_eq, greater_eq, greater_than
from zkyield.gadgets.fixedpoint import Rounding, div, isqrt, maximum
from zkyield.gadgets.logic import select


def width(*values: Value) -> int:
    """Bits proven for the widest operand: the comparison width that cannot wrap."""
    bits = [v.bits for v in values]
    if None in bits:
        raise AssertionError("history circuit: a compared operand has no proven bound")  # a builder bug
    return max(1, *bits)  # type: ignore[type-var]


def bounded_isqrt(c: Circuit, x: Value, bits: int) -> Value:
    """floor(sqrt(x)) for x < 2^bits, carrying the bound the gadget proves (it range-checks the root)."""
    root = isqrt(c, x, bits)
    c.unsafe_assume_bound(root, 1 << (bits + 1) // 2)
    return root


def ge(c: Circuit, lhs: Value, rhs: Value) -> None:
    assert_less_eq(c, rhs, lhs, width(lhs, rhs))


def ge_bit(c: Circuit, lhs: Value, rhs: Value) -> Value:
    return greater_eq(c, lhs, rhs, width(lhs, rhs))


def directed_sqrt_ge(c: Circuit, e_nonneg: Value, k_pos: Value, a2: Value, b2_hi: Value, b2_lo: Value) -> None:
    """Constrain e sqrt(a) >= k sqrt(b) against the prover from sign bits and the squares a2 = e^2 a,
    b2_hi = k^2 b_hi, b2_lo = k^2 b_lo (history_series.directed_sqrt_ge): e >= 0: k <= 0 or a2 >= b2_hi;
    e < 0: k <= 0 and a2 <= b2_lo."""
    above, below = ge_bit(c, a2, b2_hi), ge_bit(c, b2_lo, a2)
    ok = select(c, e_nonneg, select(c, k_pos, above, 1), select(c, k_pos, 0, below))
    c.assert_equal(ok, 1)


class HistoryBuilder:
    """The window's values and the intermediate sums the clauses share, each built once on first use."""

    def __init__(self, c: Circuit, navs: list[Value], duration: Value, rf: Value,
                 var_confidence: Value | int = 0) -> None:
        self.c, self.n, self.navs, self.duration, self.rf = c, len(navs) - 1, navs, duration, rf
        self.var_confidence = var_confidence  # the policy's var_confidence_bps, range-checked to <= 10^4
        self.gross: list[Value] = []  # floor(S nav_i / nav_(i-1)), built when a clause needs GROSS
        self._cache: dict[str, object] = {}

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()`` under scope ``name`` the first time, the same result afterwards."""
        if name not in self._cache:
            with self.c.scope(name):
                self._cache[name] = make()
        return self._cache[name]

    def build_gross(self) -> None:
        """The floored gross returns (docs/history.md); built before any clause that reads ``gross``."""
        c, navs = self.c, self.navs
        self.gross = self.once("gross", lambda: [div(c, S * navs[i], navs[i - 1], NAV_BITS + S.bit_length(),
                                                     NAV_BITS, GROSS_BITS, Rounding.FLOOR)
                                                 for i in range(1, self.n + 1)])

    def peaks(self) -> list[Value]:
        """The running maxima p_j = max(nav_0..nav_j) (drawdown, Calmar)."""
        def make() -> list[Value]:
            out = [self.navs[0]]
            for j in range(1, len(self.navs)):
                with self.c.scope(f"snapshot[{j}]"):
                    out.append(maximum(self.c, out[-1], self.navs[j], NAV_BITS))
            return out
        return self.once("peaks", make)

    def sum_x(self) -> Value:
        return self.once("sum_x", lambda: self.c.sum(self.gross))

    def sq_sum_x(self) -> Value:
        return self.once("sq_sum_x", lambda: self.c.mul(self.sum_x(), self.sum_x()))

    def sum_x2(self) -> Value:
        return self.once("sum_x2", lambda: self.c.sum(self.c.mul(x, x) for x in self.gross))

    def rf_d_s(self) -> Value:
        return self.once("rf_d", lambda: self.c.mul(self.rf, self.duration) * S)

    def excess(self) -> tuple[Value, Value]:
        """(E >= 0, |E| squared), E = 10^4 Y (sum x - n S) - rf D S."""
        def make() -> tuple[Value, Value]:
            pos, neg = BPS * Y * self.sum_x(), BPS * Y * self.n * S + self.rf_d_s()
            nonneg = ge_bit(self.c, pos, neg)
            mag = range_check(self.c, select(self.c, nonneg, pos - neg, neg - pos), width(pos, neg))
            return nonneg, self.c.mul(mag, mag)
        return self.once("excess", make)

    def spread_bounds(self) -> tuple[Value, Value]:
        """(L, H) = (max(0, 2s - n), 2s + 2 + n), s = isqrt(V): twice a lower and an upper bound of the
        unfloored returns' sqrt(V) (history_series.Series.spread_bounds)."""
        def make() -> tuple[Value, Value]:
            c, n = self.c, self.n
            v_bits = 2 * (GROSS_BITS + n.bit_length())  # V < n sum x^2 < n^2 2^80
            root = bounded_isqrt(c, n * self.sum_x2() - self.sq_sum_x(), v_bits)
            twice = 2 * root
            half = (v_bits + 1) // 2  # root < 2^half, so 0 <= L <= 2 root < 2^(half + 1)
            low = range_check(c, select(c, greater_eq(c, twice, n, half + 1), twice - n, 0), half + 1)
            return low, twice + 2 + n
        return self.once("spread", make)

    def signed_threshold(self, k_off: Value) -> tuple[Value, Value]:
        """(k > 0, k^2) from the offset threshold k + BPS_MAX."""
        c = self.c
        k_pos = greater_than(c, k_off, BPS_MAX, SIGNED_BITS)
        mag = range_check(c, select(c, k_pos, k_off - BPS_MAX, BPS_MAX - k_off), BPS_MAX.bit_length())
        return k_pos, c.mul(mag, mag)


