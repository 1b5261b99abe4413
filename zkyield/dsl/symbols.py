"""circom-style symbol maps (.sym): one ``labelId,varIdx,componentIdx,name`` line per wire.

circom lists every named signal as ``main.<component path>.<signal>``; we name wires by their scope
path, so scope ``concentration/pos[3]/less_than`` becomes ``main.concentration.pos[3].less_than``.
Label ids equal program slots: wires first (the R1CS keeps the identity wire→label map), then the
signals the linear simplification removed, listed with varIdx -1 as circom --O2 does; the constant
wire 0 is not listed, as in circom. A name that repeats (two hints with the same local name in one scope)
gets an ``@<wire>`` suffix so every line names a distinct signal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from zkyield._native import witness_lib


def symbol_text(circuit_name: str, slot_names: Sequence[str], n_wires: int) -> bytes:
    """The .sym file: one line per named slot (label id = slot), each ending in a newline; a slot at or
    past ``n_wires`` is not a wire (varIdx -1).

    Written in C when the witness extension is built (``_witness.symbol_text``: a statement at N = 128 has
    600,000 slots); ``symbol_text_reference`` otherwise, and for a name that is not ASCII or holds '@'
    (which could collide with a renamed repeat).
    """
    lib = witness_lib()
    text = None if lib is None else lib.symbol_text(circuit_name, slot_names, n_wires)
    return symbol_text_reference(circuit_name, slot_names, n_wires) if text is None else text


def symbol_text_reference(circuit_name: str, slot_names: Sequence[str], n_wires: int) -> bytes:
    return "".join(f"{line}\n" for line in symbol_lines_reference(circuit_name, slot_names, n_wires)).encode()


def symbol_lines_reference(circuit_name: str, slot_names: Sequence[str], n_wires: int) -> Iterator[str]:
    """The definition, slot by slot: component ids in order of first appearance, repeats renamed."""
    components: dict[str, int] = {"": 0}
    seen: set[str] = set()
    for slot in range(1, len(slot_names)):
        path = slot_names[slot]
        parent = path.rpartition("/")[0]
        component = components.setdefault(parent, len(components))
        name = f"{circuit_name}.{path.replace('/', '.')}"
        if name in seen:
            name = f"{name}@{slot}"
        seen.add(name)
        yield f"{slot},{slot if slot < n_wires else -1},{component},{name}"
