"""Builders of small portfolio/market/policy documents for the statement tests."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import strategies as st

from zkyield.circuits import encoding as enc
from zkyield.circuits.models import Market, Policy, Portfolio, example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import ASSET_FIELDS, domain_tag, policy_clauses
from zkyield.circuits.statements import N_KINDS, PRIVATE_AMOUNTS, Shape, build
from zkyield.circuits.witness import statement_inputs
from zkyield.errors import ConstraintError
from zkyield.poseidon import commit

OWNER = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own example address
SALT = "123456789"
YEAR_PERIOD = {"start": "2023-01-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"}  # 365 days
USD = 10**8  # one dollar at price_decimals 8


def asset(symbol: str, decimals: int = 6, p0: int = USD, p1: int = USD, **extra: object) -> dict:
    return {"symbol": symbol, "decimals": decimals, "price_start": p0, "price_end": p1, **extra}


def position(asset: str, kind: str, start: str, end: str, protocol: str = "aave-v3", **extra: object) -> dict:
    return {"protocol": protocol, "asset": asset, "kind": kind, "start_amount": start, "end_amount": end, **extra}


def documents(positions: list[dict], assets: list[dict], policy: dict, deposits: tuple = (),
              withdrawals: tuple = (), **market_extra: object) -> tuple[dict, dict, dict]:
    portfolio = {"owner": OWNER, "period": YEAR_PERIOD, "salt": SALT, "positions": positions,
                 "deposits": list(deposits), "withdrawals": list(withdrawals)}
    market = {"period": YEAR_PERIOD, "price_decimals": 8, "assets": assets, **market_extra}
    return portfolio, market, policy


def load(docs: tuple[dict, dict, dict]) -> tuple[Portfolio, Market, Policy]:
    p, m, q = (copy.deepcopy(d) for d in docs)
    return load_portfolio(p), load_market(m), load_policy(q)


def example_docs(name: str) -> tuple[dict, dict, dict]:
    return tuple(json.loads(path.read_text()) for path in example(name))  # type: ignore[return-value]


def recommit(inputs: dict, capacity: enc.Capacity) -> dict:
    """Recompute the public commitment over tampered private inputs, as a malicious prover would.

    The layout is written out here from docs/statements.md, independently of ``publics``; the tests
    check it reproduces the honest commitment first.
    """
    m, width = capacity.assets, len(ASSET_FIELDS)
    rows = [inputs["market_assets"][a * width:(a + 1) * width] for a in range(m)]
    ids = [row[ASSET_FIELDS.index("symbol")] * 32 + row[ASSET_FIELDS.index("decimals")] for row in rows]
    slots = []
    for j in range(capacity.positions):
        sel = inputs["pos_asset"][j * m:(j + 1) * m]
        kind = sum(k * b for k, b in enumerate(inputs["pos_kind"][j * N_KINDS:(j + 1) * N_KINDS]))
        base = inputs["pos_base"][j * m:(j + 1) * m]
        slots += [inputs["pos_active"][j], sum(s * i for s, i in zip(sel, ids, strict=True)), kind,
                  *(inputs[f"pos_{f}"][j] for f in PRIVATE_AMOUNTS), sum(s * i for s, i in zip(base, ids, strict=True))]
    flows = [x for row in zip(ids, inputs["deposits"], inputs["withdrawals"], strict=True) for x in row]
    head = [domain_tag("commitment", capacity), inputs["owner"], inputs["period_start"], inputs["period_end"]]
    inputs["commitment"] = commit(head + slots + flows, inputs["salt"])
    return inputs


@st.composite
def portfolios(draw: st.DrawFn) -> tuple:
    """Random books over up to 4 assets: several slots per asset, debts, flows, locks, one scenario."""
    n_assets = draw(st.integers(1, 4))
    decimals = [draw(st.integers(0, 18)) for _ in range(n_assets)]
    prices = [(draw(st.integers(1, 10**13)), draw(st.integers(1, 10**13))) for _ in range(n_assets)]
    assets = [asset(f"T{i}", decimals[i], *prices[i], liquidation_threshold_bps=draw(st.integers(0, 10000)))
              for i in range(n_assets)]

    def amount(i: int) -> str:
        return enc.format_base_units(draw(st.integers(0, 10**6 * 10 ** decimals[i])), decimals[i])

    positions = []
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, n_assets - 1))
        kind = draw(st.sampled_from(["spot", "staking", "lending", "lending", "borrow"]))
        extra = {"unlock_time": draw(st.sampled_from(["2023-06-01T00:00:00Z", "2024-06-01T00:00:00Z"]))}
        if kind != "borrow":
            extra["fee_income"] = amount(i)
        positions.append(position(f"T{i}", kind, amount(i), amount(i), emission_income=amount(i), **extra))
    deposits = [{"asset": f"T{i}", "amount": amount(i)} for i in range(n_assets) if draw(st.booleans())]
    withdrawals = [{"asset": f"T{i}", "amount": amount(i)} for i in range(n_assets) if draw(st.booleans())]
    shocks = {f"T{i}": draw(st.integers(-10000, 20000)) for i in range(n_assets)}
    policy = {"min_return_bps": 0, "min_apr_bps": 0, "min_real_yield_bps": 0, "max_position_bps": 10000,
              "max_leverage_bps": enc.BPS_MAX, "min_health_factor_bps": 0, "max_stress_loss_bps": 10000,
              "min_liquid_bps": 0}
    return documents(positions, assets, policy, deposits, withdrawals, liquidity_deadline="2024-01-01T00:00:00Z",
                     stress_scenarios=[{"name": "s", "shocks_bps": shocks}])


def statement_circuit(docs: tuple[dict, dict, dict], capacity: enc.Capacity) -> tuple:
    """The compiled statement circuit of the documents' policy at ``capacity`` and its honest inputs."""
    portfolio, market, policy = load(docs)
    return build(Shape(policy_clauses(policy), capacity)), statement_inputs(portfolio, market, policy, capacity)


def refused_label(circuit, inputs: dict) -> str:
    """The label of the constraint that ``inputs`` break (the equation's own: simplification appends its origin)."""
    with pytest.raises(ConstraintError) as info:
        circuit.witness(inputs)
    return info.value.label.split(" via ")[0]
