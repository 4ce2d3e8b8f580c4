"""The feature spec: built-in specs load, export as JSON Schema and a model card, and bad specs fail by name."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest

from shared_model.spec import FEATURE_KEYS, Feature, FeatureType, SpecError, Task, load_spec, parse_spec
from shared_model.train import SPECS_DIR

LOAN_SPEC = SPECS_DIR / "loan.spec.toml"
GOOD_FEATURE = {"name": "age", "type": "integer", "minimum": 18, "maximum": 100, "example": 30}


def spec_with(feature: dict[str, object] | None = None, **top: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "m",
        "version": "1",
        "task": "regression",
        "features": [feature or GOOD_FEATURE],
    }
    data.update(top)
    return data


def test_loan_spec_loads_in_order_with_types_and_bounds() -> None:
    spec = load_spec(LOAN_SPEC)
    assert (spec.name, spec.version, spec.task) == ("loan", "1.0.0", Task.CLASSIFICATION)
    assert spec.feature_names == (
        "age",
        "income",
        "credit_score",
        "employment_years",
        "loan_amount",
        "home_ownership",
    )
    assert spec.feature("loan_amount").exclusive_minimum == 0
    assert spec.feature("home_ownership").type is FeatureType.CATEGORY
    assert spec.feature("home_ownership").enum == ("rent", "own", "mortgage")


def test_card_features_are_flat_objects_with_contract_keys_in_order() -> None:
    card = load_spec(LOAN_SPEC).card_features()
    assert card[0] == {
        "name": "age",
        "type": "integer",
        "required": True,
        "minimum": 18,
        "maximum": 100,
        "description": "Applicant's age in whole years.",
        "unit": "years",
        "example": 35,
    }
    assert card[4]["exclusiveMinimum"] == 0
    assert "minimum" not in card[4]
    for item in card:
        assert list(item) == [key for key in FEATURE_KEYS if key in item]


@pytest.mark.parametrize("name", ["loan", "diabetes"])
def test_json_schema_accepts_the_example_and_rejects_violations(name: str) -> None:
    spec = load_spec(SPECS_DIR / f"{name}.spec.toml")
    schema = spec.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    example = spec.example_record()
    assert list(validator.iter_errors(example)) == []
    assert list(validator.iter_errors({**example, "unknown": 1}))
    first = spec.features[0]
    assert list(validator.iter_errors({**example, first.name: "text"}))


def test_spec_round_trips_through_toml(tmp_path: Path) -> None:
    for path in SPECS_DIR.glob("*.spec.toml"):
        spec = load_spec(path)
        copy = tmp_path / path.name
        copy.write_text(spec.to_toml(), encoding="utf-8")
        assert load_spec(copy) == spec


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (spec_with(colour="red"), "colour", "unknown key"),
        ({"version": "1", "task": "regression", "features": [GOOD_FEATURE]}, "name", "is required"),
        (spec_with(task="clustering"), "task", "must be one of"),
        (spec_with(version=2), "version", "must be a string"),
        (spec_with(features=[]), "features", "at least one feature"),
        (spec_with({**GOOD_FEATURE, "type": "float"}), "features[0].type", "must be one of"),
        (spec_with({**GOOD_FEATURE, "minimum": "18"}), "features[0].minimum", "must be a number"),
        (spec_with({**GOOD_FEATURE, "minimum": True}), "features[0].minimum", "must be a number"),
        (spec_with({**GOOD_FEATURE, "maximum": float("inf")}), "features[0].maximum", "finite"),
        (spec_with({**GOOD_FEATURE, "minimum": 200}), "features[0].maximum", "above upper bound"),
        (spec_with({**GOOD_FEATURE, "enum": ["a"]}), "features[0].enum", "applies to category"),
        (spec_with({"name": "c", "type": "category"}), "features[0].enum", "non-empty list of strings"),
        (spec_with({"name": "c", "type": "category", "enum": ["a", "a"]}), "features[0].enum", "twice"),
        (
            spec_with({"name": "c", "type": "category", "enum": ["a"], "minimum": 1}),
            "features[0].minimum",
            "applies",
        ),
        (spec_with({**GOOD_FEATURE, "example": 17}), "features[0].example", "not a valid integer"),
        (spec_with({**GOOD_FEATURE, "example": 30.5}), "features[0].example", "not a valid integer"),
        (spec_with({**GOOD_FEATURE, "required": "yes"}), "features[0].required", "must be a boolean"),
        (spec_with({**GOOD_FEATURE, "name": ""}), "features[0].name", "must not be empty"),
        (spec_with({**GOOD_FEATURE, "units": "y"}), "features[0].units", "unknown key"),
        (spec_with(features=[GOOD_FEATURE, GOOD_FEATURE]), "features[1].name", "duplicate feature name"),
        (spec_with(features=["age"]), "features[0]", "must be a table"),
    ],
)
def test_malformed_spec_names_source_and_field(data: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(data, source="my.spec.toml")
    assert str(caught.value).startswith(f"my.spec.toml: {field}: ")
    assert message in str(caught.value)


def test_unreadable_spec_files_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.spec.toml"
    broken.write_text("name = [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match=r"broken\.spec\.toml: not valid TOML"):
        load_spec(broken)
    with pytest.raises(SpecError, match=r"absent\.spec\.toml: spec file not found"):
        load_spec(tmp_path / "absent.spec.toml")


def test_model_card_features_are_json_serialisable() -> None:
    assert json.loads(json.dumps(load_spec(LOAN_SPEC).card_features()))[5]["enum"] == [
        "rent",
        "own",
        "mortgage",
    ]


# (minimum, maximum, exclusiveMinimum, exclusiveMaximum)
Bounds = tuple[float | None, float | None, float | None, float | None]


@pytest.mark.parametrize(
    ("bounds", "kind", "closed"),
    [
        ((0.5, 9.5, None, None), FeatureType.INTEGER, (1, 9)),
        ((None, None, 0, 10), FeatureType.INTEGER, (1, 9)),
        ((3, None, 0, 10.5), FeatureType.INTEGER, (3, 10)),
        ((None, None, 0, None), FeatureType.NUMBER, (5e-324, None)),
        ((-1.0, None, None, 1.0), FeatureType.NUMBER, (-1.0, 0.9999999999999999)),
        ((None, None, None, None), FeatureType.NUMBER, (None, None)),
    ],
)
def test_closed_bounds_are_the_extreme_values_the_feature_admits(
    bounds: Bounds, kind: FeatureType, closed: tuple[float | None, float | None]
) -> None:
    minimum, maximum, exclusive_minimum, exclusive_maximum = bounds
    feature = Feature("x", kind, True, minimum, maximum, exclusive_minimum, exclusive_maximum)
    assert feature.closed_bounds() == closed
    for edge, outward in zip(closed, (-math.inf, math.inf), strict=True):
        if edge is None:
            continue
        if kind is FeatureType.INTEGER:
            beyond: float = int(edge) + (1 if outward > 0 else -1)
        else:
            beyond = math.nextafter(edge, outward)
        assert feature.admits(edge), edge
        assert not feature.admits(beyond), beyond
