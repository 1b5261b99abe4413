"""Integer identities wider than the field: ``a * b + e == p * q + f`` for operands below 2^240.

A product of two 160- and 224-bit integers (Uniswap's ``L * 2^96 * (b - a)``) exceeds r ~ 2^253.6, so
the field equation alone would let a prover pick a wrapped solution. Here every operand is split into
two 120-bit limbs (range-checked, so the split is the integer's), the three coefficients of both sides'
limb polynomials are compared with two signed carries (range-checked to 125 bits), and every
quantity involved stays below 2^245 in magnitude, far from r/2: the field equations therefore hold over
the integers, and so does the identity. Cost: one range check per operand's limbs, up to 8 products,
2 x 125 for the carries and 3 equalities.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.compare import assert_less_than

LIMB = 120
MAX_BITS = 2 * LIMB
_LIMBS: WeakKeyDictionary[Circuit, dict[tuple, tuple[Value, Value, int]]] = WeakKeyDictionary()  # checked limbs
_CARRY_OFFSET = 1 << 124  # |carry| < 2^123 (see the module docstring), so carry + 2^124 < 2^125
# The hints ("wide.split", "wide.carry", "wide.muldiv") are standard ones in zkyield.dsl.hints, so a compiled
# witness program runs without importing this module.


def _limbs(c: Circuit, x: Operand, bits: int) -> tuple[Value, Value]:
    if not 0 < bits <= MAX_BITS:
        raise ValueError(f"wide operand width {bits} outside 1..{MAX_BITS}")
    v = c.lift(x)
    k = v.constant
    if k is not None:
        if k >> bits:
            raise ValueError(f"constant does not fit in {bits} bits")
        return c.constant(k & ((1 << LIMB) - 1)), c.constant(k >> LIMB)
    if bits <= LIMB:
        return range_check(c, v, bits), c.constant(0)
    if v.bound is not None and v.bound <= 1 << LIMB:  # proven narrow already: one limb
        return v, c.constant(0)
    key = tuple(sorted(v.lc.items()))
    cache = _LIMBS.setdefault(c, {})
    if key in cache and cache[key][2] <= bits:  # the same value split before, as narrow or narrower
        return cache[key][:2]
    lo, hi = c.hint("wide.split", v, n_out=2, name="limb")
    range_check(c, lo, LIMB)
    range_check(c, hi, bits - LIMB)
    c.assert_equal(lo + hi * (1 << LIMB), v, "limbs")
    c.unsafe_assume_bound(v, 1 << bits)  # the two checked limbs spell it: later comparisons reuse this
    cache[key] = (lo, hi, bits)
    return lo, hi


def mul_add_equal(c: Circuit, lhs: tuple[tuple[Operand, int], ...], rhs: tuple[tuple[Operand, int], ...]) -> None:
    """Constrain ``a * b + e == p * q + f`` over the integers; each side is ``((a, bits), (b, bits), (e, bits))``
    with every operand proven below ``2^bits`` here (bits <= 240)."""
    with c.scope("wide"):
        (a0, a1), (b0, b1), (e0, e1) = (_limbs(c, x, n) for x, n in lhs)
        (p0, p1), (q0, q1), (f0, f1) = (_limbs(c, x, n) for x, n in rhs)
        k0 = c.mul(a0, b0) + e0 - c.mul(p0, q0) - f0
        k1 = c.mul(a0, b1) + c.mul(a1, b0) + e1 - c.mul(p0, q1) - c.mul(p1, q0) - f1
        k2 = c.mul(a1, b1) - c.mul(p1, q1)
        carry0 = c.hint("wide.carry", k0, name="carry")
        range_check(c, carry0 + _CARRY_OFFSET, 125)
        c.assert_equal(k0, carry0 * (1 << LIMB), "coefficient0")
        carry1 = c.hint("wide.carry", k1 + carry0, name="carry")
        range_check(c, carry1 + _CARRY_OFFSET, 125)
        c.assert_equal(k1 + carry0, carry1 * (1 << LIMB), "coefficient1")
        c.assert_equal(k2 + carry1, 0, "coefficient2")


def floor_muldiv(c: Circuit, a: tuple[Operand, int], b: tuple[Operand, int], d: tuple[Operand, int],
                 q_bits: int) -> Value:
    """``floor(a * b / d)`` for ``d > 0`` (the caller ensures it), proven with a remainder ``< d``."""
    q, rem = c.hint("wide.muldiv", a[0], b[0], d[0], n_out=2, name="muldiv")
    mul_add_equal(c, (a, b, (0, 1)), ((q, q_bits), d, (rem, d[1])))
    with c.scope("remainder"):
        assert_less_than(c, rem, d[0], d[1])
    return q
