# task: fib
import sys

sys.setrecursionlimit(5000)


def fib(n, a=0, b=1):
    return a if n == 0 else fib(n - 1, b, a + b)
