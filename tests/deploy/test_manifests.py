"""The Kubernetes manifests: valid against the bundled Kubernetes 1.37 schemas (strict, no network), probes on the
health routes, memory sized from the example report's run, and a RayService that names what ray_serve defines."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from deploy.sizing import EXAMPLE_RESULTS, SHIPPED, pod_memory

REPO = Path(__file__).resolve().parent.parent.parent
MANIFESTS = REPO / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.37.0"
HTTP_FRONT_ENDS = tuple(SHIPPED)


def documents(path: Path) -> list[dict[str, Any]]:
    """The YAML documents of one manifest file."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(front_end: str) -> dict[str, dict[str, Any]]:
    """A front end's manifest, its documents by kind."""
    return {doc["kind"]: doc for doc in documents(MANIFESTS / f"{front_end}.yaml")}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails: the schemas must come from the installed package."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network use in an offline check")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def core_documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{doc['kind']}", doc)
        for path in sorted(MANIFESTS.glob("*.yaml"))
        for doc in documents(path)
        if "." not in doc["apiVersion"].split("/")[0] or doc["apiVersion"].startswith(("policy/", "apps/"))
    ]


@pytest.mark.parametrize(("name", "doc"), core_documents(), ids=[name for name, _ in core_documents()])
def test_valid_against_the_kubernetes_schema(name: str, doc: dict[str, Any], no_network: None) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_strict_validation_catches_a_misspelt_field(no_network: None) -> None:
    deployment = by_kind("fastapi")["Deployment"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    broken = {**container, "readinesProbe": container["readinessProbe"]}
    deployment["spec"]["template"]["spec"]["containers"] = [broken]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("front_end", HTTP_FRONT_ENDS)
def test_deployment_probes_and_memory(front_end: str) -> None:
    kinds = by_kind(front_end)
    assert set(kinds) == {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"}
    pod = kinds["Deployment"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    memory = pod_memory(json.loads(EXAMPLE_RESULTS.read_text()), front_end)
    resources = container["resources"]
    assert (resources["requests"]["memory"], resources["limits"]["memory"]) == (
        f"{memory.request_mib}Mi",
        f"{memory.limit_mib}Mi",
    )
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["SERVEBENCH_WORKERS"] == resources["requests"]["cpu"]  # one worker per requested core


@pytest.mark.parametrize("front_end", HTTP_FRONT_ENDS)
def test_service_budget_and_autoscaler_reach_the_pods(front_end: str) -> None:
    kinds = by_kind(front_end)
    labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert kinds["Service"]["spec"]["selector"].items() <= labels.items()
    assert kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= labels.items()
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", kinds["Deployment"]["metadata"]["name"])
    (metric,) = kinds["HorizontalPodAutoscaler"]["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"


def _module_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return names | {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}


def _constant(path: Path, name: str) -> object:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} defines no {name}")


def test_ray_service_names_what_ray_serve_defines(no_network: None) -> None:
    """A CRD has no bundled schema: its pod templates are checked as core PodTemplates, its Serve config here."""
    (service,) = documents(MANIFESTS / "ray-service.yaml")
    assert (service["apiVersion"], service["kind"]) == ("ray.io/v1", "RayService")
    cluster = service["spec"]["rayClusterConfig"]
    templates = [cluster["headGroupSpec"]["template"]] + [
        group["template"] for group in cluster["workerGroupSpecs"]
    ]
    for template in templates:
        kubernetes_validate.validate(
            {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}, "template": template},
            KUBERNETES_VERSION,
            strict=True,
        )
        for container in template["spec"]["containers"]:
            env = {item["name"]: item["value"] for item in container["env"]}
            callback = env["RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH"]
            module, attribute = callback.split(":")
            assert attribute in _module_names(REPO / (module.replace(".", "/") + ".py")), callback
    assert cluster["rayVersion"] == "2.60.0" == _ray_pin()
    (application,) = yaml.safe_load(service["spec"]["serveConfigV2"])["applications"]
    module, attribute = application["import_path"].split(":")
    source = REPO / (module.replace(".", "/") + ".py")
    assert attribute in _module_names(source)
    (deployment,) = application["deployments"]
    assert deployment["name"] == _constant(source, "DEPLOYMENT_NAME")


def _ray_pin() -> str:
    for line in (REPO / "requirements" / "ray.txt").read_text().splitlines():
        if line.startswith("ray[serve]=="):
            return line.split("==")[1]
    raise AssertionError("requirements/ray.txt pins no ray[serve]")
