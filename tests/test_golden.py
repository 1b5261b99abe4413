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
    "basis": 5069593916286202794061253999414418592899575259143118809404048697093108885123,
    "crosschain": 11141610880063016970366201371390575454626397166195201486056595184275364779964,
    "dao-treasury": 17501868242632481340270917451490739135133846110874991756563818544908114648677,
    "demo": 21883614414360202809056473502655311938354389547901958955832248558638560666203,
    "fund": 1364315607185625304179968822013728284391213316573729079388657086994437413864,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
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
    ("demo", (8, 8, 1)): ("3277f99339d44a28e25819758867061b1fc2339b2311a0d96ac9aa5c20688a25", 26929),
    ("demo", (4, 4, 1)): ("40c8bdf2efe2defd1d24fcc3e20b46c3d6c13086e1f86511acb05a06ae1b7683", 15373),
    ("dao-treasury", (8, 8, 2)): ("10e3f659ec065a98c748297397ce9684eb691f4932537a562eaba9691ec6c406", 53462),
    ("dao-treasury", (2, 3, 1)): ("efe40073fc606dbae562fe77ecc42679a7a690b93dd86d24077cea0fd132002a", 20786),
    ("basis", (3, 2, 2)): ("0bbfb41b705c7082cd4c784316dcf1617e5fe269f450f267a0a057861aa0f8f0", 19602),
    ("crosschain", (5, 5, 1)): ("52f15adfb4863a36153a53c88a4a1f8aaba05ebb68f82aff062cd62c1ad66f03", 39690),
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
