"""What one server process serves: its settings and its model, each loaded once (`st.cache_resource`)."""

# file concern: server_config

from __future__ import annotations

import streamlit as st

from shared_model import ModelSpec, Predictor, ServedModel, Settings, Validator, load_settings
from shared_model.store import StoreReader


@st.cache_resource(show_spinner=False)
def served_settings() -> Settings:
    """The `SERVEBENCH_*` settings, read once per server process."""
    return load_settings()


@st.cache_resource(show_spinner="Loading the model…")
def served_model(settings: Settings) -> tuple[Predictor, Validator]:
    """The verified model and its validator; a failure raises and is not cached, so a repaired model loads."""
    return ServedModel.from_settings(settings).require()


# concern: feature_store
@st.cache_resource(show_spinner=False)
def served_store(settings: Settings, _spec: ModelSpec) -> StoreReader | None:
    """The blocking client of a spec with stored features: one bounded pool per server process, every session's."""
    # The spec follows from the settings' model, so it is left out of the cache key (the leading underscore).
    return StoreReader.connect(_spec, settings)
