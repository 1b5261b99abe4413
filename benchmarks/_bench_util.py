"""Shared helpers for the pytest-benchmark suites: sizes, cheap random inputs, peak memory of one call.

Sizes stop at 2^ZKYIELD_BENCH_MAX_LOG (default 14) so a default run stays short on two cores;
set ZKYIELD_BENCH_MAX_LOG=18 for the full 2^10..2^18 tables in RESULTS.md.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

from zkyield import curve, fixed_base
from zkyield.field import R

MAX_LOG = int(os.environ.get("ZKYIELD_BENCH_MAX_LOG", "14"))


def logs(first: int, last: int, step: int = 2) -> list[int]:
    """log2 sizes first, first + step, ... up to min(last, MAX_LOG)."""
    return list(range(first, min(last, MAX_LOG) + 1, step))


def random_scalars(n: int, seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(n)]


def g1_points(n: int, seed: int) -> list[curve.G1Affine]:
    """n distinct-enough points: 256 random multiples of the generator, repeated (MSM cost does not care)."""
    base = fixed_base.batch_mul_g1(curve.G1_GENERATOR, random_scalars(min(n, 256), seed))
    return (base * (n // len(base) + 1))[:n]


def g2_points(n: int, seed: int) -> list[curve.G2Affine]:
    base = fixed_base.batch_mul_g2(curve.G2_GENERATOR, random_scalars(min(n, 64), seed))
    return (base * (n // len(base) + 1))[:n]


def peak_rss_mb(fn: Callable[[], object]) -> float:
    """Peak resident set (MB) of a forked child that runs fn once: this process's pages plus fn's own."""
    pid = os.fork()
    if pid == 0:
        try:
            fn()
        finally:
            os._exit(0)
    _pid, _status, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024


def record(benchmark, fn: Callable[[], object], rounds: int = 3, **info: object) -> object:
    """Time fn with pytest-benchmark (pedantic, one call per round) and attach its peak memory."""
    benchmark.extra_info.update(info)
    benchmark.extra_info["peak_rss_mb"] = round(peak_rss_mb(fn), 1)
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
