"""Golden values: the policy hashes, market hashes, commitments and circuit ids of the shipped examples.

They are what a verifier recomputes and what keys and on-chain registrations are tied to, so a change
to any of them must be deliberate: a commit that changes a layout re-pins the values here and says so
in its message. ``python -m tests.test_golden`` prints today's values in this file's format.
"""

from __future__ import annotations

import pytest

from zkyield.api import commitment, compile_statement
from zkyield.circuits import encoding as enc
from zkyield.circuits.models import EXAMPLES_DIR, example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import market_hash, policy_hash

POLICY_HASHES = {
    "attested": 15691068421290970619216379782219839320511134556667498857539791899236179065312,
    "dao-treasury": 4976184013323381178311177103416357107685219166095356971780595775714480532524,
    "demo": 18169586193974024093895130413751410483205585351608099303809253789024493914018,
    "fund": 10369065193966136231326095120083066898742238548444345687490732058262276804526,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "attested": ((3, 3, 1), 16863478950047689928823139801643740852168623025720094598425379687501865760200,
                 10729412286287028585901749921979366679280086185283476883489925767100669661131),
    "demo": ((8, 8, 1), 3170500337863854865740832833672537097787129876210065303115995908380915197651,
             5520058936125466916039322496240691674664217178494552055233961351409229002346),
    "dao-treasury": ((8, 8, 2), 11115950621538940827825428928178229205995340517204979382675471280635225850152,
             21198543409290456239641894747222897308396485851141491543633792060193610748389),
    "fund": ((32, 16, 3), 13893164380056786355855570138602369204106147305732401959623739548780507536021,
             13020545941522779187432161008400559337871433219757312101627082188391060226848),
}

# (example policy, capacity) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1)): ("1bbe7636eab0105506b80e2ff35af3f4389f94df6543860fead69015421c886e", 19582),
    ("demo", (4, 4, 1)): ("5e93b1737ee40b4c27f132c1439c24c156750c905954c25b25f39410a4c7f6d5", 11740),
    ("dao-treasury", (8, 8, 2)): ("5d4ad668ffd6c508f6cd347704667753409bea142909d78fc65b4a582d3797b1", 45663),
    ("dao-treasury", (2, 3, 1)): ("a1ec853b9845ccaccfe2a2f5f2508ff86bac386b58076f57938957de170a84da", 18677),
    ("attested", (3, 3, 1)): ("a09a94b97b68ba2faa149493da4ad1aa5d826e622d06f4055c01a36e4be53df4", 31131),
}


def _examples() -> list[str]:
    names = sorted(p.name.removesuffix(".policy.json") for p in EXAMPLES_DIR.glob("*.policy.json"))
    return [n for n in names if not n.startswith("history")]


def test_every_shipped_portfolio_example_is_pinned() -> None:
    assert sorted(POLICY_HASHES) == sorted(BOOKS) == _examples()


@pytest.mark.parametrize("name", sorted(POLICY_HASHES))
def test_policy_hash(name: str) -> None:
    assert policy_hash(load_policy(example(name)[2])) == POLICY_HASHES[name]


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_commitment_and_market_hash(name: str) -> None:
    cap, expected_commitment, expected_market = BOOKS[name]
    portfolio, market = load_portfolio(example(name)[0]), load_market(example(name)[1])
    assert commitment(portfolio, market, enc.Capacity(*cap)) == expected_commitment
    assert market_hash(market, enc.Capacity(*cap)) == expected_market


@pytest.mark.parametrize(("name", "cap"), sorted(CIRCUITS))
def test_circuit_id(name: str, cap: tuple[int, int, int]) -> None:
    statement = compile_statement(load_policy(example(name)[2]), *cap)
    assert (statement.circuit_id, statement.circuit.n_constraints) == CIRCUITS[(name, cap)]


if __name__ == "__main__":  # print today's values, for a deliberate re-pin
    for name in _examples():
        print(f'    "{name}": {policy_hash(load_policy(example(name)[2]))},')
    for name, (cap, _, _) in BOOKS.items():
        p, m = load_portfolio(example(name)[0]), load_market(example(name)[1])
        print(f'    "{name}": ({cap}, {commitment(p, m, enc.Capacity(*cap))},\n'
              f'             {market_hash(m, enc.Capacity(*cap))}),')
    for name, cap in CIRCUITS:
        st = compile_statement(load_policy(example(name)[2]), *cap)
        print(f'    ("{name}", {cap}): ("{st.circuit_id}", {st.circuit.n_constraints}),')
