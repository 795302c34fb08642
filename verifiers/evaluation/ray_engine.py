"""Scoring on a Ray cluster (or a local Ray instance): the worker pool's interface on Ray tasks.

`RayPool` runs the same jobs as the local `WorkerPool` (a chunk per task, results in input order,
a bounded number of chunks in flight), so `Scorer(engine="ray")` is the one scoring pipeline on Ray.
With a row timeout, a chunk gets the budget of its rows from the moment it is waited for; a chunk
that overruns is cancelled and each of its rows becomes a `timeout` row (the local pool, which
watches each row, scores the chunk's other rows again instead).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from ..result import Status
from ..workers import Job
from .config import MissingDependency


def _run_batch(job: Job, items: list[Any]) -> Any:
    return job.run_batch(items)


class RayPool:
    """Runs a Job over chunks as Ray tasks, results in input order; the interface of `WorkerPool`.

    Connects to `address` (or RAY_ADDRESS) when given, else starts a local Ray instance with
    `workers` CPUs, and shuts down only an instance it started itself.
    """

    def __init__(self, job: Job, workers: int, row_timeout: float | None = None, address: str | None = None):
        self.job = job
        self.workers = workers
        self.row_timeout = row_timeout
        self.address = address
        self._started = False

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError as exc:
            raise MissingDependency(f"--engine ray needs Ray: pip install 'aha[ray]' ({exc})") from None
        if not ray.is_initialized():
            options: dict[str, Any] = {
                "include_dashboard": False,
                "logging_level": logging.WARNING,
                "configure_logging": True,
            }
            if self.address:
                options["address"] = self.address
            elif not os.environ.get("RAY_ADDRESS"):  # ray.init joins RAY_ADDRESS by itself
                options["num_cpus"] = self.workers
            ray.init(**options)
            self._started = True
        return ray

    def imap(self, chunks: Iterable[list[Any]], max_pending: int | None = None) -> Iterator[Any]:
        """The job's output for each chunk, in input order, with at most `max_pending` chunks in flight."""
        ray = self._ray()
        task = ray.remote(num_cpus=1)(_run_batch)
        job_ref = ray.put(self.job)
        max_pending = max_pending or 2 * self.workers
        pending: deque[tuple[Any, list[Any]]] = deque()
        for chunk in chunks:
            pending.append((task.remote(job_ref, chunk), chunk))
            if len(pending) >= max_pending:
                yield self._result(ray, *pending.popleft())
        while pending:
            yield self._result(ray, *pending.popleft())

    def _result(self, ray: Any, ref: Any, items: list[Any]) -> Any:
        if self.row_timeout is None:
            return ray.get(ref)
        budget = self.row_timeout * max(1, len(items))
        ready, _ = ray.wait([ref], timeout=budget)
        if ready:
            return ray.get(ref)
        ray.cancel(ref, force=True)
        reason = (
            f"the chunk of {len(items)} rows holding this row took longer than {budget:g} s "
            f"({self.row_timeout:g} s row timeout per row) on Ray; its task was cancelled"
        )
        return self.job.join([self.job.failed(item, Status.TIMEOUT, reason, self.job.name) for item in items])

    def close(self, kill: bool = False) -> None:
        """Shut down the local Ray instance if this pool started it."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def __enter__(self) -> RayPool:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.close(kill=exc_type is not None)
