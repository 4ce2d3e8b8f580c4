"""The feature spec: a model's inputs declared once in TOML, with JSON Schema's own keywords."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

SPEC_SUFFIX = ".spec.toml"
SPEC_KEYS = ("name", "version", "task", "description", "entity", "features")
# The order here is the order of every exported feature object (model card, JSON Schema, OpenAPI).
FEATURE_KEYS = (
    "name",
    "type",
    "required",
    "source",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "enum",
    "description",
    "unit",
    "example",
)
BOUND_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
# The entity key is declared like a feature, but is sent, never stored, and never reaches the model.
ENTITY_KEYS = tuple(key for key in FEATURE_KEYS if key not in ("required", "source"))

Scalar = int | float | bool | str


class SpecError(ValueError):
    """A spec file is malformed; the message names the file and the field."""


class FeatureType(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CATEGORY = "category"

    @property
    def json_type(self) -> str:
        """The JSON Schema type of a value of this feature."""
        return {"integer": "integer", "number": "number", "boolean": "boolean", "category": "string"}[
            self.value
        ]

    @property
    def is_numeric(self) -> bool:
        return self in (FeatureType.INTEGER, FeatureType.NUMBER)


class Source(StrEnum):
    """Where a feature's value comes from: the request, or the feature store by the request's entity key."""

    REQUEST = "request"
    STORE = "store"


class Task(StrEnum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"


@dataclass(frozen=True, slots=True)
class Feature:
    """One model input, with its type, bounds and documentation."""

    name: str
    type: FeatureType
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    enum: tuple[str, ...] | None = None
    description: str | None = None
    unit: str | None = None
    example: Scalar | None = None
    source: Source = Source.REQUEST

    def as_dict(self) -> dict[str, Any]:
        """The flat object of the model card: JSON Schema keywords, absent ones omitted, in FEATURE_KEYS order."""
        values: dict[str, Any] = {
            "name": self.name,
            "type": self.type.value,
            "required": self.required,
            # Only a stored feature says where it comes from: every other one is sent, as in a spec without a store.
            "source": self.source.value if self.source is Source.STORE else None,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "exclusiveMinimum": self.exclusive_minimum,
            "exclusiveMaximum": self.exclusive_maximum,
            "enum": list(self.enum) if self.enum is not None else None,
            "description": self.description,
            "unit": self.unit,
            "example": self.example,
        }
        return {key: value for key, value in values.items() if value is not None}

    def json_schema(self) -> dict[str, Any]:
        """This feature as a JSON Schema property."""
        schema: dict[str, Any] = {"type": self.type.json_type}
        card = self.as_dict()
        for key in (*BOUND_KEYS, "enum", "description"):
            if key in card:
                schema[key] = card[key]
        if self.unit is not None:
            schema["x-unit"] = self.unit
        if self.example is not None:
            schema["examples"] = [self.example]
        return schema

    def closed_bounds(self) -> tuple[float | None, float | None]:
        """The closed interval of admitted numbers: an exclusive bound becomes the nearest admitted value."""
        lows: list[float | None] = [self.minimum]
        highs: list[float | None] = [self.maximum]
        if self.type is FeatureType.INTEGER:
            # For whole numbers, x >= 0.5 is x >= 1 and x > 0 is x >= 1.
            lows = [None if self.minimum is None else math.ceil(self.minimum)]
            highs = [None if self.maximum is None else math.floor(self.maximum)]
            if self.exclusive_minimum is not None:
                lows.append(math.floor(self.exclusive_minimum) + 1)
            if self.exclusive_maximum is not None:
                highs.append(math.ceil(self.exclusive_maximum) - 1)
        else:
            # For doubles, x > 0 is x >= 5e-324: a widget then refuses exactly what the validator refuses.
            if self.exclusive_minimum is not None:
                lows.append(math.nextafter(self.exclusive_minimum, math.inf))
            if self.exclusive_maximum is not None:
                highs.append(math.nextafter(self.exclusive_maximum, -math.inf))
        known_lows = [value for value in lows if value is not None]
        known_highs = [value for value in highs if value is not None]
        return (max(known_lows) if known_lows else None, min(known_highs) if known_highs else None)

    def admits(self, value: Scalar) -> bool:
        """Whether `value` lies within this feature's type, bounds and categories."""
        if self.type is FeatureType.BOOLEAN:
            return isinstance(value, bool)
        if self.type is FeatureType.CATEGORY:
            return isinstance(value, str) and self.enum is not None and value in self.enum
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.type is FeatureType.INTEGER and not isinstance(value, int):
            return False
        return math.isfinite(value) and all(
            (
                self.minimum is None or value >= self.minimum,
                self.maximum is None or value <= self.maximum,
                self.exclusive_minimum is None or value > self.exclusive_minimum,
                self.exclusive_maximum is None or value < self.exclusive_maximum,
            )
        )


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model's identity and its ordered features."""

    name: str
    version: str
    task: Task
    features: tuple[Feature, ...]
    description: str | None = None
    # The key a request names its entity by, when some features are looked up in the store.
    entity: Feature | None = None

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(feature.name for feature in self.features)

    @property
    def request_features(self) -> tuple[Feature, ...]:
        """What a request sends: the entity key first (when there is one), then every feature not stored."""
        sent = tuple(feature for feature in self.features if feature.source is Source.REQUEST)
        return sent if self.entity is None else (self.entity, *sent)

    @property
    def store_features(self) -> tuple[Feature, ...]:
        """The features looked up in the store by the entity key, in spec order."""
        return tuple(feature for feature in self.features if feature.source is Source.STORE)

    def feature(self, name: str) -> Feature:
        """The feature called `name` (KeyError when there is none)."""
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def card_features(self) -> list[dict[str, Any]]:
        """The model card's `features`: one flat object per feature, in spec order."""
        return [feature.as_dict() for feature in self.features]

    def json_schema(self) -> dict[str, Any]:
        """One record, as a request sends it, as a JSON Schema object (draft 2020-12, as OpenAPI 3.1 uses)."""
        return {
            "title": f"{self.name} record",
            "type": "object",
            "properties": {feature.name: feature.json_schema() for feature in self.request_features},
            "required": [feature.name for feature in self.request_features if feature.required],
            "additionalProperties": False,
            "examples": [self.example_record()],
        }

    def example_record(self) -> dict[str, Scalar]:
        """A valid request record built from the examples of the features it sends."""
        return {
            feature.name: feature.example for feature in self.request_features if feature.example is not None
        }

    def to_toml(self) -> str:
        """This spec as TOML text that `parse_spec` reads back to an equal spec."""
        lines = [f"name = {_toml_value(self.name)}", f"version = {_toml_value(self.version)}"]
        lines.append(f"task = {_toml_value(self.task.value)}")
        if self.description is not None:
            lines.append(f"description = {_toml_value(self.description)}")
        if self.entity is not None:
            lines += ["", "[entity]"]
            entity = self.entity.as_dict().items()
            lines += [f"{key} = {_toml_value(value)}" for key, value in entity if key in ENTITY_KEYS]
        for feature in self.features:
            lines += ["", "[[features]]"]
            lines += [f"{key} = {_toml_value(value)}" for key, value in feature.as_dict().items()]
        return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def load_spec(path: Path | str) -> ModelSpec:
    """Read and check a spec file; raise SpecError naming the file and the field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: spec file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: not valid TOML: {error}") from None
    return parse_spec(data, source=str(path))


def parse_spec(data: Mapping[str, Any], source: str = "<spec>") -> ModelSpec:
    """Build a ModelSpec from TOML data; raise SpecError naming `source` and the field."""
    reader = _Reader(source)
    reader.reject_unknown(data, SPEC_KEYS, "")
    raw_features = reader.get(data, "features", list, "")
    if not raw_features:
        reader.fail("features", "must list at least one feature")
    features = tuple(reader.feature(raw, f"features[{index}]") for index, raw in enumerate(raw_features))
    names = [feature.name for feature in features]
    for index, name in enumerate(names):
        if name in names[:index]:
            reader.fail(f"features[{index}].name", f"duplicate feature name {name!r}")
    task = reader.get(data, "task", str, "")
    if task not in {t.value for t in Task}:
        reader.fail("task", f"must be one of {[t.value for t in Task]}, not {task!r}")
    entity = reader.entity(data.get("entity"), features)
    return ModelSpec(
        name=reader.text(data, "name", ""),
        version=reader.text(data, "version", ""),
        task=Task(task),
        features=features,
        description=reader.get(data, "description", str, "", optional=True),
        entity=entity,
    )


class _Reader:
    """Reads TOML tables field by field so that every complaint names the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, field: str, message: str) -> None:
        raise SpecError(f"{self.source}: {field}: {message}")

    def reject_unknown(self, table: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in known:
                self.fail(f"{prefix}{key}", f"unknown key (known: {', '.join(known)})")

    def get(self, table: Mapping[str, Any], key: str, kind: type, prefix: str, optional: bool = False) -> Any:
        if key not in table:
            if optional:
                return None
            self.fail(f"{prefix}{key}", "is required")
        value = table[key]
        is_number = kind is float and isinstance(value, int | float) and not isinstance(value, bool)
        if not is_number and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
            self.fail(f"{prefix}{key}", f"must be a {_KIND_NAMES[kind]}, not {value!r}")
        if is_number and not math.isfinite(value):
            self.fail(f"{prefix}{key}", f"must be a finite number, not {value!r}")
        return value

    def text(self, table: Mapping[str, Any], key: str, prefix: str) -> str:
        value: str = self.get(table, key, str, prefix)
        if not value.strip():
            self.fail(f"{prefix}{key}", "must not be empty")
        return value

    def entity(self, raw: object, features: tuple[Feature, ...]) -> Feature | None:
        stored = [feature.name for feature in features if feature.source is Source.STORE]
        if raw is None:
            if stored:
                self.fail("entity", f"is required: {stored[0]!r} is looked up in the store by it")
            return None
        entity = self.feature(raw, "entity", ENTITY_KEYS)
        if entity.type not in (FeatureType.INTEGER, FeatureType.CATEGORY):
            self.fail("entity.type", f"an entity key is an integer or a category, not {entity.type.value}")
        if entity.name in {feature.name for feature in features}:
            self.fail("entity.name", f"{entity.name!r} is also a feature's name")
        if not stored:
            self.fail("entity", 'no feature has source = "store"')
        return entity

    def feature(self, raw: object, field: str, known: tuple[str, ...] = FEATURE_KEYS) -> Feature:
        if not isinstance(raw, dict):
            self.fail(field, "must be a table")
        assert isinstance(raw, dict)
        prefix = f"{field}."
        self.reject_unknown(raw, known, prefix)
        kind = self.get(raw, "type", str, prefix)
        if kind not in {t.value for t in FeatureType}:
            self.fail(f"{prefix}type", f"must be one of {[t.value for t in FeatureType]}, not {kind!r}")
        feature_type = FeatureType(kind)
        bounds = {key: self.get(raw, key, float, prefix, optional=True) for key in BOUND_KEYS}
        if not feature_type.is_numeric:
            for key, value in bounds.items():
                if value is not None:
                    self.fail(f"{prefix}{key}", f"applies to integer and number features, not {kind}")
        self._check_bounds(bounds, prefix)
        enum = self.get(raw, "enum", list, prefix, optional=True)
        if feature_type is FeatureType.CATEGORY:
            if not enum or not all(isinstance(item, str) for item in enum):
                self.fail(f"{prefix}enum", "a category needs a non-empty list of strings")
            if len(set(enum)) != len(enum):
                self.fail(f"{prefix}enum", "lists a value twice")
        elif enum is not None:
            self.fail(f"{prefix}enum", f"applies to category features, not {kind}")
        source = self.get(raw, "source", str, prefix, optional=True) or Source.REQUEST.value
        if source not in {s.value for s in Source}:
            self.fail(f"{prefix}source", f"must be one of {[s.value for s in Source]}, not {source!r}")
        feature = Feature(
            name=self.text(raw, "name", prefix),
            type=feature_type,
            required=self.get(raw, "required", bool, prefix, optional=True) is not False,
            minimum=bounds["minimum"],
            maximum=bounds["maximum"],
            exclusive_minimum=bounds["exclusiveMinimum"],
            exclusive_maximum=bounds["exclusiveMaximum"],
            enum=tuple(enum) if enum is not None else None,
            description=self.get(raw, "description", str, prefix, optional=True),
            unit=self.get(raw, "unit", str, prefix, optional=True),
            example=raw.get("example"),
            source=Source(source),
        )
        if feature.example is not None and not feature.admits(feature.example):
            self.fail(
                f"{prefix}example", f"{feature.example!r} is not a valid {kind} within the feature's bounds"
            )
        return feature

    def _check_bounds(self, bounds: dict[str, float | None], prefix: str) -> None:
        lows = [
            value
            for key, value in bounds.items()
            if key in ("minimum", "exclusiveMinimum") and value is not None
        ]
        highs = [
            value
            for key, value in bounds.items()
            if key in ("maximum", "exclusiveMaximum") and value is not None
        ]
        if lows and highs and max(lows) > min(highs):
            self.fail(f"{prefix}maximum", f"lower bound {max(lows)!r} is above upper bound {min(highs)!r}")


_KIND_NAMES = {str: "string", bool: "boolean", float: "number", list: "list"}
