"""Scoring on a Ray cluster (or a local Ray instance): chunks become Ray tasks, results come back in order."""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from ..base import Verifier
from ..result import Result
from ..sample import Sample
from .config import MissingDependency


def _score_chunk(reward: Verifier, samples: list[Sample]) -> list[Result]:
    return reward.batch(samples)


class RayScorer:
    """The Scorer interface (`score_chunks`, `close`) on Ray tasks.

    Connects to `address` (or RAY_ADDRESS) when given, else starts a local Ray instance
    with `workers` CPUs, and shuts down only an instance it started itself.
    """

    def __init__(
        self,
        reward: Verifier,
        workers: int,
        chunk_size: int = 1024,
        address: str | None = None,
        max_pending: int | None = None,
    ):
        self.reward = reward
        self.workers = workers
        self.chunk_size = chunk_size
        self.address = address
        self.max_pending = max_pending or 2 * workers
        self._started = False

    def _ray(self):
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

    def score_chunks(self, samples: Iterable[Sample | str | dict[str, Any]]) -> Iterator[list[Result]]:
        """Score a stream chunk by chunk on Ray tasks, order kept."""
        ray = self._ray()
        task = ray.remote(num_cpus=1)(_score_chunk)
        reward_ref = ray.put(self.reward)
        it = (Sample.coerce(s) for s in samples)
        pending: deque = deque()
        for chunk in iter(lambda: list(islice(it, self.chunk_size)), []):
            pending.append(task.remote(reward_ref, chunk))
            if len(pending) >= self.max_pending:
                yield ray.get(pending.popleft())
        while pending:
            yield ray.get(pending.popleft())

    def close(self) -> None:
        """Shut down the local Ray instance if this scorer started it."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def __enter__(self) -> RayScorer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
