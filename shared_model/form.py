"""The input form a page draws from the spec: one field per feature, and the validator's errors placed by field.

A submitted form's text becomes a record through `shared_model.tabular.text_record`, as a CSV row does, so a page
and a CSV batch type values by one rule and the shared validator words every message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared_model.errors import FieldError, ValidationFailed
from shared_model.http import prediction_body
from shared_model.predictor import Predictor
from shared_model.spec import Feature, FeatureType, ModelSpec
from shared_model.store import StoreReader
from shared_model.tabular import BOOLEAN_CELLS, cell_text
from shared_model.validation import Validator

WHOLE_RECORD = ""  # the key of errors that belong to no one feature
BOUND_SIGNS = (("minimum", "≥"), ("exclusive_minimum", ">"), ("maximum", "≤"), ("exclusive_maximum", "<"))


@dataclass(frozen=True, slots=True)
class FormField:
    """One input as a page shows it: its label, what it admits in words, and the input's own attributes as text."""

    name: str
    label: str
    type: FeatureType
    required: bool
    description: str | None
    bounds: str  # "≥ 18 and ≤ 100"; empty when unbounded
    minimum: str | None  # the closed bounds, for the input's min and max
    maximum: str | None
    step: str | None  # numbers only: the spinner's step (any value is still accepted)
    choices: tuple[str, ...]  # a category's values; "true", "false" for a boolean
    example: str  # the input's first text; empty when the spec gives no example


def feature_label(feature: Feature) -> str:
    """An input's label: the feature's name, and its unit when the spec gives one."""
    return f"{feature.name} ({feature.unit})" if feature.unit else feature.name


def number_step(feature: Feature) -> float:
    """A power of ten near a hundredth of the feature's range (or of its example when it is unbounded)."""
    low, high = feature.closed_bounds()
    if low is not None and high is not None and high > low:
        scale = high - low
    else:
        scale = abs(float(feature.example)) if isinstance(feature.example, int | float) else 1.0
    return 10.0 ** math.floor(math.log10(scale / 100)) if scale > 0 else 0.01


def bounds_text(feature: Feature) -> str:
    """The feature's bounds as the spec declares them, in words a person reads: `> 0`, `≥ 18 and ≤ 100`."""
    return " and ".join(
        f"{sign} {number_text(value)}"
        for attribute, sign in BOUND_SIGNS
        if (value := getattr(feature, attribute)) is not None
    )


def number_text(value: float) -> str:
    """A bound as people write it: `18` rather than `18.0`; any other float exactly (repr)."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))


def form_field(feature: Feature) -> FormField:
    """The form field of one feature."""
    low, high = feature.closed_bounds()
    numeric = feature.type.is_numeric
    step = "1" if feature.type is FeatureType.INTEGER else number_text(number_step(feature))
    choices = tuple(BOOLEAN_CELLS) if feature.type is FeatureType.BOOLEAN else feature.enum or ()
    return FormField(
        name=feature.name,
        label=feature_label(feature),
        type=feature.type,
        required=feature.required,
        description=feature.description,
        bounds=bounds_text(feature),
        minimum=None if low is None else number_text(low),
        maximum=None if high is None else number_text(high),
        step=step if numeric else None,
        choices=choices,
        example="" if feature.example is None else cell_text(feature.example),
    )


def form_fields(spec: ModelSpec) -> tuple[FormField, ...]:
    """The form of a spec: one field per feature a request sends (the entity key first), in spec order."""
    return tuple(form_field(feature) for feature in spec.request_features)


def errors_by_field(spec: ModelSpec, errors: Sequence[FieldError]) -> dict[str, list[str]]:
    """The validator's messages keyed by the feature they are about; the others under WHOLE_RECORD."""
    names = {feature.name for feature in spec.request_features}
    placed: dict[str, list[str]] = {}
    for error in errors:
        loc = error["loc"]
        key = str(loc[0]) if loc and loc[0] in names else WHOLE_RECORD
        placed.setdefault(key, []).append(error["msg"])
    return placed


def answer_for(
    record: dict[str, object], validator: Validator, predictor: Predictor, store: StoreReader | None = None
) -> dict[str, Any] | ValidationFailed:
    """The contract's predict response for a record, or the validator's failure (a page shows either).

    A spec's stored features are looked up through `store`; its UnknownEntity or FeatureStoreUnavailable is raised.
    """
    try:
        row = validator.validate_record(record)
    except ValidationFailed as failure:
        return failure
    if store is not None:
        row = store.complete([row])[0]
    return prediction_body(predictor, predictor.predict_one(row))
