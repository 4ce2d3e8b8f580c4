"""The bad-input catalogue's twins for the Open Inference Protocol v2 routes, and the unusual requests it accepts.

Each case of `cases.py` that has a meaning for an inference request is here once more in the protocol's terms:
the same status and code, with `loc`s pointing into the request's tensors (`["inputs", 2, "data", 0]`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from contract_tests.cases import BadCase, GoodCase, Loc, encode, out_of_bounds
from shared_model import ModelSpec, Settings
from shared_model.oip import DATATYPES
from shared_model.parsing import MAX_DEPTH, MAX_NUMBER_CHARS
from shared_model.spec import Feature, FeatureType

UNKNOWN_MODEL = "no-such-model"
# A datatype no feature of this type admits, for the wrong-datatype twins.
WRONG_DATATYPE = {
    FeatureType.INTEGER: "FP64",
    FeatureType.NUMBER: "BYTES",
    FeatureType.BOOLEAN: "INT64",
    FeatureType.CATEGORY: "INT64",
}


def infer_path(spec: ModelSpec, name: str | None = None) -> str:
    """`/v2/models/NAME/infer` of the spec's model (or of another name)."""
    return f"/v2/models/{name or spec.name}/infer"


def infer_request(spec: ModelSpec, records: Sequence[Mapping[str, Any]], **extra: Any) -> dict[str, Any]:
    """An inference request for `records`: one input per feature the records hold, shape [n], in spec order."""
    inputs = [
        {
            "name": feature.name,
            "shape": [len(records)],
            "datatype": DATATYPES[feature.type][0],
            "data": [record[feature.name] for record in records],
        }
        for feature in spec.features
        if all(feature.name in record for record in records)
    ]
    return {"inputs": inputs, **extra}


def oip_bad_cases(spec: ModelSpec, settings: Settings) -> list[BadCase]:
    """Every OIP twin of the catalogue for a model served with these settings."""
    return [
        *_routing_cases(spec),
        *_media_cases(spec, settings),
        *_json_cases(spec),
        *_tensor_cases(spec, settings),
    ] + [case for index, feature in enumerate(spec.features) for case in _feature_cases(spec, index, feature)]


def oip_good_cases(spec: ModelSpec) -> list[GoodCase]:
    """Unusual inference requests the protocol allows: answered exactly as the reference answers them."""
    example = dict(spec.example_record())
    plain = infer_request(spec, [example])
    nested = {"inputs": [{**tensor, "shape": [1, 1], "data": [tensor["data"]]} for tensor in plain["inputs"]]}
    flat_2d = {"inputs": [{**tensor, "shape": [1, 1]} for tensor in plain["inputs"]]}
    narrow = {
        "inputs": [
            {**tensor, "datatype": DATATYPES[feature.type][-1]}
            for tensor, feature in zip(plain["inputs"], spec.features, strict=True)
        ]
    }
    # As MLServer's clients write it: `content_type` parameters for its codecs, which a server may ignore.
    mlserver = {
        "parameters": {"content_type": "pd"},
        "inputs": [
            {**tensor, "parameters": {"content_type": "str"}} if tensor["datatype"] == "BYTES" else tensor
            for tensor in plain["inputs"]
        ],
    }
    path = infer_path(spec)
    return [
        GoodCase(
            "oip: charset parameter", path, encode(plain), content_type="application/json; charset=utf-8"
        ),
        GoodCase("oip: chunked body", path, encode(plain), chunked=True),
        GoodCase("oip: shape [n, 1], data nested", path, encode(nested)),
        GoodCase("oip: shape [n, 1], data flat", path, encode(flat_2d)),
        GoodCase("oip: FP32 and INT32 inputs", path, encode(narrow)),
        GoodCase("oip: inputs in reverse order", path, encode({"inputs": plain["inputs"][::-1]})),
        GoodCase("oip: only the predict output", path, encode({**plain, "outputs": [{"name": "predict"}]})),
        GoodCase("oip: MLServer's payload (pandas and string codecs)", path, encode(mlserver)),
        GoodCase(
            "oip: id and parameters",
            path,
            encode(
                {"id": "req-1", "parameters": {"binary_data_output": True, "content_type": "pd"}, **plain}
            ),
        ),
    ]


