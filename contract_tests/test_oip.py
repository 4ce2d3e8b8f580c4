"""Open Inference Protocol v2: routes, infer bit for bit, the catalogue's twins, both front ends alike, tritonclient."""

from __future__ import annotations

import pytest

from contract_tests.checks import ContractViolation, check_same_error, expect
from contract_tests.fleet import predictor_for, settings_for
from contract_tests.golden import fixed_records, random_records
from contract_tests.oip_cases import oip_bad_cases, oip_good_cases
from contract_tests.oip_checks import (
    check_infer,
    check_oip_bad_case,
    check_oip_good_case,
    check_routes,
    route_paths,
)
from contract_tests.reference import ReferenceFrontEnd
from contract_tests.test_reference import MIN_CASES
from shared_model import BUILTIN_MODELS, ServeError

BATCH_ROWS = 50
BATCH_SEED = 17


def _cases(model: str):
    return oip_bad_cases(predictor_for(model).spec, settings_for(model))


@pytest.mark.clause("oip.routes")
def test_routes(client, reference):
    check_routes(client, reference)


@pytest.mark.clause("oip.predict")
def test_infer(client, reference):
    spec = predictor_for(client.model).spec
    for record in fixed_records(spec):
        check_infer(client, reference, [record])
    check_infer(client, reference, random_records(spec, BATCH_ROWS, BATCH_SEED))
    for case in oip_good_cases(spec):
        check_oip_good_case(client, reference, case)


@pytest.mark.clause("oip.catalogue")
def test_catalogue(client, reference):
    failures = []
    for case in _cases(client.model):
        try:
            check_oip_bad_case(client, reference, case)
        except ContractViolation as violation:
            failures.append(str(violation))
    expect(not failures, f"{len(failures)} OIP cases failed:\n" + "\n".join(failures))
    # And no worker was lost on the way.
    check_infer(client, reference, fixed_records(predictor_for(client.model).spec)[:1])


@pytest.mark.clause("oip.identical")
def test_http_front_ends_answer_alike(pair, fleet):
    flask, fastapi = (fleet.front_end(target) for target in pair.targets())
    spec = predictor_for(pair.model).spec
    requests = [
        (case.method, case.path, case.body, case.headers, case.chunked) for case in _cases(pair.model)
    ]
    requests += [("POST", case.path, case.body, case.headers, case.chunked) for case in oip_good_cases(spec)]
    requests += [("GET", path, b"", {}, False) for path in route_paths(spec)]
    failures = []
    for method, path, body, headers, chunked in requests:
        first = flask.request(method, path, body, headers, chunked=chunked)
        second = fastapi.request(method, path, body, headers, chunked=chunked)
        try:
            check_same_error(first, second, f"{method} {path} {body[:80]!r}")
        except ContractViolation as violation:
            failures.append(str(violation))
    expect(not failures, f"{len(failures)} OIP requests answered differently:\n" + "\n".join(failures))


@pytest.mark.clause("oip.client")
def test_tritonclient(client, reference):
    from contract_tests.oip_client import check_with_tritonclient

    address = str(client.client.base_url).removeprefix("http://").rstrip("/")
    spec = predictor_for(client.model).spec
    check_with_tritonclient(address, reference, random_records(spec, BATCH_ROWS, BATCH_SEED))


@pytest.mark.parametrize("model", BUILTIN_MODELS)
def test_oip_catalogue_is_what_shared_model_answers(model):
    reference = ReferenceFrontEnd(predictor_for(model), settings_for(model))
    cases = oip_bad_cases(reference.predictor.spec, reference.settings)
    assert len(cases) >= MIN_CASES
    assert len({case.name for case in cases}) == len(cases), "case names are test ids: they must be unique"
    for case in cases:
        with pytest.raises(ServeError) as refused:
            reference.answer(case.method, case.path, case.body, case.headers)
        error = refused.value
        locs = tuple(tuple(detail["loc"]) for detail in error.details)
        assert (error.status, error.code, locs) == (case.status, case.code, case.locs), (case, error)
