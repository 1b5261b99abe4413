"""``zkyield snapshot``: keep the private snapshot history and publish each snapshot's commitment as it happens.

The history file (NAVs, positions commitments, times, salts) stays private; the log file holds only
commitments and heads and is what the owner publishes (or the registry's ``commitSnapshot`` instead).
Results are JSON on stdout; field elements as decimal strings.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import click

from zkyield.errors import InputError

_file = click.Path(dir_okay=False, path_type=Path)
_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


def _echo(obj: object) -> None:
    click.echo(json.dumps(obj, indent=2))


@click.group("snapshot")
def snapshot() -> None:
    """Commit periodic portfolio snapshots to a hash chain (for history proofs).

    \b
    Example (one commit a week):
      zkyield snapshot init history.json --owner 0xYourAddress --nav-decimals 6 --log snapshots.log.json
      zkyield snapshot commit history.json --nav 1000000.00 --positions-commitment 0x... --log snapshots.log.json
      zkyield snapshot head history.json
    """


@snapshot.command("init")
@click.argument("history", type=_file)
@click.option("--owner", required=True, help="The owner's Ethereum address (the chain starts at it).")
@click.option("--nav-decimals", type=click.IntRange(0, 18), default=6, show_default=True,
              help="Decimals of the NAV figures (base units = NAV x 10^decimals).")
@click.option("--log", "log_path", type=_file, default=None, help="Also create an empty public log here.")
def init_cmd(history: Path, owner: str, nav_decimals: int, log_path: Path | None) -> None:
    """Create an empty private HISTORY file (refuses to overwrite one)."""
    from zkyield.circuits import encoding as enc
    from zkyield.circuits.history_chain import SnapshotLog, history_to_json
    from zkyield.circuits.history_models import History
    from zkyield.formats.atomic import write_json_atomic

    for path in (history, log_path):
        if path is not None and path.exists():
            raise InputError(f"{path}: already exists; snapshot init never overwrites a history or log")
    h = History(enc.address_int(owner, "--owner"), nav_decimals, ())
    write_json_atomic(history, history_to_json(h))
    if log_path is not None:
        SnapshotLog(h.owner).save(log_path)
    _echo({"history": str(history), "head": str(h.owner)})


@snapshot.command("commit")
@click.argument("history", type=_existing)
@click.option("--nav", required=True, help="The NAV now, a decimal string at the history's nav_decimals.")
@click.option("--positions-commitment", default="0", show_default=True,
              help="Commitment to the positions behind the NAV (decimal or 0x-hex field element).")
@click.option("--time", "when", default=None, help="Snapshot time, ISO-8601 UTC (default: now).")
@click.option("--log", "log_path", type=_existing, default=None,
              help="Append the commitment to this public log (it must match the history so far).")
@click.option("--rpc-url", default=None, help="Also publish it on chain (JSON-RPC endpoint) ...")
@click.option("--registry", default=None, help="... to this YieldAttestationRegistry's commitSnapshot.")
@click.option("--key-file", type=_existing, default=None,
              help="File holding the owner's hex private key (default: $ZKYIELD_PRIVATE_KEY).")
def commit_cmd(history: Path, nav: str, positions_commitment: str, when: str | None, log_path: Path | None,
               rpc_url: str | None, registry: str | None, key_file: Path | None) -> None:
    """Append a snapshot with a fresh random salt to HISTORY and print its commitment and the new head.

    Publish the commitment now (--log and/or --rpc-url with --registry): a later proof can only use
    snapshots whose commitments were published, in order. On chain, the registry's head for the
    signing address must equal the history's head before the commit, and equals the new head after.
    """
    if (rpc_url is None) != (registry is None):
        raise InputError("--rpc-url and --registry go together: both name where commitSnapshot is sent")
    from zkyield.circuits.history_chain import (
        check_history_matches_log,
        heads,
        history_to_json,
        load_log,
        snapshot_commitment,
    )
    from zkyield.circuits.history_models import (
        History,
        Snapshot,
        field_element,
        load_history,
        nav_units,
    )
    from zkyield.circuits.jsonread import timestamp
    from zkyield.field import R
    from zkyield.formats.atomic import write_json_atomic

    h = load_history(history)
    log = load_log(log_path) if log_path is not None else None
    if log is not None:
        check_history_matches_log(h, log)
    now = int(time.time())
    t = now if when is None else timestamp(when, "--time")
    snap = Snapshot(nav_units(nav, h.nav_decimals, "--nav"),
                    field_element(positions_commitment, "--positions-commitment"), t, 1 + secrets.randbelow(R - 1))
    new = History(h.owner, h.nav_decimals, (*h.snapshots, snap), h.description, h.source)
    load_history(history_to_json(new))  # the same checks as reading it back (times increase, widths)
    commitment = snapshot_commitment(snap)
    head = heads(h.owner, [*(snapshot_commitment(s) for s in h.snapshots), commitment])[-1]
    result = {"index": len(new.snapshots) - 1, "commitment": str(commitment), "head": str(head)}
    send = _on_chain_sender(rpc_url, registry, key_file, h) if rpc_url is not None else None
    # The private history is written first: a commitment published without its salt could never be opened.
    write_json_atomic(history, history_to_json(new))
    if log is not None:
        log.append(commitment, now).save(log_path)
    if send is not None:
        result["tx"] = send(commitment, head)
    _echo(result)


def _on_chain_sender(rpc_url: str, registry: str, key_file: Path | None, h) -> Callable[[int, int], str]:
    """Check that the registry's head for the owner's key is the history's head, and return the function
    that sends ``commitSnapshot(commitment)`` and checks the new head."""
    from zkyield.circuits.history_chain import heads, snapshot_commitment
    from zkyield.verifier import chain

    sender = chain.sender_from_key(chain.load_private_key(key_file))
    if int(sender.address, 16) != h.owner:
        raise InputError("--key-file: the key's address is not the history's owner; sign with the owner's key")
    w3 = chain.connect(rpc_url)
    contract = chain.registry_contract(w3, registry)
    if contract.functions.snapshotHead(sender.address).call() != heads(
            h.owner, [snapshot_commitment(s) for s in h.snapshots])[-1]:
        raise InputError(f"--registry: the on-chain head of {sender.address} is not the history's head; "
                         "the history and the chain have diverged")

    def send(commitment: int, head: int) -> str:
        receipt = chain.transact(w3, contract.functions.commitSnapshot(commitment), sender)
        if contract.functions.snapshotHead(sender.address).call() != head:
            raise InputError("--registry: the on-chain head after commitSnapshot differs from the history's")
        return receipt["transactionHash"].hex()

    return send


@snapshot.command("head")
@click.argument("history", type=_existing)
@click.option("--log", "log_path", type=_existing, default=None, help="Check the history against this log too.")
def head_cmd(history: Path, log_path: Path | None) -> None:
    """Print the chain head, the snapshot count and every commitment of HISTORY (all public)."""
    from zkyield.circuits.history_chain import check_history_matches_log, heads, load_log, snapshot_commitment
    from zkyield.circuits.history_models import load_history

    h = load_history(history)
    if log_path is not None:
        check_history_matches_log(h, load_log(log_path))
    commitments = [snapshot_commitment(s) for s in h.snapshots]
    _echo({"owner": f"0x{h.owner:040x}", "count": len(commitments), "head": str(heads(h.owner, commitments)[-1]),
           "commitments": [str(c) for c in commitments]})
