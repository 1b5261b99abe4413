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
    "dao-treasury": 6171804196841734209182145126546556190161443586160992527138153824854858985878,
    "demo": 20337861911600144070578636519591381695067317789117718678446557466465457061255,
    "fund": 20788683788451205800118646000288135398624315043939558324156340148195215704506,
    "range": 779846880746856812266940561627681120090329605625395095658568581936158408274,
    "rates": 294372496368937019719541254830979646566334659497299726845877062397114750660,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "demo": ((8, 8, 1), 2764045623834125284740682353921090340282185982919621213489009015330564209130,
             20187351017905374698099683511901939474519224416749540307824569844975852255991),
    "dao-treasury": ((8, 8, 2), 6426214296387485885427083441245136803902446840734109253633635954036045957135,
             523122740117990503914518435643452861499664359840589699745745717572106815447),
    "fund": ((32, 16, 3), 7399836090931423946527431463446195206644353990295359004632088451742137303391,
             11645365996878064677238151664408445388604476910738609336956661350820250376267),
    "range": ((3, 3, 1), 4048656415030897168660931212166556441945732228082227858151960401966464539627,
             8778780141609594493822995361620881763579856251006876585738398017352994729537),
    "rates": ((3, 2, 1), 18222193506456652306780263331560841344307632571638450490842686207808767947231,
             14399667800159314492886448639150208754302404441333276062775869446801159989219),
}

# (example policy, capacity) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1)): ("4c685564e08939b6bf3437912231168c4959b2c543e736d3f5e7bb72c928d4f5", 95898),
    ("demo", (4, 4, 1)): ("68bfb7c729ee8aa47b64f0cc96bf5e0102adbbb8d53161bb283d7d380d21ea05", 49838),
    ("dao-treasury", (8, 8, 2)): ("46e04fc3f950f47fc10701a57a5629c04b3986281916e381afdf6e705eeee45e", 122207),
    ("dao-treasury", (2, 3, 1)): ("190c4114dcd81d88ba5fde135ae1e0fdeb9e3be6123463a727eb9626f042ebca", 38098),
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
