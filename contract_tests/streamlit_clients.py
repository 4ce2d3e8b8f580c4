"""The Streamlit adapters: AppTest in-process, and the websocket protocol against a live `streamlit run`.

Streamlit has no status codes: a shown result is a 200 whose body is the `st.json` text inside the
`prediction_result` container (the HTTP predict body, by the app's contract); a shown `st.error` is a 422 whose
body is the error text, so a check can compare it with the validator's field errors.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import threading
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from contract_tests.clients import UI, Reply
from contract_tests.fleet import predictor_for

APP_PATH = Path(__file__).resolve().parent.parent / "streamlit_app" / "app.py"
RESULT_KEY = "prediction_result"
UPLOAD_KEY = "batch_csv"
PREDICTIONS_KEY = "batch_predictions"
SUBMIT_LABEL = "Predict"
PREDICTION_COLUMN = "prediction"
PROBABILITY_PREFIX = "probability_"
MODEL_VARIABLE = "SERVEBENCH_MODEL"
TIMEOUT_S = 60.0

_T = TypeVar("_T")
_last_model: list[str] = []  # the model whose settings Streamlit's process-wide caches currently hold


def record_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """Records as the CSV a user uploads: a header of feature names, floats written with repr (exact)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record.get(name) is None else _cell(record[name]) for name in columns])
    return buffer.getvalue().encode()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def shown(status: int, body: object) -> Reply:
    """What the page showed, as a reply: JSON text of the result or of the error."""
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Reply(status, content, {"content-type": "application/json" if status == 200 else "text/plain"})


class StreamlitAppTest:
    """The Streamlit app driven by AppTest: widgets set by feature key, the form submitted, the page read back."""

    name = "streamlit"
    mode = "inprocess"
    kind = UI

    def __init__(self, model: str) -> None:
        from streamlit.testing.v1 import AppTest

        self.model = model
        self.predictor = predictor_for(model)
        self.app = AppTest.from_file(str(APP_PATH), default_timeout=TIMEOUT_S)
        self._run(self.app.run)

    def predict(self, record: Mapping[str, Any]) -> Reply:
        """Fill every widget (a feature absent from the record is cleared), press Predict, read the page."""
        for feature in self.predictor.spec.request_features:
            value = record.get(feature.name)
            widget: Any = self.app.get_by_key(feature.name)
            widget.set_value(value)
        submit = next(button for button in self.app.button if button.label == SUBMIT_LABEL)
        self._run(submit.click().run)
        errors = [element.value for element in self.app.error]
        if errors:
            return shown(422, "\n".join(errors))
        result: Any = self.app.get_by_key(RESULT_KEY)
        return shown(200, result.json[0].value)

    def predict_batch(self, records: Sequence[Mapping[str, Any]]) -> Reply:
        """Upload the records as CSV; rebuild the batch body from the predictions table (exact floats via Arrow)."""
        columns = self.predictor.spec.feature_names
        upload: Any = self.app.get_by_key(UPLOAD_KEY)
        upload.set_value(("records.csv", record_csv(records, columns), "text/csv"))
        self._run(self.app.run)
        errors = [element.value for element in self.app.error]
        if errors:
            return shown(422, "\n".join(errors))
        table: Any = self.app.get_by_key(PREDICTIONS_KEY)
        # A keyed dataframe comes back wrapped in its own block.
        return shown(200, self._batch_body(table.dataframe[0].value))

    def model_card(self) -> Reply:
        """The sidebar's card: its header, the facts line (version, task, checksum, classes) and the metrics table."""
        sidebar: Any = self.app.get_by_key("model_card")
        shown_card = {
            "header": sidebar.header[0].value,
            "facts": "\n".join(element.value for element in sidebar.markdown),
            "metrics": {
                str(name): float(value) for name, value in sidebar.dataframe[0].value["value"].items()
            },
        }
        return shown(200, shown_card)

    def _batch_body(self, frame: Any) -> dict[str, Any]:
        predictions: list[dict[str, Any]] = []
        for _, line in frame.iterrows():
            item: dict[str, Any] = {"prediction": _plain(line[PREDICTION_COLUMN])}
            probabilities = {
                column.removeprefix(PROBABILITY_PREFIX): float(line[column])
                for column in frame.columns
                if column.startswith(PROBABILITY_PREFIX)
            }
            if probabilities:
                item["probabilities"] = probabilities
            predictions.append(item)
        return {"predictions": predictions, "model": self.predictor.name, "version": self.predictor.version}

    def _run(self, action: Any) -> None:
        # The app reads SERVEBENCH_MODEL once per process into st.cache_resource: set it for this run only
        # (restored after, so no other test sees it) and empty the cache when the model changes.
        previous = os.environ.get(MODEL_VARIABLE)
        os.environ[MODEL_VARIABLE] = self.model
        try:
            if _last_model != [self.model]:
                forget_served_model()
                _last_model[:] = [self.model]
            action()
        finally:
            if previous is None:
                os.environ.pop(MODEL_VARIABLE, None)
            else:
                os.environ[MODEL_VARIABLE] = previous
        if self.app.exception:
            raise RuntimeError(
                f"the Streamlit script raised: {[item.message for item in self.app.exception]}"
            )

    def __repr__(self) -> str:
        return f"StreamlitAppTest(model={self.model!r})"


def forget_served_model() -> None:
    """Empty Streamlit's process-wide resource cache, so the next run reads settings and model afresh."""
    import streamlit as st

    st.cache_resource.clear()
    _last_model.clear()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


class StreamlitLive:
    """A live `streamlit run` driven through its websocket protocol (benchmarks.streamlit_ws), no browser."""

    name = "streamlit"
    mode = "live"
    kind = UI

    def __init__(self, base_url: str, model: str) -> None:
        self.base_url = base_url
        self.model = model
        self.predictor = predictor_for(model)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="streamlit-live", daemon=True)
        self._session: Any = None

    def __enter__(self) -> StreamlitLive:
        from benchmarks.streamlit_ws import StreamlitSession

        self._thread.start()
        self._session = StreamlitSession(self.base_url, timeout=TIMEOUT_S)
        self._call(self._session.__aenter__())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if self._session is not None:
                self._call(self._session.__aexit__(None, None, None))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()

    def predict(self, record: Mapping[str, Any]) -> Reply:
        """Submit the form in one rerun over the websocket; the result JSON or the shown error."""
        run = self._call(self._session.run_form(record))
        if run.result is None:
            return shown(422, "\n".join(run.alerts))
        return shown(200, run.result)

    def predict_batch(self, records: Sequence[Mapping[str, Any]]) -> Reply:
        """Not driven live (an upload needs the browser's HTTP upload endpoint); the clause is n/a here."""
        raise NotImplementedError("batch upload is checked in-process for Streamlit")

    def model_card(self) -> Reply:
        """The first page's markdown, compared like the in-process card."""
        raise NotImplementedError("the model card is checked in-process for Streamlit")

    def _call(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        future: Future[_T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=TIMEOUT_S * 2)

    def __repr__(self) -> str:
        return f"StreamlitLive(base_url={self.base_url!r}, model={self.model!r})"
