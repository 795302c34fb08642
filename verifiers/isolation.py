"""Killable worker processes: run functions with a per-call timeout and a per-worker memory limit.

A `WorkerPool` never hangs its caller. Work runs in worker processes forked from a clean
"zygote" process (a fresh interpreter started with `subprocess`, single-threaded, with the
heavy modules the work needs already imported), so a worker starts in milliseconds, inherits
nothing from the caller's threads, and can be started from any thread, from a daemonic
process, or from a worker of another pool. A call that overruns its timeout gets its worker
killed (SIGKILL through a pidfd where the platform has one, so a recycled pid is never hit)
and a fresh worker takes its place. Each worker caps its own address space with
`resource.setrlimit(RLIMIT_AS)`. No `signal.alarm` is used anywhere.

A timeout caused by a busy machine rather than by the work is retried once: when the worker
spent a good part of its time limit waiting for a CPU (the kernel's run-queue delay,
/proc/<pid>/schedstat), the call runs again on a fresh worker before `timeout` is final.

Functions and arguments travel by pickle, so tasks must be module-level functions, or
"module:function" strings, which are imported in the worker only (the caller never imports them).
POSIX only (fork, Unix sockets); on other platforms every call returns an `unavailable` outcome.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["Outcome", "WorkerPool", "shared_pool", "close_shared_pools"]

_SPAWN = b"S"
_SPAWN_FMT = "!cq"  # command byte, memory limit in bytes (0: none)
_PID_FMT = "!q"
_HAS_PIDFD = hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")
# A timed-out call whose worker waited for a CPU this share of its time limit or more was starved
# by other processes, not slow: it gets one more try.
STARVED_SHARE = 0.25


@dataclass(slots=True)
class Outcome:
    """How one isolated call ended: status `ok`, `error`, `timeout`, `memory`, `crashed` or `unavailable`."""

    status: str
    value: Any = None
    error: str = ""
    elapsed: float = 0.0
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """True when the function returned normally."""
        return self.status == "ok"


class _Worker:
    __slots__ = ("pid", "pidfd", "conn", "waited")

    def __init__(self, pid: int, pidfd: int | None, conn: Connection):
        self.pid = pid
        self.pidfd = pidfd
        self.conn = conn
        self.waited = 0  # run-queue delay (ns) the worker reported after its last call; 0 when new

    def starved(self, limit: float) -> bool:
        """The worker waited for a CPU at least STARVED_SHARE of `limit` since its last reply.

        Unknown (no schedstat on this system) counts as starved: the retry costs time, never a verdict.
        """
        now = _run_delay(self.pid)
        if now < 0:
            return True
        return (now - max(self.waited, 0)) / 1e9 >= STARVED_SHARE * limit

    def alive(self) -> bool:
        if self.pidfd is not None:
            return not _readable(self.pidfd, 0.0)
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # pid recycled by another user's process: ours is gone
            return False
        return True

    def kill(self, wait_s: float = 2.0) -> None:
        """SIGKILL the worker and wait (bounded) until it is gone."""
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, OSError):
            pass
        deadline = time.monotonic() + wait_s
        while self.alive() and time.monotonic() < deadline:
            if self.pidfd is not None:
                _readable(self.pidfd, max(0.0, deadline - time.monotonic()))
            else:
                time.sleep(0.005)
        self.forget()

    def forget(self) -> None:
        """Close our handles without signalling (used after a fork, where the worker is not ours)."""
        try:
            self.conn.close()
        except OSError:
            pass
        if self.pidfd is not None:
            try:
                os.close(self.pidfd)
            except OSError:
                pass
            self.pidfd = None


def _readable(fd: int, timeout: float) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(timeout * 1000.0))


_POOLS: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


class WorkerPool:
    """A pool of killable worker processes; each call gets a timeout, each worker a memory limit.

    `size` workers are kept warm. `timeout` (seconds) is the default per call;
    `memory_limit_mb` is how much address space a worker may add on top of its size at
    start (0: no limit). `preload` names modules the zygote imports once so that workers
    start warm. `warm_call` ("module:function", args) runs once in every new worker before
    it takes work, so a worker's first-touch costs are not paid by a timed call. The pool starts on first use; `close()` (or the context manager, or
    interpreter exit) kills every worker and the zygote.
    """

    def __init__(
        self,
        size: int = 1,
        timeout: float = 5.0,
        memory_limit_mb: int = 1024,
        preload: Sequence[str] = (),
        start_timeout: float = 60.0,
        warm_call: tuple[str, tuple[Any, ...]] | None = None,
    ):
        if size < 1:
            raise ValueError(f"size must be at least 1, got {size}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if memory_limit_mb < 0:
            raise ValueError(f"memory_limit_mb must be >= 0, got {memory_limit_mb}")
        self.size = size
        self.timeout = float(timeout)
        self.memory_limit_mb = int(memory_limit_mb)
        self.preload = tuple(preload)
        self.start_timeout = float(start_timeout)
        self.warm_call = warm_call
        self._init_state()
        _POOLS.add(self)

    def _init_state(self) -> None:
        self._owner = os.getpid()
        self._lock = threading.Lock()  # guards the fields below and the zygote control socket
        self._free_cv = threading.Condition(self._lock)
        self._zygote: subprocess.Popen | None = None
        self._ctrl: socket.socket | None = None
        self._free: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._start_error: str | None = None
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the zygote and the warm workers now (otherwise done on first use)."""
        with self._lock:
            self._ensure_started()

    def _ensure_started(self) -> None:
        if self._owner != os.getpid():  # we are in a forked child: the parent's handles are not ours
            self._abandon()
        if self._closed:
            raise RuntimeError("worker pool is closed")
        if self._start_error is not None:
            raise RuntimeError(self._start_error)
        if self._zygote is not None and self._zygote.poll() is not None:
            self._zygote_lost()  # killed from outside: start a new one; live workers stay ours
        if self._zygote is None:
            try:
                self._start_zygote()
            except Exception as exc:
                self._start_error = f"could not start the worker zygote: {exc}"
                raise RuntimeError(self._start_error) from exc
        while len(self._free) + len(self._busy) < self.size:
            self._free.append(self._spawn())

    def _start_zygote(self) -> None:
        if not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
            raise RuntimeError("isolated workers need a POSIX system with fork and Unix sockets")
        if not sys.executable:
            raise RuntimeError("sys.executable is not set")
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        errlog = tempfile.TemporaryFile()
        boot = (
            "import sys, json; sys.path[:0] = json.loads(sys.argv[1]); "
            "from verifiers.isolation import _zygote_main; _zygote_main(int(sys.argv[2]), json.loads(sys.argv[3]))"
        )
        paths = [p for p in sys.path if p]
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", boot, json.dumps(paths), str(child_sock.fileno()), json.dumps(self.preload)],
                pass_fds=(child_sock.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errlog,
                start_new_session=True,  # a Ctrl-C in the terminal is the caller's to handle
            )
        except BaseException:
            parent_sock.close()
            errlog.close()
            raise
        finally:
            child_sock.close()
        ok = _readable(parent_sock.fileno(), self.start_timeout)
        reply = parent_sock.recv(65536) if ok else b""
        if not reply.startswith(b"R"):
            proc.kill()
            proc.wait()
            parent_sock.close()
            errlog.seek(0)
            tail = errlog.read()[-2000:].decode("utf-8", "replace").strip()
            errlog.close()
            why = reply[1:].decode("utf-8", "replace") if reply.startswith(b"E") else tail
            if not ok:
                why = f"no answer within {self.start_timeout:g}s. {tail}"
            raise RuntimeError(why or f"zygote exited with code {proc.returncode}")
        errlog.close()
        self._zygote = proc
        self._ctrl = parent_sock

    def _spawn(self) -> _Worker:
        """Ask the zygote for one more worker (caller holds the lock)."""
        assert self._ctrl is not None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            limit = self.memory_limit_mb * 1024 * 1024
            socket.send_fds(self._ctrl, [struct.pack(_SPAWN_FMT, _SPAWN, limit)], [theirs.fileno()])
            data, fds = b"", []
            size = struct.calcsize(_PID_FMT)
            deadline = time.monotonic() + self.start_timeout
            while len(data) < size:
                if not _readable(self._ctrl.fileno(), max(0.0, deadline - time.monotonic())):
                    raise RuntimeError("the zygote did not answer a spawn request")
                chunk, more_fds, _, _ = socket.recv_fds(self._ctrl, size - len(data), 1)
                if not chunk:
                    raise RuntimeError("the zygote has exited")
                data += chunk
                fds += more_fds
        finally:
            theirs.close()
        (pid,) = struct.unpack(_PID_FMT, data)
        if pid <= 0:
            ours.close()
            raise RuntimeError("the zygote could not fork a worker")
        conn = Connection(ours.detach())
        worker = _Worker(pid, fds[0] if fds else None, conn)
        if self.warm_call is not None:  # its result does not matter; only that it ran
            try:
                conn.send(self.warm_call)
                if _readable(conn.fileno(), self.start_timeout):
                    _, _, worker.waited = conn.recv()
            except (OSError, EOFError, ValueError):
                pass  # a broken worker is found and replaced on its first real call
        return worker

    def _zygote_lost(self) -> None:
        if self._ctrl is not None:
            try:
                self._ctrl.close()
            except OSError:
                pass
        if self._zygote is not None:
            self._zygote.poll()
        self._ctrl = None
        self._zygote = None

    def _abandon(self) -> None:
        """Drop handles inherited through fork without touching the parent's processes."""
        for w in list(self._free) + list(self._busy):
            w.forget()
        if self._ctrl is not None:
            try:
                self._ctrl.close()
            except OSError:
                pass
        zygote = self._zygote
        if zygote is not None:
            zygote.returncode = 0  # not our child: make Popen.__del__ leave it alone
        self._init_state()

    def close(self) -> None:
        """Kill every worker and the zygote; later calls return `unavailable`."""
        if self._owner != os.getpid():
            self._abandon()
            self._closed = True
            return
        with self._lock:
            self._closed = True
            workers = list(self._free) + list(self._busy)
            self._free.clear()
            self._busy.clear()
            for w in workers:
                w.kill()
            if self._ctrl is not None:
                try:
                    self._ctrl.close()  # EOF tells the zygote to exit
                except OSError:
                    pass
                self._ctrl = None
            if self._zygote is not None:
                try:
                    self._zygote.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._zygote.kill()
                    self._zygote.wait()
                self._zygote = None
            self._free_cv.notify_all()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if self._owner == os.getpid() and self._zygote is not None:
                self.close()
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass

    # -- introspection ---------------------------------------------------------------------
    def worker_pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [w.pid for w in list(self._free) + list(self._busy) if w.alive()]

    @property
    def zygote_pid(self) -> int | None:
        """Process id of the zygote, once started."""
        return self._zygote.pid if self._zygote is not None else None

    # -- running work -------------------------------------------------------------------
    def run(self, fn: Callable[..., Any] | str, *args: Any, timeout: float | None = None) -> Outcome:
        """Run `fn(*args)` in a worker; an Outcome comes back within about the timeout.

        `fn` is a module-level function or a "module:function" string resolved in the worker.
        """
        return self.run_many(fn, [args], timeout=timeout)[0]

    def run_many(
        self,
        fn: Callable[..., Any] | str,
        arg_tuples: Iterable[tuple[Any, ...]],
        timeout: float | Sequence[float] | None = None,
        retry_starved: bool = True,
    ) -> list[Outcome]:
        """Run `fn(*args)` for every args tuple over the warm workers; outcomes in input order.

        Each call has its own timeout (one for all, or one per call), counted from when it reaches
        a worker. With `retry_starved`, a call that timed out while its worker was mostly waiting
        for a CPU runs once more on a fresh worker (`Outcome.attempts` says so).
        """
        tasks = list(arg_tuples)
        if timeout is None or isinstance(timeout, (int, float)):
            limits = [self.timeout if timeout is None else float(timeout)] * len(tasks)
        else:
            limits = [float(t) for t in timeout]
            if len(limits) != len(tasks):
                raise ValueError(f"{len(limits)} timeouts for {len(tasks)} calls")
        if any(t <= 0 for t in limits):
            raise ValueError("timeouts must be positive")
        results: list[Outcome | None] = [None] * len(tasks)
        attempts = [0] * len(tasks)
        if not tasks:
            return []
        try:
            held = self._acquire(len(tasks))
        except RuntimeError as exc:
            return [Outcome("unavailable", error=str(exc)) for _ in tasks]
        todo = list(range(len(tasks) - 1, -1, -1))  # a stack: pop() gives input order
        inflight: dict[Connection, tuple[int, _Worker, float]] = {}
        idle = list(held)
        try:
            while todo or inflight:
                while todo and idle:
                    w = idle.pop()
                    i = todo.pop()
                    try:
                        w.conn.send((fn, tasks[i]))
                    except (OSError, ValueError):  # the worker died between calls: replace it, retry
                        w = self._replace(w, held)
                        if w is None:
                            results[i] = Outcome("unavailable", error="could not start a replacement worker")
                            continue
                        try:
                            w.conn.send((fn, tasks[i]))
                        except Exception as exc:  # noqa: BLE001
                            results[i] = Outcome("error", error=f"could not send the task: {exc}")
                            idle.append(w)
                            continue
                    except Exception as exc:  # noqa: BLE001 - e.g. unpicklable arguments
                        results[i] = Outcome("error", error=f"could not send the task: {type(exc).__name__}: {exc}")
                        idle.append(w)
                        continue
                    inflight[w.conn] = (i, w, time.monotonic())
                    attempts[i] += 1
                if not inflight:
                    if todo and not idle:  # every worker was lost and none could be started
                        for i in todo:
                            results[i] = Outcome("unavailable", error="could not start a replacement worker")
                        todo.clear()
                    continue
                now = time.monotonic()
                wait_s = max(0.0, min(start + limits[i] - now for i, _, start in inflight.values()))
                for conn in wait(list(inflight), timeout=wait_s):
                    i, w, start = inflight.pop(conn)
                    elapsed = time.monotonic() - start
                    try:
                        kind, payload, w.waited = conn.recv()
                    except (EOFError, OSError):
                        results[i] = Outcome(
                            "crashed", error="the worker process died", elapsed=elapsed, attempts=attempts[i]
                        )
                        w = self._replace(w, held)
                        if w is not None:
                            idle.append(w)
                        continue
                    except Exception as exc:  # noqa: BLE001 - an unpicklable result
                        results[i] = Outcome("error", error=f"bad result: {exc}", elapsed=elapsed)
                        idle.append(w)
                        continue
                    if kind == "ok":
                        results[i] = Outcome("ok", payload, elapsed=elapsed, attempts=attempts[i])
                    else:
                        results[i] = Outcome(kind, error=str(payload), elapsed=elapsed, attempts=attempts[i])
                    if kind == "memory":  # the worker exits after a MemoryError
                        w = self._replace(w, held, kill=True)
                        if w is None:
                            continue
                    idle.append(w)
                now = time.monotonic()
                for conn, (i, w, start) in list(inflight.items()):
                    if now - start >= limits[i]:
                        del inflight[conn]
                        if retry_starved and attempts[i] == 1 and w.starved(limits[i]):
                            todo.append(i)  # runs next, on the fresh worker that replaces this one
                        else:
                            results[i] = Outcome(
                                "timeout",
                                error=f"no result within {limits[i]:g}s",
                                elapsed=now - start,
                                attempts=attempts[i],
                            )
                        w = self._replace(w, held, kill=True)
                        if w is not None:
                            idle.append(w)
        finally:
            for i, w, _ in inflight.values():  # only on an exception (e.g. KeyboardInterrupt)
                results[i] = Outcome("error", error="interrupted")
                w.kill()
                held.remove(w)
            self._release(held)
        return [r if r is not None else Outcome("error", error="no result") for r in results]

    def _acquire(self, want: int) -> list[_Worker]:
        """Check out between 1 and `want` idle workers, waiting for one if all are busy."""
        with self._lock:
            self._ensure_started()
            while not self._free:
                if self._closed:
                    raise RuntimeError("worker pool is closed")
                self._free_cv.wait(timeout=1.0)
                self._ensure_started()
            n = min(want, len(self._free))
            held = [self._free.pop() for _ in range(n)]
            self._busy.update(held)
            return held

    def _release(self, held: list[_Worker]) -> None:
        with self._lock:
            for w in held:
                self._busy.discard(w)
                if self._closed or self._owner != os.getpid():
                    w.kill()
                else:
                    self._free.append(w)
            self._free_cv.notify_all()

    def _replace(self, w: _Worker, held: list[_Worker], kill: bool = False) -> _Worker | None:
        """Swap a dead or hung worker for a fresh one (in `held`); None if none can be started."""
        if kill:
            w.kill()
        else:
            w.forget()
        with self._lock:
            self._busy.discard(w)
            if w in held:
                held.remove(w)
            if self._closed:
                return None
            try:
                if self._ctrl is None or (self._zygote is not None and self._zygote.poll() is not None):
                    self._zygote_lost()
                    self._start_zygote()
                fresh = self._spawn()
            except (OSError, RuntimeError):
                self._zygote_lost()
                return None
            self._busy.add(fresh)
        held.append(fresh)
        return fresh


