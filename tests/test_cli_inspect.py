"""`zkyield inspect` recognises every file kind by content and prints only public facts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.support.r1cs_samples import prove_through_cli
from zkyield.cli.main import cli


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("inspect")
    r1cs, witness = prove_through_cli(d, n_public=2, n_steps=4)
    return d, r1cs, witness


def _inspect(path):
    res = CliRunner().invoke(cli, ["inspect", "--json", str(path)])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_each_kind_is_recognised(files):
    d, r1cs, witness = files
    assert _inspect(d / "c.r1cs") == {
        "kind": "r1cs", "constraints": 4, "wires": r1cs.n_wires, "public_outputs": 0, "public_inputs": 2,
        "private_inputs": 1, "labels": r1cs.n_wires, "circuit_digest": r1cs.digest().hex()}
    assert _inspect(d / "keys" / "proving_key")["domain_size"] == 8
    assert _inspect(d / "keys" / "verification_key.json")["public"] == 2
    assert _inspect(d / "proof" / "proof.json")["kind"] == "proof"
    assert _inspect(d / "proof" / "public.json")["values"] == [str(v) for v in witness[1:3]]


def test_witness_values_are_never_printed(files):
    d, _, witness = files
    res = CliRunner().invoke(cli, ["inspect", str(d / "c.wtns")])
    assert res.exit_code == 0
    for private in witness[3:]:
        assert str(private) not in res.output


def test_unknown_file_is_one_line_error(tmp_path):
    (tmp_path / "x.json").write_text('{"hello": 1}')
    res = CliRunner().invoke(cli, ["inspect", str(tmp_path / "x.json")])
    assert res.exit_code == 2
    assert res.output.startswith("error: x.json: unrecognised JSON")
