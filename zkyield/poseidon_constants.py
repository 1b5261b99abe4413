"""Poseidon round constants and MDS matrices for BN254, derived as circomlib's were.

circomlib/circomlibjs took their parameters from the Poseidon authors' reference script
``generate_parameters_grain.sage`` (hadeshash, run as ``1 0 254 t 8 R_P <r in hex>``): an 80-bit
Grain LFSR seeded with the parameters, self-shrunk, read as 254-bit big-endian integers.
Deriving them here instead of pasting ~10,000 numbers keeps the source auditable; the tests pin
every width against circomlibjs. The script's MDS security checks (its algorithms 1-3) need a
computer-algebra system and are not re-run: the first Cauchy matrix drawn is the one circomlib
uses at every width 2..17, which the equality tests establish.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from zkyield.field import R

# circomlib poseidon.circom / circomlibjs poseidon_reference.js: 8 full rounds, and the partial
# rounds per width t = 2..17 (index t - 2), from the Poseidon paper's table rounded up.
N_ROUNDS_F = 8
N_ROUNDS_P = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)
MIN_WIDTH = 2
MAX_WIDTH = MIN_WIDTH + len(N_ROUNDS_P) - 1

FIELD_BITS = R.bit_length()  # 254: "n" of the reference script
_FIELD_TAG = 1  # reference script: 1 = GF(p)
_SBOX_TAG = 0  # reference script: 0 = x^alpha
_TAPS = (62, 51, 38, 23, 13, 0)  # Grain LFSR feedback taps of the reference script
_LFSR_BITS = 80
_WARMUP = 160  # output discarded before use, as in the reference script
_CHUNK = 18  # new bits per step: b[i+80] needs b[i+62] at most, so 18 can be made at once


class _Grain:
    """The reference script's self-shrinking Grain LFSR, producing bits in bulk.

    State bit k (LSB first) is sequence bit b[i + k]; b[i + 80] = XOR of the taps and is the raw
    output. Raw output pairs (a, b): emit b when a = 1, drop both otherwise.
    """

    def __init__(self, seed_bits: list[int]) -> None:
        self._state = sum(bit << k for k, bit in enumerate(seed_bits))
        self._out = ""
        self._raw(_WARMUP)

    def _raw(self, n: int) -> str:
        """Next ``n`` raw LFSR bits, oldest first, as a '0'/'1' string."""
        s, chunks = self._state, []
        done = 0
        while done < n:
            take = min(_CHUNK, n - done)
            new = 0
            for tap in _TAPS:
                new ^= s >> tap
            new &= (1 << take) - 1
            chunks.append(format(new, f"0{take}b")[::-1])
            s = (s >> take) | (new << (_LFSR_BITS - take))
            done += take
        self._state = s
        return "".join(chunks)

    def bits(self, n: int) -> int:
        """The next ``n`` output bits read as a big-endian integer (the reference's grain_random_bits)."""
        while len(self._out) < n:
            raw = self._raw(_CHUNK * 512)
            self._out += "".join(b for a, b in zip(raw[0::2], raw[1::2], strict=True) if a == "1")
        head, self._out = self._out[:n], self._out[n:]
        return int(head, 2)


def _seed(t: int, n_rounds_p: int) -> list[int]:
    """The reference init_generator: field, S-box, n, t, R_F, R_P big-endian, then thirty ones."""
    fields = ((_FIELD_TAG, 2), (_SBOX_TAG, 4), (FIELD_BITS, 12), (t, 12), (N_ROUNDS_F, 10), (n_rounds_p, 10))
    bits = [int(c) for value, width in fields for c in format(value, f"0{width}b")]
    return bits + [1] * 30


@dataclass(frozen=True)
class PoseidonParams:
    """Everything the permutation of width ``t`` needs; ``constants[r][i]`` is added to state i in round r."""

    t: int
    n_rounds_f: int
    n_rounds_p: int
    constants: tuple[tuple[int, ...], ...]
    mds: tuple[tuple[int, ...], ...]


@cache
def params(t: int) -> PoseidonParams:
    """circomlib's parameters for width ``t`` (2..17), derived once per width and cached."""
    if not MIN_WIDTH <= t <= MAX_WIDTH:
        raise ValueError(f"poseidon width t must be in {MIN_WIDTH}..{MAX_WIDTH}, got {t}")
    n_rounds_p = N_ROUNDS_P[t - MIN_WIDTH]
    grain = _Grain(_seed(t, n_rounds_p))
    flat = []
    for _ in range((N_ROUNDS_F + n_rounds_p) * t):
        c = grain.bits(FIELD_BITS)
        while c >= R:  # reference generate_constants: rejection sampling into [0, p)
            c = grain.bits(FIELD_BITS)
        flat.append(c)
    constants = tuple(tuple(flat[k : k + t]) for k in range(0, len(flat), t))
    return PoseidonParams(t, N_ROUNDS_F, n_rounds_p, constants, _cauchy_mds(grain, t))


def _cauchy_mds(grain: _Grain, t: int) -> tuple[tuple[int, ...], ...]:
    """Reference create_mds_p: M[i][j] = 1 / (x_i + y_j) for 2t distinct draws reduced mod p."""
    while True:
        draws = [grain.bits(FIELD_BITS) % R for _ in range(2 * t)]
        while len(set(draws)) != len(draws):
            draws = [grain.bits(FIELD_BITS) % R for _ in range(2 * t)]
        xs, ys = draws[:t], draws[t:]
        if all((x + y) % R for x in xs for y in ys):
            return tuple(tuple(pow(x + y, -1, R) for y in ys) for x in xs)
