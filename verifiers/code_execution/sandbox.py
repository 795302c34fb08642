"""Start the harness in an isolated process and collect its report, killing everything on timeout.

Isolation, best available first (detected once per process, or forced with `AHA_CODE_SANDBOX`):
`bwrap` (bubblewrap: new network, pid, ipc and user namespaces, read-only root, only the run's folder
writable), `unshare` (util-linux: new network and pid namespaces), `process` (no namespaces; sockets,
exec and signals to the parent refused by an audit hook). When aha runs as root the sandbox also runs
under a fresh unprivileged uid, so the process limit holds and the parent cannot be signalled or read.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .limits import Limits

MODES = ("bwrap", "unshare", "process")
_HARNESS = (Path(__file__).parent / "harness.py").read_text()
_UID_RANGE = (1_500_000, 1_900_000)  # fresh uids for root runs; not in any passwd file
_detected: dict[tuple, tuple[str, str, bool]] = {}
_lock = threading.Lock()


class SandboxError(RuntimeError):
    """The sandbox itself could not run (not the solution's fault)."""


@dataclass(slots=True)
class RunReport:
    """What one sandboxed run reported and how it ended."""

    events: list[dict[str, Any]] = field(default_factory=list)
    ended: str = "exit"  # exit, timeout, channel (bad or oversized report)
    returncode: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    running: int | None = None  # the test that was running when the run ended, if any
    note: str = ""


def _base_command(mode: str, work: str) -> list[str]:
    if mode == "bwrap":
        return [
            "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
            "--bind", work, work, "--chdir", work,
        ]  # fmt: skip
    if mode == "unshare":
        return ["unshare", "--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child"]
    return []


def _probe(mode: str, python: str, uid: int | None) -> bool:
    """True when `python` starts and runs in this mode (as `uid`, when given)."""
    if mode != "process" and not shutil.which(_base_command(mode, "/")[0]):
        return False
    work = tempfile.mkdtemp(prefix="aha-probe-")
    try:
        os.chmod(work, 0o777)
        cmd = _base_command(mode, work) + [python, "-I", "-c", "import sys; assert sys.version_info >= (3, 10)"]
        ids = {"user": uid, "group": uid, "extra_groups": []} if uid is not None else {}
        done = subprocess.run(cmd, cwd=work, capture_output=True, timeout=30, env=_env(work), **ids)
        return done.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    finally:
        shutil.rmtree(work, ignore_errors=True)


def choose(stdlib_only: bool) -> tuple[str, str, bool]:
    """(mode, interpreter, whether to run under a fresh uid) for this machine; probed once."""
    forced = os.environ.get("AHA_CODE_SANDBOX", "").strip()
    if forced and forced not in MODES:
        raise SandboxError(f"AHA_CODE_SANDBOX={forced!r}: expected one of {', '.join(MODES)}")
    key = (forced, stdlib_only)
    with _lock:
        if key in _detected:
            return _detected[key]
        pythons = [sys.executable]
        if stdlib_only:  # the standard library is the same in any CPython >= 3.10 on the machine
            pythons += [p for p in (shutil.which("python3"), "/usr/bin/python3") if p and p not in pythons]
        root = os.geteuid() == 0
        probe_uid = _fresh_uid() if root else None
        for mode in [forced] if forced else MODES:
            for python in pythons:
                if _probe(mode, python, probe_uid):
                    _detected[key] = (mode, python, root)
                    return _detected[key]
            if root and _probe(mode, sys.executable, None):
                _detected[key] = (mode, sys.executable, False)
                return _detected[key]
        raise SandboxError(f"no sandbox mode works here (tried {forced or ', '.join(MODES)})")


def _fresh_uid() -> int:
    return random.SystemRandom().randrange(*_UID_RANGE)


def _env(work: str) -> dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "TMPDIR": work, "LANG": "C.UTF-8"}


def _own_processes() -> int:
    """How many processes this user runs now (RLIMIT_NPROC counts them all)."""
    uid, count = os.getuid(), 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def run(request: dict[str, Any], limits: Limits, tests: int, stdin: str | None = None) -> RunReport:
    """Run the harness on `request` in a fresh sandbox; raises SandboxError when it cannot start."""
    mode, python, fresh_uid = choose(request["stdlib_only"])
    uid = _fresh_uid() if fresh_uid else None
    top = tempfile.mkdtemp(prefix="aha-code-")
    try:
        os.chmod(top, 0o711)  # the sandbox may pass through, not list or read the parent's files
        work = os.path.join(top, "work")
        os.mkdir(work, 0o700)
        if uid is not None:
            os.chown(work, uid, uid)
        processes = limits.processes if uid is not None else _own_processes() + limits.processes
        # Root ignores RLIMIT_NPROC: without a fresh uid the harness counts forks and refuses exec instead.
        unlimited_root = uid is None and os.geteuid() == 0
        request = {
            **request,
            "block_network": True,
            "block_escape": mode == "process" or unlimited_root,
            "fork_limit": limits.processes if unlimited_root else None,
            "limits": {
                "cpu_seconds": limits.cpu_limit(tests),
                "memory_bytes": limits.memory_mb << 20,
                "file_bytes": limits.file_mb << 20,
                "processes": processes,
                "open_files": limits.open_files,
            },
        }
        return _launch(mode, python, uid, top, work, request, limits, stdin)
    finally:
        if uid is not None:
            _kill_uid(uid)
        shutil.rmtree(top, ignore_errors=True)


