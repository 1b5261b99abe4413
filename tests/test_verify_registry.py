"""`zkyield verify` against the registry on anvil: chain heads from `snapshotHeadInfo`, records from
`inputsUsed` and the policy's family.

The registry extends snapshot chains with circomlibjs's Poseidon(4) contract (an implementation
independent of zkyield.poseidon); every commit time is the block time, read back from the
SnapshotCommitted event. The history proofs are zkyield's; the CLI reads the node over JSON-RPC.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from tests.support.chain import Anvil
from tests.support.history import make_history, market_for
from tests.support.verify import (
    H_POLICY,
    NAVS,
    deploy_snapshot_hasher,
    foreign_owner_witness,
    late_head_forgery,
    rechained_attestation,
    write_public_files,
)
from zkyield import api
from zkyield.circuits.history_chain import heads, links, snapshot_commitment
from zkyield.circuits.history_models import History, market_hash, policy_hash
from zkyield.cli.main import cli
from zkyield.errors import ConstraintError, InputError
from zkyield.formats.attestation import write_attestation
from zkyield.verification import Outcome
from zkyield.verifier import chain

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]

# Throwaway keys, funded on a private anvil only.
ALICE_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
MALLORY_KEY = "0x6c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362319"
HOUR = 3600


def run(*args) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


def _registry(w3, admin: chain.Sender, hasher: str):
    contract = chain.registry_contract(w3, chain.deploy_registry(w3, admin))
    chain.transact(w3, contract.functions.setSnapshotHasher(hasher), admin)
    return contract


def _commit(w3, registry, sender: chain.Sender, history: History) -> History:
    """``sender`` publishes the leaves of ``history`` with commitSnapshot; the history back with each block time."""
    done = []
    for s in history.snapshots:
        fn = registry.functions.commitSnapshot(snapshot_commitment(history.owner, s))
        (event,) = registry.events.SnapshotCommitted().process_receipt(chain.transact(w3, fn, sender))
        assert event["args"]["owner"] == sender.address
        done.append(replace(s, committed_at=event["args"]["committedAt"]))
    return replace(history, snapshots=tuple(done))


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    """Anvil with Alice's snapshots committed: hourly, ending two hours before the block that commits the last."""
    with Anvil([ALICE_KEY, MALLORY_KEY]) as node:
        w3 = chain.connect(node.url)
        alice, mallory = chain.sender_from_key(ALICE_KEY), chain.sender_from_key(MALLORY_KEY)
        hasher = deploy_snapshot_hasher(w3, alice)
        registry = _registry(w3, alice, hasher)
        now = w3.eth.get_block("latest")["timestamp"]
        times = [now - (len(NAVS) + 1 - i) * HOUR for i in range(len(NAVS))]
        unpublished = make_history(NAVS, times, owner=int(alice.address, 16))
        h = _commit(w3, registry, alice, unpublished)
        market = market_for(h, 450)  # ends a second after the last snapshot: over before any submission
        keys = api.setup(api.compile_statement(H_POLICY))
        d = tmp_path_factory.mktemp("verify_registry")
        api.save_statement(keys.statement, d / "build")
        api.save_keys(keys, d / "build")
        write_public_files(d, market)
        att = api.prove_history(h, market, H_POLICY, keys)
        write_attestation(att, keys.verification_key, d / "proof")
        yield {"node": node, "w3": w3, "alice": alice, "mallory": mallory, "hasher": hasher, "registry": registry,
               "h": h, "unpublished": unpublished, "market": market, "keys": keys, "att": att, "d": d}


def _cli(net, proof, *extra) -> tuple[int, dict | str]:
    d = net["d"]
    code, out = run("verify", proof, "--key", d / "build", "--policy", d / "policy.json", "--market",
                    d / "market.json", "--rpc-url", net["node"].url, "--registry", net["registry"].address, *extra)
    return code, (json.loads(out) if "--json" in extra and code in (0, 1) else out)


def _reader(net, registry=None):
    from zkyield.registry_records import open_registry

    return open_registry(net["w3"], (registry or net["registry"]).address)


def test_the_registry_builds_the_chain_the_proof_ends_at(net):
    h, registry = net["h"], net["registry"]
    assert net["att"].public_signals[0] == heads(h.owner, links(h))[-1]
    who, committed_at, index = registry.functions.snapshotHeadInfo(net["att"].public_signals[0]).call()
    assert (int(who, 16), committed_at, index) == (h.owner, h.snapshots[-1].committed_at, len(NAVS))
    assert committed_at >= net["att"].public_signals[5]


