"""Staged comparison of a predicted answer with a gold answer: string, exact rational, then symbolic.

`judge(pred, gold, policy, backend)` runs everything it can without sympy. With `backend=None`
(the caller's process) it raises NeedsSymbolic as soon as a step needs sympy; the verifier
then reruns the same judgement in a killable worker with the sympy backend.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from functools import lru_cache
from typing import Protocol

from ..normalize import normalize_text
from .cleaning import clean
from .clock_times import clock_time
from .exact_values import NotExact, TooLarge, Undefined, exact_value
from .nodes import (
    INF,
    PI,
    Add,
    Alt,
    Approx,
    Both,
    Call,
    Const,
    Div,
    Group,
    I,
    Matrix,
    Member,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Raw,
    Rel,
    SetOp,
    Sym,
    Text,
    Unit,
    children,
    free_names,
    has_decimal,
)
from .parser import ParseError, TooDeep, parse_fast
from .policy import Policy
from .tolerance import approximately, approximation, terminates
from .units import cjk_units

MAX_ITEMS = 200
NUMBER_WORDS = {
    w: k
    for k, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
# Text answers that mean the same (keys and values as normalize_text writes them).
TEXT_SYNONYMS = {
    "dne": "does not exist",
    "doesnt exist": "does not exist",
    "doesn t exist": "does not exist",
    "does not exists": "does not exist",
    "not defined": "undefined",
    "is undefined": "undefined",
}
_DENOMINATORS = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters", "fourth", "fourths"),
    5: ("fifth", "fifths"),
    6: ("sixth", "sixths"),
    7: ("seventh", "sevenths"),
    8: ("eighth", "eighths"),
    9: ("ninth", "ninths"),
    10: ("tenth", "tenths"),
}
# "one half", "a third", "two thirds", "three quarters": fractions written in words.
FRACTION_WORDS = {
    f"{count} {name}": Fraction(NUMBER_WORDS.get(count, 1), d)
    for d, names in _DENOMINATORS.items()
    for name in names
    for count in ("a", *list(NUMBER_WORDS)[1:11])
} | {"half": Fraction(1, 2)}
FUNCTION_LETTERS = set("fghpqrsFGHPQRS")
EMPTY_WORDS = {
    "no solution",
    "no solutions",
    "no real solution",
    "no real solutions",
    "no real roots",
    "no solution exists",
    "empty set",
    "the empty set",
    "none",
}

# "all real numbers", "x can be any real number", "tous les réels": the whole real line (normalised text)
ALL_REALS = re.compile(
    r"(?:[a-z] (?:is|can be|may be) )?(?:the set of )?(?:all|any|every) real(?:s| numbers?| values?)(?: (?:of )?[a-z])?"
    r"|(?:the )?(?:set of )?real numbers|(?:todos los|tous les|alle|todos os|tutti i) "
    r"(?:números reales|nombres réels|réels|reellen zahlen|números reais|numeri reali)"
)

_SIGNED_REALS = re.compile(
    r"(?:the set of )?(?:all )?(positive|negative|non ?negative|non ?positive) real(?:s| numbers)"
)
_ZERO = Num(Fraction(0), "0")
_SIGNED = {
    "positive": Group("(", ")", (_ZERO, INF)),
    "negative": Group("(", ")", (Neg(INF), _ZERO)),
    "nonnegative": Group("[", ")", (_ZERO, INF)),
    "nonpositive": Group("(", "]", (Neg(INF), _ZERO)),
}
# "all real numbers except 1", "all reals but x = \pm 2": the reals without those points
_REALS_EXCEPT = re.compile(
    r"(?:\\text\{\s*)?(?:the set of )?all real(?: numbers|s)?\s+(?:except|but|other than|excluding)(?:\s+for)?\s*\}?"
    r"\s*(?:[a-z]\s*=\s*)?(.+?)\s*\}?",
    re.IGNORECASE,
)


def real_words(word: str) -> Node | None:
    """The set that words name: "all real numbers" is the real line, "all positive reals" (0, oo); else None."""
    if ALL_REALS.fullmatch(word):
        return Group("(", ")", (Neg(INF), INF))
    signed = _SIGNED_REALS.fullmatch(word)
    return _SIGNED[signed.group(1).replace(" ", "")] if signed else None


# "the solution set is empty", "there are no real roots", "ensemble vide": the empty set (normalised text)
_EMPTY_PHRASE = re.compile(
    r"(?:the )?(?:solution )?(?:set )?(?:is )?empty(?: set)?|(?:the )?set of solutions is empty"
    r"|(?:there (?:is|are) |it has |has )?no (?:real )?(?:solutions?|roots?|values?|zeros?|such [a-z])(?: exists?)?"
    r"|(?:conjunto vacío|ensemble vide|leere menge|aucune solution|pas de solution|sin solución|keine lösung)"
)


def _says_empty(word: str | None) -> bool:
    """Whether a text answer names the empty set ("no solution", "the solution set is empty")."""
    return bool(word) and (word in EMPTY_WORDS or bool(_EMPTY_PHRASE.fullmatch(word)))  # type: ignore[arg-type]


Interval = tuple[Node, Node, bool, bool]  # low, high, low closed, high closed


class NeedsSymbolic(Exception):
    """This comparison needs sympy (run it in a worker with a backend)."""


class Unverifiable(Exception):
    """The answers cannot be compared (too large, undefined, unreadable gold)."""


class NotComparable(Exception):
    """The prediction mixes things that have no value (text in a sum, a ± inside a product)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one comparison: equal (None: unverifiable), the reason, the deciding stage."""

    equal: bool | None
    reason: str
    stage: str


class Backend(Protocol):
    """What the symbolic stage provides (implemented with sympy in `symbolic.py`)."""

    def equal(self, pred: Node, gold: Node) -> bool: ...

    def proportional(self, a: Node, b: Node, positive: bool) -> bool: ...

    def sets_equal(self, a: list[Interval], b: list[Interval]) -> bool: ...

    def units_equal(self, pv: Node, pu: str, gv: Node, gu: str) -> bool | None: ...

    def fallback_parse(self, text: str) -> Node: ...

    def solution_set(self, node: Node, complex_roots: bool = False) -> Node | None: ...

    def check_defined(self, node: Node) -> None: ...


# Gold answers that may have no value: only these are checked before an identical prediction passes.
_MAY_BE_UNDEFINED = re.compile(r"/|\\frac|\^|log|ln|lg|tan|cot|sec|csc|arc|\\infty|\binf|\boo\b|(?i:nan|zoo)\b")
_SYMBOLIC_RISK = re.compile(r"log|ln|lg|tan|cot|sec|csc|arc|\\infty|\binf|\boo\b")
_MATHY = re.compile(r"\\[a-zA-Z]+|[\d^_=+*/<>]")


def looks_like_math(text: str) -> bool:
    """Whether an unreadable answer is worth a second parser (LaTeX commands, digits, operators)."""
    return bool(_MATHY.search(text))


_CHOICE_ONLY = re.compile(r"(?:\\text\w*\{\s*)?\(?([A-E])\)?\s*\}?")
_CHOICE_VALUE = re.compile(r"(?:\\text\w*\{\s*)?\(([A-E])\)\s*\}?\s*(.+)")


def choice(text: str) -> tuple[str | None, str | None]:
    """(letter, value) of a multiple-choice answer: `(C)`, `\\text{C}` -> ("C", None); `(D) 17` -> ("D", "17")."""
    m = _CHOICE_ONLY.fullmatch(text)
    if m:
        return m.group(1), None
    m = _CHOICE_VALUE.fullmatch(text)
    if m:
        return m.group(1), m.group(2).strip() or None
    return None, None


_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)


_NOT_A_NUMBER = {"nan", "zoo", "\\mathrm{nan}", "\\text{nan}", "\\text{zoo}"}


def read(text: str, policy: Policy, backend: Backend | None) -> Node:
    """The node of a cleaned answer: our parser, then the fallback parser, then plain text."""
    if text.lstrip("+-").casefold() in _NOT_A_NUMBER:  # a value printed by a program that failed
        raise Undefined(f"{text!r} is not a number")
    time = clock_time(text)
    if time is not None:  # a time of day (19:05, 7:05 pm, 12:00 noon), not a ratio or a number
        return Text(time, literal=True)
    if _CLOCK.fullmatch(text):  # no valid time (25:61), but still no ratio
        return Text(text.replace(" ", "").casefold(), literal=True)
    builder = _SET_BUILDER.fullmatch(text)
    if builder:  # {x | x > 1}: the condition is the answer
        name, domain, condition_text = builder.group(1), builder.group(2), builder.group(3)
        declared = _PARAMETER.search(condition_text)  # {x | x = \frac{\pi}{2} + k\pi, k \in \mathbb{Z}}
        condition = _parsed(condition_text[: declared.start()] if declared else condition_text, policy)
        parts = condition.items if isinstance(condition, Alt) else (condition,)
        family = all((solved(i) or (None,))[0] == Sym(name) for i in parts)  # x = ... + k\pi: its values
        if isinstance(condition, (Rel, Alt, Both)) and (free_names(condition) == {name} or family):
            if not domain or "R" in domain:
                return condition
            integers = integers_in(condition, domain)  # {x \in \mathbb{Z} : 1 \le x \le 3} is {1, 2, 3}
            if integers is not None:
                return integers
    excluded = _REALS_EXCEPT.fullmatch(text)
    if excluded:  # all real numbers except 1 (and 2)
        points = re.sub(r"\s+(?:and|or)\s+|\\text\{\s*(?:and|or)\s*\}", ", ", excluded.group(1))
        text = f"\\mathbb{{R}}\\setminus\\{{{points}\\}}"
    declared = _PARAMETER.search(text)  # x = \frac{\pi}{4} + k\pi, k \in \mathbb{Z}: k is a parameter
    if declared and re.search(rf"(?<![\\a-zA-Z]){declared.group(1)}(?![a-zA-Z])", text[: declared.start()]):
        text = text[: declared.start()]
    text = _separate_relations(_GLUED_QUAD.sub(" ", text))
    node = _parsed(text, policy)
    if isinstance(node, Node):
        return node
    if isinstance(node, TooDeep):
        raise Unverifiable(f"cannot read the answer: {node}")
    named = named_value(text, policy)
    if named is not None:
        return named
    if looks_like_math(text):
        if backend is None:
            raise NeedsSymbolic("needs the fallback parser")
        sides = _relation_sides(text, policy, backend)
        if sides is not None:
            return sides
        try:
            return backend.fallback_parse(text)
        except Exception:  # noqa: BLE001 - any failure of the fallback parser means "not maths"
            pass
        return Text("".join(text.split()).casefold(), literal=True)
    return Text(text)


_SET_BUILDER = re.compile(
    r"\\\{\s*([A-Za-z])\s*(?:\\in\s*((?:\\mathbb\{?[RZN]\}?|[RZN])(?:[\^_]\{?[+*]\}?)?)\s*)?(?:\\mid|\||:|\\colon)\s*(.+?)\s*\\\}"
)


def integers_in(condition: Node, domain: str) -> Group | None:
    """The integers (`\\mathbb{Z}`) or natural numbers (`\\mathbb{N}`, `\\mathbb{Z}^+`) that meet a condition with
    bounded solutions, as a finite set; None when unbounded, not exact, or ambiguous (is 0 natural?)."""
    found = as_intervals(condition)
    ivs = exact_intervals(found[0]) if found is not None else None
    if ivs is None:
        return None
    zero = (0, Fraction(0))
    if ("N" in domain and any(c in domain for c in "+*")) or ("Z" in domain and "+" in domain):
        ivs = intersect(ivs, [((0, Fraction(1)), _INF_KEY, True, False)])
    elif "N" in domain:
        if intersect(ivs, [(zero, zero, True, True)]):  # whether 0 is a natural number differs between authors
            return None
        ivs = intersect(ivs, [(zero, _INF_KEY, True, False)])
    elif "*" in domain:
        return None
    items: list[Node] = []
    for (lk, lo), (hk, hi), lc, hc in merge(ivs):
        if lk or hk:
            return None
        first = math.ceil(lo) + (1 if not lc and lo == math.ceil(lo) else 0)
        last = math.floor(hi) - (1 if not hc and hi == math.floor(hi) else 0)
        if last - first + len(items) >= MAX_ITEMS:
            return None
        items.extend(Num(Fraction(k), str(k)) for k in range(first, last + 1))
    return Group("{", "}", tuple(items))


_PARAMETER = re.compile(
    r"\s*(?:[,;]|\\q?quad)?\s*(?:\\text\{\s*(?:where|for|with)\s*\}\s*)?\(?\s*([a-zA-Z])\s*\\in\s*"
    r"(?:\\mathbb\{?Z\}?|\\mathbf\{Z\}|Z)\s*\)?\s*$"
)
_GLUED_QUAD = re.compile(r"\\q?quad(?=[A-Za-z])")  # `,\quadx_2 = ...`: a space glued to the next name
_JOINED = re.compile(r"\\(?:text|mbox|mathrm|textbf|quad)|\b(?:and|or)\b|[^\x00-\x7f]")  # already separated
_COMMAND_BEFORE = re.compile(r"\\[A-Za-z]+$")
_NEXT_RELATION = re.compile(r"(?<=[\w})])\s+(?=[A-Za-z](?:_\{?\w+\}?)?\s*=[^=])")


def _separate_relations(text: str) -> str:
    """`x=3 y=1` (a `\\quad` between two equations, dropped by the cleaner) as `x=3, y=1`."""
    if len(_top_level_equals(text)) < 2 or _top_level_equals(text, ",;") or _JOINED.search(text):
        return text
    depth = _depths(text)
    cuts = [
        m.start()
        for m in _NEXT_RELATION.finditer(text)
        if depth[m.start()] == 0 and not _COMMAND_BEFORE.search(text, 0, m.start())  # \angle B = ...: one name
    ]
    for k in reversed(cuts):
        text = text[:k] + "," + text[k:]
    return text


def _depths(text: str) -> list[int]:
    out, depth = [], 0
    for c in text:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        out.append(depth)
    return out


def named_value(text: str, policy: Policy) -> Node | None:
    """`\\angle A = 30^\\circ`, `\\lim_{x\\to 0} ... = 1`: a left side we cannot read, named by its text.

    The value after the last top-level `=` is the answer (a chain counts by its last value).
    """
    cuts = _top_level_equals(text)
    if not cuts or _top_level_equals(text, ",;"):
        return None
    left, last = text[: cuts[0]].strip(), text[cuts[-1] + 1 :].strip()
    if not left or not last or any(c in left for c in "<>"):
        return None
    value = _parsed(last, policy)
    if not isinstance(value, Node) or isinstance(value, Rel):
        return None
    if not isinstance(_parsed(left, policy), Node):
        return Rel(("=",), (Sym(" ".join(left.split())), value))
    if len(cuts) > 1:  # `1 = \\zzz = x = 0`: an unreadable link inside a chain that ends `x = 0`
        name = _parsed(text[cuts[-2] + 1 : cuts[-1]].strip(), policy)
        if isinstance(name, Node) and is_quantity(name) and not free_names(value) & free_names(name):
            return Rel(("=",), (name, value))
    return None


def _relation_sides(text: str, policy: Policy, backend: Backend) -> Node | None:
    """`F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}`: each side of an equation read on its own (the fallback
    parser reads expressions, not equations)."""
    cuts = _top_level_equals(text)
    if not cuts or _top_level_equals(text, ",;"):
        return None
    bounds = [-1, *cuts, len(text)]
    sides = []
    for start, end in zip(bounds, bounds[1:]):
        part = text[start + 1 : end].strip()
        node = read(part, policy, backend) if part else None
        if node is None or isinstance(node, (Text, Rel)):
            return None
        sides.append(node)
    return Rel(("=",) * len(cuts), tuple(sides))


def _top_level_equals(text: str, signs: str = "=") -> list[int]:
    """Positions of `signs` outside brackets and braces (an `=` not part of `<=`, `>=`, `!=`, `==`)."""
    depth = 0
    out = []
    for k, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c in signs and depth == 0 and c != "=":
            out.append(k)
        elif c == "=" and depth == 0 and "=" in signs:
            before = text[k - 1] if k else ""
            after = text[k + 1] if k + 1 < len(text) else ""
            if before not in "<>!=" and after != "=":
                out.append(k)
    return out


@lru_cache(maxsize=8192)
def _parsed(text: str, policy: Policy) -> Node | Exception:
    """Our parser's reading of a cleaned answer, or the error (cached: golds repeat across a group)."""
    try:
        return parse_fast(text, policy)
    except (ParseError, ValueError, ZeroDivisionError, OverflowError) as exc:
        return exc


