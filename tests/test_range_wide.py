"""gadgets.wide: floor(a b / d) beyond the field, honest against Python integers, and the field-only lies refused."""

from __future__ import annotations

import random

import pytest

from tests.support.dsl import R, assert_rejected, tamper
from zkyield.dsl import Circuit
from zkyield.gadgets.wide import floor_muldiv


def _circuit():
    c = Circuit("muldiv")
    a, b, d = c.private_input("a"), c.private_input("b"), c.private_input("d")
    q = floor_muldiv(c, (a, 224), (b, 160), (d, 160), 224)
    c.output("q", q)
    return c.compile(simplify=False)


CC = _circuit()


@pytest.mark.parametrize("seed", range(6))
def test_quotient_is_the_integer_floor(seed: int) -> None:
    rng = random.Random(seed)
    a, b = rng.getrandbits(224), rng.getrandbits(160)
    d = max(b, rng.getrandbits(160)) | 1  # q = floor(a b / d) <= a < 2^224
    w = CC.witness({"a": a, "b": b, "d": d})
    assert CC.public_signals(w) == [a * b // d] and a * b >= R  # the product is beyond the field


def _wires():
    names = CC.var_names  # the quotient hint became the output wire ``q``
    return names.index("q"), names.index("muldiv[1]")


def test_a_quotient_valid_only_modulo_r_is_refused() -> None:
    """q' = (a b - rem') / d in the field satisfies the field equation for any rem'; its limbs cannot."""
    a, b, d = (1 << 223) + 12345, (1 << 159) + 777, (1 << 158) + 99
    q_wire, rem_wire = _wires()
    rem = (a * b % d) + 1
    q = (a * b - rem) * pow(d, -1, R) % R
    w = tamper(CC, {"a": a, "b": b, "d": d}, {q_wire: q, rem_wire: rem})
    assert (q * d + rem - a * b) % R == 0  # the lie a field-only check would accept
    assert_rejected(CC, w, "wide")


def test_an_off_by_one_quotient_is_refused() -> None:
    a, b, d = (1 << 200) + 5, (1 << 150) + 3, (1 << 130) + 7  # q < 2^224, rem + d < 2^160
    q_wire, rem_wire = _wires()
    q, rem = divmod(a * b, d)
    CC.r1cs.check(tamper(CC, {"a": a, "b": b, "d": d}, {q_wire: q, rem_wire: rem}))  # the honest pair passes
    w = tamper(CC, {"a": a, "b": b, "d": d}, {q_wire: q + 1, rem_wire: (rem - d) % R})
    assert_rejected(CC, w, "wide")
    w = tamper(CC, {"a": a, "b": b, "d": d}, {q_wire: q - 1, rem_wire: rem + d})
    assert_rejected(CC, w, "remainder")
