"""Shared material for the verify tests: a small history statement, its public files as a verifier holds
them, circomlibjs's Poseidon(4) contract, and the attacks the log and registry tests both build."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from tests.support.history import policy
from tests.support.tools import run_node
from zkyield.circuits.history_models import History, HistoryMarket

H_POLICY = policy(3, max_drawdown_bps=900)
NAVS = [10**12, 1_004_000_000_000, 998_000_000_000, 1_011_000_000_000]
MALLORY = 0xBADBADBADBADBADBADBADBADBADBADBADBADBAD0
# circomlibjs builds the Poseidon(4) contract the registry extends chains with (the EVM form of circomlib's
# Poseidon, independent of ours).
_POSEIDON4_JS = """
const {poseidonContract} = require('circomlibjs');
process.stdout.write(JSON.stringify({bytecode: poseidonContract.createCode(4), abi: poseidonContract.generateABI(4)}));
"""


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_public_files(folder: Path, market: HistoryMarket) -> tuple[Path, Path]:
    """policy.json and market.json for H_POLICY and ``market``, in the formats the loaders read."""
    from zkyield import api

    (folder / "policy.json").write_text(json.dumps(api.policy_document(H_POLICY)))
    period = {"start": _iso(market.period.start), "end": _iso(market.period.end)}
    (folder / "market.json").write_text(json.dumps({"period": period, "risk_free_bps": market.risk_free_bps}))
    return folder / "policy.json", folder / "market.json"


def deploy_snapshot_hasher(w3, sender) -> str:
    """circomlibjs's Poseidon(4) contract, as the registry's setSnapshotHasher expects it."""
    from zkyield.verifier import chain
    from zkyield.verifier.solc import CompiledContract

    data = json.loads(run_node(_POSEIDON4_JS))
    return chain.deploy(w3, CompiledContract("Poseidon4", data["abi"], data["bytecode"], ""), sender)


def foreign_owner_witness(history: History, market: HistoryMarket, keys, owner: int) -> None:
    """The attack of issue 13 item 15: ``history``'s committed window with ``owner`` as the public owner.

    Raises the circuit's ConstraintError: the owner is inside every leaf the window opens (layout 2).
    """
    from zkyield.circuits.history_circuit import history_statement

    st = history_statement(history, market, H_POLICY)
    witness = st.circuit.witness({**st.inputs, "owner": owner})
    keys.statement.circuit.r1cs.check(witness)


def rechained_attestation(history: History, market: HistoryMarket, keys, chain_owner: int):
    """A real proof of ``history``'s window (its owner's leaves) over the chain ``chain_owner`` built by
    re-publishing those leaves under its own address: the public owner is the leaves' owner, the head
    is one only ``chain_owner`` committed (a copied log, or copied ``commitSnapshot`` calls)."""
    from zkyield import api, groth16
    from zkyield.circuits.history_chain import heads, links
    from zkyield.circuits.history_circuit import history_statement
    from zkyield.formats.attestation import Attestation

    st = history_statement(history, market, H_POLICY)
    hs = heads(chain_owner, links(history))
    first = st.window.first
    head = hs[first + st.window.periods + 1]
    witness = st.circuit.witness({**st.inputs, "prev_head": hs[first], "chain_head": head})
    proof = groth16.prove(keys.proving_key, keys.statement.circuit.r1cs, witness)
    return Attestation(proof, (head, *st.public[1:]), keys.statement.describe(), api.policy_document(H_POLICY),
                       keys.verification_key.digest(), "2024-01-01T00:00:00Z")


def trivial_keys():
    """One constraint (w * w = w) with six free public inputs: any six values 'prove' under its key."""
    from zkyield import groth16
    from zkyield.r1cs import R1CS, Constraint

    r1cs = R1CS(n_wires=8, n_pub_out=0, n_pub_in=6, n_prv_in=1,
                constraints=[Constraint(a={7: 1}, b={7: 1}, c={7: 1})], labels=["trivial"])
    pk, vk = groth16.setup(r1cs)
    return r1cs, pk, vk


def late_head_forgery(honest, committed_at: int):
    """The honest history proof's signals with period_end one second after ``committed_at`` (its head's
    commit time), 'proven' under a trivial key: what a verifier who names the prover's key would get.

    Returns (attestation, trivial verifying key); only the chain-head check can refuse it.
    """
    from zkyield import groth16
    from zkyield.formats.attestation import Attestation

    r1cs, pk, vk = trivial_keys()
    public = (*honest.public_signals[:5], committed_at + 1)
    proof = groth16.prove(pk, r1cs, [1, *public, 1])
    return Attestation(proof, public, honest.statement, honest.policy, vk.digest(), honest.created), vk
