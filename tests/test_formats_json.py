"""snarkjs JSON files (proof, public, verification key) and atomic writes.

snarkjs's own files must load and re-dump byte-identically, snarkjs must accept what we write,
and every malformed input must be refused with a one-line zkyield error naming file and field.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import mmap
import os
import random
import secrets
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.formats import build_circuit
from tests.support.math_refs import g1_point, g2_point, twist_point_outside_g2
from tests.support.tools import run_node, run_snarkjs, snarkjs_setup
from zkyield.errors import FieldError, FormatError, PointError, ZkyieldError
from zkyield.field import Q, R
from zkyield.formats.atomic import write_bytes_atomic, write_json_atomic, write_text_atomic
from zkyield.formats.snarkjs_json import (
    dump_proof,
    dump_public,
    dump_vk,
    g1_to_json,
    g2_to_json,
    load_proof,
    load_public,
    load_vk,
    proof_from_json,
    proof_to_json,
    public_from_json,
    public_to_json,
    stringify,
    vk_from_json,
    vk_to_json,
)
from zkyield.formats.wtns_bin import read_wtns
from zkyield.groth16.keys import Proof

CIRCUITS = ("multiplier2", "no_public", "public_output")
FILES = ("proof.json", "public.json", "verification_key.json")


@pytest.fixture(scope="module")
def snarkjs_files(tmp_path_factory, ptau_2_10) -> dict[str, Path]:
    """For each circuit a directory with snarkjs's proof.json, public.json and verification_key.json."""
    out = {}
    for name in CIRCUITS:
        built = build_circuit(name, tmp_path_factory)
        d = built.workdir
        snarkjs_setup(built.r1cs, ptau_2_10, d / "circuit.zkey")
        run_snarkjs("zkey", "export", "verificationkey", d / "circuit.zkey", d / "verification_key.json")
        run_snarkjs("groth16", "prove", d / "circuit.zkey", built.wtns, d / "proof.json", d / "public.json")
        out[name] = d
    return out


@pytest.fixture(scope="module")
def mult_json(snarkjs_files) -> dict[str, dict]:
    return {f: json.loads((snarkjs_files["multiplier2"] / f).read_text()) for f in FILES}


