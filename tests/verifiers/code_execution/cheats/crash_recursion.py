# task: fib
# ruff: noqa
# Crash the interpreter with unbounded recursion past the C stack.
import sys

sys.setrecursionlimit(10**9)


def fib(n):
    return fib(n + 1)
