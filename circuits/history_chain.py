"""The snapshot hash chain: leaf commitments, per-owner heads, proof windows, and the public file log.

Definitions (the same in Python, in circuit and in the registry contract, docs/history.md):

    c_i = Poseidon(nav_i, positions_commitment_i, timestamp_i, salt_i)      # circomlib Poseidon(4)
    h_0 = owner                                                             # the 160-bit address
    h_i = Poseidon(h_{i-1}, c_i)                                            # circomlib Poseidon(2)

The owner publishes c_i as each snapshot happens (to the registry, which extends h on chain, or to a
log file); the salt keeps the NAV hidden. A proof over snapshots k..k+T opens c_k..c_{k+T}, starts
from the private h_{k-1} and must arrive at a published head, so no snapshot of the window can be
changed, reordered or dropped afterwards (that would need a Poseidon collision).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zkyield.circuits import encoding as enc
from zkyield.circuits.history_models import (
    LINK_TAG,
    MAX_SNAPSHOTS,
    SNAPSHOT_TAG,
    History,
    Snapshot,
    field_element,
)
from zkyield.circuits.jsonread import Obj, array, load_json, root, timestamp
from zkyield.errors import InputError
from zkyield.formats.atomic import write_json_atomic
from zkyield.poseidon import poseidon


def snapshot_commitment(owner: int, s: Snapshot) -> int:
    """c = Poseidon(SNAPSHOT_TAG, owner, nav, positions_commitment, timestamp, salt): what the owner publishes."""
    return poseidon([SNAPSHOT_TAG, owner, s.nav, s.positions_commitment, s.timestamp, s.salt])


def extend(head: int, commitment: int, committed_at: int) -> int:
    """The next chain head: Poseidon(LINK_TAG, head, commitment, committed_at)."""
    return poseidon([LINK_TAG, head, commitment, committed_at])


def heads(owner: int, links: Sequence[tuple[int, int]]) -> list[int]:
    """``[h_0, h_1, ..., h_n]`` for ``(commitment, committed_at)`` links: the head before any snapshot
    (the owner) and after each link."""
    out = [owner]
    for c, t in links:
        out.append(extend(out[-1], c, t))
    return out


def links(history: History, upto: int | None = None) -> list[tuple[int, int]]:
    """``(commitment, committed_at)`` of the first ``upto`` snapshots (default: all), each of which must
    have been published."""
    snapshots = history.snapshots if upto is None else history.snapshots[:upto]
    out = []
    for i, s in enumerate(snapshots):
        if s.committed_at is None:
            raise InputError(f"{history.source}: snapshots[{i}] has no committed_at; it was never published "
                             "(publish it with `zkyield snapshot commit`, or remove it)")
        out.append((snapshot_commitment(history.owner, s), s.committed_at))
    return out


def history_head(history: History) -> int:
    """The head after the history's last snapshot (the owner's address for an empty history)."""
    return heads(history.owner, links(history))[-1]


@dataclass(frozen=True)
class Window:
    """Snapshots ``first .. first + periods`` of a history, with the heads around them."""

    first: int  # index of the window's first snapshot in the history
    prev_head: int  # h_{first}: the head before the window's first snapshot (private)
    snapshots: tuple[Snapshot, ...]
    head: int  # the head after the window's last snapshot (public)

    @property
    def periods(self) -> int:
        return len(self.snapshots) - 1


def window(history: History, periods: int, last: int | None = None) -> Window:
    """The ``periods + 1`` snapshots ending at index ``last`` (default: the newest)."""
    n = len(history.snapshots)
    last = n - 1 if last is None else last
    first = last - periods
    if not 0 <= last < n:
        raise InputError(f"{history.source}: window end {last} is outside the {n} snapshots")
    if first < 0:
        raise InputError(f"{history.source}: a window of {periods} periods needs {periods + 1} snapshots up to "
                         f"index {last}; the history has {last + 1}; commit more snapshots or shorten the policy")
    hs = heads(history.owner, links(history, last + 1))
    return Window(first, hs[first], history.snapshots[first : last + 1], hs[last + 1])


@dataclass(frozen=True)
class LogEntry:
    commitment: int
    head: int
    committed_at: int  # Unix seconds when the owner appended it


@dataclass(frozen=True)
class SnapshotLog:
    """The public, append-only record of an owner's snapshot commitments (off-chain counterpart of the
    registry's ``commitSnapshot``); every head is recomputed and checked on load."""

    owner: int
    entries: tuple[LogEntry, ...] = ()
    source: str = "snapshots.log.json"

    @property
    def head(self) -> int:
        return self.entries[-1].head if self.entries else self.owner

    def append(self, commitment: int, committed_at: int) -> SnapshotLog:
        if self.entries and committed_at < self.entries[-1].committed_at:
            raise InputError(f"{self.source}: committed_at goes back in time; use the current time")
        entry = LogEntry(commitment, extend(self.head, commitment, committed_at), committed_at)
        return SnapshotLog(self.owner, (*self.entries, entry), self.source)

    def to_json(self) -> dict:
        return {"owner": f"0x{self.owner:040x}",
                "entries": [{"commitment": str(e.commitment), "head": str(e.head),
                             "committed_at": _iso(e.committed_at)} for e in self.entries]}

    def save(self, path: str | Path) -> None:
        write_json_atomic(path, self.to_json())