def _write(tmp_path: Path, name: str, obj: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return path


# --- snarkjs interop -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CIRCUITS)
def test_snarkjs_files_redump_byte_identically(name, snarkjs_files, tmp_path):
    d = snarkjs_files[name]
    vk = load_vk(d / "verification_key.json")
    dump_vk(vk, tmp_path / "verification_key.json")
    dump_proof(load_proof(d / "proof.json"), tmp_path / "proof.json")
    dump_public(load_public(d / "public.json"), tmp_path / "public.json")
    for f in FILES:
        assert (tmp_path / f).read_bytes() == (d / f).read_bytes(), f


@pytest.mark.parametrize("name", CIRCUITS)
def test_public_values_are_the_witness_public_wires(name, snarkjs_files, tmp_path_factory):
    built = build_circuit(name, tmp_path_factory)
    vk = load_vk(snarkjs_files[name] / "verification_key.json")
    public = load_public(snarkjs_files[name] / "public.json")
    assert len(public) == vk.n_public
    assert public == read_wtns(built.wtns)[1 : 1 + vk.n_public]


def test_snarkjs_verifies_what_we_wrote_and_rejects_a_changed_public_value(snarkjs_files, tmp_path):
    d = snarkjs_files["multiplier2"]
    vk, proof = load_vk(d / "verification_key.json"), load_proof(d / "proof.json")
    public = load_public(d / "public.json")
    dump_vk(vk, tmp_path / "vk.json")
    dump_proof(proof, tmp_path / "proof.json")
    dump_public(public, tmp_path / "public.json")
    files = [tmp_path / "vk.json", tmp_path / "public.json", tmp_path / "proof.json"]
    assert "OK!" in run_snarkjs("groth16", "verify", *files).stdout
    dump_public([public[0], (public[1] + 1) % R, public[2]], tmp_path / "public.json")
    bad = run_snarkjs("groth16", "verify", *files, check=False)
    assert "OK!" not in bad.stdout and "Invalid proof" in bad.stdout + bad.stderr


def test_infinity_is_written_as_ffjavascript_writes_it(tmp_path):
    script = """
const {buildBn128, utils} = require('ffjavascript');
buildBn128(true).then(async (bn) => {
  const s = utils.stringifyBigInts;
  console.log(JSON.stringify([s(bn.G1.toObject(bn.G1.toAffine(bn.G1.zero))),
                              s(bn.G2.toObject(bn.G2.toAffine(bn.G2.zero)))]));
  await bn.terminate();
});"""
    g1_inf, g2_inf = json.loads(run_node(script))
    assert (g1_to_json(None), g2_to_json(None)) == (g1_inf, g2_inf)
    proof = Proof(a=None, b=None, c=g1_point(5))
    dump_proof(proof, tmp_path / "p.json")
    assert load_proof(tmp_path / "p.json") == proof


def test_points_are_written_affine_with_z_one():
    a, b = g1_point(7), g2_point(11)
    obj = proof_to_json(Proof(a, b, a))
    assert obj["pi_a"] == [str(a[0]), str(a[1]), "1"]
    assert obj["pi_b"] == [[str(b[0][0]), str(b[0][1])], [str(b[1][0]), str(b[1][1])], ["1", "0"]]
    assert list(obj) == ["pi_a", "pi_b", "pi_c", "protocol", "curve"]
    assert proof_from_json(obj) == Proof(a, b, a)


@pytest.mark.parametrize(
    "obj",
    [[], {}, {"a": [], "b": {}, "c": [[], [1, "x"]]}, ["1", "2"], {"nPublic": 0, "IC": [["1", "2", "1"]]}],
)
def test_layout_matches_bfj_which_snarkjs_writes_with(obj, tmp_path):
    script = """
const bfj = require('bfj');
bfj.write(process.argv[2], JSON.parse(process.argv[1]), {space: 1}).then(() => {});"""
    run_node(script, json.dumps(obj), str(tmp_path / "bfj.json"))
    assert stringify(obj) == (tmp_path / "bfj.json").read_text()


# --- refusals --------------------------------------------------------------------------------------


def _set(obj: dict, path: tuple, value: object) -> dict:
    obj = json.loads(json.dumps(obj))
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


@pytest.mark.parametrize(
    ("path", "value", "error", "message"),
    [
        (("pi_a", 0), str(Q), FieldError, r"proof.json: pi_a\[0\]: value is not a canonical Fq element"),
        (("pi_a", 1), "-1", FieldError, r"pi_a\[1\]: expected a decimal string"),
        (("pi_a", 0), "0x10", FieldError, r"pi_a\[0\]: expected a decimal string"),
        (("pi_a", 0), "1" * 500, FieldError, r"pi_a\[0\]: expected a decimal string .*got a string of length 500"),
        # one spelling per value, as snarkjs writes it: no JSON numbers, no leading zeros
        (("pi_a", 0), 5, FieldError, r"pi_a\[0\]: expected a decimal string .*got a JSON number"),
        (("pi_a", 1), "0005", FieldError, r"pi_a\[1\]: expected a decimal string .*got '0005'"),
        (("pi_a", 0), "00", FieldError, r"pi_a\[0\]: expected a decimal string"),
        (("pi_a", 0), "\u0661", FieldError, r"pi_a\[0\]: expected a decimal string"),  # Arabic-Indic digit one
        (("pi_a", 2), "01", FieldError, r"pi_a\[2\]: expected a decimal string .*got '01'"),
        (("pi_a", 2), 1, FieldError, r"pi_a\[2\]: expected a decimal string .*got a JSON number"),
        (("pi_b", 2, 0), "01", FieldError, r"pi_b\[2\]\[0\]: expected a decimal string"),
        (("pi_b", 2, 1), 0, FieldError, r"pi_b\[2\]\[1\]: expected a decimal string"),
        (("pi_c", 2), "+1", FieldError, r"pi_c\[2\]: expected a decimal string"),
        (("pi_a", 0), 1.5, FieldError, r"pi_a\[0\]"),
        (("pi_a", 0), None, FieldError, r"pi_a\[0\]"),
        (("pi_a", 0), True, FieldError, r"pi_a\[0\]"),
        (("pi_a", 0), " 1", FieldError, r"pi_a\[0\]"),
        (("pi_c", 2), "2", PointError, "pi_c: z must be 1"),
        (("pi_c", 2), "0", PointError, "pi_c: z = 0 but the point is not the infinity form"),
        (("pi_b", 2), ["1", "1"], PointError, r'pi_b: z must be \["1", "0"\]'),
        (("pi_b", 2), ["0", "0"], PointError, "pi_b: z = 0 but the point is not the infinity form"),
        (("pi_b", 0), ["1"], PointError, "pi_b: expected a G2 point"),
        (("pi_b", 0, 1), [], FieldError, r"pi_b\[0\]\[1\]"),
        (("pi_a",), ["1", "2"], PointError, "pi_a: expected a G1 point"),
        (("pi_a",), "1,2,1", PointError, "pi_a: expected a G1 point"),
        (("protocol",), "plonk", FormatError, "protocol is 'plonk', zkyield supports only 'groth16'"),
        (("curve",), "bls12381", FormatError, "curve is 'bls12381'"),
        (("curve",), ["bn128"], FormatError, "curve is 'array'"),
    ],
)
def test_malformed_proof_fields_are_refused(mult_json, path, value, error, message):
    with pytest.raises(error, match=message):
        proof_from_json(_set(mult_json["proof.json"], path, value))


def test_points_off_the_curve_or_outside_g2_are_refused(mult_json):
    proof = mult_json["proof.json"]
    y = int(proof["pi_a"][1])
    with pytest.raises(PointError, match="pi_a: point is not on the BN254 G1 curve"):
        proof_from_json(_set(proof, ("pi_a", 1), str((y + 1) % Q)))
    with pytest.raises(PointError, match="pi_b: point is not on the BN254 twist"):
        proof_from_json(_set(proof, ("pi_b", 1, 0), str((int(proof["pi_b"][1][0]) + 1) % Q)))
    outside = g2_to_json(twist_point_outside_g2(random.Random(7)))
    with pytest.raises(PointError, match="pi_b: point is on the twist but not in the order-r subgroup"):
        proof_from_json(_set(proof, ("pi_b",), outside))
    with pytest.raises(PointError, match="vk_delta_2: point is on the twist but not in the order-r subgroup"):
        vk_from_json(_set(mult_json["verification_key.json"], ("vk_delta_2",), outside))


@pytest.mark.parametrize("key", ["pi_a", "pi_b", "pi_c"])
def test_missing_proof_keys_are_refused(mult_json, key):
    obj = dict(mult_json["proof.json"])
    del obj[key]
    with pytest.raises(FormatError, match=f"proof.json: missing key '{key}'"):
        proof_from_json(obj)


def test_old_snarkjs_proofs_without_protocol_and_curve_load(mult_json):
    obj = {k: v for k, v in mult_json["proof.json"].items() if k not in ("protocol", "curve")}
    assert proof_from_json(obj) == proof_from_json(mult_json["proof.json"])


@pytest.mark.parametrize(
    ("path", "value", "error", "message"),
    [
        (("nPublic",), 2, FormatError, r"nPublic must equal len\(IC\) - 1 = 3, got 2"),
        (("nPublic",), "3", FormatError, "nPublic must equal"),
        (("nPublic",), True, FormatError, "nPublic must equal"),
        (("IC",), [], FormatError, "IC must be a non-empty array"),
        (("IC",), {"0": ["1", "2", "1"]}, FormatError, "IC must be a non-empty array"),
        (("IC", 1, 1), "3", PointError, r"IC\[1\]: point is not on the BN254 G1 curve"),
        (("vk_alpha_1",), ["0", "1", "0"], PointError, "vk_alpha_1 is the point at infinity"),
        (("vk_gamma_2",), g2_to_json(None), PointError, "vk_gamma_2 is the point at infinity"),
        (("vk_beta_2", 0, 0), str(Q + 1), FieldError, r"vk_beta_2\[0\]\[0\]: value is not a canonical Fq"),
        (("protocol",), "fflonk", FormatError, "protocol is 'fflonk'"),
        (("IC", 0, 0), "01", FieldError, r"IC\[0\]\[0\]: expected a decimal string .*got '01'"),
        (("IC", 1, 2), "01", FieldError, r"IC\[1\]\[2\]: expected a decimal string"),
        (("vk_delta_2", 2, 0), 1, FieldError, r"vk_delta_2\[2\]\[0\]: expected a decimal string .*JSON number"),
        (("vk_gamma_2", 0, 1), "007", FieldError, r"vk_gamma_2\[0\]\[1\]: expected a decimal string"),
    ],
)
def test_malformed_verification_keys_are_refused(mult_json, path, value, error, message):
    with pytest.raises(error, match=message):
        vk_from_json(_set(mult_json["verification_key.json"], path, value))


def test_alphabeta_is_not_trusted(mult_json):
    vk_obj = mult_json["verification_key.json"]
    want = vk_from_json(vk_obj)
    assert vk_from_json(_set(vk_obj, ("vk_alphabeta_12",), "garbage")) == want
    assert vk_from_json({k: v for k, v in vk_obj.items() if k != "vk_alphabeta_12"}) == want
    assert vk_to_json(want, vk_obj["vk_alphabeta_12"]) == vk_obj  # string leaves are accepted too
    with pytest.raises(FormatError, match="2 x 3 x 2"):
        vk_to_json(want, [[1, 2], [3, 4]])
    with pytest.raises(FieldError):
        vk_to_json(want, [[[Q, 0]] * 3] * 2)


def test_public_values_must_be_canonical_scalars(tmp_path):
    assert public_from_json(["0", "1", str(R - 1)]) == [0, 1, R - 1]
    with pytest.raises(FieldError, match="public.json: public signal 1: value is not a canonical Fr element"):
        public_from_json(["5", str(R)])
    with pytest.raises(FieldError, match="public.json: public signal 0: expected a decimal string"):
        public_from_json(["abc"])
    with pytest.raises(FormatError, match="public.json: expected a JSON array of decimal strings, got obj"):
        public_from_json({"0": "1"})
    with pytest.raises(FieldError, match=r"public\[1\]"):
        public_to_json([1, R])
    with pytest.raises(FieldError, match="p.json: public signal 0"):
        load_public(_write(tmp_path, "p.json", ["-3"]))
    for respelt in ("05", "00", "0" + str(R - 1), " 5", "5 ", "+5", "5.0", "5e0", "\uff15"):  # \uff15: fullwidth 5
        with pytest.raises(FieldError, match=r"public.json: public signal 0: expected a decimal string"):
            public_from_json([respelt])
    for number in (5, 0, 5.0, R - 1):
        with pytest.raises(FieldError, match=r"public signal 1: expected a decimal string .*got a JSON number"):
            public_from_json(["1", number])
    with pytest.raises(FieldError, match="p.json: public signal 0: expected a decimal string"):
        load_public(_write(tmp_path, "p.json", [5]))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper than 32 levels"),
        (b'{"pi_a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', "missing key 'pi_b'"),
        (b"[" + b"9" * 5000 + b"]", "number too large"),
        (b'["1", "2"]', "expected a JSON object, got array"),
        (b"null", "expected a JSON object, got null"),
    ],
)
def test_unparseable_files_are_format_errors_naming_the_file(tmp_path, content, message):
    (tmp_path / "proof.json").write_bytes(content)
    with pytest.raises(FormatError, match=f"proof.json: .*{message}"):
        load_proof(tmp_path / "proof.json")


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="verification_key.json: cannot read file"):
        load_vk(tmp_path / "verification_key.json")