def judge(pred: str, gold: str, policy: Policy, backend: Backend | None = None) -> Verdict:
    """Compare two extracted answers; raises NeedsSymbolic when `backend` is None and sympy is needed."""
    pred, gold = cjk_units(_sympy_printing(pred, policy)), cjk_units(_sympy_printing(gold, policy))
    p = clean(pred, policy.thousands, policy.decimal_comma)
    g = clean(gold, policy.thousands, policy.decimal_comma)
    verdict = _judge_cleaned(p, g, policy, backend)
    if verdict.equal or policy.decimal_comma != "auto" or ("," not in pred and "," not in gold):
        return verdict
    # "3,5" read as a decimal did not match: the list reading (3 and 5) may
    alt = clean(pred, policy.thousands, "never"), clean(gold, policy.thousands, "never")
    if alt == (p, g):
        return verdict
    other = _judge_cleaned(alt[0], alt[1], policy, backend)
    return other if other.equal else verdict


_POWER_STARS = re.compile(r"[\w)\]]\s*\*\*\s*[-\w(.]")
_SYMPY_CONSTANT = re.compile(r"(?<![A-Za-z_])[EI](?![A-Za-z_(])")


def _sympy_printing(text: str, policy: Policy) -> str:
    """`E**2`, `2*I`: sympy's printing, where `E` is Euler's number and `I` the imaginary unit (read before
    cleaning turns `**` into `^` and hides that a program printed it)."""
    if "**" not in text or "\\" in text or not _POWER_STARS.search(text):  # **E** is bold, not a power
        return text
    keep = "" if policy.imaginary_unit else "I"
    return _SYMPY_CONSTANT.sub(lambda m: m.group(0) if m.group(0) == keep else m.group(0).lower(), text)


