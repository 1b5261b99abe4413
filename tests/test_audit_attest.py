"""Audit of attested statements (#17): witness-level attacks no other test builds, and attested policies
in batch proving (``prove-batch --signatures``). Each attack bypasses the prover's gate and runs the
constraint system, as tests/test_attest_circuit.py does."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.attest import ADMIN, AUDITOR, CAPACITY, CUSTODIAN, PRICES, load, paths, sign, write_key
from zkyield import babyjub
from zkyield.circuits import attest_message as am
from zkyield.circuits.attest_policy import Chosen
from zkyield.circuits.attest_witness import signature_inputs, unmet_attestations
from zkyield.circuits.publics import policy_clauses
from zkyield.circuits.statements import Shape, build
from zkyield.cli.main import cli
from zkyield.errors import ConstraintError
from zkyield.families import PORTFOLIO_FAMILY
from zkyield.field import R

ORDER2 = (0, R - 1)  # the point of order 2


@pytest.fixture(scope="module")
def case():
    portfolio, market, policy = load()
    statement = PORTFOLIO_FAMILY.compile(policy, CAPACITY)
    honest = [sign(ADMIN, "book", portfolio, market), sign(AUDITOR, "book", portfolio, market),
              sign(PRICES, "prices", portfolio, market)]
    inputs, _ = PORTFOLIO_FAMILY.witness_inputs(portfolio, market, policy, statement, signatures=honest)
    return portfolio, market, policy, statement.circuit, inputs


def _book(case, chosen: list[Chosen]) -> dict:
    _, _, policy, _, inputs = case
    return {**inputs, **signature_inputs("book", policy.attested_by, chosen)}


def _refused(circuit, inputs: dict) -> str:
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    return info.value.label.split(" via ")[0]


def _honest(case) -> list[Chosen]:
    portfolio, market, _, _, _ = case
    return [Chosen(0, sign(ADMIN, "book", portfolio, market)), Chosen(2, sign(AUDITOR, "book", portfolio, market))]


def test_a_non_boolean_path_bit_cannot_alias_a_leaf_index(case) -> None:
    """A path 'bit' 2 would count as a different index in the distinctness check (the same key twice as
    two members); it is refused at the bit itself."""
    circuit, forged = case[3], _book(case, _honest(case))
    path = list(forged["book_sig_path"])
    path[0] = 2  # first signature, level 0
    forged["book_sig_path"] = path
    assert _refused(circuit, forged).endswith("attested_by/signature[0]/member/merkle0/path_bit")


def test_the_identity_key_with_a_trivial_signature_is_refused(case) -> None:
    """A = R8 = identity and S = 0 satisfy S B = R8 + 8 h A for every message: the 8A != identity check
    refuses it before membership is even asked."""
    circuit = case[3]
    forged = _book(case, _honest(case))
    forged["book_sig_key"] = [0, 1, *forged["book_sig_key"][2:]]
    forged["book_sig_r8"] = [0, 1, *forged["book_sig_r8"][2:]]
    forged["book_sig_s"] = [0, *forged["book_sig_s"][1:]]
    assert "attested_by/signature[0]/eddsa/cofactor/nonzero" in _refused(circuit, forged)


def test_r8_moved_by_a_torsion_point_is_refused(case) -> None:
    """R8 + (0, -1) is on the curve and the signature's S unchanged: the equation forces R8 into the
    subgroup, so the malleated twin does not verify in circuit."""
    circuit, forged = case[3], _book(case, _honest(case))
    r8 = forged["book_sig_r8"][:2]
    twin = babyjub.add((r8[0], r8[1]), ORDER2)
    assert babyjub.is_on_curve(twin) and not babyjub.in_subgroup(twin)
    forged["book_sig_r8"] = [*twin, *forged["book_sig_r8"][2:]]
    assert "attested_by/signature[0]/eddsa/equation" in _refused(circuit, forged)


def test_a_circuit_compiled_for_fewer_signatures_does_not_match_the_policy(case) -> None:
    """k is a circuit constant hashed into the set slot: a circuit for k = 1 (one book signature) cannot
    prove a policy whose threshold is 2, even with a valid signature by a member."""
    portfolio, market, policy, _, inputs = case
    weak = build(Shape(policy_clauses(policy), CAPACITY, (1, 1)))
    one = signature_inputs("book", policy.attested_by, [Chosen(0, sign(ADMIN, "book", portfolio, market))])
    assert _refused(weak, {**inputs, **one}).endswith("attested_by/set")


def test_unmet_attestations_names_only_the_fields(case) -> None:
    portfolio, market, policy, _, _ = case
    prices = sign(PRICES, "prices", portfolio, market)
    assert unmet_attestations(portfolio, market, policy, [prices]) == ["attested_by"]
    other = replace(portfolio, owner=portfolio.owner + 1)
    assert am.book_message(other, market, prices.as_of).message != am.book_message(portfolio, market,
                                                                                   prices.as_of).message
    admin = sign(ADMIN, "book", other, market)  # signs another owner's book
    assert unmet_attestations(portfolio, market, policy, [prices, admin, sign(AUDITOR, "book", portfolio, market)]) \
        == ["attested_by"]
    both = [prices, sign(CUSTODIAN, "book", portfolio, market), sign(AUDITOR, "book", portfolio, market)]
    assert unmet_attestations(portfolio, market, policy, both) == []


def _cli(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


@pytest.mark.slow
def test_prove_batch_takes_each_portfolios_signatures_and_names_a_missing_one(tmp_path: Path) -> None:
    """Before: prove-batch passed no signatures, so an attested policy was always refused. Now a
    signature folder gives shared (price) and per-portfolio (book) files; a portfolio without its book
    signatures is a false statement naming attested_by, and no signature value reaches the summary."""
    portfolio, market, policy = load()
    files, cap, build_dir = paths(), CAPACITY, tmp_path / "build"
    code, text = _cli("compile", files["policy"], "--positions", cap.positions, "--assets", cap.assets,
                      "--scenarios", cap.scenarios, "--out", build_dir)
    assert code == 0, text
    code, text = _cli("setup", build_dir)
    assert code == 0, text
    books, sigs = tmp_path / "books", tmp_path / "sigs"
    books.mkdir()
    for job in ("signed", "unsigned", "broken"):
        shutil.copy(files["portfolio"], books / f"{job}.json")
        (sigs / job).mkdir(parents=True)
    when = str(portfolio.period.end + 3600)
    for who, key, folder in (("prices", PRICES, sigs), ("admin", ADMIN, sigs / "signed"),
                             ("auditor", AUDITOR, sigs / "signed")):
        keyfile, target = write_key(tmp_path / f"{who}.key", key), folder / f"{who}.sig.json"
        market_args = ("--market", files["market"], "--as-of", when, "--out", target)
        args = ("sign-prices", keyfile) if who == "prices" else ("sign", keyfile, "--portfolio", files["portfolio"])
        code, text = _cli("attestor", *args, *market_args)
        assert code == 0, text
    written = [json.loads(p.read_text())["S"] for p in sigs.rglob("*.sig.json")]
    (sigs / "broken" / "bad.sig.json").write_text("{}")
    out = tmp_path / "proofs"
    code, text = _cli("prove-batch", build_dir, "--portfolios", books, "--market", files["market"], "--policy",
                      files["policy"], "--out", out, "--backend", "in-process", "--signatures", sigs, "--json")
    doc = json.loads(text)
    rows = {r["id"]: r for r in doc["results"]}
    assert code == 2 and rows["signed"]["status"] == "proven", text
    assert rows["unsigned"]["status"] == "statement_false"
    assert rows["unsigned"]["error"] == "statement is false: attested_by not met"
    assert rows["broken"]["status"] == "bad_input" and "bad.sig.json" in rows["broken"]["error"]
    code, text = _cli("verify", out / "signed", "--key", build_dir, "--policy", files["policy"], "--market",
                      files["market"])
    assert code == 0, text
    summary = (out / "summary.jsonl").read_text()
    assert not any(s in summary or s in text for s in written)
    # A build for k = 2 and a policy asking 3 of 3: refused before any worker starts.
    stricter = json.loads(files["policy"].read_text())
    stricter["attested_by"]["threshold"] = 3
    (tmp_path / "stricter.json").write_text(json.dumps(stricter))
    code, text = _cli("prove-batch", build_dir, "--portfolios", books, "--market", files["market"], "--policy",
                      tmp_path / "stricter.json", "--out", tmp_path / "none", "--backend", "in-process")
    assert code == 2 and "attestation thresholds differ from the compiled statement's" in text
    assert not (tmp_path / "none").exists()  # not one bad_input row per portfolio: no run at all


# -- verify's registry check over the attestation window (py-evm, the registry contract) -----------

@pytest.mark.chain
def test_the_registry_check_over_the_window(w3, owner) -> None:
    """A key registered after the period end, a key revoked inside [end, end + max_delay_s], and a key
    revoked only after the window closes: the first two fail verification, the last passes."""
    from tests.support.chain import GAS
    from zkyield.attestor_records import attestor_check
    from zkyield.registry_records import open_registry
    from zkyield.verifier import chain

    _, _, policy = load()
    registry = chain.deploy_registry(w3, owner, gas=GAS * 2)
    keys = (*policy.attested_by.keys, *policy.prices_attested_by.keys)
    receipts = [chain.register_attestor_key(w3, registry, k, owner, gas=GAS) for k in keys]
    registered = max(w3.eth.get_block(r["blockNumber"])["timestamp"] for r in receipts)
    reader, delay = open_registry(w3, registry), policy.attested_by.max_delay_s

    early = attestor_check(policy, reader, registered - 1)  # the period ended before the keys were registered
    assert not early.passed and "not yet valid" in early.reason

    tester = w3.provider.ethereum_tester
    tester.time_travel(registered + delay + 100)
    tester.mine_blocks(1)
    receipt = chain.revoke_attestor_key(w3, registry, policy.attested_by.keys[2], owner, gas=GAS)
    revoked = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    inside = attestor_check(policy, reader, revoked - delay)  # the window closes at the revocation itself
    assert not inside.passed and "attested_by.keys[2]" in inside.reason and "revoked at" in inside.reason
    after = attestor_check(policy, reader, revoked - delay - 1)  # closed one second before the revocation
    assert after.passed, after.reason
