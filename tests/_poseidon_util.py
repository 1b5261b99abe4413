"""circomlibjs as the independent Poseidon reference: many hashes for one node start-up."""

from __future__ import annotations

import json
from collections.abc import Sequence

from conftest import run_node

# Reads a JSON list of input vectors from argv, prints circomlibjs buildPoseidon() of each.
_SCRIPT = """
const {buildPoseidon} = require('circomlibjs');
(async () => {
  const poseidon = await buildPoseidon();
  const vectors = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  const out = vectors.map(v => poseidon.F.toString(poseidon(v.map(BigInt))));
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})();
"""


def circomlibjs_poseidon(vectors: Sequence[Sequence[int]], workdir) -> list[int]:
    """circomlibjs ``poseidon(v)`` for every input vector, computed in a single node process."""
    path = workdir / "poseidon_vectors.json"
    path.write_text(json.dumps([[str(x) for x in v] for v in vectors]))
    return [int(x) for x in json.loads(run_node(_SCRIPT, str(path)))]
