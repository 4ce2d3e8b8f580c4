"""The HTTP rules every front end wires in: bounded body reading and its drain allowance, the Allow header, JSON bytes."""

from __future__ import annotations

import pytest

from shared_model import PayloadTooLarge
from shared_model.http import DRAIN_BYTES, BoundedBody, allow_header, json_bytes

LIMIT = 10


def fed(body: BoundedBody, chunks: list[bytes]) -> list[bytes]:
    """Add chunks while the body wants more; the chunks it read."""
    read = []
    for chunk in [*chunks, b""]:
        if not body.wants_more:
            break
        body.add(chunk)
        read.append(chunk)
    return read


def test_a_body_within_the_limit_is_kept_whole_across_chunks() -> None:
    body = BoundedBody(LIMIT, None)
    assert fed(body, [b"12345", b"67890"]) == [b"12345", b"67890", b""]
    assert body.content() == b"1234567890"


def test_a_body_over_the_limit_is_refused_after_draining_what_follows() -> None:
    body = BoundedBody(LIMIT, None)
    assert fed(body, [b"123456", b"789012", b"x" * 100]) == [b"123456", b"789012", b"x" * 100, b""]
    with pytest.raises(PayloadTooLarge):
        body.content()


def test_draining_stops_past_the_allowance() -> None:
    body = BoundedBody(LIMIT, None)
    chunk = b"x" * (DRAIN_BYTES // 2)
    assert len(fed(body, [chunk] * 5)) == 3  # the third passes limit + allowance
    with pytest.raises(PayloadTooLarge):
        body.content()


@pytest.mark.parametrize(
    ("declared", "wants_more"),
    [(LIMIT + 1, True), (LIMIT + DRAIN_BYTES, True), (LIMIT + DRAIN_BYTES + 1, False)],
)
def test_a_declared_length_over_the_limit_is_refused_and_drained_only_within_the_allowance(
    declared: int, wants_more: bool
) -> None:
    body = BoundedBody(LIMIT, declared)
    assert body.wants_more is wants_more
    fed(body, [b"1"])
    with pytest.raises(PayloadTooLarge):
        body.content()


def test_an_unread_body_is_drained_by_a_zero_limit() -> None:
    body = BoundedBody(0, 3)
    assert fed(body, [b"abc"]) == [b"abc", b""]
    assert BoundedBody(0, 0).content() == b""


@pytest.mark.parametrize(
    ("methods", "header"),
    [(["POST", "GET", "HEAD"], "GET, HEAD, POST"), ([" POST", " GET "], "GET, POST"), ([], "")],
)
def test_the_allow_header_lists_methods_trimmed_and_sorted(methods: list[str], header: str) -> None:
    assert allow_header(methods) == header


def test_answers_are_compact_utf8_json_in_build_order() -> None:
    assert json_bytes({"z": 1.5, "a": ["é", None]}) == '{"z":1.5,"a":["é",null]}'.encode()
