"""Dated futures and a lending or borrow position's principal changes (issue 18): the loaders, the
evaluator against exact fractions computed from the raw JSON, and malicious witnesses in circuit."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from fractions import Fraction
from math import ceil, floor

import pytest

from tests.support.statements import (
    USD,
    asset,
    documents,
    example_docs,
    load,
    position,
    recommit,
    refused_label,
    statement_circuit,
)
from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.evaluate import evaluate, require_holds
from zkyield.circuits.publics import POSITION_FIELDS, position_slots
from zkyield.circuits.statements import N_KINDS
from zkyield.errors import ConstraintError, InputError, StatementFalse

CARRY = enc.Capacity(3, 2, 2)
RATES = enc.Capacity(3, 2, 1)
FUTURE = enc.KIND_CODE["future"]


def _seconds(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _field(row: list[int], name: str) -> int:
    return row[POSITION_FIELDS.index(name)]


# -- futures -------------------------------------------------------------------------------------------------

def test_a_future_is_marked_like_a_perp_at_the_end_price_and_encoded_with_its_expiry() -> None:
    """Short 2.5 WETH at $2,000, expiring after the period; end price $3,000: a $2,500 loss, no funding."""
    expiry = "2024-03-29T08:00:00Z"
    docs = documents([position("USDC", "future", "1000", "1000", protocol="deribit", base="WETH", size="-2.5",
                               entry_price=2000 * USD, expiry=expiry)],
                     [asset("USDC", 6, cash=True), asset("WETH", 18, 2000 * USD, 3000 * USD)], {"max_net_delta_bps": 1})
    portfolio, market, _ = load(docs)
    bound = bind(portfolio, market)
    (p,) = bound.positions
    assert (p.kind, p.base, p.size, p.funding, p.expiry) == (FUTURE, 1, -25 * 10**17, 0, _seconds(expiry))
    assert bound.pnl(p, True) == (0, 25 * 10**17 * 1000 * USD)
    (row,) = position_slots(bound, enc.Capacity(1, 2, 1))
    assert _field(row, "kind") == 6 and _field(row, "expiry") == _seconds(expiry)
    assert _field(row, "size") == 2**112 - 25 * 10**17 and _field(row, "funding") == 2**112


@pytest.mark.parametrize(("edit", "message"), [
    (lambda p: p.pop("expiry"), r"positions\[0\]\.expiry is missing"),
    (lambda p: p.update(expiry="2023-12-31T00:00:00Z"), r"positions\[0\]\.expiry must be after period\.end"),
    (lambda p: p.update(expiry="2024-01-01T00:00:00Z"), r"positions\[0\]\.expiry must be after period\.end"),
    (lambda p: p.update(funding="5"), r"positions\[0\]\.funding is only for perp positions \(a future pays no"),
    (lambda p: p.update(kind="perp"), r"positions\[0\]\.expiry is only for perp and future positions"),
    (lambda p: p.update(fee_income="1"), r"positions\[0\]\.fee_income and emission_income must be 0 for a future"),
])
def test_bad_future_fields_are_one_line_errors(edit, message: str) -> None:
    docs = documents([position("USDC", "future", "1", "1", base="WETH", size="-1", entry_price=USD,
                               expiry="2024-06-28T08:00:00Z")],
                     [asset("USDC"), asset("WETH", 18)], {"max_net_delta_bps": 1})
    edit(docs[0]["positions"][0])
    with pytest.raises(InputError, match=message):
        load(docs)


def test_the_carry_book_nets_its_future_against_spot() -> None:
    """51 ETH held, 50 short on the future: 1 ETH of delta at $3,500; the future's $55,000 loss is a debt."""
    docs = example_docs("carry")
    checks = {c.key: c for c in evaluate(*load(docs)).checks}
    assets = {a["symbol"]: a for a in docs[1]["assets"]}
    p1 = {s: Fraction(a["price_end"], USD) for s, a in assets.items()}
    p0 = {s: Fraction(a["price_start"], USD) for s, a in assets.items()}
    nav1 = nav0 = Fraction(0)
    for p in docs[0]["positions"]:
        nav1 += Fraction(p["end_amount"]) * p1[p["asset"]]
        nav0 += Fraction(p["start_amount"]) * p0[p["asset"]]
        if p["kind"] == "future":
            size, entry = -Fraction(p["size"][1:]), Fraction(p["entry_price"], USD)
            nav1 += size * (p1[p["base"]] - entry)
            nav0 += size * (p0[p["base"]] - entry)
    assert (nav0, nav1) == (222_280, 223_800)
    assert checks["min_return_bps"].measured_bps == floor((nav1 / nav0 - 1) * 10000)
    assert checks["max_net_delta_bps"].measured_bps == ceil(1 * p1["WETH"] * 10000 / nav1)


