"""What a verification checked, one line per check, and the verdict a compliance tool can file.

A bare ``True`` hides what was not looked at: a proof verified without the policy says nothing about
the thresholds, and a history proof verified without the owner's published log says nothing about
whose track record it is. ``VerificationResult`` lists every check with pass / fail / not-checked and
the reason, and is truthy only when every check that the verification requires passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

KEY = "key"
PAIRING = "pairing"
POLICY_HASH = "policy_hash"
MARKET_HASH = "market_hash"
CHAIN_HEAD = "chain_head"
ATTESTORS = "attestors"
ONCHAIN = "onchain_record"


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True)
class Check:
    """One check: its outcome, whether the verdict depends on it, and why it came out so."""

    name: str
    outcome: Outcome
    required: bool
    reason: str

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def to_json(self) -> dict[str, object]:
        return {"check": self.name, "status": self.outcome.value, "required": self.required, "reason": self.reason}


def passed(name: str, reason: str, required: bool = True) -> Check:
    return Check(name, Outcome.PASS, required, reason)


def failed(name: str, reason: str, required: bool = True) -> Check:
    return Check(name, Outcome.FAIL, required, reason)


def not_checked(name: str, reason: str, required: bool = False) -> Check:
    return Check(name, Outcome.NOT_CHECKED, required, reason)


def _freeze(value: object) -> object:
    """Read-only all the way down: mappings become proxies, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: object) -> object:
    """Plain dicts and lists again, for JSON."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class VerificationResult:
    """The checks of one verification and what they establish (only what was checked is shown as proven).

    ``policy`` / ``market`` are the verifier's own documents, present only when they hashed to the proof's
    public signals; ``None`` means "not checked", never "anything goes".
    """

    checks: tuple[Check, ...]
    key_sha256: str
    statement: str  # "portfolio" or "history"
    statement_source: str  # where the family came from (the verifier's build folder, policy, or the prover)
    public_signals: tuple[int, ...]
    policy: Mapping[str, object] | None = None
    market: Mapping[str, object] | None = None
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy", None if self.policy is None else _freeze(self.policy))
        object.__setattr__(self, "market", None if self.market is None else _freeze(self.market))
        if not any(c.name == PAIRING and c.required for c in self.checks):
            raise ValueError("a verification result must include the required pairing check")

    @property
    def valid(self) -> bool:
        """True iff every required check passed."""
        return all(c.passed for c in self.checks if c.required)

    def __bool__(self) -> bool:
        return self.valid

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def failures(self) -> tuple[Check, ...]:
        """Required checks that did not pass (failed or could not be done)."""
        return tuple(c for c in self.checks if c.required and not c.passed)

    def proven(self) -> dict[str, object]:
        """What a valid result establishes, with every unchecked part said to be unchecked."""
        start, end = self.public_signals[4], self.public_signals[5]
        head = "chain_head" if self.statement == "history" else "commitment"
        return {
            "statement": self.statement,
            head: str(self.public_signals[0]),
            "owner": f"0x{self.public_signals[1]:040x}",
            "policy_hash": str(self.public_signals[2]),
            "market_hash": str(self.public_signals[3]),
            "period": {"start_unix": start, "end_unix": end},
            "policy": _thaw(self.policy) if self.policy is not None else "policy not checked",
            "market": _thaw(self.market) if self.market is not None else "market not checked",
        }

    def to_json(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "key_sha256": self.key_sha256,
            "statement_source": self.statement_source,
            "checks": [c.to_json() for c in self.checks],
            "proven": self.proven() if self.valid else None,
            **({"notes": list(self.notes)} if self.notes else {}),
        }
