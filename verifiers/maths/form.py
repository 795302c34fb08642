"""The `form` policy: when the question asks to factor or expand, an equal value in the other form fails.

`(x-1)(x+1)` and `x^2-1` are the same polynomial, but to "Factor x^2-1" only the first is the
answer. The form is required only when the question says so (in one of several languages) and
the gold answer has that form with variables in it, so "the greatest prime factor of 91" or a
numeric gold never triggers it. Pure Python (our parser's nodes), no sympy.
"""

from __future__ import annotations

import re

from .nodes import Add, Div, Mul, Neg, Node, Num, Pow, free_names
from .policy import Policy

_FACTOR = re.compile(
    r"\bfactori[sz](?:e|es|ed|ing|ation)\b|\bfactor(?:ed|ing)?\b(?!\s+(?:of|is|tree)\b)|"
    r"\bfactoris(?:ez|er)\b|\bfactori[cz]a(?:r|ción)?\b|\bfaktorisier|\bzerleg|"
    r"\bfator(?:e|ar|ize)\b|\bfattorizz|\bscomponi|на\s+множител|"
    r"因式分解|分解因式|因数分解",
    re.IGNORECASE,
)
_EXPAND = re.compile(
    r"\bexpand(?:ed|ing|a|ir)?\b|\bmultiply\s+out\b|\bd[ée]velopp|\bdesarroll|\bausmultiplizier|"
    r"\bsviluppa|раскройте\s+скобки|"
    r"展开|展開",
    re.IGNORECASE,
)


def asked_form(question: str) -> str | None:
    """'factored' or 'expanded' when the question asks for that form, else None."""
    if not question:
        return None
    factor, expand = _FACTOR.search(question), _EXPAND.search(question)
    if factor and not expand:
        return "factored"
    if expand and not factor:
        return "expanded"
    return None


def required_form(question: str, gold: Node) -> str | None:
    """The form the prediction must have: asked by the question and shown by a gold with variables."""
    form = asked_form(question)
    if form is None or not free_names(gold):
        return None
    if form == "factored" and is_factored(gold) and not is_expanded(gold):
        return form
    if form == "expanded" and is_expanded(gold) and not is_factored(gold):
        return form
    return None


def is_factored(node: Node) -> bool:
    """A product with a non-constant sum as a factor (`(x-1)(x+1)`, `2(x+3)`, `(x+1)^2`)."""
    while isinstance(node, Neg):
        node = node.arg
    if isinstance(node, Pow):
        return _is_sum(node.base) and _integer_power(node.exp)
    if isinstance(node, Div):
        return is_factored(node.num) or is_factored(node.den)
    if isinstance(node, Mul):
        return any(_is_sum(a) or (isinstance(a, Pow) and _is_sum(a.base)) for a in node.args) and len(node.args) >= 2
    return False


def is_expanded(node: Node) -> bool:
    """A sum of terms with no product or integer power of a non-constant sum inside."""
    if isinstance(node, Add):
        return all(_no_sum_products(a) for a in node.args)
    return False


def _no_sum_products(node: Node) -> bool:
    if isinstance(node, Neg):
        return _no_sum_products(node.arg)
    if isinstance(node, Mul):
        return not any(_is_sum(a) for a in node.args) and all(_no_sum_products(a) for a in node.args)
    if isinstance(node, Pow):
        return not (_is_sum(node.base) and _integer_power(node.exp))
    if isinstance(node, Div):
        return _no_sum_products(node.num) and not _is_sum(node.num)
    return True


def _is_sum(node: Node) -> bool:
    return isinstance(node, Add) and bool(free_names(node))


def _integer_power(node: Node) -> bool:
    return isinstance(node, Num) and node.value.denominator == 1 and node.value >= 2


def form_differs(form: str, pred: Node) -> bool:
    """True when the prediction lacks the required form."""
    if form == "factored":
        return not is_factored(pred)
    return not is_expanded(pred)


def form_mismatch(question: str, pred: str, gold: str, policy: Policy) -> str | None:
    """Why the prediction fails the form the question asks for, or None (no form asked, or it has it).

    A prediction that copies the question's unsolved equation or inequality (`x^2 - 5x + 6 < 0` for
    "Solve x^2 - 5x + 6 < 0") fails too: it has the right solution set but solves nothing.
    """
    if policy.form == "ignore" or not question:
        return None
    restated = restates(question, pred, policy)
    if restated is not None:
        return restated
    if asked_form(question) is None:
        return None
    gold_node, pred_node = _node(gold, policy), _node(pred, policy)
    if gold_node is None or pred_node is None:
        return None
    form = required_form(question, gold_node)
    if form is None or not form_differs(form, pred_node):
        return None
    return f"the question asks for the {form} form (form='auto')"


def restates(question: str, pred: str, policy: Policy) -> str | None:
    """Why a prediction that repeats the question's unsolved relation fails, or None."""
    from .cleaning import clean
    from .compare import open_variable

    node = _node(pred, policy)
    if node is None or open_variable(node) is None:
        return None
    p = _compact(clean(pred, policy.thousands, policy.decimal_comma))
    q = _compact(clean(question, policy.thousands, policy.decimal_comma))
    if len(p) >= 3 and p in q:
        return "it restates the question's equation or inequality (form='auto')"
    return None


def _compact(text: str) -> str:
    return "".join(text.split()).replace("\\left", "").replace("\\right", "").replace("$", "")


def _node(text: str, policy: Policy) -> Node | None:
    from .cleaning import clean
    from .compare import NeedsSymbolic, Unverifiable, read

    try:
        return read(clean(text, policy.thousands, policy.decimal_comma), policy, None)
    except (NeedsSymbolic, Unverifiable, ValueError, RecursionError):
        return None
