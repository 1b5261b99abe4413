"""Running a witness program: named inputs in, the witness (wire order) out.

Two runners with one signature: ``run_reference`` (plain Python, the definition) and ``run_native``
(the C loop of ``zkyield._native._witness`` for products and copies; hints still call their Python
functions). ``run`` takes the native one when it is built. ``overrides`` (wire -> value) replace a
wire's value the moment it is computed, so later wires follow from the replaced value: tests use it
to play a malicious prover. Hint failures become ``StatementFalse`` naming the hint's label only
(an exception's own message could quote private values).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from zkyield._native import witness_lib
from zkyield.dsl import hints
from zkyield.dsl.program import (
    ARG_CONST,
    ARG_LC,
    KIND_PRV,
    KIND_PUB,
    OP_COPY,
    OP_HINT,
    OP_MUL,
    HintCall,
    Signal,
    WitnessProgram,
)
from zkyield.errors import FormatError, InputError, StatementFalse
from zkyield.field import R

InputValue = int | str | Sequence[int | str]
Overrides = Mapping[int, int] | None


def run(program: WitnessProgram, inputs: Mapping[str, InputValue], overrides: Overrides = None) -> list[int]:
    """The witness of ``inputs``: the native runner when built, else the reference one."""
    runner = run_reference if witness_lib() is None else run_native
    return runner(program, inputs, overrides)


def run_reference(program: WitnessProgram, inputs: Mapping[str, InputValue],
                  overrides: Overrides = None) -> list[int]:
    """Plain-Python interpreter of ``program`` (the definition the native runner is tested against)."""
    vals = initial_slots(program, inputs, overrides)
    ov = _overrides(overrides)
    consts = program.constants
    terms = program.terms.tolist()

    def ev(start: int, length: int) -> int:
        return sum(vals[s] * consts[k] for s, k in terms[start : start + length]) % R

    for op, out, a0, an, b0, bn in program.steps.tolist():
        if op == OP_MUL:
            vals[out] = ev(a0, an) * ev(b0, bn) % R
            if out in ov:
                vals[out] = ov[out]
        elif op == OP_COPY:
            vals[out] = ev(a0, an)
            if out in ov:
                vals[out] = ov[out]
        else:
            call = program.hints[out]
            _store_hint(call, _hint_result(call, lambda s, n: ev(s, n), consts), vals.__setitem__, ov)
    return vals[: program.n_wires]


def run_native(program: WitnessProgram, inputs: Mapping[str, InputValue], overrides: Overrides = None) -> list[int]:
    """Products and copies in C, hints in Python; the same result as ``run_reference``."""
    lib = witness_lib()
    if lib is None:
        raise RuntimeError("the native witness runner is not built (pip install -e . with a C compiler)")
    packed = _Packed(program, lib)
    vals = initial_slots(program, inputs, overrides)
    buf = bytearray(b"".join(x.to_bytes(32, "little") for x in vals))
    ov = _overrides(overrides)
    steps = program.steps
    stops = sorted({i + 1 for i, out in _override_steps(program, ov)}) + [len(steps)]
    consts = program.constants

    def ev(start: int, length: int) -> int:
        return int.from_bytes(lib.eval_lc(packed.constants, packed.terms, buf, start, length), "little")

    def put(slot: int, value: int) -> None:
        buf[32 * slot : 32 * slot + 32] = value.to_bytes(32, "little")

    i = 0
    for stop in stops:
        while i < stop:
            i = lib.run(packed.constants, packed.terms, packed.steps, buf, i, stop)
            if i < stop:  # a hint step
                call = program.hints[int(steps[i, 1])]
                _store_hint(call, _hint_result(call, ev, consts), put, ov)
                i += 1
        if stop and int(steps[stop - 1, 0]) != OP_HINT:
            out = int(steps[stop - 1, 1])
            if out in ov:
                put(out, ov[out])
    n = program.n_wires
    return [int.from_bytes(buf[32 * s : 32 * s + 32], "little") for s in range(n)]


# -- inputs ------------------------------------------------------------------------------------------


def initial_slots(program: WitnessProgram, inputs: Mapping[str, InputValue], overrides: Overrides) -> list[int]:
    """All slots zero except 1 in slot 0 and the validated inputs (overridden inputs replaced)."""
    if not isinstance(inputs, Mapping):
        raise InputError("inputs: expected a mapping from input names to values")
    vals = [0] * program.n_slots
    vals[0] = 1
    declared = [s for s in program.signals if s.kind in (KIND_PUB, KIND_PRV)]
    for sig in declared:
        for slot, value in zip(sig.slots, _validated(inputs, sig), strict=True):
            vals[slot] = value
    _check_unknown(inputs, program.signals, declared)
    for slot, value in _overrides(overrides).items():
        if program.n_pub_out < slot < program.first_computed:
            vals[slot] = value
    return vals


def _validated(inputs: Mapping[str, InputValue], sig: Signal) -> list[int]:
    if sig.name not in inputs:
        raise InputError(f"inputs: missing input '{sig.name}'")
    raw = inputs[sig.name]
    if sig.is_array:
        if not isinstance(raw, (list, tuple)):
            raise InputError(f"inputs.{sig.name}: expected a list of {sig.length} values")
        if len(raw) != sig.length:
            raise InputError(f"inputs.{sig.name}: expected {sig.length} values, got {len(raw)}")
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


def _check_unknown(inputs: Mapping[str, InputValue], signals: Sequence[Signal], declared: list[Signal]) -> None:
    names = {s.name for s in declared}
    unknown = sorted(str(n) for n in set(inputs) - names)
    if unknown:
        name = unknown[0]
        hint = " (it is a public output, computed by the circuit)" if any(s.name == name for s in signals) else ""
        raise InputError(f"inputs: unknown input '{name}'{hint}; expected {', '.join(sorted(names))}")


def _overrides(overrides: Overrides) -> dict[int, int]:
    return {w: v % R for w, v in overrides.items()} if overrides else {}


def _override_steps(program: WitnessProgram, ov: dict[int, int]) -> list[tuple[int, int]]:
    """(step index, slot) of every non-hint step that writes an overridden slot."""
    if not ov:
        return []
    return [(i, out) for i, (op, out) in enumerate(program.steps[:, :2].tolist()) if op != OP_HINT and out in ov]


# -- hints ---------------------------------------------------------------------------------------------


def hint_function(name: str) -> Callable[..., object]:
    fn = hints.lookup(name)
    if fn is None:
        raise FormatError(f"witness program: hint {name!r} is not registered; import the module that defines it")
    return fn


def _hint_result(call: HintCall, ev: Callable[[int, int], int], consts: Sequence[int]) -> list[int]:
    fn = hint_function(call.name)
    tokens = call.args
    pos = 0

    def arg() -> object:
        nonlocal pos
        tag = tokens[pos]
        if tag == ARG_LC:
            pos += 3
            return ev(tokens[pos - 2], tokens[pos - 1])
        if tag == ARG_CONST:
            pos += 2
            return consts[tokens[pos - 1]]
        count = tokens[pos + 1]
        pos += 2
        return [arg() for _ in range(count)]

    args = [arg() for _ in range(call.n_args)]
    try:
        result = fn(*args)
    except Exception as exc:  # a hint's own message may quote private values: report the type only
        raise StatementFalse(f"hint {call.label}: failed with {type(exc).__name__}; the inputs break its "
                             "precondition") from None
    results = [result] if call.scalar else list(result)  # type: ignore[call-overload]
    if len(results) != len(call.outputs) or any(isinstance(x, bool) or not isinstance(x, int) for x in results):
        raise TypeError(f"hint {call.label}: must return {len(call.outputs)} int(s)")
    return [x % R for x in results]


def _store_hint(call: HintCall, results: list[int], put: Callable[[int, int], None], ov: dict[int, int]) -> None:
    for slot, x in zip(call.outputs, results, strict=True):
        put(slot, ov.get(slot, x))


class _Packed:
    """The program's arrays as the C loop reads them; made per run (a memcpy of the term and step
    tables), not cached, so a long-lived program does not keep a second copy beside the prover's key."""

    def __init__(self, program: WitnessProgram, lib: object) -> None:
        self.constants = lib.to_montgomery(b"".join(k.to_bytes(32, "little") for k in program.constants))
        self.terms = program.terms.tobytes()
        self.steps = program.steps.tobytes()
