"""The benchmarks' shared command line: --help answers before any work starts."""

from __future__ import annotations

import pytest

from bench.report import command_line


def test_help_prints_the_benchmarks_description_and_stops(capsys):
    with pytest.raises(SystemExit) as stopped:
        command_line("Map benchmark: what it measures.", ["--help"])
    assert stopped.value.code == 0
    assert "Map benchmark: what it measures." in capsys.readouterr().out


def test_an_unknown_argument_stops_with_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        command_line("A benchmark.", ["--sizes", "10"])
    assert stopped.value.code == 2
    assert "unrecognized arguments: --sizes 10" in capsys.readouterr().err


def test_no_argument_lets_the_benchmark_run():
    command_line("A benchmark.", [])  # returns: nothing to refuse
