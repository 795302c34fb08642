"""A test plugin of misbehaving verifiers: ones that sleep, kill their process, or return NaN."""

from __future__ import annotations

import ctypes
import os
import time

from verifiers import Verifier, hookimpl


class Sleepy(Verifier):
    """Passes after sleeping `delay` seconds, or `long` seconds on a completion containing SLOW."""

    name = "sleepy"

    def __init__(self, delay: float = 0.0, long: float = 60.0):
        self.delay = delay
        self.long = long

    def check(self, sample):
        """Sleep, then pass."""
        time.sleep(self.long if "SLOW" in sample.text else self.delay)
        return self.passed("woke up")


class Crashy(Verifier):
    """Kills its own process on a completion containing EXIT (os._exit) or SEGV (a segfault); else passes."""

    name = "crashy"

    def check(self, sample):
        """Die on EXIT or SEGV."""
        if "EXIT" in sample.text:
            os._exit(7)
        if "SEGV" in sample.text:
            ctypes.string_at(0)
        return self.passed("alive")


class NanScore(Verifier):
    """Returns a `passed` result whose score is NaN (or infinite on a completion containing INF)."""

    name = "nan_score"

    def check(self, sample):
        """A non-finite score."""
        return self.passed("bad score", score=float("inf") if "INF" in sample.text else float("nan"))


@hookimpl
def aha_register_verifiers(register):
    """Register the misbehaving verifiers."""
    register(Sleepy)
    register(Crashy)
    register(NanScore)
