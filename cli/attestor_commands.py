"""``zkyield attestor``: an attestor's EdDSA-Poseidon key (circomlib-compatible), its signatures over field
elements and over a book or price message (docs/attestation.md), and its on-chain key record.

The key file holds the 32-byte private key as hex (the bytes circomlibjs ``prv2pub`` takes), is created
with mode 0600 by an atomic write, is never overwritten, and is refused when group or others can read
it. No command prints the private key. Results are JSON on stdout; field elements as decimal strings.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import click

from zkyield import babyjub, eddsa
from zkyield.circuits.attest_policy import SIGNATURE_KIND as ATTESTED_KIND
from zkyield.errors import FormatError, InputError, VerificationError
from zkyield.field import R, fr, parse_decimal

KEY_KIND = "zkyield-attestor-key"
SIGNATURE_KIND = "zkyield-eddsa-signature"
SCHEME = "eddsa-poseidon-babyjubjub"

_file = click.Path(dir_okay=False, path_type=Path)
_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


def _echo(obj: object) -> None:
    click.echo(json.dumps(obj, indent=2))


def _point_json(p: babyjub.Point) -> dict[str, str]:
    return {"x": str(p[0]), "y": str(p[1])}


def _message(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise InputError("--message: expected a decimal or 0x-hex integer below r") from None
    return fr(value, "--message")


def load_private_key(path: Path) -> bytes:
    """The 32-byte key from a key file; refuses a file that group or others may read (like ssh)."""
    from zkyield.formats.jsonfile import read_json

    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise InputError(f"{path.name}: key file permissions are too open; run `chmod 600 {path}`")
    doc, name = read_json(path)
    if not isinstance(doc, dict) or doc.get("kind") != KEY_KIND or doc.get("scheme") != SCHEME:
        raise FormatError(f"{name}: not a zkyield attestor key (kind {KEY_KIND!r}, scheme {SCHEME!r})")
    text = doc.get("private_key")
    if not isinstance(text, str) or len(text) != 64 or any(ch not in "0123456789abcdef" for ch in text):
        raise FormatError(f"{name}: private_key must be 64 lowercase hex digits (32 bytes)")
    return bytes.fromhex(text)


def load_public_key(path: Path) -> babyjub.Point:
    """``{"x": ..., "y": ...}`` (what ``attestor public-key`` prints), checked to be a subgroup point."""
    from zkyield.formats.jsonfile import read_json

    doc, name = read_json(path)
    if not isinstance(doc, dict) or not {"x", "y"} <= set(doc):
        raise FormatError(f"{name}: expected an object with decimal strings x and y")
    point = (parse_decimal(doc["x"], R, f"{name}: x"), parse_decimal(doc["y"], R, f"{name}: y"))
    return babyjub.check_point(point, f"{name}: public key")


@click.group("attestor")
def attestor() -> None:
    """Attestor keys and EdDSA-Poseidon signatures (circomlib/circomlibjs compatible).

    \b
    Example:
      zkyield attestor keygen --out attestor.key          # mode 0600; prints the public key
      zkyield attestor public-key attestor.key > attestor.pub.json
      zkyield attestor sign-message attestor.key --message 1234 --out sig.json
      zkyield attestor verify-message sig.json --public-key attestor.pub.json --message 1234
      zkyield attestor sign attestor.key --portfolio p.json --market m.json --out book.sig.json
      zkyield attestor sign-prices attestor.key --market m.json --out prices.sig.json
      zkyield attestor verify book.sig.json --public-key attestor.pub.json --portfolio p.json --market m.json
      zkyield attestor register attestor.key --rpc-url URL --registry ADDR --key-file eth.key
      zkyield attestor sign-possession attestor.key --chain-id 1 --registry ADDR --account ACCT --out pop.json
      zkyield attestor register attestor.pub.json --possession pop.json --rpc-url URL --registry ADDR
      zkyield attestor status attestor.pub.json --rpc-url URL --registry ADDR --at 2024-02-01T00:00:00Z
    """


@attestor.command("keygen")
@click.option("--out", "out", type=_file, required=True, help="Key file to create (refuses to overwrite).")
def keygen_cmd(out: Path) -> None:
    """Create a fresh private key file (mode 0600) and print its public key."""
    from zkyield.formats.atomic import write_text_atomic

    if out.exists():
        raise InputError(f"{out}: already exists; keygen never overwrites a key (choose another --out)")
    key = eddsa.keygen()
    doc = {"kind": KEY_KIND, "version": 1, "scheme": SCHEME, "private_key": key.hex()}
    write_text_atomic(out, json.dumps(doc, indent=1))  # mkstemp creates the file 0600, whatever the umask
    _echo({"key_file": str(out), "public_key": _point_json(eddsa.public_key(key))})


@attestor.command("public-key")
@click.argument("key", type=_existing)
def public_key_cmd(key: Path) -> None:
    """Print KEY's public key as {"x", "y"} decimal strings."""
    _echo(_point_json(eddsa.public_key(load_private_key(key))))


