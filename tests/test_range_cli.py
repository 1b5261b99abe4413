"""The range and rates examples through the CLI: compile/setup/prove/verify with capacities taken from the
files, and each threshold pushed past the truth refused before proving (exit 1, nothing written)."""

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
    p, m = json.loads(portfolio.read_text()), json.loads(market.read_text())
    scenarios = max(1, len(m.get("stress_scenarios", [])))
    return ["--positions", str(len(p["positions"])), "--assets", str(len(m["assets"])), "--scenarios", str(scenarios)]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["range", "rates"])
def test_example_proves_verifies_and_refuses_every_pushed_threshold(name: str, tmp_path: Path) -> None:
    portfolio, market, policy = example(name)
    build, proof = tmp_path / "build", tmp_path / "proof"
    assert run("compile", policy, *_capacity(portfolio, market), "--out", build)[0] == 0
    assert run("setup", build)[0] == 0
    code, out = run("prove", build, "--portfolio", portfolio, "--market", market, "--policy", policy, "--out", proof)
    assert code == 0, out
    code, out = run("verify", proof, "--key", build, "--policy", policy, "--market", market)
    assert code == 0 and out.startswith("OK: every required check passed"), out

    stated = json.loads(policy.read_text())
    measured = {c.key: c.measured_bps for c in evaluate(load_portfolio(portfolio), load_market(market),
                                                         load_policy(policy)).checks}
    for key in (k for k in stated if k.endswith("_bps")):
        pushed, truth = dict(stated), measured[key]
        pushed[key] = truth + (1 if key.startswith("min_") else -1)
        path = tmp_path / f"{key}.policy.json"
        path.write_text(json.dumps(pushed))
        out_dir = tmp_path / f"refused-{key}"
        code, out = run("prove", build, "--portfolio", portfolio, "--market", market, "--policy", path, "--out",
                        out_dir)
        assert code == 1 and out.startswith("error: statement is false: ") and f"({key}={pushed[key]})" in out, out
        assert not out_dir.exists()
