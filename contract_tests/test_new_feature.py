"""Bring your own model: the loan spec plus one feature, retrained, served by every front end with no code change."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_tests.byom import build_loan_with_new_feature
from contract_tests.checks import check_batch, check_prediction, expect
from contract_tests.golden import edge_records, fixed_records, random_records
from contract_tests.http_clients import FlaskInProcess, HttpxFrontEnd, starlette_test_client
from contract_tests.reference import ReferenceFrontEnd
from contract_tests.streamlit_clients import StreamlitAppTest
from contract_tests.suite import failed_clauses
from shared_model import load_model, load_settings

UI_RECORDS = 12
UI_BATCH = 60


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_loan_with_new_feature(tmp_path_factory.mktemp("byom"))


@pytest.mark.clause("byom.new_feature")
def test_new_feature_needs_no_code_change(byom_target, artifact, monkeypatch):
    # The front ends are built exactly as their launchers build them: from SERVEBENCH_MODEL, nothing else.
    monkeypatch.setenv("SERVEBENCH_MODEL", str(artifact))
    reference = ReferenceFrontEnd(load_model(str(artifact)), load_settings())
    spec = reference.predictor.spec
    expect("has_cosigner" in spec.feature_names, "the copy lacks its new feature")
    if byom_target.front_end == "streamlit":
        page = StreamlitAppTest(str(artifact))
        for record in fixed_records(spec) + edge_records(spec) + random_records(spec, UI_RECORDS, 1):
            check_prediction(page, reference, record)
        check_batch(page, reference, random_records(spec, UI_BATCH, 2))
        return
    if byom_target.front_end == "flask":
        from flask_app.app import create_app as create_flask_app

        failed = failed_clauses(FlaskInProcess(create_flask_app(), str(artifact)), reference)
    else:
        from fastapi_app.app import create_app as create_fastapi_app

        with starlette_test_client(create_fastapi_app()) as test_client:
            client = HttpxFrontEnd("fastapi", "inprocess", str(artifact), test_client)
            failed = failed_clauses(client, reference)
    expect(not failed, "clauses failed for the retrained model:\n" + "\n".join(failed.values()))
