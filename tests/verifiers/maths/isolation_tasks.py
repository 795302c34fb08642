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
