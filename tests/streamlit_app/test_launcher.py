"""`python -m streamlit_app`: every production option passed explicitly, variants, settings failing by name."""

from __future__ import annotations

import sys

import pytest
from streamlit.web import bootstrap

from shared_model import load_settings
from streamlit_app import __main__ as launcher
from streamlit_app.server import APP_PATH, server_options, streamlit_command

BIND = {"server.headless": "true", "server.address": "127.0.0.1", "server.port": "8501"}


def test_the_shipped_variant_spells_out_every_production_option() -> None:
    assert server_options(load_settings({})) == {
        **BIND,
        "server.maxUploadSize": "1",
        "server.maxMessageSize": "16",
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "server.disconnectedSessionTTL": "60",
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        "client.showErrorDetails": "none",
        "client.toolbarMode": "viewer",
        "runner.postScriptGC": "false",
        "runner.magicEnabled": "false",
        "browser.gatherUsageStats": "false",
        "logger.level": "info",
    }


def test_the_default_variant_is_streamlit_s_own_apart_from_the_bind() -> None:
    assert server_options(load_settings({}), "default") == BIND


def test_settings_choose_host_port_upload_limit_and_log_level() -> None:
    environ = {
        "SERVEBENCH_HOST": "127.0.0.2",
        "SERVEBENCH_PORT": "9123",
        "SERVEBENCH_MAX_BODY_BYTES": str(3 * 1024 * 1024 + 1),
        "SERVEBENCH_LOG_LEVEL": "critical",
    }
    options = server_options(load_settings(environ))
    assert (options["server.address"], options["server.port"]) == ("127.0.0.2", "9123")
    assert (options["server.maxUploadSize"], options["logger.level"]) == ("4", "error")


def test_the_command_runs_the_app_by_this_python() -> None:
    command = streamlit_command(load_settings({"SERVEBENCH_PORT": "9000"}), "default")
    assert command == [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        "9000",
    ]


def test_the_launcher_execs_streamlit(monkeypatch: pytest.MonkeyPatch) -> None:
    execs: list[tuple[str, list[str]]] = []
    monkeypatch.setattr("os.execv", lambda path, argv: execs.append((path, argv)))
    monkeypatch.setenv("SERVEBENCH_PORT", "9001")
    launcher.main(["--variant", "default"])
    assert execs == [(sys.executable, streamlit_command(load_settings(), "default"))]


def test_a_bad_setting_stops_the_launcher_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVEBENCH_PORT", "eighty")
    with pytest.raises(SystemExit) as stopped:
        launcher.main([])
    assert str(stopped.value.code).startswith("error: SERVEBENCH_PORT='eighty': ")


def test_an_unknown_variant_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        launcher.main(["--variant", "turbo"])
    assert stopped.value.code == 2
    assert "invalid choice: 'turbo'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown variant 'turbo'"):
        server_options(load_settings({}), "turbo")


def test_streamlit_serves_on_uvloop_which_sets_tcp_nodelay() -> None:
    # Streamlit binds its socket with proto 0, so asyncio's own loop would leave Nagle on (a ~40 ms stall per rerun
    # against a delayed ACK); uvloop sets TCP_NODELAY on every accepted socket. Streamlit picks uvloop by this
    # function: if an upgrade renames or drops it, this fails and the Nagle question is open again (METHOD.md).
    factory = bootstrap._get_uvloop_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
