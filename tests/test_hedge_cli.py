"""The basis-trade, cash-and-carry (a dated future) and cross-chain examples through `zkyield
compile/setup/prove/verify`, with the capacities read from the files, and refused by `prove` past each
threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.cli.main import cli


def run(*args: str | Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


def _capacity(portfolio: Path, market: Path) -> list[str]:
    """N = the book's positions, M = the market's assets, S = its scenarios (at least 1)."""
    book, prices = json.loads(portfolio.read_text()), json.loads(market.read_text())
    n, m, s = len(book["positions"]), len(prices["assets"]), max(1, len(prices.get("stress_scenarios", [])))
    return ["--positions", str(n), "--assets", str(m), "--scenarios", str(s)]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["basis", "carry", "crosschain"])
def test_example_proves_verifies_and_is_refused_past_its_thresholds(name: str, tmp_path: Path) -> None:
    portfolio, market, policy = example(name)
    build, proof = tmp_path / "build", tmp_path / "proof"
    code, out = run("compile", policy, *_capacity(portfolio, market), "--out", build)
    assert code == 0, out
    assert run("setup", build)[0] == 0
    code, out = run("prove", build, "--portfolio", portfolio, "--market", market, "--policy", policy, "--out", proof)
    assert code == 0, out
    code, out = run("verify", proof, "--key", build, "--policy", policy, "--market", market)
    assert code == 0 and out.startswith("OK: every required check passed"), out

    doc = json.loads(policy.read_text())
    checks = evaluate(load_portfolio(portfolio), load_market(market), load_policy(policy)).checks
    for check in [c for c in checks if c.clause.threshold]:
        pushed = {**doc, check.key: check.measured_bps + (1 if check.clause.is_min else -1)}
        code, out = run("prove", build, "--portfolio", portfolio, "--market", market,
                        "--policy", _write(tmp_path / f"{check.key}.json", pushed), "--out", tmp_path / check.key)
        assert code == 1 and "statement is false: " in out and f"({check.key}=" in out, (check.key, out)
        assert not (tmp_path / check.key / "proof.json").exists()


def _write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path
