"""Pippenger MSM against the double-and-add reference and py_ecc, edge cases and scalar checks."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from tests.support.math_refs import g1_from_pyecc, g1_point, g1_to_pyecc, g2_from_pyecc, g2_point, g2_to_pyecc, scalars
from zkyield import msm
from zkyield._native import native
from zkyield.errors import FieldError, InputError
from zkyield.field import Q, R

lib = native()  # the extension module these tests drive directly, or None

RNG = random.Random(4096)
# A pool with infinity and a repeated point, so drawn index lists hit both.
_KS = [RNG.randrange(1, R) for _ in range(6)]
G1_POOL = [None, *[g1_point(k) for k in _KS], g1_point(_KS[0])]
G2_POOL = [None, *[g2_point(k) for k in _KS[:3]], g2_point(_KS[0])]
# Scalars that exercise carries between signed windows and the top window.
EDGE_SCALARS = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, (1 << 253) - 1, 1 << 253, (1 << 128) + 1]
msm_scalars = st.one_of(st.sampled_from(EDGE_SCALARS), scalars)


def _terms(pool_size: int, max_size: int) -> st.SearchStrategy:
    return st.lists(st.tuples(st.integers(0, pool_size - 1), msm_scalars), max_size=max_size)


def _pyecc_msm(points: list, ks: list[int], to_py, zero) -> tuple:
    acc = zero
    for p, k in zip(points, ks, strict=True):
        acc = ob.add(acc, ob.multiply(to_py(p), k))
    return acc


@given(_terms(len(G1_POOL), 40))
def test_msm_g1_matches_naive(terms: list[tuple[int, int]]) -> None:
    points = [G1_POOL[i] for i, _ in terms]
    ks = [k for _, k in terms]
    assert msm.msm_g1(points, ks) == msm.msm_g1_naive(points, ks)


@given(_terms(len(G2_POOL), 12))
def test_msm_g2_matches_naive(terms: list[tuple[int, int]]) -> None:
    points = [G2_POOL[i] for i, _ in terms]
    ks = [k for _, k in terms]
    assert msm.msm_g2(points, ks) == msm.msm_g2_naive(points, ks)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
def test_msm_small_sizes_match_pyecc(n: int) -> None:
    rng = random.Random(n)
    g1s = [rng.choice(G1_POOL) for _ in range(n)]
    g2s = [rng.choice(G2_POOL) for _ in range(n)]
    ks = [rng.choice([rng.randrange(R), *EDGE_SCALARS]) for _ in range(n)]
    assert msm.msm_g1(g1s, ks) == g1_from_pyecc(_pyecc_msm(g1s, ks, g1_to_pyecc, ob.Z1))
    assert msm.msm_g2(g2s, ks) == g2_from_pyecc(_pyecc_msm(g2s, ks, g2_to_pyecc, ob.Z2))


def test_msm_returns_plain_ints() -> None:
    """gmpy2 is internal: results must serialise and compare like every other point."""
    p1 = msm.msm_g1(G1_POOL[1:3], [5, 7])
    p2 = msm.msm_g2(G2_POOL[1:3], [5, 7])
    assert p1 is not None and p2 is not None
    assert all(type(v) is int for v in (*p1, *p2[0], *p2[1]))


def test_msm_cancelling_terms_give_infinity() -> None:
    p, k = G1_POOL[1], _KS[3]
    assert msm.msm_g1([p, p], [k, R - k]) is None
    assert msm.msm_g1([G1_POOL[1], G1_POOL[-1]], [1, R - 1]) is None  # G1_POOL[-1] repeats G1_POOL[1]
    assert msm.msm_g2([G2_POOL[1], G2_POOL[-1]], [5, R - 5]) is None
    assert msm.msm_g1([None, p], [0, 0]) is None


def test_msm_g1_large_input_uses_wide_windows_and_matches_naive() -> None:
    """Enough terms that the window is several bits wide (different digit/bucket paths than small n)."""
    n = 300
    assert msm.window_bits(n) >= 6
    rng = random.Random(300)
    points = [rng.choice(G1_POOL) for _ in range(n)]
    ks = [rng.choice([rng.randrange(R), *EDGE_SCALARS]) for _ in range(n)]
    assert msm.msm_g1(points, ks) == msm.msm_g1_naive(points, ks)


@given(scalars, st.integers(1, 16))
def test_signed_digits_reconstruct_the_scalar(k: int, c: int) -> None:
    n_windows = msm.SCALAR_BITS // c + 1
    digits = msm._signed_digits(k, c, n_windows)
    assert len(digits) == n_windows
    assert all(-(1 << (c - 1)) <= d <= 1 << (c - 1) for d in digits)
    assert sum(d << (c * i) for i, d in enumerate(digits)) == k


@pytest.mark.parametrize("bad", [R, R + 1, -1, 1.0, "1", True])
@pytest.mark.parametrize("fn", [msm.msm_g1, msm.msm_g1_naive])
def test_msm_rejects_non_canonical_scalars(fn, bad: object) -> None:
    with pytest.raises(FieldError, match=r"scalars\[1\]"):
        fn([G1_POOL[1], G1_POOL[2]], [3, bad])


def test_msm_g2_rejects_non_canonical_scalars() -> None:
    with pytest.raises(FieldError):
        msm.msm_g2([G2_POOL[1]], [R])


def test_msm_rejects_length_mismatch() -> None:
    with pytest.raises(InputError, match="2 points but 1 scalars"):
        msm.msm_g1([G1_POOL[1], G1_POOL[2]], [1])
    with pytest.raises(InputError):
        msm.msm_g2([G2_POOL[1]], [1, 2])


@pytest.mark.slow
def test_msm_g1_2_12_matches_naive() -> None:
    n = 1 << 12
    rng = random.Random(12)
    points = [g1_point(rng.randrange(1, R)) for _ in range(64)] * (n // 64)
    ks = [rng.randrange(R) for _ in range(n)]
    assert msm.msm_g1(points, ks) == msm.msm_g1_naive(points, ks)


# --- GLV endomorphism on G1 (native backend) ------------------------------------------------------

needs_native = pytest.mark.skipif(lib is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")


def _glv_constants() -> tuple[int, int, tuple[int, int], tuple[int, int]]:
    """beta, lambda and the short lattice basis, derived from q and r alone (independent of the C constants).

    beta/lambda: the cube roots of unity paired by lambda·G == (beta·x, y) under py_ecc; basis: the
    extended Euclidean algorithm on (r, lambda) stopped at sqrt(r) (Hankerson-Menezes-Vanstone, Alg. 3.74).
    """
    cube_q = {pow(g, (Q - 1) // 3, Q) for g in range(2, 10)} - {1}
    cube_r = {pow(g, (R - 1) // 3, R) for g in range(2, 10)} - {1}
    pairs = [
        (b, lam) for b in cube_q for lam in cube_r
        if ob.eq(ob.multiply(ob.G1, lam), (ob.G1[0] * b, ob.G1[1], ob.G1[2]))
    ]
    beta, lam = min(pairs)  # two pairs (beta, lambda) and (beta^2, lambda^2); C uses the smaller beta
    rows = [(R, 0), (lam, 1)]
    while rows[-1][0]:
        (r0, t0), (r1, t1) = rows[-2], rows[-1]
        rows.append((r0 - r0 // r1 * r1, t0 - r0 // r1 * t1))
    last = max(i for i, (ri, _) in enumerate(rows) if ri >= math.isqrt(R))
    v1 = (rows[last + 1][0], -rows[last + 1][1])
    around = ((rows[last][0], -rows[last][1]), (rows[last + 2][0], -rows[last + 2][1]))
    v2 = min(around, key=lambda v: v[0] ** 2 + v[1] ** 2)
    return beta, lam, v1, v2


BETA, LAMBDA, V1, V2 = _glv_constants()


def _glv_split_reference(k: int) -> tuple[int, int]:
    """The C algorithm in Python: c_i = floor(k·g_i / 2^256) with g_i = floor(basis entry · 2^256 / r)."""
    (a1, b1), (a2, b2) = V1, V2
    c1 = k * ((b2 << 256) // R) >> 256
    c2 = k * ((-b1 << 256) // R) >> 256
    return k - c1 * a1 - c2 * a2, -c1 * b1 - c2 * b2


def test_glv_constants_form_a_lattice_basis_of_determinant_r() -> None:
    (a1, b1), (a2, b2) = V1, V2
    assert (LAMBDA * LAMBDA + LAMBDA + 1) % R == 0 and pow(BETA, 3, Q) == 1 != BETA
    assert (a1 + b1 * LAMBDA) % R == 0 and (a2 + b2 * LAMBDA) % R == 0
    assert abs(a1 * b2 - a2 * b1) == R
    assert max(abs(x) for x in (a1, b1, a2, b2)) < 1 << 127


@pytest.mark.parametrize("seed", range(4))
def test_endomorphism_is_multiplication_by_lambda_on_random_points(seed: int) -> None:
    p = ob.multiply(ob.G1, random.Random(seed).randrange(1, R))
    assert ob.eq(ob.multiply(p, LAMBDA), (p[0] * BETA, p[1], p[2]))
    assert not ob.eq(ob.multiply(p, LAMBDA), (p[0] * (BETA * BETA % Q), p[1], p[2]))


def _split_edge_scalars() -> list[int]:
    """Edge scalars, the random ones whose halves are largest, and scalars with k2 > 0 and k2 = 0.

    k1 is never negative: both a-entries of the basis are positive and the floors only round down. k2 is
    negative for almost every scalar; it is positive only when k·g1 is just above a multiple of 2^256
    (k = ceil(m·2^256/g1)), and zero below about 2^126.
    """
    rng = random.Random(128)
    pool = [rng.randrange(R) for _ in range(20000)]
    splits = {k: _glv_split_reference(k) for k in pool}
    picks = [max(pool, key=lambda k: abs(splits[k][0])), max(pool, key=lambda k: abs(splits[k][1]))]
    g1 = (V2[1] << 256) // R
    positive = [-((-m << 256) // g1) for m in (1, 2, 3, 4, 6)]
    assert all(_glv_split_reference(k)[1] > 0 for k in positive)
    picks += [*positive, next(k for k in pool if splits[k][1] < 0), (1 << 125) + 3]
    lattice = [(V1[0] * m) % R for m in (1, 2, 3)] + [(-V2[0]) % R, LAMBDA, R - LAMBDA, (LAMBDA * LAMBDA) % R]
    return [*EDGE_SCALARS, *picks, *lattice]


GLV_EDGE = _split_edge_scalars()


@needs_native
@given(st.lists(st.one_of(st.sampled_from(GLV_EDGE), scalars), min_size=1, max_size=50))
def test_native_glv_split_matches_the_derived_reference(ks: list[int]) -> None:
    got = lib.g1_glv_split(lib.pack(ks, 1))
    assert got == [_glv_split_reference(k) for k in ks]
    for k, (k1, k2) in zip(ks, got, strict=True):
        assert (k1 + k2 * LAMBDA - k) % R == 0
        assert 0 <= k1 < 1 << 128 and abs(k2) < 1 << 128


@needs_native
def test_native_glv_split_rejects_scalars_at_or_above_r() -> None:
    with pytest.raises(ValueError, match="canonical"):
        lib.g1_glv_split(lib.pack([1, R], 1))


@needs_native
def test_glv_msm_on_split_edge_scalars_matches_pyecc() -> None:
    rng = random.Random(77)
    points = [rng.choice(G1_POOL[1:]) for _ in GLV_EDGE]
    got = msm.msm_g1(points, GLV_EDGE)
    assert got == msm.msm_g1_python(points, GLV_EDGE)
    assert ob.eq(g1_to_pyecc(got), _pyecc_msm(points, GLV_EDGE, g1_to_pyecc, ob.Z1))


@needs_native
def test_glv_msm_with_endomorphism_images_among_the_points() -> None:
    """P and phi(P) both in the input: their GLV images coincide (phi(P), phi(P) = lambda·P), so buckets
    see doublings and cancellations between the two halves; infinity and zero scalars ride along."""
    p = G1_POOL[3]
    phi_p = (p[0] * BETA % Q, p[1])
    assert phi_p == g1_from_pyecc(ob.multiply(g1_to_pyecc(p), LAMBDA))
    k = _KS[1]
    cases = [
        ([p, phi_p], [k, k]),
        ([p, phi_p], [LAMBDA, R - 1]),  # lambda·P + (-1)·lambda·P = O
        ([p, phi_p, None, p], [k, R - k, 5, 0]),
        ([phi_p] * 50 + [p] * 50, [k] * 100),
    ]
    for points, ks in cases:
        got = msm.msm_g1(points, ks)
        assert got == msm.msm_g1_python(points, ks)
        assert ob.eq(g1_to_pyecc(got), _pyecc_msm(points, ks, g1_to_pyecc, ob.Z1))
    assert msm.msm_g1([p, phi_p], [LAMBDA, R - 1]) is None


# --- GLS on G2: psi(P) = [6z^2]P, k = k1 + k2·6z^2 -----------------------------------------------------

GLS_LAMBDA = Q - R  # q mod r = 6z^2: psi's eigenvalue on G2 (tests/test_curve.py checks it with py_ecc)
GLS_EDGE = [0, 1, GLS_LAMBDA - 1, GLS_LAMBDA, GLS_LAMBDA + 1, 2 * GLS_LAMBDA, R - 1, R - 2]
GLS_EDGE.append((R - 1) // GLS_LAMBDA * GLS_LAMBDA)  # the largest k2


@needs_native
@given(st.lists(st.one_of(st.sampled_from(GLS_EDGE), scalars), min_size=1, max_size=50))
def test_native_gls_split_is_the_base_lambda_division(ks: list[int]) -> None:
    assert lib.g2_gls_split(lib.pack(ks, 1)) == [(k % GLS_LAMBDA, k // GLS_LAMBDA) for k in ks]
    assert all(k // GLS_LAMBDA < 1 << 127 for k in ks)


@needs_native
def test_gls_g2_msm_matches_plain_pippenger_and_pyecc() -> None:
    rng = random.Random(78)
    p = G2_POOL[2]
    psi_p = g2_from_pyecc(ob.multiply(g2_to_pyecc(p), GLS_LAMBDA))
    cases = [
        ([rng.choice(G2_POOL) for _ in GLS_EDGE], GLS_EDGE),
        ([p, psi_p], [GLS_LAMBDA, R - 1]),  # lambda·P - psi(P) = O: cancellation across the halves
        ([psi_p] * 40 + [p] * 40, [rng.randrange(R)] * 80),
    ]
    for points, ks in cases:
        packed, ps = lib.pack(points, 4), lib.pack(ks, 1)
        gls = lib.unpack(lib.g2_msm(packed, ps, 2, True), 4)[0]
        assert gls == lib.unpack(lib.g2_msm(packed, ps, 2, False), 4)[0] == msm.msm_g2_python(points, ks)
        assert ob.eq(g2_to_pyecc(gls) if gls else ob.Z2, _pyecc_msm(points, ks, g2_to_pyecc, ob.Z2))
    assert msm.msm_g2([p, psi_p], [GLS_LAMBDA, R - 1]) is None
