"""Uniswap v3 LP NFTs ingested as range positions, on the devnet: ticks, liquidity and amounts against the position
manager's own views (positions, a static decreaseLiquidity and collect at each block), the pool's slot0 in the
market, and the statements' range clauses on the result."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from tests.support.devnet.fixtures import period, write_inputs  # noqa: F401  (the session's devnet fixture)
from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.models import load_market, load_policy, load_portfolio
from zkyield.devnet.world import DEADLINE, DECIMALS
from zkyield.ingest.rpc import Rpc
from zkyield.ingest.run import ingest_market, ingest_portfolio

pytestmark = pytest.mark.chain


@pytest.fixture(scope="module")
def files(period, tmp_path_factory):  # noqa: F811
    d = tmp_path_factory.mktemp("ingest_range")
    sources, feeds = write_inputs(period, d)
    doc = json.loads(sources.read_text())
    doc["uniswap_v3"]["range_pools"] = [period.world.pool.address]
    sources.write_text(json.dumps(doc))
    rpc = Rpc(period.world.anvil.url)
    ingest_market("", feeds, period.a, period.b, d / "market.json", sources, rpc=rpc)
    ingest_portfolio("", [period.fund, period.fund2], sources, period.a, period.b, d / "portfolio.json", rpc=rpc)
    return d


def _units(symbol: str, text: str) -> int:
    return int(Decimal(text).scaleb(DECIMALS[symbol]))


def test_the_kept_nft_is_one_range_position_read_from_the_contracts(period, files):  # noqa: F811
    w, token_id = period.world, period.nft_kept
    portfolio = json.loads((files / "portfolio.json").read_text())
    (pos,) = [p for p in portfolio["positions"] if "range" in p]  # only the NFT held over the whole period
    on_chain = w.npm.functions.positions(token_id).call(block_identifier=period.b)
    rng = pos["range"]
    assert (rng["tick_lower"], rng["tick_upper"], int(rng["liquidity"])) == (on_chain[5], on_chain[6], on_chain[7])
    t0, t1 = pos["pool"]
    assert (t0, t1) == w.token_order()
    for key, block in (("amounts_start", period.a), ("amounts_end", period.b)):
        burn = w.npm.functions.decreaseLiquidity((token_id, on_chain[7], 0, 0, DEADLINE)).call(
            {"from": period.fund}, block_identifier=block)
        assert [_units(t0, rng[key][0]), _units(t1, rng[key][1])] == list(burn)
    # its fees are two spot legs of the same NFT, valued at what collect would pay out (fees only: no burn)
    owed_end = w.npm.functions.collect((token_id, period.fund, 2**128 - 1, 2**128 - 1)).call(
        {"from": period.fund}, block_identifier=period.b)
    assert owed_end[0] + owed_end[1] > 0
    provenance = json.loads((files / "portfolio.provenance.json").read_text())
    keys = {tuple(x["key"]): x["index"] for x in provenance["positions"]}
    for k, symbol in enumerate((t0, t1)):
        fee_leg = portfolio["positions"][keys[("uniswap-v3", token_id, k)]]
        assert (fee_leg["asset"], fee_leg["kind"]) == (symbol, "spot")
        assert _units(symbol, fee_leg["end_amount"]) == owed_end[k]
    market = json.loads((files / "market.json").read_text())
    (pool,) = [a for a in market["assets"] if "pool" in a]
    assert pool["symbol"] == pos["asset"] and pool["pool"]["assets"] == [t0, t1]
    for key, block in (("sqrt_price_x96_start", period.a), ("sqrt_price_x96_end", period.b)):
        assert int(pool["pool"][key]) == w.pool.functions.slot0().call(block_identifier=block)[0]


def test_the_other_nfts_stay_spot_legs(files):
    portfolio = json.loads((files / "portfolio.json").read_text())
    spot = [p for p in portfolio["positions"] if p["protocol"] == "uniswap-v3" and p["kind"] == "spot"]
    assert spot and all("range" not in p for p in spot)


def test_the_range_clauses_take_the_ingested_book(files):
    portfolio, market = load_portfolio(files / "portfolio.json"), load_market(files / "market.json")
    checks = evaluate(portfolio, market, load_policy({"max_impermanent_loss_bps": 10_000,
                                                      "min_in_range_bps": 0})).checks
    il, inside = (c.measured_bps for c in checks)
    assert 0 <= il < 10_000 and inside == 10_000  # the scenario's swaps stay inside the kept range
