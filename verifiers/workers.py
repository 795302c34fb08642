"""Worker processes that survive their verifiers: a crash or an overrun costs one row, never the run.

Each worker scores chunks of rows and records, in shared memory, which row it is on, since when,
and which verifier last started. The main process waits on the workers' pipes and process
sentinels. A worker that dies, or spends longer than the row timeout on one row, is killed and
replaced; the row it was on gets an `error` or `timeout` result naming the verifier, and the other
rows of its chunk are scored again. A reward whose verifiers score whole batches together
(`math_equivalence`, judges) gets the budget of the whole chunk for the batch; when that batch
overruns or dies, its rows are scored again one at a time, each with its own budget.
"""

from __future__ import annotations

import ctypes
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Protocol

from . import base
from .result import Status

MAX_ROW_TIMEOUT = 3600.0

_STARTING, _IDLE, _ROWS, _BATCH, _SENDING = 0.0, 1.0, 2.0, 3.0, 4.0
_NAME_BYTES = 120


class Job(Protocol):
    """The work a pool runs: score a chunk (in a worker), and stand in for a row that failed (in the main process)."""

    name: str
    batch: bool

    def run_rows(self, items: list[Any], mark: Callable[[int], None]) -> Any:
        """Score the items one by one, calling `mark(i)` before item i."""

    def run_batch(self, items: list[Any]) -> Any:
        """Score the items together."""

    def failed(self, item: Any, status: Status, reason: str, verifier: str) -> Any:
        """The output of one item whose worker died or overran."""

    def join(self, outs: list[Any]) -> Any:
        """The output of a chunk from the outputs of its consecutive parts."""


class WorkerError(RuntimeError):
    """A worker could not start, or could not send its results back."""


def has_custom_batch(verifier: base.Verifier) -> bool:
    """True when the verifier, or one of its terms, scores a batch otherwise than one sample at a time."""
    from .compose import Composite

    if isinstance(verifier, Composite):
        return any(has_custom_batch(t.verifier) for t in verifier.terms)
    return type(verifier).batch is not base.Verifier.batch


@dataclass
class RewardJob:
    """The part of a pool job common to every reward: its name, and whether chunks are scored as batches."""

    reward: base.Verifier

    @property
    def name(self) -> str:
        """The reward's name, for messages."""
        return self.reward.name

    @property
    def batch(self) -> bool:
        """Score chunks as batches (when a verifier has its own batch method)."""
        return has_custom_batch(self.reward)


# -- inside a worker ------------------------------------------------------------------------
def _worker_main(job: Job, conn: Any, state: Any, name_buf: Any) -> None:
    from .scoring import die_with_parent

    die_with_parent()
    # Ctrl-C reaches the whole process group; the main process decides, and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    last: list[Any] = [None]

    def hook(verifier: base.Verifier) -> None:
        if verifier is not last[0]:
            last[0] = verifier
            name_buf.value = str(verifier.name).encode("utf-8", "replace")[: _NAME_BYTES - 1]

    def mark(i: int) -> None:
        state[1] = i
        state[2] = time.monotonic()

    base.set_call_hook(hook)
    state[0] = _IDLE
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        task_id, batch, items = msg
        last[0] = None
        name_buf.value = b""
        state[2] = time.monotonic()
        state[1] = 0
        try:
            if batch:
                state[0] = _BATCH
                out = job.run_batch(items)
            else:
                state[0] = _ROWS
                out = job.run_rows(items, mark)
            state[0] = _SENDING
            conn.send((task_id, True, out))
        except Exception as exc:  # noqa: BLE001 - reported to the main process, which raises it
            conn.send((task_id, False, f"{type(exc).__name__}: {exc}"))
        state[0] = _IDLE


# -- in the main process ---------------------------------------------------------------------
@dataclass(eq=False)
class _Part:
    out: Any = None
    task: _Task | None = None


@dataclass(eq=False)
class _Task:
    id: int
    parts: list[_Part]
    part: _Part
    items: list[Any]
    batch: bool
    attempts: int = 0


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: Any
    state: Any
    name_buf: Any
    task: _Task | None = None
    sent_at: float = 0.0
    done: int = 0


@dataclass
class _Counts:
    died: int = 0
    timed_out: int = 0
    events: list[str] = field(default_factory=list)