@attestor.command("sign-message")
@click.argument("key", type=_existing)
@click.option("--message", required=True, help="The field element to sign (decimal or 0x-hex, below r).")
@click.option("--out", "out", type=_file, default=None, help="Write the signature here (default: stdout).")
def sign_message_cmd(key: Path, message: str, out: Path | None) -> None:
    """Sign one field element with KEY (circomlibjs signPoseidon)."""
    private_key = load_private_key(key)
    m = _message(message)
    sig = eddsa.sign(private_key, m)
    doc = {"kind": SIGNATURE_KIND, "version": 1, "scheme": SCHEME,
           "public_key": _point_json(eddsa.public_key(private_key)), "message": str(m), **sig.to_json()}
    if out is None:
        _echo(doc)
        return
    from zkyield.formats.atomic import write_text_atomic

    write_text_atomic(out, json.dumps(doc, indent=2))
    _echo({"signature": str(out)})


@attestor.command("verify-message")
@click.argument("signature", type=_existing)
@click.option("--public-key", "public_key", type=_existing, required=True,
              help="The expected signer's public key file ({x, y}); the one inside SIGNATURE is not trusted.")
@click.option("--message", required=True, help="The expected message (decimal or 0x-hex).")
def verify_message_cmd(signature: Path, public_key: Path, message: str) -> None:
    """Check that SIGNATURE signs --message under --public-key; exit 1 if it does not."""
    from zkyield.formats.jsonfile import read_json

    a = load_public_key(public_key)
    m = _message(message)
    doc, name = read_json(signature)
    if not isinstance(doc, dict) or doc.get("kind") != SIGNATURE_KIND:
        raise FormatError(f"{name}: not a zkyield signature (kind {SIGNATURE_KIND!r})")
    sig = eddsa.Signature.from_json({"R8": doc.get("R8"), "S": doc.get("S")}, name)
    reason = eddsa.verification_failure(a, m, sig)
    if reason is not None:
        raise VerificationError(f"{name}: {reason}")
    _echo({"valid": True, "public_key": _point_json(a), "message": str(m)})


# --- signatures over a book or a price snapshot (zkyield.circuits.attest_message) ---------------------



def _as_of(text: str | None) -> int:
    """``--as-of``: ISO-8601 UTC or Unix seconds; default now."""
    import time

    from zkyield.circuits.attest_message import check_as_of
    from zkyield.circuits.jsonread import timestamp

    if text is None:
        return check_as_of(int(time.time()))
    if text.isdigit():
        return check_as_of(int(text), "--as-of")
    return check_as_of(timestamp(text, "--as-of"), "--as-of")


def _subject_message(subject: str, market_path: Path, portfolio_path: Path | None, as_of: int) -> int:
    """The message recomputed from the files; the signature file's own claims are never used."""
    from zkyield.circuits import attest_message as am
    from zkyield.circuits.models import Market, Portfolio

    market = Market.load(market_path)
    if subject == "prices":
        return am.prices_message(market, as_of).message
    if portfolio_path is None:
        raise InputError("--portfolio: a book signature is checked against the portfolio file; pass --portfolio")
    return am.book_message(Portfolio.load(portfolio_path), market, as_of).message


def _write_attested(key: Path, subject: str, market: Path, portfolio: Path | None, as_of: str | None,
                    out: Path) -> None:
    from zkyield.circuits.attest_message import ATTEST_LAYOUT_VERSION
    from zkyield.formats.atomic import write_text_atomic

    private_key = load_private_key(key)
    when = _as_of(as_of)
    sig = eddsa.sign(private_key, _subject_message(subject, market, portfolio, when))
    # No message, amount or salt: R8 and S with the public key already let anyone holding a guessed book
    # test the guess, so the file is as private as the book and goes to the prover only.
    doc = {"kind": ATTESTED_KIND, "version": 1, "scheme": SCHEME, "subject": subject,
           "layout": ATTEST_LAYOUT_VERSION, "as_of": when,
           "public_key": _point_json(eddsa.public_key(private_key)), **sig.to_json()}
    write_text_atomic(out, json.dumps(doc, indent=2))
    _echo({"signature": str(out), "subject": subject, "as_of": when})


@attestor.command("sign")
@click.argument("key", type=_existing)
@click.option("--portfolio", type=_existing, required=True, help="The book the attestor vouches for.")
@click.option("--market", type=_existing, required=True, help="The market snapshot (declares each asset's decimals).")
@click.option("--as-of", "as_of", default=None, help="ISO-8601 UTC or Unix seconds (default: now).")
@click.option("--out", "out", type=_file, required=True, help="Signature file to write (give it to the prover).")
def sign_cmd(key: Path, portfolio: Path, market: Path, as_of: str | None, out: Path) -> None:
    """Sign the book message of --portfolio (positions, flows, owner, period, as-of time)."""
    _write_attested(key, "book", market, portfolio, as_of, out)


