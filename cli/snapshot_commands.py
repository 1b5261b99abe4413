"""``zkyield snapshot``: keep the private snapshot history and publish each snapshot's commitment as it happens.

The history file (NAVs, positions commitments, times, salts) stays private; the log file holds only
commitments and heads and is what the owner publishes (or the registry's ``commitSnapshot`` instead).
Results are JSON on stdout; field elements as decimal strings.
"""

from __future__ import annotations

import json
import secrets
import time
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
@click.option("--rpc-url", default=None, help="Publish it on chain (JSON-RPC endpoint) ...")
@click.option("--registry", default=None, help="... to this YieldAttestationRegistry's commitSnapshot.")
@click.option("--key-file", type=_existing, default=None,
              help="File holding the owner's hex private key (default: $ZKYIELD_PRIVATE_KEY).")
def commit_cmd(history: Path, nav: str, positions_commitment: str, when: str | None, log_path: Path | None,
               rpc_url: str | None, registry: str | None, key_file: Path | None) -> None:
    """Append a snapshot with a fresh random salt to HISTORY, publish its commitment and print it with
    the new head.

    Publish with --log and/or --rpc-url with --registry: a later proof can only use snapshots whose
    commitments were published, in order, and each no later than the policy's max_commit_delay_s after
    its time. The publication time (the block time on chain, else now) is part of the chain; with both,
    the log records the block time. On chain, the registry's head for the signing address must equal
    the history's head before the commit, and equals the new head after.
    """
    if (rpc_url is None) != (registry is None):
        raise InputError("--rpc-url and --registry go together: both name where commitSnapshot is sent")
    if log_path is None and rpc_url is None:
        raise InputError("commit: publish the snapshot with --log FILE and/or --rpc-url URL --registry ADDR; "
                         "an unpublished snapshot can never be proven")
    from zkyield.circuits.history_chain import (
        check_history_matches_log,
        extend,
        history_head,
        load_log,
        snapshot_commitment,
    )
    from zkyield.circuits.history_models import History, Snapshot, field_element, load_history, nav_units
    from zkyield.circuits.jsonread import timestamp
    from zkyield.field import R

    h = load_history(history)
    log = load_log(log_path) if log_path is not None else None
    if log is not None:
        check_history_matches_log(h, log)
    prev_head = history_head(h)
    publish = _on_chain_publisher(rpc_url, registry, key_file, h.owner, prev_head) if rpc_url else None
    now = publish.now if publish is not None else int(time.time())
    t = now if when is None else timestamp(when, "--time")
    if t > now:
        raise InputError(f"--time is after the {'latest block' if publish else 'current'} time; a snapshot is "
                         "published after it is taken")
    snap = Snapshot(nav_units(nav, h.nav_decimals, "--nav"),
                    field_element(positions_commitment, "--positions-commitment"), t, 1 + secrets.randbelow(R - 1))
    commitment = snapshot_commitment(h.owner, snap)
    if log is not None:
        log.append(commitment, now)  # refuses a log whose last time is later, before anything is written
    result: dict[str, object] = {"index": len(h.snapshots), "commitment": str(commitment)}

    def save(committed_at: int | None) -> None:
        s = Snapshot(snap.nav, snap.positions_commitment, snap.timestamp, snap.salt, committed_at)
        _save(History(h.owner, h.nav_decimals, (*h.snapshots, s), h.description, h.source), history)

    committed_at = now
    if publish is not None:
        save(None)  # the salt first: a commitment published without it could never be opened
        result["tx"], committed_at = publish(commitment)
    head = extend(prev_head, commitment, committed_at)
    if publish is not None:
        publish.check_head(head)
    save(committed_at)
    if log is not None:
        log.append(commitment, committed_at).save(log_path)
    _echo({**result, "committed_at": committed_at, "head": str(head)})


def _save(h, path: Path) -> None:
    """Write the history after the same checks as reading it back (times increase, widths)."""
    from zkyield.circuits.history_chain import history_to_json
    from zkyield.circuits.history_models import load_history
    from zkyield.formats.atomic import write_json_atomic

    doc = history_to_json(h)
    load_history(doc)
    write_json_atomic(path, doc)


class _OnChainPublisher:
    """Sends ``commitSnapshot`` for the owner's key after checking that the registry's head for that key
    is the history's; ``now`` is the latest block time (the next commit's time is no earlier)."""

    def __init__(self, w3, contract, sender) -> None:
        self.w3, self.contract, self.sender = w3, contract, sender
        self.now = w3.eth.get_block("latest")["timestamp"]

    def __call__(self, commitment: int) -> tuple[str, int]:
        from zkyield.verifier import chain

        receipt = chain.transact(self.w3, self.contract.functions.commitSnapshot(commitment), self.sender)
        (event,) = self.contract.events.SnapshotCommitted().process_receipt(receipt)
        return receipt["transactionHash"].hex(), event["args"]["committedAt"]

    def check_head(self, head: int) -> None:
        if self.contract.functions.snapshotHead(self.sender.address).call() != head:
            raise InputError("--registry: the on-chain head after commitSnapshot differs from the history's")


def _on_chain_publisher(rpc_url: str, registry: str | None, key_file: Path | None, owner: int,
                        head: int) -> _OnChainPublisher:
    from zkyield.verifier import chain

    sender = chain.sender_from_key(chain.load_private_key(key_file))
    if int(sender.address, 16) != owner:
        raise InputError("--key-file: the key's address is not the history's owner; sign with the owner's key")
    w3 = chain.connect(rpc_url)
    contract = chain.registry_contract(w3, registry)
    if contract.functions.snapshotHead(sender.address).call() != head:
        raise InputError(f"--registry: the on-chain head of {sender.address} is not the history's head; "
                         "the history and the chain have diverged")
    return _OnChainPublisher(w3, contract, sender)


@snapshot.command("head")
@click.argument("history", type=_existing)
@click.option("--log", "log_path", type=_existing, default=None, help="Check the history against this log too.")
def head_cmd(history: Path, log_path: Path | None) -> None:
    """Print the chain head, the snapshot count and every commitment of HISTORY (all public)."""
    from zkyield.circuits.history_chain import check_history_matches_log, heads, links, load_log
    from zkyield.circuits.history_models import load_history

    h = load_history(history)
    if log_path is not None:
        check_history_matches_log(h, load_log(log_path))
    chain_links = links(h)
    _echo({"owner": f"0x{h.owner:040x}", "count": len(chain_links), "head": str(heads(h.owner, chain_links)[-1]),
           "commitments": [str(c) for c, _ in chain_links]})
