"""The bad-input catalogue as data: each case is one raw request and the exact status, code and `loc`s it must get.

Cases are built from the spec (so they cover any model's rules) plus fixed HTTP-level cases. The reference front end
checks the catalogue itself on every run, so a case can never claim what `shared_model` does not do.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared_model import ModelSpec, Settings
from shared_model.http import JSON_MEDIA_TYPE
from shared_model.parsing import MAX_DEPTH, MAX_NUMBER_CHARS
from shared_model.spec import Feature, FeatureType

PREDICT = "/v1/predict"
BATCH = "/v1/predict/batch"
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class BadCase:
    """One request the contract refuses, with what it must answer."""

    name: str
    method: str
    path: str
    body: bytes
    status: int
    code: str
    locs: tuple[Loc, ...] = ()  # the `loc` of every entry of `details`, in order
    content_type: str | None = JSON_MEDIA_TYPE
    chunked: bool = False
    allow: str | None = None  # a 405 must list this method in `Allow`

    @property
    def headers(self) -> dict[str, str]:
        return {} if self.content_type is None else {"content-type": self.content_type}

    def __repr__(self) -> str:
        return f"BadCase({self.name!r}: {self.method} {self.path} → {self.status} {self.code})"


@dataclass(frozen=True, slots=True)
class GoodCase:
    """An unusual request the contract accepts: it must answer 200 exactly as a plain request would."""

    name: str
    path: str
    body: bytes
    content_type: str = JSON_MEDIA_TYPE
    chunked: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {"content-type": self.content_type}


def encode(value: object) -> bytes:
    """A JSON body as a careful client writes it."""
    return json.dumps(value, allow_nan=False).encode()


def bad_cases(spec: ModelSpec, settings: Settings) -> list[BadCase]:
    """Every case of the catalogue for a model served with these settings."""
    return [
        *routing_cases(),
        *media_cases(spec, settings),
        *json_cases(spec),
        *batch_cases(spec, settings),
    ] + [case for feature in spec.features for case in feature_cases(spec, feature)]


def routing_cases() -> list[BadCase]:
    """Unknown paths (404 before anything else) and wrong methods (405 with Allow)."""
    return [
        BadCase("unknown path", "GET", "/v1/nothing", b"", 404, "not_found", content_type=None),
        BadCase("unknown path wins over method", "POST", "/v1/predictions", b"{}", 404, "not_found"),
        BadCase("trailing slash is another path", "POST", f"{PREDICT}/", b"{}", 404, "not_found"),
        BadCase("paths are case-sensitive", "POST", "/V1/PREDICT", b"{}", 404, "not_found"),
        BadCase(
            "GET on predict", "GET", PREDICT, b"", 405, "method_not_allowed", content_type=None, allow="POST"
        ),
        BadCase("PUT on predict", "PUT", PREDICT, b"{}", 405, "method_not_allowed", allow="POST"),
        BadCase(
            "DELETE on batch",
            "DELETE",
            BATCH,
            b"",
            405,
            "method_not_allowed",
            content_type=None,
            allow="POST",
        ),
        BadCase("PATCH on batch", "PATCH", BATCH, b"{}", 405, "method_not_allowed", allow="POST"),
        BadCase(
            "OPTIONS on predict (CORS off)",
            "OPTIONS",
            PREDICT,
            b"",
            405,
            "method_not_allowed",
            content_type=None,
            allow="POST",
        ),
        BadCase("POST on model card", "POST", "/v1/model", b"{}", 405, "method_not_allowed", allow="GET"),
        BadCase("POST on liveness", "POST", "/health/live", b"{}", 405, "method_not_allowed", allow="GET"),
        BadCase(
            "405 before 415",
            "PUT",
            PREDICT,
            b"x",
            405,
            "method_not_allowed",
            content_type="text/plain",
            allow="POST",
        ),
    ]


def media_cases(spec: ModelSpec, settings: Settings) -> list[BadCase]:
    """Content types (415 before 413 before 400) and body sizes, plain and chunked."""
    valid = encode(spec.example_record())
    # An oversized body that is otherwise valid JSON, so only its size can be the reason for the refusal.
    oversized = b'{"pad": "' + b"x" * settings.MAX_BODY_BYTES + b'"}'
    return [
        BadCase("no content type", "POST", PREDICT, valid, 415, "unsupported_media_type", content_type=None),
        BadCase(
            "+json outside application/",
            "POST",
            PREDICT,
            valid,
            415,
            "unsupported_media_type",
            content_type="text/plain+json",
        ),
        BadCase(
            "text/plain", "POST", PREDICT, valid, 415, "unsupported_media_type", content_type="text/plain"
        ),
        BadCase(
            "form encoded",
            "POST",
            PREDICT,
            b"age=35",
            415,
            "unsupported_media_type",
            content_type="application/x-www-form-urlencoded",
        ),
        BadCase(
            "json lookalike type",
            "POST",
            PREDICT,
            valid,
            415,
            "unsupported_media_type",
            content_type="application/jsonp",
        ),
        BadCase(
            "no content type, empty body",
            "POST",
            BATCH,
            b"",
            415,
            "unsupported_media_type",
            content_type=None,
        ),
        BadCase(
            "415 before 413",
            "POST",
            PREDICT,
            oversized,
            415,
            "unsupported_media_type",
            content_type="text/plain",
        ),
        BadCase("oversized body", "POST", PREDICT, oversized, 413, "payload_too_large"),
        BadCase("oversized chunked body", "POST", PREDICT, oversized, 413, "payload_too_large", chunked=True),
        BadCase("oversized batch", "POST", BATCH, oversized, 413, "payload_too_large"),
        BadCase(
            "413 before 400", "POST", PREDICT, b"[" * (settings.MAX_BODY_BYTES + 1), 413, "payload_too_large"
        ),
    ]


def json_cases(spec: ModelSpec) -> list[BadCase]:
    """Malformed and non-standard JSON: all `invalid_json` 400, whatever the content would have said."""
    record = dict(spec.example_record())
    first = spec.features[0].name
    valid = encode(record)
    too_long = "1" * (MAX_NUMBER_CHARS + 1)
    raw: list[tuple[str, bytes]] = [
        ("empty body", b""),
        ("whitespace body", b" \n\t "),
        ("NaN token", valid[:-1] + b', "x": NaN}'),
        ("Infinity token", _with(record, first, "Infinity")),
        ("-Infinity token", _with(record, first, "-Infinity")),
        ("number overflowing a double", _with(record, first, "1e400")),
        ("over-long integer", _with(record, first, too_long)),
        ("invalid UTF-8", b'{"' + first.encode() + b'": "\xff\xfe"}'),
        (
            "duplicate key",
            valid[:-1]
            + b", "
            + json.dumps(first).encode()
            + b": "
            + json.dumps(record[first]).encode()
            + b"}",
        ),
        ("truncated", valid[:-1]),
        ("trailing comma", valid[:-1] + b",}"),
        ("single quotes", valid.replace(b'"', b"'")),
        ("comment", b"/* c */ " + valid),
        ("byte order mark", b"\xef\xbb\xbf" + valid),
        ("two documents", valid + b" " + valid),
        ("array body", b"[" + valid + b"]"),
        ("string body", b'"hello"'),
        ("null body", b"null"),
        ("number body", b"42"),
        ("nested too deep", b'{"x": ' + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"}"),
        ("nested beyond the recursion limit", b"[" * 100_000 + b"]" * 100_000),
    ]
    return [BadCase(name, "POST", PREDICT, body, 400, "invalid_json") for name, body in raw] + [
        BadCase(
            "NaN in a batch",
            "POST",
            BATCH,
            b'{"instances": [' + valid[:-1] + b', "x": NaN}]}',
            400,
            "invalid_json",
        ),
        BadCase(
            "duplicate instances key",
            "POST",
            BATCH,
            b'{"instances": [], "instances": []}',
            400,
            "invalid_json",
        ),
    ]


def batch_cases(spec: ModelSpec, settings: Settings) -> list[BadCase]:
    """The batch envelope: `instances` missing, not a list, empty, too long; one bad record fails the batch."""
    record = dict(spec.example_record())
    first = spec.features[0].name
    over = settings.MAX_BATCH + 1
    bad_record = {key: value for key, value in record.items() if key != first}

    def batch(name: str, body: object, locs: tuple[Loc, ...]) -> BadCase:
        return BadCase(name, "POST", BATCH, encode(body), 422, "validation_error", locs)

    return [
        batch("instances missing", {}, (("instances",),)),
        batch("instances an object", {"instances": record}, (("instances",),)),
        batch("instances null", {"instances": None}, (("instances",),)),
        batch("instances empty", {"instances": []}, (("instances",),)),
        batch(f"{over} instances (over MAX_BATCH)", {"instances": [record] * over}, (("instances",),)),
        batch("unknown envelope key", {"instances": [record], "extra": 1}, (("extra",),)),
        batch("record not an object", {"instances": [record, 7]}, (("instances", 1),)),
        batch("third record bad", {"instances": [record, record, bad_record]}, (("instances", 2, first),)),
        batch("record sent to the batch route", record, (("instances",), *((name,) for name in record))),
    ]


def feature_cases(spec: ModelSpec, feature: Feature) -> list[BadCase]:
    """Every validation rule of one feature, each as a single record with one wrong field."""
    base = dict(spec.example_record())
    name = feature.name
    cases: list[tuple[str, Any]] = [("null", None), ("a list", [1])]
    if feature.type.is_numeric:
        cases += [("a string", "12"), ("a boolean", True)]
        cases += [(f"{label} bound", value) for label, value in out_of_bounds(feature)]
        if feature.type is FeatureType.INTEGER:
            cases += [("a fraction", 1.5)]
    elif feature.type is FeatureType.CATEGORY:
        assert feature.enum
        sample = feature.enum[0]
        cases += [
            ("a number", 1),
            ("upper case", sample.upper() if sample.upper() != sample else sample.lower()),
            ("padded", f" {sample}"),
            ("unicode lookalike", "\uff41" + sample[1:] if sample else "\uff41"),  # fullwidth 'a' prefix
            ("unknown", "unknown-category"),
        ]
    else:
        cases += [("a string", "true"), ("a number", 1)]

    result = [
        BadCase(
            f"{name}: {label}",
            "POST",
            PREDICT,
            encode({**base, name: value}),
            422,
            "validation_error",
            ((name,),),
        )
        for label, value in cases
    ]
    if feature.required:
        missing = {key: value for key, value in base.items() if key != name}
        result.append(
            BadCase(f"{name}: missing", "POST", PREDICT, encode(missing), 422, "validation_error", ((name,),))
        )
    result.append(
        BadCase(
            f"{name}: unknown twin field",
            "POST",
            PREDICT,
            encode({**base, f"{name}_2": base.get(name)}),
            422,
            "validation_error",
            ((f"{name}_2",),),
        )
    )
    return result


def good_cases(spec: ModelSpec, settings: Settings) -> list[GoodCase]:
    """Unusual requests that must still succeed, answered exactly like the plain request."""
    valid = encode(spec.example_record())
    at_limit = valid + b" " * (settings.MAX_BODY_BYTES - len(valid))
    return [
        GoodCase("charset parameter", PREDICT, valid, content_type="application/json; charset=utf-8"),
        GoodCase(
            "a +json media type (RFC 6839)", PREDICT, valid, content_type="application/vnd.example+json"
        ),
        GoodCase("media type in capitals", PREDICT, valid, content_type="Application/JSON"),
        GoodCase("chunked body", PREDICT, valid, chunked=True),
        GoodCase("body exactly MAX_BODY_BYTES", PREDICT, at_limit),
        GoodCase("chunked body exactly MAX_BODY_BYTES", PREDICT, at_limit, chunked=True),
        GoodCase(
            "keys in reverse order", PREDICT, encode(dict(reversed(list(spec.example_record().items()))))
        ),
        GoodCase("escaped unicode in keys", PREDICT, _escape_keys(spec.example_record())),
        *[
            # JSON does not tell 39 from 39.0, and JSON Schema's "integer" admits both.
            GoodCase(
                f"{f.name} written as {f.example}.0",
                PREDICT,
                _with(spec.example_record(), f.name, f"{f.example}.0"),
            )
            for f in spec.features[:1]
            if f.type is FeatureType.INTEGER and f.example is not None
        ],
    ]


def _with(record: Mapping[str, Any], name: str, token: str) -> bytes:
    # The token is spliced in raw: json.dumps can neither write Infinity (allow_nan=False) nor 1e400.
    return encode({**record, name: 0}).replace(
        f"{json.dumps(name)}: 0".encode(), f"{json.dumps(name)}: {token}".encode()
    )


def out_of_bounds(feature: Feature) -> list[tuple[str, float]]:
    """Values just past each bound of a numeric feature, each with what it breaks."""
    step = 1 if feature.type is FeatureType.INTEGER else 0.5
    values: list[tuple[str, float]] = []
    if feature.minimum is not None:
        values.append(("below the minimum", _typed(feature, feature.minimum - step)))
        if feature.type is FeatureType.NUMBER:
            values.append(("just below the minimum", math.nextafter(feature.minimum, -math.inf)))
    if feature.maximum is not None:
        values.append(("above the maximum", _typed(feature, feature.maximum + step)))
    if feature.exclusive_minimum is not None:
        values.append(("at the exclusive minimum", _typed(feature, feature.exclusive_minimum)))
    if feature.exclusive_maximum is not None:
        values.append(("at the exclusive maximum", _typed(feature, feature.exclusive_maximum)))
    return values


def _typed(feature: Feature, value: float) -> float:
    return int(value) if feature.type is FeatureType.INTEGER else float(value)


def _escape_keys(record: Mapping[str, Any]) -> bytes:
    parts = []
    for key, value in record.items():
        escaped = "".join(f"\\u{ord(char):04x}" for char in key)
        parts.append(f'"{escaped}": {json.dumps(value)}')
    return ("{" + ", ".join(parts) + "}").encode()


def case_ids(cases: Sequence[BadCase | GoodCase]) -> list[str]:
    """Readable, unique pytest ids."""
    return [case.name for case in cases]
