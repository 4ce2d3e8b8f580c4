"""The contract served by Flask: an app factory, one blueprint, one error translator; gunicorn in production."""

from flask_app.app import create_app

__all__ = ["create_app"]
