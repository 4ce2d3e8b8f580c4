"""Micro-batching: concurrent rows share one model call, each request gets its own answer or its own error."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared_model import Prediction, Predictor, Row, Validator, load_settings
from shared_model.batching import BatchPolicy, Gathering, LoopBatcher, ThreadBatcher, settle
from shared_model.exactness import deviation
from shared_model.samples import sample_records

REFUSED_AMOUNT = 12345.0  # the loan amount the refusing model fails on
LONG_WAIT = BatchPolicy(max_rows=4, wait_s=30.0)  # only a full batch is predicted within a test's lifetime
MAX_EPSILONS = 16  # how far a row's floats in a batch may lie from its own, in epsilons at the value's scale


class CountingPredictor(Predictor):
    """The real predictor, recording the size of every call it gets."""

    def __init__(self, inner: Predictor) -> None:
        super().__init__(inner.model, inner.spec, inner.manifest)
        self.calls: list[int] = []
        self._lock = threading.Lock()

    def predict(self, rows: Sequence[Row]) -> list[Prediction]:
        with self._lock:
            self.calls.append(len(rows))
        return super().predict(rows)


class RefusingModel:
    """The loan pipeline, failing as a user's model might on one value that the spec admits."""

    def __init__(self, inner: Any, column: int) -> None:
        self.inner = inner
        self.classes_ = inner.classes_
        self.column = column

    def predict_proba(self, matrix: Any) -> Any:
        if (matrix[:, self.column] == REFUSED_AMOUNT).any():
            raise ValueError("this model cannot price that loan")
        return self.inner.predict_proba(matrix)


def refusing(loan: Predictor) -> Predictor:
    """The loan model behind RefusingModel."""
    column = loan.spec.feature_names.index("loan_amount")
    return Predictor(RefusingModel(loan.model, column), loan.spec, loan.manifest)


def rows_of(predictor: Predictor, count: int, **changes: object) -> list[Row]:
    records = [{**record, **changes} for record in sample_records(predictor.spec, count)]
    return Validator(predictor.spec, max_batch=1000).validate_records(records)


def in_threads(batcher: ThreadBatcher, rows: list[Row]) -> list[Prediction | Exception]:
    def one(row: Row) -> Prediction | Exception:
        try:
            return batcher.predict(row)
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(rows)) as pool:
        return list(pool.map(one, rows))


def on_loop(batcher: LoopBatcher, rows: list[Row]) -> list[Prediction | BaseException]:
    async def all_of() -> list[Prediction | BaseException]:
        return await asyncio.gather(*(batcher.predict(row) for row in rows), return_exceptions=True)

    return asyncio.run(all_of())


def test_policy_comes_from_the_settings() -> None:
    settings = load_settings({"SERVEBENCH_BATCH_MAX": "8", "SERVEBENCH_BATCH_WAIT_MS": "2.5"})
    assert BatchPolicy.from_settings(settings) == BatchPolicy(8, 0.0025)
    with pytest.raises(ValueError, match="max_rows"):
        BatchPolicy(0, 0.0)


def test_gathering_is_due_when_full_or_when_the_oldest_has_waited() -> None:
    now = [100.0]
    gathering: Gathering[str] = Gathering(BatchPolicy(max_rows=2, wait_s=0.005), clock=lambda: now[0])
    assert gathering.due_in() == float("inf")
    gathering.add((1,), "first")
    assert gathering.due_in() == pytest.approx(0.005)
    now[0] += 0.003
    assert gathering.due_in() == pytest.approx(0.002)
    gathering.add((2,), "second")
    gathering.add((3,), "third")
    assert gathering.due_in() == 0.0
    assert gathering.take() == ([(1,), (2,)], ["first", "second"])
    assert gathering.due_in() == pytest.approx(0.005)  # the third arrived at 100.003


def test_threads_share_one_call_and_get_their_rows_answers(loan: Predictor) -> None:
    counting = CountingPredictor(loan)
    rows = rows_of(loan, 4)
    answers = in_threads(ThreadBatcher(counting, LONG_WAIT), rows)
    assert counting.calls == [4]
    alone = [loan.predict_one(row) for row in rows]
    # The batch's composition is the threads' arrival order, so its floats are compared within a bound.
    predictions = [answer for answer in answers if isinstance(answer, Prediction) and answer.probabilities]
    assert len(predictions) == len(rows)
    found = deviation(alone, predictions)
    assert found.labels_differing == 0
    assert found.max_epsilons <= MAX_EPSILONS


def test_loop_requests_share_one_call_and_get_their_rows_answers(loan: Predictor) -> None:
    counting = CountingPredictor(loan)
    rows = rows_of(loan, 4)
    answers = on_loop(LoopBatcher(counting, LONG_WAIT), rows)
    assert counting.calls == [4]
    assert answers == counting.predict(rows)  # the batch's own floats, each row in its place


def test_a_lone_request_waits_for_no_one(loan: Predictor) -> None:
    counting = CountingPredictor(loan)
    row = rows_of(loan, 1)[0]
    # With no wait, one row is predicted at once, as the shipped variant would: the same floats, bit for bit.
    policy = BatchPolicy(max_rows=16, wait_s=0.0)
    assert ThreadBatcher(counting, policy).predict(row) == loan.predict_one(row)
    assert on_loop(LoopBatcher(counting, policy), [row]) == [loan.predict_one(row)]
    assert counting.calls == [1, 1]


def test_more_rows_than_a_batch_holds_are_predicted_in_several(loan: Predictor) -> None:
    counting = CountingPredictor(loan)
    rows = rows_of(loan, 10)
    answers = on_loop(LoopBatcher(counting, BatchPolicy(max_rows=4, wait_s=0.0)), rows)
    assert counting.calls == [4, 4, 2]
    assert [a.prediction for a in answers] == [p.prediction for p in loan.predict(rows)]  # type: ignore[union-attr]


def test_threads_beyond_a_batch_are_predicted_in_several(loan: Predictor) -> None:
    counting = CountingPredictor(loan)
    rows = rows_of(loan, 7)
    answers = in_threads(ThreadBatcher(counting, BatchPolicy(max_rows=3, wait_s=0.05)), rows)
    assert sum(counting.calls) == 7
    assert max(counting.calls) <= 3
    assert [a.prediction for a in answers] == [loan.predict_one(row).prediction for row in rows]  # type: ignore[union-attr]


@pytest.mark.parametrize("gather", [in_threads, on_loop], ids=["threads", "loop"])
def test_a_failing_row_fails_only_its_own_request(loan: Predictor, gather: Any) -> None:
    counting = CountingPredictor(refusing(loan))
    rows = rows_of(loan, 3) + rows_of(loan, 1, loan_amount=REFUSED_AMOUNT)
    batcher = (ThreadBatcher if gather is in_threads else LoopBatcher)(counting, LONG_WAIT)
    answers = gather(batcher, rows)
    # The batch failed; each row was then predicted alone and got exactly what it gets alone.
    assert counting.calls == [4, 1, 1, 1, 1]
    assert answers[:3] == [loan.predict_one(row) for row in rows[:3]]
    assert isinstance(answers[3], ValueError)
    assert "cannot price" in str(answers[3])


def test_settle_hands_a_lone_rows_error_back(loan: Predictor) -> None:
    [outcome] = settle(refusing(loan), rows_of(loan, 1, loan_amount=REFUSED_AMOUNT))
    assert isinstance(outcome, ValueError)
