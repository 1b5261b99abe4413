"""The native constraint encoder (``_witness.encode_lcs``) against the plain-Python writers.

``.r1cs`` constraint sections and ``R1CS.digest`` must come out byte for byte as the reference loops
write them (the reader parses them back independently), on ordinary systems, across chunk boundaries,
and on the values the C side must not encode itself (out-of-range wires, coefficients >= r or
negative, non-dict sides): those fall back to the reference, which raises or reduces as before.
"""

from __future__ import annotations

import random

import pytest

from zkyield._native import lc_codec, witness_lib
from zkyield._native.lc_codec import encode
from zkyield.errors import FormatError
from zkyield.field import R
from zkyield.formats import r1cs_bin
from zkyield.formats.r1cs_bin import r1cs_to_bytes, read_r1cs
from zkyield.r1cs import R1CS, Constraint

native = pytest.mark.skipif(witness_lib() is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")
EDGE = [1, 2, R - 1, R - 2, 2**30 - 1, 2**30, 2**60, 2**64 - 1, 2**64, 2**128 + 7, 2**253, R // 3]


def _system(seed: int, n_constraints: int = 300, n_wires: int = 500) -> R1CS:
    rng = random.Random(seed)

    def lc() -> dict[int, int]:
        wires = rng.sample(range(n_wires), rng.choice([0, 1, 2, 5, 40]))  # insertion order unsorted
        return {w: rng.choice([*EDGE, rng.randrange(1, R)]) for w in wires}

    return R1CS(n_wires, 2, 1, 3, [Constraint(lc(), lc(), lc()) for _ in range(n_constraints)])


@native
@pytest.mark.parametrize("seed", range(4))
def test_native_section_and_digest_match_the_reference(seed: int) -> None:
    r1cs = _system(seed)
    section = r1cs_bin._constraints_section(r1cs)
    assert section == r1cs_bin._constraints_section_reference(r1cs)
    assert r1cs._compute_digest() == r1cs._compute_digest_reference()
    assert read_r1cs(r1cs_to_bytes(r1cs)).constraints == r1cs.constraints  # the reader agrees, independently


@native
def test_chunks_join_to_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    r1cs = _system(7, n_constraints=50)
    whole: list[bytes] = []
    assert encode(r1cs.constraints, r1cs.n_wires, False, whole.append)
    monkeypatch.setattr(lc_codec, "CHUNK", 7)
    parts: list[bytes] = []
    assert encode(r1cs.constraints, r1cs.n_wires, False, parts.append)
    assert len(parts) == 8 and b"".join(parts) == b"".join(whole)
    assert r1cs._compute_digest() == r1cs._compute_digest_reference()


@native
@pytest.mark.parametrize("side", [{7: 1}, {1: R}, {1: -1}, {True: 1}, {1: True}])
def test_terms_the_native_encoder_refuses_fall_back_to_the_reference(side: dict) -> None:
    r1cs = R1CS(7, 1, 0, 0, [Constraint({1: 1}, {2: 1}, {3: 1}), Constraint({1: 1}, side, {})])
    assert not encode(r1cs.constraints, r1cs.n_wires, False, lambda _b: None)
    if 7 in side or R in side.values() or -1 in side.values():
        with pytest.raises(FormatError, match="constraint 1 B"):
            r1cs_to_bytes(r1cs)
    # the digest reduces coefficients mod r: the fallback keeps that meaning
    assert r1cs._compute_digest() == r1cs._compute_digest_reference()


@native
def test_zero_coefficients_are_skipped_by_the_digest_as_by_the_reference() -> None:
    with_zero = R1CS(4, 1, 0, 0, [Constraint({1: 1, 2: 0}, {2: 5}, {0: 0})])
    without = R1CS(4, 1, 0, 0, [Constraint({1: 1}, {2: 5}, {})])
    assert with_zero._compute_digest() == with_zero._compute_digest_reference() == without._compute_digest()


def test_pure_python_switch_turns_the_encoder_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZKYIELD_PURE_PYTHON", "1")
    r1cs = _system(3, n_constraints=5)
    assert not encode(r1cs.constraints, r1cs.n_wires, True, lambda _b: None)
    assert r1cs._compute_digest() == r1cs._compute_digest_reference()


@native
def test_a_side_repeated_in_and_across_constraints_is_written_as_the_reference_writes_it() -> None:
    """The encoder copies the bytes of a side it wrote a moment ago (a Poseidon S-box names its input
    three times): shared dicts, one repeated after four others, and one with a zero or a non-canonical
    term (the whole system then falls back) must all come out as the reference writes them."""
    rng = random.Random(5)
    shared = [{w: rng.randrange(R) for w in rng.sample(range(1, 300), 30)} for _ in range(6)]
    shared.append({3: 0, 9: 1})
    cons = []
    for i in range(200):
        x, y = shared[i % 7], shared[(i * 3) % 7]
        cons.append(Constraint(x, x if i % 2 else y, shared[(i + 5) % 7]))
    r1cs = R1CS(300, 1, 1, 1, cons)
    assert r1cs_bin._constraints_section(r1cs) == r1cs_bin._constraints_section_reference(r1cs)
    assert r1cs._compute_digest() == r1cs._compute_digest_reference()
    bad = R1CS(300, 1, 1, 1, [*cons[:3], Constraint(shared[0], {1: R + 1}, shared[0])])
    assert not encode(bad.constraints, bad.n_wires, False, lambda _b: None)


@native
def test_digest_terms_of_a_section_larger_than_one_hand_over_match_the_reference() -> None:
    """``r1cs_digest_terms`` parses about 1 MiB at a time without the GIL: 3,000 constraints of 40-term
    sides make ~14 MiB of digest bytes, handed over in pieces that must join to the reference's."""
    rng = random.Random(9)
    lc = [{w: rng.randrange(R) for w in rng.sample(range(1, 2000), 40)} for _ in range(50)]
    r1cs = R1CS(2000, 1, 1, 1, [Constraint(lc[i % 50], lc[(i + 1) % 50], lc[(i + 7) % 50]) for i in range(3000)])
    section = r1cs_bin._constraints_section_reference(r1cs)
    got: list[bytes] = []
    assert witness_lib().r1cs_digest_terms(section, 3000, 2000, got.append)
    assert len(got) > 10
    want: list[bytes] = []
    assert encode(r1cs.constraints, r1cs.n_wires, True, want.append)
    assert b"".join(got) == b"".join(want)
    assert not witness_lib().r1cs_digest_terms(section[:-1], 3000, 2000, got.append)


@native
def test_digest_terms_from_the_encoding_pass_are_what_the_section_parses_to() -> None:
    """``encode_lcs(..., slot_map, True)`` writes a piece of the ``.r1cs`` section and R1CS.digest's bytes
    of the same terms in one pass (how a compiled circuit takes its id): they must equal the section
    written by the reference and its digest bytes parsed back by ``r1cs_digest_terms``, with sides
    repeated (copied), a zero coefficient (kept in the file, skipped by the digest), unsorted slots and an
    empty range; a variable without a slot is still refused."""
    rng = random.Random(11)
    n_vars, n_wires = 400, 350
    slots = list(range(n_vars))
    rng.shuffle(slots)  # builder variable -> slot: a permutation, some slots past the wires
    slot_map = b"".join(s.to_bytes(4, "little") for s in slots)
    wired = [v for v in range(n_vars) if slots[v] < n_wires]
    shared = [{v: rng.randrange(1, R) for v in rng.sample(wired, k)} for k in (1, 3, 30, 30, 60)]
    shared.append({wired[0]: 0, wired[1]: 5})
    cons = [(shared[i % 6], shared[i % 6] if i % 3 else shared[(i + 2) % 6], shared[(i * 5) % 6]) for i in range(90)]
    lib = witness_lib()
    piece, terms = lib.encode_lcs(cons, 0, len(cons), n_wires, False, slot_map, True)
    assert piece == lib.encode_lcs(cons, 0, len(cons), n_wires, False, slot_map)
    renumbered = R1CS(n_wires, 1, 1, 1, [Constraint(*({slots[v]: k for v, k in lc.items()} for lc in con))
                                         for con in cons])
    assert piece == r1cs_bin._constraints_section_reference(renumbered)
    parsed: list[bytes] = []
    assert lib.r1cs_digest_terms(piece, len(cons), n_wires, parsed.append)
    assert terms == b"".join(parsed)
    assert lib.encode_lcs(cons, 5, 5, n_wires, False, slot_map, True) == (b"", b"")
    unslotted = [v for v in range(n_vars) if slots[v] >= n_wires][0]
    assert lib.encode_lcs([({unslotted: 1}, {}, {})], 0, 1, n_wires, False, slot_map, True) is None
    with pytest.raises(ValueError, match="slot map"):
        lib.encode_lcs(cons, 0, 1, n_wires, True, slot_map, True)
