"""The snapshot hash chain against circomlibjs, proof windows, and the public log's tamper checks."""

from __future__ import annotations

import json

import pytest

from tests.support.history import make_history
from tests.support.poseidon import run_circomlibjs
from zkyield.circuits.history_chain import (
    SnapshotLog,
    check_history_matches_log,
    heads,
    history_head,
    history_to_json,
    links,
    load_log,
    snapshot_commitment,
    window,
)
from zkyield.circuits.history_models import (
    HISTORY_LAYOUT,
    LINK_TAG,
    MARKET_TAG,
    POLICY_LAYOUT,
    POLICY_TAG,
    SNAPSHOT_TAG,
    History,
    Snapshot,
    example_paths,
    load_history,
)
from zkyield.errors import InputError

# docs/history.md's chain written again in JS over circomlibjs's Poseidon: tagged leaves holding the owner,
# then tagged links holding each commit time, from h_0 = the owner.
_JS_CHAIN = """(() => {
  const leaves = input.snapshots.map(s => H([input.snapshotTag, input.owner, ...s.slice(0, 4)]));
  const heads = [input.owner];
  leaves.forEach((c, i) => heads.push(H([input.linkTag, heads[heads.length - 1], c, input.snapshots[i][4]])));
  return {leaves, heads};
})()"""


def test_leaves_and_heads_equal_circomlibjs(tmp_path) -> None:
    h = load_history(example_paths()[0])
    payload = {"owner": str(h.owner), "snapshotTag": str(SNAPSHOT_TAG), "linkTag": str(LINK_TAG),
               "snapshots": [[str(s.nav), str(s.positions_commitment), str(s.timestamp), str(s.salt),
                              str(s.committed_at)] for s in h.snapshots[:12]]}
    expected = run_circomlibjs(_JS_CHAIN, payload, tmp_path)
    leaves = [snapshot_commitment(h.owner, s) for s in h.snapshots[:12]]
    assert leaves == [int(x) for x in expected["leaves"]]
    assert heads(h.owner, links(h, 12)) == [int(x) for x in expected["heads"]]


def test_every_history_hash_starts_with_its_layout_tag() -> None:
    tags = {"policy": POLICY_TAG, "market": MARKET_TAG, "snapshot": SNAPSHOT_TAG, "link": LINK_TAG}
    versions = {"policy": POLICY_LAYOUT, "market": HISTORY_LAYOUT, "snapshot": HISTORY_LAYOUT, "link": HISTORY_LAYOUT}
    for name, tag in tags.items():
        assert tag.to_bytes(32, "big").lstrip(b"\0") == f"zkyield.history.{name}.v{versions[name]}".encode()
    # the policy vector moved to layout 3 (max_var_bps, min_calmar_bps); chains and the registry stay at 2
    assert (HISTORY_LAYOUT, POLICY_LAYOUT) == (2, 3) and len(set(tags.values())) == 4


def test_snapshot_without_a_commit_time_has_no_head() -> None:
    h = make_history([100, 101, 102])
    unpublished = History(h.owner, 6, (*h.snapshots, Snapshot(103, 0, h.snapshots[-1].timestamp + 1, 5)))
    with pytest.raises(InputError, match=r"snapshots\[3\] has no committed_at"):
        history_head(unpublished)


def test_commit_time_and_owner_are_part_of_the_chain() -> None:
    h = make_history([100, 101, 102])
    later = make_history([100, 101, 102], committed=[s.committed_at + (i == 1) for i, s in enumerate(h.snapshots)])
    assert [snapshot_commitment(h.owner, s) for s in h.snapshots] == \
        [snapshot_commitment(h.owner, s) for s in later.snapshots]
    assert history_head(h) != history_head(later)  # restating one commit time changes the head
    assert snapshot_commitment(h.owner, h.snapshots[0]) != snapshot_commitment(h.owner + 1, h.snapshots[0])


def test_window_carries_the_heads_around_it() -> None:
    h = make_history(list(range(100, 110)))
    hs = heads(h.owner, links(h))
    w = window(h, 4, last=7)
    assert (w.first, w.periods, w.prev_head, w.head) == (3, 4, hs[3], hs[8])
    assert w.snapshots == h.snapshots[3:8]
    assert window(h, 9).head == hs[-1] and window(h, 9).prev_head == h.owner
    with pytest.raises(InputError, match="needs 11 snapshots"):
        window(h, 10)
    with pytest.raises(InputError, match="outside the 10 snapshots"):
        window(h, 2, last=10)


def test_heads_differ_per_owner() -> None:
    a, b = make_history([1, 2, 3]), make_history([1, 2, 3], owner=0x1234)
    assert a.snapshots == b.snapshots and window(a, 2).head != window(b, 2).head


def _log_of(h: History) -> SnapshotLog:
    log = SnapshotLog(h.owner)
    for c, t in links(h):
        log = log.append(c, t)
    return log


def test_log_round_trips_and_matches_its_history(tmp_path) -> None:
    h = make_history([100, 101, 99, 105])
    log = _log_of(h)
    path = tmp_path / "log.json"
    log.save(path)
    again = load_log(path)
    assert again.entries == log.entries and again.head == window(h, 3).head
    check_history_matches_log(h, again)
    assert load_history(history_to_json(h)) == History(h.owner, h.nav_decimals, h.snapshots, source="history.json")


def _altered(h: History, snapshots) -> History:
    return History(h.owner, h.nav_decimals, tuple(snapshots), source=h.source)


@pytest.mark.parametrize(("change", "message"), [
    ("alter", r"snapshots\[2\] does not open"),
    ("remove", "has 4 snapshots but log.json has 5"),
    ("swap", r"snapshots\[1\] does not open"),
    ("retime", r"snapshots\[3\]\.committed_at differs"),
])
def test_history_that_does_not_open_the_log_is_refused(change: str, message: str) -> None:
    h = make_history([100, 101, 99, 105, 107])
    log = SnapshotLog(h.owner, _log_of(h).entries, "log.json")
    s = list(h.snapshots)
    if change == "alter":
        s[2] = type(s[2])(s[2].nav + 1, s[2].positions_commitment, s[2].timestamp, s[2].salt, s[2].committed_at)
    elif change == "remove":
        del s[3]
    elif change == "retime":
        s[3] = type(s[3])(s[3].nav, s[3].positions_commitment, s[3].timestamp, s[3].salt, s[3].committed_at + 1)
    else:
        s[1], s[2] = s[2], s[1]
    with pytest.raises(InputError, match=message):
        check_history_matches_log(_altered(h, s), log)


def test_log_with_an_edited_head_or_commitment_is_refused(tmp_path) -> None:
    data = _log_of(make_history([100, 101, 99])).to_json()
    bad = json.loads(json.dumps(data))
    bad["entries"][1]["commitment"] = str(int(bad["entries"][1]["commitment"]) + 1)
    with pytest.raises(InputError, match=r"entries\[1\]\.head is not Poseidon"):
        load_log(bad)
    bad = json.loads(json.dumps(data))
    bad["entries"][0], bad["entries"][1] = bad["entries"][1], bad["entries"][0]
    with pytest.raises(InputError, match=r"entries\[0\]\.head is not Poseidon"):
        load_log(bad)


def test_log_refuses_going_back_in_time() -> None:
    log = SnapshotLog(1).append(5, 1000)
    with pytest.raises(InputError, match="committed_at goes back in time"):
        log.append(6, 999)
