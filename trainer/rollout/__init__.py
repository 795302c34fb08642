"""Rollout backends behind one interface."""

from .base import Completion, RolloutEngine, SamplingSettings
from .factory import make_engine, vllm_engine_class
from .transformers.fast import FastEngine

__all__ = [
    "Completion",
    "FastEngine",
    "RolloutEngine",
    "SamplingSettings",
    "make_engine",
    "vllm_engine_class",
]