# -- shared pools ---------------------------------------------------------------------------
_SHARED: dict[tuple, WorkerPool] = {}
_SHARED_LOCK = threading.Lock()


def shared_pool(
    size: int = 1,
    memory_limit_mb: int = 1024,
    preload: Sequence[str] = (),
    warm_call: tuple[str, tuple[Any, ...]] | None = None,
) -> WorkerPool:
    """The process-wide pool with these settings (created on first use, rebuilt after a fork).

    Callers pass their timeout with each call, so one pool serves callers with different timeouts.
    """
    key = (size, int(memory_limit_mb), tuple(preload), warm_call)
    with _SHARED_LOCK:
        pool = _SHARED.get(key)
        if pool is None or pool._closed:
            pool = WorkerPool(size=size, memory_limit_mb=memory_limit_mb, preload=preload, warm_call=warm_call)
            _SHARED[key] = pool
        return pool


def close_shared_pools() -> None:
    """Close every shared pool of this process."""
    with _SHARED_LOCK:
        pools = list(_SHARED.values())
        _SHARED.clear()
    for pool in pools:
        pool.close()


def _after_fork_in_child() -> None:
    global _SHARED_LOCK
    _SHARED_LOCK = threading.Lock()
    for pool in list(_POOLS):
        pool._abandon()
    _SHARED.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@atexit.register
