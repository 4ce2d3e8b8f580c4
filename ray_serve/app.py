"""The Serve application: `@serve.deployment` + `@serve.ingress` around the FastAPI front end's own factory.

`app` is the bound application KubeRay's RayService imports (`import_path: ray_serve.app:app`); `application()`
builds one from given settings for the local launcher (`python -m ray_serve`).
"""

from __future__ import annotations

from fastapi import FastAPI
from ray import serve
from ray.serve import Application

from fastapi_app.app import create_app
from shared_model import Settings, load_settings
from shared_model.logs import configure_logging

# A replica holds at most this many requests per in-flight prediction slot: predictions past MAX_INFLIGHT are
# then refused by the app itself (503 `overloaded`, the contract's body), and health still finds room.
ONGOING_PER_INFLIGHT = 2
DEPLOYMENT_NAME = "servebench_fastapi"


def build_app() -> FastAPI:
    """The FastAPI front end as one replica runs it: built in the replica, so each loads its own model."""
    settings = load_settings()
    configure_logging(settings.LOG_LEVEL)
    # Serve's router bounds what reaches a replica's event loop (max_ongoing_requests), as nginx does in front of
    # uvicorn, so only the in-flight count is kept (the queue rule would refuse late what Serve admitted).
    return create_app(settings=settings, on_loop=True, queue_admission=False)


@serve.ingress(build_app)
class ServeBenchIngress:
    """The ingress deployment: no code of its own, every route is the FastAPI app's."""


def application(settings: Settings) -> Application:
    """The bound Serve application with SERVEBENCH_REPLICAS replicas of one CPU each."""
    deployment = serve.deployment(
        name=DEPLOYMENT_NAME,
        num_replicas=settings.REPLICAS,
        max_ongoing_requests=ONGOING_PER_INFLIGHT * settings.MAX_INFLIGHT,
        ray_actor_options={"num_cpus": 1},
    )(ServeBenchIngress)
    return deployment.bind()


app = application(load_settings())
