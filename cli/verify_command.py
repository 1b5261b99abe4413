"""``zkyield verify OUT --key VK``: check a proof folder against what the verifier supplies, never the prover.

The proof folder holds the prover's files; its verification_key.json and attestation.json are the
prover's word. The key, policy, market and (for history proofs) the owner's published snapshot log or
the registry come from the verifier's own files, and the output lists each check with its outcome.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from zkyield import api
from zkyield.api import AnyMarket, AnyPolicy
from zkyield.build_folder import STATEMENT_FILE, VERIFICATION_KEY_FILE
from zkyield.circuits.history_chain import SnapshotLog, load_log
from zkyield.errors import InputError
from zkyield.families import family_named
from zkyield.formats.attestation import Attestation, read_attestation
from zkyield.formats.jsonfile import read_json
from zkyield.formats.snarkjs_json import load_vk
from zkyield.formats.zkey import MAGIC as ZKEY_MAGIC
from zkyield.formats.zkey import read_zkey
from zkyield.groth16.keys import VerifyingKey
from zkyield.head_records import HeadSource, LogHeads, RecordSource
from zkyield.statement import STATEMENT_KIND
from zkyield.verification import VerificationResult

_file = click.Path(exists=True, dir_okay=False, path_type=Path)
NO_KEY = ("--key: name the verification key you trust (a verification_key.json, a build folder or a .zkey); "
          "the key inside the proof folder is the prover's and is never used on its own")


def load_verifier_key(path: Path) -> tuple[VerifyingKey, dict[str, object] | None, Path]:
    """The key at ``path`` (file or build folder), the build folder's statement.json if any, and the key file."""
    statement = None
    if path.is_dir():
        key_file = path / VERIFICATION_KEY_FILE
        if not key_file.is_file():
            raise InputError(f"--key: {path} has no {VERIFICATION_KEY_FILE}; run `zkyield setup {path}` or name "
                             "the key file")
        if (path / STATEMENT_FILE).is_file():
            statement, name = read_json(path / STATEMENT_FILE)  # the strict reader
            if not isinstance(statement, dict) or statement.get("kind") != STATEMENT_KIND:
                raise InputError(f"--key: {name} is not a zkyield statement.json; recompile the build folder")
        return load_vk(key_file), statement, key_file
    with open(path, "rb") as f:
        head = f.read(len(ZKEY_MAGIC))
    if head == ZKEY_MAGIC:
        return read_zkey(path).verifying_key, None, path
    return load_vk(path), None, path


def _registry(rpc_url: str | None, address: str | None):
    if rpc_url is None and address is None:
        return None
    if rpc_url is None or address is None:
        raise InputError("--registry: pass both --rpc-url URL and --registry ADDRESS")
    try:
        from web3 import Web3

        from zkyield.registry_records import open_registry
        from zkyield.verifier.chain import connect
    except ImportError:
        raise InputError("--registry: on-chain checks need the chain extra: pip install 'zkyield[chain]'") from None
    if not Web3.is_address(address):
        raise InputError(f"--registry: {address!r} is not an Ethereum address")
    return open_registry(connect(rpc_url), address)


@dataclass(frozen=True)
class VerifyInputs:
    """What a verification reads: the prover's folder and the verifier's own key, policy, market, log, registry."""

    attestation: Attestation
    vk: VerifyingKey
    statement: dict[str, object] | None
    key_file: Path
    key_sha256: str | None
    policy: AnyPolicy | None
    market: AnyMarket | None
    log: SnapshotLog | None
    heads: HeadSource | None
    registry: RecordSource | None


