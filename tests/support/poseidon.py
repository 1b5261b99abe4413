"""circomlibjs as the independent Poseidon reference: many hashes for one node start-up."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from tests.support.tools import run_node

# The expression gets `input` (JSON from a file) and `H(list of decimal strings) -> decimal string`
# (circomlibjs buildPoseidon); its value is printed as JSON.
_SCRIPT = """
const {buildPoseidon} = require('circomlibjs');
(async () => {
  const poseidon = await buildPoseidon();
  const H = v => poseidon.F.toString(poseidon(v.map(BigInt)));
  const input = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  const result = (EXPRESSION);
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
})();
"""


def run_circomlibjs(expression: str, payload: object, workdir: Path) -> object:
    """Evaluate a JS ``expression`` over ``input`` = payload with circomlibjs's Poseidon as ``H``."""
    path = workdir / "circomlibjs_input.json"
    path.write_text(json.dumps(payload))
    return json.loads(run_node(_SCRIPT.replace("EXPRESSION", expression), str(path)))


def circomlibjs_poseidon(vectors: Sequence[Sequence[int]], workdir: Path) -> list[int]:
    """circomlibjs ``poseidon(v)`` for every input vector, computed in a single node process."""
    out = run_circomlibjs("input.map(H)", [[str(x) for x in v] for v in vectors], workdir)
    return [int(x) for x in out]
