"""``zkyield ceremony new|contribute|beacon|verify|export-vk``: snarkjs's ``zkey`` verbs on .zkey files.

Every file is a snarkjs .zkey, so participants may use either tool for any step.
"""

from __future__ import annotations

from pathlib import Path

import click

from zkyield.ceremony import beacon, contribute, new_zkey, verify_from_init
from zkyield.ceremony.transcript import format_hash
from zkyield.cli.context import settings
from zkyield.formats.ptau import read_ptau
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.formats.snarkjs_json import dump_vk
from zkyield.formats.zkey import read_zkey, write_zkey

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_out_file = click.Path(dir_okay=False, path_type=Path)


def _indented(digest: bytes) -> str:
    return "\n".join("    " + line for line in format_hash(digest).splitlines())


@click.group()
def ceremony() -> None:
    """Multi-party trusted setup (phase 2) on snarkjs .zkey files, from public powers of tau."""


@ceremony.command("new")
@click.argument("circuit", metavar="CIRCUIT.r1cs", type=_existing_file)
@click.argument("ptau_path", metavar="POT.ptau", type=_existing_file)
@click.option(
    "-o", "--out", "out", type=_out_file, required=True, help="The initial key (e.g. circuit_0000.zkey)."
)
def new_cmd(circuit: Path, ptau_path: Path, out: Path) -> None:
    """Build the circuit's initial key from a powers-of-tau file (checks the powers it uses).

    \b
    Example:
      zkyield ceremony new circuit.r1cs powersOfTau28_hez_final_16.ptau -o circuit_0000.zkey
    """
    with settings().progress("new", steps=6) as progress:
        zkey = new_zkey(read_r1cs(circuit), read_ptau(ptau_path), progress=progress)
    write_zkey(zkey, out)
    click.echo(f"wrote {out}\ncircuit hash:\n{_indented(zkey.cs_hash)}")


@ceremony.command("contribute")
@click.argument("key_in", metavar="KEY_IN.zkey", type=_existing_file)
@click.option("-o", "--out", "out", type=_out_file, required=True, help="The key with your contribution.")
@click.option("--name", default=None, help="Your name, recorded in the key (at most 64 characters).")
@click.option("--entropy", default="", help="Extra random text mixed into the OS randomness (optional).")
def contribute_cmd(key_in: Path, out: Path, name: str | None, entropy: str) -> None:
    """Add a secret factor to delta; publish the printed hash so others can find your contribution.

    \b
    Example:
      zkyield ceremony contribute circuit_0000.zkey -o circuit_0001.zkey --name alice
    """
    zkey, digest = contribute(read_zkey(key_in), name=name, entropy=entropy)
    write_zkey(zkey, out)
    click.echo(f"wrote {out}\ncontribution hash:\n{_indented(digest)}")


@ceremony.command("beacon")
@click.argument("key_in", metavar="KEY_IN.zkey", type=_existing_file)
@click.argument("beacon_hex", metavar="BEACON_HEX")
@click.argument("iterations_exp", metavar="ITERATIONS_EXP", type=int)
@click.option("-o", "--out", "out", type=_out_file, required=True, help="The final key.")
@click.option("--name", default=None, help="A label for the beacon contribution.")
def beacon_cmd(key_in: Path, beacon_hex: str, iterations_exp: int, out: Path, name: str | None) -> None:
    """Finish with a public random beacon: SHA-256 iterated 2^ITERATIONS_EXP times on BEACON_HEX.

    \b
    Example (a future block hash, announced before the ceremony):
      zkyield ceremony beacon circuit_0003.zkey 0x5c1f...e9 10 -o circuit_final.zkey --name "block 19000000"
    """
    zkey, digest = beacon(read_zkey(key_in), beacon_hex, iterations_exp, name=name)
    write_zkey(zkey, out)
    click.echo(f"wrote {out}\ncontribution hash:\n{_indented(digest)}")


@ceremony.command("verify")
@click.argument("circuit", metavar="CIRCUIT.r1cs", type=_existing_file)
@click.argument("ptau_path", metavar="POT.ptau", type=_existing_file)
@click.argument("key", metavar="KEY.zkey", type=_existing_file)
def verify_cmd(circuit: Path, ptau_path: Path, key: Path) -> None:
    """Check every contribution of KEY against the circuit and the powers of tau; exits 1 if any fails.

    A key with no contribution (or only beacons, whose randomness is public) exits 2: anyone could forge
    proofs with it, so it is not safe to use until someone contributes.

    \b
    Example:
      zkyield ceremony verify circuit.r1cs powersOfTau28_hez_final_16.ptau circuit_final.zkey
    """
    zkey = read_zkey(key)
    with settings().progress("verify", steps=7) as say:
        init = new_zkey(read_r1cs(circuit), read_ptau(ptau_path), progress=say)
        say("checking the contributions")
        reports = verify_from_init(zkey, init)
    click.echo(f"circuit hash:\n{_indented(zkey.cs_hash)}")
    for r in reports:
        click.echo(f"contribution #{r.index} {r.name or ''}".rstrip() + f":\n{_indented(r.hash)}")
        if r.beacon_hash is not None:
            click.echo(f"    beacon {r.beacon_hash.hex()}, 2^{r.iterations_exp} iterations")
    zkey.check_usable(key.name)  # every record checked, yet none (or only public beacons) hides delta
    click.echo(f"OK: {len(reports)} contribution(s) verified")


@ceremony.command("export-vk")
@click.argument("key", metavar="KEY.zkey", type=_existing_file)
@click.option("-o", "--out", "out", type=_out_file, required=True, help="verification_key.json to write.")
def export_vk_cmd(key: Path, out: Path) -> None:
    """Write the key's verification_key.json (the same file as snarkjs zkey export verificationkey).

    Refuses (exit 2) a key with no contribution or only beacons: anyone could forge proofs with it.
    """
    zkey = read_zkey(key)
    zkey.check_usable(key.name)
    dump_vk(zkey.verifying_key, out)
    click.echo(f"wrote {out}")
