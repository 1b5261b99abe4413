"""Pippenger MSM against the double-and-add reference and py_ecc, edge cases and scalar checks."""

from __future__ import annotations

import random

import pytest
from _math_util import g1_from_pyecc, g1_point, g1_to_pyecc, g2_from_pyecc, g2_point, g2_to_pyecc, scalars
from hypothesis import given
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from zkyield import msm
from zkyield.errors import FieldError, InputError
from zkyield.field import R

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
