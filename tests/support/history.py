"""History test helpers: build histories from NAV lists, and the plain floating-point (numpy) reference.

The float reference computes the textbook definitions straight from the NAVs (no fixed point, no
flooring); ``error_bound_bps`` is docs/history.md's bound on how far the exact fixed-point measurement
may lie from it, so the property tests check the documented bound, not a tolerance tuned to pass.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np

from zkyield.circuits.history_models import (
    RETURN_SCALE,
    YEAR_SECONDS,
    History,
    HistoryMarket,
    HistoryPolicy,
    Snapshot,
)
from zkyield.circuits.history_series import VAR_CONFIDENCE_BPS
from zkyield.circuits.models import Period
from zkyield.field import R
from zkyield.groth16.keys import Proof, ProvingKey, VerifyingKey

OWNER = 0x879C3388DB202B84DEFF9E435D85F7FC21728292
START = 1_704_067_200  # 2024-01-01T00:00:00Z
WEEK = 7 * 86_400


COMMIT_DELAY = 600  # each test snapshot is published 10 minutes after its time
MAX_DELAY = 86_400  # the test policies' max_commit_delay_s


def make_history(navs: Sequence[int], times: Sequence[int] | None = None, seed: int = 1,
                 owner: int = OWNER, committed: Sequence[int | None] | None = None) -> History:
    """A history with the given NAVs (base units), weekly times by default, seeded salts and each snapshot
    published COMMIT_DELAY after its time unless ``committed`` gives the commit times."""
    rng = random.Random(seed)
    times = times or [START + i * WEEK for i in range(len(navs))]
    committed = committed or [t + COMMIT_DELAY for t in times]
    snaps = tuple(Snapshot(nav, rng.randrange(R), t, rng.randrange(1, R), ct)
                  for nav, t, ct in zip(navs, times, committed, strict=True))
    return History(owner, 6, snaps, source="history.json")


def market_for(history: History, risk_free_bps: int = 450, slack: int = 0) -> HistoryMarket:
    first, last = history.snapshots[0].timestamp, history.snapshots[-1].timestamp
    return HistoryMarket(Period(first - slack, last + slack + 1), risk_free_bps, source="history.market.json")


def policy(periods: int, max_commit_delay_s: int = MAX_DELAY, var_confidence_bps: int = VAR_CONFIDENCE_BPS,
           **thresholds: int) -> HistoryPolicy:
    return HistoryPolicy(periods, thresholds, max_commit_delay_s, source="history.policy.json",
                         var_confidence_bps=var_confidence_bps)


def float_metrics(navs: Sequence[int], times: Sequence[int], risk_free_bps: int,
                  var_confidence_bps: int = VAR_CONFIDENCE_BPS) -> dict[str, float]:
    """Annualised return, volatility, Sharpe, Sortino (target: rf per period), max drawdown, positive
    share, VaR at the confidence (the (k+1)-th largest loss, k = floor((1 - c) n), by sorting) and Calmar,
    in float64 from the raw NAVs; every value as a fraction (0.05 = 5%)."""
    nav = np.array(navs, dtype=np.float64)
    r = nav[1:] / nav[:-1] - 1.0
    n = len(r)
    periods_per_year = n * YEAR_SECONDS / (times[-1] - times[0])
    rf = risk_free_bps / 1e4
    annual = r.mean() * periods_per_year
    vol = r.std(ddof=1) * math.sqrt(periods_per_year)
    downside = math.sqrt(np.mean(np.minimum(r - rf / periods_per_year, 0.0) ** 2)) * math.sqrt(periods_per_year)
    drawdown = float(np.max(1.0 - nav / np.maximum.accumulate(nav)))
    exceptions = (10_000 - var_confidence_bps) * n // 10_000
    losses = np.sort(-r)[::-1]
    var = max(0.0, float(losses[exceptions])) if exceptions < n else 0.0
    return {
        "min_annual_return_bps": annual,
        "max_volatility_bps": vol,
        "min_sharpe_bps": (annual - rf) / vol if vol else math.inf,
        "min_sortino_bps": (annual - rf) / downside if downside else math.inf,
        "max_drawdown_bps": drawdown,
        "min_positive_bps": float(np.mean(r > 0)),
        "max_var_bps": var,
        "min_calmar_bps": annual / drawdown if drawdown else math.inf,
        "_vol": vol,
        "_downside": downside,
        "_periods_per_year": periods_per_year,
    }


def error_bound_bps(key: str, ref: dict[str, float], n: int) -> float:
    """docs/history.md's bound on |measured_bps - 10^4 * float value| (1 bps of directed rounding plus
    the flooring of each return by less than 1/S and the directed bounds on the spreads, and a little
    float64 round-off)."""
    p = ref["_periods_per_year"]
    d_mean = p / RETURN_SCALE  # annualised mean moves by less than P/S
    # sqrt(V) is replaced by its upper bound H/2 < sqrt(V_true) + n + 1 (units 1/S): the std by < (n+1)/S/sqrt(n(n-1))
    d_vol = math.sqrt(p) * (n + 1) / math.sqrt(n * (n - 1)) / RETURN_SCALE
    # the downside RMS: flooring moves it by < 1/S, its lower bound M by < ceil(sqrt(n))/sqrt(n) / S more
    d_down = math.sqrt(p) * (1 + math.ceil(math.sqrt(n)) / math.sqrt(n) + 1 / n) / RETURN_SCALE
    value = ref[key]
    quantisation = {
        "min_annual_return_bps": d_mean,
        "max_volatility_bps": d_vol,
        "min_sharpe_bps": (d_mean + abs(value) * d_vol) / max(ref["_vol"] - d_vol, 1e-300),
        "min_sortino_bps": (d_mean + abs(value) * d_down) / max(ref["_downside"] - d_down, 1e-300),
        "max_drawdown_bps": 0.0,
        "min_positive_bps": 0.0,
        "max_var_bps": 0.0,  # exact on NAVs, rounded up to a whole bps
        "min_calmar_bps": d_mean / ref["max_drawdown_bps"] if ref["max_drawdown_bps"] else 0.0,
    }[key]
    return 1.0 + 1e4 * quantisation + 1e-6 * max(1.0, abs(1e4 * value))


def prove_window(history: History, market: HistoryMarket, policy: HistoryPolicy,
                 key_pair: tuple[ProvingKey, VerifyingKey], last: int | None = None) -> tuple[Proof, list[int]]:
    """``(proof, public signals)`` of a history window through the library's one prove path (``api.prove``)."""
    from zkyield import api
    from zkyield.families import HISTORY_FAMILY

    keys = api.Keys(HISTORY_FAMILY.compile(policy), *key_pair)
    attestation = api.prove(history, market, policy, keys, last=last)
    return attestation.proof, list(attestation.public_signals)
