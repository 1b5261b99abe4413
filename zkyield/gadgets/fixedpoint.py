"""Integer division with a constrained remainder, integer square root, and unsigned fixed point.

Every gadget proves the integer relation it claims, not just a field relation: each side of the
defining equation is bounded below r (the "no-wrap" conditions below, checked when the circuit is
built), so equality mod r is equality of integers and the quotient is unique.

- ``div_const(x, d)``: floor: ``x = q*d + rem``; ceil: ``q*d = x + rem``; ``0 <= rem < d``.
  No-wrap: x < 2^x_bits <= 2^253, 2^x_bits + d <= r and (2^q_bits + 1) * d <= r.
- ``div(x, d)`` (d a circuit value): the same with ``0 <= rem < d`` proven as ``d - rem - 1 >= 0``;
  d = 0 has no satisfying witness. No-wrap: q_bits + d_bits <= 252 and x_bits <= 252.
- ``isqrt(x)``: ``s = floor(sqrt(x))`` via ``s^2 <= x < (s+1)^2``. No-wrap: x_bits <= 251.
- ``FixedPoint(scale, bits)``: a value v means v / scale, every value is an integer in [0, 2^bits).
  ``mul`` = round(a*b / scale), ``div`` = round(a*scale / b), ``sqrt`` = floor(sqrt(a*scale)).
  Needs 2*bits <= 252 (a*b < 2^(2 bits) < r) and bits + bitlen(scale) <= 251; results are
  range-checked to ``bits``, so an overflowing result has no witness instead of wrapping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.field import R
from zkyield.gadgets.bits import decompose, range_check
from zkyield.gadgets.compare import less_than
from zkyield.gadgets.logic import select


class Rounding(str, Enum):
    FLOOR = "floor"
    CEIL = "ceil"


def div_const(c: Circuit, x: Operand, d: int, x_bits: int, q_bits: int | None = None,
              rounding: Rounding = Rounding.FLOOR) -> Value:
    """x / d rounded as asked, for a constant d >= 1 and x < 2^x_bits (range-checked here).

    The remainder is the linear combination ``x - q*d`` (ceil: ``q*d - x``), so no wire.
    Cost: q_bits + b (+ b when d is not a power of two) (+ x_bits if x is unproven), b = bitlen(d - 1);
    q_bits defaults to the width of the largest possible quotient. d = 1 returns x itself (0 constraints
    beyond the range checks).
    """
    rounding = Rounding(rounding)
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise ValueError("div_const: divisor must be an int >= 1")
    if q_bits is None:
        q_bits = (-(-((1 << x_bits) - 1) // d)).bit_length()
    if (2**q_bits + 1) * d > R or (1 << x_bits) + d > R:
        raise ValueError(f"div_const: q_bits={q_bits}, x_bits={x_bits} with this divisor can wrap mod r")
    rem_bits = (d - 1).bit_length()
    with c.scope(f"div_{rounding.value}"):
        x = range_check(c, x, x_bits)
        if d == 1:
            return range_check(c, x, min(x_bits, q_bits))
        q = c.hint("divide", x, d, int(rounding == Rounding.CEIL), name="q")
        range_check(c, q, q_bits)
        rem = x - q * d if rounding == Rounding.FLOOR else q * d - x
        decompose(c, rem, rem_bits)
        if d & (d - 1):
            decompose(c, d - 1 - rem, rem_bits)
    return q


def div(c: Circuit, x: Operand, d: Operand, x_bits: int, d_bits: int, q_bits: int | None = None,
        rounding: Rounding = Rounding.FLOOR) -> Value:
    """x / d rounded as asked, for x < 2^x_bits and 1 <= d < 2^d_bits (both range-checked here).

    Cost: 1 + q_bits + 2*d_bits (+ x_bits, + d_bits for unproven inputs); q_bits defaults to x_bits.
    """
    rounding = Rounding(rounding)
    q_bits = x_bits if q_bits is None else q_bits
    if q_bits + d_bits > 252 or x_bits > 252:
        raise ValueError("div: needs q_bits + d_bits <= 252 and x_bits <= 252 so q*d cannot wrap mod r")
    with c.scope(f"div_{rounding.value}"):
        x, d = range_check(c, x, x_bits), range_check(c, d, d_bits)
        q = c.hint("divide", x, d, int(rounding == Rounding.CEIL), name="q")
        range_check(c, q, q_bits)
        qd = q * d
        rem = x - qd if rounding == Rounding.FLOOR else qd - x
        decompose(c, rem, d_bits)
        decompose(c, d - rem - 1, d_bits)
    return q


def isqrt(c: Circuit, x: Operand, x_bits: int) -> Value:
    """floor(sqrt(x)) for x < 2^x_bits (range-checked here), x_bits <= 251.

    Constraints: s < 2^ceil(x_bits/2), x - s^2 in [0, 2^x_bits), s^2 + 2s - x in [0, 2^(x_bits+1)).
    Cost: ceil(x_bits/2) + 1 + x_bits + (x_bits + 1) (+ x_bits if x is unproven).
    """
    if not 0 < x_bits <= 251:
        raise ValueError("isqrt: x_bits must be in [1, 251]")
    half = (x_bits + 1) // 2
    with c.scope("isqrt"):
        x = range_check(c, x, x_bits)
        s = c.hint("isqrt", x, name="s")
        range_check(c, s, half)
        sq = s * s
        decompose(c, x - sq, x_bits)
        decompose(c, sq + 2 * s - x, x_bits + 1)
    return s


def minimum(c: Circuit, a: Operand, b: Operand, n: int) -> Value:
    """min(a, b) for a, b < 2^n (range-checked by the comparison). Cost: less_than + 1."""
    with c.scope("min"):
        return select(c, less_than(c, a, b, n), a, b)


def maximum(c: Circuit, a: Operand, b: Operand, n: int) -> Value:
    """max(a, b) for a, b < 2^n (range-checked by the comparison). Cost: less_than + 1."""
    with c.scope("max"):
        return select(c, less_than(c, a, b, n), b, a)


@dataclass(frozen=True)
class FixedPoint:
    """Unsigned fixed point: the integer v stands for v / scale, and every value is < 2^bits."""

    scale: int
    bits: int

    def __post_init__(self) -> None:
        if isinstance(self.scale, bool) or not isinstance(self.scale, int) or self.scale < 1:
            raise ValueError("FixedPoint.scale must be an int >= 1")
        if self.bits < 1 or 2 * self.bits > 252 or self.bits + self.scale.bit_length() > 251:
            raise ValueError("FixedPoint.bits: need 2*bits <= 252 and bits + bitlen(scale) <= 251 (no wrap mod r)")

    # -- witness side ------------------------------------------------------------------------------

    def encode(self, x: int | str | Decimal | Fraction, rounding: Rounding = Rounding.FLOOR) -> int:
        """The integer representing ``x`` (rounded as asked); raises ValueError outside [0, 2^bits)."""
        f = Fraction(x) * self.scale
        v = math.floor(f) if Rounding(rounding) == Rounding.FLOOR else math.ceil(f)
        if not 0 <= v < 1 << self.bits:
            raise ValueError(f"fixed-point value out of range [0, 2^{self.bits}) at scale {self.scale}")
        return v

    def decode(self, v: int) -> Fraction:
        return Fraction(v, self.scale)

    # -- circuit side ------------------------------------------------------------------------------

    def mul(self, c: Circuit, a: Operand, b: Operand, rounding: Rounding = Rounding.FLOOR) -> Value:
        """round(a*b / scale). Cost: 1 + bits + b(scale) (x2 if scale is not 2^k) (+ bits per unproven input)."""
        with c.scope("fx_mul"):
            p = range_check(c, a, self.bits) * range_check(c, b, self.bits)
            return div_const(c, p, self.scale, 2 * self.bits, self.bits, rounding)

    def div(self, c: Circuit, a: Operand, b: Operand, rounding: Rounding = Rounding.FLOOR) -> Value:
        """round(a*scale / b); b = 0 has no witness. Cost: 1 + 3*bits (+ bits per unproven input)."""
        with c.scope("fx_div"):
            x = range_check(c, a, self.bits) * self.scale
            return div(c, x, b, self.bits + self.scale.bit_length(), self.bits, self.bits, rounding)

    def sqrt(self, c: Circuit, a: Operand) -> Value:
        """floor(sqrt(a*scale)), i.e. the square root at this scale rounded down. Cost: ~2.5*(bits + bitlen(scale))."""
        with c.scope("fx_sqrt"):
            return isqrt(c, range_check(c, a, self.bits) * self.scale, self.bits + self.scale.bit_length())

    def min(self, c: Circuit, a: Operand, b: Operand) -> Value:
        return minimum(c, a, b, self.bits)

    def max(self, c: Circuit, a: Operand, b: Operand) -> Value:
        return maximum(c, a, b, self.bits)

    def sum(self, c: Circuit, values: Sequence[Operand]) -> Value:
        """Exact sum (no constraint). It may exceed 2^bits; the next gadget range-checks what it uses."""
        return c.sum(values)
