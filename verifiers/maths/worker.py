"""The task run in isolated worker processes: the full judgement with the sympy backend."""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

from .compare import judge
from .nodes import Node
from .policy import Policy
from .symbolic import SympyBackend

# One pair per kind of symbolic work, judged once when the zygote imports this module: sympy's
# lazily imported parts and first-use set-up then happen once, not in every forked worker.
_WARM_UP = (
    ("2\\sqrt{3}", "\\sqrt{12}"),
    ("\\frac{\\pi}{2}", "90^\\circ"),
    ("(x+1)^2", "x^2+2x+1"),
    ("\\sin^2 x + \\cos^2 x", "1"),
    ("\\log_2 8 + \\ln e", "4"),
    ("3+4i", "(1+2i)^2+6"),
    ("2y = 4x + 2", "y = 2x + 1"),
    ("(\\sqrt{2}, 3]", "(2^{1/2}, 3]"),
    ("\\begin{pmatrix} \\sqrt{2} & 1 \\end{pmatrix}", "\\begin{pmatrix} 2^{1/2} & 1 \\end{pmatrix}"),
    ("\\binom{n}{2}", "\\frac{n(n-1)}{2}"),
    ("\\arctan 1", "\\frac{\\pi}{4}"),
    ("\\sum_{k=1}^{3} k", "6"),
    # pint's unit registry takes about a second to build: built here, once, not on a worker's first unit.
    ("64 \\text{ cm}", "640 \\text{ mm}"),
    ("30^\\circ C", "86^\\circ F"),
    ("5 \\text{ km/h}", "\\frac{25}{18} \\text{ m/s}"),
    ("3 \\text{ m}^2", "30000 \\text{ cm}^2"),
    ("2 \\text{ hours}", "120 \\text{ minutes}"),
    # solution sets of relations and identities on a domain: sympy's solvers load lazily too
    ("x^2 > 1", "x < -1 \\text{ or } x > 1"),
    ("|x| < 2", "(-2, 2)"),
    ("2x > 6", "x > 3"),
    ("x^2 = 9", "x = 3 \\text{ or } x = -3"),
    ("\\frac{1}{\\sqrt{y}}", "\\sqrt{\\frac{1}{y}}"),
    ("\\log(p^3 q)", "3\\log p + \\log q"),
    ("0.333", "\\frac{1}{3}"),
)


class CachingBackend(SympyBackend):
    """The sympy backend, remembering the fallback parser's readings (about 0.1-0.3 s each).

    Golds repeat across the rows of a group, and a worker lives for many rows.
    """

    def __init__(self, policy: Policy, size: int = 512):
        super().__init__(policy)
        self._readings: OrderedDict[str, Node | tuple[type[Exception], tuple]] = OrderedDict()
        self._size = size

    def fallback_parse(self, text: str) -> Node:
        """`SympyBackend.fallback_parse`, cached per text (failures too)."""
        hit = self._readings.get(text)
        if hit is None:
            try:
                hit = super().fallback_parse(text)
            except (MemoryError, RecursionError):
                raise
            except Exception as exc:  # noqa: BLE001 - remembered and raised again, as the parser would
                hit = (type(exc), exc.args)
            self._readings[text] = hit
            if len(self._readings) > self._size:
                self._readings.popitem(last=False)
        else:
            self._readings.move_to_end(text)
        if isinstance(hit, tuple):
            raise hit[0](*hit[1])
        return hit


@lru_cache(maxsize=16)
def backend(policy: Policy) -> SympyBackend:
    """The (cached) sympy backend for a policy."""
    return CachingBackend(policy)


def warm_up() -> None:
    """Exercise every symbolic code path once (called at import, in the zygote)."""
    try:  # the fallback parser, optional: without it unreadable answers are compared as text
        import latex2sympy2_extended.latex2sympy2  # noqa: F401
    except ImportError:
        pass
    for pred, gold in _WARM_UP:
        judge_task(pred, gold, Policy())


def judge_task(pred: str, gold: str, policy: Policy) -> tuple[bool | None, str, str]:
    """Judge one pair with sympy; returns (equal or None, reason, stage)."""
    try:
        verdict = judge(pred, gold, policy, backend(policy))
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # noqa: BLE001 - sympy raises many kinds of errors on odd input
        return None, f"symbolic comparison failed: {type(exc).__name__}: {str(exc)[:200]}", "error"
    return verdict.equal, verdict.reason, verdict.stage


warm_up()
