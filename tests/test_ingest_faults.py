"""zkyield ingest refusing what it must: a killed node, a stale or broken feed, a reorg, a wrong contract, a donation.

Each fault is made for real on anvil (the node is killed, the feed is left stale, the chain is reorganised with
evm_snapshot/evm_revert, the donation is a real transfer) and each test checks the one-line error and that
nothing was written.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from click.testing import CliRunner

from tests.support.devnet.fixtures import period, require_anvil, write_inputs  # noqa: F401  (the session's devnet fixture)
from zkyield.cli.main import cli
from zkyield.devnet import Anvil, deploy_world
from zkyield.devnet.contracts import send
from zkyield.devnet.scenario import E6
from zkyield.errors import InputError
from zkyield.ingest import rpc as rpc_module
from zkyield.ingest.feeds import check_round
from zkyield.ingest.rpc import NodeError, Rpc
from zkyield.ingest.run import ingest_market, ingest_portfolio
from zkyield.ingest.sources import Feed

pytestmark = pytest.mark.chain


def _nothing_written(folder, *names):
    for name in names:
        assert not (folder / f"{name}.json").exists() and not (folder / f"{name}.provenance.json").exists()


def _cli(*args):
    result = CliRunner().invoke(cli, list(map(str, args)))
    return result.exit_code, result.output


def test_node_unreachable(tmp_path, period):  # noqa: F811
    sources, feeds = write_inputs(period, tmp_path)
    code, out = _cli("ingest", "market", "--rpc", "http://127.0.0.1:9", "--feeds", feeds, "--from-block", 1,
                     "--to-block", 2, "--out", tmp_path / "m.json")
    assert code == 2 and "no JSON-RPC node answers at http://127.0.0.1:9" in out and len(out.splitlines()) == 1
    _nothing_written(tmp_path, "m")


def test_url_that_is_not_a_node(tmp_path, period):  # noqa: F811
    import http.server
    import threading

    _, feeds = write_inputs(period, tmp_path)
    class Quiet(http.server.SimpleHTTPRequestHandler):  # a plain web server: it answers POST with 501
        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v3/secret-api-key"
        code, out = _cli("ingest", "market", "--rpc", url, "--feeds", feeds, "--from-block", 1, "--to-block", 2,
                         "--out", tmp_path / "m.json")
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2 and f"the node at http://127.0.0.1:{server.server_port} answered HTTP 501" in out
    assert "secret-api-key" not in out  # a provider URL's key never reaches a log
    _nothing_written(tmp_path, "m")


def test_node_killed_mid_read(tmp_path, monkeypatch):
    require_anvil()
    with Anvil() as anvil:
        world = deploy_world(anvil)
        fund = world.w3.eth.accounts[1]
        world.supply(fund, "WETH", 10**18)
        world.vault_deposit(fund, 100 * E6)
        a = anvil.mine()
        b = anvil.mine()
        (tmp_path / "sources.json").write_text(json.dumps(world.sources()))
        real_post = rpc_module.Rpc._post

        def post_then_kill(self, payload):
            if self.requests == 6:  # part of the book is read: the node dies now
                anvil.proc.kill()
                anvil.proc.wait()
            return real_post(self, payload)

        monkeypatch.setattr(rpc_module.Rpc, "_post", post_then_kill)
        with pytest.raises(NodeError, match=f"no JSON-RPC node answers at {anvil.url}"):
            ingest_portfolio(anvil.url, [fund], tmp_path / "sources.json", a, b, tmp_path / "p.json")
    _nothing_written(tmp_path, "p")


def test_block_not_available(tmp_path, period):  # noqa: F811
    sources, feeds = write_inputs(period, tmp_path)
    head = period.world.anvil.block()
    with pytest.raises(InputError, match=f"block {head + 1000}: the node does not have it"):
        ingest_market(period.world.anvil.url, feeds, period.a, head + 1000, tmp_path / "m.json")
    _nothing_written(tmp_path, "m")


def test_pruned_state_not_available(tmp_path):
    require_anvil()
    feeds = tmp_path / "feeds.json"
    feeds.write_text(json.dumps({"WETH": {"aggregator": "0x" + "11" * 20, "max_staleness_s": 60, "decimals": 18}}))
    with Anvil("--prune-history", "1") as anvil:  # keeps the state of the newest block only
        for _ in range(4):
            anvil.mine()
        code, out = _cli("ingest", "market", "--rpc", anvil.url, "--feeds", feeds, "--from-block", 1,
                         "--to-block", 4, "--out", tmp_path / "m.json")
    assert code == 2 and out.startswith("error: block 1: the node cannot serve state at it") and "archive" in out
    _nothing_written(tmp_path, "m")


def test_stale_feed(tmp_path, period):  # noqa: F811
    w = period.world
    updated = w.feeds["WETH"].functions.latestRoundData().call(block_identifier=period.b)[3]
    age = w.w3.eth.get_block(period.b)["timestamp"] - updated
    _, feeds = write_inputs(period, tmp_path, max_staleness_s=age - 1)
    with pytest.raises(InputError, match=r"feed WETH \(0x[0-9a-fA-F]{40}\) at block \d+: .* the feed is stale"):
        ingest_market(period.world.anvil.url, feeds, period.a, period.b, tmp_path / "m.json")
    _nothing_written(tmp_path, "m")


def test_non_positive_answer_refused(tmp_path, period):  # noqa: F811
    w = period.world
    _, feeds = write_inputs(period, tmp_path)
    snapshot = w.anvil.rpc("evm_snapshot")
    try:
        w.set_price("DAI", 0)
        broken = w.anvil.block()
        with pytest.raises(InputError, match=rf"feed DAI .* at block {broken}: answer 0 is not a positive price"):
            ingest_market(w.anvil.url, feeds, period.a, broken, tmp_path / "m.json")
    finally:
        w.anvil.rpc("evm_revert", snapshot)
    _nothing_written(tmp_path, "m")


def test_carried_over_round_refused():
    # MockV3Aggregator always answers in the round it is asked for, so this check is exercised directly
    feed = Feed("WETH", "0x" + "11" * 20, 3600)
    assert check_round(feed, 7, 1000, (5, 10, 990, 990, 5)) == 10
    with pytest.raises(InputError, match="answeredInRound 4 < roundId 5"):
        check_round(feed, 7, 1000, (5, 10, 990, 990, 4))


def test_reorg_between_read_and_reread(tmp_path, period):  # noqa: F811
    w = period.world
    _, feeds = write_inputs(period, tmp_path)
    snapshot = w.anvil.rpc("evm_snapshot")
    head = w.anvil.mine(12)
    ingest_market(w.anvil.url, feeds, period.a, head, tmp_path / "m.json")
    before = {n: (tmp_path / n).read_bytes() for n in ("m.json", "m.provenance.json")}
    w.anvil.rpc("evm_revert", snapshot)
    assert w.anvil.mine(30) == head  # the same height, another block
    with pytest.raises(InputError, match=rf"block {head}: its hash is 0x[0-9a-f]{{64}} but .* recorded .* \(a reorg"):
        ingest_market(w.anvil.url, feeds, period.a, head, tmp_path / "m.json")
    assert {n: (tmp_path / n).read_bytes() for n in before} == before
    code, out = _cli("ingest", "check", tmp_path / "m.provenance.json", "--rpc", w.anvil.url)
    assert code == 2 and f"block {head} now has hash" in out and "(a reorg)" in out


def test_reorg_during_the_read(tmp_path, period, monkeypatch):  # noqa: F811
    w = period.world
    sources, _ = write_inputs(period, tmp_path)
    snapshot = w.anvil.rpc("evm_snapshot")
    head = w.anvil.mine(12)
    real_post = rpc_module.Rpc._post

    def post_with_reorg(self, payload):
        if self.requests == 8:
            w.anvil.rpc("evm_revert", snapshot)
            w.anvil.mine(40)
        return real_post(self, payload)

    monkeypatch.setattr(rpc_module.Rpc, "_post", post_with_reorg)
    with pytest.raises(InputError, match=rf"block {head}: its hash changed while reading \(reorg"):
        ingest_portfolio(w.anvil.url, [period.fund], sources, period.a, head, tmp_path / "p.json")
    _nothing_written(tmp_path, "p")


def test_wrong_contract_at_an_address(tmp_path, period):  # noqa: F811
    w = period.world
    sources = w.sources()
    sources["erc4626"][0]["address"] = w.tokens["WETH"].address  # an ERC-20, not a vault
    (tmp_path / "s.json").write_text(json.dumps(sources))
    code, out = _cli("ingest", "portfolio", "--rpc", w.anvil.url, "--account", period.fund, "--sources",
                     tmp_path / "s.json", "--from-block", period.a, "--to-block", period.b,
                     "--out", tmp_path / "p.json")
    assert code == 2 and len(out.splitlines()) == 1
    assert f"contract {w.tokens['WETH'].address} does not answer asset()" in out and "fix that address" in out
    sources = w.sources()
    sources["uniswap_v3"]["factory"] = period.empty  # no code there
    (tmp_path / "s.json").write_text(json.dumps(sources))
    code, out = _cli("ingest", "portfolio", "--rpc", w.anvil.url, "--account", period.fund, "--sources",
                     tmp_path / "s.json", "--from-block", period.a, "--to-block", period.b,
                     "--out", tmp_path / "p.json")
    assert code == 2 and f"contract {period.empty} (the uniswap_v3 factory): no code at block {period.a}" in out
    sources = w.sources()
    sources["uniswap_v3"]["factory"] = w.aave_pool.address  # code, but not the position manager's factory
    (tmp_path / "s.json").write_text(json.dumps(sources))
    code, out = _cli("ingest", "portfolio", "--rpc", w.anvil.url, "--account", period.fund, "--sources",
                     tmp_path / "s.json", "--from-block", period.a, "--to-block", period.b,
                     "--out", tmp_path / "p.json")
    assert code == 2 and f"belongs to factory {w.factory.address}, not {w.aave_pool.address}" in out
    sources = w.sources()
    sources["erc4626"][0]["symbol"] = "DAI"  # the vault holds USDC
    (tmp_path / "s.json").write_text(json.dumps(sources))
    code, out = _cli("ingest", "portfolio", "--rpc", w.anvil.url, "--account", period.fund, "--sources",
                     tmp_path / "s.json", "--from-block", period.a, "--to-block", period.b,
                     "--out", tmp_path / "p.json")
    assert code == 2 and "listed as USDC, not DAI" in out
    _nothing_written(tmp_path, "p")


def test_donated_share_price_refused(tmp_path, period):  # noqa: F811
    w = period.world
    sources, _ = write_inputs(period, tmp_path)
    snapshot = w.anvil.rpc("evm_snapshot")
    try:
        w.fund(w.vault.address, "USDC", 1_000 * E6)  # a donation of 20% of the vault's assets in one block
        donated = w.anvil.block()
        with pytest.raises(InputError, match=rf"vault {w.vault.address}: share price moved \d+ bps in block {donated}"):
            ingest_portfolio(w.anvil.url, [period.fund], sources, period.a, donated, tmp_path / "p.json",
                             rpc=Rpc(w.anvil.url))
    finally:
        w.anvil.rpc("evm_revert", snapshot)
    _nothing_written(tmp_path, "p")


def test_lp_nft_handed_to_an_outsider_refused(tmp_path, period):  # noqa: F811
    w = period.world
    sources, _ = write_inputs(period, tmp_path)
    snapshot = w.anvil.rpc("evm_snapshot")
    try:
        send(w.npm.functions.transferFrom(period.fund, period.investor, period.nft_kept), period.fund)
        moved = w.anvil.mine()
        with pytest.raises(InputError, match=rf"LP NFT #{period.nft_kept} .* moved between the accounts and "
                                             rf"{period.investor} during the period"):
            ingest_portfolio(w.anvil.url, [period.fund], sources, period.a, moved, tmp_path / "p.json")
    finally:
        w.anvil.rpc("evm_revert", snapshot)
    _nothing_written(tmp_path, "p")
