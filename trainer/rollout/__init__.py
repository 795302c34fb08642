"""Rollout backends behind one interface."""

from .base import Completion, RolloutEngine, SamplingSettings
from .factory import make_engine, vllm_engine_class
from .fast_engine import FastEngine
from .vllm_importance import importance_weights

__all__ = [
    "Completion",
    "FastEngine",
    "RolloutEngine",
    "SamplingSettings",
    "importance_weights",
    "make_engine",
    "vllm_engine_class",
]
