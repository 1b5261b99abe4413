"""Radix-2 number-theoretic transforms over Fr on lists of ints (the QAP's evaluation domains).

``ntt`` evaluates a coefficient list at omega^i with omega = ``field.root_of_unity(n)`` (snarkjs's
root), ``coset_ntt`` at shift·omega^i; ``intt``/``coset_intt`` interpolate back. Iterative
Cooley-Tukey after a bit-reversal permutation, each stage done as list comprehensions over
slices, with the twiddles of every size computed once. ``evaluate`` is the Horner reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from zkyield.field import FR_TWO_ADICITY, R, root_of_unity


def _check_size(n: int) -> None:
    if n <= 0 or n & (n - 1) or n > 1 << FR_TWO_ADICITY:
        raise ValueError(f"NTT length must be a power of two <= 2^28, got {n}; pad with zeros")


@lru_cache(maxsize=64)
def _twiddles(n: int, inverse: bool) -> tuple[int, ...]:
    """w^0 .. w^(n/2 - 1) for w = omega_n (or its inverse); stage m uses every (n/2m)-th one."""
    w = root_of_unity(n)
    if inverse:
        w = pow(w, -1, R)
    out = [1] * (n // 2)
    for i in range(1, n // 2):
        out[i] = out[i - 1] * w % R
    return tuple(out)


@lru_cache(maxsize=64)
def _bit_reversal(n: int) -> tuple[int, ...]:
    bits = n.bit_length() - 1
    return tuple(int(format(i, f"0{bits}b")[::-1], 2) if bits else 0 for i in range(n))


def _transform(values: Sequence[int], inverse: bool) -> list[int]:
    n = len(values)
    _check_size(n)
    a = [values[j] % R for j in _bit_reversal(n)]
    tw = _twiddles(n, inverse)
    m = 1
    while m < n:
        stage_tw = tw[:: n // (2 * m)]
        for start in range(0, n, 2 * m):
            lo = a[start:start + m]
            hi = [x * t % R for x, t in zip(a[start + m:start + 2 * m], stage_tw, strict=True)]
            a[start:start + m] = [(x + y) % R for x, y in zip(lo, hi, strict=True)]
            a[start + m:start + 2 * m] = [(x - y) % R for x, y in zip(lo, hi, strict=True)]
        m *= 2
    return a


def ntt(values: Sequence[int]) -> list[int]:
    """Evaluations of the polynomial with these coefficients at omega^0 .. omega^(n-1)."""
    return _transform(values, inverse=False)


def intt(values: Sequence[int]) -> list[int]:
    """Coefficients of the polynomial taking these values at omega^0 .. omega^(n-1)."""
    out = _transform(values, inverse=True)
    n_inv = pow(len(out), -1, R)
    return [x * n_inv % R for x in out]


def _powers(base: int, n: int) -> list[int]:
    out = [1] * n
    for i in range(1, n):
        out[i] = out[i - 1] * base % R
    return out


def coset_ntt(values: Sequence[int], shift: int) -> list[int]:
    """Evaluations at shift·omega^i: scale coefficient i by shift^i, then ``ntt``."""
    if shift % R == 0:
        raise ValueError("coset shift must be a nonzero element of Fr")
    return ntt([v * s % R for v, s in zip(values, _powers(shift, len(values)), strict=True)])


def coset_intt(values: Sequence[int], shift: int) -> list[int]:
    """Coefficients from evaluations at shift·omega^i: ``intt``, then scale coefficient i by shift^-i."""
    if shift % R == 0:
        raise ValueError("coset shift must be a nonzero element of Fr")
    coeffs = intt(values)
    return [v * s % R for v, s in zip(coeffs, _powers(pow(shift, -1, R), len(coeffs)), strict=True)]


def evaluate(coeffs: Sequence[int], x: int) -> int:
    """Reference: Horner evaluation of sum(coeffs[i] · x^i) in Fr."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc
