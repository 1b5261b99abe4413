""".zkey reading/writing and proving with a .zkey, against snarkjs's own files and tools.

References: snarkjs ``zkey export json`` (its decoding of every section), byte equality of our
re-serialisation with snarkjs's files, ``snarkjs groth16 verify`` of our proofs. Hostile inputs
must fail with one-line FormatErrors.
"""

from __future__ import annotations

import struct
import time
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.ceremony import circuit, export_zkey_json, json_g1, json_g2, snarkjs_chain, workdir
from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import run_snarkjs
from zkyield.ceremony.prover import check_zkey_matches, prove_zkey
from zkyield.curve import g1_neg
from zkyield.errors import ConstraintError, FormatError, InputError
from zkyield.field import Q, R
from zkyield.formats import zkey as zk
from zkyield.formats.binio import read_container
from zkyield.formats.ptau import G1_BYTES, G2_BYTES, encode_g2
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.formats.snarkjs_json import dump_proof, dump_public
from zkyield.groth16.verifier import verify
from zkyield.r1cs import R1CS


@pytest.fixture(scope="module")
def chain():
    return snarkjs_chain()


def _offset(data: bytes, section: int) -> int:
    return read_container(data, zk.MAGIC, zk.VERSION, "t").sections[section][0][0]


def test_snarkjs_files_round_trip_byte_for_byte(chain):
    for path in chain[:3]:
        data = path.read_bytes()
        assert zk.zkey_to_bytes(zk.read_zkey(path)) == data


def test_decoding_matches_snarkjs_export_json(chain):
    path = chain[2]
    z = zk.read_zkey(path)
    ref = export_zkey_json(path)
    assert (z.n_vars, z.n_public, z.domain_size) == (ref["nVars"], ref["nPublic"], ref["domainSize"])
    assert z.alpha_g1 == json_g1(ref["vk_alpha_1"])
    g2_keys = ("vk_beta_2", "vk_gamma_2", "vk_delta_2")
    assert (z.beta_g2, z.gamma_g2, z.delta_g2) == tuple(json_g2(ref[k]) for k in g2_keys)
    assert z.delta_g1 == json_g1(ref["vk_delta_1"])
    assert list(z.ic) == [json_g1(p) for p in ref["IC"]]
    assert list(z.a) == [json_g1(p) for p in ref["A"]]
    assert list(z.b2) == [json_g2(p) for p in ref["B2"]]
    assert list(z.c) == [json_g1(p) for p in ref["C"][z.n_public + 1 :]]
    assert list(z.h) == [json_g1(p) for p in ref["hExps"]]
    coefs = [(c["matrix"], c["constraint"], c["signal"], int(c["value"])) for c in ref["ccoefs"]]
    assert coefs == list(z.coefs)


def test_coefficients_are_the_circuit_rows(chain):
    r1cs = read_r1cs(circuit()[0])
    check_zkey_matches(zk.read_zkey(chain[2]), r1cs)
    other, _ = chained_multiplications(n_public=2, n_steps=6, seed=3)
    doubled = [replace(c, a={k: 2 * v for k, v in c.a.items()}) for c in other.constraints]
    scaled = R1CS(other.n_wires, 0, 2, 1, doubled)
    with pytest.raises(InputError, match="another circuit"):
        check_zkey_matches(zk.read_zkey(chain[2]), scaled)


def test_prove_with_snarkjs_zkey_verifies_in_snarkjs(chain):
    path = chain[2]
    r1cs_path, _, witness = circuit()
    r1cs = read_r1cs(r1cs_path)
    z = zk.read_zkey(path)
    proof = prove_zkey(z, witness, r1cs)
    assert verify(z.verifying_key, r1cs.public_inputs(witness), proof)
    d = workdir()
    dump_proof(proof, d / "zkey_proof.json")
    dump_public(r1cs.public_inputs(witness), d / "zkey_public.json")
    run_snarkjs("zkey", "export", "verificationkey", path, d / "vk_snark.json")
    out = run_snarkjs("groth16", "verify", d / "vk_snark.json", d / "zkey_public.json", d / "zkey_proof.json")
    assert "OK" in out.stdout + out.stderr
    forged = replace(proof, a=g1_neg(proof.a))
    assert not verify(z.verifying_key, r1cs.public_inputs(witness), forged)


def test_prove_refuses_bad_witness(chain):
    r1cs = read_r1cs(circuit()[0])
    witness = list(circuit()[2])
    witness[-1] = (witness[-1] + 1) % R
    z = zk.read_zkey(chain[2])
    with pytest.raises(ConstraintError):
        prove_zkey(z, witness, r1cs)
    with pytest.raises(InputError, match="expects"):
        prove_zkey(z, witness[:-1])
    proof = prove_zkey(z, witness)  # without the R1CS the bad witness is only caught by verification
    assert not verify(z.verifying_key, r1cs.public_inputs(witness), proof)


# --- hostile files --------------------------------------------------------------------------------


def _patched(data: bytes, section: int, at: int, raw: bytes) -> bytes:
    out = bytearray(data)
    off = _offset(data, section) + at
    out[off : off + len(raw)] = raw
    return bytes(out)


_HEADER_COUNTS = 4 + 32 + 4 + 32  # offset of nVars in section 2


