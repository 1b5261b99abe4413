"""snarkjs's JSON files (proof.json, public.json, verification_key.json), byte-compatible both ways.

snarkjs 0.7 writes them with ``bfj.write(obj, {space: 1})``: one-space indent, ``"key": value``,
no trailing newline, and an empty array as ``[`` newline ``]`` (unlike ``JSON.stringify``).
Field elements are decimal strings; points are projective with z = 1 (G1 ``[x, y, "1"]``, G2
``[[x0, x1], [y0, y1], ["1", "0"]]``, Fq2 as ``[c0, c1]``) and infinity is ffjavascript's
``toObject(zero)``: G1 ``["0", "1", "0"]``, G2 ``[["0", "0"], ["1", "0"], ["0", "0"]]``.
Everything loaded passes the field and curve checks once, here, with errors naming file and field:
every number must be the canonical decimal string snarkjs writes (no JSON numbers, no leading zeros),
and a verification key must pass ``VerifyingKey.check_sound`` (no key under which proofs can be forged).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from zkyield.curve import G1Affine, G2Affine, g1_validate, g2_validate
from zkyield.errors import FormatError, PointError
from zkyield.field import Q, R, parse_decimal
from zkyield.formats.atomic import write_text_atomic
from zkyield.formats.jsonfile import canonical_decimal, read_json
from zkyield.groth16.keys import Proof, VerifyingKey

PROTOCOL = "groth16"
CURVE = "bn128"  # snarkjs's name for BN254
G1_INFINITY_JSON = ["0", "1", "0"]
G2_INFINITY_JSON = [["0", "0"], ["1", "0"], ["0", "0"]]

Fq12Tower = Sequence[Sequence[Sequence[int]]]

# snarkjs files nest at most 4 deep (vk_alphabeta_12); deeper input is refused before json.loads,
# whose C scanner segfaulted (no RecursionError) on 100,000-deep input under pytest on CPython 3.11.


# --- serialisation ---------------------------------------------------------------------------------


def stringify(obj: object) -> str:
    """JSON text exactly as snarkjs's ``bfj.write(obj, {space: 1})`` lays it out."""
    return _stringify(obj, 0)


