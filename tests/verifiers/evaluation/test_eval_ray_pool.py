"""`Scorer(engine="ray")` is the same pipeline as the local pool: order kept, row timeouts honoured.

Ray itself is replaced by a small in-process stand-in with the calls the pool uses (`remote`, `put`,
`get`, `wait`, `cancel`), so these run without Ray; test_eval_ray.py runs the real thing where Ray is
installed.
"""

from __future__ import annotations

import sys
import types

import pytest

from verifiers import Sample, Scorer, create
from verifiers.result import Status


class _Ref:
    def __init__(self, fn, args, seconds):
        self.fn, self.args, self.seconds = fn, args, seconds
        self.cancelled = False


class FakeRay(types.ModuleType):
    """Runs each task when its result is asked for; a task 'takes' `seconds(items)` seconds."""

    def __init__(self, seconds=lambda items: 0.0):
        super().__init__("ray")
        self.seconds = seconds
        self.started = False
        self.cancelled: list[_Ref] = []
        self.waited: list[float | None] = []

    def is_initialized(self):
        return self.started

    def init(self, **options):
        self.started = True
        self.options = options

    def shutdown(self):
        self.started = False

    def put(self, value):
        return value

    def remote(self, **resources):
        def wrap(fn):
            outer = self

            class Task:
                @staticmethod
                def remote(*args):
                    return _Ref(fn, args, outer.seconds(args[1]))

            return Task

        return wrap

    def get(self, ref):
        assert not ref.cancelled
        return ref.fn(*ref.args)

    def wait(self, refs, timeout=None):
        self.waited.append(timeout)
        done = [r for r in refs if timeout is None or r.seconds <= timeout]
        return done, [r for r in refs if r not in done]

    def cancel(self, ref, force=False):
        ref.cancelled = True
        self.cancelled.append(ref)


@pytest.fixture
def fake_ray(monkeypatch):
    def install(**kw):
        ray = FakeRay(**kw)
        monkeypatch.setitem(sys.modules, "ray", ray)
        return ray

    return install


SAMPLES = [Sample(f"<answer>{i % 3}</answer>", answer=str(i % 2)) for i in range(23)]


def test_ray_engine_scores_like_the_local_pipeline_in_order(fake_ray):
    ray = fake_ray()
    with Scorer(create("exact_match"), workers=2, chunk_size=5, engine="ray") as scorer:
        got = scorer.score(SAMPLES)
        assert ray.started and ray.options["num_cpus"] == 2
    assert not ray.started  # the instance it started is shut down
    local = Scorer(create("exact_match")).score(SAMPLES)
    assert [(r.score, r.status, r.reason) for r in got] == [(r.score, r.status, r.reason) for r in local]


def test_ray_engine_turns_an_overrunning_chunk_into_timeout_rows(fake_ray):
    ray = fake_ray(seconds=lambda items: 100.0 if any(s.answer == "slow" for s in items) else 0.0)
    samples = [*SAMPLES[:5], Sample("1", answer="slow"), *SAMPLES[5:9]]
    with Scorer(create("exact_match"), workers=2, chunk_size=5, row_timeout=2.0, engine="ray") as scorer:
        got = scorer.score(samples)
    assert [r.status for r in got[5:]] == [Status.TIMEOUT] * 5
    assert all(r.status is not Status.TIMEOUT for r in got[:5])
    assert "took longer than 10 s" in got[5].reason and got[5].verifier == "exact_match"
    assert len(ray.cancelled) == 1 and ray.waited == [10.0, 10.0]


def test_without_a_row_timeout_ray_results_are_awaited_without_a_limit(fake_ray):
    ray = fake_ray(seconds=lambda items: 1000.0)
    with Scorer(create("exact_match"), workers=1, chunk_size=4, engine="ray") as scorer:
        assert len(scorer.score(SAMPLES[:8])) == 8
    assert ray.waited == [] and ray.cancelled == []


def test_an_unknown_engine_is_a_clear_error():
    from verifiers.scoring import SampleJob, make_pool

    with pytest.raises(ValueError, match="engine must be 'local' or 'ray', not 'spark'"):
        make_pool(SampleJob(create("exact_match")), 1, engine="spark")
