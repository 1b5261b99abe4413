"""The cyclic collector pause around circuit builds: off inside, restored after, nesting and errors."""

from __future__ import annotations

import gc
import json

import pytest

from zkyield.gc_pause import collector_paused


def test_the_collector_is_off_inside_and_back_after_even_on_an_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block leaves the outer's pause alone
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_compile_statement_builds_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the pause is for: the builder runs with no cyclic collection, and the caller's state returns."""
    from zkyield import api
    from zkyield.circuits.models import example, load_policy
    from zkyield.families import PORTFOLIO_FAMILY

    seen = []
    original = type(PORTFOLIO_FAMILY).compile

    def spy(self, *args, **kwargs):
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(PORTFOLIO_FAMILY), "compile", spy)
    api.compile_statement(load_policy(json.loads(example("demo")[2].read_text())), positions=1, assets=1)
    assert seen == [False] and gc.isenabled()


def test_compile_in_process_leaves_the_collector_on(tmp_path) -> None:
    """Only a console process (``zkyield.cli.main.main``) ends with the command and may leave the
    collector off; `compile` through click's runner must give the caller its collector back."""
    from click.testing import CliRunner

    from zkyield.circuits.models import example
    from zkyield.cli.main import cli

    res = CliRunner().invoke(cli, ["compile", str(example("demo")[2]), "-n", "1", "-m", "1", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert gc.isenabled()
