"""Stored features: the spec declares them, a real Redis holds them, and lookups merge, refuse and recover."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator

import pytest
import redis

from shared_model import Predictor, Validator, load_model, load_settings
from shared_model.artifacts import resolve
from shared_model.errors import FeatureStoreUnavailable, UnknownEntity, ValidationFailed
from shared_model.spec import FeatureType, SpecError, parse_spec
from shared_model.store import FeatureLookup, StoreReader
from shared_model.store_server import RunningStore, running_store

STORED = ("income", "credit_score", "employment_years")
# Account 1's stored row, as `make models` writes it (the loan book's first application).
ACCOUNT_1 = {"income": 35619.95, "credit_score": 737, "employment_years": 6.9}
TIMEOUT_MS = 150


@pytest.fixture(scope="module")
def loan_store() -> Predictor:
    return load_model("loan_store")


@pytest.fixture(scope="module")
def store() -> Iterator[RunningStore]:
    with running_store("loan_store") as started:
        yield started


@pytest.fixture
def reader(loan_store: Predictor, store: RunningStore) -> Iterator[StoreReader]:
    settings = load_settings(
        {"SERVEBENCH_STORE_URL": store.url, "SERVEBENCH_STORE_TIMEOUT_MS": str(TIMEOUT_MS)}
    )
    reader = StoreReader.connect(loan_store.spec, settings)
    assert reader is not None
    try:
        yield reader
    finally:
        reader.close()


def test_the_spec_sends_the_key_and_the_request_features_and_stores_the_aggregates(
    loan_store: Predictor,
) -> None:
    spec = loan_store.spec
    assert [feature.name for feature in spec.request_features] == [
        "account_id",
        "age",
        "loan_amount",
        "home_ownership",
    ]
    assert [feature.name for feature in spec.store_features] == list(STORED)
    assert (
        spec.feature_names == load_model("loan").spec.feature_names
    )  # the model sees the loan model's full row
    schema = spec.json_schema()
    assert list(schema["properties"]) == ["account_id", "age", "loan_amount", "home_ownership"]
    assert schema["required"] == ["account_id", "age", "loan_amount", "home_ownership"]
    card = loan_store.model_card()
    assert card["entity"]["name"] == "account_id"
    assert [item.get("source") for item in card["features"]] == [None, "store", "store", "store", None, None]


def test_the_validator_takes_what_a_request_sends(loan_store: Predictor) -> None:
    validator = Validator(loan_store.spec, 10)
    assert validator.validate_record(loan_store.spec.example_record()) == (17, 35, 15000.0, "rent")
    with pytest.raises(ValidationFailed) as refused:
        validator.validate_record({**loan_store.spec.example_record(), "income": 1.0})
    assert refused.value.details[0]["loc"] == ["income"]
    with pytest.raises(ValidationFailed) as missing:
        validator.validate_record({"age": 35, "loan_amount": 1.0, "home_ownership": "rent"})
    assert missing.value.details[0]["loc"] == ["account_id"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"entity": None}, "entity: is required: 'income' is looked up"),
        (
            {"entity": {"name": "id", "type": "number"}},
            "entity.type: an entity key is an integer or a category",
        ),
        ({"entity": {"name": "income", "type": "integer"}}, "entity.name: 'income' is also a feature's name"),
        ({"entity": {"name": "id", "type": "integer", "required": False}}, "entity.required: unknown key"),
        ({"source": "cache"}, "features[0].source: must be one of ['request', 'store']"),
    ],
)
def test_bad_store_declarations_fail_by_name(change: dict[str, object], message: str) -> None:
    feature: dict[str, object] = {"name": "income", "type": "number", "source": change.get("source", "store")}
    data: dict[str, object] = {"name": "m", "version": "1", "task": "regression", "features": [feature]}
    if change.get("entity", {"name": "id", "type": "integer"}) is not None:
        data["entity"] = change.get("entity", {"name": "id", "type": "integer"})
    with pytest.raises(SpecError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_spec(data)


def test_an_entity_without_stored_features_is_refused() -> None:
    data = {"name": "m", "version": "1", "task": "regression", "entity": {"name": "id", "type": "integer"}}
    with pytest.raises(SpecError, match='entity: no feature has source = "store"'):
        parse_spec({**data, "features": [{"name": "x", "type": "number"}]})


def test_training_writes_every_account_once_in_key_order() -> None:
    lines = resolve("loan_store").store_rows.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"account_id": 1, **ACCOUNT_1}
    assert [json.loads(line)["account_id"] for line in lines] == list(range(1, len(lines) + 1))
    assert len(lines) == 6000


def test_a_lookup_completes_the_row_the_model_sees(reader: StoreReader, loan_store: Predictor) -> None:
    rows = reader.complete([(1, 35, 15000.0, "rent"), (2, 40, 900.0, "own")], batch=True)
    assert rows[0] == (35, 35619.95, 737, 6.9, 15000.0, "rent")
    assert rows[1][:2] == (40, 42203.2)
    assert rows[1][4:] == (900.0, "own")
    assert loan_store.spec.feature("credit_score").type is FeatureType.INTEGER
    assert type(rows[0][2]) is int
    # The same two rows on both sides: on a CPU with AVX-512 a batch of two and a batch of one differ in the last bit.
    assert loan_store.predict(rows) == load_model("loan").predict(rows)


def test_unknown_entities_are_located_at_their_keys(reader: StoreReader) -> None:
    with pytest.raises(UnknownEntity) as single:
        reader.complete([(99_999, 35, 15000.0, "rent")])
    assert single.value.status == 404
    assert single.value.details == [
        {"loc": ["account_id"], "msg": "No stored features for account_id 99999", "type": "unknown_entity"}
    ]
    with pytest.raises(UnknownEntity) as batch:
        reader.complete([(1, 35, 1.0, "rent"), (7_000, 35, 1.0, "rent")], batch=True)
    assert [detail["loc"] for detail in batch.value.details] == [["instances", 1, "account_id"]]


def test_an_invalid_stored_row_is_the_store_failing_not_the_client(
    reader: StoreReader, store: RunningStore
) -> None:
    lookup = reader.lookup
    with redis.Redis.from_url(store.url) as client:
        client.hset(lookup.key(5_999), "credit_score", json.dumps("high"))
    with pytest.raises(FeatureStoreUnavailable, match="stored features of account_id 5999 are invalid"):
        reader.complete([(5_999, 35, 1.0, "rent")])


def test_a_stopped_store_is_a_prompt_503_and_recovers_when_it_is_back(
    reader: StoreReader, store: RunningStore
) -> None:
    reader.complete(
        [(1, 35, 1.0, "rent")]
    )  # a pooled connection now exists, and will be stale after the restart
    store.stop()
    started = time.perf_counter()
    with pytest.raises(FeatureStoreUnavailable) as down:
        reader.complete([(1, 35, 1.0, "rent")])
    assert down.value.status == 503
    assert down.value.headers == {"Retry-After": "1"}
    assert time.perf_counter() - started < 2 * TIMEOUT_MS / 1000 + 1.0
    store.restart("loan_store")
    assert reader.complete([(1, 35, 1.0, "rent")])[0][1] == ACCOUNT_1["income"]


def test_a_hung_store_answers_within_the_timeout(reader: StoreReader, store: RunningStore) -> None:
    assert store.process is not None
    os.kill(store.process.pid, signal.SIGSTOP)
    try:
        started = time.perf_counter()
        with pytest.raises(FeatureStoreUnavailable):
            reader.complete([(1, 35, 1.0, "rent")])
        waited = time.perf_counter() - started
    finally:
        os.kill(store.process.pid, signal.SIGCONT)
    # One timeout, retried once on a fresh connection (redis-py's one retry): never a hang.
    assert TIMEOUT_MS / 1000 <= waited < 2 * TIMEOUT_MS / 1000 + 1.0
    assert reader.complete([(1, 35, 1.0, "rent")])[0][2] == ACCOUNT_1["credit_score"]


def test_no_configured_store_is_a_503_saying_which_variable(loan_store: Predictor) -> None:
    with pytest.raises(FeatureStoreUnavailable, match="SERVEBENCH_STORE_URL is not set"):
        StoreReader(FeatureLookup(loan_store.spec), None).complete([(1, 35, 1.0, "rent")])


def test_the_store_leaves_nothing_running() -> None:
    with running_store() as started:
        process = started.process
        assert process is not None
        assert process.poll() is None
    assert process.poll() is not None
