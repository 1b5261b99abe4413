"""Snapshot chains and history attestations in YieldAttestationRegistry on py-evm.

The chain is extended on chain by circomlibjs's Poseidon(2) EVM bytecode (an implementation independent
of zkyield.poseidon), and history proofs come from zkyield's circuit and Groth16 prover.
"""

from __future__ import annotations

import json
import time
from functools import cache

import pytest
from _chain_util import GAS
from _history_util import make_history, market_for, policy
from conftest import run_node

from zkyield.circuits.history_chain import heads, snapshot_commitment
from zkyield.circuits.history_circuit import build_history_circuit, history_statement, prove_history
from zkyield.circuits.history_models import History, HistoryPolicy, market_hash, policy_hash
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.groth16 import prove, setup
from zkyield.verifier import chain
from zkyield.verifier.solc import CompiledContract
from zkyield.verifier.solidity import proof_calldata

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]

NAVS = [10**12, 1_004_000_000_000, 998_000_000_000, 1_011_000_000_000, 1_015_000_000_000]
POLICY = policy(3, min_sharpe_bps=-5000, max_drawdown_bps=700, min_positive_bps=6000)
# circomlibjs builds the Poseidon(2) contract's bytecode and ABI (the EVM form of circomlib's Poseidon).
_POSEIDON_JS = """
const {poseidonContract} = require('circomlibjs');
process.stdout.write(JSON.stringify({bytecode: poseidonContract.createCode(2), abi: poseidonContract.generateABI(2)}));
"""


@cache
def keys():
    return setup(build_history_circuit(POLICY.periods, POLICY.checks).r1cs)


@pytest.fixture(scope="module")
def hasher(w3, owner) -> str:
    data = json.loads(run_node(_POSEIDON_JS))
    return chain.deploy(w3, CompiledContract("Poseidon2", data["abi"], data["bytecode"], ""), owner, gas=GAS)


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
    times = None if start is None else [start + i * 86_400 for i in range(len(navs))]
    return make_history(navs, times, owner=int(sender.address, 16))


def _commit_all(w3, registry, sender: chain.Sender, history: History) -> list[int]:
    gas = []
    for s in history.snapshots:
        receipt = chain.transact(w3, registry.functions.commitSnapshot(snapshot_commitment(s)), sender, GAS)
        gas.append(receipt["gasUsed"])
    return gas


def _register(w3, registry, owner, verifier, market, policy_: HistoryPolicy = POLICY, period=None) -> None:
    thresholds = [t % R for t in policy_.thresholds.values()]
    chain.transact(w3, registry.functions.registerPolicy(policy_hash(policy_), verifier, thresholds), owner, GAS)
    start, end = period or (market.period.start, market.period.end)
    chain.transact(w3, registry.functions.registerMarket(market_hash(market), start, end), owner, GAS)


def _submit(w3, registry, proof, public, sender):
    fn = registry.functions.submitHistoryAttestation(*proof_calldata(proof, public))
    receipt = chain.transact(w3, fn, sender, GAS)
    (event,) = registry.events.Attested().process_receipt(receipt)
    return event["args"]["id"]