def _close_all() -> None:
    for pool in list(_POOLS):
        try:
            pool.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


# -- the zygote and its workers (run in the child processes) --------------------------------
def _zygote_main(ctrl_fd: int, preload: list[str]) -> None:
    """Import `preload`, then fork a worker for every spawn request until the caller goes away."""
    import importlib
    import warnings

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps exited workers for us
    warnings.filterwarnings("ignore")
    ctrl = socket.socket(fileno=ctrl_fd)
    try:
        for name in preload:
            importlib.import_module(name)
    except BaseException as exc:  # noqa: BLE001 - report any import failure to the caller
        ctrl.sendall(b"E" + f"preloading {name!r} failed: {type(exc).__name__}: {exc}".encode())
        os._exit(1)
    import gc

    gc.freeze()  # preloaded objects leave the collector's view: forked workers do not copy their pages
    ctrl.sendall(b"R")
    children: dict[int, int | None] = {}
    size = struct.calcsize(_SPAWN_FMT)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(ctrl, size, 1)
            while data and len(data) < size:
                more, more_fds, _, _ = socket.recv_fds(ctrl, size - len(data), 1)
                if not more:
                    data = b""
                    break
                data += more
                fds += more_fds
        except OSError:
            data = b""
        if not data:
            break
        _, limit = struct.unpack(_SPAWN_FMT, data)
        if not fds:
            ctrl.sendall(struct.pack(_PID_FMT, -1))
            continue
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:
            try:
                ctrl.close()
                for pfd in children.values():
                    if pfd is not None:
                        os.close(pfd)
                _worker_main(fds[0], limit)
            finally:
                os._exit(0)
        os.close(fds[0])
        pidfd = None
        if pid > 0 and _HAS_PIDFD:
            try:
                pidfd = os.pidfd_open(pid)
            except OSError:
                pidfd = None
        socket.send_fds(ctrl, [struct.pack(_PID_FMT, pid)], [pidfd] if pidfd is not None else [])
        if pid > 0:
            children[pid] = pidfd
        for cpid, pfd in list(children.items()):  # forget workers that have exited
            if pfd is not None and _readable(pfd, 0.0):
                os.close(pfd)
                del children[cpid]
    for cpid, pfd in children.items():  # the caller is gone: take every worker with us
        try:
            if pfd is not None:
                signal.pidfd_send_signal(pfd, signal.SIGKILL)
            else:
                os.kill(cpid, signal.SIGKILL)
        except OSError:
            pass
    os._exit(0)


