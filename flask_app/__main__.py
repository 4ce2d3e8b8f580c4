"""`python -m flask_app [--variant NAME]`: run gunicorn in the foreground with the chosen production variant."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from shared_model import load_settings

CONFIG = Path(__file__).with_name("gunicorn_conf.py")
APP = "flask_app.wsgi:app"
# Named production alternatives, as gunicorn options layered over gunicorn_conf.py.
VARIANTS: dict[str, list[str]] = {
    "gthread": [],
    "gthread-preload": ["--preload"],
    "sync": ["--worker-class", "sync"],
}
DEFAULT_VARIANT = "gthread"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flask_app", description=__doc__)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=DEFAULT_VARIANT)
    args = parser.parse_args(argv)
    load_settings()  # fail now, naming the bad SERVEBENCH_* variable, rather than inside every worker
    # A fresh folder per run, set before any process imports prometheus_client; gunicorn's on_exit removes it.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="servebench-flask-metrics-")
    command = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), *VARIANTS[args.variant], APP]
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
