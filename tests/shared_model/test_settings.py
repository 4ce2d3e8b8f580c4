"""Settings: read once from SERVEBENCH_* variables, typed and frozen; a bad value fails naming its variable."""

from __future__ import annotations

import pydantic
import pytest

from shared_model.settings import DEFAULT_PORTS, SettingsError, load_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert (settings.MODEL, settings.HOST, settings.PORT) == ("loan", "127.0.0.1", None)
    assert (settings.MAX_BODY_BYTES, settings.MAX_BATCH, settings.CORS_ORIGINS) == (1024 * 1024, 1000, ())
    assert settings.LOG_LEVEL == "INFO"
    assert settings.WORKERS >= 1
    assert {name: settings.port_for(name) for name in DEFAULT_PORTS} == {
        "flask": 5000,
        "fastapi": 8000,
        "streamlit": 8501,
    }


def test_values_are_read_and_cast_from_the_environment() -> None:
    settings = load_settings(
        {
            "SERVEBENCH_MODEL": "/models/mine.joblib",
            "SERVEBENCH_PORT": "9000",
            "SERVEBENCH_WORKERS": "2",
            "SERVEBENCH_MAX_BATCH": "50",
            "SERVEBENCH_CORS_ORIGINS": "https://a.example, https://b.example",
            "SERVEBENCH_LOG_LEVEL": "debug",
            "UNRELATED": "x",
        }
    )
    assert settings.port_for("flask") == 9000
    assert settings.port_for("streamlit") == 9000
    assert (settings.MODEL, settings.WORKERS, settings.MAX_BATCH) == ("/models/mine.joblib", 2, 50)
    assert settings.CORS_ORIGINS == ("https://a.example", "https://b.example")
    assert settings.LOG_LEVEL == "DEBUG"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SERVEBENCH_PORT", "eighty"),
        ("SERVEBENCH_PORT", "70000"),
        ("SERVEBENCH_WORKERS", "0"),
        ("SERVEBENCH_MAX_BODY_BYTES", "1.5"),
        ("SERVEBENCH_MAX_BATCH", "-1"),
        ("SERVEBENCH_LOG_LEVEL", "chatty"),
        ("SERVEBENCH_MODEL", ""),
    ],
)
def test_a_bad_value_fails_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    assert str(caught.value).startswith(f"{variable}={value!r}: ")


def test_settings_are_frozen() -> None:
    settings = load_settings({})
    with pytest.raises(pydantic.ValidationError):
        settings.MAX_BATCH = 5


def test_the_secret_key_is_hidden_when_read_and_when_refused() -> None:
    key = "s" * 40
    settings = load_settings({"SERVEBENCH_SECRET_KEY": key})
    assert settings.SECRET_KEY is not None
    assert settings.SECRET_KEY.get_secret_value() == key
    assert key not in repr(settings)
    assert load_settings({}).SECRET_KEY is None
    with pytest.raises(SettingsError) as caught:
        load_settings({"SERVEBENCH_SECRET_KEY": "short-secret"})
    assert str(caught.value).startswith("SERVEBENCH_SECRET_KEY=<hidden>: ")
    assert "short-secret" not in str(caught.value)
