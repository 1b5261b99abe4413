""".ptau reading and phase-1 checks against files made by snarkjs (never downloaded).

References: snarkjs's own decoding (``powersoftau export json``) for every point kind, snarkjs's
Lagrange sections for our group NTT; hostile files must fail with one-line FormatErrors.
"""

from __future__ import annotations

import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.ceremony import POWER, ffjs_ptau_points, snarkjs_ptau
from zkyield.ceremony.phase1 import check_powers, group_lagrange, read_powers
from zkyield.ceremony.rng import ChaCha, fq2_sqrt
from zkyield.curve import G2_B, fq2_add, fq2_mul, fq2_sqr, g2_in_subgroup
from zkyield.errors import FormatError, VerificationError
from zkyield.field import Q
from zkyield.formats import ptau as pt
from zkyield.formats.binio import read_container


@pytest.fixture(scope="module")
def prepared():
    return snarkjs_ptau()[1]


def _section(data: bytes, section: int) -> int:
    """Byte offset of a section's content."""
    return read_container(data, pt.MAGIC, pt.VERSION, "t").sections[section][0][0]


def test_header_and_prepared_flag(prepared):
    p = pt.read_ptau(prepared)
    assert (p.power, p.ceremony_power, p.prepared) == (POWER, POWER, True)
    assert p.contribution_count() == 1
    assert pt.read_ptau(snarkjs_ptau()[0]).prepared is False


def test_points_match_ffjavascript_decoding(prepared):
    spec = [
        (pt.SECTION_TAU_G1, 0, 9, "G1"),
        (pt.SECTION_TAU_G2, 0, 4, "G2"),
        (pt.SECTION_ALPHA_TAU_G1, 0, 5, "G1"),
        (pt.SECTION_BETA_TAU_G1, 3, 5, "G1"),
        (pt.SECTION_BETA_G2, 0, 1, "G2"),
        (pt.SECTION_LAGRANGE_TAU_G1, 7, 8, "G1"),
        (pt.SECTION_LAGRANGE_TAU_G2, 3, 4, "G2"),
    ]
    ref = ffjs_ptau_points(prepared, spec)
    p = pt.read_ptau(prepared)
    assert p.tau_g1(0, 9) == ref["2:0"]
    assert p.tau_g2(0, 4) == ref["3:0"]
    assert p.alpha_tau_g1(0, 5) == ref["4:0"]
    assert p.beta_tau_g1(3, 5) == ref["5:3"]
    assert [p.beta_g2()] == ref["6:0"]
    assert p.lagrange(pt.SECTION_LAGRANGE_TAU_G1, 8) == ref["12:7"]
    assert p.lagrange(pt.SECTION_LAGRANGE_TAU_G2, 4) == ref["13:3"]


def test_encoders_round_trip_file_bytes(prepared):
    data = prepared.read_bytes()
    p = pt.read_ptau(data)
    off1, off2 = _section(data, pt.SECTION_TAU_G1), _section(data, pt.SECTION_TAU_G2)
    assert b"".join(map(pt.encode_g1, p.tau_g1(0, 4))) == data[off1 : off1 + 4 * pt.G1_BYTES]
    assert b"".join(map(pt.encode_g2, p.tau_g2(0, 2))) == data[off2 : off2 + 2 * pt.G2_BYTES]


@pytest.mark.parametrize("size", [2, 8])
def test_group_ntt_equals_snarkjs_lagrange_sections(prepared, size):
    p = pt.read_ptau(prepared)
    assert group_lagrange(p.tau_g1(0, size), g2=False) == p.lagrange(pt.SECTION_LAGRANGE_TAU_G1, size)
    assert group_lagrange(p.alpha_tau_g1(0, size), g2=False) == p.lagrange(
        pt.SECTION_LAGRANGE_ALPHA_TAU_G1, size
    )
    if size == 2:
        assert group_lagrange(p.tau_g2(0, size), g2=True) == p.lagrange(pt.SECTION_LAGRANGE_TAU_G2, size)


def test_check_powers_accepts_snarkjs_file(prepared):
    check_powers(read_powers(pt.read_ptau(prepared), 8))


def _swap_points(data: bytes, section: int, i: int, j: int, size: int) -> bytes:
    out = bytearray(data)
    base = _section(data, section)
    a, b = base + i * size, base + j * size
    out[a : a + size], out[b : b + size] = data[b : b + size], data[a : a + size]
    return bytes(out)


@pytest.mark.parametrize(
    ("section", "i", "j", "size"),
    [
        (pt.SECTION_TAU_G1, 3, 4, pt.G1_BYTES),
        (pt.SECTION_TAU_G1, 0, 1, pt.G1_BYTES),
        (pt.SECTION_TAU_G2, 2, 3, pt.G2_BYTES),
        (pt.SECTION_ALPHA_TAU_G1, 1, 5, pt.G1_BYTES),
        (pt.SECTION_BETA_TAU_G1, 6, 7, pt.G1_BYTES),
    ],
)
def test_check_powers_rejects_swapped_powers(prepared, section, i, j, size):
    bad = pt.read_ptau(_swap_points(prepared.read_bytes(), section, i, j, size))
    with pytest.raises(VerificationError):
        check_powers(read_powers(bad, 8))


