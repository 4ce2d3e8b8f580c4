"""`python deploy/healthcheck.py DEFAULT_PORT PATH`: exit 0 when the server on loopback answers PATH with 200.

The images' HEALTHCHECK. Standard library only (slim images have no curl); the port is SERVEBENCH_PORT when set,
as the server reads it, else DEFAULT_PORT.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_S = 2.0


def healthy(port: int, path: str) -> bool:
    """Whether GET http://127.0.0.1:port/path answers 200 within TIMEOUT_S."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=TIMEOUT_S) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    """Check the liveness route named on the command line; 0 healthy, 1 not."""
    default_port, path = argv
    port = int(os.environ.get("SERVEBENCH_PORT") or default_port)
    return 0 if healthy(port, path) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
