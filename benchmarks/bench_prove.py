"""Full Groth16 prove (and verify) on the synthetic chained-multiplication circuit, 2^10..2^18 constraints.

Setup runs once per size outside the timing. The domain is exactly 2^k (constraints + 4 public rows + 1).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pytest
from _bench_util import logs, record

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.r1cs_samples import chained_multiplications  # noqa: E402
from zkyield.groth16 import prove, setup, verify  # noqa: E402

N_PUBLIC = 4


@lru_cache(maxsize=1)
def _circuit(log_n: int) -> tuple:
    r1cs, witness = chained_multiplications(N_PUBLIC, (1 << log_n) - N_PUBLIC - 2)
    pk, vk = setup(r1cs)
    return r1cs, witness, pk, vk


@pytest.mark.parametrize("log_n", logs(10, 18))
def test_prove(benchmark, log_n: int) -> None:
    r1cs, witness, pk, _vk = _circuit(log_n)
    assert pk.domain_size == 1 << log_n
    record(benchmark, lambda: prove(pk, r1cs, witness), rounds=2, constraints=r1cs.n_constraints)


def test_verify_4_public_inputs(benchmark) -> None:
    r1cs, witness, pk, vk = _circuit(10)
    proof = prove(pk, r1cs, witness)
    publics = r1cs.public_inputs(witness)
    assert len(publics) == N_PUBLIC
    assert record(benchmark, lambda: verify(vk, publics, proof), rounds=10)
