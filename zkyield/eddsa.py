"""EdDSA over BabyJubJub with Poseidon, byte-compatible with circomlibjs 0.1.7 ``buildEddsa()``.

For a 32-byte private key k (circomlibjs ``prv2pub`` / ``signPoseidon``):

    h = BLAKE-512(k);  s = int_le(prune(h[0:32]))      prune: clear bits 0-2, clear bit 255, set bit 254
    A = (s >> 3) * Base8                               the public key
    r = int_le(BLAKE-512(h[32:64] || le32(M))) mod l   deterministic nonce
    R8 = r * Base8;  S = (r + Poseidon(R8x, R8y, Ax, Ay, M) * s) mod l

and a signature verifies when S < l and S * Base8 == R8 + 8 * Poseidon(R8, A, M) * A. ``verify`` is
stricter than circomlibjs's ``verifyPoseidon``: A and R8 must also lie in the prime-order subgroup
and not be small-order points, so no torsion component can make a second valid encoding of a key or
a signature. Every signature ``sign`` makes passes both.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from zkyield import babyjub
from zkyield.babyjub import BASE8, SUBORDER, Point
from zkyield.blake512 import blake512
from zkyield.errors import FieldError, InputError, PointError
from zkyield.field import R, fr, parse_decimal
from zkyield.poseidon import poseidon

PRIVATE_KEY_BYTES = 32


@dataclass(frozen=True)
class Signature:
    """An EdDSA-Poseidon signature: the nonce point R8 and the scalar S (< l)."""

    R8: Point
    S: int

    def to_json(self) -> dict[str, object]:
        """Decimal strings, as circomlib circuits and snarkjs inputs take them."""
        return {"R8": [str(self.R8[0]), str(self.R8[1])], "S": str(self.S)}

    @classmethod
    def from_json(cls, doc: object, name: str = "signature") -> Signature:
        """Parse ``{"R8": [x, y], "S": s}`` (decimal strings); the values are checked by ``verify``."""
        if not isinstance(doc, dict) or set(doc) != {"R8", "S"}:
            raise InputError(f"{name}: expected an object with exactly the keys R8 and S")
        r8 = doc["R8"]
        if not isinstance(r8, list) or len(r8) != 2:
            raise InputError(f"{name}.R8: expected a list of two decimal strings [x, y]")
        x = parse_decimal(r8[0], R, f"{name}.R8[0]")
        y = parse_decimal(r8[1], R, f"{name}.R8[1]")
        return cls((x, y), parse_decimal(doc["S"], R, f"{name}.S"))


def keygen() -> bytes:
    """A fresh 32-byte private key from the OS CSPRNG."""
    return secrets.token_bytes(PRIVATE_KEY_BYTES)


def public_key(private_key: bytes) -> Point:
    """circomlibjs ``prv2pub``: A = (s >> 3) * Base8."""
    s, _ = _expand(private_key)
    return babyjub.mul(BASE8, s >> 3)


def sign(private_key: bytes, message: int) -> Signature:
    """circomlibjs ``signPoseidon`` of the field element ``message``."""
    msg = fr(message, "message")
    s, prefix = _expand(private_key)
    a = babyjub.mul(BASE8, s >> 3)
    r = int.from_bytes(blake512(prefix + msg.to_bytes(32, "little")), "little") % SUBORDER
    r8 = babyjub.mul(BASE8, r)
    h = poseidon([r8[0], r8[1], a[0], a[1], msg])
    return Signature(r8, (r + h * s) % SUBORDER)


def verify(public_key: Point, message: int, signature: Signature) -> bool:
    """True iff ``signature`` is a valid, canonical signature of ``message`` under ``public_key``."""
    return verification_failure(public_key, message, signature) is None


def verification_failure(public_key: object, message: object, signature: object) -> str | None:
    """None if the signature verifies, else a one-line reason (it names fields, never key material)."""
    if not isinstance(signature, Signature):
        return "signature: expected a Signature"
    try:
        a = babyjub.check_point(public_key, "public key")
        r8 = babyjub.check_point(signature.R8, "signature.R8")
        msg = fr(message, "message")
    except (PointError, FieldError) as exc:
        return str(exc)
    s = signature.S
    if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < SUBORDER:
        return "signature.S: not below the subgroup order l (a non-canonical, malleable signature)"
    h = poseidon([r8[0], r8[1], a[0], a[1], msg])
    left = babyjub.mul(BASE8, s)
    right = babyjub.add(r8, babyjub.mul(a, 8 * h))
    if left != right:
        return "signature does not verify for this public key and message"
    return None


def _expand(private_key: bytes) -> tuple[int, bytes]:
    """The pruned secret scalar s and the nonce prefix h[32:64] (circomlibjs ``pruneBuffer``)."""
    if not isinstance(private_key, (bytes, bytearray)) or len(private_key) != PRIVATE_KEY_BYTES:
        raise InputError(f"private key: expected exactly {PRIVATE_KEY_BYTES} bytes")
    h = bytearray(blake512(bytes(private_key)))
    h[0] &= 0xF8
    h[31] &= 0x7F
    h[31] |= 0x40
    return int.from_bytes(h[:32], "little"), bytes(h[32:])
