"""An attestation folder: proof.json, public.json (snarkjs formats), attestation.json and the key.

attestation.json holds only public data (see ``zkyield.api.Attestation.summary``). Loading checks that
the three files agree, so a proof cannot be paired with another statement's summary unnoticed.
"""

from __future__ import annotations

import os
from pathlib import Path

from zkyield.attestation import ATTESTATION_KIND, Attestation
from zkyield.errors import FormatError
from zkyield.formats.atomic import write_json_atomic
from zkyield.formats.jsonfile import read_json
from zkyield.formats.snarkjs_json import dump_proof, dump_public, dump_vk, load_proof, load_public
from zkyield.groth16.keys import VerifyingKey
from zkyield.pairing import pairing

PROOF = "proof.json"
PUBLIC = "public.json"
ATTESTATION = "attestation.json"
VERIFICATION_KEY = "verification_key.json"


def write_attestation(attestation: Attestation, vk: VerifyingKey, out_dir: str | os.PathLike) -> Path:
    """Write the four files atomically, attestation.json last (its presence means the folder is complete)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dump_vk(vk, pairing(vk.alpha_g1, vk.beta_g2), out / VERIFICATION_KEY)
    dump_public(list(attestation.public_signals), out / PUBLIC)
    dump_proof(attestation.proof, out / PROOF)
    write_json_atomic(out / ATTESTATION, attestation.summary())
    return out


def read_attestation(folder: str | os.PathLike) -> Attestation:
    """Load an attestation folder and check its files describe one and the same proof."""
    d = Path(folder)
    for name in (ATTESTATION, PROOF, PUBLIC):
        if not (d / name).is_file():
            raise FormatError(f"{d}: missing {name}; pass the --out folder of `zkyield prove`")
    doc, _ = read_json(d / ATTESTATION)  # strict: duplicate keys, nesting depth, UTF-8
    if not isinstance(doc, dict) or doc.get("kind") != ATTESTATION_KIND:
        raise FormatError(f"{ATTESTATION}: not a zkyield attestation (kind must be {ATTESTATION_KIND!r})")
    public = load_public(d / PUBLIC)
    if [str(v) for v in public] != doc.get("public_signals"):
        raise FormatError(f"{ATTESTATION}: public_signals differ from {PUBLIC}; the folder mixes two proofs")
    for key in ("statement", "policy", "verification_key_sha256", "created"):
        if key not in doc:
            raise FormatError(f"{ATTESTATION}: missing field {key!r}")
    if not isinstance(doc["statement"], dict) or not isinstance(doc["policy"], dict):
        raise FormatError(f"{ATTESTATION}: statement and policy must be objects")
    return Attestation(
        proof=load_proof(d / PROOF),
        public_signals=tuple(public),
        statement=doc["statement"],
        policy=doc["policy"],
        verification_key_sha256=str(doc["verification_key_sha256"]),
        created=str(doc["created"]),
    )
