"""MLServer with its scikit-learn runtime, configured as its documentation shows: `settings.json` for the server,
`model-settings.json` beside the model, both generated in a temporary folder holding a verified copy of our artifact.

    with running_mlserver(predictor, "loan", "default") as server:
        httpx.post(f"{server.base_url}/v2/models/loan/infer", json=...)
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.peers.envs import peer_python
from benchmarks.peers.staging import stage
from benchmarks.servers import RunningServer, running_command
from shared_model.loopback import LOOPBACK, free_port
from shared_model.predictor import Predictor

PEER = "mlserver"
IMPLEMENTATION = "mlserver_sklearn.SKLearnModel"
READY_TIMEOUT_S = 120.0  # MLServer imports more than our front ends and starts its inference pool first


@dataclass(frozen=True, slots=True)
class Variant:
    """One MLServer configuration: its inference pool and adaptive batching."""

    parallel_workers: int  # 0: inference in the server's own process; n: in a pool of n worker processes
    max_batch_size: int = 0  # adaptive batching: requests grouped into one call, up to this many ...
    max_batch_time: float = 0.0  # ... or until this many seconds have passed since the first


# MLServer's default is a pool of one inference worker; "single" keeps inference in the HTTP process, and
# "batching" adds adaptive batching (its headline feature) to the default.
VARIANTS = {
    "default": Variant(parallel_workers=1),
    "single": Variant(parallel_workers=0),
    "batching": Variant(parallel_workers=1, max_batch_size=16, max_batch_time=0.002),
}
DEFAULT_VARIANT = "default"


def server_settings(
    folder: Path, variant: Variant, http_port: int, grpc_port: int, metrics_port: int
) -> dict[str, Any]:
    """`settings.json`: loopback only, our ports, no debug logging, the pool as the variant says."""
    return {
        "debug": False,
        "host": LOOPBACK,
        "http_port": http_port,
        "grpc_port": grpc_port,
        "metrics_port": metrics_port,
        "metrics_dir": str(folder / "metrics"),
        "parallel_workers": variant.parallel_workers,
        "load_models_at_startup": True,
    }


def model_settings(predictor: Predictor, artifact: Path, variant: Variant) -> dict[str, Any]:
    """`model-settings.json`: the scikit-learn runtime on the artifact's copy, batching as the variant says."""
    settings: dict[str, Any] = {
        "name": predictor.name,
        "implementation": IMPLEMENTATION,
        "parameters": {"uri": str(artifact), "version": predictor.version},
    }
    if variant.max_batch_size > 1:
        settings.update(max_batch_size=variant.max_batch_size, max_batch_time=variant.max_batch_time)
    return settings


@contextmanager
def running_mlserver(
    predictor: Predictor, model: str, variant: str = DEFAULT_VARIANT
) -> Iterator[RunningServer]:
    """`mlserver start` on a folder of generated settings and the verified artifact; stopped and removed on exit."""
    python = peer_python(PEER)
    chosen = VARIANTS[variant]
    with tempfile.TemporaryDirectory(prefix="servebench-mlserver-") as name:
        folder = Path(name)
        staged = stage(predictor, model, folder)
        http_port = free_port()
        settings = server_settings(folder, chosen, http_port, free_port(), free_port())
        (folder / "settings.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")
        described = model_settings(predictor, staged.artifact, chosen)
        (folder / "model-settings.json").write_text(json.dumps(described, indent=2), encoding="utf-8")
        with running_command(
            f"{PEER}-{variant}",
            lambda port: [str(python.parent / "mlserver"), "start", str(folder)],
            ready_path=f"/v2/models/{predictor.name}/ready",
            variant=variant,
            ready_timeout=READY_TIMEOUT_S,
            python=python,
            port=http_port,
            cwd=folder,
        ) as server:
            yield server
