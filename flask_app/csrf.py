"""The page's forms: CSRF tokens (Flask-WTF), the key that signs them, and a bound on what a form may send."""

# file concern: ui

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, request
from flask_wtf.csrf import CSRFProtect

from flask_app import page
from shared_model import Settings

# Room for the multipart framing and the token beside a file of the largest size taken.
FORM_ROOM_BYTES = 64 * 1024


def init_app(app: Flask, settings: Settings, api: Blueprint) -> None:
    """Protect every form post but the API's; sign with SERVEBENCH_SECRET_KEY when it is set."""
    # Every worker of a server must sign with one key, or a token made by one is refused by the other:
    # `python -m flask_app` sets a random one per run when none is given, shared by all its workers. An app
    # built in process (tests, the benchmarks' in-process runs) is one process, so a key of its own serves.
    key = settings.SECRET_KEY
    app.config["SECRET_KEY"] = key.get_secret_value() if key else secrets.token_hex(32)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    def bound_form() -> None:
        # Before CSRFProtect's hook, which is the first to read the form: a larger body is refused unread (413).
        if request.blueprint == page.blueprint.name:
            request.max_content_length = page.upload_limit() + FORM_ROOM_BYTES

    app.before_request(bound_form)
    csrf = CSRFProtect(app)
    # The API takes only JSON bodies and no cookie or other credential a browser would add on its own: another
    # site's form can send it no JSON content type (415), and a script needs CORS, which is off unless configured.
    # A token would protect nothing, and API clients have none.
    csrf.exempt(api)
