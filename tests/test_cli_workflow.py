"""The statement workflow through click's runner and a real subprocess: success and bad-input paths."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from zkyield.circuits.models import example
from zkyield.cli.main import cli

PORTFOLIO, MARKET, POLICY = example("demo")


def run(*args: str | Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def flow(tmp_path_factory) -> Path:
    """compile + setup + prove of the demo, once for the module."""
    d = tmp_path_factory.mktemp("flow")
    assert run("compile", POLICY, "--out", d / "build")[0] == 0
    assert run("setup", d / "build")[0] == 0
    code, out = run("prove", d / "build", "--portfolio", PORTFOLIO, "--market", MARKET, "--policy", POLICY,
                    "--out", d / "proof")
    assert code == 0, out
    return d


def test_statements_lists_both_families_clauses_and_public_inputs():
    code, out = run("statements", "--json")
    doc = json.loads(out)["families"]
    assert code == 0
    portfolio, history = doc["portfolio"], doc["history"]
    assert list(portfolio["clauses"])[:2] == ["min_return_bps", "min_apr_bps"]  # table order = mask bits
    assert "allowed_protocols_root" in portfolio["clauses"] and "range" not in portfolio["clauses"][
        "allowed_protocols_root"]
    assert portfolio["clauses"]["min_return_bps"] == {"measures": "period return", "bound": "min", "unit": "%",
                                                      "range": [-10_000, 1_000_000]}
    assert list(history["clauses"]) == ["min_annual_return_bps", "max_volatility_bps", "min_sharpe_bps",
                                        "min_sortino_bps", "max_drawdown_bps", "min_positive_bps", "max_var_bps",
                                        "min_calmar_bps"]
    assert portfolio["public_inputs"] == ["commitment", "owner", "policy_hash", "market_hash", "period_start",
                                          "period_end"]
    assert history["public_inputs"][0] == "chain_head" and history["public_inputs"][1:] == portfolio[
        "public_inputs"][1:]
    code, text = run("statements")
    assert code == 0 and "history statements" in text and "annualised volatility" in text


def test_the_lazy_zkyield_namespace_is_exactly_the_api():
    import zkyield
    from zkyield import api

    assert set(api.__all__) == zkyield._API
    assert zkyield.policy_document is api.policy_document  # was an AttributeError


def test_build_and_proof_folders_hold_the_documented_files(flow):
    assert sorted(p.name for p in (flow / "build").iterdir()) == [
        "circuit.r1cs", "circuit.sym", "circuit.wprog", "proving_key", "statement.json", "verification_key.json"]
    assert sorted(p.name for p in (flow / "proof").iterdir()) == [
        "attestation.json", "proof.json", "public.json", "verification_key.json"]
    statement = json.loads((flow / "build" / "statement.json").read_text())
    assert statement["capacity"] == {"positions": 8, "assets": 8, "scenarios": 1, "ranges": 0}


def test_commit_matches_the_proven_commitment(flow):
    code, out = run("commit", PORTFOLIO, "--market", MARKET, "--json")
    assert code == 0
    attestation = json.loads((flow / "proof" / "attestation.json").read_text())
    assert json.loads(out)["commitment"] == attestation["commitment"]


def test_verify_ok_with_policy_and_market(flow):
    code, out = run("verify", flow / "proof", "--key", flow / "build", "--policy", POLICY, "--market", MARKET)
    digest = json.loads((flow / "proof" / "attestation.json").read_text())["verification_key_sha256"]
    assert code == 0 and out.startswith(f"OK: every required check passed (key sha256 {digest} "), out
    assert "not-checked  no policy" not in out and "not-checked  no market" not in out


def test_verify_refuses_another_policy(flow, tmp_path):
    policy = json.loads(POLICY.read_text())
    policy["min_return_bps"] += 1
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    code, out = run("verify", flow / "proof", "--key", flow / "build", "--policy", tmp_path / "policy.json")
    assert code == 1 and out.startswith("INVALID: the policy supplied does not hash to the proof's policy_hash")


def test_proof_from_another_circuit_is_refused(flow, tmp_path):
    """The same proof folder checked against another statement's key: exit 1, not a crash."""
    policy = json.loads(POLICY.read_text())
    del policy["max_impermanent_loss_bps"]
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    assert run("compile", tmp_path / "policy.json", "--out", tmp_path / "other")[0] == 0
    assert run("setup", tmp_path / "other")[0] == 0
    code, out = run("verify", flow / "proof", "--key", tmp_path / "other" / "verification_key.json")
    assert code == 1 and out.startswith("INVALID: attestation.json says the proof was made with key sha256"), out
    # and that key's proving key does not prove the first circuit
    shutil.copy(tmp_path / "other" / "proving_key", tmp_path / "swapped_pk")
    build = tmp_path / "mixed"
    shutil.copytree(flow / "build", build)
    shutil.copy(tmp_path / "swapped_pk", build / "proving_key")
    code, out = run("prove", build, "--portfolio", PORTFOLIO, "--market", MARKET, "--policy", POLICY,
                    "--out", tmp_path / "p")
    assert code == 2 and "another circuit" in out
    assert not (tmp_path / "p").exists()


