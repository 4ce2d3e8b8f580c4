"""The benchmark peers: their configuration, their verification, and MLServer and BentoML verified live."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator

import pytest

from benchmarks import plan
from benchmarks.peers import mlserver, oip_payloads
from benchmarks.peers.checks import MAX_ULPS, PeerCheck, compare
from benchmarks.peers.envs import PeerMissing, peer_python
from benchmarks.peers.serving import PROTOCOLS, check_peer, running_peer
from benchmarks.peers.staging import StagingFailed, stage
from benchmarks.records import generated_records
from benchmarks.servers import RunningServer
from shared_model import Predictor, Validator
from shared_model.predictor import Prediction

ONE_ULP_ABOVE_HALF = 0.5000000000000001


def test_compare_keeps_the_largest_ulps_and_fails_past_the_limit_or_on_a_label() -> None:
    want = [Prediction("approved", {"approved": 0.5, "denied": 0.5})]
    check = PeerCheck(checked=1)
    compare([Prediction("approved", {"approved": ONE_ULP_ABOVE_HALF, "denied": 0.5})], want, "near", check)
    assert (check.passed, check.max_ulps) == (True, 1)
    assert check.summary() == "1 records: labels equal, probabilities within 1 ULP to scikit-learn in-process"
    compare([Prediction("approved", {"approved": 0.5001, "denied": 0.4999})], want, "far", check)
    compare([Prediction("denied", {"approved": 0.5, "denied": 0.5})], want, "label", check)
    assert check.max_ulps > MAX_ULPS
    assert [failure.split(":")[0] for failure in check.failures] == ["far record 0", "label record 0"]
    assert not check.passed


def test_an_infer_request_has_one_column_per_feature_and_asks_for_label_and_probabilities(
    loan: Predictor,
) -> None:
    records = generated_records(loan.spec)[:3]
    request = oip_payloads.infer_request(loan.spec, records, classifier=True)
    assert request["parameters"] == {"content_type": "pd"}
    assert [tensor["name"] for tensor in request["inputs"]] == list(loan.spec.feature_names)
    by_name = {tensor["name"]: tensor for tensor in request["inputs"]}
    assert by_name["age"] == {
        "name": "age",
        "shape": [3],
        "datatype": "INT64",
        "data": [r["age"] for r in records],
    }
    assert by_name["home_ownership"]["datatype"] == "BYTES"
    assert by_name["home_ownership"]["parameters"] == {"content_type": "str"}
    assert by_name["income"]["datatype"] == "FP64"
    assert request["outputs"] == [{"name": "predict"}, {"name": "predict_proba"}]


def test_an_infer_answer_reads_back_as_predictions_or_is_refused(loan: Predictor) -> None:
    answer = {
        "outputs": [
            {"name": "predict", "shape": [2, 1], "datatype": "BYTES", "data": ["denied", "approved"]},
            {
                "name": "predict_proba",
                "shape": [2, 2],
                "datatype": "FP64",
                "data": [0.25, 0.75, 0.875, 0.125],
            },
        ]
    }
    assert oip_payloads.predictions(answer, loan) == [
        Prediction("denied", {"approved": 0.25, "denied": 0.75}),
        Prediction("approved", {"approved": 0.875, "denied": 0.125}),
    ]
    with pytest.raises(oip_payloads.AnswerMismatch, match="lack what was asked for"):
        oip_payloads.predictions({"outputs": answer["outputs"][:1]}, loan)
    short = {"outputs": [answer["outputs"][0], {**answer["outputs"][1], "data": [0.25]}]}
    with pytest.raises(oip_payloads.AnswerMismatch, match="1 probabilities for 2 rows"):
        oip_payloads.predictions(short, loan)


@pytest.mark.parametrize(
    ("variant", "workers", "batching"),
    [("default", 1, None), ("single", 0, None), ("batching", 1, (16, 0.002))],
)
def test_mlserver_settings_per_variant(loan: Predictor, tmp_path, variant, workers, batching) -> None:
    chosen = mlserver.VARIANTS[variant]
    server = mlserver.server_settings(tmp_path, chosen, 1001, 1002, 1003)
    assert server["parallel_workers"] == workers
    assert (server["host"], server["http_port"], server["grpc_port"], server["metrics_port"]) == (
        "127.0.0.1",
        1001,
        1002,
        1003,
    )
    assert server["debug"] is False
    model = mlserver.model_settings(loan, tmp_path / "model.joblib", chosen)
    assert model["implementation"] == "mlserver_sklearn.SKLearnModel"
    assert model["parameters"] == {"uri": str(tmp_path / "model.joblib"), "version": loan.version}
    found = (model["max_batch_size"], model["max_batch_time"]) if "max_batch_size" in model else None
    assert found == batching


def test_staging_copies_the_artifact_it_verified_and_describes_the_spec(loan: Predictor, tmp_path) -> None:
    staged = stage(loan, "loan", tmp_path)
    assert hashlib.sha256(staged.artifact.read_bytes()).hexdigest() == loan.manifest.sha256
    described = json.loads((tmp_path / "peer-model.json").read_text(encoding="utf-8"))
    assert described["features"] == list(loan.spec.feature_names)
    assert described["types"] == [feature.type.value for feature in loan.spec.features]
    assert (described["sha256"], described["classifier"]) == (loan.manifest.sha256, True)


def test_staging_refuses_an_artifact_whose_sha256_is_not_the_manifests(loan: Predictor, tmp_path) -> None:
    other = dataclasses.replace(loan.manifest, sha256="0" * 64)
    impostor = Predictor(loan.model, loan.spec, other)
    with pytest.raises(StagingFailed, match="its manifest says 0000"):
        stage(impostor, "loan", tmp_path)


def test_a_peer_not_built_fails_with_the_command_to_run(tmp_path) -> None:
    (tmp_path / "mlserver" / "bin").mkdir(parents=True)
    (tmp_path / "mlserver" / "bin" / "python").touch()  # a venv whose build did not finish: no stamp
    with pytest.raises(PeerMissing, match=r"run `make peers`"):
        peer_python("mlserver", tmp_path)


def test_peers_join_the_plan_only_when_asked() -> None:
    assert not [t for t in plan.targets(plan.FULL) if t.kind == "peer" or t.protocol == "oip"]
    full = {t.label for t in plan.targets(dataclasses.replace(plan.FULL, peers=True))}
    assert {
        "mlserver (default, 1w, OIP)",
        "mlserver (single, 1w, OIP)",
        "mlserver (batching, 1w, OIP)",
        "bentoml (default, 1w)",
        "flask_app (gthread, 1w, OIP)",
        "fastapi_app (async, 1w, OIP)",
    } <= full
    quick = [t for t in plan.targets(dataclasses.replace(plan.QUICK, peers=True)) if t.kind == "peer"]
    assert [t.label for t in quick] == ["mlserver (default, 1w, OIP)", "bentoml (default, 1w)"]


@pytest.fixture(
    scope="module", params=[("mlserver", "default"), ("mlserver", "batching"), ("bentoml", "default")]
)
def peer(request: pytest.FixtureRequest, loan: Predictor) -> Iterator[tuple[str, RunningServer]]:
    name, variant = request.param
    with running_peer(name, variant, loan, "loan") as server:
        yield name, server


@pytest.mark.live
def test_a_peer_gives_our_labels_and_scikit_learns_probabilities_bit_for_bit(
    peer: tuple[str, RunningServer], loan: Predictor, loan_validator: Validator
) -> None:
    name, server = peer
    check = check_peer(PROTOCOLS[name], server.base_url, loan, loan_validator, generated_records(loan.spec))
    assert check.failures == []
    assert (check.checked, check.max_ulps) == (20, 0)
