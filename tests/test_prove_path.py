"""`zkyield compile/setup/prove` on the witness program: no circuit rebuilt per proof, the witness
written as a snarkjs .wtns that snarkjs itself checks and proves, old or altered build folders refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.tools import run_snarkjs
from zkyield import build_folder
from zkyield._native import witness_lib
from zkyield.circuits.models import example
from zkyield.cli.main import cli
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.formats.wtns_bin import read_wtns
from zkyield.groth16.qap import row_evaluations

PORTFOLIO, MARKET, POLICY = example("demo")


def run(*args: str | Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


def prove_args(build: Path, out: Path, *extra: str | Path) -> list[str | Path]:
    return ["prove", build, "--portfolio", PORTFOLIO, "--market", MARKET, "--policy", POLICY, "--out", out, *extra]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("prove_path")
    assert run("compile", POLICY, "--out", d / "build")[0] == 0
    assert run("setup", d / "build")[0] == 0
    return d


def test_compile_writes_the_program_and_the_hashes_that_tie_the_files_together(built):
    build = built / "build"
    doc = json.loads((build / "statement.json").read_text())
    assert set(doc["files"]) == {"circuit.r1cs", "circuit.wprog"}
    assert (build / "circuit.wprog").read_bytes()[:4] == b"zkwp"
    assert read_r1cs(build / "circuit.r1cs").digest().hex() == doc["circuit_id"]  # recomputed here only


def test_prove_runs_the_program_without_rebuilding_the_circuit(built, monkeypatch, tmp_path):
    import zkyield.circuits.statements as statements
    from zkyield.dsl.circuit import Circuit
    from zkyield.r1cs import R1CS

    def refuse(*_args, **_kwargs):
        raise AssertionError("the prove path rebuilt or re-hashed the circuit")

    monkeypatch.setattr(Circuit, "compile", refuse)
    monkeypatch.setattr(statements, "build", refuse)
    monkeypatch.setattr(R1CS, "_compute_digest", refuse)
    if witness_lib() is not None:  # the C rows read the .r1cs bytes: no R1CS object is built
        monkeypatch.setattr(build_folder, "read_r1cs", refuse)
    code, out = run(*prove_args(built / "build", tmp_path / "proof", "--witness-out", tmp_path / "w.wtns"))
    assert code == 0, out
    monkeypatch.undo()
    assert run("verify", tmp_path / "proof", "--key", built / "build" / "verification_key.json",
               "--policy", POLICY, "--market", MARKET)[0] == 0
    witness = read_wtns(tmp_path / "w.wtns")
    read_r1cs(built / "build" / "circuit.r1cs").check(witness)
    assert [str(x) for x in witness[1:7]] == json.loads((tmp_path / "proof" / "public.json").read_text())
    assert (tmp_path / "w.wtns").stat().st_mode & 0o077 == 0  # private: the whole book is in it


@pytest.mark.snarkjs
def test_the_written_wtns_satisfies_the_r1cs_for_snarkjs_and_proves_with_groth16_prove(built, tmp_path):
    wtns = tmp_path / "w.wtns"
    assert run(*prove_args(built / "build", tmp_path / "proof", "--witness-out", wtns))[0] == 0
    check = run_snarkjs("wtns", "check", built / "build" / "circuit.r1cs", wtns)
    assert "WITNESS IS CORRECT" in check.stdout
    code, out = run("groth16", "prove", built / "build", wtns, "--out", tmp_path / "p2")
    assert code == 0, out
    assert run("groth16", "verify", built / "build" / "verification_key.json", tmp_path / "p2" / "public.json",
               tmp_path / "p2" / "proof.json")[0] == 0


@pytest.mark.skipif(witness_lib() is None, reason="C witness runner not built")
def test_native_qap_rows_equal_the_python_rows_and_refuse_a_broken_witness(built, tmp_path):
    from zkyield.errors import ConstraintError

    wtns = tmp_path / "w.wtns"
    assert run(*prove_args(built / "build", tmp_path / "proof", "--witness-out", wtns))[0] == 0
    witness = read_wtns(wtns)
    circuit = build_folder.load_statement(built / "build").circuit
    reference = read_r1cs(built / "build" / "circuit.r1cs")
    domain = 1 << (reference.n_constraints + reference.n_public + 1 - 1).bit_length()
    assert [list(row) for row in circuit.qap_rows(witness, domain)] == list(row_evaluations(reference, witness, domain))
    wire = circuit.program.first_computed + 3
    broken = list(witness)
    broken[wire] = (broken[wire] + 1) % (1 << 250)
    with pytest.raises(ConstraintError) as exc:
        circuit.qap_rows(broken, domain)
    failing = reference.constraints[exc.value.index]
    assert wire in {**failing.a, **failing.b, **failing.c} and not reference.is_satisfied(broken)
    with pytest.raises(ConstraintError) as exc2:
        reference.check(broken)
    assert exc2.value.index == exc.value.index


def _copy(built: Path, tmp_path: Path) -> Path:
    build = tmp_path / "build"
    shutil.copytree(built / "build", build)
    return build


def test_a_build_folder_without_a_program_says_rebuild_and_exits_2(built, tmp_path):
    build = _copy(built, tmp_path)
    (build / "circuit.wprog").unlink()
    doc = json.loads((build / "statement.json").read_text())
    del doc["files"]  # as an older zkyield wrote it
    (build / "statement.json").write_text(json.dumps(doc))
    for args in (prove_args(build, tmp_path / "proof"), ["setup", build]):
        code, out = run(*args)
        assert code == 2, out
        assert "rebuild with `zkyield compile" in out and len(out.strip().splitlines()) == 1
    assert not (tmp_path / "proof").exists()


@pytest.mark.parametrize("name", ["circuit.wprog", "circuit.r1cs"])
def test_an_altered_program_or_r1cs_is_refused_before_proving(built, tmp_path, name):
    build = _copy(built, tmp_path)
    data = bytearray((build / name).read_bytes())
    data[len(data) // 2] ^= 1
    (build / name).write_bytes(bytes(data))
    code, out = run(*prove_args(build, tmp_path / "proof"))
    assert code == 2 and f"{name}: not the file `zkyield compile` wrote" in out, out
    assert not (tmp_path / "proof").exists()


def test_a_program_for_another_circuit_is_refused(built, tmp_path):
    build = _copy(built, tmp_path)
    other = tmp_path / "other"
    assert run("compile", POLICY, "--positions", "4", "--out", other)[0] == 0
    doc = json.loads((build / "statement.json").read_text())
    shutil.copyfile(other / "circuit.wprog", build / "circuit.wprog")
    doc["files"]["circuit.wprog"] = json.loads((other / "statement.json").read_text())["files"]["circuit.wprog"]
    (build / "statement.json").write_text(json.dumps(doc))
    code, out = run(*prove_args(build, tmp_path / "proof"))
    assert code == 2 and "circuit.wprog: made for another circuit" in out, out


TINY_BOOK = {
    "owner": "0x879c3388dB202b84DEFf9e435D85F7FC21728292",
    "period": {"start": "2024-01-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"},
    "salt": "18987248678919920103116775502859462999009606268189364275687653142950597664898",
    "positions": [{"protocol": "aave-v3", "asset": "USDC", "kind": "lending", "start_amount": "60000",
                   "end_amount": "60750.25", "fee_income": "750.25"}],
    "deposits": [], "withdrawals": [],
}
TINY_MARKET = {
    "period": {"start": "2024-01-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"}, "price_decimals": 8,
    "assets": [{"symbol": "USDC", "decimals": 6, "price_start": "100000000", "price_end": "99990000",
                "liquidation_threshold_bps": 7800}],
}


@pytest.mark.slow
@pytest.mark.snarkjs
def test_snarkjs_proves_the_wtns_with_its_own_zkey_and_verifies(tmp_path):
    """The .wtns of `zkyield prove --witness-out` is all snarkjs needs besides .r1cs and its .zkey."""
    for name, doc in (("p.json", TINY_BOOK), ("m.json", TINY_MARKET), ("q.json", {"max_leverage_bps": 5000})):
        (tmp_path / name).write_text(json.dumps(doc))
    build = tmp_path / "build"
    sizes = ("--positions", "1", "--assets", "1", "--scenarios", "1")
    assert run("compile", tmp_path / "q.json", *sizes, "--out", build)[0] == 0
    assert run("setup", build)[0] == 0
    wtns = tmp_path / "w.wtns"
    code, out = run("prove", build, "--portfolio", tmp_path / "p.json", "--market", tmp_path / "m.json",
                    "--policy", tmp_path / "q.json", "--out", tmp_path / "proof", "--witness-out", wtns)
    assert code == 0, out
    p0, p1, ptau, zkey = (tmp_path / n for n in ("p0.ptau", "p1.ptau", "final.ptau", "c.zkey"))
    # snarkjs's domain: constraints + public inputs + 1 (5,485 + 7 at layout 3: 2^13)
    power = (len(read_r1cs(build / "circuit.r1cs").constraints) + 7 - 1).bit_length()
    run_snarkjs("powersoftau", "new", "bn128", str(power), p0)
    run_snarkjs("powersoftau", "contribute", p0, p1, "--name=t", "-e=zkyield witness-out test")
    run_snarkjs("powersoftau", "prepare", "phase2", p1, ptau)
    run_snarkjs("groth16", "setup", build / "circuit.r1cs", ptau, zkey)
    run_snarkjs("zkey", "export", "verificationkey", zkey, tmp_path / "vk.json")
    run_snarkjs("groth16", "prove", zkey, wtns, tmp_path / "sp.json", tmp_path / "spub.json")
    assert json.loads((tmp_path / "spub.json").read_text()) == json.loads(
        (tmp_path / "proof" / "public.json").read_text())
    assert "OK!" in run_snarkjs("groth16", "verify", tmp_path / "vk.json", tmp_path / "spub.json",
                                tmp_path / "sp.json").stdout
