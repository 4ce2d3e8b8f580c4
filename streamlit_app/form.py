"""The input form, generated from the spec: one widget per feature, keyed by the feature's name."""

# file concern: ui

from __future__ import annotations

import streamlit as st

from shared_model import Feature, FeatureType, ModelSpec
from shared_model.form import feature_label, number_step

SUBMIT_LABEL = "Predict"
FORM_KEY = "predict_form"


def feature_input(feature: Feature) -> object:
    """Draw the widget for one feature and return its value (None when a number or choice is left empty)."""
    label, key, help_text = feature_label(feature), feature.name, feature.description
    if feature.type is FeatureType.BOOLEAN:
        return st.checkbox(label, value=feature.example is True, key=key, help=help_text)
    # The example is the widget's first value, set through session state: a widget whose default is None can be
    # cleared (Streamlit hands back its default for an empty field), so a missing value reaches the validator.
    if feature.example is not None and key not in st.session_state:
        st.session_state[key] = (
            float(feature.example) if feature.type is FeatureType.NUMBER else feature.example
        )
    if feature.type is FeatureType.CATEGORY:
        return st.selectbox(label, list(feature.enum or ()), index=None, key=key, help=help_text)
    low, high = feature.closed_bounds()
    if feature.type is FeatureType.INTEGER:
        return st.number_input(
            label,
            min_value=None if low is None else int(low),
            max_value=None if high is None else int(high),
            value=None,
            step=1,
            key=key,
            help=help_text,
        )
    return st.number_input(
        label,
        min_value=None if low is None else float(low),
        max_value=None if high is None else float(high),
        value=None,
        step=number_step(feature),
        key=key,
        help=help_text,
    )


def record_form(spec: ModelSpec) -> dict[str, object] | None:
    """The form; on submit, the record it holds (empty widgets left out), otherwise None."""
    with st.form(FORM_KEY):
        values = {feature.name: feature_input(feature) for feature in spec.request_features}
        submitted = st.form_submit_button(SUBMIT_LABEL, type="primary")
    if not submitted:
        return None
    return {name: value for name, value in values.items() if value is not None}
