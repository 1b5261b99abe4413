"""Perps, chains and bridges (issue 18): the loaders, the exposure clauses against an independent
exact-fraction computation from the raw JSON, and the examples refused past each of their thresholds."""

from __future__ import annotations

import copy
from decimal import Decimal
from fractions import Fraction
from math import ceil

import pytest

from tests.support.statements import USD, asset, documents, example_docs, load, position
from zkyield.circuits import encoding as enc
from zkyield.circuits.binding import bind
from zkyield.circuits.evaluate import evaluate, require_holds
from zkyield.circuits.publics import position_slots
from zkyield.errors import InputError, StatementFalse

EXPOSURE = ("max_net_delta_bps", "max_protocol_bps", "max_chain_bps", "max_bridged_bps")


def _amount(text: str) -> Fraction:
    return Fraction(Decimal(text))


class Reference:
    """The book's end values in USD, straight from the JSON documents (no zkyield integer code)."""

    def __init__(self, docs: tuple[dict, dict, dict]) -> None:
        portfolio, market, policy = docs
        scale = Fraction(1, 10 ** market["price_decimals"])
        self.assets = {a["symbol"]: a for a in market["assets"]}
        self.p1 = {s: a["price_end"] * scale for s, a in self.assets.items()}
        self.policy, self.rows = policy, []
        for p in portfolio["positions"]:
            value = _amount(p["end_amount"]) * self.p1[p["asset"]]
            pnl = Fraction(0)
            if p["kind"] in ("perp", "future"):
                size = -_amount(p["size"][1:]) if p["size"].startswith("-") else _amount(p["size"])
                pnl = size * (self.p1[p["base"]] - p["entry_price"] * scale)
            self.rows.append((p, value, pnl))
        self.nav = sum((v if p["kind"] != "borrow" else -v) + pnl for p, v, pnl in self.rows)

    def gross(self, p: dict, value: Fraction, pnl: Fraction) -> Fraction:
        """What a position puts at risk in its protocol or chain: its value, a perp's gain, never a debt."""
        return Fraction(0) if p["kind"] == "borrow" else value + max(pnl, Fraction(0))

    def delta(self) -> dict[str, Fraction]:
        long, short = {}, {}
        for p, value, _ in self.rows:
            pool = self.assets[p["asset"]].get("pool")
            if p["kind"] == "borrow":
                short[p["asset"]] = short.get(p["asset"], 0) + value
            elif pool:
                for s in pool["assets"]:  # a constant-product LP token is half each side in value
                    long[s] = long.get(s, 0) + value / 2
            else:
                long[p["asset"]] = long.get(p["asset"], 0) + value
            if p["kind"] in ("perp", "future"):
                side = long if not p["size"].startswith("-") else short
                size = _amount(p["size"].lstrip("-"))
                side[p["base"]] = side.get(p["base"], 0) + size * self.p1[p["base"]]
        return {s: abs(long.get(s, 0) - short.get(s, 0)) for s, a in self.assets.items()
                if not a.get("cash") and not a.get("pool")}

    def by(self, key) -> dict[object, Fraction]:
        out: dict[object, Fraction] = {}
        for p, value, pnl in self.rows:
            k = key(p)
            if k is not None:
                out[k] = out.get(k, 0) + self.gross(p, value, pnl)
        return out

    def measured(self, clause: str) -> int:
        if clause == "max_net_delta_bps":
            parts = self.delta().values()
        elif clause == "max_protocol_bps":
            parts = self.by(lambda p: p["protocol"]).values()
        elif clause == "max_chain_bps":
            home = self.policy["home_chain"]
            parts = self.by(lambda p: self.assets[p["asset"]].get("chain", 1)
                            if self.assets[p["asset"]].get("chain", 1) != home else None).values()
        else:
            parts = [sum(self.by(lambda p: "b" if self.assets[p["asset"]].get("bridge") else None).values())]
        return ceil(max([Fraction(0), *parts]) * 10000 / self.nav)


@pytest.mark.parametrize("name", ["basis", "carry", "crosschain"])
def test_exposure_measurements_match_an_exact_fraction_reference(name: str) -> None:
    docs = example_docs(name)
    ref = Reference(docs)
    checks = {c.key: c for c in evaluate(*load(docs)).checks}
    stated = [k for k in EXPOSURE if k in docs[2]]
    assert stated
    for key in stated:
        assert checks[key].holds and checks[key].measured_bps == ref.measured(key), key


def test_basis_book_is_hedged_and_funding_is_not_fee_income() -> None:
    docs = example_docs("basis")
    ref = Reference(docs)
    assert ref.delta()["WETH"] == 2 * 3500  # 100 ETH held, 98 short: 2 ETH at $3,500
    assert ref.nav == 420_440
    portfolio, market, _ = copy.deepcopy(docs)
    portfolio["positions"][2]["emission_income"] = "100"
    (check,) = evaluate(*load((portfolio, market, {"min_real_yield_bps": 8000}))).checks
    assert check.holds and check.measured_bps == 8000  # 400 fees of 500 income: the 17,640 of funding is neither
    with_fee = copy.deepcopy(docs)
    with_fee[0]["positions"][1]["fee_income"] = "17640"  # funding dressed up as fee revenue
    with pytest.raises(InputError, match=r"positions\[1\]\.fee_income and emission_income must be 0 for a perp"):
        load(with_fee)


