"""The generated Solidity verifier on py-evm: snarkjs-made proofs, tampering, gas against snarkjs's verifier.

References: proofs, keys and the gas-baseline verifier come from snarkjs; the pairing and curve checks
run in py-evm's BN254 precompiles; rerandomisation and point doubling use py_ecc.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.chain import (
    GAS,
    build_circuit,
    double_g1,
    double_g2,
    intrinsic_gas,
    off_curve_g1,
    prove,
    snarkjs_calldata,
)
from zkyield.errors import FormatError, PointError
from zkyield.field import Q, R
from zkyield.formats.snarkjs_json import load_proof, load_public, load_vk
from zkyield.verifier.solc import compile_contract
from zkyield.verifier.solidity import proof_calldata, render_verifier

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]

SIZES = (1, 4, 6, 16)
# EIP-1108 precompile floor: pairing 45,000 + 4 * 34,000, then ecMul 6,000 + ecAdd 150 per public input.
FLOOR_BASE, FLOOR_PER_INPUT = 181_150, 6_150


@dataclasses.dataclass
class Deployed:
    n: int
    ours: object
    snarkjs: object
    proof: object
    public: list[int]
    proof_dir: object
    vk: object


def _deploy(w3, source: str, name: str):
    compiled = compile_contract(source, name)
    tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": compiled.bytecode, "gas": 5_000_000})
    address = w3.eth.get_transaction_receipt(tx)["contractAddress"]
    return w3.eth.contract(address=address, abi=compiled.abi)


@pytest.fixture(scope="module")
def deployed(w3, ptau_2_10, tmp_path_factory) -> dict[int, Deployed]:
    out = {}
    for n in SIZES:
        circuit = build_circuit(n, ptau_2_10, tmp_path_factory)
        proof_dir = prove(circuit, [3 * i + 5 for i in range(n)], 7, circuit.workdir / "proof")
        out[n] = Deployed(
            n=n,
            ours=_deploy(w3, render_verifier(load_vk(circuit.vk_path)), "Groth16Verifier"),
            snarkjs=_deploy(w3, circuit.snarkjs_verifier.read_text(), "Groth16Verifier"),
            proof=load_proof(proof_dir / "proof.json"),
            public=load_public(proof_dir / "public.json"),
            proof_dir=proof_dir,
            vk=load_vk(circuit.vk_path),
        )
    return out


def _call(contract, calldata: tuple) -> bool:
    """eth_call of verifyProof; a revert would raise here, so `is False` also pins "no revert"."""
    return contract.functions.verifyProof(*calldata).call({"gas": GAS})


@pytest.mark.parametrize("n", SIZES)
def test_valid_proof_verifies_like_snarkjs_verifier(deployed, n):
    d = deployed[n]
    assert _call(d.ours, proof_calldata(d.proof, d.public)) is True
    assert _call(d.snarkjs, proof_calldata(d.proof, d.public)) is True


def test_calldata_layout_matches_snarkjs_soliditycalldata(deployed):
    d = deployed[4]
    assert proof_calldata(d.proof, d.public) == snarkjs_calldata(d.proof_dir)


def _set(seq: tuple, i: int, value) -> tuple:
    return (*seq[:i], value, *seq[i + 1:])


def _bump_b(b: tuple, i: int, j: int) -> tuple:
    return _set(b, i, _set(b[i], j, (b[i][j] + 1) % Q))


def _double_b(b: tuple) -> tuple:
    """2B in the EVM's [c1, c0] word order (py_ecc works on (c0, c1))."""
    x, y = double_g2(((b[0][1], b[0][0]), (b[1][1], b[1][0])))
    return (x[1], x[0]), (y[1], y[0])


