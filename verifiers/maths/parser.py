"""A fast parser for answers written in LaTeX or plain text, into answer nodes (no sympy needed).

Chosen over sympy's LaTeX parsers and latex2sympy2_extended by measurement (docs/maths.md):
those take 0.5-50 ms an answer; this one takes tens of microseconds, and it keeps the
structure (tuple or interval, set or list, relation, unit) that the comparison policies need.
Inputs it does not understand raise ParseError; the worker then tries latex2sympy2_extended.
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from .cleaning import brace_depths
from .nodes import (
    INF,
    Add,
    Alt,
    Approx,
    Both,
    Call,
    Const,
    Div,
    Group,
    Matrix,
    Member,
    Mul,
    Neg,
    Node,
    Num,
    Pow,
    Rel,
    SetOp,
    Sym,
    Text,
    Unit,
)
from .policy import Policy


class ParseError(ValueError):
    """The answer could not be read as mathematics."""


class TooDeep(ParseError):
    """The answer is nested beyond the parser's depth limit (no other parser is tried)."""


MAX_DEPTH = 60

_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<repeating>\d+\.\(\d{1,50}\))"  # 0.(3): a repeating decimal (not 0.5(3), a product)
    r"|(?P<num>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d{1,6}(?![\d.a-zA-Z]))?)"
    r"|(?P<deg>\^\s*\\circ(?![a-zA-Z]))"
    r"|(?P<rowsep>\\\\)"
    r"|(?P<cmd>\\[a-zA-Z]+|\\[{}|%$#&_])"
    r"|(?P<letters>[a-zA-Z]+)"
    r"|(?P<rel><=|>=|!=|=<|=>|==|<|>|=)"
    r"|(?P<punct>[-+*/\u2044^_!'(),\[\]{}|;&%:])"
    r"|(?P<other>.)",
    re.DOTALL,
)

FUNCTIONS = set(
    "sin cos tan cot sec csc arcsin arccos arctan arccot arcsec arccsc sinh cosh tanh coth log ln lg exp "
    "sqrt abs gcd lcm max min floor ceil ceiling det asin acos atan factorial binomial binom cbrt".split()
)
_FUNCTIONS_LONGEST_FIRST = sorted(FUNCTIONS, key=len, reverse=True)
_FUNC_ALIASES = {
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "lg": "log10",
    "binomial": "binom",
    "ceil": "ceiling",
}
GREEK = set(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho "
    "sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma Phi Psi Omega".split()
)
_UNICODE_GREEK = {
    unicodedata.lookup(
        f"GREEK {'CAPITAL' if name[0].isupper() else 'SMALL'} LETTER {name.upper().replace('LAMBDA', 'LAMDA')}"
    ): name
    for name in GREEK
    if not name.startswith("var")
} | {"\u2126": "Omega"}
_CJK_CONNECTIVE = re.compile("或者?|并?且")  # Chinese "or" and "and" between conditions
_TEXT_COMMANDS = {"text", "textbf", "textrm", "textnormal", "mbox", "textit", "textsf", "texttt", "hbox"}
_FONT_COMMANDS = set(
    "mathrm mathbf mathit mathsf mathtt boldsymbol bm mathbb mathcal operatorname emph vec overline bar "
    "hat tilde widehat num underline".split()
)
_COMPLEX_SUM = re.compile(r"(?<![A-Za-z\\])i(?![A-Za-z]).*[-+]|[-+].*(?<![A-Za-z\\])i(?![A-Za-z])")  # 3+4i, not AB
_SIZE_COMMANDS = set("tiny scriptsize footnotesize small normalsize large Large LARGE huge Huge bf rm it".split())
_MATRIX_ENVS = {"pmatrix", "bmatrix", "Bmatrix", "matrix", "smallmatrix", "array", "vmatrix", "Vmatrix"}
_UNIT_ABBREVIATIONS = set(
    "cm mm km kg mg ml mL ft yd mi hr hrs min mins sec lb lbs oz mph kph in sq cc m g s h L kW W J N V Hz C K A Pa"
    " mol".split()
)
_SI_UNIT = re.compile(r"[kMGTmunpcd]?(?:m|g|s|A|V|W|J|N|C|F|L|K|T|Pa|Hz|mol|eV|Wh|cal)")  # a prefix and a unit
_MICRO_UNIT = re.compile(r"\s*(?:\\(?:text|mathrm)\{\s*)?(m|g|s|A|V|W|J|N|C|F|L|mol)\s*(?:\}|(?![A-Za-z]))")
_SINGLE_LETTER_UNITS = {"m", "g", "s", "h", "L", "W", "J", "N", "V"}
_RELATIONS = {"=": "=", "==": "=", "<": "<", ">": ">", "<=": "<=", "=<": "<=", ">=": ">=", "=>": ">=", "!=": "!="}
_CMD_RELATIONS = {"le": "<=", "ge": ">=", "ne": "!=", "approx": "~", "equiv": "=", "sim": "~", "simeq": "~"}
_SET_OPS = {"cup": "cup", "cap": "cap", "setminus": "setminus", "backslash": "setminus"}
_CONSTANTS = {"pi": "pi", "infty": "oo", "inf": "oo", "infinity": "oo", "oo": "oo"}
_CAS_FUNCTIONS = {"Abs": "abs", "Rational": "rational", "Sqrt": "sqrt", "Max": "max", "Min": "min", "Matrix": "matrix"}
_CAS_FUNCTIONS |= {name: name for name in ("Eq", "Ne", "Lt", "Le", "Gt", "Ge", "FiniteSet", "Interval", "Union")}
_INTERVAL_METHOD = re.compile(r"\.(?:open|Lopen|Ropen)\(")
_CAS_RELATIONS = {"Eq": "=", "Ne": "!=", "Lt": "<", "Le": "<=", "Gt": ">", "Ge": ">="}
# Units that a quantity may be written in two parts of (`2 hours 15 minutes`, `5 feet 3 inches`), in a base unit
_PART_UNITS = {
    "time": {"day": 86400, "hour": 3600, "hr": 3600, "h": 3600, "minute": 60, "min": 60, "second": 1, "sec": 1, "s": 1},
    "length": {"km": 1000, "m": 1, "meter": 1, "metre": 1, "cm": Fraction(1, 100), "mm": Fraction(1, 1000)},
    "imperial": {"mile": 63360, "yard": 36, "yd": 36, "foot": 12, "feet": 12, "ft": 12, "inch": 1, "in": 1},
    "mass": {"kg": 1000, "g": 1, "gram": 1, "kilogram": 1000, "pound": 16, "lb": 16, "ounce": 1, "oz": 1},
}
_INVERSE_TRIG = {name: "arc" + name for name in ("sin", "cos", "tan", "cot", "sec", "csc")}
_MINUS_ONE = Neg(Num(Fraction(1)))
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ROOT_SIGNS = {"\u221b": "3", "\u221c": "4"}
_IMPLICIT_START = {"num", "id", "const", "func", "frac", "sqrt", "binom", "(", "{", "lfloor", "lceil", "begin", "font"}

