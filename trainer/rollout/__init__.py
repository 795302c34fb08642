"""Rollout backends behind one interface."""

from .base import Completion, RolloutEngine, SamplingSettings
from .factory import make_engine, vllm_engine_class

__all__ = ["Completion", "RolloutEngine", "SamplingSettings", "make_engine", "vllm_engine_class"]
