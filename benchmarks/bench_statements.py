"""Portfolio statements: constraints per clause and per capacity, and Groth16 times at N = 8, 32, 128.

    python3 benchmarks/bench_statements.py                   # constraint counts per clause, N = 8, 32, 128
    python3 benchmarks/bench_statements.py --prove 8 32      # also setup / prove / verify at those N

Capacity is N positions over the fund example's market (M = 16 assets, S = 3 stress scenarios).
Per-clause figures are the constraints of a one-clause statement minus the shared part (slots, sums and
the three hashes), so they add up to the all-clause circuit. Proving uses the fund's positions repeated
(or cut) to N under an all-clause policy with always-true thresholds: thresholds do not change the
circuit, so the figures are those of the largest statement at each N. Prints one JSON object per N.
"""

from __future__ import annotations

import argparse
import copy
import json
import time

from zkyield import api
from zkyield.circuits.binding import range_slots
from zkyield.circuits.evaluate import CLAUSES
from zkyield.circuits.models import example, load_market, load_policy, load_portfolio, protocol_tree
from zkyield.circuits.statements import build

ALWAYS_TRUE = {
    "min_return_bps": -9_999, "min_apr_bps": -999_999, "min_real_yield_bps": 0, "max_position_bps": 10_000,
    "max_leverage_bps": 1_000_000, "min_health_factor_bps": 0, "max_impermanent_loss_bps": 10_000,
    "max_stress_loss_bps": 10_000, "min_liquid_bps": 0, "max_net_delta_bps": 1_000_000,
    "max_protocol_bps": 1_000_000, "max_chain_bps": 1_000_000, "max_bridged_bps": 1_000_000, "home_chain": 1,
    "min_in_range_bps": 0, "max_rate_model_deviation_bps": 10_000,  # counts only: the fund has no rate models
}
BRIDGES = ["stargate"]
# a clause the loader only takes with another (its part is the pair's size minus the other's)
WITH = {"max_protocol_bps": "allowed_protocols_root"}
# attestation clauses need key sets and a signature count: their costs are in docs/attestation.md
COUNTED = [k for k in CLAUSES.keys if k not in ("attested_by", "prices_attested_by")]
ASSETS, SCENARIOS = 16, 3


def _documents(n: int) -> tuple[dict, dict, dict]:
    portfolio, market, policy = (json.loads(p.read_text()) for p in example("fund"))
    positions = portfolio["positions"]
    portfolio["positions"] = [copy.deepcopy(positions[i % len(positions)]) for i in range(n)]
    everything = {**ALWAYS_TRUE, "allowed_protocols": policy["allowed_protocols"],
                  "allowed_protocols_root": policy["allowed_protocols_root"], "allowed_bridges": BRIDGES,
                  "allowed_bridges_root": str(protocol_tree(BRIDGES).root)}
    return portfolio, market, everything


def _policy(clauses: list[str], base: dict) -> dict:
    clauses = [*clauses, *(WITH[k] for k in clauses if k in WITH)]
    doc = {k: v for k, v in base.items() if k in clauses or k == "home_chain"}
    for tree in ("allowed_protocols", "allowed_bridges"):
        if f"{tree}_root" in clauses:
            doc[tree] = base[tree]
    return doc


def counts(n: int) -> dict:
    p_doc, _, everything = _documents(n)
    ranges = range_slots(load_portfolio(p_doc))  # the book's v3 range positions (the fund has none)
    sizes = {}
    for clause in COUNTED:
        st = api.compile_statement(load_policy(_policy([clause], everything)), n, ASSETS, SCENARIOS, ranges)
        sizes[clause] = st.circuit.n_constraints
        del st
        build.cache_clear()  # statements.build keeps every shape it built: 17 circuits at N = 128 exceed 24 GB
    full = api.compile_statement(load_policy(_policy(COUNTED, everything)), n, ASSETS, SCENARIOS, ranges)
    paired = {k: sizes[k] - sizes[w] for k, w in WITH.items()}  # its part alone: the pair minus the other
    # shared = full - sum(clause-only parts), where clause part = one-clause size - shared
    alone = [k for k in sizes if k not in WITH]
    shared = (sum(sizes[k] for k in alone) - full.circuit.n_constraints + sum(paired.values())) // (len(alone) - 1)
    parts = {k: paired[k] if k in WITH else v - shared for k, v in sizes.items()}
    return {"positions": n, "assets": ASSETS, "scenarios": SCENARIOS, "ranges": ranges,
            "all_clauses": full.circuit.n_constraints, "shared": shared, "per_clause": parts}


def prove_times(n: int) -> dict:
    p_doc, m_doc, q_doc = _documents(n)
    portfolio, market = load_portfolio(p_doc), load_market(m_doc)
    # the fund's market has no rate models, which max_rate_model_deviation_bps needs to evaluate
    policy = load_policy(_policy([k for k in COUNTED if k != "max_rate_model_deviation_bps"], q_doc))
    out: dict = {"positions": n}
    t = time.perf_counter()
    statement = api.compile_statement(policy, n, ASSETS, SCENARIOS, range_slots(portfolio))
    out["compile_s"] = round(time.perf_counter() - t, 2)
    out["constraints"] = statement.circuit.n_constraints
    t = time.perf_counter()
    keys = api.setup(statement)
    out["setup_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    attestation = api.prove(portfolio, market, policy, keys)
    out["prove_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    out["valid"] = api.verify(attestation, keys.verification_key, policy, market)
    out["verify_s"] = round(time.perf_counter() - t, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[8, 32, 128], help="capacities N to count")
    parser.add_argument("--prove", type=int, nargs="*", default=[], help="capacities N to also prove")
    args = parser.parse_args()
    for n in args.sizes:
        print(json.dumps(counts(n)), flush=True)
    for n in args.prove:
        print(json.dumps(prove_times(n)), flush=True)


if __name__ == "__main__":
    main()
