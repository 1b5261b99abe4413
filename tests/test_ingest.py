"""zkyield ingest on a real devnet (anvil + the protocols' own contracts): every amount against the contracts' views.

The expected values come from the contracts (balanceOf, convertToAssets, a static NonfungiblePositionManager
``collect``/``decreaseLiquidity`` at the block, getUserAccountData, latestRoundData) or from the scenario's own
transfer amounts, never from the ingest code's arithmetic.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from click.testing import CliRunner

from tests.support.devnet.fixtures import period, write_inputs  # noqa: F401  (the session's devnet fixture)
from zkyield.circuits.evaluate import evaluate
from zkyield.circuits.models import load_market, load_policy, load_portfolio
from zkyield.cli.main import cli
from zkyield.devnet.world import DEADLINE, DECIMALS
from zkyield.errors import InputError
from zkyield.ingest.run import ingest_market, ingest_portfolio

pytestmark = pytest.mark.chain
MAX128 = 2**128 - 1


def units(symbol: str, amount: int) -> Decimal:
    return Decimal(amount).scaleb(-DECIMALS[symbol])


def amount(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture(scope="module")
def files(period, tmp_path_factory):  # noqa: F811
    d = tmp_path_factory.mktemp("ingest")
    sources, feeds = write_inputs(period, d)
    ingest_market("", feeds, period.a, period.b, d / "market.json", sources, rpc=_rpc(period))
    ingest_portfolio("", [period.fund, period.fund2], sources, period.a, period.b, d / "portfolio.json",
                     rpc=_rpc(period))
    return d


def _rpc(period):  # noqa: F811
    from zkyield.ingest.rpc import Rpc

    return Rpc(period.world.anvil.url)


def _load(path):
    return json.loads(path.read_text())


def _position(portfolio: dict, protocol: str, asset: str, kind: str) -> dict:
    (pos,) = [p for p in portfolio["positions"] if (p["protocol"], p["asset"], p["kind"]) == (protocol, asset, kind)]
    return pos


def test_market_prices_are_the_feeds_rounds_at_each_block(period, files):  # noqa: F811
    market = _load(files / "market.json")
    w = period.world
    assert market["price_decimals"] == 8
    for asset in market["assets"]:
        feed = w.feeds[asset["symbol"]]
        for key, block in (("price_start", period.a), ("price_end", period.b)):
            assert int(asset[key]) == feed.functions.latestRoundData().call(block_identifier=block)[1]
        assert asset["decimals"] == w.tokens[asset["symbol"]].functions.decimals().call()
        config = w.aave_pool.functions.getConfiguration(w.tokens[asset["symbol"]].address).call(
            block_identifier=period.b)[0]
        assert asset["liquidation_threshold_bps"] == (config >> 16) & 0xFFFF
    assert load_market(files / "market.json").period.seconds == (
        w.w3.eth.get_block(period.b)["timestamp"] - w.w3.eth.get_block(period.a)["timestamp"])


def test_wallet_balances_and_the_periods_flows(period, files):  # noqa: F811
    portfolio = _load(files / "portfolio.json")
    w = period.world
    for s in ("WETH", "USDC", "DAI"):
        pos = _position(portfolio, "wallet", s, "spot")
        for key, block in (("start_amount", period.a), ("end_amount", period.b)):
            held = sum(w.tokens[s].functions.balanceOf(a).call(block_identifier=block)
                       for a in (period.fund, period.fund2))
            assert amount(pos[key]) == units(s, held)
    # the investor's USDC in, WETH back out; the WETH moved between the fund's own accounts is no flow
    flows = {key: [(f["asset"], amount(f["amount"])) for f in portfolio[key]] for key in ("deposits", "withdrawals")}
    assert flows == {"deposits": [("USDC", units("USDC", period.deposit_usdc))],
                     "withdrawals": [("WETH", units("WETH", period.withdraw_weth))]}
    assert portfolio["owner"] == period.fund
    assert load_portfolio(files / "portfolio.json").salt > 0


def test_vault_positions_and_their_share_price_income(period, files):  # noqa: F811
    pos = _position(_load(files / "portfolio.json"), "erc4626", "USDC", "lending")
    vault = period.world.vault

    def assets(who, shares_at, block):
        return vault.functions.convertToAssets(vault.functions.balanceOf(who).call(block_identifier=shares_at)).call(
            block_identifier=block)

    fund_a, fund_b = assets(period.fund, period.a, period.a), assets(period.fund, period.b, period.b)
    # the second account deposited mid-period: its income is the growth of its shares since that block
    k = period.vault_deposit_block
    second_b, second_k = assets(period.fund2, period.b, period.b), assets(period.fund2, k, k)
    assert assets(period.fund2, period.a, period.a) == 0 and second_k > 0
    assert amount(pos["start_amount"]) == units("USDC", fund_a)
    assert amount(pos["end_amount"]) == units("USDC", fund_b + second_b)
    income = fund_b - fund_a + second_b - second_k
    assert amount(pos["fee_income"]) == units("USDC", income) and second_b > second_k


def _npm_views(period, token_id: int, block: int) -> dict[str, tuple[int, int]]:  # noqa: F811
    npm = period.world.npm
    liquidity = npm.functions.positions(token_id).call(block_identifier=block)[7]
    dec = npm.functions.decreaseLiquidity((token_id, liquidity, 0, 0, DEADLINE)).call(
        {"from": period.fund}, block_identifier=block)
    owed = npm.functions.collect((token_id, period.fund, MAX128, MAX128)).call({"from": period.fund},
                                                                              block_identifier=block)
    return {"amounts": tuple(dec), "owed": tuple(owed)}


def _lp_legs(files, token_id: int) -> tuple[dict, dict]:
    portfolio, prov = _load(files / "portfolio.json"), _load(files / "portfolio.provenance.json")
    index = {tuple(p["key"]): p["index"] for p in prov["positions"]}
    return tuple(portfolio["positions"][index[("uniswap-v3", token_id, side)]] for side in (0, 1))


def test_uniswap_positions_match_the_position_managers_own_collect_and_burn(period, files):  # noqa: F811
    order = period.world.token_order()
    kept_a, kept_b = (_npm_views(period, period.nft_kept, b) for b in (period.a, period.b))
    closed_a = _npm_views(period, period.nft_closed, period.a)
    closed_last = _npm_views(period, period.nft_closed, period.close_block - 1)  # just before it was closed
    opened_b = _npm_views(period, period.nft_opened, period.b)
    passing_last = _npm_views(period, period.nft_passing, period.passing_close_block - 1)
    for side, s in enumerate(order):
        kept, closed, opened, passing = (_lp_legs(files, i)[side] for i in (
            period.nft_kept, period.nft_closed, period.nft_opened, period.nft_passing))
        assert kept["asset"] == s and kept["protocol"] == "uniswap-v3"
        assert amount(kept["start_amount"]) == units(s, kept_a["amounts"][side] + kept_a["owed"][side])
        assert amount(kept["end_amount"]) == units(s, kept_b["amounts"][side] + kept_b["owed"][side])
        assert amount(kept["fee_income"]) == units(s, kept_b["owed"][side] - kept_a["owed"][side]) > 0
        # closed mid-period: its fees are what it earned until it was closed; nothing is left at the end
        assert amount(closed["start_amount"]) == units(s, closed_a["amounts"][side] + closed_a["owed"][side])
        assert closed["end_amount"] == "0"
        assert amount(closed["fee_income"]) == units(s, closed_last["owed"][side] - closed_a["owed"][side]) > 0
        # opened mid-period: nothing at the start, every owed token at the end is fee income
        assert opened["start_amount"] == "0"
        assert amount(opened["end_amount"]) == units(s, opened_b["amounts"][side] + opened_b["owed"][side])
        assert amount(opened["fee_income"]) == units(s, opened_b["owed"][side]) > 0
        # opened and closed within the period (held at neither block): its fees still count
        assert (passing["start_amount"], passing["end_amount"]) == ("0", "0")
        assert amount(passing["fee_income"]) == units(s, passing_last["owed"][side]) > 0


def test_range_details_go_to_the_provenance(period, files):  # noqa: F811
    prov = _load(files / "portfolio.provenance.json")
    detail = {d["key"][1]: d["detail"] for d in prov["details"] if d["key"][0] == "uniswap-v3"}
    onchain = period.world.npm.functions.positions(period.nft_kept).call(block_identifier=period.b)
    assert (detail[period.nft_kept]["end"]["tick_lower"], detail[period.nft_kept]["end"]["tick_upper"],
            detail[period.nft_kept]["end"]["liquidity"]) == (onchain[5], onchain[6], onchain[7])
    assert detail[period.nft_closed]["end"] is None and detail[period.nft_opened]["start"] is None


def test_provenance_names_every_block_contract_and_call(period, files):  # noqa: F811
    w = period.world
    prov = _load(files / "portfolio.provenance.json")
    assert prov["chain_id"] == w.w3.eth.chain_id
    assert [(b["number"], b["hash"]) for b in prov["blocks"]] == [
        (n, "0x" + w.w3.eth.get_block(n)["hash"].hex().removeprefix("0x")) for n in (period.a, period.b)]
    called = {c["to"] for c in prov["calls"] if c.get("method") == "eth_call"}
    expected = {*(t.address for t in w.tokens.values()), w.vault.address, w.npm.address, w.factory.address,
                w.pool.address, w.aave_provider.address, w.aave_pool.address, w.aave_oracle.address,
                *(t.address for pair in w.reserves.values() for t in pair)}
    assert expected <= called
    # each recorded call replays to the recorded result on the node
    for c in prov["calls"][:: max(1, len(prov["calls"]) // 25)]:
        if c.get("method") == "eth_call":
            raw = w.w3.eth.call({"to": c["to"], "data": c["data"]}, block_identifier=c["block"])
            assert "0x" + raw.hex().removeprefix("0x") == c["result"]
    assert {c["method"] for c in prov["calls"]} == {"eth_call", "eth_getCode", "eth_getLogs"}
    assert "http" not in json.dumps(prov)  # the RPC URL is never recorded


def test_aave_supplies_debts_and_index_interest(period, files):  # noqa: F811
    portfolio = _load(files / "portfolio.json")
    w = period.world
    a_weth, _ = w.reserves["WETH"]
    _, d_usdc = w.reserves["USDC"]
    a_dai, _ = w.reserves["DAI"]

    def bal(token, who, block):
        return token.functions.balanceOf(who).call(block_identifier=block)

    weth = _position(portfolio, "aave-v3", "WETH", "lending")
    start, end = bal(a_weth, period.fund, period.a), bal(a_weth, period.fund, period.b)
    assert (amount(weth["start_amount"]), amount(weth["end_amount"])) == (units("WETH", start), units("WETH", end))
    assert amount(weth["fee_income"]) == units("WETH", end - start) > 0
    debt = _position(portfolio, "aave-v3", "USDC", "borrow")
    assert amount(debt["start_amount"]) == units("USDC", bal(d_usdc, period.fund, period.a))
    assert amount(debt["end_amount"]) == units("USDC", bal(d_usdc, period.fund, period.b))
    assert "fee_income" not in debt
    # supplied mid-period by the second account: interest is the growth since that block
    dai = _position(portfolio, "aave-v3", "DAI", "lending")
    end = bal(a_dai, period.fund2, period.b)
    assert dai["start_amount"] == "0" and amount(dai["end_amount"]) == units("DAI", end)
    assert amount(dai["fee_income"]) == units("DAI", end - bal(a_dai, period.fund2, period.dai_supply_block)) > 0
    # the cross-check kept the pool's own health factor
    prov = _load(files / "portfolio.provenance.json")
    checks = [c for d in prov["details"] for c in d["detail"].get("account_data", [])]
    onchain = w.aave_pool.functions.getUserAccountData(period.fund).call(block_identifier=period.b)
    assert {c["account"]: c["health_factor_wad"] for c in checks}[period.fund] == onchain[5]


def test_the_statements_take_the_files(files):
    portfolio = load_portfolio(files / "portfolio.json")
    market = load_market(files / "market.json")
    policy = load_policy({"min_return_bps": -10_000, "min_health_factor_bps": 10_000})
    result = evaluate(portfolio, market, policy)
    assert {c.key for c in result.checks} == {"min_return_bps", "min_health_factor_bps"}


def test_an_account_with_nothing(period, tmp_path):  # noqa: F811
    sources, _ = write_inputs(period, tmp_path)
    with pytest.raises(InputError, match="hold nothing"):
        ingest_portfolio("", [period.empty], sources, period.a, period.b, tmp_path / "p.json", rpc=_rpc(period))
    assert not (tmp_path / "p.json").exists() and not (tmp_path / "p.provenance.json").exists()
    with_empty = ingest_portfolio("", [period.fund, period.fund2, period.empty], sources, period.a, period.b,
                                  tmp_path / "q.json", rpc=_rpc(period))
    without = ingest_portfolio("", [period.fund, period.fund2], sources, period.a, period.b, tmp_path / "r.json",
                               rpc=_rpc(period))
    assert {**with_empty, "salt": ""} == {**without, "salt": ""}


def test_a_rerun_is_byte_identical_but_the_salt(period, files, tmp_path):  # noqa: F811
    sources, feeds = files / "sources.json", files / "feeds.json"
    ingest_market("", feeds, period.a, period.b, tmp_path / "market.json", sources, rpc=_rpc(period))
    ingest_portfolio("", [period.fund, period.fund2], sources, period.a, period.b, tmp_path / "portfolio.json",
                     rpc=_rpc(period))
    for name in ("market.json", "market.provenance.json", "portfolio.provenance.json"):
        assert (tmp_path / name).read_bytes() == (files / name).read_bytes(), name
    first, again = _load(files / "portfolio.json"), _load(tmp_path / "portfolio.json")
    assert first["salt"] != again["salt"] and {**first, "salt": ""} == {**again, "salt": ""}


def test_cli_ingest_commands(period, files, tmp_path):  # noqa: F811
    url = period.world.anvil.url
    common = ["--rpc", url, "--from-block", str(period.a), "--to-block", str(period.b)]
    result = CliRunner().invoke(cli, ["ingest", "market", *common, "--feeds", str(files / "feeds.json"),
                                      "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["ingest", "portfolio", *common, "--account", period.fund2, "--owner", period.fund,
                                      "--sources", str(files / "sources.json"), "--out", str(tmp_path / "p.json")])
    assert result.exit_code == 0, result.output
    assert _load(tmp_path / "p.json")["owner"] == period.fund
    assert (tmp_path / "p.provenance.json").is_file()


def test_check_replays_every_recorded_read(period, files, tmp_path):  # noqa: F811
    url = period.world.anvil.url
    for name in ("market", "portfolio"):
        result = CliRunner().invoke(cli, ["ingest", "check", str(files / f"{name}.provenance.json"), "--rpc", url])
        assert result.exit_code == 0 and "every read answers as recorded" in result.output, result.output
    # one recorded answer changed: the replay names that read and fails (exit 1)
    prov = _load(files / "portfolio.provenance.json")
    i, call = next((i, c) for i, c in enumerate(prov["calls"]) if c.get("function") == "balanceOf(address)")
    call["result"] = "0x" + (int(call["result"], 16) + 1).to_bytes(32, "big").hex()
    (tmp_path / "forged.provenance.json").write_text(json.dumps(prov))
    result = CliRunner().invoke(cli, ["ingest", "check", str(tmp_path / "forged.provenance.json"), "--rpc", url])
    assert result.exit_code == 1
    assert f"read {i} (balanceOf(address) at {call['to']}, block {call['block']}) answers differently" in result.output
