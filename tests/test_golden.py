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
    "attested": 7176614636692355534176307370317686651163650302715184662976704047183581726430,
    "basis": 21532596856475820288546858605731219389230507559488169452580127434146538167283,
    "crosschain": 19173566659800405247065625917061003010020417530482226066080658565412924866898,
    "dao-treasury": 5945632229186068192738429108627376453500779821395193517242033098771673925338,
    "demo": 13627778734387859684709917588630688456294599070015276597360783240073430949201,
    "fund": 7028180041787399450010021337133499538646258311587479493285408953742632908769,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "attested": ((3, 3, 1), 11823682545197604417247538176094523541827443252184705566506918278438600825228,
             12579813189350619025475207495578655630647087613588242826007964944438384572800),
    "demo": ((8, 8, 1), 2418819451300312808792790249698110127854992212755287369227973128063650017088,
             5170876062427174493425598418874748707493796927477825491712794834999511048339),
    "dao-treasury": ((8, 8, 2), 10762358808631619093536846885920234358522069907982614417271957330985728598904,
             13850786993487995789086888763675243990837113734260958094413837972534465671474),
    "fund": ((32, 16, 3), 3494103791450173170482074784343503657341434305646843580587435738947999378983,
             17857623548075863973312796045732680902626882574868563326236937978639750075578),
    "basis": ((3, 2, 2), 20878170672086050623268823010650080455865618650720703712194936392776176687185,
             18918581824178736159836273794469986031357213100617235423608505313810810534642),
    "crosschain": ((5, 5, 1), 14057374186223592959954555336810355669059189003766385627199485562781042319815,
             317983468276629076491805046222298294929302975842833448059780814138919426234),
}

# (example policy, capacity) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1)): ("6d3339bf6d6386bdc25afcfd08631dc3f512c80009138a9df6f15ea0721ed4a3", 26986),
    ("demo", (4, 4, 1)): ("d21254304a7aeaf0821711934cb77a79ca22e3a48cb845ba477fbf94e98d5bd5", 15430),
    ("dao-treasury", (8, 8, 2)): ("ec660011f322919f8a53215b6f5bfee30deac58d7c42a18329652aa44c8c8fc0", 53519),
    ("dao-treasury", (2, 3, 1)): ("6ae47c853b577408e586210b4ec7a9c753c466b87fdbeba8fbe4a97b63f13e3a", 20843),
    ("basis", (3, 2, 2)): ("e483cc5d34c7904474f72cc5d5bef0971c7ee2d6d4667d8e995d03e3bbcbc0a6", 19659),
    ("crosschain", (5, 5, 1)): ("b26c4e8718cac878761069d9d739c46b2a82468f9b7e786a38f0b809428d2034", 39747),
    ("attested", (3, 3, 1)): ("39b417b3c06577a4a1da2160c61e2359faeed5488f3612d465baeb036432973b", 34809),
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
