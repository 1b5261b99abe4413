"""Issue 16: aToken and vault-share transfers across the book's edge are deposits and withdrawals, on a devnet.

The period (``zkyield.devnet.transfers``): an investor sends the fund aDAI, the fund sends vault shares to an
outside address, and moves aWETH and shares to its second account. Expected values come from the protocols
(the aToken's own ``Transfer`` event in the transaction receipt, the vault's ``convertToAssets`` at the block,
``balanceOf`` at the pinned blocks), never from the ingest code; each position's change is then checked to be
its flows plus its income, so no transfer is counted as return.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from devnet.fixtures import require_anvil
from web3.logs import DISCARD

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


def _transfer_event(moved: TransferPeriod, token, block: int, src: str, dst: str) -> int:
    """The value of the token's own Transfer(src -> dst) event in that block (decoded by web3 with the ABI)."""
    (tx,) = moved.world.w3.eth.get_block(block)["transactions"]
    receipt = moved.world.w3.eth.get_transaction_receipt(tx)
    (event,) = [e for e in token.events.Transfer().process_receipt(receipt, errors=DISCARD)
                if (e["args"]["from"], e["args"]["to"]) == (src, dst)]
    return event["args"]["value"]


def test_only_the_transfers_across_the_books_edge_are_flows(moved, ingested) -> None:
    portfolio, prov = ingested
    a_dai = moved.world.reserves["DAI"][0]
    vault = moved.world.vault
    sent_in = _transfer_event(moved, a_dai, moved.atoken_in_block, moved.investor, moved.fund)
    assert sent_in == moved.atoken_in
    # the fund's scaled aDAI grew by the amount over the reserve's income index at that block (Aave's rayDiv)
    k = moved.atoken_in_block
    index = moved.world.aave_pool.functions.getReserveNormalizedIncome(
        moved.world.tokens["DAI"].address).call(block_identifier=k)
    grown = (a_dai.functions.scaledBalanceOf(moved.fund).call(block_identifier=k)
             - a_dai.functions.scaledBalanceOf(moved.fund).call(block_identifier=k - 1))
    assert grown == (sent_in * RAY + index // 2) // index
    shares = _transfer_event(moved, vault, moved.shares_out_block, moved.fund, moved.outsider)
    assert shares == moved.shares_out
    paid_out = vault.functions.convertToAssets(shares).call(block_identifier=moved.shares_out_block)
    flows = {key: [(f["asset"], Decimal(f["amount"])) for f in portfolio[key]] for key in ("deposits", "withdrawals")}
    assert flows == {"deposits": [("DAI", units("DAI", sent_in))],
                     "withdrawals": [("USDC", units("USDC", paid_out))]}
    # the provenance names each counted transfer; the aWETH and the shares moved to fund2 are not among them
    counted = {(t["kind"], t["direction"], t["block"], t["value"]) for t in prov["flow_transfers"]}
    assert counted == {("atoken", "deposit", moved.atoken_in_block, sent_in),
                       ("erc4626", "withdrawal", moved.shares_out_block, paid_out)}
    assert moved.shares_internal_block not in {t["block"] for t in prov["flow_transfers"]}
    assert len(load_portfolio(portfolio).deposits) == 1  # the statements' own loader reads the flows


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
    (deposit,) = portfolio["deposits"]
    assert abs(held[moved.b] - base("DAI", deposit["amount"]) - interest) <= 1  # end - start = deposit + interest
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
    paid_out = base("USDC", portfolio["withdrawals"][0]["amount"])
    income = base("USDC", pos["fee_income"])
    assert income > 0
    assert abs(end - start + paid_out - income) <= 3  # one unit of convertToAssets rounding per segment
