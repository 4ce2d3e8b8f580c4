"""An app server that answers `GET /health/live` and hangs up on every other request without a word.

`python -m tests.http.broken_upstream SOCKET`: what nginx sees of an app server that crashes mid-request, so that
its answer for that case (the contract's 503, not its own 502) can be checked for real.
"""

from __future__ import annotations

import socket
import sys

LIVE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


def main(path: str) -> None:
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        listener.listen()
        while True:
            connection, _ = listener.accept()
            with connection:
                if connection.recv(65536).startswith(b"GET /health/live "):
                    connection.sendall(LIVE)


if __name__ == "__main__":
    main(sys.argv[1])
