"""Health, the model card and request ids: the parts of the contract around the predictions."""

from __future__ import annotations

import pytest

from contract_tests.checks import check_health, check_model_card, check_request_id, expect
from contract_tests.clients import UI
from contract_tests.fleet import predictor_for


@pytest.mark.clause("health")
def test_health(client, reference):
    check_health(client, reference)


@pytest.mark.clause("model_card")
def test_model_card(client, reference):
    if client.kind == UI:
        check_shown_model_card(client)
    else:
        check_model_card(client, reference)


@pytest.mark.clause("headers.request_id")
def test_request_id(client):
    check_request_id(client)


def check_shown_model_card(client) -> None:
    """Streamlit's sidebar shows the card's name, version, task, checksum prefix and classes."""
    card = predictor_for(client.model).model_card()
    shown = client.model_card().json()
    expect(shown["header"] == f"Model {card['name']}", f"card header {shown['header']!r}")
    facts = [f"**version** {card['version']}", f"**task** {card['task']}", f"`{card['sha256'][:12]}`"]
    if "classes" in card:
        facts.append(", ".join(str(label) for label in card["classes"]))
    missing = [fact for fact in facts if fact not in shown["facts"]]
    expect(not missing, f"the card shows {shown['facts']!r}, without {missing}")
    expect(shown["metrics"] == card["metrics"], f"card metrics {shown['metrics']} != {card['metrics']}")
