"""The compiled runtime: a scikit-learn model converted with skl2onnx, predicted by onnxruntime."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from shared_model.spec import FeatureType, ModelSpec, Task

ONNX_SUFFIX = ".onnx"
# Opsets onnxruntime runs; pinned so two builds write the same bytes whatever skl2onnx would pick.
TARGET_OPSET = {"": 21, "ai.onnx.ml": 3}
# Double first (the arithmetic scikit-learn does); float32 when onnxruntime has no double kernel (tree ensembles).
PRECISIONS = ("double", "float")
NUMPY_TYPES: dict[str, type] = {"double": np.float64, "float": np.float32}
MATRIX_INPUT = "input"  # the one input of a model whose features are all numbers


class ConversionRefused(ValueError):
    """The model cannot be served by onnxruntime; the message says why."""


@dataclass(frozen=True, slots=True)
class Conversion:
    """An ONNX model's bytes and the float precision its inputs take."""

    data: bytes
    precision: str


def convert(model: Any, spec: ModelSpec) -> Conversion:
    """Convert with one input per feature, in the highest precision onnxruntime runs; ConversionRefused otherwise."""
    if any(not feature.required and feature.type is FeatureType.CATEGORY for feature in spec.features):
        raise ConversionRefused("an optional category feature has no ONNX string for a missing value")
    reasons = []
    for precision in PRECISIONS:
        try:
            data = _convert(model, spec, precision)
            OnnxModel(data, spec, precision, _classes(model, spec)).predict_raw(_example_matrix(spec))
        except Exception as error:  # skl2onnx and onnxruntime raise many kinds; each is a reason to refuse
            reasons.append(f"{precision}: {_first_line(error)}")
            continue
        return Conversion(data, precision)
    raise ConversionRefused("; ".join(reasons))


def _convert(model: Any, spec: ModelSpec, precision: str) -> bytes:
    # Imported here: only `make models` and `shared_model.byom` convert; serving needs onnxruntime alone.
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, StringTensorType

    number = DoubleTensorType if precision == "double" else FloatTensorType
    if _all_numeric(spec):
        # One matrix: per-feature inputs would be joined by FeatureVectorizer, which rounds them to float32.
        inputs = [(MATRIX_INPUT, number([None, len(spec.features)]))]
    else:
        inputs = [
            (
                feature.name,
                StringTensorType([None, 1]) if feature.type is FeatureType.CATEGORY else number([None, 1]),
            )
            for feature in spec.features
        ]
    if precision == "double":
        model = _with_float32_thresholds(model)
    # zipmap off: probabilities come back as one matrix in classes_ order, not a list of dicts.
    options = {id(model): {"zipmap": False}} if spec.task is Task.CLASSIFICATION else None
    onnx_model = convert_sklearn(model, initial_types=inputs, target_opset=TARGET_OPSET, options=options)
    if precision == "double":
        _trees_in_float32(onnx_model.graph)
    # skl2onnx names the graph with a random UUID; the spec's name keeps two builds byte-identical.
    onnx_model.graph.name = spec.name
    return bytes(onnx_model.SerializeToString())


def _all_numeric(spec: ModelSpec) -> bool:
    return all(feature.type is not FeatureType.CATEGORY for feature in spec.features)


def _with_float32_thresholds(model: Any) -> Any:
    """A copy whose tree thresholds are the largest float32 at or below each (as float64).

    scikit-learn's trees compare float32(x) <= threshold (float64); onnxruntime's tree kernels hold thresholds as
    float32, and rounding one to nearest can move it above a float32 input that scikit-learn sends right. With the
    threshold rounded down, float32(x) <= it exactly when float32(x) <= the original, so every split is the same.
    """
    fitted = copy.deepcopy(model)
    for tree in _trees(fitted):
        threshold = tree.threshold
        nearest = threshold.astype(np.float32)
        below = np.nextafter(nearest, np.float32(-np.inf))
        threshold[:] = np.where(nearest > threshold, below, nearest).astype(np.float64)
    return fitted


