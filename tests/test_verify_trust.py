"""What `zkyield verify` trusts: only what the verifier supplies (issue 13, items 1, 2 and 15's verify part).

Each test builds the attack: a proof folder whose key is the prover's own trivial circuit, an
attestation.json whose policy text was edited, a history proof checked without (or against the wrong)
snapshot log, a history window proven under a foreign owner or over a log someone else published, and a
head claimed for a window that ended after it was committed. The registry side is tests/test_verify_registry.py.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.history import make_history, market_for
from tests.support.verify import (
    H_POLICY,
    MALLORY,
    NAVS,
    foreign_owner_witness,
    late_head_forgery,
    rechained_attestation,
    trivial_keys,
    write_public_files,
)
from zkyield import api, groth16
from zkyield.circuits.history_chain import SnapshotLog, links
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import market_hash, policy_hash
from zkyield.cli.demo_command import published_log
from zkyield.cli.main import cli
from zkyield.errors import ConstraintError
from zkyield.formats.attestation import Attestation, read_attestation, write_attestation
from zkyield.verification import Outcome

PORTFOLIO, MARKET, POLICY = example("demo")
ROOT = Path(__file__).resolve().parents[1]


def run(*args: str | Path) -> tuple[int, str]:
    res = CliRunner().invoke(cli, [str(a) for a in args])
    return res.exit_code, res.output


def readme_verify(proof: Path, key: Path, policy_path: Path, market_path: Path) -> list[str]:
    """The README's `zkyield verify` command with its paths replaced by this test's files."""
    line = next(ln for ln in (ROOT / "README.md").read_text().splitlines() if ln.startswith("zkyield verify "))
    args = shlex.split(line.split("#")[0])[1:]
    assert "--key" in args, "the README's verify command must name the key"
    swap = {"proof/": proof, "build/verification_key.json": key, "policy.json": policy_path, "market.json": market_path}
    return [str(swap.get(a, a)) for a in args]


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    """The demo statement's build folder and a real proof of the demo book."""
    d = tmp_path_factory.mktemp("real")
    pol = load_policy(POLICY)
    statement = api.compile_statement(pol)
    keys = api.setup(statement)
    api.save_statement(statement, d / "build")
    api.save_keys(keys, d / "build")
    att = api.prove(load_portfolio(PORTFOLIO), load_market(MARKET), pol, keys)
    write_attestation(att, keys.verification_key, d / "proof")
    return d


@pytest.fixture(scope="module")
def forged(real, tmp_path_factory) -> tuple[Path, Path]:
    """A folder 'proving' a policy the demo book fails, made with a key for a trivial circuit."""
    d = tmp_path_factory.mktemp("forged")
    failing = json.loads(POLICY.read_text())
    failing["min_return_bps"] = 900_000  # the demo book returns far less
    (d / "failing.policy.json").write_text(json.dumps(failing))
    fail_policy = load_policy(d / "failing.policy.json")
    honest = read_attestation(real / "proof")
    portfolio = load_portfolio(PORTFOLIO)
    capacity = api.load_statement(real / "build").capacity
    public = [honest.commitment, portfolio.owner, policy_hash(fail_policy), market_hash(load_market(MARKET), capacity),
              portfolio.period.start, portfolio.period.end]
    r1cs, pk, vk = trivial_keys()
    proof = groth16.prove(pk, r1cs, [1, *public, 1])
    att = Attestation(proof, tuple(public), honest.statement, api.policy_document(fail_policy), vk.digest(),
                      honest.created)
    write_attestation(att, vk, d / "proof")
    return d / "proof", d / "failing.policy.json"


def test_without_a_key_verify_refuses_to_use_the_folders_own(forged):
    folder, fail_policy = forged
    code, out = run("verify", folder, "--policy", fail_policy, "--market", MARKET)  # the README's old command
    assert code == 2
    assert out.startswith("error: --key: name the verification key you trust") and "never used" in out


def test_readmes_command_with_the_real_key_refuses_the_forgery(real, forged):
    folder, fail_policy = forged
    code, out = run(*readme_verify(folder, real / "build" / "verification_key.json", fail_policy, MARKET))
    assert code == 1 and out.startswith("INVALID: attestation.json says the proof was made with key sha256"), out
    # the forger also writes the real key's digest into attestation.json: the pairing itself fails
    doc = json.loads((folder / "attestation.json").read_text())
    real_digest = json.loads((real / "proof" / "attestation.json").read_text())["verification_key_sha256"]
    edited = folder.parent / "edited"
    edited.mkdir(exist_ok=True)
    for name in ("proof.json", "public.json", "verification_key.json"):
        (edited / name).write_bytes((folder / name).read_bytes())
    (edited / "attestation.json").write_text(json.dumps({**doc, "verification_key_sha256": real_digest}))
    code, out = run(*readme_verify(edited, real / "build" / "verification_key.json", fail_policy, MARKET))
    assert code == 1 and out.startswith("INVALID: the Groth16 pairing equation fails"), out