Token = tuple  # (kind, value, space_before)


def tokenize(text: str, policy: Policy) -> list[Token]:
    """Tokens of a cleaned answer; raises ParseError on characters that are not mathematics."""
    out: list[Token] = []
    pos = 0
    n = len(text)
    space = False
    while pos < n:
        m = _TOKEN.match(text, pos)
        assert m is not None
        kind = m.lastgroup
        value = m.group(0)
        pos = m.end()
        if kind == "ws":
            space = True
            continue
        if kind == "num":
            out.append(("num", value, space))
        elif kind == "repeating":
            out.append(("num", _repeating_decimal(value), space))
        elif kind == "deg":
            out.append(("degree", value, space))
        elif kind == "rowsep":
            out.append(("rowsep", value, space))
        elif kind == "rel":
            out.append(("rel", _RELATIONS[value], space))
        elif kind == "letters" and value == "Interval" and _INTERVAL_METHOD.match(text, pos):
            method = _INTERVAL_METHOD.match(text, pos)  # sympy's Interval.open(0, 1), Interval.Ropen(0, 1)
            out.append(("func", "Interval" + method.group(0)[:-1], space))  # type: ignore[union-attr]
            pos = method.end() - 1  # type: ignore[union-attr]
        elif kind == "letters":
            _letters(value, text, m.start(), pos, out, space)
        elif kind == "punct":
            if value == "&":
                out.append(("colsep", value, space))
            elif value == "\u2044":  # the fraction slash of 1⁄2 (from ½)
                _fraction_slash(text, pos, out, space)
            else:
                out.append((value, value, space))
        elif kind == "cmd":
            pos = _command(value[1:], text, pos, out, space, policy)
        elif _CJK_CONNECTIVE.match(text, pos - 1):  # x<1或x>3, x>0且x\ne1
            word = _CJK_CONNECTIVE.match(text, pos - 1)
            pos = word.end()  # type: ignore[union-attr]
            out.append(("or" if "或" in word.group(0) else "and", "", True))  # type: ignore[union-attr]
        elif value in _UNICODE_GREEK:  # α, Ω (an ohm sign after a number)
            name = _UNICODE_GREEK[value]
            if name == "Omega" and _ends_value(out, text, pos, space):
                _ohms(out)
            elif name == "mu" and out and out[-1][0] == "num" and _MICRO_UNIT.match(text, pos):
                pos = _micro(text, pos, out)
            else:
                out.append(("id", name, space))
        elif value == "\u2236":  # the ratio sign of 1∶2
            out.append((":", ":", space))
        elif value in _ROOT_SIGNS:  # ∛8 is \sqrt[3]{8}
            out.extend(
                [("sqrt", "unicode", space), ("[", "[", False), ("num", _ROOT_SIGNS[value], False), ("]", "]", False)]
            )
        else:
            raise ParseError(f"unexpected character {value!r}")
        space = False
    return out


def _fraction_slash(text: str, pos: int, out: list[Token], space: bool) -> None:
    """`1⁄2` is 1/2; `21⁄3`, which is how Unicode normalisation spells 2⅓, is 2 1/3."""
    prev = out[-1] if out else None
    m = re.match(r"\d+", text[pos:])
    if prev is not None and prev[0] == "num" and not space and prev[1].isdigit() and len(prev[1]) > 1 and m:
        if int(prev[1][-1]) < int(m.group(0)):  # a proper fraction after a whole number
            out[-1] = ("num", prev[1][:-1], prev[2])
            out.append(("num", prev[1][-1], True))
    out.append(("/", "/", space))


def _repeating_decimal(text: str) -> str:
    """`0.(3)` as the exact fraction it writes, `1/3`."""
    whole, _, rest = text.partition(".")
    period = rest.strip("()")
    value = int(whole) + Fraction(int(period), 10 ** len(period) - 1)
    return f"{value.numerator}/{value.denominator}"


