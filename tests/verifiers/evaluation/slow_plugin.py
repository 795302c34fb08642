"""A test plugin: exact match that sleeps first, so an eval runs long enough to be interrupted."""

from __future__ import annotations

import time

from verifiers import hookimpl
from verifiers.builtin.exact_match import ExactMatch


class SlowExact(ExactMatch):
    """Exact match after a short sleep (to interrupt an eval mid-run in tests)."""

    name = "slow_exact"

    def __init__(self, delay: float = 0.002, **params):
        super().__init__(**params)
        self.delay = delay

    def check(self, sample):
        """Sleep, then compare like exact_match."""
        if self.delay:
            time.sleep(self.delay)
        return super().check(sample)


@hookimpl
def aha_register_verifiers(register):
    """Register slow_exact."""
    register(SlowExact)
