"""Swagger UI at /docs from the files of the swagger-ui-bundle package (no CDN), as FastAPI serves it."""

# file concern: docs

from __future__ import annotations

from flask import Blueprint, Response, render_template, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

blueprint = Blueprint("docs", __name__)
DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"


@blueprint.get(DOCS_PATH)
def swagger_ui() -> str:
    """The Swagger UI page, reading the served OpenAPI document."""
    return render_template("docs.html", openapi_url=url_for("contract.openapi"), assets=ASSETS_PATH)


@blueprint.get(f"{ASSETS_PATH}/<path:name>")
def asset(name: str) -> Response:
    """One file of the bundle (send_from_directory refuses paths that leave its folder)."""
    return send_from_directory(swagger_ui_path, name)
