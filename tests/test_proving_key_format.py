"""The binary proving-key format: exact round trip, and refusal of damaged or hostile files."""

from __future__ import annotations

import hashlib
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.r1cs_samples import chained_multiplications
from zkyield._native import G1_WIDTH, G2_WIDTH, native, pure_python
from zkyield.errors import FormatError, ZkyieldError
from zkyield.formats.proving_key import (
    _DIGEST_BYTES,
    _HEADER,
    MAGIC,
    proving_key_from_bytes,
    proving_key_to_bytes,
    read_proving_key,
    write_proving_key,
)
from zkyield.groth16 import prove, setup, verify
from zkyield.groth16.packed_points import PackedPoints, joined
from zkyield.groth16.prover_native import packed_key


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



def test_query_lists_stay_packed_and_read_like_the_tuples(keys):
    """A key from file keeps its query lists as the native prover's buffers (PackedPoints); they index,
    slice, iterate and compare like the tuples setup made, and the pure-Python loader gives those tuples."""
    _, _, pk, _, data = keys
    loaded = proving_key_from_bytes(data)
    assert isinstance(loaded.a_query, PackedPoints) and isinstance(loaded.b_g2_query, PackedPoints)
    lib = native()
    for name, width in (("a_query", G1_WIDTH), ("b_g1_query", G1_WIDTH), ("b_g2_query", G2_WIDTH),
                        ("c_query", G1_WIDTH), ("h_query", G1_WIDTH)):
        ours, ref = getattr(loaded, name), getattr(pk, name)
        assert ours.buf == lib.pack(ref, width)
        assert len(ours) == len(ref) and list(ours) == list(ref) and ours == ref and ref == ours
        assert ours[-1] == ref[-1] and ours[1:3] == ref[1:3]
        with pytest.raises(IndexError):
            ours[len(ref)]
    assert None in list(loaded.a_query)  # wires outside A: infinity stays None
    with pure_python():
        plain = proving_key_from_bytes(data)
    assert isinstance(plain.a_query, tuple) and plain == loaded == pk


def test_packed_loader_names_the_point_off_curve(keys):
    data = bytearray(keys[4])
    n_public = keys[2].n_public
    offset = _HEADER.size + 64 * (3 + n_public + 1 + 2)  # A[2]
    data[offset + 63] ^= 1
    body = bytes(data[:-_DIGEST_BYTES])
    with pytest.raises(ZkyieldError, match=r"A\[2\] is not a canonical point on the G1 curve"):
        proving_key_from_bytes(body + hashlib.sha256(body).digest())


@pytest.mark.skipif(native() is None, reason="needs the C backend")
def test_c_and_h_share_one_buffer_the_prover_reads_whole(keys):
    """C and H are adjacent in the file and in the prover's MSM: read into one buffer, viewed as two lists,
    and handed to the MSM without a copy; a bad H point is still named by its own index."""
    r1cs, witness, pk, vk, data = keys
    loaded = proving_key_from_bytes(data)
    whole = joined(loaded.c_query, loaded.h_query)
    assert whole is not None and whole == native().pack([*pk.c_query, *pk.h_query], G1_WIDTH)
    assert packed_key(loaded).c_h is whole
    assert joined(loaded.h_query, loaded.c_query) is None and joined(loaded.a_query, loaded.h_query) is None
    assert verify(vk, r1cs.public_inputs(witness), prove(loaded, r1cs, witness))
    n_g1_before_h = 3 + len(pk.vk.ic) + 2 * pk.n_wires + len(pk.c_query)
    offset = _HEADER.size + 64 * (n_g1_before_h + 1)  # H[1]
    bad = bytearray(data)
    bad[offset + 63] ^= 1
    body = bytes(bad[:-_DIGEST_BYTES])
    with pytest.raises(ZkyieldError, match=r"H\[1\] is not a canonical point on the G1 curve"):
        proving_key_from_bytes(body + hashlib.sha256(body).digest())


def test_a_loaded_key_pickles_for_pool_workers(keys):
    """Batch proving sends keys to worker processes: the packed lists (split halves included) survive."""
    r1cs, witness, pk, vk, data = keys
    loaded = proving_key_from_bytes(data)
    again = pickle.loads(pickle.dumps(loaded))
    assert again == loaded == pk
    assert verify(vk, r1cs.public_inputs(witness), prove(again, r1cs, witness))
