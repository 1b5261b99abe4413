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
from zkyield.attestor_records import attestor_check
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
from zkyield.circuits.binding import bind
from zkyield.circuits.history_models import History, HistoryMarket, HistoryPolicy
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.circuits.publics import commitment_values
from zkyield.errors import FormatError, InputError
from zkyield.families import FAMILIES, PORTFOLIO_FAMILY, family_named, family_of, load_any_policy
from zkyield.formats.attestation import Attestation
from zkyield.formats.wtns_bin import write_wtns
from zkyield.gc_pause import collector_paused
from zkyield.groth16.keys import Proof, VerifyingKey
from zkyield.groth16.prover import prove_from_rows
from zkyield.head_records import HeadSource, LogHeads, RecordSource
from zkyield.poseidon import commit
from zkyield.statement import Keys, Statement, StatementFamily, require_layout
from zkyield.verification import VerificationResult

Progress = Callable[[str], None]
AnyPolicy = Policy | HistoryPolicy
AnyMarket = Market | HistoryMarket


def policy_document(policy: AnyPolicy) -> dict[str, object]:
    """The public policy as the attestation records it (thresholds, window or protocol root)."""
    return family_of(policy).policy_document(policy)


def compile_statement(policy: AnyPolicy, positions: int = enc.DEFAULT_CAPACITY.positions,
                      assets: int = enc.DEFAULT_CAPACITY.assets,
                      scenarios: int = enc.DEFAULT_CAPACITY.scenarios,
                      ranges: int = enc.DEFAULT_CAPACITY.ranges) -> Statement:
    """The statement circuit for ``policy``'s clauses (and capacity); thresholds are not baked in.

    The capacity applies to families whose circuit has one (portfolio); a history policy fixes its window.
    ``ranges``: how many leading position slots may hold a Uniswap v3 range position (``encoding.Capacity``).
    """
    with collector_paused():
        return family_of(policy).compile(policy, enc.Capacity(positions, assets, scenarios, ranges))


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


def prove(private: Portfolio | History, market: AnyMarket, policy: AnyPolicy, keys: Keys,
          progress: Progress | None = None, witness_out: str | Path | None = None,
          **options: object) -> Attestation:
    """Evaluate the statement in plain Python (StatementFalse if it fails), then prove it.

    ``private`` is the family's private file (a portfolio, or a snapshot history with ``last=`` the
    window's final snapshot, default the newest); ``keys`` fix the family and the circuit. The witness comes
    from the statement's witness program; ``witness_out`` also writes it as a snarkjs .wtns (private: it
    holds the whole book) so any prover of .r1cs + .zkey + .wtns can use it.
    """
    statement = keys.statement
    family = statement.family
    if not family.owns_policy(policy):
        raise InputError(f"keys: they are for a {family.name} statement, not a {family_of(policy).name} one; "
                         "compile one for this policy")
    family.check_policy(statement, policy)
    inputs, public = family.witness_inputs(private, market, policy, statement, **options)
    attestation = _prove_inputs(keys, policy, inputs, progress, witness_out)
    if list(attestation.public_signals) != public:
        raise AssertionError("witness: public signals differ from the statement's")  # a builder bug
    return attestation


def prove_history(history: History, market: HistoryMarket, policy: HistoryPolicy, keys: Keys,
                  progress: Progress | None = None, last: int | None = None,
                  witness_out: str | Path | None = None) -> Attestation:
    """``prove`` for the history family: the window of ``policy.periods`` returns ending at snapshot ``last``."""
    return prove(history, market, policy, keys, progress, witness_out, last=last)


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
        *([_head_check(heads, public)] if family.heads_required else []),
        attestor_check(policy if policy_check.passed else None, registry, public[5]),
        _record_check(registry, public, family),
    ]
    return VerificationResult(tuple(checks), verification_key.digest(), family.name, source, tuple(public),
                              policy_doc, market_doc)


def statement_family(attestation: Attestation, policy: AnyPolicy | None = None,
                     statement: Statement | Mapping[str, object] | None = None) -> str:
    """``portfolio`` or ``history``: from the verifier's statement, else its policy, else the attestation's claim."""
    return _family(attestation, policy, statement)[0].name


