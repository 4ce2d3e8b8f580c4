"""Reading the files a report is built from, with one-line errors a reader can act on."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypeVar, get_args

from pydantic import BaseModel, ValidationError

from benchmarks.results import Results, SchemaVersion

KNOWN_VERSIONS: tuple[str, ...] = get_args(SchemaVersion)
SOAK_PATTERN = "soak-*.json"
SCALE_OUT_PATTERN = "scale-out-*.json"
BENCH_RESULTS_NAME = re.compile(r"\d{8}T\d{6}Z\.json")
FileModel = TypeVar("FileModel", bound=BaseModel)


class ResultsError(ValueError):
    """A results file that this report cannot read; the message is one line and names the file."""


def newest_results(folder: Path) -> Path:
    """The most recent benchmark results file: named by its UTC timestamp alone, so they sort by time (the soak's,
    pages', I/O and scale-out files beside them have prefixes)."""
    files = sorted(path for path in folder.glob("*.json") if BENCH_RESULTS_NAME.fullmatch(path.name))
    if not files:
        raise FileNotFoundError(f"no results in {folder}; run `make bench` or give RESULTS=path")
    return files[-1]


def load_results(path: Path) -> Results:
    """Read a results file of any schema this report knows (1.0–1.4), or say in one line why it cannot."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ResultsError(f"{path}: not a readable JSON results file ({error})") from None
    version = document.get("schema_version") if isinstance(document, dict) else None
    if version not in KNOWN_VERSIONS:
        raise ResultsError(
            f"{path}: results schema version {version!r} is unknown to this report, which reads "
            f"{', '.join(KNOWN_VERSIONS)}; rebuild it with the servebench revision that wrote it"
        )
    try:
        return Results.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(map(str, first["loc"])) or "(top level)"
        raise ResultsError(
            f"{path}: does not match the schema {version} ({error.error_count()} problems; first: {where}: "
            f"{first['msg']})"
        ) from None


def newest_beside(folder: Path, pattern: str) -> Path | None:
    """The most recent file matching `pattern` in `folder` (named by their UTC timestamps, so they sort by time)."""
    found = sorted(folder.glob(pattern))
    return found[-1] if found else None


def load_beside(path: Path, model: type[FileModel], what: str) -> FileModel:
    """Read a file written beside the results (a soak's, scale-out's…), or say in one line why it cannot be read."""
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        first = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
        raise ResultsError(f"{path}: not a {what} results file ({first})") from None
