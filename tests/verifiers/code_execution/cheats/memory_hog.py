# task: add
# ruff: noqa
# Allocate far more memory than allowed.
blocks = []
while True:
    blocks.append(bytearray(256 * 1024 * 1024))
