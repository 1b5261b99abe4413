"""snarkjs's deterministic key derivation, reproduced bit for bit so its ceremony files verify here.

A phase-2 contribution's proof of knowledge needs a G2 point that nobody chose: snarkjs seeds
ffjavascript's ChaCha20 stream with the transcript hash and draws a point from it (``hashToG2`` in
snarkjs src/keypair.js). A beacon contribution derives its secret the same way from an iterated
SHA-256 of a public value (src/misc.js ``rngFromBeaconParams``). Matching snarkjs exactly is what
lets ``ceremony verify`` check snarkjs's files and snarkjs check ours.

ffjavascript quirks reproduced here: ``F.fromRng`` fills the field's *internal Montgomery* buffer
with the random integer, so the element is v·2^-256 mod p; a point takes x from the stream, then a
bit choosing the sign of y (``isNegative``: y > (p-1)/2, for Fq2 judged on c1 unless c1 = 0), and G2
points are multiplied by the cofactor.
"""

from __future__ import annotations

import hashlib
import secrets

from zkyield.curve import (
    G1_B,
    G2_B,
    Fq2,
    G1Affine,
    G2Affine,
    fq2_add,
    fq2_mul,
    fq2_neg,
    fq2_sqr,
    g2_jac_mul,
    g2_to_affine,
)
from zkyield.field import Q, R

_MASK32 = 0xFFFFFFFF
# "expand 32-byte k", the ChaCha constants (RFC 8439 section 2.3).
_SIGMA = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)
# ffjavascript bn128.js cofactorG2 (= 2q - r): clears the twist's cofactor after hashing.
G2_COFACTOR = 0x30644E72E131A029B85045B68181585E06CEECDA572A2489345F2299C0F9FA8D
_MONT_INV_Q = pow(1 << 256, -1, Q)
_MONT_INV_R = pow(1 << 256, -1, R)
_MASK_254 = (1 << 254) - 1  # both BN254 primes have 254 bits; ffjavascript masks the draw to that width


def _rotl(v: int, n: int) -> int:
    return ((v << n) | (v >> (32 - n))) & _MASK32


def _quarter(st: list[int], a: int, b: int, c: int, d: int) -> None:
    st[a] = (st[a] + st[b]) & _MASK32
    st[d] = _rotl(st[d] ^ st[a], 16)
    st[c] = (st[c] + st[d]) & _MASK32
    st[b] = _rotl(st[b] ^ st[c], 12)
    st[a] = (st[a] + st[b]) & _MASK32
    st[d] = _rotl(st[d] ^ st[a], 8)
    st[c] = (st[c] + st[d]) & _MASK32
    st[b] = _rotl(st[b] ^ st[c], 7)


class ChaCha:
    """ffjavascript's ChaCha20 stream (src/chacha.js): 8 seed words, zero nonce, 16 words per block."""

    def __init__(self, seed: list[int]) -> None:
        if len(seed) != 8:
            raise ValueError("ChaCha seed must be 8 32-bit words")
        self.state = [*_SIGMA, *(w & _MASK32 for w in seed), 0, 0, 0, 0]
        self.block: list[int] = []
        self.idx = 16

    @classmethod
    def from_hash(cls, digest: bytes) -> ChaCha:
        """Seed from the first 32 bytes of a hash read as 8 big-endian words (snarkjs's convention)."""
        return cls([int.from_bytes(digest[4 * i : 4 * i + 4], "big") for i in range(8)])

    def _refill(self) -> None:
        st = list(self.state)
        for _ in range(10):
            _quarter(st, 0, 4, 8, 12)
            _quarter(st, 1, 5, 9, 13)
            _quarter(st, 2, 6, 10, 14)
            _quarter(st, 3, 7, 11, 15)
            _quarter(st, 0, 5, 10, 15)
            _quarter(st, 1, 6, 11, 12)
            _quarter(st, 2, 7, 8, 13)
            _quarter(st, 3, 4, 9, 14)
        self.block = [(a + b) & _MASK32 for a, b in zip(st, self.state, strict=True)]
        self.idx = 0
        for i in range(12, 16):  # 128-bit block counter across words 12..15
            self.state[i] = (self.state[i] + 1) & _MASK32
            if self.state[i]:
                break

    def next_u32(self) -> int:
        if self.idx == 16:
            self._refill()
        v = self.block[self.idx]
        self.idx += 1
        return v

    def next_u64(self) -> int:
        hi = self.next_u32()
        return (hi << 32) | self.next_u32()

    def next_bool(self) -> bool:
        return self.next_u32() & 1 == 1