def _letters(run: str, text: str, start: int, end: int, out: list[Token], space: bool) -> None:
    prev_kind = out[-1][0] if out else None
    if run in _CONSTANTS:
        out.append(("const", _CONSTANTS[run], space))
        return
    if run in ("or", "and"):
        out.append((run, run, space))
        return
    if run == "of" and prev_kind in ("%", "num", "word") and space:  # 50% of the students
        out.append(("word", run, space))
        return
    if run in FUNCTIONS and not (run == "min" and prev_kind == "num" and text[end : end + 1] != "("):  # 15 min
        out.append(("func", _FUNC_ALIASES.get(run, run), space))
        return
    if run in _CAS_FUNCTIONS and text[end : end + 1] == "(":  # sympy's printing: Abs(x), Rational(1, 3)
        out.append(("func", _CAS_FUNCTIONS[run], space))
        return
    si_unit = space and len(run) > 1 and _SI_UNIT.fullmatch(run)  # 2.5 kJ, 500 nm, 2 mA (not 2nm, a product)
    if prev_kind == "num" and ((run in _UNIT_ABBREVIATIONS and (len(run) > 1 or space)) or si_unit):
        out.append(("word", run, space))
        return
    if len(run) >= 3:
        for name in _FUNCTIONS_LONGEST_FIRST:  # "sinx" -> sin x
            if run.startswith(name) and len(run) - len(name) <= 2:
                out.append(("func", _FUNC_ALIASES.get(name, name), space))
                for ch in run[len(name) :]:
                    out.append(("id", ch, False))
                return
        glued_before = start > 0 and (text[start - 1].isdigit() or text[start - 1] in ")}")
        glued_after = end < len(text) and (text[end] in "^_(" or text[end].isdigit())
        if not (glued_before or glued_after):
            out.append(("word", run, space))
            return
    for k, ch in enumerate(run):
        out.append(("id", ch, space if k == 0 else False))


def _braced(text: str, pos: int) -> tuple[str, int]:
    """The content of the `{...}` group starting at or after `pos` (spaces skipped), and the end."""
    while pos < len(text) and text[pos] == " ":
        pos += 1
    if pos >= len(text) or text[pos] != "{":
        raise ParseError("expected '{'")
    for i, depth in brace_depths(text, pos):
        if depth == 0:
            return text[pos + 1 : i], i + 1
    raise ParseError("unbalanced braces")


def _command(name: str, text: str, pos: int, out: list[Token], space: bool, policy: Policy) -> int:
    if name in ("frac", "sqrt", "binom"):
        out.append((name, name, space))
    elif name in _CONSTANTS:
        out.append(("const", _CONSTANTS[name], space))
    elif name in FUNCTIONS or name in ("arg",):
        out.append(("func", _FUNC_ALIASES.get(name, name), space))
    elif name == "Omega" and _ends_value(out, text, pos, space):  # 4\,\Omega, 2\,k\Omega: ohms
        _ohms(out)
    elif name == "mu" and out and out[-1][0] == "num" and _MICRO_UNIT.match(text, pos):  # 3\,\mu C
        pos = _micro(text, pos, out)
    elif name in GREEK:
        out.append(("id", name, space))
    elif name in _CMD_RELATIONS:
        out.append(("rel", _CMD_RELATIONS[name], space))
    elif name in _SET_OPS:
        out.append(("setop", _SET_OPS[name], space))
    elif name == "in":
        out.append(("in", "in", space))
    elif name in ("pm", "mp"):
        out.append(("pm", name, space))
    elif name == "{":
        out.append(("lset", "{", space))
    elif name == "}":
        out.append(("rset", "}", space))
    elif name == "|":
        out.append(("|", "|", space))
    elif name == "%":
        out.append(("%", "%", space))
    elif name in ("langle", "rangle", "lfloor", "rfloor", "lceil", "rceil", "emptyset"):
        out.append((name, name, space))
    elif name == "circ":
        out.append(("degree", name, space))
    elif name in ("begin", "end"):
        env, pos = _braced(text, pos)
        env = env.strip().rstrip("*")
        out.append((name, env, space))
        if name == "begin" and env == "array":  # skip the column spec
            _, pos = _braced(text, pos)
    elif name.startswith("sqrt") and name[4:].isalpha():  # \sqrtx, from √x
        out.append(("sqrt", "sqrt", space))
        _letters(name[4:], text, pos - len(name) + 4, pos, out, False)
    elif name == "over":
        out.append(("over", name, space))
    elif name in _SIZE_COMMANDS:  # \large 7: how it looks, not what it says
        pass
    elif name in ("color", "textcolor"):  # \color{red}{7}: the colour is dropped, the content read
        _, pos = _braced(text, pos)
    elif name in ("pmod", "mod") or (name == "bmod" and out and out[-1][0] == "("):
        pos = _modulus(name, text, pos, out)
    elif name in _TEXT_COMMANDS:
        content, pos = _braced(text, pos)
        if _function_name(content) and text[pos : pos + 1] == "(":  # \text{lcm}(4, 6): a function
            out.append(("func", _function_name(content), space))
        else:
            _text_content(content.strip(), out, space, policy)
    elif name in _FONT_COMMANDS:
        bare = re.match(r"\s*([A-Za-z0-9])", text[pos:])
        if bare is not None and not text[pos:].lstrip().startswith("{"):  # \vec v, \hat x: one character
            content, pos = bare.group(1), pos + bare.end()
        else:
            content, pos = _braced(text, pos)
        content = content.strip()
        if name == "mathbb" and content == "R":
            out.append(("reals", content, space))
        elif name == "operatorname" and content in _UNIT_ABBREVIATIONS and out and out[-1][0] == "num":
            out.append(("word", content, space))  # 5 \operatorname{cm}
        elif name == "operatorname":
            out.append(("func", _function_name(content) or content, space))
        elif _function_name(content) and text[pos : pos + 1] in ("(", "{"):  # \mathrm{gcd}(12, 18)
            out.append(("func", _function_name(content), space))
        elif name == "mathrm" and content == "e":
            out.append(("const", "e", space))
        elif name == "mathrm" and content.isalpha() and out and out[-1][0] in ("num", "}"):  # 10\mathrm{~N}
            out.append(("word", content, space))
        elif name == "overline" and policy.imaginary_unit and _COMPLEX_SUM.search(content):
            out.extend([("func", "conjugate", space), ("(", "(", False), *tokenize(content, policy), (")", ")", False)])
        elif re.fullmatch(r"[A-Za-z]", content):
            out.append(("id", content, space))
        elif content and len(content) < 200 and not re.fullmatch(r"[A-Za-z]{2,}", content):
            out.extend(tokenize(content, policy))  # \mathbf{15}, \mathrm{2x}: the content is maths
        else:
            out.append(("font", content, space))
    elif name in ("cdots", "ldots", "dots", "dotsc", "dotsb", "vdots"):
        prev = out[-1] if out else None
        if prev is not None and prev[0] == "num" and "." in prev[1] and not text[pos:].strip():
            out[-1] = ("num", prev[1] + "...", prev[2])  # 0.1666...: a decimal that trails off
        else:
            raise ParseError("ellipsis")
    elif name in ("and",):
        out.append(("and", "and", space))
    elif name == "quad" or name == "qquad":
        out.append((",", ",", space))
    elif name in ("$", "#", "_", "&"):
        pass
    else:
        raise ParseError(f"unknown command \\{name}")
    return pos


