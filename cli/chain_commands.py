"""On-chain commands: export the Solidity verifier, deploy, register, submit and read attestations.

Private keys come only from --key-file or $ZKYIELD_PRIVATE_KEY, never from the command line, and are
never printed. Results are JSON on stdout so scripts can pick addresses and ids out of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from zkyield.errors import InputError
from zkyield.field import fr

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
_existing_dir = click.Path(exists=True, file_okay=False, path_type=Path)

_rpc_option = click.option("--rpc-url", required=True, help="JSON-RPC endpoint, e.g. http://127.0.0.1:8545.")
_key_option = click.option(
    "--key-file", type=_existing_file, default=None,
    help="File holding the hex private key (default: $ZKYIELD_PRIVATE_KEY).",
)
_registry_option = click.option("--registry", required=True, help="YieldAttestationRegistry address.")


def _field(text: str, name: str) -> int:
    """A decimal (or 0x-hex) scalar-field element from the command line."""
    try:
        value = int(text, 0)
    except ValueError:
        raise InputError(f"{name}: expected a decimal or 0x-hex integer below r") from None
    return fr(value, name)


def _sender(key_file: Path | None):
    from zkyield.verifier.chain import load_private_key, sender_from_key

    return sender_from_key(load_private_key(key_file))


def _echo_json(obj: object) -> None:
    click.echo(json.dumps(obj, indent=2))


def _attestation_json(a) -> dict[str, object]:
    """Field elements as decimal strings (as snarkjs writes them: JSON readers lose precision past 2^53)."""
    return {
        "id": a.id, "commitment": str(a.commitment), "policy_hash": str(a.policy_hash),
        "market_hash": str(a.market_hash), "period_start": a.period_start, "period_end": a.period_end,
        "submitter": a.submitter, "timestamp": a.timestamp, "family": a.family,
    }


@click.command("export-verifier")
@click.argument("vk", type=_existing_file)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the Solidity source.")
@click.option("--contract-name", default="Groth16Verifier", show_default=True, help="Solidity contract name.")
def export_verifier_cmd(vk: Path, output: Path, contract_name: str) -> None:
    """Write a Solidity verifier for verification_key VK (snarkjs's verifyProof ABI, lower gas).

    \b
    Example:
      zkyield export-verifier verification_key.json -o Groth16Verifier.sol
    """
    from zkyield.verifier.solidity import export_verifier

    export_verifier(vk, output, contract_name)
    click.echo(f"wrote {output}")


@click.command("deploy")
@_rpc_option
@_key_option
@click.option("--vk", type=_existing_file, default=None, help="Also deploy a verifier for this verification key.")
@click.option("--oracle", default=None, help="Market oracle address (default: the deployer).")
def deploy_cmd(rpc_url: str, key_file: Path | None, vk: Path | None, oracle: str | None) -> None:
    """Deploy YieldAttestationRegistry (the deployer becomes admin) and, with --vk, a verifier.

    \b
    Prints {"registry": ..., "verifier": ..., "admin": ..., "oracle": ..., "chain_id": ...}.
    Example:
      ZKYIELD_PRIVATE_KEY=... zkyield deploy --rpc-url http://127.0.0.1:8545 --vk verification_key.json
    """
    from zkyield.formats.snarkjs_json import load_vk
    from zkyield.verifier import chain

    sender = _sender(key_file)
    verifying_key = load_vk(vk) if vk is not None else None
    w3 = chain.connect(rpc_url)
    result: dict[str, object] = {"chain_id": w3.eth.chain_id, "admin": sender.address}
    if verifying_key is not None:
        result["verifier"] = chain.deploy_verifier(w3, verifying_key, sender)
    result["registry"] = chain.deploy_registry(w3, sender, oracle)
    result["oracle"] = chain.registry_contract(w3, result["registry"]).functions.oracle().call()
    _echo_json(result)


@click.command("register-policy")
@_rpc_option
@_key_option
@_registry_option
@click.option("--policy-hash", required=True, help="The policy hash (public input 2).")
@click.option("--verifier", required=True, help="Verifier contract address for this policy's circuit.")
@click.option("--family", type=click.Choice(["portfolio", "history"]), required=True,
              help="The policy's statement family: which submission path accepts its proofs.")
def register_policy_cmd(
    rpc_url: str, key_file: Path | None, registry: str, policy_hash: str, verifier: str, family: str
) -> None:
    """Admin: bind POLICY_HASH to its verifier and statement family (immutable once registered).

    The thresholds are not stored on chain: they are inside the policy hash, and a verifier checks the
    policy file against it.
    """
    from zkyield.verifier import chain

    sender = _sender(key_file)
    w3 = chain.connect(rpc_url)
    receipt = chain.register_policy(w3, registry, _field(policy_hash, "policy-hash"), verifier, family, sender)
    _echo_json({"policy_hash": policy_hash, "verifier": verifier, "family": family,
                "tx": receipt["transactionHash"].hex()})


@click.command("register-market")
@_rpc_option
@_key_option
@_registry_option
@click.option("--market-hash", required=True, help="The market snapshot hash (public input 3).")
@click.option("--period-start", type=click.IntRange(0, 2**64 - 1), required=True, help="Unix seconds.")
@click.option("--period-end", type=click.IntRange(0, 2**64 - 1), required=True, help="Unix seconds.")
def register_market_cmd(
    rpc_url: str, key_file: Path | None, registry: str, market_hash: str, period_start: int, period_end: int
) -> None:
    """Oracle: register a market snapshot hash with the period proofs against it must state."""
    from zkyield.verifier import chain

    sender = _sender(key_file)
    w3 = chain.connect(rpc_url)
    receipt = chain.register_market(
        w3, registry, _field(market_hash, "market-hash"), period_start, period_end, sender
    )
    _echo_json({"market_hash": market_hash, "tx": receipt["transactionHash"].hex()})


@click.command("submit")
@_rpc_option
@_key_option
@_registry_option
@click.argument("proof_dir", type=_existing_dir)
def submit_cmd(rpc_url: str, key_file: Path | None, registry: str, proof_dir: Path) -> None:
    """Submit PROOF_DIR/proof.json with PROOF_DIR/public.json; the key must be the statement's owner.

    The registry's record of the policy decides the path: submitAttestation for a portfolio policy,
    submitHistoryAttestation (the chain head must be one the owner committed) for a history policy.

    \b
    Prints the stored attestation as JSON.
    Example:
      zkyield submit --rpc-url http://127.0.0.1:8545 --registry 0x... --key-file owner.key out/
    """
    from zkyield.formats.snarkjs_json import load_proof, load_public
    from zkyield.verifier import chain

    sender = _sender(key_file)
    proof = load_proof(proof_dir / "proof.json")
    public = load_public(proof_dir / "public.json")
    w3 = chain.connect(rpc_url)
    attestation_id = chain.submit(w3, registry, proof, public, sender)
    _echo_json(_attestation_json(chain.attestation(w3, registry, attestation_id)))


@click.command("attestation")
@_rpc_option
@_registry_option
@click.option("--commitment", required=True, help="The portfolio commitment (public input 0).")
@click.option("--policy-hash", default=None, help="Only attestations under this policy.")
def attestation_cmd(rpc_url: str, registry: str, commitment: str, policy_hash: str | None) -> None:
    """Print the latest attestation (newest period) for COMMITMENT as JSON."""
    from zkyield.verifier import chain

    w3 = chain.connect(rpc_url)
    policy = None if policy_hash is None else _field(policy_hash, "policy-hash")
    _echo_json(_attestation_json(chain.latest_attestation(w3, registry, _field(commitment, "commitment"), policy)))

