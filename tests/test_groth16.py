"""Groth16 setup / prove / verify round trips and soundness on hand-built circuits."""

from __future__ import annotations

import pytest

from tests.support.r1cs_samples import chained_multiplications, multiplier_with_output
from zkyield.curve import G1_GENERATOR, g1_add, g1_neg, g2_add, g2_mul
from zkyield.errors import ConstraintError, InputError, PointError
from zkyield.field import R
from zkyield.groth16 import Proof, prove, setup, verify
from zkyield.groth16.qap import domain_size


@pytest.fixture(scope="module")
def chain5():
    r1cs, witness = chained_multiplications(n_public=5, n_steps=12)
    pk, vk = setup(r1cs)
    return r1cs, witness, pk, vk


def test_round_trip_and_fresh_randomness(chain5):
    r1cs, witness, pk, vk = chain5
    p1 = prove(pk, r1cs, witness)
    p2 = prove(pk, r1cs, witness)
    assert p1 != p2, "two proofs of one witness must differ (fresh r, s)"
    publics = r1cs.public_inputs(witness)
    assert verify(vk, publics, p1)
    assert verify(vk, publics, p2)


@pytest.mark.parametrize("n_public", [0, 20])
def test_round_trip_zero_and_twenty_public_inputs(n_public):
    r1cs, witness = chained_multiplications(n_public=n_public, n_steps=24)
    pk, vk = setup(r1cs)
    proof = prove(pk, r1cs, witness)
    assert vk.n_public == n_public
    assert verify(vk, r1cs.public_inputs(witness), proof)


def test_public_output_circuit():
    r1cs, witness = multiplier_with_output()
    pk, vk = setup(r1cs)
    proof = prove(pk, r1cs, witness)
    assert verify(vk, [33], proof)
    assert not verify(vk, [34], proof)


def test_domain_counts_public_rows_like_snarkjs():
    r1cs, _ = chained_multiplications(n_public=3, n_steps=4)
    assert domain_size(r1cs) == 8  # 4 constraints + 3 public + 1 constant row = 8 rows
    r1cs, _ = chained_multiplications(n_public=4, n_steps=4)
    assert domain_size(r1cs) == 16


def test_tampered_proof_elements_rejected(chain5):
    r1cs, witness, pk, vk = chain5
    proof = prove(pk, r1cs, witness)
    publics = r1cs.public_inputs(witness)
    assert not verify(vk, publics, Proof(a=g1_add(proof.a, G1_GENERATOR), b=proof.b, c=proof.c))
    assert not verify(vk, publics, Proof(a=proof.a, b=g2_add(proof.b, g2_mul(proof.b, 2)), c=proof.c))
    assert not verify(vk, publics, Proof(a=proof.a, b=proof.b, c=g1_neg(proof.c)))
    assert not verify(vk, publics, Proof(a=proof.c, b=proof.b, c=proof.a))


def test_wrong_public_inputs_rejected(chain5):
    r1cs, witness, pk, vk = chain5
    proof = prove(pk, r1cs, witness)
    publics = r1cs.public_inputs(witness)
    for i in range(len(publics)):
        bad = list(publics)
        bad[i] = (bad[i] + 1) % R
        assert not verify(vk, bad, proof)
    with pytest.raises(InputError, match="public input 0"):
        verify(vk, [publics[0] + R, *publics[1:]], proof)
    with pytest.raises(InputError, match="expects 5"):
        verify(vk, publics[:-1], proof)


def test_malformed_points_raise(chain5):
    r1cs, witness, pk, vk = chain5
    proof = prove(pk, r1cs, witness)
    publics = r1cs.public_inputs(witness)
    off_curve = (proof.a[0], (proof.a[1] + 1))
    with pytest.raises(PointError):
        verify(vk, publics, Proof(a=off_curve, b=proof.b, c=proof.c))


def test_unsatisfying_witness_is_refused_by_name(chain5):
    r1cs, witness, pk, _ = chain5
    bad = list(witness)
    bad[-1] = (bad[-1] + 1) % R
    with pytest.raises(ConstraintError, match=r"constraint 11 \(chain/step\[11\]\)"):
        prove(pk, r1cs, bad)


def test_key_for_another_circuit_refused(chain5):
    _, _, pk, _ = chain5
    other, witness = chained_multiplications(n_public=5, n_steps=13)
    with pytest.raises(InputError, match="another circuit"):
        prove(pk, other, witness)
