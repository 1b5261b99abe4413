"""The StatementFamily interface: each family round-trips its statements and refuses the other's inputs."""

from __future__ import annotations

import pytest

from tests.support.history import make_history, market_for, policy
from zkyield import api
from zkyield.circuits import encoding as enc
from zkyield.circuits.history_models import market_hash as history_market_hash
from zkyield.circuits.history_models import policy_hash as history_policy_hash
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import market_hash, policy_hash
from zkyield.errors import FormatError, InputError
from zkyield.families import FAMILIES, HISTORY_FAMILY, PORTFOLIO_FAMILY, family_named, family_of
from zkyield.statement import Keys, statement_from_description

PORTFOLIO, MARKET, POLICY = example("demo")
H_POLICY = policy(2, min_positive_bps=0)


def test_each_family_rebuilds_its_statement_from_the_description():
    cap = enc.Capacity(2, 3, 1)
    for st in (PORTFOLIO_FAMILY.compile(load_policy(POLICY), cap), HISTORY_FAMILY.compile(H_POLICY)):
        again = statement_from_description(st.describe(), "statement.json")
        assert (again.family, again.clauses, again.size, again.circuit_id) == (
            st.family, st.clauses, st.size, st.circuit_id)
        assert st.family is family_named(st.kind)
    doc = PORTFOLIO_FAMILY.compile(load_policy(POLICY), cap).describe()
    with pytest.raises(FormatError, match="not a valid statement description"):
        statement_from_description({**doc, "statement": "options"}, "statement.json")


def test_family_hashes_are_the_family_modules_hashes():
    pol, mkt = load_policy(POLICY), load_market(MARKET)
    assert PORTFOLIO_FAMILY.policy_hash(pol) == policy_hash(pol)
    assert PORTFOLIO_FAMILY.market_hash(mkt, enc.Capacity(8, 8, 1)) == market_hash(mkt, enc.Capacity(8, 8, 1))
    h = make_history([100, 101, 103])
    m = market_for(h, 450)
    assert HISTORY_FAMILY.policy_hash(H_POLICY) == history_policy_hash(H_POLICY)
    assert HISTORY_FAMILY.market_hash(m, None) == history_market_hash(m)


def test_lookups_name_the_family():
    assert family_of(load_policy(POLICY)) is PORTFOLIO_FAMILY and family_of(H_POLICY) is HISTORY_FAMILY
    assert set(FAMILIES) == {"portfolio", "history"} and family_named("history") is HISTORY_FAMILY
    with pytest.raises(ValueError, match="unknown statement kind"):
        family_named("options")
    with pytest.raises(InputError, match="not a policy of any statement family"):
        family_of({"min_return_bps": 1})


def test_proving_with_the_other_familys_keys_is_refused_before_proving():
    history_keys = Keys(HISTORY_FAMILY.compile(H_POLICY), None, None)  # type: ignore[arg-type]
    portfolio = load_portfolio(PORTFOLIO)
    with pytest.raises(InputError, match="keys: they are for a history statement, not a portfolio one"):
        api.prove(portfolio, load_market(MARKET), load_policy(POLICY), history_keys)
    other_window = policy(3, min_positive_bps=0)
    with pytest.raises(InputError, match="policy.periods: differs from the compiled statement's window"):
        api.prove(make_history([100, 101, 103, 104]), None, other_window, history_keys)
    fewer = Keys(PORTFOLIO_FAMILY.compile(load_policy({"max_leverage_bps": 1}), enc.Capacity(2, 2, 1)),
                 None, None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="its clauses differ from the compiled statement's"):
        api.prove(portfolio, load_market(MARKET), load_policy(POLICY), fewer)


def test_attestation_and_statement_files_are_read_strictly(tmp_path):
    from zkyield.batch.runner import _check_build
    from zkyield.formats.attestation import read_attestation

    for name in ("attestation.json", "proof.json", "public.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "attestation.json").write_text('{"kind": "zkyield-attestation", "kind": "other"}')
    with pytest.raises(FormatError, match="attestation.json: duplicate key 'kind'"):
        read_attestation(tmp_path)
    for name in ("statement.json", "proving_key", "verification_key.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "statement.json").write_text('{"clauses": [], "clauses": ["min_return_bps"]}')
    with pytest.raises(FormatError, match="statement.json: duplicate key 'clauses'"):
        _check_build(tmp_path, load_policy(POLICY))


def test_a_build_folder_reads_its_size_through_the_family(tmp_path):
    import json

    from zkyield.build_folder import STATEMENT_FILE, load_statement, save_statement

    for st in (PORTFOLIO_FAMILY.compile(load_policy(POLICY), enc.Capacity(2, 3, 1)), HISTORY_FAMILY.compile(H_POLICY)):
        assert st.family.read_size(st.describe()) == st.size
        d = save_statement(st, tmp_path / st.kind)
        again = load_statement(d)
        assert (again.kind, again.clauses, again.size) == (st.kind, st.clauses, st.size)
        doc = json.loads((d / STATEMENT_FILE).read_text())
        size_key = "capacity" if st.kind == "portfolio" else "periods"
        for broken in ({**doc, "statement": "options"}, {k: v for k, v in doc.items() if k != size_key}):
            (d / STATEMENT_FILE).write_text(json.dumps(broken))
            with pytest.raises(FormatError, match="statement.json: not a valid statement description"):
                load_statement(d)
