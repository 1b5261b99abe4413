"""The attestation record and its folder: proof.json, public.json (snarkjs formats), attestation.json, the key.

``Attestation`` is the public record of one proof (what was proven, about which commitment, under which
key); it lives here, in the files layer, because attestation.json is its ``summary()``, so the writer and
the strict reader below share one definition and nothing here imports a surface module. Loading checks
that the three files agree, so a proof cannot be paired with another statement's summary unnoticed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from zkyield.errors import FormatError
from zkyield.formats.atomic import write_json_atomic
from zkyield.formats.jsonfile import read_json
from zkyield.formats.snarkjs_json import dump_proof, dump_public, dump_vk, load_proof, load_public
from zkyield.groth16.keys import Proof, VerifyingKey

PROOF = "proof.json"
PUBLIC = "public.json"
ATTESTATION = "attestation.json"
VERIFICATION_KEY = "verification_key.json"
ATTESTATION_KIND = "zkyield-attestation"


@dataclass(frozen=True)
class Attestation:
    """What a proof states, in public terms only: no amount, protocol or salt ever appears here."""

    proof: Proof
    public_signals: tuple[int, ...]
    statement: dict[str, object]
    policy: dict[str, object]
    verification_key_sha256: str
    created: str

    @property
    def commitment(self) -> int:
        return self.public_signals[0]

    @property
    def owner(self) -> str:
        return f"0x{self.public_signals[1]:040x}"

    @property
    def policy_hash(self) -> int:
        return self.public_signals[2]

    @property
    def market_hash(self) -> int:
        return self.public_signals[3]

    @property
    def period(self) -> tuple[int, int]:
        return self.public_signals[4], self.public_signals[5]

    def summary(self) -> dict[str, object]:
        """The attestation.json document (public data only)."""
        start, end = self.period
        return {
            "kind": ATTESTATION_KIND,
            "version": 1,
            "statement": self.statement,
            "policy": self.policy,
            "policy_hash": str(self.policy_hash),
            "market_hash": str(self.market_hash),
            "period": {"start": _iso(start), "end": _iso(end), "start_unix": start, "end_unix": end},
            "commitment": str(self.commitment),
            "owner": self.owner,
            "verification_key_sha256": self.verification_key_sha256,
            "public_signals": [str(v) for v in self.public_signals],
            "created": self.created,
        }



def write_attestation(attestation: Attestation, vk: VerifyingKey, out_dir: str | os.PathLike) -> Path:
    """Write the four files atomically, attestation.json last (its presence means the folder is complete)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    dump_vk(vk, out / VERIFICATION_KEY)
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


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
