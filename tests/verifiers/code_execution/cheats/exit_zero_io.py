# task: double_io
# ruff: noqa
# Exit with success without printing anything.
import sys

sys.exit(0)
