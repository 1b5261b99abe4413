"""BabyJubJub point arithmetic in circuit: twisted Edwards where completeness matters, Montgomery where cost does.

Points are ``(x, y)`` pairs of Values (Edwards) or ``(u, v)`` pairs (Montgomery, By^2 = u^3 + Au^2 + u with
A = 2(a + d)/(a - d) = 168698, B = 4/(a - d) = 1, the curve circomlib's montgomery.circom uses). A
quotient n/d is a hint q with one constraint ``q * d == n``; where d could be 0 that constraint would
leave q free, so every function states the precondition that keeps its denominators nonzero.

Costs (constraints): ``assert_on_curve`` 3; ``edwards_add`` 6 (3 when one point is constant);
``edwards_double`` 5 (3 given the squares from ``assert_on_curve``); ``montgomery_add`` 3,
``montgomery_double`` 4, conversions 2 each; ``select_point`` 2; ``lookup`` of 2^k constant points
0 / 1 / 3 for k = 1 / 2 / 3. ``scalar_mul_any``: 9 per bit (circomlib's EscalarMulAny scheme);
``scalar_mul_fixed``: 6 per 3-bit window (circomlib's EscalarMulFix scheme with constant tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from zkyield import babyjub
from zkyield.babyjub import A_COEF, D_COEF
from zkyield.dsl import Circuit, Value
from zkyield.dsl.value import Operand
from zkyield.field import R
from zkyield.gadgets.bits import require_bool

Point = tuple[Value, Value]
MONT_A = 2 * (A_COEF + D_COEF) * pow(A_COEF - D_COEF, -1, R) % R  # 168698
MONT_B = 4 * pow(A_COEF - D_COEF, -1, R) % R  # 1
_INV_D = pow(D_COEF, -1, R)
# Segment lengths keeping every integer scalar of a segment below l (see the two scalar multiplications).
ANY_SEGMENT_BITS = 148
FIXED_SEGMENT_BITS = 249


def quotient(c: Circuit, num: Operand, den: Operand, name: str = "quotient") -> Value:
    """q = num / den with ``q * den == num`` (1 constraint, free if den is constant). The caller must
    ensure den != 0 for every satisfying assignment, else q is unconstrained."""
    num, den = c.lift(num), c.lift(den)
    kd = den.constant
    if kd is not None:
        if kd == 0:
            raise ValueError(f"{name}: division by the constant 0")
        return num * pow(kd, -1, R)
    q = c.hint("field_divide", num, den, name=name)
    c.assert_product(q, den, num, name=name)
    return q


def lift_point(c: Circuit, p: Sequence[Operand]) -> Point:
    x, y = p
    return c.lift(x), c.lift(y)


def assert_on_curve(c: Circuit, p: Sequence[Operand]) -> tuple[Value, Value]:
    """a x^2 + y^2 == 1 + d x^2 y^2 (3 constraints); returns (x^2, y^2) for ``edwards_double``."""
    x, y = lift_point(c, p)
    with c.scope("on_curve"):
        x2, y2 = c.mul(x, x), c.mul(y, y)
        c.assert_product(x2, y2, (A_COEF * x2 + y2 - 1) * _INV_D)
    return x2, y2


def edwards_add(c: Circuit, p: Sequence[Operand], q: Sequence[Operand]) -> Point:
    """p + q by the unified law (circomlib BabyAdd). Precondition: both points on the curve; the law is
    complete there (a square, d not), so 1 +- d x1 x2 y1 y2 != 0 and the sum is exact, identity included."""
    (x1, y1), (x2, y2) = lift_point(c, p), lift_point(c, q)
    with c.scope("edwards_add"):
        beta = c.mul(x1, y2)
        gamma = c.mul(y1, x2)
        delta = c.mul(y1 - A_COEF * x1, x2 + y2)
        tau = c.mul(beta, gamma)
        x3 = quotient(c, beta + gamma, 1 + D_COEF * tau, "x")
        y3 = quotient(c, delta + A_COEF * beta - gamma, 1 - D_COEF * tau, "y")
    return x3, y3


def edwards_double(c: Circuit, p: Sequence[Operand], squares: tuple[Value, Value] | None = None) -> Point:
    """2p by the dedicated doubling formulas. Precondition: p on the curve (they use the curve equation:
    a x^2 + y^2 = 1 + d x^2 y^2 and 2 - a x^2 - y^2 = 1 - d x^2 y^2, both nonzero by completeness)."""
    x, y = lift_point(c, p)
    with c.scope("edwards_double"):
        x2, y2 = squares if squares is not None else (c.mul(x, x), c.mul(y, y))
        xy = c.mul(x, y)
        x3 = quotient(c, 2 * xy, A_COEF * x2 + y2, "x")
        y3 = quotient(c, y2 - A_COEF * x2, 2 - A_COEF * x2 - y2, "y")
    return x3, y3


def to_montgomery(c: Circuit, p: Sequence[Operand]) -> Point:
    """(u, v) = ((1 + y)/(1 - y), u/x). Precondition: p on the curve with x != 0 (not (0, 1) or (0, -1))."""
    x, y = lift_point(c, p)
    with c.scope("to_montgomery"):
        u = quotient(c, 1 + y, 1 - y, "u")
        return u, quotient(c, u, x, "v")


def from_montgomery(c: Circuit, m: Sequence[Operand]) -> Point:
    """(x, y) = (u/v, (u - 1)/(u + 1)). Precondition: v != 0 (no Montgomery point has u = -1: that needs
    v^2 = d, a non-square), which holds for every point of the prime-order subgroup but the identity."""
    u, v = lift_point(c, m)
    with c.scope("from_montgomery"):
        return quotient(c, u, v, "x"), quotient(c, u - 1, u + 1, "y")


def montgomery_add(c: Circuit, p: Sequence[Operand], q: Sequence[Operand]) -> Point:
    """p + q on the Montgomery curve (circomlib MontgomeryAdd). Precondition: u1 != u2, i.e. p != +-q,
    and neither is the point at infinity (which has no affine form)."""
    (u1, v1), (u2, v2) = lift_point(c, p), lift_point(c, q)
    with c.scope("montgomery_add"):
        lam = quotient(c, v2 - v1, u2 - u1, "lambda")
        u3 = MONT_B * c.mul(lam, lam) - MONT_A - u1 - u2
        return u3, c.mul(lam, u1 - u3) - v1


def montgomery_double(c: Circuit, p: Sequence[Operand]) -> Point:
    """2p on the Montgomery curve (circomlib MontgomeryDouble). Precondition: v != 0 (p not of order 2)."""
    u, v = lift_point(c, p)
    with c.scope("montgomery_double"):
        u2 = c.mul(u, u)
        lam = quotient(c, 3 * u2 + 2 * MONT_A * u + 1, 2 * MONT_B * v, "lambda")
        u3 = MONT_B * c.mul(lam, lam) - MONT_A - 2 * u
        return u3, c.mul(lam, u - u3) - v


def select_point(c: Circuit, bit: Operand, if_one: Sequence[Operand], if_zero: Sequence[Operand]) -> Point:
    """bit ? if_one : if_zero for a proven-boolean bit (2 constraints, 0 when both are constants)."""
    b = require_bool(c, bit)
    (x1, y1), (x0, y0) = lift_point(c, if_one), lift_point(c, if_zero)
    return x0 + c.mul(b, x1 - x0), y0 + c.mul(b, y1 - y0)


def lookup(c: Circuit, bits: Sequence[Operand], table: Sequence[tuple[int, int]]) -> Point:
    """table[sum(bits[i] * 2^i)] for 1..3 boolean bits and 2^len(bits) constant pairs (circomlib Mux3).

    Each coordinate is the multilinear polynomial through the table; with b0*b1 shared, 3 bits cost
    3 constraints, 2 bits 1, 1 bit 0.
    """
    n = len(bits)
    if not 1 <= n <= 3 or len(table) != 1 << n:
        raise ValueError("lookup: 1..3 bits and a table of 2^bits points")
    b = [require_bool(c, x) for x in bits]
    low = [c.constant(1), b[0]]
    if n >= 2:
        low += [b[1], c.mul(b[0], b[1])]
    coords = []
    for k in range(2):
        coef = _multilinear([t[k] for t in table])
        value = c.sum(coef[m] * low[m] for m in range(len(low)))
        if n == 3:
            value += c.mul(b[2], c.sum(coef[4 + m] * low[m] for m in range(4)))
        coords.append(value)
    return coords[0], coords[1]


def _multilinear(values: list[int]) -> list[int]:
    """Coefficients of the monomials prod_{i in S} b_i (S as a bit mask) taking ``values`` on {0,1}^n."""
    coef = list(values)
    step = 1
    while step < len(coef):
        for mask in range(len(coef)):
            if mask & step:
                coef[mask] = (coef[mask] - coef[mask ^ step]) % R
        step <<= 1
    return coef


def montgomery_constant(p: babyjub.Point) -> tuple[int, int]:
    """The Montgomery form of a constant Edwards point other than (0, +-1)."""
    x, y = p
    u = (1 + y) * pow(1 - y, -1, R) % R
    return u, u * pow(x, -1, R) % R


def scalar_mul_any(c: Circuit, bits: Sequence[Operand], p: Sequence[Operand]) -> Point:
    """sum(bits[i] * 2^i) * p for a variable point p (Edwards in and out), 9 constraints per bit.

    Precondition (the caller proves it): p is in the prime-order subgroup and is not the identity, e.g.
    p = 8 * A with A on the curve and x(p) != 0. circomlib's SegmentMulAny scheme: per segment of at most
    148 bits with base P (= 2^(148 s) p) the accumulator starts at P and adds D_j = 2^j P for each set bit
    j >= 1, in Montgomery form; bit 0 is applied at the end by subtracting P (complete Edwards law) when
    it is clear. Before step j the accumulator is an odd multiple k < 2^j of P, so k != 2^j and
    k + 2^j < 2^148 < l: the Montgomery additions never meet p = +-q, and no point is the identity.
    """
    bits = [require_bool(c, b) for b in bits]
    if not bits:
        raise ValueError("scalar_mul_any needs at least one bit")
    with c.scope("scalar_mul_any"):
        base_e = lift_point(c, p)
        base_m = dbl = to_montgomery(c, base_e)
        result: Point | None = None
        for s, start in enumerate(range(0, len(bits), ANY_SEGMENT_BITS)):
            seg = bits[start : start + ANY_SEGMENT_BITS]
            with c.scope(f"segment{s}"):
                if s > 0:
                    base_m = montgomery_double(c, dbl)
                    base_e = from_montgomery(c, base_m)
                acc = dbl = base_m
                for j in range(1, len(seg)):
                    dbl = montgomery_double(c, dbl)
                    acc = select_point(c, seg[j], montgomery_add(c, dbl, acc), acc)
                acc_e = from_montgomery(c, acc)
                minus_base = (-base_e[0], base_e[1])
                term = select_point(c, seg[0], acc_e, edwards_add(c, acc_e, minus_base))
            result = term if result is None else edwards_add(c, result, term)
    return result


def scalar_mul_fixed(c: Circuit, bits: Sequence[Operand], base: babyjub.Point) -> Point:
    """sum(bits[i] * 2^i) * base for a constant point base of the prime-order subgroup, about 6
    constraints per 3 bits (Edwards result).

    Per segment of at most 249 bits (W windows of 3) with base P: the accumulator starts at the constant
    (8^W + w_0) P and adds w_i 8^i P, w_i = 1 + (window i) in [1, 8], each looked up from a constant
    table, in Montgomery form; a constant correction -(8^W + sum 8^i) P is added at the end with the
    complete Edwards law. Before adding window i the accumulator's multiple k satisfies
    8^W < k < 8^W + 8^W / 7 and the window's m <= 8^W, so 0 < k - m and k + m < (15/7) 2^249 < l: no
    Montgomery addition meets p = +-q or the identity, for any bits. A segment of at most 3 bits is a
    plain Edwards table lookup, and the correction is folded into such a table when there is one.
    """
    babyjub.check_point(base, "scalar_mul_fixed base")
    bits = [require_bool(c, b) for b in bits]
    if not bits:
        raise ValueError("scalar_mul_fixed needs at least one bit")
    starts = list(range(0, len(bits), FIXED_SEGMENT_BITS))
    correction = babyjub.IDENTITY
    for start in starts:
        n = len(bits[start : start + FIXED_SEGMENT_BITS])
        if n > 3:
            w = -(-n // 3)
            k = 8**w + sum(8**i for i in range(w))
            correction = babyjub.add(correction, babyjub.negate(babyjub.mul(base, k << start)))
    terms: list[Point] = []
    with c.scope("scalar_mul_fixed"):
        for s, start in enumerate(starts):
            seg = bits[start : start + FIXED_SEGMENT_BITS]
            p = babyjub.mul(base, 1 << start)
            with c.scope(f"segment{s}"):
                if len(seg) > 3:
                    terms.append(_fixed_segment(c, seg, p))
                else:  # a short tail: the table itself, with the pending correction folded in
                    table = [babyjub.add(babyjub.mul(p, j), correction) for j in range(1 << len(seg))]
                    correction = babyjub.IDENTITY
                    terms.append(lookup(c, seg, table))
        if correction != babyjub.IDENTITY:
            terms.append((c.constant(correction[0]), c.constant(correction[1])))
        result = terms[0]
        for t in terms[1:]:
            result = edwards_add(c, result, t)
    return result


def _fixed_segment(c: Circuit, seg: list[Value], p: babyjub.Point) -> Point:
    """(8^W + sum 8^i + e) * p in Edwards form, e the segment's scalar (see ``scalar_mul_fixed``)."""
    w = -(-len(seg) // 3)
    padded = [*seg, *(c.constant(0) for _ in range(3 * w - len(seg)))]
    tables = _fixed_tables(p, w)
    acc = lookup(c, padded[0:3], tables[0])
    for i in range(1, w):
        with c.scope(f"window{i}"):
            acc = montgomery_add(c, acc, lookup(c, padded[3 * i : 3 * i + 3], tables[i]))
    return from_montgomery(c, acc)


@cache
def _fixed_tables(p: babyjub.Point, w: int) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Montgomery tables of ``_fixed_segment``: (8^w + 1 + j) p for window 0, (1 + j) 8^i p for i >= 1."""
    offset = babyjub.mul(p, 8**w)
    tables = []
    step = p  # 8^i p
    for i in range(w):
        multiples = [step]
        for _ in range(7):
            multiples.append(babyjub.add(multiples[-1], step))
        next_step = multiples[-1]
        if i == 0:
            multiples = [babyjub.add(offset, m) for m in multiples]
        tables.append(tuple(montgomery_constant(m) for m in multiples))
        step = next_step
    return tuple(tables)
