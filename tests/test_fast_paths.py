"""The native prover path against the pure-Python one, and the backend switch (``zkyield._native``).

With the blinding (r, s) pinned, both paths must return the identical proof; the native proof must
also verify under py_ecc's pairing, and a wrong witness or a value outside Fr must be refused.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading

import pytest

from tests.support.r1cs_samples import chained_multiplications
from zkyield import msm, pairing
from zkyield._native import native, pure_python
from zkyield.curve import g1_neg
from zkyield.errors import ConstraintError, FieldError, ZkyieldError
from zkyield.field import Q, R
from zkyield.formats import proving_key as proving_key_format
from zkyield.groth16 import Blinding, prove, setup, verify
from zkyield.groth16 import prover_native as native_prover
from zkyield.groth16.prover import prove_from_rows
from zkyield.groth16.qap import row_evaluations

needs_native = pytest.mark.skipif(native() is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")
PINNED = Blinding(R - 3, 123456789)


@pytest.fixture(scope="module")
def chain():
    r1cs, witness = chained_multiplications(n_public=3, n_steps=40)
    pk, vk = setup(r1cs)
    return r1cs, witness, pk, vk


@needs_native
def test_native_and_pure_provers_give_the_same_proof(chain) -> None:
    r1cs, witness, pk, vk = chain
    fast = prove(pk, r1cs, witness, blinding=PINNED)
    with pure_python():
        assert native() is None
        pure = prove(pk, r1cs, witness, blinding=PINNED)
    assert fast == pure
    assert verify(vk, r1cs.public_inputs(witness), fast)
    assert prove(pk, r1cs, witness, blinding=Blinding(PINNED.r, PINNED.s + 1)) != fast  # s really enters B


def test_blinding_is_fresh_unless_given_and_refuses_values_outside_fr(chain) -> None:
    r1cs, witness, pk, vk = chain
    first, second = prove(pk, r1cs, witness), prove(pk, r1cs, witness)
    assert first != second and verify(vk, r1cs.public_inputs(witness), second)
    assert prove(pk, r1cs, witness, blinding=PINNED) == prove(pk, r1cs, witness, blinding=PINNED)
    for bad in ((R, 1), (1, -1), (True, 1)):
        with pytest.raises(ZkyieldError, match=r"blinding: [rs] must be an Fr element"):
            Blinding(*bad)
    assert str(R - 3) not in repr(PINNED)  # the blinding never reaches a log line


@needs_native
def test_pure_python_is_scoped_to_the_block_and_the_thread() -> None:
    lib = native()
    seen = []
    with pure_python():
        worker = threading.Thread(target=lambda: seen.append(native()))
        worker.start()
        worker.join()
        assert native() is None
        with pure_python():
            assert native() is None
        assert native() is None  # the inner block restores the outer one's choice, not the default
    assert native() is lib and seen == [lib]


@needs_native
def test_native_proof_verifies_under_pyecc_and_tampering_fails(chain) -> None:
    r1cs, witness, pk, vk = chain
    proof = prove(pk, r1cs, witness)
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
        prove(pk, r1cs, bad)
    rows = row_evaluations(r1cs, witness, pk.domain_size)
    for value in (R, -1):
        out_of_range = list(witness)
        out_of_range[-1] = value
        with pytest.raises(FieldError):
            prove_from_rows(pk, out_of_range, *rows)
    broken_rows = (rows[0], rows[1], [*rows[2][:-1], R])
    with pytest.raises(FieldError):
        prove_from_rows(pk, witness, *broken_rows)


@needs_native
def test_packed_key_cache_follows_the_key_object(chain) -> None:
    _r1cs, _witness, pk, _vk = chain
    assert native_prover.packed_key(pk) is native_prover.packed_key(pk)
    assert id(pk) in native_prover._PACKED


def test_pure_python_switch_disables_the_backend() -> None:
    script = (
        "from zkyield._native import native; from zkyield import msm, curve; "
        "assert native() is None; p = curve.G1_GENERATOR; "
        "assert msm.msm_g1([p, p], [2, 3]) == curve.g1_mul(p, 5); print('pure ok')"
    )
    env = {**os.environ, "ZKYIELD_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "pure ok"


def _resealed(data: bytes, offset: int, replacement: bytes) -> bytes:
    """Overwrite bytes at offset and recompute the key file's SHA-256 trailer."""
    body = bytearray(data[:-32])
    body[offset : offset + len(replacement)] = replacement
    return bytes(body) + hashlib.sha256(bytes(body)).digest()


@needs_native
def test_native_key_decoding_matches_the_python_reader(chain) -> None:
    _r1cs, _witness, pk, _vk = chain
    data = proving_key_format.proving_key_to_bytes(pk)
    fast = proving_key_format.proving_key_from_bytes(data)
    with pure_python():
        assert proving_key_format.proving_key_from_bytes(data) == fast == pk


@needs_native
@pytest.mark.parametrize("pure", [False, True])
def test_key_points_off_the_curve_are_refused_on_both_paths(chain, pure: bool) -> None:
    _r1cs, _witness, pk, _vk = chain
    if pure:
        with pure_python():
            _refuses_points_off_the_curve(pk)
    else:
        _refuses_points_off_the_curve(pk)


def _refuses_points_off_the_curve(pk) -> None:
    data = proving_key_format.proving_key_to_bytes(pk)
    n_g1_before_a = 3 + pk.n_public + 1
    a5 = proving_key_format._HEADER.size + 64 * (n_g1_before_a + 5)
    y = int.from_bytes(data[a5 + 32 : a5 + 64], "big")
    bad_points = [
        _resealed(data, a5 + 32, ((y + 1) % Q).to_bytes(32, "big")),  # off the curve
        _resealed(data, a5, (int.from_bytes(data[a5 : a5 + 32], "big") + Q).to_bytes(32, "big")),  # x >= q
    ]
    for bad in bad_points:
        with pytest.raises(ZkyieldError, match=r"A\[5\]"):
            proving_key_format.proving_key_from_bytes(bad)
    g2_end = len(data) - 32
    last_b2_y1 = g2_end - 32
    y1 = int.from_bytes(data[last_b2_y1:g2_end], "big")
    bad_g2 = _resealed(data, last_b2_y1, ((y1 + 1) % Q).to_bytes(32, "big"))
    with pytest.raises(ZkyieldError, match=rf"B2\[{pk.n_wires - 1}\]"):
        proving_key_format.proving_key_from_bytes(bad_g2)
