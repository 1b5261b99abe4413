"""The .r1cs reader/writer against circom2's output and snarkjs's own reader, and every refusal."""

from __future__ import annotations

import contextlib
import json
import struct
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.formats import (
    CIRCUIT_INPUTS,
    FIXTURES,
    SORTED_BY_CIRCOM,
    build_circuit,
    join_sections,
    replace_section,
    section,
    snarkjs_info,
    split_sections,
)
from tests.support.tools import compile_circom, run_snarkjs
from zkyield.errors import ConstraintError, FormatError, ZkyieldError
from zkyield.field import R
from zkyield.formats.r1cs_bin import r1cs_to_bytes, read_r1cs, read_r1cs_with_header, write_r1cs
from zkyield.formats.wtns_bin import read_wtns
from zkyield.r1cs import R1CS, Constraint

# BLS12-381 scalar field (the other prime circom supports with --prime bls12381).
BLS12_381_R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
GOLDILOCKS = 2**64 - 2**32 + 1


@pytest.fixture(scope="module")
def mult(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_circuit("multiplier2", tmp_path_factory).r1cs.read_bytes()


def _header(n_wires: int = 5, pub_out: int = 1, pub_in: int = 2, prv_in: int = 0, n_labels: int = 5,
            m: int = 0, prime: int = R, n8: int = 32) -> bytes:
    return struct.pack("<I", n8) + prime.to_bytes(n8, "little") + struct.pack(
        "<IIIIQI", n_wires, pub_out, pub_in, prv_in, n_labels, m
    )


def _lc(*factors: tuple[int, int]) -> bytes:
    return struct.pack("<I", len(factors)) + b"".join(struct.pack("<I", w) + c.to_bytes(32, "little")
                                                      for w, c in factors)


def _file(header: bytes, constraints: bytes = b"", labels: bytes | None = None, extra=()) -> bytes:
    sections = [(1, header), (2, constraints), *extra]
    if labels is not None:
        sections.append((3, labels))
    return join_sections(b"r1cs", 1, sections)


def _canonical_circom(raw: bytes) -> bytes:
    """circom's file with each linear combination's factors sorted by wire id (test-side normaliser)."""
    n_constraints = struct.unpack_from("<I", section(raw, 1), 36 + 16 + 8)[0]
    body, pos, out = section(raw, 2), 0, bytearray()
    for _ in range(3 * n_constraints):
        (n,) = struct.unpack_from("<I", body, pos)
        factors = [body[pos + 4 + 36 * k : pos + 40 + 36 * k] for k in range(n)]
        out += struct.pack("<I", n) + b"".join(sorted(factors, key=lambda f: struct.unpack_from("<I", f)[0]))
        pos += 4 + 36 * n
    return replace_section(raw, 2, bytes(out))


def _export_json(path) -> dict:
    out = path.with_suffix(".export.json")
    run_snarkjs("r1cs", "export", "json", path, out)
    return json.loads(out.read_text())


# --- against circom2 / snarkjs ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CIRCUIT_INPUTS))
def test_circom_r1cs_matches_snarkjs_counts_and_its_witness_satisfies_it(name, tmp_path_factory):
    built = build_circuit(name, tmp_path_factory)
    r1cs, header = read_r1cs_with_header(built.r1cs)
    info = snarkjs_info(built.r1cs)
    counts = (r1cs.n_wires, r1cs.n_constraints, header.n_labels)
    assert counts == (info["Wires"], info["Constraints"], info["Labels"])
    assert (r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in) == (
        info["Outputs"], info["Public Inputs"], info["Private Inputs"]
    )
    witness = read_wtns(built.wtns)
    r1cs.check(witness)
    tampered = list(witness)
    tampered[-1] = (tampered[-1] + 1) % R
    with pytest.raises(ConstraintError):
        r1cs.check(tampered)


@pytest.mark.parametrize("name", SORTED_BY_CIRCOM)
def test_rewrite_is_byte_identical_to_circom(name, tmp_path_factory, tmp_path):
    raw = build_circuit(name, tmp_path_factory).r1cs.read_bytes()
    r1cs, header = read_r1cs_with_header(raw)
    assert r1cs_to_bytes(r1cs, header.n_labels) == raw
    write_r1cs(r1cs, tmp_path / "out.r1cs", header.n_labels)
    assert (tmp_path / "out.r1cs").read_bytes() == raw


def test_rewrite_of_substituted_circuit_equals_circom_after_sorting(tmp_path_factory, tmp_path):
    """circom 2.2.3 leaves some linear combinations out of wire order after substitution; we sort them."""
    built = build_circuit("poseidon_mix", tmp_path_factory)
    raw = built.r1cs.read_bytes()
    r1cs, header = read_r1cs_with_header(raw)
    ours = r1cs_to_bytes(r1cs, header.n_labels)
    assert header.n_labels > r1cs.n_wires
    assert ours == _canonical_circom(raw)
    write_r1cs(r1cs, tmp_path / "ours.r1cs", header.n_labels)
    assert _export_json(tmp_path / "ours.r1cs") == _export_json(built.r1cs)


@pytest.mark.parametrize("name", sorted(CIRCUIT_INPUTS))
def test_snarkjs_reads_our_r1cs_as_circoms(name, tmp_path_factory, tmp_path):
    built = build_circuit(name, tmp_path_factory)
    r1cs, header = read_r1cs_with_header(built.r1cs)
    write_r1cs(r1cs, tmp_path / "ours.r1cs", header.n_labels)
    assert snarkjs_info(tmp_path / "ours.r1cs") == snarkjs_info(built.r1cs)
    if name != "poseidon_mix":  # covered above
        assert _export_json(tmp_path / "ours.r1cs") == _export_json(built.r1cs)


# Random systems: snarkjs's reader must see exactly the constraints we meant.
_coef = st.one_of(st.integers(0, 3), st.integers(R - 3, R - 1), st.integers(0, R - 1))


@st.composite
def r1cs_systems(draw) -> R1CS:
    n_wires = draw(st.integers(1, 12))
    pub_out = draw(st.integers(0, n_wires - 1))
    pub_in = draw(st.integers(0, n_wires - 1 - pub_out))
    prv_in = draw(st.integers(0, n_wires - 1 - pub_out - pub_in))
    lc = st.dictionaries(st.integers(0, n_wires - 1), _coef, max_size=4)
    constraints = draw(st.lists(st.builds(Constraint, lc, lc, lc), max_size=6))
    labels = draw(st.one_of(st.none(), st.lists(st.integers(0, 40), min_size=n_wires, max_size=n_wires)))
    return R1CS(n_wires, pub_out, pub_in, prv_in, constraints, wire_labels=labels)


def _lcs_as_snarkjs(r1cs: R1CS) -> list:
    return [[{str(w): str(lc[w]) for w in sorted(lc)} for lc in (c.a, c.b, c.c)] for c in r1cs.constraints]


@given(r1cs_systems())
def test_random_r1cs_round_trips(r1cs):
    back, header = read_r1cs_with_header(r1cs_to_bytes(r1cs))
    assert back.constraints == r1cs.constraints
    assert (back.n_wires, back.n_pub_out, back.n_pub_in, back.n_prv_in) == (
        r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in
    )
    assert back.wire_labels == (r1cs.wire_labels or list(range(r1cs.n_wires)))
    assert header.n_labels == max(back.wire_labels) + 1


@settings(max_examples=4)
@given(r1cs_systems())
def test_random_r1cs_read_identically_by_snarkjs(tmp_path_factory, r1cs):
    path = tmp_path_factory.mktemp("random") / "r.r1cs"
    write_r1cs(r1cs, path)
    exported = _export_json(path)
    assert exported["constraints"] == _lcs_as_snarkjs(r1cs)
    assert exported["map"] == (r1cs.wire_labels or list(range(r1cs.n_wires)))
    assert (exported["nVars"], exported["nOutputs"], exported["nPubInputs"], exported["nPrvInputs"]) == (
        r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in
    )


# --- layout details --------------------------------------------------------------------------------


def test_sections_in_any_order_and_unknown_sections_are_accepted(mult):
    magic, version, sections = split_sections(mult)
    reordered = join_sections(magic, version, [(99, b"future"), *sorted(sections)])
    assert read_r1cs(reordered) == read_r1cs(mult)


def test_missing_wire_map_reads_with_no_labels():
    r1cs = read_r1cs(_file(_header(), b""))
    assert r1cs.wire_labels is None and r1cs.n_wires == 5


def test_custom_gate_circuits_are_refused(tmp_path):
    path = compile_circom((FIXTURES / "custom_gates.circom").read_text(), tmp_path, "custom_gates")
    assert {t for t, _ in split_sections(path.read_bytes())[2]} >= {4, 5}
    with pytest.raises(FormatError, match="custom gates"):
        read_r1cs(path)


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: b"wtns" + raw[4:], "bad magic"),
        (lambda raw: raw[:4] + struct.pack("<I", 2) + raw[8:], "version 2"),
        (lambda raw: raw[:8] + struct.pack("<I", 2**32 - 1) + raw[12:], "sections"),
        (lambda raw: raw[:8] + struct.pack("<I", 4) + raw[12:], "truncated before section"),
        (lambda raw: raw + b"\0", "after the last section"),
        (lambda raw: raw[:7], "too short"),
    ],
)
def test_container_damage_is_refused(mult, mutate, message):
    with pytest.raises(FormatError, match=message):
        read_r1cs(mutate(mult))


