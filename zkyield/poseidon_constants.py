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

import numpy as np

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
# Over GF(2) f(x)^32 = f(x^32), so the sequence also satisfies b[i+2560] = XOR of b[i+32*tap]: with the
# last 2560 bits in hand, 576 new ones come out of six shifts of one integer.
_DECIMATION = 32
_WINDOW = _LFSR_BITS * _DECIMATION
_STEP = (_LFSR_BITS - _TAPS[0]) * _DECIMATION


class _Grain:
    """The reference script's self-shrinking Grain LFSR, producing bits in bulk.

    ``_window`` bit k is sequence bit b[i + k]; b[j + 80] = XOR of b[j + tap] is the raw output, the
    first 160 discarded. Raw output pairs (a, b): emit b when a = 1, drop both otherwise.
    """

    def __init__(self, seed_bits: list[int]) -> None:
        s, n = sum(bit << k for k, bit in enumerate(seed_bits)), _LFSR_BITS
        while n < _WINDOW:  # b[80 .. 2560) from the recurrence itself, 18 bits a step
            take = min(_CHUNK, _WINDOW - n)
            new = 0
            for tap in _TAPS:
                new ^= s >> (n - _LFSR_BITS + tap)
            s |= (new & ((1 << take) - 1)) << n
            n += take
        self._window = s
        self._raw = _oldest_first(s >> _LFSR_BITS, _WINDOW - _LFSR_BITS)[_WARMUP:]
        self._out = ""

    def _more_raw(self) -> None:
        s, new = self._window, 0
        for tap in _TAPS:
            new ^= s >> (tap * _DECIMATION)
        new &= (1 << _STEP) - 1
        self._window = (s >> _STEP) | (new << (_WINDOW - _STEP))
        self._raw += _oldest_first(new, _STEP)

    def bits(self, n: int) -> int:
        """The next ``n`` output bits read as a big-endian integer (the reference's grain_random_bits)."""
        while len(self._out) < n:
            while len(self._raw) < 4096:
                self._more_raw()
            cut = len(self._raw) & ~1  # whole pairs only: the next pair starts where these end
            pairs = np.frombuffer(self._raw[:cut].encode("ascii"), dtype=np.uint8).reshape(-1, 2)
            self._out += pairs[pairs[:, 0] == ord("1"), 1].tobytes().decode("ascii")
            self._raw = self._raw[cut:]
        head, self._out = self._out[:n], self._out[n:]
        return int(head, 2)


def _oldest_first(value: int, n: int) -> str:
    """Bits 0 .. n-1 of ``value`` as a '0'/'1' string, bit 0 first."""
    return format(value, f"0{n}b")[::-1]


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