def test_check_powers_rejects_foreign_beta_g2(prepared):
    data = bytearray(prepared.read_bytes())
    off = _section(bytes(data), pt.SECTION_BETA_G2)
    data[off : off + pt.G2_BYTES] = pt.encode_g2(pt.read_ptau(prepared).tau_g2(1, 1)[0])
    with pytest.raises(VerificationError):
        check_powers(read_powers(pt.read_ptau(bytes(data)), 4))


# --- hostile files --------------------------------------------------------------------------------


def _with_header(data: bytes, power: int | None = None, q: int | None = None) -> bytes:
    out = bytearray(data)
    off = _section(data, pt.SECTION_HEADER)
    if q is not None:
        out[off + 4 : off + 36] = q.to_bytes(32, "little")
    if power is not None:
        struct.pack_into("<II", out, off + 36, power, power)
    return bytes(out)


def test_huge_power_claim_is_refused_before_allocation(prepared):
    data = prepared.read_bytes()
    for power in (20, 28, 40):
        start = time.perf_counter()
        with pytest.raises(FormatError, match="power|section"):
            pt.read_ptau(_with_header(data, power=power))
        assert time.perf_counter() - start < 0.5


def test_other_curve_is_refused(prepared):
    with pytest.raises(FormatError, match="another curve"):
        pt.read_ptau(_with_header(prepared.read_bytes(), q=Q - 2))


@pytest.mark.parametrize("cut", [0, 11, 40, 1000, -1])
def test_truncated_file_is_refused(prepared, cut):
    data = prepared.read_bytes()
    with pytest.raises(FormatError):
        pt.read_ptau(data[:cut])


def test_trailing_bytes_and_bad_magic_are_refused(prepared):
    data = prepared.read_bytes()
    with pytest.raises(FormatError, match="after the last section"):
        pt.read_ptau(data + b"\0")
    with pytest.raises(FormatError, match="magic"):
        pt.read_ptau(b"zkey" + data[4:])


def _patch_point(data: bytes, section: int, index: int, raw: bytes) -> bytes:
    out = bytearray(data)
    off = _section(data, section) + index * len(raw)
    out[off : off + len(raw)] = raw
    return bytes(out)


def test_non_canonical_coordinate_is_refused(prepared):
    raw = Q.to_bytes(32, "little") + bytes(32)
    bad = pt.read_ptau(_patch_point(prepared.read_bytes(), pt.SECTION_TAU_G1, 2, raw))
    with pytest.raises(FormatError, match=r"tauG1\[2\].*canonical"):
        bad.tau_g1(0, 4)


def test_off_curve_point_is_refused(prepared):
    p = pt.read_ptau(prepared).tau_g1(2, 1)[0]
    raw = pt.encode_g1((p[0], (p[1] + 1) % Q))
    with pytest.raises(FormatError, match="not on the BN254 G1 curve"):
        pt.read_ptau(_patch_point(prepared.read_bytes(), pt.SECTION_TAU_G1, 2, raw)).tau_g1(0, 4)


def _twist_point_outside_g2():
    """A point on the twist that is not in G2 (hashed x, no cofactor clearing)."""
    rng = ChaCha([7] * 8)
    while True:
        x = (rng.next_u32(), rng.next_u32())
        y = fq2_sqrt(fq2_add(fq2_mul(fq2_sqr(x), x), G2_B))
        if y is not None and not g2_in_subgroup((x, y)):
            return (x, y)


def test_g2_point_outside_subgroup_is_refused(prepared):
    raw = pt.encode_g2(_twist_point_outside_g2())
    bad = pt.read_ptau(_patch_point(prepared.read_bytes(), pt.SECTION_TAU_G2, 1, raw))
    with pytest.raises(FormatError, match="outside the order-r subgroup"):
        bad.tau_g2(0, 2)


def test_request_beyond_the_file_is_refused(prepared):
    p = pt.read_ptau(prepared)
    with pytest.raises(FormatError, match="larger ptau"):
        p.tau_g2(0, (1 << POWER) + 1)
    with pytest.raises(FormatError, match="not prepared"):
        pt.read_ptau(snarkjs_ptau()[0]).lagrange(pt.SECTION_LAGRANGE_TAU_G1, 4)


_fuzz_count = {"tried": 0, "rejected": 0}


