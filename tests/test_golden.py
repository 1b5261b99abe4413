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
    "dao-treasury": 3534257150475198865057952619972659583798330800202534028149301804357797901303,
    "demo": 3583301694265918930424085088274150325923985612805205490511206225394349223892,
    "fund": 1481868915416600243614516877608580788811171271964409341934788756463053497048,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "demo": ((8, 8, 1), 3170500337863854865740832833672537097787129876210065303115995908380915197651,
             5520058936125466916039322496240691674664217178494552055233961351409229002346),
    "dao-treasury": ((8, 8, 2), 11115950621538940827825428928178229205995340517204979382675471280635225850152,
             21198543409290456239641894747222897308396485851141491543633792060193610748389),
    "fund": ((32, 16, 3), 13893164380056786355855570138602369204106147305732401959623739548780507536021,
             13020545941522779187432161008400559337871433219757312101627082188391060226848),
}

# (example policy, capacity) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1)): ("429da005942bc2bbb365d74bebd56a0180d730e404c6db11cbc36b48f929bd55", 19552),
    ("demo", (4, 4, 1)): ("56e757591d99f789e46ad4c9e3945b943f5752181213bf389ac10e94c4db3348", 11710),
    ("dao-treasury", (8, 8, 2)): ("048f30deba41ccad85c626aca48cdfb659aa5405154013c2ff53eacdef22d781", 45633),
    ("dao-treasury", (2, 3, 1)): ("22ddac1a049ff4603376d3d38986ff6b274e454f7c93ae9a7376b46c104e39f0", 18647),
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