def test_an_expired_future_cannot_be_marked_at_the_end_price_in_circuit() -> None:
    """Commit the future with an expiry at the period's end (it would have settled at its expiry price)."""
    docs = example_docs("carry")
    circuit, inputs = statement_circuit(docs, CARRY)
    circuit.witness(inputs)
    inputs["pos_expiry"][1] = inputs["period_end"]
    assert refused_label(circuit, recommit(inputs, CARRY)).startswith("slots/slot[1]/expiry")


def test_a_future_cannot_carry_funding_and_others_no_expiry() -> None:
    circuit, inputs = statement_circuit(example_docs("carry"), CARRY)
    forged = copy.deepcopy(inputs)
    forged["pos_funding"][1] += 10**18  # funding on the future
    assert refused_label(circuit, recommit(forged, CARRY)) == "slots/slot[1]/no_funding"
    forged = copy.deepcopy(inputs)
    forged["pos_expiry"][0] = inputs["pos_expiry"][1]  # an expiry on the spot slot
    assert refused_label(circuit, recommit(forged, CARRY)) == "slots/slot[0]/no_expiry"


def test_a_future_relabelled_as_perp_loses_its_expiry_check_but_not_its_encoding() -> None:
    """Turning the future into a perp keeps the PnL but an expiry on a perp slot is refused."""
    circuit, inputs = statement_circuit(example_docs("carry"), CARRY)
    inputs["pos_kind"][N_KINDS:2 * N_KINDS] = [int(k == enc.KIND_CODE["perp"]) for k in range(N_KINDS)]
    assert refused_label(circuit, recommit(inputs, CARRY)) == "slots/slot[1]/no_expiry"


def test_a_hidden_future_short_fails_net_delta() -> None:
    """Drop the future's size (commit it as 0): 51 ETH unhedged."""
    docs = copy.deepcopy(example_docs("carry"))
    docs = docs[0], docs[1], {"max_net_delta_bps": docs[2]["max_net_delta_bps"]}
    circuit, inputs = statement_circuit(docs, CARRY)
    inputs["pos_size"][1] = enc.SIGNED_OFFSET
    assert refused_label(circuit, recommit(inputs, CARRY)).startswith("max_net_delta/asset[0]/assert_less_eq")


# -- principal changes -----------------------------------------------------------------------------------------

def _lending(changes: list[dict], start: str = "1000", end: str = "1500") -> tuple[dict, dict, dict]:
    return documents([position("USDC", "lending", start, end, principal_changes=changes)], [asset("USDC")],
                     {"max_leverage_bps": 10_000})