_json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**300), 2**300), st.floats(), st.text(max_size=8),
    st.sampled_from(["1", "0", str(Q), str(R), "-1", ""]),
)


@given(st.data())
def test_structurally_mutated_files_fail_only_with_zkyield_errors(mult_json, data):
    name = data.draw(st.sampled_from(FILES))
    obj = json.loads(json.dumps(mult_json[name]))
    for _ in range(data.draw(st.integers(1, 3))):
        target = obj
        while True:
            keys = list(target) if isinstance(target, dict) else list(range(len(target)))
            if not keys:
                break
            key = data.draw(st.sampled_from(keys))
            if not isinstance(target[key], (dict, list)) or data.draw(st.booleans()):
                target[key] = data.draw(st.one_of(_json_leaf, st.lists(_json_leaf, max_size=3)))
                break
            target = target[key]
    parse = {"proof.json": proof_from_json, "public.json": public_from_json}.get(name, vk_from_json)
    with contextlib.suppress(ZkyieldError):
        parse(obj)


@given(st.data())
def test_textually_mutated_files_fail_only_with_zkyield_errors(snarkjs_files, tmp_path_factory, data):
    name = data.draw(st.sampled_from(FILES))
    text = bytearray((snarkjs_files["multiplier2"] / name).read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text) - 1))
        text[pos] = data.draw(st.sampled_from(b'0123456789"[]{},:- x\xff'))
    path = tmp_path_factory.mktemp("mut") / name
    path.write_bytes(bytes(text))
    loader = {"proof.json": load_proof, "public.json": load_public, "verification_key.json": load_vk}
    with contextlib.suppress(ZkyieldError):
        loader[name](path)


