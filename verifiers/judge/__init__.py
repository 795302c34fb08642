"""LLM judges and rubrics: verdicts from any OpenAI-compatible server, cached, bounded and never silent."""

from .cache import JudgeCache, cache_key
from .client import Budget, ChatClient, Failure, Reply
from .rubric import Criterion, Rubric, RubricError
from .templates import Template, bundled_templates, load_template
from .verdict import MalformedVerdict, Verdict, parse_verdict
from .verifier import LLMJudge

__all__ = [
    "Budget",
    "ChatClient",
    "Criterion",
    "Failure",
    "JudgeCache",
    "LLMJudge",
    "MalformedVerdict",
    "Reply",
    "Rubric",
    "RubricError",
    "Template",
    "Verdict",
    "bundled_templates",
    "cache_key",
    "load_template",
    "parse_verdict",
]