# Each case changes one thing in calldata (a, b, c, inputs) of a valid proof.
TAMPERS = {
    **{f"a[{i}]+1": (lambda a, b, c, s, i=i: (_set(a, i, (a[i] + 1) % Q), b, c, s)) for i in range(2)},
    **{f"c[{i}]+1": (lambda a, b, c, s, i=i: (a, b, _set(c, i, (c[i] + 1) % Q), s)) for i in range(2)},
    **{f"b[{i}][{j}]+1": (lambda a, b, c, s, i=i, j=j: (a, _bump_b(b, i, j), c, s))
       for i in range(2) for j in range(2)},
    # Valid curve points in the wrong place: only the pairing equation catches these.
    "2A": lambda a, b, c, s: (double_g1(a), b, c, s),
    "2B": lambda a, b, c, s: (a, _double_b(b), c, s),
    "2C": lambda a, b, c, s: (a, b, double_g1(c), s),
    "A=infinity": lambda a, b, c, s: ((0, 0), b, c, s),
    "A swapped with C": lambda a, b, c, s: (c, b, a, s),
    "A.y+q non-canonical": lambda a, b, c, s: ((a[0], a[1] + Q), b, c, s),
    "A.x+q non-canonical": lambda a, b, c, s: ((a[0] + Q, a[1]), b, c, s),
    "A off curve": lambda a, b, c, s: (off_curve_g1(a), b, c, s),
    "C off curve": lambda a, b, c, s: (a, b, off_curve_g1(c), s),
    "B off curve": lambda a, b, c, s: (a, ((1, 1), (1, 1)), c, s),
    "signal[0]+1": lambda a, b, c, s: (a, b, c, _set(s, 0, (s[0] + 1) % R)),
    "signal[-1]+1": lambda a, b, c, s: (a, b, c, _set(s, len(s) - 1, (s[-1] + 1) % R)),
    # s + r gives the same ecMul result, so only the explicit s < r check stops this one.
    "signal[0]+r": lambda a, b, c, s: (a, b, c, _set(s, 0, s[0] + R)),
    "signal[0]=2^256-1": lambda a, b, c, s: (a, b, c, _set(s, 0, 2**256 - 1)),
}


def _tampered(d: Deployed, case: str) -> tuple:
    return TAMPERS[case](*proof_calldata(d.proof, d.public))


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_tampered_proof_returns_false_without_revert(deployed, case):
    d = deployed[4]
    calldata = _tampered(d, case)
    assert _call(d.ours, calldata) is False


@pytest.mark.parametrize("case", ["signal[0]+r", "A.y+q non-canonical", "2A", "b[0][0]+1"])
def test_snarkjs_verifier_agrees_on_tampered_proofs(deployed, case):
    """The baseline refuses the same inputs, so the cases test the proof system, not a quirk of ours."""
    d = deployed[4]
    assert _call(d.snarkjs, _tampered(d, case)) is False


@settings(max_examples=6, deadline=None)
@given(index=st.integers(min_value=0, max_value=5), delta=st.integers(min_value=1, max_value=R - 1))
def test_any_changed_public_signal_is_rejected(deployed, index, delta):
    d = deployed[6]
    public = list(d.public)
    public[index] = (public[index] + delta) % R
    assert _call(d.ours, proof_calldata(d.proof, public)) is False


def test_verification_key_is_checked_before_rendering(deployed, ptau_2_10, tmp_path_factory):
    vk = load_vk(build_circuit(1, ptau_2_10, tmp_path_factory).vk_path)
    with pytest.raises(PointError):
        render_verifier(dataclasses.replace(vk, ic=(vk.ic[0], off_curve_g1(vk.ic[1]))))
    with pytest.raises(FormatError):
        render_verifier(dataclasses.replace(vk, ic=vk.ic[:1]))
    with pytest.raises(FormatError):
        render_verifier(vk, contract_name="X {} contract Y")


def _execution_gas(w3, contract, d: Deployed) -> int:
    tx = contract.functions.verifyProof(*proof_calldata(d.proof, d.public)).build_transaction(
        {"from": w3.eth.accounts[0], "gas": GAS}
    )
    receipt = w3.eth.get_transaction_receipt(w3.eth.send_transaction(tx))
    assert receipt["status"] == 1
    return receipt["gasUsed"] - intrinsic_gas(bytes.fromhex(tx["data"][2:]))


@pytest.mark.parametrize("n", SIZES)
def test_gas_not_above_snarkjs_and_within_3_percent_of_precompile_floor(w3, deployed, n):
    d = deployed[n]
    ours, theirs = _execution_gas(w3, d.ours, d), _execution_gas(w3, d.snarkjs, d)
    floor = FLOOR_BASE + FLOOR_PER_INPUT * n
    assert ours <= theirs, (ours, theirs)
    assert floor <= ours <= floor * 1.03, (ours, floor)


