"""pytest fixtures over the devnet in ``zkyield.devnet`` (importable without conftest)."""