def load_log(source: str | Path | dict) -> SnapshotLog:
    """Read a snapshot log and check every head against the chain recomputed from the commitments."""
    data, name = load_json(source, "snapshots.log.json")
    obj = root(data, name)
    log = SnapshotLog(enc.address_int(obj.need("owner"), obj.path("owner")), (), name)
    for i, item in enumerate(array(obj.need("entries"), obj.path("entries"), MAX_SNAPSHOTS)):
        e = Obj(item, f"{obj.path('entries')}[{i}]")
        log = log.append(field_element(e.need("commitment"), e.path("commitment")),
                         timestamp(e.need("committed_at"), e.path("committed_at")))
        if field_element(e.need("head"), e.path("head")) != log.head:
            raise InputError(f"{e.path('head')} is not Poseidon(LINK_TAG, previous head, commitment, committed_at): "
                             "the log was altered, or written by an older zkyield (rebuild the log from the history)")
        e.done()
    obj.done()
    return log


def check_history_matches_log(history: History, log: SnapshotLog) -> None:
    """Raise unless the history's snapshots open exactly the log's commitments, in order."""
    if history.owner != log.owner:
        raise InputError(f"{log.source}: owner differs from {history.source}'s owner")
    if len(history.snapshots) != len(log.entries):
        raise InputError(f"{history.source} has {len(history.snapshots)} snapshots but {log.source} has "
                         f"{len(log.entries)} commitments; commit every snapshot exactly once")
    for i, (s, e) in enumerate(zip(history.snapshots, log.entries, strict=True)):
        if snapshot_commitment(history.owner, s) != e.commitment:
            raise InputError(f"{history.source}: snapshots[{i}] does not open {log.source} entries[{i}]")
        if s.committed_at != e.committed_at:
            raise InputError(f"{history.source}: snapshots[{i}].committed_at differs from {log.source} "
                             f"entries[{i}].committed_at; copy the log's time into the history")


def _iso(t: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_to_json(history: History) -> dict:
    """The history file's JSON (inverse of ``load_history``); it holds salts and NAVs: keep it private."""
    return {
        "description": history.description,
        "owner": f"0x{history.owner:040x}",
        "nav_decimals": history.nav_decimals,
        "snapshots": [_snapshot_json(s, history.nav_decimals) for s in history.snapshots],
    }



def _snapshot_json(s: Snapshot, decimals: int) -> dict:
    out = {"time": _iso(s.timestamp), "nav": enc.format_base_units(s.nav, decimals),
           "positions_commitment": str(s.positions_commitment), "salt": str(s.salt)}
    if s.committed_at is not None:
        out["committed_at"] = _iso(s.committed_at)
    return out
