"""Pack-wide defaults that rule tables inherit."""

from __future__ import annotations

from dataclasses import dataclass

from .patterns import DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Settings:
    """Defaults for a pack's rules: case policy, regex time limit, pack name."""

    case: str = "insensitive"
    timeout: float = DEFAULT_TIMEOUT
    pack: str = ""
