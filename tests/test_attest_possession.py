"""`zkyield attestor register` checks a proof of key possession before sending (on anvil): the key's
signature over the registry, the chain id and the registering account."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eth_account import Account

from tests.support.attest import ADMIN, write_key
from tests.support.chain import Anvil, json_from_output
from zkyield import eddsa
from zkyield.cli.attestor_commands import possession_message
from zkyield.cli.main import cli
from zkyield.poseidon import poseidon

pytestmark = [pytest.mark.chain]

OWNER_KEY, OTHER_KEY = "0x" + "b1" * 32, "0x" + "b2" * 32


def _cli(*args) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["attestor", *map(str, args)])
    return res.exit_code, res.output


def test_register_needs_the_key_holders_signature_for_this_registry_chain_and_account(tmp_path) -> None:
    key = write_key(tmp_path / "admin.key", ADMIN)
    x, y = eddsa.public_key(ADMIN)
    pub = tmp_path / "admin.pub.json"
    pub.write_text(json.dumps({"x": str(x), "y": str(y)}))
    owner, other = Account.from_key(OWNER_KEY).address, Account.from_key(OTHER_KEY).address
    eth = tmp_path / "owner.eth"
    eth.write_text(OWNER_KEY)
    with Anvil([OWNER_KEY, OTHER_KEY]) as node:
        from zkyield.verifier.chain import connect, deploy_registry, sender_from_key

        w3 = connect(node.url)
        registry = deploy_registry(w3, sender_from_key(OWNER_KEY))
        on_chain = ["--rpc-url", node.url, "--registry", registry, "--key-file", eth]
        code, out = _cli("register", pub, *on_chain)
        assert code == 2 and "--possession" in out and "sign-possession" in out
        # Signed for another account, or another chain: refused before any transaction.
        for chain_id, account in ((1337, other), (1, owner)):
            pop = tmp_path / f"pop-{chain_id}-{account}.json"
            assert _cli("sign-possession", key, "--chain-id", chain_id, "--registry", registry, "--account",
                        account, "--out", pop)[0] == 0
            code, out = _cli("register", pub, "--possession", pop, *on_chain)
            assert code == 2 and "is not a proof of possession" in out, out
        assert w3.eth.get_transaction_count(owner) == 1  # only the registry deployment
        pop = tmp_path / "pop.json"
        assert _cli("sign-possession", key, "--chain-id", 1337, "--registry", registry, "--account", owner,
                    "--out", pop)[0] == 0
        assert ADMIN.hex() not in pop.read_text()
        code, out = _cli("register", pub, "--possession", pop, *on_chain)
        assert code == 0 and json_from_output(out)["state"] == "valid", out
    # The message is Poseidon(tag, chain id, registry, account), the tag the ASCII of its name.
    tag = int.from_bytes(b"zkyield.attest.possession.v1", "big")
    assert possession_message(1337, registry, owner) == poseidon([tag, 1337, int(registry, 16), int(owner, 16)])
