"""``zkyield groth16 setup|prove|verify``: snarkjs's verbs and argument order on zkyield's prover."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from zkyield.cli.context import settings
from zkyield.errors import InputError
from zkyield.formats.binio import load_source
from zkyield.formats.proving_key import read_proving_key, write_proving_key
from zkyield.formats.r1cs_bin import read_r1cs
from zkyield.formats.r1cs_file import qap_rows, r1cs_digest, r1cs_layout
from zkyield.formats.snarkjs_json import dump_proof, dump_public, dump_vk, load_proof, load_public, load_vk
from zkyield.formats.wtns_bin import read_wtns
from zkyield.groth16.prover import check_key_matches, prove_from_rows
from zkyield.r1cs import check_witness_shape

PROVING_KEY = "proving_key"
VERIFICATION_KEY = "verification_key.json"
CIRCUIT = "circuit.r1cs"

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_out_dir = click.Path(file_okay=False, path_type=Path)


@click.group()
def groth16() -> None:
    """Groth16 setup, prove and verify on snarkjs-compatible files."""


@groth16.command("setup")
@click.argument("circuit", type=_existing_file)
@click.option("--out", "out_dir", type=_out_dir, required=True, help="Folder for the keys.")
def setup_cmd(circuit: Path, out_dir: Path) -> None:
    """Make a proving key and verification key for CIRCUIT.r1cs (single-party setup).

    \b
    Writes OUT/proving_key, OUT/verification_key.json and a copy of the circuit (OUT/circuit.r1cs).
    Whoever runs this could forge proofs: use `zkyield ceremony` for keys others must trust.

    \b
    Example:
      zkyield groth16 setup multiplier.r1cs --out keys/
    """
    from zkyield.groth16.keygen import setup  # the setup's and verifier's pairing code: not loaded to prove

    r1cs = read_r1cs(circuit)
    with settings().progress("setup") as progress:
        pk, vk = setup(r1cs, progress=progress)
    pk.check_sound()  # never write a key under which proofs can be forged (write_* check again)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_proving_key(pk, out_dir / PROVING_KEY)
    dump_vk(vk, out_dir / VERIFICATION_KEY)
    if circuit.resolve() != (out_dir / CIRCUIT).resolve():
        shutil.copyfile(circuit, out_dir / CIRCUIT)
    click.echo(f"wrote {out_dir / PROVING_KEY} and {out_dir / VERIFICATION_KEY}")


@groth16.command("prove")
@click.argument("key", metavar="KEY", type=click.Path(exists=True, path_type=Path))
@click.argument("witness", type=_existing_file)
@click.option("--out", "out_dir", type=_out_dir, required=True, help="Folder for proof.json and public.json.")
@click.option("--r1cs", "r1cs_path", type=_existing_file,
              help="With a .zkey: also check the key and witness against this circuit before proving.")
def prove_cmd(key: Path, witness: Path, out_dir: Path, r1cs_path: Path | None) -> None:
    """Prove that WITNESS.wtns satisfies a circuit, with KEY a setup folder or a snarkjs .zkey.

    \b
    Examples:
      zkyield groth16 prove keys/ multiplier.wtns --out proof/
      zkyield groth16 prove multiplier_final.zkey multiplier.wtns --out proof/ --r1cs multiplier.r1cs
    """
    values = read_wtns(witness)
    if key.is_file():
        from zkyield.ceremony.prover import prove_zkey  # only .zkey proving needs the ceremony code
        from zkyield.formats.zkey import read_zkey

        zkey = read_zkey(key)
        zkey.check_usable(key.name)
        circuit = read_r1cs(r1cs_path) if r1cs_path else None
        with settings().progress("prove") as progress:
            proof = prove_zkey(zkey, values, circuit, progress)
        n_public = zkey.n_public
    else:
        for name in (PROVING_KEY, CIRCUIT):
            if not (key / name).is_file():
                raise InputError(f"{key}: missing {name}; run `zkyield groth16 setup CIRCUIT.r1cs --out {key}`")
        data, _ = load_source(key / CIRCUIT, CIRCUIT)
        layout = r1cs_layout(data, CIRCUIT)
        pk = read_proving_key(key / PROVING_KEY)
        check_key_matches(pk, r1cs_digest(data, layout))
        check_witness_shape(values, layout.n_wires)
        rows = qap_rows(data, layout, values, pk.domain_size)
        del data  # the rows are all the prover needs from the circuit
        with settings().progress("prove") as progress:
            proof = prove_from_rows(pk, values, *rows, progress)
        n_public = layout.n_public
    out_dir.mkdir(parents=True, exist_ok=True)
    dump_public(values[1 : 1 + n_public], out_dir / "public.json")
    dump_proof(proof, out_dir / "proof.json")
    click.echo(f"wrote {out_dir / 'proof.json'} and {out_dir / 'public.json'}")


@groth16.command("verify")
@click.argument("vk_path", metavar="VERIFICATION_KEY.json", type=_existing_file)
@click.argument("public_path", metavar="PUBLIC.json", type=_existing_file)
@click.argument("proof_path", metavar="PROOF.json", type=_existing_file)
@click.pass_context
def verify_cmd(ctx: click.Context, vk_path: Path, public_path: Path, proof_path: Path) -> None:
    """Check a proof; prints OK and exits 0 when valid, exits 1 when not.

    \b
    Example:
      zkyield groth16 verify keys/verification_key.json proof/public.json proof/proof.json
    """
    from zkyield.groth16.verifier import verify

    vk = load_vk(vk_path)
    public = load_public(public_path)
    proof = load_proof(proof_path)
    if verify(vk, public, proof):
        click.echo("OK")
        return
    click.echo("INVALID: the proof does not verify for these public inputs and this key", err=True)
    ctx.exit(1)
