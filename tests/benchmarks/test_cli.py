"""The benchmark commands' shared options: a server setting asked for on the command line is checked as a server
checks it, and only what was asked for reaches the servers."""

from __future__ import annotations

import argparse

import pytest

from benchmarks.cli import add_settings_option, chosen_settings


def settings_of(*arguments: str) -> dict[str, str]:
    parser = argparse.ArgumentParser(prog="benchmark")
    add_settings_option(parser)
    return chosen_settings(parser, parser.parse_args(list(arguments)).settings)


def test_no_setting_leaves_the_servers_as_shipped() -> None:
    assert settings_of() == {}


def test_settings_with_or_without_their_prefix_become_the_servers_variables() -> None:
    assert settings_of("--setting", "MAX_INFLIGHT=8", "--setting", "servebench_max_queue_ms=12.5") == {
        "SERVEBENCH_MAX_INFLIGHT": "8",
        "SERVEBENCH_MAX_QUEUE_MS": "12.5",
    }


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("MAX_INFLIGHT", "expected NAME=VALUE"),
        ("NO_SUCH_SETTING=1", "expected NAME=VALUE with NAME one of"),
        ("MAX_INFLIGHT=0", "SERVEBENCH_MAX_INFLIGHT='0': Input should be greater than or equal to 1"),
        ("PORT=8000", "the benchmark chooses PORT itself"),
    ],
)
def test_a_bad_setting_is_a_usage_error_that_names_it(
    capsys: pytest.CaptureFixture[str], argument: str, message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        settings_of("--setting", argument)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
