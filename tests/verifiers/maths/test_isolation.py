"""WorkerPool: killable workers with timeouts and memory limits, from threads, forks and daemons."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time

import isolation_tasks as tasks
import pytest
from maths_corpus import descendants

from verifiers.isolation import WorkerPool, shared_pool


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(size=2, timeout=1.0, memory_limit_mb=256) as p:
        p.start()
        yield p


def test_results_come_back_in_order(pool):
    assert pool.run(tasks.add, 2, 3).value == 5
    outcomes = pool.run_many(tasks.add, [(i, i) for i in range(50)])
    assert [o.value for o in outcomes] == [2 * i for i in range(50)]
    assert all(o.ok and o.elapsed >= 0 for o in outcomes)


def test_a_hung_call_is_killed_at_its_timeout_and_replaced(pool):
    before = set(pool.worker_pids())
    start = time.monotonic()
    outcome = pool.run(tasks.sleep, 30, timeout=0.5)
    assert outcome.status == "timeout" and "0.5" in outcome.error
    assert time.monotonic() - start < 1.5
    after = pool.worker_pids()
    assert len(after) == 2 and set(after) != before
    assert pool.run(tasks.add, 1, 1).value == 2


def test_busy_loops_are_killed_too(pool):
    outcome = pool.run(tasks.spin, 30, timeout=0.3)
    assert outcome.status == "timeout"


def test_each_call_in_a_batch_has_its_own_timeout(pool):
    start = time.monotonic()
    outcomes = pool.run_many(tasks.sleep, [(0.05,), (30,), (0.05,), (30,), (0.05,)], timeout=0.5)
    assert [o.status for o in outcomes] == ["ok", "timeout", "ok", "timeout", "ok"]
    assert time.monotonic() - start < 2.5


def test_memory_limit(pool):
    assert pool.run(tasks.allocate, 1024).status == "memory"
    assert pool.run(tasks.allocate, 16).value == 16 * 1024 * 1024
    assert len(pool.worker_pids()) == 2


def test_errors_crashes_and_bad_results_are_outcomes(pool):
    error = pool.run(tasks.fail)
    assert error.status == "error" and "ValueError: bad input" in error.error
    crash = pool.run(tasks.die)
    assert crash.status == "crashed"
    bad = pool.run(tasks.unpicklable_result)
    assert bad.status == "error" and "could not be sent back" in bad.error
    deep = pool.run(tasks.recurse, 0)
    assert deep.status == "error" and "RecursionError" in deep.error
    unsendable = pool.run(tasks.add, lambda: 1, 2)
    assert unsendable.status == "error" and "could not send" in unsendable.error
    assert pool.run(tasks.add, 1, 2).value == 3
    assert len(pool.worker_pids()) == 2


def test_tasks_named_by_string_are_imported_in_the_worker_only(pool):
    assert pool.run("isolation_tasks:add", 4, 5).value == 9
    assert pool.run("colorsys:rgb_to_hsv", 1.0, 0.0, 0.0).value == (0.0, 1.0, 1.0)
    missing = pool.run("no_such_module_for_aha:f")
    assert missing.status == "error" and "ModuleNotFoundError" in missing.error


def test_workers_are_other_processes(pool):
    pids = {o.value for o in pool.run_many(tasks.pid, [()] * 4)}
    assert os.getpid() not in pids and pids <= set(pool.worker_pids())


def test_many_threads_share_the_pool(pool):
    results = {}

    def work(k):
        results[k] = [pool.run(tasks.add, k, j).value for j in range(20)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == {k: [k + j for j in range(20)] for k in range(8)}


def test_close_kills_everything_and_the_process_count_returns():
    me = os.getpid()
    before = descendants(me)
    p = WorkerPool(size=3, timeout=0.5)
    p.start()
    assert len(descendants(me) - before) == 4  # the zygote and three workers
    p.run_many(tasks.sleep, [(10,), (0.01,), (10,)])
    assert len(descendants(me) - before) == 4
    p.close()
    assert descendants(me) - before == set()
    assert p.run(tasks.add, 1, 1).status == "unavailable"


def test_a_killed_zygote_is_replaced():
    import signal

    with WorkerPool(size=1, timeout=0.5) as p:
        p.start()
        os.kill(p.zygote_pid, signal.SIGKILL)
        time.sleep(0.2)
        assert p.run(tasks.sleep, 10).status == "timeout"  # the replacement needs a new zygote
        assert p.run(tasks.add, 1, 2).value == 3
        assert len(p.worker_pids()) == 1


def test_a_bad_preload_is_reported_not_hung():
    p = WorkerPool(preload=["no_such_module_for_aha"])
    outcome = p.run(tasks.add, 1, 2)
    assert outcome.status == "unavailable" and "no_such_module_for_aha" in outcome.error
    p.close()


def test_settings_are_checked():
    with pytest.raises(ValueError):
        WorkerPool(size=0)
    with pytest.raises(ValueError):
        WorkerPool(timeout=0)
    with pytest.raises(ValueError):
        WorkerPool(memory_limit_mb=-1)


def test_a_forked_child_builds_its_own_pool_and_leaves_the_parents_alone():
    p = shared_pool(1, 256, ())
    parent_workers = p.worker_pids() or (p.start() or p.worker_pids())
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_uses_pool, args=(queue,))
    child.start()
    child.join(timeout=60)
    value, child_pid_seen = queue.get(timeout=5)
    assert value == 5 and child_pid_seen not in parent_workers
    assert p.worker_pids() == parent_workers  # untouched by the child's fork handler
    assert p.run(tasks.add, 1, 1).value == 2


def _child_uses_pool(queue):
    p = shared_pool(1, 256, ())
    queue.put((p.run(tasks.add, 2, 3).value, p.run(tasks.pid).value))


def test_workers_die_with_a_caller_that_is_killed():
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_start_pool_and_hang, args=(queue,))
    child.start()
    zygote, workers = queue.get(timeout=60)
    child.kill()
    child.join()
    deadline = time.monotonic() + 10
    alive = True
    while alive and time.monotonic() < deadline:
        alive = any(_alive(p) for p in [zygote, *workers])
        time.sleep(0.05)
    assert not alive


def _start_pool_and_hang(queue):
    p = WorkerPool(size=2, timeout=60)
    p.start()
    queue.put((p.zygote_pid, p.worker_pids()))
    p.run(tasks.sleep, 600)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs sched_setaffinity to crowd one core")
def test_a_timeout_starved_of_cpu_is_retried_once_on_a_fresh_worker(tmp_path):
    core = min(os.sched_getaffinity(0))
    hogs = [mp.get_context("fork").Process(target=tasks.hog, daemon=True) for _ in range(3)]
    with WorkerPool(size=1, timeout=1.0, memory_limit_mb=0) as pool:
        pool.start()
        try:
            for h in hogs:
                h.start()
                os.sched_setaffinity(h.pid, {core})
            (worker,) = pool.worker_pids()
            os.sched_setaffinity(worker, {core})  # the worker now shares one core with three busy loops
            outcome = pool.run(tasks.hang_the_first_time, str(tmp_path / "first"))
            assert outcome.ok and outcome.value == "second try" and outcome.attempts == 2, outcome
            (worker,) = pool.worker_pids()
            os.sched_setaffinity(worker, {core})
            final = pool.run_many(tasks.hang_the_first_time, [(str(tmp_path / "other"),)], retry_starved=False)[0]
            assert final.status == "timeout" and final.attempts == 1
        finally:
            for h in hogs:
                h.kill()
                h.join()


@pytest.mark.skipif(not os.path.exists("/proc/self/schedstat"), reason="without schedstat every timeout is retried")
def test_a_timeout_of_an_idle_worker_is_final(pool):
    outcome = pool.run(tasks.sleep, 30, timeout=0.3)  # sleeping is not waiting for a CPU: no retry
    assert outcome.status == "timeout" and outcome.attempts == 1


def test_per_call_timeouts(pool):
    outcomes = pool.run_many(tasks.sleep, [(0.01,), (5,)], timeout=[2.0, 0.2])
    assert outcomes[0].ok and outcomes[1].status == "timeout" and "0.2" in outcomes[1].error
    with pytest.raises(ValueError, match="2 timeouts for 1 calls"):
        pool.run_many(tasks.sleep, [(0.01,)], timeout=[1.0, 1.0])