@pytest.mark.parametrize(("prime", "n8"), [(BLS12_381_R, 32), (GOLDILOCKS, 8), (R + 2, 32)])
def test_other_primes_are_refused_naming_the_prime(mult, prime, n8):
    header = section(mult, 1)
    bad = struct.pack("<I", n8) + prime.to_bytes(n8, "little") + header[36:]
    with pytest.raises(FormatError, match=rf"r1cs: circuit is for prime {prime}, zkyield supports BN254 r"):
        read_r1cs(replace_section(mult, 1, bad))


@pytest.mark.parametrize(
    ("header", "constraints", "labels", "message"),
    [
        (_header() + b"\0\0\0\0", b"", None, "header section has 4 unexpected trailing bytes"),
        (_header()[:-2], b"", None, r"truncated at header mConstraints \(4 bytes needed, 2 left\)"),
        (_header(n_wires=3), b"", None, "fewer than 1"),
        (_header(m=1), _lc((0, 1)) + _lc() + _lc() + b"\0", None, "constraints section has 1 unexpected"),
        (_header(m=5), _lc((0, 1)) + _lc() + _lc(), None, "mConstraints claims 5"),
        (_header(m=1), _lc((5, 1)) + _lc() + _lc(), None, "constraint 0 A uses wire 5 but the circuit has 5"),
        (_header(m=1), _lc() + _lc((1, R)) + _lc(), None, "constraint 0 B: coefficient of wire 1 is not"),
        (_header(m=1), _lc() + _lc() + _lc((1, 2**256 - 1)), None, "constraint 0 C: coefficient"),
        (_header(m=1), _lc((2, 1), (2, 3)) + _lc() + _lc(), None, "lists wire 2 twice"),
        (_header(m=1), struct.pack("<I", 2**32 - 1) + _lc() + _lc(), None, "constraint 0 A factor count"),
        (_header(), b"", struct.pack("<4Q", 0, 1, 2, 3), r"expected 8 per wire \(5\)"),
        (_header(n_labels=4), b"", struct.pack("<5Q", 0, 1, 2, 3, 4), "wire 4 maps to label 4 but nLabels"),
    ],
)
def test_inconsistent_sections_are_refused(header, constraints, labels, message):
    with pytest.raises(FormatError, match=message):
        read_r1cs(_file(header, constraints, labels))


