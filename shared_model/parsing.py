"""One strict JSON parser for every front end: bytes in, a JSON object out, or InvalidJson."""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any, NoReturn

from shared_model.errors import InvalidJson

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40  # long enough for any double written in full, short enough to stop 10**4000-style bombs


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Parse a request body that must be one standard JSON object (RFC 8259, UTF-8, no NaN, no duplicate keys)."""
    if not body.strip():
        raise InvalidJson("The request body is empty; send one JSON object.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJson(f"The request body is not valid UTF-8 (byte {error.start}).") from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_reject_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as error:
        raise InvalidJson(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except RecursionError:
        _too_deep()
    if not isinstance(value, dict):
        raise InvalidJson(f"The request body must be a JSON object, not {_json_kind(value)}.")
    _check_depth(value)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        duplicate = next(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
        raise InvalidJson(f"The key {duplicate!r} appears more than once in one object.")
    return result


def _reject_constant(token: str) -> NoReturn:
    raise InvalidJson(f"{token} is not a JSON number; send finite numbers only.")


def _bounded_int(token: str) -> int:
    if len(token) > MAX_NUMBER_CHARS:
        raise InvalidJson(f"A number has more than {MAX_NUMBER_CHARS} characters.")
    return int(token)


def _finite_float(token: str) -> float:
    if len(token) > MAX_NUMBER_CHARS:
        raise InvalidJson(f"A number has more than {MAX_NUMBER_CHARS} characters.")
    value = float(token)
    if not math.isfinite(value):
        raise InvalidJson(f"The number {token} is out of range for a double.")
    return value


def _check_depth(root: object) -> None:
    # Iterative, so that checking a deep document cannot itself overflow the stack.
    stack: list[tuple[object, int]] = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            _too_deep()
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values() if isinstance(child, dict | list))
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value if isinstance(child, dict | list))


def _too_deep() -> NoReturn:
    raise InvalidJson(f"The request body is nested more than {MAX_DEPTH} levels deep.")


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"
