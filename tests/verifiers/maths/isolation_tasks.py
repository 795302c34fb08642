"""Module-level task functions for the WorkerPool tests (tasks travel to workers by reference)."""

from __future__ import annotations

import os
import time


def add(a, b):
    return a + b


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def spin(seconds):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def allocate(megabytes):
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def fail():
    raise ValueError("bad input")


def die():
    os._exit(3)


def unpicklable_result():
    return lambda: None


def pid():
    return os.getpid()


def recurse(n):
    return recurse(n + 1)


def hang_the_first_time(marker):
    """Spin (using CPU) on the first call, answer at once on later ones: marker is a file path."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        spin(60)
    return "second try"


def hog():
    """Burn CPU until killed."""
    while True:
        pass


def unit_registry_built():
    """Whether this process already has pint's unit registry (workers inherit it from the zygote)."""
    from verifiers.maths import units

    return units._REGISTRY is not None


def fallback_reading_is_cached(text):
    """Read `text` twice with the worker's fallback parser: (same object both times, error type or None)."""
    from verifiers.maths.policy import Policy
    from verifiers.maths.worker import backend

    b = backend(Policy())
    try:
        first = b.fallback_parse(text)
    except Exception as exc:  # noqa: BLE001 - the second read must fail the same way
        try:
            b.fallback_parse(text)
        except type(exc):
            return True, type(exc).__name__
        return False, type(exc).__name__
    return b.fallback_parse(text) is first, None
