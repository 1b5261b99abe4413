"""BabyJubJub: the twisted Edwards curve a x^2 + y^2 = 1 + d x^2 y^2 over BN254's Fr (circomlib's parameters).

a = 168700 is a square and d = 168696 a non-square in Fr, so the unified addition law is complete:
it adds any two points of the curve, doubling and the identity (0, 1) included, with no exceptional
case. The group has order 8 * l (``SUBORDER`` = l, a 251-bit prime); ``BASE8`` generates the
order-l subgroup that keys and signatures live in. Points are ``(x, y)`` tuples of canonical ints.

Scalar multiplication here is plain double-and-add on Python ints: not constant time. That is the
usual trade for a reference implementation; keep signing keys off hosts where timing is observable.
"""

from __future__ import annotations

from zkyield.errors import PointError
from zkyield.field import R

Point = tuple[int, int]

A_COEF = 168700
D_COEF = 168696
ORDER = 21888242871839275222246405745257275088614511777268538073601725287587578984328  # 8 * l
SUBORDER = ORDER >> 3  # l
COFACTOR = 8
IDENTITY: Point = (0, 1)
GENERATOR: Point = (
    995203441582195749578291179787384436505546430278305826713579947235728471134,
    5472060717959818805561601436314318772137091100104008585924551046643952123905,
)
BASE8: Point = (
    5299619240641551281634865583518297030282874472190772894086521144482721001553,
    16950150798460657717958625567821834550301663161624707787222815936182638968203,
)


def is_on_curve(p: Point) -> bool:
    """True if ``p`` is a pair of canonical Fr ints satisfying the curve equation."""
    if not _is_pair(p):
        return False
    x, y = p
    x2, y2 = x * x % R, y * y % R
    return (A_COEF * x2 + y2) % R == (1 + D_COEF * x2 % R * y2) % R


def add(p: Point, q: Point) -> Point:
    """p + q by the unified (complete) twisted Edwards law; both must be on the curve."""
    (x1, y1), (x2, y2) = p, q
    t = D_COEF * x1 % R * x2 % R * y1 % R * y2 % R
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, R) % R
    y3 = (y1 * y2 - A_COEF * x1 * x2) * pow(1 - t, -1, R) % R
    return x3, y3


def negate(p: Point) -> Point:
    return (-p[0]) % R, p[1]


def mul(p: Point, k: int) -> Point:
    """k * p for an integer k >= 0 (double-and-add, most significant bit first, projective inside)."""
    if k < 0:
        raise ValueError("scalar must be >= 0")
    x, y = p
    acc = (0, 1, 1)
    for bit in bin(k)[2:] if k else "":
        acc = _add_projective(acc, acc)
        if bit == "1":
            acc = _add_projective(acc, (x, y, 1))
    zi = pow(acc[2], -1, R)
    return acc[0] * zi % R, acc[1] * zi % R


def _add_projective(p: tuple[int, int, int], q: tuple[int, int, int]) -> tuple[int, int, int]:
    """Projective unified addition (Bernstein-Birkner-Joye-Lange-Peters, add-2008-bbjlp): no inversion."""
    x1, y1, z1 = p
    x2, y2, z2 = q
    a = z1 * z2 % R
    b = a * a % R
    c = x1 * x2 % R
    d = y1 * y2 % R
    e = D_COEF * c % R * d % R
    f, g = (b - e) % R, (b + e) % R
    x3 = a * f % R * (((x1 + y1) * (x2 + y2) - c - d) % R) % R
    y3 = a * g % R * ((d - A_COEF * c) % R) % R
    return x3, y3, f * g % R


def in_subgroup(p: Point) -> bool:
    """True if ``p`` is on the curve and in the order-l subgroup (the identity included)."""
    return is_on_curve(p) and mul(p, SUBORDER) == IDENTITY


def has_small_order(p: Point) -> bool:
    """True if 8 * p is the identity: p is one of the 8 torsion points (the identity included)."""
    return mul(p, COFACTOR) == IDENTITY


def check_point(p: object, name: str) -> Point:
    """``p`` as a point of the prime-order subgroup other than the identity, else PointError.

    Why all three: an off-curve point breaks the group law the verification equation relies on, a
    torsion component makes a key or nonce malleable, and a small-order key verifies forgeries.
    """
    if not _is_pair(p):
        raise PointError(f"{name}: expected a pair of canonical Fr integers (x, y)")
    if not is_on_curve(p):  # type: ignore[arg-type]
        raise PointError(f"{name}: the point is not on BabyJubJub")
    if has_small_order(p):  # type: ignore[arg-type]
        raise PointError(f"{name}: the point has small order (it divides the cofactor 8)")
    if mul(p, SUBORDER) != IDENTITY:  # type: ignore[arg-type]
        raise PointError(f"{name}: the point is not in the prime-order subgroup (it has a torsion part)")
    return p  # type: ignore[return-value]


def _is_pair(p: object) -> bool:
    return (isinstance(p, tuple) and len(p) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < R for v in p))
