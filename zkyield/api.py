"""The library API for compliance tools: compile a statement, set it up, prove, verify.

    import zkyield
    policy = zkyield.Policy.load("policy.json")
    statement = zkyield.compile_statement(policy, positions=8, assets=8)
    keys = zkyield.setup(statement)
    attestation = zkyield.prove(zkyield.Portfolio.load("p.json"), zkyield.Market.load("m.json"), policy, keys)
    assert zkyield.verify(attestation, keys.verification_key, policy=policy)

Everything here composes the lower layers (circuits, groth16, formats); it holds no logic of its own
beyond checking that the pieces handed in belong together.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from zkyield import groth16
from zkyield.attestation import Attestation
from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.evaluate import require_holds
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.circuits.publics import (
    PUBLIC_SIGNALS,
    commitment_values,
    market_hash,
    policy_clauses,
    policy_hash,
)
from zkyield.circuits.statements import Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.dsl import CompiledCircuit
from zkyield.errors import FormatError, InputError
from zkyield.formats.atomic import write_json_atomic
from zkyield.formats.proving_key import read_proving_key, write_proving_key
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.snarkjs_json import dump_vk, load_vk
from zkyield.groth16.keys import ProvingKey, VerifyingKey
from zkyield.pairing import pairing
from zkyield.poseidon import commit

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Statement:
    """A compiled statement circuit: the policy's clauses at a capacity (N positions, M assets, S scenarios)."""

    shape: Shape
    circuit: CompiledCircuit

    @property
    def circuit_id(self) -> str:
        return self.circuit.r1cs.digest().hex()

    @property
    def capacity(self) -> enc.Capacity:
        return self.shape.capacity

    def describe(self) -> dict[str, object]:
        cap = self.capacity
        return {
            "kind": "zkyield-statement",
            "clauses": sorted(self.shape.clauses),
            "capacity": {"positions": cap.positions, "assets": cap.assets, "scenarios": cap.scenarios},
            "circuit_id": self.circuit_id,
            "constraints": self.circuit.n_constraints,
            "wires": self.circuit.n_wires,
            "public_signals": list(PUBLIC_SIGNALS),
        }


@dataclass(frozen=True)
class Keys:
    """A statement's Groth16 keys; ``statement`` is kept so proving needs nothing else."""

    statement: Statement
    proving_key: ProvingKey
    verification_key: VerifyingKey


def vk_sha256(vk: VerifyingKey) -> str:
    """SHA-256 of the key's canonical JSON (without the derived alphabeta value): the key's identity."""
    doc = _vk_identity(vk)
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _vk_identity(vk: VerifyingKey) -> dict[str, object]:
    def g1(p):
        return None if p is None else [str(p[0]), str(p[1])]

    def g2(p):
        return None if p is None else [[str(p[0][0]), str(p[0][1])], [str(p[1][0]), str(p[1][1])]]

    return {"alpha": g1(vk.alpha_g1), "beta": g2(vk.beta_g2), "gamma": g2(vk.gamma_g2), "delta": g2(vk.delta_g2),
            "ic": [g1(p) for p in vk.ic]}


def policy_document(policy: Policy) -> dict[str, object]:
    """The public policy as the attestation records it (thresholds and the protocol root)."""
    doc: dict[str, object] = dict(sorted(policy.thresholds.items()))
    if policy.allowed_protocols_root is not None:
        doc["allowed_protocols_root"] = str(policy.allowed_protocols_root)
    return doc


def compile_statement(policy: Policy, positions: int = 8, assets: int = 8, scenarios: int = 1) -> Statement:
    """The statement circuit for ``policy``'s clauses at this capacity (thresholds are not baked in)."""
    shape = Shape(policy_clauses(policy), enc.Capacity(positions, assets, scenarios))
    return Statement(shape, build(shape))


def setup(statement: Statement, progress: Progress | None = None) -> Keys:
    """A single-party Groth16 setup for the statement (see ``zkyield ceremony`` for a multi-party one)."""
    pk, vk = groth16.setup(statement.circuit.r1cs, progress)
    return Keys(statement, pk, vk)


def commitment(portfolio: Portfolio, market: Market, capacity: enc.Capacity) -> int:
    """The portfolio commitment a proof at this capacity will carry (publish it before proving)."""
    bound = bind(portfolio, market, capacity)
    return commit(commitment_values(portfolio, bound, capacity), portfolio.salt)


