"""Plain-Python evaluation of every yield and risk statement, in exactly the circuit's integer arithmetic.

Each check is a set of ``Inequality`` objects (``lhs >= rhs`` over non-negative integers of declared
width), the comparisons the circuit constrains; there is no division and no rounding in a decision.
The measured value reported beside a check (in bps) is rounded against the prover: down for a minimum,
up for a maximum, so ``measured >= threshold`` (or ``<=``) agrees with the exact decision.
Formulas: docs/statements.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import Bound, bind
from zkyield.circuits.encoding import BPS, Inequality, linear
from zkyield.circuits.models import Market, Policy, Portfolio
from zkyield.errors import InputError, StatementFalse

# key -> (what is measured, "min" or "max", display unit); the order is the order of the checks
CHECKS: dict[str, tuple[str, str, str]] = {
    "min_return_bps": ("period return", "min", "%"),
    "min_apr_bps": ("APR", "min", "%"),
    "min_real_yield_bps": ("real yield (fee share of income)", "min", "%"),
    "max_position_bps": ("largest single-asset share of gross value", "max", "%"),
    "max_leverage_bps": ("leverage (debt over collateral)", "max", "%"),
    "min_health_factor_bps": ("health factor", "min", "x"),
    "max_impermanent_loss_bps": ("impermanent loss", "max", "%"),
    "max_stress_loss_bps": ("stress loss", "max", "%"),
    "min_liquid_bps": ("liquid share of gross value", "min", "%"),
    "allowed_protocols_root": ("protocols outside the allowed set", "max", "n"),
}


@dataclass(frozen=True)
class Check:
    """One policy clause: the exact decision, its comparisons, and a measurement for people."""

    key: str
    threshold: int | None
    holds: bool
    measured_bps: int | None  # rounded against the prover; None when undefined (see ``note``)
    inequalities: tuple[Inequality, ...]
    where: str = ""  # the worst position or scenario, when the clause ranges over several
    note: str = ""

    def describe(self) -> str:
        what, sense, unit = CHECKS[self.key]
        if self.key == "allowed_protocols_root":
            return f"the protocol {self.where} is not in the allowed set (allowed_protocols_root)" \
                if not self.holds else "every protocol is in the allowed set"
        at = f" {self.where}" if self.where else ""
        if self.measured_bps is None:
            return f"{what} is undefined: {self.note} ({self.key}={self.threshold})"
        op = (">=" if self.holds else "<") if sense == "min" else ("<=" if self.holds else ">")
        return (f"{what} {_fmt(self.measured_bps, unit)} {op} {_fmt(self.threshold or 0, unit)}{at} "
                f"({self.key}={self.threshold})")


@dataclass(frozen=True)
class Evaluation:
    checks: tuple[Check, ...]

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


def _fmt(bps: int, unit: str) -> str:
    """Exact decimal display: bps as a percentage with 2 decimals, or as a ratio with 4 (``x``)."""
    if unit == "n":
        return str(bps)
    sign, mag = ("-" if bps < 0 else ""), abs(bps)
    whole, frac = divmod(mag, 100 if unit == "%" else BPS)
    return f"{sign}{whole}.{frac:02d}%" if unit == "%" else f"{sign}{whole}.{frac:04d}"


def _ceil_div(num: int, den: int) -> int:
    return -((-num) // den)


class _Sums:
    """The portfolio-level sums every check draws on (values in the common value scale)."""

    def __init__(self, b: Bound) -> None:
        self.b = b
        self.v_start = [b.value(p.asset, p.start_amount, False) for p in b.positions]
        self.v_end = [b.value(p.asset, p.end_amount, True) for p in b.positions]
        assets = [i for i, p in enumerate(b.positions) if not p.is_debt]
        debts = [i for i, p in enumerate(b.positions) if p.is_debt]
        self.assets, self.debts = assets, debts
        self.a_start = sum(self.v_start[i] for i in assets)
        self.b_start = sum(self.v_start[i] for i in debts)
        self.a_end = sum(self.v_end[i] for i in assets)
        self.b_end = sum(self.v_end[i] for i in debts)
        self.deposits = sum(b.value(a, u, False) for a, u in enumerate(b.deposits))
        self.withdrawals = sum(b.value(a, u, True) for a, u in enumerate(b.withdrawals))
        self.fees = sum(b.value(p.asset, p.fee_income, True) for p in b.positions)
        self.emissions = sum(b.value(p.asset, p.emission_income, True) for p in b.positions)
        # Modified-Dietz-like simple form: deposits count from the start, withdrawals until the end
        self.base = self.a_start + self.deposits - self.b_start  # S (may be <= 0: return undefined)
        self.final = self.a_end + self.withdrawals - self.b_end  # E


def _return_terms(s: _Sums, coef_e: int, coef_s: int) -> list[tuple[int, int]]:
    """Terms of ``coef_e * E - coef_s * S`` with E and S split into their non-negative parts."""
    return [(coef_e, s.a_end + s.withdrawals), (-coef_e, s.b_end),
            (-coef_s, s.a_start + s.deposits), (coef_s, s.b_start)]


def _base_positive(s: _Sums) -> Inequality:
    return Inequality("return/base_positive", s.a_start + s.deposits, s.b_start + 1, enc.POSITIVE_BITS)


def _min_return(s: _Sums, t: int, period: int, market: Market) -> Check:
    # 10000 * (E - S) >= t * S  <=>  10000 * E - (10000 + t) * S >= 0
    pos, main = _base_positive(s), linear("return", _return_terms(s, BPS, BPS + t), enc.RETURN_BITS)
    measured = BPS * (s.final - s.base) // s.base if pos.holds else None
    return Check("min_return_bps", t, pos.holds and main.holds, measured, (pos, main),
                 note="net start value plus deposits is not positive")


def _min_apr(s: _Sums, t: int, period: int, market: Market) -> Check:
    # APR = return * YEAR / T:  10000 * YEAR * (E - S) - t * T * S >= 0, with the signed threshold as
    # o = t + BPS_MAX >= 0 (the circuit's encoding):  ... + BPS_MAX * T * S - o * T * S >= 0
    k, o = BPS * enc.YEAR_SECONDS, t + enc.BPS_MAX
    terms = [*_return_terms(s, k, k), *_return_terms(s, 0, -enc.BPS_MAX * period),
             *_return_terms(s, 0, o * period)]
    pos, main = _base_positive(s), linear("apr", terms, enc.APR_BITS)
    measured = k * (s.final - s.base) // (s.base * period) if pos.holds else None
    return Check("min_apr_bps", t, pos.holds and main.holds, measured, (pos, main),
                 note="net start value plus deposits is not positive")


def _min_real_yield(s: _Sums, t: int, period: int, market: Market) -> Check:
    income = s.fees + s.emissions
    pos = Inequality("real_yield/income_positive", income, 1, enc.POSITIVE_BITS)
    main = linear("real_yield", [(BPS, s.fees), (-t, income)], enc.RATIO_BITS)
    measured = BPS * s.fees // income if income else None
    return Check("min_real_yield_bps", t, pos.holds and main.holds, measured, (pos, main),
                 note="the portfolio has no fee or emission income")


def _max_position(s: _Sums, t: int, period: int, market: Market) -> Check:
    # per asset, not per position: a mandate limits exposure to WETH however many slots hold it
    held = [0] * len(market.assets)
    for i in s.assets:
        held[s.b.positions[i].asset] += s.v_end[i]
    ineqs = tuple(linear(f"asset/{market.assets[a].symbol}", [(t, s.a_end), (-BPS, v)], enc.RATIO_BITS)
                  for a, v in enumerate(held))
    shares = [(_ceil_div(BPS * v, s.a_end) if s.a_end else 0, a) for a, v in enumerate(held) if v]
    worst, at = max(shares, default=(0, None))
    return Check("max_position_bps", t, all(q.holds for q in ineqs), worst, ineqs,
                 where="" if at is None else f"in {market.assets[at].symbol}")


def _collateral(s: _Sums) -> list[int]:
    return [i for i in s.assets if s.b.positions[i].kind == enc.KIND_CODE["lending"]]


def _max_leverage(s: _Sums, t: int, period: int, market: Market) -> Check:
    collateral = sum(s.v_end[i] for i in _collateral(s))
    main = linear("leverage", [(t, collateral), (-BPS, s.b_end)], enc.RATIO_BITS)
    measured = _ceil_div(BPS * s.b_end, collateral) if collateral else (0 if not s.b_end else None)
    return Check("max_leverage_bps", t, main.holds, measured, (main,), note="debt without lending collateral")


def _min_health_factor(s: _Sums, t: int, period: int, market: Market) -> Check:
    weighted = 0
    for i in _collateral(s):
        lt = market.assets[s.b.positions[i].asset].liquidation_threshold_bps
        if lt is None:
            raise InputError(f"{market.source}: assets[{s.b.positions[i].asset}].liquidation_threshold_bps is "
                             "missing; min_health_factor_bps needs it for every asset lent as collateral")
        weighted += s.v_end[i] * lt
    main = linear("health_factor", [(1, weighted), (-t, s.b_end)], enc.RATIO_BITS)
    measured = weighted // s.b_end if s.b_end else None
    return Check("min_health_factor_bps", t, main.holds, measured, (main,), note="the portfolio has no debt")


def impermanent_loss_bps_ceil(n: int, d: int) -> int:
    """Smallest integer x with IL(k = n/d) <= x bps, IL = 1 - 2 sqrt(k)/(1 + k), decided like the circuit."""
    lo, hi = 0, BPS  # IL is in [0, 1): x = 10000 always satisfies the squared form
    while lo < hi:
        mid = (lo + hi) // 2
        if il_inequality("il", n, d, mid).holds:
            hi = mid
        else:
            lo = mid + 1
    return lo


def il_inequality(label: str, n: int, d: int, m: int) -> Inequality:
    """``1 - 2 sqrt(nd)/(n + d) <= m / 10000`` squared: ``4 * 10000^2 * n * d >= (10000 - m)^2 (n + d)^2``."""
    return Inequality(label, 4 * BPS * BPS * n * d, (BPS - m) ** 2 * (n + d) ** 2, enc.IL_BITS)


def _max_il(s: _Sums, t: int, period: int, market: Market) -> Check:
    ineqs, worst, at = [], 0, None
    for i, p in enumerate(s.b.positions):
        pool = market.assets[p.asset].pool
        if p.kind != enc.KIND_CODE["lp"] or pool is None:
            continue
        ineqs.append(il_inequality(f"il/{i}", pool.price_ratio_end, pool.price_ratio_start, t))
        loss = impermanent_loss_bps_ceil(pool.price_ratio_end, pool.price_ratio_start)
        if at is None or loss > worst:
            worst, at = loss, i
    return Check("max_impermanent_loss_bps", t, all(q.holds for q in ineqs), worst, tuple(ineqs),
                 where="" if at is None else f"at positions[{at}]")


def _max_stress(s: _Sums, t: int, period: int, market: Market) -> Check:
    if not market.stress_scenarios:
        raise InputError(f"{market.source}: stress_scenarios is empty but the policy sets max_stress_loss_bps")
    pos = Inequality("stress/end_value_positive", s.a_end, s.b_end + 1, enc.POSITIVE_BITS)
    ineqs, worst, at = [pos], None, ""
    net = s.a_end - s.b_end
    for scenario in market.stress_scenarios:
        factors = [BPS + scenario.shocks_bps.get(a.symbol, 0) for a in market.assets]
        shocked_a = sum(s.v_end[i] * factors[s.b.positions[i].asset] for i in s.assets)
        shocked_b = sum(s.v_end[i] * factors[s.b.positions[i].asset] for i in s.debts)
        # loss = (10000 * V - V_s) / V <= t  <=>  V_s - (10000 - t) * V >= 0,  V = A - B
        terms = [(1, shocked_a), (-1, shocked_b), (-(BPS - t), s.a_end), (BPS - t, s.b_end)]
        ineqs.append(linear(f"stress/{scenario.name}", terms, enc.STRESS_BITS))
        if pos.holds:
            loss = _ceil_div(BPS * net - (shocked_a - shocked_b), net)
            if worst is None or loss > worst:
                worst, at = loss, f"in scenario '{scenario.name}'"
    return Check("max_stress_loss_bps", t, all(q.holds for q in ineqs), worst, tuple(ineqs), where=at,
                 note="net end value is not positive")


def _min_liquid(s: _Sums, t: int, period: int, market: Market) -> Check:
    deadline = market.liquidity_deadline
    if deadline is None:
        raise InputError(f"{market.source}: liquidity_deadline is missing but the policy sets min_liquid_bps")
    liquid = sum(s.v_end[i] for i in s.assets if s.b.positions[i].unlock_time <= deadline)
    main = linear("liquid", [(BPS, liquid), (-t, s.a_end)], enc.RATIO_BITS)
    measured = BPS * liquid // s.a_end if s.a_end else None
    return Check("min_liquid_bps", t, main.holds, measured, (main,), note="the portfolio holds no assets")


def _allowed_protocols(s: _Sums, policy: Policy) -> Check:
    allowed = {enc.protocol_id(p) for p in policy.allowed_protocols}
    outside = [i for i, p in enumerate(s.b.positions) if p.protocol not in allowed]
    return Check("allowed_protocols_root", None, not outside, len(outside), (),
                 where=f"at positions[{outside[0]}]" if outside else "")


_THRESHOLD_CHECKS = {
    "min_return_bps": _min_return, "min_apr_bps": _min_apr, "min_real_yield_bps": _min_real_yield,
    "max_position_bps": _max_position, "max_leverage_bps": _max_leverage,
    "min_health_factor_bps": _min_health_factor, "max_impermanent_loss_bps": _max_il,
    "max_stress_loss_bps": _max_stress, "min_liquid_bps": _min_liquid,
}


def evaluate(portfolio: Portfolio, market: Market, policy: Policy,
             capacity: enc.Capacity | None = None) -> Evaluation:
    """Every clause of ``policy`` on the portfolio bound to the market (InputError on inconsistent input)."""
    sums = _Sums(bind(portfolio, market, capacity))
    period = portfolio.period.seconds
    checks = []
    for key in CHECKS:
        t = policy.get(key)
        if key in _THRESHOLD_CHECKS and t is not None:
            checks.append(_THRESHOLD_CHECKS[key](sums, t, period, market))
        elif key == "allowed_protocols_root" and policy.allowed_protocols_root is not None:
            checks.append(_allowed_protocols(sums, policy))
    return Evaluation(tuple(checks))


def require_holds(portfolio: Portfolio, market: Market, policy: Policy,
                  capacity: enc.Capacity | None = None) -> Evaluation:
    """``evaluate`` and raise StatementFalse (exit code 1) when any clause fails; the prover's gate."""
    return evaluate(portfolio, market, policy, capacity).require_holds()