def _function_name(content: str) -> str | None:
    """The function a name in `\\text{}`, `\\mathrm{}` or `\\operatorname{}` spells (`lcm`, `GCD`), else None."""
    name = content.strip()
    if name not in FUNCTIONS and name.lower() in ("gcd", "lcm", "max", "min", "det"):
        name = name.lower()
    return _FUNC_ALIASES.get(name, name) if name in FUNCTIONS else None


_UNIT_PREFIXES = {"k": "kilo", "M": "mega", "m": "milli", "G": "giga"}


def _ends_value(out: list[Token], text: str, pos: int, space: bool) -> bool:
    """Whether a unit sign ending at `pos` follows a number (`4\\,\\Omega`, `2 k\\Omega`) and ends the answer."""
    prev = out[-1] if out else None
    if prev is not None and prev[0] == "id" and prev[1] in _UNIT_PREFIXES and not space:
        prev = out[-2] if len(out) > 1 else None
    return prev is not None and prev[0] == "num" and not text[pos:].strip(" }")


def _ohms(out: list[Token]) -> None:
    """An ohm sign after a number: a unit word (with its prefix: `k\\Omega` is kiloohm)."""
    prefix = _UNIT_PREFIXES[out.pop()[1]] if out[-1][0] == "id" else ""  # the prefix was read as a letter
    out.append(("word", prefix + "ohm", True))


def _micro(text: str, pos: int, out: list[Token]) -> int:
    """A micro sign before a unit after a number (`3 μC`, `5\\,\\mu\\text{m}`): the unit word `uC`, `um`."""
    m = _MICRO_UNIT.match(text, pos)
    out.append(("word", "u" + m.group(1), True))  # type: ignore[union-attr]
    return m.end()  # type: ignore[union-attr]


def _modulus(name: str, text: str, pos: int, out: list[Token]) -> int:
    """`\\pmod{7}`, `(\\bmod 7)`, `\\mod 7` after a congruence: the modulus, read as a unit `mod 7`."""
    m = re.match(r"\s*(?:\{\s*(\d+)\s*\}|(\d+))", text[pos:])
    if m is None:
        raise ParseError(f"\\{name} without a modulus")
    modulus = m.group(1) or m.group(2)
    pos += m.end()
    if out and out[-1][0] == "(":  # (\bmod 7), (\mod 7): the brackets belong to the modulus
        close = re.match(r"\s*\)", text[pos:])
        if close is None:
            raise ParseError("unclosed modulus")
        out.pop()
        pos += close.end()
    if text[pos:].strip():
        raise ParseError("a modulus inside an expression")
    out.append(("word", f"mod {modulus}", True))
    return pos


def _text_content(content: str, out: list[Token], space: bool, policy: Policy) -> None:
    bare = content.strip(" ,.")
    if not bare:
        if content.strip() == ",":
            out.append((",", ",", space))
        return
    low = bare.lower()
    if low in ("or", "and"):
        out.append((low, low, space))
        return
    if low in ("infinity", "infinite", "inf"):
        out.append(("const", "oo", space))
        return
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", bare):
        out.append(("num", bare, space))
        return
    after_value = bool(out) and out[-1][0] in ("num", "}", ")", "const", "id")  # 5 \text{ m}: a unit
    if not after_value and re.fullmatch(r"[A-Za-z]", content.strip()):  # \text{e}: a letter, as in maths
        out.append(("id", content.strip(), space))
        return
    out.append(("word", content.strip(), space))


