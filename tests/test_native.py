"""The C backend (zkyield._native) against the pure-Python paths and py_ecc, value by value.

Every native entry point is compared with an independent computation on random and edge inputs
(zero scalars, r - 1, infinity, repeated and cancelling points, non-canonical values that must be
rejected). The module is skipped where the extension was not built; test_fast_paths.py checks the
fallback switch itself.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ob

from tests.support.math_refs import (
    g1_point,
    g1_to_pyecc,
    g2_point,
    g2_to_pyecc,
    nonzero_scalars,
    scalars,
    twist_point_outside_g2,
)
from zkyield import curve, fixed_base, msm, pairing, poly
from zkyield._native import FR_WIDTH, G1_WIDTH, G2_WIDTH, native
from zkyield.errors import FieldError
from zkyield.field import Q, R, root_of_unity

lib = native()  # the extension module these tests drive directly, or None

pytestmark = pytest.mark.skipif(lib is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")

RNG = random.Random(2718)
_KS = [RNG.randrange(1, R) for _ in range(8)]
G1_POOL = [None, *[g1_point(k) for k in _KS], g1_point(_KS[0])]
G2_POOL = [None, *[g2_point(k) for k in _KS[:4]], g2_point(_KS[0])]
EDGE = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, (1 << 253) - 1, 1 << 253, (1 << 128) + 1, (1 << 64) - 1]
msm_scalars = st.one_of(st.sampled_from(EDGE), scalars)


def _terms(pool_size: int, max_size: int) -> st.SearchStrategy:
    return st.lists(st.tuples(st.integers(0, pool_size - 1), msm_scalars), max_size=max_size)


# --- packing ------------------------------------------------------------------------------------


@given(st.lists(st.integers(0, (1 << 256) - 1), max_size=20))
def test_pack_round_trips_ints(values: list[int]) -> None:
    buf = lib.pack(values, FR_WIDTH)
    assert buf == b"".join(v.to_bytes(32, "little") for v in values)
    assert lib.unpack(buf, FR_WIDTH) == values


def test_pack_round_trips_points_with_infinity() -> None:
    assert lib.unpack(lib.pack(G1_POOL, G1_WIDTH), G1_WIDTH) == G1_POOL
    assert lib.unpack(lib.pack(G2_POOL, G2_WIDTH), G2_WIDTH) == G2_POOL


@pytest.mark.parametrize("bad", [-1, 1 << 256, 1.5, "7"])
def test_pack_rejects_values_that_are_not_32_byte_naturals(bad: object) -> None:
    with pytest.raises((OverflowError, TypeError)):
        lib.pack([1, bad], FR_WIDTH)
    with pytest.raises((OverflowError, TypeError)):
        lib.pack([(1, bad)], G1_WIDTH)


# --- MSM ------------------------------------------------------------------------------------------


@given(_terms(len(G1_POOL), 60))
def test_g1_msm_matches_python_pippenger(terms: list[tuple[int, int]]) -> None:
    points = [G1_POOL[i] for i, _ in terms]
    ks = [k for _, k in terms]
    assert msm.msm_g1(points, ks) == msm.msm_g1_python(points, ks)


@settings(max_examples=40)
@given(_terms(len(G2_POOL), 16))
def test_g2_msm_matches_python_pippenger(terms: list[tuple[int, int]]) -> None:
    points = [G2_POOL[i] for i, _ in terms]
    ks = [k for _, k in terms]
    assert msm.msm_g2(points, ks) == msm.msm_g2_python(points, ks)


def test_msm_agrees_with_pyecc_on_a_wide_window_input() -> None:
    """1,500 terms: windows of several bits, every bucket in use, two threads."""
    rng = random.Random(1500)
    points = [rng.choice(G1_POOL) for _ in range(1500)]
    ks = [rng.choice([rng.randrange(R), *EDGE]) for _ in range(1500)]
    expected = ob.Z1
    for p, k in zip(points, ks, strict=True):
        expected = ob.add(expected, ob.multiply(g1_to_pyecc(p), k))
    assert msm.window_bits(1500) >= 7
    got = msm.msm_g1(points, ks)
    assert got == msm.msm_g1_python(points, ks)
    assert ob.eq(g1_to_pyecc(got), expected)


@pytest.mark.parametrize("threads", [1, 2, 3, 16, 64])
def test_msm_thread_counts_give_the_same_point(threads: int) -> None:
    rng = random.Random(threads)
    points = [rng.choice(G1_POOL) for _ in range(200)]
    ks = [rng.randrange(R) for _ in range(200)]
    got = lib.unpack(lib.g1_msm(lib.pack(points, G1_WIDTH), lib.pack(ks, FR_WIDTH), threads), G1_WIDTH)[0]
    assert got == msm.msm_g1_naive(points, ks)
    g2s = [rng.choice(G2_POOL) for _ in range(40)]
    got2 = lib.unpack(lib.g2_msm(lib.pack(g2s, G2_WIDTH), lib.pack(ks[:40], FR_WIDTH), threads), G2_WIDTH)[0]
    assert got2 == msm.msm_g2_naive(g2s, ks[:40])


def test_msm_cancellations_and_doublings_in_one_bucket() -> None:
    p = G1_POOL[1]
    assert msm.msm_g1([p, p], [5, R - 5]) is None
    assert msm.msm_g1([p, p, p], [7, 7, 7]) == curve.g1_mul(p, 21)
    q = G2_POOL[1]
    assert msm.msm_g2([q, q], [R - 1, 1]) is None
    assert msm.msm_g2([q, q], [3, 3]) == curve.g2_mul(q, 6)
    assert msm.msm_g1([], []) is None and msm.msm_g2([None], [4]) is None


def test_msm_many_points_in_one_bucket() -> None:
    """Equal digits send every term to one bucket: queue collisions, doublings (x equal) and
    cancellations (P and -P) all go through the Jacobian side buckets of the batch-affine path."""
    p, k = G1_POOL[2], _KS[5]
    assert msm.msm_g1([p] * 3000, [k] * 3000) == curve.g1_mul(p, 3000 * k % R)
    mixed = [p, curve.g1_neg(p)] * 1000 + [p]
    assert msm.msm_g1(mixed, [k] * len(mixed)) == curve.g1_mul(p, k)
    q = G2_POOL[2]
    assert msm.msm_g2([q] * 700, [k] * 700) == curve.g2_mul(q, 700 * k % R)


def test_packed_msm_rejects_scalars_at_or_above_r_and_coordinates_at_or_above_q() -> None:
    pts = lib.pack(G1_POOL[1:3], G1_WIDTH)
    for bad in (R, R + 1, (1 << 256) - 1):
        with pytest.raises(FieldError, match="scalar"):
            msm.msm_g1_packed(pts, lib.pack([1, bad], FR_WIDTH))
    x, y = G1_POOL[1]
    with pytest.raises(FieldError, match="coordinate"):
        msm.msm_g1_packed(lib.pack([(x + Q, y)], G1_WIDTH), lib.pack([1], FR_WIDTH))
    with pytest.raises(FieldError):
        msm.msm_g2_packed(lib.pack(G2_POOL[1:2], G2_WIDTH), lib.pack([R], FR_WIDTH))
    with pytest.raises(ValueError, match="one point per"):
        lib.g1_msm(pts, lib.pack([1], FR_WIDTH), 1)


# --- fixed base -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20, 300])
def test_batch_mul_matches_python_and_pyecc(count: int) -> None:
    rng = random.Random(count)
    ks = [rng.choice([rng.randrange(1 << 256), *EDGE]) for _ in range(count)]  # >= r reduces mod r
    g1s = fixed_base.batch_mul_g1(curve.G1_GENERATOR, ks)
    assert g1s == fixed_base.batch_mul_g1_python(curve.G1_GENERATOR, ks)
    for p, k in zip(g1s[:5], ks, strict=False):
        assert ob.eq(g1_to_pyecc(p), ob.multiply(ob.G1, k % R))
    g2s = fixed_base.batch_mul_g2(curve.G2_GENERATOR, ks[:12])
    assert g2s == fixed_base.batch_mul_g2_python(curve.G2_GENERATOR, ks[:12])
    assert ob.eq(g2_to_pyecc(g2s[0]), ob.multiply(ob.G2, ks[0] % R))
    assert fixed_base.batch_mul_g1(None, [1, 2, 3]) == [None] * 3


# --- NTT and vector arithmetic --------------------------------------------------------------------


@given(st.integers(0, 9).flatmap(lambda k: st.lists(scalars, min_size=1 << k, max_size=1 << k)), nonzero_scalars)
def test_ntt_matches_python_transform(values: list[int], shift: int) -> None:
    n = len(values)
    assert poly.ntt(values) == poly.transform_python(values, inverse=False)
    n_inv = pow(n, -1, R)
    assert poly.intt(values) == [x * n_inv % R for x in poly.transform_python(values, inverse=True)]
    scaled = [v * pow(shift, i, R) % R for i, v in enumerate(values)]
    assert poly.coset_ntt(values, shift) == poly.transform_python(scaled, inverse=False)
    packed = lib.pack(values, FR_WIDTH)
    assert poly.intt_packed(poly.ntt_packed(packed, shift), shift) == packed


def test_ntt_reduces_non_canonical_inputs_like_the_python_path() -> None:
    values = [-1, R, R + 5, 3 * R + 2, 0, 1 << 300, 7, -R - 1]
    assert poly.ntt(values) == poly.transform_python(values, inverse=False)


def test_ntt_large_spot_check_against_evaluation() -> None:
    n = 1 << 14
    rng = random.Random(14)
    coeffs = [rng.randrange(R) for _ in range(n)]
    evals = poly.ntt(coeffs)
    omega = root_of_unity(n)
    for i in (0, 1, 4097, n - 1):
        assert evals[i] == poly.evaluate(coeffs, pow(omega, i, R))
    assert poly.intt(evals) == coeffs


def _fr_ntt(values: list[int], omega: int, pre: int = 1, post: int = 1, scale: int = 1, threads: int = 1) -> list[int]:
    args = (lib.pack([x], FR_WIDTH) for x in (omega, pre, post, scale))
    return lib.unpack(lib.fr_ntt(lib.pack(values, FR_WIDTH), *args, threads), FR_WIDTH)


@pytest.mark.parametrize("log_n", [13, 14])
def test_threaded_radix4_ntt_matches_python_for_every_thread_count(log_n: int) -> None:
    """At 2^13+ the passes split across threads; 3 threads cut blocks mid-way. Odd and even log n
    (with and without the leading radix-2 stage), forward with the coset shift fused into the load
    pass, inverse with n^-1·shift^-i fused into the store pass."""
    n, shift = 1 << log_n, 7
    rng = random.Random(log_n)
    values = [rng.choice([rng.randrange(R), 0, R - 1]) for _ in range(n)]
    omega = root_of_unity(n)
    scaled = [v * pow(shift, i, R) % R for i, v in enumerate(values)]
    expected = poly.transform_python(scaled, inverse=False)
    omega_inv, n_inv, shift_inv = pow(omega, -1, R), pow(n, -1, R), pow(shift, -1, R)
    for threads in (1, 2, 3, 16):
        assert _fr_ntt(values, omega, pre=shift, threads=threads) == expected
        assert _fr_ntt(expected, omega_inv, post=shift_inv, scale=n_inv, threads=threads) == values
    for i in (0, 1, n // 2 + 1, n - 1):
        assert expected[i] == poly.evaluate(values, shift * pow(omega, i, R) % R)


def test_ntt_twiddle_cache_is_keyed_by_omega_and_survives_overflowing() -> None:
    """Every primitive n-th root for n = 2..128 (127 tables, more than the 64 cached): each transform
    must use its own omega's twiddles, checked against direct evaluation at a few points."""
    rng = random.Random(64)
    for log_n in range(1, 8):
        n = 1 << log_n
        values = [rng.randrange(R) for _ in range(n)]
        for k in range(1, n, 2):
            omega = pow(root_of_unity(n), k, R)
            out = _fr_ntt(values, omega)
            for i in {0, 1, n - 1}:
                assert out[i] == poly.evaluate(values, pow(omega, i, R))


