"""The bad-input catalogue: each case's exact status, code and loc, identical across HTTP front ends, no worker lost."""

from __future__ import annotations

import pytest

from contract_tests.cases import BadCase, bad_cases, good_cases
from contract_tests.checks import (
    ContractViolation,
    check_bad_case,
    check_good_case,
    check_same_error,
    check_still_serving,
    expect,
)
from contract_tests.fleet import predictor_for, settings_for


def _cases(model: str) -> list[BadCase]:
    return bad_cases(predictor_for(model).spec, settings_for(model))


@pytest.mark.clause("errors.catalogue")
def test_catalogue(client, reference):
    failures = []
    for case in _cases(client.model):
        try:
            check_bad_case(client, reference, case)
        except ContractViolation as violation:
            failures.append(str(violation))
    # All cases run, then every failure is listed: one broken rule must not hide the others.
    expect(not failures, f"{len(failures)} catalogue cases failed:\n" + "\n".join(failures))


@pytest.mark.clause("errors.alive")
def test_still_serving_after_each_bad_request(client, reference):
    example = dict(predictor_for(client.model).spec.example_record())
    for case in _cases(client.model):
        client.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
        check_still_serving(client, reference, example)


@pytest.mark.clause("requests.unusual")
def test_unusual_valid_requests(client, reference):
    for case in good_cases(predictor_for(client.model).spec, settings_for(client.model)):
        check_good_case(client, reference, case)


@pytest.mark.clause("errors.identical")
def test_http_front_ends_answer_alike(pair, fleet):
    flask, fastapi = (fleet.front_end(target) for target in pair.targets())
    failures = []
    for case in _cases(pair.model):
        first = flask.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
        second = fastapi.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
        try:
            check_same_error(first, second, repr(case))
        except ContractViolation as violation:
            failures.append(str(violation))
    expect(not failures, f"{len(failures)} cases answered differently:\n" + "\n".join(failures))
