"""max_var_bps and min_calmar_bps (issue 18, history family).

The evaluator is checked against exact fractions computed independently here (VaR by sorting the exact
losses, which the clause never does; Calmar as the ratio of the annualised return to the maximum
drawdown); the VaR confidence is bound into the policy hash; the circuit flips where the evaluator does;
and forged witnesses (a hidden loss, a lowered peak, a confidence other than the hashed one) are refused.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.dsl import assert_rejected, tamper
from tests.support.history import START, WEEK, make_history, market_for, policy
from zkyield.circuits.history_circuit import build_history_circuit, history_statement
from zkyield.circuits.history_clauses import CLAUSES
from zkyield.circuits.history_metrics import evaluate_history, measure, series
from zkyield.circuits.history_models import (
    BPS,
    BPS_MAX,
    RETURN_SCALE,
    YEAR_SECONDS,
    load_history_policy,
    policy_hash,
)
from zkyield.errors import ConstraintError, InputError, StatementFalse
from zkyield.field import R

S, Y = RETURN_SCALE, YEAR_SECONDS
NAVS = [10**12, 990_000_000_000, 994_950_000_000, 975_051_000_000, 1_004_302_530_000]  # -1%, +0.5%, -2%, +3%


def var_reference(navs: list[int], confidence: int) -> int:
    """The smallest whole bps t with at most floor((1 - c) n) returns below -t, from the sorted exact losses:
    the (k+1)-th largest loss, rounded up (0 when it is a gain or k >= n)."""
    n = len(navs) - 1
    losses = sorted((1 - Fraction(b, a) for a, b in zip(navs, navs[1:], strict=False)), reverse=True)
    k = math.floor(Fraction(BPS - confidence, BPS) * n)
    return 0 if k >= n else max(0, math.ceil(BPS * losses[k]))


def max_drawdown(navs: list[int]) -> Fraction:
    return max(1 - Fraction(v, max(navs[: j + 1])) for j, v in enumerate(navs))


def calmar_reference(navs: list[int], times: list[int], floored: bool = True) -> Fraction | None:
    """Annualised (arithmetic) return over the maximum drawdown; None when there is no drawdown."""
    y = [Fraction(S * b // a if floored else Fraction(S * b, a)) for a, b in zip(navs, navs[1:], strict=False)]
    annual = sum(v / S - 1 for v in y) * Y / (times[-1] - times[0])
    mdd = max_drawdown(navs)
    return None if mdd == 0 else annual / mdd


def _navs(rets: list[int], nav0: int) -> list[int]:
    navs = [nav0]
    for r in rets:
        navs.append(max(1, navs[-1] * (10_000 + r) // 10_000))
    return navs


window = st.lists(st.integers(-1500, 1500), min_size=2, max_size=40)  # per-period returns in bps


@given(window, st.integers(10**6, 10**15), st.integers(0, BPS))
def test_var_measurement_is_the_sorted_exact_loss(rets, nav0, confidence) -> None:
    navs = _navs(rets, nav0)
    h = make_history(navs)
    s = series(h.snapshots, market_for(h), var_confidence_bps=confidence)
    want = var_reference(navs, confidence)
    assert measure(s, "max_var_bps") == want
    p = policy(len(rets), var_confidence_bps=confidence, max_var_bps=want)
    assert evaluate_history(h.snapshots, market_for(h), p).holds
    if want > 0:
        assert not evaluate_history(h.snapshots, market_for(h), policy(
            len(rets), var_confidence_bps=confidence, max_var_bps=want - 1)).holds


@given(window, st.integers(10**6, 10**15), st.lists(st.integers(3600, 31 * 86_400), min_size=40, max_size=40))
def test_calmar_measurement_is_the_exact_ratio_and_a_lower_bound_of_the_unfloored_one(rets, nav0, steps) -> None:
    navs = _navs(rets, nav0)
    times = [START]
    for step in steps[: len(rets)]:
        times.append(times[-1] + step)
    h = make_history(navs, times)
    measured = measure(series(h.snapshots, market_for(h)), "min_calmar_bps")
    ratio = calmar_reference(navs, times)
    if ratio is None:  # no drawdown: Calmar is infinite, every threshold holds
        assert measured == BPS_MAX
        return
    if ratio < 0:
        assert measured is None  # below the threshold range (0..1,000,000)
        return
    assert measured == min(BPS_MAX, math.floor(BPS * ratio))
    true_ratio = calmar_reference(navs, times, floored=False)
    assert true_ratio is not None and BPS * true_ratio >= measured  # rounded against the prover


def test_calmar_without_drawdown_holds_for_every_threshold_and_a_loss_fails_even_zero() -> None:
    rising = make_history([10**9, 10**9, 10**9 + 5, 2 * 10**9])
    assert evaluate_history(rising.snapshots, market_for(rising), policy(3, min_calmar_bps=BPS_MAX)).holds
    falling = make_history([10**9, 10**9 - 1, 10**9 - 2])
    with pytest.raises(StatementFalse, match=r"statement is false: Calmar ratio is below 0.0000 "
                                             r"\(min_calmar_bps=0\)"):
        evaluate_history(falling.snapshots, market_for(falling), policy(2, min_calmar_bps=0)).require_holds()


def test_var_message_names_the_clause_the_measurement_and_no_private_value() -> None:
    h = make_history(NAVS)
    with pytest.raises(StatementFalse) as err:
        evaluate_history(h.snapshots, market_for(h), policy(4, max_var_bps=150)).require_holds()
    text = str(err.value)
    assert text == "statement is false: value at risk at var_confidence_bps 2.00% > 1.50% (max_var_bps=150)"
    assert all(str(s.nav) not in text for s in h.snapshots)


def test_the_var_confidence_is_read_hashed_and_checked() -> None:
    base = {"periods": 52, "max_commit_delay_s": 60, "max_var_bps": 250}
    default, explicit = load_history_policy(base), load_history_policy({**base, "var_confidence_bps": 9500})
    assert default.var_confidence_bps == 9500 and policy_hash(default) == policy_hash(explicit)
    other = load_history_policy({**base, "var_confidence_bps": 9900})
    assert policy_hash(other) != policy_hash(default)
    without = {"periods": 52, "max_commit_delay_s": 60, "max_drawdown_bps": 500}
    assert policy_hash(load_history_policy(without)) == policy_hash(
        policy(52, max_commit_delay_s=60, var_confidence_bps=1234, max_drawdown_bps=500))  # unused: hashed 0
    with pytest.raises(InputError, match="var_confidence_bps: only max_var_bps reads it"):
        load_history_policy({**without, "var_confidence_bps": 9500})
    with pytest.raises(InputError, match="var_confidence_bps must be between 0 and 10000"):
        load_history_policy({**base, "var_confidence_bps": 10_001})


# -- the circuit ---------------------------------------------------------------------------------

CLAUSE_PAIR = ("max_var_bps", "min_calmar_bps")


@pytest.fixture(scope="module")
def four():
    h = make_history(NAVS)
    return h, market_for(h, 450, slack=86_400), build_history_circuit(4, CLAUSE_PAIR)


def _inputs(h, m, p) -> dict:
    """Witness inputs for ``p`` even when false: built for an always-true policy of the same shape and
    confidence, then the thresholds and hash swapped in (what a cheating prover would try)."""
    easy = policy(p.periods, var_confidence_bps=p.var_confidence_bps, max_var_bps=BPS, min_calmar_bps=0)
    inputs = dict(history_statement(h, m, easy).inputs)
    inputs["thresholds"] = [p.thresholds.get(k, 0) % R for k in CLAUSES.keys]
    inputs["policy_hash"] = policy_hash(p)
    return inputs


@pytest.mark.parametrize("confidence", [9500, 7600, 7500, 0])
def test_circuit_var_flips_at_the_evaluators_measurement_for_each_confidence(four, confidence) -> None:
    h, m, cc = four
    measured = measure(series(h.snapshots, m, var_confidence_bps=confidence), "max_var_bps")
    assert measured == var_reference(NAVS, confidence) == {9500: 200, 7600: 200, 7500: 100, 0: 0}[confidence]
    cc.witness(_inputs(h, m, policy(4, var_confidence_bps=confidence, max_var_bps=measured, min_calmar_bps=0)))
    if measured:
        bad = policy(4, var_confidence_bps=confidence, max_var_bps=measured - 1, min_calmar_bps=0)
        with pytest.raises(StatementFalse, match="max_var_bps"):
            history_statement(h, m, bad)
        with pytest.raises(ConstraintError, match="max_var_bps"):
            cc.witness(_inputs(h, m, bad))


def test_circuit_calmar_flips_at_the_evaluators_measurement(four) -> None:
    h, m, cc = four
    measured = measure(series(h.snapshots, m), "min_calmar_bps")
    assert measured == math.floor(BPS * calmar_reference(NAVS, [s.timestamp for s in h.snapshots]))
    cc.witness(_inputs(h, m, policy(4, max_var_bps=BPS, min_calmar_bps=measured)))
    bad = policy(4, max_var_bps=BPS, min_calmar_bps=measured + 1)
    with pytest.raises(StatementFalse, match="min_calmar_bps"):
        history_statement(h, m, bad)
    with pytest.raises(ConstraintError, match="min_calmar_bps"):
        cc.witness(_inputs(h, m, bad))


def _bits(cc, scope: str) -> list[int]:
    """The hint wires of the comparison under ``scope``, lowest first (its top bit, whose complement is
    the loss bit, is a linear combination of them and the compared values, substituted out)."""
    named = [w for w, name in enumerate(cc.var_names) if name.startswith(scope + "/less_than/bits[")]
    return sorted(named, key=lambda w: int(cc.var_names[w].rsplit("[", 1)[1].rstrip("]")))


def test_a_hidden_loss_is_refused(four) -> None:
    """VaR 1% at 95% is false (the -2% period lies below -1%). To clear that period's loss bit the prover
    needs the comparison's top bit set, i.e. its lower bits to sum to a + 2^n - b - 2^n < 0: changing any
    of them leaves the top bit non-boolean, so every such witness is refused at that comparison."""
    h, m, cc = four
    bad = _inputs(h, m, policy(4, max_var_bps=100, min_calmar_bps=0))
    with pytest.raises(ConstraintError, match="max_var_bps/assert_less_eq"):  # the count 1 exceeds floor(0.05 x 4)
        cc.witness(bad)
    honest = cc.witness(bad, check=False)
    bits = _bits(cc, "max_var_bps/period[3]")
    for wire in (bits[0], bits[-1]):
        assert_rejected(cc, tamper(cc, bad, {wire: 1 - honest[wire]}), "max_var_bps/period[3]/less_than")
    assert_rejected(cc, tamper(cc, bad, dict.fromkeys(bits, 1)), "max_var_bps/period[3]/less_than")


def test_a_lowered_peak_is_refused(four) -> None:
    """Calmar above the truth needs a smaller drawdown: the prover claims the peak fell with the NAV."""
    h, m, cc = four
    measured = measure(series(h.snapshots, m), "min_calmar_bps")
    bad = _inputs(h, m, policy(4, max_var_bps=BPS, min_calmar_bps=measured + 1))
    with pytest.raises(ConstraintError, match="min_calmar_bps"):
        cc.witness(bad)
    # peak_3 = peak_2 + [peak_2 < nav_3] (nav_3 - peak_2): the product wire set so that peak_3 = nav_3
    (wire,) = cc.wires_named("peaks/snapshot[3]/max/select/mul")
    forged = tamper(cc, bad, {wire: (NAVS[3] - NAVS[0]) % R})
    assert_rejected(cc, forged, "peaks/snapshot[3]/max/select")  # and nothing after it fails


def test_a_confidence_other_than_the_hashed_one_is_refused(four) -> None:
    """At 60% one exception is allowed and VaR 1% holds; claimed under the 95% policy's hash it is refused,
    and a confidence outside 0..10^4 (one that would allow more exceptions than periods) too."""
    h, m, cc = four
    lax = _inputs(h, m, policy(4, var_confidence_bps=6000, max_var_bps=100, min_calmar_bps=0))
    cc.witness(lax)
    strict = policy(4, max_var_bps=100, min_calmar_bps=0)
    with pytest.raises(ConstraintError, match="policy"):
        cc.witness({**lax, "policy_hash": policy_hash(strict)})
    wrapped = policy(4, var_confidence_bps=-BPS % R, max_var_bps=0, min_calmar_bps=0)
    forged = {**_inputs(h, m, policy(4, max_var_bps=BPS, min_calmar_bps=0)),
              "var_confidence_bps": -BPS % R, "policy_hash": policy_hash(wrapped),
              "thresholds": [0] * len(CLAUSES)}
    with pytest.raises(ConstraintError, match="policy"):
        cc.witness(forged)


def test_weekly_example_states_both_clauses_at_their_truth() -> None:
    from zkyield.circuits.history_chain import window
    from zkyield.circuits.history_models import example_paths, load_history

    hp, mp, pp = example_paths()
    h, p = load_history(hp), load_history_policy(pp)
    w = window(h, p.periods)
    navs = [s.nav for s in w.snapshots]
    assert (p.thresholds["max_var_bps"], p.var_confidence_bps, p.thresholds["min_calmar_bps"]) == (250, 9500, 20000)
    assert var_reference(navs, 9500) == 200 <= 250
    assert math.floor(BPS * calmar_reference(navs, [s.timestamp for s in w.snapshots])) >= 20000
    assert w.snapshots[-1].timestamp - w.snapshots[0].timestamp == 52 * WEEK


@pytest.mark.slow
def test_weekly_example_is_proven_and_verified_by_the_cli_and_refused_past_the_truth(tmp_path) -> None:
    """compile / setup / prove / verify on the shipped weekly example (both new clauses stated), then each
    new threshold one step past its measurement is refused before proving (exit 1, nothing written), and a
    policy differing only in its VaR confidence does not verify against the proof."""
    import json

    from click.testing import CliRunner

    from zkyield.circuits.history_models import example_paths, load_history
    from zkyield.cli.demo_command import published_log
    from zkyield.cli.main import cli

    hp, mp, pp = example_paths()
    log = tmp_path / "log.json"
    published_log(load_history(hp)).save(log)
    run = lambda *args: CliRunner().invoke(cli, [str(a) for a in args])  # noqa: E731
    build, out = tmp_path / "build", tmp_path / "proof"
    assert run("compile", pp, "--out", build).exit_code == 0
    assert run("setup", build).exit_code == 0
    proved = run("prove", build, "--history", hp, "--market", mp, "--policy", pp, "--out", out)
    assert proved.exit_code == 0, proved.output
    verified = run("verify", out, "--key", build, "--policy", pp, "--market", mp, "--log", log)
    assert verified.exit_code == 0 and verified.output.startswith("OK"), verified.output
    doc = json.loads(pp.read_text())
    for key, value, message in (
            ("max_var_bps", 199, "value at risk at var_confidence_bps 2.00% > 1.99% (max_var_bps=199)"),
            ("min_calmar_bps", 26059, "Calmar ratio 2.6058 < 2.6059 (min_calmar_bps=26059)")):
        pushed = tmp_path / f"{key}.json"
        pushed.write_text(json.dumps({**doc, key: value}))
        refused = run("prove", build, "--history", hp, "--market", mp, "--policy", pushed, "--out", tmp_path / key)
        assert refused.exit_code == 1 and f"statement is false: {message}" in refused.output, refused.output
        assert not (tmp_path / key).exists()
    other = tmp_path / "conf.json"
    other.write_text(json.dumps({**doc, "var_confidence_bps": 9000}))
    wrong = run("verify", out, "--key", build, "--policy", other, "--market", mp, "--log", log)
    assert wrong.exit_code == 1 and "does not hash to the proof's policy_hash" in wrong.output, wrong.output
