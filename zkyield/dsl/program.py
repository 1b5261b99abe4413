"""The witness program: what a compiled circuit runs to turn named inputs into a full witness.

The builder (``circuit.py``) records steps in its own variable numbering; ``compile`` renumbers them
into *slots* and freezes them here. Slots ``0 .. n_wires-1`` are the R1CS wires (1, public outputs,
public inputs, private inputs, internal wires); slots from ``n_wires`` on hold values that the linear
simplification substituted out of the R1CS but later steps still read. Every step writes slots that
no earlier step wrote and reads only slots already written, so one pass in order computes everything.

Linear combinations live in one pool: ``terms[i] = (slot, constant index)``, the constants in a table
of distinct field elements (most coefficients are 1, -1 or powers of two). A step is six u32s::

    MUL  (op, out, a_start, a_len, b_start, b_len)   out = <a> * <b>
    COPY (op, out, a_start, a_len, 0, 0)             out = <a>
    HINT (op, hint, 0, 0, 0, 0)                      hints[hint].outputs = fn(args)

A hint is a *name* in ``zkyield.dsl.hints``'s registry plus its argument tree (never code), so the
program can be written to a file (``zkyield.dsl.program_file``) and run without the builder.
This module imports nothing else of the DSL: the builder depends on it, not the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KIND_ONE, KIND_OUT, KIND_PUB, KIND_PRV, KIND_INT = range(5)
OP_MUL, OP_COPY, OP_HINT = range(3)
STEP_FIELDS = 6

# Hint argument tokens (a prefix encoding of the nested argument lists).
ARG_LC, ARG_CONST, ARG_LIST = range(3)


@dataclass(frozen=True)
class Signal:
    """A named input or output: ``length`` consecutive slots from ``first`` (one unless an array)."""

    name: str
    kind: int
    first: int
    length: int
    is_array: bool

    @property
    def slots(self) -> range:
        return range(self.first, self.first + self.length)


@dataclass(frozen=True)
class HintCall:
    """One hint step: registry name, label, output slots, and ``n_args`` arguments as tokens.

    ``args`` is a flat tuple: ``(ARG_LC, start, len)`` a linear combination of the term pool,
    ``(ARG_CONST, index)`` a constant of the table, ``(ARG_LIST, count)`` a list of the next
    ``count`` arguments. ``scalar``: the hint returns one int rather than a sequence.
    """

    name: str
    label: str
    scalar: bool
    outputs: tuple[int, ...]
    n_args: int
    args: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class WitnessProgram:
    """A frozen, typed witness program (see the module docstring); arrays are read-only uint32."""

    n_slots: int
    n_wires: int
    n_pub_out: int
    n_pub_in: int
    n_prv_in: int
    constants: tuple[int, ...]
    terms: np.ndarray  # shape (n_terms, 2): slot, constant index
    steps: np.ndarray  # shape (n_steps, 6)
    hints: tuple[HintCall, ...]
    signals: tuple[Signal, ...]
    circuit_id: bytes  # the R1CS digest this program's witnesses satisfy

    @property
    def n_public(self) -> int:
        return self.n_pub_out + self.n_pub_in

    @property
    def first_computed(self) -> int:
        """Slots below this (1, outputs excluded) are inputs: outputs come first but are computed."""
        return 1 + self.n_public + self.n_prv_in

    def signal(self, name: str) -> Signal:
        for s in self.signals:
            if s.name == name:
                return s
        raise KeyError(name)


def frozen_u32(rows: list | np.ndarray, width: int) -> np.ndarray:
    """A read-only (n, width) uint32 array."""
    arr = np.asarray(rows, dtype=np.uint32).reshape(-1, width)
    arr.flags.writeable = False
    return arr
