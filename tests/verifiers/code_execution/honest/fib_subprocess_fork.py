# task: fib
# Computes in a forked child through multiprocessing: a few processes are allowed.
import multiprocessing


def _fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def fib(n):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        return pool.apply(_fib, (n,))
