"""Rollout backends behind one interface."""

from .base import Completion, RolloutEngine, SamplingSettings
from .factory import make_engine, vllm_engine_class
from .vllm_importance import importance_weights

__all__ = ["Completion", "RolloutEngine", "SamplingSettings", "importance_weights", "make_engine", "vllm_engine_class"]
