"""Attested statements: constraints per signature and the proving-time effect at N = 8 and 32 positions.

The attested example's policy (circuits/examples/attested.policy.json) at three attestation levels:
none (its thresholds only), the book attested 1 of 3, and the book 2 of 3 plus the prices 1 of 1;
at capacities (N, M, S) = (8, 8, 1) and (32, 16, 1). Setup runs once per circuit outside the timing;
witness and Groth16 prove are timed through ``zkyield.api.prove`` (which includes the witness).
Run ``python3 benchmarks/bench_attest.py`` for the table (docs/attestation.md), or pytest-benchmark.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tests.support.attest import ADMIN, AUDITOR, PRICES, load, sign  # noqa: E402
from zkyield import api  # noqa: E402

CAPACITIES = ((8, 8, 1), (32, 16, 1))
LEVELS = ("none", "book 1 of 3", "book 2 of 3 + prices 1 of 1")


def _policy(level: str):
    _, _, policy = load()
    if level == "none":
        return replace(policy, attested_by=None, prices_attested_by=None)
    if level == "book 1 of 3":
        return replace(policy, attested_by=replace(policy.attested_by, threshold=1), prices_attested_by=None)
    return policy


@cache
def _case(level: str, cap: tuple[int, int, int]):
    portfolio, market, _ = load()
    policy = _policy(level)
    statement = api.compile_statement(policy, *cap)
    signatures = [sign(ADMIN, "book", portfolio, market), sign(AUDITOR, "book", portfolio, market),
                  sign(PRICES, "prices", portfolio, market)]
    required = {"book": policy.attested_by, "prices": policy.prices_attested_by}
    signatures = [s for s in signatures if required[s.subject] is not None]
    return portfolio, market, policy, statement, signatures


@cache
def _keys(level: str, cap: tuple[int, int, int]):
    return api.setup(_case(level, cap)[3])


def _prove(level: str, cap: tuple[int, int, int]):
    portfolio, market, policy, _, signatures = _case(level, cap)
    return api.prove(portfolio, market, policy, _keys(level, cap), signatures=signatures)


@pytest.mark.parametrize("cap", CAPACITIES, ids=lambda c: f"n{c[0]}")
@pytest.mark.parametrize("level", LEVELS)
def test_prove(benchmark, level: str, cap: tuple[int, int, int]) -> None:
    from _bench_util import record

    statement = _case(level, cap)[3]
    keys = _keys(level, cap)
    record(benchmark, lambda: _prove(level, cap), rounds=2, level=level, positions=cap[0],
           constraints=statement.circuit.n_constraints, domain_size=keys.proving_key.domain_size)


def main() -> None:
    print("| N, M, S | attestation | constraints | Groth16 domain | setup | witness + prove |")
    print("|---|---|---|---|---|---|")
    for cap in CAPACITIES:
        for level in LEVELS:
            statement = _case(level, cap)[3]
            t0 = time.perf_counter()
            keys = _keys(level, cap)
            t1 = time.perf_counter()
            attestation = _prove(level, cap)
            t2 = time.perf_counter()
            assert api.verify(attestation, keys.verification_key, _case(level, cap)[2], _case(level, cap)[1],
                              statement=statement)
            log = keys.proving_key.domain_size.bit_length() - 1
            print(f"| {cap} | {level} | {statement.circuit.n_constraints:,} | 2^{log} | {t1 - t0:.1f} s | "
                  f"{t2 - t1:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