def test_field_size_other_than_32_bytes_is_refused(mult):
    header = section(mult, 1)
    bad = struct.pack("<I", 40) + R.to_bytes(40, "little") + header[36:]
    with pytest.raises(FormatError, match="field elements are 40 bytes, BN254 files use 32"):
        read_r1cs(replace_section(mult, 1, bad))


def test_missing_and_duplicated_sections_are_refused(mult):
    magic, version, sections = split_sections(mult)
    with pytest.raises(FormatError, match="missing header section"):
        read_r1cs(join_sections(magic, version, [s for s in sections if s[0] != 1]))
    with pytest.raises(FormatError, match="missing constraints section"):
        read_r1cs(join_sections(magic, version, [s for s in sections if s[0] != 2]))
    with pytest.raises(FormatError, match="appears 2 times"):
        read_r1cs(join_sections(magic, version, [*sections, sections[0]]))


def test_huge_claimed_counts_are_refused_before_allocating():
    """A 300-byte file claiming 2^32 - 1 wires and constraints costs neither time nor memory."""
    claims = [
        _file(_header(n_wires=2**32 - 1, m=2**32 - 1, n_labels=2**64 - 1), b"", b""),
        _file(_header(n_wires=2**32 - 1, n_labels=2**64 - 1), b"", struct.pack("<Q", 0)),
        _file(_header(m=1), struct.pack("<I", 2**32 - 1), None),
    ]
    tracemalloc.start()
    start = time.perf_counter()
    for raw in claims:
        with pytest.raises(FormatError):
            read_r1cs(raw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20 and time.perf_counter() - start < 1.0


def test_every_truncation_is_refused(mult):
    for cut in range(len(mult)):
        with pytest.raises(FormatError):
            read_r1cs(mult[:cut])


def test_unreadable_path_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="missing.r1cs: cannot read file"):
        read_r1cs(tmp_path / "missing.r1cs")


