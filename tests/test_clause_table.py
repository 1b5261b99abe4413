"""The clause tables: append-only order, and everything that lists clauses derives from them.

Each test reads a consumer (loader, policy hash vector, circuit input, docs, CLI, demo) and checks it
against the table, so a clause added to the table and forgotten elsewhere, or listed by hand somewhere,
fails here. The hashed values themselves are pinned in tests/test_golden.py and test_history_layout.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zkyield.circuits import publics
from zkyield.circuits.history_clauses import CLAUSES as HISTORY
from zkyield.circuits.history_models import load_history_policy
from zkyield.circuits.models import load_policy, protocol_tree
from zkyield.circuits.portfolio_clauses import CLAUSES as PORTFOLIO
from zkyield.circuits.statements import Builder, Shape
from zkyield.cli.demo_command import _clause_text
from zkyield.errors import InputError
from zkyield.families import FAMILIES

DOCS = Path(__file__).resolve().parent.parent / "docs"
# The mask bits and hash slots of layout 3 / history layout 2: a new clause goes at the END of its table.
PORTFOLIO_ORDER = ("min_return_bps", "min_apr_bps", "min_real_yield_bps", "max_position_bps", "max_leverage_bps",
                   "min_health_factor_bps", "max_impermanent_loss_bps", "max_stress_loss_bps", "min_liquid_bps",
                   "allowed_protocols_root", "attested_by", "prices_attested_by",
                   "max_net_delta_bps", "max_protocol_bps", "max_chain_bps",
                   "max_bridged_bps", "allowed_bridges_root")
HISTORY_ORDER = ("min_annual_return_bps", "max_volatility_bps", "min_sharpe_bps", "min_sortino_bps",
                 "max_drawdown_bps", "min_positive_bps")


def test_tables_are_append_only():
    assert PORTFOLIO.keys[:len(PORTFOLIO_ORDER)] == PORTFOLIO_ORDER, "reordering a table changes every policy hash"
    assert HISTORY.keys[:len(HISTORY_ORDER)] == HISTORY_ORDER, "reordering a table changes every policy hash"
    for i, key in enumerate(PORTFOLIO.keys):
        assert PORTFOLIO.mask([key]) == 1 << i == 1 << PORTFOLIO.index(key)


@pytest.mark.parametrize("table", [PORTFOLIO, HISTORY], ids=lambda t: t.family)
def test_docs_print_the_table(table):
    doc = (DOCS / ("statements.md" if table is PORTFOLIO else "history.md")).read_text()
    found = re.search(r"<!-- clause table: [^\n]*-->\n(.*?)<!-- end of clause table -->", doc, re.S)
    assert found, "the docs lost their generated clause table"
    assert found.group(1) == table.markdown(), f"paste this table into the docs:\n{table.markdown()}"


PROTOCOLS = {"allowed_protocols": ["aave-v3"], "allowed_protocols_root": str(protocol_tree(["aave-v3"]).root)}
# what a clause's loader requires beside it (a key with its own policy slot, or home_chain after the slots)
PREREQUISITES = {"max_protocol_bps": PROTOCOLS, "max_chain_bps": {"home_chain": 1}}


def _portfolio_policy(key: str, value: int) -> dict:
    if key == "allowed_protocols_root":
        return dict(PROTOCOLS)
    if key == "allowed_bridges_root":
        return {"allowed_bridges": ["stargate"], "allowed_bridges_root": str(protocol_tree(["stargate"]).root)}
    if key in ("attested_by", "prices_attested_by"):  # an attestor key set (circuits/attest_policy.py)
        from zkyield import eddsa

        x, y = eddsa.public_key(bytes(32))
        return {key: {"keys": [{"x": str(x), "y": str(y)}], "threshold": 1}}
    return {**PREREQUISITES.get(key, {}), key: value}


@pytest.mark.parametrize("clause", PORTFOLIO, ids=lambda c: c.key)
def test_portfolio_loader_range_and_hash_slot_come_from_the_record(clause):
    value = clause.high if clause.threshold else None
    policy = load_policy(_portfolio_policy(clause.key, value))
    values = publics.policy_values(policy)
    slot = 2 + PORTFOLIO.index(clause.key)  # after the domain tag and the mask
    stated = {clause.key, *(k for k in PREREQUISITES.get(clause.key, {}) if k in PORTFOLIO)}
    assert values[1] == PORTFOLIO.mask(stated)
    assert [i for i, v in enumerate(values[2:2 + len(PORTFOLIO)], 2) if v] == sorted(
        2 + PORTFOLIO.index(k) for k in stated)
    assert values[-1] == PREREQUISITES.get(clause.key, {}).get("home_chain", 0)  # hashed after the slots
    if clause.threshold:
        assert values[slot] == clause.high + clause.offset
        assert load_policy(_portfolio_policy(clause.key, clause.low)).get(clause.key) == clause.low
        for outside in (clause.low - 1, clause.high + 1):
            with pytest.raises(InputError, match=clause.key):
                load_policy({clause.key: outside})


@pytest.mark.parametrize("clause", HISTORY, ids=lambda c: c.key)
def test_history_loader_range_comes_from_the_record(clause):
    base = {"periods": 4, "max_commit_delay_s": 60}
    for inside in (clause.low, clause.high):
        assert load_history_policy({**base, clause.key: inside}).thresholds == {clause.key: inside}
    for outside in (clause.low - 1, clause.high + 1):
        with pytest.raises(InputError, match=clause.key):
            load_history_policy({**base, clause.key: outside})
    assert load_history_policy({**base, clause.key: clause.low}).checks == (clause.key,)


def test_the_circuit_has_one_policy_slot_per_clause():
    builder = Builder(Shape(frozenset({"max_leverage_bps"}), publics.enc.Capacity(1, 1, 1)))
    assert len(builder.policy) == len(PORTFOLIO)
    assert len(publics.policy_values(load_policy({"max_leverage_bps": 1}))) == 2 + len(PORTFOLIO) + 1  # home_chain


def test_every_family_lists_its_table_and_signals():
    assert {name: tuple(f.describe()["clauses"]) for name, f in FAMILIES.items()} == {
        "portfolio": PORTFOLIO.keys, "history": HISTORY.keys}
    assert FAMILIES["history"].describe()["public_inputs"][0] == "chain_head"


def test_the_demo_describes_clauses_from_the_tables():
    assert _clause_text("max_volatility_bps") == "max annualised volatility"  # the drifted copy said "volatility"
    assert _clause_text("min_return_bps") == "min period return"
    assert _clause_text("max_commit_delay_s") == "longest wait to publish a snapshot"
