"""Cross-verification on the EVM: snarkjs proofs of our .r1cs in our verifier, our proofs in snarkjs's verifier."""

from __future__ import annotations

import pytest

from tests.support.chain import GAS, eth_tester_web3
from tests.support.r1cs_samples import chained_multiplications
from tests.support.tools import run_snarkjs, snarkjs_setup
from zkyield.ceremony.prover import prove_zkey
from zkyield.formats.r1cs_bin import write_r1cs
from zkyield.formats.snarkjs_json import load_proof, load_public, load_vk
from zkyield.formats.wtns_bin import write_wtns
from zkyield.formats.zkey import read_zkey
from zkyield.verifier.solc import compile_contract
from zkyield.verifier.solidity import proof_calldata, render_verifier

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]


@pytest.fixture(scope="module")
def setting(ptau_2_10, tmp_path_factory):
    """Our .r1cs/.wtns, a snarkjs key for it, snarkjs's proof, both verifier contracts on py-evm."""
    d = tmp_path_factory.mktemp("onchain")
    r1cs, witness = chained_multiplications(n_public=4, n_steps=16)
    write_r1cs(r1cs, d / "c.r1cs")
    write_wtns(witness, d / "c.wtns")
    snarkjs_setup(d / "c.r1cs", ptau_2_10, d / "c.zkey")
    run_snarkjs("zkey", "export", "verificationkey", d / "c.zkey", d / "vk.json")
    run_snarkjs("zkey", "export", "solidityverifier", d / "c.zkey", d / "SnarkjsVerifier.sol")
    run_snarkjs("groth16", "prove", d / "c.zkey", d / "c.wtns", d / "proof.json", d / "public.json")
    w3 = eth_tester_web3()

    def deploy(source: str):
        compiled = compile_contract(source, "Groth16Verifier")
        tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": compiled.bytecode, "gas": 5_000_000})
        address = w3.eth.get_transaction_receipt(tx)["contractAddress"]
        return w3.eth.contract(address=address, abi=compiled.abi)

    ours = deploy(render_verifier(load_vk(d / "vk.json")))
    theirs = deploy((d / "SnarkjsVerifier.sol").read_text())
    return d, r1cs, witness, ours, theirs


def _verifies(contract, proof, public) -> bool:
    return contract.functions.verifyProof(*proof_calldata(proof, public)).call({"gas": GAS})


def test_snarkjs_proof_of_our_r1cs_verifies_in_our_contract(setting):
    d, _, _, ours, _ = setting
    proof, public = load_proof(d / "proof.json"), load_public(d / "public.json")
    assert _verifies(ours, proof, public) is True
    assert _verifies(ours, proof, [public[0] + 1, *public[1:]]) is False


def test_our_proof_verifies_in_snarkjs_contract(setting):
    d, r1cs, witness, _, theirs = setting
    proof = prove_zkey(read_zkey(d / "c.zkey"), witness, r1cs)
    public = r1cs.public_inputs(witness)
    assert _verifies(theirs, proof, public) is True
    assert _verifies(theirs, proof, [*public[:-1], public[-1] + 1]) is False
