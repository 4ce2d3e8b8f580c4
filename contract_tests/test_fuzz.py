"""Schema fuzzing of each HTTP front end against its own /openapi.json (schemathesis, positive and negative data)."""

from __future__ import annotations

import pytest

from contract_tests.checks import expect
from contract_tests.fuzz import fuzz


@pytest.mark.clause("openapi.fuzz")
def test_answers_as_documented(client, golden_settings):
    # `ci`: 25 examples per operation and mode; `deep` (make contract): the deep profile's count.
    failures = fuzz(client, golden_settings.max_examples)
    expect(not failures, f"{len(failures)} operations failed schemathesis' checks:\n" + "\n".join(failures))
