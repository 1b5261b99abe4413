"""Ingest -> prove (the demo policy) -> verify in Python and through the registry on the same anvil.

The book and the prices come from the devnet's contracts at two blocks; nothing is typed in by hand.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("web3", reason="the ingest tests need the chain extra (web3)")
from tests.support.devnet.fixtures import period, require_anvil, write_inputs  # noqa: F401  (the session's devnet fixture)
from zkyield import api
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.ingest.rpc import Rpc
from zkyield.ingest.run import ingest_market, ingest_portfolio
from zkyield.verifier import chain

pytestmark = [pytest.mark.chain, pytest.mark.slow]


def test_ingested_book_is_proven_and_attested_on_the_same_chain(period, tmp_path):  # noqa: F811
    url = period.world.anvil.url
    sources, feeds = write_inputs(period, tmp_path)
    ingest_market(url, feeds, period.a, period.b, tmp_path / "market.json", sources, rpc=Rpc(url))
    ingest_portfolio(url, [period.fund, period.fund2], sources, period.a, period.b, tmp_path / "portfolio.json",
                     rpc=Rpc(url))
    portfolio, market = load_portfolio(tmp_path / "portfolio.json"), load_market(tmp_path / "market.json")
    policy = load_policy(example("demo")[2])
    statement = api.compile_statement(policy, positions=16, assets=4)
    keys = api.setup(statement)
    attestation = api.prove(portfolio, market, policy, keys)
    assert api.verify(attestation, keys.verification_key, policy, market)
    public = list(attestation.public_signals)
    assert public[1] == int(period.fund, 16) and public[4:] == [market.period.start, market.period.end]
    # on the devnet: the generated verifier, the registry, the fund submits its own proof
    w3 = period.world.w3
    admin, fund = chain.Sender(period.world.deployer), chain.Sender(period.fund)
    verifier = chain.deploy_verifier(w3, keys.verification_key, admin)
    registry = chain.deploy_registry(w3, admin)
    chain.register_policy(w3, registry, public[2], verifier, "portfolio", admin)
    chain.register_market(w3, registry, public[3], public[4], public[5], admin)
    attestation_id = chain.submit_attestation(w3, registry, attestation.proof, public, fund)
    record = chain.attestation(w3, registry, attestation_id)
    assert (record.commitment, record.policy_hash, record.market_hash) == tuple(public[0:1] + public[2:4])
    assert record.submitter == period.fund


def test_demo_devnet_command(tmp_path):
    require_anvil()
    from click.testing import CliRunner

    from zkyield.cli.main import cli

    for _ in range(2):  # a second run in the same folder is a new chain, not a reorg
        result = CliRunner().invoke(cli, ["demo", "--devnet", "--json", "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] and "devnet fund (ingested)" in report["proven"]
    assert {s["step"] for s in report["steps"]} >= {"ingest market", "ingest book", "prove", "attest (anvil)"}
    assert (tmp_path / "devnet" / "portfolio.provenance.json").is_file()
