"""NTT over Fr at 2^12..2^18: the C backend (lists in, lists out) against the pure-Python transform."""

from __future__ import annotations

import pytest
from _bench_util import logs, random_scalars, record

from zkyield import poly
from zkyield._native import native

lib = native()  # the extension module these tests drive directly, or None


@pytest.mark.skipif(lib is None, reason="native backend not built")
@pytest.mark.parametrize("log_n", logs(12, 18))
def test_ntt_native(benchmark, log_n: int) -> None:
    values = random_scalars(1 << log_n, log_n)
    record(benchmark, lambda: poly.ntt(values), n=1 << log_n)


@pytest.mark.parametrize("log_n", logs(12, 16))
def test_ntt_pure_python(benchmark, log_n: int) -> None:
    values = random_scalars(1 << log_n, log_n)
    record(benchmark, lambda: poly.transform_python(values, inverse=False), rounds=1, n=1 << log_n)
