"""A policy's attestor key sets (``attested_by``, ``prices_attested_by``) and the prover's signature files.

A set is public: its keys (as ``zkyield attestor public-key`` prints them), the threshold k and the
largest delay ``max_delay_s`` between the period end and an attestation's as-of time. Its policy slot
is ``Poseidon(root, k, max_delay_s)``, where ``root`` is the depth-``KEY_TREE_DEPTH`` Poseidon Merkle
root of the leaves ``Poseidon(x, y)`` in the listed order, so the policy hash binds all three and the
statement keeps its six public inputs. ``choose`` is the prover's gate: it picks k signatures by
distinct members over the message recomputed from the files, or says why it cannot (``StatementFalse``)
before any constraint is built. docs/attestation.md has the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from zkyield import babyjub, eddsa
from zkyield.circuits.attest_layout import (
    ATTEST_LAYOUT_VERSION,
    DEFAULT_MAX_DELAY_S,
    KEY_TREE_DEPTH,
    MAX_DELAY_BITS,
    SUBJECTS,
)
from zkyield.circuits.jsonread import Obj, array, integer
from zkyield.errors import FormatError, InputError, PointError, StatementFalse
from zkyield.field import R, parse_decimal
from zkyield.merkle import MerkleTree
from zkyield.poseidon import poseidon

SIGNATURE_KIND = "zkyield-attestor-signature"


@dataclass(frozen=True)
class AttestorSet:
    """k of these keys must vouch, each with an as-of time in [period_end, period_end + max_delay_s]."""

    keys: tuple[babyjub.Point, ...]
    threshold: int
    max_delay_s: int
    root: int

    @property
    def slot(self) -> int:
        """What the policy hashes for this set."""
        return poseidon([self.root, self.threshold, self.max_delay_s])

    def index(self, key: babyjub.Point) -> int | None:
        return self.keys.index(key) if key in self.keys else None

    def document(self) -> dict[str, object]:
        return {"keys": [{"x": str(x), "y": str(y)} for x, y in self.keys], "threshold": self.threshold,
                "max_delay_s": self.max_delay_s, "root": str(self.root)}


def key_leaf(key: babyjub.Point) -> int:
    return poseidon([key[0], key[1]])


def key_tree(keys: Sequence[babyjub.Point]) -> MerkleTree:
    return MerkleTree([key_leaf(k) for k in keys], KEY_TREE_DEPTH)


def public_key(value: object, where: str) -> babyjub.Point:
    """``{"x": "...", "y": "..."}`` (decimal strings) as a point of the prime-order subgroup."""
    obj = Obj(value, where)
    x = parse_decimal(obj.need("x"), R, obj.path("x"))
    y = parse_decimal(obj.need("y"), R, obj.path("y"))
    obj.done()
    try:
        return babyjub.check_point((x, y), where)
    except PointError as exc:
        raise InputError(f"{exc}; use a key `zkyield attestor public-key` printed") from None


def load_attestor_set(value: object, where: str) -> AttestorSet:
    """The policy field ``where``: distinct valid keys, 1 <= threshold <= len(keys), a bounded delay."""
    obj = Obj(value, where)
    items = array(obj.need("keys"), obj.path("keys"), 1 << KEY_TREE_DEPTH)
    keys = tuple(public_key(k, f"{obj.path('keys')}[{i}]") for i, k in enumerate(items))
    if not keys:
        raise InputError(f"{obj.path('keys')} is empty; list the attestors' public keys")
    if len(set(keys)) != len(keys):
        raise InputError(f"{obj.path('keys')} repeats a key; list each attestor once (k counts distinct keys)")
    threshold = integer(obj.need("threshold"), obj.path("threshold"), 1, len(keys))
    delay = integer(obj.get("max_delay_s", DEFAULT_MAX_DELAY_S), obj.path("max_delay_s"), 0,
                    (1 << MAX_DELAY_BITS) - 1)
    obj.done()
    return AttestorSet(keys, threshold, delay, key_tree(keys).root)


@dataclass(frozen=True)
class AttestorSignature:
    """A signature file as ``zkyield attestor sign`` / ``sign-prices`` writes it (private to the prover)."""

    subject: str
    as_of: int
    public_key: babyjub.Point
    signature: eddsa.Signature
    source: str


def load_signature(path: str | Path) -> AttestorSignature:
    from zkyield.circuits.attest_message import check_as_of
    from zkyield.formats.jsonfile import read_json

    doc, name = read_json(path)
    if not isinstance(doc, dict) or doc.get("kind") != SIGNATURE_KIND:
        raise FormatError(f"{name}: not a zkyield attestor signature (kind {SIGNATURE_KIND!r})")
    if doc.get("layout") != ATTEST_LAYOUT_VERSION:
        raise FormatError(f"{name}: layout must be {ATTEST_LAYOUT_VERSION}; re-sign with this zkyield version")
    subject = doc.get("subject")
    if subject not in SUBJECTS:
        raise FormatError(f"{name}: subject must be one of {', '.join(SUBJECTS)}")
    as_of = check_as_of(doc.get("as_of"), f"{name}: as_of")
    key = public_key(doc.get("public_key"), f"{name}: public_key")
    sig = eddsa.Signature.from_json({"R8": doc.get("R8"), "S": doc.get("S")}, name)
    return AttestorSignature(subject, as_of, key, sig, name)


@dataclass(frozen=True)
class Chosen:
    """A signature the prover will use, with its signer's leaf index in the set."""

    index: int
    signature: AttestorSignature


def choose(aset: AttestorSet, subject: str, field: str, message_at: Callable[[int], int], period_end: int,
           signatures: Sequence[AttestorSignature]) -> list[Chosen]:
    """k signatures of ``subject`` by distinct members, in leaf order; StatementFalse naming what is missing.

    ``message_at(as_of)`` recomputes the signed message from the prover's files, so a signature over
    another book, market or period fails here, as it would in circuit.
    """
    valid: dict[int, Chosen] = {}
    reasons: list[str] = []
    for sig in signatures:
        if sig.subject != subject:
            continue
        index = aset.index(sig.public_key)
        if index is None:
            reasons.append(f"{sig.source} is signed by a key not in {field}")
        elif not period_end <= sig.as_of <= period_end + aset.max_delay_s:
            reasons.append(f"{sig.source}: as_of {sig.as_of} is outside [period end, period end + "
                           f"{aset.max_delay_s} s] ({field}.max_delay_s)")
        elif eddsa.verification_failure(sig.public_key, message_at(sig.as_of), sig.signature) is not None:
            reasons.append(f"{sig.source} does not sign this {subject}'s message (another {subject}, "
                           "period or as-of time)")
        elif index in valid:
            reasons.append(f"{sig.source} repeats key {index} of {field}; each key counts once")
        else:
            valid[index] = Chosen(index, sig)
    if len(valid) < aset.threshold:
        why = (f": {'; '.join(reasons)}" if reasons else
               f": {len(valid)} valid {subject} signature file(s) given (--signatures)")
        raise StatementFalse(f"statement is false: {len(valid)} of {aset.threshold} required attestations "
                             f"({field}){why}")
    return [valid[i] for i in sorted(valid)[: aset.threshold]]
