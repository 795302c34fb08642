"""Clock times (`19:05`, `7:05 p.m.`, `12:00 noon`) read into one 24-hour spelling, `19:05:00`."""

from __future__ import annotations

import re

_CLOCK = re.compile(
    r"(?P<h>\d{1,2})(?:(?P<sep>[:.])(?P<m>\d{2})(?::(?P<s>\d{2}))?)?"
    r"\s*(?P<half>[ap]\.?\s?m\.?|noon|midday|midnight)?",
    re.IGNORECASE,
)
_WORDS = {"noon": "12:00:00", "midday": "12:00:00", "midnight": "00:00:00"}


def clock_time(text: str) -> str | None:
    """`HH:MM:SS` for a time of day (`19:05`, `07:05 P.M.`, `7.05pm`, `12:00 noon`), else None.

    A plain number is no time: an hour needs minutes (`19:05`) or a half of the day (`7 pm`),
    and `7.05` is a time only with `am`/`pm` after it. `12 am` is midnight, `12 pm` noon.
    """
    text = text.strip()
    if text.lower() in _WORDS:
        return _WORDS[text.lower()]
    m = _CLOCK.fullmatch(text)
    if m is None:
        return None
    half = (m.group("half") or "").lower().replace(".", "").replace(" ", "")
    if m.group("m") is None and not half:
        return None
    if m.group("sep") == "." and half not in ("am", "pm"):
        return None
    hour, minute, second = int(m.group("h")), int(m.group("m") or 0), int(m.group("s") or 0)
    if minute > 59 or second > 59:
        return None
    if half in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif half:  # noon, midday, midnight
        if hour != 12 or minute or second:
            return None
        hour = 0 if half == "midnight" else 12
    elif hour > 24 or (hour == 24 and (minute or second)):
        return None
    return f"{hour % 24:02d}:{minute:02d}:{second:02d}"


__all__ = ["clock_time"]