def _worker_main(fd: int, limit: int) -> None:
    """Serve (fn, args) requests on `fd` until EOF; never returns normally."""
    import resource

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    if limit > 0:
        base = _address_space_bytes()
        cap = base + limit
        try:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ValueError, OSError):
            pass
    conn = Connection(fd)
    resolved: dict[str, Callable[..., Any]] = {}
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        except Exception as exc:  # noqa: BLE001 - a request we cannot unpickle
            _send(conn, ("error", f"could not read the task: {type(exc).__name__}: {exc}", _run_delay()))
            continue
        try:
            if isinstance(fn, str):
                if fn not in resolved:
                    resolved[fn] = _resolve(fn)
                fn = resolved[fn]
            reply = ("ok", fn(*args))
        except MemoryError:
            reply = ("memory", "the worker ran out of memory (limit reached)")
        except RecursionError:
            reply = ("error", "RecursionError: input nested too deeply")
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            reply = ("error", f"{type(exc).__name__}: {exc}")
        if not _send(conn, (*reply, _run_delay())) or reply[0] == "memory":
            return


def _resolve(target: str) -> Callable[..., Any]:
    """The function a "module:function" string names."""
    import importlib

    module, _, name = target.partition(":")
    fn = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    return fn


def _send(conn: Connection, reply: tuple[str, Any, int]) -> bool:
    try:
        conn.send(reply)
        return True
    except MemoryError:
        return False
    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
        try:
            conn.send(("error", f"the result could not be sent back: {type(exc).__name__}: {exc}", reply[2]))
            return True
        except Exception:  # noqa: BLE001
            return False


def _run_delay(pid: int | str = "self") -> int:
    """Nanoseconds the process has waited on a run queue for a CPU (Linux schedstat); -1 if unknown."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _address_space_bytes() -> int:
    """This process's current virtual memory size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0
