"""The suite's core checks as one plain function, for callers outside pytest (broken variants, benchmarks, byom)."""

from __future__ import annotations

from functools import partial

from contract_tests.cases import bad_cases, good_cases
from contract_tests.checks import (
    Check,
    check_bad_case,
    check_batch,
    check_good_case,
    check_health,
    check_model_card,
    check_prediction,
    run_checks,
)
from contract_tests.clients import HttpFrontEnd
from contract_tests.golden import edge_records, fixed_records, random_records
from contract_tests.reference import ReferenceFrontEnd

CORE_RECORDS = 40
CORE_BATCH = 200
CORE_SEED = 11


def core_checks(front_end: HttpFrontEnd, reference: ReferenceFrontEnd) -> dict[str, list[Check]]:
    """The deterministic core of the suite for an HTTP front end, grouped by clause id."""
    spec, settings = reference.predictor.spec, reference.settings
    records = fixed_records(spec) + edge_records(spec) + random_records(spec, CORE_RECORDS, CORE_SEED)
    batch = random_records(spec, CORE_BATCH, CORE_SEED)
    return {
        "health": [partial(check_health, front_end, reference)],
        "model_card": [partial(check_model_card, front_end, reference)],
        "predict.fixed": [partial(check_prediction, front_end, reference, record) for record in records],
        "predict.batch": [
            partial(check_batch, front_end, reference, batch),
            partial(check_batch, front_end, reference, batch[:1]),
        ],
        "errors.catalogue": [
            partial(check_bad_case, front_end, reference, case) for case in bad_cases(spec, settings)
        ],
        "requests.unusual": [
            partial(check_good_case, front_end, reference, case) for case in good_cases(spec, settings)
        ],
    }


def failed_clauses(front_end: HttpFrontEnd, reference: ReferenceFrontEnd) -> dict[str, str]:
    """Run the core checks; map each failed clause to its first violation (empty when the front end passes)."""
    outcome = run_checks(core_checks(front_end, reference))
    return {clause: message for clause, message in outcome.items() if message is not None}
