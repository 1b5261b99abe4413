"""Radix-2 number-theoretic transforms over Fr on lists of ints (the QAP's evaluation domains).

``ntt`` evaluates a coefficient list at omega^i with omega = ``field.root_of_unity(n)`` (snarkjs's
root), ``coset_ntt`` at shift·omega^i; ``intt``/``coset_intt`` interpolate back. With the C backend
built they run there (radix 4, threads at 2^12 and above, cached twiddles, the coset scalings fused
into the load and store passes; see zkyield/_native/ntt.h); ``ntt_packed``/``intt_packed`` do the
same on packed buffers so the prover chains transforms without converting to ints in between. The
pure-Python path (``transform_python``) is iterative Cooley-Tukey after a bit-reversal permutation,
each stage done as list comprehensions over slices. ``evaluate`` is the Horner reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from zkyield._native import FR_WIDTH, native, threads
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


def transform_python(values: Sequence[int], inverse: bool) -> list[int]:
    """Pure-Python NTT by omega_n (or its inverse), unscaled: the fallback and the native path's reference."""
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


def _pack(values: Sequence[int]) -> bytes:
    lib = native()
    try:
        return lib.pack(values, FR_WIDTH)
    except (OverflowError, TypeError):  # negative or oversized ints: reduce first, as the Python path does
        return lib.pack([v % R for v in values], FR_WIDTH)


def _native(buf: bytes, inverse: bool, shift: int) -> bytes:
    """Packed (co)set transform: forward scales by shift^i first, inverse by n^-1·shift^-i after."""
    lib = native()
    n = len(buf) // 32
    _check_size(n)
    if shift % R == 0:
        raise ValueError("coset shift must be a nonzero element of Fr")
    omega = root_of_unity(n)
    one = (1).to_bytes(32, "little")
    if not inverse:
        return lib.fr_ntt(buf, _fr_bytes(omega), _fr_bytes(shift % R), one, one, threads())
    post = pow(shift, -1, R)
    return lib.fr_ntt(buf, _fr_bytes(pow(omega, -1, R)), one, _fr_bytes(post), _fr_bytes(pow(n, -1, R)), threads())


def _fr_bytes(x: int) -> bytes:
    return x.to_bytes(32, "little")


def ntt_packed(buf: bytes, shift: int = 1) -> bytes:
    """``coset_ntt`` (``ntt`` for shift 1) on a packed buffer of canonical Fr elements (native backend only)."""
    return _native(buf, False, shift)


def intt_packed(buf: bytes, shift: int = 1) -> bytes:
    """``coset_intt`` (``intt`` for shift 1) on a packed buffer of canonical Fr elements (native backend only)."""
    return _native(buf, True, shift)


def _run(values: Sequence[int], inverse: bool, shift: int) -> list[int]:
    lib = native()
    _check_size(len(values))
    return lib.unpack(_native(_pack(values), inverse, shift), FR_WIDTH)


def ntt(values: Sequence[int]) -> list[int]:
    """Evaluations of the polynomial with these coefficients at omega^0 .. omega^(n-1)."""
    lib = native()
    if lib is not None:
        return _run(values, False, 1)
    return transform_python(values, inverse=False)


def intt(values: Sequence[int]) -> list[int]:
    """Coefficients of the polynomial taking these values at omega^0 .. omega^(n-1)."""
    lib = native()
    if lib is not None:
        return _run(values, True, 1)
    out = transform_python(values, inverse=True)
    n_inv = pow(len(out), -1, R)
    return [x * n_inv % R for x in out]


def _powers(base: int, n: int) -> list[int]:
    out = [1] * n
    for i in range(1, n):
        out[i] = out[i - 1] * base % R
    return out


def coset_ntt(values: Sequence[int], shift: int) -> list[int]:
    """Evaluations at shift·omega^i: scale coefficient i by shift^i, then ``ntt``."""
    lib = native()
    if shift % R == 0:
        raise ValueError("coset shift must be a nonzero element of Fr")
    if lib is not None:
        return _run(values, False, shift)
    return ntt([v * s % R for v, s in zip(values, _powers(shift, len(values)), strict=True)])


def coset_intt(values: Sequence[int], shift: int) -> list[int]:
    """Coefficients from evaluations at shift·omega^i: ``intt``, then scale coefficient i by shift^-i."""
    lib = native()
    if shift % R == 0:
        raise ValueError("coset shift must be a nonzero element of Fr")
    if lib is not None:
        return _run(values, True, shift)
    coeffs = intt(values)
    return [v * s % R for v, s in zip(coeffs, _powers(pow(shift, -1, R), len(coeffs)), strict=True)]


def evaluate(coeffs: Sequence[int], x: int) -> int:
    """Reference: Horner evaluation of sum(coeffs[i] · x^i) in Fr."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % R
    return acc
