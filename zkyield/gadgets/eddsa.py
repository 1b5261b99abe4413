"""EdDSA-Poseidon signature check in circuit: circomlib's EdDSAPoseidonVerifier, with the checks it leaves out.

Accepts exactly when S < l and S * Base8 == R8 + 8 * h * A for h = Poseidon(R8x, R8y, Ax, Ay, M) taken
as its canonical 254-bit integer, A and R8 on the curve and 8 * A not the identity. circomlib checks
neither point's curve equation; here both are constrained (3 constraints each), since the Edwards
formulas are only exact on the curve. R8 then lies in the prime-order subgroup because the equation
makes it S * Base8 - 8 h A. A's own torsion part is not constrained (8 * A removes it, as in
circomlib): keys enter statements as public values, which ``zkyield.babyjub.check_point`` checks out
of circuit (and here, at build time, for a constant key). Cost: 4,163 constraints (3,109 for a
constant key), against 4,217 for circomlib's verifier under the pinned circom2 ``--O2``.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.babyjub import BASE8, SUBORDER, check_point
from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.field import R
from zkyield.gadgets.babyjub import (
    assert_on_curve,
    edwards_add,
    edwards_double,
    lift_point,
    quotient,
    scalar_mul_any,
    scalar_mul_fixed,
)
from zkyield.gadgets.bits import decompose, require_bool
from zkyield.gadgets.poseidon import poseidon_gadget

S_BITS = SUBORDER.bit_length()  # 251
FIELD_BITS = R.bit_length()  # 254


def eddsa_poseidon_verify(c: Circuit, public_key: Sequence[Operand], message: Operand,
                          r8: Sequence[Operand], s: Operand) -> None:
    """Constrain (R8, S) to be a valid signature of ``message`` under ``public_key`` (see the module doc).

    No precondition on the inputs: every property the equation relies on is proven here.
    """
    a, r8 = lift_point(c, public_key), lift_point(c, r8)
    if a[0].constant is not None and a[1].constant is not None:
        check_point((a[0].constant, a[1].constant), "eddsa_poseidon_verify public_key")
    with c.scope("eddsa"):
        with c.scope("s_range"):
            s_bits = decompose(c, s, S_BITS)
            assert_bits_at_most(c, s_bits, SUBORDER - 1)
        a_squares = assert_on_curve(c, a)
        assert_on_curve(c, r8)
        h = poseidon_gadget(c, [r8[0], r8[1], a[0], a[1], message])
        with c.scope("h_bits"):
            h_bits = to_bits_strict(c, h)
        with c.scope("cofactor"):
            a8 = edwards_double(c, edwards_double(c, edwards_double(c, a, a_squares)))
            quotient(c, 1, a8[0], "nonzero")  # x(8A) != 0: 8A is not the identity
        right = edwards_add(c, r8, scalar_mul_any(c, h_bits, a8))
        left = scalar_mul_fixed(c, s_bits, BASE8)
        c.assert_equal(left[0], right[0], "equation_x")
        c.assert_equal(left[1], right[1], "equation_y")


def to_bits_strict(c: Circuit, x: Operand) -> list[Value]:
    """The 254 little-endian bits of the canonical value of ``x`` (circomlib Num2Bits_strict).

    254 bits could spell x or x + r; ``assert_bits_at_most(bits, r - 1)`` leaves only x. Cost: 254 + 253.
    """
    v = c.lift(x)
    low = c.hint("low_bits", v, FIELD_BITS - 1, n_out=FIELD_BITS - 1, name="bits")
    for b in low:
        c.assert_bool(b)
    # The top bit as a linear combination: its booleanity constraint carries x == sum(b_i 2^i) mod r.
    top = (v - c.sum(b * (1 << i) for i, b in enumerate(low))) * pow(1 << (FIELD_BITS - 1), -1, R)
    bits = [*low, c.assert_bool(top)]
    assert_bits_at_most(c, bits, R - 1)
    return bits


def assert_bits_at_most(c: Circuit, bits: Sequence[Operand], k: int) -> None:
    """Constrain the integer sum(bits[i] * 2^i) <= k for a constant 0 <= k < 2^len(bits).

    From the top bit down, ``eq`` is 1 while the bits so far equal k's: where k has a 1, eq := eq * b;
    where k has a 0, eq * b == 0 (a 1 there, with all above equal, would exceed k). Booleanity is
    checked unless proven. Cost: at most one constraint per bit below k's top bit, plus one per leading 0.
    """
    n = len(bits)
    if not 0 <= k < 1 << n:
        raise ValueError("assert_bits_at_most: k must be in [0, 2^len(bits))")
    checked = [require_bool(c, b) for b in bits]
    with c.scope("at_most"):
        eq = c.constant(1)
        for i in reversed(range(n)):
            rest = (1 << (i + 1)) - 1
            if k & rest == rest:
                return  # k's remaining bits are all 1: no lower bits can exceed them
            if (k >> i) & 1:
                eq = c.mul(eq, checked[i])
            else:
                c.assert_product(eq, checked[i], 0)
