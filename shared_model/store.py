"""Online features: a store-backed spec's stored features looked up in Redis by entity key, merged into model rows.

The keys, the encoding of stored values and the merge live here once; a front end only builds its client (the
blocking one in Flask and Streamlit, `redis.asyncio` in FastAPI) and hands it to a reader.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import redis
import redis.asyncio

from shared_model.errors import FeatureStoreUnavailable, FieldError, UnknownEntity
from shared_model.settings import Settings
from shared_model.spec import ModelSpec, Scalar, Source
from shared_model.validation import Row

KEY_PREFIX = "servebench"
NO_URL = "No feature store is configured (SERVEBENCH_STORE_URL is not set)."

logger = logging.getLogger(__name__)


class FeatureLookup:
    """How one spec's stored features are found (one Redis hash per entity) and merged into the model's rows."""

    def __init__(self, spec: ModelSpec) -> None:
        if spec.entity is None:
            raise ValueError(f"spec {spec.name!r} has no entity key, so nothing to look up")
        self.spec = spec
        self.entity = spec.entity
        self.stored = spec.store_features
        self.fields = tuple(feature.name for feature in self.stored)
        sent = [feature.name for feature in spec.request_features]
        # For each model feature in spec order: whether it is stored, and its index among the stored or sent ones.
        self._plan = tuple(
            (True, self.fields.index(feature.name))
            if feature.source is Source.STORE
            else (False, sent.index(feature.name))
            for feature in spec.features
        )

    def key(self, entity: Scalar | None) -> str:
        """The Redis key of one entity's hash: `servebench:<model>:<version>:<entity>`."""
        return f"{KEY_PREFIX}:{self.spec.name}:{self.spec.version}:{entity}"

    def keys(self, rows: Sequence[Row]) -> list[str]:
        """The key of each validated request row (the entity key is its first value)."""
        return [self.key(row[0]) for row in rows]

    def encode(self, record: Mapping[str, Any]) -> dict[str, str]:
        """One entity's stored features as a hash: each value as JSON text, so types survive the round trip."""
        return {name: json.dumps(record[name]) for name in self.fields if record.get(name) is not None}

    def complete(
        self, rows: Sequence[Row], replies: Sequence[Sequence[bytes | str | None]], *, batch: bool
    ) -> list[Row]:
        """The model's rows: each request row merged with its stored values; UnknownEntity locates missing keys."""
        missing: list[FieldError] = []
        found: list[Row] = []
        for index, (row, reply) in enumerate(zip(rows, replies, strict=True)):
            if all(value is None for value in reply):
                place: list[str | int] = ["instances", index] if batch else []
                missing.append(
                    {
                        "loc": [*place, self.entity.name],
                        "msg": f"No stored features for {self.entity.name} {row[0]!r}",
                        "type": "unknown_entity",
                    }
                )
                continue
            stored = self._decode(row[0], reply)
            found.append(tuple(stored[at] if is_stored else row[at] for is_stored, at in self._plan))
        if missing:
            raise UnknownEntity(details=missing)
        return found

    def _decode(self, entity: Scalar | None, reply: Sequence[bytes | str | None]) -> list[Scalar | None]:
        values: list[Scalar | None] = []
        for feature, raw in zip(self.stored, reply, strict=True):
            value = None if raw is None else json.loads(raw)
            if value is None and not feature.required:
                values.append(None)
                continue
            if value is None or not feature.admits(value):
                # The store's data is the server's fault, not the client's: logged, and answered as unavailable.
                logger.error(
                    "stored %s of %s %r is not valid: %r", feature.name, self.entity.name, entity, raw
                )
                raise FeatureStoreUnavailable(
                    f"The stored features of {self.entity.name} {entity!r} are invalid."
                )
            values.append(value)
        return values

    def __repr__(self) -> str:
        return f"FeatureLookup(model={self.spec.name!r}, entity={self.entity.name!r}, fields={self.fields!r})"


