"""Finding the final answer in a completion, by strategies tried in a configurable priority order.

Strategies (default order): `boxed` (the last `\\boxed{}`/`\\fbox{}`, nested braces matched),
`answer_tag` (`<answer>...</answer>`), `final_answer` ("the final answer is ...", "Answer: ..."),
`math_span` (the last `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]`), `last_expression` (the last
line if it is mathematics, else the right side of its last `=`, else the last number). `whole`
takes the whole text; gold answers use it in place of the last two. When a completion has a
`</think>` block, the text after it is searched first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

STRATEGIES = ("boxed", "answer_tag", "final_answer", "math_span", "last_expression", "whole")
DEFAULT_PRIORITY = ("boxed", "answer_tag", "final_answer", "math_span", "last_expression")
_GOLD_FALLBACK = ("whole",)

_PHRASE = re.compile(
    r"(?:final\s+answer|the\s+answer|answer|the\s+result)\s*(?:is|:|=|\*\*\s*:?)\s*:?|(?:^|(?<=\s))####",
    re.IGNORECASE | re.MULTILINE,
)
_DELIMITER = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\\$|\$")
_CLOSER = {"$$": "$$", "\\(": "\\)", "\\[": "\\]", "$": "$"}
_SPAN_LIMIT = {"$$": 2000, "\\(": 2000, "\\[": 2000, "$": 500}
_CONNECTOR = re.compile(r"\s*(?:,|and|or|,\s*and|,\s*or)\s*", re.IGNORECASE)
_COPULA = re.compile(r"\s(?:is|are|equals|was)\s", re.IGNORECASE)
_BOX = re.compile(r"\\(?:boxed|fbox)(?:\s*\{|\s+([^\s${}]+))")
_BOX_GAP = re.compile(r"(?:\s|\$|,|;|and|or|\\quad|\\text\{\s*(?:and|or|,)?\s*\}|\b[a-zA-Z]\s*=)*", re.IGNORECASE)
_TRAILING_CLAUSE = re.compile(
    r"\s(?:because|since|as|which|so|when|where|if|for|but|and\s+(?:this|that|it))\s|\s\((?=[A-Za-z]{2,}\s)|\s\u2014\s",
    re.IGNORECASE,
)
_BRACE = re.compile(r"[{}\\]")
_PHRASE_AFTER = re.compile(
    r"(?:\$([^$\n]{1,100})\$|([^\s$]{1,60}))\s+is\s+(?:the|our|my)\s+(?:final\s+)?answer", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"\.(?:\s|$)(?!\d)|\n")
_NUMBER = re.compile(
    r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?(?:\s*(?:\\?%|percent))?"
)
_WORD = re.compile(r"[A-Za-z]{3,}")
_KNOWN_WORDS = set(
    "frac dfrac tfrac sqrt sin cos tan cot sec csc log exp text pi infty cdot times left right boxed "
    "begin end pmatrix bmatrix matrix mathrm circ arcsin arccos arctan sinh cosh tanh cup cap leq geq "
    "neq pm emptyset varnothing mathbf quad binom lfloor rfloor lceil rceil langle rangle displaystyle "
    "approx infinity textbf gcd lcm mod max min ceil floor det operatorname alpha beta gamma delta theta "
    "lambda sigma omega phi mathbb setminus vert lvert rvert dots ldots cdots and".split()
)
_THINK_END = "</think>"
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[A-Za-z*]+\}")
_COMMAND = re.compile(r"\\[A-Za-z]+")


def answer_tag(text: str, name: str = "answer") -> str | None:
    """Content of the last `<answer>...</answer>` (linear time), or None."""
    close = text.lower().rfind(f"</{name}>")
    if close < 0:
        return None
    lower = text.lower()
    open_at = lower.rfind(f"<{name}", 0, close)
    if open_at < 0:
        return None
    start = text.find(">", open_at)
    if start < 0 or start >= close:
        return None
    return text[start + 1 : close].strip()


def final_answer(text: str) -> str | None:
    """The answer stated after the last "final answer is", "the answer is", "Answer:", or None.

    Within that sentence, a lead-in without numbers ("The volume of $V$ is 120") is skipped.
    "X is the answer" is read too.
    """
    last = None
    for m in _PHRASE.finditer(text):
        last = m
    if last is None:
        before = None
        for m in _PHRASE_AFTER.finditer(text):
            before = m
        if before is None:
            return None
        return (before.group(1) or before.group(2)).strip() or None
    rest = text[last.end() : last.end() + 2000].lstrip(" \t*:")
    if rest.startswith("\n"):
        rest = rest.lstrip()
    line = rest.split("\n", 1)[0]
    masked = list(line)
    for a, b, _ in math_spans(line):
        masked[a:b] = "#" * (b - a)
    masked = "".join(masked)
    end = _SENTENCE_END.search(masked)
    if end is not None:
        line, masked = line[: end.start()], masked[: end.start()]
    start = 0
    for m in _COPULA.finditer(masked):
        if not any(c.isdigit() for c in masked[: m.start()]):
            start = m.end()
    line = line[start:]
    masked = masked[start:]
    tail = _TRAILING_CLAUSE.search(masked)
    if tail is not None and tail.start() > 0:
        line = line[: tail.start()]
    spans = _connected_spans(line, first=True)
    if spans:
        return spans
    out = line.strip().strip("*").strip()
    return out or None


def math_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of the `$...$`, `$$...$$`, `\\(...\\)`, `\\[...\\]` spans, in one linear pass.

    An opener left unclosed for too long (a stray dollar sign) is dropped and scanning goes on.
    """
    out: list[tuple[int, int, str]] = []
    open_kind: str | None = None
    open_at = 0
    for m in _DELIMITER.finditer(text):
        d = m.group(0)
        if d == "\\$":
            continue  # an escaped dollar sign
        if open_kind is not None:
            content = text[open_at + len(open_kind) : m.start()] if m.start() - open_at < 3000 else None
            too_long = (
                content is None or len(content) > _SPAN_LIMIT[open_kind] or (open_kind == "$" and "\n" in content)
            )
            if d == _CLOSER[open_kind] and not too_long:
                if content.strip():
                    out.append((open_at, m.end(), content.strip()))
                open_kind = None
                continue
            if not too_long:
                continue  # some other delimiter inside the span
            open_kind = None  # give up on that opener; this delimiter may open a new span
        if d in _CLOSER:
            open_kind, open_at = d, m.start()
    return out