def _judge_cleaned(p: str, g: str, policy: Policy, backend: Backend | None) -> Verdict:
    """Compare two cleaned answers."""
    if not g:
        return Verdict(None, "the gold answer is empty", "string")
    if not p:
        return Verdict(False, "the predicted answer is empty", "string")
    risky = bool(_MAY_BE_UNDEFINED.search(g))  # an undefined gold (tan(pi/2)) equals nothing, not even itself
    if p == g and not risky:
        return Verdict(True, "identical after normalisation", "string")
    pc, gc = choice(p), choice(g)
    if pc[0] and gc[0]:
        same = pc[0] == gc[0]
        return Verdict(same, f"choice ({pc[0]}) {'is' if same else 'is not'} ({gc[0]})", "text")
    p, g = pc[1] or p, gc[1] or g  # "(D) 17" against "17": compare the values
    cmp = Comparer(policy, backend, p, g)
    try:
        gold_node = read(g, policy, backend)
        if risky:
            cmp.check_defined(gold_node)
            if p == g:
                return Verdict(True, "identical after normalisation", "string")
        pred_node = read(p, policy, backend)
        equal, why = cmp.answers(pred_node, gold_node)
    except Undefined as exc:  # "\\frac{1}{0}", "\\tan(\\pi/2)", "\\infty - \\infty": no value to compare
        return Verdict(None, f"undefined value: {exc}", "exact" if cmp.stage != "symbolic" else "symbolic")
    except NotComparable as exc:
        return Verdict(False, str(exc), cmp.stage)
    except TooLarge as exc:
        return Verdict(None, f"cannot compare: {exc}", "limit")
    except Unverifiable as exc:
        return Verdict(None, str(exc), "limit")
    except RecursionError:
        return Verdict(None, "cannot compare: expression nested too deeply", "limit")
    return Verdict(equal, why, cmp.stage)


