"""One record per clause, and the append-only table of a statement family (docs/ARCHITECTURE.md).

A ``Clause`` says everything the toolkit needs to know about one policy key: what it measures, its
sense (a minimum or a maximum), display unit, the threshold range the loader accepts, the offset that
makes a signed threshold a non-negative hashed value, its plain-Python evaluation, its circuit
constraints, and the shared sums or inputs those need. A family's ``ClauseTable`` lists its clauses in
a fixed order: a clause's position is its bit in the hashed clause mask and its slot in the hashed
policy vector, so the table is append-only (a new clause goes at the end; reordering changes every
policy hash and is a layout change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from zkyield.circuits.encoding import BPS, Inequality
from zkyield.errors import StatementFalse


@dataclass(frozen=True)
class Clause:
    """One policy key of a family; ``evaluate`` and ``constrain`` are its two functions.

    ``evaluate(data, threshold) -> Finding`` decides the clause on the family's integer view (the
    portfolio's ``Sums``, the history's ``Series``); ``constrain(builder, threshold_value)`` emits the
    same decision as constraints. ``needs`` names the shared sums or inputs the builder must prepare.
    """

    key: str
    measures: str
    sense: str  # "min" or "max"
    unit: str  # "%" (bps shown as a percentage), "x" (bps shown as a ratio), "n" (a count)
    low: int
    high: int
    evaluate: Callable[..., Any]
    constrain: Callable[..., None]
    offset: int = 0  # hashed as threshold + offset, so a signed threshold is a non-negative integer
    needs: frozenset[str] = frozenset()
    threshold: bool = True  # False: the policy states the clause by another field (a Merkle root)
    value: Callable[[Any], int | None] | None = None  # what a policy states for it; default its threshold
    message: Callable[[Check], str] | None = None  # a clause whose sentence is not "measured op threshold"

    def __post_init__(self) -> None:
        if self.sense not in ("min", "max") or self.unit not in ("%", "x", "n") or self.low > self.high:
            raise ValueError(f"clause {self.key}: bad sense, unit or range")

    def stated(self, policy: Any) -> int | None:
        """The value ``policy`` states for this clause (threshold or root), None when it does not state it."""
        return self.value(policy) if self.value is not None else policy.get(self.key)

    @property
    def is_min(self) -> bool:
        return self.sense == "min"

    def row(self) -> dict[str, object]:
        """The clause as ``zkyield statements --json`` lists it."""
        return {"measures": self.measures, "bound": self.sense, "unit": self.unit,
                **({"range": [self.low, self.high]} if self.threshold else {})}


class ClauseTable:
    """A family's clauses in mask-bit order; read-only, indexed by key or iterated in order."""

    def __init__(self, family: str, clauses: Iterable[Clause],
                 hashed_as: Callable[[Clause], str] | None = None) -> None:
        self.family = family
        self._hashed_as = hashed_as or _offset_slot
        self._clauses = tuple(clauses)
        self._by_key = {c.key: c for c in self._clauses}
        if len(self._by_key) != len(self._clauses):
            raise ValueError(f"{family}: clause keys repeat")

    def __iter__(self) -> Iterator[Clause]:
        return iter(self._clauses)

    def __len__(self) -> int:
        return len(self._clauses)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __getitem__(self, key: str) -> Clause:
        return self._by_key[key]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    @property
    def thresholds(self) -> tuple[Clause, ...]:
        """The clauses stated by a numeric threshold (hash slots in order)."""
        return tuple(c for c in self._clauses if c.threshold)

    def index(self, key: str) -> int:
        """The clause's position: its mask bit and its policy slot."""
        return self.keys.index(key)

    def mask(self, keys: Iterable[str]) -> int:
        """Bit i set when the i-th clause is stated; hashed so a policy binds its own shape."""
        chosen = set(keys)
        return sum(1 << i for i, key in enumerate(self._by_key) if key in chosen)

    def markdown(self) -> str:
        """The table as docs/statements.md and docs/history.md print it (tests/test_clause_table.py)."""
        rows = ["| bit / slot | key | measures | bound | unit | threshold range | hashed as |",
                "|---|---|---|---|---|---|---|"]
        for i, c in enumerate(self._clauses):
            span = f"{c.low}..{c.high}" if c.threshold else "a field element (Merkle root)"
            hashed = self._hashed_as(c)
            rows.append(f"| {i} | `{c.key}` | {c.measures} | {c.sense} | {c.unit} | {span} | {hashed} |")
        return "\n".join(rows) + "\n"

    def ordered(self, keys: Iterable[str]) -> tuple[str, ...]:
        """``keys`` in table order; ValueError naming the table when one is unknown or none is given."""
        chosen = set(keys)
        if not chosen or chosen - set(self._by_key):
            raise ValueError(f"{self.family} clauses must be a non-empty subset of {list(self._by_key)}")
        return tuple(k for k in self._by_key if k in chosen)