def _connected_spans(text: str, first: bool) -> str | None:
    """The first (or last) math span of `text` with the spans joined to it by "and", "or" or commas."""
    groups: list[list[tuple[int, int, str]]] = []
    for span in math_spans(text):
        if groups and _CONNECTOR.fullmatch(text[groups[-1][-1][1] : span[0]]):
            groups[-1].append(span)
        else:
            if first and groups:
                break
            groups.append([span])
    if not groups:
        return None
    chosen = groups[0] if first else groups[-1]
    if first:
        head = text[: chosen[0][0]]
        if len(head) > 60 or any(c.isdigit() for c in head):
            return None
    return ", ".join(span[2] for span in chosen) or None


def math_span(text: str) -> str | None:
    """The content of the last `$...$`, `$$...$$`, `\\(...\\)` or `\\[...\\]` span, or None.

    Spans joined only by "and", "or" or commas just before it (`$x=1$ and $x=2$`) are kept together.
    """
    return _connected_spans(text, first=False)


def looks_like_expression(line: str) -> bool:
    """True when a line is mathematics rather than prose (no words beyond LaTeX and function names)."""
    line = _ENVIRONMENT.sub(" ", line)
    for w in _WORD.findall(_COMMAND.sub(" ", line)):
        if w.lower() not in _KNOWN_WORDS:
            return False
    return bool(line.strip())


