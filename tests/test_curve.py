"""G1/G2 arithmetic against py_ecc, and the validation that guards every point from outside."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from py_ecc import optimized_bn128 as ob
from py_ecc.fields import optimized_bn128_FQ2 as FQ2

from tests.support.math_refs import (
    G2_COFACTOR,
    g1_from_pyecc,
    g1_point,
    g1_to_pyecc,
    g2_from_pyecc,
    g2_point,
    g2_to_pyecc,
    nonzero_scalars,
    scalars,
    twist_point_outside_g2,
)
from zkyield import curve
from zkyield.errors import FieldError, PointError
from zkyield.field import Q, R

fq2_elements = scalars.map(lambda a: (a % Q, (a * 7 + 3) % Q))


def test_constants_match_pyecc() -> None:
    assert g1_from_pyecc(ob.G1) == curve.G1_GENERATOR
    assert g2_from_pyecc(ob.G2) == curve.G2_GENERATOR
    assert tuple(int(c) for c in ob.b2.coeffs) == curve.G2_B


@given(fq2_elements, fq2_elements)
def test_fq2_arithmetic_matches_pyecc(a: curve.Fq2, b: curve.Fq2) -> None:
    fa, fb = FQ2(list(a)), FQ2(list(b))
    as_tuple = lambda f: tuple(int(c) for c in f.coeffs)  # noqa: E731
    assert curve.fq2_mul(a, b) == as_tuple(fa * fb)
    assert curve.fq2_sqr(a) == as_tuple(fa * fa)
    assert curve.fq2_add(a, b) == as_tuple(fa + fb)
    assert curve.fq2_sub(a, b) == as_tuple(fa - fb)
    assert curve.fq2_neg(a) == as_tuple(-fa)
    if a != (0, 0):
        assert curve.fq2_inv(a) == as_tuple(fa.inv())


@given(scalars, scalars)
def test_g1_add_mul_neg_match_pyecc(a: int, b: int) -> None:
    pa, pb = g1_to_pyecc(g1_point(a)), g1_to_pyecc(g1_point(b))
    assert curve.g1_mul(curve.G1_GENERATOR, a) == g1_from_pyecc(pa)
    assert curve.g1_add(g1_point(a), g1_point(b)) == g1_from_pyecc(ob.add(pa, pb))
    assert curve.g1_add(g1_point(a), g1_point(a)) == g1_from_pyecc(ob.double(pa))
    assert curve.g1_neg(g1_point(a)) == g1_from_pyecc(ob.neg(pa))
    assert curve.g1_mul(g1_point(a), b) == g1_from_pyecc(ob.multiply(pa, b))


@given(scalars, scalars)
def test_g2_add_mul_neg_match_pyecc(a: int, b: int) -> None:
    pa, pb = g2_to_pyecc(g2_point(a)), g2_to_pyecc(g2_point(b))
    assert curve.g2_mul(curve.G2_GENERATOR, a) == g2_from_pyecc(pa)
    assert curve.g2_add(g2_point(a), g2_point(b)) == g2_from_pyecc(ob.add(pa, pb))
    assert curve.g2_add(g2_point(a), g2_point(a)) == g2_from_pyecc(ob.double(pa))
    assert curve.g2_neg(g2_point(a)) == g2_from_pyecc(ob.neg(pa))
    assert curve.g2_mul(g2_point(a), b) == g2_from_pyecc(ob.multiply(pa, b))


@given(nonzero_scalars)
def test_identity_and_inverse_edge_cases(a: int) -> None:
    p1, p2 = g1_point(a), g2_point(a)
    assert curve.g1_add(p1, None) == p1 and curve.g1_add(None, p1) == p1
    assert curve.g1_add(p1, curve.g1_neg(p1)) is None
    assert curve.g2_add(p2, None) == p2 and curve.g2_add(None, p2) == p2
    assert curve.g2_add(p2, curve.g2_neg(p2)) is None
    assert curve.g1_mul(p1, 0) is None and curve.g1_mul(None, a) is None
    assert curve.g2_mul(p2, 0) is None and curve.g2_mul(None, a) is None
    # Scalars are reduced mod r and may be negative (internal use).
    assert curve.g1_mul(p1, R) is None and curve.g1_mul(p1, R + 5) == curve.g1_mul(p1, 5)
    assert curve.g1_mul(p1, -1) == curve.g1_neg(p1)
    assert curve.g2_mul(p2, R + 5) == curve.g2_mul(p2, 5)
    assert curve.g1_neg(None) is None and curve.g2_neg(None) is None


@pytest.mark.parametrize("bad", [1.0, "5", True, None, b"\x01"])
def test_scalar_mul_rejects_non_int_scalars(bad: object) -> None:
    with pytest.raises(TypeError):
        curve.g1_mul(curve.G1_GENERATOR, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        curve.g2_mul(curve.G2_GENERATOR, bad)  # type: ignore[arg-type]


def test_jacobian_helpers_and_batch_to_affine() -> None:
    rng = random.Random(7)
    ks = [rng.randrange(1, R) for _ in range(5)]
    jac = [curve.g1_jac_mul(curve.G1_GENERATOR, k) for k in ks]
    jac.insert(2, curve.G1_JAC_INFINITY)
    expected = [g1_point(k) for k in ks]
    expected.insert(2, None)
    assert curve.g1_batch_to_affine(jac) == expected
    assert [curve.g1_to_affine(p) for p in jac] == expected
    assert curve.g1_batch_to_affine([]) == []
    # Full and mixed additions agree with doubling when the operands coincide.
    p = jac[0]
    assert curve.g1_to_affine(curve.g1_jac_add(p, p)) == curve.g1_to_affine(curve.g1_jac_double(p))
    assert curve.g1_to_affine(curve.g1_jac_add_affine(p, expected[0])) == g1_point(2 * ks[0])
    jac2 = [curve.g2_jac_mul(curve.G2_GENERATOR, k) for k in ks[:3]]
    jac2.insert(1, curve.G2_JAC_INFINITY)
    assert curve.g2_batch_to_affine(jac2) == [g2_point(ks[0]), None, g2_point(ks[1]), g2_point(ks[2])]
    assert curve.g2_batch_to_affine([]) == []
    q = curve.g2_jac_mul(curve.G2_GENERATOR, ks[1])
    assert curve.g2_to_affine(curve.g2_jac_add(q, q)) == g2_point(2 * ks[1])
    assert curve.g2_to_affine(curve.g2_jac_add_affine(q, g2_point(ks[1]))) == g2_point(2 * ks[1])


@given(nonzero_scalars)
def test_validate_accepts_group_points(a: int) -> None:
    p1, p2 = g1_point(a), g2_point(a)
    assert curve.g1_validate(p1, "proof.a") == p1 and curve.g1_is_on_curve(p1)
    assert curve.g2_validate(p2, "proof.b") == p2 and curve.g2_in_subgroup(p2)
    assert curve.g1_validate(None, "p") is None and curve.g2_validate(None, "p") is None


def _raises_naming(exc: type[Exception], fn, point: object, name: str) -> None:
    with pytest.raises(exc) as info:
        fn(point, name)
    message = str(info.value)
    assert name in message and "\n" not in message


def test_g1_validate_rejects_bad_points() -> None:
    x, y = g1_point(12345)
    _raises_naming(PointError, curve.g1_validate, (x, (y + 1) % Q), "vk.alpha_1")
    _raises_naming(PointError, curve.g1_validate, (0, 0), "vk.alpha_1")
    # Same point mod q, but a non-canonical encoding.
    _raises_naming(FieldError, curve.g1_validate, (x + Q, y), "proof.a")
    _raises_naming(FieldError, curve.g1_validate, (x, y - Q), "proof.a")
    _raises_naming(FieldError, curve.g1_validate, (float(x), y), "proof.c")
    _raises_naming(FieldError, curve.g1_validate, (str(x), y), "proof.c")
    _raises_naming(FieldError, curve.g1_validate, (True, y), "proof.c")
    _raises_naming(PointError, curve.g1_validate, [x, y], "ic[0]")
    _raises_naming(PointError, curve.g1_validate, (x, y, 1), "ic[0]")


def test_g2_validate_rejects_bad_points() -> None:
    (x0, x1), (y0, y1) = g2_point(777)
    _raises_naming(PointError, curve.g2_validate, ((x0, x1), (y0, (y1 + 1) % Q)), "vk.beta_2")
    _raises_naming(FieldError, curve.g2_validate, ((x0, x1 + Q), (y0, y1)), "vk.gamma_2")
    _raises_naming(FieldError, curve.g2_validate, ((x0, x1), (-1, y1)), "vk.gamma_2")
    _raises_naming(FieldError, curve.g2_validate, ((x0, 1.5), (y0, y1)), "vk.delta_2")
    _raises_naming(PointError, curve.g2_validate, ((x0, x1), y0), "proof.b")
    _raises_naming(PointError, curve.g2_validate, ((x0, x1, 0), (y0, y1)), "proof.b")


def test_g2_validate_rejects_twist_points_outside_the_subgroup() -> None:
    rng = random.Random(2024)
    for _ in range(2):
        outside = twist_point_outside_g2(rng)
        assert curve.g2_is_on_curve(outside)
        assert not curve.g2_in_subgroup(outside)
        _raises_naming(PointError, curve.g2_validate, outside, "proof.b")
        # Clearing the cofactor (py_ecc) lands in G2, which validation accepts.
        cleared = g2_from_pyecc(ob.multiply(g2_to_pyecc(outside), G2_COFACTOR))
        assert cleared is not None and curve.g2_validate(cleared, "proof.b") == cleared


# --- G2 subgroup membership: the endomorphism test against r·P == O ---------------------------------

# 2q - r = #E'(Fq2)/r; each factor is checked prime below, so these are all the cofactor's prime orders.
COFACTOR_PRIMES = (10069, 5864401, 1875725156269, 197620364512881247228717050342013327560683201906968909)
BN_Z = 4965661367192848881


def _probably_prime(n: int) -> bool:
    return n > 1 and all(pow(a, n - 1, n) == 1 for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37))


def _psi_pyecc(p: tuple) -> tuple:
    """psi = untwist-Frobenius-twist from xi = 9 + u alone: (conj(x)·xi^((q-1)/3), conj(y)·xi^((q-1)/2))."""
    xi = FQ2([9, 1])
    conj = lambda f: FQ2([int(f.coeffs[0]), -int(f.coeffs[1])])  # noqa: E731
    x, y = ob.normalize(p)
    return conj(x) * xi ** ((Q - 1) // 3), conj(y) * xi ** ((Q - 1) // 2), FQ2.one()


def _order_l_point(rng: random.Random, ell: int) -> curve.G2Affine:
    """A twist point of exact order ell (a prime dividing the cofactor): [r·h/ell]·T for random T."""
    while True:
        t = twist_point_outside_g2(rng)
        p = curve.g2_to_affine(curve.g2_jac_mul(t, R * G2_COFACTOR // ell, reduce=False))
        if p is not None:
            assert curve.g2_jac_mul(p, ell, reduce=False)[2] == curve.FQ2_ZERO
            return p


def test_cofactor_factorisation_and_the_seed_conditions_of_the_test() -> None:
    import math

    assert math.prod(COFACTOR_PRIMES) == G2_COFACTOR and all(map(_probably_prime, COFACTOR_PRIMES))
    assert Q - R == 6 * BN_Z * BN_Z  # psi's eigenvalue q mod r on G2
    assert BN_Z % 13 != 4 and BN_Z % 97 != 92  # ePrint 2022/348's conditions for the BN test


def test_psi_is_multiplication_by_6z2_on_g2() -> None:
    rng = random.Random(11)
    for _ in range(3):
        p = ob.multiply(ob.G2, rng.randrange(1, R))
        assert ob.eq(_psi_pyecc(p), ob.multiply(p, 6 * BN_Z * BN_Z))


def test_subgroup_test_matches_multiplication_by_r_on_every_kind_of_twist_point() -> None:
    """G2 points, random twist points, points of each cofactor prime order and G2 + such a point."""
    rng = random.Random(7)
    g2 = [g2_point(rng.randrange(1, R)) for _ in range(4)]
    outside = [twist_point_outside_g2(rng) for _ in range(3)]
    small = [_order_l_point(rng, ell) for ell in COFACTOR_PRIMES]
    mixed = [curve.g2_add(g2[i % len(g2)], t) for i, t in enumerate(small)]
    cleared = [g2_from_pyecc(ob.multiply(g2_to_pyecc(p), G2_COFACTOR)) for p in outside[:1]]
    for p, want in [(p, True) for p in [*g2, *cleared, None]] + [(p, False) for p in [*outside, *small, *mixed]]:
        assert curve.g2_in_subgroup_python(p) is want
        assert curve.g2_in_subgroup(p) is want
        assert curve.g2_first_outside_subgroup([*g2, p, *g2]) == (None if want else len(g2))
        if p is not None:
            assert ob.is_inf(ob.multiply(g2_to_pyecc(p), R)) is want


@pytest.mark.parametrize("position", [0, 5, 63, 64])
def test_batched_subgroup_test_names_the_first_bad_point(position: int) -> None:
    rng = random.Random(position)
    points: list[curve.G2Affine] = [g2_point(rng.randrange(1, R)) for _ in range(65)]
    points[3] = None
    points[position] = twist_point_outside_g2(rng)
    points[-1] = _order_l_point(rng, COFACTOR_PRIMES[0])
    assert curve.g2_first_outside_subgroup(points) == position
    assert curve.g2_first_outside_subgroup_python(points) == position
    off = ((points[10][0]), (points[10][1][0], (points[10][1][1] + 1) % Q))
    assert curve.g2_first_outside_subgroup([*points[:10], off]) == min(position, 10)
