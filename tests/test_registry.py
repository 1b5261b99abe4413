"""YieldAttestationRegistry on py-evm with snarkjs-made statement proofs (6 public inputs).

Every refusal is shown with a proof that is otherwise accepted (the same proof succeeds once the
missing registration is made), so each test pins the reason, not just "it reverted".
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.chain import GAS, build_circuit, double_g1, prove, rerandomize
from zkyield.errors import InputError, VerificationError
from zkyield.formats.snarkjs_json import load_proof, load_public, load_vk
from zkyield.groth16.keys import Proof
from zkyield.verifier import chain
from zkyield.verifier.solidity import proof_calldata

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]

COMMITMENT, POLICY, MARKET, START, END = 1234567, 777001, 888001, 1_700_000_000, 1_702_592_000
FUTURE = int(time.time()) + 60 * 86_400  # a period end 60 days after now


@pytest.fixture(scope="module")
def statement(ptau_2_10, tmp_path_factory):
    return build_circuit(6, ptau_2_10, tmp_path_factory)


def _prove(statement, owner: chain.Sender, market: int, start: int, end: int, tag: str) -> tuple[Proof, list[int]]:
    public = [COMMITMENT, int(owner.address, 16), POLICY, market, start, end]
    out = prove(statement, public, 11, statement.workdir / f"registry_{tag}")
    return load_proof(out / "proof.json"), load_public(out / "public.json")


@pytest.fixture(scope="module")
def proofs(statement, owner) -> dict[str, tuple[Proof, list[int]]]:
    return {
        "main": _prove(statement, owner, MARKET, START, END, "main"),
        "later": _prove(statement, owner, MARKET + 1, END, END + 86_400, "later"),
        "earlier": _prove(statement, owner, MARKET + 2, START - 86_400, START, "earlier"),
        "future": _prove(statement, owner, MARKET + 3, START, FUTURE, "future"),
    }


@pytest.fixture(scope="module")
def verifier(w3, owner, statement) -> str:
    return chain.deploy_verifier(w3, load_vk(statement.vk_path), owner, gas=GAS)


@pytest.fixture
def registry(w3, owner) -> str:
    """A fresh registry per test; the owner account is admin and oracle."""
    return chain.deploy_registry(w3, owner, gas=GAS * 2)


def _register(w3, registry, verifier, owner, policy=True, market=True, period=(START, END)) -> None:
    if policy:
        chain.register_policy(w3, registry, POLICY, verifier, "portfolio", owner, gas=GAS)
    if market:
        chain.register_market(w3, registry, MARKET, *period, owner, gas=GAS)


def _submit(w3, registry, proof_public, sender) -> int:
    return chain.submit_attestation(w3, registry, *proof_public, sender, gas=GAS)


def test_valid_proof_is_stored_and_readable(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner)
    attestation_id = _submit(w3, registry, proofs["main"], owner)
    stored = chain.latest_attestation(w3, registry, COMMITMENT)
    block = w3.eth.get_block("latest")
    assert stored == chain.Attestation(
        id=attestation_id, commitment=COMMITMENT, policy_hash=POLICY, market_hash=MARKET, period_start=START,
        period_end=END, submitter=owner.address, timestamp=block["timestamp"], family="portfolio",
    )
    assert chain.latest_attestation(w3, registry, COMMITMENT, POLICY) == stored
    assert chain.attestation(w3, registry, attestation_id) == stored
    contract = chain.registry_contract(w3, registry)
    assert contract.functions.hasAttestation(COMMITMENT).call()
    assert contract.functions.attestationCount().call() == 1


def test_attested_event_carries_the_statement(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner)
    proof, public = proofs["main"]
    contract = chain.registry_contract(w3, registry)
    fn = contract.functions.submitAttestation(*proof_calldata(proof, public))
    (event,) = contract.events.Attested().process_receipt(chain.transact(w3, fn, owner, GAS))
    assert (event.args.commitment, event.args.policyHash, event.args.marketHash) == (COMMITMENT, POLICY, MARKET)
    assert (event.args.periodStart, event.args.periodEnd, event.args.submitter) == (START, END, owner.address)
    assert event.args.family == chain.FAMILIES["portfolio"]


def test_each_family_is_accepted_only_by_its_own_entry_point(w3, registry, verifier, owner, proofs):
    """Issue 13 item 6: a policy's family is stored; the other submission path refuses its proofs."""
    _register(w3, registry, verifier, owner)
    proof, public = proofs["main"]
    with pytest.raises(InputError, match=rf"WrongFamily\(policyHash={POLICY}, registered=1, entryPoint=2\)"):
        chain.submit_history_attestation(w3, registry, proof, public, owner, gas=GAS)
    assert chain.policy_family(w3, registry, POLICY) == "portfolio"
    assert chain.submit(w3, registry, proof, public, owner, gas=GAS) == 1  # the registry's family decides
    for family in (0, 3):
        fn = chain.registry_contract(w3, registry).functions.registerPolicy(POLICY + 1, verifier, family)
        with pytest.raises(InputError, match=rf"InvalidFamily\(family={family}\)"):
            chain.transact(w3, fn, owner, GAS)


