"""The public record of one proof: what was proven, about which commitment, under which key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from zkyield.groth16.keys import Proof

ATTESTATION_KIND = "zkyield-attestation"


@dataclass(frozen=True)
class Attestation:
    """What a proof states, in public terms only: no amount, protocol or salt ever appears here."""

    proof: Proof
    public_signals: tuple[int, ...]
    statement: dict[str, object]
    policy: dict[str, object]
    verification_key_sha256: str
    created: str

    @property
    def commitment(self) -> int:
        return self.public_signals[0]

    @property
    def owner(self) -> str:
        return f"0x{self.public_signals[1]:040x}"

    @property
    def policy_hash(self) -> int:
        return self.public_signals[2]

    @property
    def market_hash(self) -> int:
        return self.public_signals[3]

    @property
    def period(self) -> tuple[int, int]:
        return self.public_signals[4], self.public_signals[5]

    def summary(self) -> dict[str, object]:
        """The attestation.json document (public data only)."""
        start, end = self.period
        return {
            "kind": ATTESTATION_KIND,
            "version": 1,
            "statement": self.statement,
            "policy": self.policy,
            "policy_hash": str(self.policy_hash),
            "market_hash": str(self.market_hash),
            "period": {"start": _iso(start), "end": _iso(end), "start_unix": start, "end_unix": end},
            "commitment": str(self.commitment),
            "owner": self.owner,
            "verification_key_sha256": self.verification_key_sha256,
            "public_signals": [str(v) for v in self.public_signals],
            "created": self.created,
        }


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
