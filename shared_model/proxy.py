"""nginx in front of an app server: the buffering proxy gunicorn's deployment guide asks for, configured from settings.

nginx reads each request whole before handing it on, so a client that sends half a request holds nothing but one
of nginx's connections, never an app-server thread. It also caps the predictions in flight, refusing
the rest at once with the contract's 503 `overloaded`, while health and metrics routes pass unlimited: a busy server
stays visibly alive. Every answer nginx writes itself is the contract's error body, built here from the catalogue.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from shared_model.admission import LIMITED_PATHS
from shared_model.errors import Overloaded, PayloadTooLarge, ServeError, ServerUnavailable
from shared_model.http import DRAIN_BYTES, SANE_REQUEST_ID
from shared_model.oip import INFER_PATTERN
from shared_model.oip import PREFIX as OIP_PREFIX
from shared_model.oip import error_body as oip_error_body
from shared_model.settings import Settings
from shared_model.standing_queue import QUEUE_START_HEADER

UPSTREAM_SOCKET = "app.sock"
REFUSALS_SOCKET = "refusals.sock"
CONFIG_FILE = "nginx.conf"
BACKLOG = 2048  # gunicorn's default listen backlog
KEEPALIVE_S = 5  # as gunicorn's own keepalive
UPSTREAM_KEEPALIVE_S = 4  # under the app server's keepalive, so nginx never reuses a connection being closed
CLIENT_TIMEOUT_S = 10  # a client silent this long mid-request is dropped
UPSTREAM_TIMEOUT_S = 60  # gunicorn's worker timeout
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True, slots=True)
class ProxyPlan:
    """Where nginx listens, where the app server listens behind it, and the limits it enforces."""

    host: str
    port: int
    runtime: Path
    max_inflight: int
    max_body_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings, port: int, runtime: Path) -> ProxyPlan:
        """The plan for one server: the in-flight limit is per worker, so nginx's is that times the workers."""
        return cls(
            host=settings.HOST,
            port=port,
            runtime=runtime,
            max_inflight=settings.MAX_INFLIGHT * settings.WORKERS,
            max_body_bytes=settings.MAX_BODY_BYTES,
        )

    @property
    def upstream(self) -> Path:
        """The app server's unix socket."""
        return self.runtime / UPSTREAM_SOCKET

    @property
    def refusals(self) -> Path:
        """The socket of nginx's own server that answers 503 `overloaded`."""
        return self.runtime / REFUSALS_SOCKET

    @property
    def config(self) -> Path:
        return self.runtime / CONFIG_FILE