def test_period_that_has_not_ended_is_refused(w3, registry, verifier, owner, proofs):
    """Issue 13 item 8: a statement about a period ending 60 days from now is not a record yet."""
    _register(w3, registry, verifier, owner, market=False)
    chain.register_market(w3, registry, MARKET + 3, START, FUTURE, owner, gas=GAS)
    with pytest.raises(InputError, match=rf"PeriodNotOver\(periodEnd={FUTURE}, blockTime=\d+\)"):
        _submit(w3, registry, proofs["future"], owner)


def test_replay_of_the_same_public_inputs_is_refused_even_rerandomised(
    w3, registry, verifier, owner, proofs, statement
):
    _register(w3, registry, verifier, owner)
    _submit(w3, registry, proofs["main"], owner)
    with pytest.raises(InputError, match=r"AlreadyAttested"):
        _submit(w3, registry, proofs["main"], owner)
    proof, public = proofs["main"]
    fresh = rerandomize(proof, load_vk(statement.vk_path).delta_g2, r1=987654321, r2=123456789)
    assert fresh != proof
    verifier_abi = chain.compiled_verifier(load_vk(statement.vk_path)).abi
    assert chain.verify_on_chain(w3, verifier, verifier_abi, fresh, public) is True
    with pytest.raises(InputError, match=r"AlreadyAttested"):
        _submit(w3, registry, (fresh, public), owner)


def test_unknown_policy_is_refused_until_registered(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner, policy=False)
    with pytest.raises(InputError, match=rf"UnknownPolicy\(policyHash={POLICY}\)"):
        _submit(w3, registry, proofs["main"], owner)
    _register(w3, registry, verifier, owner, market=False)
    assert _submit(w3, registry, proofs["main"], owner) == 1


def test_unknown_market_is_refused_until_registered(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner, market=False)
    with pytest.raises(InputError, match=rf"UnknownMarket\(marketHash={MARKET}\)"):
        _submit(w3, registry, proofs["main"], owner)
    _register(w3, registry, verifier, owner, policy=False)
    assert _submit(w3, registry, proofs["main"], owner) == 1


@pytest.mark.parametrize("period", [(START, END + 1), (START - 1, END), (START + 1, END)])
def test_market_period_must_equal_proof_period(w3, registry, verifier, owner, proofs, period):
    _register(w3, registry, verifier, owner, period=period)
    with pytest.raises(InputError, match=r"PeriodMismatch"):
        _submit(w3, registry, proofs["main"], owner)


def test_only_the_owner_in_the_public_inputs_may_submit(w3, registry, verifier, owner, stranger, proofs):
    _register(w3, registry, verifier, owner)
    with pytest.raises(InputError, match=rf"SenderNotOwner\(sender={stranger.address}, owner={owner.address}\)"):
        _submit(w3, registry, proofs["main"], stranger)
    assert _submit(w3, registry, proofs["main"], owner) == 1


