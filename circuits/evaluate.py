"""Plain-Python evaluation of a portfolio policy, in exactly the circuit's integer arithmetic.

Every stated clause of ``portfolio_clauses.CLAUSES`` is decided, in table order, on the portfolio
bound to the market (``binding``) and summed once (``sums.Sums``); a ``Check`` carries the exact
decision, its comparisons and a measurement rounded against the prover. Formulas: docs/statements.md.
"""

from __future__ import annotations

from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.clause import Check, Evaluation
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.circuits.portfolio_clauses import CLAUSES
from zkyield.circuits.sums import Sums, il_inequality, impermanent_loss_bps_ceil

__all__ = ["CLAUSES", "Check", "Evaluation", "evaluate", "il_inequality", "impermanent_loss_bps_ceil",
           "require_holds"]


def evaluate(portfolio: Portfolio, market: Market, policy: Policy,
             capacity: enc.Capacity | None = None) -> Evaluation:
    """Every clause of ``policy`` on the portfolio bound to the market (InputError on inconsistent input)."""
    sums = Sums(bind(portfolio, market, capacity), market, policy, portfolio.period.seconds)
    checks = []
    for clause in CLAUSES:
        value = clause.stated(policy)
        if value is not None:
            checks.append(Check(clause, value if clause.threshold else None, clause.evaluate(sums, value)))
    return Evaluation(tuple(checks))


def require_holds(portfolio: Portfolio, market: Market, policy: Policy,
                  capacity: enc.Capacity | None = None) -> Evaluation:
    """``evaluate`` and raise StatementFalse (exit code 1) when any clause fails; the prover's gate."""
    return evaluate(portfolio, market, policy, capacity).require_holds()