class Comparer:
    """Compares answer nodes under a policy; `stage` records the deepest stage used."""

    def __init__(self, policy: Policy, backend: Backend | None, pred_text: str = "", gold_text: str = ""):
        self.policy = policy
        self.backend = backend
        self.pred_text = pred_text
        self.gold_text = gold_text
        self.stage = "structure"
        self.tolerated = ""  # why a decimal approximation was accepted, when one was

    def check_defined(self, node: Node) -> None:
        """Raise Undefined when a constant part of the node has no value (`1/0`, `\\log 0`, `\\infty-\\infty`)."""
        if isinstance(node, (Group, Rel, Alt, Both, Matrix, Approx, SetOp, Member, Unit)):
            for child in children(node):
                self.check_defined(child)
            return
        if isinstance(node, (Num, Sym, Text, Const)) or is_infinite(node) or free_names(node):
            return
        try:
            exact_value(node)
            return
        except NotExact:
            pass
        if not _SYMBOLIC_RISK.search(self.gold_text):
            return
        if self.backend is None:
            raise NeedsSymbolic("is the gold answer defined")
        self.stage = "symbolic"
        self.backend.check_defined(node)

    # -- dispatch ------------------------------------------------------------------------
    def answers(self, p: Node, g: Node) -> tuple[bool, str]:
        """Whether prediction `p` is equivalent to gold `g`, and why."""
        if p == g:
            return True, "same expression"
        if isinstance(g, Approx):
            g = g.approx if is_quantity(g.exact) else g.exact  # "x \\approx 11" names x, its value is 11
        if isinstance(p, Approx) and is_quantity(p.exact):
            p = p.approx
        if isinstance(p, Approx):
            same, why = self.answers(p.exact, g)
            if same or not has_decimal(g):
                return same, why
            same, why = self.answers(p.approx, g)
            return same, f"the stated approximation: {why}"
        if isinstance(g, Text) or isinstance(p, Text):
            return self.text(p, g)
        decided = self.identity(p, g)
        if decided is not None:
            return decided
        decided = self.solution_sets(p, g)
        if decided is not None:
            return decided
        pn, gn = bound_names(p), bound_names(g)
        if pn and gn and pn != gn:  # y > 2 is not x > 2
            return False, f"different variables ({', '.join(sorted(pn | gn))})"
        p, g = canon(p), canon(g)
        if p == g:
            return True, "same expression"
        decided = self.intervals(p, g)
        if decided is not None:
            return decided
        decided = self.relations(p, g)
        if decided is not None:
            return decided
        if isinstance(g, (Group, Matrix)) or isinstance(p, (Group, Matrix)):
            return self.collections(p, g)
        if isinstance(p, (Both, SetOp)) or isinstance(g, (Both, SetOp)):
            return False, "different kinds of answer"
        return self.scalar(p, g)

    def text(self, p: Node, g: Node) -> tuple[bool, str]:
        ratio = self.clock_as_ratio(p, g)
        if ratio is not None:
            return ratio
        self.stage = "text"
        pt, gt = words_of(p), words_of(g)
        pt, gt = TEXT_SYNONYMS.get(pt, pt), TEXT_SYNONYMS.get(gt, gt)  # type: ignore[arg-type]
        if pt is not None and gt is not None and (pt == gt or (_says_empty(pt) and _says_empty(gt))):
            return True, "same text answer"
        for word, other in ((pt, g), (gt, p)):
            if _says_empty(word) and not isinstance(other, Text):  # "no solution" is the empty set
                empty = Group("{", "}", ())
                same, why = self.answers(empty, g) if other is g else self.answers(p, empty)
                return same, f"no solution: {why}"
            reals = real_words(word or "")
            if reals is not None and not isinstance(other, Text):  # "all real numbers", "all positive reals"
                same, why = self.answers(reals, g) if other is g else self.answers(p, reals)
                return same, f"{word}: {why}"
            number = NUMBER_WORDS.get(word or "", FRACTION_WORDS.get(word or "")) or words_number(word or "")
            if number is not None and not isinstance(other, Text):
                same = self.value(Num(Fraction(number), str(number)), other)
                return same, "number word" + (" equals" if same else " differs")
        if isinstance(g, Text):
            return False, f"text {pt!r} differs from {gt!r}" if pt is not None else "the gold answer is text"
        return False, "the prediction is text, the gold answer is mathematics"

    def clock_as_ratio(self, p: Node, g: Node) -> tuple[bool, str] | None:
        """`11:21` against `V_1:V_2 = 11:21`: what reads as a clock time is the ratio the other side names."""
        for a, b, raw in ((p, g, self.pred_text), (g, p, self.gold_text)):
            if isinstance(a, Text) and a.literal and isinstance(b, (Rel, Div)) and _CLOCK.fullmatch(raw):
                ratio = _parsed(raw, self.policy)
                if isinstance(ratio, Div) and ratio.den != Num(Fraction(0)):  # 11:00 is no ratio
                    return self.answers(ratio, g) if a is p else self.answers(p, ratio)
        return None

    # -- intervals and inequalities --------------------------------------------------------
    def intervals(self, p: Node, g: Node) -> tuple[bool, str] | None:
        gi = as_intervals(g)
        pi = as_intervals(p)
        if gi is not None and (gi[1] or (pi is not None and pi[1])):
            if pi is None:
                if is_inequality(p):
                    return False, "the prediction restates an inequality instead of solving it"
                return False, "the gold answer is an interval or inequality; the prediction is not"
            same = self.interval_sets(pi[0], gi[0])
            return same, "same set" if same else "different intervals"
        if is_inequality(g) and gi is None:  # an unsolved inequality as the gold answer
            if isinstance(p, Rel) and is_inequality(p):
                same = self.same_relation(p, g)
                return same, "same inequality" if same else "different inequality"
            return False, "the gold answer is an inequality"
        if is_inequality(p):
            return False, "the prediction is an inequality, the gold answer is not"
        return None

    def interval_sets(self, a: list[Interval], b: list[Interval]) -> bool:
        if len(a) == len(b):
            unused = list(b)
            for iv in a:
                for k, jv in enumerate(unused):
                    if iv[2] == jv[2] and iv[3] == jv[3] and self.value(iv[0], jv[0]) and self.value(iv[1], jv[1]):
                        del unused[k]
                        break
                else:
                    break
            else:
                return True
        ea, eb = exact_intervals(a), exact_intervals(b)
        if ea is not None and eb is not None:
            self.stage = max_stage(self.stage, "exact")
            return merge(ea) == merge(eb)
        if self.backend is None:
            raise NeedsSymbolic("interval endpoints")
        self.stage = "symbolic"
        return self.backend.sets_equal(a, b)

    # -- equations --------------------------------------------------------------------------
    def solution_sets(self, p: Node, g: Node) -> tuple[bool, str] | None:
        """Equations and inequalities in one variable compared by their real solution sets."""
        if self.policy.relations != "solution_set":
            return None
        pv, gv = open_variable(p), open_variable(g)
        if pv is None and gv is None:
            return self.disjunctions(p, g)
        if pv is not None and gv is None and isinstance(p, Rel) and set(p.ops) == {"="} and is_value(g):
            last = p.args[-1]  # "x^2 = 9" against 9: the last value counts, as a chain's does
            if not free_names(last) and self.answers(last, g)[0]:
                return True, "the last value"
        if gv is not None and pv is None and is_value(p):
            named = solved(g)  # gold "|x| = 3" against 3: the value of the named quantity
            if named is not None and self.answers(p, named[1])[0]:
                return True, "value of " + name_text(named[0])
        names = ({pv.split("_")[0]} if pv else stated_names(p)) | ({gv.split("_")[0]} if gv else stated_names(g))
        if len(names) > 1:
            return False, f"different variables ({', '.join(sorted(names))})"
        if self.backend is None:
            raise NeedsSymbolic("solution set")
        self.stage = "symbolic"
        complex_roots = I in _walk(p) or I in _walk(g)  # "x = 1 \\pm 2i": complex roots count
        ps = self.backend.solution_set(p, complex_roots) if pv else p
        gs = self.backend.solution_set(g, complex_roots) if gv else g
        if ps is None or gs is None:  # not solvable in closed form: compared as relations below
            return None
        same, why = self.answers(ps, gs)
        return same, "same solution set" if same else f"different solution sets: {why}"

    def identity(self, p: Node, g: Node) -> tuple[bool, str] | None:
        """`(2x - 3)^2 = 4x^2 - 12x + 9` against `4x^2 - 12x + 9`: a worked identity counts by its last side."""
        if not (isinstance(p, Rel) and set(p.ops) == {"="} and free_names(p.args[-1])):
            return None
        if isinstance(g, (Rel, Member, Alt, Both, SetOp, Text, Group, Matrix)) or is_name(p.args[0]):
            return None
        if function_lhs(p.args[0]) or not self.answers(p.args[-1], g)[0]:
            return None
        if all(self.value(p.args[0], side) for side in p.args[1:-1]) and self.value(p.args[0], p.args[-1]):
            return True, "the last side of an identity"
        return None

    def disjunctions(self, p: Node, g: Node) -> tuple[bool, str] | None:
        """`p q = 0` against `p = 0 or q = 0`: a disjunction of equations is the product equation."""
        pp, gp = product_equation(p), product_equation(g)
        if (pp is None) == (gp is None):
            return None
        p, g = pp or p, gp or g
        if not (isinstance(p, Rel) and isinstance(g, Rel) and p.ops == ("=",) == g.ops):
            return None
        same = self.same_relation(p, g)
        return same, "same set of solutions" if same else "different relation"

    def relations(self, p: Node, g: Node) -> tuple[bool, str] | None:
        gs, ps = solved(g), solved(p)
        if isinstance(g, Rel):
            if gs is not None and ps is not None and gs[0] == ps[0]:
                return self.wrap(self.answers(ps[1], gs[1]), "value of " + name_text(gs[0]))
            if isinstance(p, Rel):
                if gs is not None and not free_names(gs[1]) and ps is None:
                    return False, "the prediction is an unsolved equation"
                same = self.same_relation(p, g)
                return same, "same relation" if same else "different relation"
            if gs is not None:
                return self.wrap(self.answers(p, gs[1]), "value of " + name_text(gs[0]))
            return False, "the gold answer is an equation, the prediction is not"
        if isinstance(p, Rel):
            if ps is not None:
                return self.wrap(self.answers(ps[1], g), "value of " + name_text(ps[0]))
            if set(p.ops) == {"="} and not free_names(p):  # a worked computation: "2 + 3 = 5"
                return self.wrap(self.answers(p.args[-1], g), "the computed value")
            if set(p.ops) == {"="} and not free_names(p.args[-1]) and not free_names(g):  # "x + 2y = 7" vs 7
                return self.wrap(self.answers(p.args[-1], g), "the last value")
            return False, "the prediction is an equation, the gold answer is not"
        return None

    def same_relation(self, p: Rel, g: Rel) -> bool:
        """Two relation chains state the same relation (not merely both rearranged to 0)."""
        if len(p.ops) != len(g.ops):
            return False
        for k, op in enumerate(g.ops):
            gl, gr, gop = orient(g.args[k], g.args[k + 1], op)
            pl, pr, pop = orient(p.args[k], p.args[k + 1], p.ops[k])
            if gop != pop:
                return False
            if (gl, gr) == (pl, pr) or (gop in ("=", "!=") and (gl, gr) == (pr, pl)):
                continue
            if self.backend is None:
                raise NeedsSymbolic("relation")
            self.stage = "symbolic"
            if not self.backend.proportional(Add((pl, Neg(pr))), Add((gl, Neg(gr))), positive=gop in ("<", "<=")):
                return False
        return True

    # -- tuples, sets, lists, matrices ---------------------------------------------------------
    def collections(self, p: Node, g: Node) -> tuple[bool, str]:
        if isinstance(g, Matrix) or isinstance(p, Matrix):
            return self.matrices(p, g)
        if not isinstance(p, Group):
            if isinstance(g, Group) and (len(g.items) == 1 or self.repeats(g, p, gold_first=True)):
                return self.answers(p, g.items[0])
            return False, "the gold answer has several parts, the prediction has one"
        if not isinstance(g, Group):
            if len(p.items) == 1:
                return self.answers(p.items[0], g)
            if self.repeats(p, g):  # x = 3 or x = 3 (a double root) against 3
                return True, "the same value repeated"
            return False, "the prediction has several parts, the gold answer has one"
        if len(p.items) > MAX_ITEMS or len(g.items) > MAX_ITEMS:
            raise Unverifiable(f"more than {MAX_ITEMS} items")
        for one, system in ((p, g), (g, p)):  # {(2, -1)} against x = 2, y = -1: the one solution
            if len(one.items) == 1 and isinstance(one.items[0], Group) and is_system(system):
                return self.answers(one.items[0], g) if one is p else self.answers(p, one.items[0])
        pk, gk = group_kind(p), group_kind(g)
        if (pk == "set") != (gk == "set") and "bare" not in (pk, gk):
            return False, "a set is not a tuple, list or interval"
        if len(p.items) == 2 == len(g.items) and "bare" not in (pk, gk) and (p.open, p.close) != (g.open, g.close):
            return False, "different brackets: as intervals their ends differ"
        if self.policy.order == "ordered":
            ordered = pk != "set" and gk != "set"
        elif self.policy.order == "unordered":
            ordered = False
        else:
            ordered = pk in ("tuple", "list") or gk in ("tuple", "list")
        if ordered:
            if len(p.items) != len(g.items):
                return False, f"{len(p.items)} items, expected {len(g.items)}"
            first = None
            for items in (p.items, alphabetical(p.items), g.items):
                if items is None:
                    continue
                pi, gi = (items, g.items) if items is not g.items else (p.items, alphabetical(g.items))
                if gi is None:
                    continue
                for k, (a, b) in enumerate(zip(pi, gi)):
                    same, why = self.answers(a, b)
                    if not same:
                        first = first or (False, f"item {k + 1} differs: {why}")
                        break
                else:
                    return True, "same items in the same order"
            return first or (False, "different items")
        # Sets and unordered lists: each element of one is in the other; a repeat does not count,
        # as in Math-Verify, where a list of answers is read as a set.
        if not self.covers(p.items, g.items) or not self.covers(g.items, p.items, gold_first=True):
            return False, "different elements"
        return True, "same elements"

    def repeats(self, group: Group, one: Node, gold_first: bool = False) -> bool:
        """An unordered list or set whose items all equal one value (a repeated answer counts once)."""
        if group_kind(group) not in ("bare", "set") or self.policy.order == "ordered" or not group.items:
            return False
        if len(stated_names(group)) > 1:  # x = 3, y = 3 is a point, not a repeated value
            return False
        if len(group.items) > MAX_ITEMS:
            raise Unverifiable(f"more than {MAX_ITEMS} items")
        return all((self.answers(one, i) if gold_first else self.answers(i, one))[0] for i in group.items)

    def covers(self, items: tuple[Node, ...], others: tuple[Node, ...], gold_first: bool = False) -> bool:
        for a in items:
            if not any((self.answers(b, a) if gold_first else self.answers(a, b))[0] for b in others):
                return False
        return True

    def matrices(self, p: Node, g: Node) -> tuple[bool, str]:
        if isinstance(p, Matrix) and isinstance(g, Matrix):
            if len(p.rows) != len(g.rows) or len(p.rows[0]) != len(g.rows[0]):
                return False, "different matrix shapes"
            for r, (prow, grow) in enumerate(zip(p.rows, g.rows)):
                for c, (a, b) in enumerate(zip(prow, grow)):
                    if not self.answers(a, b)[0]:
                        return False, f"entry ({r + 1},{c + 1}) differs"
            return True, "same matrix"
        if self.policy.vector_as_tuple:
            pv, gv = vector_items(p), vector_items(g)
            if pv is not None and gv is not None:
                return self.collections(Group("(", ")", pv), Group("(", ")", gv))
        if not isinstance(p, Group) and not isinstance(g, Group):  # e.g. 2 * matrix
            if self.backend is None:
                raise NeedsSymbolic("matrix arithmetic")
            self.stage = "symbolic"
            same = self.backend.equal(p, g)
            return same, "same matrix" if same else "different matrices"
        return False, "a matrix and a non-matrix"

    # -- single values --------------------------------------------------------------------------
    def scalar(self, p: Node, g: Node) -> tuple[bool, str]:
        pv, pu = split_unit(p)
        gv, gu = split_unit(g)
        if pu is None and gu is None:
            same = self.value(pv, gv)
            if not same:
                family = self.families(pv, gv)
                if family is not None:
                    return family
            if not same and self.policy.percent == "scaled":
                for factor in (Fraction(100), Fraction(1, 100)):  # 60 against 0.6, either way
                    if self.value(Mul((pv, Num(factor, str(factor)))), gv):
                        return True, "equal values (one side read as a percent)"
            if not same:
                return False, "different values"
            return True, f"equal values ({self.tolerated})" if self.tolerated else "equal values"
        if "percent" in (pu, gu):
            return self.scaled(pv, pu, gv, gu, "percent", Num(Fraction(1, 100), "1/100"), self.policy.percent)
        if "degree" in (pu, gu):
            factor = Mul((Const("pi"), Num(Fraction(1, 180), "1/180")))
            return self.scaled(pv, pu, gv, gu, "degree", factor, self.policy.degrees)
        return self.units(pv, pu, gv, gu)

    def families(self, p: Node, g: Node) -> tuple[bool, str] | None:
        """`\\frac{\\pi}{4} + n\\pi` against `\\frac{5\\pi}{4} + k\\pi`: the same values as the integer runs over Z.

        Only for periodic families: one integer letter on each side, entering linearly, with pi in the answer.
        """
        pf, gf = free_names(p), free_names(g)
        extra_p, extra_g = pf - gf, gf - pf
        if len(extra_p) != len(extra_g) or len(extra_p) > 1 or not (PI in _walk(p) and PI in _walk(g)):
            return None
        if extra_p:
            (old,), (name,) = extra_p, extra_g
            if old not in INTEGER_LETTERS or name not in INTEGER_LETTERS:
                return None
            p = substitute(p, old, Sym(name))
            if self.value(p, g):
                return True, f"the same family ({old} renamed {name})"
        else:
            shared = pf & INTEGER_LETTERS
            if len(shared) != 1:
                return None
            (name,) = shared
        if not (_linear_in(p, name) and _linear_in(g, name)):
            return None

        def at(node: Node, k: int) -> Node:
            return substitute(node, name, Num(Fraction(k), str(k)))

        step = Add((at(g, 1), Neg(at(g, 0))))
        if not any(self.value(Add((at(p, 1), Neg(at(p, 0)))), s) for s in (step, Neg(step))):
            return None
        for shift in (1, -1, 2, -2, 3, -3):  # the first value of one family is a value of the other
            if self.value(at(p, 0), at(g, shift)):
                return True, f"the same family ({name} shifted by {shift})"
        return None

    def scaled(self, pv: Node, pu, gv: Node, gu, unit: str, factor: Node, mode: str) -> tuple[bool, str]:
        """Percent and degree policies: `factor` turns the unit into a plain value."""
        if pu == unit and gu == unit or mode == "ignore":
            same = self.value(pv, gv)
            return same, f"equal values ({unit} as written)" if same else "different values"
        p_plain = Mul((pv, factor)) if pu == unit else pv
        g_plain = Mul((gv, factor)) if gu == unit else gv
        if self.value(p_plain, g_plain):
            return True, f"equal values ({unit} converted)"
        if mode in ("flexible", "scaled") and self.value(pv, gv):
            return True, f"equal values ({unit} sign omitted on one side)"
        return False, "different values"

    def units(self, pv: Node, pu: str | None, gv: Node, gu: str | None) -> tuple[bool, str]:
        pm, gm = _MODULUS.fullmatch(pu or ""), _MODULUS.fullmatch(gu or "")
        if pm and gm:  # x \equiv 9 \pmod 7 against x \equiv 2 \pmod 7: residues, the same modulus
            return self.congruent(pv, gv, int(pm.group(1))) if pm.group(1) == gm.group(1) else (False, "moduli differ")
        mode = self.policy.units
        same_unit = pu is not None and gu is not None and unit_key(pu) == unit_key(gu)
        if mode == "strip" or (mode == "auto" and (pu is None or gu is None or same_unit)):
            same = self.value(pv, gv)
            return same, "equal values (units set aside)" if same else "different values"
        if mode == "strict" and (pu is None or gu is None):
            return False, "a unit is missing on one side"
        if same_unit:
            same = self.value(pv, gv)
            return same, "equal values, same unit" if same else "different values"
        if self.backend is None:
            raise NeedsSymbolic("unit conversion")
        self.stage = "symbolic"
        converted = self.backend.units_equal(pv, pu or "", gv, gu or "")
        if converted is None:
            if mode == "strict":
                return False, f"units {pu!r} and {gu!r} cannot be compared"
            same = self.value(pv, gv)
            return same, "equal values (units set aside)" if same else "different values"
        return converted, "equal quantities" if converted else "different quantities"

    def congruent(self, p: Node, g: Node, modulus: int) -> tuple[bool, str]:
        """Two integers modulo `modulus` (other values: equal values)."""
        try:
            a, b = exact_value(p), exact_value(g)
        except NotExact:
            same = self.value(p, g)
        else:
            same = a == b or (a.denominator == b.denominator == 1 and modulus > 0 and (a - b) % modulus == 0)
        return same, f"congruent modulo {modulus}" if same else f"not congruent modulo {modulus}"

    def value(self, p: Node, g: Node) -> bool:
        """Two scalar expressions are equal (exact first, then symbolic)."""
        if p == g:
            return True
        if isinstance(p, (Group, Matrix, Rel, Text, Unit)) or isinstance(g, (Group, Matrix, Rel, Text, Unit)):
            return self.answers(p, g)[0]
        try:
            a = exact_value(p)
            b = exact_value(g)
        except NotExact:
            pass
        else:
            self.stage = max_stage(self.stage, "exact")
            return self.rationals(a, b, g, p)
        if self.backend is None:
            raise NeedsSymbolic("not a rational number")
        self.stage = "symbolic"
        return self.backend.equal(p, g)

    def rationals(self, a: Fraction, b: Fraction, gold: Node, pred: Node | None = None) -> bool:
        if a == b:
            return True
        tol = self.policy.rel_tol
        if tol > 0 and abs(a - b) <= Fraction(tol) * max(abs(a), abs(b)):
            return True
        wa, wb = approximation(pred, a), approximation(gold, b)
        why = approximately(a, b, wa, wb, terminates(a), terminates(b), self.policy)
        if why is not None:
            self.tolerated = why
            return True
        if self.policy.match_gold_precision:
            places = decimal_places(gold)
            if places is not None and round(a, places) == b:
                return True
        return False

    @staticmethod
    def wrap(result: tuple[bool, str], what: str) -> tuple[bool, str]:
        return result[0], f"{what}: {result[1]}"


