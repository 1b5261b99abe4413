"""Attestor keys in YieldAttestationRegistry: register, status over time, owner-only revocation (py-evm),
and the same through `zkyield attestor register/revoke/status` on anvil."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eth_account import Account

from tests.support.chain import GAS, Anvil, json_from_output
from zkyield import babyjub, eddsa
from zkyield.cli.main import cli
from zkyield.errors import InputError
from zkyield.field import R
from zkyield.verifier import chain

pytestmark = [pytest.mark.chain]

KEY = eddsa.public_key(bytes(range(32)))
OTHER = eddsa.public_key(b"\x07" * 32)


@pytest.fixture
def registry(w3, owner) -> str:
    return chain.deploy_registry(w3, owner, gas=GAS * 2)


def _advance(w3, seconds: int) -> int:
    """Move the chain's clock forward and mine a block at the new time."""
    tester = w3.provider.ethereum_tester
    now = w3.eth.get_block("latest")["timestamp"]
    tester.time_travel(now + seconds)
    tester.mine_blocks(1)
    return w3.eth.get_block("latest")["timestamp"]


def test_register_status_revoke_over_time(w3, registry, owner, stranger):
    assert chain.attestor_key_status(w3, registry, KEY).state == "unregistered"
    receipt = chain.register_attestor_key(w3, registry, KEY, owner, gas=GAS)
    registered_at = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    contract = chain.registry_contract(w3, registry)
    (event,) = contract.events.AttestorKeyRegistered().process_receipt(receipt)
    key_hash = chain.attestor_key_hash(KEY)
    assert contract.functions.attestorKeyHash(*KEY).call() == key_hash == event["args"]["keyHash"]
    assert (event["args"]["x"], event["args"]["y"], event["args"]["owner"]) == (*KEY, owner.address)
    status = chain.attestor_key_status(w3, registry, KEY)
    assert (status.state, status.owner, status.valid_from, status.revoked_at) == (
        "valid", owner.address, registered_at, 0)
    assert chain.attestor_key_status(w3, registry, KEY, registered_at - 1).state == "not yet valid"

    _advance(w3, 3600)
    with pytest.raises(InputError, match="NotAttestorKeyOwner"):
        chain.revoke_attestor_key(w3, registry, KEY, stranger, gas=GAS)
    assert chain.attestor_key_status(w3, registry, KEY).valid
    receipt = chain.revoke_attestor_key(w3, registry, KEY, owner, gas=GAS)
    revoked_at = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
    (event,) = contract.events.AttestorKeyRevoked().process_receipt(receipt)
    assert event["args"]["revokedAt"] == revoked_at > registered_at
    assert chain.attestor_key_status(w3, registry, KEY).state == "revoked"
    assert chain.attestor_key_status(w3, registry, KEY, revoked_at).state == "revoked"
    # A statement about a period that ended before the revocation still names a key valid then.
    assert chain.attestor_key_status(w3, registry, KEY, revoked_at - 1).valid
    assert chain.attestor_key_status(w3, registry, KEY, registered_at).valid
    # Revocation is final: the key cannot be revoked twice, nor registered again to reset its dates.
    with pytest.raises(InputError, match="AttestorKeyAlreadyRevoked"):
        chain.revoke_attestor_key(w3, registry, KEY, owner, gas=GAS)
    with pytest.raises(InputError, match="AttestorKeyAlreadyRegistered"):
        chain.register_attestor_key(w3, registry, KEY, owner, gas=GAS)
    with pytest.raises(InputError, match="AttestorKeyAlreadyRegistered"):
        chain.register_attestor_key(w3, registry, KEY, stranger, gas=GAS)  # nor claimed by someone else
    with pytest.raises(InputError, match="UnknownAttestorKey"):
        chain.revoke_attestor_key(w3, registry, OTHER, owner, gas=GAS)


def test_keys_that_are_not_curve_points_are_refused(w3, registry, owner):
    cases = {
        "AttestorKeyIsIdentity": babyjub.IDENTITY,
        "AttestorKeyNotOnCurve": (1, 2),
        "AttestorKeyNotAFieldElement": (KEY[0] + R, KEY[1]),  # the same point read modulo r
    }
    for error, point in cases.items():
        with pytest.raises(InputError, match=error):
            chain.register_attestor_key(w3, registry, point, owner, gas=GAS)
    with pytest.raises(InputError, match="AttestorKeyNotAFieldElement"):
        chain.register_attestor_key(w3, registry, (KEY[0], KEY[1] + R), owner, gas=GAS)
    # The negated point is on the curve and is a different key: accepted, under its own hash.
    chain.register_attestor_key(w3, registry, ((-KEY[0]) % R, KEY[1]), owner, gas=GAS)
    assert chain.attestor_key_status(w3, registry, KEY).state == "unregistered"


