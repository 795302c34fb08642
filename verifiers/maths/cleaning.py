"""String clean-up of an extracted answer before parsing: wrappers, spacing, Unicode, LaTeX synonyms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_SUPERSCRIPTS = str.maketrans(
    {
        "²": "^2",
        "³": "^3",
        "¹": "^1",
        "⁰": "^0",
        "⁴": "^4",
        "⁵": "^5",
        "⁶": "^6",
        "⁷": "^7",
        "⁸": "^8",
        "⁹": "^9",
        "⁻": "^-",
    }
)
_UNICODE = {
    "\u2212": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00d7": "*",
    "\u22c5": "*",
    "\u00b7": "*",
    "\u2219": "*",
    "\u00f7": "/",
    "\u2044": "/",
    "\u2215": "/",
    "\u03c0": "\\pi ",
    "\u221e": "\\infty ",
    "\u221a": "\\sqrt",
    "\u2264": "\\le ",
    "\u2265": "\\ge ",
    "\u2260": "\\ne ",
    "\u2248": "\\approx ",
    "\u222a": "\\cup ",
    "\u2229": "\\cap ",
    "\u2208": "\\in ",
    "\u2205": "\\emptyset ",
    "\u00b0": "^\\circ ",
    "\u00b1": "\\pm ",
    "\u2213": "\\mp ",
    "\u27e8": "\\langle ",
    "\u27e9": "\\rangle ",
    "\u03b8": "\\theta ",
    "\u03b1": "\\alpha ",
    "\u03b2": "\\beta ",
    "\u2032": "'",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}
_UNICODE_RE = re.compile("|".join(re.escape(k) for k in _UNICODE))

# LaTeX synonyms mapped to one spelling (longest first where one is a prefix of another).
_SYNONYMS = [
    (re.compile(r"\\(?:d|t|c)frac(?![a-zA-Z])"), r"\\frac"),
    (re.compile(r"\\(?:d|t)binom(?![a-zA-Z])"), r"\\binom"),
    (re.compile(r"\\(?:leqslant|leq|le)(?![a-zA-Z])"), r"\\le "),
    (re.compile(r"\\(?:geqslant|geq|ge)(?![a-zA-Z])"), r"\\ge "),
    (re.compile(r"\\(?:neq|ne)(?![a-zA-Z])"), r"\\ne "),
    (re.compile(r"\\lt(?![a-zA-Z])"), "<"),
    (re.compile(r"\\gt(?![a-zA-Z])"), ">"),
    (re.compile(r"\\(?:cdot|times|ast)(?![a-zA-Z])"), "*"),
    (re.compile(r"\\div(?![a-zA-Z])"), "/"),
    (re.compile(r"\\(?:varnothing|emptyset|O)(?![a-zA-Z])"), r"\\emptyset "),
    (re.compile(r"\\(?:infin|infinity)(?![a-zA-Z])"), r"\\infty "),
    (re.compile(r"\\(?:lvert|rvert|vert|mid)(?![a-zA-Z])"), "|"),
    (re.compile(r"\\(?:lbrace)(?![a-zA-Z])"), r"\\{"),
    (re.compile(r"\\(?:rbrace)(?![a-zA-Z])"), r"\\}"),
    (re.compile(r"\\(?:lbrack)(?![a-zA-Z])"), "["),
    (re.compile(r"\\(?:rbrack)(?![a-zA-Z])"), "]"),
    (re.compile(r"\\(?:degree|degrees)(?![a-zA-Z])"), r"^\\circ "),
    (re.compile(r"\^\s*\{\s*\\circ\s*\}"), r"^\\circ "),
    (re.compile(r"\\(?:land|wedge)(?![a-zA-Z])"), r"\\text{ and }"),
    (re.compile(r"\\(?:lor|vee)(?![a-zA-Z])"), r"\\text{ or }"),
]
# Sizing and spacing commands that carry no meaning in an answer.
_DROP = re.compile(
    r"\\(?:left|right|middle|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\s*\.?"
    r"|\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits|mathstrut|strut|hfill|phantom\{[^{}]*\})(?![a-zA-Z])"
)
_SPACES = re.compile(r"(?<!\\)\\[,;:!> ]|\\(?:quad|qquad|enspace|thinspace|medspace|thickspace|space)(?![a-zA-Z])|~")
_THOUSANDS_LATEX = re.compile(r"(?<=\d)\s?\{\s?,\s?\}\s?(?=\d{3})|(?<=\d),\\!\s?(?=\d{3})|(?<=\d)\\,(?=\d{3}(?!\d))")
_THOUSANDS_SPACED = re.compile(r"[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?")
_THOUSANDS_PLAIN = re.compile(r"(?<![\d,.\w])(\d{1,3}(?:,\d{3})+)((?:\.\d+)?)(?![\d,])")
_WS = re.compile(r"\s+")
_BOXED_WHOLE = re.compile(r"^\\(?:boxed|fbox)\s*\{(.*)\}$", re.DOTALL)
_TRAILING = re.compile(r"(?:[.;:,]|\\\\|\\text\{\s*\.\s*\})+$")
_CURRENCY = re.compile(r"\\\$|(?<![\\\w])\$(?=\s*\d)|(?<=\d)\s*\\\$|USD|EUR|€|£|¥")
_TEMPERATURE = re.compile(r"\^\s*\\circ\s*\\?(?:mathrm\{|text\{)?\s*([CF])\}?(?![a-zA-Z])")
_PYTHON_POWER = re.compile(r"(?<=[\w)}\]])\s*\*\*\s*(?=[\w({\[+-])")
_LEADING_ANSWER = re.compile(r"^(?:\\approx|\\sim|=|:)\s*")
_REPEATING = re.compile(r"(\d*)\.(\d*)\\(?:overline|bar|dot)\s*\{(\d{1,30})\}")


def _repeating(m: re.Match) -> str:
    """`0.1\\overline{6}` as an exact fraction `\\frac{1}{6}`."""
    whole, fixed, rep = m.group(1) or "0", m.group(2), m.group(3)
    num = (int(fixed + rep) - int(fixed or "0")) + int(whole) * (10 ** len(fixed + rep) - 10 ** len(fixed))
    den = 10 ** len(fixed + rep) - 10 ** len(fixed)
    return f"\\frac{{{num}}}{{{den}}}"


def strip_wrappers(s: str) -> str:
    """Remove surrounding `$`, `$$`, `\\(\\)`, `\\[\\]`, `\\boxed{}`, bold markers and trailing punctuation."""
    s = s.strip()
    for _ in range(20):
        before = s
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"), ("**", "**")):
            if len(s) > len(left) + len(right) and s.startswith(left) and s.endswith(right):
                s = s[len(left) : len(s) - len(right)].strip()
        m = _BOXED_WHOLE.match(s)
        if m and _balanced(m.group(1)):
            s = m.group(1).strip()
        s = _TRAILING.sub("", s).strip()
        if s == before:
            break
    return s


def brace_depths(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """(index, nesting depth after it) of each brace from `start` on; a backslash escapes the next character."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
            yield i, depth
        elif c == "}":
            depth -= 1
            yield i, depth
        i += 1


