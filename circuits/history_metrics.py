"""Evaluation of a history policy over a window: the commit delays, then every stated clause.

Each clause of ``history_clauses.CLAUSES`` is decided exactly on the window's integer ``Series``
(``history_series``: floored returns, bounds for every square root, all rounded against the prover;
docs/history.md derives them). A reported measurement is the threshold at which the clause flips, so it
is rounded against the prover too: the largest passing value of a minimum, the smallest passing value
of a maximum.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkyield.circuits.clause import Check, Clause, Evaluation, Finding, format_bps
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_models import HistoryMarket, HistoryPolicy, Snapshot
from zkyield.circuits.history_series import Series, series
from zkyield.errors import InputError, StatementFalse

__all__ = ["CLAUSES", "check_commit_delays", "evaluate_history", "measure", "series"]


def measure(s: Series, key: str) -> int | None:
    """The flip point of ``key``'s clause within its threshold range, or None when it is outside.

    A minimum's clause holds for every threshold up to the measurement; a maximum's from it upwards.
    """
    clause = CLAUSES[key]
    holds, lo, hi, is_min = clause.evaluate, clause.low, clause.high, clause.is_min
    if is_min and not holds(s, lo) or not is_min and not holds(s, hi):
        return None
    while lo < hi:
        if is_min:  # the largest passing threshold
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if holds(s, mid) else (lo, mid - 1)
        else:  # the smallest passing threshold
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if holds(s, mid) else (mid + 1, hi)
    return lo


def _check(clause: Clause, s: Series, t: int) -> Check:
    measured = measure(s, clause.key)
    bound = f"below {format_bps(clause.low, clause.unit)}" if clause.is_min else \
        f"above {format_bps(clause.high, clause.unit)}"
    return Check(clause, t, Finding(clause.evaluate(s, t), measured, note=bound))


def check_commit_delays(snapshots: Sequence[Snapshot], policy: HistoryPolicy, where: str = "window") -> None:
    """Raise StatementFalse unless every snapshot was published no earlier than its own time and at most
    ``policy.max_commit_delay_s`` after it: the always-on clause that tells a record kept as it happened
    from one written afterwards (the circuit proves the same for each snapshot)."""
    late = []
    for i, s in enumerate(snapshots):
        if s.committed_at is None:
            raise InputError(f"{where}: snapshot {i} has no committed_at; publish it with `zkyield snapshot commit`")
        delay = s.committed_at - s.timestamp
        if delay < 0:
            late.append(f"snapshot {i} was published {-delay} s before its own time")
        elif delay > policy.max_commit_delay_s:
            late.append(f"snapshot {i} was published {delay} s after its time")
    if late:
        raise StatementFalse(f"statement is false: {'; '.join(late)} "
                             f"(max_commit_delay_s={policy.max_commit_delay_s})")


def evaluate_history(snapshots: Sequence[Snapshot], market: HistoryMarket, policy: HistoryPolicy,
                     where: str = "window") -> Evaluation:
    """Every clause of ``policy`` on a window of ``policy.periods + 1`` snapshots (the commit delays first)."""
    if len(snapshots) != policy.periods + 1:
        raise InputError(f"{policy.source}: periods is {policy.periods} but the window has "
                         f"{len(snapshots)} snapshots; a window of T periods has T + 1 snapshots")
    check_commit_delays(snapshots, policy, where)
    s = series(snapshots, market, where, policy.var_confidence_bps)
    checks = tuple(_check(CLAUSES[key], s, policy.thresholds[key]) for key in policy.checks)
    return Evaluation(checks, s)