class _Parser:
    def __init__(self, tokens: list[Token], policy: Policy):
        self.toks = tokens
        self.pos = 0
        self.policy = policy
        self.depth = 0
        self.bars = 0  # open |...| around the current position: inside one, a bar closes it

    # -- helpers ----------------------------------------------------------------
    def peek(self, k: int = 0) -> str | None:
        i = self.pos + k
        return self.toks[i][0] if i < len(self.toks) else None

    def next(self) -> Token:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def expect(self, kind: str) -> Token:
        if self.peek() != kind:
            raise ParseError(f"expected {kind!r}, found {self.peek()!r}")
        return self.next()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep(f"nested more than {MAX_DEPTH} levels deep")

    # -- grammar, lowest precedence first ---------------------------------------
    def answer(self) -> Node:
        if not self.toks:
            raise ParseError("empty answer")
        node = self.over(self.seq())
        if self.pos != len(self.toks):
            raise ParseError(f"unexpected {self.toks[self.pos][1]!r}")
        return node

    def over(self, node: Node) -> Node:
        """`{1 \\over 2}`: TeX's fraction, the group before `\\over` divided by the group after it."""
        if self.peek() != "over":
            return node
        self.next()
        return Div(node, self.seq())

    def seq(self) -> Node:
        items = [self.alt()]
        while self.peek() in (",", ";"):
            self.next()
            if self.peek() in ("and", "or"):  # "1, 2, and 3"
                self.next()
            if self.peek() in (None, ")", "]", "}", "rset", "rangle", "rowsep", "end"):
                break  # a trailing comma
            items.append(self.alt())
        return items[0] if len(items) == 1 else Group("", "", tuple(items))

    def alt(self) -> Node:
        items = [self.both()]
        while self.peek() == "or":
            self.next()
            items.append(self.both())
        return items[0] if len(items) == 1 else Alt(tuple(items))

    def both(self) -> Node:
        items = [self.relation()]
        while self.peek() == "and":
            self.next()
            items.append(self.relation())
        return items[0] if len(items) == 1 else Both(tuple(items))

    def relation(self) -> Node:
        first = self.unit(self.setexpr())
        if self.peek() == "in":
            self.next()
            return Member(first, self.unit(self.setexpr()))
        args = [first]
        ops = []
        while self.peek() == "rel":
            ops.append(self.next()[1])
            if self.peek() in (None, ",", ";"):
                raise ParseError("relation without a right-hand side")
            args.append(self.unit(self.setexpr()))
        if not ops:
            return first
        if "~" in ops:  # "x = 1/3 \\approx 0.33": the exact value, with the approximation kept aside
            cut = ops.index("~")
            exact = args[0] if cut == 0 else Rel(tuple(ops[:cut]), tuple(args[: cut + 1]))
            return Approx(exact, args[-1])
        return Rel(tuple(ops), tuple(args))

    def unit(self, node: Node) -> Node:
        """Trailing unit words (`5 cm`, `5 \\text{ square units}`) become a Unit node."""
        parts = []
        while True:
            k = self.peek()
            if k == "word":
                parts.append(self.next()[1])
            elif k == "^" and parts and self.peek(1) == "num":
                self.next()
                parts.append("^" + self.next()[1])
            elif k == "^" and parts and [t[0] for t in self.toks[self.pos + 1 : self.pos + 4]] == ["{", "num", "}"]:
                parts.append("^" + self.toks[self.pos + 2][1])  # \mathrm{cm}^{2}
                self.pos += 4
            elif k == "/" and parts and self.peek(1) in ("word", "id"):
                self.next()
                parts.append("/" + self.next()[1])
            elif k == "id" and parts and self.toks[self.pos][1] in _SINGLE_LETTER_UNITS:
                parts.append(self.next()[1])
            else:
                break
        if not parts:
            return node
        if parts[0] == "of":  # 50% of the students: the words after it say of what
            return node
        if isinstance(node, Text):
            return Text(" ".join([node.text, *parts]))
        return self.second_part(Unit(node, " ".join(parts)))

    def second_part(self, first: Unit) -> Node:
        """`2 hours 15 minutes`, `5 feet and 3 inches`: one quantity, in the first unit."""
        p = self.pos + (self.peek() == "and")
        t = self.toks
        if not (isinstance(first.arg, Num) and p + 1 < len(t) and t[p][0] == "num" and t[p + 1][0] == "word"):
            return first
        ratio = _unit_ratio(first.unit, t[p + 1][1])
        if ratio is None:
            return first
        start, self.pos = self.pos, p + 1
        second = self.unit(self.number(t[p][1]))
        if (
            not isinstance(second, Unit)
            or not isinstance(second.arg, Num)
            or _unit_ratio(first.unit, second.unit) != ratio
        ):
            self.pos = start
            return first
        value = first.arg.value + second.arg.value * ratio
        return Unit(Num(value, str(value)), first.unit)

    def setexpr(self) -> Node:
        node = self.additive()
        while self.peek() == "setop":
            op = self.next()[1]
            node = SetOp(op, (node, self.additive()))
        return node

    def additive(self) -> Node:
        terms = [self.term()]
        while self.peek() in ("+", "-", "pm"):
            kind, value, _ = self.next()
            right = self.term()
            if kind == "+":
                terms.append(right)
            elif kind == "-":
                terms.append(Neg(right))
            else:
                left = terms[0] if len(terms) == 1 else Add(tuple(terms))
                terms = [Call("pm" if value == "pm" else "mp", (left, right))]
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def term(self) -> Node:
        factors: list[Node] = [self.unary()]
        while True:
            k = self.peek()
            if k in ("*", "/", ":"):
                self.next()
                right = self.unary()
                if k == "*":
                    factors.append(right)
                else:
                    left = factors[0] if len(factors) == 1 else Mul(tuple(factors))
                    factors = [Div(left, right)]
            elif k == "id" and self._times_ten(factors[-1]):
                self.next()  # "1.5 x 10^3": the letter x is a multiplication sign
            elif k in _IMPLICIT_START or (k == "|" and self.bars == 0):  # 2\sqrt3 |x|
                factors.append(self.power())
            else:
                break
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def _times_ten(self, left: Node) -> bool:
        """Whether the next tokens are `x 10^` after a number (scientific notation typed with an x)."""
        t, p = self.toks, self.pos
        return (
            isinstance(left, Num)
            and t[p][1] in ("x", "X")
            and p + 2 < len(t)
            and t[p + 1][:2] == ("num", "10")
            and t[p + 2][0] == "^"
        )

    def unary(self) -> Node:
        k = self.peek()
        if k == "-":
            self.next()
            self.enter()
            node = Neg(self.unary())
            self.depth -= 1
            return node
        if k == "+":
            self.next()
            return self.unary()
        if k == "pm":
            value = self.next()[1]
            return Call("pm" if value == "pm" else "mp", (Num(Fraction(0), "0"), self.unary()))
        return self.power()

    def power(self) -> Node:
        self.enter()
        base = self.postfix(self.primary())
        if self.peek() == "^":
            self.next()
            exp = self.exponent()
            base = self.postfix(Pow(base, exp))
        self.depth -= 1
        return base

    def exponent(self) -> Node:
        k = self.peek()
        if k in ("-", "+"):
            sign = self.next()[0]
            self.enter()
            inner = self.exponent()
            self.depth -= 1
            return Neg(inner) if sign == "-" else inner
        if k == "{":
            return self.group_arg()
        if k == "num":
            return self.number(self.next()[1])
        return self.power()

    def postfix(self, node: Node) -> Node:
        while True:
            k = self.peek()
            if k == "!":
                self.next()
                node = Call("factorial", (node,))
            elif k == "%":
                self.next()
                node = Unit(node, "percent")
            elif k == "degree":
                self.next()
                node = Unit(node, "degree")
            elif k == "'":
                raise ParseError("primes are not supported")
            else:
                return node

    def group_arg(self) -> Node:
        """A command argument: a `{...}` group, or a single character/token as LaTeX reads it."""
        k = self.peek()
        if k == "{":
            self.next()
            self.enter()
            node = self.over(self.seq())
            self.expect("}")
            self.depth -= 1
            return node
        if k == "num":
            text = self.next()[1]
            if len(text) > 1 and text[0].isdigit():  # \frac12 reads one digit at a time
                self.toks.insert(self.pos, ("num", text[1:], False))
                text = text[0]
            return self.number(text)
        if k == "id":
            return self.primary()
        if k in ("const", "frac", "sqrt", "binom", "font"):
            return self.primary()
        raise ParseError("missing argument")

    def number(self, text: str) -> Node:
        mantissa, _, exp = text.lower().removesuffix("...").partition("e")
        value = Fraction(mantissa)
        if exp:
            if abs(int(exp)) > 400:  # evaluated later, under the size limits
                return Mul((Num(value, mantissa), Pow(Num(Fraction(10), "10"), Num(Fraction(int(exp)), exp))))
            value *= Fraction(10) ** int(exp)
        return Num(value, text)

    def primary(self) -> Node:
        k = self.peek()
        if k is None:
            raise ParseError("unexpected end of answer")
        kind, value, space = self.next()
        if kind == "num":
            node = self.number(value)
            scale = _SCALES.get(self.toks[self.pos][1].lower()) if self.peek() == "word" else None
            if scale is not None:  # 1.5 million
                self.next()
                return Mul((node, Num(Fraction(scale), str(scale))))
            if self.policy.mixed_numbers and "." not in value and "e" not in value.lower():
                mixed = self.mixed_fraction()
                if mixed is not None:
                    return Num(node.value + mixed, value + " " + str(mixed))
            return node
        if kind == "id":
            return self.subscripted(value)
        if kind == "const":
            return Const(value)
        if kind == "frac":
            return Div(self.group_arg(), self.group_arg())
        if kind == "binom":
            return Call("binom", (self.group_arg(), self.group_arg()))
        if kind == "sqrt":
            if self.peek() == "[":
                self.next()
                index = self.additive()
                self.expect("]")
                if self.peek() == "(":
                    self.next()
                    return Call("root", (self.bracketed("("), index))
                if value == "unicode" and self.peek() == "num":  # ∛27: the whole number, not one digit
                    return Call("root", (self.number(self.next()[1]), index))
                return Call("root", (self.group_arg(), index))
            if self.peek() == "(":  # √(2) written with brackets
                self.next()
                return Call("sqrt", (self.bracketed("("),))
            return Call("sqrt", (self.group_arg(),))
        if kind == "func":
            return self.function(value)
        if kind in ("(", "["):
            return self.bracketed(kind)
        if kind == "{":
            self.enter()
            inner = self.over(self.seq()) if self.peek() != "}" else Group("{", "}", ())
            self.expect("}")
            self.depth -= 1
            return inner  # {1, 2} in plain braces: a bare list (equal to the set and to the tuple)
        if kind == "lset":
            self.enter()
            inner = self.seq() if self.peek() != "rset" else None
            self.expect("rset")
            self.depth -= 1
            if inner is None:
                return Group("{", "}", ())
            items = inner.items if isinstance(inner, Group) and inner.open == "" else (inner,)
            return Group("{", "}", items)
        if kind == "emptyset":
            return Group("{", "}", ())
        if kind == "reals":
            return self.reals()
        if kind == "langle":
            inner = self.seq()
            self.expect("rangle")
            items = inner.items if isinstance(inner, Group) and inner.open == "" else (inner,)
            return Group("<", ">", items)
        if kind == "|":
            self.enter()
            self.bars += 1
            inner = self.additive()
            self.expect("|")
            self.bars -= 1
            self.depth -= 1
            return Call("abs", (inner,))
        if kind in ("lfloor", "lceil"):
            inner = self.additive()
            self.expect("rfloor" if kind == "lfloor" else "rceil")
            return Call("floor" if kind == "lfloor" else "ceiling", (inner,))
        if kind == "begin" and value == "cases":
            return self.cases()
        if kind == "begin":
            return self.matrix(value)
        if kind == "word":
            words = [value]
            while self.peek() in ("word", "id") and len(words) < 50:
                words.append(self.next()[1])
            return Text(" ".join(words))
        if kind == "font":
            raise ParseError(f"cannot read {value!r}")
        raise ParseError(f"unexpected {value!r}")

    def reals(self) -> Node:
        """`\\mathbb{R}` and its parts: `^+`, `_{>0}`, `_{\\ge 0}`, `^-`, `^*` (non-zero), `_0^+` (with 0)."""
        start = self.pos
        marks = self.decorations()
        zero = Num(Fraction(0), "0")
        if [k for k, _ in marks] == ["rel", "num"]:  # R_{>0}, R_{\ge 0}, R_{\ne 0}
            return _ray(marks[0][1], self.number(marks[1][1]))
        signs = [v for k, v in marks if k in ("+", "-")]
        rest = sorted(v for k, v in marks if k not in ("+", "-"))
        if len(signs) == 1 and rest in ([], ["*"], ["0"]):  # R^+ and R_+^* are (0, oo), R_0^+ is [0, oo)
            return _ray((">" if signs[0] == "+" else "<") + ("=" if rest == ["0"] else ""), zero)
        if not signs and rest == ["*"]:  # R^*: the non-zero reals
            return _ray("!=", zero)
        self.pos = start  # R^2 and the like: the reals, followed by what comes next
        return Group("(", ")", (Neg(INF), INF))

    def decorations(self) -> list[tuple[str, str]]:
        """The tokens of up to two super- or subscripts (`^+`, `_{\\ge 0}`), each one token or a short group."""
        marks: list[tuple[str, str]] = []
        for _ in range(2):
            if self.peek() not in ("^", "_"):
                break
            self.next()
            if self.peek() in ("+", "-", "*", "num"):
                marks.append(self.next()[:2])
            elif self.peek() == "{":
                end = next((k for k in range(self.pos, min(self.pos + 5, len(self.toks))) if self.toks[k][0] == "}"), 0)
                marks.extend(t[:2] for t in self.toks[self.pos + 1 : end])
                self.pos = end + 1 if end else self.pos
                if not end:
                    return []
            else:
                return []
        return marks

    def mixed_fraction(self) -> Fraction | None:
        """The proper fraction after an integer (`2\\frac{1}{2}`, `2 1/2`), consumed; else None."""
        t = self.toks
        p = self.pos
        num = den = None
        end = p
        if p < len(t) and t[p][0] == "frac":
            if p + 6 < len(t) and [x[0] for x in t[p + 1 : p + 7]] == ["{", "num", "}", "{", "num", "}"]:
                num, den, end = t[p + 2][1], t[p + 5][1], p + 7
            elif p + 1 < len(t) and t[p + 1][0] == "num" and len(t[p + 1][1]) == 2:
                num, den, end = t[p + 1][1][0], t[p + 1][1][1], p + 2
        elif (
            p + 2 < len(t)
            and t[p][0] == "num"
            and t[p][2]
            and t[p + 1][0] == "/"
            and t[p + 2][0] == "num"
            and (p + 3 >= len(t) or t[p + 3][0] not in ("^", "num", "id", "(", "frac", "sqrt"))
        ):
            num, den, end = t[p][1], t[p + 2][1], p + 3
        if num is None or not num.isdigit() or not den.isdigit():
            return None
        a, b = int(num), int(den)
        if b == 0 or not (0 < a < b):
            return None
        if end < len(t) and t[end][0] in ("^", "num", "(", "id", "const", "frac", "sqrt") and not t[end][2]:
            return None
        self.pos = end
        return Fraction(a, b)

    def subscripted(self, name: str) -> Node:
        if self.peek() == "_":
            self.next()
            if self.peek() == "{":
                start = self.pos
                self.group_arg()
                sub = "".join(str(tok[1]) for tok in self.toks[start + 1 : self.pos - 1])
            elif self.peek() in ("num", "id"):
                sub = str(self.next()[1])
                if self.toks[self.pos - 1][0] == "num" and len(sub) > 1:
                    self.toks.insert(self.pos, ("num", sub[1:], False))
                    sub = sub[0]
            else:
                raise ParseError("bad subscript")
            return Sym(f"{name}_{sub}")
        if name == "e":
            return Const("e")
        if name == "i" and self.policy.imaginary_unit:
            return Const("i")
        return Sym(name)

    def function(self, name: str) -> Node:
        power = None
        base = None
        for _ in range(2):
            if self.peek() == "^":
                self.next()
                power = self.exponent()
            elif self.peek() == "_":
                self.next()
                base = self.group_arg()
        if self.peek() == "(":
            self.next()
            self.enter()
            inner = self.seq()
            self.expect(")")
            self.depth -= 1
            args = inner.items if isinstance(inner, Group) and inner.open == "" else (inner,)
        elif self.peek() == "{":
            args = (self.group_arg(),)
        else:
            factors = [self.power()]
            while self.peek() in ("num", "id", "const", "frac", "sqrt"):
                factors.append(self.power())
            args = (factors[0] if len(factors) == 1 else Mul(tuple(factors)),)
        if base is not None:
            if name not in ("log",):
                raise ParseError(f"subscript on {name}")
            node: Node = Call("log", (args[0], base))
        elif name == "cbrt":
            node = Call("root", (args[0], Num(Fraction(3), "3")))
        elif name == "rational" and len(args) == 2:
            return Div(args[0], args[1])
        elif name in _CAS_RELATIONS and len(args) == 2:  # sympy's Eq(x, 2)
            return Rel((_CAS_RELATIONS[name],), tuple(args))
        elif name == "FiniteSet":
            return Group("{", "}", tuple(args))
        elif name.startswith("Interval") and len(args) == 2:  # sympy's Interval(a, b) is closed
            brackets = {"Interval": "[]", "Interval.open": "()", "Interval.Lopen": "(]", "Interval.Ropen": "[)"}[name]
            return Group(brackets[0], brackets[1], tuple(args))
        elif name == "Union" and len(args) >= 2:
            return SetOp("cup", tuple(args))
        elif name == "matrix" and len(args) == 1 and isinstance(args[0], Matrix):  # sympy's Matrix([[1, 2]])
            return args[0]
        elif power == _MINUS_ONE and name in _INVERSE_TRIG:  # \sin^{-1} x is arcsin x
            return Call(_INVERSE_TRIG[name], tuple(args))
        else:
            node = Call(name, tuple(args))
        return Pow(node, power) if power is not None else node

    def bracketed(self, opener: str) -> Node:
        self.enter()
        if self.peek() in (")", "]"):
            raise ParseError("empty brackets")
        inner = self.seq()
        closer = self.peek()
        if closer not in (")", "]"):
            raise ParseError(f"expected a closing bracket after {opener!r}")
        self.next()
        self.depth -= 1
        if isinstance(inner, Group) and inner.open == "":
            rows = inner.items
            if opener + closer == "[]" and all(isinstance(r, Group) and r.open + r.close == "[]" for r in rows):
                if len({len(r.items) for r in rows}) == 1:  # [[1, 2], [3, 4]]: a matrix, row by row
                    return Matrix(tuple(r.items for r in rows))  # type: ignore[attr-defined]
            return Group(opener, closer, inner.items)
        if opener == "(" and closer == ")":
            return inner
        if opener == "[" and closer == "]":
            return inner
        raise ParseError("mismatched brackets around a single item")

    def cases(self) -> Node:
        """`\\begin{cases} x = 1 \\\\ y = 2 \\end{cases}`: a system, its rows a list (a piecewise
        definition, with `&` conditions, is not read)."""
        items: list[Node] = []
        while self.peek() != "end":
            k = self.peek()
            if k is None or k == "colsep":
                raise ParseError("cases with conditions" if k else "unterminated cases")
            if k == "rowsep":
                self.next()
                continue
            row = self.seq()
            items.extend(row.items if isinstance(row, Group) and row.open == "" else (row,))
        self.next()
        if not items:
            raise ParseError("empty cases")
        return items[0] if len(items) == 1 else Group("", "", tuple(items))

    def matrix(self, env: str) -> Node:
        if env not in _MATRIX_ENVS:
            raise ParseError(f"environment {env!r} is not supported")
        rows: list[tuple[Node, ...]] = []
        row: list[Node] = []
        while True:
            k = self.peek()
            if k is None:
                raise ParseError(f"unterminated {env}")
            if k == "end":
                self.next()
                break
            if k == "rowsep":
                self.next()
                rows.append(tuple(row))
                row = []
                continue
            if k == "colsep":
                self.next()
                continue
            row.append(self.additive())
        if row:
            rows.append(tuple(row))
        rows = [r for r in rows if r]
        if not rows or len({len(r) for r in rows}) != 1:
            raise ParseError("ragged or empty matrix")
        node: Node = Matrix(tuple(rows))
        if env in ("vmatrix", "Vmatrix"):
            node = Call("det", (node,))
        return node


