"""String clean-up of an extracted answer before parsing: wrappers, spacing, Unicode, LaTeX synonyms.

Also the readings that need the answer as a whole: decimal commas (`3,25`) against thousands
separators (`10,000`) and lists (`1,2,3`), doubled backslashes from JSON dumps (`\\\\frac`), units and
words glued to a number (`12days`, `57个`), list words of other languages (`2 et 5`) and stray
characters left at the ends (`42\\`, `17)`, a lone `$`).
"""

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
_SUPERSCRIPT_RUN = re.compile("[²³¹⁰⁴⁵⁶⁷⁸⁹⁻]+")


def _superscript(m: re.Match) -> str:
    """`x²` is x^2; a run of superscripts is one exponent: `10²³` is 10^{23}, `x⁻¹` is x^{-1}."""
    plain = m.group(0).translate(_SUPERSCRIPTS).replace("^", "")
    return "^" + plain if len(plain) == 1 else "^{" + plain + "}"


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
    "\u2236": ":",
    "\u21d2": "\\Rightarrow ",
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
    # font sizes and colours: `\large 7`, `\color{red}{7}`, `\textcolor{red}{7}`
    r"|\\(?:tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge)(?![a-zA-Z])\s*"
    r"|\\(?:color|textcolor)\s*\{[A-Za-z!\d.,]*\}\s*"
)
# Styles whose argument is the answer itself: `\underline{7}`, `\mathbf{7}`, `\bm{7}`.
_STYLE = re.compile(r"\\(?:underline|mathbf|boldsymbol|bm|mathit|mathsf|emph|textit|textsf)\s*\{")
_OVER = re.compile(r"\{([^{}]*)\\over(?![a-zA-Z])([^{}]*)\}|^([^{}]*)\\over(?![a-zA-Z])([^{}]*)$")
# An answer phrase written inside the box: `\boxed{\text{The answer is } 5}`.
_TEXT_LEAD = re.compile(
    r"^\\(?:text|textrm|textnormal|mbox)\s*\{\s*(?:the\s+)?(?:final\s+)?(?:answer|result)\s*(?:is|:|=)?\s*:?\s*\}\s*",
    re.IGNORECASE,
)
# 或 (or) and 且 (and) between conditions of a set or an inequality: `x<1或x>3`, `x>0且x\ne1`.
_CJK_LOGIC = re.compile(r"\s*(?:(或者?)|(并且|而且|且))\s*")
# "or"/"and" glued between two equations: `W(x)=1orW(x)=-1`.
_GLUED_LIST_WORD = re.compile(r"(?<=[\d)}])(or|and)(?=[A-Za-z](?:_\w+)?(?:\(\w{1,3}\))?\s*=)")
# A one-letter unit glued to a number of two or more digits or with a decimal (`100m`, `2.5h`); `3m` may be a product.
_GLUED_LETTER_UNIT = re.compile(r"^((?:\d{2,}|\d+\.\d+))(m|s|g|h|L)$")
_SPACES = re.compile(r"(?<!\\)\\[,;:!> ]|\\(?:quad|qquad|enspace|thinspace|medspace|thickspace|space)(?![a-zA-Z])|~")
_THOUSANDS_LATEX = re.compile(r"(?<=\d)\s?\{\s?,\s?\}\s?(?=\d{3})|(?<=\d),\\!\s?(?=\d{3})|(?<=\d)\\,(?=\d{3}(?!\d))")
_THOUSANDS_SPACED = re.compile(r"[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?")
_THOUSANDS_PLAIN = re.compile(r"(?<![\d,.\w])(\d{1,3}(?:,\d{3})+)((?:\.\d+)?)(?![\d,])")
_WS = re.compile(r"\s+")
_LATEX_COMMA = re.compile(r"(?<=\d)\{,\}(?=\d)")
_TEXT_WHOLE = re.compile(r"^\\(?:text|textrm|textnormal|textbf|mbox)\s*\{(.*)\}$", re.DOTALL)
_BOXED_WHOLE = re.compile(r"^\\(?:boxed|fbox)\s*\{(.*)\}$", re.DOTALL)
# A decimal that trails off (`0.1666...`, `3.14159\\ldots`) at the end of the answer, before any closing wrapper.
_DECIMAL_ELLIPSIS = re.compile(r"(\d\.\d+)\s*(?:\.{2,}|\\[lc]?dots\b)(?=[\s$}*\\)\]]*$)")
_TRAILING = re.compile(r"(?:[.;:,]|\\\\|\\text\{\s*\.\s*\})+$")
_CURRENCY = re.compile(r"\\\$|(?<![\\\w])(?:R|US|C|A|NZ|HK|S)?\$(?=\s*\d)|(?<=\d)\s*\\\$|USD|EUR|[€£¥₹₩₫₽₺₪₦฿₱₴₸₡]")
_TEMPERATURE = re.compile(r"\^\s*\\circ\s*\\?(?:mathrm\{|text\{)?\s*([CF])\}?(?![a-zA-Z])")
_PYTHON_POWER = re.compile(r"(?<=[\w)}\]])\s*\*\*\s*(?=[\w({\[+-])")
_LEADING_ANSWER = re.compile(r"^(?:\\approx|\\sim|=+>|->|\\Rightarrow|\\implies|\\Longrightarrow|=|:)\s*")
_CHOICE_MARK = re.compile(r"^(?:([A-E])[).]|\(?([a-e])\))(?=\s|$)")
_QUOTES = '"`\u201c\u201d\u00ab\u00bb'
_DOLLAR = re.compile(r"\\\$")
_STRAY_DOLLAR = re.compile(r"(?<!\\)\$")
_OPEN_BOX = re.compile(r"^\\(?:boxed|fbox)\s*\{")
_REPEATING = re.compile(r"(\d*)\.(\d*)\\(?:overline|bar|dot)\s*\{(\d{1,30})\}")


