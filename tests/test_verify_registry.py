"""`zkyield.verify` against the registry: chain heads from `snapshotHeadInfo`, records from `inputsUsed`.

The registry runs on py-evm with circomlibjs's Poseidon(2) contract extending the snapshot chain (an
implementation independent of zkyield.poseidon); the history proof is zkyield's.
"""

from __future__ import annotations

import json

import pytest
from _chain_util import GAS, Ganache
from _history_util import make_history, market_for
from _verify_util import H_POLICY, NAVS, deploy_poseidon2, foreign_owner_attestation, write_public_files
from click.testing import CliRunner

from zkyield import api
from zkyield.circuits.history_chain import snapshot_commitment
from zkyield.circuits.history_models import market_hash, policy_hash
from zkyield.cli.main import cli
from zkyield.field import R
from zkyield.verification import Outcome
from zkyield.verifier import chain
from zkyield.verifier.solidity import proof_calldata

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]



@pytest.fixture(scope="module")
def keys():
    return api.setup(api.compile_statement(H_POLICY))


@pytest.fixture(scope="module")
def registry(w3, owner, keys):
    hasher = deploy_poseidon2(w3, owner, GAS)
    contract = chain.registry_contract(w3, chain.deploy_registry(w3, owner, gas=GAS * 3))
    chain.transact(w3, contract.functions.setSnapshotHasher(hasher), owner, GAS)
    return contract


@pytest.fixture(scope="module")
def alice(w3, owner, registry, keys):
    """Alice (the owner account) commits her snapshots on chain, then proves a window ending at her head."""
    h = make_history(NAVS, owner=int(owner.address, 16))
    for s in h.snapshots:
        chain.transact(w3, registry.functions.commitSnapshot(snapshot_commitment(s)), owner, GAS)
    market = market_for(h, 450, slack=86_400)
    return h, market, api.prove_history(h, market, H_POLICY, keys)


def test_head_committed_by_the_owner_on_chain_passes(w3, registry, keys, alice):
    from zkyield.registry_records import RegistryReader

    h, market, att = alice
    reader = RegistryReader(w3, registry.address)
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=reader, registry=reader)
    assert result, result.failures
    assert result.check("chain_head").outcome is Outcome.PASS
    record = result.check("onchain_record")  # not submitted yet: reported, not required for a history proof
    assert record.outcome is Outcome.FAIL and not record.required


def test_a_head_never_committed_is_refused(w3, registry, keys):
    from zkyield.registry_records import RegistryReader

    h = make_history(NAVS, seed=9)  # same NAVs, other salts: a chain nobody committed
    market = market_for(h, 450, slack=86_400)
    att = api.prove_history(h, market, H_POLICY, keys)
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=RegistryReader(w3, registry.address))
    assert not result
    assert result.check("chain_head").reason.startswith("the proof's chain head is not in the registry")


def test_alices_head_under_a_foreign_owner_is_refused(w3, registry, keys, alice, stranger):
    from zkyield.registry_records import RegistryReader

    h, market, _ = alice
    mallory = int(stranger.address, 16)
    att = foreign_owner_attestation(h, market, keys, mallory)
    if att is None:
        return  # the circuit itself now ties the owner to the chain
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=RegistryReader(w3, registry.address))
    assert result.check("pairing").outcome is Outcome.PASS  # the forged witness proves...
    assert not result  # ...but the head is Alice's, not Mallory's
    assert f"not by the proof's owner 0x{mallory:040x}" in result.check("chain_head").reason


def test_the_record_check_reads_the_registrys_own_replay_key(w3, owner, registry, keys, alice):
    from zkyield.registry_records import RegistryReader, inputs_hash

    h, market, att = alice
    verifier = chain.deploy_verifier(w3, keys.verification_key, owner, gas=GAS)
    thresholds = [t % R for t in H_POLICY.thresholds.values()]
    chain.transact(w3, registry.functions.registerPolicy(policy_hash(H_POLICY), verifier, thresholds), owner, GAS)
    chain.transact(w3, registry.functions.registerMarket(market_hash(market), market.period.start,
                                                         market.period.end), owner, GAS)
    public = list(att.public_signals)
    receipt = chain.transact(w3, registry.functions.submitHistoryAttestation(*proof_calldata(att.proof, public)),
                             owner, GAS)
    (event,) = registry.events.Attested().process_receipt(receipt)
    assert event["args"]["inputsHash"] == inputs_hash(public)  # the contract's keccak256(abi.encode(pubSignals))
    reader = RegistryReader(w3, registry.address)
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=reader, registry=reader)
    assert result and result.check("onchain_record").outcome is Outcome.PASS


def test_cli_verify_reads_the_head_from_a_registry_over_json_rpc(keys, tmp_path):
    """`zkyield verify --rpc-url --registry` against ganache on loopback: the owner's head passes, another's fails."""
    from zkyield.formats.attestation import write_attestation

    key = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"  # ganache-only throwaway
    with Ganache([key]) as node:
        w3 = chain.connect(node.url)
        sender = chain.sender_from_key(key)
        hasher = deploy_poseidon2(w3, sender, GAS)
        address = chain.deploy_registry(w3, sender, gas=GAS * 3)
        contract = chain.registry_contract(w3, address)
        chain.transact(w3, contract.functions.setSnapshotHasher(hasher), sender, GAS)
        h = make_history(NAVS, owner=int(sender.address, 16))
        for s in h.snapshots:
            chain.transact(w3, contract.functions.commitSnapshot(snapshot_commitment(s)), sender, GAS)
        market = market_for(h, 450, slack=86_400)
        api.save_statement(keys.statement, tmp_path / "build")
        api.save_keys(keys, tmp_path / "build")
        write_public_files(tmp_path, market)
        base = ["verify", "--key", tmp_path / "build", "--policy", tmp_path / "policy.json", "--market",
                tmp_path / "market.json", "--rpc-url", node.url, "--registry", address, "--json"]
        write_attestation(api.prove_history(h, market, H_POLICY, keys), keys.verification_key, tmp_path / "ok")
        res = CliRunner().invoke(cli, [str(a) for a in (base[0], tmp_path / "ok", *base[1:])])
        assert res.exit_code == 0, res.output
        checks = {c["check"]: c for c in json.loads(res.output)["checks"]}
        assert checks["chain_head"]["status"] == "pass" and address.lower() in checks["chain_head"]["reason"].lower()
        other = make_history(NAVS, seed=9, owner=int(sender.address, 16))  # never committed
        write_attestation(api.prove_history(other, market, H_POLICY, keys), keys.verification_key, tmp_path / "no")
        res = CliRunner().invoke(cli, [str(a) for a in (base[0], tmp_path / "no", *base[1:])])
        assert res.exit_code == 1
        checks = {c["check"]: c for c in json.loads(res.output)["checks"]}
        assert checks["chain_head"]["reason"].startswith("the proof's chain head is not in the registry")


def test_registry_needs_both_the_node_and_the_address(tmp_path):
    (tmp_path / "proof").mkdir()
    res = CliRunner().invoke(cli, ["verify", str(tmp_path / "proof"), "--key", str(tmp_path / "proof"),
                                   "--registry", "0x" + "11" * 20])
    assert res.exit_code == 2 and res.output.startswith("error: --registry: pass both --rpc-url URL and --registry")
    res = CliRunner().invoke(cli, ["verify", str(tmp_path / "proof"), "--key", str(tmp_path / "proof"),
                                   "--rpc-url", "http://127.0.0.1:9", "--registry", "0xnot"])
    assert res.exit_code == 2 and res.output.startswith("error: --registry: '0xnot' is not an Ethereum address")
