"""In circuit: k signatures by distinct members of a policy's attestor set over the book or the prices.

The clause table's ``attested_by`` / ``prices_attested_by`` constraint functions. The message is
recomputed from the very values the statement already binds: the book message from the commitment's
slot values (``Builder.commit_slots`` / ``commit_flows``), the price message from the market-hash rows,
so a prover cannot sign one book and prove about another. Per signature slot i (k of them, k fixed by
the compiled shape and equal to the hashed threshold):

- ``period_end <= as_of_i <= period_end + max_delay_s`` (two 40-bit range checks; both sides are
  below 2^41, so no wrap);
- ``M_i`` = the message at ``as_of_i``; ``eddsa_poseidon_verify(A_i, M_i, R8_i, S_i)``;
- ``Poseidon(A_i)`` is a leaf of the set's tree at index ``idx_i`` (Merkle path; bits boolean);
- ``idx_i > idx_{i-1}`` (``idx_i - idx_{i-1} - 1`` in ``[0, 2^depth)``): k distinct members;

and once ``Poseidon(root, k, max_delay_s)`` equals the clause's policy slot, which ``policy_hash``
binds. A key that proves membership is one the verifier's policy file lists, so the loader's subgroup
check on that file covers the gadget's unconstrained torsion part (docs/attestation.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zkyield.circuits import encoding as enc
from zkyield.circuits.attest_layout import BOOK_TAG, KEY_TREE_DEPTH, PRICES_TAG, SHOCK_FACTOR_BITS
from zkyield.gadgets.bits import range_check
from zkyield.gadgets.commit import poseidon_many_gadget
from zkyield.gadgets.eddsa import eddsa_poseidon_verify
from zkyield.gadgets.logic import is_zero
from zkyield.gadgets.merkle import merkle_inclusion
from zkyield.gadgets.poseidon import poseidon_gadget

if TYPE_CHECKING:
    from zkyield.circuits.statements import Builder
    from zkyield.dsl import Circuit, Value

# Per-signature private inputs (name suffix, width per signature); names are "<subject>_sig_<suffix>".
SIGNATURE_INPUTS = (("key", 2), ("r8", 2), ("s", 1), ("as_of", 1), ("siblings", KEY_TREE_DEPTH),
                    ("path", KEY_TREE_DEPTH))


def _keep(c: Circuit, keep: Value, h: Value, step: Value) -> Value:
    return h + c.mul(keep, step - h)


def book_chain(b: Builder) -> list[Value]:
    """``[n_positions, P, n_flows, F]`` from the commitment's own slot values (attest_message layout)."""
    c = b.c
    width = len(b.commit_slots) // b.n
    p = c.constant(0)
    for j in range(b.n):
        row = b.commit_slots[j * width:(j + 1) * width]  # [active, asset_id, kind, protocol, ..., unlock]
        p = _keep(c, row[0], p, poseidon_many_gadget(c, row[1:], iv=p))
    f, n_flows = c.constant(0), c.constant(0)
    for a in range(b.m):
        row = b.commit_flows[3 * a:3 * a + 3]  # [asset_id, deposit, withdrawal]
        # "some flow" as (d != 0) or (w != 0): no range check needed, unlike d + w != 0
        used = 1 - c.mul(is_zero(c, row[1]), is_zero(c, row[2]))
        n_flows = n_flows + used
        f = _keep(c, used, f, poseidon_gadget(c, [f, *row]))
    return [c.sum(b.active), p, n_flows, f]


def prices_chain(b: Builder) -> list[Value]:
    """``[n_assets, n_scenarios, A]`` from the market hash's rows; the shock packing is linear because
    an unlisted scenario slot's factor is 10000, which the market hash fixes."""
    c = b.c
    h = c.constant(0)
    for a, row in enumerate(b.assets):
        shocks = c.sum((b.factors[s][a] - enc.BPS + enc.BPS * b.scenario_listed[s]) * (1 << (SHOCK_FACTOR_BITS * s))
                       for s in range(b.s))
        h = _keep(c, row[0], h, poseidon_many_gadget(c, [*row[1:], shocks], iv=h))
    return [c.sum(row[0] for row in b.assets), c.sum(b.scenario_listed), h]


def _message(b: Builder, subject: str, chain: list[Value], as_of: Value) -> Value:
    pub = b.pub
    if subject == "book":
        return poseidon_gadget(b.c, [BOOK_TAG, pub["owner"], pub["period_start"], pub["period_end"], as_of, *chain])
    header = [pub["period_start"], pub["period_end"], b.price_decimals, b.has_deadline, b.deadline]
    return poseidon_gadget(b.c, [PRICES_TAG, *header, as_of, *chain])


def attested(b: Builder, subject: str, slot: Value) -> None:
    """k-of-n over ``subject``'s message; k = ``b.shape.signatures[subject]`` (see the module doc)."""
    c = b.c
    k = b.shape.signature_count(subject)
    root = c.private_input(f"{subject}_attest_root")
    delay = c.private_input(f"{subject}_attest_delay")
    c.assert_equal(poseidon_gadget(c, [root, k, delay]), slot, "set")
    with c.scope("message"):
        chain = book_chain(b) if subject == "book" else prices_chain(b)
    sig = {name: b.rows(c.private_input(f"{subject}_sig_{name}", k * w), w) for name, w in SIGNATURE_INPUTS}
    end, previous = b.pub["period_end"], None
    for i in range(k):
        with c.scope(f"signature[{i}]"):
            as_of = sig["as_of"][i][0]
            with c.scope("as_of"):
                range_check(c, as_of - end, enc.TIME_BITS)
                range_check(c, end + delay - as_of, enc.TIME_BITS)
            key = sig["key"][i]
            eddsa_poseidon_verify(c, key, _message(b, subject, chain, as_of), sig["r8"][i], sig["s"][i][0])
            with c.scope("member"):
                leaf = poseidon_gadget(c, [key[0], key[1]])
                computed = merkle_inclusion(c, leaf, sig["siblings"][i], sig["path"][i], KEY_TREE_DEPTH)
                c.assert_equal(computed, root, "root")
            index = c.sum(bit * (1 << d) for d, bit in enumerate(sig["path"][i]))
            if previous is not None:
                with c.scope("distinct"):
                    range_check(c, index - previous - 1, KEY_TREE_DEPTH)
            previous = index


def attested_book_circuit(b: Builder, slot: Value) -> None:
    attested(b, "book", slot)


def attested_prices_circuit(b: Builder, slot: Value) -> None:
    attested(b, "prices", slot)