def test_false_statement_exits_1_and_writes_nothing(flow, tmp_path):
    policy = json.loads(POLICY.read_text())
    policy["min_return_bps"] = 900_000  # the same clauses, a threshold the demo book does not meet
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    code, out = run("prove", flow / "build", "--portfolio", PORTFOLIO, "--market", MARKET,
                    "--policy", tmp_path / "policy.json", "--out", tmp_path / "out")
    assert code == 1
    assert out.startswith("error: statement is false:")
    assert not (tmp_path / "out").exists()


def _edited(edit) -> str:
    doc = json.loads(PORTFOLIO.read_text())
    edit(doc)
    return json.dumps(doc)


@pytest.mark.parametrize("content, expected", [
    ("{not json", "p.json: not valid JSON"),
    (_edited(lambda d: d.update(owner="0x00")), "owner"),
    (_edited(lambda d: d["positions"][0].update(end_amount="-1")), "positions[0].end_amount"),
    (_edited(lambda d: d["positions"][1].update(asset="DOGE")), "positions[1].asset"),
    (_edited(lambda d: d["positions"][1].update(end_amount="1.1234567")), "positions[1].end_amount"),
    (_edited(lambda d: d.update(colour="blue")), "colour"),
    (_edited(lambda d: d["period"].update(end="2023-01-01T00:00:00Z")), "period"),
])
def test_bad_portfolio_is_one_line_exit_2(flow, tmp_path, content, expected):
    (tmp_path / "p.json").write_text(content)
    code, out = run("prove", flow / "build", "--portfolio", tmp_path / "p.json", "--market", MARKET,
                    "--policy", POLICY, "--out", tmp_path / "out")
    assert code == 2
    assert out.count("\n") == 1 and out.startswith("error:") and expected in out, out
    assert not (tmp_path / "out").exists()


def test_missing_file_exit_2(flow, tmp_path):
    code, out = run("prove", flow / "build", "--portfolio", tmp_path / "absent.json", "--market", MARKET,
                    "--policy", POLICY, "--out", tmp_path / "out")
    assert code == 2 and "does not exist" in out


def test_interrupted_prove_leaves_no_partial_proof(flow, tmp_path, monkeypatch):
    """A crash while the proof file is being replaced leaves neither proof.json nor a temp file."""
    real_replace = os.replace

    def crash_on_proof(src, dst):
        if str(dst).endswith("proof.json"):
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_proof)
    res = CliRunner().invoke(cli, ["prove", str(flow / "build"), "--portfolio", str(PORTFOLIO), "--market",
                                   str(MARKET), "--policy", str(POLICY), "--out", str(tmp_path / "out")])
    assert res.exit_code != 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "proof.json" not in names and "attestation.json" not in names
    assert not [n for n in names if n.endswith(".tmp")]


def test_no_private_value_in_any_output(flow):
    """Amounts, protocols and the salt appear in no file of the build or proof folders."""
    portfolio = json.loads(PORTFOLIO.read_text())
    secrets = {portfolio["salt"]}
    for pos in portfolio["positions"]:
        secrets.add(pos["protocol"])
        for key in ("start_amount", "end_amount", "fee_income", "emission_income"):
            if key in pos:
                secrets.add(pos[key])
    files = [p for folder in ("build", "proof") for p in (flow / folder).iterdir()]
    # the creation time is public and its digits ("03:40:28") would read as amounts
    texts = [re.sub(rb'"created": "[^"]*"', b"", p.read_bytes()) for p in files if p.suffix == ".json"]
    public = (POLICY.read_text() + MARKET.read_text()).encode()
    for secret in secrets:
        # a whole token: "500" inside a 77-digit field element is not a leak
        token = re.compile(rb"(?<![0-9A-Za-z.])" + re.escape(secret.encode()) + rb"(?![0-9A-Za-z.])")
        if token.search(public):
            continue  # equal to a public policy or market number (e.g. 500 bps): not evidence either way
        for blob in texts:
            assert not token.search(blob), secret
    symbols = (flow / "build" / "circuit.sym").read_text()  # wire names only: no protocol, no salt
    for pos in portfolio["positions"]:
        assert pos["protocol"] not in symbols
    assert portfolio["salt"] not in symbols
    salt = int(portfolio["salt"])
    for blob in (p.read_bytes() for p in files if p.suffix != ".json"):
        assert salt.to_bytes(32, "little") not in blob and salt.to_bytes(32, "big") not in blob


