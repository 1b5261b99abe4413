"""Keys under which proofs can be forged are refused by every loader, writer and command.

Each attack is built first and shown to work against the raw Groth16 equation (and, where snarkjs
can read the files, against `snarkjs groth16 verify`, the independent reference); then every
user-facing path is shown to refuse the key with a one-line error naming the field and exit code 2.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.ceremony import BEACON_EXP, BEACON_HEX, circuit, json_g1, json_g2, snarkjs_ptau
from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import run_snarkjs
from zkyield.ceremony import beacon, contribute, prove_zkey
from zkyield.ceremony.phase2 import parse_beacon
from zkyield.ceremony.rng import beacon_rng, fr_from_rng
from zkyield.cli.main import cli
from zkyield.curve import G2_GENERATOR, g1_add, g1_mul, g1_neg, g2_mul, g2_neg
from zkyield.errors import InputError, PointError
from zkyield.field import R
from zkyield.formats.proving_key import proving_key_from_bytes, proving_key_to_bytes, write_proving_key
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.snarkjs_json import (
    dump_proof,
    dump_public,
    dump_vk,
    load_vk,
    stringify,
    vk_from_json,
    vk_to_json,
)
from zkyield.formats.wtns_bin import write_wtns
from zkyield.formats.zkey import read_zkey, write_zkey, zkey_to_bytes
from zkyield.groth16 import Proof, VerifyingKey, prove, setup, verify
from zkyield.msm import msm_g1
from zkyield.pairing import pairing, pairing_check
from zkyield.verifier.solidity import render_verifier

pytestmark = pytest.mark.snarkjs

# A throwaway key; deploy must refuse the verification key before it ever connects.
DEPLOYER_KEY = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
NO_CONTRIBUTION = "no phase-2 contribution, so anyone can forge proofs with it: the key is not safe to use until"


def _cli(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _refused(result, *needles: str) -> str:
    """Exit 2 with one `error:` line that contains every needle."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _vk_x(vk: VerifyingKey, inputs: list[int]):
    return msm_g1(vk.ic, [1, *inputs])


def _equation_holds(vk: VerifyingKey, inputs: list[int], proof: Proof) -> bool:
    """e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta), with none of zkyield's key checks."""
    return pairing_check([(g1_neg(proof.a), proof.b), (vk.alpha_g1, vk.beta_g2),
                          (_vk_x(vk, inputs), vk.gamma_g2), (proof.c, vk.delta_g2)])


def _raw_vk(path: Path) -> VerifyingKey:
    """A verification_key.json read without zkyield's loader (which refuses what these tests need)."""
    obj = json.loads(path.read_text())
    return VerifyingKey(json_g1(obj["vk_alpha_1"]), json_g2(obj["vk_beta_2"]), json_g2(obj["vk_gamma_2"]),
                        json_g2(obj["vk_delta_2"]), tuple(json_g1(p) for p in obj["IC"]))


def _raw_proof(path: Path) -> Proof:
    obj = json.loads(path.read_text())
    return Proof(json_g1(obj["pi_a"]), json_g2(obj["pi_b"]), json_g1(obj["pi_c"]))


def _write_raw_vk(vk: VerifyingKey, path: Path) -> Path:
    """verification_key.json for ``vk`` bypassing ``dump_vk``'s refusal (an attacker's own writer)."""
    path.write_text(stringify(vk_to_json(vk, pairing(vk.alpha_g1, vk.beta_g2))))
    return path


# --- the zero-contribution key: a real forgery -------------------------------------------------------


@pytest.fixture(scope="module")
def unsafe(tmp_path_factory):
    """`zkyield ceremony new` output, an honest snarkjs proof with it, and a forgery for other inputs."""
    d = tmp_path_factory.mktemp("unsafe")
    r1cs, wtns, _ = circuit()
    ptau = snarkjs_ptau()[1]
    assert _cli("ceremony", "new", r1cs, ptau, "-o", d / "k0.zkey").exit_code == 0
    run_snarkjs("groth16", "prove", d / "k0.zkey", wtns, d / "proof.json", d / "public.json")
    run_snarkjs("zkey", "export", "verificationkey", d / "k0.zkey", d / "vk.json")
    vk, proof = _raw_vk(d / "vk.json"), _raw_proof(d / "proof.json")
    public = [int(v) for v in json.loads((d / "public.json").read_text())]
    forged_public = [(public[0] + 1) % R, 123456789]
    # gamma = delta, so e(vk_x, gamma) e(C, delta) = e(vk_x + C, delta): move vk_x's change into C.
    shift = g1_add(_vk_x(vk, public), g1_neg(_vk_x(vk, forged_public)))
    forged = replace(proof, c=g1_add(proof.c, shift))
    (d / "forged").mkdir()
    dump_proof(forged, d / "forged" / "proof.json")
    dump_public(forged_public, d / "forged" / "public.json")
    return d, vk, public, forged, forged_public


