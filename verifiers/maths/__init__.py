"""Maths answer checking: extraction, a fast parser, staged comparison, sympy in killable workers."""

from .answer_extraction import DEFAULT_PRIORITY, STRATEGIES, extract, extract_gold
from .compare import Verdict, judge
from .policy import Policy
from .verifier import MathEquivalence

__all__ = ["DEFAULT_PRIORITY", "STRATEGIES", "MathEquivalence", "Policy", "Verdict", "extract", "extract_gold", "judge"]