def _family(attestation: Attestation, policy: AnyPolicy | None,
            statement: Statement | Mapping[str, object] | None
            ) -> tuple[StatementFamily, enc.Capacity | None, str]:
    """(family, capacity, where they came from): the verifier's statement, else its policy, else the prover."""
    if isinstance(statement, Statement):
        statement = statement.describe()
    if statement is not None:
        if statement.get("statement") not in FAMILIES:
            raise FormatError(f"statement.json: statement must be one of {', '.join(map(repr, FAMILIES))}; "
                              "recompile the build")
        family = family_named(statement["statement"])
        return family, family.capacity(statement, "statement.json"), "the verifier's statement"
    named = attestation.statement.get("statement")
    claimed_family = FAMILIES.get(named, PORTFOLIO_FAMILY)  # type: ignore[arg-type]
    claimed = claimed_family.capacity(attestation.statement, "attestation.json") if named in FAMILIES else None
    if policy is not None:
        family = family_of(policy)
        return family, claimed if family is claimed_family else None, "the verifier's policy"
    return claimed_family, claimed, "attestation.json (the prover's claim, not checked)"


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


def _policy_check(policy: AnyPolicy | None, family: StatementFamily, signal: int) -> tuple[vr.Check, dict | None]:
    if policy is None:
        return vr.not_checked(vr.POLICY_HASH, "no policy supplied: policy not checked"), None
    if not family.owns_policy(policy):
        return vr.failed(vr.POLICY_HASH, f"the policy supplied is not a {family.name} policy"), None
    if family.policy_hash(policy) != signal:
        return vr.failed(vr.POLICY_HASH, "the policy supplied does not hash to the proof's policy_hash"), None
    return vr.passed(vr.POLICY_HASH, "the policy supplied hashes to the proof's policy_hash"), \
        family.policy_document(policy)


def _market_check(market: AnyMarket | None, family: StatementFamily, capacity: enc.Capacity | None, source: str,
                  signal: int) -> tuple[vr.Check, dict | None]:
    if market is None:
        return vr.not_checked(vr.MARKET_HASH, "no market supplied: market not checked"), None
    if not family.owns_market(market):
        return vr.failed(vr.MARKET_HASH, f"the market supplied is not a {family.name} market"), None
    if family.capacity_bound and capacity is None:
        return vr.failed(vr.MARKET_HASH, "no capacity to lay the market out at; pass the build folder as the key"), None
    if family.market_hash(market, capacity) != signal:
        return vr.failed(vr.MARKET_HASH, "the market supplied does not hash to the proof's market_hash"), None
    where = "" if not family.capacity_bound or source == "the verifier's statement" else \
        " (capacity as attestation.json states it)"
    return vr.passed(vr.MARKET_HASH, f"the market supplied hashes to the proof's market_hash{where}"), \
        family.market_document(market)


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


def _record_check(registry: RecordSource | None, public: tuple[int, ...], family: StatementFamily) -> vr.Check:
    required, name = family.record_required, family.name
    if registry is None:
        return vr.not_checked(vr.ONCHAIN, "no registry supplied: on-chain record not checked")
    if registry.recorded(public, name):
        return vr.passed(vr.ONCHAIN, f"the {registry.description} accepted a {name} proof for these public "
                                     "signals", required)
    return vr.failed(vr.ONCHAIN, f"the {registry.description} has no {name} attestation for these public signals",
                     required)


__all__ = [
    "CIRCUIT_FILE", "PROGRAM_FILE", "PROVING_KEY_FILE", "STATEMENT_FILE", "SYMBOLS_FILE", "VERIFICATION_KEY_FILE",
    "Attestation", "History", "HistoryMarket", "HistoryPolicy", "Keys", "LogHeads", "Market", "Policy", "Portfolio",
    "Statement", "StatementFamily", "VerificationResult", "commitment", "compile_statement", "load_any_policy",
    "load_keys", "load_statement", "policy_document", "prove", "prove_history",
    "statement_family", "save_keys", "save_statement", "setup", "verify",
]
