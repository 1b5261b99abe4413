"""Attested statements in circuit: a malicious prover's witnesses, built past the prover's gate
(``attest_policy.choose``), are refused by the constraint system; honest and circomlibjs signatures pass."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.support.attest import ADMIN, AUDITOR, CAPACITY, CUSTODIAN, OUTSIDER, PRICES, load, sign
from tests.support.tools import run_node
from zkyield import eddsa
from zkyield.babyjub import SUBORDER
from zkyield.circuits import attest_message as am
from zkyield.circuits import encoding as enc
from zkyield.circuits.attest_policy import AttestorSignature, Chosen, key_tree
from zkyield.circuits.attest_witness import signature_inputs
from zkyield.errors import ConstraintError
from zkyield.families import PORTFOLIO_FAMILY


@pytest.fixture(scope="module")
def case():
    portfolio, market, policy = load()
    statement = PORTFOLIO_FAMILY.compile(policy, CAPACITY)
    honest = [sign(ADMIN, "book", portfolio, market), sign(AUDITOR, "book", portfolio, market),
              sign(PRICES, "prices", portfolio, market)]
    inputs, _ = PORTFOLIO_FAMILY.witness_inputs(portfolio, market, policy, statement, signatures=honest)
    return portfolio, market, policy, statement.circuit, inputs


def _with(case, subject: str, chosen: list[Chosen], **overrides) -> dict:
    """The honest inputs with ``subject``'s signature slots replaced as a malicious prover would."""
    _, _, policy, _, inputs = case
    aset = policy.attested_by if subject == "book" else policy.prices_attested_by
    return {**inputs, **signature_inputs(subject, aset, chosen), **overrides}


def _refused(circuit, inputs: dict) -> str:
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    return info.value.label.split(" via ")[0]


def test_the_honest_witness_satisfies_the_circuit_and_counts(case) -> None:
    portfolio, market, policy, circuit, inputs = case
    circuit.witness(inputs)
    # Any two members, in leaf order, with as-of times anywhere in the window.
    end, delay = portfolio.period.end, policy.attested_by.max_delay_s
    chosen = [Chosen(1, sign(CUSTODIAN, "book", portfolio, market, end)),
              Chosen(2, sign(AUDITOR, "book", portfolio, market, end + delay))]
    circuit.witness(_with(case, "book", chosen))


def test_a_key_outside_the_set_is_refused(case) -> None:
    portfolio, market, _, circuit, _ = case
    outsider = sign(OUTSIDER, "book", portfolio, market)  # a valid signature over the right message
    chosen = [Chosen(0, outsider), Chosen(2, sign(AUDITOR, "book", portfolio, market))]
    assert _refused(circuit, _with(case, "book", chosen)).endswith("attested_by/signature[0]/member/root")
    # The prover's own key set instead of the policy's: the set no longer hashes to the policy slot.
    _, _, policy, _, _ = case
    own = replace(policy.attested_by, keys=(eddsa.public_key(OUTSIDER), *policy.attested_by.keys[1:]))
    own = replace(own, root=key_tree(own.keys).root)
    forged = {**case[4], **signature_inputs("book", own, chosen)}
    assert _refused(circuit, forged).endswith("attested_by/set")


def test_the_same_key_counted_twice_is_refused(case) -> None:
    portfolio, market, _, circuit, _ = case
    end = portfolio.period.end
    # Two different valid signatures by the administrator (two as-of times): still one key.
    twice = [Chosen(0, sign(ADMIN, "book", portfolio, market, end + 10)),
             Chosen(0, sign(ADMIN, "book", portfolio, market, end + 20))]
    assert "attested_by/signature[1]/distinct" in _refused(circuit, _with(case, "book", twice))
    # Out of leaf order is refused the same way (strictly increasing indices make k distinct members).
    backwards = [Chosen(2, sign(AUDITOR, "book", portfolio, market)), Chosen(0, sign(ADMIN, "book", portfolio, market))]
    assert "attested_by/signature[1]/distinct" in _refused(circuit, _with(case, "book", backwards))


def test_a_signature_over_another_book_or_period_is_refused(case) -> None:
    portfolio, market, _, circuit, _ = case
    first = portfolio.positions[0]
    richer = replace(portfolio, positions=(replace(first, end_amount="41"), *portfolio.positions[1:]))
    later = replace(portfolio, period=replace(portfolio.period, end=portfolio.period.end + 86_400))
    later_market = replace(market, period=later.period)
    when = portfolio.period.end + 3600
    for book, mkt in ((richer, market), (later, later_market)):
        msg = am.book_message(book, mkt, when).message
        forged = AttestorSignature("book", when, eddsa.public_key(ADMIN), eddsa.sign(ADMIN, msg), "forged.json")
        chosen = [Chosen(0, forged), Chosen(2, sign(AUDITOR, "book", portfolio, market))]
        assert "attested_by/signature[0]/eddsa/equation" in _refused(circuit, _with(case, "book", chosen))


