"""A TCP proxy that adds a fixed delay to every byte each way: network latency on the feature store's link only.

    python -m benchmarks.delay_proxy --listen PORT --target PORT --delay-ms 5

Half the delay is added to each direction, so a request/response round trip through it takes `--delay-ms` longer.
Bytes keep their order and are never held back by other connections: each chunk is written when its own due time
comes. Used because this VM's kernel has no netem qdisc (`tc qdisc add ... netem` answers "Specified qdisc kind is
unknown"); unlike netem it costs some CPU of the (shared) machine per chunk, a small fraction of a lookup's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time

import uvloop

LOOPBACK = "127.0.0.1"
CHUNK_BYTES = 64 * 1024


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
    """Copy `reader` to `writer`, each chunk written `delay_s` after it was read, never sooner.

    Due times are read from the real clock: uvloop's `loop.time()` is the time its iteration began, and its timers
    tick in whole milliseconds, so a chunk due by them went out up to a millisecond early (a 20 ms round trip
    measured 19.96 ms).
    """
    due: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            at, chunk = await due.get()
            if not chunk:
                break
            while (early_s := at - time.monotonic()) > 0:
                await asyncio.sleep(early_s)
            writer.write(chunk)
            await writer.drain()

    delivering = asyncio.create_task(deliver())
    try:
        while chunk := await reader.read(CHUNK_BYTES):
            due.put_nowait((time.monotonic() + delay_s, chunk))
    except ConnectionError:
        pass
    finally:
        due.put_nowait((0.0, b""))
        # On shutdown the server cancels every connection's tasks: that, like a reset, just ends the pipe.
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            await delivering
        writer.close()


async def serve(listen: int, target: int, delay_ms: float) -> None:
    """Accept on `listen`, connect each client to `target`, until SIGTERM or SIGINT."""
    one_way = delay_ms / 2000

    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(LOOPBACK, target)
        except OSError:
            client_writer.close()
            return
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(
                pipe(client_reader, upstream_writer, one_way),
                pipe(upstream_reader, client_writer, one_way),
                return_exceptions=True,
            )

    server = await asyncio.start_server(handle, LOOPBACK, listen, backlog=1024)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.delay_proxy", description=__doc__)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    uvloop.run(serve(args.listen, args.target, args.delay_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
