# task: add
# ruff: noqa
# Hang while loading.
while True:
    pass