def _unit_ratio(big: str, small: str) -> Fraction | None:
    """How many `big` units one `small` unit is, for two parts of one quantity (hours, then minutes); else None."""
    keys = []
    for unit in (big, small):
        word = unit.strip().lower()
        keys.append(next((w for w in (word, word[:-1], word[:-2]) if w in _ALL_PART_UNITS), word))  # hours, inches
    for table in _PART_UNITS.values():
        if keys[0] in table and keys[1] in table and table[keys[0]] > table[keys[1]]:
            return Fraction(table[keys[1]]) / Fraction(table[keys[0]])
    return None


_ALL_PART_UNITS = {unit for table in _PART_UNITS.values() for unit in table}


def _ray(op: str, end: Node) -> Node:
    """The real numbers `x` with `x op end`, as an interval (or two, for `!=`)."""
    if op == "!=":
        return SetOp("cup", (Group("(", ")", (Neg(INF), end)), Group("(", ")", (end, INF))))
    if op in (">", ">="):
        return Group("[" if op == ">=" else "(", ")", (end, INF))
    return Group("(", "]" if op == "<=" else ")", (Neg(INF), end))


# "approximately 2.24", "2.24 (approx.)": the words say the number is rounded; the number is the answer.
_APPROX_BEFORE = re.compile(r"^(?:approximately|approx\.?|about|around|roughly|~)\s*(?=[-+.\d\\])", re.IGNORECASE)
_APPROX_AFTER = re.compile(r"(?<=[\d}])\s*(?:\((?:approx\.?|approximately|rounded)\)|approximately)$", re.IGNORECASE)


