"""The contract suite's wiring: `--mode`, hypothesis profiles, the `client` fixture, and the clause table.

Every test is marked `@pytest.mark.clause("id")` and takes `client` (one adapter) or `pair` (both HTTP front ends);
it is generated only for the targets where its clause applies, so a clause that does not apply never appears as a
skip — it shows as n/a in the table printed at the end and written to `contract_tests/results/latest.json`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

from contract_tests.byom import NAME as BYOM_MODEL
from contract_tests.clauses import BATCHED, CLAUSE_BY_ID, FRONT_ENDS, MODES, ONNX
from contract_tests.clients import FrontEnd
from contract_tests.fleet import Fleet, Target
from contract_tests.plugin import add_options
from contract_tests.reference import ReferenceFrontEnd
from contract_tests.table import ClauseTable
from shared_model import BUILTIN_MODELS

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run, so `make test` cannot flake on a rare draw
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "deep", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
TABLE_KEY = pytest.StashKey[ClauseTable]()
PROFILE_KEY = pytest.StashKey[str]()


@dataclass(frozen=True, slots=True)
class Pair:
    """Both HTTP front ends in one mode for one model, for the tests that compare them with each other."""

    mode: str
    model: str

    def targets(self) -> tuple[Target, Target]:
        return Target("flask", self.mode, self.model), Target("fastapi", self.mode, self.model)

    def __str__(self) -> str:
        return str(self.targets()[0]).replace("flask-", "flask+fastapi-", 1)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clause(id): the contract clause a contract test checks")
    # Only the contract suite's own @given tests take this profile (see golden_settings); others keep theirs.
    config.stash[PROFILE_KEY] = config.getoption("hypothesis_profile", None) or "ci"
    config.stash[TABLE_KEY] = ClauseTable(selected_modes(config), contract_models(config))


def selected_modes(config: pytest.Config) -> tuple[str, ...]:
    mode = config.getoption("--mode")
    return MODES if mode == "both" else (mode,)


def contract_models(config: pytest.Config) -> tuple[str, ...]:
    """The models named by `--models`; else every built-in model, plus SERVEBENCH_MODEL when it names another."""
    chosen = config.getoption("--models")
    if chosen:
        return tuple(name.strip() for name in chosen.split(",") if name.strip())
    user = os.environ.get("SERVEBENCH_MODEL", "").strip()
    return (*BUILTIN_MODELS, user) if user and user not in BUILTIN_MODELS else BUILTIN_MODELS


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("clause")
    if marker is None:
        return
    clause = CLAUSE_BY_ID[marker.args[0]]
    modes = selected_modes(metafunc.config)
    models = contract_models(metafunc.config)
    if "client" in metafunc.fixturenames:
        targets = [
            Target(front_end, mode, model)
            for mode in modes
            for front_end in FRONT_ENDS
            for model in models
            if clause.applies(front_end, mode) and not _spared(front_end, mode, model, models)
        ]
        metafunc.parametrize("client", targets, ids=str, indirect=True, scope="session")
    elif "byom_target" in metafunc.fixturenames:
        byom = [
            Target(front_end, mode, BYOM_MODEL)
            for mode in modes
            for front_end in FRONT_ENDS
            if clause.applies(front_end, mode)
        ]
        metafunc.parametrize("byom_target", byom, ids=str)
    elif "pair" in metafunc.fixturenames:
        pairs = [Pair(mode, model) for mode in modes for model in models if clause.applies("flask", mode)]
        metafunc.parametrize("pair", pairs, ids=str, scope="session")


def _spared(front_end: str, mode: str, model: str, models: tuple[str, ...]) -> bool:
    # A batched variant runs live on the first model only (the benchmark's, under `--models`): each live start
    # costs seconds, and in-process covers every model. The ONNX runtime runs live once (FastAPI, the first model),
    # to prove the launcher passes SERVEBENCH_RUNTIME on.
    if front_end in ONNX and mode == "live":
        return front_end != "fastapi-onnx" or model != models[0]
    return front_end in BATCHED and mode == "live" and model != models[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A clause with no target in the selected modes (say, in-process only under `--mode live`) does not apply:
    # its tests are deselected and counted as such, rather than reported as skipped.
    empty = [
        item for item in items if any(_is_empty_parameter_set(mark) for mark in item.iter_markers("skip"))
    ]
    if empty:
        config.hook.pytest_deselected(items=empty)
        deselected = set(empty)
        items[:] = [item for item in items if item not in deselected]


def _is_empty_parameter_set(mark: pytest.Mark) -> bool:
    return str(mark.kwargs.get("reason", "")).startswith("got empty parameter set")


@pytest.fixture(scope="session")
def fleet(pytestconfig: pytest.Config) -> Iterator[Fleet]:
    """Every adapter of the session; live servers start on first use and all stop at the end, also on failure."""
    built = Fleet(fastapi_server=pytestconfig.getoption("--fastapi-server"))
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="session")
def client(request: pytest.FixtureRequest, fleet: Fleet) -> FrontEnd:
    """The front end under test (its target is the test's parameter)."""
    target: Target = request.param
    return fleet.front_end(target)


@pytest.fixture
def reference(client: FrontEnd, fleet: Fleet) -> ReferenceFrontEnd:
    """shared_model in-process for the model the client serves."""
    return fleet.reference(client.model)


@pytest.fixture(scope="session")
def golden_settings(pytestconfig: pytest.Config) -> settings:
    """Hypothesis settings for the suite's @given tests: `ci` unless --hypothesis-profile chose another."""
    return settings.get_profile(pytestconfig.stash[PROFILE_KEY])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    marker = item.get_closest_marker("clause")
    callspec = getattr(item, "callspec", None)
    if marker is None or callspec is None:
        return report
    targets: list[Target] = []
    for value in callspec.params.values():
        if isinstance(value, Target):
            targets.append(value)
        elif isinstance(value, Pair):
            targets.extend(value.targets())
    table = item.config.stash[TABLE_KEY]
    for target in targets:
        table.record(target, marker.args[0], report.when, report.outcome, report.duration)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    table = config.stash.get(TABLE_KEY, None)
    if table is None or not table.has_results():
        return
    started = time.perf_counter()
    path = table.write(profile=config.stash[PROFILE_KEY])
    terminalreporter.write_sep("=", "contract: front end x clause")
    for line in table.render():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"written to {path} ({time.perf_counter() - started:.2f} s)")
