"""The library API for compliance tools: compile a statement, set it up, prove, verify.

    import zkyield
    policy = zkyield.Policy.load("policy.json")
    statement = zkyield.compile_statement(policy, positions=8, assets=8)
    keys = zkyield.setup(statement)
    attestation = zkyield.prove(zkyield.Portfolio.load("p.json"), zkyield.Market.load("m.json"), policy, keys)
    assert zkyield.verify(attestation, keys.verification_key, policy=policy)

History statements (risk-adjusted metrics over committed snapshots) use the same calls with a
``HistoryPolicy``: ``compile_statement(history_policy)`` and ``prove_history(history, market, policy, keys)``.
Everything here composes lower layers; it only checks that the pieces handed in belong together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from zkyield import groth16
from zkyield.attestation import Attestation
from zkyield.build_folder import (
    CIRCUIT_FILE,
    PROGRAM_FILE,
    PROVING_KEY_FILE,
    STATEMENT_FILE,
    SYMBOLS_FILE,
    VERIFICATION_KEY_FILE,
    LoadedCircuit,
    load_keys,
    load_statement,
    save_keys,
    save_statement,
)
from zkyield.circuits import encoding as enc
from zkyield.circuits import history_models
from zkyield.circuits.binding import bind
from zkyield.circuits.evaluate import require_holds
from zkyield.circuits.history_circuit import history_statement
from zkyield.circuits.history_models import History, HistoryMarket, HistoryPolicy
from zkyield.circuits.models import Market, Policy, Portfolio, load_policy
from zkyield.circuits.publics import commitment_values, market_hash, policy_clauses, policy_hash
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import FormatError, InputError
from zkyield.formats.jsonfile import read_json
from zkyield.formats.wtns_bin import write_wtns
from zkyield.groth16.keys import Proof, VerifyingKey
from zkyield.groth16.prove import prove_from_rows
from zkyield.poseidon import commit
from zkyield.statement import (
    HISTORY,
    PORTFOLIO,
    Keys,
    Statement,
    history_statement_for,
    portfolio_statement,
)

Progress = Callable[[str], None]
AnyPolicy = Policy | HistoryPolicy
AnyMarket = Market | HistoryMarket


def policy_document(policy: AnyPolicy) -> dict[str, object]:
    """The public policy as the attestation records it (thresholds, window or protocol root)."""
    doc: dict[str, object] = dict(sorted(policy.thresholds.items()))
    if isinstance(policy, HistoryPolicy):
        doc["periods"] = policy.periods
    elif policy.allowed_protocols_root is not None:
        doc["allowed_protocols_root"] = str(policy.allowed_protocols_root)
    return doc


def load_any_policy(path: str | Path) -> AnyPolicy:
    """A portfolio policy, or a history policy when the file states a window (``periods``)."""
    doc, _ = read_json(path)
    if isinstance(doc, dict) and "periods" in doc:
        return history_models.load_history_policy(path)
    return load_policy(path)


def compile_statement(policy: AnyPolicy, positions: int = 8, assets: int = 8, scenarios: int = 1) -> Statement:
    """The statement circuit for ``policy``'s clauses (and capacity); thresholds are not baked in."""
    if isinstance(policy, HistoryPolicy):
        return history_statement_for(policy)
    return portfolio_statement(policy, positions, assets, scenarios)


def setup(statement: Statement, progress: Progress | None = None) -> Keys:
    """A single-party Groth16 setup for the statement (see ``zkyield ceremony`` for a multi-party one)."""
    pk, vk = groth16.setup(statement.circuit.r1cs, progress)
    return Keys(statement, pk, vk)


def commitment(portfolio: Portfolio, market: Market, capacity: enc.Capacity) -> int:
    """The portfolio commitment a proof at this capacity will carry (publish it before proving)."""
    bound = bind(portfolio, market, capacity)
    return commit(commitment_values(portfolio, bound, capacity), portfolio.salt)


