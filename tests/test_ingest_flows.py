"""Issue 16: aToken and vault-share transfers across the book's edge are deposits and withdrawals, on a devnet.

The period (``zkyield.devnet.transfers``): an investor sends the fund aDAI, the fund sends vault shares to an
outside address and moves aWETH and shares to its second account; on the fund's behalf the investor supplies
DAI and repays USDC debt, an outsider deposits into the vault, the fund withdraws vault USDC to the outsider; a
victim outside the fund is liquidated. Expected values come from the protocols (each contract's own events in
the transaction receipts, the vault's ``convertToAssets`` at the block, ``balanceOf`` at the pinned blocks),
never from the ingest code; each position's change is then checked to be its flows plus its income, so no
transfer is counted as return.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from web3.logs import DISCARD

from tests.support.devnet.fixtures import require_anvil
from zkyield.circuits.models import load_portfolio
from zkyield.devnet import Anvil, deploy_world
from zkyield.devnet.transfers import TransferPeriod, run_transfer_period
from zkyield.devnet.world import DECIMALS
from zkyield.ingest.rpc import Rpc
from zkyield.ingest.run import ingest_portfolio

pytestmark = pytest.mark.chain
RAY = 10**27


@pytest.fixture(scope="module")
def moved(request) -> TransferPeriod:
    require_anvil()
    anvil = Anvil().start()
    request.addfinalizer(anvil.stop)
    return run_transfer_period(deploy_world(anvil))


@pytest.fixture(scope="module")
def ingested(moved, tmp_path_factory):
    d = tmp_path_factory.mktemp("flows")
    sources = d / "sources.json"
    sources.write_text(json.dumps(moved.world.sources()))
    ingest_portfolio("", [moved.fund, moved.fund2], sources, moved.a, moved.b, d / "portfolio.json",
                     rpc=Rpc(moved.world.anvil.url))
    return json.loads((d / "portfolio.json").read_text()), json.loads((d / "portfolio.provenance.json").read_text())


def units(symbol: str, amount: int) -> Decimal:
    return Decimal(amount).scaleb(-DECIMALS[symbol])


def base(symbol: str, text: str) -> int:
    return int(Decimal(text).scaleb(DECIMALS[symbol]))


def _position(portfolio: dict, protocol: str, asset: str, kind: str) -> dict:
    (pos,) = [p for p in portfolio["positions"] if (p["protocol"], p["asset"], p["kind"]) == (protocol, asset, kind)]
    return pos


def _event(moved: TransferPeriod, contract, name: str, block: int, **match) -> dict:
    """The args of ``contract``'s own ``name`` event in that block's transaction whose args include ``match``."""
    (tx,) = moved.world.w3.eth.get_block(block)["transactions"]
    receipt = moved.world.w3.eth.get_transaction_receipt(tx)
    (event,) = [e["args"] for e in getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
                if all(e["args"][k] == v for k, v in match.items())]
    return event


def _flows(portfolio: dict) -> dict:
    return {key: {f["asset"]: Decimal(f["amount"]) for f in portfolio[key]} for key in ("deposits", "withdrawals")}


def test_only_the_moves_across_the_books_edge_are_flows(moved, ingested) -> None:
    portfolio, prov = ingested
    w, fund = moved.world, moved.fund
    a_dai, vault, pool = w.reserves["DAI"][0], w.vault, w.aave_pool
    sent_in = _event(moved, a_dai, "Transfer", moved.atoken_in_block, **{"from": moved.investor, "to": fund})["value"]
    assert sent_in == moved.atoken_in
    # the fund's scaled aDAI grew by the amount over the reserve's income index at that block (Aave's rayDiv)
    k = moved.atoken_in_block
    index = pool.functions.getReserveNormalizedIncome(w.tokens["DAI"].address).call(block_identifier=k)
    grown = (a_dai.functions.scaledBalanceOf(fund).call(block_identifier=k)
             - a_dai.functions.scaledBalanceOf(fund).call(block_identifier=k - 1))
    assert grown == (sent_in * RAY + index // 2) // index
    shares = _event(moved, vault, "Transfer", moved.shares_out_block, **{"from": fund, "to": moved.outsider})["value"]
    paid_out = vault.functions.convertToAssets(shares).call(block_identifier=moved.shares_out_block)
    supplied = _event(moved, pool, "Supply", moved.supplied_for_block, user=moved.investor, onBehalfOf=fund)["amount"]
    repaid = _event(moved, pool, "Repay", moved.repaid_for_block, user=fund, repayer=moved.investor)["amount"]
    deposited = _event(moved, vault, "Deposit", moved.deposited_for_block, sender=moved.outsider,
                       owner=moved.fund2)["assets"]
    withdrawn = _event(moved, vault, "Withdraw", moved.withdrawn_to_block, receiver=moved.outsider,
                       owner=fund)["assets"]
    assert (supplied, repaid, deposited, withdrawn) == (moved.supplied_for, moved.repaid_for, moved.deposited_for,
                                                         moved.withdrawn_to)
    for_outsider = _event(moved, pool, "Supply", moved.supplied_by_fund_block, user=fund,
                          onBehalfOf=moved.outsider)["amount"]
    on_credit = _event(moved, pool, "Borrow", moved.borrowed_on_credit_block, user=fund,
                       onBehalfOf=moved.outsider)["amount"]
    assert (for_outsider, on_credit) == (moved.supplied_by_fund, moved.borrowed_on_credit)
    assert _flows(portfolio) == {
        "deposits": {"DAI": units("DAI", sent_in + supplied + on_credit), "USDC": units("USDC", repaid + deposited)},
        "withdrawals": {"USDC": units("USDC", paid_out + withdrawn + for_outsider)}}
    # the provenance names each counted move; the aWETH and the shares moved to fund2 are not among them
    counted = {(t["kind"], t["direction"], t["block"], t["value"]) for t in prov["flow_transfers"]}
    assert counted == {("atoken", "deposit", moved.atoken_in_block, sent_in),
                       ("erc4626", "withdrawal", moved.shares_out_block, paid_out),
                       ("aave-supply", "deposit", moved.supplied_for_block, supplied),
                       ("aave-repay", "deposit", moved.repaid_for_block, repaid),
                       ("erc4626-deposit", "deposit", moved.deposited_for_block, deposited),
                       ("erc4626-withdraw", "withdrawal", moved.withdrawn_to_block, withdrawn),
                       ("aave-supply", "withdrawal", moved.supplied_by_fund_block, for_outsider),
                       ("aave-borrow", "deposit", moved.borrowed_on_credit_block, on_credit)}
    assert moved.shares_internal_block not in {t["block"] for t in prov["flow_transfers"]}
    assert len(load_portfolio(portfolio).deposits) == 2  # the statements' own loader reads the flows


def test_collateral_seized_as_atokens_is_a_loss_not_a_withdrawal(moved, tmp_path) -> None:
    """The liquidator receives the victim's aWETH by a plain aToken Transfer to an EOA; without the
    liquidation check that transfer would read as a WETH withdrawal and hide the loss from the return."""
    w = moved.world
    call = _event(moved, w.aave_pool, "LiquidationCall", moved.liquidation_block, user=moved.victim)
    assert call["receiveAToken"] and call["liquidatedCollateralAmount"] > 0
    seized = _event(moved, w.reserves["WETH"][0], "Transfer", moved.liquidation_block,
                    **{"from": moved.victim, "to": call["liquidator"]})["value"]
    assert seized > 0 and w.w3.eth.get_code(call["liquidator"]) == b""  # an EOA: outside the book
    sources = tmp_path / "sources.json"
    sources.write_text(json.dumps(w.sources()))
    ingest_portfolio("", [moved.victim], sources, moved.a, moved.b, tmp_path / "victim.json", rpc=Rpc(w.anvil.url))
    victim = json.loads((tmp_path / "victim.json").read_text())
    assert (victim["deposits"], victim["withdrawals"]) == ([], [])
    weth = _position(victim, "aave-v3", "WETH", "lending")
    assert Decimal(weth["end_amount"]) < Decimal(weth["start_amount"])  # the seized collateral is the loss


def test_the_aave_position_changes_by_its_deposit_plus_its_interest(moved, ingested) -> None:
    portfolio, _ = ingested
    a_dai, a_weth = moved.world.reserves["DAI"][0], moved.world.reserves["WETH"][0]
    accounts = (moved.fund, moved.fund2)
    dai = _position(portfolio, "aave-v3", "DAI", "lending")
    held = {b: sum(a_dai.functions.balanceOf(a).call(block_identifier=b) for a in accounts) for b in (moved.a, moved.b)}
    assert (base("DAI", dai["start_amount"]), base("DAI", dai["end_amount"])) == (held[moved.a], held[moved.b]) \
        and held[moved.a] == 0
    interest = base("DAI", dai["fee_income"])
    assert interest > 0
    deposit = moved.atoken_in + moved.supplied_for  # the aDAI sent in and the DAI supplied for the fund
    assert abs(held[moved.b] - deposit - interest) <= 2  # end - start = deposits + interest (ray rounding)
    # aWETH moved inside the book: the merged position keeps all of it, and no WETH flow appears
    weth = _position(portfolio, "aave-v3", "WETH", "lending")
    weth_held = {b: sum(a_weth.functions.balanceOf(a).call(block_identifier=b) for a in accounts)
                 for b in (moved.a, moved.b)}
    assert base("WETH", weth["end_amount"]) == weth_held[moved.b]
    assert abs(weth_held[moved.b] - weth_held[moved.a] - base("WETH", weth.get("fee_income", "0"))) <= 2


def test_the_vault_position_changes_by_its_withdrawal_plus_its_income(moved, ingested) -> None:
    portfolio, _ = ingested
    vault = moved.world.vault
    pos = _position(portfolio, "erc4626", "USDC", "lending")

    def assets(who: str, block: int) -> int:
        return vault.functions.convertToAssets(vault.functions.balanceOf(who).call(block_identifier=block)).call(
            block_identifier=block)

    start = assets(moved.fund, moved.a) + assets(moved.fund2, moved.a)
    end = assets(moved.fund, moved.b) + assets(moved.fund2, moved.b)
    assert (base("USDC", pos["start_amount"]), base("USDC", pos["end_amount"])) == (start, end)
    paid_in = moved.deposited_for  # the outsider's deposit for the second account
    paid_out = vault.functions.convertToAssets(moved.shares_out).call(
        block_identifier=moved.shares_out_block) + moved.withdrawn_to  # shares sent out, USDC withdrawn out
    income = base("USDC", pos["fee_income"])
    assert income > 0
    assert abs(end - start - paid_in + paid_out - income) <= 6  # a unit of convertToAssets rounding per segment


def test_the_debt_falls_by_the_repayment_on_the_funds_behalf(moved, ingested) -> None:
    portfolio, _ = ingested
    debt_token = moved.world.reserves["USDC"][1]
    pos = _position(portfolio, "aave-v3", "USDC", "borrow")
    owed = {b: debt_token.functions.balanceOf(moved.fund).call(block_identifier=b) for b in (moved.a, moved.b)}
    assert (base("USDC", pos["start_amount"]), base("USDC", pos["end_amount"])) == (owed[moved.a], owed[moved.b])
    assert 0 < owed[moved.b] - owed[moved.a] + moved.repaid_for < 10**6  # the rest is under 1 USDC of interest
