"""The two front ends serve one OpenAPI document, and each one's routing is exactly what it documents."""

from __future__ import annotations

import json
from typing import Any

from starlette.routing import Route

from fastapi_app.app import create_app as create_fastapi
from fastapi_app.docs import ASSETS_PATH, DOCS_PATH
from flask_app.app import create_app as create_flask
from shared_model import Predictor
from shared_model.openapi import openapi_document
from tests.http.conftest import TEST_SETTINGS, open_client

IMPLIED_METHODS = {"HEAD", "OPTIONS"}  # HEAD comes with every GET in both stacks; neither documents it
DOCS_UI = {DOCS_PATH}  # FastAPI's Swagger UI page is a view of the document, not part of it


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
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
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


def test_fastapi_docs_work_offline(loan: Predictor):
    for client in open_client("fastapi", loan):
        page = client.request("GET", DOCS_PATH)
        assert page.status == 200
        html = page.body.decode()
        assert "http://" not in html  # no CDN
        assert "https://" not in html
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert f"{ASSETS_PATH}/{asset}" in html
            assert client.request("GET", f"{ASSETS_PATH}/{asset}").status == 200
