"""The page's forms: CSRF tokens (Flask-WTF), the key that signs them, and the session that holds them.

Only the page has forms, so only its requests open the signed session and check a token (`page.check_form`): an
API request pays for neither."""

# file concern: ui

from __future__ import annotations

import secrets

from flask import Blueprint, Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from shared_model import Settings


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session on the page's paths; elsewhere Flask's read-only null session."""

    def __init__(self, paths: frozenset[str]) -> None:
        self.paths = paths

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The session of a page request; None (Flask's null session, never saved) for any other."""
        return super().open_session(app, request) if request.path in self.paths else None

    def __repr__(self) -> str:
        return f"PageSessions(paths={sorted(self.paths)!r})"


def init_app(app: Flask, settings: Settings, page: Blueprint) -> None:
    """Protect every form post of the page (registered before), which checks from a hook of its own; sign with
    SERVEBENCH_SECRET_KEY when it is set.

    The API takes only JSON bodies and no cookie or other credential a browser would add on its own: another site's
    form can send it no JSON content type (415), and a script needs CORS, which is off unless configured. A token
    would protect nothing, and API clients have none.
    """
    # Every worker of a server must sign with one key, or a token made by one is refused by the other:
    # `python -m flask_app` sets a random one per run when none is given, shared by all its workers. An app
    # built in process (tests, the benchmarks' in-process runs) is one process, so a key of its own serves.
    key = settings.SECRET_KEY
    app.config["SECRET_KEY"] = key.get_secret_value() if key else secrets.token_hex(32)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["WTF_CSRF_CHECK_DEFAULT"] = (
        False  # Flask-WTF's switch for checking where `protect()` is called
    )
    prefix = f"{page.name}."
    app.session_interface = PageSessions(
        frozenset(rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(prefix))
    )
    CSRFProtect(app)
