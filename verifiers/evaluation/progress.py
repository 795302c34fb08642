"""A rich progress bar with rows done, rows/s and the time left; or nothing, when quiet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Advance = Callable[[int], None]


def _noop(n: int) -> None:
    return None


def rate_text(done: float, seconds: float | None) -> str:
    """Rows per second since the start, readable at any speed ("- rows/s" before the first row)."""
    if not done or not seconds or seconds <= 0:
        return "- rows/s"
    rate = done / seconds
    if rate >= 100:
        return f"{rate:,.0f} rows/s"
    if rate >= 1:
        return f"{rate:.1f} rows/s"
    return f"{rate:.2g} rows/s"


class ProgressBar:
    """Progress bars on stderr, one task per pass; `task()` returns a function that advances it."""

    def __init__(self, enabled: bool = True, console: Any = None):
        self.enabled = enabled
        self._console = console
        self._progress = None

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                ProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.text import Text

            class RateColumn(ProgressColumn):
                """Rows per second since the bar started."""

                def render(self, task: Any) -> Text:
                    return Text(rate_text(task.completed, task.elapsed), style="progress.data.speed")

            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self._console or Console(stderr=True),
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def task(self, description: str, total: int | None) -> Advance:
        """Add a bar; the returned function advances it by n rows."""
        if self._progress is None:
            return _noop
        progress = self._progress
        task_id = progress.add_task(description, total=total)
        return lambda n: progress.advance(task_id, n)

    def log(self, message: str) -> None:
        """Print a line above the bars (or nowhere when quiet)."""
        if self._progress is not None:
            self._progress.console.print(message)
