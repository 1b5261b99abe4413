"""The binary proving-key format: exact round trip, and refusal of damaged or hostile files."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.r1cs_samples import chained_multiplications
from zkyield.errors import FormatError, ZkyieldError
from zkyield.formats.proving_key import (
    _HEADER,
    MAGIC,
    proving_key_from_bytes,
    proving_key_to_bytes,
    read_proving_key,
    write_proving_key,
)
from zkyield.groth16 import prove, setup, verify


@pytest.fixture(scope="module")
def keys():
    r1cs, witness = chained_multiplications(n_public=2, n_steps=5)
    pk, vk = setup(r1cs)
    return r1cs, witness, pk, vk, proving_key_to_bytes(pk)


def test_round_trip_is_exact_and_proves(keys, tmp_path):
    r1cs, witness, pk, vk, data = keys
    write_proving_key(pk, tmp_path / "pk")
    loaded = read_proving_key(tmp_path / "pk")
    assert loaded == pk
    assert proving_key_to_bytes(loaded) == data
    assert verify(vk, r1cs.public_inputs(witness), prove(loaded, r1cs, witness))


def test_truncated_and_bad_magic(keys):
    data = keys[4]
    with pytest.raises(FormatError, match="size does not match"):
        proving_key_from_bytes(data[:-1])
    with pytest.raises(FormatError, match="bad magic"):
        proving_key_from_bytes(b"x" + data[1:])
    with pytest.raises(FormatError, match="too short"):
        proving_key_from_bytes(data[:10])


def test_flipped_byte_fails_checksum(keys):
    data = bytearray(keys[4])
    data[_HEADER.size + 70] ^= 1
    with pytest.raises(FormatError, match="checksum"):
        proving_key_from_bytes(bytes(data))


def test_huge_header_is_refused_before_allocating(keys):
    data = keys[4]
    header = _HEADER.pack(MAGIC, 1, 2**32 - 1, 5, 1 << 28, bytes(32))
    with pytest.raises(FormatError, match="size does not match"):
        proving_key_from_bytes(header + data[_HEADER.size :])


def test_point_off_curve_is_refused_even_with_valid_checksum(keys):
    import hashlib

    data = bytearray(keys[4][:-32])
    offset = _HEADER.size  # alpha_1.x
    x = int.from_bytes(data[offset : offset + 32], "big")
    data[offset : offset + 32] = ((x + 1) % 2**254).to_bytes(32, "big")
    body = bytes(data)
    with pytest.raises(ZkyieldError, match="alpha_1"):
        proving_key_from_bytes(body + hashlib.sha256(body).digest())


@given(st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=8))
def test_fuzzed_prefixes_only_raise_documented_errors(keys, cut, junk):
    data = keys[4]
    mutated = data[:cut] + junk + data[cut + len(junk) :]
    if mutated == data:
        return
    with pytest.raises(ZkyieldError):
        proving_key_from_bytes(mutated)

