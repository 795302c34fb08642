"""The live progress bar (rich): step, reward and ETA; plain lines when the output is not a terminal."""

from __future__ import annotations

from typing import Any


def format_step_line(step: int, total: int, record: dict[str, Any]) -> str:
    """One plain-text line of a step's main metrics."""
    parts = [f"step {step}/{total}"]
    for key, label, fmt in (
        ("reward/mean", "reward", "{:.3f}"),
        ("reward/pass_rate", "pass", "{:.2f}"),
        ("loss", "loss", "{:.4f}"),
        ("kl", "kl", "{:.4f}"),
        ("completion/length_mean", "len", "{:.1f}"),
        ("grad_norm", "gnorm", "{:.3f}"),
        ("step_time_s", "time", "{:.2f}s"),
    ):
        v = record.get(key)
        if isinstance(v, (int, float)):
            parts.append(f"{label} {fmt.format(v)}")
    return "  ".join(parts)


class StepProgress:
    """A rich progress bar over training steps (falls back to a line every `every` steps)."""

    def __init__(self, total: int, start: int, console: Any, enabled: bool = True, every: int = 1):
        self.total = total
        self.console = console
        self.every = max(1, every)
        self.live = enabled and bool(getattr(console, "is_terminal", False))
        self._progress = None
        if self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("[bold]GRPO[/bold] step"),
                MofNCompleteColumn(),
                BarColumn(),
                TextColumn("reward {task.fields[reward]}"),
                TextColumn("pass {task.fields[pass_rate]}"),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=console,
                transient=False,
            )
            self._task = self._progress.add_task("train", total=total, completed=start, reward="-", pass_rate="-")
            self._progress.start()

    def update(self, step: int, record: dict[str, Any]) -> None:
        """Show the step just finished."""
        if self._progress is not None:
            r = record.get("reward/mean")
            pr = record.get("reward/pass_rate")
            self._progress.update(
                self._task,
                completed=step,
                reward=f"{r:.3f}" if isinstance(r, (int, float)) else "-",
                pass_rate=f"{pr:.2f}" if isinstance(pr, (int, float)) else "-",
            )
        elif step % self.every == 0 or step == self.total:
            self.console.print(format_step_line(step, self.total, record), highlight=False)

    def message(self, text: str) -> None:
        """Print a line above the bar."""
        self.console.print(text, highlight=False)

    def close(self) -> None:
        """Stop the live display."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