@given(st.data())
def test_mutated_files_fail_only_with_zkyield_errors(mult, data):
    raw = bytearray(mult)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        start = data.draw(st.integers(0, len(raw)))
        raw[start:start] = data.draw(st.binary(min_size=1, max_size=40))
    with contextlib.suppress(ZkyieldError):
        read_r1cs(bytes(raw))


def test_writer_refuses_inconsistent_systems():
    ok = R1CS(3, 1, 0, 0, [Constraint({1: 1}, {2: 1}, {0: 1})])
    assert read_r1cs(r1cs_to_bytes(ok)) == R1CS(3, 1, 0, 0, ok.constraints, wire_labels=[0, 1, 2], n_labels=3)
    for bad in (
        R1CS(3, 1, 0, 0, [Constraint({3: 1}, {}, {})]),
        R1CS(3, 1, 0, 0, [Constraint({}, {1: R}, {})]),
        R1CS(3, 1, 0, 0, [], wire_labels=[0, 1]),
        R1CS(2, 1, 1, 0, []),
    ):
        with pytest.raises(FormatError):
            r1cs_to_bytes(bad)
    with pytest.raises(FormatError, match="n_labels"):
        r1cs_to_bytes(R1CS(3, 1, 0, 0, [], wire_labels=[0, 1, 5]), n_labels=5)


# --- the DSL's simplified circuits, as snarkjs reads them ------------------------------------------


def test_snarkjs_reads_a_simplified_dsl_circuit_with_its_removed_signals_counted_as_labels(tmp_path):
    from zkyield.dsl import Circuit
    from zkyield.formats.wtns_bin import write_wtns

    c = Circuit("main")
    x, y = c.public_input("x"), c.private_input("y")
    t = c.mul(y, y, name="t")
    c.assert_equal(t, x + 5)  # substituted out: t leaves the wires, keeps its label
    c.output("o", c.mul(t, y, name="u"))
    cc = c.compile()
    write_r1cs(cc.r1cs, tmp_path / "c.r1cs")
    info = snarkjs_info(tmp_path / "c.r1cs")
    assert (info["Wires"], info["Constraints"], info["Labels"]) == (cc.n_wires, cc.n_constraints, cc.program.n_slots)
    assert _export_json(tmp_path / "c.r1cs")["constraints"] == _lcs_as_snarkjs(cc.r1cs)
    write_wtns(cc.witness({"x": 4, "y": 3}), tmp_path / "c.wtns")
    assert "WITNESS IS CORRECT" in run_snarkjs("wtns", "check", tmp_path / "c.r1cs", tmp_path / "c.wtns").stdout
    write_wtns(cc.witness({"x": 4, "y": 2}, check=False), tmp_path / "bad.wtns")  # y*y != x + 5
    assert "WITNESS IS CORRECT" not in run_snarkjs("wtns", "check", tmp_path / "c.r1cs", tmp_path / "bad.wtns",
                                                   check=False).stdout


def test_a_streamed_section_that_makes_other_than_its_announced_size_is_refused() -> None:
    """The size goes out before the pieces are made: a stream that disagrees must fail, not end up a
    file whose sections do not parse."""
    from zkyield.formats.binio import StreamedSection, container_pieces

    ok = b"".join(container_pieces(b"r1cs", 1, [(2, StreamedSection(5, iter([b"ab", b"cde"])))]))
    assert ok == b"".join(container_pieces(b"r1cs", 1, [(2, [b"abcde"])]))
    with pytest.raises(FormatError, match="4 bytes made, 5 announced"):
        b"".join(container_pieces(b"r1cs", 1, [(2, StreamedSection(5, iter([b"ab", b"cd"])))]))
