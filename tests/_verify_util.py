"""Shared material for the verify tests: a small history statement and its public files as a verifier holds them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from _history_util import policy
from conftest import run_node

from zkyield.circuits.history_models import HistoryMarket

H_POLICY = policy(3, max_drawdown_bps=900)
NAVS = [10**12, 1_004_000_000_000, 998_000_000_000, 1_011_000_000_000]
# circomlibjs builds the Poseidon(2) contract (the EVM form of circomlib's Poseidon, independent of ours).
_POSEIDON2_JS = """
const {poseidonContract} = require('circomlibjs');
process.stdout.write(JSON.stringify({bytecode: poseidonContract.createCode(2), abi: poseidonContract.generateABI(2)}));
"""


def _iso(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_public_files(folder: Path, market: HistoryMarket) -> tuple[Path, Path]:
    """policy.json and market.json for H_POLICY and ``market``, in the formats the loaders read."""
    (folder / "policy.json").write_text(json.dumps({"periods": H_POLICY.periods, **H_POLICY.thresholds,
                                                   "max_commit_delay_s": H_POLICY.max_commit_delay_s}))
    period = {"start": _iso(market.period.start), "end": _iso(market.period.end)}
    (folder / "market.json").write_text(json.dumps({"period": period, "risk_free_bps": market.risk_free_bps}))
    return folder / "policy.json", folder / "market.json"


def deploy_poseidon2(w3, sender, gas: int) -> str:
    from zkyield.verifier import chain
    from zkyield.verifier.solc import CompiledContract

    data = json.loads(run_node(_POSEIDON2_JS))
    return chain.deploy(w3, CompiledContract("Poseidon2", data["abi"], data["bytecode"], ""), sender, gas=gas)


def foreign_owner_attestation(history, market, keys, owner: int):
    """The attack of issue 13 item 15: ``history``'s committed window proven with ``owner`` as the public owner.

    None when the circuit itself refuses the witness (it then ties the owner to the chain).
    """
    from zkyield import api, groth16
    from zkyield.attestation import Attestation
    from zkyield.circuits.history_circuit import history_statement
    from zkyield.errors import ZkyieldError

    st = history_statement(history, market, H_POLICY)
    try:
        witness = st.circuit.witness({**st.inputs, "owner": owner})
        keys.statement.circuit.r1cs.check(witness)
    except ZkyieldError:
        return None
    proof = groth16.prove(keys.proving_key, keys.statement.circuit.r1cs, witness)
    return Attestation(proof, (st.public[0], owner, *st.public[2:]), keys.statement.describe(),
                       api.policy_document(H_POLICY), keys.verification_key.digest(), "2024-01-01T00:00:00Z")
