"""`python -m flask_app [--variant NAME]`: gunicorn behind nginx (or alone), in the foreground.

The shipped variant is gunicorn's own deployment advice: nginx buffers each request whole before gunicorn sees it,
so slow clients hold no gunicorn thread, and it refuses predictions past the in-flight limit at once.
`gthread-direct` is the same gunicorn with no proxy, so that the benchmarks can show what the proxy costs and buys.
"""

# file concern: server_config

from __future__ import annotations

import argparse
import os

# concern: ui
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shared_model import load_settings
from shared_model.proxied import UPSTREAM_PLACEHOLDER, run_behind_proxy, runtime_folder
from shared_model.proxy import ProxyPlan

CONFIG = Path(__file__).with_name("gunicorn_conf.py")
APP = "flask_app.wsgi:app"
BATCHED_APP = "flask_app.wsgi_batched:app"


@dataclass(frozen=True, slots=True)
class Variant:
    """gunicorn options layered over gunicorn_conf.py, and whether nginx stands in front."""

    options: tuple[str, ...] = ()
    proxied: bool = True
    app: str = APP
    # A thread for every prediction nginx admits (MAX_INFLIGHT per worker), so that all of them can join a batch.
    thread_per_admitted: bool = False


VARIANTS: dict[str, Variant] = {
    "gthread": Variant(),
    "gthread-preload": Variant(("--preload",)),
    "sync": Variant(("--worker-class", "sync")),  # behind a buffering proxy, as gunicorn's docs require of it
    "gthread-direct": Variant(proxied=False),
    "batched": Variant(app=BATCHED_APP, thread_per_admitted=True),
}
DEFAULT_VARIANT = "gthread"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flask_app", description=__doc__)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=DEFAULT_VARIANT)
    args = parser.parse_args(argv)
    variant = VARIANTS[args.variant]
    settings = (
        load_settings()
    )  # fail now, naming the bad SERVEBENCH_* variable, rather than inside every worker
    # concern: observability
    # A fresh folder per run, set before any process imports prometheus_client; gunicorn's on_exit removes it.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="servebench-flask-metrics-")
    # concern: ui
    # Unless SERVEBENCH_SECRET_KEY is set, one random key per run, inherited by every worker: a form one worker
    # served must pass the CSRF check of another. (A restart makes open forms stale; the page says so.)
    os.environ.setdefault("SERVEBENCH_SECRET_KEY", secrets.token_hex(32))
    gunicorn = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), *variant.options]
    if variant.thread_per_admitted:
        gunicorn.append(f"--threads={settings.MAX_INFLIGHT}")
    if not variant.proxied:
        os.execv(sys.executable, [*gunicorn, variant.app])
    plan = ProxyPlan.from_settings(settings, settings.port_for("flask"), runtime_folder("flask"))
    sys.exit(run_behind_proxy(plan, [*gunicorn, f"--bind=unix:{UPSTREAM_PLACEHOLDER}", variant.app]))


if __name__ == "__main__":
    main()
