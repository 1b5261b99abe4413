"""``zkyield inspect FILE``: a summary of any file zkyield reads or writes, never its private content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from zkyield.circuits.publics import PUBLIC_SIGNALS
from zkyield.errors import FormatError
from zkyield.formats.proving_key import MAGIC as PK_MAGIC
from zkyield.formats.proving_key import read_proving_key
from zkyield.formats.r1cs_bin import read_r1cs_with_header
from zkyield.formats.snarkjs_json import proof_from_json, public_from_json, vk_from_json
from zkyield.formats.wtns_bin import read_wtns

Summary = dict[str, object]


def _r1cs(path: Path) -> Summary:
    r1cs, header = read_r1cs_with_header(path)
    return {
        "kind": "r1cs", "constraints": r1cs.n_constraints, "wires": r1cs.n_wires,
        "public_outputs": r1cs.n_pub_out, "public_inputs": r1cs.n_pub_in, "private_inputs": r1cs.n_prv_in,
        "labels": header.n_labels, "circuit_digest": r1cs.digest().hex(),
    }


def _wtns(path: Path) -> Summary:
    # Only the count: witness values are private.
    return {"kind": "wtns", "values": len(read_wtns(path))}


def _proving_key(path: Path) -> Summary:
    pk = read_proving_key(path)
    return {
        "kind": "proving_key", "wires": pk.n_wires, "public": pk.n_public, "domain_size": pk.domain_size,
        "circuit_digest": pk.circuit_digest.hex(),
    }


def _json(path: Path) -> Summary:
    try:
        obj = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path.name}: not valid JSON ({exc.__class__.__name__})") from None
    if isinstance(obj, list):
        return {"kind": "public", "values": [str(v) for v in public_from_json(obj, path.name)]}
    if isinstance(obj, dict) and "IC" in obj:
        vk = vk_from_json(obj, path.name)
        return {"kind": "verification_key", "protocol": "groth16", "curve": "bn128", "public": vk.n_public}
    if isinstance(obj, dict) and "pi_a" in obj:
        proof_from_json(obj, path.name)
        return {"kind": "proof", "protocol": "groth16", "curve": "bn128", "valid_points": True}
    if isinstance(obj, dict) and obj.get("kind") == "zkyield-attestation":
        return _attestation(obj, path.name)
    raise FormatError(f"{path.name}: unrecognised JSON (expected a proof, public, key or attestation file)")


def _attestation(obj: dict, name: str) -> Summary:
    """The public signals only: the policy, statement and key digest in the file are the prover's word."""
    values = public_from_json(obj.get("public_signals"), f"{name}: public_signals")
    if len(values) != len(PUBLIC_SIGNALS):
        raise FormatError(f"{name}: public_signals must hold {len(PUBLIC_SIGNALS)} values")
    check = "zkyield verify OUT --key YOUR_KEY --policy P.json --market M.json"
    return {
        "kind": "attestation",
        **{k: (f"0x{v:040x}" if k == "owner" else str(v)) for k, v in zip(PUBLIC_SIGNALS, values, strict=True)},
        "policy": f"policy not checked (inspect verifies nothing: {check})",
        "market": "market not checked",
        "proof": "not checked",
    }


_BY_MAGIC: dict[bytes, Callable[[Path], Summary]] = {b"r1cs": _r1cs, b"wtns": _wtns, PK_MAGIC[:4]: _proving_key}


def summarize(path: Path) -> Summary:
    """Detect the file type from its content and summarise it (public facts only)."""
    with open(path, "rb") as f:
        head = f.read(4)
    reader = _BY_MAGIC.get(head)
    if reader is not None:
        return reader(path)
    return _json(path)


@click.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def inspect_cmd(file: Path, as_json: bool) -> None:
    """Summarise an r1cs, wtns, proving key, verification key, proof, public or attestation file.

    \b
    Example:
      zkyield inspect build/circuit.r1cs
      zkyield inspect --json out/attestation.json
    """
    summary = summarize(file)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        click.echo(f"{key:<{width}}  {value}")