def test_zero_contribution_key_forges_proofs_for_any_public_inputs(unsafe):
    d, vk, public, forged, forged_public = unsafe
    assert vk.gamma_g2 == vk.delta_g2 == G2_GENERATOR
    assert forged_public != public
    assert _equation_holds(vk, forged_public, forged)
    files = [d / "vk.json", d / "forged" / "public.json", d / "forged" / "proof.json"]
    assert "OK!" in run_snarkjs("groth16", "verify", *files).stdout  # the reference verifier is fooled


def test_zero_contribution_key_is_refused_by_the_library(unsafe, tmp_path):
    d, vk, _, forged, forged_public = unsafe
    with pytest.raises(PointError, match=r"vk.json: vk_delta_2 is the G2 generator.*zkyield ceremony contribute"):
        load_vk(d / "vk.json")
    with pytest.raises(PointError, match="vk_delta_2 is the G2 generator"):
        verify(vk, forged_public, forged)
    with pytest.raises(PointError, match="vk_delta_2 is the G2 generator"):
        render_verifier(vk)  # what export-verifier and deploy (chain.deploy_verifier) render
    with pytest.raises(PointError, match="out.json: vk_delta_2 is the G2 generator"):
        dump_vk(vk, tmp_path / "out.json")
    assert not (tmp_path / "out.json").exists()
    k0 = read_zkey(d / "k0.zkey")  # reading stays possible: contribute needs it, byte for byte
    assert zkey_to_bytes(k0) == (d / "k0.zkey").read_bytes()
    with pytest.raises(InputError, match=NO_CONTRIBUTION):
        prove_zkey(k0, circuit()[2])
    with pytest.raises(InputError, match=NO_CONTRIBUTION):
        k0.check_usable()


def test_zero_contribution_key_is_refused_by_the_statement_api(unsafe):
    """zkyield.verify hands the caller's key to groth16.verify, which refuses it before pairing."""
    import zkyield
    from zkyield.formats.attestation import Attestation

    _, vk, _, forged, forged_public = unsafe
    attestation = Attestation(proof=forged, public_signals=tuple(forged_public), statement={}, policy={},
                              verification_key_sha256=vk.digest(), created="2026-01-01T00:00:00Z")
    with pytest.raises(PointError, match="vk_delta_2 is the G2 generator"):
        zkyield.verify(attestation, vk)


def test_zero_contribution_key_is_refused_by_every_command(unsafe, tmp_path):
    d, *_ = unsafe
    r1cs, wtns, _ = circuit()
    vk_json = d / "vk.json"
    _refused(_cli("groth16", "verify", vk_json, d / "forged" / "public.json", d / "forged" / "proof.json"),
             "vk.json: vk_delta_2 is the G2 generator")
    _refused(_cli("export-verifier", vk_json, "-o", tmp_path / "V.sol"), "vk_delta_2 is the G2 generator")
    key_file = tmp_path / "deployer.key"
    key_file.write_text(DEPLOYER_KEY)
    _refused(_cli("deploy", "--rpc-url", "http://127.0.0.1:9", "--key-file", key_file, "--vk", vk_json),
             "vk_delta_2 is the G2 generator")
    _refused(_cli("ceremony", "export-vk", d / "k0.zkey", "-o", tmp_path / "vk.json"), "k0.zkey: " + NO_CONTRIBUTION)
    _refused(_cli("groth16", "prove", d / "k0.zkey", wtns, "--out", tmp_path / "p"), "k0.zkey: " + NO_CONTRIBUTION)
    res = _cli("ceremony", "verify", r1cs, snarkjs_ptau()[1], d / "k0.zkey")
    _refused(res, "k0.zkey: " + NO_CONTRIBUTION)
    assert "OK" not in res.output
    assert not any((tmp_path / n).exists() for n in ("V.sol", "vk.json", "p"))


def test_one_contribution_makes_the_key_safe_and_the_forgery_fails(unsafe, tmp_path):
    d, *_ = unsafe
    r1cs, _, witness = circuit()
    assert _cli("ceremony", "contribute", d / "k0.zkey", "-o", tmp_path / "k1.zkey", "--name", "x").exit_code == 0
    res = _cli("ceremony", "verify", r1cs, snarkjs_ptau()[1], tmp_path / "k1.zkey")
    assert res.exit_code == 0 and "OK: 1 contribution(s) verified" in res.output, res.output
    assert _cli("ceremony", "export-vk", tmp_path / "k1.zkey", "-o", tmp_path / "vk.json").exit_code == 0
    vk = load_vk(tmp_path / "vk.json")
    public = [witness[1], witness[2]]
    proof = prove_zkey(read_zkey(tmp_path / "k1.zkey"), witness)
    assert verify(vk, public, proof)
    forged_public = [(public[0] + 1) % R, 123456789]
    shift = g1_add(_vk_x(vk, public), g1_neg(_vk_x(vk, forged_public)))
    assert not _equation_holds(vk, forged_public, replace(proof, c=g1_add(proof.c, shift)))


