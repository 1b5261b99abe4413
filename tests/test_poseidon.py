"""Poseidon: constants, out-of-circuit hash and the circuit gadget against circomlib/circomlibjs."""

from __future__ import annotations

import json
import random

import pytest
from _poseidon_util import circomlibjs_poseidon
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from zkyield.errors import FieldError, InputError
from zkyield.field import R
from zkyield.poseidon import permutation, poseidon, sbox
from zkyield.poseidon_constants import N_ROUNDS_P, params

EDGE = (0, 1, R - 1)
CIRCOMLIBJS_CONSTANTS = ROOT / "node_modules" / "circomlibjs" / "src" / "poseidon_constants.json"


def test_derived_constants_equal_circomlibjs_tables_at_every_width() -> None:
    if not CIRCOMLIBJS_CONSTANTS.exists():
        pytest.skip("circomlibjs not installed: run `npm ci` in the repo root")
    ref = json.loads(CIRCOMLIBJS_CONSTANTS.read_text())
    for t in range(2, 18):
        p = params(t)
        assert p.n_rounds_p == N_ROUNDS_P[t - 2]
        assert [c for row in p.constants for c in row] == [int(x, 16) for x in ref["C"][t - 2]], t
        assert [list(row) for row in p.mds] == [[int(x, 16) for x in row] for row in ref["M"][t - 2]], t


def test_published_circomlib_vectors() -> None:
    # circomlibjs test/poseidon.js: Poseidon([1, 2]) and Poseidon([1, 2, 3, 4]).
    assert poseidon([1, 2]) == 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A
    assert poseidon([1, 2, 3, 4]) == 0x299C867DB6C1FDD79DCEFA40E4510B9837E60EBB1CE0663DBAA525DF65250465


def test_poseidon_equals_circomlibjs_on_random_and_edge_inputs_at_every_width(tmp_path) -> None:
    rng = random.Random(20240611)
    vectors = []
    for n in range(1, 17):
        vectors.append([rng.randrange(R) for _ in range(n)])
        vectors.append([rng.choice(EDGE) for _ in range(n)])
        vectors.append([R - 1] * n)
    vectors.append([0] * 16)
    assert [poseidon(v) for v in vectors] == circomlibjs_poseidon(vectors, tmp_path)


def test_sbox_is_a_permutation_of_fr() -> None:
    # x^5 is invertible on Fr exactly when gcd(5, r - 1) = 1; its inverse exponent undoes it.
    inv = pow(5, -1, R - 1)
    for x in (*EDGE, 2, 12345678901234567890):
        assert pow(sbox(x), inv, R) == x


def test_rejects_wrong_input_counts() -> None:
    with pytest.raises(InputError, match="1..16"):
        poseidon([])
    with pytest.raises(InputError, match="1..16"):
        poseidon(list(range(17)))
    with pytest.raises(ValueError, match="width"):
        params(18)


@given(st.lists(st.integers(min_value=R, max_value=2 * R + 5), min_size=1, max_size=16), st.data())
def test_rejects_non_canonical_inputs(bad: list[int], data: st.DataObject) -> None:
    pos = data.draw(st.integers(min_value=0, max_value=len(bad) - 1))
    good = [v % R for v in bad]
    poseidon(good)
    mixed = [*good[:pos], bad[pos], *good[pos + 1 :]]
    with pytest.raises(FieldError, match=rf"input\[{pos}\]"):
        poseidon(mixed)
    with pytest.raises(FieldError):
        poseidon([*good[:pos], -1, *good[pos + 1 :]])
    with pytest.raises(FieldError):
        poseidon([*good[:pos], True, *good[pos + 1 :]])


@given(st.lists(st.sampled_from(EDGE) | st.integers(0, R - 1), min_size=1, max_size=16))
def test_hash_is_state_zero_of_the_permutation_and_input_sensitive(inputs: list[int]) -> None:
    h = poseidon(inputs)
    assert h == permutation([0, *inputs])[0]
    tweaked = list(inputs)
    tweaked[-1] = (tweaked[-1] + 1) % R
    assert poseidon(tweaked) != h
    if len(inputs) < 16:  # widths are separate functions: a trailing zero changes the hash
        assert poseidon([*inputs, 0]) != h
