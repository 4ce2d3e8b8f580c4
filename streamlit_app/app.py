"""The Streamlit page: a model card, a form generated from the spec, the exact result, and a CSV batch."""

# file concern: ui

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from shared_model import FieldError, Predictor, ServeError, SettingsError, ValidationFailed, Validator
from shared_model.errors import FeatureStoreUnavailable, UnknownEntity, problem_place
from shared_model.form import answer_for
from streamlit_app.batch import batch_section
from streamlit_app.form import record_form
from streamlit_app.serving import served_model, served_settings, served_store

RESULT_KEY = "prediction_result"
# concern: error_mapping
INVALID_INPUT = "These inputs do not match the model's feature spec:"


# concern: error_mapping
def field_errors_markdown(details: list[FieldError]) -> str:
    """The validator's field errors as a markdown list: the field, then the shared message."""
    return "\n".join(f"- `{problem_place(error)}`: {error['msg']}" for error in details)


def model_card(predictor: Predictor) -> None:
    """The sidebar: name, version, checksum prefix, task, classes and the metrics from the manifest."""
    card = predictor.model_card()
    with st.sidebar.container(key="model_card"):
        st.header(f"Model {card['name']}")
        if predictor.spec.description:
            st.caption(predictor.spec.description)
        facts = [
            f"**version** {card['version']}",
            f"**task** {card['task']}",
            f"**sha256** `{card['sha256'][:12]}`",
        ]
        if predictor.is_classifier:
            facts.append(f"**classes** {', '.join(str(label) for label in card['classes'])}")
        st.markdown("  \n".join(facts))
        st.dataframe(pd.DataFrame({"value": card["metrics"]}, dtype=float), width="stretch")


def show_result(result: dict[str, Any]) -> None:
    """The prediction, a bar per class probability, and the exact JSON answer at full precision."""
    value = result["prediction"]
    st.metric("Prediction", f"{value:.6g}" if isinstance(value, float) else str(value))
    # Progress bars, not st.bar_chart: its Vega-Lite chart cost ~50 ms of server CPU a submit (Altair builds and
    # validates the spec) and more in the browser, the most of click -> result (benchmarks/METHOD.md).
    for label, probability in result.get("probabilities", {}).items():
        st.progress(probability, text=f"{label}: {probability:.1%}")
    with st.container(key=RESULT_KEY):
        # The very text json.dumps writes (repr floats), as the HTTP front ends send it.
        st.json(json.dumps(result), expanded=True)


def main() -> None:
    """Draw the page for one rerun."""
    # concern: server_config
    try:
        settings = served_settings()
    except SettingsError as error:
        st.error(f"The server's settings are invalid: {error}", icon="⚠️")
        st.stop()
    # concern: server_config
    try:
        predictor, validator = served_model(settings)
    except ServeError as error:
        st.error(f"The model is not available: {error.message}", icon="⚠️")
        st.stop()
    st.set_page_config(page_title=f"{predictor.name} · servebench", layout="centered")
    model_card(predictor)
    st.title(f"{predictor.name} {predictor.version}")
    prediction_section(predictor, validator)
    st.divider()
    batch_section(predictor, validator)


# A fragment: a submit reruns the form and its answer only, not the model card and the batch section around them.
@st.fragment
def prediction_section(predictor: Predictor, validator: Validator) -> None:
    """The form and, on the submit's rerun, its answer or the field errors."""
    record = record_form(predictor.spec)
    # concern: routing
    # The answer belongs to the submit rerun only (the button is a trigger), as in any Streamlit form.
    outcome = None if record is None else looked_up_answer(record, validator, predictor)
    if isinstance(outcome, ServeError):
        intro = INVALID_INPUT if isinstance(outcome, ValidationFailed) else outcome.message
        st.error(f"{intro}\n\n{field_errors_markdown(outcome.details)}")
    elif outcome is not None:
        show_result(outcome)


# concern: feature_store
def looked_up_answer(record: dict[str, object], validator: Validator, predictor: Predictor) -> Any:
    """The answer, a spec's stored features looked up first; an unknown key or a down store is shown as an error."""
    try:
        return answer_for(record, validator, predictor, served_store(served_settings(), predictor.spec))
    except (UnknownEntity, FeatureStoreUnavailable) as problem:
        return problem


if __name__ == "__main__":
    main()