def test_head_committed_by_the_owner_on_chain_passes(net):
    code, doc = _cli(net, net["d"] / "proof", "--json")
    assert code == 0, doc
    checks = {c["check"]: c for c in doc["checks"]}
    head = checks["chain_head"]
    assert head["status"] == "pass" and head["required"]
    assert head["reason"] == (f"the chain head is the owner's, committed at {net['h'].snapshots[-1].committed_at} "
                              f"in the registry {net['registry'].address}")
    record = checks["onchain_record"]  # not submitted yet: reported, not required for a history proof
    assert record["status"] == "fail" and not record["required"]
    assert doc["proven"]["chain_head"] == str(net["att"].public_signals[0])


def test_a_head_never_committed_is_refused(net, tmp_path):
    h = net["h"]
    other = make_history(NAVS, [s.timestamp for s in h.snapshots], seed=9, owner=h.owner,
                         committed=[s.committed_at for s in h.snapshots])  # same owner and times, other salts
    att = api.prove_history(other, net["market"], H_POLICY, net["keys"])
    write_attestation(att, net["keys"].verification_key, tmp_path / "proof")
    code, out = _cli(net, tmp_path / "proof")
    assert code == 1
    assert out.startswith(f"INVALID: the proof's chain head is not in the registry {net['registry'].address}"), out


def test_alices_window_under_a_foreign_owner_or_over_a_copied_chain_is_refused(net):
    """Mallory cannot prove Alice's window under her own address (the circuit refuses), and a proof of
    Alice's leaves over the chain Mallory built by re-sending them to commitSnapshot names Mallory's head."""
    h, market, keys = net["h"], net["market"], net["keys"]
    mallory = int(net["mallory"].address, 16)
    with pytest.raises(ConstraintError, match="chain"):
        foreign_owner_witness(h, market, keys, mallory)
    copied = _commit(net["w3"], net["registry"], net["mallory"], net["unpublished"])  # Alice's leaves, Mallory's times
    att = rechained_attestation(copied, market, keys, mallory)
    assert net["registry"].functions.snapshotHead(net["mallory"].address).call() == att.public_signals[0]
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=_reader(net))
    assert result.check("pairing").outcome is Outcome.PASS  # a real proof ...
    assert not result and [c.name for c in result.failures] == ["chain_head"]  # ... of a head Alice never committed
    assert result.check("chain_head").reason == (
        f"the chain head was committed by 0x{mallory:040x} in the registry {net['registry'].address}, not by the "
        f"proof's owner 0x{h.owner:040x}")


def test_a_head_committed_before_the_window_ends_is_refused(net, tmp_path):
    """Under the prover's trivial key (which the verifier named), Alice's head claimed for a window that ends
    after the block that committed it: the registry's block time refuses it."""
    committed_at = net["h"].snapshots[-1].committed_at
    att, vk = late_head_forgery(net["att"], committed_at)
    write_attestation(att, vk, tmp_path / "proof")
    d = net["d"]
    code, out = run("verify", tmp_path / "proof", "--key", tmp_path / "proof", "--policy", d / "policy.json",
                    "--market", d / "market.json", "--rpc-url", net["node"].url, "--registry",
                    net["registry"].address)
    assert code == 1
    assert out.startswith(f"INVALID: the chain head was committed at {committed_at}, before the window ends "
                          f"({committed_at + 1})"), out


def test_the_record_check_reads_the_registrys_replay_key_and_family(net):
    """After submitHistoryAttestation the record passes, and matches the contract's own Attested event."""
    from zkyield.registry_records import inputs_hash

    w3, alice, registry, keys, market, att = (net[k] for k in ("w3", "alice", "registry", "keys", "market", "att"))
    verifier = chain.deploy_verifier(w3, keys.verification_key, alice)
    chain.register_policy(w3, registry.address, policy_hash(H_POLICY), verifier, "history", alice)
    chain.register_market(w3, registry.address, market_hash(market), market.period.start, market.period.end, alice)
    reader = _reader(net)
    assert not reader.recorded(att.public_signals, "history")
    public = list(att.public_signals)
    att_id = chain.submit(w3, registry.address, att.proof, public, alice)  # the registry picks the history path
    logs = registry.events.Attested().get_logs(from_block=0)
    (event,) = [e for e in logs if e["args"]["id"] == att_id]
    assert event["args"]["inputsHash"] == inputs_hash(public)  # the contract's keccak256(abi.encode(pubSignals))
    assert event["args"]["family"] == chain.FAMILIES["history"]
    assert reader.recorded(att.public_signals, "history") and not reader.recorded(att.public_signals, "portfolio")
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=reader, registry=reader)
    assert result and result.check("onchain_record").outcome is Outcome.PASS
    assert result.check("onchain_record").reason == (f"the registry {registry.address} accepted a history proof for "
                                                     "these public signals")


