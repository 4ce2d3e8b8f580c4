"""The suite catches deliberately broken front ends: each flaw fails the clause it breaks, and only because of it."""

from __future__ import annotations

import pytest

from contract_tests.broken import BROKEN_VARIANTS, BrokenFrontEnd
from contract_tests.fleet import Target
from contract_tests.suite import failed_clauses

WRAPPED = Target("flask", "inprocess", "loan")


@pytest.mark.parametrize("variant", list(BROKEN_VARIANTS), ids=lambda variant: variant.flaw)
def test_suite_fails_on_a_broken_front_end(variant, fleet):
    working = fleet.front_end(WRAPPED)
    reference = fleet.reference(WRAPPED.model)
    caught = failed_clauses(variant(working), reference)
    clause = BROKEN_VARIANTS[variant]
    assert clause in caught, f"{variant.flaw} was not caught; failures: {caught}"
    # The working front end itself passes that clause, so the failure is the flaw's doing.
    assert clause not in failed_clauses(BrokenFrontEnd(working), reference)
