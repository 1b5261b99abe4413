"""NTTs over Fr against naive evaluation at the snarkjs domain, plus round trips and size checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.math_refs import nonzero_scalars, scalars
from zkyield import poly
from zkyield.field import FR_GENERATOR, R

log_sizes = st.integers(0, 6)


def _values(log_n: int) -> st.SearchStrategy:
    return st.lists(scalars, min_size=1 << log_n, max_size=1 << log_n)


def _domain(n: int) -> list[int]:
    """omega_n^i from the definition 5^((r-1)/n) (snarkjs/ffjavascript), not from field.root_of_unity."""
    omega = pow(FR_GENERATOR, (R - 1) // n, R)
    return [pow(omega, i, R) for i in range(n)]


def _naive_evaluate(coeffs: list[int], x: int) -> int:
    return sum(c * pow(x, i, R) for i, c in enumerate(coeffs)) % R


@given(log_sizes.flatmap(_values))
def test_ntt_is_evaluation_on_the_domain(coeffs: list[int]) -> None:
    expected = [_naive_evaluate(coeffs, x) for x in _domain(len(coeffs))]
    assert poly.ntt(coeffs) == expected
    assert [poly.evaluate(coeffs, x) for x in _domain(len(coeffs))] == expected


@given(log_sizes.flatmap(_values), nonzero_scalars)
def test_coset_ntt_is_evaluation_on_the_shifted_domain(coeffs: list[int], shift: int) -> None:
    expected = [_naive_evaluate(coeffs, shift * x % R) for x in _domain(len(coeffs))]
    assert poly.coset_ntt(coeffs, shift) == expected


@given(log_sizes.flatmap(_values), nonzero_scalars)
def test_inverse_transforms_round_trip(values: list[int], shift: int) -> None:
    assert poly.intt(poly.ntt(values)) == values
    assert poly.ntt(poly.intt(values)) == values
    assert poly.coset_intt(poly.coset_ntt(values, shift), shift) == values
    assert poly.coset_ntt(poly.coset_intt(values, shift), shift) == values


def test_intt_interpolates_a_known_polynomial() -> None:
    # p(x) = 3 + 2x + x^3 sampled on the domain of size 8, then interpolated back.
    coeffs = [3, 2, 0, 1, 0, 0, 0, 0]
    evals = [(3 + 2 * x + pow(x, 3, R)) % R for x in _domain(8)]
    assert poly.intt(evals) == coeffs
    assert poly.coset_intt([(3 + 2 * y + pow(y, 3, R)) % R for y in (7 * x % R for x in _domain(8))], 7) == coeffs


def test_large_size_round_trip_and_spot_evaluations() -> None:
    n = 1 << 12
    values = [(i * i + 17) % R for i in range(n)]
    evals = poly.ntt(values)
    domain_omega = pow(FR_GENERATOR, (R - 1) // n, R)
    for i in (0, 1, 1234, n - 1):
        assert evals[i] == _naive_evaluate(values, pow(domain_omega, i, R))
    assert poly.intt(evals) == values


@pytest.mark.parametrize("n", [0, 3, 6, 12, 100])
def test_non_power_of_two_lengths_are_rejected(n: int) -> None:
    for fn in (poly.ntt, poly.intt):
        with pytest.raises(ValueError, match="power of two"):
            fn([1] * n)
    with pytest.raises(ValueError, match="power of two"):
        poly.coset_ntt([1] * n, 5)


def test_lengths_above_two_adicity_are_rejected() -> None:
    class Huge(list):
        def __len__(self) -> int:
            return 1 << 29

    with pytest.raises(ValueError, match="2\\^28"):
        poly.ntt(Huge())


def test_zero_coset_shift_is_rejected() -> None:
    with pytest.raises(ValueError, match="nonzero"):
        poly.coset_ntt([1, 2], 0)
    with pytest.raises(ValueError, match="nonzero"):
        poly.coset_intt([1, 2], R)
