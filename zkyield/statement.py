"""A compiled statement of any family, described so it can be rebuilt exactly from statement.json.

A *family* (``StatementFamily``) is one kind of statement with its own clause table, files and circuit:

- ``portfolio``: point-in-time yield and risk clauses over a committed portfolio at a capacity
  (N positions, M assets, S stress scenarios) — ``zkyield.circuits.statements``;
- ``history``: risk-adjusted metrics over a window of T committed snapshots —
  ``zkyield.circuits.history_circuit``.

The families themselves live in ``zkyield.families``; this module holds what every family shares:
the interface, the ``Statement`` and ``Keys`` records and the statement.json reader. Every family
exposes the same six public signals (docs/ARCHITECTURE.md); only the first one's meaning differs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zkyield.circuits import encoding as enc
from zkyield.circuits.clause import ClauseTable, Evaluation
from zkyield.dsl import CompiledCircuit
from zkyield.errors import FormatError, InputError
from zkyield.groth16.keys import ProvingKey, VerifyingKey

STATEMENT_KIND = "zkyield-statement"
PORTFOLIO = "portfolio"  # the families' names (zkyield.families), the ``statement`` field of statement.json
HISTORY = "history"


class StatementFamily(ABC):
    """One family of statements: its files, clause table, circuit, evaluation, witness and hashes.

    ``api``, ``batch`` and the CLI call only these methods, so adding a family is one subclass in
    ``zkyield.families`` and adding a clause is one record in the family's clause table.
    """

    name: str  # "portfolio", "history": the ``statement`` field of statement.json
    clauses: ClauseTable
    public_signals: tuple[str, ...]
    private_option: str  # the CLI option naming the private file (``--portfolio``, ``--history``)
    capacity_bound = False  # its market hash depends on a capacity the verifier must know
    heads_required = False  # a verifier must tie the first public signal to the owner (a chain head)
    record_required = True  # an on-chain registry record is required when a registry is supplied

    # -- files -------------------------------------------------------------------------------------

    @abstractmethod
    def load_policy(self, source: str | Path | dict) -> Any: ...

    @abstractmethod
    def load_market(self, source: str | Path | dict) -> Any: ...

    @abstractmethod
    def load_private(self, source: str | Path | dict) -> Any:
        """The prover's private file (a portfolio, a snapshot history)."""

    @abstractmethod
    def owns_policy(self, policy: object) -> bool: ...

    @abstractmethod
    def owns_market(self, market: object) -> bool: ...

    # -- the circuit -------------------------------------------------------------------------------

    @abstractmethod
    def compile(self, policy: Any, capacity: enc.Capacity | None = None) -> Statement:
        """The circuit of the policy's clauses (and size); thresholds are inputs, never baked in."""

    @abstractmethod
    def rebuild(self, doc: Mapping[str, Any]) -> Statement:
        """The statement a description (statement.json) names; KeyError/TypeError/ValueError if malformed."""

    @abstractmethod
    def size_fields(self, statement: Statement) -> dict[str, object]:
        """The family's fields of statement.json (capacity and layout, or the window)."""

    @abstractmethod
    def read_size(self, doc: Mapping[str, Any]) -> dict[str, int]:
        """``Statement.size`` from a description's fields; KeyError/TypeError/ValueError if malformed."""

    @abstractmethod
    def stated_clauses(self, policy: Any) -> tuple[str, ...]:
        """The clause keys ``policy`` states, in table order."""

    def check_policy(self, statement: Statement, policy: Any) -> None:
        """InputError unless ``policy`` states exactly the clauses ``statement`` was compiled for."""
        if sorted(self.stated_clauses(policy)) != sorted(statement.clauses):
            raise InputError("policy: its clauses differ from the compiled statement's; compile one for this policy")

    # -- proving -----------------------------------------------------------------------------------

    @abstractmethod
    def evaluate(self, private: Any, market: Any, policy: Any, statement: Statement | None = None) -> Evaluation:
        """Every stated clause in plain Python, in the circuit's integer arithmetic."""

    @abstractmethod
    def witness_inputs(self, private: Any, market: Any, policy: Any, statement: Statement,
                       **options: Any) -> tuple[dict, list[int]]:
        """Evaluate (StatementFalse when a clause fails), then the circuit's named inputs and public signals."""

    # -- what a verifier recomputes ----------------------------------------------------------------

    @abstractmethod
    def policy_hash(self, policy: Any) -> int: ...

    @abstractmethod
    def market_hash(self, market: Any, capacity: enc.Capacity | None) -> int: ...

    @abstractmethod
    def policy_document(self, policy: Any) -> dict[str, object]:
        """The public policy as an attestation records it."""

    @abstractmethod
    def market_document(self, market: Any) -> dict[str, object]:
        """The public market as a verification result reports it."""

    def capacity(self, doc: Mapping[str, Any], name: str) -> enc.Capacity | None:
        """The capacity a description states (only families whose hashes depend on one have it)."""
        return None

    def describe(self) -> dict[str, object]:
        """The family for ``zkyield statements``: its clauses and public signals."""
        return {"clauses": {c.key: c.row() for c in self.clauses}, "public_inputs": list(self.public_signals)}


@dataclass(frozen=True)
class Statement:
    """The circuit of one policy shape: its family's name plus what fixes the circuit (clauses and size)."""

    kind: str  # a key of zkyield.families.FAMILIES
    clauses: tuple[str, ...]
    size: dict[str, int]  # portfolio: positions, assets, scenarios; history: periods
    circuit: CompiledCircuit

    @property
    def family(self) -> StatementFamily:
        from zkyield.families import family_named  # the families sit above this module

        return family_named(self.kind)

    @property
    def circuit_id(self) -> str:
        return self.circuit.program.circuit_id.hex()  # computed once at compile, kept in the program

    @property
    def capacity(self) -> enc.Capacity:
        cap = self.family.capacity({"capacity": self.size}, "statement")
        if cap is None:
            raise ValueError(f"a {self.kind} statement has no capacity")
        return cap

    @property
    def public_signal_names(self) -> tuple[str, ...]:
        return self.family.public_signals

    def describe(self) -> dict[str, object]:
        """The statement.json document (and the ``statement`` field of attestations)."""
        return {
            "kind": STATEMENT_KIND,
            "statement": self.kind,
            "clauses": list(self.clauses),
            **self.family.size_fields(self),
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


def require_layout(doc: Any, name: str) -> None:
    """Refuse a statement description made for another layout of its family (zkyield.families)."""
    from zkyield.families import require_layout as family_layout  # the families sit above this module

    family_layout(doc, name)


def statement_from_description(doc: Any, name: str) -> Statement:
    """Rebuild a statement from its description and check the circuit id still matches."""
    from zkyield.families import family_named  # the families sit above this module

    require_layout(doc, name)
    try:
        statement = family_named(doc.get("statement", "portfolio")).rebuild(doc)
        expected = doc["circuit_id"]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{name}: not a valid statement description ({exc}); compile it again") from None
    if statement.circuit_id != expected:
        raise FormatError(f"{name}: circuit id differs from this zkyield's build of it; compile it again")
    return statement