# The punctuation of full-width, CJK, Arabic and Devanagari text as ASCII; sentence marks get a space
# after them so that "57。所以" ends a sentence.
_SCRIPT_PUNCT = {
    "\u3000": " ",
    "\u3001": ", ",
    "\u3002": ". ",
    "\uff0c": ", ",
    "\uff1a": ": ",
    "\uff1b": "; ",
    "\uff01": "! ",
    "\uff1f": "? ",
    "\u060c": ", ",
    "\u061b": "; ",
    "\u061f": "? ",
    "\u066b": ".",
    "\u066c": ",",
    "\u066a": "%",
    "\u0964": ". ",
    "\u0965": ". ",
}
_BACKSLASHES = re.compile(r"\\+")
_COMMA_NUMBER = re.compile(r"(?<![\d.,])([-+]?\d+),(\d+)(?![\d,.])")
_GROUPED_COMMA_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:[. ]\d{3})+),(\d+)(?![\d,.])")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_GLUE = re.compile(rf"(?<=[\d}}%])(?=[{_CJK}])|(?<=[{_CJK}])(?=[-+\d\\])")
_LIST_WORDS = re.compile(
    r"(?<=[\d}])\s*(?:和|与|與|及|或|以及|或者|と|や|및|또는|و|أو|और|या)\s*(?=[-+\d\\]|[A-Za-z]\s*=)"
    r"|(?<=[\d}])\s+(?:et|ou|y|o|e|und|oder|и|или|ve|veya|và|hoặc|dan|atau|lub|oraz|och|eller)\s+(?=[-+\d\\]|[A-Za-z]\s*=)"
)
_GLUED_WORD = re.compile(r"(?<![A-Za-z\\\d.^_])(\d+(?:\.\d+)?)([A-Za-z]{2,})(?![A-Za-z\d{(])")
_SHORT_UNITS = set("cm mm km kg mg ml cl dl ft yd mi lb lbs oz hr hrs min sec day yr yrs mph kmh".split())
_FUNCTION_WORDS = set(
    "sin cos tan cot sec csc sinh cosh tanh coth log ln lg exp sqrt pi mod max min deg arcsin arccos arctan "
    "floor ceil gcd lcm binom alpha beta gamma delta theta lambda sigma omega phi".split()
)
_UNIT_AFTER_CONSTANT = re.compile(
    r"(?:(?<=[\d}])|(?<=\\pi))\s+(m|s|g|h|cm|mm|km|kg|mg|ml|ft|in|yd|mi|lb|oz|sec|min|hr|L)((?:\^\s*\{?\s*[23]\s*\}?)?)\s*$"
)
_EXPONENT = re.compile(r"\^\s*\{?\s*\d+\s*\}?")
_TEXT_GROUP = re.compile(r"\\(?:text|textrm|textnormal|mbox|mathrm)\s*\{([^{}]*)\}")
# A unit in \mathrm{} after a number (`5\,\mathrm{m/s}`), read as \text{} (not e, i or d: constants, differentials).
_MATHRM_UNIT = re.compile(
    r"(?<=[\d}])(\s*)\\(?:mathrm|operatorname)\s*\{\s*(?![eid]\s*\})([A-Za-z][A-Za-z/^.\d ]{0,15})\}"
)
_COMMAND_NAME = re.compile(r"\\[A-Za-z]+")
# A remark in \text{} after the answer: `5 \text{ (since } x > 0)`, `12 \quad \text{because ...}`.
_EXPLANATION = re.compile(
    r"\s*(?:\\quad|\\qquad|,)?\s*\\(?:text|textrm|textnormal|mbox)\s*\{\s*\(?\s*"
    r"(?:since|because|as|where|when|if|for|which|note|using|i\.e\.|e\.g\.|rounded|approx)\b"
    # or a remark in brackets, in \text{} or plain: `12 \text{ (after simplifying)}`, `5 (rounded down)`
    r"|\s*(?:\\(?:text|textrm|textnormal|mbox)\s*\{\s*)?\((?=[A-Za-z][A-Za-z ,.'-]*[A-Za-z]{4}[A-Za-z ,.'-]*\)\s*\}?\s*$)",
    re.IGNORECASE,
)


