"""BLAKE-512 (the SHA-3 finalist) against npm blake-hash, circomlibjs's implementation, across padding edges."""

from __future__ import annotations

import json
import random

import pytest

from tests.support.tools import run_node
from zkyield.blake512 import blake512

_JS = """
const createBlakeHash = require('blake-hash');
const inputs = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const digest = h => createBlakeHash('blake512').update(Buffer.from(h, 'hex')).digest('hex');
process.stdout.write(JSON.stringify(inputs.map(digest)));
"""

# Padding edges: one byte short of / at / past the point where the length no longer fits the block.
LENGTHS = (0, 1, 3, 32, 55, 64, 110, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257, 1000)


def test_blake512_equals_npm_blake_hash(tmp_path) -> None:
    rng = random.Random(512)
    inputs = [bytes(rng.randrange(256) for _ in range(n)) for n in LENGTHS]
    inputs += [b"\xff" * 111, b"\x00" * 112, b"abc"]
    path = tmp_path / "in.json"
    path.write_text(json.dumps([x.hex() for x in inputs]))
    expected = json.loads(run_node(_JS, str(path)))
    assert [blake512(x).hex() for x in inputs] == expected


def test_published_empty_message_digest() -> None:
    # The BLAKE submission's BLAKE-512("") (also in the blake-hash test vectors); not BLAKE2b's.
    assert blake512(b"").hex() == (
        "a8cfbbd73726062df0c6864dda65defe58ef0cc52a5625090fa17601e1eecd1b"
        "628e94f396ae402a00acc9eab77b4d4c2e852aaaa25a636d80af3fc7913ef5b8"
    )


@pytest.mark.parametrize("n", [111, 112])
def test_every_bit_of_the_input_matters(n: int) -> None:
    base = bytes(range(n))
    digest = blake512(base)
    for i in (0, n // 2, n - 1):
        flipped = bytearray(base)
        flipped[i] ^= 1
        assert blake512(bytes(flipped)) != digest
    assert blake512(base + b"\x00") != digest
