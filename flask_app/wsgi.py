"""The WSGI entry point gunicorn imports: `flask_app.wsgi:app`, configured from SERVEBENCH_* settings."""

# file concern: server_config

from __future__ import annotations

import logging

from flask_app.app import create_app
from shared_model import load_settings

settings = load_settings()
# concern: observability
logging.basicConfig(
    level=settings.LOG_LEVEL, format="%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
)
app = create_app(settings=settings)