def load_inputs(proof_dir: Path, key_path: Path | None, key_sha256: str | None, policy_path: Path | None,
                market_path: Path | None, log_path: Path | None, rpc_url: str | None,
                registry: str | None) -> VerifyInputs:
    """Read and check the options of `zkyield verify` (and `zkyield report`); bad input raises InputError."""
    if key_path is None:
        raise InputError(NO_KEY)
    if key_sha256 is not None and not re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", key_sha256):
        raise InputError("--key-sha256: 64 hex digits, as `zkyield setup --json` prints verification_key_sha256")
    reader = _registry(rpc_url, registry)
    attestation = read_attestation(proof_dir)
    vk, statement, key_file = load_verifier_key(key_path)
    policy = api.load_any_policy(policy_path) if policy_path else None
    family = family_named(api.statement_family(attestation, policy, statement))
    market = family.load_market(market_path) if market_path else None
    if log_path is not None and not family.heads_required:
        raise InputError(f"--log: a snapshot log only checks history proofs; this is a {family.name} proof "
                         "(drop --log)")
    log = load_log(log_path) if log_path else None
    heads = LogHeads(log) if log is not None else reader
    if family.heads_required and heads is None:
        raise InputError("--log: a history proof; pass the owner's published snapshot log (--log snapshots.log.json) "
                         "or the registry (--rpc-url URL --registry ADDRESS)")
    return VerifyInputs(attestation, vk, statement, key_file, key_sha256, policy, market, log, heads, reader)


def verify_inputs(inputs: VerifyInputs) -> VerificationResult:
    """``api.verify`` over what ``load_inputs`` read."""
    return api.verify(inputs.attestation, inputs.vk, inputs.policy, inputs.market, key_sha256=inputs.key_sha256,
                      statement=inputs.statement, heads=inputs.heads, registry=inputs.registry)


def _text(result: VerificationResult, key_file: Path) -> str:
    if result:
        head = f"OK: every required check passed (key sha256 {result.key_sha256} from {key_file})"
    else:
        head = f"INVALID: {result.failures[0].reason}"
    width = max(len(c.name) for c in result.checks)
    rows = [f"  {c.name:<{width}}  {c.outcome.value:<11}  {c.reason}" for c in result.checks]
    return "\n".join([head, *rows])


def verifier_inputs(command: Callable) -> Callable:
    """The options naming what the VERIFIER supplies (shared by `verify` and `report`)."""
    for option in reversed(_VERIFIER_OPTIONS):
        command = option(command)
    return command


_VERIFIER_OPTIONS = [
    click.argument("proof_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path)),
    click.option("--key", "key_path", type=click.Path(exists=True, path_type=Path),
                 help="Your verification key: verification_key.json, a build folder or a .zkey (required)."),
    click.option("--key-sha256", "key_sha256", help="Also require the key's sha256 (as `zkyield setup` prints it)."),
    click.option("--policy", "policy_path", type=_file, help="Your public policy: check it hashes to the proof's."),
    click.option("--market", "market_path", type=_file, help="Your public market: check it hashes to the proof's."),
    click.option("--log", "log_path", type=_file, help="History proofs: the owner's published snapshot log."),
    click.option("--rpc-url", "--rpc", "rpc_url", help="History head and on-chain record: JSON-RPC endpoint."),
    click.option("--registry", "registry", help="History head and on-chain record: YieldAttestationRegistry address."),
]


@click.command("verify")
@verifier_inputs
@click.option("--json", "as_json", is_flag=True, help="Print the verification result as JSON.")
@click.pass_context
def verify_cmd(ctx: click.Context, proof_dir: Path, key_path: Path | None, key_sha256: str | None,
               policy_path: Path | None, market_path: Path | None, log_path: Path | None, rpc_url: str | None,
               registry: str | None, as_json: bool) -> None:
    """Verify an attestation folder against YOUR key, policy and market (exit 0 valid, 1 invalid, 2 bad input).

    \b
    Only what you supply is checked: without --policy the output says "policy not checked", and
    nothing from the prover's attestation.json is shown as proven. A history proof also needs the
    owner's published snapshot log (--log) or the registry (--rpc-url, --registry). docs/verifying.md.
    Examples:
      zkyield verify proof/ --key build/verification_key.json --policy policy.json --market market.json
      zkyield verify p/ --key build-history/ --policy history.policy.json --market rates.json --log snapshots.log.json
    """
    inputs = load_inputs(proof_dir, key_path, key_sha256, policy_path, market_path, log_path, rpc_url, registry)
    result = verify_inputs(inputs)
    if as_json:
        click.echo(json.dumps({**result.to_json(), "key_file": str(inputs.key_file)}, indent=2))
    else:
        click.echo(_text(result, inputs.key_file))
    if not result:
        ctx.exit(1)
