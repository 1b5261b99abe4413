"""Shared test fixtures and hooks: hypothesis profiles, a session ptau, an in-process EVM.

Helpers live in the ``tests.support`` package (``tests.support.tools`` for the npm reference tools).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.tools import run_snarkjs

settings.register_profile(
    "default", deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def ptau_2_10(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A phase-2-ready powers-of-tau file (2^10) made once per session by snarkjs (no download)."""
    d = tmp_path_factory.mktemp("ptau")
    p0, p1, final = d / "pot_0.ptau", d / "pot_1.ptau", d / "pot_final.ptau"
    run_snarkjs("powersoftau", "new", "bn128", "10", p0)
    run_snarkjs("powersoftau", "contribute", p0, p1, "--name=test", "-e=zkyield test entropy")
    run_snarkjs("powersoftau", "prepare", "phase2", p1, final)
    return final


def pytest_terminal_summary(terminalreporter) -> None:
    """Print how many fuzz inputs each loader was fed (tests/test_fuzz_loaders.py)."""
    from tests.support.fuzz_stats import TRIED

    if TRIED:
        terminalreporter.write_sep("-", "fuzzed loaders (inputs tried)")
        for loader, n in sorted(TRIED.items()):
            terminalreporter.write_line(f"{loader:<18} {n}")
        terminalreporter.write_line(f"{'total':<18} {sum(TRIED.values())}")


# --- an in-process EVM (py-evm through web3's EthereumTesterProvider), one per test module --------------


@pytest.fixture(scope="module")
def w3():
    from tests.support.chain import eth_tester_web3

    return eth_tester_web3()


@pytest.fixture(scope="module")
def owner(w3):
    from zkyield.verifier import chain

    return chain.Sender(w3.eth.accounts[0])


@pytest.fixture(scope="module")
def stranger(w3):
    from zkyield.verifier import chain

    return chain.Sender(w3.eth.accounts[1])