@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_ptau_fails_cleanly(prepared, data):
    """Random truncations and byte overwrites: a valid read or a FormatError, nothing else."""
    raw = bytearray(prepared.read_bytes())
    if data.draw(st.booleans(), label="truncate"):
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), label="cut")]
    else:
        pos = data.draw(st.integers(0, min(len(raw) - 1, 3000)), label="pos")
        patch = data.draw(st.binary(min_size=1, max_size=8), label="patch")
        raw[pos : pos + len(patch)] = patch
    _fuzz_count["tried"] += 1
    try:
        p = pt.read_ptau(bytes(raw))
        p.tau_g1(0, 8)
        p.tau_g2(0, 2)
        p.lagrange(pt.SECTION_LAGRANGE_TAU_G1, 2)
    except FormatError as e:
        _fuzz_count["rejected"] += 1
        assert "\n" not in str(e)
    print(f"ptau fuzz: {_fuzz_count['tried']} inputs tried, {_fuzz_count['rejected']} rejected")


# --- G2 points outside G2 with the right G2 part: only a subgroup test (or a batched check) sees them ---


def _shifted_g2(data: bytes, section: int, index: int, ell: int) -> bytes:
    """The ptau with G2 point ``index`` of ``section`` moved by a twist point of prime order ell | 2q - r."""
    import random

    from tests.test_curve import _order_l_point
    from zkyield.curve import g2_add

    p = pt.read_ptau(data)
    offset, _ = p.box.sections[section][0]
    point = pt.decode_g2(data, offset + index * pt.G2_BYTES, "t")
    moved = g2_add(point, _order_l_point(random.Random(index), ell))
    return _patch_point(data, section, index, pt.encode_g2(moved))


def test_tau_g2_with_a_small_order_component_is_refused_by_the_subgroup_test(prepared):
    """τ·G2 anchors every G1 power; its G2 part is right, so only the subgroup test refuses it."""
    from tests.test_curve import COFACTOR_PRIMES

    bad = pt.read_ptau(_shifted_g2(prepared.read_bytes(), pt.SECTION_TAU_G2, 1, COFACTOR_PRIMES[0]))
    with pytest.raises(FormatError, match=r"tauG2\[1\].*subgroup"):
        bad.tau_g2(0, 4)
    with pytest.raises(VerificationError, match="not in the subgroup G2"):
        check_powers(read_powers(bad, 8))


@pytest.mark.parametrize(
    ("section", "all_g2"),
    [(pt.SECTION_TAU_G2, True), (pt.SECTION_LAGRANGE_TAU_G2, True), (pt.SECTION_LAGRANGE_TAU_G2, False)],
)
def test_prover_only_g2_points_outside_g2_are_caught_by_the_batched_checks(prepared, section, all_g2):
    """τ^3·G2 or a G2 Lagrange point are read on the twist only; the κ sums / the Lagrange MSM refuse them
    (the G2 basis checked against the G2 powers, or, as ``ceremony new`` does, against the τ·G1 basis)."""
    from tests.test_curve import COFACTOR_PRIMES
    from zkyield.ceremony.phase1 import _bases

    index = 3 if section == pt.SECTION_TAU_G2 else 8 - 1 + 2  # the size-8 basis starts at point 7
    bad = pt.read_ptau(_shifted_g2(prepared.read_bytes(), section, index, COFACTOR_PRIMES[-1]))
    powers = read_powers(bad, 8, all_g2=all_g2)
    with pytest.raises(VerificationError, match="subgroup G2|Lagrange section 13"):
        check_powers(powers)
        _bases(bad, powers, lambda _msg: None)


@pytest.mark.parametrize(
    "section",
    [pt.SECTION_LAGRANGE_TAU_G1, pt.SECTION_LAGRANGE_TAU_G2, pt.SECTION_LAGRANGE_ALPHA_TAU_G1,
     pt.SECTION_LAGRANGE_BETA_TAU_G1],
)
def test_new_zkey_refuses_a_lagrange_section_with_two_points_swapped(prepared, section):
    """Each Lagrange section ``ceremony new`` reads must be the transform of the checked powers (the G2 one is
    tied to the τ·G1 basis, since only τ^0, τ^1 of G2 are read): swapping two points of the size-8 basis
    (which starts at point 7 of each section) is refused and named."""
    from tests.support.r1cs_samples import chained_multiplications
    from zkyield.ceremony.phase1 import new_zkey

    size = pt.G2_BYTES if section == pt.SECTION_LAGRANGE_TAU_G2 else pt.G1_BYTES
    bad = pt.read_ptau(_swap_points(prepared.read_bytes(), section, 7 + 2, 7 + 5, size))
    r1cs, _ = chained_multiplications(1, 4)  # 4 constraints + 1 public: domain 8
    new_zkey(r1cs, pt.read_ptau(prepared))  # the untouched file is accepted
    with pytest.raises(VerificationError, match=f"Lagrange section {section} "):
        new_zkey(r1cs, bad)
