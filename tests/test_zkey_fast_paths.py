"""The .zkey prove path in C against its pure-Python reference (issue #15).

``zkey_from_bytes`` keeps the prover's sections binary natively (``PackedPoints``, ``Coefficients``) and the
prover takes its rows and witness packed (``zkey_rows``, ``checked_witness``, ``PackedScalars``). Every fast
path must give what the reference gives: the same key (as sequences), the same bytes when written, the same
rows and proof, and for a hostile file or witness the same error, naming the same field.
"""

from __future__ import annotations

import pickle
import random
import struct
from dataclasses import replace
from enum import IntEnum

import pytest

from tests.support.ceremony import circuit, snarkjs_chain
from tests.test_ptau import _twist_point_outside_g2
from zkyield._native import native, pure_python
from zkyield.ceremony.prover import checked_witness, prove_zkey, zkey_rows, zkey_rows_python
from zkyield.curve import G1_GENERATOR, G2_GENERATOR
from zkyield.errors import FormatError, InputError
from zkyield.field import Q, R
from zkyield.fixed_base import batch_mul_g1, batch_mul_g2
from zkyield.formats import zkey as zk
from zkyield.formats.binio import read_container
from zkyield.formats.ptau import G1_BYTES, G2_BYTES, encode_g2, encode_points
from zkyield.groth16.packed_points import PackedPoints, PackedScalars
from zkyield.groth16.prover import Blinding, prove_from_rows
from zkyield.groth16.verifier import verify