@attestor.command("sign-prices")
@click.argument("key", type=_existing)
@click.option("--market", type=_existing, required=True, help="The market snapshot the attestor vouches for.")
@click.option("--as-of", "as_of", default=None, help="ISO-8601 UTC or Unix seconds (default: now).")
@click.option("--out", "out", type=_file, required=True, help="Signature file to write.")
def sign_prices_cmd(key: Path, market: Path, as_of: str | None, out: Path) -> None:
    """Sign the price message of --market (every value its market hash covers, and the as-of time)."""
    _write_attested(key, "prices", market, None, as_of, out)


@attestor.command("verify")
@click.argument("signature", type=_existing)
@click.option("--public-key", "public_key", type=_existing, required=True,
              help="The expected attestor's public key file ({x, y}); the one inside SIGNATURE is not trusted.")
@click.option("--market", type=_existing, required=True, help="The market snapshot.")
@click.option("--portfolio", type=_existing, default=None, help="The book (needed for a book signature).")
def verify_cmd(signature: Path, public_key: Path, market: Path, portfolio: Path | None) -> None:
    """Recompute the message from the files and check SIGNATURE over it; exit 1 if it does not verify."""
    from zkyield.circuits.attest_policy import load_signature

    a = load_public_key(public_key)
    signed = load_signature(signature)
    subject, as_of, sig, name = signed.subject, signed.as_of, signed.signature, signed.source
    reason = eddsa.verification_failure(a, _subject_message(subject, market, portfolio, as_of), sig)
    if reason is not None:
        raise VerificationError(f"{name}: {reason} (over the {subject} message of the files given, as of {as_of})")
    _echo({"valid": True, "subject": subject, "as_of": as_of, "public_key": _point_json(a)})


# --- the registry's attestor keys (verifier.chain) ----------------------------------------------------

_rpc = click.option("--rpc-url", required=True, help="JSON-RPC endpoint, e.g. http://127.0.0.1:8545.")
_registry = click.option("--registry", required=True, help="YieldAttestationRegistry address.")
_eth_key = click.option("--key-file", type=_existing, default=None,
                        help="File holding the Ethereum account's hex private key (default: $ZKYIELD_PRIVATE_KEY).")


def _key_or_public(path: Path) -> babyjub.Point:
    """The public key of an attestor key file, or a public key file as it is."""
    from zkyield.formats.jsonfile import read_json

    doc, _ = read_json(path)
    if isinstance(doc, dict) and doc.get("kind") == KEY_KIND:
        return eddsa.public_key(load_private_key(path))
    return load_public_key(path)


def _status_json(status) -> dict[str, object]:
    return {"key_hash": status.key_hash, "state": status.state, "valid": status.valid, "owner": status.owner,
            "valid_from": status.valid_from, "revoked_at": status.revoked_at or None, "at": status.at}


def _account(key_file: Path | None):
    from zkyield.verifier.chain import load_private_key as load_eth_key
    from zkyield.verifier.chain import sender_from_key

    return sender_from_key(load_eth_key(key_file))


POSSESSION_TAG = int.from_bytes(b"zkyield.attest.possession.v1", "big")


def possession_message(chain_id: int, registry: str, account: str) -> int:
    """What an attestor key signs to ask ``account`` to register it in ``registry`` on chain ``chain_id``."""
    from zkyield.circuits.encoding import address_int
    from zkyield.poseidon import poseidon

    return poseidon([POSSESSION_TAG, chain_id, address_int(registry, "--registry"), address_int(account, "--account")])


def _possession(key_or_pub: Path, possession: Path | None, point: babyjub.Point, message: int) -> None:
    """Refuse to register a key whose holder did not sign this registry, chain and account (InputError)."""
    from zkyield.formats.jsonfile import read_json

    doc, _ = read_json(key_or_pub)
    if isinstance(doc, dict) and doc.get("kind") == KEY_KIND:
        sig, name = eddsa.sign(load_private_key(key_or_pub), message), "the key file's own signature"
    elif possession is None:
        raise InputError("--possession: registering a public key needs the key holder's signature over this "
                         "registry, chain and account: `zkyield attestor sign-possession KEY ...`")
    else:
        doc, name = read_json(possession)
        if not isinstance(doc, dict) or doc.get("kind") != SIGNATURE_KIND:
            raise FormatError(f"{name}: not a zkyield signature (kind {SIGNATURE_KIND!r})")
        sig = eddsa.Signature.from_json({"R8": doc.get("R8"), "S": doc.get("S")}, name)
    reason = eddsa.verification_failure(point, message, sig)
    if reason is not None:
        raise InputError(f"--possession: {name} is not a proof of possession of this key for this registry, "
                         f"chain id and --key-file account ({reason}); sign one with `attestor sign-possession`")