# --- atomic writes ---------------------------------------------------------------------------------


def test_atomic_writes_replace_whole_files(tmp_path):
    path = tmp_path / "f.bin"
    write_bytes_atomic(path, b"old contents")
    write_bytes_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    write_text_atomic(path, "línea\n")
    assert path.read_bytes() == "línea\n".encode()
    write_json_atomic(path, {"a": [1, "2"]})
    assert json.loads(path.read_text()) == {"a": [1, "2"]}
    assert os.listdir(tmp_path) == ["f.bin"]


def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "proof.json"
    path.write_text("old")
    with pytest.raises(TypeError):
        write_bytes_atomic(path, object())  # type: ignore[arg-type]
    with pytest.raises(FieldError):
        dump_public([1, R], path)
    with pytest.raises(TypeError):
        write_json_atomic(path, {"x": object()})
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["proof.json"]


@pytest.mark.parametrize("behind", [False, True])
@pytest.mark.parametrize("uncached", [False, True])
def test_streamed_pieces_are_written_whole_or_not_at_all(tmp_path, monkeypatch, behind: bool, uncached: bool):
    """``write_pieces_atomic`` from a generator, on this thread or written behind it on another, through
    the page cache or around it: the file is the pieces joined, ``observe`` sees them in order; a
    generator that fails midway, or a write that fails (a piece that is not bytes), leaves the old file
    and no temp file, and the error is the caller's."""
    from zkyield.formats.atomic import BEHIND_DEPTH, UncachedFile, write_pieces_atomic

    monkeypatch.setattr(UncachedFile, "BLOCK", 2 * mmap.PAGESIZE)  # pieces straddle blocks, some fill one
    path = tmp_path / "circuit.r1cs"
    pieces = [bytes([i]) * (1000 + 1500 * i) for i in range(3 * BEHIND_DEPTH)]
    pieces[4] = b"\7" * UncachedFile.BLOCK
    write_pieces_atomic(path, iter(pieces), behind=behind, uncached=uncached)
    assert path.read_bytes() == b"".join(pieces)
    seen: list[bytes] = []
    write_pieces_atomic(path, iter(pieces), behind=behind, observe=seen.append, uncached=uncached)
    assert seen == pieces and path.read_bytes() == b"".join(pieces)  # observe: e.g. a SHA-256's update

    def failing():
        yield from pieces[:BEHIND_DEPTH + 2]
        raise RuntimeError("encoder failed")

    with pytest.raises(RuntimeError, match="encoder failed"):
        write_pieces_atomic(path, failing(), behind=behind, uncached=uncached)
    with pytest.raises(TypeError):
        write_pieces_atomic(path, iter([b"a", object(), b"c"]), behind=behind,  # type: ignore[list-item]
                            uncached=uncached)
    assert path.read_bytes() == b"".join(pieces)
    assert os.listdir(tmp_path) == ["circuit.r1cs"]


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 8192, 8193, 3 * 8192 + 17])
def test_uncached_file_writes_whole_blocks_directly_and_the_tail_through_the_cache(tmp_path, monkeypatch,
                                                                                  size: int):
    """Every ``O_DIRECT`` write is a whole block from the page-aligned buffer (the flag refuses anything
    else), the tail goes out with the flag cleared; the bytes on disk are the bytes given."""
    from zkyield.formats import atomic

    monkeypatch.setattr(atomic.UncachedFile, "BLOCK", 8192)
    writes: list[tuple[bool, int]] = []
    real_write = os.write

    def recording_write(fd: int, data) -> int:
        direct = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_DIRECT", 0))
        writes.append((direct, len(data)))
        return real_write(fd, data)

    monkeypatch.setattr(atomic.os, "write", recording_write)
    data = secrets.token_bytes(size)
    path = tmp_path / "circuit.sym"
    atomic.write_pieces_atomic(path, [data[:5], data[5:]], uncached=True)
    assert path.read_bytes() == data
    direct = [n for d, n in writes if d]
    assert all(n == 8192 for n in direct) and sum(n for _, n in writes) == size
    with open(tmp_path / "probe", "wb") as probe:
        takes_direct = atomic._set_direct(probe.fileno(), True)
    assert len(direct) == (size // 8192 if takes_direct else 0)


def test_uncached_file_falls_back_when_the_filesystem_refuses_direct_writes(tmp_path, monkeypatch):
    """A filesystem that takes ``O_DIRECT`` on the descriptor but fails the write with EINVAL gets the
    same bytes written through the cache."""
    from zkyield.formats import atomic

    monkeypatch.setattr(atomic.UncachedFile, "BLOCK", 8192)
    real_write = os.write

    def refusing_write(fd: int, data) -> int:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_DIRECT", 0):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(atomic.os, "write", refusing_write)
    data = secrets.token_bytes(5 * 8192 + 3)
    path = tmp_path / "circuit.r1cs"
    atomic.write_pieces_atomic(path, [data], behind=True, uncached=True)
    assert path.read_bytes() == data
