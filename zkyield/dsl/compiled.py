"""A compiled circuit: the R1CS, its wire layout, and the witness program for named inputs.

``CompiledCircuit.from_recorded`` turns what the builder recorded (in its own variable numbering) into
the R1CS wire layout, optionally substitutes linear constraints out (``simplify``), and freezes the
witness program (``program``). After that the compiled circuit reads only the program and the R1CS;
the builder is kept as an identity, so ``wire_of`` can refuse a Value of another circuit.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

import numpy as np

from zkyield._native import witness_lib
from zkyield._native.lc_codec import CHUNK
from zkyield.dsl.program import (
    ARG_CONST,
    ARG_LC,
    ARG_LIST,
    KIND_INT,
    KIND_OUT,
    KIND_PRV,
    KIND_PUB,
    OP_COPY,
    OP_HINT,
    OP_MUL,
    HintCall,
    Signal,
    WitnessProgram,
    frozen_u32,
)
from zkyield.dsl.runner import InputValue, run
from zkyield.dsl.simplify import Simplified, carried_labels, simplify
from zkyield.dsl.symbols import symbol_text
from zkyield.dsl.value import LinearCombination, Value
from zkyield.field import R
from zkyield.formats.binio import StreamedSection
from zkyield.formats.r1cs_bin import r1cs_file_pieces, r1cs_to_bytes
from zkyield.r1cs import R1CS, Constraint, digest_prefix


@dataclass(frozen=True)
class Recorded:
    """What a ``Circuit`` recorded, handed over by ``Circuit.compile`` (variables in creation order)."""

    name: str
    kinds: tuple[int, ...]
    var_names: tuple[str, ...]
    constraints: tuple[tuple[LinearCombination, LinearCombination, LinearCombination], ...]
    labels: tuple[str, ...]
    steps: tuple[tuple, ...]
    signals: tuple  # of circuit.Declared: name, kind, variables, is_array
    hint_vars: tuple[int, ...]
    owner: object  # the builder, only compared by identity


class ProgramCircuit:
    """A witness program and the R1CS its witnesses satisfy (``self.program``, ``self.r1cs``): all
    that proving needs.

    ``CompiledCircuit`` (from the builder) is one; a build folder loads one from ``circuit.r1cs`` and
    ``circuit.wprog`` without running the builder (``zkyield.build_folder.LoadedCircuit``).
    """

    program: WitnessProgram
    r1cs: R1CS

    @property
    def n_constraints(self) -> int:
        return self.r1cs.n_constraints

    @property
    def n_wires(self) -> int:
        return self.program.n_wires

    def r1cs_pieces(self) -> list[bytes]:
        """The ``.r1cs`` file (snarkjs's format) as pieces to write in order."""
        return [r1cs_to_bytes(self.r1cs)]

    def witness(self, inputs: Mapping[str, InputValue], overrides: Mapping[int, int] | None = None,
                check: bool = True) -> list[int]:
        """The full witness (wire order) for named inputs; ``check`` runs R1CS.check on it.

        ``overrides`` (wire -> value) replaces a wire's value the moment it is computed, and later
        wires are computed from the replaced value: this is how tests play a malicious prover who
        picks a hint differently and then computes everything else honestly. Pass ``check=False``
        to get such a witness back and check it yourself (Groth16 proving checks every constraint).
        """
        if overrides:
            for wire in overrides:
                if not isinstance(wire, int) or not 0 < wire < self.n_wires:
                    raise ValueError(f"override wire {wire!r}: must be in [1, {self.n_wires})")
        w = run(self.program, inputs, overrides)
        if check:
            self.check(w)
        return w

    def check(self, witness: Sequence[int]) -> None:
        """ConstraintError naming the first constraint ``witness`` breaks (``R1CS.check``)."""
        self.r1cs.check(witness)

    def outputs(self, witness: Sequence[int]) -> dict[str, int | list[int]]:
        """Named public outputs of a witness."""
        out: dict[str, int | list[int]] = {}
        for sig in self.program.signals:
            if sig.kind == KIND_OUT:
                vals = [witness[s] for s in sig.slots]
                out[sig.name] = vals if sig.is_array else vals[0]
        return out

    def public_signals(self, witness: Sequence[int]) -> list[int]:
        """Public outputs then public inputs, as snarkjs writes public.json."""
        return list(witness[1 : 1 + self.program.n_public])


class CompiledCircuit(ProgramCircuit):
    """R1CS + witness program. Build with ``Circuit.compile()``.

    ``slot_of_var[v]`` is the program slot of builder variable ``v`` (its R1CS wire when it is below
    ``n_wires``); ``slot_names[s]`` the name of slot ``s`` (scope path and local name) used by the
    symbol map; ``substitutions[s]`` expresses a slot the simplification removed as a combination of
    wires. ``hint_wires`` are the wires whose values come from hints (what a malicious prover
    controls most directly).

    The constraints stay in the builder's numbering: the ``.r1cs`` bytes and the circuit id are encoded
    from them through the slot map (``r1cs_pieces``), and the wire-numbered ``r1cs`` (dicts, labels) is
    built only when something asks for it. Why: at N = 128 those dicts were a third of ``zkyield compile``.
    """

    def __init__(self, rec: Recorded, result: Simplified, var_of_slot: np.ndarray, n_wires: int,
                 counts: tuple[int, int, int]) -> None:
        """``var_of_slot[s]``: the builder variable in slot ``s`` (a permutation of the variables)."""
        self.name = rec.name
        self._rec, self._result = rec, result
        slots = np.empty(len(var_of_slot), dtype=np.uint32)
        slots[var_of_slot] = np.arange(len(var_of_slot), dtype=np.uint32)
        self.slot_of_var = slots.tolist()
        self._slot_map = slots.tobytes()
        self._n_wires, (self._n_out, self._n_pub, self._n_prv) = n_wires, counts
        self._n_labels = len(var_of_slot)
        self.slot_names = np.array(rec.var_names, dtype=object)[var_of_slot].tolist()
        slot_of_var = self.slot_of_var
        to_slots = self._slot_mapper()
        self.substitutions = {slot_of_var[v]: to_slots(e) for v, e in result.substitutions.items()}
        self.hint_slots = [slot_of_var[v] for v in rec.hint_vars]
        self._owner = rec.owner

    @classmethod
    def from_recorded(cls, rec: Recorded, simplify_linear: bool = True) -> CompiledCircuit:
        kinds = rec.kinds
        outs = [v for s in rec.signals if s.kind == KIND_OUT for v in s.variables]
        pubs = [v for s in rec.signals if s.kind == KIND_PUB for v in s.variables]
        prvs = [v for s in rec.signals if s.kind == KIND_PRV for v in s.variables]
        is_internal = np.asarray(kinds, dtype=np.uint8) == KIND_INT
        is_internal[0] = False
        # the wire layout: 1, public outputs, public inputs, private inputs, internal wires (variable order)
        order = np.concatenate([np.array([0, *outs, *pubs, *prvs], dtype=np.int64), np.flatnonzero(is_internal)])
        if simplify_linear:
            is_internal[list(rec.hint_vars)] = False
            result = simplify(rec.constraints, is_internal.view(np.uint8).tobytes())
        else:
            result = Simplified(list(range(len(rec.constraints))), list(rec.constraints), {}, {})
        removed = np.array(sorted(result.substitutions), dtype=np.int64)  # internal: after the kept, in var order
        kept = order[~np.isin(order, removed)] if len(removed) else order
        var_of_slot = np.concatenate([kept, removed])
        return cls(rec, result, var_of_slot, len(kept), (len(outs), len(pubs), len(prvs)))

    def _shape(self) -> tuple[int, int, int, int]:
        return self._n_wires, self._n_out, self._n_pub, self._n_prv

    def _slot_mapper(self) -> Callable[[LinearCombination], dict[int, int]]:
        """A combination over builder variables -> the same over slots (``_witness.remap`` when built)."""
        lib, slot_of, slot_map = witness_lib(), self.slot_of_var, self._slot_map
        if lib is None:
            return lambda lc: {slot_of[v]: k for v, k in lc.items()}
        return lambda lc: lib.remap(lc, slot_map)

    @cached_property
    def circuit_id(self) -> bytes:
        """``R1CS.digest`` of the terms the ``.r1cs`` section encodes, from the same encoding pass (equal to
        what a build folder's loader reads off the file, ``r1cs_file``); ``r1cs_pieces`` computes it on the
        way when the file is written first."""
        lib = witness_lib()
        if lib is None:
            return self.r1cs.digest()
        h = digest_prefix(*self._shape(), self.n_constraints)
        for _ in self._section_pieces(lib, h):
            pass
        return h.digest()

    @cached_property
    def program(self) -> WitnessProgram:  # type: ignore[override]
        lib = witness_lib()
        return _freeze_program(self._rec, _Pool(self.slot_of_var, self._slot_map, lib), self._shape(),
                               self.circuit_id, lib)

    def _section_pieces(self, lib: object, digest: hashlib._Hash | None) -> Iterator[bytes]:
        """The ``.r1cs`` constraints section, CHUNK constraints a piece, encoded from the builder's
        constraints through the slot map; with ``digest``, R1CS.digest's bytes of the same sorted terms
        come from the same pass and are fed to it (what ``r1cs_digest_terms`` reads off the file's bytes:
        tests/test_simplify.py compares the ids)."""
        cons, n_wires, slot_map = self._result.constraints, self._n_wires, self._slot_map
        for start in range(0, len(cons), CHUNK):
            stop = min(start + CHUNK, len(cons))
            encoded = lib.encode_lcs(cons, start, stop, n_wires, False, slot_map, digest is not None)
            if encoded is None:  # the builder keeps every coefficient canonical, every variable slotted
                raise RuntimeError(f"constraints {start}..{stop}: terms the .r1cs encoder refuses")
            if digest is None:
                yield encoded
                continue
            piece, terms = encoded
            digest.update(terms)
            yield piece

    def _section_size(self) -> int:
        """Bytes of the constraints section: per side a u32 count, per term a u32 wire and 32 bytes."""
        cons = self._result.constraints
        return 12 * len(cons) + 36 * sum(map(len, chain.from_iterable(cons)))

    @cached_property
    def r1cs(self) -> R1CS:  # type: ignore[override]
        """The wire-numbered R1CS with its constraint labels, built on first use."""
        result, rec = self._result, self._rec
        to_slots = self._slot_mapper()
        r1cs = R1CS(
            n_wires=self._n_wires, n_pub_out=self._n_out, n_pub_in=self._n_pub, n_prv_in=self._n_prv,
            constraints=[Constraint(to_slots(a), to_slots(b), to_slots(c)) for a, b, c in result.constraints],
            labels=carried_labels(result, rec.constraints, rec.labels),
            n_labels=self._n_labels,
        )
        if "circuit_id" in self.__dict__:
            r1cs.adopt_digest(self.circuit_id)  # encoded from these very constraints
        return r1cs

    @property
    def n_constraints(self) -> int:
        return len(self._result.constraints)

    def r1cs_pieces(self) -> Iterator[bytes]:
        """The ``.r1cs`` file as pieces to write in order, its constraints section encoded through the slot
        map as it is written (no dicts built, never held whole); the circuit id is taken from the same
        encoding pass when it is not known yet."""
        lib = witness_lib()
        if lib is None:
            return iter(super().r1cs_pieces())
        digest = None if "circuit_id" in self.__dict__ else digest_prefix(*self._shape(), self.n_constraints)
        section = StreamedSection(self._section_size(), self._section_pieces(lib, digest))
        pieces = r1cs_file_pieces(*self._shape(), self.n_constraints, section, None, self._n_labels)
        return self._then_keep_id(pieces, digest)

    def _then_keep_id(self, pieces: Iterator[bytes], digest: hashlib._Hash | None) -> Iterator[bytes]:
        yield from pieces
        if digest is not None:
            self.__dict__.setdefault("circuit_id", digest.digest())

    # -- sizes -------------------------------------------------------------------------------------

    @property
    def builder(self):  # -> Circuit (not imported: circuit.py imports this module)
        """The Circuit this was compiled from, e.g. to compile it again without simplification."""
        return self._owner

    @property
    def var_names(self) -> list[str]:
        """Names of the R1CS wires, wire order."""
        return self.slot_names[: self.n_wires]

    @property
    def hint_wires(self) -> list[int]:
        return [s for s in self.hint_slots if s < self.n_wires]

    def stats(self) -> dict[str, int]:
        """Counts a user compares against circom's ``r1cs info``."""
        r = self.r1cs
        return {"constraints": r.n_constraints, "wires": r.n_wires, "public_outputs": r.n_pub_out,
                "public_inputs": r.n_pub_in, "private_inputs": r.n_prv_in, "hint_wires": len(self.hint_wires),
                "substituted_wires": len(self.substitutions)}

    # -- reading values back -----------------------------------------------------------------------

    def wire_of(self, value: Value) -> int:
        """The wire holding ``value`` (it must be a single variable, e.g. a hint or product)."""
        var = value.single_variable
        if var is None or value.circuit is not self._owner:
            raise ValueError("value is not a single wire of this circuit")
        if var >= len(self.slot_of_var):
            raise ValueError("value was created after this circuit was compiled")
        slot = self.slot_of_var[var]
        if slot >= self.n_wires:
            raise ValueError("value was substituted out by the linear simplification; compile(simplify=False)")
        return slot

    def value_of(self, witness: Sequence[int], value: Value | int) -> int:
        """Evaluate a builder Value (any linear combination) on a full witness."""
        if isinstance(value, int):
            return value % R
        total = 0
        for var, k in value.lc.items():
            slot = self.slot_of_var[var]
            expr = self.substitutions.get(slot)
            x = witness[slot] if expr is None else sum(witness[w] * c for w, c in expr.items())
            total += x * k
        return total % R

    def wires_named(self, suffix: str) -> list[int]:
        """Wires whose symbol name ends with ``suffix`` (e.g. ``is_zero/inv``), for tests and debugging."""
        return [w for w, n in enumerate(self.var_names) if n.endswith(suffix)]

    # -- symbol map --------------------------------------------------------------------------------

    def symbol_map(self) -> str:
        """circom's .sym text: ``labelId,varIdx,componentIdx,name`` per signal; label ids are slots,
        and a signal the simplification removed has varIdx -1, as in circom's --O2 output."""
        return self.symbol_bytes().decode()

    def symbol_bytes(self) -> bytes:
        """``symbol_map`` as the file's bytes."""
        return symbol_text(self.name, self.slot_names, self.n_wires)

    def write_sym(self, path: str | os.PathLike) -> None:
        """The ``.sym`` file, written around the page cache (tens of MB that a debugger reads, if anyone)."""
        from zkyield.formats.atomic import write_pieces_atomic

        write_pieces_atomic(path, [self.symbol_bytes()], uncached=True)


class _Pool:
    """Terms (u32 pairs: slot, constant index) and distinct constants of a program under construction.

    ``lc`` appends in C when the witness extension is built (``_witness.pool_lc``), else through
    ``lc_reference``; both write the same pairs (tests/test_simplify.py compares the programs).
    """

    def __init__(self, slot_of_var: list[int], slot_map: bytes, lib: object | None = None) -> None:
        self.slot_of_var = slot_of_var
        self.slot_map = slot_map  # slot_of_var as u32 bytes, for the C calls
        self.index: dict[int, int] = {}
        self.constants: list[int] = []
        self.flat = bytearray()
        self.ranges: dict[int, int] = {}  # id of a pooled combination (kept alive by the steps) -> first term
        self._lib = lib

    def constant(self, k: int) -> int:
        k %= R
        i = self.index.get(k)
        if i is None:
            i = self.index[k] = len(self.constants)
            self.constants.append(k)
        return i

    def lc(self, lc: LinearCombination) -> tuple[int, int]:
        """Append a combination (its coefficients are canonical: the builder keeps them so); one of two
        or more terms pooled before (the same object) gets its range again. Why: a Poseidon S-box
        x^5 multiplies its 30-85 term input x by itself and then x^4 by x, so x is pooled once, not
        three times (a third of the terms at N = 128)."""
        if len(lc) > 1:
            start = self.ranges.get(id(lc))
            if start is not None:
                return start, len(lc)
        start = len(self.flat) // 8
        if self._lib is None:
            self.lc_reference(lc)
        else:
            self._lib.pool_lc(lc, self.slot_map, self.index, self.constant, self.flat)
        if len(lc) > 1:
            self.ranges[id(lc)] = start
        return start, len(lc)

    def lc_reference(self, lc: LinearCombination) -> None:
        flat, index, slot_of = self.flat, self.index, self.slot_of_var
        for v, k in lc.items():
            i = index.get(k)
            if i is None:
                i = self.constant(k)
            flat += struct.pack("<II", slot_of[v], i)

    def terms(self) -> np.ndarray:
        """The pool as a read-only array over ``flat`` itself (the pool is done growing once frozen)."""
        return frozen_u32(np.frombuffer(self.flat, dtype="<u4"), 2)

    def args(self, arg: object, out: list[int]) -> None:
        if isinstance(arg, Value):
            out.extend((ARG_LC, *self.lc(arg.lc)))
        elif isinstance(arg, (list, tuple)):
            out.extend((ARG_LIST, len(arg)))
            for a in arg:
                self.args(a, out)
        else:
            out.extend((ARG_CONST, self.constant(arg)))  # type: ignore[arg-type]


def _freeze_program(rec: Recorded, pool: _Pool, shape: tuple[int, int, int, int], circuit_id: bytes,
                    lib: object | None) -> WitnessProgram:
    slot_of_var = pool.slot_of_var
    rows = bytearray()  # six u32 per step
    calls: list[HintCall] = []
    i, n = 0, len(rec.steps)
    while i < n:
        if lib is not None:  # products and copies up to the next hint in C (same rows as below)
            i = lib.pool_steps(rec.steps, i, pool.slot_map, pool.index, pool.constant, pool.flat, rows, pool.ranges)
            if i == n:
                break
        step = rec.steps[i]
        i += 1
        op = step[0]
        if op == OP_MUL:
            row = (OP_MUL, slot_of_var[step[1]], *pool.lc(step[2]), *pool.lc(step[3]))
        elif op == OP_COPY:
            row = (OP_COPY, slot_of_var[step[1]], *pool.lc(step[2]), 0, 0)
        else:
            _, variables, hint_name, args, label, scalar = step
            tokens: list[int] = []
            for a in args:
                pool.args(a, tokens)
            row = (OP_HINT, len(calls), 0, 0, 0, 0)
            outputs = tuple(slot_of_var[v] for v in variables)
            calls.append(HintCall(hint_name, label, scalar, outputs, len(args), tuple(tokens)))
        rows += struct.pack("<6I", *row)
    signals = []
    for s in rec.signals:
        slots = [slot_of_var[v] for v in s.variables]
        signals.append(Signal(s.name, s.kind, slots[0], len(slots), s.is_array))
    n_slots = len(slot_of_var)
    n_wires, n_pub_out, n_pub_in, n_prv_in = shape
    return WitnessProgram(
        n_slots=n_slots, n_wires=n_wires, n_pub_out=n_pub_out, n_pub_in=n_pub_in, n_prv_in=n_prv_in,
        constants=tuple(pool.constants), terms=pool.terms(), steps=frozen_u32(np.frombuffer(rows, dtype="<u4"), 6),
        hints=tuple(calls), signals=tuple(signals), circuit_id=circuit_id,
    )
