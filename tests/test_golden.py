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
    "attested": 9105839745174248877039359859070876286295379485249544451794212075156442879163,
    "basis": 12443267410267807648433455817611375561721793962566432676323352698264222555228,
    "carry": 17163165880512434447207506510297493727143778483602820181848635871071870775159,
    "crosschain": 9654787606096678621604711843590209567579584529645978157401502129684393589421,
    "dao-treasury": 14403557666143803918168435727021458523126752541778483517783398817759338862964,
    "demo": 11087503946899281288586144754879949659011948235927059641466511508132761143532,
    "fund": 21079987457379556244210835737573199827938606576931474969262507498356789510225,
    "range": 18101034590867492118755081833009345039867736081882989240368478124801166313653,
    "rates": 16230341207709249377343915003007882669933438043932128988371864101793510310062,
}

# example -> (capacity N, M, S), commitment (salt from the file), market hash
BOOKS = {
    "attested": ((3, 3, 1), 20043586471399282444054559837912463526376080131110310406136503195522063055589,
             5101414172656346131060810941233612611699621993994326007326552300215639390512),
    "demo": ((8, 8, 1), 598606143216358725379138900110917417862359444448205130068372302642251098652,
             17914088653843275032625809115211933833181469540571127035561609118227166372910),
    "dao-treasury": ((8, 8, 2), 19843409702751335710704925465427562260558270277161445765879020831953839620877,
             16114886361593589466492041518750007895764159769806009293496717152277847794689),
    "fund": ((32, 16, 3), 21361779241386788591266262333864588867478815710076086137416587767264605242245,
             6986833644686988744751498979688246068424790644131764351915240643708050775685),
    "basis": ((3, 2, 2), 17237935264446937390883327982952394732996221246378514030039848395490518884421,
             16671417983354712573991665756004685054510742384065445147507389433882511860640),
    "carry": ((3, 2, 2), 7919248471730749648787264568016169273914190051421881612078248093686856033829,
             16671417983354712573991665756004685054510742384065445147507389433882511860640),
    "crosschain": ((5, 5, 1), 8430114921595291762290220804553373325954639730982795458078256689291465764410,
             1338688770016156899012481256946810201375757965110110365910474299723261964729),
    "range": ((3, 3, 1), 12117904415265872780487802413179598305214695126086834501387142116600138797711,
             17505890064984847830967715372707556321964192473131470188703168561660299926810),
    "rates": ((3, 2, 1), 5685556003544321537971600594498990147445673976718906617297778203058659850906,
             19311101459232020013523049938619448734716069215780525800273068752914932419459),
}

# (example policy, capacity N, M, S, range slots R) -> (circuit id = R1CS digest, constraints)
CIRCUITS = {
    ("demo", (8, 8, 1, 0)): ("f90aab752b0fa510d7f0276e3c616fd69461fe222382aded6376b71d699668cd", 35184),
    # every slot a range slot: what a statement.json without capacity.ranges rebuilds
    ("demo", (8, 8, 1, 8)): ("4ef81cbba35081479877aa7e1ca9d75e4acee4b9de2f07ab9fad129bbb1abff6", 104520),
    ("demo", (4, 4, 1, 0)): ("b884233c6899323caaefe4ad3e300f651101490284f57705e987b39c8141c113", 19759),
    ("dao-treasury", (8, 8, 2, 0)): ("afdf8503701c2836b845bf36fa57b8019ba83061bde364c9789edeeef42e1d98", 61723),
    ("dao-treasury", (2, 3, 1, 0)): ("b7f9659185b5d5631fa049efc06c64ff8348ff56930b6920c76efd0cb7c6122b", 23721),
    ("basis", (3, 2, 2, 0)): ("5fbcbdc33aa8424303b4033698c292ee82e802a17913ddc5f32280fe78c769ff", 22287),
    ("crosschain", (5, 5, 1, 0)): ("1d751dc5b698cd051a5a6c6ac47cb3437e72eb51cdd87ff9b09baaf561d466a6", 45218),
    ("attested", (3, 3, 1, 0)): ("0990e5ba4345f851de7db5501397a3cb656c0dd6e21013cb6bd7e1b33d3debb1", 42150),
    ("range", (3, 3, 1, 2)): ("7b71932befd77e93c7cb822cdeace1108de6a5e814b2a4ec148fe9bec2399215", 32056),
    ("rates", (3, 2, 1, 0)): ("693667ba4cf82ba2d7de45022ee83530bc5740df4cf189f1e96cd881e48d35f5", 15705),
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
