"""Scoring many samples with a reward, in parallel worker processes, order kept."""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from .base import Verifier
from .result import Result, Status
from .sample import Sample
from .spec import load_reward
from .workers import MAX_ROW_TIMEOUT, RewardJob, WorkerPool

RewardLike = Verifier | str | Path | dict[str, Any]


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


@dataclass
class SampleJob(RewardJob):
    """Scores chunks of Samples with one reward (run by the worker pool)."""

    def run_rows(self, samples: list[Sample], mark: Callable[[int], None]) -> list[Result]:
        """Score the samples one by one."""
        out = []
        for i, sample in enumerate(samples):
            mark(i)
            out.append(self.reward(sample))
        return out

    def run_batch(self, samples: list[Sample]) -> list[Result]:
        """Score the samples as one batch."""
        return self.reward.batch(samples)

    def failed(self, sample: Sample, status: Status, reason: str, verifier: str) -> list[Result]:
        """The result of a sample whose worker died or overran."""
        return [Result(0.0, status, reason, verifier=verifier)]

    def join(self, outs: list[list[Result]]) -> list[Result]:
        """One chunk's results from its consecutive parts."""
        return [r for out in outs for r in out]


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive lists of `size` items (the last one shorter)."""
    it = iter(items)
    return iter(lambda: list(islice(it, size)), [])


def make_pool(
    job: Any, workers: int, row_timeout: float | None = None, engine: str = "local", address: str | None = None
) -> Any:
    """The pool that runs a job over chunks, in order, a bounded number in flight: local processes or Ray tasks."""
    if engine == "ray":
        from .evaluation.ray_engine import RayPool

        return RayPool(job, workers, row_timeout, address)
    if engine != "local":
        raise ValueError(f"engine must be 'local' or 'ray', not {engine!r}")
    return WorkerPool(job, workers, row_timeout)


def mp_context() -> mp.context.BaseContext:
    """The multiprocessing start method for worker pools (AHA_MP_START overrides; fork where available)."""
    method = os.environ.get("AHA_MP_START") or ("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    return mp.get_context(method)


class Scorer:
    """Scores samples with one reward; `workers > 1` spreads chunks over processes.

    Results come back in input order. Every sample gets a Result: a verifier that raises
    yields an `error` result, never a dropped row. With worker processes (`workers > 1`, or
    any `row_timeout`, which runs even one worker in a child process), a verifier whose process
    dies gives an `error` result naming it, one that takes longer than `row_timeout` seconds
    on a sample a `timeout` result, and the pool replaces the worker. With `workers=1` and no
    `row_timeout`, samples are scored in this process. `engine="ray"` runs the chunks as Ray
    tasks instead (on the cluster at `address`, or a local instance). Use as a context manager,
    or call `close()`, to stop the workers.
    """

    def __init__(
        self,
        reward: RewardLike,
        workers: int = 1,
        chunk_size: int = 256,
        max_pending: int | None = None,
        row_timeout: float | None = None,
        engine: str = "local",
        address: str | None = None,
    ):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        self.reward = load_reward(reward)
        self.workers = workers
        self.chunk_size = chunk_size
        self.max_pending = max_pending or 4 * workers
        self.row_timeout = row_timeout
        self.engine = engine
        self.address = address
        self._pool: Any = None
        if row_timeout is not None and not 0 < row_timeout <= MAX_ROW_TIMEOUT:
            raise ValueError(f"row_timeout must be in (0, {MAX_ROW_TIMEOUT:g}] seconds, got {row_timeout}")

    def _get_pool(self) -> Any:
        if self._pool is None:
            self._pool = make_pool(SampleJob(self.reward), self.workers, self.row_timeout, self.engine, self.address)
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
        chunks = chunked((Sample.coerce(s) for s in samples), self.chunk_size)
        if self.engine == "local" and self.workers == 1 and self.row_timeout is None:
            for chunk in chunks:
                yield self.reward.batch(chunk)
            return
        pool = self._get_pool()
        try:
            yield from pool.imap(chunks, self.max_pending)
        except BaseException:
            self.close(kill=True)
            raise

    def close(self, kill: bool = False) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.close(kill=kill)
            self._pool = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.close(kill=exc_type is not None)


def score(reward: RewardLike, samples: Sequence[Sample | str | dict[str, Any]], workers: int = 1) -> list[Result]:
    """Score samples with a reward in one call."""
    with Scorer(reward, workers=workers) as scorer:
        return scorer.score(samples)
