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
    ranges = max((i + 1 for i, q in enumerate(p["positions"]) if "range" in q), default=0)  # ranges lead the book
    return ["--positions", str(len(p["positions"])), "--assets", str(len(m["assets"])), "--scenarios", str(scenarios),
            "--range-slots", str(ranges)]


RANGE_PAST_SLOTS = ("error: portfolio.json: positions[1] is a Uniswap v3 range position but the circuit has 1 range "
                    "slot(s); list range positions first, or compile with --range-slots K")


def test_commit_refuses_a_range_position_past_the_range_slots() -> None:
    portfolio, market, _ = example("range")
    code, out = run("commit", portfolio, "--market", market, "-n", "3", "-m", "3", "--range-slots", "1")
    assert code == 2 and out.strip() == RANGE_PAST_SLOTS.replace("portfolio.json", portfolio.name), out
    code, out = run("commit", portfolio, "--market", market, "-n", "3", "-m", "3", "--range-slots", "2", "--json")
    assert code == 0 and int(json.loads(out)["commitment"]) > 0, out
    code, out = run("compile", example("range")[2], "-n", "3", "--range-slots", "4", "--out", "unused")
    assert code == 2 and "capacity.ranges (range slots): expected an integer in 0..3" in out, out


@pytest.mark.slow
def test_prove_refuses_a_book_with_more_ranges_than_the_build(tmp_path: Path) -> None:
    portfolio, market, policy = example("range")
    build = tmp_path / "build"
    assert run("compile", policy, "-n", "3", "-m", "3", "--range-slots", "1", "--out", build)[0] == 0
    assert json.loads((build / "statement.json").read_text())["capacity"]["ranges"] == 1
    assert run("setup", build)[0] == 0
    out_dir = tmp_path / "proof"
    code, out = run("prove", build, "--portfolio", portfolio, "--market", market, "--policy", policy, "--out", out_dir)
    assert code == 2 and RANGE_PAST_SLOTS.split("portfolio.json")[1] in out, out
    assert not out_dir.exists()


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