# -- helpers ------------------------------------------------------------------------------------
_STAGES = {"structure": 0, "text": 0, "exact": 1, "symbolic": 2}


def words_of(node: Node) -> str | None:
    """A comparable text form of a text answer or of a bare name/number (for `(C)` vs `\\text{C}`)."""
    if isinstance(node, Text):
        return node.text if node.literal else normalize_text(node.text)
    if isinstance(node, Sym):
        return normalize_text(node.name)
    if isinstance(node, Num) and node.text:
        return normalize_text(node.text)
    if isinstance(node, Mul) and all(isinstance(a, Sym) for a in node.args):
        return normalize_text("".join(a.name for a in node.args))
    return None


INTEGER_LETTERS = {"k", "n", "m", "j", "l"}


def substitute(node: Node, name: str, value: Node) -> Node:
    """The node with every variable `name` replaced by `value`."""
    if isinstance(node, Sym):
        return value if node.name == name else node
    if not free_names(node) or isinstance(node, Raw):
        return node
    changes = {}
    for f in fields(node):
        item = getattr(node, f.name)
        if isinstance(item, Node):
            changes[f.name] = substitute(item, name, value)
        elif isinstance(item, tuple):
            changes[f.name] = tuple(
                substitute(x, name, value)
                if isinstance(x, Node)
                else tuple(substitute(y, name, value) for y in x)
                if isinstance(x, tuple)
                else x
                for x in item
            )
    return replace(node, **changes)