def last_expression(text: str) -> str | None:
    """The last line when it is an expression; else the right side of its last `=`; else the last number."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    line = lines[-1].rstrip(".").strip()
    if len(line) <= 300 and looks_like_expression(line):
        return line
    if "=" in line:
        rhs = line.rsplit("=", 1)[1].strip().rstrip(".").strip()
        if rhs and len(rhs) <= 100 and looks_like_expression(rhs):
            return rhs
    if len(lines) == 1 and len(line) <= 60 and not re.search(r"[.!?]\s", line):
        if (not re.search(r"\d", line) and len(line.split()) <= 3) or re.match(r"[-+\d\\($\[{.]", line):
            return line  # a short answer such as "Monday" or "120 minutes"
    for source in (line, text[-5000:]):
        found = None
        for m in _NUMBER.finditer(source):
            found = m.group(0)
        if found is not None:
            return found.replace("\u2212", "-")
    return None


def boxes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of every outermost `\\boxed{...}` / `\\fbox{...}`, nested braces matched.

    One linear pass matches all braces, so many unclosed boxes cost no more than one.
    """
    found = list(_BOX.finditer(text))
    if not found:
        return []
    closing = _match_braces(text, found[0].start())
    out: list[tuple[int, int, str]] = []
    for m in found:
        if out and m.start() < out[-1][1]:
            continue  # inside the previous box
        if m.group(1) is not None:  # "\\boxed 5"
            out.append((m.start(), m.end(), m.group(1)))
            continue
        end = closing.get(m.end() - 1)
        if end is not None:
            out.append((m.start(), end + 1, text[m.end() : end]))
    return out


def _match_braces(text: str, start: int) -> dict[int, int]:
    """Position of the matching `}` for every `{` from `start` on (escaped braces ignored)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    i = start
    n = len(text)
    while i < n:
        j = _BRACE.search(text, i)
        if j is None:
            break
        i = j.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            stack.append(i)
        elif stack:
            out[stack.pop()] = i
        i += 1
    return out


def _boxed(text: str, which: str) -> str | None:
    found = [b for b in boxes(text) if b[2].strip()]
    if not found:
        return None
    if which == "first":
        return found[0][2].strip()
    if which == "all":
        return ", ".join(dict.fromkeys(b[2].strip() for b in found))
    chosen = [found[-1]]
    for b in reversed(found[:-1]):  # boxes written side by side: "\\boxed{1}, \\boxed{2}"
        if not _BOX_GAP.fullmatch(text[b[1] : chosen[0][0]]):
            break
        chosen.insert(0, b)
    return ", ".join(b[2].strip() for b in chosen)


def _run(text: str, strategy: str, boxed: str, tag_name: str) -> str | None:
    if strategy == "boxed":
        return _boxed(text, boxed)
    if strategy == "answer_tag":
        content = answer_tag(text, tag_name)
        if not content:
            return None
        for inner in ("boxed", "final_answer", "math_span"):
            found = _run(content, inner, boxed, tag_name)
            if found:
                return found
        return content
    if strategy == "final_answer":
        return final_answer(text)
    if strategy == "math_span":
        return math_span(text)
    if strategy == "last_expression":
        return last_expression(text)
    if strategy == "whole":
        return text.strip() or None
    raise ValueError(f"unknown extraction strategy {strategy!r} (known: {', '.join(STRATEGIES)})")


def extract(
    text: str,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    boxed: str = "last",
    tag_name: str = "answer",
) -> tuple[str | None, str | None]:
    """The final answer of a completion and the strategy that found it; (None, None) if none did."""
    regions = [text]
    cut = text.rfind(_THINK_END)
    if cut >= 0 and text[cut + len(_THINK_END) :].strip():
        regions.insert(0, text[cut + len(_THINK_END) :])
    for region in regions:
        for strategy in priority:
            found = _run(region, strategy, boxed, tag_name)
            if found:
                return found, strategy
    return None, None


def extract_gold(
    text: str, priority: Sequence[str] = DEFAULT_PRIORITY, boxed: str = "last", tag_name: str = "answer"
) -> tuple[str | None, str | None]:
    """The gold answer: the same strategies, with the whole text in place of the last-expression fallback."""
    explicit = tuple(s for s in priority if s in ("boxed", "answer_tag", "final_answer")) + _GOLD_FALLBACK
    return extract(text, explicit, boxed, tag_name)


def parse_priority(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """A priority order from a list or a string like "boxed>answer_tag>final_answer"."""
    if value is None:
        return DEFAULT_PRIORITY
    if isinstance(value, str):
        items = [v.strip() for v in re.split(r"[>|,\s]+", value) if v.strip()]
    else:
        items = [str(v).strip() for v in value]
    for item in items:
        if item not in STRATEGIES:
            raise ValueError(f"unknown extraction strategy {item!r} (known: {', '.join(STRATEGIES)})")
    if not items:
        raise ValueError("the extraction priority is empty")
    return tuple(items)
