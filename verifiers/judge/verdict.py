"""Strict parsing of a judge's reply: one JSON object with a boolean `met`, or nothing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_FENCE = re.compile(r"\A```(?:json)?[ \t]*\n(.*)\n```\Z", re.DOTALL)


@dataclass(frozen=True)
class Verdict:
    """A parsed judgement: whether the criterion is met, and the judge's one-line reason."""

    met: bool
    reason: str


class MalformedVerdict(ValueError):
    """The judge's reply is not the JSON object the template asks for."""


def parse_verdict(reply: str) -> Verdict:
    """The verdict in a reply; raises MalformedVerdict for anything but one object with a boolean `met`."""
    text = reply.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedVerdict(f"the judge's reply is not JSON ({exc.msg}): {_clip(reply)}") from None
    if not isinstance(data, dict):
        raise MalformedVerdict(f"the judge's reply is JSON but not an object: {_clip(reply)}")
    met = data.get("met")
    if not isinstance(met, bool):
        raise MalformedVerdict(f"the judge's reply has no boolean 'met': {_clip(reply)}")
    reason = data.get("reason", "")
    return Verdict(met, reason if isinstance(reason, str) else json.dumps(reason))


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")