def test_owner_above_160_bits_is_refused_not_truncated(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner)
    proof, public = proofs["main"]
    widened = [*public[:1], public[1] + (1 << 160), *public[2:]]
    with pytest.raises(InputError, match=r"OwnerNotAnAddress"):
        _submit(w3, registry, (proof, widened), owner)


def test_invalid_proof_is_refused_as_verification_error(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner)
    proof, public = proofs["main"]
    with pytest.raises(VerificationError, match=r"InvalidProof"):
        _submit(w3, registry, (Proof(proof.a, proof.b, double_g1(proof.c)), public), owner)
    assert not chain.registry_contract(w3, registry).functions.hasAttestation(COMMITMENT).call()


def test_latest_is_the_newest_period_not_the_newest_submission(w3, registry, verifier, owner, proofs):
    _register(w3, registry, verifier, owner)
    chain.register_market(w3, registry, MARKET + 1, END, END + 86_400, owner, gas=GAS)
    chain.register_market(w3, registry, MARKET + 2, START - 86_400, START, owner, gas=GAS)
    _submit(w3, registry, proofs["main"], owner)
    later = _submit(w3, registry, proofs["later"], owner)
    assert chain.latest_attestation(w3, registry, COMMITMENT).id == later
    _submit(w3, registry, proofs["earlier"], owner)
    latest = chain.latest_attestation(w3, registry, COMMITMENT)
    assert (latest.id, latest.market_hash, latest.period_end) == (later, MARKET + 1, END + 86_400)


def test_views_refuse_unknown_keys(w3, registry):
    with pytest.raises(InputError, match=r"NoAttestation"):
        chain.latest_attestation(w3, registry, COMMITMENT)
    with pytest.raises(InputError, match=r"UnknownAttestation"):
        chain.attestation(w3, registry, 1)


def test_roles_and_registrations_are_guarded(w3, registry, verifier, owner, stranger):
    with pytest.raises(InputError, match=r"NotAdmin"):
        chain.register_policy(w3, registry, POLICY, verifier, "portfolio", stranger, gas=GAS)
    with pytest.raises(InputError, match=r"NotOracle"):
        chain.register_market(w3, registry, MARKET, START, END, stranger, gas=GAS)
    with pytest.raises(InputError, match=r"VerifierHasNoCode"):
        chain.register_policy(w3, registry, POLICY, stranger.address, "portfolio", owner, gas=GAS)
    with pytest.raises(InputError, match=r"InvalidPeriod"):
        chain.register_market(w3, registry, MARKET, END, START, owner, gas=GAS)
    _register(w3, registry, verifier, owner)
    with pytest.raises(InputError, match=r"PolicyAlreadyRegistered"):
        chain.register_policy(w3, registry, POLICY, verifier, "history", owner, gas=GAS)
    with pytest.raises(InputError, match=r"MarketAlreadyRegistered"):
        chain.register_market(w3, registry, MARKET, START, END + 1, owner, gas=GAS)
    assert chain.registry_contract(w3, registry).functions.policy(POLICY).call() == [verifier, 1]
    with pytest.raises(InputError, match="family: expected one of portfolio, history"):
        chain.register_policy(w3, registry, POLICY + 1, verifier, "both", owner, gas=GAS)


def test_admin_can_hand_over_the_oracle_role(w3, registry, owner, stranger):
    contract = chain.registry_contract(w3, registry)
    with pytest.raises(InputError, match=r"NotAdmin"):
        chain.transact(w3, contract.functions.setOracle(stranger.address), stranger, GAS)
    chain.transact(w3, contract.functions.setOracle(stranger.address), owner, GAS)
    chain.register_market(w3, registry, MARKET, START, END, stranger, gas=GAS)
    with pytest.raises(InputError, match=r"NotOracle"):
        chain.register_market(w3, registry, MARKET + 5, START, END, owner, gas=GAS)


def test_contract_sources_are_package_data():
    from zkyield.verifier.solidity import contract_source

    root = Path(__file__).resolve().parents[1] / "verifier" / "contracts"
    assert contract_source("YieldAttestationRegistry.sol") == (root / "YieldAttestationRegistry.sol").read_text()