def nginx_config(plan: ProxyPlan, *, as_root: bool | None = None) -> str:
    """nginx.conf for `plan` (nginx runs in the foreground, everything it writes inside `plan.runtime`)."""
    root = os.geteuid() == 0 if as_root is None else as_root
    run = plan.runtime
    limited = "|".join([*sorted(path.removeprefix("/") for path in LIMITED_PATHS), INFER_PATTERN])
    lines = [
        "daemon off;",
        "worker_processes 1;",
        # As root, nginx's workers would otherwise become `nobody`, who cannot open the app's socket.
        *(["user root;"] if root else []),
        f"pid {run}/nginx.pid;",
        "error_log stderr warn;",
        "events { worker_connections 4096; }",
        "http {",
        "    access_log off;  # the app writes one access line per request",
        "    server_tokens off;",
        "    default_type application/octet-stream;",
        *(f"    {name}_temp_path {run}/{name};" for name in TEMP_PATHS),
        # Bodies up to the limit plus what the app would drain reach the app, which answers 415 before 413.
        f"    client_max_body_size {plan.max_body_bytes + DRAIN_BYTES};",
        f"    client_body_buffer_size {plan.max_body_bytes};",
        f"    client_header_timeout {CLIENT_TIMEOUT_S}s;",
        f"    client_body_timeout {CLIENT_TIMEOUT_S}s;",
        f"    send_timeout {CLIENT_TIMEOUT_S}s;",
        f"    keepalive_timeout {KEEPALIVE_S}s;",
        "    keepalive_requests 1000000;",
        "    proxy_buffer_size 64k;",
        "    proxy_buffers 32 64k;",
        _body_map("too_large", PayloadTooLarge.over(plan.max_body_bytes)),
        _body_map("unavailable", ServerUnavailable()),
        f'    map $http_x_request_id $servebench_request_id {{ "~^{SANE_REQUEST_ID.pattern}$" $http_x_request_id;'
        " default $request_id; }",
        # Predictions go to an upstream capped at the in-flight limit; past it nginx turns to the backup, which
        # refuses at once. (limit_conn would count clients still sending their bodies, so slow clients would use
        # up the limit.)
        *_upstream("app", f"server unix:{plan.upstream} max_fails=0;"),
        *_upstream(
            "predictions",
            f"server unix:{plan.upstream} max_conns={plan.max_inflight} max_fails=0;",
            f"server unix:{plan.refusals} backup;",
        ),
        "    server {",
        f"        listen unix:{plan.refusals};",
        "        location / {",
        *_answer(Overloaded(), request_id="$http_x_request_id"),
        "        }",
        f"        location {OIP_PREFIX}/ {{",
        *_answer(Overloaded(), request_id="$http_x_request_id", oip=True),
        "        }",
        "    }",
        "    server {",
        f"        listen {plan.host}:{plan.port} backlog={BACKLOG};",
        "        proxy_http_version 1.1;",
        '        proxy_set_header Connection "";',
        "        proxy_set_header Host $http_host;",
        "        proxy_set_header X-Request-ID $servebench_request_id;",
        # When the request, read whole, was handed on: the apps refuse predictions behind a standing queue from it.
        f'        proxy_set_header {QUEUE_START_HEADER} "t=$msec";',
        f"        proxy_read_timeout {UPSTREAM_TIMEOUT_S}s;",
        "        error_page 413 @too_large;",
        "        error_page 502 504 =503 @unavailable;",  # without =, nginx keeps its own 502 status
        "        location / { proxy_pass http://app; }",
        f"        location ~ ^/({limited})$ {{ proxy_pass http://predictions; }}",
        *_named_answer("too_large", PayloadTooLarge.over(plan.max_body_bytes)),
        *_named_answer("unavailable", ServerUnavailable()),
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _upstream(name: str, *servers: str) -> list[str]:
    return [
        f"    upstream {name} {{",
        *(f"        {server}" for server in servers),
        "        keepalive 64;",
        f"        keepalive_timeout {UPSTREAM_KEEPALIVE_S}s;",
        "    }",
    ]


def _named_answer(name: str, error: ServeError) -> list[str]:
    # A named location has no path of its own: the body is chosen by URI through a map (an `if` there would keep
    # the upstream's 502 as the status), the protocol's shape under /v2, the contract's elsewhere.
    body = f"$servebench_{name}_body"
    return [
        f"        location @{name} {{",
        *(line for line in _answer(error) if not line.lstrip().startswith("return")),
        f"            return {error.status} {body};",
        "        }",
    ]


def _body_map(name: str, error: ServeError) -> str:
    """An http-level map from the request's URI to the JSON body of one of nginx's own answers."""
    return (
        f'    map $uri $servebench_{name}_body {{ "~^{OIP_PREFIX}(/|$)" {_quoted(oip_error_body(error))};'
        f" default {_quoted(error.body())}; }}"
    )


def _quoted(body: object) -> str:
    text = json.dumps(body, separators=(",", ":"))
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _answer(error: ServeError, request_id: str = "$servebench_request_id", *, oip: bool = False) -> list[str]:
    quoted = _quoted(oip_error_body(error) if oip else error.body())
    return [
        "            default_type application/json;",
        f"            add_header X-Request-ID {request_id} always;",
        *(f'            add_header {header} "{value}" always;' for header, value in error.headers.items()),
        f"            return {error.status} {quoted};",
    ]


def prepare(plan: ProxyPlan) -> None:
    """Write nginx.conf and the folders it names into `plan.runtime`."""
    plan.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in TEMP_PATHS:
        (plan.runtime / name).mkdir(mode=0o700, exist_ok=True)
    plan.config.write_text(nginx_config(plan), encoding="utf-8")