def test_commit_snapshot_extends_the_same_poseidon_chain_as_python(w3, registry, owner) -> None:
    h = _history(owner)
    assert registry.functions.snapshotHead(owner.address).call() == h.owner  # h_0 = the owner
    gas = _commit_all(w3, registry, owner, h)
    expected = heads(h.owner, [snapshot_commitment(s) for s in h.snapshots])
    assert registry.functions.snapshotHead(owner.address).call() == expected[-1]
    assert registry.functions.snapshotCount(owner.address).call() == len(h.snapshots)
    for i, head in enumerate(expected[1:], start=1):
        who, committed_at, index = registry.functions.snapshotHeadInfo(head).call()
        assert (who, index) == (owner.address, i) and abs(committed_at - time.time()) < 3600
    assert max(gas) < 110_000, gas  # measured 106k first, 89k after: Poseidon(2) call + 2 storage writes


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
    h = _history(owner)
    _commit_all(w3, registry, owner, h)
    m = market_for(h, 450, slack=86_400)
    _register(w3, registry, owner, verifier, m)
    proof, public = prove_history(h, m, POLICY, keys()[0])
    att_id = _submit(w3, registry, proof, public, owner)
    view = registry.functions.attestation(att_id).call()
    assert view[1] == public[0] and view[2] == policy_hash(POLICY) and list(view[4:6]) == public[4:6]
    with pytest.raises(InputError, match="AlreadyAttested"):
        _submit(w3, registry, proof, public, owner)
    # an earlier window ends at an earlier committed head: accepted as well
    proof2, public2 = prove_history(h, m, POLICY, keys()[0], last=3)
    assert public2[0] != public[0] and _submit(w3, registry, proof2, public2, owner) == att_id + 1


def test_altered_history_does_not_reach_a_committed_head(w3, registry, owner, verifier) -> None:
    h = _history(owner)
    _commit_all(w3, registry, owner, h)
    m = market_for(h, 450, slack=86_400)
    _register(w3, registry, owner, verifier, m)
    s = list(h.snapshots)
    s[2] = type(s[2])(s[2].nav + 10**9, s[2].positions_commitment, s[2].timestamp, s[2].salt)
    altered = History(h.owner, h.nav_decimals, tuple(s))
    proof, public = prove_history(altered, m, POLICY, keys()[0])  # a valid proof of the altered window ...
    with pytest.raises(InputError, match="UnknownHead"):
        _submit(w3, registry, proof, public, owner)  # ... whose head nobody committed


def test_another_owners_head_is_refused(w3, registry, owner, stranger, verifier) -> None:
    h = _history(owner)
    _commit_all(w3, registry, owner, h)
    m = market_for(h, 450, slack=86_400)
    _register(w3, registry, owner, verifier, m)
    # Knowing the owner's snapshots, the stranger proves the owner's window under its own address: the
    # circuit takes the owner as a public label (the window starts after h_0), the registry checks the head.
    st = history_statement(h, m, POLICY)
    cc = st.circuit
    witness = cc.witness({**st.inputs, "owner": int(stranger.address, 16)})
    stolen = prove(keys()[0], cc.r1cs, witness)
    with pytest.raises(InputError, match="HeadNotOwned"):
        _submit(w3, registry, stolen, cc.public_signals(witness), stranger)
    # The same snapshots re-chained from the stranger's own h_0 end at a head nobody committed.
    copied = History(int(stranger.address, 16), h.nav_decimals, h.snapshots)
    proof, public = prove_history(copied, m, POLICY, keys()[0])
    with pytest.raises(InputError, match="UnknownHead"):
        _submit(w3, registry, proof, public, stranger)


def test_head_committed_before_the_window_ended_is_refused(w3, registry, owner, verifier) -> None:
    future = int(time.time()) + 30 * 86_400  # snapshot times after the block time that commits them
    h = _history(owner, start=future)
    _commit_all(w3, registry, owner, h)
    m = market_for(h, 450, slack=86_400)
    _register(w3, registry, owner, verifier, m)
    proof, public = prove_history(h, m, POLICY, keys()[0])
    with pytest.raises(InputError, match="HeadCommittedBeforePeriodEnd"):
        _submit(w3, registry, proof, public, owner)


def test_market_registered_for_a_shorter_period_is_refused(w3, registry, owner, verifier) -> None:
    h = _history(owner)
    _commit_all(w3, registry, owner, h)
    m = market_for(h, 450, slack=86_400)
    _register(w3, registry, owner, verifier, m, period=(m.period.start, h.snapshots[-2].timestamp))
    proof, public = prove_history(h, m, POLICY, keys()[0])
    with pytest.raises(InputError, match="MarketDoesNotCoverPeriod"):
        _submit(w3, registry, proof, public, owner)
