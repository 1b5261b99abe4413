"""The yield and risk statement circuit: one per policy shape (which clauses) and capacity (N, M, S).

Public inputs are exactly ``publics.PUBLIC_SIGNALS``. Market data and policy thresholds enter as private
inputs and are hashed in circuit to ``market_hash`` / ``policy_hash``, which the verifier recomputes from
the public files, so every market and policy number is pinned to a loader-validated value (that is why
they need no range checks here). Portfolio values are private and bound by ``commitment``; each amount is
range-checked to its declared width, so every clause below is the evaluator's ``Inequality`` computed
on integers that cannot wrap modulo r, compared with a self-range-checking gadget.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from zkyield.circuits import encoding as enc
from zkyield.circuits.evaluate import CHECKS
from zkyield.circuits.publics import (
    ASSET_FIELDS,
    FLOW_FIELDS,
    MARKET_HEADER,
    POSITION_FIELDS,
    PUBLIC_SIGNALS,
    clause_mask,
    domain_tag,
)
from zkyield.dsl import Circuit, CompiledCircuit, Value
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.commit import commit_gadget, poseidon_many_gadget
from zkyield.gadgets.compare import assert_less_eq, less_eq, less_than
from zkyield.gadgets.merkle import merkle_inclusion

BPS = enc.BPS
N_KINDS = len(enc.KINDS)
SPOT, LP, STAKING, LENDING, BORROW = range(N_KINDS)
PRIVATE_AMOUNTS = ("protocol", "start", "end", "fee", "emission", "unlock")  # zero in unused slots


@dataclass(frozen=True)
class Shape:
    """What fixes a circuit: the stated clauses (keys of ``CHECKS``) and the capacity."""

    clauses: frozenset[str]
    capacity: enc.Capacity

    def __post_init__(self) -> None:
        unknown = set(self.clauses) - set(CHECKS)
        if unknown or not self.clauses:
            raise ValueError(f"shape clauses must be a non-empty subset of {list(CHECKS)}")

    @property
    def label(self) -> str:
        cap = self.capacity
        return f"mask{clause_mask(self.clauses)}_n{cap.positions}_m{cap.assets}_s{cap.scenarios}"


def _rows(values: list[Value], width: int) -> list[list[Value]]:
    return [values[i : i + width] for i in range(0, len(values), width)]


class _Builder:
    """Emits one statement circuit; the sums mirror ``evaluate._Sums`` term for term."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.n, self.m, self.s = shape.capacity.positions, shape.capacity.assets, shape.capacity.scenarios
        self.c = c = Circuit("statement")
        self.pub = {name: c.public_input(name) for name in PUBLIC_SIGNALS}
        self.salt = c.private_input("salt")
        self.active = c.private_input("pos_active", self.n)
        self.sel = _rows(c.private_input("pos_asset", self.n * self.m), self.m)
        self.kind = _rows(c.private_input("pos_kind", self.n * N_KINDS), N_KINDS)
        self.pos = {f: c.private_input(f"pos_{f}", self.n) for f in PRIVATE_AMOUNTS}
        self.deposits = c.private_input("deposits", self.m)
        self.withdrawals = c.private_input("withdrawals", self.m)
        self.assets = _rows(c.private_input("market_assets", self.m * len(ASSET_FIELDS)), len(ASSET_FIELDS))
        self.price_decimals = c.private_input("market_price_decimals")
        self.has_deadline = c.private_input("market_has_deadline")
        self.deadline = c.private_input("market_deadline")
        scenarios = _rows(c.private_input("market_scenarios", self.s * (1 + self.m)), 1 + self.m)
        self.scenario_listed = [row[0] for row in scenarios]
        self.factors = [row[1:] for row in scenarios]
        # what each asset slot is (encoding.asset_id): linear in the hashed market row, so free
        self.asset_ids = [sym * (1 << enc.DECIMALS_BITS) + dec
                          for sym, dec in zip(self.column("symbol"), self.column("decimals"), strict=True)]
        self.policy = c.private_input("policy", len(CHECKS))  # encoded thresholds, then the protocol root

    def column(self, field: str) -> list[Value]:
        i = ASSET_FIELDS.index(field)
        return [row[i] for row in self.assets]

    def select(self, j: int, column: list[Value]) -> Value:
        """The selected asset's entry of a per-asset column: sum of one-hot selector x entry."""
        return self.c.sum(self.c.mul(s, x) for s, x in zip(self.sel[j], column, strict=True))

    def at_least(self, label: str, lhs: Value, rhs: Value | int, bits: int) -> None:
        with self.c.scope(label):
            assert_less_eq(self.c, rhs, lhs, bits)

    def threshold(self, key: str) -> Value:
        return self.policy[list(CHECKS).index(key)]

    # -- structure: hashes, commitment, well-formed slots ------------------------------------------

    def bind_public_data(self) -> None:
        """The three hashes of ``publics`` (layout ``LAYOUT_VERSION``), each headed by its domain tag."""
        c, pub, cap = self.c, self.pub, self.shape.capacity
        with c.scope("owner"):  # an address, as the loader and the registry read it; never a wider number
            range_check(c, pub["owner"], enc.ADDRESS_BITS)
        with c.scope("policy_hash"):
            values = [domain_tag("policy"), clause_mask(self.shape.clauses), *self.policy]
            c.assert_equal(poseidon_many_gadget(c, values), pub["policy_hash"])
        with c.scope("market_hash"):
            header = [pub["period_start"], pub["period_end"], self.price_decimals, self.has_deadline, self.deadline]
            assert len(header) == len(MARKET_HEADER)
            flat = [x for row in self.assets for x in row]
            flat += [x for listed, row in zip(self.scenario_listed, self.factors, strict=True) for x in (listed, *row)]
            c.assert_equal(poseidon_many_gadget(c, [domain_tag("market", cap), *header, *flat]), pub["market_hash"])
        with c.scope("commitment"):
            slots = []
            for j in range(self.n):
                with c.scope(f"asset_id[{j}]"):
                    asset = self.select(j, self.asset_ids)  # the selected row's id: what the slot holds
                kind = c.sum(k * s for k, s in enumerate(self.kind[j]))
                slots += [self.active[j], asset, kind, *(self.pos[f][j] for f in PRIVATE_AMOUNTS)]
            flows = [x for row in zip(self.asset_ids, self.deposits, self.withdrawals, strict=True) for x in row]
            assert len(slots) == self.n * len(POSITION_FIELDS) and len(flows) == self.m * len(FLOW_FIELDS)
            head = [domain_tag("commitment", cap), pub["owner"], pub["period_start"], pub["period_end"]]
            c.assert_equal(commit_gadget(c, head + slots + flows, self.salt), pub["commitment"])

    def well_formed(self) -> None:
        """Every rule the loaders enforce on a book, whatever the policy states (docs/statements.md).

        Active slots first and at least one; one-hot asset (a listed one) and kind; unused slots
        entirely zero; an active slot's protocol id nonzero (0 is the empty whitelist leaf); a borrow
        carries no fee income; a slot is ``lp`` exactly when its asset is a pool's LP token.
        """
        c, listed, is_pool = self.c, self.column("listed"), self.column("is_pool")
        c.assert_equal(self.active[0], 1, "nonempty")
        for j in range(self.n):
            with c.scope(f"slot[{j}]"):
                c.assert_bool(self.active[j], "active")
                if j:
                    c.assert_product(self.active[j], 1 - self.active[j - 1], 0, "prefix")
                for row in (self.sel[j], self.kind[j]):
                    for bit in row:
                        c.assert_bool(bit, "bit")
                    c.assert_equal(c.sum(row), self.active[j], "one_hot")
                for bit, is_listed in zip(self.sel[j], listed, strict=True):
                    c.assert_product(bit, 1 - is_listed, 0, "listed")
                for f in PRIVATE_AMOUNTS:
                    c.assert_product(self.pos[f][j], 1 - self.active[j], 0, f"unused_{f}")
                protocol = self.pos["protocol"][j]
                inverse = c.hint("inverse_or_zero", protocol, name="protocol_inverse")
                c.assert_product(protocol, inverse, self.active[j], "protocol_nonzero")
                c.assert_product(self.kind[j][BORROW], self.pos["fee"][j], 0, "borrow_fee")
                c.assert_equal(self.select(j, is_pool), self.kind[j][LP], "lp_iff_pool")
        for a in range(self.m):
            for flows in (self.deposits, self.withdrawals):
                c.assert_product(flows[a], 1 - listed[a], 0, f"flow_listed[{a}]")

    # -- sums ----------------------------------------------------------------------------------------

    def sums(self) -> None:
        c = self.c
        clauses = self.shape.clauses
        for j in range(self.n):
            with c.scope(f"range[{j}]"):
                for f in ("start", "end") + (("fee", "emission") if "min_real_yield_bps" in clauses else ()):
                    range_check(c, self.pos[f][j], enc.NORM_AMOUNT_BITS)
        p0, p1 = self.column("price_start"), self.column("price_end")
        with c.scope("values"):
            self.p1_sel = [self.select(j, p1) for j in range(self.n)]
            v0 = [c.mul(self.pos["start"][j], self.select(j, p0)) for j in range(self.n)]
            self.v1 = [c.mul(self.pos["end"][j], self.p1_sel[j]) for j in range(self.n)]
            debt0 = [c.mul(self.kind[j][BORROW], v0[j]) for j in range(self.n)]
            self.debt1 = [c.mul(self.kind[j][BORROW], self.v1[j]) for j in range(self.n)]
            self.asset1 = [v - d for v, d in zip(self.v1, self.debt1, strict=True)]
            self.a0 = c.sum(v - d for v, d in zip(v0, debt0, strict=True))
            self.b0, self.a1, self.b1 = c.sum(debt0), c.sum(self.asset1), c.sum(self.debt1)
        if clauses & {"max_leverage_bps", "min_health_factor_bps"}:
            with c.scope("collateral"):
                self.lent = [c.mul(self.kind[j][LENDING], self.v1[j]) for j in range(self.n)]
        if clauses & {"min_return_bps", "min_apr_bps"}:
            with c.scope("flows"):
                for flows in (self.deposits, self.withdrawals):
                    for x in flows:
                        range_check(c, x, enc.NORM_AMOUNT_BITS)
                self.d = c.sum(c.mul(x, p) for x, p in zip(self.deposits, p0, strict=True))
                self.w = c.sum(c.mul(x, p) for x, p in zip(self.withdrawals, p1, strict=True))
                self.at_least("base_positive", self.a0 + self.d, self.b0 + 1, enc.POSITIVE_BITS)

    # -- clauses (docs/statements.md) ------------------------------------------------------------------

    def min_return(self, u: Value) -> None:  # u = t + 10000
        c = self.c
        lhs = BPS * (self.a1 + self.w) + c.mul(u, self.b0)
        self.at_least("return", lhs, c.mul(u, self.a0 + self.d) + BPS * self.b1, enc.RETURN_BITS)

    def min_apr(self, o: Value) -> None:  # o = t + BPS_MAX
        c, k = self.c, BPS * enc.YEAR_SECONDS
        span = self.pub["period_end"] - self.pub["period_start"]
        o_span, capital = c.mul(o, span), self.a0 + self.d
        lhs = k * (self.a1 + self.w) + k * self.b0 + c.mul(enc.BPS_MAX * span, capital) + c.mul(o_span, self.b0)
        rhs = k * self.b1 + k * capital + c.mul(enc.BPS_MAX * span, self.b0) + c.mul(o_span, capital)
        self.at_least("apr", lhs, rhs, enc.APR_BITS)

    def min_real_yield(self, t: Value) -> None:
        c = self.c
        fees = c.sum(c.mul(self.pos["fee"][j], self.p1_sel[j]) for j in range(self.n))
        emissions = c.sum(c.mul(self.pos["emission"][j], self.p1_sel[j]) for j in range(self.n))
        self.at_least("income_positive", fees + emissions, 1, enc.POSITIVE_BITS)
        self.at_least("real_yield", BPS * fees, c.mul(t, fees + emissions), enc.RATIO_BITS)

    def max_position(self, t: Value) -> None:
        """Per asset slot: the end value of every non-borrow position in that asset, summed."""
        c = self.c
        limit = c.mul(t, self.a1)
        for a in range(self.m):
            with c.scope(f"asset[{a}]"):
                held = c.sum(c.mul(self.sel[j][a], self.asset1[j]) for j in range(self.n))
            self.at_least(f"asset[{a}]", limit, BPS * held, enc.RATIO_BITS)

    def max_leverage(self, t: Value) -> None:
        self.at_least("leverage", self.c.mul(t, self.c.sum(self.lent)), BPS * self.b1, enc.RATIO_BITS)

    def min_health_factor(self, t: Value) -> None:
        c, lt = self.c, self.column("lt")
        weighted = c.sum(c.mul(self.lent[j], self.select(j, lt)) for j in range(self.n))
        self.at_least("health_factor", weighted, c.mul(t, self.b1), enc.RATIO_BITS)

    def max_impermanent_loss(self, m: Value) -> None:
        """Per pool asset (IL depends on public data only), enforced where some position holds it."""
        c = self.c
        keep = c.mul(BPS - m, BPS - m)
        ends, starts = self.column("ratio_end"), self.column("ratio_start")
        for a in range(self.m):
            with c.scope(f"pool[{a}]"):
                n, d = ends[a], starts[a]
                exceeds = less_than(c, 4 * BPS * BPS * c.mul(n, d), c.mul(keep, c.mul(n + d, n + d)), enc.IL_BITS)
                held = c.sum(self.sel[j][a] for j in range(self.n))
                c.assert_product(held, exceeds, 0, "held_within_bound")

    def max_stress_loss(self, t: Value) -> None:
        c, keep = self.c, BPS - t
        c.assert_equal(self.scenario_listed[0], 1, "has_scenario")  # else every slot is unshocked: no test
        self.at_least("end_value_positive", self.a1, self.b1 + 1, enc.POSITIVE_BITS)
        for s in range(self.s):
            with c.scope(f"scenario[{s}]"):
                f = [self.select(j, self.factors[s]) for j in range(self.n)]
                shocked_a = c.sum(c.mul(self.asset1[j], f[j]) for j in range(self.n))
                shocked_b = c.sum(c.mul(self.debt1[j], f[j]) for j in range(self.n))
                lhs, rhs = shocked_a + c.mul(keep, self.b1), c.mul(keep, self.a1) + shocked_b
                self.at_least("loss", lhs, rhs, enc.STRESS_BITS)

    def min_liquid(self, t: Value) -> None:
        c = self.c
        c.assert_equal(self.has_deadline, 1, "has_deadline")  # else deadline 0 would read as a date
        with c.scope("unlocked"):
            liquid = c.sum(c.mul(less_eq(c, self.pos["unlock"][j], self.deadline, enc.TIME_BITS), self.asset1[j])
                           for j in range(self.n))
        self.at_least("liquid", BPS * liquid, c.mul(t, self.a1), enc.RATIO_BITS)

    def allowed_protocols(self, root: Value) -> None:
        c, depth = self.c, enc.PROTOCOL_TREE_DEPTH
        siblings = _rows(c.private_input("protocol_siblings", self.n * depth), depth)
        path = _rows(c.private_input("protocol_path", self.n * depth), depth)
        for j in range(self.n):
            with c.scope(f"protocol[{j}]"):
                computed = merkle_inclusion(c, self.pos["protocol"][j], siblings[j], path[j], depth)
                c.assert_product(self.active[j], computed - root, 0, "root")


_CLAUSES = {"min_return_bps": _Builder.min_return, "min_apr_bps": _Builder.min_apr,
            "min_real_yield_bps": _Builder.min_real_yield, "max_position_bps": _Builder.max_position,
            "max_leverage_bps": _Builder.max_leverage, "min_health_factor_bps": _Builder.min_health_factor,
            "max_impermanent_loss_bps": _Builder.max_impermanent_loss,
            "max_stress_loss_bps": _Builder.max_stress_loss, "min_liquid_bps": _Builder.min_liquid,
            "allowed_protocols_root": _Builder.allowed_protocols}


@cache
def build(shape: Shape) -> CompiledCircuit:
    """The compiled statement circuit for ``shape`` (built once per process and shape)."""
    b = _Builder(shape)
    with b.c.scope("public_data"):
        b.bind_public_data()
    with b.c.scope("slots"):
        b.well_formed()
    b.sums()
    for key in CHECKS:
        if key in shape.clauses:
            with b.c.scope(key.removesuffix("_bps")):
                _CLAUSES[key](b, b.threshold(key))
    return b.c.compile()
