"""BentoML with its scikit-learn integration: the artifact's verified copy saved into a model store of its own
(`bentoml.sklearn.save_model`), then `bentoml serve` of the service in `bentoml_service.py`, one worker.

    with running_bentoml(predictor, "loan") as server:
        httpx.post(f"{server.base_url}/v1/predict", json=record)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.peers.envs import peer_python
from benchmarks.peers.staging import stage
from benchmarks.servers import RunningServer, running_command
from shared_model.loopback import LOOPBACK
from shared_model.predictor import Predictor

PEER = "bentoml"
SERVICE = Path(__file__).resolve().parent / "bentoml_service.py"
SERVICE_MODULE = "bentoml_service"
SAVE_TIMEOUT_S = 120.0
READY_TIMEOUT_S = 120.0
VARIANT = "default"


class StoreFailed(RuntimeError):
    """Saving the artifact into BentoML's model store failed; the message ends with its output."""


@contextmanager
def running_bentoml(predictor: Predictor, model: str) -> Iterator[RunningServer]:
    """Save the verified artifact into a fresh model store, serve it on a free port; stopped and removed on exit."""
    python = peer_python(PEER)
    with tempfile.TemporaryDirectory(prefix="servebench-bentoml-") as name:
        folder = Path(name)
        stage(predictor, model, folder)
        shutil.copyfile(SERVICE, folder / f"{SERVICE_MODULE}.py")
        # BENTOML_HOME: the model store (and BentoML's own files) live in the temporary folder, nothing in $HOME.
        env = {"BENTOML_HOME": str(folder / "home"), "BENTOML_DO_NOT_TRACK": "True"}
        saved = subprocess.run(
            [str(python), f"{SERVICE_MODULE}.py"],
            cwd=folder,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=SAVE_TIMEOUT_S,
            check=False,
        )
        if saved.returncode != 0:
            raise StoreFailed(
                f"bentoml.sklearn.save_model exited {saved.returncode}:\n{saved.stderr[-2000:]}"
            )
        with running_command(
            PEER,
            lambda port: [
                "-m",
                "bentoml",
                "serve",
                f"{SERVICE_MODULE}:PeerModel",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
                "--working-dir",
                str(folder),
            ],
            ready_path="/readyz",
            env=env,
            variant=VARIANT,
            ready_timeout=READY_TIMEOUT_S,
            python=python,
            cwd=folder,
        ) as server:
            yield server
