"""The in-sandbox harness: sets limits, loads the solution, runs each test's steps and reports values.

Run as a script (`python -I harness.py`), standard library only. It reads its request from the fd given
as its first argument and writes one JSON line per event to the fd given as its second. It never judges a test: it only reports the values the tests'
expressions produced, as plain data; the expected values never enter this process, and the parent
compares. Anything user code writes to fd 4 is therefore at worst a guess at an answer.
"""

import json
import os
import resource
import signal
import sys
import types

REQUEST_FD = int(sys.argv[1]) if len(sys.argv) > 2 else 3
RESULT_FD = int(sys.argv[2]) if len(sys.argv) > 2 else 4
MAX_DEPTH = 64


def send(event: dict) -> None:
    """Write one event line to the result channel."""
    data = (json.dumps(event, allow_nan=True) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(RESULT_FD, view) :]


def read_request() -> dict:
    """Read the whole request from fd 3, then close it."""
    chunks = []
    while True:
        chunk = os.read(REQUEST_FD, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(REQUEST_FD)
    return json.loads(b"".join(chunks))


def set_limits(limits: dict) -> None:
    """Apply the resource limits; they hold for the solution and everything it starts."""
    pairs = (
        (resource.RLIMIT_CPU, limits.get("cpu_seconds")),
        (resource.RLIMIT_AS, limits.get("memory_bytes")),
        (resource.RLIMIT_FSIZE, limits.get("file_bytes")),
        (resource.RLIMIT_NPROC, limits.get("processes")),
        (resource.RLIMIT_NOFILE, limits.get("open_files")),
        (resource.RLIMIT_CORE, 0),
    )
    for which, value in pairs:
        if value is not None:
            hard = resource.getrlimit(which)[1]
            value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)  # never raise a limit
            resource.setrlimit(which, (value, value))
    # Past the file-size limit a write fails with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def install_guard(block_network: bool, stdlib_only: bool, block_escape: bool, fork_limit) -> None:
    """An audit hook (it cannot be removed) refusing sockets, non-stdlib imports or escapes, as asked."""
    stdlib = frozenset(sys.stdlib_module_names) | {"__main__", "solution"}
    parent = os.getppid()
    forks = [0]  # copied into each child: a tree of forks stays bounded
    unix = 1  # socket.AF_UNIX, without importing socket here
    work = os.path.realpath(os.getcwd())

    def hook(event: str, args: tuple) -> None:
        if block_network:
            if event == "socket.__new__" and len(args) > 1 and args[1] != unix:
                raise PermissionError("network access is disabled in this sandbox")
            if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo"):
                sock = args[0] if args else None
                if getattr(sock, "family", None) != unix:
                    raise PermissionError("network access is disabled in this sandbox")
        if stdlib_only and event == "import":
            top = str(args[0]).partition(".")[0]
            if top and top not in stdlib:
                raise ImportError(f"import of {top!r} refused: only the standard library is allowed")
        if fork_limit is not None and event == "os.fork":
            forks[0] += 1
            if forks[0] > fork_limit:
                raise PermissionError("process limit reached")
        if block_escape:
            if event in ("os.exec", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen", "ctypes.dlopen"):
                raise PermissionError(f"{event} is disabled in this sandbox")
            if event == "os.kill" and (args[0] <= 0 or args[0] == parent):
                raise PermissionError("signalling the parent or a process group is disabled in this sandbox")
            if event == "os.killpg":
                raise PermissionError("signalling process groups is disabled in this sandbox")
            for path in _written_paths(event, args):
                if not _inside(path, work):
                    raise PermissionError(f"writing outside the run folder is disabled in this sandbox: {path!r:.100}")

    sys.addaudithook(hook)


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
# Audit events that change the file system, and which of their arguments are paths.
_PATH_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "os.link": (1,),
    "os.symlink": (1,), "os.chmod": (0,), "os.chown": (0,), "os.truncate": (0,), "os.utime": (0,),
    "shutil.rmtree": (0,), "shutil.move": (0, 1), "shutil.copyfile": (1,), "shutil.copytree": (1,),
}  # fmt: skip


