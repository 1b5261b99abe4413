"""Where a verifier looks up a history proof's chain head: the owner's published log or the registry.

A history proof's public ``chain_head`` only means "this owner's committed track record" once the
verifier finds that head in a record the owner published (whose chain starts at the owner), committed
no earlier than the window's end. The prover's folder is never such a record. In history layout 2 each
link hashes its own commit time, so the time a record gives for a head is the one the proof's last
link carries: the registry's block time, or the time the owner wrote into the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zkyield.circuits.history_chain import SnapshotLog


@dataclass(frozen=True)
class HeadRecord:
    """A published head: whose chain it ends and when it was committed (Unix seconds)."""

    owner: int
    committed_at: int


class HeadSource(Protocol):
    """Anything that answers "was this head published, by whom, when?" (``None``: never published)."""

    description: str

    def head(self, head: int) -> HeadRecord | None: ...


class RecordSource(Protocol):
    """A registry that can say whether it accepted a proof for exactly these public signals, as a
    statement of ``family`` ("portfolio" or "history")."""

    description: str

    def recorded(self, public_signals: tuple[int, ...], family: str) -> bool: ...


@dataclass(frozen=True)
class LogHeads:
    """Heads of a snapshot log read with ``history_chain.load_log`` (which recomputes every head)."""

    log: SnapshotLog

    @property
    def description(self) -> str:
        return f"snapshot log {self.log.source}"

    def head(self, head: int) -> HeadRecord | None:
        for entry in self.log.entries:
            if entry.head == head:
                return HeadRecord(self.log.owner, entry.committed_at)
        return None