def _balanced(s: str) -> bool:
    depth = 0
    for _, depth in brace_depths(s):
        if depth < 0:
            return False
    return depth == 0


def _join_thousands(m: re.Match) -> str:
    """`12,345` is 12345, except as the whole content of brackets, where `(12,102)` is a pair."""
    text = m.string
    before = text[m.start() - 1] if m.start() > 0 else ""
    after = text[m.end()] if m.end() < len(text) else ""
    if before in "([{" and before and after in ")]}" and after:
        return m.group(0)
    return m.group(1).replace(",", "") + m.group(2)


def clean(answer: str, thousands: bool = True) -> str:
    """A canonical spelling of an answer string: same meaning, fewer ways to write it."""
    s = answer.translate(_SUPERSCRIPTS)
    s = _UNICODE_RE.sub(lambda m: _UNICODE[m.group(0)], s)
    s = unicodedata.normalize("NFKC", s)
    s = strip_wrappers(s)
    if "\\" in s:
        s = _REPEATING.sub(_repeating, s)
    s = _DROP.sub("", s)
    if thousands:
        s = _THOUSANDS_LATEX.sub("", s)
    s = _SPACES.sub(" ", s)
    for pattern, repl in _SYNONYMS:
        s = pattern.sub(repl, s)
    s = _TEMPERATURE.sub(lambda m: " \\text{deg" + m.group(1) + "}", s)  # 30^\\circ C is a temperature
    s = _CURRENCY.sub(" ", s)
    s = s.replace("\\%", "%")
    if "**" in s:
        s = _PYTHON_POWER.sub("^", s)  # plain-text x**2
    s = _WS.sub(" ", s).strip()
    s = _LEADING_ANSWER.sub("", s)
    if thousands:
        s = _THOUSANDS_PLAIN.sub(_join_thousands, s)
        if _THOUSANDS_SPACED.fullmatch(s):  # "1 000 000"
            s = s.replace(" ", "")
    s = strip_wrappers(s)
    return s
