"""A real devnet: anvil on loopback with the protocols' own contracts, and a scripted period on it.

Used by the ingest tests (``tests/devnet/fixtures.py``), ``benchmarks/bench_ingest.py`` and
``zkyield demo --devnet``. Needs the chain extra (web3) and the pinned npm packages (``npm ci``).
"""

from .anvil import Anvil, anvil_path
from .world import World, deploy_world

__all__ = ["Anvil", "World", "anvil_path", "deploy_world"]