def _written_paths(event: str, args: tuple) -> list:
    """The paths an audit event would write to (empty for reads and for events on open fds)."""
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        writes = (isinstance(flags, int) and flags & _WRITE_FLAGS) or (
            isinstance(mode, str) and set(mode) & set("wax+")
        )
        return [path] if writes else []
    return [args[i] for i in _PATH_EVENTS.get(event, ()) if i < len(args)]


def _inside(path, work: str) -> bool:
    """True for an open fd, /dev/null-like devices, or a path in the run folder."""
    if isinstance(path, int):
        return True
    try:
        real = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return False
    return real == work or real.startswith(work + os.sep) or real in ("/dev/null", "/dev/stdout", "/dev/stderr")


def encode(value, depth: int = 0):
    """A plain-data form of a value: tagged lists the parent decodes; anything else is refused."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["B", bool.__bool__(value)]
    if isinstance(value, int):
        return ["i", int.__repr__(int(value))]
    if isinstance(value, float):
        return ["f", float.__repr__(float(value))]
    if isinstance(value, complex):
        return ["c", [float.__repr__(value.real), float.__repr__(value.imag)]]
    if isinstance(value, str):
        return ["s", str.__str__(value)]
    if isinstance(value, (bytes, bytearray)):
        return ["b", bytes(value).hex()]
    if isinstance(value, tuple):
        return ["t", [encode(v, depth + 1) for v in tuple.__iter__(value)]]
    if isinstance(value, list):
        return ["l", [encode(v, depth + 1) for v in list.__iter__(value)]]
    if isinstance(value, (set, frozenset)):
        tag = "S" if isinstance(value, set) else "F"
        return [tag, [encode(v, depth + 1) for v in value]]
    if isinstance(value, dict):
        return ["d", [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in dict.items(value)]]
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist) and not isinstance(value, type):
        return encode(tolist(), depth + 1)
    raise TypeError(f"a value of type {type(value).__name__} is not plain data")


def describe(exc: BaseException) -> str:
    """A short one-line description of an exception."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:500]


def run_asserts(request: dict, namespace: dict) -> None:
    """Run each test's steps in the solution's namespace and report the values they produce."""
    for test in request["tests"]:
        index = test["index"]
        send({"event": "start", "test": index})
        values = []
        try:
            for kind, source in test["steps"]:
                if kind == "exec":
                    exec(compile(source, f"<test {index}>", "exec"), namespace)
                else:
                    values.append(encode(eval(compile(source, f"<test {index}>", "eval"), namespace)))
        except BaseException as exc:  # noqa: BLE001 - SystemExit inside a test is a failure like any other
            send({"event": "result", "test": index, "error": describe(exc)})
            continue
        send({"event": "result", "test": index, "values": values})
    send({"event": "done"})


def main() -> None:
    """Read the request, confine this process, load the solution and run the tests."""
    request = read_request()
    set_limits(request["limits"])
    install_guard(request["block_network"], request["stdlib_only"], request["block_escape"], request.get("fork_limit"))
    send({"event": "ready"})
    code = request["code"]
    # The solution is a real module (so pickle and multiprocessing find its functions): `__main__` for a
    # stdin/stdout program, `solution` otherwise.
    module = types.ModuleType("__main__" if request["mode"] == "io" else "solution")
    module.__file__ = os.path.abspath("solution.py")
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    if request["mode"] == "io":
        sys.argv = ["solution.py"]
    try:
        compiled = compile(code, "solution.py", "exec")
    except BaseException as exc:  # noqa: BLE001 - a syntax error is the solution's failure, reported
        send({"event": "load_error", "error": describe(exc)})
        os._exit(0)
    status = 0
    try:
        exec(compiled, namespace)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if request["mode"] != "io":
            send({"event": "load_error", "error": f"the program exited (code {exc.code!r}) while loading"})
            os._exit(0)
    except BaseException as exc:  # noqa: BLE001 - reported, the parent decides
        send({"event": "load_error", "error": describe(exc)})
        os._exit(0)
    if request["mode"] == "io":
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001 - output past the limit; the parent sees the file
            status = status or 1
        send({"event": "exit", "code": status})
        os._exit(status & 0xFF)
    send({"event": "loaded"})
    run_asserts(request, namespace)
    os._exit(0)


if __name__ == "__main__":
    main()