# --- only beacons: the delta factor is public -----------------------------------------------------


def test_beacon_only_key_forges_and_is_refused(unsafe, tmp_path):
    d, *_ = unsafe
    r1cs, wtns, _ = circuit()
    kb, _ = beacon(read_zkey(d / "k0.zkey"), BEACON_HEX, BEACON_EXP)
    write_zkey(kb, tmp_path / "kb.zkey")
    run_snarkjs("groth16", "prove", tmp_path / "kb.zkey", wtns, tmp_path / "proof.json", tmp_path / "public.json")
    factor = fr_from_rng(beacon_rng(parse_beacon(BEACON_HEX, BEACON_EXP), BEACON_EXP))  # anyone recomputes it
    vk, proof = kb.verifying_key, _raw_proof(tmp_path / "proof.json")
    assert vk.delta_g2 == g2_mul(G2_GENERATOR, factor) and vk.gamma_g2 == G2_GENERATOR
    public = [int(v) for v in json.loads((tmp_path / "public.json").read_text())]
    forged_public = [public[0], (public[1] + 7) % R]
    shift = g1_add(_vk_x(vk, public), g1_neg(_vk_x(vk, forged_public)))
    forged = replace(proof, c=g1_add(proof.c, g1_mul(shift, pow(factor, -1, R))))
    assert _equation_holds(vk, forged_public, forged)
    needle = "kb.zkey: only beacon contributions (public), so anyone can forge proofs with it"
    _refused(_cli("ceremony", "verify", r1cs, snarkjs_ptau()[1], tmp_path / "kb.zkey"), needle)
    _refused(_cli("ceremony", "export-vk", tmp_path / "kb.zkey", "-o", tmp_path / "vk.json"), needle)
    _refused(_cli("groth16", "prove", tmp_path / "kb.zkey", wtns, "--out", tmp_path / "p"), needle)
    with pytest.raises(InputError, match="only beacon contributions"):
        prove_zkey(kb, circuit()[2])
    # a beacon after a real contribution is the documented way to finish a ceremony
    k1, _ = contribute(read_zkey(d / "k0.zkey"), name="alice")
    beacon(k1, BEACON_HEX, BEACON_EXP)[0].check_usable()


# --- IC points: unconstrained or interchangeable public inputs ------------------------------------


@pytest.fixture(scope="module")
def sound():
    """A sound key from zkyield's own setup (2 public inputs) and an honest proof."""
    r1cs, witness = chained_multiplications(n_public=2, n_steps=4)
    pk, vk = setup(r1cs)
    return pk, vk, r1cs.public_inputs(witness), prove(pk, r1cs, witness), r1cs, witness


def _ic_attacks(vk: VerifyingKey, x: list[int]) -> dict[str, tuple[VerifyingKey, list[int], str]]:
    """Keys that accept the honest proof for x and for other inputs, each with such inputs and its error."""
    ic0, ic1, ic2 = vk.ic

    def fold(p, k):  # IC0 absorbs the honest inputs' terms, so the honest proof still verifies
        return g1_add(ic0, g1_mul(p, k))

    return {
        "IC[1] at infinity": (replace(vk, ic=(fold(ic1, x[0]), None, ic2)), [x[0] + 99, x[1]],
                              "IC[1] is the point at infinity, so its public input is not constrained"),
        "IC[2] = IC[1]": (replace(vk, ic=(fold(g1_add(ic2, g1_neg(ic1)), x[1]), ic1, ic1)), [x[0] + 5, x[1] - 5],
                          "IC[2] equals IC[1] or its negation, so those public inputs can be traded"),
        "IC[2] = -IC[1]": (replace(vk, ic=(fold(g1_add(ic2, ic1), x[1]), ic1, g1_neg(ic1))), [x[0] + 5, x[1] + 5],
                           "IC[2] equals IC[1] or its negation"),
    }


