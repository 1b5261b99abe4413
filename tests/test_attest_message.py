"""The attestation messages: capacity-free, recomputable in circuit, and equal to circomlibjs's Poseidon.

The in-circuit prototype below is the chain as docs/attestation.md specifies it for a circuit with N
position and M asset slots (keep-or-skip per slot); it is a test-only model until the statement circuit
integrates attestations, and it pins the per-slot cost the documentation quotes.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.support.tools import run_node
from zkyield.circuits import attest_message as am
from zkyield.circuits import encoding as enc
from zkyield.circuits import publics
from zkyield.circuits.binding import bind
from zkyield.circuits.models import Market, Portfolio, example
from zkyield.dsl import Circuit
from zkyield.errors import ConstraintError, InputError
from zkyield.gadgets.commit import poseidon_many_gadget
from zkyield.gadgets.logic import is_zero
from zkyield.gadgets.poseidon import poseidon_gadget

AS_OF = 1_717_200_000


def _load(name: str) -> tuple[Portfolio, Market]:
    p, m, _ = example(name)
    return Portfolio.load(p), Market.load(m)


def _keep(c: Circuit, keep, h, step):
    return h + c.mul(keep, step - h)


def book_circuit(capacity: enc.Capacity) -> tuple[Circuit, int]:
    """The book message over N position slots and M flow slots; returns the circuit and its chain cost."""
    c = Circuit("attest_book")
    expected = c.public_input("M")
    head = c.private_input("head", 4)  # owner, period start, period end, as-of
    slots = [c.private_input(f"pos{i}", len(publics.POSITION_FIELDS)) for i in range(capacity.positions)]
    flows = [c.private_input(f"flow{i}", len(publics.FLOW_FIELDS)) for i in range(capacity.assets)]
    before = c.n_constraints
    p = c.constant(0)
    for row in slots:
        c.assert_bool(row[0])  # the statement circuit already holds `active` as a boolean
        p = _keep(c, row[0], p, poseidon_many_gadget(c, row[1:], iv=p))
    f, n_flows = c.constant(0), c.constant(0)
    for row in flows:
        used = 1 - is_zero(c, row[1] + row[2])
        n_flows = n_flows + used
        f = _keep(c, used, f, poseidon_gadget(c, [f, *row]))
    n_positions = c.sum(row[0] for row in slots)
    m = poseidon_gadget(c, [am.BOOK_TAG, *head, n_positions, p, n_flows, f])
    cost = c.n_constraints - before - capacity.positions  # the booleans are the statement's, not ours
    c.assert_equal(m, expected)
    return c, cost


def book_inputs(portfolio: Portfolio, market: Market, capacity: enc.Capacity, message: int) -> dict:
    bound = bind(portfolio, market, capacity)
    inputs = {"M": message, "head": [portfolio.owner, portfolio.period.start, portfolio.period.end, AS_OF]}
    inputs |= {f"pos{i}": row for i, row in enumerate(publics.position_slots(bound, capacity))}
    inputs |= {f"flow{i}": row for i, row in enumerate(publics.flow_slots(bound, capacity))}
    return inputs


@pytest.mark.parametrize("n, m", [(8, 4), (16, 8)])
def test_the_circuit_recomputes_the_book_message_at_any_capacity(n: int, m: int) -> None:
    portfolio, market = _load("demo")
    capacity = enc.Capacity(positions=n, assets=m)
    message = am.book_message(portfolio, market, AS_OF).message
    circuit, cost = book_circuit(capacity)
    compiled = circuit.compile()
    compiled.witness(book_inputs(portfolio, market, capacity, message))  # checks every constraint
    with pytest.raises(ConstraintError):
        compiled.r1cs.check(compiled.witness(book_inputs(portfolio, market, capacity, message + 1), check=False))
    # The documented cost (docs/attestation.md): per position slot a poseidon_many of its 23 fields
    # (Poseidon(2), Poseidon(16), Poseidon(9)) + 1, per flow slot Poseidon(4) + 3, Poseidon(9) once.
    assert cost == n * 1264 + m * 300 + 171


def prices_circuit(capacity: enc.Capacity) -> tuple[Circuit, int]:
    """The price message over M asset slots and S scenario slots, from the market hash's own slot values."""
    c = Circuit("attest_prices")
    expected = c.public_input("M")
    header = c.private_input("header", len(publics.MARKET_HEADER) + 1)  # the market header, then as-of
    assets = [c.private_input(f"asset{i}", len(publics.ASSET_FIELDS)) for i in range(capacity.assets)]
    scenarios = [c.private_input(f"scenario{s}", 1 + capacity.assets) for s in range(capacity.scenarios)]
    before = c.n_constraints
    h = c.constant(0)
    for i, row in enumerate(assets):
        # Linear: an unlisted scenario slot holds factor 10000, so its term is 0.
        shocks = c.sum((sc[1 + i] - enc.BPS + enc.BPS * sc[0]) * (1 << (am.SHOCK_FACTOR_BITS * s))
                       for s, sc in enumerate(scenarios))
        h = _keep(c, row[0], h, poseidon_many_gadget(c, [*row[1:], shocks], iv=h))
    n_assets = c.sum(row[0] for row in assets)
    n_scenarios = c.sum(sc[0] for sc in scenarios)
    m = poseidon_gadget(c, [am.PRICES_TAG, *header, n_assets, n_scenarios, h])
    cost = c.n_constraints - before
    c.assert_equal(m, expected)
    return c, cost