def test_threaded_ntt_rejects_a_non_canonical_element_in_any_threads_share() -> None:
    n = 1 << 13
    for where in (0, n // 2 + 3, n - 1):
        values = [5] * n
        values[where] = R
        with pytest.raises(ValueError, match="canonical"):
            _fr_ntt(values, root_of_unity(n), threads=2)


def test_packed_ntt_rejects_bad_lengths_and_non_canonical_elements() -> None:
    with pytest.raises(ValueError, match="power of two"):
        poly.ntt_packed(bytes(32 * 6))
    with pytest.raises(ValueError, match="canonical"):
        poly.ntt_packed(lib.pack([1, R], FR_WIDTH))


@given(st.lists(st.tuples(st.sampled_from([0, 1, R - 1]) | scalars, scalars, scalars), max_size=30))
def test_fr_mul_sub_matches_python(triples: list[tuple[int, int, int]]) -> None:
    a, b, c = ([t[i] for t in triples] for i in range(3))
    out = lib.unpack(lib.fr_mul_sub(*(lib.pack(v, FR_WIDTH) for v in (a, b, c))), FR_WIDTH)
    assert out == [(x * y - z) % R for x, y, z in triples]
    products = lib.unpack(lib.fr_mul_sub(lib.pack(a, FR_WIDTH), lib.pack(b, FR_WIDTH), b""), FR_WIDTH)
    assert products == [x * y % R for x, y, _ in triples]


def test_fr_mul_sub_rejects_non_canonical_elements() -> None:
    with pytest.raises(ValueError, match="canonical"):
        lib.fr_mul_sub(lib.pack([R], FR_WIDTH), lib.pack([1], FR_WIDTH), b"")


# --- pairing --------------------------------------------------------------------------------------


def test_pairing_values_match_pyecc_including_points_outside_g2() -> None:
    """Same Gt element as py_ecc's pairing (through the snarkjs-layout conversion), also for twist
    points of large order, which exercise the generic addition / vertical-line cases of the loop."""
    rng = random.Random(99)
    cases = [(g1_point(rng.randrange(1, R)), g2_point(rng.randrange(1, R))), (curve.G1_GENERATOR, curve.G2_GENERATOR)]
    cases.append((curve.G1_GENERATOR, twist_point_outside_g2(rng)))
    for p, q in cases:
        assert pairing.pairing(p, q) == pairing.pairing_python(p, q)


def test_pairing_check_matches_pyecc_on_groth16_shaped_equations() -> None:
    rng = random.Random(4)
    for _ in range(3):
        a, b, c, d = (rng.randrange(1, R) for _ in range(4))
        e = (a * b + c * d) % R
        good = [(g1_point(-e % R), curve.G2_GENERATOR), (g1_point(a), g2_point(b)), (g1_point(c), g2_point(d))]
        bad = [*good[:2], (g1_point(c + 1), g2_point(d))]
        for pairs, expected in ((good, True), (bad, False)):
            assert pairing.pairing_check(pairs) is expected
            assert pairing.pairing_check_python(pairs) is expected
    p, q = curve.G1_GENERATOR, curve.G2_GENERATOR
    assert pairing.pairing_check([]) and pairing.pairing_check([(None, q), (p, None)])
    assert not pairing.pairing_check([(p, q)])


def test_frobenius_final_exponentiation_equals_the_plain_exponent_on_any_nonzero_fq12() -> None:
    """The Frobenius/powers-of-z chain against square-and-multiply by (q^6 + 1)/r · FFJS_EXTRA_EXPONENT after
    the same easy part: equal for every nonzero f (the exponents differ by a multiple of q^12 - 1), so
    random Fq12 elements test it as well as Miller-loop outputs do."""
    rng = random.Random(12)
    exponent = (Q**6 + 1) // R * pairing.FFJS_EXTRA_EXPONENT
    e_bytes = exponent.to_bytes((exponent.bit_length() + 7) // 8, "little")
    pair = lib.pack([G1_POOL[1]], G1_WIDTH) + lib.pack([G2_POOL[2]], G2_WIDTH)
    fs = [lib.miller_loop(pair), lib.pack([rng.randrange(Q) for _ in range(12)], 1), lib.pack([1] + [0] * 11, 1)]
    fs.append(lib.pack([0] * 11 + [rng.randrange(1, Q)], 1))
    for f in fs:
        assert lib.final_exp_frobenius(f) == lib.final_exp(f, e_bytes)
    with pytest.raises(ValueError, match="canonical"):
        lib.final_exp_frobenius(lib.pack([Q] + [0] * 11, 1))


def test_miller_loop_rejects_coordinates_at_or_above_q() -> None:
    (x, y), q = curve.G1_GENERATOR, curve.G2_GENERATOR
    with pytest.raises(ValueError, match="canonical"):
        lib.miller_loop(lib.pack([(x + Q, y)], G1_WIDTH) + lib.pack([q], G2_WIDTH))


def test_thread_count_honours_zkyield_threads(monkeypatch):
    from zkyield._native import threads

    monkeypatch.setenv("ZKYIELD_THREADS", "3")
    assert threads() == 3
    monkeypatch.setenv("ZKYIELD_THREADS", "0")  # not a usable count: fall back to the cores available
    assert threads() >= 1
    monkeypatch.delenv("ZKYIELD_THREADS")
    assert threads() == len(__import__("os").sched_getaffinity(0))
