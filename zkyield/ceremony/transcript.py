"""The blake2b transcript of a phase-2 ceremony (snarkjs zkey_utils.js ``hashPubKey``).

Contribution i proves knowledge of its factor x with g1_s, g1_sx = x·g1_s and g2_spx = x·g2_sp,
where g2_sp is hashed from a transcript of the circuit hash and every earlier contribution's
public key: a proof of knowledge cannot be replayed in another ceremony or position. The
contribution hash printed by ``ceremony verify`` is what a contributor publishes and later checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from zkyield.curve import G1Affine
from zkyield.formats.ptau import g1_uncompressed, g2_uncompressed
from zkyield.formats.zkey import Contribution


def public_key_bytes(c: Contribution) -> bytes:
    """δ after, g1_s, g1_sx, g2_spx (uncompressed) and the transcript, as snarkjs hashes them."""
    return (
        g1_uncompressed(c.delta_after)
        + g1_uncompressed(c.g1_s)
        + g1_uncompressed(c.g1_sx)
        + g2_uncompressed(c.g2_spx)
        + c.transcript
    )


def contribution_hash(c: Contribution) -> bytes:
    return hashlib.blake2b(public_key_bytes(c), digest_size=64).digest()


def transcript(cs_hash: bytes, earlier: Sequence[Contribution], g1_s: G1Affine, g1_sx: G1Affine) -> bytes:
    """The 64-byte transcript a new contribution's g2_sp is hashed from."""
    h = hashlib.blake2b(cs_hash, digest_size=64)
    for c in earlier:
        h.update(public_key_bytes(c))
    h.update(g1_uncompressed(g1_s) + g1_uncompressed(g1_sx))
    return h.digest()


def format_hash(digest: bytes) -> str:
    """Four lines of four 8-hex-digit words, as snarkjs prints hashes (misc.js ``formatHash``)."""
    words = [digest[i : i + 4].hex() for i in range(0, len(digest), 4)]
    return "\n".join(" ".join(words[i : i + 4]) for i in range(0, len(words), 4))
