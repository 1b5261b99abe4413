"""`zkyield groth16 setup|prove|verify` through click's runner and a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.r1cs_samples import chained_multiplications, prove_through_cli
from zkyield.cli.main import cli
from zkyield.formats.wtns_bin import write_wtns


@pytest.fixture(scope="module")
def proven(tmp_path_factory):
    """A circuit, its witness, keys and a proof made through the CLI."""
    d = tmp_path_factory.mktemp("cli")
    prove_through_cli(d, n_public=3, n_steps=6)
    return d


def _verify(d: Path, public: Path | None = None, proof: Path | None = None):
    args = ["groth16", "verify", str(d / "keys" / "verification_key.json"),
            str(public or d / "proof" / "public.json"), str(proof or d / "proof" / "proof.json")]
    return CliRunner().invoke(cli, args)


def test_setup_prove_verify_ok(proven):
    res = _verify(proven)
    assert res.exit_code == 0
    assert res.output.strip() == "OK"
    assert sorted(p.name for p in (proven / "keys").iterdir()) == [
        "circuit.r1cs", "proving_key", "verification_key.json"]


def test_wrong_public_input_exits_1(proven, tmp_path):
    public = json.loads((proven / "proof" / "public.json").read_text())
    public[0] = str(int(public[0]) + 1)
    (tmp_path / "public.json").write_text(json.dumps(public))
    res = _verify(proven, public=tmp_path / "public.json")
    assert res.exit_code == 1
    assert "INVALID" in res.output


def test_tampered_proof_exits_1(proven, tmp_path):
    proof = json.loads((proven / "proof" / "proof.json").read_text())
    proof["pi_c"], proof["pi_a"] = proof["pi_a"], proof["pi_c"]
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    res = _verify(proven, proof=tmp_path / "proof.json")
    assert res.exit_code == 1


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda p: p.update(pi_a=[p["pi_a"][0], str(int(p["pi_a"][1]) + 1), "1"]), "pi_a"),
        (lambda p: p.update(protocol="plonk"), "protocol"),
        (lambda p: p.pop("pi_b"), "pi_b"),
    ],
)
def test_malformed_proof_is_one_line_exit_2(proven, tmp_path, mutate, expected):
    proof = json.loads((proven / "proof" / "proof.json").read_text())
    mutate(proof)
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    res = _verify(proven, proof=tmp_path / "proof.json")
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0], res.output


@pytest.mark.parametrize(
    "respell, expected",
    [
        (lambda v: "0" + v, "public.json: public signal 0: expected a decimal string"),  # same value, other text
        (int, "public.json: public signal 0: expected a decimal string (digits, no leading zeros"),  # JSON number
    ],
)
def test_respelt_public_input_is_refused_not_read_as_the_same_value(proven, tmp_path, respell, expected):
    public = json.loads((proven / "proof" / "public.json").read_text())
    public[0] = respell(public[0])
    (tmp_path / "public.json").write_text(json.dumps(public))
    res = _verify(proven, public=tmp_path / "public.json")
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and expected in lines[0], res.output


@pytest.mark.parametrize("z", ["01", 1])
def test_proof_z_coordinate_must_be_the_string_one(proven, tmp_path, z):
    proof = json.loads((proven / "proof" / "proof.json").read_text())
    proof["pi_c"][2] = z
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    res = _verify(proven, proof=tmp_path / "proof.json")
    assert res.exit_code == 2 and "proof.json: pi_c[2]: expected a decimal string" in res.output, res.output


def test_public_input_not_below_r_is_rejected(proven, tmp_path):
    from zkyield.field import R

    public = json.loads((proven / "proof" / "public.json").read_text())
    public[0] = str(int(public[0]) + R)
    (tmp_path / "public.json").write_text(json.dumps(public))
    res = _verify(proven, public=tmp_path / "public.json")
    assert res.exit_code == 2
    assert "error:" in res.output and "Traceback" not in res.output


def test_malformed_json_is_one_line_exit_2(proven, tmp_path):
    (tmp_path / "proof.json").write_text("{not json")
    res = _verify(proven, proof=tmp_path / "proof.json")
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and res.output.startswith("error:")


def test_wrong_witness_for_circuit_is_refused(proven, tmp_path):
    _, witness = chained_multiplications(n_public=3, n_steps=7)
    write_wtns(witness, tmp_path / "other.wtns")
    res = CliRunner().invoke(cli, ["groth16", "prove", str(proven / "keys"), str(tmp_path / "other.wtns"),
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "witness" in res.output
    assert not (tmp_path / "out" / "proof.json").exists()


def test_subprocess_outside_repo_verifies(proven, tmp_path):
    """The installed console script works from another directory, with real exit codes."""
    cmd = [sys.executable, "-m", "zkyield.cli.main", "groth16", "verify",
           str(proven / "keys" / "verification_key.json"), str(proven / "proof" / "public.json"),
           str(proven / "proof" / "proof.json")]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "OK"
    proc = subprocess.run([sys.executable, "-m", "zkyield.cli.main", "--help"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "groth16" in proc.stdout


def test_proof_point_outside_g2_subgroup_is_one_line_exit_2(proven, tmp_path):
    """A pi_b on the twist curve but outside the order-r subgroup: refused at load, never verified."""
    import random

    from tests.support.math_refs import twist_point_outside_g2

    (x0, x1), (y0, y1) = twist_point_outside_g2(random.Random(5))
    proof = json.loads((proven / "proof" / "proof.json").read_text())
    proof["pi_b"] = [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    res = _verify(proven, proof=tmp_path / "proof.json")
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and "pi_b" in res.output and "subgroup" in res.output