def _routing_cases(spec: ModelSpec) -> list[BadCase]:
    path, model = infer_path(spec), f"/v2/models/{spec.name}"
    valid = encode(infer_request(spec, [dict(spec.example_record())]))

    def wrong_method(method: str, at: str, allow: str) -> BadCase:
        return BadCase(
            f"oip: {method} on {at}",
            method,
            at,
            b"",
            405,
            "method_not_allowed",
            content_type=None,
            allow=allow,
        )

    return [
        BadCase("oip: unknown path", "GET", "/v2/nothing", b"", 404, "not_found", content_type=None),
        BadCase("oip: trailing slash", "POST", f"{path}/", valid, 404, "not_found"),
        BadCase(
            "oip: unknown model's metadata",
            "GET",
            f"/v2/models/{UNKNOWN_MODEL}",
            b"",
            404,
            "not_found",
            content_type=None,
        ),
        BadCase(
            "oip: unknown model's readiness",
            "GET",
            f"/v2/models/{UNKNOWN_MODEL}/ready",
            b"",
            404,
            "not_found",
            content_type=None,
        ),
        BadCase(
            "oip: unknown model's infer", "POST", infer_path(spec, UNKNOWN_MODEL), valid, 404, "not_found"
        ),
        wrong_method("GET", path, "POST"),
        wrong_method("PUT", path, "POST"),
        wrong_method("POST", "/v2", "GET"),
        wrong_method("POST", "/v2/health/live", "GET"),
        wrong_method("DELETE", model, "GET"),
    ]


def _media_cases(spec: ModelSpec, settings: Settings) -> list[BadCase]:
    path = infer_path(spec)
    valid = encode(infer_request(spec, [dict(spec.example_record())]))
    oversized = b'{"pad": "' + b"x" * settings.MAX_BODY_BYTES + b'"}'
    return [
        # No content type is JSON here (Triton's client sends none): an empty body is then invalid JSON, not a 415.
        BadCase(
            "oip: no content type, empty body", "POST", path, b"", 400, "invalid_json", content_type=None
        ),
        BadCase(
            "oip: text/plain", "POST", path, valid, 415, "unsupported_media_type", content_type="text/plain"
        ),
        BadCase(
            "oip: binary tensors (octet-stream)",
            "POST",
            path,
            valid,
            415,
            "unsupported_media_type",
            content_type="application/octet-stream",
        ),
        BadCase(
            "oip: 415 before 413",
            "POST",
            path,
            oversized,
            415,
            "unsupported_media_type",
            content_type="text/plain",
        ),
        BadCase("oip: oversized body", "POST", path, oversized, 413, "payload_too_large"),
        BadCase(
            "oip: oversized chunked body", "POST", path, oversized, 413, "payload_too_large", chunked=True
        ),
        BadCase(
            "oip: 413 before 400",
            "POST",
            path,
            b"[" * (settings.MAX_BODY_BYTES + 1),
            413,
            "payload_too_large",
        ),
    ]


def _json_cases(spec: ModelSpec) -> list[BadCase]:
    valid = encode(infer_request(spec, [dict(spec.example_record())]))
    first = next(feature for feature in spec.features if feature.type.is_numeric)
    token = json.dumps([spec.example_record()[first.name]]).encode()

    def spliced(value: bytes) -> bytes:
        return valid.replace(b'"data": ' + token, b'"data": [' + value + b"]", 1)

    raw: list[tuple[str, bytes]] = [
        ("empty body", b""),
        ("whitespace body", b" \n "),
        ("NaN in data", spliced(b"NaN")),
        ("Infinity in data", spliced(b"Infinity")),
        ("-Infinity in data", spliced(b"-Infinity")),
        ("number overflowing a double", spliced(b"1e400")),
        ("over-long integer", spliced(b"1" * (MAX_NUMBER_CHARS + 1))),
        ("invalid UTF-8", b'{"inputs": [{"name": "\xff\xfe"}]}'),
        ("duplicate key", valid[:-1] + b', "inputs": []}'),
        ("truncated", valid[:-1]),
        ("trailing comma", valid[:-1] + b",}"),
        ("array body", b"[" + valid + b"]"),
        ("string body", b'"inputs"'),
        ("nested too deep", b'{"inputs": ' + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"}"),
    ]
    assert all(body != valid for _, body in raw[2:7]), "a JSON case must differ from the valid request"
    return [
        BadCase(f"oip: {name}", "POST", infer_path(spec), body, 400, "invalid_json") for name, body in raw
    ]