def test_the_forgery_passes_only_under_the_key_the_user_names_and_shows_its_digest(real, forged):
    folder, fail_policy = forged
    vk = api.load_keys(real / "build").verification_key
    code, out = run("verify", folder, "--key", folder / "verification_key.json", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["key_sha256"] != vk.digest()
    assert doc["key_sha256"] == read_attestation(folder).verification_key_sha256
    # pinning the digest the verifier expects refuses that key
    code, out = run("verify", folder, "--key", folder / "verification_key.json", "--key-sha256", vk.digest())
    assert code == 1 and out.startswith("INVALID: the key supplied has sha256"), out
    code, out = run("verify", folder, "--key", folder / "verification_key.json", "--key-sha256", "abc")
    assert code == 2 and out.startswith("error: --key-sha256: 64 hex digits"), out


def test_api_verify_checks_the_callers_key_not_the_attestations_digest(real, forged):
    folder, fail_policy = forged
    keys = api.load_keys(real / "build")
    att = read_attestation(folder)
    result = api.verify(att, keys.verification_key, load_policy(fail_policy), load_market(MARKET),
                        statement=keys.statement)
    assert not result and result.check("key").outcome is Outcome.FAIL
    relabelled = Attestation(att.proof, att.public_signals, att.statement, att.policy, keys.verification_key.digest(),
                             att.created)
    result = api.verify(relabelled, keys.verification_key, load_policy(fail_policy), load_market(MARKET))
    assert not result and result.check("pairing").outcome is Outcome.FAIL
    assert result.key_sha256 == keys.verification_key.digest()
    assert result.to_json()["proven"] is None


def _tokens(text: str, value: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z_]){re.escape(value)}(?![0-9A-Za-z_])", text) is not None


def test_edited_policy_text_in_attestation_json_never_appears_as_proven(real, tmp_path):
    folder = tmp_path / "proof"
    folder.mkdir()
    for name in ("proof.json", "public.json", "verification_key.json"):
        (folder / name).write_bytes((real / "proof" / name).read_bytes())
    doc = json.loads((real / "proof" / "attestation.json").read_text())
    doc["policy"] = {**doc["policy"], "min_return_bps": 9000, "never_in_circuit_bps": 4321}
    doc["statement"] = {**doc["statement"], "clauses": [*doc["statement"]["clauses"], "never_in_circuit_bps"]}
    (folder / "attestation.json").write_text(json.dumps(doc))
    key = real / "build"
    outputs = []
    code, out = run("verify", folder, "--key", key, "--json")
    assert code == 0
    proven = json.loads(out)["proven"]
    assert proven["policy"] == "policy not checked" and proven["market"] == "market not checked"
    outputs.append(out)
    code, out = run("verify", folder, "--key", key, "--policy", POLICY, "--market", MARKET, "--json")
    assert code == 0
    proven = json.loads(out)["proven"]
    assert proven["policy"] == api.policy_document(load_policy(POLICY)) and proven["policy"]["min_return_bps"] == 500
    assert proven["market"]["assets"] == [a.symbol for a in load_market(MARKET).assets]
    outputs.append(out)
    for args in (["verify", folder, "--key", key], ["inspect", folder / "attestation.json"],
                 ["inspect", "--json", folder / "attestation.json"]):
        code, out = run(*args)
        assert code == 0, out
        outputs.append(out)
    assert "policy not checked" in outputs[-1] and "policy not checked" in outputs[2]
    for out in outputs:
        assert not _tokens(out, "9000") and not _tokens(out, "never_in_circuit_bps") and not _tokens(out, "4321"), out


# --- history proofs: the chain head must be the owner's, from the log or registry the verifier names ----

@pytest.fixture(scope="module")
def hist(tmp_path_factory):
    d = tmp_path_factory.mktemp("hist")
    h = make_history(NAVS)
    market = market_for(h, 450, slack=86_400)
    statement = api.compile_statement(H_POLICY)
    keys = api.setup(statement)
    api.save_statement(statement, d / "build")
    api.save_keys(keys, d / "build")
    att = api.prove_history(h, market, H_POLICY, keys)
    write_attestation(att, keys.verification_key, d / "proof")
    write_public_files(d, market)
    published_log(h).save(d / "snapshots.log.json")
    published_log(make_history(NAVS, seed=9)).save(d / "other.log.json")  # same owner, other snapshots
    return d, h, market, keys, att


def test_history_proof_needs_the_published_log_or_the_registry(hist):
    d, *_ = hist
    base = ["verify", d / "proof", "--key", d / "build", "--policy", d / "policy.json", "--market", d / "market.json"]
    code, out = run(*base)
    assert code == 2 and out.startswith("error: --log: a history proof; pass the owner's published snapshot log")
    code, out = run(*base, "--log", d / "snapshots.log.json", "--json")
    doc = json.loads(out)
    assert code == 0, out
    assert doc["proven"]["chain_head"] == str(read_attestation(d / "proof").commitment)
    assert {c["check"]: c["status"] for c in doc["checks"]}["chain_head"] == "pass"
    code, out = run(*base, "--log", d / "other.log.json")
    assert code == 1 and out.startswith("INVALID: the proof's chain head is not in the snapshot log"), out