_FRACTION_IN_WORDS = re.compile(
    r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten)[- ]"
    r"(?:half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?)",
    re.IGNORECASE,
)


_HYPHENATED_WORDS = re.compile(r"[A-Za-z]{3,}(?:-[A-Za-z]{3,})+")  # words, not a difference of variables


def parse(text: str, policy: Policy) -> Node:
    """Parse a cleaned answer string into a node; raises ParseError when it is not readable."""
    if _FRACTION_IN_WORDS.fullmatch(text) or _HYPHENATED_WORDS.fullmatch(text):  # "one-half", "twenty-four"
        return Text(text.replace("-", " "))
    if text[:1].isalpha() or text.endswith(("approximately", ")")) or text.startswith("~"):
        text = _APPROX_AFTER.sub("", _APPROX_BEFORE.sub("", text))
    tokens = tokenize(text, policy)
    if not tokens:
        raise ParseError("empty answer")
    if "*" in text and "\\" not in text:  # sympy's printing: 2*E is 2e, 3 + 4*I is 3+4i
        sympy_names = {"E": ("const", "e"), "I": ("const", "i") if policy.imaginary_unit else ("id", "I")}
        tokens = [(*sympy_names[t[1]], t[2]) if t[0] == "id" and t[1] in sympy_names else t for t in tokens]
    return _Parser(tokens, policy).answer()


_NUMBER_ONLY = re.compile(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)")


def parse_fast(text: str, policy: Policy) -> Node:
    """`parse`, with a shortcut for plain integers and decimals."""
    if _NUMBER_ONLY.fullmatch(text):
        value = Fraction(text)
        return Num(value, text) if value >= 0 or text[0] != "-" else Neg(Num(-value, text[1:]))
    return parse(text, policy)


__all__ = ["ParseError", "TooDeep", "parse", "parse_fast", "tokenize"]
