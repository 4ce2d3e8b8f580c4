"""Streamlit's floor: the least app that gives the same answer, run under the shipped configuration.

The same form (`streamlit_app.form.record_form`) and model, and on submit only the exact JSON answer in the
`prediction_result` container: no model card, title, metric, bars, fragment or batch. Its click → result is what
Streamlit itself costs a submit; the shipped app's figure beside it is what our page adds (benchmarks/METHOD.md).
The query `?with=fragment,card,batch,answer` puts parts of the shipped page back, one at a time, so
`benchmarks.streamlit_paint` can price each part against the floor in one interleaved run (`streamlit_paint.FLOOR_PARTS`).
"""

from __future__ import annotations

import json

import streamlit as st

from shared_model.http import prediction_body
from streamlit_app.app import RESULT_KEY, model_card, show_result
from streamlit_app.batch import batch_section
from streamlit_app.form import record_form
from streamlit_app.serving import served_model, served_settings

predictor, validator = served_model(served_settings())
parts = set(st.query_params.get("with", "").split(","))


def prediction_section() -> None:
    """The form and, on submit, the exact answer alone (or, with `answer`, as the shipped page draws it)."""
    record = record_form(predictor.spec)
    if record is None:
        return
    answer = prediction_body(predictor, predictor.predict_one(validator.validate_record(record)))
    if "answer" in parts:
        show_result(answer)
        return
    with st.container(key=RESULT_KEY):
        st.json(json.dumps(answer), expanded=True)


if "card" in parts:
    model_card(predictor)
(st.fragment(prediction_section) if "fragment" in parts else prediction_section)()
if "batch" in parts:
    st.divider()
    batch_section(predictor, validator)