def test_api_verify_of_a_history_proof_without_heads_is_not_valid(hist):
    d, h, market, keys, att = hist
    result = api.verify(att, keys.verification_key, H_POLICY, market)
    assert not result and result.check("chain_head").outcome is Outcome.NOT_CHECKED
    assert result.check("chain_head").required
    assert api.verify(att, keys.verification_key, H_POLICY, market, heads=api.LogHeads(published_log(h)))


def test_a_window_proven_under_a_foreign_owner_has_no_witness(hist):
    """Alice's committed window with Mallory as the public owner: the owner is in every leaf (layout 2)."""
    d, h, market, keys, _ = hist
    with pytest.raises(ConstraintError, match="chain"):
        foreign_owner_witness(h, market, keys, MALLORY)


def _verify_history(d: Path, proof: Path, log: Path, key: Path | None = None) -> tuple[int, str]:
    return run("verify", proof, "--key", key or d / "build", "--policy", d / "policy.json", "--market",
               d / "market.json", "--log", log)


def test_a_head_from_a_log_someone_else_published_is_refused(hist, tmp_path):
    """Mallory re-publishes Alice's commitments in her own log; Alice proves her window over that chain.

    The proof is valid (the leaves are Alice's, the head is Mallory's log's) and the head is in the log
    the verifier was handed, but that log is Mallory's: refused, and Alice's own log does not hold it.
    """
    d, h, market, keys, _ = hist
    copied = SnapshotLog(MALLORY, (), "mallory.log.json")
    for c, t in links(h):
        copied = copied.append(c, t)
    copied.save(tmp_path / "mallory.log.json")
    att = rechained_attestation(h, market, keys, MALLORY)
    assert att.public_signals[0] == copied.head and att.public_signals[1] == h.owner
    write_attestation(att, keys.verification_key, tmp_path / "proof")
    code, out = _verify_history(d, tmp_path / "proof", tmp_path / "mallory.log.json")
    assert code == 1, out
    assert out.startswith(f"INVALID: the chain head was committed by 0x{MALLORY:040x} in the snapshot log "
                          f"mallory.log.json, not by the proof's owner 0x{h.owner:040x}"), out
    assert re.search(r"pairing\s+pass", out), out  # a real proof: only the record it points at is wrong
    code, out = _verify_history(d, tmp_path / "proof", d / "snapshots.log.json")
    assert code == 1 and out.startswith("INVALID: the proof's chain head is not in the snapshot log"), out


def test_a_head_committed_before_the_window_ends_is_refused(hist, tmp_path):
    """Under a key the verifier was talked into (the prover's trivial one), Alice's real head is claimed for a
    window ending a second after it was committed: the log's commit time refuses it, whatever the key."""
    d, h, market, keys, honest = hist
    committed_at = h.snapshots[-1].committed_at
    att, vk = late_head_forgery(honest, committed_at)
    write_attestation(att, vk, tmp_path / "proof")
    code, out = _verify_history(d, tmp_path / "proof", d / "snapshots.log.json", key=tmp_path / "proof")
    assert code == 1, out
    assert out.startswith(f"INVALID: the chain head was committed at {committed_at}, before the window ends "
                          f"({committed_at + 1})"), out
    for check in ("key", "pairing", "policy_hash", "market_hash"):
        assert re.search(rf"{check}\s+pass", out), out  # every other check passes under that key


def test_a_log_is_refused_for_a_portfolio_proof(real, hist):
    d, *_ = hist
    code, out = run("verify", real / "proof", "--key", real / "build", "--log", d / "snapshots.log.json")
    assert code == 2 and out.startswith("error: --log: a snapshot log only checks history proofs"), out


@pytest.mark.snarkjs
def test_the_key_may_be_a_zkey_the_verifier_names(tmp_path):
    """A .zkey's verification key is snarkjs's own export of it (same digest)."""
    from tests.support.ceremony import snarkjs_chain
    from tests.support.tools import run_snarkjs
    from zkyield.cli.verify_command import load_verifier_key
    from zkyield.formats.snarkjs_json import load_vk

    final = snarkjs_chain()[2]
    run_snarkjs("zkey", "export", "verificationkey", final, tmp_path / "vk.json")
    vk, statement, key_file = load_verifier_key(final)
    assert statement is None and key_file == final
    assert vk.digest() == load_vk(tmp_path / "vk.json").digest()


def test_the_result_is_frozen_and_truthy_only_when_required_checks_pass(real):
    keys = api.load_keys(real / "build")
    att = read_attestation(real / "proof")
    result = api.verify(att, keys.verification_key, load_policy(POLICY), load_market(MARKET), statement=keys.statement)
    assert result and result.valid and not result.failures
    with pytest.raises(AttributeError):
        result.key_sha256 = "0" * 64  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.market["assets"] += ("DOGE",)  # type: ignore[index]
    shown = json.loads(json.dumps(result.to_json()))["proven"]["market"]["assets"]
    assert shown == [a.symbol for a in load_market(MARKET).assets]
    pinned = api.verify(att, keys.verification_key, key_sha256="0" * 64)
    assert not pinned and [c.name for c in pinned.failures] == ["key"]