@pytest.mark.parametrize("m, s", [(16, 3), (20, 8)])
def test_the_circuit_recomputes_the_price_message_at_any_capacity(m: int, s: int) -> None:
    _, market = _load("fund")
    capacity = enc.Capacity(positions=1, assets=m, scenarios=s)
    message = am.prices_message(market, AS_OF).message
    circuit, cost = prices_circuit(capacity)
    compiled = circuit.compile()
    inputs = {"M": message, "header": [*publics.market_header(market), AS_OF]}
    inputs |= {f"asset{i}": row for i, row in enumerate(publics.asset_slots(market, capacity))}
    inputs |= {f"scenario{k}": row for k, row in enumerate(publics.scenario_slots(market, capacity))}
    compiled.witness(inputs)
    with pytest.raises(ConstraintError):
        compiled.r1cs.check(compiled.witness({**inputs, "M": message + 1}, check=False))
    # Per asset slot a poseidon_many of its 28 fields and the shocks (Poseidon(2), Poseidon(16) twice) + 1,
    # Poseidon(10) once.
    assert cost == m * 1384 + 216


def _message_of(portfolio: Portfolio, market: Market, **changes) -> int:
    return am.book_message(replace(portfolio, **changes), market, AS_OF).message


def test_every_book_field_changes_the_message_and_the_salt_does_not() -> None:
    portfolio, market = _load("demo")
    base = am.book_message(portfolio, market, AS_OF).message
    first = portfolio.positions[0]
    variants = {
        "owner": _message_of(portfolio, market, owner=portfolio.owner + 1),
        "period": _message_of(replace(portfolio, period=replace(portfolio.period, end=portfolio.period.end + 1)),
                              replace(market, period=replace(market.period, end=market.period.end + 1))),
        "as_of": am.book_message(portfolio, market, AS_OF + 1).message,
        "order": _message_of(portfolio, market, positions=portfolio.positions[::-1]),
        "dropped": _message_of(portfolio, market, positions=portfolio.positions[1:]),
        "amount": _message_of(portfolio, market, positions=(replace(first, end_amount=first.end_amount + "1"),
                                                            *portfolio.positions[1:])),
        "unlock": _message_of(portfolio, market, positions=(replace(first, unlock_time=AS_OF),
                                                            *portfolio.positions[1:])),
        "flows": _message_of(portfolio, market, deposits=()),
    }
    assert base not in variants.values() and len(set(variants.values())) == len(variants)
    assert _message_of(portfolio, market, salt=portfolio.salt + 1) == base  # the attestor never needs the salt


def test_zero_flows_and_unused_slots_do_not_enter_the_message() -> None:
    portfolio, market = _load("fund")
    msg = am.book_message(portfolio, market, AS_OF)
    assert (msg.n_positions, msg.n_flows) == (len(portfolio.positions), 2)  # 16 assets, 2 with flows
    with pytest.raises(InputError, match="as-of"):
        am.book_message(portfolio, market, 1 << 40)


