"""JSON Schema pieces that both OpenAPI builders (openapi.py and oip_openapi.py) assemble their schemas from."""

from __future__ import annotations

from typing import Any


def closed_object(
    properties: dict[str, Any], required: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """An object with exactly `properties`, each required unless `required` names the ones that are."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


def schema_ref(name: str) -> dict[str, str]:
    """A reference to the component schema `name`."""
    return {"$ref": f"#/components/schemas/{name}"}