@pytest.mark.parametrize("case", ["IC[1] at infinity", "IC[2] = IC[1]", "IC[2] = -IC[1]"])
def test_degenerate_ic_key_accepts_other_inputs_and_is_refused(sound, case, tmp_path):
    pk, vk, x, proof, *_ = sound
    bad_vk, other, message = _ic_attacks(vk, x)[case]
    other = [v % R for v in other]
    assert _equation_holds(bad_vk, x, proof) and _equation_holds(bad_vk, other, proof)
    assert not _equation_holds(vk, other, proof)
    with pytest.raises(PointError, match=re.escape(message)):
        verify(bad_vk, other, proof)
    path = _write_raw_vk(bad_vk, tmp_path / "verification_key.json")
    dump_proof(proof, tmp_path / "proof.json")
    dump_public(other, tmp_path / "public.json")
    _refused(_cli("groth16", "verify", path, tmp_path / "public.json", tmp_path / "proof.json"),
             "verification_key.json: " + message)
    _refused(_cli("export-verifier", path, "-o", tmp_path / "V.sol"), message)
    bad_pk = replace(pk, vk=bad_vk)
    with pytest.raises(PointError, match="pk: " + re.escape(message)):
        proving_key_from_bytes(proving_key_to_bytes(bad_pk), "pk")
    with pytest.raises(PointError, match="proving_key: "):
        write_proving_key(bad_pk, tmp_path / "proving_key")
    assert not (tmp_path / "proving_key").exists() and not (tmp_path / "V.sol").exists()


def test_degenerate_ic_in_a_contributed_zkey_is_refused(unsafe, tmp_path):
    d, *_ = unsafe
    k1, _ = contribute(read_zkey(d / "k0.zkey"), name="alice")
    bad = replace(k1, ic=(k1.ic[0], k1.ic[1], k1.ic[1]))
    write_zkey(bad, tmp_path / "bad.zkey")
    _refused(_cli("ceremony", "export-vk", tmp_path / "bad.zkey", "-o", tmp_path / "vk.json"),
             "bad.zkey: IC[2] equals IC[1] or its negation")
    with pytest.raises(PointError, match=r"IC\[2\] equals IC\[1\]"):
        prove_zkey(bad, circuit()[2])


# --- the other degenerate shapes, through the JSON and proving-key loaders -------------------------


def test_gamma_delta_relations_are_refused_everywhere(sound, tmp_path):
    pk, vk, x, proof, *_ = sound
    cases = {
        "delta = gamma": (replace(vk, delta_g2=vk.gamma_g2), "vk_delta_2 equals vk_gamma_2 or its negation"),
        "delta = -gamma": (replace(vk, delta_g2=g2_neg(vk.gamma_g2)), "vk_delta_2 equals vk_gamma_2 or its negation"),
        "delta = -G2": (replace(vk, delta_g2=g2_neg(G2_GENERATOR)), "vk_delta_2 is the G2 generator"),
        "delta at infinity": (replace(vk, delta_g2=None), "vk_delta_2 is the point at infinity"),
        "beta at infinity": (replace(vk, beta_g2=None), "vk_beta_2 is the point at infinity"),
        "alpha at infinity": (replace(vk, alpha_g1=None), "vk_alpha_1 is the point at infinity"),
    }
    dump_proof(proof, tmp_path / "proof.json")
    dump_public(x, tmp_path / "public.json")
    for bad_vk, message in cases.values():
        obj = vk_to_json(bad_vk, [[["0", "0"]] * 3] * 2)  # alphabeta is derived data, never read
        with pytest.raises(PointError, match="verification_key.json: " + message):
            vk_from_json(obj)
        (tmp_path / "verification_key.json").write_text(stringify(obj))
        _refused(_cli("groth16", "verify", tmp_path / "verification_key.json", tmp_path / "public.json",
                      tmp_path / "proof.json"), message)
        with pytest.raises(PointError, match="pk: " + message):
            proving_key_from_bytes(proving_key_to_bytes(replace(pk, vk=bad_vk, alpha_g1=bad_vk.alpha_g1)), "pk")


@pytest.mark.parametrize("field", ["alpha_g1", "beta_g1", "delta_g1"])
def test_proving_key_g1_points_at_infinity_are_refused(sound, field, tmp_path):
    pk, *_ = sound
    bad = replace(pk, **{field: None})
    if field == "alpha_g1":
        bad = replace(bad, vk=replace(pk.vk, alpha_g1=None))
    with pytest.raises(PointError, match="point at infinity"):
        proving_key_from_bytes(proving_key_to_bytes(bad), "pk")


def test_groth16_prove_refuses_a_degenerate_key_folder(sound, tmp_path):
    """A key folder whose proving_key was edited (checksum recomputed) to delta = gamma."""
    pk, _, _, _, r1cs, witness = sound
    keys = tmp_path / "keys"
    keys.mkdir()
    write_r1cs(r1cs, keys / "circuit.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    bad = replace(pk, vk=replace(pk.vk, delta_g2=pk.vk.gamma_g2))
    (keys / "proving_key").write_bytes(proving_key_to_bytes(bad))
    _refused(_cli("groth16", "prove", keys, tmp_path / "c.wtns", "--out", tmp_path / "p"),
             "proving_key: vk_delta_2 equals vk_gamma_2")
    assert not (tmp_path / "p").exists()
