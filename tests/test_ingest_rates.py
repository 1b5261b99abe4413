"""Aave v3 rate models in the ingested market, checked against the rate strategy's own calculateInterestRates."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from tests.support.devnet.fixtures import period, write_inputs  # noqa: F401  (the session's devnet fixture)
from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.models import load_market, load_policy, load_portfolio
from zkyield.devnet.contracts import artifact
from zkyield.devnet.world import AAVE
from zkyield.errors import StatementFalse
from zkyield.ingest.rpc import Rpc
from zkyield.ingest.run import ingest_market, ingest_portfolio

pytestmark = pytest.mark.chain
RAY = 10**27


@pytest.fixture(scope="module")
def files(period, tmp_path_factory):  # noqa: F811
    d = tmp_path_factory.mktemp("ingest_rates")
    sources, feeds = write_inputs(period, d)
    rpc = Rpc(period.world.anvil.url)
    ingest_market("", feeds, period.a, period.b, d / "market.json", sources, rpc=rpc)
    ingest_portfolio("", [period.fund, period.fund2], sources, period.a, period.b, d / "portfolio.json", rpc=rpc)
    return d


def test_rate_models_reproduce_the_strategys_own_rates(period, files):  # noqa: F811
    w = period.world
    strategy_abi = artifact(AAVE, "protocol/pool/DefaultReserveInterestRateStrategy.sol")["abi"]
    market = load_market(files / "market.json")
    checked = 0
    for asset in market.assets:
        token = w.tokens[asset.symbol]
        a_token, v_debt = w.reserves[asset.symbol]
        data = w.aave_pool.functions.getReserveData(token.address).call(block_identifier=period.b)
        strategy = w.w3.eth.contract(address=data[11], abi=strategy_abi)
        for block, utilisation in ((period.a, asset.rate_model.utilisation_start),
                                   (period.b, asset.rate_model.utilisation_end)):
            debt = v_debt.functions.totalSupply().call(block_identifier=block)
            available = token.functions.balanceOf(a_token.address).call(block_identifier=block)
            factor = (w.aave_pool.functions.getConfiguration(token.address).call(block_identifier=block)[0] >> 64) \
                & 0xFFFF
            params = (0, 0, 0, 0, debt, 0, factor, token.address, a_token.address)
            supply, _, borrow = strategy.functions.calculateInterestRates(params).call(block_identifier=block)
            assert abs(asset.rate_model.borrow_rate(utilisation) - borrow) <= 10  # ray units: Aave's rounding
            # the supply rate goes through Aave's overall-rate average, rate x D / D in ray with D = debt x 10^9:
            # rounding error below RAY / (D x 10^9) besides the ray roundings
            slack = 10 + (RAY // (debt * 10**9) if debt else 0)
            assert abs(asset.rate_model.supply_rate(utilisation) - supply) <= slack
            assert utilisation == ((debt * RAY + (available + debt) // 2) // (available + debt) if debt else 0)
            checked += bool(debt)
    assert checked >= 2  # borrowed reserves, where the kink's lower slope is exercised


def test_the_ingested_interest_agrees_with_the_rate_model(period, files):  # noqa: F811
    """Every Aave position, the DAI supplied mid-period included: its principal change (read from the
    chain's balances and indices at the supply's block) makes the rate clause compare its interest with
    the model over the time-weighted principal."""
    portfolio = json.loads((files / "portfolio.json").read_text())
    portfolio["positions"] = [p for p in portfolio["positions"] if p["protocol"] == "aave-v3"]
    (dai,) = [p for p in portfolio["positions"] if p["asset"] == "DAI" and p["kind"] == "lending"]
    w3 = period.world.w3
    when = w3.eth.get_block(period.dai_supply_block)["timestamp"]
    assert dai["start_amount"] == "0" and dai["principal_changes"] == [
        {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)), "amount": "600"}]
    check = evaluate(load_portfolio(portfolio), load_market(files / "market.json"),
                     load_policy({"max_rate_model_deviation_bps": 10_000})).checks[0]
    # the chain's own index growth is within 1% of the model's linear accrual at the two utilisations
    assert check.measured_bps is not None and check.measured_bps <= 100, check.describe()
    del dai["principal_changes"]  # without it the 600 DAI supplied read as interest on nothing
    with pytest.raises(StatementFalse, match="deviation from the rate model"):
        evaluate(load_portfolio(portfolio), load_market(files / "market.json"),
                 load_policy({"max_rate_model_deviation_bps": 10_000})).require_holds()
