"""Poseidon hash over BN254's Fr, bit-for-bit circomlib's ``Poseidon(n)``, and the chained hash of long lists.

``poseidon(inputs)`` is circomlib's ``Poseidon(n)`` / circomlibjs ``buildPoseidon()`` for n = 1..16:
width t = n + 1, initial state ``[0, *inputs]``, x^5 S-box, 4 full, R_P partial, 4 full rounds,
each round = add constants, S-box(es), multiply by the MDS matrix; the output is ``state[0]``.

``poseidon_many(values, iv)`` hashes a list of any length n >= 1 (this project's definition):

    h = Poseidon([iv, n])                                 # binds the start value and the length
    for each run of 15 consecutive values (the last run may be shorter, never empty):
        h = Poseidon([h, *run])
    return h

``commit(values, salt)`` is ``poseidon_many(values, iv=salt)``. Binding the length up front means an
intermediate ``h`` can never pose as the start of another list (that would need a Poseidon preimage),
so one commitment opens to one (values, salt) only. The in-circuit gadgets compute the same values.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.errors import InputError
from zkyield.field import R, fr
from zkyield.poseidon_constants import MAX_WIDTH, MIN_WIDTH, params

MAX_INPUTS = MAX_WIDTH - 1  # 16: circomlib's largest Poseidon(n)
CHAIN_RATE = MAX_INPUTS - 1  # 15 list values per chained call, beside the running hash


def sbox(x: int) -> int:
    """x^5 mod r, Poseidon's S-box for BN254 (gcd(5, r - 1) = 1, so it permutes Fr)."""
    x2 = x * x % R
    return x2 * x2 % R * x % R


def permutation(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation of width len(state) (2..17) on canonical Fr elements."""
    p = params(len(state))
    half_f = p.n_rounds_f // 2
    s = list(state)
    for r, round_constants in enumerate(p.constants):
        s = [(x + c) % R for x, c in zip(s, round_constants, strict=True)]
        if half_f <= r < half_f + p.n_rounds_p:
            s[0] = sbox(s[0])
        else:
            s = [sbox(x) for x in s]
        s = [sum(m * x for m, x in zip(row, s, strict=True)) % R for row in p.mds]
    return s


def poseidon(inputs: Sequence[int]) -> int:
    """circomlib ``Poseidon(len(inputs))`` of 1..16 canonical Fr elements (FieldError otherwise)."""
    if not MIN_WIDTH - 1 <= len(inputs) <= MAX_INPUTS:
        raise InputError(f"poseidon inputs: expected 1..{MAX_INPUTS} values, got {len(inputs)}; hash longer "
                         "lists with poseidon_many")
    checked = [fr(x, f"poseidon input[{i}]") for i, x in enumerate(inputs)]
    return permutation([0, *checked])[0]


def poseidon_many(values: Sequence[int], iv: int = 0) -> int:
    """Chained Poseidon of n >= 1 canonical Fr values from start value ``iv`` (definition in the module doc)."""
    if len(values) == 0:
        raise InputError("poseidon_many values: the list is empty; hash at least one value")
    checked = [fr(x, f"values[{i}]") for i, x in enumerate(values)]
    h = poseidon([fr(iv, "iv"), len(checked)])
    for k in range(0, len(checked), CHAIN_RATE):
        h = poseidon([h, *checked[k : k + CHAIN_RATE]])
    return h


def commit(values: Sequence[int], salt: int) -> int:
    """Poseidon commitment to ``values`` under a secret ``salt`` (hiding needs a uniformly random salt)."""
    return poseidon_many(values, iv=fr(salt, "salt"))
