"""Settings: read once from `SERVEBENCH_*` environment variables, typed, frozen, failing loudly by name."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

ENV_PREFIX = "SERVEBENCH_"
DEFAULT_PORTS: dict[str, int] = {"flask": 5000, "fastapi": 8000, "streamlit": 8501}
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
SECRET_VARIABLES = {f"{ENV_PREFIX}SECRET_KEY"}


class SettingsError(ValueError):
    """A `SERVEBENCH_*` variable holds a value that cannot be used; the message names the variable."""


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Settings(BaseModel):
    """Everything a front end may be told by its environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    MODEL: str = Field("loan", min_length=1)
    # Which library predicts: scikit-learn, or onnxruntime on the model's ONNX conversion (scikit-learn if it has none).
    RUNTIME: Literal["sklearn", "onnx"] = "sklearn"
    # Types a `.skops` model file may construct beyond shared_model.secure_format.TRUSTED_TYPES (comma-separated).
    SKOPS_TRUSTED: tuple[str, ...] = ()
    HOST: str = Field("127.0.0.1", min_length=1)
    PORT: int | None = Field(None, ge=1, le=65535)
    WORKERS: int = Field(default_factory=_default_workers, ge=1, le=64)
    # Ray Serve (`python -m ray_serve`): replicas of the FastAPI app, one CPU each.
    REPLICAS: int = Field(2, ge=1, le=64)
    MAX_BODY_BYTES: int = Field(1024 * 1024, ge=1024)
    MAX_BATCH: int = Field(1000, ge=1)
    MAX_INFLIGHT: int = Field(16, ge=1, le=10_000)
    # How long a prediction may wait in a queue once one stands (twice that at most): shared_model.admission.
    MAX_QUEUE_MS: float = Field(25.0, gt=0, le=60_000)
    # `--variant batched` only (shared_model.batching): rows in one predict call, and how long the oldest waits.
    BATCH_MAX: int = Field(16, ge=1, le=10_000)
    BATCH_WAIT_MS: float = Field(0.0, ge=0, le=10_000)
    CORS_ORIGINS: tuple[str, ...] = ()
    # The feature store of a spec with stored features (redis://HOST:PORT/DB), its timeout and pool size per process.
    STORE_URL: str | None = Field(None, pattern=r"^rediss?://")
    STORE_TIMEOUT_MS: float = Field(200.0, gt=0, le=60_000)
    STORE_CONNECTIONS: int = Field(16, ge=1, le=10_000)
    LOG_LEVEL: LogLevel = "INFO"
    # Signs the Flask page's session cookie and CSRF tokens; every worker of a server needs the same one.
    SECRET_KEY: SecretStr | None = Field(None, min_length=32)

    @field_validator("CORS_ORIGINS", "SKOPS_TRUSTED", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def port_for(self, front_end: str) -> int:
        """The port to bind: `SERVEBENCH_PORT` when set, else the front end's default."""
        return self.PORT if self.PORT is not None else DEFAULT_PORTS[front_end]


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `environ` (default: the process environment); raise SettingsError naming the variable."""
    source = os.environ if environ is None else environ
    values = {
        key.removeprefix(ENV_PREFIX): value for key, value in source.items() if key.startswith(ENV_PREFIX)
    }
    known = {name: values[name] for name in Settings.model_fields if name in values}
    try:
        return Settings.model_validate(known)
    except ValidationError as error:
        first = error.errors()[0]
        name = f"{ENV_PREFIX}{first['loc'][0]}" if first["loc"] else ENV_PREFIX
        value = values.get(name.removeprefix(ENV_PREFIX))
        shown = "<hidden>" if name in SECRET_VARIABLES else repr(value)  # a secret is not written to logs
        raise SettingsError(f"{name}={shown}: {first['msg']}") from None
