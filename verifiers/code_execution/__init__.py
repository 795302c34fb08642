"""Sandboxed code execution: run model-written Python against tests, judged outside the sandbox."""

from .limits import Limits
from .verifier import CodeExecution

__all__ = ["CodeExecution", "Limits"]