def _trees(estimator: Any) -> Iterator[Any]:
    if hasattr(estimator, "tree_"):
        yield estimator.tree_
        return
    for _, step in getattr(estimator, "steps", ()):
        yield from _trees(step)
    for _, part, _ in getattr(estimator, "transformers_", ()):
        yield from _trees(part)
    members = getattr(estimator, "estimators_", None)
    if members is not None:
        for member in np.asarray(members, dtype=object).ravel():
            yield from _trees(member)


def _trees_in_float32(graph: Any) -> None:
    """Feed onnxruntime's tree kernels float32, as scikit-learn feeds its trees; widen a regressor's sum to double.

    Given double, the kernels compare it with their float32 thresholds, which is not scikit-learn's comparison of
    float32(x); and the regressor's kernel answers float32 only, which skl2onnx declares as double.
    """
    from onnx import TensorProto, helper

    for index in reversed(range(len(graph.node))):
        node = graph.node[index]
        if node.op_type not in ("TreeEnsembleRegressor", "TreeEnsembleClassifier"):
            continue
        if node.op_type == "TreeEnsembleRegressor":
            target = node.output[0]
            node.output[0] = f"{target}_float32"
            graph.node.insert(
                index + 1, helper.make_node("Cast", [node.output[0]], [target], to=TensorProto.DOUBLE)
            )
        source = node.input[0]
        node.input[0] = f"{source}_float32"
        graph.node.insert(index, helper.make_node("Cast", [source], [node.input[0]], to=TensorProto.FLOAT))


def _classes(model: Any, spec: ModelSpec) -> list[Any]:
    return model.classes_.tolist() if spec.task is Task.CLASSIFICATION else []


def _example_matrix(spec: ModelSpec) -> Any:
    # Any value of the right type will do: this row only proves onnxruntime can run the graph.
    row = [
        feature.example if feature.example is not None else (feature.enum or (0.0,))[0]
        for feature in spec.features
    ]
    return np.array([row], dtype=object)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


class OnnxModel:
    """Duck-types the scikit-learn calls `Predictor` makes (`predict`, `predict_proba`, `classes_`) on onnxruntime."""

    def __init__(self, data: bytes, spec: ModelSpec, precision: str, classes: list[Any]) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        # One thread per call: the server's workers are the parallelism, as with scikit-learn's one-row calls.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        self._number = NUMPY_TYPES[precision]
        self._matrix = _all_numeric(spec)
        # Inputs by position: skl2onnx renames features that are not identifiers ("machine age" -> machine_age).
        names = [item.name for item in self._session.get_inputs()]
        if not self._matrix and len(names) != len(spec.features):
            raise ValueError(f"the ONNX graph has {len(names)} inputs for {len(spec.features)} features")
        self._columns = tuple(
            (name, str if feature.type is FeatureType.CATEGORY else self._number)
            for name, feature in zip(names, spec.features, strict=not self._matrix)
        )
        self.precision = precision
        self.classes_ = np.array(classes, dtype=object)

    def predict_raw(self, matrix: Any) -> list[Any]:
        """Every output of the graph for the rows of `matrix` (columns in the spec's feature order)."""
        if self._matrix:
            return list(self._session.run(None, {MATRIX_INPUT: np.asarray(matrix, dtype=self._number)}))
        matrix = np.asarray(matrix, dtype=object)
        feeds = {
            name: matrix[:, index : index + 1].astype(kind)
            for index, (name, kind) in enumerate(self._columns)
        }
        return list(self._session.run(None, feeds))

    def predict_proba(self, matrix: Any) -> Any:
        """Probabilities, one row per input row, one column per class in `classes_` order, as float64."""
        return np.asarray(self.predict_raw(matrix)[1], dtype=np.float64)

    def predict(self, matrix: Any) -> Any:
        """A regressor's values as float64 (one per row)."""
        return np.asarray(self.predict_raw(matrix)[0], dtype=np.float64).reshape(-1)

    def __repr__(self) -> str:
        return f"OnnxModel(precision={self.precision!r}, inputs={len(self._columns)})"
