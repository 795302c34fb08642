"""Blank out the parts of a text that spelling must not judge: code, LaTeX, URLs, markup."""

from __future__ import annotations

import regex

# Each pattern's matches are replaced by spaces of the same length, so offsets stay valid.
FENCED_CODE = regex.compile(r"(?ms)^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)")
INLINE_CODE = regex.compile(r"`[^`\n]+`")
LATEX = regex.compile(
    r"\$\$.{1,20000}?\$\$"  # display maths
    r"|\\\[.{1,20000}?\\\]"  # \[ ... \]
    r"|\\\(.{1,20000}?\\\)"  # \( ... \)
    r"|\\begin\{(\w+\*?)\}.{0,50000}?\\end\{\1\}"  # environments
    r"|(?<![\\\w$])\$(?=\S)[^$\n]{1,400}?(?<=\S)\$(?!\d)"  # inline $...$, not "$5 or $6"
    r"|\\[A-Za-z]+(?:\{[^{}\n]*\})*",  # a bare command like \frac{a}{b} or \alpha
    regex.DOTALL,
)
URL = regex.compile(
    r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>\"'`]+"  # scheme or www
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"  # e-mail addresses
    r"|\]\([^)\s]*\)"  # markdown link targets
)
MARKUP = regex.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]{0,200})?/?>|&[a-z]+;|&#\d+;")

MASKS = {
    "code": (FENCED_CODE, INLINE_CODE),
    "latex": (LATEX,),
    "urls": (URL,),
    "markup": (MARKUP,),
}
# A kind's patterns can only match when one of these is in the text; checking first skips most passes.
TRIGGERS = {
    "code": ("`", "~~~"),
    "latex": ("$", "\\"),
    "urls": ("://", "www.", "@", "]("),
    "markup": ("<", "&"),
}


def _blank(match: regex.Match) -> str:
    # keep newlines so sentence starts after a masked block are still seen
    return "".join("\n" if c == "\n" else " " for c in match.group(0))


def mask_text(text: str, kinds: tuple[str, ...]) -> str:
    """The text with every region of the given kinds (code, latex, urls, markup) replaced by spaces."""
    for kind in kinds:
        if not any(t in text for t in TRIGGERS[kind]):
            continue
        for pattern in MASKS[kind]:
            text = pattern.sub(_blank, text)
    return text
