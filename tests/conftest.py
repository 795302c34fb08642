"""Shared test settings."""

import os

# Keep torch-based tests to the 2 cores CI has, and make them deterministic.
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