def pool_options(settings: Settings) -> dict[str, Any]:
    """What every front end's connection pool is given: its size and the timeouts that keep a lookup from hanging."""
    timeout = settings.STORE_TIMEOUT_MS / 1000
    return {
        "max_connections": settings.STORE_CONNECTIONS,
        "timeout": timeout,  # the longest a request waits for a free connection of the pool
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        # One immediate retry on a broken connection: a pooled connection to a restarted Redis fails once, then
        # reconnects. A timeout is not retried, so a hung store costs one timeout, never more.
        "retry_on_error": [redis.ConnectionError],
    }


class StoreReader:
    """Blocking lookups through a `redis.Redis` client (Flask's threads, Streamlit's script runs)."""

    def __init__(self, lookup: FeatureLookup, client: redis.Redis | None) -> None:
        self.lookup = lookup
        self.client = client

    @classmethod
    def connect(cls, spec: ModelSpec | None, settings: Settings) -> StoreReader | None:
        """A reader with its own bounded pool for a spec with stored features; None for any other spec.

        A BlockingConnectionPool makes a thread wait (up to the timeout) for a free connection rather than open
        one past the limit, as the plain pool would. No URL gives a reader that answers 503 saying so.
        """
        if spec is None or spec.entity is None:
            return None
        client = None
        if settings.STORE_URL is not None:
            pool = redis.BlockingConnectionPool.from_url(settings.STORE_URL, **pool_options(settings))
            client = redis.Redis.from_pool(pool)  # the client owns the pool: closing it closes them
        return cls(FeatureLookup(spec), client)

    def close(self) -> None:
        """Close the pool's connections."""
        if self.client is not None:
            self.client.close()

    def complete(self, rows: Sequence[Row], *, batch: bool = False) -> list[Row]:
        """Look up the rows' entities (one round trip) and return the model's rows."""
        if self.client is None:
            raise FeatureStoreUnavailable(NO_URL)
        keys = self.lookup.keys(rows)
        try:
            if len(keys) == 1:
                replies = [self.client.hmget(keys[0], self.lookup.fields)]
            else:
                pipeline = self.client.pipeline(transaction=False)
                for key in keys:
                    pipeline.hmget(key, self.lookup.fields)
                replies = pipeline.execute()
        except redis.RedisError as error:
            raise _unavailable(error) from None
        return self.lookup.complete(rows, replies, batch=batch)


class AsyncStoreReader:
    """Lookups on the event loop through a `redis.asyncio.Redis` client (FastAPI)."""

    def __init__(self, lookup: FeatureLookup, client: redis.asyncio.Redis | None) -> None:
        self.lookup = lookup
        self.client = client

    @classmethod
    def connect(cls, spec: ModelSpec | None, settings: Settings) -> AsyncStoreReader | None:
        """A reader with its own bounded pool on the running event loop; None for a spec without stored features."""
        if spec is None or spec.entity is None:
            return None
        client = None
        if settings.STORE_URL is not None:
            pool = redis.asyncio.BlockingConnectionPool.from_url(settings.STORE_URL, **pool_options(settings))
            client = redis.asyncio.Redis.from_pool(pool)
        return cls(FeatureLookup(spec), client)

    async def aclose(self) -> None:
        """Close the pool's connections."""
        if self.client is not None:
            await self.client.aclose()

    async def complete(self, rows: Sequence[Row], *, batch: bool = False) -> list[Row]:
        """Look up the rows' entities (one round trip) and return the model's rows."""
        if self.client is None:
            raise FeatureStoreUnavailable(NO_URL)
        keys = self.lookup.keys(rows)
        try:
            if len(keys) == 1:
                replies = [await self.client.hmget(keys[0], self.lookup.fields)]
            else:
                pipeline = self.client.pipeline(transaction=False)
                for key in keys:
                    pipeline.hmget(key, self.lookup.fields)
                replies = await pipeline.execute()
        except redis.RedisError as error:
            raise _unavailable(error) from None
        return self.lookup.complete(rows, replies, batch=batch)


def _unavailable(error: redis.RedisError) -> FeatureStoreUnavailable:
    # Every lookup fails alike while the store is down: a warning per request, without a traceback each time.
    logger.warning("feature store lookup failed: %s: %s", type(error).__name__, error)
    return FeatureStoreUnavailable()
