"""Snapshot chains and history attestations in YieldAttestationRegistry on py-evm.

The chain is extended on chain by circomlibjs's Poseidon(4) EVM bytecode (an implementation independent
of zkyield.poseidon), and history proofs come from zkyield's circuit and Groth16 prover. Snapshot times
lie in the recent past and each commit time is the block's, read back from the SnapshotCommitted event.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from functools import cache

import pytest

from tests.support.chain import GAS
from tests.support.history import make_history, market_for, policy, prove_window
from tests.support.tools import run_node
from zkyield.circuits.history_chain import heads, links, snapshot_commitment
from zkyield.circuits.history_circuit import build_history_circuit, history_statement
from zkyield.circuits.history_models import LINK_TAG, History, HistoryPolicy, market_hash, policy_hash
from zkyield.errors import ConstraintError, InputError, StatementFalse
from zkyield.field import R
from zkyield.groth16 import setup
from zkyield.verifier import chain
from zkyield.verifier.solc import CompiledContract
from zkyield.verifier.solidity import proof_calldata

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]

NAVS = [10**12, 1_004_000_000_000, 998_000_000_000, 1_011_000_000_000, 1_015_000_000_000]
DAY = 86_400
# Snapshots a day apart ending an hour ago, committed now: the oldest waits ~4 days, so allow 5.
POLICY = policy(3, max_commit_delay_s=5 * DAY, min_sharpe_bps=-5000, max_drawdown_bps=700, min_positive_bps=6000)
# circomlibjs builds the Poseidon(4) contract's bytecode and ABI (the EVM form of circomlib's Poseidon).
POSEIDON_JS = """
const {poseidonContract} = require('circomlibjs');
process.stdout.write(JSON.stringify({bytecode: poseidonContract.createCode(4), abi: poseidonContract.generateABI(4)}));
"""


@cache
def keys():
    return setup(build_history_circuit(POLICY.periods, POLICY.checks).r1cs)


@pytest.fixture(scope="module")
def hasher(w3, owner) -> str:
    data = json.loads(run_node(POSEIDON_JS))
    return chain.deploy(w3, CompiledContract("Poseidon4", data["abi"], data["bytecode"], ""), owner,
                        gas=GAS * 3)


@pytest.fixture(scope="module")
def verifier(w3, owner) -> str:
    return chain.deploy_verifier(w3, keys()[1], owner, gas=GAS)


@pytest.fixture
def registry(w3, owner, hasher):
    address = chain.deploy_registry(w3, owner, gas=GAS * 3)
    contract = chain.registry_contract(w3, address)
    chain.transact(w3, contract.functions.setSnapshotHasher(hasher), owner, GAS)
    return contract


def _history(sender: chain.Sender, navs=NAVS, start: int | None = None) -> History:
    """Daily snapshots ending an hour ago (or from ``start``), not yet published."""
    start = int(time.time()) - 3600 - (len(navs) - 1) * DAY if start is None else start
    h = make_history(navs, [start + i * DAY for i in range(len(navs))], owner=int(sender.address, 16))
    return History(h.owner, h.nav_decimals, tuple(replace(s, committed_at=None) for s in h.snapshots))


def _commit_all(w3, registry, sender: chain.Sender, history: History) -> tuple[History, list[int]]:
    """Publish every snapshot with commitSnapshot; the history back with each block time, and the gas."""
    gas, done = [], []
    for s in history.snapshots:
        fn = registry.functions.commitSnapshot(snapshot_commitment(history.owner, s))
        receipt = chain.transact(w3, fn, sender, GAS)
        (event,) = registry.events.SnapshotCommitted().process_receipt(receipt)
        done.append(replace(s, committed_at=event["args"]["committedAt"]))
        gas.append(receipt["gasUsed"])
    return History(history.owner, history.nav_decimals, tuple(done)), gas


def _register(w3, registry, owner, verifier, market, policy_: HistoryPolicy = POLICY, period=None,
              family: int = chain.FAMILIES["history"]) -> None:
    chain.transact(w3, registry.functions.registerPolicy(policy_hash(policy_), verifier, family), owner, GAS)
    start, end = period or (market.period.start, market.period.end)
    chain.transact(w3, registry.functions.registerMarket(market_hash(market), start, end), owner, GAS)


def _market(h: History):
    """A risk-free market covering the window and already over (the registry refuses a future end)."""
    m = market_for(h, 450, slack=0)
    return replace(m, period=replace(m.period, end=h.snapshots[-1].timestamp))


def _submit(w3, registry, proof, public, sender, receipts: list | None = None):
    fn = registry.functions.submitHistoryAttestation(*proof_calldata(proof, public))
    receipt = chain.transact(w3, fn, sender, GAS)
    (event,) = registry.events.Attested().process_receipt(receipt)
    assert event["args"]["family"] == chain.FAMILIES["history"]
    if receipts is not None:
        receipts.append(receipt)
    return event["args"]["id"]


def test_commit_snapshot_extends_the_same_poseidon_chain_as_python(w3, registry, owner) -> None:
    assert registry.functions.LINK_TAG().call() == LINK_TAG
    h = _history(owner)
    assert registry.functions.snapshotHead(owner.address).call() == h.owner  # h_0 = the owner
    h, gas = _commit_all(w3, registry, owner, h)
    expected = heads(h.owner, links(h))
    assert registry.functions.snapshotHead(owner.address).call() == expected[-1]
    assert registry.functions.snapshotCount(owner.address).call() == len(h.snapshots)
    for i, (head, s) in enumerate(zip(expected[1:], h.snapshots, strict=True), start=1):
        who, committed_at, index = registry.functions.snapshotHeadInfo(head).call()
        assert (who, committed_at, index) == (owner.address, s.committed_at, i)
        assert abs(committed_at - time.time()) < 3600
    assert max(gas) < 150_000, gas  # measured 147k first, 130k after: Poseidon(4) call + 2 storage writes


def test_commit_snapshot_refusals(w3, owner, hasher, stranger) -> None:
    bare = chain.registry_contract(w3, chain.deploy_registry(w3, owner, gas=GAS * 3))
    with pytest.raises(InputError, match="NoSnapshotHasher"):
        chain.transact(w3, bare.functions.commitSnapshot(1), owner, GAS)
    with pytest.raises(InputError, match="NotAdmin"):
        chain.transact(w3, bare.functions.setSnapshotHasher(hasher), stranger, GAS)
    chain.transact(w3, bare.functions.setSnapshotHasher(hasher), owner, GAS)
    with pytest.raises(InputError, match="SnapshotHasherAlreadySet"):
        chain.transact(w3, bare.functions.setSnapshotHasher(hasher), owner, GAS)
    with pytest.raises(InputError, match="NotAFieldElement"):
        chain.transact(w3, bare.functions.commitSnapshot(R), owner, GAS)
    with pytest.raises(Exception, match="reverted"):  # UnknownHead: a view reverts like a transaction
        bare.functions.snapshotHeadInfo(12345).call()


def test_history_proof_over_committed_snapshots_is_attested(w3, registry, owner, verifier) -> None:
    h, _ = _commit_all(w3, registry, owner, _history(owner))
    m = _market(h)
    _register(w3, registry, owner, verifier, m)
    proof, public = prove_window(h, m, POLICY, keys())
    receipts: list = []
    att_id = _submit(w3, registry, proof, public, owner, receipts)
    assert receipts[0]["gasUsed"] < 470_000, receipts[0]["gasUsed"]  # measured 464,557 (docs/history.md)
    view = registry.functions.attestation(att_id).call()
    assert view[1] == public[0] and view[2] == policy_hash(POLICY) and list(view[4:6]) == public[4:6]
    assert view[8] == chain.FAMILIES["history"]
    assert chain.attestation(w3, registry.address, att_id).family == "history"
    with pytest.raises(InputError, match="AlreadyAttested"):
        _submit(w3, registry, proof, public, owner)
    # an earlier window ends at an earlier committed head: accepted as well
    proof2, public2 = prove_window(h, m, POLICY, keys(), last=3)
    assert public2[0] != public[0] and _submit(w3, registry, proof2, public2, owner) == att_id + 1


def test_altered_history_does_not_reach_a_committed_head(w3, registry, owner, verifier) -> None:
    h, _ = _commit_all(w3, registry, owner, _history(owner))
    m = _market(h)
    _register(w3, registry, owner, verifier, m)
    s = list(h.snapshots)
    s[2] = replace(s[2], nav=s[2].nav + 10**9)
    altered = History(h.owner, h.nav_decimals, tuple(s))
    proof, public = prove_window(altered, m, POLICY, keys())  # a valid proof of the altered window ...
    with pytest.raises(InputError, match="UnknownHead"):
        _submit(w3, registry, proof, public, owner)  # ... whose head nobody committed


def test_backdated_window_cannot_be_proven(w3, registry, owner, verifier) -> None:
    """Issue 13 item 7: a year of snapshots dated a year ago, all committed today."""
    year_ago = int(time.time()) - 365 * DAY
    h, _ = _commit_all(w3, registry, owner, _history(owner, start=year_ago))
    with pytest.raises(StatementFalse, match=r"snapshot 0 was published \d+ s after its time.*max_commit_delay_s"):
        prove_window(h, _market(h), POLICY, keys())
    # A witness that restates the commit times as prompt ones opens a chain the registry never built.
    st = history_statement(replace(h, snapshots=tuple(replace(s, committed_at=s.timestamp + 60)
                                                      for s in h.snapshots)), _market(h), POLICY)
    on_chain_head = registry.functions.snapshotHead(owner.address).call()
    with pytest.raises(ConstraintError, match="chain"):
        st.circuit.witness({**st.inputs, "chain_head": on_chain_head})


def test_head_committed_before_the_window_ended_is_refused(w3, registry, owner, verifier) -> None:
    future = int(time.time()) + 30 * DAY  # snapshot times after the block time that commits them
    h, _ = _commit_all(w3, registry, owner, _history(owner, start=future))
    with pytest.raises(StatementFalse, match="before its own time"):  # the circuit cannot prove it ...
        prove_window(h, market_for(h, 450), POLICY, keys())


def test_market_registered_for_a_shorter_period_is_refused(w3, registry, owner, verifier) -> None:
    h, _ = _commit_all(w3, registry, owner, _history(owner))
    m = _market(h)
    _register(w3, registry, owner, verifier, m, period=(m.period.start, h.snapshots[-2].timestamp))
    proof, public = prove_window(h, m, POLICY, keys())
    with pytest.raises(InputError, match="MarketDoesNotCoverPeriod"):
        _submit(w3, registry, proof, public, owner)


# --- issue 13 item 6: history proofs through the portfolio entry point ----------------------------------


def _portfolio_submit(w3, registry, proof, public, sender):
    return chain.submit_attestation(w3, registry.address, proof, public, sender, GAS)


def test_uncommitted_window_is_refused_by_both_entry_points(w3, registry, owner, verifier) -> None:
    h = make_history(NAVS, owner=int(owner.address, 16))  # 2024 snapshots with made-up commit times
    m = market_for(h, 450)
    _register(w3, registry, owner, verifier, m, period=(h.snapshots[0].timestamp, h.snapshots[-1].timestamp))
    proof, public = prove_window(h, m, POLICY, keys())  # the market period matches the window exactly
    with pytest.raises(InputError, match=r"WrongFamily\(policyHash=\d+, registered=2, entryPoint=1\)"):
        _portfolio_submit(w3, registry, proof, public, owner)
    with pytest.raises(InputError, match="UnknownHead"):
        _submit(w3, registry, proof, public, owner)
    with pytest.raises(InputError, match="UnknownHead"):  # the registry's family picks the history path
        chain.submit(w3, registry.address, proof, public, owner, GAS)


def test_window_ending_in_the_future_is_refused(w3, registry, owner, verifier) -> None:
    start = int(time.time()) - 2 * DAY
    h = make_history(NAVS, [start + i * 15 * DAY for i in range(len(NAVS))], owner=int(owner.address, 16))
    m = market_for(h, 450)
    assert h.snapshots[-1].timestamp > time.time() + 40 * DAY
    _register(w3, registry, owner, verifier, m, period=(h.snapshots[0].timestamp, h.snapshots[-1].timestamp))
    proof, public = prove_window(h, m, POLICY, keys())
    with pytest.raises(InputError, match="WrongFamily"):
        _portfolio_submit(w3, registry, proof, public, owner)
    with pytest.raises(InputError, match=r"PeriodNotOver\(periodEnd=\d+, blockTime=\d+\)"):
        _submit(w3, registry, proof, public, owner)


def test_another_owners_chain_cannot_be_attested_under_the_attackers_address(
        w3, registry, owner, stranger, verifier) -> None:
    victim, _ = _commit_all(w3, registry, owner, _history(owner))
    m = _market(victim)
    _register(w3, registry, owner, verifier, m)
    # Even knowing every opening, the attacker has no witness for the victim's window under its own owner:
    st = history_statement(victim, m, POLICY)
    with pytest.raises(ConstraintError, match="chain"):
        st.circuit.witness({**st.inputs, "owner": int(stranger.address, 16)})
    # The victim's own proof cannot be sent by the attacker through either path ...
    proof, public = prove_window(victim, m, POLICY, keys())
    for submit in (_portfolio_submit, _submit):
        with pytest.raises(InputError, match="SenderNotOwner"):
            submit(w3, registry, proof, public, stranger)
    # ... the same snapshots re-chained under the attacker reach a head nobody committed ...
    copied = History(int(stranger.address, 16), victim.nav_decimals, victim.snapshots)
    proof2, public2 = prove_window(copied, m, POLICY, keys())
    with pytest.raises(InputError, match="WrongFamily"):
        _portfolio_submit(w3, registry, proof2, public2, stranger)
    with pytest.raises(InputError, match="UnknownHead"):
        _submit(w3, registry, proof2, public2, stranger)
    # ... so the victim's head has no record but the victim's own.
    with pytest.raises(InputError, match="NoAttestation"):
        chain.latest_attestation(w3, registry.address, public[0])
    own = _submit(w3, registry, proof, public, owner)
    assert chain.latest_attestation(w3, registry.address, public[0]).id == own
