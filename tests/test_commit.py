"""Chained Poseidon commitments: the documented chain against circomlibjs, and in circuit."""

from __future__ import annotations

import random
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.poseidon import run_circomlibjs
from zkyield.dsl.circuit import Circuit
from zkyield.errors import ConstraintError, FieldError, InputError
from zkyield.field import R
from zkyield.gadgets.commit import commit_gadget, poseidon_many_gadget
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


# -- in circuit ------------------------------------------------------------------------------------


@cache
def _opening_circuit(n: int):
    """Public commitment; private values[n] and salt; asserts commit(values, salt) == commitment."""
    c = Circuit(f"opening{n}")
    commitment = c.public_input("commitment")
    values = c.private_input("values", n)
    salt = c.private_input("salt")
    before = c.n_constraints
    c.assert_equal(commit_gadget(c, values, salt), commitment, "commitment")
    return c.compile(), c.n_constraints - before


# 237 for Poseidon([salt, n]) with n constant, then Poseidon(m + 1) per run of m values (see gadgets).
@pytest.mark.parametrize(("n", "cost"), [(1, 237 + 240), (15, 237 + 609), (16, 237 + 609 + 240)])
def test_gadget_opens_commitments_made_out_of_circuit(n: int, cost: int) -> None:
    compiled, measured = _opening_circuit(n)
    assert measured == cost + 1  # + the equality with the public commitment
    rng = random.Random(n)
    values = [rng.randrange(R) for _ in range(n)]
    salt = rng.randrange(R)
    compiled.witness({"commitment": commit(values, salt), "values": values, "salt": salt})


def test_changed_value_or_salt_is_rejected() -> None:
    compiled, _ = _opening_circuit(16)
    values = list(range(100, 116))
    salt = 0xC0FFEE
    good = {"commitment": commit(values, salt), "values": values, "salt": salt}
    compiled.witness(good)
    for i in (0, 14, 15):
        changed = list(values)
        changed[i] += 1
        with pytest.raises(ConstraintError, match="commitment"):
            compiled.witness({**good, "values": changed})
    with pytest.raises(ConstraintError, match="commitment"):
        compiled.witness({**good, "salt": salt + 1})
    with pytest.raises(ConstraintError, match="commitment"):
        compiled.witness({**good, "commitment": commit(values, salt + 1)})


def test_poseidon_many_gadget_with_constant_iv_and_empty_list() -> None:
    c = Circuit()
    xs = c.private_input("x", 3)
    c.output("h", poseidon_many_gadget(c, xs))
    compiled = c.compile()
    assert compiled.r1cs.public_inputs(compiled.witness({"x": [4, 5, 6]})) == [poseidon_many([4, 5, 6])]
    # Poseidon([0, 3]) is a build-time constant, so Poseidon([h, x0, x1, x2]) (297) also saves h's first
    # S-box (3); the output copy is substituted out by the linear simplification (it is + 1 without).
    assert compiled.n_constraints == 297 - 3
    assert c.compile(simplify=False).n_constraints == 297 - 3 + 1
    with pytest.raises(ValueError, match="empty"):
        poseidon_many_gadget(c, [])


@given(st.lists(FIELD_VALUES, min_size=16, max_size=16), FIELD_VALUES, st.data())
def test_random_openings_hold_and_tampered_ones_fail(values: list[int], salt: int, data: st.DataObject) -> None:
    compiled, _ = _opening_circuit(16)
    good = {"commitment": commit(values, salt), "values": values, "salt": salt}
    assert compiled.r1cs.is_satisfied(compiled.witness(good, check=False))
    i = data.draw(st.integers(0, 15))
    changed = list(values)
    changed[i] = (changed[i] + data.draw(st.integers(1, R - 1))) % R
    assert not compiled.r1cs.is_satisfied(compiled.witness({**good, "values": changed}, check=False))