def _linear_in(node: Node, name: str) -> bool:
    """Whether `name` enters the expression at most linearly (sums, products by constants, division by constants)."""
    if name not in free_names(node) or isinstance(node, Sym):
        return True
    if isinstance(node, Add):
        return all(_linear_in(a, name) for a in node.args)
    if isinstance(node, Neg):
        return _linear_in(node.arg, name)
    if isinstance(node, Mul):
        holding = [a for a in node.args if name in free_names(a)]
        return len(holding) == 1 and _linear_in(holding[0], name)
    if isinstance(node, Div):
        return name not in free_names(node.den) and _linear_in(node.num, name)
    return False


_TENS = {w: 10 * k for k, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALE_WORDS = {"thousand": 10**3, "million": 10**6, "billion": 10**9}


def words_number(text: str) -> int | None:
    """A whole number written in English words (`twenty four`, `one hundred and five`, `a thousand`), else None."""
    words = [w for w in text.split() if w != "and"]
    if not words or len(words) > 12:
        return None
    total = part = 0
    last = ""  # what the previous word was: unit (0-19), ten, hundred, scale; "one two" is no number
    for k, word in enumerate(words):
        if word in _TENS and last in ("", "hundred", "scale"):
            part, last = part + _TENS[word], "ten"
        elif word in NUMBER_WORDS and (
            last in ("", "hundred", "scale") or (last == "ten" and 0 < NUMBER_WORDS[word] < 10)
        ):
            part, last = part + NUMBER_WORDS[word], "unit"
        elif word == "a" and not last and k + 1 < len(words) and words[k + 1] in ("hundred", *_SCALE_WORDS):
            part, last = 1, "unit"
        elif word == "hundred" and last == "unit" and 0 < part < 10:
            part, last = part * 100, "hundred"
        elif word in _SCALE_WORDS and last in ("unit", "ten", "hundred") and part:
            total, part, last = total + part * _SCALE_WORDS[word], 0, "scale"
        else:
            return None
    return total + part


def max_stage(a: str, b: str) -> str:
    """The deeper of two comparison stages."""
    return a if _STAGES.get(a, 0) >= _STAGES.get(b, 0) else b


def canon(node: Node) -> Node:
    """One spelling for answers that mean the same: `x \\in S` is S, `a or b` is a list, `a \\pm b` two values."""
    if isinstance(node, Mul) and len(node.args) == 2 and _POINT_LABEL.fullmatch(getattr(node.args[0], "name", "")):
        point = node.args[1]  # P(2, 3), M(\frac12, 1): a named point is its coordinates
        if isinstance(point, Group) and point.open == "(" and len(point.items) >= 2:
            return point
    if isinstance(node, (Div, Mul, Add, Neg, Pow)) and _count_pm(node) == 1:  # \frac{-1 \pm \sqrt5}{2}
        return Group("", "", (_pick_pm(node, 1), _pick_pm(node, -1)))
    if isinstance(node, Member) and (isinstance(node.elem, Sym) or is_name(node.elem)):
        return canon(node.set)
    if isinstance(node, Alt) or (
        isinstance(node, Both)
        and all(not isinstance(i, Rel) or set(i.ops) == {"="} for i in node.items)  # "x = 2 and x = 3"
    ):
        node = Group("", "", node.items)
    if isinstance(node, Group) and node.open == "{" and any(_is_pm(i) for i in node.items):
        expanded: list[Node] = []
        for item in node.items:
            item = canon(item) if _is_pm(item) else item
            expanded.extend(item.items if isinstance(item, Group) and item.open == "" else (item,))
        return Group("{", "}", tuple(expanded))
    if isinstance(node, Call) and node.name in ("pm", "mp") and len(node.args) == 2:
        a, b = node.args
        plus, minus = Add((a, b)), Add((a, Neg(b)))
        if a == Num(Fraction(0)):
            plus, minus = b, Neg(b)
        node = Group("", "", (plus, minus) if node.name == "pm" else (minus, plus))
    if isinstance(node, Group) and node.open == "":
        items: list[Node] = []
        for item in node.items:
            item = item if isinstance(item, Member) and len(node.items) > 1 else canon(item)  # x \in R, x \ne 1
            if isinstance(item, Group) and item.open == "":
                items.extend(item.items)
            else:
                items.append(item)
        if len(items) == 1:
            return items[0]
        values = solutions(items) or systems(items)
        return Group("", "", tuple(values if values is not None else items))
    return node


_POINT_LABEL = re.compile(r"[A-Z](?:_\w+)?")


def systems(items: list[Node]) -> list[Node] | None:
    """`x=3, y=1; x=5, y=2` as the tuples `(3, 1), (5, 2)`: solutions of a system, names in written order."""
    pairs = [solved(i) for i in items]
    if any(p is None or not isinstance(p[0], Sym) for p in pairs):
        return None
    names = [p[0] for p in pairs]  # type: ignore[index]
    width = names.index(names[0], 1) if names.count(names[0]) > 1 else 0
    if width < 2 or len(names) % width:
        return None
    order = names[:width]
    if len(set(order)) != width:
        return None
    out: list[Node] = []
    for start in range(0, len(pairs), width):
        chunk = dict(pairs[start : start + width])  # type: ignore[arg-type]
        if set(chunk) != set(order):
            return None
        out.append(Group("(", ")", tuple(chunk[n] for n in order)))
    return out


def _count_pm(node: Node) -> int:
    return sum(1 for n in _walk(node) if _is_pm(n))


def _walk(node: Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(children(n))


def _pick_pm(node: Node, sign: int) -> Node:
    """The node with its one `a \\pm b` replaced by `a + b` (sign 1) or `a - b` (sign -1)."""
    if _is_pm(node):
        a, b = node.args  # type: ignore[attr-defined]
        if node.name == "mp":  # type: ignore[attr-defined]
            sign = -sign
        b = b if sign > 0 else Neg(b)
        return b if a == Num(Fraction(0)) else Add((a, b))
    if isinstance(node, Neg):
        return Neg(_pick_pm(node.arg, sign))
    if isinstance(node, (Add, Mul)):
        return type(node)(tuple(_pick_pm(a, sign) for a in node.args))
    if isinstance(node, Div):
        return Div(_pick_pm(node.num, sign), _pick_pm(node.den, sign))
    if isinstance(node, Pow):
        return Pow(_pick_pm(node.base, sign), _pick_pm(node.exp, sign))
    if isinstance(node, Call):
        return Call(node.name, tuple(_pick_pm(a, sign) for a in node.args))
    return node


def _is_pm(node: Node) -> bool:
    return isinstance(node, Call) and node.name in ("pm", "mp") and len(node.args) == 2


def solutions(items: list[Node]) -> list[Node] | None:
    """The values of `x = 1, x = 2` (one variable, solved form), else None."""
    keys = []
    values = []
    for item in items:
        s = solved(item)
        if s is None:
            return None
        keys.append(s[0])
        values.append(s[1])
    return values if len(set(keys)) == 1 else None


def is_name(node: Node) -> bool:
    """A variable, a tuple of variables, or a product of variables (as in `xy = 6`)."""
    if isinstance(node, Sym):
        return True
    if isinstance(node, Mul):
        return all(isinstance(a, Sym) for a in node.args)
    if isinstance(node, Group) and node.open in ("(", "<"):
        return all(isinstance(a, Sym) for a in node.items)
    return False


def is_system(node: Node) -> bool:
    """`x = 2, y = -1`: a bare list of values stated for two or more different variables."""
    if not isinstance(node, Group) or node.open != "" or len(node.items) < 2:
        return False
    pairs = [solved(i) for i in node.items]
    if any(p is None or not isinstance(p[0], Sym) for p in pairs):
        return False
    return len({p[0] for p in pairs}) == len(pairs)  # type: ignore[index]


def alphabetical(items: tuple[Node, ...]) -> tuple[Node, ...] | None:
    """`y = 1, x = 3` in the order of the names (x, y), to meet the tuple `(3, 1)`; None if not such a list."""
    pairs = [solved(i) for i in items]
    if any(p is None or not isinstance(p[0], Sym) for p in pairs):
        return None
    names = [p[0].name for p in pairs]  # type: ignore[union-attr,index]
    if len(set(names)) != len(names) or names == sorted(names):
        return None
    return tuple(i for _, i in sorted(zip(names, items), key=lambda pair: pair[0]))


def function_lhs(node: Node) -> bool:
    """`f(x)`, read as a product f*x by the parser."""
    head = node.args[0] if isinstance(node, Mul) and node.args else None
    if isinstance(head, Pow) and head.exp == Neg(Num(Fraction(1))):  # the inverse function f^{-1}(x)
        head = head.base
    return (
        isinstance(node, Mul)
        and len(node.args) == 2
        and isinstance(head, Sym)
        and head.name in FUNCTION_LETTERS
        and (
            isinstance(node.args[1], Sym)
            or (isinstance(node.args[1], Group) and all(isinstance(a, Sym) for a in node.args[1].items))
        )
    )


def solved(node: Node) -> tuple[Node, Node] | None:
    """(name, value) for an equation in solved form (`x = 3`, `y = 2x + 1`, `f(x) = x^2`), else None.

    A chain `x = 2 + 3 = 5` is solved with its last value.
    """
    if not isinstance(node, Rel) or set(node.ops) != {"="}:
        return None
    if len(node.ops) > 1:
        first, last = node.args[0], node.args[-1]
        if (is_name(first) or function_lhs(first)) and not (free_names(first) & free_names(last)):
            return first, last
        return None
    left, right = node.args
    for name, value in ((left, right), (right, left)):
        if function_lhs(name) or _is_derivative(name):
            return name, value
        if (is_name(name) or is_quantity(name)) and not (free_names(name) & free_names(value)):
            return name, value
    return None


def _is_derivative(node: Node) -> bool:
    """`\\frac{dy}{dx}`, read as the quotient of the products d*y and d*x."""
    d = Sym("d")
    return (
        isinstance(node, Div)
        and all(isinstance(part, Mul) and len(part.args) == 2 and part.args[0] == d for part in (node.num, node.den))
        and all(isinstance(part.args[1], Sym) for part in (node.num, node.den))  # type: ignore[attr-defined]
    )


def is_quantity(node: Node) -> bool:
    """A quantity named by letters only: `AB`, `|CD|`, `A_1:A_2`, `x + y`, `P(A)` (no numbers)."""
    if isinstance(node, Sym):
        return True
    if isinstance(node, (Add, Mul)):
        return all(is_quantity(a) for a in node.args)
    if isinstance(node, Div):
        return is_quantity(node.num) and is_quantity(node.den)
    if isinstance(node, Call) and node.name == "abs":
        return all(is_quantity(a) for a in node.args)
    return False


def open_variable(node: Node) -> str | None:
    """The variable of an equation or inequality in one variable that is not in solved form, else None.

    `x^2 = 9`, `2x + 1 = 7`, `3 < 3x`, `|x| = 3`, `x^2 > 1 and x < 5` are open; `x = 3`, `x > 1`,
    `1 < x \\le 2`, `x = 3 or x = -3` are solved; `y = 2x + 1` has two variables.
    """
    if isinstance(node, Rel):
        parts: tuple[Node, ...] = (node,)
    elif isinstance(node, (Alt, Both)) and node.items and all(isinstance(i, Rel) for i in node.items):
        parts = node.items
    else:
        return None
    names = free_names(node)
    if len(names) != 1 or as_intervals(node) is not None:
        return None
    if all(_states_value(r) for r in parts):
        return None
    return next(iter(names))


def _states_value(rel: Node) -> bool:
    s = solved(rel)
    return s is not None and isinstance(s[0], Sym)


def stated_names(node: Node) -> set[str]:
    """The variables a relational answer speaks of (`x = 3`: x; `x_1 = 2, x_2 = 3`: x); none for a value."""
    if isinstance(node, (Rel, Member, Alt, Both)) or (
        isinstance(node, Group) and node.open == "" and any(isinstance(i, Rel) for i in node.items)
    ):
        return {name.split("_")[0] for name in free_names(node)}
    return set()


def bound_names(node: Node) -> set[str]:
    """The variables that solved inequalities or memberships bound (`x > 2`, `x \\in (2, 5)`: x); none for a set."""
    if isinstance(node, Member):
        return {node.elem.name} if isinstance(node.elem, Sym) else set()
    if isinstance(node, Rel):
        if not any(op != "=" for op in node.ops) or rel_intervals(node) is None:
            return set()
        return {a.name for a in node.args if isinstance(a, Sym)}
    if isinstance(node, (Alt, Both)) or (isinstance(node, Group) and node.open == ""):
        return set().union(*(bound_names(i) for i in node.items))
    return set()


def is_value(node: Node) -> bool:
    """A constant answer without relations or sets: a number, an expression of constants, a tuple."""
    return not isinstance(node, (Rel, Member, Alt, Both, SetOp)) and not free_names(node)


def product_equation(node: Node) -> Rel | None:
    """`a = b or c = d` in several variables as `(a - b)(c - d) = 0`; None for anything else."""
    if not isinstance(node, Alt) or len(node.items) < 2:
        return None
    if not all(isinstance(i, Rel) and i.ops == ("=",) for i in node.items):
        return None
    if len(free_names(node)) < 2 or solutions(list(node.items)) is not None:
        return None
    factors = tuple(Add((i.args[0], Neg(i.args[1]))) for i in node.items)  # type: ignore[attr-defined]
    return Rel(("=",), (Mul(factors), Num(Fraction(0), "0")))


def name_text(node: Node) -> str:
    if _is_derivative(node):
        return f"d{node.num.args[1].name}/d{node.den.args[1].name}"  # type: ignore[attr-defined]
    if isinstance(node, Sym):
        return node.name
    if isinstance(node, Group):
        return "(" + ", ".join(name_text(a) for a in node.items) + ")"
    if isinstance(node, Mul):
        return "".join(name_text(a) for a in node.args)
    if isinstance(node, Add):
        return " + ".join(name_text(a) for a in node.args)
    if isinstance(node, Div):
        return f"{name_text(node.num)}:{name_text(node.den)}"
    if isinstance(node, Call) and node.name == "abs":
        return f"|{name_text(node.args[0])}|"
    if isinstance(node, Pow):
        return f"{name_text(node.base)}^-1"
    return "the variable"


def is_inequality(node: Node) -> bool:
    if isinstance(node, Rel):
        return any(op in ("<", ">", "<=", ">=") for op in node.ops)
    if isinstance(node, (Alt, Both)) or (isinstance(node, Group) and node.open == ""):
        items = node.items
        return bool(items) and all(is_inequality(i) for i in items)
    return False


def is_infinite(node: Node) -> bool:
    return node == Const("oo") or (isinstance(node, Neg) and node.arg == Const("oo"))


def as_intervals(node: Node) -> tuple[list[Interval], bool] | None:
    """The intervals a node denotes, and whether it is surely an interval (not a tuple); else None."""
    if isinstance(node, Group) and len(node.items) == 2 and node.open in ("(", "[") and node.close in (")", "]"):
        lo, hi = node.items
        if isinstance(lo, (Group, Rel, Text, Matrix)) or isinstance(hi, (Group, Rel, Text, Matrix)):
            return None
        definite = node.open + node.close in ("(]", "[)") or is_infinite(lo) or is_infinite(hi)
        return [(lo, hi, node.open == "[", node.close == "]")], definite
    if isinstance(node, Rel):
        if node.ops == ("!=",) and _count_pm(node) == 1:  # x \ne \pm 2: neither 2 nor -2
            return as_intervals(
                Both(tuple(Rel(node.ops, tuple(_pick_pm(a, sign) for a in node.args)) for sign in (1, -1)))
            )
        ivs = rel_intervals(node)
        return (ivs, True) if ivs is not None else None
    if isinstance(node, SetOp) and node.op in ("setminus", "cap") and len(node.args) == 2:
        parts = [_points_or_intervals(a) for a in node.args]  # R \setminus \{1\}, [0, 5] \cap (1, 9)
        if parts[0] is None or parts[1] is None:
            return None
        a, b = exact_intervals(parts[0]), exact_intervals(parts[1])
        if a is None or b is None:
            return None
        out = intersect(a, complement(b) if node.op == "setminus" else b)
        return [(_endpoint_node(lo), _endpoint_node(hi), lc, hc) for lo, hi, lc, hc in out], True
    if isinstance(node, SetOp) and node.op == "cup":
        out: list[Interval] = []
        for part in node.args:
            if isinstance(part, Group) and part.open == "{":  # a finite set: points
                if any(isinstance(i, (Group, Rel, Text, Matrix)) for i in part.items):
                    return None
                out.extend((i, i, True, True) for i in part.items)
                continue
            sub = as_intervals(part)
            if sub is None:
                return None
            out.extend(sub[0])
        return out, True
    if isinstance(node, Member) and isinstance(node.elem, Sym):  # x \in \mathbb{R}, as a condition
        sub = _points_or_intervals(node.set)
        return (sub, True) if sub is not None else None
    if isinstance(node, Add) and len(node.args) == 2 and isinstance(node.args[1], Neg):  # \mathbb{R} - \{1\}
        removed = node.args[1].arg
        if isinstance(removed, Group) and removed.open == "{" and as_intervals(node.args[0]) is not None:
            return as_intervals(SetOp("setminus", (node.args[0], removed)))
        return None
    if isinstance(node, (Alt, Group)) and (not isinstance(node, Group) or node.open == "") and node.items:
        pieces = [as_intervals(i) if isinstance(i, Group) else None for i in node.items]
        if isinstance(node, Group) and all(pieces):  # (-oo, -1), (3, oo): pieces of a union (or pairs)
            return [iv for piece in pieces for iv in piece[0]], any(piece[1] for piece in pieces)  # type: ignore[index]
        if not all(isinstance(i, Rel) or (isinstance(i, Member) and isinstance(i.elem, Sym)) for i in node.items):
            return None
        if all(isinstance(i, Member) for i in node.items):
            return None
        out = []
        for part in node.items:
            sub = as_intervals(part)
            if sub is None:
                return None
            out.extend(sub[0])
        if isinstance(node, Group) and len(node.items) > 1:  # -1 < x < 1, x \ne 0: conditions, not pieces
            both = as_intervals(Both(node.items))
            if both is not None and exact_intervals(out) is not None and merge(exact_intervals(out)) == _WHOLE_LINE:
                return both
        return out, True
    if isinstance(node, Both) and len(node.items) >= 2:  # x > 0 and x \ne 1: the intersection
        result = [(_NEG_INF_KEY, _INF_KEY, False, False)]
        for item in node.items:
            sub = as_intervals(item)
            ex = exact_intervals(sub[0]) if sub is not None else None
            if ex is None:
                return None
            result = intersect(result, ex)
        return [(_endpoint_node(lo), _endpoint_node(hi), lc, hc) for lo, hi, lc, hc in result], True
    return None


def _points_or_intervals(node: Node) -> list[Interval] | None:
    """The intervals of a set operand: a finite set `\\{1, 2\\}` as points, else its intervals."""
    if isinstance(node, Group) and node.open == "{":
        items = canon(node).items  # type: ignore[attr-defined]  # \{\pm 2\}: both points
        if any(isinstance(i, (Group, Rel, Text, Matrix)) for i in items):
            return None
        return [(i, i, True, True) for i in items]
    sub = as_intervals(node)
    return sub[0] if sub is not None else None


def rel_intervals(rel: Rel) -> list[Interval] | None:
    """Intervals of a solved inequality (`x > 3`, `1 < x <= 2`, `x != 0`), else None."""
    neg_inf, inf = Neg(Const("oo")), Const("oo")
    if len(rel.ops) == 1:
        a, b = rel.args
        op = rel.ops[0]
        if _is_variable(b) and not free_names(a):
            a, b, op = b, a, FLIP.get(op, op)
        if not _is_variable(a) or free_names(b):
            return None
        if op == "<":
            return [(neg_inf, b, False, False)]
        if op == "<=":
            return [(neg_inf, b, False, True)]
        if op == ">":
            return [(b, inf, False, False)]
        if op == ">=":
            return [(b, inf, True, False)]
        if op == "!=":
            return [(neg_inf, b, False, False), (b, inf, False, False)]
        return None
    if len(rel.ops) == 2:
        lo, mid, hi = rel.args
        o1, o2 = rel.ops
        if not _is_variable(mid) or free_names(lo) or free_names(hi):
            return None
        if o1 in (">", ">=") and o2 in (">", ">="):
            lo, hi, o1, o2 = hi, lo, FLIP[o2], FLIP[o1]
        if o1 in ("<", "<=") and o2 in ("<", "<="):
            return [(lo, hi, o1 == "<=", o2 == "<=")]
    return None


def _is_variable(node: Node) -> bool:
    """What a solved inequality bounds: a variable `x` or a function value `g(x)`."""
    return isinstance(node, Sym) or function_lhs(node)


FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


def orient(left: Node, right: Node, op: str) -> tuple[Node, Node, str]:
    """Write `a > b` as `b < a` so that relations compare with one operator set."""
    if op in (">", ">="):
        return right, left, FLIP[op]
    return left, right, op


_INF_KEY = (1, Fraction(0))
_NEG_INF_KEY = (-1, Fraction(0))


def _endpoint_key(node: Node) -> tuple[int, Fraction] | None:
    if node == Const("oo"):
        return _INF_KEY
    if isinstance(node, Neg) and node.arg == Const("oo"):
        return _NEG_INF_KEY
    try:
        return (0, exact_value(node))
    except (NotExact, TooLarge, Undefined):
        return None


def _endpoint_node(key: tuple[int, Fraction]) -> Node:
    if key == _INF_KEY:
        return Const("oo")
    if key == _NEG_INF_KEY:
        return Neg(Const("oo"))
    return Num(key[1], str(key[1]))


ExactInterval = tuple[tuple[int, Fraction], tuple[int, Fraction], bool, bool]
_WHOLE_LINE = [(_NEG_INF_KEY, _INF_KEY, False, False)]


def exact_intervals(ivs: list[Interval]) -> list[ExactInterval] | None:
    """Intervals with exact rational (or infinite) endpoints, else None."""
    out = []
    for lo, hi, lc, hc in ivs:
        a, b = _endpoint_key(lo), _endpoint_key(hi)
        if a is None or b is None:
            return None
        out.append((a, b, lc and a[0] == 0, hc and b[0] == 0))
    return out


def merge(ivs: list[ExactInterval]) -> list[ExactInterval]:
    """The canonical union: empty intervals dropped, overlapping and touching ones merged."""
    live = [iv for iv in ivs if iv[0] < iv[1] or (iv[0] == iv[1] and iv[2] and iv[3])]
    live.sort(key=lambda iv: (iv[0], not iv[2]))
    out: list[ExactInterval] = []
    for lo, hi, lc, hc in live:
        if out:
            plo, phi, plc, phc = out[-1]
            if lo < phi or (lo == phi and (lc or phc)):
                if hi > phi or (hi == phi and hc):
                    out[-1] = (plo, hi, plc, hc if hi > phi else (hc or phc))
                continue
        out.append((lo, hi, lc, hc))
    return out


def intersect(a: list[ExactInterval], b: list[ExactInterval]) -> list[ExactInterval]:
    """The intersection of two unions of intervals, merged."""
    out = []
    for x in merge(a):
        for y in merge(b):
            lo, lo_open = max((x[0], not x[2]), (y[0], not y[2]))
            hi, hi_closed = min((x[1], x[3]), (y[1], y[3]))
            out.append((lo, hi, not lo_open, hi_closed))
    return merge(out)


def complement(ivs: list[ExactInterval]) -> list[ExactInterval]:
    """The real numbers outside a union of intervals, merged."""
    out = []
    lo, lc = _NEG_INF_KEY, False
    for a, b, ac, bc in merge(ivs):
        out.append((lo, a, lc, not ac and a[0] == 0))
        lo, lc = b, not bc and b[0] == 0
    out.append((lo, _INF_KEY, lc, False))
    return merge(out)


def group_kind(g: Group) -> str:
    if g.open == "{":
        return "set"
    if g.open in ("(", "<"):
        return "tuple"
    if g.open == "[":
        return "list"
    return "bare"


def vector_items(node: Node) -> tuple[Node, ...] | None:
    if isinstance(node, Matrix):
        if len(node.rows) == 1:
            return node.rows[0]
        if all(len(r) == 1 for r in node.rows):
            return tuple(r[0] for r in node.rows)
        return None
    if isinstance(node, Group) and node.open in ("(", "<", "["):
        return node.items
    return None


def split_unit(node: Node) -> tuple[Node, str | None]:
    """(value, unit) of a Unit node; words like 'percent' and 'degrees' map to the built-in units."""
    if isinstance(node, Unit):
        unit = node.unit
        key = unit_key(unit)
        if key in ("percent", "pct", "percentage"):
            return node.arg, "percent"
        if key in ("degree", "deg", "°"):
            return node.arg, "degree"
        return node.arg, unit
    if isinstance(node, Neg) and isinstance(node.arg, Unit):
        value, unit = split_unit(node.arg)
        return Neg(value), unit
    return node, None


_MODULUS = re.compile(r"mod (\d+)")  # the unit the parser gives `\pmod{7}`


def unit_key(unit: str) -> str:
    """A unit spelling reduced for comparison: case, spaces and a plural 's' removed."""
    u = unit.strip().lower().replace(" ", "")
    if u.endswith("es") and u[:-2] in ("inch", "inche"):
        u = u[:-2]
    elif u.endswith("s") and len(u) > 3:
        u = u[:-1]
    return u


def decimal_places(node: Node) -> int | None:
    if isinstance(node, Neg):
        return decimal_places(node.arg)
    if isinstance(node, Num) and "." in node.text and "e" not in node.text.lower():
        return len(node.text.split(".", 1)[1])
    return None


__all__ = ["Comparer", "NeedsSymbolic", "Unverifiable", "Verdict", "judge", "read", "looks_like_math"]
