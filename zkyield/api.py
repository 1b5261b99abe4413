"""The library API for compliance tools: compile a statement, set it up, prove, verify.

    import zkyield
    policy = zkyield.Policy.load("policy.json")
    statement = zkyield.compile_statement(policy, positions=8, assets=8)
    keys = zkyield.setup(statement)
    attestation = zkyield.prove(zkyield.Portfolio.load("p.json"), zkyield.Market.load("m.json"), policy, keys)
    result = zkyield.verify(attestation, keys.verification_key, policy=policy, market=market)
    assert result, result.failures   # a VerificationResult: every check with pass / fail / not-checked

History statements (risk-adjusted metrics over committed snapshots) use the same calls with a
``HistoryPolicy``: ``compile_statement(history_policy)`` and ``prove_history(history, market, policy, keys)``.
Everything here composes lower layers; it only checks that the pieces handed in belong together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path

from zkyield import groth16
from zkyield import verification as vr
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
from zkyield.head_records import HeadSource, LogHeads, RecordSource
from zkyield.poseidon import commit
from zkyield.statement import (
    HISTORY,
    PORTFOLIO,
    Keys,
    Statement,
    history_statement_for,
    portfolio_statement,
    require_layout,
)
from zkyield.verification import VerificationResult

Progress = Callable[[str], None]
AnyPolicy = Policy | HistoryPolicy
AnyMarket = Market | HistoryMarket


def policy_document(policy: AnyPolicy) -> dict[str, object]:
    """The public policy as the attestation records it (thresholds, window or protocol root)."""
    doc: dict[str, object] = dict(sorted(policy.thresholds.items()))
    if isinstance(policy, HistoryPolicy):
        doc["periods"] = policy.periods
        doc["max_commit_delay_s"] = policy.max_commit_delay_s
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
           market: AnyMarket | None = None, *, key_sha256: str | None = None,
           statement: Statement | Mapping[str, object] | None = None, heads: HeadSource | None = None,
           registry: RecordSource | None = None) -> VerificationResult:
    """Check a proof against what the VERIFIER supplies, and say what each check found.

    ``verification_key`` must be the verifier's own key (never the one in the prover's folder);
    ``key_sha256`` pins it further. ``statement`` (the verifier's build folder's, or ``keys.statement``)
    fixes the family and capacity, else the policy's type does, else the attestation's claim. A history
    proof needs ``heads`` (the owner's published log or the registry) to tie its chain head to its owner.
    The result is truthy only when every required check passed.
    """
    verification_key.check_sound()  # a forgeable key is refused before anything is read from the proof
    require_layout(attestation.statement, "attestation.json: statement")  # layout 1: say rebuild, not "False"
    family, capacity, source = _family(attestation, policy, statement)
    public = attestation.public_signals
    policy_check, policy_doc = _policy_check(policy, family, public[2])
    market_check, market_doc = _market_check(market, family, capacity, source, public[3])
    checks = [
        _key_check(attestation, verification_key, key_sha256),
        _pairing_check(attestation, verification_key),
        policy_check,
        market_check,
        *([_head_check(heads, public)] if family == HISTORY else []),
        vr.not_checked(vr.ATTESTORS, "attestor signatures are not supported yet"),
        _record_check(registry, public, family),
    ]
    return VerificationResult(tuple(checks), verification_key.digest(), family, source, tuple(public),
                              policy_doc, market_doc)


def statement_family(attestation: Attestation, policy: AnyPolicy | None = None,
                     statement: Statement | Mapping[str, object] | None = None) -> str:
    """``portfolio`` or ``history``: from the verifier's statement, else its policy, else the attestation's claim."""
    return _family(attestation, policy, statement)[0]


def _family(attestation: Attestation, policy: AnyPolicy | None,
            statement: Statement | Mapping[str, object] | None) -> tuple[str, enc.Capacity | None, str]:
    """(family, capacity, where they came from): the verifier's statement, else its policy, else the prover."""
    if isinstance(statement, Statement):
        statement = statement.describe()
    if statement is not None:
        if statement.get("statement") not in (PORTFOLIO, HISTORY):
            raise FormatError(f"statement.json: statement must be {PORTFOLIO!r} or {HISTORY!r}; recompile the build")
        return str(statement["statement"]), _capacity(statement, "statement.json"), "the verifier's statement"
    claimed = _capacity(attestation.statement, "attestation.json") if attestation.statement.get(
        "statement") == PORTFOLIO else None
    if policy is not None:
        return (HISTORY if isinstance(policy, HistoryPolicy) else PORTFOLIO), claimed, "the verifier's policy"
    family = HISTORY if attestation.statement.get("statement") == HISTORY else PORTFOLIO
    return family, claimed, "attestation.json (the prover's claim, not checked)"


def _capacity(statement: Mapping[str, object], name: str) -> enc.Capacity | None:
    if statement.get("statement") != PORTFOLIO:
        return None
    cap = statement.get("capacity")
    try:
        return enc.Capacity(int(cap["positions"]), int(cap["assets"]), int(cap["scenarios"]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        raise FormatError(f"{name}: statement.capacity needs integer positions, assets, scenarios") from None


def _key_check(attestation: Attestation, vk: VerifyingKey, pinned: str | None) -> vr.Check:
    digest = vk.digest()
    if pinned is not None and pinned.lower().removeprefix("0x") != digest:
        return vr.failed(vr.KEY, f"the key supplied has sha256 {digest}, not the pinned {pinned}")
    if attestation.verification_key_sha256 != digest:
        return vr.failed(vr.KEY, f"attestation.json says the proof was made with key sha256 "
                                 f"{attestation.verification_key_sha256}, not the supplied key {digest}")
    how = "pinned by sha256" if pinned is not None else "supplied by the verifier"
    return vr.passed(vr.KEY, f"key {how}: sha256 {digest}")


def _pairing_check(attestation: Attestation, vk: VerifyingKey) -> vr.Check:
    if groth16.verify(vk, list(attestation.public_signals), attestation.proof):
        return vr.passed(vr.PAIRING, "the Groth16 pairing equation holds for the public signals under this key")
    return vr.failed(vr.PAIRING, "the Groth16 pairing equation fails: the proof is not valid under this key")


def _policy_check(policy: AnyPolicy | None, family: str, signal: int) -> tuple[vr.Check, dict | None]:
    if policy is None:
        return vr.not_checked(vr.POLICY_HASH, "no policy supplied: policy not checked"), None
    if (family == HISTORY) != isinstance(policy, HistoryPolicy):
        return vr.failed(vr.POLICY_HASH, f"the policy supplied is not a {family} policy"), None
    if _policy_hash(policy) != signal:
        return vr.failed(vr.POLICY_HASH, "the policy supplied does not hash to the proof's policy_hash"), None
    return vr.passed(vr.POLICY_HASH, "the policy supplied hashes to the proof's policy_hash"), policy_document(policy)


def _market_check(market: AnyMarket | None, family: str, capacity: enc.Capacity | None, source: str,
                  signal: int) -> tuple[vr.Check, dict | None]:
    if market is None:
        return vr.not_checked(vr.MARKET_HASH, "no market supplied: market not checked"), None
    if (family == HISTORY) != isinstance(market, HistoryMarket):
        return vr.failed(vr.MARKET_HASH, f"the market supplied is not a {family} market"), None
    if isinstance(market, HistoryMarket):
        if history_models.market_hash(market) != signal:
            return vr.failed(vr.MARKET_HASH, "the market supplied does not hash to the proof's market_hash"), None
        doc = {"period": _period(market.period), "risk_free_bps": market.risk_free_bps}
        return vr.passed(vr.MARKET_HASH, "the market supplied hashes to the proof's market_hash"), doc
    if capacity is None:
        return vr.failed(vr.MARKET_HASH, "no capacity to lay the market out at; pass the build folder as the key"), None
    if market_hash(market, capacity) != signal:
        return vr.failed(vr.MARKET_HASH, "the market supplied does not hash to the proof's market_hash"), None
    where = "" if source == "the verifier's statement" else " (capacity as attestation.json states it)"
    doc = {"period": _period(market.period), "assets": [a.symbol for a in market.assets],
           "stress_scenarios": len(market.stress_scenarios)}
    return vr.passed(vr.MARKET_HASH, f"the market supplied hashes to the proof's market_hash{where}"), doc


def _period(period: object) -> dict[str, int]:
    return {"start_unix": period.start, "end_unix": period.end}  # type: ignore[attr-defined]


def _head_check(heads: HeadSource | None, public: tuple[int, ...]) -> vr.Check:
    if heads is None:
        return vr.not_checked(vr.CHAIN_HEAD, "history proof: pass the owner's published snapshot log (--log) or the "
                                             "registry (--rpc, --registry); without it the chain head is not "
                                             "tied to the owner", required=True)
    record = heads.head(public[0])
    if record is None:
        return vr.failed(vr.CHAIN_HEAD, f"the proof's chain head is not in the {heads.description}")
    if record.owner != public[1]:
        return vr.failed(vr.CHAIN_HEAD, f"the chain head was committed by 0x{record.owner:040x} in the "
                                        f"{heads.description}, not by the proof's owner 0x{public[1]:040x}")
    if record.committed_at < public[5]:
        return vr.failed(vr.CHAIN_HEAD, f"the chain head was committed at {record.committed_at}, before the window "
                                        f"ends ({public[5]})")
    return vr.passed(vr.CHAIN_HEAD, f"the chain head is the owner's, committed at {record.committed_at} in the "
                                    f"{heads.description}")


def _record_check(registry: RecordSource | None, public: tuple[int, ...], family: str) -> vr.Check:
    required = family == PORTFOLIO
    if registry is None:
        return vr.not_checked(vr.ONCHAIN, "no registry supplied: on-chain record not checked")
    if registry.recorded(public, family):
        return vr.passed(vr.ONCHAIN, f"the {registry.description} accepted a {family} proof for these public "
                                     "signals", required)
    return vr.failed(vr.ONCHAIN, f"the {registry.description} has no {family} attestation for these public signals",
                     required)


def _policy_hash(policy: AnyPolicy) -> int:
    return history_models.policy_hash(policy) if isinstance(policy, HistoryPolicy) else policy_hash(policy)


__all__ = [
    "CIRCUIT_FILE", "PROGRAM_FILE", "PROVING_KEY_FILE", "STATEMENT_FILE", "SYMBOLS_FILE", "VERIFICATION_KEY_FILE",
    "Attestation", "History", "HistoryMarket", "HistoryPolicy", "Keys", "LogHeads", "Market", "Policy", "Portfolio",
    "Statement", "VerificationResult", "commitment", "compile_statement", "load_any_policy", "load_keys",
    "load_statement", "policy_document", "prove", "prove_history",
    "statement_family", "save_keys", "save_statement", "setup", "verify",
]
