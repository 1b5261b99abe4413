"""The stderr progress bar: drawn in place on a terminal, silent otherwise, always closed."""

from __future__ import annotations

import pytest

from zkyield.cli.context import ProgressBar, Settings


def test_bar_counts_steps_and_closes_its_line(capsys):
    with ProgressBar("prove", steps=2, enabled=True) as bar:
        bar("MSM for A")
        bar("MSM for B")
        bar("MSM for C")  # more steps than expected: the bar grows instead of overflowing
    err = capsys.readouterr().err
    assert "1/2 MSM for A" in err and "3/3 MSM for C" in err
    assert err.endswith("\n") and "done" in err.splitlines()[-1]


def test_disabled_bar_writes_nothing(capsys):
    with ProgressBar("setup", steps=4, enabled=False) as bar:
        bar("G2 points")
    assert capsys.readouterr() == ("", "")


def test_error_ends_the_bar_line(capsys):
    with pytest.raises(RuntimeError), ProgressBar("prove", steps=4, enabled=True) as bar:
        bar("MSM for A")
        raise RuntimeError
    err = capsys.readouterr().err
    assert err.endswith("\n") and "done" not in err


def test_quiet_or_non_terminal_disables_the_bar(capsys):
    assert not Settings(quiet=True).progress("prove").enabled
    assert not Settings().progress("prove").enabled  # pytest's captured stderr is not a terminal
