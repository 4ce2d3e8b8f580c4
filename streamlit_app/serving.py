"""What one server process serves: its settings and its model, each loaded once (`st.cache_resource`)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from shared_model import Predictor, Settings, Validator, load_model, load_settings


@dataclass(frozen=True, slots=True)
class ServedModel:
    """The verified model and the validator generated from its spec."""

    predictor: Predictor
    validator: Validator


@st.cache_resource(show_spinner=False)
def served_settings() -> Settings:
    """The `SERVEBENCH_*` settings, read once per server process."""
    return load_settings()


@st.cache_resource(show_spinner="Loading the model…")
def served_model(name: str, max_batch: int) -> ServedModel:
    """Load and verify the model once per server process; a failure is not cached, so a repaired model loads."""
    predictor = load_model(name)
    return ServedModel(predictor, Validator(predictor.spec, max_batch))
