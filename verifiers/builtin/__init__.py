"""aha's built-in verifiers, registered through the same hook as any plugin's."""

from __future__ import annotations

from ..hookspecs import hookimpl
from .choice import MultipleChoice
from .exact import ExactMatch
from .length import CosineLength, OverlongPenalty
from .reasoning_format import ThinkAnswerFormat
from .regex_match import RegexMatch
from .repetition import NgramRepetition

BUILTIN_VERIFIERS = [
    ExactMatch,
    MultipleChoice,
    RegexMatch,
    ThinkAnswerFormat,
    OverlongPenalty,
    CosineLength,
    NgramRepetition,
]


@hookimpl
def aha_register_verifiers(register):
    """Register the built-in verifiers."""
    for factory in BUILTIN_VERIFIERS:
        register(factory)


__all__ = [c.__name__ for c in BUILTIN_VERIFIERS] + ["BUILTIN_VERIFIERS"]