def test_subprocess_exit_codes(flow, tmp_path):
    base = [sys.executable, "-m", "zkyield.cli.main"]
    key = ["--key", str(flow / "build" / "verification_key.json")]
    ok = subprocess.run([*base, "verify", str(flow / "proof"), *key], capture_output=True, text=True, cwd=tmp_path,
                        timeout=600)
    assert ok.returncode == 0 and ok.stdout.startswith("OK"), ok.stderr
    (tmp_path / "public.json").write_text("[]")
    bad = tmp_path / "bad"
    shutil.copytree(flow / "proof", bad)
    public = json.loads((bad / "public.json").read_text())
    public[0] = "1"
    (bad / "public.json").write_text(json.dumps(public))
    mixed = subprocess.run([*base, "verify", str(bad), *key], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert mixed.returncode == 2 and "mixes two proofs" in mixed.stderr
    assert "Traceback" not in mixed.stderr
    debug = subprocess.run([*base, "--debug", "verify", str(bad), *key], capture_output=True, text=True, cwd=tmp_path,
                           timeout=600)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_demo_runs_end_to_end_and_reports_each_step(tmp_path):
    code, out = run("demo", "--no-history", "--json", "--out", tmp_path)
    assert code == 0, out
    doc = json.loads(out)
    assert doc["valid"] is True
    steps = [s["step"] for s in doc["steps"]]
    assert steps == ["compile", "setup", "commit", "prove", "verify (Python)", "verify (EVM)"]
    evm = doc["steps"][-1]["note"]
    assert evm.startswith("valid, verifyProof transaction") or evm.startswith("skipped"), evm
    assert doc["proven"]["portfolio 'demo'"]["min_return_bps"] == 500
    if "gas_used" in doc["evm"]:
        _gas_is_a_receipts_gas_used(tmp_path, doc["evm"]["gas_used"])


def _gas_is_a_receipts_gas_used(out: Path, figure: int) -> None:
    """The demo's figure equals gasUsed of our own verifyProof transaction with the same proof and key."""
    from web3 import EthereumTesterProvider, Web3

    from zkyield.formats.attestation import read_attestation
    from zkyield.formats.snarkjs_json import load_vk
    from zkyield.verifier import chain
    from zkyield.verifier.solidity import proof_calldata

    attestation = read_attestation(out / "proof")
    w3 = Web3(EthereumTesterProvider())
    sender = chain.Sender(w3.eth.accounts[0])
    compiled = chain.compiled_verifier(load_vk(out / "build" / "verification_key.json"))
    address = chain.deploy(w3, compiled, sender, gas=3_000_000)
    contract = w3.eth.contract(address=address, abi=compiled.abi)
    fn = contract.functions.verifyProof(*proof_calldata(attestation.proof, list(attestation.public_signals)))
    assert fn.call() is True
    tx_hash = w3.eth.send_transaction({"from": sender.address, "to": address, "gas": 3_000_000,
                                       "data": fn._encode_transaction_data()})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1 and figure == receipt["gasUsed"]
    assert figure > 21_000 + 181_000  # base cost + the four-pair pairing precompile (EIP-1108) at the least


def test_version_is_the_packages():
    code, out = run("--version")
    version = re.search(r'^version = "(.+)"$', (Path(__file__).parents[1] / "pyproject.toml").read_text(), re.M)
    assert code == 0 and out.strip() == f"zkyield, version {version.group(1)}"


def test_help_shows_the_workflow_in_order_with_one_example_each():
    code, out = run("--help")
    assert code == 0
    steps = re.findall(r"^\s+\d\. zkyield (\S+)", out, re.M)
    assert steps == ["statements", "compile", "setup", "commit", "prove", "verify", "inspect"]
    listed = re.findall(r"^  (\S+)\s{2,}", out.split("Commands:")[1], re.M)
    assert listed[: len(steps)] == steps  # the command list follows the workflow, not the alphabet
    assert "verify proof/ --key build/verification_key.json" in out


def test_compile_as_a_process_ends_without_teardown_yet_leaves_a_complete_folder(flow, tmp_path):
    """`zkyield compile` ends with os._exit once it succeeded (freeing the circuit object by object
    cost 1.5 s at N = 128): its JSON must still arrive whole, flushed, and the folder load as the
    in-process compile's; a failing compile keeps its error and exit code."""
    from zkyield import api

    base = [sys.executable, "-m", "zkyield.cli.main"]
    done = subprocess.run([*base, "compile", str(POLICY), "--out", str(tmp_path / "b"), "--json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    written = json.loads((tmp_path / "b" / "statement.json").read_text())
    assert doc == {k: v for k, v in written.items() if k != "files"}
    same = api.load_statement(flow / "build").circuit_id
    assert doc["circuit_id"] == same == api.load_statement(tmp_path / "b").circuit_id
    assert {p.name for p in (tmp_path / "b").iterdir()} == {"statement.json", "circuit.r1cs", "circuit.wprog",
                                                          "circuit.sym"}
    bad = subprocess.run([*base, "compile", str(tmp_path / "missing.json"), "--out", str(tmp_path / "c")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert bad.returncode != 0 and bad.stderr and not (tmp_path / "c" / "statement.json").exists()
