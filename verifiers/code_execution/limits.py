"""The resource limits of one sandboxed run."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Wall-clock, CPU, memory, file, process and output limits of one sandboxed run."""

    timeout: float = 5.0  # wall seconds per test (and for loading the solution)
    total_timeout: float = 60.0  # wall seconds for the whole run
    cpu_seconds: int | None = None  # CPU seconds for the whole run; None: derived from the timeouts
    memory_mb: int = 512
    file_mb: int = 16  # largest file the solution may write, stdout included
    processes: int = 16  # processes the solution may run at once (its own included)
    open_files: int = 256
    channel_kb: int = 4096  # largest total report the harness may send
    startup_grace: float = 5.0  # extra wall seconds for the sandbox and interpreter to start

    def __post_init__(self) -> None:
        for name in ("timeout", "total_timeout", "memory_mb", "file_mb", "processes", "open_files", "channel_kb"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name} must be a positive number, not {value!r}")

    def cpu_limit(self, tests: int) -> int:
        """The CPU-seconds limit for a run of `tests` tests."""
        if self.cpu_seconds is not None:
            return int(self.cpu_seconds)
        return int(min(self.total_timeout, self.timeout * max(tests, 1))) + 1

    def to_dict(self) -> dict:
        """A plain dict of the limits."""
        return asdict(self)
