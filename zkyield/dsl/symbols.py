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


def symbol_lines(circuit_name: str, slot_names: Sequence[str], n_wires: int) -> list[str]:
    """One line per named slot (label id = slot); a slot at or past ``n_wires`` is not a wire (varIdx -1).

    The same lines as ``symbol_lines_reference``, a pass per column instead of a loop per slot: a
    statement at N = 128 has 600,000 slots. A name holding '@' could collide with a renamed repeat, so
    then the reference's sequential renaming runs instead.
    """
    parts = [name.rpartition("/") for name in slot_names[1:]]
    parents = dict.fromkeys([""] + [parent for parent, _, _ in parts])  # first appearance order, "" = 0
    dotted = {p: (i, f"{circuit_name}.{p.replace('/', '.')}" if p else circuit_name) for i, p in enumerate(parents)}
    names = [f"{dotted[parent][1]}.{leaf}" for parent, _, leaf in parts]
    if any("@" in name for name in names):
        return list(symbol_lines_reference(circuit_name, slot_names, n_wires))
    first: dict[str, int] = {}
    for slot, name in enumerate(names, 1):
        if first.setdefault(name, slot) != slot:
            names[slot - 1] = f"{name}@{slot}"
    return [f"{slot},{slot if slot < n_wires else -1},{dotted[part[0]][0]},{name}"
            for slot, (part, name) in enumerate(zip(parts, names, strict=True), 1)]


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