def test_principal_changes_bind_to_their_net_flow_and_principal_seconds() -> None:
    """1,000 USDC for the first 100 days, +600 for 50, -100 for the rest of the 365-day year."""
    day = 86_400
    start = _seconds("2023-01-01T00:00:00Z")
    iso = [datetime.fromtimestamp(start + d * day, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (100, 150)]
    changes = [{"time": iso[0], "amount": "600"}, {"time": iso[1], "amount": "-100"}]
    portfolio, market, _ = load(_lending(changes))
    (p,) = bind(portfolio, market).positions
    assert p.principal_flow == 500 * 10**6
    assert p.principal_seconds == (1000 * 100 + 1600 * 50 + 1500 * 215) * day * 10**6
    (row,) = position_slots(bind(portfolio, market), enc.Capacity(1, 1, 1))
    assert _field(row, "principal_flow") == 2**112 + 500 * 10**18
    assert _field(row, "principal_seconds") == p.principal_seconds * 10**12
    portfolio, market, _ = load(_lending([{"time": "2024-01-01T00:00:00Z", "amount": "-1000"}]))
    (p,) = bind(portfolio, market).positions  # withdrawn at the very end: no weight, but not interest
    assert (p.principal_flow, p.principal_seconds) == (-1000 * 10**6, 1000 * 10**6 * 365 * day)
    portfolio, market, _ = load(_lending([]))  # no changes: the start amount over the whole period
    (p,) = bind(portfolio, market).positions
    assert (p.principal_flow, p.principal_seconds) == (0, 1000 * 10**6 * 365 * day)


@pytest.mark.parametrize(("changes", "message"), [
    ([{"time": "2022-12-31T00:00:00Z", "amount": "1"}], r"principal_changes\[0\]\.time must lie after period\.start"),
    ([{"time": "2023-01-01T00:00:00Z", "amount": "1"}], r"principal_changes\[0\]\.time must lie after period\.start"),
    ([{"time": "2024-01-01T00:00:01Z", "amount": "1"}], r"principal_changes\[0\]\.time .* not after period\.end"),
    ([{"time": "2023-06-01T00:00:00Z", "amount": "1"}, {"time": "2023-05-01T00:00:00Z", "amount": "1"}],
     r"principal_changes\[1\]\.time is before the previous change"),
    ([{"time": "2023-06-01T00:00:00Z", "amount": "-0.0"}], r"principal_changes\[0\]\.amount is zero"),
    ([{"time": "2023-06-01T00:00:00Z", "amount": "+5"}], r"principal_changes\[0\]\.amount must be a non-negative"),
    ([{"time": "2023-06-01T00:00:00Z", "amount": "-1000.5"}],
     r"principal_changes\[0\]\.amount takes the principal below zero"),
    ([{"time": "2023-06-01T00:00:00Z", "amount": "1", "why": "x"}], r"principal_changes\[0\]"),
])
def test_bad_principal_changes_are_one_line_errors(changes: list[dict], message: str) -> None:
    with pytest.raises(InputError, match=message):
        portfolio, market, _ = load(_lending(changes))
        bind(portfolio, market)


def test_principal_changes_only_on_lending_and_borrow() -> None:
    docs = documents([position("USDC", "spot", "1", "1", principal_changes=[])], [asset("USDC")],
                     {"max_leverage_bps": 10_000})
    with pytest.raises(InputError, match=r"positions\[0\]\.principal_changes is only for lending and borrow"):
        load(docs)


def _rate_reference(docs: tuple, index: int) -> Fraction:
    """The least t (as a fraction) with ``(1 - t) r_lo W <= I <= (1 + t) r_hi W``, from the raw JSON: the
    model's supply rates at the two utilisations, linear accrual, W the exact time-weighted principal."""
    p = docs[0]["positions"][index]
    model = next(a for a in docs[1]["assets"] if a["symbol"] == p["asset"])["rate_model"]
    ray = Fraction(10**27)
    opt, slope1 = Fraction(int(model["optimal_utilisation_ray"])) / ray, Fraction(int(model["slope1_ray"])) / ray
    keep = 1 - Fraction(model.get("reserve_factor_bps", 0), 10000)
    rates = [slope1 * u / opt * u * keep for u in (Fraction(int(model[k])) / ray for k in
                                                   ("utilisation_start_ray", "utilisation_end_ray"))]
    assert all(u <= opt for u in (Fraction(int(model[k])) / ray for k in
                                  ("utilisation_start_ray", "utilisation_end_ray")))  # below the kink
    t0, t1 = (_seconds(docs[0]["period"][k]) for k in ("start", "end"))
    principal, since, weighted, flow = Fraction(p["start_amount"]), t0, Fraction(0), Fraction(0)
    for ch in p.get("principal_changes", []):
        when = _seconds(ch["time"])
        weighted += principal * (when - since)
        amount = -Fraction(ch["amount"][1:]) if ch["amount"].startswith("-") else Fraction(ch["amount"])
        principal, since, flow = principal + amount, when, flow + amount
    weighted += principal * (t1 - since)
    interest = Fraction(p["end_amount"]) - Fraction(p["start_amount"]) - flow
    growth = [r * (t1 - t0) / (365 * 86400) for r in rates]
    w = weighted / (t1 - t0)
    return max(interest / (max(growth) * w) - 1, 1 - interest / (min(growth) * w), Fraction(0))


def test_the_rates_example_with_a_mid_period_supply_matches_exact_fractions() -> None:
    docs = example_docs("rates")
    assert docs[0]["positions"][0]["principal_changes"]
    need = _rate_reference(docs, 0)
    measured = next(c for c in evaluate(*load(docs)).checks if c.key == "max_rate_model_deviation_bps").measured_bps
    assert measured / 10000 >= need and measured - 1 < need * 10000 + 1  # rounded against the prover, g inward
    assert measured == 315


def test_without_its_principal_change_the_supply_earns_far_above_the_model() -> None:
    """Dropping the change makes the 500,000 deposit look like interest on 2M: beyond any band."""
    docs = copy.deepcopy(example_docs("rates"))
    del docs[0]["positions"][0]["principal_changes"]
    with pytest.raises(StatementFalse, match=r"deviation from the rate model is undefined: .* even at 100%"):
        require_holds(*load(docs))


def test_principal_seconds_must_divide_honestly_in_circuit() -> None:
    """The circuit derives W = floor/ceil(PS / T) itself: a quotient one off either way is refused (the
    larger one would let more interest pass the upper bound)."""
    circuit, inputs = statement_circuit(example_docs("rates"), RATES)
    honest = circuit.witness(inputs)
    (wire,) = [w for w in circuit.wires_named("w_lo") if "rate[0]" in circuit.var_names[w]]
    for forged in (honest[wire] + 1, honest[wire] - 1):
        w = circuit.witness(inputs, overrides={wire: forged}, check=False)
        with pytest.raises(ConstraintError, match=r"max_rate_model_deviation/rate\[0\]"):
            circuit.check(w)


def test_income_above_the_model_cannot_hide_behind_a_forged_flow_sign() -> None:
    """Commit the 500,000 supply as a withdrawal: the interest then reads 1,005,512 and the upper bound fails.
    A non-rated slot cannot carry a principal flow or principal seconds at all."""
    circuit, inputs = statement_circuit(example_docs("rates"), RATES)
    forged = copy.deepcopy(inputs)
    forged["pos_principal_flow"][0] = 2 * enc.SIGNED_OFFSET - inputs["pos_principal_flow"][0]
    assert refused_label(circuit, recommit(forged, RATES)).startswith("max_rate_model_deviation/rate[0]/upper")
    forged = copy.deepcopy(inputs)
    forged["pos_principal_flow"][2] += 10**18  # the spot WETH slot
    assert refused_label(circuit, recommit(forged, RATES)) == "slots/slot[2]/no_principal_flow"
    forged = copy.deepcopy(inputs)
    forged["pos_principal_seconds"][2] = 1
    assert refused_label(circuit, recommit(forged, RATES)) == "slots/slot[2]/no_principal_seconds"


def test_the_circuit_flips_where_the_evaluator_does_with_principal_changes() -> None:
    docs = list(copy.deepcopy(example_docs("rates")))
    docs[2] = {"max_rate_model_deviation_bps": 315}
    circuit, inputs = statement_circuit(docs, RATES)
    circuit.witness(inputs)
    docs[2] = {"max_rate_model_deviation_bps": 314}
    with pytest.raises(StatementFalse):
        require_holds(*load(docs))
    circuit, inputs = statement_circuit(docs, RATES)
    assert refused_label(circuit, inputs).startswith("max_rate_model_deviation/rate[0]/upper")