def script_digits(text: str) -> str:
    """Digits of every script as ASCII digits; full-width, CJK, Arabic and Devanagari punctuation as ASCII;
    direction marks and zero-width characters dropped."""
    if text.isascii():
        return text
    return text.translate(_SCRIPT_TABLE)


class _ScriptTable(dict):
    """A `str.translate` table filled on first sight of each character (the lookups then stay in C)."""

    def __missing__(self, code: int) -> str | int | None:
        c = chr(code)
        value: str | int | None = code
        if unicodedata.category(c) == "Cf":
            value = None  # direction marks and zero-width characters (Arabic and Hebrew text) are dropped
        elif c in _SCRIPT_PUNCT:
            value = _SCRIPT_PUNCT[c]
        elif "\uff01" <= c <= "\uff5e":
            value = chr(code - 0xFEE0)
        elif c.isdecimal() and not c.isascii():
            value = str(unicodedata.decimal(c))
        self[code] = value
        return value


_SCRIPT_TABLE = _ScriptTable()


def undouble_backslashes(text: str) -> str:
    """LaTeX escaped twice (`\\\\frac{1}{2}`, as JSON dumps leave it) with single backslashes again.

    Only when every run of backslashes has even length and one of them starts a command (or a brace,
    when a doubled closing brace is there too: `\\\\{1, 2\\\\}`): a matrix row break (`1 \\\\ 2`) in
    ordinary LaTeX is left alone.
    """
    for _ in range(3):
        if "\\\\" not in text:
            return text
        command = False
        for m in _BACKSLASHES.finditer(text):
            if len(m.group(0)) % 2:
                return text
            after = text[m.end() : m.end() + 1]
            command = command or (after.isascii() and after.isalpha()) or (after == "{" and "\\\\}" in text)
        if not command:
            return text
        text = _BACKSLASHES.sub(lambda m: "\\" * (len(m.group(0)) // 2), text)
    return text


def decimal_commas(s: str, mode: str = "auto") -> str:
    """A comma between digits read as a decimal point, by the `decimal_comma` policy.

    "auto": only in an answer with a single comma, outside brackets, that is not a thousands
    separator (exactly three digits after it and one to three before, not starting with 0):
    `3,25`, `2048,5`, `-1,75`, `0,500` and `1.234,5` are decimals; `10,000`, `(3,25)` and `1,2,3`
    are not. "always": every comma between digits in a number with one comma. "never": none.
    """
    if mode == "never" or "," not in s:
        return s
    if mode == "always":
        return _COMMA_NUMBER.sub(r"\1.\2", s)
    if s.count(",") != 1:
        return s
    m = _GROUPED_COMMA_NUMBER.search(s)
    if m is not None and len(m.group(2)) != 3 and _depth(s, m.start()) == 0:  # 1.234,5 or 1 234,5
        whole = m.group(1).replace(".", "").replace(" ", "")
        return f"{s[: m.start()]}{whole}.{m.group(2)}{s[m.end() :]}"
    m = _COMMA_NUMBER.search(s)
    if m is None or _depth(s, m.start()) > 0:
        return s
    if any(c.isdigit() for c in _EXPONENT.sub("", s[: m.start()] + " " + s[m.end() :])):
        return s  # other numbers around it: "21,16 or 11" is a list
    whole, frac = m.group(1).lstrip("+-"), m.group(2)
    if len(frac) == 3 and len(whole) <= 3 and not whole.startswith("0"):
        return s  # a thousands separator
    return f"{s[: m.start()]}{m.group(1)}.{frac}{s[m.end() :]}"


def _depth(s: str, end: int) -> int:
    """Bracket nesting depth at `end` (round, square and curly brackets together)."""
    depth = 0
    for c in s[:end]:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
    return depth


def _glued_word(m: re.Match) -> str:
    """`12days` -> `12 days`; `2xy` (a product) and `2sin` stay."""
    word = m.group(2)
    low = word.lower()
    if low in _FUNCTION_WORDS:
        return m.group(0)
    if low in _SHORT_UNITS or (len(word) >= 4 and any(v in low for v in "aeiouy")):
        return f"{m.group(1)} {word}"
    return m.group(0)


def _other_script_words(s: str) -> str:
    """Words in other scripts around a number dropped: `57个` -> `57`, `5 метров` -> `5`, `约 57` -> `57`."""
    if s.isascii():
        return s
    original = s
    if "\\" in s:  # 57 \text{ người}: a unit in \text{} written in another script
        s = _TEXT_GROUP.sub(lambda m: " " if _foreign_word(m.group(1).replace(" ", "")) else m.group(0), s).strip()
    if not any(c.isdigit() for c in s):
        return original  # a text answer: \text{星期一}
    s = _CJK_GLUE.sub(" ", s)
    tokens = s.split(" ")
    while tokens and _foreign_word(tokens[-1]):
        tokens.pop()
    while tokens and _foreign_word(tokens[0]):
        tokens.pop(0)
    rest = " ".join(tokens).strip()
    return rest if any(c.isdigit() for c in rest) else original


def _foreign_word(token: str) -> bool:
    """A word with a letter outside ASCII and Greek, and no digit or LaTeX in it."""
    if not token:
        return True
    if "\\" in token or any(c.isdigit() for c in token):
        return False
    return any(c.isalpha() and not c.isascii() and not "\u0370" <= c <= "\u03ff" for c in token)


def _unit_after_constant(s: str) -> str:
    """`4\\pi m` -> `4\\pi \\text{ m}`: a unit after a constant, where a letter would otherwise be a variable."""
    m = _UNIT_AFTER_CONSTANT.search(s)
    if m is None:
        return s
    head = s[: m.start()]
    if re.search(r"[A-Za-z]", _COMMAND_NAME.sub("", head)) or not re.search(r"\d", head):
        return s
    return f"{head} \\text{{ {m.group(1)}}}{m.group(2)}"


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
        m = _TEXT_WHOLE.match(s)
        if m and _balanced(m.group(1)) and any(c.isdigit() for c in m.group(1)):
            s = m.group(1).strip()  # \\text{57 apples}: a number written as text
        s = _TRAILING.sub("", s).strip()
        s = _strip_strays(s)
        if s == before:
            break
    return s


def _strip_strays(s: str) -> str:
    """One stray character at an end removed: a quote, a lone `$`, a dangling backslash, an unmatched bracket."""
    if len(s) < 2:
        return s
    first, last = s[0], s[-1]
    if first in _QUOTES or last in _QUOTES:
        return s.strip(_QUOTES).strip()
    if first == last == "'":
        return s[1:-1].strip()
    if (first == "$" or last == "$") and _DOLLAR.sub("", s).count("$") % 2:
        return (s[1:] if first == "$" else s[:-1]).strip()
    m = _OPEN_BOX.match(s)
    if m is not None and not _balanced(s):
        return s[m.end() :].strip()  # "\\boxed{5" cut off before its closing brace
    if last == "\\" and (len(s) - len(s.rstrip("\\"))) % 2:
        return s[:-1].strip()
    if last in ")]" and s.count("(") + s.count("[") < s.count(")") + s.count("]"):
        return s[:-1].strip()
    if last == "}" and not _balanced(s):
        depth = 0
        for _, depth in brace_depths(s):
            if depth < 0:
                break
        if depth < 0:
            return s[:-1].strip()
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


def _unwrap_styles(s: str) -> str:
    """`\\underline{7}` -> `7`: a style command around part of the answer removed, its argument kept."""
    for _ in range(10):
        m = _STYLE.search(s)
        if m is None:
            break
        close = next((i for i, depth in brace_depths(s, m.end() - 1) if depth == 0), None)
        if close is None:
            break
        inner = s[m.end() : close]
        s = s[: m.start()] + (inner if inner.isalnum() else "{" + inner + "}") + s[close + 1 :]
    return s


def _over(m: re.Match) -> str:
    """`{1 \\over 2}` -> `\\frac{1}{2}`."""
    num, den = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
    return f"\\frac{{{num.strip()}}}{{{den.strip()}}}"


def unglue_list_words(s: str) -> str:
    """`W(x)=1orW(x)=-1` -> `W(x)=1 or W(x)=-1`: a list word glued between two equations spaced out."""
    return _GLUED_LIST_WORD.sub(r" \1 ", s) if ("or" in s or "and" in s) else s


def _choice_mark(m: re.Match) -> str:
    return f"({(m.group(1) or m.group(2)).upper()})"


def _cjk_logic(m: re.Match) -> str:
    return " \\text{ or } " if m.group(1) else " \\text{ and } "


def _join_thousands(m: re.Match) -> str:
    """`12,345` is 12345, except as the whole content of brackets, where `(12,102)` is a pair."""
    text = m.string
    before = text[m.start() - 1] if m.start() > 0 else ""
    after = text[m.end()] if m.end() < len(text) else ""
    if before in "([{" and before and after in ")]}" and after:
        return m.group(0)
    return m.group(1).replace(",", "") + m.group(2)


def clean(answer: str, thousands: bool = True, decimal_comma: str = "auto") -> str:
    """A canonical spelling of an answer string: same meaning, fewer ways to write it."""
    s = undouble_backslashes(script_digits(answer))
    s = _SUPERSCRIPT_RUN.sub(_superscript, s)
    s = _UNICODE_RE.sub(lambda m: _UNICODE[m.group(0)], s)
    s = unicodedata.normalize("NFKC", s)
    s = _DECIMAL_ELLIPSIS.sub(r"\1\\ldots", s)  # 0.1666... is a truncation: the parser keeps the mark
    s = strip_wrappers(s)
    if "\\" in s:
        s = _TEXT_LEAD.sub("", s)
        s = _REPEATING.sub(_repeating, s)
        s = _unwrap_styles(s)
        if "\\over" in s:
            s = _OVER.sub(_over, s)
    s = _DROP.sub("", s)
    if thousands:
        s = _THOUSANDS_LATEX.sub("", s)
    s = _LATEX_COMMA.sub(",", s)  # 3{,}25: a decimal comma written the LaTeX way
    s = _SPACES.sub(" ", s)
    for pattern, repl in _SYNONYMS:
        s = pattern.sub(repl, s)
    s = _TEMPERATURE.sub(lambda m: " \\text{deg" + m.group(1) + "}", s)  # 30^\\circ C is a temperature
    s = _CURRENCY.sub(" ", s)
    if "$" in s:  # a math delimiter left inside the answer: "12 $ and $13", "$125$ miles"
        s = _STRAY_DOLLAR.sub(" ", s)
    s = s.replace("\\%", "%")
    if "**" in s:
        s = _PYTHON_POWER.sub("^", s)  # plain-text x**2
    s = _WS.sub(" ", s).strip()
    s = _LEADING_ANSWER.sub("", s)
    s = _CHOICE_MARK.sub(_choice_mark, s, count=1)  # "B) 12", "B. 12", "(b)": choice B
    m = _EXPLANATION.search(s)
    if m is not None and m.start() > 0:
        s = s[: m.start()]
    s = _other_script_words(s)
    s = _LIST_WORDS.sub(", ", s)
    s = unglue_list_words(s)
    if "或" in s or "且" in s:
        s = _CJK_LOGIC.sub(_cjk_logic, s)
    s = _GLUED_WORD.sub(_glued_word, s)
    if "\\mathrm" in s or "\\operatorname" in s:
        s = _MATHRM_UNIT.sub(lambda m: f"{m.group(1) or ' '}\\text{{ {m.group(2).strip()}}}", s)
    s = _unit_after_constant(s)
    s = _GLUED_LETTER_UNIT.sub(r"\1 \\text{ \2}", s)
    s = decimal_commas(s, decimal_comma)
    if thousands:
        s = _THOUSANDS_PLAIN.sub(_join_thousands, s)
        if _THOUSANDS_SPACED.fullmatch(s):  # "1 000 000"
            s = s.replace(" ", "")
    s = strip_wrappers(s)
    return s