def _attestation(keys: Keys, policy: AnyPolicy, proof: Proof, public: list[int]) -> Attestation:
    return Attestation(
        proof=proof,
        public_signals=tuple(public),
        statement=keys.statement.describe(),
        policy=policy_document(policy),
        verification_key_sha256=keys.verification_key.digest(),
        created=datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _require_kind(keys: Keys, kind: str, clauses: tuple[str, ...]) -> None:
    st = keys.statement
    if st.kind != kind:
        raise InputError(f"keys: they are for a {st.kind} statement, not a {kind} one; compile one for this policy")
    if tuple(sorted(clauses)) != tuple(sorted(st.clauses)):
        raise InputError("policy: its clauses differ from the compiled statement's; compile one for this policy")


def prove(portfolio: Portfolio, market: Market, policy: Policy, keys: Keys,
          progress: Progress | None = None, witness_out: str | Path | None = None) -> Attestation:
    """Evaluate the statement in plain Python (StatementFalse if it fails), then prove it.

    The witness comes from the statement's witness program; ``witness_out`` also writes it as a
    snarkjs .wtns (private: it holds the whole book) so any prover of .r1cs + .zkey + .wtns can use it.
    """
    _require_kind(keys, PORTFOLIO, tuple(policy_clauses(policy)))
    capacity = keys.statement.capacity
    require_holds(portfolio, market, policy, capacity)
    inputs = statement_inputs(portfolio, market, policy, capacity)
    return _prove_inputs(keys, policy, inputs, progress, witness_out)


def prove_history(history: History, market: HistoryMarket, policy: HistoryPolicy, keys: Keys,
                  progress: Progress | None = None, last: int | None = None,
                  witness_out: str | Path | None = None) -> Attestation:
    """Prove risk-adjusted metrics over the window of ``policy.periods`` returns ending at snapshot ``last``."""
    _require_kind(keys, HISTORY, policy.checks)
    if policy.periods != keys.statement.size["periods"]:
        raise InputError("policy.periods: differs from the compiled statement's window; compile one for it")
    st = history_statement(history, market, policy, last)  # StatementFalse when a clause fails
    return _prove_inputs(keys, policy, st.inputs, progress, witness_out)


def _prove_inputs(keys: Keys, policy: AnyPolicy, inputs: dict, progress: Progress | None,
                  witness_out: str | Path | None) -> Attestation:
    circuit, pk = keys.statement.circuit, keys.proving_key
    witness = circuit.witness(inputs, check=False)  # the rows below check every constraint
    if isinstance(circuit, LoadedCircuit):
        if pk.circuit_digest != circuit.circuit_id:  # load_keys checked it; a Keys built by hand may not be
            raise InputError("proving key: made for another circuit (circuit digest differs); run setup for this one")
        proof = prove_from_rows(pk, witness, *circuit.qap_rows(witness, pk.domain_size), progress)
    else:
        proof = groth16.prove(pk, circuit.r1cs, witness, progress)
    if witness_out is not None:
        write_wtns(witness, witness_out)
    return _attestation(keys, policy, proof, circuit.public_signals(witness))


def verify(attestation: Attestation, verification_key: VerifyingKey, policy: AnyPolicy | None = None,
           market: AnyMarket | None = None) -> bool:
    """True iff the proof verifies and, when given, the public policy and market hash to its signals."""
    if attestation.verification_key_sha256 != verification_key.digest():
        return False
    if policy is not None and _policy_hash(policy) != attestation.policy_hash:
        return False
    if market is not None and _market_hash(market, attestation.statement) != attestation.market_hash:
        return False
    return groth16.verify(verification_key, list(attestation.public_signals), attestation.proof)


def _policy_hash(policy: AnyPolicy) -> int:
    return history_models.policy_hash(policy) if isinstance(policy, HistoryPolicy) else policy_hash(policy)


def _market_hash(market: AnyMarket, statement: dict[str, object]) -> int:
    if isinstance(market, HistoryMarket):
        return history_models.market_hash(market)
    cap = statement.get("capacity")
    try:
        capacity = enc.Capacity(int(cap["positions"]), int(cap["assets"]), int(cap["scenarios"]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        raise FormatError("attestation.json: statement.capacity needs integer positions, assets, scenarios") from None
    return market_hash(market, capacity)


__all__ = [
    "CIRCUIT_FILE", "PROGRAM_FILE", "PROVING_KEY_FILE", "STATEMENT_FILE", "SYMBOLS_FILE", "VERIFICATION_KEY_FILE",
    "Attestation", "History", "HistoryMarket", "HistoryPolicy", "Keys", "Market", "Policy", "Portfolio", "Statement",
    "commitment", "compile_statement", "load_any_policy", "load_keys", "load_statement", "policy_document", "prove",
    "prove_history", "save_keys", "save_statement", "setup", "verify",
]
