"""Sparse linear combinations and same-scalar scaling (ceremony new/contribute) against their references."""

from __future__ import annotations

import random

import pytest
from py_ecc import optimized_bn128 as ob

from tests.support.math_refs import g1_point, g1_to_pyecc, g2_point
from zkyield import sparse_msm as sm
from zkyield.errors import FieldError
from zkyield.field import R

RNG = random.Random(31)
G1_BASES = [g1_point(RNG.randrange(1, R)) for _ in range(12)] + [None]
G2_BASES = [g2_point(RNG.randrange(1, R)) for _ in range(5)] + [None]
EDGE = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, (R + 1) // 2, 1 << 200]


def _terms(n_bases: int, n_out: int, count: int) -> list[tuple[int, int, int]]:
    return [
        (RNG.randrange(n_out), RNG.randrange(n_bases), RNG.choice([*EDGE, RNG.randrange(R), RNG.randrange(99)]))
        for _ in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 7, 120])
def test_g1_lincomb_matches_reference_and_pyecc(count: int) -> None:
    terms = _terms(len(G1_BASES), 9, count)
    got = sm.lincomb_g1(G1_BASES, terms, 9)
    assert got == sm.lincomb_g1_python(G1_BASES, terms, 9)
    for o in range(9):
        ref = ob.Z1
        for out, b, k in terms:
            if out == o and G1_BASES[b] is not None:
                ref = ob.add(ref, ob.multiply(g1_to_pyecc(G1_BASES[b]), k))
        assert ob.eq(ref, g1_to_pyecc(got[o]) if got[o] else ob.Z1)


def test_g2_lincomb_matches_reference_with_cancellations() -> None:
    terms = _terms(len(G2_BASES), 4, 30) + [(3, 0, 5), (3, 0, R - 5)] * 2
    assert sm.lincomb_g2(G2_BASES, terms, 5) == sm.lincomb_g2_python(G2_BASES, terms, 5)
    assert sm.lincomb_g2(G2_BASES, [(0, 1, 5), (0, 1, R - 5)], 1) == [None]


def test_lincomb_refuses_bad_terms() -> None:
    with pytest.raises(IndexError, match="term 0"):
        sm.lincomb_g1(G1_BASES, [(9, 0, 1)], 9)
    with pytest.raises(IndexError, match="term 1"):
        sm.lincomb_g1(G1_BASES, [(0, 0, 1), (0, len(G1_BASES), 1)], 1)
    with pytest.raises(FieldError):
        sm.lincomb_g1(G1_BASES, [(0, 0, R)], 1)


@pytest.mark.parametrize("k", [*EDGE, 12345678901234567890])
def test_scale_matches_reference_and_pyecc(k: int) -> None:
    points = [*G1_BASES, G1_BASES[0]]
    got = sm.scale_g1(points, k)
    assert got == sm.scale_g1_python(points, k)
    for p, q in zip(points, got, strict=True):
        want = ob.multiply(g1_to_pyecc(p), k) if p else ob.Z1
        assert ob.eq(want, g1_to_pyecc(q) if q else ob.Z1)
