"""Solidity Groth16 verifier generator and the snarkjs-compatible calldata layout.

The contract keeps snarkjs's ABI (`verifyProof(uint[2], uint[2][2], uint[2], uint[N])`) so that
integrations written against `snarkjs zkey export solidityverifier` switch over unchanged; its body
is straight-line assembly (one ecMul + ecAdd per public input, one pairing call) rendered from
contracts/Groth16Verifier.template.sol.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

from zkyield.curve import G1Affine, G2Affine, g1_validate, g2_validate
from zkyield.errors import FormatError
from zkyield.field import Q, R, fr
from zkyield.formats.atomic import write_text_atomic
from zkyield.formats.snarkjs_json import load_vk
from zkyield.groth16.keys import Proof, VerifyingKey

TEMPLATE = "Groth16Verifier.template.sol"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INDENT = " " * 12
# EIP-1108: the pairing precompile costs 45,000 + 34,000 per pair; a Groth16 check has 4 pairs. The
# verifier gives the call exactly this much, so a rejected point cannot burn the caller's remaining gas.
PAIRING_GAS = 45_000 + 34_000 * 4

G1Words = tuple[int, int]
G2Words = tuple[tuple[int, int], tuple[int, int]]
Calldata = tuple[G1Words, G2Words, G1Words, tuple[int, ...]]


def contract_source(name: str) -> str:
    """Text of a contract shipped in zkyield.verifier's contracts/ package data."""
    return resources.files("zkyield.verifier").joinpath("contracts", name).read_text()


def g1_words(p: G1Affine) -> G1Words:
    """EVM encoding of a G1 point; the precompiles read (0, 0) as the point at infinity."""
    return (0, 0) if p is None else p


def g2_words(p: G2Affine) -> G2Words:
    """EVM encoding of a G2 point: [[x.c1, x.c0], [y.c1, y.c0]] (snarkjs JSON and Fq2 tuples are (c0, c1))."""
    if p is None:
        return ((0, 0), (0, 0))
    (x0, x1), (y0, y1) = p
    return ((x1, x0), (y1, y0))


def render_verifier(vk: VerifyingKey, contract_name: str = "Groth16Verifier") -> str:
    """Solidity source of a verifier for ``vk`` (points are validated: a bad key must not be deployed)."""
    if not _IDENTIFIER.fullmatch(contract_name):
        raise FormatError(f"contract_name: {contract_name!r} is not a Solidity identifier; use letters, digits, _")
    if vk.n_public < 1:
        raise FormatError("vk.IC: a verifier needs at least one public input (IC has fewer than 2 points)")
    g1_validate(vk.alpha_g1, "vk_alpha_1")
    for name, p in (("vk_beta_2", vk.beta_g2), ("vk_gamma_2", vk.gamma_g2), ("vk_delta_2", vk.delta_g2)):
        g2_validate(p, name)
    for i, p in enumerate(vk.ic):
        g1_validate(p, f"IC[{i}]")
    vk.check_sound()
    ic0 = g1_words(vk.ic[0])
    return Template(contract_source(TEMPLATE)).substitute(
        contract_name=contract_name,
        n_public=vk.n_public,
        vk_digest=vk.digest(),
        pairing_gas=PAIRING_GAS,
        q=Q,
        ic0_x=ic0[0],
        ic0_y=ic0[1],
        fixed_pairs=_mstores(0x0C0, [*g1_words(vk.alpha_g1), *_flat(vk.beta_g2)]),
        accumulate="\n".join(_accumulate(i, p) for i, p in enumerate(vk.ic[1:])),
        gamma=_mstores(0x1C0, _flat(vk.gamma_g2)),
        delta=_mstores(0x280, _flat(vk.delta_g2)),
    )


def _flat(p: G2Affine) -> list[int]:
    return [w for pair in g2_words(p) for w in pair]


def _mstores(offset: int, words: list[int]) -> str:
    return "\n".join(f"{_INDENT}mstore(0x{offset + 32 * i:03x}, {w})" for i, w in enumerate(words))


def _accumulate(i: int, ic: G1Affine) -> str:
    """vk_x += s_i * IC_{i+1}: ecMul into the scratch after vk_x, then ecAdd back onto vk_x."""
    x, y = g1_words(ic)
    body = [
        f"let s := calldataload(add(_pubSignals, 0x{32 * i:x}))",
        f"ok := and(ok, lt(s, {R}))",
        f"mstore(0x1c0, {x})",
        f"mstore(0x1e0, {y})",
        "mstore(0x200, s)",
        "ok := and(ok, staticcall(gas(), 0x07, 0x1c0, 0x60, 0x1c0, 0x40))",
        "ok := and(ok, staticcall(gas(), 0x06, 0x180, 0x80, 0x180, 0x40))",
    ]
    inner = "\n".join(f"{_INDENT}    {line}" for line in body)
    return f"{_INDENT}{{\n{inner}\n{_INDENT}}}"


def proof_calldata(proof: Proof, public: list[int] | tuple[int, ...]) -> Calldata:
    """(a, b, c, inputs) as `snarkjs zkey export soliditycalldata` writes them, as ints."""
    inputs = tuple(fr(v, f"public[{i}]") for i, v in enumerate(public))
    return g1_words(proof.a), g2_words(proof.b), g1_words(proof.c), inputs


def export_verifier(vk_path: str | Path, out_path: str | Path, contract_name: str = "Groth16Verifier") -> str:
    """Render the verifier for the key at ``vk_path`` into ``out_path``; returns the source."""
    source = render_verifier(load_vk(vk_path), contract_name)
    write_text_atomic(out_path, source)
    return source
