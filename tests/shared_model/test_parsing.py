"""The strict JSON parser: one standard JSON object in, or InvalidJson with a clear message."""

from __future__ import annotations

import pytest

from shared_model.errors import InvalidJson
from shared_model.parsing import MAX_DEPTH, MAX_NUMBER_CHARS, parse_json_object


def nested(depth: int) -> bytes:
    """An object nested `depth` levels deep: {"a": {"a": ... {} ...}}."""
    return b'{"a": ' * (depth - 1) + b"{}" + b"}" * (depth - 1)


def test_parses_a_standard_object_exactly() -> None:
    body = b'{"age": 35, "income": 58000.123456789, "home": "rent", "ok": true, "n": null, "xs": [1, 2.5e-3]}'
    assert parse_json_object(body) == {
        "age": 35,
        "income": 58000.123456789,
        "home": "rent",
        "ok": True,
        "n": None,
        "xs": [1, 0.0025],
    }


def test_keeps_unicode_and_escapes() -> None:
    assert parse_json_object('{"café": "\\u00e9\\n"}'.encode()) == {"café": "é\n"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": Infinity}', "Infinity is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"a": 1e400}', "out of range"),
        (b'{"a": -1e400}', "out of range"),
        (b'{"a": 1, "a": 2}', "'a' appears more than once"),
        (b'{"o": {"k": 1, "k": 1}}', "'k' appears more than once"),
        (b'{"a": "\xff"}', "not valid UTF-8 (byte 7)"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object, not an array"),
        (b'"text"', "not a string"),
        (b"42", "not a number"),
        (b"null", "not null"),
        (b"true", "not a boolean"),
        (b"{'a': 1}", "not valid JSON"),
        (b'{"a": 1,}', "not valid JSON"),
        (b'{"a": 1} {"b": 2}', "not valid JSON"),
        (b'{"a": 01}', "not valid JSON"),
        (b'{"a": 1', "not valid JSON"),
        (b'{"a": "' + b"1" * 10 + b'"} trailing', "not valid JSON"),
        (b'{"a": ' + b"9" * (MAX_NUMBER_CHARS + 1) + b"}", "more than 40 characters"),
        (b'{"a": 0.' + b"1" * MAX_NUMBER_CHARS + b"}", "more than 40 characters"),
        (nested(MAX_DEPTH + 1), "nested more than 32 levels"),
        (b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}", "nested more than 32 levels"),
        (b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested more than 32 levels"),
    ],
)
def test_rejects_non_standard_or_hostile_bodies(body: bytes, message: str) -> None:
    with pytest.raises(InvalidJson) as caught:
        parse_json_object(body)
    assert message in caught.value.message
    assert caught.value.body()["error"]["code"] == "invalid_json"
    assert caught.value.status == 400


def test_accepts_the_deepest_allowed_nesting_and_longest_number() -> None:
    assert parse_json_object(nested(MAX_DEPTH))["a"]
    longest = "1" * MAX_NUMBER_CHARS
    assert parse_json_object(b'{"a": ' + longest.encode() + b"}") == {"a": int(longest)}
