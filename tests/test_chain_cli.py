"""The chain CLI commands through click's CliRunner; deploy/submit end to end against anvil on loopback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eth_account import Account

from tests.support.chain import Anvil, build_circuit, free_port, json_from_output, prove
from zkyield.cli.chain_commands import (
    attestation_cmd,
    deploy_cmd,
    export_verifier_cmd,
    register_market_cmd,
    register_policy_cmd,
    submit_cmd,
)
from zkyield.errors import InputError, PointError, VerificationError
from zkyield.formats.snarkjs_json import load_vk
from zkyield.verifier.chain import KEY_ENV, load_private_key
from zkyield.verifier.solidity import render_verifier

pytestmark = [pytest.mark.snarkjs, pytest.mark.chain]

# A throwaway key, used only on the test's own anvil.
OWNER_KEY = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ORACLE_KEY = "0x" + "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
COMMITMENT, POLICY, MARKET, START, END = 4242, 31337, 27182, 1_700_000_000, 1_700_086_400


@pytest.fixture(scope="module")
def statement(ptau_2_10, tmp_path_factory):
    return build_circuit(6, ptau_2_10, tmp_path_factory)


def test_export_verifier_writes_the_rendered_contract(statement, tmp_path):
    out = tmp_path / "Groth16Verifier.sol"
    result = CliRunner().invoke(export_verifier_cmd, [str(statement.vk_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == render_verifier(load_vk(statement.vk_path))
    assert "uint256[6] calldata _pubSignals" in out.read_text()


def test_export_verifier_refuses_an_off_curve_key_and_writes_nothing(statement, tmp_path):
    vk = json.loads(statement.vk_path.read_text())
    vk["IC"][1][1] = str(int(vk["IC"][1][1]) + 1)
    bad = tmp_path / "vk.json"
    bad.write_text(json.dumps(vk))
    out = tmp_path / "V.sol"
    result = CliRunner().invoke(export_verifier_cmd, [str(bad), "-o", str(out)])
    assert isinstance(result.exception, PointError)
    assert not out.exists()


def test_private_key_comes_from_file_or_env_only(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(InputError, match="--key-file or set ZKYIELD_PRIVATE_KEY"):
        load_private_key(None)
    monkeypatch.setenv(KEY_ENV, OWNER_KEY[2:] + "\n")
    assert load_private_key(None) == OWNER_KEY
    key_file = tmp_path / "k"
    key_file.write_text(OWNER_KEY + "\n")
    assert load_private_key(key_file) == OWNER_KEY
    result = CliRunner().invoke(deploy_cmd, ["--rpc-url", "http://127.0.0.1:9", "--private-key", OWNER_KEY])
    assert result.exit_code == 2 and "No such option" in result.output


def test_a_malformed_key_is_refused_without_echoing_it(tmp_path, monkeypatch):
    secret = "0x" + "ab" * 31 + "zz"
    key_file = tmp_path / "k"
    key_file.write_text(secret)
    result = CliRunner().invoke(deploy_cmd, ["--rpc-url", "http://127.0.0.1:9", "--key-file", str(key_file)])
    assert isinstance(result.exception, InputError)
    assert "ab" * 8 not in str(result.exception) and "ab" * 8 not in result.output
    monkeypatch.setenv(KEY_ENV, secret)
    with pytest.raises(InputError) as info:
        load_private_key(None)
    assert "ab" * 8 not in str(info.value)


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # from SEC 2, not chain.py


@pytest.mark.parametrize("key", [0, SECP256K1_N, SECP256K1_N + 1, 2**256 - 1])
@pytest.mark.parametrize("command", ["deploy", "register-policy", "register-market", "submit", "snapshot"])
def test_a_key_outside_secp256k1_is_a_one_line_input_error_in_every_on_chain_command(
        key: int, command: str, tmp_path, monkeypatch) -> None:
    """Issue 13 item 5: all-zero or >= n keys exit 2 with one line, before any node is contacted."""
    from zkyield.cli.main import cli
    from zkyield.cli.snapshot_commands import snapshot

    cli.add_command(snapshot)  # idempotent; cli/main.py registers it
    monkeypatch.setenv(KEY_ENV, f"{key:064x}")
    rpc = ["--rpc-url", f"http://127.0.0.1:{free_port()}"]
    registry = ["--registry", "0x" + "11" * 20]
    (tmp_path / "proof.json").write_text("{}")
    history = tmp_path / "history.json"
    assert CliRunner().invoke(cli, ["snapshot", "init", str(history), "--owner", "0x" + "22" * 20]).exit_code == 0
    args = {
        "deploy": ["deploy", *rpc],
        "register-policy": ["register-policy", *rpc, *registry, "--policy-hash", "1", "--verifier", "0x" + "33" * 20,
                            "--family", "history"],
        "register-market": ["register-market", *rpc, *registry, "--market-hash", "1", "--period-start", "0",
                            "--period-end", "1"],
        "submit": ["submit", *rpc, *registry, str(tmp_path)],
        "snapshot": ["snapshot", "commit", str(history), "--nav", "1", *rpc, *registry],
    }[command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.output.count("\n") == 1 and result.output.startswith("error: private key:"), result.output
    assert "not a secp256k1 private key" in result.output and "Traceback" not in result.output
    assert f"{key:064x}"[:16] not in result.output or key == 0


def test_unreachable_node_is_a_clear_input_error(monkeypatch):
    monkeypatch.setenv(KEY_ENV, OWNER_KEY)
    result = CliRunner().invoke(deploy_cmd, ["--rpc-url", f"http://127.0.0.1:{free_port()}"])
    assert isinstance(result.exception, InputError) and "no JSON-RPC node answers" in str(result.exception)


def _run(command, args: list[str], env: dict[str, str] | None = None) -> dict:
    result = CliRunner().invoke(command, args, env=env)
    assert result.exit_code == 0, f"{command.name} failed: {result.output} {result.exception!r}"
    assert OWNER_KEY[2:] not in result.output and ORACLE_KEY[2:] not in result.output
    return json_from_output(result.output)


def test_deploy_register_submit_and_read_back_on_anvil(statement, tmp_path):
    owner = Account.from_key(OWNER_KEY).address
    oracle = Account.from_key(ORACLE_KEY).address
    proof_dir = prove(statement, [COMMITMENT, int(owner, 16), POLICY, MARKET, START, END], 5, tmp_path / "proof")
    key_file = tmp_path / "owner.key"
    key_file.write_text(OWNER_KEY)
    with Anvil([OWNER_KEY, ORACLE_KEY]) as node:
        rpc = ["--rpc-url", node.url]
        owner_key = ["--key-file", str(key_file)]
        deployed = _run(deploy_cmd, [*rpc, *owner_key, "--vk", str(statement.vk_path), "--oracle", oracle])
        assert deployed["admin"] == owner and deployed["oracle"] == oracle and deployed["chain_id"] == 1337
        registry = ["--registry", deployed["registry"]]
        _run(register_policy_cmd, [*rpc, *owner_key, *registry, "--policy-hash", str(POLICY),
                                   "--verifier", deployed["verifier"], "--family", "portfolio"])
        # Only the oracle may register markets; its key comes from the environment this time.
        refused = CliRunner().invoke(register_market_cmd, [*rpc, *owner_key, *registry, "--market-hash", str(MARKET),
                                                           "--period-start", str(START), "--period-end", str(END)])
        assert isinstance(refused.exception, InputError) and "NotOracle" in str(refused.exception)
        _run(register_market_cmd, [*rpc, *registry, "--market-hash", str(MARKET), "--period-start", str(START),
                                   "--period-end", str(END)], env={KEY_ENV: ORACLE_KEY})

        stored = _run(submit_cmd, [*rpc, *owner_key, *registry, str(proof_dir)])
        assert stored == _run(attestation_cmd, [*rpc, *registry, "--commitment", str(COMMITMENT)])
        assert (stored["id"], stored["commitment"], stored["policy_hash"], stored["market_hash"]) == (
            1, str(COMMITMENT), str(POLICY), str(MARKET))
        assert (stored["period_start"], stored["period_end"], stored["submitter"]) == (START, END, owner)
        assert stored["family"] == "portfolio" and "thresholds" not in stored

        replay = CliRunner().invoke(submit_cmd, [*rpc, *owner_key, *registry, str(proof_dir)])
        assert isinstance(replay.exception, InputError) and "AlreadyAttested" in str(replay.exception)
        proof = json.loads((proof_dir / "proof.json").read_text())
        proof["pi_c"], proof["pi_a"] = proof["pi_a"], proof["pi_c"]
        forged = tmp_path / "forged"
        forged.mkdir()
        (forged / "proof.json").write_text(json.dumps(proof))
        public = json.loads((proof_dir / "public.json").read_text())
        public[0] = str(COMMITMENT + 1)
        (forged / "public.json").write_text(json.dumps(public))
        bad = CliRunner().invoke(submit_cmd, [*rpc, *owner_key, *registry, str(forged)])
        assert isinstance(bad.exception, VerificationError) and "InvalidProof" in str(bad.exception)

        unfunded = tmp_path / "unfunded.key"
        unfunded.write_text("0x" + "17" * 32)
        broke = CliRunner().invoke(deploy_cmd, [*rpc, "--key-file", str(unfunded)])
        assert isinstance(broke.exception, InputError) and "insufficient funds" in str(broke.exception)
        assert "17" * 8 not in str(broke.exception)