def _stringify(obj: object, depth: int) -> str:
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(obj, dict):
        items = [f"{inner}{_stringify(str(k), 0)}: {_stringify(v, depth + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}" if items else "{\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        items = [inner + _stringify(v, depth + 1) for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]" if items else "[\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


def g1_to_json(p: G1Affine) -> list[str]:
    return list(G1_INFINITY_JSON) if p is None else [str(p[0]), str(p[1]), "1"]


def g2_to_json(p: G2Affine) -> list[list[str]]:
    if p is None:
        return [list(c) for c in G2_INFINITY_JSON]
    (x0, x1), (y0, y1) = p
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def proof_to_json(proof: Proof) -> dict:
    return {
        "pi_a": g1_to_json(proof.a),
        "pi_b": g2_to_json(proof.b),
        "pi_c": g1_to_json(proof.c),
        "protocol": PROTOCOL,
        "curve": CURVE,
    }


def public_to_json(values: Sequence[int]) -> list[str]:
    return [str(parse_decimal(v, R, f"public[{i}]")) for i, v in enumerate(values)]


def vk_to_json(vk: VerifyingKey, alphabeta_12: Fq12Tower) -> dict:
    """snarkjs's key order; ``alphabeta_12`` = e(alpha, beta) in snarkjs's tower layout (zkyield.pairing)."""
    ab = alphabeta_12
    if not _shaped(ab, (2, 3, 2)):
        raise FormatError("vk_alphabeta_12: expected a 2 x 3 x 2 nested list of Fq elements")
    return {
        "protocol": PROTOCOL,
        "curve": CURVE,
        "nPublic": vk.n_public,
        "vk_alpha_1": g1_to_json(vk.alpha_g1),
        "vk_beta_2": g2_to_json(vk.beta_g2),
        "vk_gamma_2": g2_to_json(vk.gamma_g2),
        "vk_delta_2": g2_to_json(vk.delta_g2),
        "vk_alphabeta_12": [[[str(parse_decimal(x, Q, "alphabeta")) for x in d] for d in c] for c in ab],
        "IC": [g1_to_json(p) for p in vk.ic],
    }


def _shaped(obj: object, shape: Sequence[int]) -> bool:
    if not shape:
        return True
    return (
        isinstance(obj, (list, tuple)) and len(obj) == shape[0] and all(_shaped(x, shape[1:]) for x in obj)
    )


def dump_proof(proof: Proof, path: str | os.PathLike) -> None:
    write_text_atomic(path, stringify(proof_to_json(proof)))


def dump_public(values: Sequence[int], path: str | os.PathLike) -> None:
    write_text_atomic(path, stringify(public_to_json(values)))


def dump_vk(vk: VerifyingKey, path: str | os.PathLike) -> None:
    """Write verification_key.json (with ``vk.alpha_beta``); a key that fails ``check_sound`` is never written."""
    vk.check_sound(os.path.basename(os.fspath(path)))
    write_text_atomic(path, stringify(vk_to_json(vk, vk.alpha_beta)))


# --- parsing ---------------------------------------------------------------------------------------


def g1_from_json(obj: object, name: str) -> G1Affine:
    """``[x, y, "1"]`` or the infinity form; other projective z are refused (snarkjs always writes z = 1)."""
    if not isinstance(obj, list) or len(obj) != 3:
        raise PointError(f"{name}: expected a G1 point [x, y, z] of 3 decimal strings")
    x, y, z = (canonical_decimal(c, Q, f"{name}[{i}]") for i, c in enumerate(obj))
    if z == 0:
        if (x, y) != (0, 1):
            raise PointError(f'{name}: z = 0 but the point is not the infinity form ["0", "1", "0"]')
        return None
    if z != 1:
        raise PointError(f"{name}: z must be 1 (affine, as snarkjs writes) or 0 for infinity")
    return g1_validate((x, y), name)


def g2_from_json(obj: object, name: str) -> G2Affine:
    """``[[x0, x1], [y0, y1], ["1", "0"]]`` or the infinity form; other z are refused."""
    if not isinstance(obj, list) or len(obj) != 3 or any(not isinstance(c, list) or len(c) != 2 for c in obj):
        raise PointError(f"{name}: expected a G2 point [[x0, x1], [y0, y1], [z0, z1]] of decimal strings")
    x, y, z = (_fq2(c, f"{name}[{i}]") for i, c in enumerate(obj))
    if z == (0, 0):
        if (x, y) != ((0, 0), (1, 0)):
            raise PointError(f"{name}: z = 0 but the point is not the infinity form [[0, 0], [1, 0], [0, 0]]")
        return None
    if z != (1, 0):
        raise PointError(f'{name}: z must be ["1", "0"] (affine, as snarkjs writes) or zero for infinity')
    return g2_validate((x, y), name)


def _fq2(pair: list, name: str) -> tuple[int, int]:
    return canonical_decimal(pair[0], Q, f"{name}[0]"), canonical_decimal(pair[1], Q, f"{name}[1]")


def proof_from_json(obj: object, name: str = "proof.json") -> Proof:
    fields = _object(obj, name, ("pi_a", "pi_b", "pi_c"))
    _check_protocol(fields, name)
    return Proof(
        a=g1_from_json(fields["pi_a"], f"{name}: pi_a"),
        b=g2_from_json(fields["pi_b"], f"{name}: pi_b"),
        c=g1_from_json(fields["pi_c"], f"{name}: pi_c"),
    )


def public_from_json(obj: object, name: str = "public.json") -> list[int]:
    """Public signals as canonical Fr ints; a value >= r, a JSON number or a respelling ("05") is a FieldError."""
    if not isinstance(obj, list):
        raise FormatError(f"{name}: expected a JSON array of decimal strings, got {_json_type(obj)}")
    return [canonical_decimal(v, R, f"{name}: public signal {i}") for i, v in enumerate(obj)]


def vk_from_json(obj: object, name: str = "verification_key.json") -> VerifyingKey:
    """A verification key fit to verify with: points checked, then ``VerifyingKey.check_sound``.

    ``vk_alphabeta_12`` is derived data and ignored (the verifier pairs alpha and beta itself).
    """
    keys = ("nPublic", "vk_alpha_1", "vk_beta_2", "vk_gamma_2", "vk_delta_2", "IC")
    fields = _object(obj, name, keys)
    _check_protocol(fields, name)
    ic_json = fields["IC"]
    if not isinstance(ic_json, list) or not ic_json:
        raise FormatError(f"{name}: IC must be a non-empty array of G1 points")
    n_public = fields["nPublic"]
    if isinstance(n_public, bool) or not isinstance(n_public, int) or n_public != len(ic_json) - 1:
        raise FormatError(f"{name}: nPublic must equal len(IC) - 1 = {len(ic_json) - 1}, got {n_public!r}")
    vk = VerifyingKey(
        alpha_g1=g1_from_json(fields["vk_alpha_1"], f"{name}: vk_alpha_1"),
        beta_g2=g2_from_json(fields["vk_beta_2"], f"{name}: vk_beta_2"),
        gamma_g2=g2_from_json(fields["vk_gamma_2"], f"{name}: vk_gamma_2"),
        delta_g2=g2_from_json(fields["vk_delta_2"], f"{name}: vk_delta_2"),
        ic=tuple(g1_from_json(p, f"{name}: IC[{i}]") for i, p in enumerate(ic_json)),
    )
    vk.check_sound(name)
    return vk


def load_proof(path: str | os.PathLike) -> Proof:
    obj, name = read_json(path)
    return proof_from_json(obj, name)


def load_public(path: str | os.PathLike) -> list[int]:
    obj, name = read_json(path)
    return public_from_json(obj, name)


def load_vk(path: str | os.PathLike) -> VerifyingKey:
    obj, name = read_json(path)
    return vk_from_json(obj, name)


def _object(obj: object, name: str, required: Sequence[str]) -> dict:
    if not isinstance(obj, dict):
        raise FormatError(f"{name}: expected a JSON object, got {_json_type(obj)}")
    for key in required:
        if key not in obj:
            raise FormatError(f"{name}: missing key {key!r}")
    return obj


def _check_protocol(fields: dict, name: str) -> None:
    """Older snarkjs omitted these keys; when present they must name Groth16 over BN254."""
    for key, want in (("protocol", PROTOCOL), ("curve", CURVE)):
        value = fields.get(key, want)
        if value != want:
            got = value if isinstance(value, str) and len(value) <= 24 else _json_type(value)
            raise FormatError(f"{name}: {key} is {got!r}, zkyield supports only {want!r}")


def _json_type(obj: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(obj), "number"
    )

