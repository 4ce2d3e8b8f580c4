"""skops' secure format (`.skops`): a model rebuilt from data and a list of types we trust, never by pickle."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from shared_model.errors import ModelUnavailable

SKOPS_SUFFIX = ".skops"
SCHEMA = "schema.json"
# Every type the built-in models are made of, and what a plain scikit-learn Pipeline of the common estimators needs.
# skops trusts more by default; we name ours, so what a file may construct is read here, not in skops' release notes.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.slice",
        "builtins.str",
        "builtins.tuple",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "numpy.dtype",
        "numpy.float64",
        "numpy.int64",
        "numpy.ndarray",
        "numpy.random.mtrand.RandomState",
        "sklearn._loss._loss.CyHalfSquaredError",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.Interval",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.dummy.DummyRegressor",
        "sklearn.ensemble._gb.GradientBoostingRegressor",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._tree.Tree",
    }
)
# A fixed time for every zip entry, so two builds of one model write the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def dumps(model: Any) -> bytes:
    """The model in skops' format, made byte-stable: entries renamed in order and dated `ZIP_TIME`."""
    import skops.io

    raw = zipfile.ZipFile(io.BytesIO(skops.io.dumps(model)))
    # skops names array files and objects after id(), which differs every run; number them in write order.
    names = {name: f"{index}.npy" for index, name in enumerate(n for n in raw.namelist() if n != SCHEMA)}
    schema = _renamed(json.loads(raw.read(SCHEMA)), names, {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as stable:
        for old, new in [*names.items(), (SCHEMA, SCHEMA)]:
            data = json.dumps(schema, sort_keys=True).encode() if old == SCHEMA else raw.read(old)
            stable.writestr(zipfile.ZipInfo(new, ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _renamed(node: Any, names: dict[str, str], ids: dict[int, int]) -> Any:
    if isinstance(node, dict):
        return {
            key: ids.setdefault(value, len(ids)) if key == "__id__" else _renamed(value, names, ids)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renamed(value, names, ids) for value in node]
    return names.get(node, node) if isinstance(node, str) else node


def types_in(data: bytes) -> set[str]:
    """Every type (`module.Class`) the file would construct, read from its schema without constructing any."""
    try:
        schema = json.loads(zipfile.ZipFile(io.BytesIO(data)).read(SCHEMA))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ModelUnavailable(f"Not a skops file: {error}.") from None
    return set(_types(schema))


def _types(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("__module__"), str) and isinstance(node.get("__class__"), str):
            yield f"{node['__module__']}.{node['__class__']}"
        for value in node.values():
            yield from _types(value)
    elif isinstance(node, list):
        for value in node:
            yield from _types(value)


def loads(data: bytes, extra_trusted: Iterable[str] = ()) -> Any:
    """Rebuild the model when every type in it is trusted; ModelUnavailable naming the first other type otherwise."""
    import skops.io

    trusted = TRUSTED_TYPES | set(extra_trusted)
    found = types_in(data)
    refused = sorted(found - trusted)
    if refused:
        raise ModelUnavailable(
            f"The skops file holds untrusted type {refused[0]}"
            + (f" (and {len(refused) - 1} more: {', '.join(refused[1:])})" if len(refused) > 1 else "")
            + "; trust it with SERVEBENCH_SKOPS_TRUSTED only if you know what it runs."
        )
    # skops checks again against exactly the types found (all trusted), with none of its own defaults added.
    try:
        return skops.io.loads(data, trusted=sorted(found))
    except Exception as error:  # a malformed file can fail in skops in many ways; none must crash the server
        raise ModelUnavailable(f"The skops file cannot be loaded: {type(error).__name__}: {error}.") from None
