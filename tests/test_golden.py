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
    "attested": 21116610249610574068848192182912091856011920592617001534973153187476001678293,
    "basis": 13565080614566856746024918834062779631606444408178964661761432005826532477574,
    "crosschain": 16742988202223255457659178783225095314338561482184304413657047857372899467667,
    "dao-treasury": 7533765330527519260883501705673714206789277404234278240039427905250619387478,
    "demo": 18032053780592373662720297222824561988428991327967700791393036715325456955754,
    "fund": 12700824760770907580447109383929945884515561035184290371030580495864444149849,
    "range": 21474398956746383917980995179992534789055022352910237332097759645291901327966,
    "rates": 466834426018337093932607963397610584835142150586590505831905383480009983433,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "attested": ((3, 3, 1), 14420989659034037521507747229762415706878352158753695836281223515513947231156,
             10561427454999262769084968811532042087665050837157004207441243212614159975775),
    "demo": ((8, 8, 1), 5159413884624179099256775207042774871370151135708686054981346922759830696835,
             2449942188189447877039441361439521784483253148594144302027220104336322300519),
    "dao-treasury": ((8, 8, 2), 8678231819095790691508659309821846025517489503667012322303940887696017945090,
             15463505977239107646666306508148886547692441504673262557048473405089191861498),
    "fund": ((32, 16, 3), 12558478900606536046205384372820742118194193011963294160386875076322431136553,
             7711477491304879824311071753665017812824657398891953723774486988356139918522),
    "basis": ((3, 2, 2), 10114543976302427214062500003791959702422461632878445677399230396171756869402,
             19680722446475610578980246422954484492254019178400129727978541128098827968416),
    "crosschain": ((5, 5, 1), 5581754861757317855137774891039603976756774330617132415505894230082307589680,
             12218740774795488335636775486873449714426868471027956825764340646236904680838),
    "range": ((3, 3, 1), 21037280417559586227525606010791633392850296813018083349535566614150655630554,
             10410959975794368760588884045860958316187307775104172492187482141643926667774),
    "rates": ((3, 2, 1), 8876377883780459145296386253327358857743840503926016022051792377468962306956,
             17213764794184273389420913450444832993697363084621157469949229133050173833789),
}

# (example policy, capacity N, M, S, range slots R) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1, 0)): ("d16860d59758a63837decd94bfa2b41a5c9037914b02e9c310942f3bd9fc8126", 33966),
    # every slot a range slot: the circuit before range slots existed (the id an old build folder holds)
    ("demo", (8, 8, 1, 8)): ("3f1c2569575b411cf23834761dbb051dea8c24194308ca0f1fab87887f13be42", 103302),
    ("demo", (4, 4, 1, 0)): ("d083aed5502b2f9736690016a11b5388a6ffebd8fe54a2079220ea8db1bf9f91", 19021),
    ("dao-treasury", (8, 8, 2, 0)): ("49d4239e937c82cf7262ea872df96b6e94be46de024993d937191454611edaaa", 60505),
    ("dao-treasury", (2, 3, 1, 0)): ("76292a088e83fca7cb015d7f3f700e287a2a3e8ae152789f311d6d28c1f899be", 23241),
    ("basis", (3, 2, 2, 0)): ("29189e4f470fc2f3b8a490ff090905d18b2180ca86399441319c8c4362947278", 21669),
    ("crosschain", (5, 5, 1, 0)): ("a4158a42b896308c5bcc34999ff972ea9a1834ebba26c0c6ac6cd3bd00ab09c4", 44369),
    ("attested", (3, 3, 1, 0)): ("d2332aa733409c6fb5c810b07a1dac8e20cce5c462c310f6e5ae310953e198f8", 41592),
    ("range", (3, 3, 1, 2)): ("2a61cbcff8f0f7db2f373032955d3fc4e59980b5edfdd731be0f3b7bfc95baac", 31687),
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
def test_circuit_id(name: str, cap: tuple[int, int, int, int]) -> None:
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