def _tensor_cases(spec: ModelSpec, settings: Settings) -> list[BadCase]:
    """The request's envelope and tensors: the protocol's own rules, each a 422 located in the request."""
    example = dict(spec.example_record())
    plain = infer_request(spec, [example])
    inputs: list[dict[str, Any]] = plain["inputs"]
    count = len(inputs)
    over = settings.MAX_BATCH + 1

    def case(name: str, body: object, locs: tuple[Loc, ...]) -> BadCase:
        return BadCase(f"oip: {name}", "POST", infer_path(spec), encode(body), 422, "validation_error", locs)

    def with_first(**changes: Any) -> dict[str, Any]:
        return {"inputs": [{**inputs[0], **changes}, *inputs[1:]]}

    every_shape = tuple(("inputs", index, "shape") for index in range(count))
    required = [index for index, feature in enumerate(spec.features) if feature.required]
    cases = [
        case("inputs missing", {}, (("inputs",),)),
        case("inputs empty (an empty batch)", {"inputs": []}, (("inputs",),)),
        case("inputs an object", {"inputs": inputs[0]}, (("inputs",),)),
        case("unknown envelope key", {**plain, "extra": 1}, (("extra",),)),
        case("id not a string", {**plain, "id": 7}, (("id",),)),
        case(
            "tensor without data",
            {"inputs": [{k: v for k, v in inputs[0].items() if k != "data"}, *inputs[1:]]},
            (("inputs", 0, "data"),),
        ),
        case("unknown tensor key", with_first(extra=1), (("inputs", 0, "extra"),)),
        case("shape not a list", with_first(shape=1), (("inputs", 0, "shape"),)),
        case("negative dimension", with_first(shape=[-1]), (("inputs", 0, "shape", 0),)),
        case("shape against data", with_first(shape=[2]), (("inputs", 0, "shape"),)),
        case("shape [1, 2]", with_first(shape=[1, 2]), (("inputs", 0, "shape"),)),
        case(
            "shape [0] (no rows)", {"inputs": [{**t, "shape": [0], "data": []} for t in inputs]}, every_shape
        ),
        case(
            f"{over} rows (over MAX_BATCH)",
            {"inputs": [{**t, "shape": [over], "data": t["data"] * over} for t in inputs]},
            every_shape,
        ),
        case(
            "batch sizes disagree",
            {"inputs": [inputs[0], {**inputs[1], "shape": [2], "data": inputs[1]["data"] * 2}, *inputs[2:]]},
            (("inputs", 1, "shape"),),
        ),
        case(
            "unknown input",
            {"inputs": [*inputs, {**inputs[0], "name": f"{inputs[0]['name']}_2"}]},
            (("inputs", count, "name"),),
        ),
        case("input sent twice", {"inputs": [*inputs, inputs[0]]}, (("inputs", count, "name"),)),
        case("unknown output", {**plain, "outputs": [{"name": "transform"}]}, (("outputs", 0, "name"),)),
        case(
            "third row bad",
            {
                "inputs": [{**inputs[0], "shape": [3], "data": [*inputs[0]["data"] * 2, None]}]
                + [{**t, "shape": [3], "data": t["data"] * 3} for t in inputs[1:]]
            },
            (("inputs", 0, "data", 2),),
        ),
    ]
    if required:
        missing = required[0]
        cases.append(
            case(
                "required input missing", {"inputs": inputs[:missing] + inputs[missing + 1 :]}, (("inputs",),)
            )
        )
    if spec.task.value == "regression":
        cases.append(
            case(
                "predict_proba of a regressor",
                {**plain, "outputs": [{"name": "predict_proba"}]},
                (("outputs", 0, "name"),),
            )
        )
    return cases


def _feature_cases(spec: ModelSpec, index: int, feature: Feature) -> list[BadCase]:
    """One feature's rules as tensor values, plus its wrong datatype."""
    plain = infer_request(spec, [dict(spec.example_record())])
    values: list[tuple[str, Any]] = [("null", None), ("a list", [1])]
    if feature.type.is_numeric:
        values += [("a string", "12"), ("a boolean", True)]
        values += [(f"{label} bound", value) for label, value in out_of_bounds(feature)]
        if feature.type is FeatureType.INTEGER:
            values.append(("a fraction", 1.5))
    elif feature.type is FeatureType.CATEGORY:
        assert feature.enum
        values += [("a number", 1), ("padded", f" {feature.enum[0]}"), ("unknown", "unknown-category")]
    else:
        values += [("a string", "true"), ("a number", 1)]

    def body(**changes: Any) -> bytes:
        inputs = [dict(tensor) for tensor in plain["inputs"]]
        inputs[index].update(changes)
        return encode({"inputs": inputs})

    path = infer_path(spec)
    cases = [
        BadCase(
            f"oip: {feature.name}: {label}",
            "POST",
            path,
            body(data=[value]),
            422,
            "validation_error",
            (("inputs", index, "data", 0),),
        )
        for label, value in values
    ]
    cases.append(
        BadCase(
            f"oip: {feature.name}: datatype {WRONG_DATATYPE[feature.type]}",
            "POST",
            path,
            body(datatype=WRONG_DATATYPE[feature.type]),
            422,
            "validation_error",
            (("inputs", index, "datatype"),),
        )
    )
    return cases
