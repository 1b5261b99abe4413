"""Recorded blocks: build a fixed sub-circuit once, then stamp copies of it into any circuit.

Why: a statement at N = 128 runs Poseidon about 1,300 times, and building each one term by term
(``Circuit.linear`` over dozens of wires per round) was most of ``zkyield compile``. A block is the
reference gadget run once on placeholder inputs; ``Circuit.replay`` then only renumbers its wires and
substitutes the real inputs, giving the same constraints, steps, names and labels as building it again.

That equality holds only for a gadget whose constraints do not depend on its inputs beyond their
linear combinations: no hints, no outputs, no decision on an input's bound or constant-ness (the
caller keys blocks by which inputs are constants). ``record_block`` refuses what it can see breaks
this (hints, copies, declared signals, proven bounds, unscoped labels); the gadget that uses a block
tests replay against its reference build.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from zkyield.dsl.program import KIND_INT, OP_MUL
from zkyield.dsl.value import ONE, LinearCombination, Value

_MARK = "block"


@dataclass(frozen=True)
class BlockLC:
    """One linear combination of a block: ``keys``/``coefs`` over the block's own wires (numbered from
    ``Block.first_internal``) then ``const`` on wire 0, or, when it names an input or places the
    constant elsewhere, the recorded combination itself (``mixed``), composed term by term on replay."""

    keys: tuple[int, ...]
    coefs: tuple[int, ...]
    const: int
    mixed: LinearCombination | None


@dataclass(frozen=True)
class PackedLCs:
    """The unmixed combinations laid out for ``_witness.stamp``: u32 ``keys``, (start, count) u32
    ``spans`` per combination, shared coefficient ints, the constant or None per combination; the
    ``mixed`` ones (empty spans here) are composed in Python."""

    keys: bytes
    spans: bytes
    coefs: tuple[int, ...]
    consts: tuple[int | None, ...]
    mixed: tuple[int, ...]
    constraints: bytes  # u32 (a, b, c) per constraint, for ``_witness.stamp_rows``
    muls: bytes  # u32 (own wire, a, b) per product step


@dataclass(frozen=True)
class Block:
    """A recorded sub-circuit: its wires' names, its constraints and multiplications, its outputs.

    Numbering inside: 0 the constant one, 1..n_inputs the placeholder inputs, then the block's own
    wires in creation order. ``constraints[i]`` indexes ``lcs`` for A, B and C, labelled
    ``labels[i]`` below the caller's scope; ``muls[j]`` is (own wire, A, B) of the j-th product step.
    """

    n_inputs: int
    names: tuple[str, ...]
    lcs: tuple[BlockLC, ...]
    constraints: tuple[tuple[int, int, int], ...]
    labels: tuple[str, ...]
    muls: tuple[tuple[int, int, int], ...]
    outputs: tuple[int, ...]
    packed: PackedLCs
    renamed: tuple[Renamer, Renamer]  # (names, labels) for replay below a scope

    @property
    def first_internal(self) -> int:
        return 1 + self.n_inputs

    @property
    def n_internal(self) -> int:
        return len(self.names)


def record_block(build: Callable[[object, list[Value]], Sequence[Value]], n_inputs: int) -> Block:
    """Run ``build(circuit, inputs)`` once on ``n_inputs`` placeholders and freeze what it emitted.

    Combinations are indexed by identity, so one shared by a constraint and its step stays shared."""
    from zkyield.dsl.circuit import Circuit  # circuit.py replays blocks: import it only to record one

    scratch = Circuit("block")
    inputs = scratch.private_input("inputs", length=n_inputs) if n_inputs else []
    with scratch.scope(_MARK):
        outputs = list(build(scratch, list(inputs)))
    first = 1 + n_inputs
    rec = scratch._recorded()
    if len(rec.signals) != (1 if n_inputs else 0) or any(k != KIND_INT for k in rec.kinds[first:]):
        raise ValueError("record_block: a block may not declare inputs or outputs")
    if rec.hint_vars or any(step[0] != OP_MUL for step in rec.steps):
        raise ValueError("record_block: a block may only multiply (no hints, no copies)")
    if any(scratch.variable_bound(v) is not None for v in range(first, len(rec.kinds))) or any(
            v.bound is not None and v.constant is None for v in outputs):
        raise ValueError("record_block: a block may not prove bounds (replay could not reproduce them)")
    prefix = _MARK + "/"
    if not all(label.startswith(prefix) for label in rec.labels):
        raise ValueError("record_block: label every constraint with a scope or name inside the block")
    table: dict[int, int] = {}
    lcs: list[BlockLC] = []

    def index(lc: LinearCombination) -> int:
        i = table.get(id(lc))
        if i is None:
            i = table[id(lc)] = len(lcs)
            lcs.append(_block_lc(lc, first))
        return i

    constraints = tuple((index(a), index(b), index(c)) for a, b, c in rec.constraints)
    muls = tuple((step[1], index(step[2]), index(step[3])) for step in rec.steps)
    outs = tuple(index(v.lc) for v in outputs)
    names = tuple(name.removeprefix(prefix) for name in rec.var_names[first:])
    labels = tuple(label.removeprefix(prefix) for label in rec.labels)
    return Block(n_inputs, names, tuple(lcs), constraints, labels, muls, outs, _packed(lcs, constraints, muls),
                 (Renamer.of(names), Renamer.of(labels)))


@dataclass(frozen=True)
class Renamer:
    """A block's names (or labels) as their distinct values and where each goes: ``under`` prefixes each
    distinct name once and places them with one C-level pick (a Poseidon block's 240 names are 65)."""

    names: tuple[str, ...]
    distinct: tuple[str, ...]
    pick: Callable[[Sequence[str]], tuple[str, ...]]

    @classmethod
    def of(cls, names: tuple[str, ...]) -> Renamer:
        distinct = tuple(dict.fromkeys(names))
        where = {n: i for i, n in enumerate(distinct)}
        index = [where[n] for n in names]
        pick = itemgetter(*index) if len(index) > 1 else (lambda values: tuple(values[i] for i in index))
        return cls(names, distinct, pick)

    def under(self, prefix: str) -> Sequence[str]:
        """``[prefix + n for n in names]``, one string per distinct name."""
        if not prefix:
            return self.names
        return self.pick([prefix + n for n in self.distinct])


def _packed(lcs: list[BlockLC], constraints: tuple, muls: tuple) -> PackedLCs:
    keys: list[int] = []
    spans: list[int] = []
    coefs: list[int] = []
    consts: list[int | None] = []
    for lc in lcs:
        spans += (len(keys), len(lc.keys))
        keys += lc.keys
        coefs += lc.coefs
        consts.append(lc.const or None)
    mixed = tuple(i for i, lc in enumerate(lcs) if lc.mixed is not None)
    rows = [i for con in constraints for i in con]
    steps = [i for mul in muls for i in mul]
    return PackedLCs(array("I", keys).tobytes(), array("I", spans).tobytes(), tuple(coefs), tuple(consts), mixed,
                     array("I", rows).tobytes(), array("I", steps).tobytes())


def _block_lc(lc: LinearCombination, first: int) -> BlockLC:
    keys = [k for k in lc if k != ONE]
    const = lc.get(ONE, 0)
    const_last = ONE not in lc or next(reversed(lc)) == ONE
    if any(k < first for k in keys) or not const_last:
        return BlockLC((), (), 0, dict(lc))
    return BlockLC(tuple(keys), tuple(lc[k] for k in keys), const, None)
