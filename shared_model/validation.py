"""Validation generated from the feature spec, on strict pydantic: one function for every front end."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from shared_model.errors import FieldError, ValidationFailed
from shared_model.spec import Feature, FeatureType, ModelSpec, Scalar

Row = tuple[Scalar | None, ...]
"""A validated record: one value per feature, in spec order (None for an omitted optional feature).

For a spec with stored features, the validator's row holds the request's fields (`spec.request_features`) and
`shared_model.store` completes it into the model's row.
"""

# pydantic words some errors in Python terms (and names the generated class); a JSON client needs JSON terms.
JSON_MESSAGES = {"model_type": "Input should be an object", "dict_type": "Input should be an object"}
# FastAPI validates with from_attributes=True, which renames the "not an object" error; the contract has one name.
ERROR_TYPES = {"model_attributes_type": "model_type"}

STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True, hide_input_in_errors=True)


class Validator:
    """Checks records against a spec: types exact, bounds inclusive or exclusive as declared, no unknown fields."""

    def __init__(self, spec: ModelSpec, max_batch: int) -> None:
        self.spec = spec
        self.max_batch = max_batch
        self.record_model: type[BaseModel] = _record_model(spec)
        records = Annotated[list[self.record_model], Field(min_length=1, max_length=max_batch)]  # type: ignore[name-defined]
        self.batch_model: type[BaseModel] = create_model(
            f"{_class_name(spec.name)}Batch",
            __config__=STRICT,
            instances=(records, Field(description=f"1 to {max_batch} records")),
        )

    def validate_record(self, data: object) -> Row:
        """One record (a parsed JSON object) → a row; raise ValidationFailed with field errors like `["age"]`."""
        try:
            return self.row(self.record_model.model_validate(data))
        except ValidationError as error:
            raise ValidationFailed(details=field_errors(error)) from None

    def validate_batch(self, data: object) -> list[Row]:
        """`{"instances": [...]}` → rows; errors located like `["instances", 3, "age"]` or `["instances"]`."""
        try:
            batch = self.batch_model.model_validate(data)
        except ValidationError as error:
            raise ValidationFailed(details=field_errors(error)) from None
        return self.rows(batch.instances)  # type: ignore[attr-defined]

    def validate_records(self, records: Sequence[object]) -> list[Row]:
        """A list of records (not wrapped in `instances`) → rows, errors located as in a batch."""
        return self.validate_batch({"instances": list(records)})

    def row(self, record: BaseModel) -> Row:
        """The row of an already validated record model (as FastAPI hands it over)."""
        return tuple(record.__dict__.values())

    def rows(self, records: Sequence[BaseModel]) -> list[Row]:
        """The rows of already validated record models."""
        return [tuple(record.__dict__.values()) for record in records]


def field_errors(error: ValidationError, prefix: Sequence[str | int] = ()) -> list[FieldError]:
    """pydantic's errors as the contract's `{"loc", "msg", "type"}` list, with `loc` a JSON array."""
    return contract_errors(
        error.errors(include_url=False, include_context=False, include_input=False), prefix
    )


def contract_errors(
    items: Iterable[Mapping[str, Any]], prefix: Sequence[str | int] = (), drop: Sequence[str | int] = ()
) -> list[FieldError]:
    """pydantic error dicts (from any caller, FastAPI included) in the contract's words.

    `prefix` is put before each `loc`; `drop` is taken off its start where present (FastAPI's `"body"`).
    """
    found: list[FieldError] = []
    for item in items:
        loc = list(item["loc"])
        if drop and loc[: len(drop)] == list(drop):
            loc = loc[len(drop) :]
        kind = ERROR_TYPES.get(item["type"], item["type"])
        found.append({"loc": [*prefix, *loc], "msg": JSON_MESSAGES.get(kind, item["msg"]), "type": kind})
    return found


def _record_model(spec: ModelSpec) -> type[BaseModel]:
    # Fields are named f0, f1, ... with the feature's name as alias: any column name (spaces, dots, a
    # `model_` prefix) is then a valid feature name, and pydantic reports locations by alias.
    # A record holds what a request sends: a store-backed spec's key instead of its stored features.
    fields: dict[str, Any] = {
        f"f{index}": _field(feature) for index, feature in enumerate(spec.request_features)
    }
    model: type[BaseModel] = create_model(
        f"{_class_name(spec.name)}Record",
        __config__=ConfigDict(**STRICT, json_schema_extra={"examples": [dict(spec.example_record())]}),
        **fields,
    )
    return model


def _field(feature: Feature) -> tuple[Any, Any]:
    kind: Any
    if feature.type is FeatureType.INTEGER:
        kind = Annotated[int, BeforeValidator(_whole_number)]
    elif feature.type is FeatureType.NUMBER:
        kind = float
    elif feature.type is FeatureType.BOOLEAN:
        kind = bool
    else:
        assert feature.enum is not None
        kind = Literal[feature.enum]
    constraints = Field(
        alias=feature.name,
        description=feature.description,
        ge=feature.minimum,
        le=feature.maximum,
        gt=feature.exclusive_minimum,
        lt=feature.exclusive_maximum,
        examples=[feature.example] if feature.example is not None else None,
    )
    # An optional feature may be omitted (its default is not validated) but not sent as null.
    default = ... if feature.required else None
    return Annotated[kind, constraints], default


def _whole_number(value: object) -> object:
    # JSON does not tell 39 from 39.0, and JSON Schema's "integer" admits both: a float without a fraction is
    # an integer. 39.5, NaN and ±Infinity stay floats, so the strict int check still refuses them.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def _class_name(name: str) -> str:
    return (
        "".join(part.capitalize() for part in name.replace("-", "_").split("_") if part.isidentifier())
        or "Model"
    )
