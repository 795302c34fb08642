"""Find the solution's code in a completion: the last ```python block, or the whole text."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]*```[ \t]*(python3?|py)?[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M | re.I)
_OPEN = re.compile(r"^[ \t]*```[ \t]*(python3?|py)[ \t]*$", re.M | re.I)
CODE_FROM = ("block", "auto", "completion")


def extract_code(text: str, code_from: str = "block") -> tuple[str | None, str]:
    """(code, how it was found); code is None when there is none, with the reason."""
    if code_from == "completion":
        return (text, "the whole completion") if text.strip() else (None, "the completion is empty")
    blocks = [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]
    tagged = [code for lang, code in blocks if lang]
    if tagged:
        return tagged[-1], "the last ```python block"
    if blocks:
        return blocks[-1][1], "the last ``` block"
    if _OPEN.search(text):
        return None, "the ```python block is not closed (truncated completion?)"
    if code_from == "auto" and text.strip():
        return text, "the whole completion (no code block)"
    return None, "no ```python code block in the completion"
