"""The WSGI entry point of `--variant batched`: `flask_app.wsgi_batched:app`, single predictions batched."""

# file concern: server_config

from __future__ import annotations

from flask_app.app import create_app
from shared_model import load_settings
from shared_model.logs import configure_logging

settings = load_settings()
# concern: observability
configure_logging(settings.LOG_LEVEL)
app = create_app(settings=settings, batched=True)
