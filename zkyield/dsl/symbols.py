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


def symbol_lines(circuit_name: str, slot_names: Sequence[str], n_wires: int) -> Iterator[str]:
    """One line per named slot (label id = slot); a slot at or past ``n_wires`` is not a wire (varIdx -1)."""
    # parent scope path -> (component index, its dotted name): consecutive slots mostly share a parent
    components: dict[str, tuple[int, str]] = {"": (0, circuit_name)}
    seen: set[str] = set()
    for slot in range(1, len(slot_names)):
        parent, _, leaf = slot_names[slot].rpartition("/")
        known = components.get(parent)
        if known is None:
            known = components[parent] = (len(components), f"{circuit_name}.{parent.replace('/', '.')}")
        component, dotted = known
        name = f"{dotted}.{leaf}"
        if name in seen:
            name = f"{name}@{slot}"
        seen.add(name)
        yield f"{slot},{slot if slot < n_wires else -1},{component},{name}"