@attestor.command("sign-possession")
@click.argument("key", type=_existing)
@click.option("--chain-id", "chain_id", type=int, required=True, help="EIP-155 chain id of the registry's chain.")
@_registry
@click.option("--account", required=True, help="The Ethereum account that will send the registration.")
@click.option("--out", "out", type=_file, required=True, help="Possession signature file to write.")
def sign_possession_cmd(key: Path, chain_id: int, registry: str, account: str, out: Path) -> None:
    """Sign, with KEY, that --account may register it in --registry (offline: `register --possession`)."""
    from zkyield.formats.atomic import write_text_atomic

    private_key = load_private_key(key)
    m = possession_message(chain_id, registry, account)
    doc = {"kind": SIGNATURE_KIND, "version": 1, "scheme": SCHEME, "public_key": _point_json(eddsa.public_key(
        private_key)), "message": str(m), **eddsa.sign(private_key, m).to_json()}
    write_text_atomic(out, json.dumps(doc, indent=2))
    _echo({"signature": str(out), "chain_id": chain_id, "registry": registry, "account": account})


@attestor.command("register")
@click.argument("key_or_pub", type=_existing)
@_rpc
@_registry
@_eth_key
@click.option("--possession", type=_existing, default=None,
              help="With a public key file: the key's `sign-possession` signature for this registry, chain and "
                   "account (a key file signs it itself).")
def register_cmd(key_or_pub: Path, rpc_url: str, registry: str, key_file: Path | None,
                 possession: Path | None) -> None:
    """Record KEY_OR_PUB's public key in the registry, owned by the --key-file account, valid from now.

    \b
    Checked before sending: the key's holder signed (EdDSA-Poseidon) this registry, chain id and account,
    so the CLI never registers a key for an account its holder did not name. The contract does not check
    this (docs/attestation.md): it stops mistakes through this CLI, not a squatter calling the contract.
    """

    def check(w3, point: babyjub.Point, sender) -> None:
        _possession(key_or_pub, possession, point, possession_message(w3.eth.chain_id, registry, sender.address))

    _send_key_transaction("register_attestor_key", key_or_pub, rpc_url, registry, key_file, check)


@attestor.command("revoke")
@click.argument("key_or_pub", type=_existing)
@_rpc
@_registry
@_eth_key
def revoke_cmd(key_or_pub: Path, rpc_url: str, registry: str, key_file: Path | None) -> None:
    """Revoke KEY_OR_PUB from now on (only the account that registered it may)."""
    _send_key_transaction("revoke_attestor_key", key_or_pub, rpc_url, registry, key_file)


def _send_key_transaction(action: str, key_or_pub: Path, rpc_url: str, registry: str, key_file: Path | None,
                          check=None) -> None:
    """Send ``chain.<action>`` for the key's public point (after ``check(w3, point, sender)``), then print the
    transaction and the key's status."""
    from zkyield.verifier import chain

    point = _key_or_public(key_or_pub)
    sender = _account(key_file)
    w3 = chain.connect(rpc_url)
    if check is not None:
        check(w3, point, sender)
    receipt = getattr(chain, action)(w3, registry, point, sender)
    _echo({"tx": receipt["transactionHash"].hex(), **_status_json(chain.attestor_key_status(w3, registry, point))})


@attestor.command("status")
@click.argument("key_or_pub", type=_existing)
@_rpc
@_registry
@click.option("--at", "at", default=None, help="ISO-8601 UTC or Unix seconds (default: the latest block's time).")
@click.option("--owner", "expected_owner", default=None,
              help="The attestor's known Ethereum account: anyone may register any public key, so a record "
                   "vouches only when its owner is the account you expect.")
def status_cmd(key_or_pub: Path, rpc_url: str, registry: str, at: str | None, expected_owner: str | None) -> None:
    """Print the key's record and whether it vouches at --at; exit 1 unless it is valid then."""
    from zkyield.circuits.encoding import address_int
    from zkyield.verifier import chain

    point = _key_or_public(key_or_pub)
    want = None if expected_owner is None else address_int(expected_owner, "--owner")
    w3 = chain.connect(rpc_url)
    status = chain.attestor_key_status(w3, registry, point, None if at is None else _as_of(at))
    _echo(_status_json(status))
    if not status.valid:
        raise VerificationError(f"attestor key {status.key_hash} is {status.state} at {status.at}")
    if want is not None and int(status.owner, 16) != want:
        raise VerificationError(f"attestor key {status.key_hash} is registered by {status.owner}, "
                                f"not by --owner {expected_owner}")
