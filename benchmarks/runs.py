"""What a run gathers for each target, and what a scenario may ask of the harness."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from benchmarks.load import LoadSample
from benchmarks.repeats import Repeat
from benchmarks.targets import Server, TargetSpec

if TYPE_CHECKING:
    from benchmarks.plan import Settings
    from benchmarks.scenarios import Scenario


@dataclass(slots=True)
class Run:
    """Everything gathered for one target while the run goes on."""

    spec: TargetSpec
    scenarios: list[Scenario] = field(default_factory=list)
    server: Server | None = None
    failure: str | None = None
    repeats: dict[tuple[str, float], list[Repeat]] = field(default_factory=lambda: defaultdict(list))
    cold_starts_s: list[float] = field(default_factory=list)
    idle_rss: tuple[int, list[int]] = (0, [])
    timing: dict[str, float] = field(default_factory=dict)
    browser_ms: list[float] = field(default_factory=list)
    browser_parts_ms: dict[str, list[float]] = field(default_factory=dict)  # benchmarks.browser.PARTS
    browser_feature: str = ""
    browser_beside: list[str] = field(
        default_factory=list
    )  # the pages whose submits were interleaved with these
    verification: str | None = None  # how a peer (or a front end over OIP) was verified, in one line

    def attempt(self, action: Callable[[], object]) -> None:
        """Run `action` unless this target has failed; a failure becomes the target's, instead of figures."""
        # One failing target must not stop the others being measured.
        if self.failure is not None:
            return
        try:
            action()
        except KeyboardInterrupt:
            raise
        except Exception as error:
            self.fail(error)

    def fail(self, error: Exception) -> None:
        """The target failed with `error`: it keeps "Type: message" instead of figures."""
        self.failure = f"{type(error).__name__}: {error}"

    def url(self, path: str) -> str:
        """The started target's address for `path`."""
        assert self.server is not None, f"{self.spec.label} is not running"
        return f"{self.server.base_url}{path}"


class Bench(Protocol):
    """The harness as a scenario sees it: the run's inputs and its load generators."""

    @property
    def settings(self) -> Settings: ...

    @property
    def records(self) -> Sequence[dict[str, Any]]: ...

    @property
    def expected(self) -> Sequence[dict[str, Any]]: ...

    @property
    def bodies(self) -> Sequence[bytes]: ...

    def batch_bodies(self, size: int) -> list[bytes]: ...

    def predict_request(self, run: Run) -> tuple[str, Sequence[bytes]]: ...

    def generator_cores_for(self, run: Run) -> list[int]: ...

    def open_loop(self, run: Run, url: str, rate: float, duration_s: float) -> LoadSample: ...
