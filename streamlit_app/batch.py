"""The CSV batch: upload, per-row and per-column problems, the predictions table and its exact download."""

# file concern: ui

from __future__ import annotations

import streamlit as st

from shared_model import Predictor, Validator
from shared_model.tabular import (
    check_csv,
    prediction_table,
    predictions_csv,
    predictions_file_name,
    problems_frame,
)

UPLOAD_KEY = "batch_csv"


def batch_section(predictor: Predictor, validator: Validator) -> None:
    """Upload a CSV, report every bad row and column, predict the good rows in one call, offer the CSV."""
    st.subheader("Batch from a CSV file")
    # concern: feature_store
    if predictor.spec.entity is not None:
        st.info("A CSV batch is not offered for a model with stored features yet; POST /v1/predict/batch is.")
        return
    features = ", ".join(predictor.spec.feature_names)
    uploaded = st.file_uploader(
        f"A header row naming the features ({features}), then one row per record; "
        f"at most {validator.max_batch} rows.",
        type="csv",
        key=UPLOAD_KEY,
    )
    if uploaded is None:
        return
    # concern: parsing_validation
    checked = check_csv(uploaded.getvalue(), validator)
    # concern: error_mapping
    if checked.problems:
        st.error(
            f"{checked.rejected} of {checked.total} rows rejected; "
            f"{len(checked.problems)} problems, listed below (row 0 is the first row under the header).",
        )
        with st.container(key="batch_problems"):
            st.dataframe(problems_frame(checked.problems), hide_index=True)
    if not checked.rows:
        return
    # concern: routing
    table = prediction_table(predictor.spec, checked, predictor.predict(checked.rows), predictor.classes)
    st.success(f"{len(checked.rows)} of {checked.total} rows predicted.")
    with st.container(key="batch_predictions"):
        st.dataframe(table.frame())
    st.download_button(
        "Download predictions",
        data=predictions_csv(table),
        file_name=predictions_file_name(predictor.spec),
        mime="text/csv",
        on_click="ignore",
        key="batch_download",
    )
