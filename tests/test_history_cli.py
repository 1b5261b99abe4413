"""``zkyield snapshot``: init, commit with fresh salts, heads that match the library's chain, one-line errors."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from zkyield.circuits.history_chain import heads, links, load_log
from zkyield.circuits.history_models import load_history
from zkyield.cli.main import cli
from zkyield.cli.snapshot_commands import snapshot

cli.add_command(snapshot)  # idempotent; the lead registers it in cli/main.py
OWNER = "0x879c3388db202b84deff9e435d85f7fc21728292"


def run(*args: str):
    return CliRunner().invoke(cli, ["snapshot", *args])


@pytest.fixture
def files(tmp_path):
    history, log = tmp_path / "history.json", tmp_path / "log.json"
    result = run("init", str(history), "--owner", OWNER, "--nav-decimals", "2", "--log", str(log))
    assert result.exit_code == 0, result.output
    return history, log


def test_commits_extend_the_chain_and_the_log(files) -> None:
    history, log = files
    outputs = []
    for i, nav in enumerate(["1000.00", "1012.5", "998.01"]):
        result = run("commit", str(history), "--nav", nav, "--positions-commitment", "0x1f",
                     "--time", f"2024-01-0{i + 1}T00:00:00Z", "--log", str(log))
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.output))
    h = load_history(history)
    chain_links = links(h)
    commitments = [c for c, _ in chain_links]
    assert [s.nav for s in h.snapshots] == [100000, 101250, 99801]
    assert len({s.salt for s in h.snapshots}) == 3 and all(s.positions_commitment == 31 for s in h.snapshots)
    assert [int(o["commitment"]) for o in outputs] == commitments
    assert [int(o["head"]) for o in outputs] == heads(h.owner, chain_links)[1:]
    assert [(e.commitment, e.committed_at) for e in load_log(log).entries] == chain_links
    assert [o["committed_at"] for o in outputs] == [t for _, t in chain_links]
    shown = json.loads(run("head", str(history), "--log", str(log)).output)
    assert shown["count"] == 3 and int(shown["head"]) == heads(h.owner, chain_links)[-1]
    for o in outputs:  # the printed output is public: no NAV and no salt
        assert set(o) == {"index", "commitment", "committed_at", "head"}


def test_commit_refuses_bad_input_with_one_line_and_exit_code_2(files) -> None:
    history, log = files
    ok = run("commit", str(history), "--nav", "5", "--time", "2024-01-02T00:00:00Z", "--log", str(log))
    assert ok.exit_code == 0
    for args, message in [
        (["--nav", "5.001"], "--nav has 3 decimals"),
        (["--nav", "-5"], "--nav must be a non-negative decimal"),
        (["--nav", "5", "--time", "2024-01-01T00:00:00Z"], r"snapshots\[1\]\.time must be after"),
        (["--nav", "5", "--positions-commitment", "zz"], "--positions-commitment must be a field element"),
        (["--nav", "5", "--time", "2999-01-01T00:00:00Z"], "--time is after the current time"),
    ]:
        result = run("commit", str(history), *args, "--log", str(log))
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert result.output.startswith("error: ") and json.loads(history.read_text())["snapshots"][1:] == []
        assert re.search(message, result.output), result.output


def test_commit_refuses_a_history_that_no_longer_matches_its_log(files) -> None:
    history, log = files
    run("commit", str(history), "--nav", "5", "--time", "2024-01-02T00:00:00Z", "--log", str(log))
    data = json.loads(history.read_text())
    data["snapshots"][0]["nav"] = "6"
    history.write_text(json.dumps(data))
    result = run("commit", str(history), "--nav", "7", "--log", str(log))
    assert result.exit_code == 2 and "does not open" in result.output


def test_commit_must_publish(files) -> None:
    history, _ = files
    result = run("commit", str(history), "--nav", "5")
    assert result.exit_code == 2 and "publish the snapshot with --log" in result.output
    assert json.loads(history.read_text())["snapshots"] == []


def test_init_never_overwrites(files) -> None:
    history, _ = files
    result = run("init", str(history), "--owner", OWNER)
    assert result.exit_code == 2 and "already exists" in result.output


@pytest.mark.snarkjs
@pytest.mark.chain
def test_commit_publishes_on_chain_and_refuses_a_diverged_chain(tmp_path) -> None:
    from tests.support.chain import Anvil
    from tests.support.poseidon import run_node
    from zkyield.verifier import chain
    from zkyield.verifier.solc import CompiledContract

    key = "0x" + "4c" * 32
    key_file = tmp_path / "key"
    key_file.write_text(key)
    sender = chain.sender_from_key(key)
    history = tmp_path / "history.json"
    assert run("init", str(history), "--owner", sender.address).exit_code == 0
    from test_history_registry import POSEIDON_JS

    poseidon = json.loads(run_node(POSEIDON_JS))
    with Anvil([key]) as node:
        w3 = chain.connect(node.url)
        hasher = chain.deploy(w3, CompiledContract("Poseidon4", poseidon["abi"], poseidon["bytecode"], ""), sender)
        registry = chain.deploy_registry(w3, sender)
        contract = chain.registry_contract(w3, registry)
        chain.transact(w3, contract.functions.setSnapshotHasher(hasher), sender)
        on_chain = ["--rpc-url", node.url, "--registry", registry, "--key-file", str(key_file)]
        for i in range(2):
            result = run("commit", str(history), "--nav", f"{100 + i}", "--time", f"2024-01-0{i + 1}T00:00:00Z",
                         *on_chain)
            assert result.exit_code == 0, result.output
            out = json.loads(result.output)
            assert contract.functions.snapshotHead(sender.address).call() == int(out["head"]) and out["tx"]
            head_info = contract.functions.snapshotHeadInfo(int(out["head"])).call()
            assert head_info[1] == out["committed_at"] == load_history(history).snapshots[-1].committed_at
        chain.transact(w3, contract.functions.commitSnapshot(12345), sender)  # a commit the history lacks
        result = run("commit", str(history), "--nav", "103", *on_chain)
        assert result.exit_code == 2 and "have diverged" in result.output
        assert len(load_history(history).snapshots) == 2  # refused before anything was written


@pytest.mark.snarkjs
@pytest.mark.chain
def test_history_proof_is_submitted_through_the_history_path_on_anvil(tmp_path) -> None:
    """Issue 13 item 6 end to end: snapshots committed by the CLI, a history policy registered with
    --family history, and `zkyield submit` taking submitHistoryAttestation because the registry says so."""
    from datetime import datetime, timezone

    from test_history_registry import POLICY, POSEIDON_JS, keys

    from tests.support.chain import Anvil, json_from_output
    from tests.support.history import prove_window
    from tests.support.poseidon import run_node
    from zkyield.circuits.history_models import HistoryMarket, market_hash, policy_hash
    from zkyield.circuits.models import Period
    from zkyield.formats.snarkjs_json import dump_proof, dump_public
    from zkyield.verifier import chain
    from zkyield.verifier.solc import CompiledContract

    key = "0x" + "5d" * 32
    key_file = tmp_path / "key"
    key_file.write_text(key)
    sender = chain.sender_from_key(key)
    history = tmp_path / "history.json"
    assert run("init", str(history), "--owner", sender.address, "--nav-decimals", "6").exit_code == 0
    poseidon = json.loads(run_node(POSEIDON_JS))
    with Anvil([key]) as node:
        w3 = chain.connect(node.url)
        hasher = chain.deploy(w3, CompiledContract("Poseidon4", poseidon["abi"], poseidon["bytecode"], ""), sender)
        registry = chain.deploy_registry(w3, sender)
        chain.transact(w3, chain.registry_contract(w3, registry).functions.setSnapshotHasher(hasher), sender)
        verifier = chain.deploy_verifier(w3, keys()[1], sender)
        on_chain = ["--rpc-url", node.url, "--registry", registry, "--key-file", str(key_file)]
        now = w3.eth.get_block("latest")["timestamp"]
        for i, nav in enumerate(["1000000", "1004000", "998000", "1011000"]):
            when = datetime.fromtimestamp(now - (3 - i) * 86_400 - 3600, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            result = run("commit", str(history), "--nav", nav, "--time", when, *on_chain)
            assert result.exit_code == 0, result.output
        h = load_history(history)
        m = HistoryMarket(Period(h.snapshots[0].timestamp, h.snapshots[-1].timestamp), 450)
        proof, public = prove_window(h, m, POLICY, keys())
        proof_dir = tmp_path / "proof"
        proof_dir.mkdir()
        dump_proof(proof, proof_dir / "proof.json")
        dump_public(public, proof_dir / "public.json")
        for args in (["register-policy", "--policy-hash", str(policy_hash(POLICY)), "--verifier", verifier,
                      "--family", "history"],
                     ["register-market", "--market-hash", str(market_hash(m)), "--period-start",
                      str(m.period.start), "--period-end", str(m.period.end)]):
            result = CliRunner().invoke(cli, [*args, *on_chain])
            assert result.exit_code == 0, result.output
        result = CliRunner().invoke(cli, ["submit", *on_chain, str(proof_dir)])
        assert result.exit_code == 0, result.output
        stored = json_from_output(result.output)
        assert stored["family"] == "history" and stored["commitment"] == str(public[0])
        assert stored["submitter"] == sender.address and stored["period_end"] == h.snapshots[-1].timestamp