def test_a_price_signature_over_another_market_is_refused(case) -> None:
    portfolio, market, _, circuit, _ = case
    a0 = market.assets[0]
    other = replace(market, assets=(replace(a0, price_end=a0.price_end * 2), *market.assets[1:]))
    chosen = [Chosen(0, sign(PRICES, "prices", portfolio, other))]
    assert "prices_attested_by/signature[0]/eddsa/equation" in _refused(circuit, _with(case, "prices", chosen))


def test_an_out_of_range_s_is_refused(case) -> None:
    portfolio, market, _, circuit, _ = case
    good = sign(ADMIN, "book", portfolio, market)
    # S + l gives the same point S * Base8: the equation alone would accept this malleated twin.
    twin = replace(good, signature=eddsa.Signature(good.signature.R8, good.signature.S + SUBORDER))
    assert not eddsa.verify(twin.public_key, am.book_message(portfolio, market, twin.as_of).message, twin.signature)
    chosen = [Chosen(0, twin), Chosen(2, sign(AUDITOR, "book", portfolio, market))]
    assert "attested_by/signature[0]/eddsa/s_range" in _refused(circuit, _with(case, "book", chosen))


def test_an_as_of_time_outside_the_window_is_refused(case) -> None:
    portfolio, market, policy, circuit, _ = case
    end, delay = portfolio.period.end, policy.attested_by.max_delay_s
    for when in (end - 1, end + delay + 1):  # validly signed, but before the period ended / too late
        chosen = [Chosen(0, sign(ADMIN, "book", portfolio, market, when)),
                  Chosen(2, sign(AUDITOR, "book", portfolio, market))]
        assert "attested_by/signature[0]/as_of" in _refused(circuit, _with(case, "book", chosen))
    # A longer delay than the policy states does not hash to its slot.
    chosen = [Chosen(0, sign(ADMIN, "book", portfolio, market, end + delay + 1)),
              Chosen(2, sign(AUDITOR, "book", portfolio, market))]
    forged = _with(case, "book", chosen, book_attest_delay=delay + 1)
    assert _refused(circuit, forged).endswith("attested_by/set")


_SIGN_JS = """
const {buildEddsa} = require('circomlibjs');
(async () => {
  const E = await buildEddsa();
  const input = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  const out = input.map(({key, msg}) => {
    const prv = Buffer.from(key, 'hex');
    const s = E.signPoseidon(prv, E.F.e(BigInt(msg)));
    const A = E.prv2pub(prv);
    return {A: A.map(v => E.F.toObject(v).toString()), R8: s.R8.map(v => E.F.toObject(v).toString()),
            S: s.S.toString()};
  });
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})();
"""


def test_circomlibjs_signatures_are_accepted_in_circuit(case, tmp_path) -> None:
    portfolio, market, _, circuit, inputs = case
    when = portfolio.period.end + 600
    book = am.book_message(portfolio, market, when).message
    prices = am.prices_message(market, when).message
    jobs = [{"key": ADMIN.hex(), "msg": str(book)}, {"key": CUSTODIAN.hex(), "msg": str(book)},
            {"key": PRICES.hex(), "msg": str(prices)}]
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps(jobs))
    theirs = json.loads(run_node(_SIGN_JS, str(path)))
    signed = [AttestorSignature(subject, when, (int(t["A"][0]), int(t["A"][1])),
                                eddsa.Signature((int(t["R8"][0]), int(t["R8"][1])), int(t["S"])), "js.json")
              for subject, t in zip(("book", "book", "prices"), theirs, strict=True)]
    assert signed[0].public_key == eddsa.public_key(ADMIN)  # circomlibjs derived the same keys
    forged = _with(case, "book", [Chosen(0, signed[0]), Chosen(1, signed[1])])
    forged |= signature_inputs("prices", case[2].prices_attested_by, [Chosen(0, signed[2])])
    circuit.witness(forged)


def test_the_documented_costs(case) -> None:
    """docs/attestation.md, "Costs": per signature slot, and the chains' per-slot costs."""
    _, _, policy, _, _ = case
    cap = enc.Capacity(positions=2, assets=2, scenarios=1)
    bare = replace(policy, attested_by=None, prices_attested_by=None)

    def size(**sets) -> int:
        return PORTFOLIO_FAMILY.compile(replace(bare, **sets), cap).circuit.n_constraints

    base = size()
    book = [size(attested_by=replace(policy.attested_by, threshold=k)) - base for k in (1, 2)]
    prices = size(prices_attested_by=policy.prices_attested_by) - base
    assert book[1] - book[0] == 5_869
    assert book[0] == 258 + 5_865 + 1_264 * cap.positions + 303 * cap.assets - 243  # Poseidon(0, 23) is a constant
    assert prices == 258 + 5_907 + 1_384 * cap.assets - 240
