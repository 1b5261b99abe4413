"""``zkyield attestor``: an attestor's EdDSA-Poseidon key (circomlib-compatible) and signatures over field elements.

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
