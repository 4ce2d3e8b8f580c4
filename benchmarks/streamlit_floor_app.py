"""Streamlit's floor: the least app that gives the same answer, run under the shipped configuration.

The same form (`streamlit_app.form.record_form`) and model, and on submit only the exact JSON answer in the
`prediction_result` container: no model card, title, metric, bars, fragment or batch. Its click → result is what
Streamlit itself costs a submit; the shipped app's figure beside it is what our page adds (benchmarks/METHOD.md).
"""

from __future__ import annotations

import json

import streamlit as st

from shared_model.http import prediction_body
from streamlit_app.form import record_form
from streamlit_app.serving import served_model, served_settings

predictor, validator = served_model(served_settings())
record = record_form(predictor.spec)
if record is not None:
    answer = prediction_body(predictor, predictor.predict_one(validator.validate_record(record)))
    with st.container(key="prediction_result"):
        st.json(json.dumps(answer), expanded=True)
