"""Where each peer's own venv lives, and a loud failure with the command to run when it is not built."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PEERS_DIR = REPO_ROOT / ".peers"
PEERS = ("mlserver", "bentoml")
BUILD_COMMAND = "make peers"


class PeerMissing(RuntimeError):
    """A peer's venv is not built; the message names the command that builds it."""


def peer_python(peer: str, peers_dir: Path = PEERS_DIR) -> Path:
    """The interpreter of `peer`'s venv, once `make peers` has finished it (its stamp is written last)."""
    if peer not in PEERS:
        raise ValueError(f"unknown peer {peer!r}; expected one of {PEERS}")
    venv = peers_dir / peer
    python = venv / "bin" / "python"
    if not (venv / ".installed").is_file() or not python.is_file():
        raise PeerMissing(f"{peer}'s venv {venv} is not built: run `{BUILD_COMMAND}`")
    return python