# --- the CLI on anvil --------------------------------------------------------------------------------

OWNER_KEY = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
STRANGER_KEY = "0x" + "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"


def _cli(*args: str) -> tuple[int, dict | None, str]:
    res = CliRunner().invoke(cli, ["attestor", *args])
    out = json_from_output(res.stdout) if "{" in res.stdout else None
    return res.exit_code, out, res.stderr


def test_register_status_revoke_through_the_cli_on_anvil(tmp_path):
    attestor_key = tmp_path / "attestor.key"
    code, printed, err = _cli("keygen", "--out", str(attestor_key))
    assert code == 0, err
    pub = tmp_path / "attestor.pub.json"
    pub.write_text(json.dumps(printed["public_key"]))
    owner_file, stranger_file = tmp_path / "owner.eth", tmp_path / "stranger.eth"
    owner_file.write_text(OWNER_KEY)
    stranger_file.write_text(STRANGER_KEY)
    with Anvil([OWNER_KEY, STRANGER_KEY]) as node:
        rpc = ["--rpc-url", node.url]
        from zkyield.verifier.chain import Sender, connect, deploy_registry

        w3 = connect(node.url)
        address = deploy_registry(w3, Sender(Account.from_key(OWNER_KEY).address, Account.from_key(OWNER_KEY)))
        reg = ["--registry", address]
        code, out, err = _cli("register", str(attestor_key), *rpc, *reg, "--key-file", str(owner_file))
        assert code == 0, err
        assert out["state"] == "valid" and out["owner"] == Account.from_key(OWNER_KEY).address
        assert json.loads(attestor_key.read_text())["private_key"] not in json.dumps(out)
        valid_from = out["valid_from"]
        code, out, err = _cli("status", str(pub), *rpc, *reg)
        assert code == 0 and out["valid"] is True, err
        code, _, err = _cli("status", str(pub), *rpc, *reg, "--owner", Account.from_key(OWNER_KEY).address)
        assert code == 0, err
        # Anyone may register any public key: a record proves only who claimed it, so check the owner.
        code, _, err = _cli("status", str(pub), *rpc, *reg, "--owner", Account.from_key(STRANGER_KEY).address)
        assert code == 1 and "not by --owner" in err

        w3.provider.make_request("evm_increaseTime", [3600])
        w3.provider.make_request("evm_mine", [])
        code, _, err = _cli("revoke", str(pub), *rpc, *reg, "--key-file", str(stranger_file))
        assert code == 2 and "NotAttestorKeyOwner" in err
        code, out, err = _cli("revoke", str(pub), *rpc, *reg, "--key-file", str(owner_file))
        assert code == 0 and out["state"] == "revoked", err
        revoked_at = out["revoked_at"]
        assert revoked_at >= valid_from + 3600
        code, out, err = _cli("status", str(pub), *rpc, *reg)
        assert code == 1 and out["state"] == "revoked" and "revoked" in err
        code, out, err = _cli("status", str(pub), *rpc, *reg, "--at", str(revoked_at - 1))
        assert code == 0 and out["valid"] is True, err
        code, out, _ = _cli("status", str(pub), *rpc, *reg, "--at", "2001-01-01T00:00:00Z")
        assert code == 1 and out["state"] == "not yet valid"


def test_a_record_says_who_claimed_a_key_not_who_holds_it(w3, registry, owner, stranger):
    # No proof of possession on-chain: a stranger can claim the attestor's public key first. The record
    # then names the stranger, which is why `attestor status --owner` compares it with the known account.
    chain.register_attestor_key(w3, registry, OTHER, stranger, gas=GAS)
    status = chain.attestor_key_status(w3, registry, OTHER)
    assert status.valid and status.owner == stranger.address != owner.address
    with pytest.raises(InputError, match="AttestorKeyAlreadyRegistered"):
        chain.register_attestor_key(w3, registry, OTHER, owner, gas=GAS)
