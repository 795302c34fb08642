"""aha's built-in verifiers, registered through the same hook as any plugin's."""

from __future__ import annotations

from ..hookspecs import hookimpl
from .cosine_length import CosineLength
from .exact_match import ExactMatch
from .multiple_choice import MultipleChoice
from .ngram_repetition import NgramRepetition
from .overlong_penalty import OverlongPenalty
from .regex_match import RegexMatch
from .think_answer_format import ThinkAnswerFormat

BUILTIN_VERIFIERS = [
    ExactMatch,
    MultipleChoice,
    RegexMatch,
    ThinkAnswerFormat,
    OverlongPenalty,
    CosineLength,
    NgramRepetition,
]


# Verifiers with heavy imports, loaded on first use: (target, name, one-line doc).
LAZY_VERIFIERS = [
    (
        "verifiers.maths:MathEquivalence",
        "math_equivalence",
        "The final answer is mathematically equivalent to the gold answer (sympy, killable workers).",
    ),
    (
        "verifiers.spelling:Spelling",
        "spelling",
        "Penalty per misspelt word (real dictionary), capped; lists the words with suggestions.",
    ),
    (
        "verifiers.rules:Rules",
        "rules",
        "Domain rule packs written in TOML: required and forbidden content, conditions, quantities with units.",
    ),
    (
        "verifiers.judge:LLMJudge",
        "llm_judge",
        "An LLM judge (any OpenAI-compatible server) decides whether the response meets a criterion.",
    ),
    (
        "verifiers.judge:Rubric",
        "rubric",
        "Rubric scoring: points earned over points possible; criteria checked by rules or an LLM judge.",
    ),
    (
        "verifiers.code_execution:CodeExecution",
        "code_execution",
        "Runs the completion's Python against the sample's tests in a sandbox; score = share of tests passed.",
    ),
]


@hookimpl
def aha_register_verifiers(register):
    """Register the built-in verifiers."""
    for factory in BUILTIN_VERIFIERS:
        register(factory)
    for target, name, doc in LAZY_VERIFIERS:
        register(target, name=name, doc=doc)


__all__ = [c.__name__ for c in BUILTIN_VERIFIERS] + ["BUILTIN_VERIFIERS"]
