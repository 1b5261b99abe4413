"""A compiled circuit: the R1CS, its wire layout, and the witness generator for named inputs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from zkyield.dsl.circuit import KIND_INT, KIND_OUT, KIND_PRV, KIND_PUB, STEP_COPY, STEP_MUL, Circuit, Signal
from zkyield.dsl.symbols import symbol_lines
from zkyield.dsl.value import LinearCombination, Value
from zkyield.errors import InputError, StatementFalse
from zkyield.field import R
from zkyield.r1cs import R1CS, Constraint

InputValue = int | str | Sequence[int | str]


@dataclass
class CompiledCircuit:
    """R1CS + witness program. Build with ``Circuit.compile()``.

    ``wire_of_var[v]`` is the R1CS wire of builder variable ``v``; ``var_names[w]`` the name of wire
    ``w`` (scope path and local name) used by the symbol map; ``hint_wires`` are the wires whose
    values come from hint functions (the ones a malicious prover controls most directly).
    """

    name: str
    r1cs: R1CS
    wire_of_var: list[int]
    var_names: list[str]
    signals: dict[str, Signal]
    hint_wires: list[int]
    _steps: list[tuple]
    _circuit: Circuit

    @classmethod
    def from_builder(cls, c: Circuit) -> CompiledCircuit:
        kinds = c._kinds
        outs = [v for s in c._signals.values() if s.kind == KIND_OUT for v in s.variables]
        pubs = [v for s in c._signals.values() if s.kind == KIND_PUB for v in s.variables]
        prvs = [v for s in c._signals.values() if s.kind == KIND_PRV for v in s.variables]
        internal = [v for v in range(1, len(kinds)) if kinds[v] == KIND_INT]
        order = [0, *outs, *pubs, *prvs, *internal]
        wire_of = [0] * len(order)
        for wire, var in enumerate(order):
            wire_of[var] = wire

        def remap(lc: LinearCombination) -> dict[int, int]:
            return {wire_of[v]: k for v, k in lc.items()}

        constraints = [Constraint(remap(a), remap(b), remap(cc)) for a, b, cc in c._constraints]
        r1cs = R1CS(
            n_wires=len(order), n_pub_out=len(outs), n_pub_in=len(pubs), n_prv_in=len(prvs),
            constraints=constraints, labels=list(c._labels),
        )
        names = [c._var_names[v] for v in order]
        return cls(c.name, r1cs, wire_of, names, dict(c._signals), [wire_of[v] for v in c._hint_vars],
                   list(c._steps), c)

    # -- sizes -------------------------------------------------------------------------------------

    @property
    def n_constraints(self) -> int:
        return self.r1cs.n_constraints

    @property
    def n_wires(self) -> int:
        return self.r1cs.n_wires

    def stats(self) -> dict[str, int]:
        """Counts a user compares against circom's ``r1cs info``."""
        r = self.r1cs
        return {"constraints": r.n_constraints, "wires": r.n_wires, "public_outputs": r.n_pub_out,
                "public_inputs": r.n_pub_in, "private_inputs": r.n_prv_in, "hint_wires": len(self.hint_wires)}

    # -- witness -----------------------------------------------------------------------------------

    def witness(self, inputs: Mapping[str, InputValue], overrides: Mapping[int, int] | None = None,
                check: bool = True) -> list[int]:
        """The full witness (wire order) for named inputs; ``check`` runs R1CS.check on it.

        ``overrides`` (wire -> value) replaces a wire's value the moment it is computed, and later
        wires are computed from the replaced value: this is how tests play a malicious prover who
        picks a hint differently and then computes everything else honestly. Pass ``check=False``
        to get such a witness back and check it yourself.
        """
        if not isinstance(inputs, Mapping):
            raise InputError("inputs: expected a mapping from input names to values")
        vals = [0] * len(self.wire_of_var)
        vals[0] = 1
        for sig in self._input_signals():
            for var, value in zip(sig.variables, _validated(inputs, sig), strict=True):
                vals[var] = value
        _check_unknown(inputs, self.signals)
        ov = self._override_vars(overrides)
        for var, value in ov.items():
            if self.r1cs.n_pub_out < self.wire_of_var[var] <= self.r1cs.n_public + self.r1cs.n_prv_in:
                vals[var] = value
        for step in self._steps:
            tag = step[0]
            if tag == STEP_MUL:
                _, var, a, b = step
                vals[var] = _ev(a, vals) * _ev(b, vals) % R
                assigned: Sequence[int] = (var,)
            elif tag == STEP_COPY:
                _, var, lc = step
                vals[var] = _ev(lc, vals)
                assigned = (var,)
            else:
                assigned = _run_hint(step, vals)
            if ov:
                for var in assigned:
                    if var in ov:
                        vals[var] = ov[var]
        w = [0] * len(vals)
        for var, wire in enumerate(self.wire_of_var):
            w[wire] = vals[var]
        if check:
            self.r1cs.check(w)
        return w

    def _input_signals(self) -> list[Signal]:
        return [s for s in self.signals.values() if s.kind in (KIND_PUB, KIND_PRV)]

    def _override_vars(self, overrides: Mapping[int, int] | None) -> dict[int, int]:
        if not overrides:
            return {}
        var_of_wire = {w: v for v, w in enumerate(self.wire_of_var)}
        out = {}
        for wire, value in overrides.items():
            if not isinstance(wire, int) or not 0 < wire < self.n_wires:
                raise ValueError(f"override wire {wire!r}: must be in [1, {self.n_wires})")
            out[var_of_wire[wire]] = value % R
        return out

    # -- reading values back -----------------------------------------------------------------------

    def wire_of(self, value: Value) -> int:
        """The wire holding ``value`` (it must be a single variable, e.g. a hint or product)."""
        var = value.single_variable
        if var is None or value.circuit is not self._circuit:
            raise ValueError("value is not a single wire of this circuit")
        if var >= len(self.wire_of_var):
            raise ValueError("value was created after this circuit was compiled")
        return self.wire_of_var[var]

    def value_of(self, witness: Sequence[int], value: Value | int) -> int:
        """Evaluate a builder Value (any linear combination) on a full witness."""
        if isinstance(value, int):
            return value % R
        return sum(witness[self.wire_of_var[v]] * k for v, k in value.lc.items()) % R

    def outputs(self, witness: Sequence[int]) -> dict[str, int | list[int]]:
        """Named public outputs of a witness."""
        out: dict[str, int | list[int]] = {}
        for name, sig in self.signals.items():
            if sig.kind == KIND_OUT:
                vals = [witness[self.wire_of_var[v]] for v in sig.variables]
                out[name] = vals if sig.is_array else vals[0]
        return out

    def public_signals(self, witness: Sequence[int]) -> list[int]:
        """Public outputs then public inputs, as snarkjs writes public.json."""
        return self.r1cs.public_inputs(witness)

    def wires_named(self, suffix: str) -> list[int]:
        """Wires whose symbol name ends with ``suffix`` (e.g. ``is_zero/inv``), for tests and debugging."""
        return [w for w, n in enumerate(self.var_names) if n.endswith(suffix)]

    # -- symbol map --------------------------------------------------------------------------------

    def symbol_map(self) -> str:
        """circom's .sym text: ``labelId,varIdx,componentIdx,name`` per wire (labels = wire indices)."""
        return "".join(line + "\n" for line in symbol_lines(self.name, self.var_names))

    def write_sym(self, path: str | os.PathLike) -> None:
        from zkyield.formats.atomic import write_text_atomic

        write_text_atomic(path, self.symbol_map())


