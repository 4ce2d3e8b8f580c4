"""The manifest written beside each artifact: checksum, library version, training parameters and metrics."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Manifest:
    """What was built, from what, and how well it did; holds no wall-clock value, so rebuilds are identical."""

    name: str
    version: str
    task: str
    artifact: str
    sha256: str
    sklearn_version: str
    classes: list[Any] | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    # The same model in other formats beside `artifact` (`loan.skops`, `loan.onnx`): file name -> sha256.
    files: dict[str, str] = field(default_factory=dict)
    # The ONNX conversion: {"artifact", "precision"} when it succeeded, {"refused": why} when it did not.
    onnx: dict[str, str] = field(default_factory=dict)
    format: int = MANIFEST_FORMAT

    def to_json(self) -> str:
        """Stable JSON (sorted keys) so that two builds of the same model write the same bytes."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read a manifest; KeyError/TypeError/ValueError when it is malformed."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a manifest must be a JSON object")
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        manifest = cls(**known)
        if manifest.format != MANIFEST_FORMAT:
            raise ValueError(f"manifest format {manifest.format} is not {MANIFEST_FORMAT}")
        return manifest

    def sha256_for(self, file_name: str) -> str | None:
        """The recorded sha256 of `file_name` (the main artifact or one beside it); None when none is recorded."""
        return self.sha256 if file_name == self.artifact else self.files.get(file_name)

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")
