"""The two front ends serve one OpenAPI document, and each one's routing is exactly what it documents."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.routing import Route
from swagger_ui_bundle import swagger_ui_path

from fastapi_app.app import create_app as create_fastapi
from fastapi_app.docs import ASSETS_PATH, DOCS_PATH
from flask_app.app import create_app as create_flask
from shared_model import Predictor
from shared_model.openapi import openapi_document
from tests.http.conftest import TEST_SETTINGS, open_client

IMPLIED_METHODS = {"HEAD", "OPTIONS"}  # HEAD comes with every GET in both stacks; neither documents it
DOCS_UI = {DOCS_PATH}  # FastAPI's Swagger UI page is a view of the document, not part of it
# Flask's endpoints that are pages for people, not the API: the page, its CSS, and the Swagger UI page.
PAGES_FOR_PEOPLE = {"page", "static", "docs"}
FLASK_PARAMETER = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]+)>")  # Flask's `<name>` is OpenAPI's `{name}`


def normalised(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True)


def documented_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def test_both_front_ends_serve_the_same_document(predictor: Predictor):
    served = {}
    for front_end in ("flask", "fastapi"):
        for client in open_client(front_end, predictor):
            served[front_end] = client.request("GET", "/openapi.json").json()
    assert normalised(served["flask"]) == normalised(served["fastapi"])
    assert served["flask"] == openapi_document(predictor.spec, TEST_SETTINGS.MAX_BATCH)
    assert served["flask"]["openapi"].startswith("3.1")


def test_flask_routing_matches_the_document(loan: Predictor):
    app = create_flask(loan, TEST_SETTINGS)
    routed = {
        (FLASK_PARAMETER.sub(r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] not in PAGES_FOR_PEOPLE
        for method in (rule.methods or set()) - IMPLIED_METHODS
    }
    assert routed == documented_routes(openapi_document(loan.spec, 5))


def test_fastapi_routing_matches_the_document(loan: Predictor):
    app = create_fastapi(loan, TEST_SETTINGS)
    routed = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route) and route.path not in DOCS_UI
        for method in (route.methods or set()) - IMPLIED_METHODS
    }
    assert routed == documented_routes(openapi_document(loan.spec, 5))


@pytest.mark.parametrize("front_end", ["flask", "fastapi"])
def test_docs_work_offline(front_end: str, loan: Predictor):
    for client in open_client(front_end, loan):
        page = client.request("GET", DOCS_PATH)
        assert page.status == 200
        html = page.body.decode()
        assert "http://" not in html  # no CDN
        assert "https://" not in html
        assert "/openapi.json" in html
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert f"{ASSETS_PATH}/{asset}" in html
            served = client.request("GET", f"{ASSETS_PATH}/{asset}")
            assert served.status == 200
            assert served.body == (swagger_ui_path / asset).read_bytes()


def test_flask_docs_serve_nothing_outside_the_bundle(loan: Predictor):
    for client in open_client("flask", loan):
        for path in (
            "/docs/assets/../../__init__.py",
            "/docs/assets/%2e%2e/__init__.py",
            "/docs/assets/nope.js",
        ):
            answer = client.request("GET", path)
            assert answer.status == 404, path
            assert answer.json()["error"]["code"] == "not_found"


def test_the_swagger_ui_files_read_openapi_3_1(loan: Predictor):
    # Swagger UI reads OpenAPI 3.1 from 5.0 on; the 4.15.5 of swagger-ui-bundle 1.1.0 showed both front ends'
    # /docs as "Unable to render this definition" in Chromium (tests/flask_app/test_browser.py renders Flask's).
    version = swagger_ui_path.name.removeprefix("swagger-ui-")
    assert int(version.split(".")[0]) >= 5, swagger_ui_path
    assert openapi_document(loan.spec, 5)["openapi"].startswith("3.1")
