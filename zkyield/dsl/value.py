"""Circuit values: linear combinations of variables that may carry a proven upper bound.

A ``Value`` is ``sum(coef * var)`` with variable 0 the constant one, so ``+``, ``-`` and scaling by a
constant only rewrite coefficients and cost no constraint; multiplying two non-constant values asks the
circuit for a new variable and one constraint. ``bound`` is an exclusive upper bound on the value's
canonical integer that *constraints already emitted* prove (range checks, booleanity); gadgets use it
to skip range checks that would be redundant, and nothing else may set it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, Union

from zkyield.field import R

LinearCombination = dict[int, int]
ONE = 0  # variable 0 is the constant 1 (wire 0 of the R1CS)

Operand = Union["Value", int]


class Builder(Protocol):
    """What a Value asks of the circuit that made it (``Circuit`` implements it; no import needed)."""

    def lift(self, x: Operand) -> Value: ...

    def mul(self, a: Operand, b: Operand, name: str | None = None) -> Value: ...

    def variable_bound(self, var: int) -> int | None: ...


class Value:
    """A linear combination of circuit variables; build them with a ``Circuit``, never directly."""

    __slots__ = ("_bound", "circuit", "lc")

    def __init__(self, circuit: Builder, lc: LinearCombination, bound: int | None = None) -> None:
        self.circuit = circuit
        self.lc = lc
        self._bound = bound

    # -- what constraints have proven about this value ---------------------------------------------

    @property
    def bound(self) -> int | None:
        """Exclusive upper bound on the canonical value that emitted constraints prove, or None."""
        const = self.constant
        if const is not None:
            return const + 1
        if self._bound is not None:
            return self._bound
        var = self.single_variable
        return None if var is None else self.circuit.variable_bound(var)

    @property
    def bits(self) -> int | None:
        """Proven bit width (value < 2^bits), or None when nothing bounds it."""
        b = self.bound
        return None if b is None else (b - 1).bit_length()

    @property
    def constant(self) -> int | None:
        """The value if it is a constant, else None."""
        if not self.lc:
            return 0
        if len(self.lc) == 1 and ONE in self.lc:
            return self.lc[ONE]
        return None

    @property
    def single_variable(self) -> int | None:
        """The variable id if this value is exactly one variable with coefficient 1."""
        if len(self.lc) == 1:
            ((var, coef),) = self.lc.items()
            if coef == 1 and var != ONE:
                return var
        return None

    # -- arithmetic (linear parts are free) ------------------------------------------------------

    def __add__(self, other: Operand) -> Value:
        o = self.circuit.lift(other)
        return Value(self.circuit, lc_add(self.lc, o.lc, 1), bound_sum([self.bound, o.bound]))

    __radd__ = __add__

    def __sub__(self, other: Operand) -> Value:
        o = self.circuit.lift(other)
        bound = self.bound if o.constant == 0 else None
        return Value(self.circuit, lc_add(self.lc, o.lc, R - 1), bound)

    def __rsub__(self, other: Operand) -> Value:
        return self.circuit.lift(other) - self

    def __neg__(self) -> Value:
        return Value(self.circuit, lc_scale(self.lc, R - 1))

    def __mul__(self, other: Operand) -> Value:
        if type(other) is int:  # scaling by a constant: free, and the commonest product by far
            k = other % R
            if not self.lc or not k:
                return Value(self.circuit, {})
            own = self.constant
            if own is not None:
                return Value(self.circuit, {ONE: own * k % R})
            return Value(self.circuit, lc_scale(self.lc, k), bound_product(self.bound, k + 1))
        return self.circuit.mul(self, other)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        raise TypeError("Value == Value is not a constraint: use circuit.assert_equal or gadgets.is_equal")

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError("a circuit Value has no truth value at build time: use gadgets.select/is_zero")

    def __repr__(self) -> str:
        return f"Value(terms={len(self.lc)}, bits={self.bits})"


def lc_add(a: LinearCombination, b: LinearCombination, factor: int) -> LinearCombination:
    """a + factor * b, dropping zero coefficients."""
    out = dict(a)
    lc_axpy(out, factor, b)
    return out


def lc_axpy(out: LinearCombination, k: int, lc: LinearCombination) -> None:
    """out += k * lc (mod r) in place, dropping zeros; new variables are appended in lc's order."""
    for var, coef in lc.items():
        v = (out.get(var, 0) + k * coef) % R
        if v:
            out[var] = v
        else:
            out.pop(var, None)


def lc_scale(a: LinearCombination, k: int) -> LinearCombination:
    k %= R
    if k == 0:
        return {}
    return {var: coef * k % R for var, coef in a.items()}


def bound_sum(bounds: Iterable[int | None]) -> int | None:
    """Bound of a sum of bounded values: sum of (b - 1) plus one, valid only if it never wraps mod r."""
    total = 1
    for b in bounds:
        if b is None:
            return None
        total += b - 1
    return total if total <= R else None


def bound_product(a: int | None, b: int | None) -> int | None:
    """Bound of a product of two bounded values, or None when the product could wrap mod r."""
    if a is None or b is None:
        return None
    total = (a - 1) * (b - 1) + 1
    return total if total <= R else None
