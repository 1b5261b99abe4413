"""Groth16 interop with the pinned snarkjs, in both directions, on the same files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import circom_witness, compile_circom, run_snarkjs, snarkjs_setup
from zkyield.cli.main import cli
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.snarkjs_json import load_proof, load_public, load_vk
from zkyield.formats.wtns_bin import write_wtns
from zkyield.groth16 import verify

MULTIPLIER = """
pragma circom 2.0.0;
template Chain(n) {
    signal input x;
    signal input k[2];
    signal output out;
    signal acc[n + 1];
    acc[0] <== x;
    for (var i = 0; i < n; i++) {
        acc[i + 1] <== acc[i] * (acc[i] + k[i % 2]);
    }
    out <== acc[n];
}
component main {public [k]} = Chain(9);
"""


def _invoke(*args: str) -> None:
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, res.output


@pytest.mark.snarkjs
def test_our_proof_passes_snarkjs_verify(tmp_path):
    r1cs, witness = chained_multiplications(n_public=4, n_steps=10)
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    _invoke("groth16", "setup", str(tmp_path / "c.r1cs"), "--out", str(tmp_path / "keys"))
    _invoke("groth16", "prove", str(tmp_path / "keys"), str(tmp_path / "c.wtns"), "--out", str(tmp_path / "p"))
    out = run_snarkjs("groth16", "verify", tmp_path / "keys" / "verification_key.json",
                      tmp_path / "p" / "public.json", tmp_path / "p" / "proof.json")
    assert "OK!" in out.stdout
    # And snarkjs says no to a wrong public input.
    public = json.loads((tmp_path / "p" / "public.json").read_text())
    public[1] = str(int(public[1]) + 1)
    (tmp_path / "bad.json").write_text(json.dumps(public))
    bad = run_snarkjs("groth16", "verify", tmp_path / "keys" / "verification_key.json", tmp_path / "bad.json",
                      tmp_path / "p" / "proof.json", check=False)
    assert "OK!" not in bad.stdout


@pytest.mark.snarkjs
def test_snarkjs_proof_on_our_files_passes_our_verify(tmp_path, ptau_2_10):
    r1cs, witness = chained_multiplications(n_public=3, n_steps=12)
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    snarkjs_setup(tmp_path / "c.r1cs", ptau_2_10, tmp_path / "c.zkey")
    run_snarkjs("zkey", "export", "verificationkey", tmp_path / "c.zkey", tmp_path / "vk.json")
    run_snarkjs("groth16", "prove", tmp_path / "c.zkey", tmp_path / "c.wtns", tmp_path / "proof.json",
                tmp_path / "public.json")
    _invoke("groth16", "verify", str(tmp_path / "vk.json"), str(tmp_path / "public.json"), str(tmp_path / "proof.json"))
    vk, public, proof = load_vk(tmp_path / "vk.json"), load_public(tmp_path / "public.json"), load_proof(
        tmp_path / "proof.json")
    assert public == r1cs.public_inputs(witness)
    assert verify(vk, public, proof)
    assert not verify(vk, [public[0] + 1, *public[1:]], proof)


@pytest.mark.snarkjs
def test_circom_circuit_proves_with_us_and_verifies_in_snarkjs(tmp_path):
    compile_circom(MULTIPLIER, tmp_path, "chain")
    wtns = circom_witness(tmp_path, {"x": "3", "k": ["5", "7"]}, "chain")
    _invoke("groth16", "setup", str(tmp_path / "chain.r1cs"), "--out", str(tmp_path / "keys"))
    _invoke("groth16", "prove", str(tmp_path / "keys"), str(wtns), "--out", str(tmp_path / "p"))
    out = run_snarkjs("groth16", "verify", tmp_path / "keys" / "verification_key.json",
                      tmp_path / "p" / "public.json", tmp_path / "p" / "proof.json")
    assert "OK!" in out.stdout
    public = json.loads((tmp_path / "p" / "public.json").read_text())
    assert public[1:] == ["5", "7"]  # output first, then the public inputs, as snarkjs orders them


@pytest.mark.snarkjs
def test_snarkjs_contributed_zkey_proves_with_our_cli(tmp_path, ptau_2_10):
    """A key from `snarkjs zkey contribute` works in `zkyield groth16 prove`, and snarkjs accepts the proof."""
    r1cs, witness = chained_multiplications(n_public=2, n_steps=9)
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    run_snarkjs("groth16", "setup", tmp_path / "c.r1cs", ptau_2_10, tmp_path / "c_0.zkey")
    run_snarkjs("zkey", "contribute", tmp_path / "c_0.zkey", tmp_path / "c_1.zkey", "--name=alice", "-e=entropy")
    run_snarkjs("zkey", "export", "verificationkey", tmp_path / "c_1.zkey", tmp_path / "vk.json")
    _invoke("groth16", "prove", str(tmp_path / "c_1.zkey"), str(tmp_path / "c.wtns"), "--out", str(tmp_path / "p"),
            "--r1cs", str(tmp_path / "c.r1cs"))
    out = run_snarkjs("groth16", "verify", tmp_path / "vk.json", tmp_path / "p" / "public.json",
                      tmp_path / "p" / "proof.json")
    assert "OK!" in out.stdout
    other, _ = chained_multiplications(n_public=2, n_steps=10)
    write_r1cs(other, tmp_path / "other.r1cs")
    bad = CliRunner().invoke(cli, ["groth16", "prove", str(tmp_path / "c_1.zkey"), str(tmp_path / "c.wtns"),
                                   "--out", str(tmp_path / "q"), "--r1cs", str(tmp_path / "other.r1cs")])
    assert bad.exit_code == 2 and "error:" in bad.output, bad.output
    assert not (tmp_path / "q" / "proof.json").exists()