@pytest.mark.parametrize("name", ["basis", "carry", "crosschain"])
def test_each_example_threshold_pushed_past_the_truth_is_refused(name: str) -> None:
    docs = example_docs(name)
    require_holds(*load(docs))
    for check in evaluate(*load(docs)).checks:
        if not check.clause.threshold:
            continue
        pushed = copy.deepcopy(docs)
        pushed[2][check.key] = check.measured_bps + (1 if check.clause.is_min else -1)
        with pytest.raises(StatementFalse, match=rf"^statement is false: .*\({check.key}="):
            require_holds(*load(pushed))


def test_perp_encoding_signed_offset_and_pnl() -> None:
    """Size -2.5 WETH (18 decimals) at entry $2,000, end price $3,000: PnL = -2,500 USD, a loss."""
    docs = documents([position("USDC", "perp", "1000", "1000", protocol="gmx", base="WETH", size="-2.5",
                               entry_price=2000 * USD, funding="-12.5")],
                     [asset("USDC", 6, cash=True), asset("WETH", 18, 2000 * USD, 3000 * USD)], {"max_net_delta_bps": 1})
    portfolio, market, _ = load(docs)
    bound = bind(portfolio, market)
    (p,) = bound.positions
    assert (p.base, p.size, p.funding) == (1, -25 * 10**17, -12_500_000)
    assert bound.pnl(p, True) == (0, 25 * 10**17 * 1000 * USD) and bound.pnl(p, False) == (0, 0)
    (row,) = position_slots(bound, enc.Capacity(1, 2, 1))
    fields = dict(zip(("size", "entry", "funding", "chain"), row[9:13], strict=True))
    assert fields == {"size": 2**112 - 25 * 10**17, "entry": 2000 * USD, "funding": 2**112 - 125 * 10**17, "chain": 1}


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d[0]["positions"][0].pop("base"), r"positions\[0\]\.base is missing"),
    (lambda d: d[0]["positions"][0].update(size="+1"), r"positions\[0\]\.size must be a non-negative decimal"),
    (lambda d: d[0]["positions"][0].update(base="LP"), r"positions\[0\]\.base is an LP token"),
    (lambda d: d[0]["positions"][0].update(base="DOGE"), r"positions\[0\]\.base is not an asset listed"),
    (lambda d: d[0]["positions"][0].update(chain=10), r"positions\[0\]\.chain is 10 but .* lists USDC on chain 1"),
    (lambda d: d[0]["positions"][1].update(size="1"), r"positions\[1\]\.size is only for perp and future positions"),
    (lambda d: d[1]["assets"][0].update(cash="yes"), r"assets\[0\]\.cash must be true or false"),
    (lambda d: d[1]["assets"][0].update(bridge="Bad Bridge"), r"assets\[0\]\.bridge: bridge names follow"),
    (lambda d: d[1]["assets"][2].update(bridge="x"), r"assets\[2\]: an LP token is neither cash nor bridged"),
    (lambda d: d[2].update(max_chain_bps=100), r"max_chain_bps needs home_chain"),
    (lambda d: d[2].update(max_protocol_bps=100), r"max_protocol_bps needs allowed_protocols_root"),
    (lambda d: d[2].update(allowed_bridges=["a"]), r"allowed_bridges and allowed_bridges_root go together"),
])
def test_bad_perp_chain_and_bridge_fields_are_one_line_errors(edit, message: str) -> None:
    pool = {"assets": ["USDC", "WETH"], "price_ratio_start": 1, "price_ratio_end": 1}
    docs = documents([position("USDC", "perp", "1", "1", base="WETH", size="-1", entry_price=USD),
                      position("WETH", "spot", "1", "1")],
                     [asset("USDC"), asset("WETH", 18), asset("LP", 18, pool=pool)], {"max_net_delta_bps": 1})
    docs = copy.deepcopy(docs)
    edit(docs)
    with pytest.raises(InputError, match=message):
        portfolio, market, _ = load(docs)
        bind(portfolio, market)


def test_lp_exposure_is_half_its_value_in_each_pool_asset() -> None:
    """1 LP token worth $2,000 of a WETH/USDC pool against a 0.5 WETH borrow at $2,000: WETH delta 0."""
    pool = {"assets": ["WETH", "USDC"], "price_ratio_start": 2000, "price_ratio_end": 2000}
    docs = documents([position("LP", "lp", "1", "1", protocol="uniswap-v2", pool=["WETH", "USDC"]),
                      position("WETH", "borrow", "0.5", "0.5")],
                     [asset("WETH", 18, 2000 * USD, 2000 * USD), asset("USDC", 6, cash=True),
                      asset("LP", 18, 2000 * USD, 2000 * USD, pool=pool)], {"max_net_delta_bps": 0})
    (check,) = evaluate(*load(docs)).checks
    assert check.holds and check.measured_bps == 0
    docs[0]["positions"][1]["end_amount"] = "0.4"  # under-hedged by 0.1 WETH = $200 of NAV $1,200
    (check,) = evaluate(*load(docs)).checks
    assert not check.holds and check.measured_bps == 1667  # ceil(10000 x 200 / 1200)