def test_a_record_made_through_the_portfolio_entry_point_is_not_a_history_record(net):
    """A registry whose admin registered the history policy as a portfolio one accepts the history proof
    through submitAttestation, which checks no chain head: that record is not reported as a history one."""
    w3, alice, keys, market, att = (net[k] for k in ("w3", "alice", "keys", "market", "att"))
    misconfigured = _registry(w3, alice, net["hasher"])
    verifier = chain.deploy_verifier(w3, keys.verification_key, alice)
    chain.register_policy(w3, misconfigured.address, policy_hash(H_POLICY), verifier, "portfolio", alice)
    start, end = att.public_signals[4], att.public_signals[5]
    chain.register_market(w3, misconfigured.address, market_hash(market), start, end, alice)
    att_id = chain.submit_attestation(w3, misconfigured.address, att.proof, list(att.public_signals), alice)
    assert chain.attestation(w3, misconfigured.address, att_id).family == "portfolio"
    reader = _reader(net, misconfigured)
    assert reader.recorded(att.public_signals, "portfolio")  # the replay guard is set ...
    assert reader.head(att.public_signals[0]) is None  # ... for a head this registry never saw
    result = api.verify(att, keys.verification_key, H_POLICY, market, heads=_reader(net), registry=reader)
    record = result.check("onchain_record")
    assert record.outcome is Outcome.FAIL and not record.required
    assert record.reason == (f"the registry {misconfigured.address} has no history attestation for these public "
                             "signals")


def test_a_portfolio_proofs_record_is_required_and_read_from_the_registry(net, tmp_path):
    """The demo book (owned by Alice's account here): with --registry the record is required, so the proof is
    INVALID until submitAttestation recorded it, then valid with the record of the portfolio family."""
    from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
    from zkyield.circuits.publics import market_hash as portfolio_market_hash
    from zkyield.circuits.publics import policy_hash as portfolio_policy_hash

    w3, alice, registry = net["w3"], net["alice"], net["registry"]
    portfolio_path, market_path, policy_path = example("demo")
    pol, market = load_policy(policy_path), load_market(market_path)
    statement = api.compile_statement(pol)
    keys = api.setup(statement)
    api.save_statement(statement, tmp_path / "build")
    api.save_keys(keys, tmp_path / "build")
    book = replace(load_portfolio(portfolio_path), owner=int(alice.address, 16))
    att = api.prove(book, market, pol, keys)
    write_attestation(att, keys.verification_key, tmp_path / "proof")
    args = ["verify", tmp_path / "proof", "--key", tmp_path / "build", "--policy", policy_path, "--market", market_path,
            "--rpc-url", net["node"].url, "--registry", registry.address]
    code, out = run(*args)
    assert code == 1 and out.startswith(f"INVALID: the registry {registry.address} has no portfolio attestation for "
                                        "these public signals"), out
    verifier = chain.deploy_verifier(w3, keys.verification_key, alice)
    chain.register_policy(w3, registry.address, portfolio_policy_hash(pol), verifier, "portfolio", alice)
    chain.register_market(w3, registry.address, portfolio_market_hash(market, statement.capacity),
                          att.public_signals[4], att.public_signals[5], alice)
    att_id = chain.submit(w3, registry.address, att.proof, list(att.public_signals), alice)
    assert chain.attestation(w3, registry.address, att_id).family == "portfolio"
    code, out = run(*args, "--json")
    assert code == 0, out
    record = {c["check"]: c for c in json.loads(out)["checks"]}["onchain_record"]
    assert record["status"] == "pass" and record["required"]
    assert record["reason"] == f"the registry {registry.address} accepted a portfolio proof for these public signals"


def test_the_registry_address_must_hold_a_layout_2_registry(net):
    code, out = _cli(net, net["d"] / "proof", "--registry", net["mallory"].address)  # the last --registry wins
    assert code == 2 and out.startswith(f"error: --registry: no contract at {net['mallory'].address} on this "
                                        "node"), out
    code, out = _cli(net, net["d"] / "proof", "--registry", net["hasher"])
    assert code == 2 and out.startswith(f"error: --registry: {net['hasher']} is not a YieldAttestationRegistry of "
                                        "history layout 2"), out
    # a contract with code that reverts on snapshotHeadInfo for another reason is an error, not "unknown head"
    from zkyield.registry_records import RegistryReader

    with pytest.raises(InputError, match="could not say who committed the chain head"):
        RegistryReader(net["w3"], net["hasher"]).head(1)


def test_registry_needs_both_the_node_and_the_address(tmp_path):
    (tmp_path / "proof").mkdir()
    code, out = run("verify", tmp_path / "proof", "--key", tmp_path / "proof", "--registry", "0x" + "11" * 20)
    assert code == 2 and out.startswith("error: --registry: pass both --rpc-url URL and --registry")
    code, out = run("verify", tmp_path / "proof", "--key", tmp_path / "proof", "--rpc-url", "http://127.0.0.1:9",
                    "--registry", "0xnot")
    assert code == 2 and out.startswith("error: --registry: '0xnot' is not an Ethereum address")
