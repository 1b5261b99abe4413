"""The attested demo (circuits/examples/attested.*) end to end through the CLI: attestors sign, the prover
proves with --signatures, the verifier verifies in Python and on the EVM, and `zkyield verify --registry`
checks the attestor keys on anvil (registered, then one revoked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.attest import ADMIN, AUDITOR, CAPACITY, CUSTODIAN, PRICES, paths, write_key
from tests.support.chain import Anvil
from zkyield.build_folder import load_keys
from zkyield.circuits.models import load_market
from zkyield.cli.main import cli
from zkyield.formats.attestation import read_attestation

pytestmark = [pytest.mark.slow]

OWNER_KEY = "0x" + "a7" * 32
KEYS = {"admin": ADMIN, "custodian": CUSTODIAN, "auditor": AUDITOR, "prices": PRICES}


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


def _sign(tmp: Path, files: dict[str, Path], who: str, as_of: int) -> Path:
    key = write_key(tmp / f"{who}.key", KEYS[who])
    out = tmp / f"{who}.sig.json"
    if who == "prices":
        code, text = _cli("attestor", "sign-prices", key, "--market", files["market"], "--as-of", as_of, "--out", out)
    else:
        code, text = _cli("attestor", "sign", key, "--portfolio", files["portfolio"], "--market", files["market"],
                          "--as-of", as_of, "--out", out)
    assert code == 0, text
    return out


def _prove(build: Path, files: dict[str, Path], out: Path, signatures: list[Path]) -> tuple[int, str]:
    sigs = [x for s in signatures for x in ("--signatures", s)]
    return _cli("prove", build, "--portfolio", files["portfolio"], "--market", files["market"], "--policy",
                files["policy"], "--out", out, *sigs)


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("attested") / "build"
    cap = CAPACITY
    code, text = _cli("compile", paths()["policy"], "--positions", cap.positions, "--assets", cap.assets,
                      "--scenarios", cap.scenarios, "--out", folder)
    assert code == 0, text
    code, text = _cli("setup", folder)
    assert code == 0, text
    return folder


def test_the_attested_example_is_proven_and_verified_in_python_and_on_the_evm(build, tmp_path) -> None:
    from zkyield.verifier import chain

    files = paths()
    as_of = str(load_market(files["market"]).period.end + 3600)
    sigs = [_sign(tmp_path, files, who, as_of) for who in ("admin", "auditor", "prices")]
    # One book signature is not enough: refused before proving, nothing written.
    code, text = _prove(build, files, tmp_path / "short", [sigs[0], sigs[2]])
    assert code == 1 and "statement is false: 1 of 2 required attestations (attested_by)" in text, text
    assert not (tmp_path / "short").exists()
    code, text = _prove(build, files, tmp_path / "proof", sigs)
    assert code == 0, text
    # The signatures are private: none of their values reaches the public folder.
    published = "".join(p.read_text() for p in (tmp_path / "proof").iterdir())
    for sig in sigs:
        doc = json.loads(sig.read_text())
        assert doc["S"] not in published and doc["R8"][0] not in published
    code, text = _cli("verify", tmp_path / "proof", "--key", build, "--policy", files["policy"], "--market",
                      files["market"], "--json")
    assert code == 0, text
    checks = {c["check"]: c for c in json.loads(text)["checks"]}
    assert checks["attestors"]["status"] == "not-checked" and "--registry" in checks["attestors"]["reason"]
    att = read_attestation(tmp_path / "proof")
    assert att.policy["attested_by"]["threshold"] == 2 and len(att.policy["attested_by"]["keys"]) == 3
    with Anvil([OWNER_KEY]) as node:
        w3 = chain.connect(node.url)
        sender = chain.sender_from_key(OWNER_KEY)
        vk = load_keys(build).verification_key
        verifier = chain.deploy_verifier(w3, vk, sender)
        abi = chain.compiled_verifier(vk).abi
        public = list(att.public_signals)
        assert chain.verify_on_chain(w3, verifier, abi, att.proof, public) is True
        assert chain.verify_on_chain(w3, verifier, abi, att.proof, [public[0] + 1, *public[1:]]) is False


def _shifted(tmp: Path, owner: str, start: int, end: int) -> dict[str, Path]:
    """The example book and market for another owner and period (the registry needs a period after the
    keys' registration, and the submitter to be the proof's owner)."""
    from datetime import datetime, timezone

    iso = {k: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
           for k, t in (("start", start), ("end", end))}
    out = {}
    for part in ("portfolio", "market"):
        doc = json.loads(paths()[part].read_text())
        doc["period"] = iso
        if part == "portfolio":
            doc["owner"] = owner
        out[part] = tmp / f"{part}.json"
        out[part].write_text(json.dumps(doc))
    out["policy"] = paths()["policy"]
    return out


@pytest.mark.chain
def test_verify_checks_the_attestor_keys_in_the_registry_on_anvil(build, tmp_path) -> None:
    from zkyield.circuits.models import load_policy
    from zkyield.verifier import chain

    policy = load_policy(paths()["policy"])
    sender = chain.sender_from_key(OWNER_KEY)
    with Anvil([OWNER_KEY]) as node:
        w3 = chain.connect(node.url)
        registry = chain.deploy_registry(w3, sender)
        now = w3.eth.get_block("latest")["timestamp"]
        files = _shifted(tmp_path, sender.address, now - 80 * 86_400, now + 3600)
        end = now + 3600
        sigs = [_sign(tmp_path, files, who, str(end + 600)) for who in ("admin", "custodian", "prices")]
        code, text = _prove(build, files, tmp_path / "proof", sigs)
        assert code == 0, text
        verify = ["verify", tmp_path / "proof", "--key", build, "--policy", files["policy"], "--market",
                  files["market"], "--rpc-url", node.url, "--registry", registry, "--json"]

        def attestors() -> tuple[int, dict]:
            code, text = _cli(*verify)
            return code, {c["check"]: c for c in json.loads(text)["checks"]}["attestors"]

        code, check = attestors()
        assert code == 1 and check["status"] == "fail" and "attested_by.keys[0]" in check["reason"]
        assert "unregistered" in check["reason"]
        for point in (*policy.attested_by.keys, *policy.prices_attested_by.keys):
            chain.register_attestor_key(w3, registry, point, sender)
        w3.provider.make_request("evm_increaseTime", [2 * 3600])  # the period ends; submit the proof
        w3.provider.make_request("evm_mine", [])
        att = read_attestation(tmp_path / "proof")
        public = list(att.public_signals)
        verifier = chain.deploy_verifier(w3, load_keys(build).verification_key, sender)
        chain.register_policy(w3, registry, public[2], verifier, "portfolio", sender)
        chain.register_market(w3, registry, public[3], public[4], public[5], sender)
        chain.submit(w3, registry, att.proof, public, sender)
        code, check = attestors()
        assert code == 0 and check["status"] == "pass", check
        assert "attested_by 2 of 3, prices_attested_by 1 of 1" in check["reason"]
        # The custodian's key leaks and is revoked now, inside the attestation window (period end + 7 days):
        # a signature "as of" the window may postdate the leak, so the proof no longer vouches.
        chain.revoke_attestor_key(w3, registry, policy.attested_by.keys[1], sender)
        code, check = attestors()
        assert code == 1 and check["status"] == "fail"
        assert "attested_by.keys[1]" in check["reason"] and "revoked at" in check["reason"]


def test_zkyield_demo_runs_the_attested_example() -> None:
    code, text = _cli("demo", "--example", "attested", "--no-history", "--json")
    assert code == 0, text
    doc = json.loads(text)
    policy = doc["proven"]["portfolio 'attested'"]
    assert doc["valid"] and policy["attested_by"]["threshold"] == 2 and policy["prices_attested_by"]["threshold"] == 1