@pytest.mark.parametrize(
    ("section", "at", "raw", "match"),
    [
        (1, 0, struct.pack("<I", 2), "PLONK"),
        (1, 0, struct.pack("<I", 10), "FFLONK"),
        (2, 4, (Q - 2).to_bytes(32, "little"), "another curve"),
        (2, _HEADER_COUNTS, struct.pack("<I", 0xFFFFFFFF), "inconsistent header|section has"),
        (2, _HEADER_COUNTS + 4, struct.pack("<I", 1 << 30), "inconsistent header"),
        (2, _HEADER_COUNTS + 8, struct.pack("<I", 24), "inconsistent header"),
        (2, _HEADER_COUNTS + 8, struct.pack("<I", 1 << 30), "inconsistent header|section has"),
        (2, _HEADER_COUNTS + 12, Q.to_bytes(32, "little"), "canonical"),
        (2, _HEADER_COUNTS + 12, bytes(64), "infinity"),
        (4, 0, struct.pack("<I", 1 << 31), "claims"),
        (4, 4, struct.pack("<I", 2), "coefficient 0"),
        (4, 8, struct.pack("<I", 1 << 20), "coefficient 0"),
        (4, 12, struct.pack("<I", 1 << 20), "coefficient 0"),
        (4, 16, R.to_bytes(32, "little"), "coefficient 0"),
        (5, 0, (1).to_bytes(32, "little") + (1).to_bytes(32, "little"), "not on the BN254 G1"),
        (10, 64, struct.pack("<I", 1 << 30), "contribution count"),
    ],
)
def test_hostile_fields_are_refused(chain, section, at, raw, match):
    data = _patched(chain[2].read_bytes(), section, at, raw)
    start = time.perf_counter()
    with pytest.raises(FormatError, match=match) as err:
        zk.zkey_from_bytes(data)
    assert "\n" not in str(err.value)
    assert time.perf_counter() - start < 2


def test_b2_point_outside_g2_is_refused_before_a_proof_leaves_the_prover(chain):
    """B2 is prover-only: read on the twist, and the π_B it would leak through is refused at prove time."""
    from tests.test_ptau import _twist_point_outside_g2

    outside = _twist_point_outside_g2()
    data = _patched(chain[2].read_bytes(), 7, 2 * G2_BYTES, encode_g2(outside))
    z = zk.zkey_from_bytes(data)
    assert z.b2[2] == outside
    witness = circuit()[2]
    assert witness[2] != 0  # so pi_B picks up the bad point's component outside G2
    with pytest.raises(InputError, match="B2 points are not all in G2"):
        prove_zkey(z, witness)
    off = _patched(chain[2].read_bytes(), 7, 2 * G2_BYTES + 32, (5).to_bytes(32, "little"))
    with pytest.raises(FormatError, match=r"B2\[2\].*not on the BN254 G2"):
        zk.zkey_from_bytes(off)


def test_verification_key_g2_points_outside_g2_are_refused_at_load(chain):
    from tests.test_ptau import _twist_point_outside_g2

    delta2 = _HEADER_COUNTS + 12 + 3 * G1_BYTES + 2 * G2_BYTES  # after alpha1, beta1, beta2, gamma2, delta1
    data = _patched(chain[2].read_bytes(), 2, delta2, encode_g2(_twist_point_outside_g2()))
    with pytest.raises(FormatError, match=r"delta2\[0\].*subgroup"):
        zk.zkey_from_bytes(data)


def test_contribution_parameters_must_be_sorted_and_known(chain):
    z = zk.read_zkey(chain[2])
    data = chain[2].read_bytes()
    # First contribution's parameters start after its points, transcript, type and length.
    params = 64 + 4 + 3 * G1_BYTES + G2_BYTES + 64 + 8
    with pytest.raises(FormatError, match="parameters"):
        zk.zkey_from_bytes(_patched(data, 10, params, bytes([9])))
    assert z.contributions[0].name == "alice"
    with pytest.raises(FormatError):
        zk.zkey_from_bytes(_patched(data, 10, params - 4, struct.pack("<I", 10_000)))


@pytest.mark.parametrize("cut", [0, 12, 100, 2000, -1])
def test_truncated_zkey_is_refused(chain, cut):
    with pytest.raises(FormatError):
        zk.zkey_from_bytes(chain[2].read_bytes()[:cut])


def test_writer_refuses_long_names_and_bad_beacons(chain):
    z = zk.read_zkey(chain[2])
    c = z.contributions[0]
    with pytest.raises(FormatError, match="at most 64"):
        zk.zkey_to_bytes(replace(z, contributions=(replace(c, name="x" * 65),)))
    with pytest.raises(FormatError, match="beacon"):
        zk.zkey_to_bytes(replace(z, contributions=(replace(c, type=zk.BEACON),)))


_fuzz = {"tried": 0, "rejected": 0}


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_zkey_fails_cleanly(chain, data):
    """Random truncations and overwrites of a real key: a valid read or a one-line FormatError."""
    raw = bytearray(chain[1].read_bytes())
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), label="cut")]
    else:
        pos = data.draw(st.integers(0, len(raw) - 1), label="pos")
        patch = data.draw(st.binary(min_size=1, max_size=8), label="patch")
        raw[pos : pos + len(patch)] = patch
    _fuzz["tried"] += 1
    try:
        zk.zkey_from_bytes(bytes(raw))
    except FormatError as e:
        _fuzz["rejected"] += 1
        assert "\n" not in str(e)
    print(f"zkey fuzz: {_fuzz['tried']} inputs tried, {_fuzz['rejected']} rejected")
