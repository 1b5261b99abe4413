"""The yield and risk statement circuit: one per policy shape (which clauses) and capacity (N, M, S).

Public inputs are exactly ``publics.PUBLIC_SIGNALS``. Market data and policy thresholds enter as private
inputs and are hashed in circuit to ``market_hash`` / ``policy_hash``, which the verifier recomputes from
the public files, so every market and policy number is pinned to a loader-validated value (that is why
they need no range checks here). Portfolio values are private and bound by ``commitment``; each amount is
range-checked to its declared width, so every clause's constraint function (``portfolio_clauses``) is
the evaluator's ``Inequality`` computed on integers that cannot wrap modulo r, compared with a
self-range-checking gadget.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from zkyield.circuits import encoding as enc
from zkyield.circuits.lp_range import RANGE_FIELDS
from zkyield.circuits.portfolio_clauses import CLAUSES, COLLATERAL, FLOWS, HELD, INCOMES, NAV, RANGE
from zkyield.circuits.publics import (
    ASSET_FIELDS,
    FLOW_FIELDS,
    MARKET_HEADER,
    POSITION_FIELDS,
    PUBLIC_SIGNALS,
    clause_mask,
    domain_tag,
)
from zkyield.circuits.range_circuit import range_amounts, range_values
from zkyield.dsl import Circuit, CompiledCircuit, Value
from zkyield.gadgets.bits import range_check, to_bits
from zkyield.gadgets.commit import commit_gadget, poseidon_many_gadget
from zkyield.gadgets.compare import assert_less_eq, less_eq

BPS = enc.BPS
N_KINDS = len(enc.KINDS)
SPOT, LP, STAKING, LENDING, BORROW, PERP, FUTURE = range(N_KINDS)
# zero in unused slots; size, funding and principal_flow are signed, held as active x 2^112 + value
# (encoding.SIGNED_OFFSET)
PRIVATE_AMOUNTS = ("protocol", "start", "end", "fee", "emission", "unlock", "size", "entry", "funding", "chain",
                   "expiry", "principal_flow", "principal_seconds")
PRIVATE_AMOUNTS += RANGE_FIELDS  # a Uniswap v3 range slot's (range_circuit)


@dataclass(frozen=True)
class Shape:
    """What fixes a circuit: the stated clauses (keys of ``CLAUSES``) and the capacity."""

    clauses: frozenset[str]
    capacity: enc.Capacity
    signatures: tuple[int, int] = (0, 0)  # k of the book and of the price attestor sets (attest_circuit)

    def __post_init__(self) -> None:
        CLAUSES.ordered(self.clauses)  # ValueError unless a non-empty subset of the table

    def signature_count(self, subject: str) -> int:
        return self.signatures[("book", "prices").index(subject)]

    @property
    def label(self) -> str:
        cap = self.capacity
        sigs = "" if self.signatures == (0, 0) else f"_k{self.signatures[0]}_{self.signatures[1]}"
        ranges = "" if cap.ranges == cap.positions else f"_r{cap.ranges}"
        return f"mask{clause_mask(self.clauses)}_n{cap.positions}_m{cap.assets}_s{cap.scenarios}{ranges}{sigs}"


def _rows(values: list[Value], width: int) -> list[list[Value]]:
    return [values[i : i + width] for i in range(0, len(values), width)]


class Builder:
    """Emits one statement circuit: public data, well-formed slots and the shared sums (mirroring
    ``sums.Sums`` term for term) that the clause table's constraint functions draw on."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.n, self.m, self.s = shape.capacity.positions, shape.capacity.assets, shape.capacity.scenarios
        self.c = c = Circuit("statement")
        self.pub = {name: c.public_input(name) for name in PUBLIC_SIGNALS}
        self.salt = c.private_input("salt")
        self.active = c.private_input("pos_active", self.n)
        self.sel = _rows(c.private_input("pos_asset", self.n * self.m), self.m)
        self.kind = _rows(c.private_input("pos_kind", self.n * N_KINDS), N_KINDS)
        self.base = _rows(c.private_input("pos_base", self.n * self.m), self.m)  # a derivative's base, one-hot
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
        self.policy = c.private_input("policy", len(CLAUSES))  # one slot per clause (publics.policy_values)
        self.home_chain = c.private_input("policy_home_chain")  # hashed after the clause slots

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
        return self.policy[CLAUSES.index(key)]

    # -- structure: hashes, commitment, well-formed slots ------------------------------------------

    def bind_public_data(self) -> None:
        """The three hashes of ``publics`` (layout ``LAYOUT_VERSION``), each headed by its domain tag."""
        c, pub, cap = self.c, self.pub, self.shape.capacity
        with c.scope("owner"):  # an address, as the loader and the registry read it; never a wider number
            range_check(c, pub["owner"], enc.ADDRESS_BITS)
        with c.scope("policy_hash"):
            values = [domain_tag("policy"), clause_mask(self.shape.clauses), *self.policy, self.home_chain]
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
                    base = c.sum(c.mul(s, x) for s, x in zip(self.base[j], self.asset_ids, strict=True))
                kind = c.sum(k * s for k, s in enumerate(self.kind[j]))
                slots += [self.active[j], asset, kind, *(self.pos[f][j] for f in PRIVATE_AMOUNTS), base]
            flows = [x for row in zip(self.asset_ids, self.deposits, self.withdrawals, strict=True) for x in row]
            assert len(slots) == self.n * len(POSITION_FIELDS) and len(flows) == self.m * len(FLOW_FIELDS)
            self.commit_slots, self.commit_flows = slots, flows  # what an attested book message hashes
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
                c.assert_equal(self.pos["chain"][j], self.select(j, self.column("chain")), "chain")
                self._derivative_well_formed(j)
                rated = self.kind[j][LENDING] + self.kind[j][BORROW]
                c.assert_product(1 - rated, self.pos["principal_flow"][j] - enc.SIGNED_OFFSET * self.active[j], 0,
                                 "no_principal_flow")
                c.assert_product(1 - rated, self.pos["principal_seconds"][j], 0, "no_principal_seconds")
        for a in range(self.m):
            for flows in (self.deposits, self.withdrawals):
                c.assert_product(flows[a], 1 - listed[a], 0, f"flow_listed[{a}]")

    def _derivative_well_formed(self, j: int) -> None:
        """A perp or future names one listed non-pool base and carries no fee or emission income (funding is
        neither); only a perp has funding, only a future an expiry, after the period's end (it is still open,
        so marked at the end price); any other slot has no base, size or entry price (its signed fields hold
        ``active x 2^112``)."""
        c, perp, future, active = self.c, self.kind[j][PERP], self.kind[j][FUTURE], self.active[j]
        derivative = perp + future
        for bit, is_listed, is_pool in zip(self.base[j], self.column("listed"), self.column("is_pool"), strict=True):
            c.assert_bool(bit, "base_bit")
            c.assert_product(bit, 1 - is_listed + is_pool, 0, "base_listed")
        c.assert_equal(c.sum(self.base[j]), derivative, "base_one_hot")
        for f in ("fee", "emission"):
            c.assert_product(derivative, self.pos[f][j], 0, f"derivative_{f}")
        c.assert_product(1 - derivative, self.pos["size"][j] - enc.SIGNED_OFFSET * active, 0, "no_size")
        c.assert_product(1 - perp, self.pos["funding"][j] - enc.SIGNED_OFFSET * active, 0, "no_funding")
        c.assert_product(1 - derivative, self.pos["entry"][j], 0, "no_entry")
        c.assert_product(1 - future, self.pos["expiry"][j], 0, "no_expiry")
        with c.scope("expiry"):  # a future: expiry - period_end - 1 in [0, 2^40); every other slot: 0
            range_check(c, c.mul(future, self.pos["expiry"][j] - self.pub["period_end"] - 1), enc.TIME_BITS)

    def perps(self) -> None:
        """Each slot's long and short base amounts (from the offset size) and its PnL ``size x (price -
        entry)`` at the start and end prices as gain and loss, one of them 0 (``Bound.pnl``); all zero for
        every slot but a perp's or a future's."""
        c, p0, p1 = self.c, self.column("price_start"), self.column("price_end")
        self.long, self.short, self.p1_base, self.gain, self.loss = [], [], [], [[], []], [[], []]
        for j in range(self.n):
            with c.scope(f"perp[{j}]"):
                bits = to_bits(c, self.pos["size"][j], enc.SIGNED_BITS)  # bit 112: size >= 0
                entry = range_check(c, self.pos["entry"][j], enc.PRICE_BITS)
                positive = bits[-1]
                mag = c.mul(2 * positive - 1, self.pos["size"][j] - enc.SIGNED_OFFSET * self.active[j])  # <= 2^112
                long = c.mul(positive, mag)
                prices = [c.sum(c.mul(s, x) for s, x in zip(self.base[j], col, strict=True)) for col in (p0, p1)]
                for t, price in enumerate(prices):
                    up = less_eq(c, entry, price, enc.PRICE_BITS)
                    pnl = c.mul(mag, c.mul(2 * up - 1, price - entry))  # |size| x |price - entry|
                    gains = c.mul(positive, up) * 2 + 1 - positive - up  # long and up, or short and down
                    gain = c.mul(gains, pnl)
                    self.gain[t].append(gain)
                    self.loss[t].append(pnl - gain)
                self.long.append(long)
                self.short.append(mag - long)
                self.p1_base.append(prices[1])

    # -- sums ----------------------------------------------------------------------------------------

    def sums(self) -> None:
        """The values every clause uses, then the sums only some need (``Clause.needs``), each once."""
        c = self.c
        needs = set().union(*(CLAUSES[key].needs for key in self.shape.clauses))
        for j in range(self.n):
            with c.scope(f"range[{j}]"):
                for f in ("start", "end") + (("fee", "emission") if INCOMES in needs else ()):
                    range_check(c, self.pos[f][j], enc.NORM_AMOUNT_BITS)
        p0, p1 = self.column("price_start"), self.column("price_end")
        self.perps()
        with c.scope("values"):
            r0, r1 = range_values(self)
            self.p1_sel = [self.select(j, p1) for j in range(self.n)]
            v0 = [c.mul(self.pos["start"][j], self.select(j, p0)) + r0[j] for j in range(self.n)]
            self.v1 = [c.mul(self.pos["end"][j], self.p1_sel[j]) + r1[j] for j in range(self.n)]
            debt0 = [c.mul(self.kind[j][BORROW], v0[j]) for j in range(self.n)]
            self.borrow1 = [c.mul(self.kind[j][BORROW], self.v1[j]) for j in range(self.n)]
            # per slot: gross asset side (a derivative's margin plus its gain), debt side (a borrow, its loss)
            self.asset1 = [v - d + g for v, d, g in zip(self.v1, self.borrow1, self.gain[1], strict=True)]
            self.debt1 = [d + q for d, q in zip(self.borrow1, self.loss[1], strict=True)]
            self.a0 = c.sum(v - d + g for v, d, g in zip(v0, debt0, self.gain[0], strict=True))
            self.b0 = c.sum(d + q for d, q in zip(debt0, self.loss[0], strict=True))
            self.a1, self.b1 = c.sum(self.asset1), c.sum(self.debt1)
        if RANGE in needs:
            with c.scope("range"):
                range_amounts(self)
        if COLLATERAL in needs:
            with c.scope("collateral"):
                self.lent = [c.mul(self.kind[j][LENDING], self.v1[j]) for j in range(self.n)]
        if HELD in needs:
            with c.scope("held"):  # per asset slot: the gross end value of the slots in it
                self.held = [c.sum(c.mul(self.sel[j][a], self.asset1[j]) for j in range(self.n)) for a in range(self.m)]
        if NAV in needs:
            self.at_least("nav_positive", self.a1, self.b1 + 1, enc.POSITIVE_BITS)
        if FLOWS in needs:
            with c.scope("flows"):
                for flows in (self.deposits, self.withdrawals):
                    for x in flows:
                        range_check(c, x, enc.NORM_AMOUNT_BITS)
                self.d = c.sum(c.mul(x, p) for x, p in zip(self.deposits, p0, strict=True))
                self.w = c.sum(c.mul(x, p) for x, p in zip(self.withdrawals, p1, strict=True))
                self.at_least("base_positive", self.a0 + self.d, self.b0 + 1, enc.POSITIVE_BITS)

    @staticmethod
    def rows(values: list[Value], width: int) -> list[list[Value]]:
        """``values`` cut into rows of ``width`` (a private input laid out per slot)."""
        return _rows(values, width)




@cache
def build(shape: Shape) -> CompiledCircuit:
    """The compiled statement circuit for ``shape`` (built once per process and shape)."""
    b = Builder(shape)
    with b.c.scope("public_data"):
        b.bind_public_data()
    with b.c.scope("slots"):
        b.well_formed()
    b.sums()
    for clause in CLAUSES:
        if clause.key in shape.clauses:
            with b.c.scope(clause.key.removesuffix("_bps")):
                clause.constrain(b, b.threshold(clause.key))
    return b.c.compile()
