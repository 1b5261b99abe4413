"""The circuit builder: named inputs, free linear algebra, one constraint per real multiplication.

Variables are numbered in creation order while a circuit is built; ``compile()`` renumbers them into
the R1CS wire layout (1, public outputs, public inputs, private inputs, internal wires), so inputs
and outputs may be declared in any order. Every constraint is labelled with the active scope path
(``concentration/pos[3]/less_than``) so a failing witness points at the code that emitted it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from zkyield._native import witness_lib
from zkyield.dsl import hints
from zkyield.dsl.block import Block, BlockLC
from zkyield.dsl.compiled import CompiledCircuit, Recorded
from zkyield.dsl.program import KIND_INT, KIND_ONE, KIND_OUT, KIND_PRV, KIND_PUB, OP_COPY, OP_HINT, OP_MUL
from zkyield.dsl.value import (
    ONE,
    LinearCombination,
    Operand,
    Value,
    bound_product,
    bound_sum,
    lc_add,
    lc_axpy,
    lc_scale,
)
from zkyield.field import R

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Scope names end up in labels ("/"-separated) and .sym lines (","-separated): keep both separators out.
_SCOPE = re.compile(r"[A-Za-z0-9_\[\]().:#+\-]+\Z")
_MINUS_ONE = R - 1  # one shared int for the -1 of every booleanity constraint (180,000 at N = 128)


@dataclass(frozen=True)
class Declared:
    """A named input or output while building: its variables in declaration order."""

    name: str
    kind: int
    variables: tuple[int, ...]
    is_array: bool


class Circuit:
    """Builds an R1CS and the program that computes its witness from named inputs."""

    def __init__(self, name: str = "main") -> None:
        if not _NAME.match(name):
            raise ValueError(f"circuit name {name!r}: use letters, digits and '_' (not starting with a digit)")
        self.name = name
        self._kinds: list[int] = [KIND_ONE]
        self._var_names: list[str] = ["one"]
        self._var_bound: dict[int, int] = {}
        self._constraints: list[tuple[LinearCombination, LinearCombination, LinearCombination]] = []
        self._labels: list[str] = []
        self._steps: list[tuple] = []
        self._signals: dict[str, Declared] = {}
        self._hint_vars: list[int] = []
        self._scope: list[str] = []
        self._scope_path = ""

    # -- declarations ------------------------------------------------------------------------------

    def public_input(self, name: str, length: int | None = None) -> Value | list[Value]:
        """A public input (scalar, or a fixed-length array when ``length`` is given)."""
        return self._declare(name, KIND_PUB, length)

    def private_input(self, name: str, length: int | None = None) -> Value | list[Value]:
        """A private input (scalar, or a fixed-length array when ``length`` is given)."""
        return self._declare(name, KIND_PRV, length)

    def output(self, name: str, value: Operand | Sequence[Operand]) -> None:
        """Expose a computed value (or array) as a public output; free if it is already a lone wire."""
        self._check_new_name(name)
        is_array = isinstance(value, (list, tuple))
        items = list(value) if is_array else [value]
        variables = []
        for i, item in enumerate(items):
            v = self.lift(item)
            label = f"{name}[{i}]" if is_array else name
            var = v.single_variable
            if var is not None and self._kinds[var] == KIND_INT:
                self._kinds[var] = KIND_OUT
                self._var_names[var] = label
            else:
                var = self._new_var(KIND_OUT, label, full_name=True)
                self._steps.append((OP_COPY, var, v.lc))
                self._emit(lc_add(v.lc, {var: 1}, R - 1), {ONE: 1}, {}, f"output:{label}")
                if v.bound is not None:
                    self._var_bound[var] = v.bound
            variables.append(var)
        self._signals[name] = Declared(name, KIND_OUT, tuple(variables), is_array)

    # -- values ------------------------------------------------------------------------------------

    def constant(self, k: int) -> Value:
        return self.lift(k)

    def lift(self, x: Operand) -> Value:
        """A Value for ``x``: Values of this circuit pass through, ints become constants (mod r)."""
        if isinstance(x, Value):
            if x.circuit is not self:
                raise ValueError("value belongs to another circuit")
            return x
        if isinstance(x, bool) or not isinstance(x, int):
            raise TypeError(f"expected a circuit Value or an int, got {type(x).__name__}")
        k = x % R
        return Value(self, {ONE: k} if k else {})

    def mul(self, a: Operand, b: Operand, name: str | None = None) -> Value:
        """a * b: free when either side is constant, else one new wire (named ``name`` in the
        symbol map) and one constraint."""
        a, b = self.lift(a), self.lift(b)
        ka, kb = a.constant, b.constant
        if ka is not None or kb is not None:
            k, other = (ka, b) if ka is not None else (kb, a)
            return Value(self, lc_scale(other.lc, k), bound_product(other.bound, k + 1))
        var = self._new_var(KIND_INT, name or "mul")
        self._steps.append((OP_MUL, var, a.lc, b.lc))
        out = {var: 1}  # the product's side and its Value share one dict (combinations are never mutated)
        self._emit(a.lc, b.lc, out, "mul", name)
        bound = bound_product(a.bound, b.bound)
        if bound is not None:
            self._var_bound[var] = bound
        return Value(self, out)

    def sum(self, values: Iterable[Operand]) -> Value:
        """Sum of many values in linear time (repeated ``+`` copies the growing combination)."""
        lc: LinearCombination = {}
        bounds: list[int | None] = []
        bounded = True  # once one term is unbounded the sum is too: skip asking the others
        get = lc.get
        for x in values:
            v = self.lift(x)
            if bounded:
                bounds.append(v.bound)
                bounded = bounds[-1] is not None
            for var, coef in v.lc.items():
                s = (get(var, 0) + coef) % R
                if s:
                    lc[var] = s
                else:
                    lc.pop(var, None)
        return Value(self, lc, bound_sum(bounds) if bounded else None)

    def linear(self, coefficients: Sequence[int], values: Sequence[Value], constant: int = 0) -> Value:
        """``sum(c * v for c, v in zip(coefficients, values)) + constant``, without a Value per term.

        Why: linear maps over dozens of wires (Poseidon's rounds, bit recompositions) built term by term
        were most of the builder's time. Same combination and same bound as the ``sum`` of the scaled
        values (``linear_reference``, tested against it), so no gadget decision changes.
        """
        if len(coefficients) != len(values):
            raise ValueError("linear: coefficients and values differ in length")
        lc: LinearCombination = {}
        get = lc.get
        total: int | None = 1  # the bound as ``sum`` of the scaled values computes it, None once unbounded
        for c, v in zip(coefficients, values, strict=True):
            if type(v) is not Value or v.circuit is not self:
                v = self.lift(v)
            k = c % R
            if not k:
                continue
            items = v.lc.items()
            if total is not None and items:
                own = v.constant
                scaled = own * k % R + 1 if own is not None else bound_product(v.bound, k + 1)
                total = None if scaled is None else total + scaled - 1
            for var, coef in items:
                x = (get(var, 0) + coef * k) % R
                if x:
                    lc[var] = x
                else:
                    del lc[var]
        k = constant % R
        if k:
            x = (get(ONE, 0) + k) % R
            if x:
                lc[ONE] = x
            else:
                del lc[ONE]
        if total is not None:
            total += k
        return Value(self, lc, total if total is not None and total <= R else None)

    def linear_reference(self, coefficients: Sequence[int], values: Sequence[Value], constant: int = 0) -> Value:
        """The definition of ``linear``: the scaled values summed one by one."""
        return self.sum([*(c * self.lift(v) for c, v in zip(coefficients, values, strict=True)), constant])

    def hint(self, fn: Callable[..., object] | str, *args: object, n_out: int | None = None,
             name: str = "hint") -> Value | list[Value]:
        """New *unconstrained* wires computed by ``fn`` at witness time; the caller must constrain them.

        ``fn`` is a function registered in ``zkyield.dsl.hints`` (or its name): the compiled program
        records the name, so it can be saved and run without this builder. ``args`` may be Values, ints
        or (nested) lists of them; ``fn`` receives the same structure with every Value replaced by its
        field element (an int in [0, r)). It returns one int (``n_out`` None) or a sequence of ``n_out``
        ints; results are reduced mod r.
        """
        hint_name = hints.name_of(fn)
        _check_hint_args(self, args)
        count = 1 if n_out is None else n_out
        if count < 0:
            raise ValueError("hint n_out must be >= 0")
        names = [name] if n_out is None else [f"{name}[{i}]" for i in range(count)]
        variables = self._new_vars(KIND_INT, names)
        self._hint_vars.extend(variables)
        self._steps.append((OP_HINT, variables, hint_name, args, self._label(name), n_out is None))
        values = [Value(self, {v: 1}) for v in variables]
        return values[0] if n_out is None else values

    # -- constraints -------------------------------------------------------------------------------

    def assert_equal(self, a: Operand, b: Operand, name: str | None = None) -> None:
        """a == b (one constraint; a build-time check when both are constants)."""
        diff = self.lift(a) - self.lift(b)
        k = diff.constant
        if k is not None:
            if k:
                raise ValueError(f"{self._label(name or 'assert_equal')}: constants are not equal")
            return
        self._emit(diff.lc, {ONE: 1}, {}, "assert_equal", name)

    def assert_bool(self, x: Operand, name: str | None = None) -> Value:
        """x * (x - 1) == 0 (one constraint); returns x, now known to be 0 or 1."""
        v = self.lift(x)
        lc = v.lc
        var = self._fresh_wire(v)
        if var is not None:
            self._emit(lc, {var: 1, ONE: _MINUS_ONE}, {}, "assert_bool", name)
            v._bound = self._var_bound[var] = 2  # what unsafe_assume_bound records for it
            return v
        k = v.constant
        if k is not None:
            if k > 1:
                raise ValueError(f"{self._label(name or 'assert_bool')}: constant is not 0 or 1")
            return v
        self._emit(v.lc, lc_add(v.lc, {ONE: 1}, R - 1), {}, "assert_bool", name)
        self.unsafe_assume_bound(v, 2)
        return v

    def assert_bools(self, values: Sequence[Operand], name: str | None = None) -> list[Value]:
        """``assert_bool`` on each of ``values`` in order: the same constraints, labels and bounds, with
        fresh lone wires (a hint's bits) emitted inline. Why: a range check's bits were 160,000 calls
        at N = 128."""
        label = self._label(name) if name or self._scope else "assert_bool"
        constraints, bounds, out = self._constraints, self._var_bound, []
        inline = 0  # constraints appended here whose labels are still to be appended
        for x in values:
            v = self.lift(x)
            var = self._fresh_wire(v)
            if var is not None:  # assert_bool's fast path, its label appended below
                constraints.append((v.lc, {var: 1, ONE: _MINUS_ONE}, {}))
                inline += 1
                v._bound = bounds[var] = 2
                out.append(v)
                continue
            self._labels.extend([label] * inline)
            inline = 0
            out.append(self.assert_bool(v, name))
        self._labels.extend([label] * inline)
        return out

    def boolean_decomposition(self, x: Value, n: int) -> list[Value]:
        """Little-endian bits of a non-constant ``x`` (2 <= n <= 253), proving ``x < 2^n``: n - 1 wires from
        the ``low_bits`` hint, each constrained boolean, and the top bit the combination
        ``(x - sum b_i 2^i) / 2^(n-1)``, constrained boolean too; ``x`` is then bounded by 2^n.

        ``gadgets.bits.decompose_reference`` builds the same through ``hint``, ``assert_bools``, ``linear``
        and ``assert_bool``; this emits it in one pass, without a Value per term of the recomposition.
        """
        if x.circuit is not self or x.constant is not None or not 2 <= n <= 253:
            raise ValueError("boolean_decomposition: a non-constant value of this circuit, 2 <= n <= 253 bits")
        count = n - 1
        variables = self._new_vars(KIND_INT, _bit_names(count))
        self._hint_vars.extend(variables)
        self._steps.append((OP_HINT, variables, "low_bits", (x, count), self._label("bits"), False))
        lcs = [{var: 1} for var in variables]
        low = [Value(self, lc, 2) for lc in lcs]
        self._var_bound.update(dict.fromkeys(variables, 2))
        label = self._scope_path if self._scope else "assert_bool"
        checks = [{var: 1, ONE: _MINUS_ONE} for var in variables]
        self._constraints.extend(zip(lcs, checks, [{} for _ in variables], strict=True))
        self._labels.extend([label] * count)
        inverse, weights = _top_bit_weights(count)
        top_lc = {var: coef * inverse % R for var, coef in x.lc.items()}
        top_lc.update(zip(variables, weights, strict=True))
        self._constraints.append((top_lc, lc_add(top_lc, {ONE: 1}, R - 1), {}))
        self._labels.append(label)
        self.unsafe_assume_bound(x, 1 << n)
        return [*low, Value(self, top_lc, 2)]

    def assert_product(self, a: Operand, b: Operand, c: Operand, name: str | None = None) -> None:
        """a * b == c as exactly one constraint (no new wire), e.g. ``q * d == x - r``."""
        self._emit(self.lift(a).lc, self.lift(b).lc, self.lift(c).lc, "assert_product", name)

    # -- scopes and bookkeeping --------------------------------------------------------------------

    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Prefix the labels and symbol names of everything emitted inside with ``name``."""
        if not _SCOPE.match(name):
            raise ValueError(f"scope name {name!r}: no '/', ',' or spaces (they separate labels and .sym fields)")
        self._scope.append(name)
        self._scope_path = "/".join(self._scope)
        try:
            yield
        finally:
            self._scope.pop()
            self._scope_path = "/".join(self._scope)

    @property
    def n_constraints(self) -> int:
        return len(self._constraints)

    @property
    def n_variables(self) -> int:
        """Variables so far, the constant one included (= the wire count once compiled)."""
        return len(self._kinds)

    def variable_bound(self, var: int) -> int | None:
        return self._var_bound.get(var)

    def unsafe_assume_bound(self, value: Value, bound: int) -> None:
        """Record that constraints *already emitted* prove ``value < bound``; only gadgets call this.

        Recording a bound that no constraint enforces lets later comparisons skip their range checks,
        which is exactly the under-constrained-comparator bug, hence the name.
        """
        if not 1 <= bound <= R:
            raise ValueError("bound must be in [1, r]")
        old = value.bound
        if old is not None and old <= bound:
            return
        value._bound = bound
        var = value.single_variable
        if var is not None:
            self._var_bound[var] = bound

    def compile(self, simplify: bool = True) -> CompiledCircuit:
        """Freeze the current constraints into an R1CS plus its witness program.

        ``simplify`` substitutes linear constraints out of the R1CS (``zkyield.dsl.simplify``); pass
        False to keep every constraint and wire as emitted (e.g. to tamper with a substituted wire).
        """
        return CompiledCircuit.from_recorded(self._recorded(), simplify)

    def replay(self, block: Block, inputs: Sequence[Operand]) -> list[Value]:
        """Stamp a recorded block (``zkyield.dsl.block``) here on ``inputs``; returns its outputs.

        The same constraints, product steps, wire names and labels (below the current scope) as running
        the block's gadget again, at the cost of renumbering: new wires are the block's own shifted to
        the end of this circuit, placeholders are replaced by the inputs' combinations.
        """
        if len(inputs) != block.n_inputs:
            raise ValueError(f"replay: the block takes {block.n_inputs} inputs, got {len(inputs)}")
        ins = [self.lift(x).lc for x in inputs]
        first = block.first_internal
        off = len(self._kinds) - first
        prefix = f"{self._scope_path}/" if self._scope else ""
        self._kinds.extend([KIND_INT] * block.n_internal)
        names, labels = block.renamed
        self._var_names.extend(names.under(prefix))
        self._labels.extend(labels.under(prefix))
        lib = witness_lib()
        if lib is None:
            lcs = [_stamp(lc, off, first, ins) for lc in block.lcs]
            self._constraints.extend([(lcs[a], lcs[b], lcs[c]) for a, b, c in block.constraints])
            self._steps.extend([(OP_MUL, var + off, lcs[a], lcs[b]) for var, a, b in block.muls])
        else:  # the same dicts and rows built in C (``_stamp`` is the reference of ``compose``)
            p = block.packed
            lcs = lib.stamp(p.keys, p.spans, p.coefs, p.consts, off)
            for i in p.mixed:
                lcs[i] = lib.compose(block.lcs[i].mixed, off, first, ins, R)
            constraints, steps = lib.stamp_rows(lcs, p.constraints, p.muls, off)
            self._constraints.extend(constraints)
            self._steps.extend(steps)
        return [Value(self, lcs[i]) for i in block.outputs]

    def _recorded(self) -> Recorded:
        return Recorded(self.name, tuple(self._kinds), tuple(self._var_names), tuple(self._constraints),
                        tuple(self._labels), tuple(self._steps), tuple(self._signals.values()),
                        tuple(self._hint_vars), self)

    # -- internals ---------------------------------------------------------------------------------

    def _declare(self, name: str, kind: int, length: int | None) -> Value | list[Value]:
        self._check_new_name(name)
        if length is not None and (isinstance(length, bool) or not isinstance(length, int) or length < 1):
            raise ValueError(f"input {name}: length must be a positive int or None")
        labels = [name] if length is None else [f"{name}[{i}]" for i in range(length)]
        variables = tuple(self._new_var(kind, label, full_name=True) for label in labels)
        self._signals[name] = Declared(name, kind, variables, length is not None)
        values = [Value(self, {v: 1}) for v in variables]
        return values[0] if length is None else values

    def _check_new_name(self, name: str) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"signal name {name!r}: use letters, digits and '_' (not starting with a digit)")
        if name in self._signals:
            raise ValueError(f"signal name {name!r} is already declared")

    def _new_var(self, kind: int, name: str, full_name: bool = False) -> int:
        self._kinds.append(kind)
        self._var_names.append(name if full_name or not self._scope else f"{self._scope_path}/{name}")
        return len(self._kinds) - 1

    def _fresh_wire(self, v: Value) -> int | None:
        """The wire of ``v`` when it is one wire, coefficient 1, nothing proven about it (fresh hint bits)."""
        lc = v.lc
        if len(lc) != 1 or v._bound is not None:
            return None
        ((var, coef),) = lc.items()
        return var if var != ONE and coef == 1 and var not in self._var_bound else None

    def _new_vars(self, kind: int, names: Sequence[str]) -> list[int]:
        """``_new_var`` for each of ``names``, in one pass."""
        first = len(self._kinds)
        self._kinds.extend([kind] * len(names))
        if self._scope:
            prefix = f"{self._scope_path}/"
            self._var_names.extend([prefix + n for n in names])
        else:
            self._var_names.extend(names)
        return list(range(first, len(self._kinds)))

    def _label(self, name: str | None) -> str:
        if self._scope:
            return f"{self._scope_path}/{name}" if name else self._scope_path
        return name or ""

    def _emit(self, a: LinearCombination, b: LinearCombination, c: LinearCombination, op: str,
              name: str | None = None) -> None:
        """Add a*b = c labelled scope/name, or just the scope path, or the operation at top level."""
        self._constraints.append((a, b, c))
        self._labels.append(self._label(name) if name or self._scope else op)


@cache
def _bit_names(count: int) -> list[str]:
    return [f"bits[{i}]" for i in range(count)]


@cache
def _top_bit_weights(count: int) -> tuple[int, tuple[int, ...]]:
    """1 / 2^count and each low bit's coefficient in the top bit, -2^i / 2^count (mod r)."""
    inverse = pow(1 << count, -1, R)
    return inverse, tuple((R - (1 << i)) * inverse % R for i in range(count))


def _stamp(lc: BlockLC, off: int, first: int, inputs: list[LinearCombination]) -> LinearCombination:
    """A block's combination in the replaying circuit: own wires shifted by ``off``, inputs substituted."""
    if lc.mixed is None:
        out = dict(zip([k + off for k in lc.keys], lc.coefs, strict=True))
        if lc.const:
            out[ONE] = lc.const
        return out
    out: LinearCombination = {}
    for var, coef in lc.mixed.items():
        if var == ONE:
            term = {ONE: 1}
        elif var < first:
            term = inputs[var - 1]
        else:
            term = {var + off: 1}
        lc_axpy(out, coef, term)
    return out


def _check_hint_args(circuit: Circuit, args: object) -> None:
    if isinstance(args, Value):
        circuit.lift(args)
    elif isinstance(args, (list, tuple)):
        for a in args:
            _check_hint_args(circuit, a)
    elif isinstance(args, bool) or not isinstance(args, int):
        raise TypeError(f"hint arguments must be Values, ints or lists of them, got {type(args).__name__}")
