"""Many scalar multiples of one fixed base: the workhorse of key generation.

A windowed table (``table[j][d] = d·2^(w·j)·G``) turns each multiplication into about 256/w
mixed additions and no doublings, against ~380 group operations for double-and-add. The C backend
(``zkyield._native``) runs the same method, the scalars split over the available cores; the
pure-Python ``batch_mul_g1_python``/``batch_mul_g2_python`` are its fallback and test reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from zkyield import curve
from zkyield._native import FR_WIDTH, G1_WIDTH, G2_WIDTH, native, threads
from zkyield.field import R

_SCALAR_BITS = R.bit_length()


def _window_bits(count: int) -> int:
    # Table cost ~ (256/w)·2^w additions; per-scalar cost ~ 256/w additions.
    if count < 16:
        return 2
    if count < 256:
        return 4
    if count < 4096:
        return 6
    return 8


def _batch_mul(
    base: Any,
    scalars: Sequence[int],
    to_jac: Callable[[Any], Any],
    jac_add: Callable[[Any, Any], Any],
    jac_add_affine: Callable[[Any, Any], Any],
    batch_to_affine: Callable[[Sequence[Any]], list[Any]],
    infinity: Any,
) -> list[Any]:
    if base is None or not scalars:
        return [None] * len(scalars)
    w = _window_bits(len(scalars))
    mask = (1 << w) - 1
    windows = -(-_SCALAR_BITS // w)
    table_jac = []
    step = to_jac(base)
    for _ in range(windows):
        row = [infinity]
        for _d in range(1, 1 << w):
            row.append(jac_add(row[-1], step))
        table_jac.extend(row[1:])
        step = jac_add(row[-1], step)  # 2^w · (previous step)
    table = batch_to_affine(table_jac)
    stride = (1 << w) - 1
    results = []
    for k in scalars:
        k %= R
        acc = infinity
        j = 0
        while k:
            d = k & mask
            if d:
                point = table[j * stride + d - 1]
                if point is not None:
                    acc = jac_add_affine(acc, point)
            k >>= w
            j += 1
        results.append(acc)
    return batch_to_affine(results)


def _native(fn: Callable[[bytes, bytes, int], bytes], base: Any, scalars: Sequence[int], width: int) -> list[Any]:
    lib = native()
    if base is None:
        return [None] * len(scalars)
    packed = lib.pack([k % R for k in scalars], FR_WIDTH)
    return lib.unpack(fn(lib.pack([base], width), packed, threads()), width)


def batch_mul_g1(base: curve.G1Affine, scalars: Sequence[int]) -> list[curve.G1Affine]:
    """[k·base for k in scalars] (scalars reduced mod r)."""
    lib = native()
    if lib is None:
        return batch_mul_g1_python(base, scalars)
    return _native(lib.g1_batch_mul, base, scalars, G1_WIDTH)


def batch_mul_g2(base: curve.G2Affine, scalars: Sequence[int]) -> list[curve.G2Affine]:
    """[k·base for k in scalars] (scalars reduced mod r)."""
    lib = native()
    if lib is None:
        return batch_mul_g2_python(base, scalars)
    return _native(lib.g2_batch_mul, base, scalars, G2_WIDTH)


def batch_mul_g1_python(base: curve.G1Affine, scalars: Sequence[int]) -> list[curve.G1Affine]:
    """Pure-Python ``batch_mul_g1``."""
    return _batch_mul(
        base, scalars, curve.g1_to_jac, curve.g1_jac_add, curve.g1_jac_add_affine,
        curve.g1_batch_to_affine, curve.G1_JAC_INFINITY,
    )


def batch_mul_g2_python(base: curve.G2Affine, scalars: Sequence[int]) -> list[curve.G2Affine]:
    """Pure-Python ``batch_mul_g2``."""
    return _batch_mul(
        base, scalars, curve.g2_to_jac, curve.g2_jac_add, curve.g2_jac_add_affine,
        curve.g2_batch_to_affine, curve.G2_JAC_INFINITY,
    )
