"""How `streamlit run` is started: every production option spelled out, and the variants the benchmarks compare."""

# file concern: server_config

from __future__ import annotations

import sys
from pathlib import Path

from shared_model import Settings
from shared_model.http import MIB, upload_limit_bytes

APP_PATH = Path(__file__).with_name("app.py")
SHIPPED = "shipped"
STOCK = "default"
VARIANTS = (SHIPPED, STOCK)
# The largest message the server sends is the page holding a MAX_BATCH-row table (about 0.1 MB for the loan
# model); 16 MB leaves room for wide models while bounding what one websocket frame may cost (default 200 MB).
MAX_MESSAGE_MB = 16
# A closed tab's session (its state and uploads, ~1 MiB) is kept this long for a reconnect (default 120 s).
DISCONNECTED_SESSION_TTL_S = 60
LOGGER_LEVELS = {
    "DEBUG": "debug",
    "INFO": "info",
    "WARNING": "warning",
    "ERROR": "error",
    "CRITICAL": "error",
}


def server_options(settings: Settings, variant: str = SHIPPED) -> dict[str, str]:
    """The `--section.option value` pairs for `streamlit run`; `default` is Streamlit's own apart from the bind."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    options = {
        "server.headless": "true",
        "server.address": settings.HOST,
        "server.port": str(settings.port_for("streamlit")),
    }
    if variant == STOCK:
        return options
    return options | {
        # The same file limit as the Flask page's: the HTTP body limit (SERVEBENCH_MAX_BODY_BYTES) in whole MiB.
        "server.maxUploadSize": str(upload_limit_bytes(settings.MAX_BODY_BYTES) // MIB),
        "server.maxMessageSize": str(MAX_MESSAGE_MB),
        "server.enableXsrfProtection": "true",
        "server.enableCORS": "true",
        "server.disconnectedSessionTTL": str(DISCONNECTED_SESSION_TTL_S),
        # No reloading of edited code in production, and no thread watching the source tree.
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        # A failure shows a generic message; types, messages and tracebacks go to the log only.
        "client.showErrorDetails": "none",
        "client.toolbarMode": "viewer",
        # gc.collect() after every rerun costs ~60-85 ms once pandas and sklearn are loaded, holding the GIL.
        "runner.postScriptGC": "false",
        # The app writes only through explicit st calls; no bare expression may reach the page.
        "runner.magicEnabled": "false",
        "browser.gatherUsageStats": "false",
        "logger.level": LOGGER_LEVELS[settings.LOG_LEVEL],
    }


def streamlit_command(settings: Settings, variant: str = SHIPPED) -> list[str]:
    """The argv that runs the app under `streamlit run` with these settings, by this Python."""
    flags = [
        part for name, value in server_options(settings, variant).items() for part in (f"--{name}", value)
    ]
    return [sys.executable, "-m", "streamlit", "run", str(APP_PATH), *flags]