def prove(portfolio: Portfolio, market: Market, policy: Policy, keys: Keys,
          progress: Progress | None = None) -> Attestation:
    """Evaluate the statement in plain Python (StatementFalse if it fails), then prove it."""
    statement = keys.statement
    if policy_clauses(policy) != statement.shape.clauses:
        raise InputError("policy: its clauses differ from the compiled statement's; compile one for this policy")
    require_holds(portfolio, market, policy, statement.capacity)
    inputs = statement_inputs(portfolio, market, policy, statement.capacity)
    witness = statement.circuit.witness(inputs)
    proof = groth16.prove(keys.proving_key, statement.circuit.r1cs, witness, progress)
    return Attestation(
        proof=proof,
        public_signals=tuple(statement.circuit.public_signals(witness)),
        statement=statement.describe(),
        policy=policy_document(policy),
        verification_key_sha256=vk_sha256(keys.verification_key),
        created=datetime.now(tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def verify(attestation: Attestation, verification_key: VerifyingKey, policy: Policy | None = None,
           market: Market | None = None) -> bool:
    """True iff the proof verifies and, when given, the public policy and market hash to its signals."""
    if attestation.verification_key_sha256 != vk_sha256(verification_key):
        return False
    if policy is not None and policy_hash(policy) != attestation.policy_hash:
        return False
    if market is not None and market_hash(market, _capacity(attestation.statement)) != attestation.market_hash:
        return False
    return groth16.verify(verification_key, list(attestation.public_signals), attestation.proof)


def _capacity(statement: dict[str, object]) -> enc.Capacity:
    cap = statement.get("capacity")
    if not isinstance(cap, dict):
        raise FormatError("attestation.json: statement.capacity is missing")
    try:
        return enc.Capacity(int(cap["positions"]), int(cap["assets"]), int(cap["scenarios"]))
    except (KeyError, TypeError, ValueError):
        raise FormatError("attestation.json: statement.capacity needs integer positions, assets, scenarios") from None




# --- build folders: what `zkyield compile` and `zkyield setup` write ---------------------------------

STATEMENT_FILE = "statement.json"
CIRCUIT_FILE = "circuit.r1cs"
SYMBOLS_FILE = "circuit.sym"
PROVING_KEY_FILE = "proving_key"
VERIFICATION_KEY_FILE = "verification_key.json"


def save_statement(statement: Statement, build_dir: str | os.PathLike) -> Path:
    """statement.json, circuit.r1cs and circuit.sym in ``build_dir`` (the circuit for snarkjs users too)."""
    out = Path(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_r1cs(statement.circuit.r1cs, out / CIRCUIT_FILE)
    statement.circuit.write_sym(out / SYMBOLS_FILE)
    write_json_atomic(out / STATEMENT_FILE, statement.describe())
    return out


def load_statement(build_dir: str | os.PathLike) -> Statement:
    """Rebuild the statement described by build_dir/statement.json and check it is the same circuit."""
    path = Path(build_dir) / STATEMENT_FILE
    if not path.is_file():
        raise InputError(f"{build_dir}: no {STATEMENT_FILE}; run `zkyield compile POLICY.json --out {build_dir}`")
    try:
        doc = json.loads(path.read_text())
        clauses = frozenset(doc["clauses"])
        capacity = _capacity(doc)
        expected = doc["circuit_id"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        raise FormatError(f"{STATEMENT_FILE}: malformed; compile the statement again") from None
    try:
        shape = Shape(clauses, capacity)
    except ValueError as exc:
        raise FormatError(f"{STATEMENT_FILE}: {exc}") from None
    statement = Statement(shape, build(shape))
    if statement.circuit_id != expected:
        raise FormatError(f"{STATEMENT_FILE}: circuit id differs from this zkyield's build; compile it again")
    return statement


def save_keys(keys: Keys, build_dir: str | os.PathLike) -> Path:
    out = Path(build_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_proving_key(keys.proving_key, out / PROVING_KEY_FILE)
    vk = keys.verification_key
    dump_vk(vk, pairing(vk.alpha_g1, vk.beta_g2), out / VERIFICATION_KEY_FILE)
    return out


def load_keys(build_dir: str | os.PathLike) -> Keys:
    """The statement and keys of a set-up build folder; refuses keys made for another circuit."""
    statement = load_statement(build_dir)
    d = Path(build_dir)
    if not (d / PROVING_KEY_FILE).is_file():
        raise InputError(f"{build_dir}: no {PROVING_KEY_FILE}; run `zkyield setup {build_dir}`")
    pk = read_proving_key(d / PROVING_KEY_FILE)
    if pk.circuit_digest != statement.circuit.r1cs.digest():
        raise InputError(f"{PROVING_KEY_FILE}: made for another circuit; run `zkyield setup {build_dir}` again")
    vk = load_vk(d / VERIFICATION_KEY_FILE)
    if vk_sha256(vk) != vk_sha256(pk.vk):
        raise InputError(f"{VERIFICATION_KEY_FILE}: does not belong to {PROVING_KEY_FILE}; run setup again")
    return Keys(statement, pk, vk)


__all__ = [
    "Attestation", "Keys", "Market", "Policy", "Portfolio", "Statement", "commitment", "compile_statement",
    "load_keys", "load_statement", "policy_document", "prove", "save_keys", "save_statement", "setup", "verify",
    "vk_sha256",
]
