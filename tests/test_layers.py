"""No module imports a higher layer than its own (docs/ARCHITECTURE.md's layer table, in order here).

Every import counts, the ones inside functions too: a lazy import upward is still a dependency upward.
A new top-level module must be placed in ``LAYERS`` (and in the table) before this test passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [  # lowest first; one entry per row of the table
    ["errors", "gc_pause"],
    ["field", "curve", "pairing", "poly", "msm", "sparse_msm", "fixed_base", "poseidon", "poseidon_constants",
     "merkle", "babyjub", "eddsa", "blake512", "_native"],
    ["r1cs"],
    ["groth16"],
    ["formats"],
    ["ceremony"],
    ["dsl", "gadgets"],
    ["circuits"],
    ["verifier"],
    ["ingest", "devnet"],
    ["api", "statement", "families", "build_folder", "verification", "head_records", "registry_records",
     "attestor_records", "report",
     "batch", "cli", "__init__"],
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}
MAPPED = ("circuits", "verifier", "cli")  # folders installed as zkyield.<name>


def _sources() -> list[tuple[Path, str]]:
    out = [(p, p.relative_to(ROOT / "zkyield").parts[0].removesuffix(".py")) for p in (ROOT / "zkyield").rglob("*.py")]
    for folder in MAPPED:
        out += [(p, folder) for p in (ROOT / folder).rglob("*.py") if "foundry" not in p.parts]
    return out


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            if node.module == "zkyield":
                found += [(node.lineno, f"zkyield.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name.split(".")[1]) for line, name in found if name.startswith("zkyield.")]


def test_every_module_has_a_layer() -> None:
    assert {layer for _path, layer in _sources()} <= set(RANK)


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports zkyield.{target}"
        for path, layer in _sources()
        for line, target in _imported(ast.parse(path.read_text()))
        if target in RANK and RANK[target] > RANK[layer]
    ]
    assert upward == []
