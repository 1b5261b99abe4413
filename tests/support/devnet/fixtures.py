"""The session's devnet (one anvil, one deployment, one scripted period), shared by every ingest test module.

Import the fixture into a test module (``from tests.support.devnet.fixtures import period  # noqa: F401``);
the chain is built once per session whichever module asks first, and anvil is stopped when the session ends.
"""

from __future__ import annotations

import json

import pytest

from zkyield.devnet import Anvil, anvil_path, deploy_world
from zkyield.devnet.scenario import Period, run_period
from zkyield.errors import InputError

_SHARED: dict[str, Period] = {}


def require_anvil() -> None:
    """Skip the test when the pinned anvil is not installed (no `npm ci`)."""
    try:
        anvil_path()
    except InputError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def period(request: pytest.FixtureRequest) -> Period:
    require_anvil()
    if "period" not in _SHARED:
        anvil = Anvil().start()
        request.addfinalizer(anvil.stop)
        _SHARED["period"] = run_period(deploy_world(anvil))
    return _SHARED["period"]


def write_inputs(period: Period, folder, **feeds_kw) -> tuple:
    """sources.json and feeds.json for the devnet's contracts, in ``folder``."""
    sources, feeds = folder / "sources.json", folder / "feeds.json"
    sources.write_text(json.dumps(period.world.sources()))
    feeds.write_text(json.dumps(period.world.feeds_file(**feeds_kw)))
    return sources, feeds
