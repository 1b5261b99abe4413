"""BN254 groups G1 (over Fq) and G2 (over Fq2, the sextic twist), affine API over Jacobian internals.

Public values are affine tuples (``None`` = infinity) as docs/ARCHITECTURE.md fixes; the Jacobian
helpers (``Z == 0`` = infinity) exist so that scalar multiplication and ``zkyield.msm`` pay one
inversion per result instead of one per addition. Formulas are the a = 0 short-Weierstrass ones of
the Explicit-Formulas Database (dbl-2009-l, add-2007-bl without the factor 2, madd with Z2 = 1).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield._native import G2_WIDTH, native, threads
from zkyield.errors import PointError
from zkyield.field import Q, R, batch_inverse, fq

Fq2 = tuple[int, int]
G1Affine = tuple[int, int] | None
G2Affine = tuple[Fq2, Fq2] | None
G1Jac = tuple[int, int, int]
G2Jac = tuple[Fq2, Fq2, Fq2]

# --- Fq2 = Fq[u]/(u^2 + 1), elements (c0, c1) = c0 + c1*u --------------------------------------------

FQ2_ZERO: Fq2 = (0, 0)
FQ2_ONE: Fq2 = (1, 0)


def fq2_add(a: Fq2, b: Fq2) -> Fq2:
    return (a[0] + b[0]) % Q, (a[1] + b[1]) % Q


def fq2_sub(a: Fq2, b: Fq2) -> Fq2:
    return (a[0] - b[0]) % Q, (a[1] - b[1]) % Q


def fq2_neg(a: Fq2) -> Fq2:
    return -a[0] % Q, -a[1] % Q


def fq2_mul(a: Fq2, b: Fq2) -> Fq2:
    """Karatsuba: three base-field products instead of four."""
    t0, t1 = a[0] * b[0], a[1] * b[1]
    return (t0 - t1) % Q, ((a[0] + a[1]) * (b[0] + b[1]) - t0 - t1) % Q


def fq2_sqr(a: Fq2) -> Fq2:
    """(c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u: two products."""
    return (a[0] + a[1]) * (a[0] - a[1]) % Q, 2 * a[0] * a[1] % Q


def fq2_scale(a: Fq2, k: int) -> Fq2:
    return a[0] * k % Q, a[1] * k % Q


def fq2_inv(a: Fq2) -> Fq2:
    """1/(c0 + c1 u) = (c0 - c1 u)/(c0^2 + c1^2); the norm is zero only for zero."""
    norm_inv = pow((a[0] * a[0] + a[1] * a[1]) % Q, -1, Q)
    return a[0] * norm_inv % Q, -a[1] * norm_inv % Q


# --- curve constants ------------------------------------------------------------------------------

# y^2 = x^3 + 3 over Fq (EIP-196, py_ecc optimized_bn128.b).
G1_B = 3
# Twist y^2 = x^3 + 3/(9 + u) over Fq2 (EIP-197, py_ecc optimized_bn128.b2).
G2_B: Fq2 = fq2_mul((3, 0), fq2_inv((9, 1)))

# Generators of EIP-196/197, py_ecc and snarkjs/ffjavascript.
G1_GENERATOR: G1Affine = (1, 2)
G2_GENERATOR: G2Affine = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)

G1_JAC_INFINITY: G1Jac = (1, 1, 0)
G2_JAC_INFINITY: G2Jac = (FQ2_ONE, FQ2_ONE, FQ2_ZERO)


def _scalar(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"scalar must be an int, got {type(k).__name__}")
    return k % R


# --- G1 Jacobian ----------------------------------------------------------------------------------


def g1_jac_double(p: G1Jac) -> G1Jac:
    x, y, z = p
    if z == 0 or y == 0:
        return G1_JAC_INFINITY
    a = x * x % Q
    b = y * y % Q
    c = b * b % Q
    d = 2 * ((x + b) * (x + b) - a - c) % Q
    e = 3 * a % Q
    x3 = (e * e - 2 * d) % Q
    return x3, (e * (d - x3) - 8 * c) % Q, 2 * y * z % Q


def g1_jac_add(p: G1Jac, q: G1Jac) -> G1Jac:
    x1, y1, z1 = p
    x2, y2, z2 = q
    if z1 == 0:
        return q
    if z2 == 0:
        return p
    z1z1 = z1 * z1 % Q
    z2z2 = z2 * z2 % Q
    u1 = x1 * z2z2 % Q
    s1 = y1 * z2 * z2z2 % Q
    h = (x2 * z1z1 - u1) % Q
    rr = (y2 * z1 * z1z1 - s1) % Q
    if h == 0:
        return g1_jac_double(p) if rr == 0 else G1_JAC_INFINITY
    hh = h * h % Q
    hhh = h * hh % Q
    v = u1 * hh % Q
    x3 = (rr * rr - hhh - 2 * v) % Q
    return x3, (rr * (v - x3) - s1 * hhh) % Q, z1 * z2 * h % Q


def g1_jac_add_affine(p: G1Jac, q: tuple[int, int]) -> G1Jac:
    """p + q for an affine, finite q (Z2 = 1 saves five products)."""
    x1, y1, z1 = p
    x2, y2 = q
    if z1 == 0:
        return x2, y2, 1
    z1z1 = z1 * z1 % Q
    h = (x2 * z1z1 - x1) % Q
    rr = (y2 * z1 * z1z1 - y1) % Q
    if h == 0:
        return g1_jac_double(p) if rr == 0 else G1_JAC_INFINITY
    hh = h * h % Q
    hhh = h * hh % Q
    v = x1 * hh % Q
    x3 = (rr * rr - hhh - 2 * v) % Q
    return x3, (rr * (v - x3) - y1 * hhh) % Q, z1 * h % Q


def g1_to_jac(p: G1Affine) -> G1Jac:
    return G1_JAC_INFINITY if p is None else (p[0], p[1], 1)


def g1_to_affine(p: G1Jac) -> G1Affine:
    x, y, z = p
    if z == 0:
        return None
    zi = pow(z, -1, Q)
    zi2 = zi * zi % Q
    return x * zi2 % Q, y * zi2 * zi % Q


def g1_batch_to_affine(points: Sequence[G1Jac]) -> list[G1Affine]:
    """Affine forms of many Jacobian points for one field inversion (Montgomery's trick)."""
    finite = [i for i, p in enumerate(points) if p[2] != 0]
    out: list[G1Affine] = [None] * len(points)
    for i, zi in zip(finite, batch_inverse([points[i][2] for i in finite], Q), strict=True):
        x, y, _ = points[i]
        zi2 = zi * zi % Q
        out[i] = (x * zi2 % Q, y * zi2 * zi % Q)
    return out


def g1_jac_mul(p: G1Affine, k: int) -> G1Jac:
    """k·p by left-to-right double-and-add with mixed additions; k is reduced mod r."""
    k = _scalar(k)
    acc = G1_JAC_INFINITY
    if p is None or k == 0:
        return acc
    for bit in bin(k)[2:]:
        acc = g1_jac_double(acc)
        if bit == "1":
            acc = g1_jac_add_affine(acc, p)
    return acc


# --- G1 affine API --------------------------------------------------------------------------------


def g1_add(p: G1Affine, q: G1Affine) -> G1Affine:
    return g1_to_affine(g1_jac_add(g1_to_jac(p), g1_to_jac(q)))


def g1_neg(p: G1Affine) -> G1Affine:
    return None if p is None else (p[0], -p[1] % Q)


def g1_mul(p: G1Affine, k: int) -> G1Affine:
    return g1_to_affine(g1_jac_mul(p, k))


def g1_is_on_curve(p: G1Affine) -> bool:
    if p is None:
        return True
    x, y = p
    return (y * y - x * x * x - G1_B) % Q == 0


def g1_validate(p: object, name: str) -> G1Affine:
    """Return ``p`` if it is a canonical affine point of G1 (cofactor 1: on the curve suffices)."""
    if p is None:
        return None
    if not isinstance(p, tuple) or len(p) != 2:
        raise PointError(f"{name}: expected a G1 point (x, y) or None, got {type(p).__name__}")
    point = (fq(p[0], f"{name}.x"), fq(p[1], f"{name}.y"))
    if not g1_is_on_curve(point):
        raise PointError(f"{name}: point is not on the BN254 G1 curve y^2 = x^3 + 3")
    return point


# --- G2 Jacobian (same formulas over Fq2) ---------------------------------------------------------


def g2_jac_double(p: G2Jac) -> G2Jac:
    x, y, z = p
    if z == FQ2_ZERO or y == FQ2_ZERO:
        return G2_JAC_INFINITY
    a = fq2_sqr(x)
    b = fq2_sqr(y)
    c = fq2_sqr(b)
    d = fq2_scale(fq2_sub(fq2_sub(fq2_sqr(fq2_add(x, b)), a), c), 2)
    e = fq2_scale(a, 3)
    x3 = fq2_sub(fq2_sqr(e), fq2_scale(d, 2))
    y3 = fq2_sub(fq2_mul(e, fq2_sub(d, x3)), fq2_scale(c, 8))
    return x3, y3, fq2_scale(fq2_mul(y, z), 2)


def _g2_add_parts(p: G2Jac, u2: Fq2, s2: Fq2, z2: Fq2 | None, u1: Fq2, s1: Fq2) -> G2Jac:
    """Shared tail of the full and mixed G2 additions (z2 None means Z2 = 1)."""
    h = fq2_sub(u2, u1)
    rr = fq2_sub(s2, s1)
    if h == FQ2_ZERO:
        return g2_jac_double(p) if rr == FQ2_ZERO else G2_JAC_INFINITY
    hh = fq2_sqr(h)
    hhh = fq2_mul(h, hh)
    v = fq2_mul(u1, hh)
    x3 = fq2_sub(fq2_sub(fq2_sqr(rr), hhh), fq2_scale(v, 2))
    y3 = fq2_sub(fq2_mul(rr, fq2_sub(v, x3)), fq2_mul(s1, hhh))
    z3 = fq2_mul(p[2], h) if z2 is None else fq2_mul(fq2_mul(p[2], z2), h)
    return x3, y3, z3


def g2_jac_add(p: G2Jac, q: G2Jac) -> G2Jac:
    if p[2] == FQ2_ZERO:
        return q
    if q[2] == FQ2_ZERO:
        return p
    z1z1 = fq2_sqr(p[2])
    z2z2 = fq2_sqr(q[2])
    u1 = fq2_mul(p[0], z2z2)
    s1 = fq2_mul(fq2_mul(p[1], q[2]), z2z2)
    u2 = fq2_mul(q[0], z1z1)
    s2 = fq2_mul(fq2_mul(q[1], p[2]), z1z1)
    return _g2_add_parts(p, u2, s2, q[2], u1, s1)


def g2_jac_add_affine(p: G2Jac, q: tuple[Fq2, Fq2]) -> G2Jac:
    if p[2] == FQ2_ZERO:
        return q[0], q[1], FQ2_ONE
    z1z1 = fq2_sqr(p[2])
    u2 = fq2_mul(q[0], z1z1)
    s2 = fq2_mul(fq2_mul(q[1], p[2]), z1z1)
    return _g2_add_parts(p, u2, s2, None, p[0], p[1])


def g2_to_jac(p: G2Affine) -> G2Jac:
    return G2_JAC_INFINITY if p is None else (p[0], p[1], FQ2_ONE)


def g2_to_affine(p: G2Jac) -> G2Affine:
    x, y, z = p
    if z == FQ2_ZERO:
        return None
    zi = fq2_inv(z)
    zi2 = fq2_sqr(zi)
    return fq2_mul(x, zi2), fq2_mul(fq2_mul(y, zi2), zi)


def g2_batch_to_affine(points: Sequence[G2Jac]) -> list[G2Affine]:
    """Affine forms of many G2 points: 1/z = conj(z)/N(z), with the Fq norms inverted in one batch."""
    finite = [i for i, p in enumerate(points) if p[2] != FQ2_ZERO]
    norms = [(points[i][2][0] ** 2 + points[i][2][1] ** 2) % Q for i in finite]
    out: list[G2Affine] = [None] * len(points)
    for i, n_inv in zip(finite, batch_inverse(norms, Q), strict=True):
        x, y, (z0, z1) = points[i]
        zi = (z0 * n_inv % Q, -z1 * n_inv % Q)
        zi2 = fq2_sqr(zi)
        out[i] = (fq2_mul(x, zi2), fq2_mul(fq2_mul(y, zi2), zi))
    return out


def g2_jac_mul(p: G2Affine, k: int, reduce: bool = True) -> G2Jac:
    """k·p by double-and-add; ``reduce=False`` keeps k as given (the subgroup check multiplies by r)."""
    k = _scalar(k) if reduce else k
    acc = G2_JAC_INFINITY
    if p is None or k == 0:
        return acc
    for bit in bin(k)[2:]:
        acc = g2_jac_double(acc)
        if bit == "1":
            acc = g2_jac_add_affine(acc, p)
    return acc


# --- G2 affine API --------------------------------------------------------------------------------


def g2_add(p: G2Affine, q: G2Affine) -> G2Affine:
    return g2_to_affine(g2_jac_add(g2_to_jac(p), g2_to_jac(q)))


def g2_neg(p: G2Affine) -> G2Affine:
    return None if p is None else (p[0], fq2_neg(p[1]))


def g2_mul(p: G2Affine, k: int) -> G2Affine:
    return g2_to_affine(g2_jac_mul(p, k))


def g2_is_on_curve(p: G2Affine) -> bool:
    if p is None:
        return True
    x, y = p
    return fq2_sqr(y) == fq2_add(fq2_mul(fq2_sqr(x), x), G2_B)


def g2_in_subgroup(p: G2Affine) -> bool:
    """p is in the order-r subgroup G2 (the twist has a large cofactor); a point off the twist is not.

    Native: the endomorphism test of zkyield/_native/gls.h (one 63-bit multiplication); else r·p == O.
    """
    return p is None or g2_first_outside_subgroup([p]) is None


def g2_in_subgroup_python(p: G2Affine) -> bool:
    """Reference for g2_in_subgroup: on the twist and r·p == O, by a full double-and-add."""
    return p is None or (g2_is_on_curve(p) and g2_jac_mul(p, R, reduce=False)[2] == FQ2_ZERO)


def g2_first_outside_subgroup(points: Sequence[G2Affine]) -> int | None:
    """Index of the first point that is not in G2 (off the twist or outside the subgroup), None if all are.

    Native: packed once, tested on all threads (what key and ceremony loaders call for whole sections).
    """
    lib = native()
    if lib is None:
        return g2_first_outside_subgroup_python(points)
    index = lib.g2_first_outside_subgroup(lib.pack(points, G2_WIDTH), threads())
    return None if index < 0 else index


def g2_first_outside_subgroup_python(points: Sequence[G2Affine]) -> int | None:
    """Reference for g2_first_outside_subgroup, point by point with g2_in_subgroup_python."""
    return next((i for i, p in enumerate(points) if not g2_in_subgroup_python(p)), None)


def g2_validate(p: object, name: str) -> G2Affine:
    """Return ``p`` if it is a canonical affine point of the order-r subgroup G2, else raise."""
    if p is None:
        return None
    if not isinstance(p, tuple) or len(p) != 2 or not all(isinstance(c, tuple) and len(c) == 2 for c in p):
        raise PointError(f"{name}: expected a G2 point ((x0, x1), (y0, y1)) or None")
    (x0, x1), (y0, y1) = p
    point = (
        (fq(x0, f"{name}.x.c0"), fq(x1, f"{name}.x.c1")),
        (fq(y0, f"{name}.y.c0"), fq(y1, f"{name}.y.c1")),
    )
    if not g2_is_on_curve(point):
        raise PointError(f"{name}: point is not on the BN254 twist curve y^2 = x^3 + 3/(9+u)")
    if not g2_in_subgroup(point):
        raise PointError(f"{name}: point is on the twist but not in the order-r subgroup G2")
    return point
