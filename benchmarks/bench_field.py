"""Fr multiplication: one product (Python int, gmpy2) and batched (list comprehension vs the C backend)."""

from __future__ import annotations

import pytest
from _bench_util import random_scalars
from gmpy2 import mpz

from zkyield._native import FR_WIDTH, native
from zkyield.field import R

lib = native()  # the extension module these tests drive directly, or None

N_BATCH = 1 << 16
needs_native = pytest.mark.skipif(lib is None, reason="native backend not built")


def test_fr_mul_scalar_python_int(benchmark) -> None:
    a, b = random_scalars(2, 1)
    benchmark(lambda: a * b % R)


def test_fr_mul_scalar_gmpy2(benchmark) -> None:
    a, b = (mpz(x) for x in random_scalars(2, 1))
    r = mpz(R)
    benchmark(lambda: a * b % r)


def test_fr_mul_batched_python(benchmark) -> None:
    a, b = random_scalars(N_BATCH, 2), random_scalars(N_BATCH, 3)
    benchmark.extra_info["n"] = N_BATCH
    benchmark(lambda: [x * y % R for x, y in zip(a, b, strict=True)])


@needs_native
def test_fr_mul_batched_native_packed(benchmark) -> None:
    """Montgomery products on packed buffers (what the prover chains), conversion excluded."""
    a, b = (lib.pack(random_scalars(N_BATCH, s), FR_WIDTH) for s in (2, 3))
    benchmark.extra_info["n"] = N_BATCH
    benchmark(lambda: lib.fr_mul_sub(a, b, b""))


@needs_native
def test_fr_mul_batched_native_with_conversion(benchmark) -> None:
    """The same from and back to lists of ints, as a caller holding ints pays it."""
    a, b = random_scalars(N_BATCH, 2), random_scalars(N_BATCH, 3)
    benchmark.extra_info["n"] = N_BATCH
    benchmark(lambda: lib.unpack(lib.fr_mul_sub(lib.pack(a, FR_WIDTH), lib.pack(b, FR_WIDTH), b""), FR_WIDTH))
