"""The websocket client against a stand-in app: widget discovery, one-rerun submits, exact results, alerts."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks.streamlit_ws import StreamlitProtocolError, StreamlitSession

pytestmark = pytest.mark.live
STANDIN = Path(__file__).with_name("standin_app.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def standin_url(tmp_path_factory) -> Iterator[str]:
    app = tmp_path_factory.mktemp("standin") / "app.py"
    shutil.copy(STANDIN, app)
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless=true"]
    command += [f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false"]
    process = subprocess.Popen(command, cwd=app.parent, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "stand-in app exited"
            assert time.monotonic() < deadline, "stand-in app did not answer /_stcore/health"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _session_roundtrip(url: str) -> None:
    async with StreamlitSession(url) as session:
        assert set(session.widgets) == {
            "age",
            "income",
            "home_ownership",
            "FormSubmitter:predict_form-Predict",
        }
        assert session.widgets["age"].id.startswith("$$ID-")
        record = {"age": 40, "income": 73512.123456789, "home_ownership": "own"}
        assert await session.submit(record) == record
        run = await session.run_form({"age": 99})
        assert run.result is None
        assert run.alerts == ["age: 99 is refused by this stand-in"]
        assert 0 < run.finished_s < 30
        with pytest.raises(StreamlitProtocolError, match="no widget keyed"):
            session.form_states({"height": 1.8})
        with pytest.raises(StreamlitProtocolError, match="is not one of"):
            session.form_states({"home_ownership": "boat"})


def test_submit_reads_the_exact_result_from_the_keyed_container(standin_url: str) -> None:
    asyncio.run(_session_roundtrip(standin_url))


async def _concurrent(url: str, sessions: int) -> list[dict[str, object]]:
    async def one(index: int) -> dict[str, object]:
        async with StreamlitSession(url) as session:
            return await session.submit({"age": 20 + index, "income": index / 3})

    return list(await asyncio.gather(*(one(i) for i in range(sessions))))


def test_concurrent_sessions_each_get_their_own_answer(standin_url: str) -> None:
    results = asyncio.run(_concurrent(standin_url, 4))
    assert results == [{"age": 20 + i, "income": i / 3, "home_ownership": "rent"} for i in range(4)]