class WorkerPool:
    """Runs a Job over chunks in `workers` processes, results in input order; see the module docstring.

    `row_timeout` is the most seconds one row may take (None: no limit, crashes are still
    caught). Use as a context manager, or call `close()`.
    """

    def __init__(self, job: Job, workers: int, row_timeout: float | None = None, ctx: Any = None):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if row_timeout is not None and not 0 < row_timeout <= MAX_ROW_TIMEOUT:
            raise ValueError(f"row_timeout must be in (0, {MAX_ROW_TIMEOUT:g}] seconds, got {row_timeout}")
        if ctx is None:
            from .scoring import mp_context

            ctx = mp_context()
        self.job = job
        self.row_timeout = row_timeout
        self.ctx = ctx
        self.counts = _Counts()
        self._next_id = 0
        self._queue: deque[_Task] = deque()
        self._workers = [self._start() for _ in range(workers)]

    def _start(self) -> _Worker:
        state = self.ctx.RawArray(ctypes.c_double, 3)
        name_buf = self.ctx.RawArray(ctypes.c_char, _NAME_BYTES)
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker_main, args=(self.job, child, state, name_buf), daemon=True)
        proc.start()
        child.close()
        return _Worker(proc, parent, state, name_buf)

    # -- running -------------------------------------------------------------------------------
    def imap(self, chunks: Iterable[list[Any]], max_pending: int | None = None) -> Iterator[Any]:
        """The job's output for each chunk, in input order, with at most `max_pending` chunks in flight."""
        max_pending = max_pending or 4 * len(self._workers)
        source = iter(chunks)
        exhausted = False
        slots: deque[list[_Part]] = deque()
        while True:
            while not exhausted and len(slots) < max_pending:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                part = _Part()
                parts = [part]
                part.task = self._new_task(parts, part, chunk, self.job.batch)
                self._queue.append(part.task)
                slots.append(parts)
            while slots and all(p.task is None for p in slots[0]):
                parts = slots.popleft()
                yield parts[0].out if len(parts) == 1 else self.job.join([p.out for p in parts])
            if exhausted and not slots:
                return
            if slots:
                self._dispatch()
                self._wait()

    def _new_task(self, parts: list[_Part], part: _Part, items: list[Any], batch: bool) -> _Task:
        self._next_id += 1
        return _Task(self._next_id, parts, part, items, batch)

    def _dispatch(self) -> None:
        for w in self._workers:
            if not self._queue:
                return
            if w.task is None:
                if not w.proc.is_alive():  # died while idle (killed from outside)
                    w = self._replace(w)
                task = self._queue.popleft()
                w.task = task
                w.sent_at = time.monotonic()
                w.conn.send((task.id, task.batch, task.items))

    def _deadline(self, w: _Worker) -> float | None:
        if self.row_timeout is None or w.task is None:
            return None
        phase, since = w.state[0], w.state[2]
        if phase == _ROWS and since >= w.sent_at:
            return since + self.row_timeout
        if phase == _BATCH and since >= w.sent_at:
            return since + self.row_timeout * max(1, len(w.task.items))
        return None

    def _wait(self) -> None:
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return
        deadlines = [d for d in map(self._deadline, busy) if d is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) + 0.01 if deadlines else 1.0
        ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], min(timeout, 1.0)))
        for w in busy:
            if w.conn in ready or w.proc.sentinel in ready:
                self._receive(w)
        now = time.monotonic()
        for w in busy:
            deadline = self._deadline(w)
            if w.task is not None and deadline is not None and now > deadline and not w.conn.poll():
                w.proc.kill()
                w.proc.join(5)
                self.counts.timed_out += 1
                self._failed(w, Status.TIMEOUT)

    def _receive(self, w: _Worker) -> None:
        try:
            if not w.conn.poll():
                raise EOFError
            task_id, ok, out = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join(5)
            if w.state[0] == _STARTING:
                raise WorkerError(f"a worker process could not start ({_exit_text(w.proc.exitcode)})") from None
            self.counts.died += 1
            self._failed(w, Status.ERROR)
            return
        task = w.task
        assert task is not None and task.id == task_id
        if not ok:
            raise WorkerError(f"a worker could not return its results: {out}")
        task.part.out, task.part.task = out, None
        w.task = None
        w.done += 1
        if not w.proc.is_alive():  # sent its results, then died
            self._replace(w)

    def _replace(self, w: _Worker) -> _Worker:
        """A new worker in the place of `w`, which is dead or killed."""
        w.proc.join(5)
        w.conn.close()
        new = self._start()
        self._workers[self._workers.index(w)] = new
        return new

    def _failed(self, w: _Worker, status: Status) -> None:
        """Replace worker `w`, and turn the row it was on into a failed row; queue the rest of its chunk again."""
        task = w.task
        assert task is not None
        phase, position = w.state[0], int(w.state[1])
        verifier = w.name_buf.value.decode("utf-8", "replace") or self.job.name
        exit_text = _exit_text(w.proc.exitcode)
        w.task = None
        self._replace(w)
        task.attempts += 1
        index = task.parts.index(task.part)
        if phase == _ROWS and 0 <= position < len(task.items):
            if status is Status.TIMEOUT:
                reason = (
                    f"verifier '{verifier}' took longer than the {self.row_timeout:g} s row timeout on this row; "
                    "its worker process was stopped and replaced"
                )
            else:
                reason = f"the worker process died ({exit_text}) while verifier '{verifier}' checked this row"
            self.counts.events.append(reason)
            failed = _Part(self.job.failed(task.items[position], status, reason, verifier))
            pieces = [(task.items[:position], False), None, (task.items[position + 1 :], False)]
        elif task.attempts < 3:
            # A batch that overran or died, or a worker lost between rows: its rows again, one at a time.
            failed = None
            pieces = [(task.items, False)]
        else:
            reason = f"the worker process failed three times on this chunk ({exit_text})"
            task.parts[index : index + 1] = [_Part(self.job.failed(it, status, reason, verifier)) for it in task.items]
            return
        new_parts: list[_Part] = []
        new_tasks: list[_Task] = []
        for piece in pieces:
            if piece is None:
                assert failed is not None
                new_parts.append(failed)
            elif piece[0]:
                part = _Part()
                part.task = self._new_task(task.parts, part, piece[0], piece[1])
                part.task.attempts = task.attempts
                new_parts.append(part)
                new_tasks.append(part.task)
        task.parts[index : index + 1] = new_parts
        self._queue.extendleft(reversed(new_tasks))

    # -- stopping --------------------------------------------------------------------------------
    def close(self, kill: bool = False) -> None:
        """Stop the workers: politely when idle, at once with `kill=True` or when they are busy."""
        for w in self._workers:
            if kill or w.task is not None:
                w.proc.kill()
            else:
                try:
                    w.conn.send(None)
                except OSError:
                    w.proc.kill()
        for w in self._workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(2)
            w.conn.close()
        self._workers = []
        self._queue.clear()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        self.close(kill=exc_type is not None)


def _exit_text(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