needs_native = pytest.mark.skipif(native() is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")
PINNED = Blinding(R - 5, 987654321)


@pytest.fixture(scope="module")
def key_bytes() -> bytes:
    return snarkjs_chain()[1].read_bytes()  # one contribution: usable


def _offset(data: bytes, section: int) -> int:
    return read_container(data, zk.MAGIC, zk.VERSION, "t").sections[section][0][0]


def _patched(data: bytes, section: int, at: int, raw: bytes) -> bytes:
    out = bytearray(data)
    off = _offset(data, section) + at
    out[off : off + len(raw)] = raw
    return bytes(out)


def _both(data: bytes) -> tuple[zk.Zkey, zk.Zkey]:
    fast = zk.zkey_from_bytes(data, "k.zkey")
    with pure_python():
        ref = zk.zkey_from_bytes(data, "k.zkey")
    return fast, ref


def _same_error(data: bytes) -> str:
    """The message both readers raise for ``data`` (they must raise the same one)."""
    with pytest.raises(FormatError) as fast:
        zk.zkey_from_bytes(data, "k.zkey")
    with pure_python(), pytest.raises(FormatError) as ref:
        zk.zkey_from_bytes(data, "k.zkey")
    assert str(fast.value) == str(ref.value)
    return str(fast.value)


@needs_native
def test_native_reading_matches_the_reference_and_writes_the_same_bytes() -> None:
    for path in snarkjs_chain()[:3]:
        data = path.read_bytes()
        fast, ref = _both(data)
        assert isinstance(fast.a, PackedPoints) and isinstance(fast.b2, PackedPoints)
        assert isinstance(fast.coefs, zk.Coefficients) and isinstance(ref.coefs, tuple)
        assert isinstance(ref.a, tuple) and isinstance(ref.h, tuple)
        assert fast == ref and ref == fast
        for name in ("a", "b1", "b2", "c", "h", "coefs"):
            assert tuple(getattr(fast, name)) == tuple(getattr(ref, name)), name
        assert zk.zkey_to_bytes(fast) == zk.zkey_to_bytes(ref) == data


@needs_native
@pytest.mark.parametrize(("section", "width", "what"),
                         [(5, 2, "A"), (6, 2, "B1"), (7, 4, "B2"), (8, 2, "C"), (9, 2, "H")])
def test_bad_prover_points_give_the_reference_error(key_bytes, section: int, width: int, what: str) -> None:
    item = 32 * width
    size = read_container(key_bytes, zk.MAGIC, zk.VERSION, "t").sections[section][0][1]
    last = size // item - 1
    for index in (0, last // 2, last):
        off_curve = _patched(key_bytes, section, index * item + item - 32, (5).to_bytes(32, "little"))
        too_big = _patched(key_bytes, section, index * item, Q.to_bytes(32, "little"))
        for data, match in ((off_curve, "is not on the BN254"), (too_big, "not a canonical Fq element")):
            message = _same_error(data)
            assert message.startswith(f"k.zkey: {what}[{index}]: ") and match in message, message
    both = _patched(_patched(key_bytes, section, last * item + 32, (5).to_bytes(32, "little")),
                    section, 32, (5).to_bytes(32, "little"))
    assert f"{what}[0]" in _same_error(both)  # the first bad point is named


@needs_native
@pytest.mark.parametrize(("at", "raw"), [
    (4, struct.pack("<I", 2)), (8, struct.pack("<I", 1 << 20)), (12, struct.pack("<I", 1 << 20)),
    (16, R.to_bytes(32, "little")), (16, ((1 << 256) - 1).to_bytes(32, "little")),
])
def test_bad_coefficients_give_the_reference_error(key_bytes, at: int, raw: bytes) -> None:
    count = struct.unpack_from("<I", key_bytes, _offset(key_bytes, 4))[0]
    for entry in (0, count - 1):
        message = _same_error(_patched(key_bytes, 4, entry * 44 + at, raw))
        assert f"coefficient {entry} is invalid" in message


@needs_native
def test_g2_verification_key_points_are_still_tested_for_the_subgroup(key_bytes) -> None:
    delta2 = 4 + 32 + 4 + 32 + 12 + 3 * G1_BYTES + 2 * G2_BYTES
    message = _same_error(_patched(key_bytes, 2, delta2, encode_g2(_twist_point_outside_g2())))
    assert "delta2[0]" in message and "subgroup" in message
    outside = _patched(key_bytes, 7, G2_BYTES, encode_g2(_twist_point_outside_g2()))  # B2[1]: read, refused at prove
    fast, ref = _both(outside)
    assert fast == ref
    witness = circuit()[2]
    for z in (fast, ref):
        with pytest.raises(InputError, match="B2 points are not all in G2"):
            prove_zkey(z, witness)


def _mont_bytes(points: list, g2: bool) -> bytes:
    with pure_python():
        return encode_points(points, g2)


@needs_native
@pytest.mark.parametrize("g2", [False, True])
def test_repack_mont_points_matches_decode_mont_points(g2: bool) -> None:
    lib = native()
    rng = random.Random(15)
    n = 9000 if not g2 else 2100  # several threads' worth of points
    points = (batch_mul_g2(G2_GENERATOR, [rng.randrange(1, R) for _ in range(n)]) if g2
              else batch_mul_g1(G1_GENERATOR, [rng.randrange(1, R) for _ in range(n)]))
    for i in (0, 17, n - 1):
        points[i] = None
    raw = _mont_bytes(points, g2)
    width = 4 if g2 else 2
    for threads in (1, 2, 3, 16):
        packed = lib.repack_mont_points(raw, width, False, threads)
        assert lib.unpack(packed, width) == lib.decode_mont_points(raw, width, False, threads) == points
        if g2:
            assert lib.repack_mont_points(raw[: 200 * 128], 4, True, threads) == packed[: 200 * 128]
    item = 32 * width
    for bad in (0, n // 3, n - 2):  # off the curve, and a later bad point too: the first one is named
        broken = bytearray(raw)
        broken[bad * item + item - 32 : bad * item + item] = (5).to_bytes(32, "little")
        broken[(n - 1) * item + item - 32 : n * item] = (5).to_bytes(32, "little")
        for threads in (1, 2, 4):
            with pytest.raises(ValueError) as err:
                lib.repack_mont_points(bytes(broken), width, False, threads)
            assert err.value.args == ("point is not on its curve (or has a coordinate >= q)", bad)
    big = bytearray(raw)
    big[5 * item : 5 * item + 32] = Q.to_bytes(32, "little")
    with pytest.raises(ValueError) as err:
        lib.repack_mont_points(bytes(big), width, False, 2)
    assert err.value.args[1] == 5
    if g2:
        outside = bytearray(raw[: 300 * 128])
        outside[250 * 128 : 251 * 128] = _mont_bytes([_twist_point_outside_g2()], True)
        assert lib.repack_mont_points(bytes(outside), 4, False, 2)  # on the twist: fine without the test
        for threads in (1, 2, 4):
            with pytest.raises(ValueError) as err:
                lib.repack_mont_points(bytes(outside), 4, True, threads)
            assert err.value.args == ("point is on the twist but outside the order-r subgroup G2", 250)
    with pytest.raises(ValueError, match="width"):
        lib.repack_mont_points(raw[:-1], width, False, 1)


def _random_coefficients(rng: random.Random, n_vars: int, domain: int, count: int) -> bytes:
    out = bytearray()
    for _ in range(count):
        value = rng.choice([0, 1, R - 1, rng.randrange(R)])
        out += struct.pack("<III", rng.randrange(2), rng.randrange(domain), rng.randrange(n_vars))
        out += (value * pow(2, 512, R) % R).to_bytes(32, "little")
    return bytes(out)


@needs_native
def test_zkey_rows_match_the_reference() -> None:
    base = zk.zkey_from_bytes(snarkjs_chain()[1].read_bytes())
    witness = circuit()[2]
    assert zkey_rows(base, witness) == zkey_rows_python(base, witness)
    assert all(isinstance(row, PackedScalars) for row in zkey_rows(base, witness))
    rng = random.Random(7)
    for n_vars, domain, count in ((1, 1, 1), (9, 16, 200), (40, 64, 3000)):
        raw = _random_coefficients(rng, n_vars, domain, count)
        coefs = zk.Coefficients(raw)
        z = replace(base, n_vars=n_vars, domain_size=domain, coefs=coefs)
        w = [rng.choice([0, 1, R - 1, rng.randrange(R)]) for _ in range(n_vars)]
        fast = zkey_rows(z, w)
        assert list(fast[0]) == zkey_rows_python(z, w)[0]
        assert fast == zkey_rows_python(replace(z, coefs=tuple(coefs)), w)
        assert zkey_rows(z, PackedScalars(native().pack(w, 1))) == fast
        assert native().zkey_coefs_check(raw, n_vars, domain) == -1
        assert native().zkey_coefs_check(raw, n_vars, domain - 1 or 1) in (-1, *range(count))
    with pytest.raises(ValueError, match="witness value"):
        native().zkey_rows(raw, R.to_bytes(32, "little") * 40, 64)
    with pytest.raises(ValueError, match="coefficient"):
        native().zkey_rows(raw, bytes(32 * 39), 64)  # a wire beyond the witness


class _Wire(IntEnum):
    ONE = 1


@needs_native
def test_witness_check_refuses_what_the_reference_refuses() -> None:
    witness = list(circuit()[2])
    z = zk.zkey_from_bytes(snarkjs_chain()[1].read_bytes())
    packed = checked_witness(witness)
    assert isinstance(packed, PackedScalars) and packed == witness and list(packed) == witness
    for bad in (True, -1, R, 1 << 256, "7", 1.0, None):
        w = [*witness[:3], bad, *witness[4:]]
        messages = []
        for pure in (False, True):
            with pytest.raises(InputError) as err:
                if pure:
                    with pure_python():
                        prove_zkey(z, w)
                else:
                    prove_zkey(z, w)
            messages.append(str(err.value))
        assert messages[0] == messages[1] == "witness: wire 3 is not a canonical field element (0 <= x < r)"
    assert checked_witness([*witness[:1], _Wire.ONE, *witness[2:]]) == [witness[0], 1, *witness[2:]]


@needs_native
def test_native_and_pure_zkey_provers_give_the_same_proof() -> None:
    data = snarkjs_chain()[1].read_bytes()
    witness = circuit()[2]
    fast_key, ref_key = _both(data)
    fast_w = checked_witness(witness)
    fast = prove_from_rows(fast_key.proving_key(), fast_w, *zkey_rows(fast_key, fast_w), blinding=PINNED)
    with pure_python():
        ref = prove_from_rows(ref_key.proving_key(), witness, *zkey_rows(ref_key, witness), blinding=PINNED)
    assert fast == ref
    public = witness[1 : 1 + fast_key.n_public]
    assert verify(fast_key.verifying_key, public, prove_zkey(fast_key, witness))


@needs_native
def test_packed_sequences_behave_like_their_tuples() -> None:
    z = zk.zkey_from_bytes(snarkjs_chain()[1].read_bytes())
    coefs = z.coefs
    as_tuple = tuple(coefs)
    assert isinstance(coefs, zk.Coefficients)
    assert len(coefs) == len(as_tuple) and coefs[0] == as_tuple[0] and coefs[-1] == as_tuple[-1]
    assert coefs[1:4] == as_tuple[1:4] and coefs == as_tuple and as_tuple == coefs
    assert pickle.loads(pickle.dumps(coefs)) == coefs and hash(pickle.loads(pickle.dumps(coefs))) == hash(coefs)
    with pytest.raises(IndexError):
        coefs[len(coefs)]
    with pytest.raises(ValueError):
        zk.Coefficients(b"x")
    scalars = PackedScalars(native().pack([1, 2, R - 1], 1))
    assert list(scalars) == [1, 2, R - 1] and scalars[-1] == R - 1 and scalars[:2] == [1, 2] and len(scalars) == 3
    assert scalars == [1, 2, R - 1] and scalars != [1, 2] and hash(scalars) == hash(PackedScalars(scalars.buf))
    with pytest.raises(IndexError):
        scalars[3]
    with pytest.raises(ValueError):
        PackedScalars(b"x")
    assert pickle.loads(pickle.dumps(z)) == z  # pool workers get a usable copy