def _ev(lc: LinearCombination, vals: list[int]) -> int:
    return sum(vals[v] * k for v, k in lc.items()) % R


def _eval_arg(arg: object, vals: list[int]) -> object:
    if isinstance(arg, Value):
        return _ev(arg.lc, vals)
    if isinstance(arg, (list, tuple)):
        return [_eval_arg(a, vals) for a in arg]
    return arg % R  # type: ignore[operator]


def _run_hint(step: tuple, vals: list[int]) -> list[int]:
    _, variables, fn, args, label, scalar = step
    try:
        result = fn(*[_eval_arg(a, vals) for a in args])
    except Exception as exc:  # a hint's own message may quote private values: report the type only
        raise StatementFalse(f"hint {label}: failed with {type(exc).__name__}; the inputs break its precondition") \
            from None
    results = [result] if scalar else list(result)  # type: ignore[call-overload]
    if len(results) != len(variables) or any(isinstance(x, bool) or not isinstance(x, int) for x in results):
        raise TypeError(f"hint {label}: must return {len(variables)} int(s)")
    for var, x in zip(variables, results, strict=True):
        vals[var] = x % R
    return variables


def _validated(inputs: Mapping[str, InputValue], sig: Signal) -> list[int]:
    if sig.name not in inputs:
        raise InputError(f"inputs: missing input '{sig.name}'")
    raw = inputs[sig.name]
    if sig.is_array:
        if not isinstance(raw, (list, tuple)):
            raise InputError(f"inputs.{sig.name}: expected a list of {len(sig.variables)} values")
        if len(raw) != len(sig.variables):
            raise InputError(f"inputs.{sig.name}: expected {len(sig.variables)} values, got {len(raw)}")
        return [_element(x, f"{sig.name}[{i}]") for i, x in enumerate(raw)]
    return [_element(raw, sig.name)]


def _element(x: object, name: str) -> int:
    """A canonical Fr int from an int or a decimal string; messages never quote the value."""
    if isinstance(x, str) and x.isascii() and x.isdigit() and len(x) <= 80:
        x = int(x)
    if isinstance(x, bool) or not isinstance(x, int):
        raise InputError(f"inputs.{name}: expected an integer or decimal string, got {type(x).__name__}")
    if not 0 <= x < R:
        raise InputError(f"inputs.{name}: not a canonical field element (need 0 <= x < r)")
    return x


def _check_unknown(inputs: Mapping[str, InputValue], signals: dict[str, Signal]) -> None:
    declared = {n for n, s in signals.items() if s.kind in (KIND_PUB, KIND_PRV)}
    unknown = sorted(str(n) for n in set(inputs) - declared)
    if unknown:
        name = unknown[0]
        hint = " (it is a public output, computed by the circuit)" if name in signals else ""
        raise InputError(f"inputs: unknown input '{name}'{hint}; expected {', '.join(sorted(declared))}")
