"""Chained Poseidon commitments: the documented chain against circomlibjs, and in circuit."""

from __future__ import annotations

import random

import pytest
from _poseidon_util import run_circomlibjs
from hypothesis import given
from hypothesis import strategies as st

from zkyield.errors import FieldError, InputError
from zkyield.field import R
from zkyield.poseidon import commit, poseidon, poseidon_many

# The module doc's chain, written again in JS over circomlibjs's Poseidon.
_JS_CHAIN = """input.map(({values, iv}) => {
  let h = H([iv, String(values.length)]);
  for (let k = 0; k < values.length; k += 15) h = H([h, ...values.slice(k, k + 15)]);
  return h;
})"""

FIELD_VALUES = st.integers(0, R - 1) | st.sampled_from([0, 1, R - 1])


def test_chain_equals_circomlibjs_for_lengths_around_the_rate(tmp_path) -> None:
    rng = random.Random(99)
    cases = [([rng.randrange(R) for _ in range(n)], rng.randrange(R)) for n in (1, 2, 14, 15, 16, 29, 30, 31, 47)]
    cases += [([0], 0), ([R - 1] * 15, R - 1), ([1] * 16, 1)]
    payload = [{"values": [str(v) for v in values], "iv": str(salt)} for values, salt in cases]
    expected = [int(x) for x in run_circomlibjs(_JS_CHAIN, payload, tmp_path)]
    assert [commit(values, salt) for values, salt in cases] == expected


def test_poseidon_many_is_the_chain_from_iv_zero() -> None:
    values = list(range(20))
    h = poseidon([0, 20])
    h = poseidon([h, *values[:15]])
    assert poseidon_many(values) == poseidon([h, *values[15:]])
    assert commit(values, 0) == poseidon_many(values)


def test_rejects_empty_lists_and_non_canonical_values() -> None:
    with pytest.raises(InputError, match="empty"):
        commit([], 1)
    with pytest.raises(FieldError, match=r"values\[1\]"):
        commit([1, R], 1)
    with pytest.raises(FieldError, match="salt"):
        commit([1, 2], R)
    with pytest.raises(FieldError, match="salt"):
        commit([1, 2], -1)


@given(st.lists(FIELD_VALUES, min_size=1, max_size=40), FIELD_VALUES, st.data())
def test_changing_any_value_the_salt_or_the_length_changes_the_commitment(
    values: list[int], salt: int, data: st.DataObject
) -> None:
    c = commit(values, salt)
    i = data.draw(st.integers(0, len(values) - 1))
    changed = list(values)
    changed[i] = (changed[i] + data.draw(st.integers(1, R - 1))) % R
    assert commit(changed, salt) != c
    assert commit(values, (salt + 1) % R) != c
    assert commit([*values, 0], salt) != c
    if len(values) > 1:
        assert commit(values[:-1], salt) != c
