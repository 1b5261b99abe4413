"""A compiled statement of either family, described so it can be rebuilt exactly from statement.json.

- ``portfolio``: point-in-time yield and risk clauses over a committed portfolio at a capacity
  (N positions, M assets, S stress scenarios) — ``zkyield.circuits.statements``;
- ``history``: risk-adjusted metrics over a window of T committed snapshots —
  ``zkyield.circuits.history_circuit``.

Both expose the same six public signals (docs/ARCHITECTURE.md); only the first one's meaning differs
(the portfolio commitment, or the snapshot chain head).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zkyield.circuits import encoding as enc
from zkyield.circuits.history_circuit import PUBLIC_SIGNALS as HISTORY_SIGNALS
from zkyield.circuits.history_circuit import build_history_circuit
from zkyield.circuits.history_models import HISTORY_THRESHOLDS, HistoryPolicy
from zkyield.circuits.models import Policy
from zkyield.circuits.publics import LAYOUT_VERSION, PUBLIC_SIGNALS, policy_clauses
from zkyield.circuits.statements import Shape, build
from zkyield.dsl import CompiledCircuit
from zkyield.errors import FormatError
from zkyield.groth16.keys import ProvingKey, VerifyingKey

PORTFOLIO = "portfolio"
HISTORY = "history"
STATEMENT_KIND = "zkyield-statement"


@dataclass(frozen=True)
class Statement:
    """The circuit of one policy shape: ``kind`` plus what fixes the circuit (clauses and size)."""

    kind: str
    clauses: tuple[str, ...]
    size: dict[str, int]  # portfolio: positions, assets, scenarios; history: periods
    circuit: CompiledCircuit

    @property
    def circuit_id(self) -> str:
        return self.circuit.program.circuit_id.hex()  # computed once at compile, kept in the program

    @property
    def capacity(self) -> enc.Capacity:
        if self.kind != PORTFOLIO:
            raise ValueError("only portfolio statements have a capacity")
        return enc.Capacity(self.size["positions"], self.size["assets"], self.size["scenarios"])

    @property
    def public_signal_names(self) -> tuple[str, ...]:
        return PUBLIC_SIGNALS if self.kind == PORTFOLIO else HISTORY_SIGNALS

    def describe(self) -> dict[str, object]:
        """The statement.json document (and the ``statement`` field of attestations)."""
        return {
            "kind": STATEMENT_KIND,
            "statement": self.kind,
            "clauses": list(self.clauses),
            **({"capacity": dict(self.size), "layout": LAYOUT_VERSION} if self.kind == PORTFOLIO
               else {"periods": self.size["periods"]}),
            "circuit_id": self.circuit_id,
            "constraints": self.circuit.n_constraints,
            "wires": self.circuit.n_wires,
            "public_signals": list(self.public_signal_names),
        }


@dataclass(frozen=True)
class Keys:
    """A statement's Groth16 keys; ``statement`` is kept so proving needs nothing else."""

    statement: Statement
    proving_key: ProvingKey
    verification_key: VerifyingKey


def portfolio_statement(policy: Policy, positions: int, assets: int, scenarios: int) -> Statement:
    shape = Shape(policy_clauses(policy), enc.Capacity(positions, assets, scenarios))
    size = {"positions": positions, "assets": assets, "scenarios": scenarios}
    return Statement(PORTFOLIO, tuple(sorted(shape.clauses)), size, build(shape))


def history_statement_for(policy: HistoryPolicy) -> Statement:
    return Statement(HISTORY, policy.checks, {"periods": policy.periods},
                     build_history_circuit(policy.periods, policy.checks))


def require_layout(doc: Any, name: str) -> None:
    """Refuse a portfolio statement description (statement.json, an attestation's ``statement``) made for
    another commitment and hash layout: its commitment, market hash and policy hash mean something else
    here, so reading it would be a misreading, never a compatible one."""
    if not isinstance(doc, dict) or doc.get("statement", PORTFOLIO) != PORTFOLIO:
        return
    layout = doc.get("layout", 1)  # layout 1 (before domain tags) wrote no layout field
    if layout != LAYOUT_VERSION:
        raise FormatError(f"{name}: made for portfolio layout {layout}, but this zkyield reads layout "
                          f"{LAYOUT_VERSION} (commitment, market and policy hashes changed); rebuild: "
                          "`zkyield compile POLICY.json --out DIR`, `zkyield setup DIR`, then prove again")


def statement_from_description(doc: Any, name: str) -> Statement:
    """Rebuild a statement from its description and check the circuit id still matches."""
    require_layout(doc, name)
    try:
        kind = doc.get("statement", PORTFOLIO)
        clauses = tuple(doc["clauses"])
        expected = doc["circuit_id"]
        if kind == PORTFOLIO:
            cap = doc["capacity"]
            size = {k: int(cap[k]) for k in ("positions", "assets", "scenarios")}
            shape = Shape(frozenset(clauses), enc.Capacity(**size))
            statement = Statement(PORTFOLIO, tuple(sorted(clauses)), size, build(shape))
        elif kind == HISTORY:
            periods = int(doc["periods"])
            if set(clauses) - set(HISTORY_THRESHOLDS) or not clauses:
                raise ValueError("unknown history clauses")
            ordered = tuple(k for k in HISTORY_THRESHOLDS if k in clauses)
            statement = Statement(HISTORY, ordered, {"periods": periods}, build_history_circuit(periods, ordered))
        else:
            raise ValueError(f"unknown statement kind {kind!r}")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{name}: not a valid statement description ({exc}); compile it again") from None
    if statement.circuit_id != expected:
        raise FormatError(f"{name}: circuit id differs from this zkyield's build of it; compile it again")
    return statement
