"""Models and encodings: strict loaders name the bad field, decimal conversion is exact, widths are bounded."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.statements import example_docs, load
from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.jsonread import timestamp
from zkyield.circuits.models import EXAMPLES_DIR, load_market, load_policy, load_portfolio
from zkyield.errors import InputError
from zkyield.field import R

Docs = tuple[dict, dict, dict]


def _set(doc: int, path: list, value: object) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        node = docs[doc]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return mutate


def _delete(doc: int, path: list) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        node = docs[doc]
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


P, M, Q = 0, 1, 2
BAD_INPUTS = [
    # portfolio
    (_set(P, ["colour"], "blue"), "portfolio.json: colour is not a known field"),
    (_set(P, ["positions", 0, "amount"], "1"), "portfolio.json: positions[0].amount is not a known field"),
    (_set(P, ["positions", 1, "end_amount"], "-5"), "positions[1].end_amount must be a non-negative decimal"),
    (_set(P, ["positions", 1, "end_amount"], 5.5), "positions[1].end_amount must be a decimal string"),
    (_set(P, ["positions", 1, "start_amount"], "1e5"), "positions[1].start_amount must be a non-negative decimal"),
    (_set(P, ["positions", 1, "start_amount"], "60000.1234567"),
     "portfolio.json: positions[1].start_amount has 7 decimals but USDC allows 6"),
    (_set(P, ["positions", 0, "asset"], "SHIB"), "portfolio.json: positions[0].asset is not an asset listed"),
    (_set(P, ["positions", 0, "kind"], "farm"), "positions[0].kind must be one of spot|lp|staking|lending|borrow"),
    (_set(P, ["positions", 0, "protocol"], "Aave V3"), "positions[0].protocol: protocol names are"),
    (_delete(P, ["positions", 3, "pool"]), "positions[3].pool is missing"),
    (_set(P, ["positions", 0, "pool"], ["WETH", "USDC"]), "positions[0].pool is only for lp positions"),
    (_set(P, ["positions", 3, "pool"], ["WETH", "stETH"]), "positions[3].pool does not match the pool assets"),
    (_set(P, ["positions", 3], {"protocol": "safe", "asset": "UNIV2-WETH-USDC", "kind": "spot", "start_amount": "1",
                                "end_amount": "1"}), "positions[3].kind must be lp"),
    (_set(P, ["positions", 0, "asset"], "UNIV2-WETH-USDC"), "positions[0].kind must be lp"),
    (_set(P, ["positions", 2, "fee_income"], "1"), "positions[2].fee_income must be 0 for a borrow position"),
    (_set(P, ["positions", 0, "unlock_time"], "2024-02-30T00:00:00Z"), "positions[0].unlock_time is not a valid"),
    (_set(P, ["period", "end"], "2023-12-31T00:00:00Z"), "portfolio.json: period.end must be after period.start"),
    (_set(P, ["period", "start"], "2024-01-01T00:00:00+01:00"), "period.start must be an ISO-8601 UTC time"),
    (_set(P, ["period", "start"], "2024-01-01 00:00:00"), "period.start must be an ISO-8601 UTC time"),
    (_set(P, ["owner"], "0x1234"), "portfolio.json: owner must be an Ethereum address"),
    (_set(P, ["owner"], "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), "owner has a wrong EIP-55 checksum"),
    (_set(P, ["salt"], str(R)), "portfolio.json: salt must be a random field element"),
    (_set(P, ["salt"], "0x1f"), "portfolio.json: salt must be a random field element"),
    (_set(P, ["salt"], 7), "portfolio.json: salt must be a random field element"),
    (_set(P, ["positions"], []), "portfolio.json: positions is empty"),
    (_set(P, ["deposits"], [{"asset": "USDC"}]), "portfolio.json: deposits[0].amount is missing"),
    (_set(P, ["deposits"], [{"asset": "DOGE", "amount": "1"}]), "deposits[0].asset is not an asset listed"),
    (_set(P, ["positions", 0, "end_amount"], "9" * 40), "positions[0].end_amount is too large"),
    # market
    (_set(M, ["period", "end"], "2024-04-02T00:00:00Z"), "market.json: period does not match portfolio.json"),
    (_set(M, ["assets", 1, "symbol"], "WETH"), "market.json: assets[1].symbol repeats an earlier asset"),
    (_set(M, ["assets", 0, "decimals"], 19), "market.json: assets[0].decimals must be between 0 and 18"),
    (_set(M, ["assets", 0, "price_end"], str(1 << 64)), "assets[0].price_end must be between 0 and"),
    (_set(M, ["assets", 0, "price_end"], -1), "assets[0].price_end must be between 0 and"),
    (_set(M, ["assets", 0, "price_end"], 3.5e11), "assets[0].price_end must be an integer"),
    (_set(M, ["assets", 0, "liquidation_threshold_bps"], 10001), "liquidation_threshold_bps must be between"),
    (_set(M, ["assets", 3, "pool", "assets"], ["WETH", "DAI"]), "assets[3].pool.assets must name two listed"),
    (_set(M, ["assets", 3, "pool", "price_ratio_start"], 0), "pool.price_ratio_start must be between 1 and"),
    (_set(M, ["stress_scenarios"], [{"name": "x", "shocks_bps": {"DOGE": -10}}]),
     "market.json: stress_scenarios[0].shocks_bps.DOGE names an asset the market does not list"),
    (_set(M, ["stress_scenarios"], [{"name": "x", "shocks_bps": {"WETH": -10001}}]),
     "stress_scenarios[0].shocks_bps.WETH must be between -10000"),
    (_set(M, ["stress_scenarios"], [{"name": "x", "shocks_bps": {}}] * 2), "repeats a scenario name"),
    (_set(M, ["liquidity_deadline"], "soon"), "market.json: liquidity_deadline must be an ISO-8601 UTC time"),
    # policy
    (_set(Q, ["min_return_bps"], -10001), "policy.json: min_return_bps must be between -10000 and"),
    (_set(Q, ["max_leverage_bps"], True), "policy.json: max_leverage_bps must be an integer"),
    (_set(Q, ["max_position_bps"], 10001), "policy.json: max_position_bps must be between 0 and 10000"),
    (_set(Q, ["min_return"], 5), "policy.json: min_return is not a known field"),
    (_set(Q, ["allowed_protocols_root"], "1"), "policy.json: allowed_protocols and allowed_protocols_root go"),
]


@pytest.mark.parametrize(("mutate", "message"), BAD_INPUTS, ids=[m for _, m in BAD_INPUTS])
def test_bad_input_is_refused_naming_the_field(mutate: Callable[[Docs], None], message: str) -> None:
    docs = copy.deepcopy(example_docs("demo"))
    docs[M]["stress_scenarios"] = []
    mutate(docs)
    with pytest.raises(InputError, match=None) as info:
        portfolio, market, _ = load(docs)
        bind(portfolio, market)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def test_messages_never_echo_private_values() -> None:
    docs = copy.deepcopy(example_docs("demo"))
    docs[P]["positions"][1]["end_amount"] = "987654.1234567"
    with pytest.raises(InputError) as info:
        bind(*load(docs)[:2])
    assert "987654" not in str(info.value) and "1234567" not in str(info.value)
    secret = "31415926535897932384626433832795028841971693993751058209749445923078164062862"
    docs[P]["salt"] = secret + "0"
    with pytest.raises(InputError) as info:
        load(docs)
    assert secret[:12] not in str(info.value)


def test_capacity_limits_positions_assets_and_scenarios() -> None:
    portfolio, market, _ = load(example_docs("dao-treasury"))
    bind(portfolio, market, enc.Capacity(positions=7, assets=7, scenarios=2))
    top = enc.MAX_CAPACITY
    for capacity, message in ((replace(top, positions=6, ranges=6), "positions has 7 entries but the circuit holds 6"),
                              (replace(top, assets=6), "assets has 7 entries but the circuit holds 6"),
                              (replace(top, scenarios=1), "stress_scenarios has 2 entries")):
        with pytest.raises(InputError, match=message):
            bind(portfolio, market, capacity)
    with pytest.raises(InputError, match="capacity.positions"):
        replace(enc.MAX_CAPACITY, positions=enc.MAX_POSITIONS + 1)


def test_loader_caps_positions_at_the_largest_circuit() -> None:
    docs = copy.deepcopy(example_docs("demo"))
    docs[P]["positions"] = docs[P]["positions"][:1] * (enc.MAX_POSITIONS + 1)
    with pytest.raises(InputError, match=f"positions has {enc.MAX_POSITIONS + 1} entries; at most {enc.MAX_POSITIONS}"):
        load(docs)


def test_policy_root_must_match_the_listed_protocols() -> None:
    docs = copy.deepcopy(example_docs("dao-treasury"))
    docs[Q]["allowed_protocols"][0] = "lido-v2"
    with pytest.raises(InputError, match="allowed_protocols_root is not the Poseidon Merkle root"):
        load(docs)
    docs = copy.deepcopy(example_docs("dao-treasury"))
    docs[Q]["allowed_protocols"].append("lido")
    with pytest.raises(InputError, match="distinct protocol names"):
        load(docs)


def test_empty_policy_is_refused() -> None:
    with pytest.raises(InputError, match="the policy states nothing"):
        load_policy({"description": "nothing"})


def test_files_duplicate_keys_and_bad_json_are_refused(tmp_path) -> None:
    good = EXAMPLES_DIR / "demo.policy.json"
    assert load_policy(good).source == "demo.policy.json"
    dup = tmp_path / "policy.json"
    dup.write_text('{"min_return_bps": 1, "min_return_bps": 2}')
    with pytest.raises(InputError, match="policy.json: duplicate key 'min_return_bps'"):
        load_policy(dup)
    bad = tmp_path / "market.json"
    bad.write_text('{"assets": [1,]}')
    with pytest.raises(InputError, match="market.json: not valid JSON"):
        load_market(bad)
    nan = tmp_path / "portfolio.json"
    nan.write_text('{"positions": NaN}')
    with pytest.raises(InputError, match="NaN is not a number JSON allows"):
        load_portfolio(nan)
    with pytest.raises(InputError, match="missing.json: cannot read file"):
        load_portfolio(tmp_path / "missing.json")


def test_examples_load_with_their_declared_shapes() -> None:
    for name, n_positions, n_assets in (("demo", 4, 4), ("dao-treasury", 7, 7), ("fund", 32, 16)):
        portfolio, market, policy = load(example_docs(name))
        assert (len(portfolio.positions), len(market.assets)) == (n_positions, n_assets)
        assert portfolio.period == market.period
    portfolio, market, _ = load(example_docs("demo"))
    bind(portfolio, market, enc.Capacity(8, 8, enc.MAX_SCENARIOS))  # the demo circuit's N and M


# --- exact decimal conversion -----------------------------------------------------------------------


@given(st.integers(0, 10**40), st.integers(0, 18))
def test_decimal_round_trip_is_exact(units: int, decimals: int) -> None:
    text = enc.format_base_units(units, decimals)
    assert enc.to_base_units(text, decimals, "x", "T") == units
    assert enc.to_base_units(text + ("" if "." in text else ".") + "000", decimals, "x", "T") == units
    with localcontext() as ctx:  # independent reference: Python's Decimal at ample precision
        ctx.prec = 100
        assert Decimal(text).scaleb(decimals) == units


@given(st.integers(0, 10**30), st.integers(0, 17), st.integers(1, 9))
def test_excess_precision_is_refused_never_rounded(units: int, decimals: int, digit: int) -> None:
    text = enc.format_base_units(units, decimals)
    finer = text + ("" if "." in text else ".") + "0" * (decimals - len(text.partition(".")[2])) + str(digit)
    with pytest.raises(InputError, match=f"has {decimals + 1} decimals but T allows {decimals}"):
        enc.to_base_units(finer, decimals, "x", "T")


@pytest.mark.parametrize("text", ["", ".5", "5.", "+1", "01", "1_000", " 1", "1.2.3", "١"])
def test_malformed_decimals_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="non-negative decimal string"):
        enc.to_base_units(text, 6, "x", "T")


def test_norm_amount_bound_is_the_declared_width() -> None:
    top = (1 << enc.NORM_AMOUNT_BITS) - 1
    assert enc.check_norm_amount(top, 18, "x") == top
    with pytest.raises(InputError, match="too large"):
        enc.check_norm_amount(top + 1, 18, "x")
    assert enc.check_norm_amount(top // 10**12, 6, "x") < 1 << enc.NORM_AMOUNT_BITS


# --- addresses, protocol ids, timestamps --------------------------------------------------------------

EIP55_VECTORS = [  # from EIP-55's specification text
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_VECTORS)
def test_eip55_vectors_accepted_and_one_flipped_case_refused(address: str) -> None:
    assert enc.address_int(address, "owner") == int(address, 16)
    assert enc.address_int(address.lower(), "owner") == int(address, 16)
    i = next(i for i, c in enumerate(address[2:], 2) if c.isalpha())
    flipped = address[:i] + address[i].swapcase() + address[i + 1:]
    with pytest.raises(InputError, match="EIP-55"):
        enc.address_int(flipped, "owner")


def test_protocol_ids_are_injective_and_below_r() -> None:
    names = ["a", "aave-v3", "aave-v30", "0", "x" * 31, "curve.fi", "a_b"]
    ids = [enc.protocol_id(n) for n in names]
    assert len(set(ids)) == len(ids) and all(0 < i < R for i in ids)
    assert enc.protocol_id("aave-v3") == int(b"aave-v3".hex(), 16)
    for bad in ["", "x" * 32, "Aave", "-aave", "aave v3"]:
        with pytest.raises(InputError):
            enc.protocol_id(bad)


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31)))
def test_timestamps_match_the_standard_library(moment: datetime) -> None:
    moment = moment.replace(microsecond=0, tzinfo=timezone.utc)
    assert timestamp(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "t") == int(moment.timestamp())
    assert timestamp(moment.isoformat(), "t") == int(moment.timestamp())