def _raw_below(rng: ChaCha, modulus: int) -> int:
    """ffjavascript ``fromRng``'s integer: four u64 limbs, masked to 254 bits, rejected until < p."""
    while True:
        v = 0
        for i in range(4):
            v += rng.next_u64() << (64 * i)
        v &= _MASK_254
        if v < modulus:
            return v


def fr_from_rng(rng: ChaCha) -> int:
    """The scalar ffjavascript's ``Fr.fromRng`` yields (the draw read as a Montgomery form)."""
    return _raw_below(rng, R) * _MONT_INV_R % R


def _fq_from_rng(rng: ChaCha) -> int:
    return _raw_below(rng, Q) * _MONT_INV_Q % Q


def _is_negative(x: int) -> bool:
    return x > (Q - 1) // 2


def _fq2_is_negative(a: Fq2) -> bool:
    return _is_negative(a[1]) if a[1] else _is_negative(a[0])


def _fq_sqrt(a: int) -> int | None:
    r = pow(a, (Q + 1) // 4, Q)  # q ≡ 3 (mod 4)
    return r if r * r % Q == a else None


def fq2_sqrt(a: Fq2) -> Fq2 | None:
    """A square root in Fq2 = Fq[u]/(u^2+1), or None (complex method: via the norm's root in Fq)."""
    if a == (0, 0):
        return a
    a0, a1 = a
    n = _fq_sqrt((a0 * a0 + a1 * a1) % Q)
    if n is None:
        return None
    half = pow(2, -1, Q)
    for cand in ((a0 + n) * half % Q, (a0 - n) * half % Q):
        x0 = _fq_sqrt(cand)
        if x0 is None:
            continue
        if x0 == 0:
            continue
        x1 = a1 * pow(2 * x0, -1, Q) % Q
        if fq2_sqr((x0, x1)) == (a0 % Q, a1 % Q):
            return (x0, x1)
    if a1 == 0:  # a = a0 with -a0 a square: sqrt = sqrt(-a0)·u
        s = _fq_sqrt(-a0 % Q)
        if s is not None:
            return (0, s)
    return None


def g1_from_rng(rng: ChaCha) -> G1Affine:
    """ffjavascript ``G1.fromRng``: x until x^3 + 3 is a square, y's sign from the stream."""
    while True:
        x = _fq_from_rng(rng)
        greatest = rng.next_bool()
        y = _fq_sqrt((x * x * x + G1_B) % Q)
        if y is not None:
            break
    if _is_negative(y) != greatest:
        y = -y % Q
    return (x, y)


def g2_from_rng(rng: ChaCha) -> G2Affine:
    """ffjavascript ``G2.fromRng``: x = (c0, c1) from the stream, sign bit, then times the cofactor."""
    while True:
        x = (_fq_from_rng(rng), _fq_from_rng(rng))
        greatest = rng.next_bool()
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), G2_B))
        if y is not None:
            break
    if _fq2_is_negative(y) != greatest:
        y = fq2_neg(y)
    return g2_to_affine(g2_jac_mul((x, y), G2_COFACTOR, reduce=False))


def hash_to_g2(transcript: bytes) -> G2Affine:
    """snarkjs ``hashToG2``: the G2 point of a contribution's proof of knowledge."""
    return g2_from_rng(ChaCha.from_hash(transcript))


def beacon_rng(beacon_hash: bytes, iterations_exp: int) -> ChaCha:
    """snarkjs ``rngFromBeaconParams``: SHA-256 applied 2^iterations_exp times, then seeds ChaCha."""
    h = beacon_hash
    for _ in range(1 << iterations_exp):
        h = hashlib.sha256(h).digest()
    return ChaCha.from_hash(h)


def entropy_rng(user_text: str = "") -> ChaCha:
    """Like snarkjs ``getRandomRng``: 64 bytes from the OS plus the user's text, through blake2b."""
    digest = hashlib.blake2b(secrets.token_bytes(64) + user_text.encode("utf-8"), digest_size=64).digest()
    return ChaCha.from_hash(digest)