def _offset_slot(c: Clause) -> str:
    """How a clause's policy slot holds its value: threshold plus offset, or the root; 0 when absent."""
    return (f"t + {c.offset}" if c.offset else "t") if c.threshold else "the root"


@dataclass(frozen=True)
class Finding:
    """What a clause's evaluation found: the exact decision, its comparisons, a measurement for people."""

    holds: bool
    measured_bps: int | None  # rounded against the prover; None when undefined (see ``note``)
    inequalities: tuple[Inequality, ...] = ()
    where: str = ""  # the worst position, asset or scenario, when the clause ranges over several
    note: str = ""  # why the measurement is undefined, as "<measures> is <note>"


@dataclass(frozen=True)
class Check:
    """One stated clause with its threshold and finding (the unit of ``statement is false: ...``)."""

    clause: Clause
    threshold: int | None
    finding: Finding

    @property
    def key(self) -> str:
        return self.clause.key

    @property
    def holds(self) -> bool:
        return self.finding.holds

    @property
    def measured_bps(self) -> int | None:
        return self.finding.measured_bps

    @property
    def inequalities(self) -> tuple[Inequality, ...]:
        return self.finding.inequalities

    @property
    def where(self) -> str:
        return self.finding.where

    @property
    def note(self) -> str:
        return self.finding.note

    def describe(self) -> str:
        c = self.clause
        if c.message is not None:
            return c.message(self)
        if self.measured_bps is None:
            return f"{c.measures} is {self.note} ({c.key}={self.threshold})"
        op = (">=" if self.holds else "<") if c.is_min else ("<=" if self.holds else ">")
        at = f" {self.where}" if self.where else ""
        return (f"{c.measures} {format_bps(self.measured_bps, c.unit)} {op} "
                f"{format_bps(self.threshold or 0, c.unit)}{at} ({c.key}={self.threshold})")


@dataclass(frozen=True)
class Evaluation:
    """Every stated clause of a policy, in table order; ``detail`` is the family's integer view (the
    history's ``Series``)."""

    checks: tuple[Check, ...]
    detail: Any = field(default=None, compare=False)

    @property
    def holds(self) -> bool:
        return all(c.holds for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.holds)

    def require_holds(self) -> Evaluation:
        """Return self, or raise StatementFalse naming every failed clause with its measurement."""
        if not self.holds:
            raise StatementFalse("statement is false: " + "; ".join(c.describe() for c in self.failures))
        return self


def format_bps(bps: int, unit: str) -> str:
    """Exact decimal display: bps as a percentage with 2 decimals, as a ratio with 4 (``x``), or a count."""
    if unit == "n":
        return str(bps)
    sign, mag = ("-" if bps < 0 else ""), abs(bps)
    whole, frac = divmod(mag, 100 if unit == "%" else BPS)
    return f"{sign}{whole}.{frac:02d}%" if unit == "%" else f"{sign}{whole}.{frac:04d}"