def _launch(
    mode: str, python: str, uid: int | None, top: str, work: str, request: dict, limits: Limits, stdin: str | None
) -> RunReport:
    request_path = os.path.join(top, "request.json")
    with open(os.open(request_path, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="utf-8") as fh:
        json.dump(request, fh)
    if stdin is not None:
        with open(os.path.join(top, "stdin"), "w", encoding="utf-8") as fh:
            fh.write(stdin)
    request_fd = os.open(request_path, os.O_RDONLY)
    read_fd, write_fd = os.pipe()
    out = open(os.path.join(top, "stdout"), "w+b")
    err = open(os.path.join(top, "stderr"), "w+b")
    stdin_file = open(os.path.join(top, "stdin"), "rb") if stdin is not None else subprocess.DEVNULL
    ids = {"user": uid, "group": uid, "extra_groups": []} if uid is not None else {}
    cmd = _base_command(mode, work) + [python, "-I", "-X", "utf8", "-c", _HARNESS, str(request_fd), str(write_fd)]
    try:
        proc = subprocess.Popen(
            cmd, cwd=work, env=_env(work), stdin=stdin_file, stdout=out, stderr=err,
            pass_fds=(request_fd, write_fd), start_new_session=True, **ids,
        )  # fmt: skip
    except OSError as exc:
        out.close()
        err.close()
        raise SandboxError(f"could not start the sandbox ({mode}): {exc}") from exc
    finally:
        os.close(request_fd)
        os.close(write_fd)
        if stdin_file is not subprocess.DEVNULL:
            stdin_file.close()
    try:
        report = _collect(proc, read_fd, limits)
    finally:
        _kill_group(proc)
        os.close(read_fd)
    report.returncode = proc.returncode
    cap = limits.file_mb << 20
    out.seek(0)
    report.stdout = out.read(cap)
    err.seek(0)
    report.stderr = err.read(64 << 10)
    out.close()
    err.close()
    if not any(e.get("event") == "ready" for e in report.events):
        tail = report.stderr.decode("utf-8", "replace").strip()[-500:]
        raise SandboxError(f"the sandbox ({mode}) did not start (exit {proc.returncode}): {tail or 'no output'}")
    return report


def _collect(proc: subprocess.Popen, fd: int, limits: Limits) -> RunReport:
    """Read events until the harness finishes, dies, overruns a timeout or floods the channel."""
    report = RunReport()
    start = time.monotonic()
    hard_end = start + limits.total_timeout + limits.startup_grace
    deadline = start + limits.timeout + limits.startup_grace
    buffer, total, cap = b"", 0, limits.channel_kb << 10
    finished = ("done", "load_error", "exit")
    while True:
        now = time.monotonic()
        wait = min(deadline, hard_end) - now
        if wait <= 0:
            report.ended = "timeout"
            return report
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:  # every writer closed: the harness and its children are gone
            _wait(proc, 1.0)
            return report
        total += len(chunk)
        if total > cap:
            report.ended = "channel"
            report.note = f"the report exceeded {limits.channel_kb} KB"
            return report
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
                kind = event["event"]
            except (ValueError, TypeError, KeyError):
                report.ended = "channel"
                report.note = "the result channel carried something that is not a harness event"
                return report
            report.events.append(event)
            deadline = time.monotonic() + limits.timeout
            if kind == "start":
                report.running = event.get("test")
            elif kind == "result":
                report.running = None
            elif kind in finished:
                if kind == "exit":
                    _wait(proc, 1.0)
                return report


def _wait(proc: subprocess.Popen, seconds: float) -> None:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the sandbox's whole process group (the namespaces take the rest down with it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _kill_uid(uid: int) -> None:
    """SIGKILL any process left running under this run's own fresh uid (one that left the group)."""
    for _ in range(3):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
                    found = True
            except OSError:
                pass
        if not found:
            return
        time.sleep(0.01)
