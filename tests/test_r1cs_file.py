"""A .r1cs used as bytes (``zkyield.formats.r1cs_file``) against the parsed ``R1CS``.

The digest and the Groth16 rows computed from the file must be the ones ``read_r1cs`` followed by
``R1CS.digest`` and ``groth16.qap.row_evaluations`` give, on the native path and the pure-Python one.
That holds for files the C side will not take too (terms out of order, a zero coefficient), and a
malformed file is refused with the reader's own error. Through the CLI, ``zkyield groth16 prove`` from a
setup folder refuses a key for another circuit and a witness that breaks a constraint, and writes nothing.
"""

from __future__ import annotations

import random
import struct

import pytest
from click.testing import CliRunner

from tests.support.r1cs_samples import chained_multiplications, prove_through_cli
from zkyield._native import pure_python, witness_lib
from zkyield.cli.main import cli
from zkyield.errors import ConstraintError, FormatError
from zkyield.field import R
from zkyield.formats.r1cs_bin import r1cs_to_bytes, read_r1cs
from zkyield.formats.r1cs_file import qap_rows, r1cs_digest, r1cs_layout
from zkyield.formats.wtns_bin import write_wtns
from zkyield.groth16.qap import row_evaluations
from zkyield.r1cs import R1CS, Constraint

native = pytest.mark.skipif(witness_lib() is None, reason="native backend not built (or ZKYIELD_PURE_PYTHON=1)")


def _random_system(seed: int) -> bytes:
    rng = random.Random(seed)
    n_wires = 60

    def lc() -> dict[int, int]:
        wires = rng.sample(range(n_wires), rng.choice([0, 1, 3, 9]))
        return {w: rng.choice([1, R - 1, 2**64, rng.randrange(1, R)]) for w in wires}

    return r1cs_to_bytes(R1CS(n_wires, 1, 2, 3, [Constraint(lc(), lc(), lc()) for _ in range(40)]))


def _both_paths(fn):
    """fn() on the native path and on the pure-Python one (the reference)."""
    fast = fn()
    with pure_python():
        return fast, fn()


@pytest.mark.parametrize("seed", range(3))
def test_digest_from_the_bytes_is_the_parsed_relations_digest(seed: int) -> None:
    data = _random_system(seed)
    fast, reference = _both_paths(lambda: r1cs_digest(data, r1cs_layout(data, "x.r1cs")))
    assert fast == reference == read_r1cs(data)._compute_digest_reference()


def _one_constraint_file(a: dict[int, int]) -> bytes:
    return r1cs_to_bytes(R1CS(4, 1, 0, 0, [Constraint(a, {0: 1}, {3: 1})]))


def _swap_first_two_terms(data: bytes, first: int, second: int) -> bytes:
    """The file with side A's two terms (wires ``first`` < ``second``, coefficient 7 and 9) in reverse order."""
    term = struct.Struct("<I").pack
    terms = term(first) + (7).to_bytes(32, "little") + term(second) + (9).to_bytes(32, "little")
    at = data.index(terms)
    return data[:at] + terms[36:] + terms[:36] + data[at + 72:]


@native
def test_terms_out_of_order_fall_back_to_the_reader_and_give_the_sorted_digest() -> None:
    sorted_file = _one_constraint_file({1: 7, 2: 9})
    unsorted_file = _swap_first_two_terms(sorted_file, 1, 2)
    assert unsorted_file != sorted_file
    digest = r1cs_digest(unsorted_file, r1cs_layout(unsorted_file, "x.r1cs"))
    assert digest == read_r1cs(sorted_file).digest()


def test_a_zero_coefficient_is_skipped_by_the_digest_on_both_paths() -> None:
    with_zero = _one_constraint_file({1: 7, 2: 0})
    fast, reference = _both_paths(lambda: r1cs_digest(with_zero, r1cs_layout(with_zero, "x.r1cs")))
    assert fast == reference == read_r1cs(_one_constraint_file({1: 7})).digest()


@pytest.mark.parametrize(("patch", "message"), [
    (lambda d: d.replace(struct.pack("<I", 2) + (9).to_bytes(32, "little"),
                         struct.pack("<I", 1) + (9).to_bytes(32, "little")), "lists wire 1 twice"),
    (lambda d: d.replace(struct.pack("<I", 2) + (9).to_bytes(32, "little"),
                         struct.pack("<I", 40) + (9).to_bytes(32, "little")), "uses wire 40"),
    (lambda d: d.replace((9).to_bytes(32, "little"), R.to_bytes(32, "little")), "not a canonical Fr"),
])
def test_a_malformed_side_is_refused_with_the_readers_error(patch, message: str) -> None:
    bad = patch(_one_constraint_file({1: 7, 2: 9}))
    with pytest.raises(FormatError, match=message):
        r1cs_digest(bad, r1cs_layout(bad, "x.r1cs"))
    with pure_python(), pytest.raises(FormatError, match=message):
        r1cs_digest(bad, r1cs_layout(bad, "x.r1cs"))


def test_rows_from_the_bytes_are_the_qap_rows_and_a_broken_witness_is_named() -> None:
    r1cs, witness = chained_multiplications(n_public=2, n_steps=20)
    data = r1cs_to_bytes(r1cs)
    layout = r1cs_layout(data, "x.r1cs")
    domain = 32
    fast, reference = _both_paths(lambda: [list(row) for row in qap_rows(data, layout, witness, domain)])
    assert fast == reference == [list(row) for row in row_evaluations(r1cs, witness, domain)]
    broken = list(witness)
    broken[-1] = (broken[-1] + 1) % R
    bad = r1cs.first_unsatisfied(broken)
    assert bad is not None
    with pytest.raises(ConstraintError) as fast_error:
        qap_rows(data, layout, broken, domain)
    with pure_python(), pytest.raises(ConstraintError) as reference_error:
        qap_rows(data, layout, broken, domain)
    assert fast_error.value.index == reference_error.value.index == bad


@pytest.fixture(scope="module")
def setup_folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("r1cs_file")
    prove_through_cli(d, n_public=3, n_steps=6)
    return d


def _prove(keys, witness, out):
    return CliRunner().invoke(cli, ["groth16", "prove", str(keys), str(witness), "--out", str(out)])


def test_groth16_prove_refuses_a_key_made_for_another_circuit(setup_folder, tmp_path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "proving_key").write_bytes((setup_folder / "keys" / "proving_key").read_bytes())
    other, witness = chained_multiplications(n_public=3, n_steps=7)  # one step longer: another relation
    (keys / "circuit.r1cs").write_bytes(r1cs_to_bytes(other))
    write_wtns(witness, tmp_path / "w.wtns")
    res = _prove(keys, tmp_path / "w.wtns", tmp_path / "out")
    assert res.exit_code == 2, res.output
    assert "made for another circuit" in res.output
    assert not (tmp_path / "out").exists()


def test_groth16_prove_refuses_a_witness_that_breaks_a_constraint(setup_folder, tmp_path) -> None:
    r1cs = read_r1cs(setup_folder / "keys" / "circuit.r1cs")
    _, witness = chained_multiplications(n_public=3, n_steps=6)
    witness[-1] = (witness[-1] + 1) % R
    write_wtns(witness, tmp_path / "w.wtns")
    res = _prove(setup_folder / "keys", tmp_path / "w.wtns", tmp_path / "out")
    assert res.exit_code == 1, res.output
    assert f"constraint {r1cs.first_unsatisfied(witness)}" in res.output
    assert not (tmp_path / "out").exists()