def test_prices_message_covers_what_the_market_hash_covers() -> None:
    _, market = _load("fund")
    base = am.prices_message(market, AS_OF)
    assert (base.n_assets, base.n_scenarios) == (len(market.assets), len(market.stress_scenarios))
    a0 = market.assets[0]
    s0 = market.stress_scenarios[0]
    variants = [
        replace(market, assets=(replace(a0, price_end=a0.price_end + 1), *market.assets[1:])),
        replace(market, assets=market.assets[:-1]),
        replace(market, stress_scenarios=market.stress_scenarios[1:]),
        replace(market, stress_scenarios=(replace(s0, shocks_bps={**s0.shocks_bps, a0.symbol: -1}),
                                          *market.stress_scenarios[1:])),
        replace(market, price_decimals=market.price_decimals + 1),
    ]
    messages = {am.prices_message(m, AS_OF).message for m in variants}
    assert base.message not in messages and len(messages) == len(variants)
    assert am.prices_message(market, AS_OF + 1).message != base.message
    # A factor fits its 20 bits, so the packing is injective (8 scenarios x 20 bits < 254).
    assert enc.BPS_MAX < 1 << am.SHOCK_FACTOR_BITS and enc.MAX_SCENARIOS * am.SHOCK_FACTOR_BITS < 253


def test_book_and_price_tags_are_distinct_from_every_statement_tag() -> None:
    tags = {publics.domain_tag(d, enc.Capacity(n, m, s)) for d in publics.DOMAINS
            for n, m, s in ((1, 1, 1), (128, 64, 8))} | {publics.domain_tag("policy")}
    assert am.BOOK_TAG not in tags and am.PRICES_TAG not in tags and am.BOOK_TAG != am.PRICES_TAG
    assert am.BOOK_TAG.to_bytes(22, "big") == b"zkyield.attest.book.v3"


# circomlibjs's Poseidon recomputes both messages from the rows (an independent hash implementation).
_JS = """
const {buildPoseidon} = require('circomlibjs');
(async () => {
  const P = await buildPoseidon();
  const h = xs => P.F.toObject(P(xs.map(BigInt))).toString();
  const chain = rows => rows.reduce((acc, row) => h([acc, ...row]), '0');
  // poseidon_many(row, iv): Poseidon(iv, n), then 15 values per call beside the running hash
  const many = (row, iv) => { let x = h([iv, row.length]);
    for (let k = 0; k < row.length; k += 15) x = h([x, ...row.slice(k, k + 15)]); return x; };
  const longChain = rows => rows.reduce((acc, row) => many(row, acc), '0');
  const input = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  const book = h([input.book_tag, ...input.book_head, input.positions.length, longChain(input.positions),
                  input.flows.length, chain(input.flows)]);
  const prices = h([input.prices_tag, ...input.prices_head, input.assets.length, input.n_scenarios,
                    longChain(input.assets)]);
  process.stdout.write(JSON.stringify({book, prices}));
  process.exit(0);
})();
"""


def _strings(x):
    if isinstance(x, dict):
        return {k: _strings(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_strings(v) for v in x]
    return str(x)


def test_circomlibjs_poseidon_gives_the_same_messages(tmp_path) -> None:
    portfolio, market = _load("dao-treasury")
    positions, flows = am.book_rows(bind(portfolio, market))
    payload = {
        "book_tag": am.BOOK_TAG, "book_head": [portfolio.owner, portfolio.period.start, portfolio.period.end, AS_OF],
        "positions": positions, "flows": flows,
        "prices_tag": am.PRICES_TAG, "prices_head": [*publics.market_header(market), AS_OF],
        "assets": am.price_rows(market), "n_scenarios": len(market.stress_scenarios),
    }
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(_strings(payload)))  # decimal strings: JSON numbers lose precision in node
    theirs = json.loads(run_node(_JS, str(path)))
    assert int(theirs["book"]) == am.book_message(portfolio, market, AS_OF).message
    assert int(theirs["prices"]) == am.prices_message(market, AS_OF).message
