"""Multi-scalar multiplication sum(k_i · P_i) in G1 and G2: the one seam a faster backend replaces.

``msm_g1``/``msm_g2`` run the C backend (``zkyield._native``) when it is built, else the pure-Python
``msm_g1_python``/``msm_g2_python``. Both use Pippenger's bucket method with signed digits (buckets for
1..2^(c-1) only; a negative digit adds the negated point). The Python one keeps Jacobian buckets fed by
mixed additions; the C one keeps affine buckets whose additions share one inversion per batch and
splits the windows over the available cores. ``msm_g1_naive``/``msm_g2_naive``
are the double-and-add references both are tested against. ``msm_g1_packed``/``msm_g2_packed`` take
buffers packed once by ``zkyield._native.native().pack`` (the prover keeps its key that way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gmpy2 import mpz

from zkyield import curve
from zkyield._native import G1_WIDTH, G2_WIDTH, native, threads
from zkyield.curve import G1Affine, G2Affine
from zkyield.errors import FieldError, InputError
from zkyield.field import R, fr

# Scalars are canonical Fr elements, so r < 2^254 bounds their length.
SCALAR_BITS = R.bit_length()


@dataclass(frozen=True)
class _Group:
    """The group operations Pippenger needs, so one bucket routine serves G1 and G2."""

    infinity: Any
    double: Callable[[Any], Any]
    add: Callable[[Any, Any], Any]
    add_affine: Callable[[Any, Any], Any]
    neg_affine: Callable[[Any], Any]
    to_affine: Callable[[Any], Any]
    mul: Callable[[Any, int], Any]
    lift: Callable[[Any], Any]
    lower: Callable[[Any], Any]


def _lift_g1(p: tuple[int, int]) -> tuple[Any, Any]:
    return mpz(p[0]), mpz(p[1])


def _lower_g1(p: Any) -> G1Affine:
    return None if p is None else (int(p[0]), int(p[1]))


def _lift_g2(p: tuple[curve.Fq2, curve.Fq2]) -> Any:
    return (mpz(p[0][0]), mpz(p[0][1])), (mpz(p[1][0]), mpz(p[1][1]))


def _lower_g2(p: Any) -> G2Affine:
    return None if p is None else ((int(p[0][0]), int(p[0][1])), (int(p[1][0]), int(p[1][1])))


_G1 = _Group(
    curve.G1_JAC_INFINITY, curve.g1_jac_double, curve.g1_jac_add, curve.g1_jac_add_affine,
    curve.g1_neg, curve.g1_to_affine, curve.g1_jac_mul, _lift_g1, _lower_g1,
)
_G2 = _Group(
    curve.G2_JAC_INFINITY, curve.g2_jac_double, curve.g2_jac_add, curve.g2_jac_add_affine,
    curve.g2_neg, curve.g2_to_affine, curve.g2_jac_mul, _lift_g2, _lower_g2,
)


def _checked(points: Sequence[Any], scalars: Sequence[int]) -> list[tuple[Any, int]]:
    """Pairs with a nonzero scalar and a finite point; raises on bad lengths or non-canonical scalars."""
    _check_scalars(points, scalars)
    # Zero scalars and infinity points add nothing and are dropped.
    return [(p, k) for p, k in zip(points, scalars, strict=True) if k and p is not None]


def window_bits(n: int) -> int:
    """Window c minimising windows·(additions + bucket sums) ≈ (b/c)·(n + 2^c) for n terms."""
    return min(range(1, 17), key=lambda c: (SCALAR_BITS // c + 1) * (n + (1 << c)))


def _signed_digits(k: int, c: int, n_windows: int) -> list[int]:
    """Base-2^c digits of k in [-2^(c-1), 2^(c-1)], least significant first (a carry moves up)."""
    full, half, mask = 1 << c, 1 << (c - 1), (1 << c) - 1
    digits = []
    for _ in range(n_windows):
        d = k & mask
        k >>= c
        if d > half:
            d -= full
            k += 1
        digits.append(d)
    return digits


def _pippenger(group: _Group, pairs: list[tuple[Any, int]]) -> Any:
    """Affine result (ints) of the bucket method; coordinates run as gmpy2 mpz inside (~2x faster)."""
    if not pairs:
        return None
    c = window_bits(len(pairs))
    # (SCALAR_BITS // c + 1) windows hold SCALAR_BITS + 1 bits: room for the last carry.
    n_windows = SCALAR_BITS // c + 1
    digits = [_signed_digits(k, c, n_windows) for _, k in pairs]
    points = [group.lift(p) for p, _ in pairs]
    negated = [group.neg_affine(p) for p in points]
    n_buckets = 1 << (c - 1)
    acc = group.infinity
    for w in range(n_windows - 1, -1, -1):
        for _ in range(c):
            acc = group.double(acc)
        buckets = [group.infinity] * (n_buckets + 1)
        for i, p in enumerate(points):
            d = digits[i][w]
            if d > 0:
                buckets[d] = group.add_affine(buckets[d], p)
            elif d < 0:
                buckets[-d] = group.add_affine(buckets[-d], negated[i])
        # sum_j j·B_j as the running sum of suffix sums.
        running = window = group.infinity
        for j in range(n_buckets, 0, -1):
            running = group.add(running, buckets[j])
            window = group.add(window, running)
        acc = group.add(acc, window)
    return group.lower(group.to_affine(acc))


def _naive(group: _Group, pairs: list[tuple[Any, int]]) -> Any:
    acc = group.infinity
    for p, k in pairs:
        acc = group.add(acc, group.mul(p, k))
    return group.to_affine(acc)


def msm_g1(points: Sequence[G1Affine], scalars: Sequence[int]) -> G1Affine:
    """sum(scalars[i] · points[i]) in G1; scalars must be canonical Fr elements."""
    lib = native()
    if lib is None:
        return msm_g1_python(points, scalars)
    _check_scalars(points, scalars)
    return msm_g1_packed(lib.pack(points, G1_WIDTH), lib.pack(scalars, 1))


def msm_g2(points: Sequence[G2Affine], scalars: Sequence[int]) -> G2Affine:
    """sum(scalars[i] · points[i]) in G2; scalars must be canonical Fr elements."""
    lib = native()
    if lib is None:
        return msm_g2_python(points, scalars)
    _check_scalars(points, scalars)
    return msm_g2_packed(lib.pack(points, G2_WIDTH), lib.pack(scalars, 1))


def msm_g1_packed(points: bytes, scalars: bytes) -> G1Affine:
    """``msm_g1`` on packed buffers (native backend only); a scalar >= r raises FieldError."""
    return _native_msm("g1_msm", points, scalars, G1_WIDTH)


def msm_g2_packed(points: bytes, scalars: bytes) -> G2Affine:
    """``msm_g2`` on packed buffers (native backend only); a scalar >= r raises FieldError."""
    return _native_msm("g2_msm", points, scalars, G2_WIDTH)


def _native_msm(name: str, points: bytes, scalars: bytes, width: int) -> Any:
    lib = native()
    if lib is None:
        raise RuntimeError("packed MSM needs the native backend (zkyield._native); use msm_g1/msm_g2")
    try:
        out = getattr(lib, name)(points, scalars, threads())
    except ValueError as e:
        raise FieldError(f"msm: {e}; pass canonical scalars (< r) and points from a validated key") from None
    return lib.unpack(out, width)[0]


def _check_scalars(points: Sequence[Any], scalars: Sequence[int]) -> None:
    if len(points) != len(scalars):
        raise InputError(f"msm: {len(points)} points but {len(scalars)} scalars; pass one scalar per point")
    if all(type(k) is int and 0 <= k < R for k in scalars):  # the common case, without a call per scalar
        return
    for i, k in enumerate(scalars):
        fr(k, f"msm scalars[{i}]")


def msm_g1_python(points: Sequence[G1Affine], scalars: Sequence[int]) -> G1Affine:
    """Pure-Python Pippenger (gmpy2 coordinates): the fallback, and the reference for the native one."""
    return _pippenger(_G1, _checked(points, scalars))


def msm_g2_python(points: Sequence[G2Affine], scalars: Sequence[int]) -> G2Affine:
    """Pure-Python Pippenger (gmpy2 coordinates): the fallback, and the reference for the native one."""
    return _pippenger(_G2, _checked(points, scalars))


def msm_g1_naive(points: Sequence[G1Affine], scalars: Sequence[int]) -> G1Affine:
    """Reference: one double-and-add per term, plain ints."""
    return _naive(_G1, _checked(points, scalars))


def msm_g2_naive(points: Sequence[G2Affine], scalars: Sequence[int]) -> G2Affine:
    """Reference: one double-and-add per term, plain ints."""
    return _naive(_G2, _checked(points, scalars))