def test_zkyield_prover_output_verifies_on_chain(w3, ptau_2_10, tmp_path_factory):
    """zkyield's own setup and prover (on the circom circuit and snarkjs's witness) against the EVM precompiles."""
    from tests.support.tools import circom_witness
    from zkyield.formats.r1cs_bin import read_r1cs
    from zkyield.formats.wtns_bin import read_wtns
    from zkyield.groth16 import prove as groth16_prove
    from zkyield.groth16 import setup

    circuit = build_circuit(4, ptau_2_10, tmp_path_factory)
    r1cs = read_r1cs(circuit.workdir / "circuit.r1cs")
    witness = read_wtns(circom_witness(circuit.workdir, {"x": ["9", "8", "7", "6"], "w": "5"}))
    pk, vk = setup(r1cs)
    proof = groth16_prove(pk, r1cs, witness)
    contract = _deploy(w3, render_verifier(vk, "ZkyieldKeyVerifier"), "ZkyieldKeyVerifier")
    assert _call(contract, proof_calldata(proof, [9, 8, 7, 6])) is True
    assert _call(contract, proof_calldata(proof, [9, 8, 7, 7])) is False


# --- issue 13 item 9: what reverts, and the pairing call's fixed gas stipend ------------------------------

PAIRING_GAS = 45_000 + 4 * 34_000  # EIP-1108: the stipend the template gives the pairing precompile


def _tx_execution_gas(w3, contract, calldata: tuple, gas: int = GAS) -> int:
    """Execution gas of a verifyProof transaction (receipt gasUsed minus intrinsic), whatever it returns."""
    tx = contract.functions.verifyProof(*calldata).build_transaction({"from": w3.eth.accounts[0], "gas": gas})
    receipt = w3.eth.get_transaction_receipt(w3.eth.send_transaction(tx))
    assert receipt["status"] == 1  # returned (true or false), did not revert
    return receipt["gasUsed"] - intrinsic_gas(bytes.fromhex(tx["data"][2:]))


@pytest.mark.parametrize("case", ["A off curve", "B off curve", "C off curve", "A.x+q non-canonical"])
def test_a_point_the_pairing_rejects_costs_no_more_than_a_valid_proof(w3, deployed, case):
    """The pairing precompile keeps all gas it is given when it rejects a point; with gas() that was 63/64
    of the caller's gas. With a fixed stipend a bad proof costs what a good one does."""
    d = deployed[4]
    valid = _tx_execution_gas(w3, d.ours, proof_calldata(d.proof, d.public))
    bad = _tx_execution_gas(w3, d.ours, _tampered(d, case), gas=GAS * 3)
    assert _call(d.ours, _tampered(d, case)) is False
    assert bad <= valid, (bad, valid)
    assert valid <= (FLOOR_BASE + FLOOR_PER_INPUT * 4) * 1.02, valid


def test_the_stipend_is_enough_for_a_valid_proof(w3, deployed):
    d = deployed[16]
    calldata = proof_calldata(d.proof, d.public)
    tx = d.ours.functions.verifyProof(*calldata).build_transaction({"from": w3.eth.accounts[0], "gas": GAS})
    needed = _tx_execution_gas(w3, d.ours, calldata) + intrinsic_gas(bytes.fromhex(tx["data"][2:]))
    # 1/64 of the gas left at the pairing call stays with the caller, so allow a few thousand above it
    assert d.ours.functions.verifyProof(*calldata).call({"gas": needed + PAIRING_GAS // 63 + 100}) is True
    assert f"staticcall({PAIRING_GAS}, 0x08" in render_verifier(d.vk)


def test_short_calldata_reverts_in_the_abi_decoder_and_extra_bytes_are_ignored(w3, deployed):
    """What the template's comment now says: only calldata shorter than the ABI's reverts."""
    d = deployed[4]
    data = bytes.fromhex(d.ours.encode_abi("verifyProof", proof_calldata(d.proof, d.public))[2:])
    assert len(data) == 4 + 32 * (8 + 4)

    def call(payload: bytes):
        return w3.eth.call({"to": d.ours.address, "data": "0x" + payload.hex(), "gas": GAS})

    assert int.from_bytes(call(data), "big") == 1
    assert int.from_bytes(call(data + b"\x01" * 64), "big") == 1  # trailing bytes are not read
    with pytest.raises(Exception, match="revert"):
        call(data[:-1])
