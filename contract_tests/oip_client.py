"""tritonclient, Triton's own HTTP client, driving a live front end's OIP v2 routes: metadata, readiness, infer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import closing
from typing import Any

import numpy as np
import tritonclient.http as triton  # type: ignore[import-untyped]
from tritonclient.utils import InferenceServerException  # type: ignore[import-untyped]

from contract_tests.checks import canonical, expect
from contract_tests.oip_cases import UNKNOWN_MODEL
from contract_tests.reference import ReferenceFrontEnd
from shared_model.oip import DATATYPES, model_metadata, output_names

TIMEOUT_S = 60.0
NUMPY_TYPES = {"INT64": np.int64, "FP64": np.float64, "BOOL": np.bool_, "BYTES": np.object_}


def check_with_tritonclient(
    address: str, reference: ReferenceFrontEnd, records: Sequence[Mapping[str, Any]]
) -> None:
    """`address` is HOST:PORT; every answer must be the reference's, floats bit for bit."""
    predictor = reference.predictor
    name = predictor.name
    client = triton.InferenceServerClient(address, connection_timeout=TIMEOUT_S, network_timeout=TIMEOUT_S)
    with closing(client):
        expect(client.is_server_live(), "tritonclient: the server is not live")
        expect(client.is_server_ready(), "tritonclient: the server is not ready")
        expect(client.is_model_ready(name), "tritonclient: the model is not ready")
        expect(not client.is_model_ready(UNKNOWN_MODEL), "tritonclient: an unknown model is ready")
        metadata = client.get_model_metadata(name)
        expect(metadata == model_metadata(predictor), f"tritonclient: metadata {metadata!r}")
        result = client.infer(
            name,
            _inputs(reference, records),
            outputs=[
                triton.InferRequestedOutput(output, binary_data=False) for output in output_names(predictor)
            ],
            request_id="tritonclient-1",
        )
        response = result.get_response()
        expect(response.get("id") == "tritonclient-1", f"tritonclient: id {response.get('id')!r}")
        batch = reference.predict_batch(records).json()["predictions"]
        labels = result.as_numpy("predict")
        expect(labels.shape == (len(records), 1), f"tritonclient: predict shape {labels.shape}")
        got_labels = [_plain(label) for label in labels.ravel().tolist()]
        expect(got_labels == [p["prediction"] for p in batch], f"tritonclient: labels {got_labels}")
        if predictor.is_classifier:
            matrix = result.as_numpy("predict_proba")
            want = [list(p["probabilities"].values()) for p in batch]
            expect(matrix.dtype == np.float64, f"tritonclient: probabilities as {matrix.dtype}")
            expect(canonical(matrix.tolist()) == canonical(want), "tritonclient: probabilities differ")
        try:
            client.infer(UNKNOWN_MODEL, _inputs(reference, records))
        except InferenceServerException as error:
            expect(error.status() == "404", f"tritonclient: unknown model answered {error.status()}")
            expect(str(error.message()).startswith("not_found: "), f"tritonclient: {error.message()!r}")
        else:
            expect(False, "tritonclient: an unknown model answered")


def _inputs(reference: ReferenceFrontEnd, records: Sequence[Mapping[str, Any]]) -> list[triton.InferInput]:
    inputs = []
    for feature in reference.predictor.spec.features:
        datatype = DATATYPES[feature.type][0]
        values: Any = np.array([record[feature.name] for record in records], dtype=NUMPY_TYPES[datatype])
        tensor = triton.InferInput(feature.name, [len(records)], datatype)
        tensor.set_data_from_numpy(values, binary_data=False)
        inputs.append(tensor)
    return inputs


def _plain(value: Any) -> Any:
    # BYTES come back as bytes from tritonclient's numpy view; the contract's labels are text.
    return value.decode() if isinstance(value, bytes) else value
