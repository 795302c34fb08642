# task: add
# ruff: noqa
# Sleep (no CPU used, so only the wall clock can stop it).
import time


def add(a, b):
    time.sleep(10**6)
