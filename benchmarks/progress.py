"""Progress of a long run: a redrawn bar on a terminal, a printed line per step elsewhere (a CI log, a pipe)."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class LoggedProgress(Progress):
    """Where stderr is no terminal, each step is a printed line instead of a redrawn bar."""

    def __init__(self, console: Console) -> None:
        super().__init__(TextColumn("{task.description}"), console=console, transient=False)
        self._began = time.monotonic()

    def update(self, task_id: TaskID, *, description: str | None = None, **fields: Any) -> None:
        if description is not None:
            task = self._tasks[task_id]
            elapsed = time.monotonic() - self._began
            self.console.print(
                f"{elapsed:6.0f} s  {description}  ({task.completed:g}/{task.total or 0:g})", markup=False
            )
        super().update(task_id, description=description, **fields)


def progress_for(console: Console) -> Progress:
    """A bar with elapsed time on a terminal; logged lines elsewhere."""
    if not console.is_terminal:
        return LoggedProgress(console)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
