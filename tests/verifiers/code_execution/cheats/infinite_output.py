# task: double_io
# ruff: noqa
# Flood stdout.
while True:
    print("6" * 10000)
