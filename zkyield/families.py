"""The two statement families, behind one interface (``zkyield.statement.StatementFamily``).

``PORTFOLIO_FAMILY`` proves point-in-time clauses about a committed portfolio at a capacity;
``HISTORY_FAMILY`` proves risk-adjusted metrics over a window of committed snapshots. Everything that
differs between them is here, so the library API, batch proving and the CLI never ask which family
they hold: they look it up (``family_named``, ``family_of``) and call its methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zkyield.circuits import attest_witness, models, publics
from zkyield.circuits import encoding as enc
from zkyield.circuits import evaluate as portfolio_eval
from zkyield.circuits import history_models as hm
from zkyield.circuits.attest_layout import POLICY_FIELDS as ATTEST_FIELDS
from zkyield.circuits.attest_layout import SUBJECTS as ATTEST_SUBJECTS
from zkyield.circuits.clause import Evaluation
from zkyield.circuits.history_chain import window
from zkyield.circuits.history_circuit import PUBLIC_SIGNALS as HISTORY_SIGNALS
from zkyield.circuits.history_circuit import build_history_circuit, history_statement
from zkyield.circuits.history_clauses import CLAUSES as HISTORY_CLAUSES
from zkyield.circuits.history_metrics import evaluate_history
from zkyield.circuits.portfolio_clauses import CLAUSES as PORTFOLIO_CLAUSES
from zkyield.circuits.statements import Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import FormatError, InputError
from zkyield.formats.jsonfile import read_json
from zkyield.statement import HISTORY, PORTFOLIO, Statement, StatementFamily

CAPACITY_FIELDS = ("positions", "assets", "scenarios", "ranges")  # encoding.Capacity's, in its order


class PortfolioFamily(StatementFamily):
    name = PORTFOLIO
    clauses = PORTFOLIO_CLAUSES
    public_signals = publics.PUBLIC_SIGNALS
    private_option = "--portfolio"
    capacity_bound = True

    def load_policy(self, source: str | Path | dict) -> models.Policy:
        return models.load_policy(source)

    def load_market(self, source: str | Path | dict) -> models.Market:
        return models.load_market(source)

    def load_private(self, source: str | Path | dict) -> models.Portfolio:
        return models.load_portfolio(source)

    def owns_policy(self, policy: object) -> bool:
        return isinstance(policy, models.Policy)

    def owns_market(self, market: object) -> bool:
        return isinstance(market, models.Market)

    def compile(self, policy: models.Policy, capacity: enc.Capacity | None = None) -> Statement:
        return self._statement(publics.policy_clauses(policy), capacity or enc.DEFAULT_CAPACITY,
                               attest_witness.signature_counts(policy))

    def _statement(self, clauses: frozenset[str], capacity: enc.Capacity,
                   signatures: tuple[int, int] = (0, 0)) -> Statement:
        size = {k: getattr(capacity, k) for k in CAPACITY_FIELDS}
        size |= {f"{s}_signatures": k for s, k in zip(ATTEST_SUBJECTS, signatures, strict=True) if k}
        return Statement(self.name, tuple(sorted(clauses)), size, build(Shape(clauses, capacity, signatures)))

    def rebuild(self, doc: Mapping[str, Any]) -> Statement:
        size = self.read_size(doc)
        capacity = enc.Capacity(*(size[k] for k in CAPACITY_FIELDS))
        return self._statement(frozenset(doc["clauses"]), capacity,
                               tuple(size.get(f"{s}_signatures", 0) for s in ATTEST_SUBJECTS))  # type: ignore[arg-type]

    def size_fields(self, statement: Statement) -> dict[str, object]:
        fields: dict[str, object] = {"capacity": {k: statement.size[k] for k in CAPACITY_FIELDS},
                                     "layout": publics.LAYOUT_VERSION}
        sigs = {s: statement.size[f"{s}_signatures"] for s in ATTEST_SUBJECTS if f"{s}_signatures" in statement.size}
        return fields | ({"signatures": sigs} if sigs else {})  # k per attested subject (docs/attestation.md)

    def check_policy(self, statement: Statement, policy: models.Policy) -> None:
        super().check_policy(statement, policy)
        counts = attest_witness.signature_counts(policy)
        if counts != tuple(statement.size.get(f"{s}_signatures", 0) for s in ATTEST_SUBJECTS):
            raise InputError("policy: its attestation thresholds differ from the compiled statement's; compile one "
                             "for this policy")

    def read_size(self, doc: Mapping[str, Any]) -> dict[str, int]:
        size = {k: int(doc["capacity"][k]) for k in CAPACITY_FIELDS if k != "ranges"}
        # a statement.json written before range slots existed built every slot as one (its exact circuit)
        size["ranges"] = int(doc["capacity"].get("ranges", size["positions"]))
        sigs = doc.get("signatures", {})
        return size | {f"{s}_signatures": int(sigs[s]) for s in ATTEST_SUBJECTS if s in sigs}

    def stated_clauses(self, policy: models.Policy) -> tuple[str, ...]:
        return self.clauses.ordered(publics.policy_clauses(policy))

    def evaluate(self, private: models.Portfolio, market: models.Market, policy: models.Policy,
                 statement: Statement | None = None) -> Evaluation:
        return portfolio_eval.evaluate(private, market, policy, statement.capacity if statement else None)

    def witness_inputs(self, private: models.Portfolio, market: models.Market, policy: models.Policy,
                       statement: Statement, **options: Any) -> tuple[dict, list[int]]:
        capacity = statement.capacity
        portfolio_eval.require_holds(private, market, policy, capacity)
        attested = attest_witness.attest_inputs(private, market, policy, options.get("signatures", ()))
        inputs = statement_inputs(private, market, policy, capacity) | attested
        return inputs, [inputs[name] for name in self.public_signals]

    def policy_hash(self, policy: models.Policy) -> int:
        return publics.policy_hash(policy)

    def market_hash(self, market: models.Market, capacity: enc.Capacity | None) -> int:
        if capacity is None:
            raise ValueError("a portfolio market hash depends on the capacity")
        return publics.market_hash(market, capacity)

    def policy_document(self, policy: models.Policy) -> dict[str, object]:
        doc: dict[str, object] = dict(sorted(policy.thresholds.items()))
        if policy.allowed_protocols_root is not None:
            doc["allowed_protocols_root"] = str(policy.allowed_protocols_root)
        for subject, aset in attest_witness.attestor_sets(policy).items():
            doc[ATTEST_FIELDS[subject]] = aset.document()
        if policy.allowed_bridges_root is not None:
            doc["allowed_bridges_root"] = str(policy.allowed_bridges_root)
        if policy.home_chain is not None:
            doc["home_chain"] = policy.home_chain
        return doc

    def market_document(self, market: models.Market) -> dict[str, object]:
        return {"period": _period(market.period), "assets": [a.symbol for a in market.assets],
                "stress_scenarios": len(market.stress_scenarios)}

    def capacity(self, doc: Mapping[str, Any], name: str) -> enc.Capacity | None:
        try:
            size = self.read_size(doc)
            return enc.Capacity(*(size[k] for k in CAPACITY_FIELDS))
        except (KeyError, TypeError, ValueError):
            raise FormatError(f"{name}: statement.capacity needs integer positions, assets, scenarios "
                              "(and ranges)") from None


class HistoryFamily(StatementFamily):
    name = HISTORY
    clauses = HISTORY_CLAUSES
    public_signals = HISTORY_SIGNALS
    private_option = "--history"
    heads_required = True
    record_required = False

    def load_policy(self, source: str | Path | dict) -> hm.HistoryPolicy:
        return hm.load_history_policy(source)

    def load_market(self, source: str | Path | dict) -> hm.HistoryMarket:
        return hm.load_history_market(source)

    def load_private(self, source: str | Path | dict) -> hm.History:
        return hm.load_history(source)

    def owns_policy(self, policy: object) -> bool:
        return isinstance(policy, hm.HistoryPolicy)

    def owns_market(self, market: object) -> bool:
        return isinstance(market, hm.HistoryMarket)

    def compile(self, policy: hm.HistoryPolicy, capacity: enc.Capacity | None = None) -> Statement:
        return self._statement(policy.checks, policy.periods)

    def _statement(self, clauses: tuple[str, ...], periods: int) -> Statement:
        ordered = self.clauses.ordered(clauses)
        return Statement(self.name, ordered, {"periods": periods}, build_history_circuit(periods, ordered))

    def rebuild(self, doc: Mapping[str, Any]) -> Statement:
        return self._statement(tuple(doc["clauses"]), self.read_size(doc)["periods"])

    def size_fields(self, statement: Statement) -> dict[str, object]:
        return {"periods": statement.size["periods"]}

    def read_size(self, doc: Mapping[str, Any]) -> dict[str, int]:
        return {"periods": int(doc["periods"])}

    def stated_clauses(self, policy: hm.HistoryPolicy) -> tuple[str, ...]:
        return policy.checks

    def check_policy(self, statement: Statement, policy: hm.HistoryPolicy) -> None:
        super().check_policy(statement, policy)
        if policy.periods != statement.size["periods"]:
            raise InputError("policy.periods: differs from the compiled statement's window; compile one for it")

    def evaluate(self, private: hm.History, market: hm.HistoryMarket, policy: hm.HistoryPolicy,
                 statement: Statement | None = None, last: int | None = None) -> Evaluation:
        w = window(private, policy.periods, last)
        return evaluate_history(w.snapshots, market, policy, f"{private.source}: window")

    def witness_inputs(self, private: hm.History, market: hm.HistoryMarket, policy: hm.HistoryPolicy,
                       statement: Statement, **options: Any) -> tuple[dict, list[int]]:
        st = history_statement(private, market, policy, options.get("last"))  # StatementFalse when false
        return st.inputs, list(st.public)

    def policy_hash(self, policy: hm.HistoryPolicy) -> int:
        return hm.policy_hash(policy)

    def market_hash(self, market: hm.HistoryMarket, capacity: enc.Capacity | None = None) -> int:
        return hm.market_hash(market)

    def policy_document(self, policy: hm.HistoryPolicy) -> dict[str, object]:
        confidence = {"var_confidence_bps": policy.var_confidence_bps} if "max_var_bps" in policy.thresholds else {}
        return {**dict(sorted(policy.thresholds.items())), **confidence, "periods": policy.periods,
                "max_commit_delay_s": policy.max_commit_delay_s}

    def market_document(self, market: hm.HistoryMarket) -> dict[str, object]:
        return {"period": _period(market.period), "risk_free_bps": market.risk_free_bps}


PORTFOLIO_FAMILY = PortfolioFamily()
HISTORY_FAMILY = HistoryFamily()
FAMILIES: dict[str, StatementFamily] = {f.name: f for f in (PORTFOLIO_FAMILY, HISTORY_FAMILY)}


def family_named(name: object) -> StatementFamily:
    """The family a description names; ValueError for an unknown one."""
    if not isinstance(name, str) or name not in FAMILIES:
        raise ValueError(f"unknown statement kind {name!r}")
    return FAMILIES[name]


def family_of(policy: object) -> StatementFamily:
    """The family whose loader made ``policy``."""
    for family in FAMILIES.values():
        if family.owns_policy(policy):
            return family
    raise InputError(f"policy: not a policy of any statement family ({', '.join(FAMILIES)})")


def load_any_policy(path: str | Path) -> Any:
    """A portfolio policy, or a history policy when the file states a window (``periods``)."""
    doc, _ = read_json(path)
    family = HISTORY_FAMILY if isinstance(doc, dict) and "periods" in doc else PORTFOLIO_FAMILY
    return family.load_policy(path)


def require_layout(doc: Any, name: str) -> None:
    """Refuse a portfolio statement description (statement.json, an attestation's ``statement``) made for
    another commitment and hash layout: its commitment, market hash and policy hash mean something else
    here, so reading it would be a misreading, never a compatible one."""
    if not isinstance(doc, dict) or doc.get("statement", PORTFOLIO) != PORTFOLIO:
        return
    layout = doc.get("layout", 1)  # layout 1 (before domain tags) wrote no layout field
    if layout != publics.LAYOUT_VERSION:
        raise FormatError(f"{name}: made for portfolio layout {layout}, but this zkyield reads layout "
                          f"{publics.LAYOUT_VERSION} (commitment, market and policy hashes changed); rebuild: "
                          "`zkyield compile POLICY.json --out DIR`, `zkyield setup DIR`, then prove again")


def _period(period: models.Period) -> dict[str, int]:
    return {"start_unix": period.start, "end_unix": period.end}
