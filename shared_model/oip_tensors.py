"""Open Inference Protocol v2 tensors: an inference request to validated rows, predictions to the answer's outputs.

A request carries one input per feature, named as the feature, of shape `[n]` (or `[n, 1]`, data flat or
nested), with the feature's datatype; its values are checked by the same Validator as `/v1/predict/batch`, and every
problem is a field error located in the request (`["inputs", 2, "data", 7]`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared_model.errors import FieldError, ValidationFailed
from shared_model.oip import DATATYPES, PREDICT_OUTPUT, label_datatype, output_names
from shared_model.predictor import Prediction, Predictor
from shared_model.validation import Row, Validator, field_errors

STRICT = ConfigDict(strict=True, extra="forbid", hide_input_in_errors=True)
Parameters = dict[str, bool | int | float | str]
INSTANCES = "instances"


class TensorInput(BaseModel):
    """One input tensor as the protocol writes it."""

    model_config = STRICT
    name: str
    shape: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]
    datatype: str
    parameters: Parameters | None = None
    data: list[Any]


class RequestedOutput(BaseModel):
    """An output the client asks for."""

    model_config = STRICT
    name: str
    parameters: Parameters | None = None


class InferenceRequest(BaseModel):
    """The body of `POST /v2/models/NAME/infer`."""

    model_config = STRICT
    id: str | None = None
    parameters: Parameters | None = None
    inputs: Annotated[list[TensorInput], Field(min_length=1)]
    outputs: list[RequestedOutput] | None = None


@dataclass(frozen=True, slots=True)
class Inference:
    """A valid inference request: its rows, the outputs to answer, and the client's id."""

    rows: list[Row]
    outputs: tuple[str, ...]
    id: str | None


def read_request(payload: object, predictor: Predictor, validator: Validator) -> Inference:
    """A parsed JSON body → rows in spec order; ValidationFailed listing every problem where it is."""
    try:
        request = InferenceRequest.model_validate(payload)
    except ValidationError as error:
        raise ValidationFailed(details=field_errors(error)) from None
    outputs = _outputs(request, predictor)
    columns = _columns(request, validator)
    records = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    try:
        rows = validator.validate_records(records)
    except ValidationFailed as error:
        places = {name: index for index, name in enumerate(tensor.name for tensor in request.inputs)}
        raise ValidationFailed(details=[_in_tensor(detail, places) for detail in error.details]) from None
    return Inference(rows, outputs, request.id)


def infer_body(
    predictor: Predictor, inference: Inference, predictions: Sequence[Prediction]
) -> dict[str, Any]:
    """The answer: which model, the client's id when it sent one, and the asked outputs (all by default)."""
    body: dict[str, Any] = {"model_name": predictor.name, "model_version": predictor.version}
    if inference.id is not None:
        body["id"] = inference.id
    body["outputs"] = [_output(name, predictor, predictions) for name in inference.outputs]
    return body


def _outputs(request: InferenceRequest, predictor: Predictor) -> tuple[str, ...]:
    known = output_names(predictor)
    if request.outputs is None:
        return known
    problems: list[FieldError] = [
        _problem(
            ["outputs", index, "name"],
            f"Unknown output {output.name!r}; expected one of {list(known)}",
            "output",
        )
        for index, output in enumerate(request.outputs)
        if output.name not in known
    ]
    if problems:
        raise ValidationFailed(details=problems)
    return tuple(output.name for output in request.outputs)


def _columns(request: InferenceRequest, validator: Validator) -> dict[str, list[Any]]:
    """Each input's values by feature name, in the request's order, after the tensor-level checks."""
    features = {feature.name: feature for feature in validator.spec.features}
    problems: list[FieldError] = []
    columns: dict[str, list[Any]] = {}
    rows: int | None = None
    for index, tensor in enumerate(request.inputs):
        feature = features.get(tensor.name)
        where: list[str | int] = ["inputs", index]
        if feature is None:
            problems.append(_problem([*where, "name"], f"Unknown input {tensor.name!r}", "input"))
        elif tensor.name in columns:
            problems.append(_problem([*where, "name"], f"Input {tensor.name!r} is sent twice", "input"))
        elif tensor.datatype not in DATATYPES[feature.type]:
            admitted = " or ".join(DATATYPES[feature.type])
            problems.append(
                _problem([*where, "datatype"], f"Input should have datatype {admitted}", "datatype")
            )
        elif (shape_problem := _shape_problem(tensor, rows, validator.max_batch)) is not None:
            problems.append(_problem([*where, "shape"], shape_problem, "shape"))
        else:
            rows = tensor.shape[0]
            columns[tensor.name] = _flat(tensor)
    missing = [name for name, feature in features.items() if feature.required and name not in columns]
    sent = {tensor.name for tensor in request.inputs}
    problems += [
        _problem(["inputs"], f"Input {name!r} is required", "missing") for name in missing if name not in sent
    ]
    if problems:
        raise ValidationFailed(details=problems)
    return columns


def _shape_problem(tensor: TensorInput, rows: int | None, max_batch: int) -> str | None:
    shape = tensor.shape
    if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
        return "Shape should be [n] or [n, 1]: one value per row"
    if not 1 <= shape[0] <= max_batch:
        return f"Shape should hold 1 to {max_batch} rows"
    if rows is not None and shape[0] != rows:
        return f"Shape should hold {rows} rows, as the inputs before it do"
    if len(_flat(tensor)) != shape[0]:
        return f"Shape {shape} does not match the {len(tensor.data)} values of data"
    return None


def _flat(tensor: TensorInput) -> list[Any]:
    # [n, 1] may be written nested, one single-value list per row (the protocol allows either).
    if (
        len(tensor.shape) == 2
        and tensor.data
        and all(type(value) is list and len(value) == 1 for value in tensor.data)
    ):
        return [value[0] for value in tensor.data]
    return tensor.data


def _in_tensor(detail: FieldError, places: dict[str, int]) -> FieldError:
    # The batch validator says ["instances", row, feature]; the request holds that value at inputs[i].data[row].
    loc = detail["loc"]
    if len(loc) >= 3 and loc[0] == INSTANCES and loc[2] in places:
        return {**detail, "loc": ["inputs", places[str(loc[2])], "data", loc[1], *loc[3:]]}
    return detail


def _output(name: str, predictor: Predictor, predictions: Sequence[Prediction]) -> dict[str, Any]:
    rows = len(predictions)
    if name == PREDICT_OUTPUT:
        datatype = label_datatype(predictor)
        labels = [prediction.prediction for prediction in predictions]
        data = [str(label) for label in labels] if datatype == "BYTES" else labels
        return {"name": name, "datatype": datatype, "shape": [rows, 1], "data": data}
    width = len(predictor.classes)
    matrix = [p for prediction in predictions for p in (prediction.probabilities or {}).values()]
    return {"name": name, "datatype": "FP64", "shape": [rows, width], "data": matrix}


def _problem(loc: list[str | int], msg: str, kind: str) -> FieldError:
    return {"loc": loc, "msg": msg, "type": kind}
