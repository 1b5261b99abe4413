"""The .wtns reader/writer against snarkjs's witness calculator, exporter and checker, and every refusal."""

from __future__ import annotations

import contextlib
import json
import struct
import time
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.formats import CIRCUIT_INPUTS, build_circuit, join_sections, replace_section, section
from tests.support.tools import run_snarkjs
from zkyield.errors import FormatError, ZkyieldError
from zkyield.field import R
from zkyield.formats.r1cs_bin import read_r1cs_with_header, write_r1cs
from zkyield.formats.wtns_bin import read_wtns, write_wtns, wtns_to_bytes

BLS12_381_R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001


@pytest.fixture(scope="module")
def mult_wtns(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return build_circuit("multiplier2", tmp_path_factory).wtns.read_bytes()


def _wtns(values: bytes, n_witness: int, prime: int = R, n8: int = 32, version: int = 2) -> bytes:
    header = struct.pack("<I", n8) + prime.to_bytes(n8, "little") + struct.pack("<I", n_witness)
    return join_sections(b"wtns", version, [(1, header), (2, values)])


def _snarkjs_export(path) -> list[int]:
    out = path.with_suffix(".export.json")
    run_snarkjs("wtns", "export", "json", path, out)
    return [int(v) for v in json.loads(out.read_text())]


def _snarkjs_check(r1cs, wtns) -> bool:
    out = run_snarkjs("wtns", "check", r1cs, wtns, check=False).stdout
    assert "WITNESS IS CORRECT" in out or "WITNESS IS NOT CORRECT" in out, out
    return "WITNESS IS CORRECT" in out


@pytest.mark.parametrize("name", sorted(CIRCUIT_INPUTS))
def test_reads_snarkjs_witness_as_snarkjs_exports_it(name, tmp_path_factory):
    built = build_circuit(name, tmp_path_factory)
    witness = read_wtns(built.wtns)
    assert witness == _snarkjs_export(built.wtns)
    assert witness[0] == 1


@pytest.mark.parametrize("name", sorted(CIRCUIT_INPUTS))
def test_rewrite_is_byte_identical_and_snarkjs_checks_our_files(name, tmp_path_factory, tmp_path):
    built = build_circuit(name, tmp_path_factory)
    raw = built.wtns.read_bytes()
    witness = read_wtns(raw)
    assert wtns_to_bytes(witness) == raw
    r1cs, header = read_r1cs_with_header(built.r1cs)
    write_r1cs(r1cs, tmp_path / "ours.r1cs", header.n_labels)
    write_wtns(witness, tmp_path / "ours.wtns")
    assert _snarkjs_check(tmp_path / "ours.r1cs", tmp_path / "ours.wtns")
    witness[-1] = (witness[-1] + 1) % R
    write_wtns(witness, tmp_path / "bad.wtns")
    assert not _snarkjs_check(tmp_path / "ours.r1cs", tmp_path / "bad.wtns")


@given(st.lists(st.one_of(st.integers(0, 2**64), st.integers(R - 2**64, R - 1)), max_size=20))
def test_random_witness_round_trips(values):
    assert read_wtns(wtns_to_bytes(values)) == values


def test_written_witness_is_read_by_snarkjs(tmp_path):
    values = [1, 0, R - 1, 2**253, 12345678901234567890]
    write_wtns(values, tmp_path / "w.wtns")
    assert _snarkjs_export(tmp_path / "w.wtns") == values


# --- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_wtns(b"", 0, version=1), "unsupported wtns version 1, expected 2"),
        (_wtns(b"", 0, prime=BLS12_381_R), rf"witness is for prime {BLS12_381_R}, zkyield supports BN254 r"),
        (_wtns(b"", 0, prime=R, n8=48), "field elements are 48 bytes"),
        (_wtns(b"\0" * 64, 1), r"header says 1 values \(32 bytes\) but the values section has 64"),
        (_wtns(b"\0" * 32, 2), "header says 2 values"),
        (_wtns(R.to_bytes(32, "little"), 1), "witness value 0 is not a canonical Fr element"),
        (_wtns(b"\0" * 32 + b"\xff" * 32, 2), "witness value 1 is not a canonical"),
        (b"r1cs" + _wtns(b"", 0)[4:], "bad magic"),
        (join_sections(b"wtns", 2, [(1, struct.pack("<I", 32) + R.to_bytes(32, "little") + b"\0\0\0\0")]),
         "missing witness values section"),
        (join_sections(b"wtns", 2, [(2, b"")]), "missing header section"),
    ],
)
def test_malformed_witness_files_are_refused(raw, message):
    with pytest.raises(FormatError, match=message):
        read_wtns(raw)


def test_header_trailing_bytes_are_refused(mult_wtns):
    with pytest.raises(FormatError, match="header section has 4 unexpected trailing bytes"):
        read_wtns(replace_section(mult_wtns, 1, section(mult_wtns, 1) + b"\0" * 4))


def test_huge_claimed_count_is_refused_before_allocating():
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(FormatError, match="header says 4294967295 values"):
        read_wtns(_wtns(b"\0" * 32, 2**32 - 1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20 and time.perf_counter() - start < 1.0


def test_every_truncation_is_refused(mult_wtns):
    for cut in range(len(mult_wtns)):
        with pytest.raises(FormatError):
            read_wtns(mult_wtns[:cut])


@given(st.data())
def test_mutated_files_fail_only_with_zkyield_errors(mult_wtns, data):
    raw = bytearray(mult_wtns)
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        start = data.draw(st.integers(0, len(raw)))
        raw[start:start] = data.draw(st.binary(min_size=1, max_size=40))
    with contextlib.suppress(ZkyieldError):
        read_wtns(bytes(raw))


@pytest.mark.parametrize("bad", [[1, R], [1, -1], [1, True], [1, "2"]])
def test_writer_refuses_non_canonical_values(bad, tmp_path):
    with pytest.raises(FormatError, match="witness value 1"):
        write_wtns(bad, tmp_path / "w.wtns")
    assert not (tmp_path / "w.wtns").exists()
