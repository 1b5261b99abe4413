"""Pairing check of 4 pairs (a Groth16 verification's shape): C backend against py_ecc."""

from __future__ import annotations

import random

import pytest
from _bench_util import record

from zkyield import curve, pairing
from zkyield._native import native
from zkyield.field import R

lib = native()  # the extension module these tests drive directly, or None


def _pairs() -> list:
    rng = random.Random(4)
    a, b, c, d, e, f = (rng.randrange(1, R) for _ in range(6))
    g = (a * b + c * d + e * f) % R
    g1, g2 = curve.G1_GENERATOR, curve.G2_GENERATOR
    return [
        (curve.g1_mul(g1, -g % R), g2),
        (curve.g1_mul(g1, a), curve.g2_mul(g2, b)),
        (curve.g1_mul(g1, c), curve.g2_mul(g2, d)),
        (curve.g1_mul(g1, e), curve.g2_mul(g2, f)),
    ]


@pytest.mark.skipif(lib is None, reason="native backend not built")
def test_pairing_check_4_native(benchmark) -> None:
    pairs = _pairs()
    assert record(benchmark, lambda: pairing.pairing_check(pairs), rounds=10)


def test_pairing_check_4_pyecc(benchmark) -> None:
    pairs = _pairs()
    assert record(benchmark, lambda: pairing.pairing_check_python(pairs), rounds=2)
