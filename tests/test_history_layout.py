"""Files written by history layout 1 (before the owner and the commit times entered the chain) are refused
with a message that says to rebuild, never read as layout 2 (issue 13 item 12, history part).

The two layout-1 documents below were written by zkyield at commit 4667bf3 (the last layout-1 commit):
the statement.json of a T = 3 history statement, and a two-entry snapshot log.
"""

from __future__ import annotations

import pytest

from zkyield.circuits.history_chain import history_head, load_log
from zkyield.circuits.history_models import load_history, load_history_policy
from zkyield.errors import FormatError, InputError
from zkyield.statement import statement_from_description

LAYOUT1_STATEMENT = {
    "kind": "zkyield-statement", "statement": "history",
    "clauses": ["min_sharpe_bps", "max_drawdown_bps", "min_positive_bps"], "periods": 3,
    "circuit_id": "dc9425ae5fc10bd926209251f23d34cda7d8647f50a0034bd34c1bc6e24c2ced", "constraints": 5581,
    "wires": 5561,
    "public_signals": ["chain_head", "owner", "policy_hash", "market_hash", "period_start", "period_end"],
}
LAYOUT1_LOG = {
    "owner": "0x879c3388db202b84deff9e435d85f7fc21728292",
    "entries": [
        {"commitment": "12345", "head": "8196102156479425062878359368420527246524464499659078528900355322900017826678",
         "committed_at": "2024-01-01T00:10:00Z"},
        {"commitment": "67890", "head": "14473735224536129226893295366758386964812213949873538799012593343189745999106",
         "committed_at": "2024-01-08T00:10:00Z"},
    ],
}


def test_a_layout1_build_folder_is_refused_with_a_rebuild_message() -> None:
    with pytest.raises(FormatError, match="circuit id differs from this zkyield's build of it; compile it again"):
        statement_from_description(LAYOUT1_STATEMENT, "build/statement.json")


def test_a_layout1_log_is_refused_with_a_rebuild_message() -> None:
    with pytest.raises(InputError, match=r"entries\[0\]\.head .*written by an older zkyield \(rebuild the log"):
        load_log(LAYOUT1_LOG)


def test_layout1_history_and_policy_files_are_refused_by_name() -> None:
    snapshot = {"time": "2024-01-01T00:00:00Z", "nav": "1", "positions_commitment": "0", "salt": "5"}
    history = load_history({"owner": LAYOUT1_LOG["owner"], "nav_decimals": 0, "snapshots": [snapshot]})
    with pytest.raises(InputError, match=r"snapshots\[0\] has no committed_at"):
        history_head(history)  # a layout-1 history never recorded when each snapshot was published
    with pytest.raises(InputError, match="max_commit_delay_s is missing"):
        load_history_policy({"periods": 3, "min_positive_bps": 5000})
