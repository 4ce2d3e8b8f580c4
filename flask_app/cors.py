"""CORS for the configured origins only (off unless SERVEBENCH_CORS_ORIGINS is set); Flask has none built in."""

# file concern: cors

from __future__ import annotations

from flask import Flask, Response, request

from shared_model.http import CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, allow_header

ALLOWED_HEADERS = ", ".join(CORS_ALLOWED_HEADERS)
EXPOSED_HEADERS = ", ".join(CORS_EXPOSED_HEADERS)


def init_app(app: Flask, origins: tuple[str, ...]) -> None:
    """Answer preflights for routed paths and mark responses to allowed origins."""
    allowed = set(origins)

    def preflight() -> Response | None:
        origin = request.headers.get("Origin")
        asked = request.headers.get("Access-Control-Request-Method")
        if request.method != "OPTIONS" or asked is None or origin not in allowed:
            return None
        methods = _methods_of(app, request.path)
        if not methods:
            return None  # unknown path: the router's 404 stands
        response = Response(status=200)
        response.headers["Access-Control-Allow-Methods"] = allow_header(methods)
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_SECONDS)
        return response

    def mark(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            response.vary.add("Origin")
        return response

    app.before_request(preflight)
    app.after_request(mark)


def _methods_of(app: Flask, path: str) -> set[str]:
    return set(app.url_map.bind("localhost").allowed_methods(path))
