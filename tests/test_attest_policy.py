"""Attestor key sets in a policy (loader, policy hash, compiled shape) and the prover's gate, which refuses
missing, wrong or insufficient signatures with `statement is false: ...` before any proving."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.support.attest import ADMIN, AUDITOR, CAPACITY, CUSTODIAN, OUTSIDER, PRICES, load, paths, sign
from zkyield import babyjub, eddsa
from zkyield.circuits import attest_witness, publics
from zkyield.circuits.attest_policy import key_leaf
from zkyield.circuits.models import load_policy
from zkyield.circuits.portfolio_clauses import CLAUSES
from zkyield.errors import InputError, StatementFalse
from zkyield.families import PORTFOLIO_FAMILY
from zkyield.merkle import hash_pair
from zkyield.poseidon import poseidon


def _doc() -> dict:
    return json.loads(paths()["policy"].read_text())


def _pk(key: bytes) -> dict[str, str]:
    x, y = eddsa.public_key(key)
    return {"x": str(x), "y": str(y)}


def test_the_set_root_and_slot_are_as_documented() -> None:
    _, _, policy = load()
    aset = policy.attested_by
    keys = [eddsa.public_key(k) for k in (ADMIN, CUSTODIAN, AUDITOR)]
    assert aset.keys == tuple(keys) and aset.threshold == 2 and aset.max_delay_s == 604_800
    # Depth-4 tree by hand: leaves Poseidon(x, y), then 0 (empty) padding, inner nodes Poseidon(l, r).
    level = [poseidon([x, y]) for x, y in keys] + [0] * 13
    for _ in range(4):
        level = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    assert aset.root == level[0] and key_leaf(keys[0]) == poseidon(list(keys[0]))
    assert aset.slot == poseidon([aset.root, 2, 604_800])
    values = publics.policy_values(policy)
    slots = [values[2 + CLAUSES.index(k)] for k in ("attested_by", "prices_attested_by")]  # [tag, mask, slots...]
    assert slots == [policy.attested_by.slot, policy.prices_attested_by.slot]


def test_the_policy_hash_binds_keys_threshold_order_and_delay() -> None:
    base = publics.policy_hash(load_policy(_doc()))
    variants = []
    for change in ({"threshold": 1}, {"max_delay_s": 3600}, {"keys": _doc()["attested_by"]["keys"][::-1]},
                   {"keys": [*_doc()["attested_by"]["keys"][:2], _pk(OUTSIDER)]}):
        doc = _doc()
        doc["attested_by"] |= change
        variants.append(publics.policy_hash(load_policy(doc)))
    doc = _doc()
    del doc["prices_attested_by"]
    variants.append(publics.policy_hash(load_policy(doc)))
    assert base not in variants and len(set(variants)) == len(variants)
    # A policy may state attestation only.
    only = load_policy({"attested_by": {"keys": [_pk(ADMIN)], "threshold": 1}})
    assert publics.policy_clauses(only) == {"attested_by"} and only.attested_by.max_delay_s == 7 * 86_400


@pytest.mark.parametrize("change, message", [
    ({"threshold": 0}, "attested_by.threshold must be between 1 and 3"),
    ({"threshold": 4}, "attested_by.threshold must be between 1 and 3"),
    ({"keys": []}, "attested_by.keys is empty"),
    ({"keys": [_pk(ADMIN), _pk(ADMIN)]}, "attested_by.keys repeats a key"),
    ({"keys": [{"x": "1", "y": "2"}]}, "attested_by.keys[0]: the point is not on BabyJubJub"),
    ({"keys": [{"x": "0", "y": "1"}]}, "attested_by.keys[0]: the point has small order"),
    ({"keys": [{"x": "5"}]}, "attested_by.keys[0].y is missing"),
    ({"max_delay_s": -1}, "attested_by.max_delay_s must be between 0 and"),
    ({"threshhold": 1}, "attested_by.threshhold is not a known field"),
])
def test_bad_key_sets_are_one_line_input_errors(change, message) -> None:
    doc = _doc()
    doc["attested_by"] = {"keys": doc["attested_by"]["keys"], "threshold": 2, **change}
    with pytest.raises(InputError) as info:
        load_policy(doc)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_torsion_key_is_refused() -> None:
    small = (0, babyjub.R - 1)  # (0, -1): the point of order 2
    assert babyjub.is_on_curve(small) and babyjub.has_small_order(small)
    torsioned = babyjub.add(eddsa.public_key(ADMIN), small)
    doc = _doc()
    doc["attested_by"]["keys"][0] = {"x": str(torsioned[0]), "y": str(torsioned[1])}
    with pytest.raises(InputError, match="not in the prime-order subgroup"):
        load_policy(doc)


def test_k_is_part_of_the_compiled_shape() -> None:
    _, _, policy = load()
    assert attest_witness.signature_counts(policy) == (2, 1)
    statement = PORTFOLIO_FAMILY.compile(policy, CAPACITY)
    assert statement.describe()["signatures"] == {"book": 2, "prices": 1}
    doc = _doc()
    doc["attested_by"]["threshold"] = 3
    with pytest.raises(InputError, match="attestation thresholds differ"):
        PORTFOLIO_FAMILY.check_policy(statement, load_policy(doc))


def _gate(signatures, policy=None):
    portfolio, market, loaded = load()
    return attest_witness.chosen_signatures(portfolio, market, policy or loaded, signatures)


def test_the_gate_refuses_before_proving_with_the_reason() -> None:
    portfolio, market, _ = load()
    admin, auditor, price = (sign(k, s, portfolio, market, source=f"{n}.sig.json")
                             for k, s, n in ((ADMIN, "book", "admin"), (AUDITOR, "book", "auditor"),
                                             (PRICES, "prices", "prices")))
    chosen = _gate([auditor, price, admin])
    assert [c.index for c in chosen["book"]] == [0, 2] and [c.index for c in chosen["prices"]] == [0]

    def refused(sigs) -> str:
        with pytest.raises(StatementFalse) as info:
            _gate(sigs)
        return str(info.value)

    assert refused([price]) == ("statement is false: 0 of 2 required attestations (attested_by): 0 valid book "
                                "signature file(s) given (--signatures)")
    assert refused([admin, price]).startswith("statement is false: 1 of 2 required attestations (attested_by)")
    assert "repeats key 0 of attested_by" in refused([admin, replace(admin, source="copy.sig.json"), price])
    outsider = sign(OUTSIDER, "book", portfolio, market, source="outsider.sig.json")
    assert "outsider.sig.json is signed by a key not in attested_by" in refused([admin, outsider, price])
    richer = replace(portfolio, positions=(replace(portfolio.positions[0], end_amount="41"),
                                           *portfolio.positions[1:]))
    other = sign(AUDITOR, "book", richer, market, source="other.sig.json")
    assert "other.sig.json does not sign this book's message" in refused([admin, other, price])
    late = sign(AUDITOR, "book", portfolio, market, portfolio.period.end + 604_801, source="late.sig.json")
    assert "late.sig.json: as_of" in refused([admin, late, price])
    assert "1 of 2 required" in refused([admin, late, price])
    assert refused([admin, auditor]).startswith("statement is false: 0 of 1 required attestations "
                                                "(prices_attested_by)")
    # A signature for a subject the policy does not attest is a mistake in the command line.
    doc = _doc()
    del doc["prices_attested_by"]
    with pytest.raises(InputError, match="prices.sig.json is a prices signature but the policy has no "
                                         "prices_attested_by"):
        _gate([admin, auditor, price], load_policy(doc))
