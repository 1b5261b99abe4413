"""The native prover path against the pure-Python one, and the ZKYIELD_PURE_PYTHON switch.

With the blinding (r, s) pinned, both paths must return the identical proof; the native proof must
also verify under py_ecc's pairing, and a wrong witness or a value outside Fr must be refused.
"""

from __future__ import annotations

import importlib
import itertools
import os
import subprocess
import sys

import pytest

from tests._r1cs_samples import chained_multiplications
from zkyield import msm, pairing, poly
from zkyield._native import lib
from zkyield.curve import g1_neg
from zkyield.errors import ConstraintError, FieldError
from zkyield.field import R
from zkyield.groth16 import setup, verify
from zkyield.groth16.qap import row_evaluations

# The package re-exports the function `prove`, which shadows the module as an attribute.
prove_module = importlib.import_module("zkyield.groth16.prove")
needs_native = pytest.mark.skipif(lib is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")


@pytest.fixture(scope="module")
def chain():
    r1cs, witness = chained_multiplications(n_public=3, n_steps=40)
    pk, vk = setup(r1cs)
    return r1cs, witness, pk, vk


def _pinned_randomness(monkeypatch: pytest.MonkeyPatch) -> None:
    values = itertools.cycle([R - 3, 123456789])
    monkeypatch.setattr(prove_module.secrets, "randbelow", lambda _bound: next(values))


def _pure_python(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in (prove_module, msm, poly):
        monkeypatch.setattr(module, "lib", None)


@needs_native
def test_native_and_pure_provers_give_the_same_proof(chain, monkeypatch: pytest.MonkeyPatch) -> None:
    r1cs, witness, pk, vk = chain
    _pinned_randomness(monkeypatch)
    native = prove_module.prove(pk, r1cs, witness)
    _pinned_randomness(monkeypatch)
    _pure_python(monkeypatch)
    pure = prove_module.prove(pk, r1cs, witness)
    assert native == pure
    publics = r1cs.public_inputs(witness)
    assert verify(vk, publics, native)


@needs_native
def test_native_proof_verifies_under_pyecc_and_tampering_fails(chain) -> None:
    r1cs, witness, pk, vk = chain
    proof = prove_module.prove(pk, r1cs, witness)
    vk_x = msm.msm_g1_naive(vk.ic, [1, *r1cs.public_inputs(witness)])
    pairs = [(g1_neg(proof.a), proof.b), (vk.alpha_g1, vk.beta_g2), (vk_x, vk.gamma_g2), (proof.c, vk.delta_g2)]
    assert pairing.pairing_check_python(pairs)
    wrong_publics = r1cs.public_inputs(witness)
    wrong_publics[0] = (wrong_publics[0] + 1) % R
    assert not verify(vk, wrong_publics, proof)


@needs_native
def test_native_prover_refuses_bad_witnesses(chain) -> None:
    r1cs, witness, pk, _vk = chain
    bad = list(witness)
    bad[-1] = (bad[-1] + 1) % R
    with pytest.raises(ConstraintError):
        prove_module.prove(pk, r1cs, bad)
    rows = row_evaluations(r1cs, witness, pk.domain_size)
    for value in (R, -1):
        out_of_range = list(witness)
        out_of_range[-1] = value
        with pytest.raises(FieldError):
            prove_module.prove_from_rows(pk, out_of_range, *rows)
    broken_rows = (rows[0], rows[1], [*rows[2][:-1], R])
    with pytest.raises(FieldError):
        prove_module.prove_from_rows(pk, witness, *broken_rows)


@needs_native
def test_packed_key_cache_follows_the_key_object(chain) -> None:
    _r1cs, _witness, pk, _vk = chain
    assert prove_module._packed_key(pk) is prove_module._packed_key(pk)
    assert id(pk) in prove_module._PACKED


def test_pure_python_switch_disables_the_backend() -> None:
    script = (
        "from zkyield._native import lib; from zkyield import msm, curve; "
        "assert lib is None; p = curve.G1_GENERATOR; "
        "assert msm.msm_g1([p, p], [2, 3]) == curve.g1_mul(p, 5); print('pure ok')"
    )
    env = {**os.environ, "ZKYIELD_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pure ok"
