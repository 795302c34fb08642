"""Scoring many samples with a reward, in parallel worker processes, order kept."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from .base import Verifier
from .result import Result
from .sample import Sample
from .spec import load_reward

RewardLike = Verifier | str | Path | dict[str, Any]

_worker_reward: Verifier | None = None


def die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (no orphans after a SIGKILL of the parent)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
    except OSError:
        pass


def _init_worker(reward: Verifier) -> None:
    global _worker_reward
    die_with_parent()
    _worker_reward = reward


def _score_chunk(samples: list[Sample]) -> list[Result]:
    assert _worker_reward is not None, "worker not initialised"
    return _worker_reward.batch(samples)


def mp_context() -> mp.context.BaseContext:
    """The multiprocessing start method for worker pools (AHA_MP_START overrides; fork where available)."""
    method = os.environ.get("AHA_MP_START") or ("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    return mp.get_context(method)


class Scorer:
    """Scores samples with one reward; `workers > 1` spreads chunks over processes.

    Results come back in input order. Every sample gets a Result: a verifier that raises
    yields an `error` result, never a dropped row. Use as a context manager, or call
    `close()`, to stop the workers.
    """

    def __init__(self, reward: RewardLike, workers: int = 1, chunk_size: int = 256, max_pending: int | None = None):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        self.reward = load_reward(reward)
        self.workers = workers
        self.chunk_size = chunk_size
        self.max_pending = max_pending or 4 * workers
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=mp_context(), initializer=_init_worker, initargs=(self.reward,)
            )
        return self._pool

    def score(self, samples: Sequence[Sample | str | dict[str, Any]]) -> list[Result]:
        """Score a list of samples; returns results in the same order."""
        return list(self.score_iter(samples))

    def score_iter(self, samples: Iterable[Sample | str | dict[str, Any]]) -> Iterator[Result]:
        """Score a stream of samples lazily, results in input order."""
        for chunk_results in self.score_chunks(samples):
            yield from chunk_results

    def score_chunks(self, samples: Iterable[Sample | str | dict[str, Any]]) -> Iterator[list[Result]]:
        """Score a stream chunk by chunk (for progress reporting), order kept."""
        it = (Sample.coerce(s) for s in samples)
        chunks = iter(lambda: list(islice(it, self.chunk_size)), [])
        if self.workers == 1:
            for chunk in chunks:
                yield self.reward.batch(chunk)
            return
        pool = self._get_pool()
        pending: deque[Future] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_score_chunk, chunk))
            if len(pending) >= self.max_pending:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def score(reward: RewardLike, samples: Sequence[Sample | str | dict[str, Any]], workers: int = 1) -> list[Result]:
    """Score samples with a reward in one call."""
    with Scorer(reward, workers=workers) as scorer:
        return scorer.score(samples)
