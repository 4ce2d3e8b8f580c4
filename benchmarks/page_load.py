"""The Flask page under load: N people, each a browser-less client posting the page's form back to back.

A person's submit on the Flask page is one HTTP request: `POST /` of the form's fields as the browser encodes them,
with the session cookie and the CSRF token the page handed out. Each client opens the page once (its cookie and
token), then posts records closed loop; every answered page's `#prediction_result` is compared whole with the
in-process prediction, so a wrong, missing or refused answer counts as a non-200. This is the page's analogue of
`streamlit_load`'s websocket sessions: page submits per second, and latency submit → the whole answered page.
Memory per person is the server tree's RSS growth while the people are on, over their number (`mib_per_person`).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections.abc import Sequence
from typing import Any

import httpx

from benchmarks.closed_loop import closed_loop
from benchmarks.load import LoadSample, collector_paused
from benchmarks.load_sample import OK
from shared_model.tabular import cell_text

CSRF_FIELD = "csrf_token"
CSRF = re.compile(rf'name="{CSRF_FIELD}" value="([^"]+)"')
RESULT = re.compile(r'<pre id="prediction_result">(.*?)</pre>', re.DOTALL)
TIMEOUT_S = 30.0
WRONG_ANSWER = 599
MIB = 1024 * 1024


class PageProtocolError(RuntimeError):
    """The page did not hand out a CSRF token."""


def form_fields(record: dict[str, Any], token: str) -> dict[str, str]:
    """The form as a browser posts it: each feature's text (floats by repr, exact) and the CSRF token."""
    return {CSRF_FIELD: token, **{name: cell_text(value) for name, value in record.items()}}


def mib_per_person(before_bytes: int, peak_bytes: int, people: int) -> float:
    """The server tree's RSS growth (its peak while `people` were on, over its size just before) per person, in MiB;
    a tree that shrank meanwhile grew by nothing."""
    if people < 1:
        raise ValueError(f"people must be at least 1, not {people}")
    return max(0, peak_bytes - before_bytes) / MIB / people


def shown_answer(page: str) -> object | None:
    """The JSON answer inside `#prediction_result`, or None when the page shows none."""
    found = RESULT.search(page)
    return json.loads(html.unescape(found.group(1))) if found else None


async def _person(client: httpx.AsyncClient) -> str:
    opened = await client.get("/")
    token = CSRF.search(opened.text)
    if opened.status_code != httpx.codes.OK or token is None:
        raise PageProtocolError(f"GET / answered {opened.status_code} without a CSRF token")
    return token.group(1)


async def _people(
    base_url: str,
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
    *,
    people: int,
    warmup_s: float,
    measure_s: float,
) -> LoadSample:
    sample = LoadSample(duration_s=measure_s)
    clients = [httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_S) for _ in range(people)]
    try:
        # Each person opens the page before the clock starts: a first visit is not a submit.
        tokens = await asyncio.gather(*(_person(client) for client in clients))

        async def submit(index: int, slot: int, measured: bool) -> None:
            sent = time.perf_counter()
            try:
                answer = await clients[index].post("/", data=form_fields(records[slot], tokens[index]))
            except httpx.HTTPError:
                sample.errors += measured
                return
            if not measured:
                return
            elapsed_us = int((time.perf_counter() - sent) * 1e6)
            wrong = answer.status_code == OK and shown_answer(answer.text) != expected[slot]
            # A wrong or missing answer on a 200 page is this protocol's non-200.
            sample.record(WRONG_ANSWER if wrong else answer.status_code, elapsed_us)

        await closed_loop(people, len(records), warmup_s=warmup_s, measure_s=measure_s, submit=submit)
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return sample


def run_people(
    base_url: str,
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
    *,
    people: int,
    warmup_s: float,
    measure_s: float,
) -> LoadSample:
    """`people` clients posting the page's form back to back; latency = POST sent → the answered page read."""
    with collector_paused():
        return asyncio.run(
            _people(base_url, records, expected, people=people, warmup_s=warmup_s, measure_s=measure_s)
        )
