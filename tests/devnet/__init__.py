"""A real devnet for the ingest tests and benchmarks: anvil on loopback and the protocols' own contracts.

Importable without conftest (``from devnet import ...`` with tests/ on sys.path, or ``tests.devnet``), so the
benchmarks can start the same chain.
"""

from .anvil import ANVIL, Anvil
from .world import World, deploy_world

__all__ = ["ANVIL", "Anvil", "World", "deploy_world"]
