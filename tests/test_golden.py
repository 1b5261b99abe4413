"""Golden values: the policy hashes, market hashes, commitments and circuit ids of the shipped examples.

They are what a verifier recomputes and what keys and on-chain registrations are tied to, so a change
to any of them must be deliberate: a commit that changes a layout re-pins the values here and says so
in its message. ``python -m tests.test_golden`` prints today's values in this file's format.
"""

from __future__ import annotations

import pytest

from zkyield.api import commitment
from zkyield.circuits import encoding as enc
from zkyield.circuits.models import EXAMPLES_DIR, example, load_market, load_policy, load_portfolio
from zkyield.circuits.publics import market_hash, policy_hash
from zkyield.statement import portfolio_statement

POLICY_HASHES = {
    "dao-treasury": 2841620066748024746212764347608546071715350299851569408526695510931731021648,
    "demo": 9430522464404450964824258917140789318020113874827466125357501052589879186512,
    "fund": 112317134649176847695281914760542983955017859132956905324173445588216938671,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "demo": ((8, 8, 1), 6293022853578814829852289930319970985681646640857207576965792349255902755679,
             13634304249284796700580603549847181456063068922972554433420266977598386550522),
    "dao-treasury": ((8, 8, 2), 6508488325852958674893963371250616301495583052856239433651666563187476862603,
                     21612133031670464734678355021259086441356702743900236981594446321065326434170),
    "fund": ((32, 16, 3), 7527287534889057241909287365226230311265755047747987286453669547579809443040,
             13903411774100332509349074565974995167757768234504415704059093508974134090870),
}

# (example policy, capacity) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1)): ("56b0e9705706047fe2d304bcccfb5965a55444b6741d7c3ce83ef0d82dff5c20", 18563),
    ("demo", (4, 4, 1)): ("3895af997898061551f71fc5a759d976b63233c1bbc4cf9b063213235f73578d", 10944),
    ("dao-treasury", (8, 8, 2)): ("0832b69f67965f6fd59e401b4724805edbad84a84677203471e6dafc8eff0c8f", 44770),
    ("dao-treasury", (2, 3, 1)): ("36a8c383c9fdeabdec856c0b423a7a1e57d745e3aac667013a7fe78d69dfc1c6", 17581),
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
    statement = portfolio_statement(load_policy(example(name)[2]), *cap)
    assert (statement.circuit_id, statement.circuit.n_constraints) == CIRCUITS[(name, cap)]


if __name__ == "__main__":  # print today's values, for a deliberate re-pin
    for name in _examples():
        print(f'    "{name}": {policy_hash(load_policy(example(name)[2]))},')
    for name, (cap, _, _) in BOOKS.items():
        p, m = load_portfolio(example(name)[0]), load_market(example(name)[1])
        print(f'    "{name}": ({cap}, {commitment(p, m, enc.Capacity(*cap))},\n'
              f'             {market_hash(m, enc.Capacity(*cap))}),')
    for name, cap in CIRCUITS:
        st = portfolio_statement(load_policy(example(name)[2]), *cap)
        print(f'    ("{name}", {cap}): ("{st.circuit_id}", {st.circuit.n_constraints}),')
