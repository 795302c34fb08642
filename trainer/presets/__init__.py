"""Ready-made training configs shipped with aha (TOML files next to this module)."""

from __future__ import annotations

from pathlib import Path

PRESETS_DIR = Path(__file__).resolve().parent


def preset_path(name: str) -> Path:
    """The TOML file of a shipped preset ('demo': the bundled tiny model on its addition task)."""
    path = PRESETS_DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PRESETS_DIR.glob("*.toml")))
        raise FileNotFoundError(f"no preset '{name}' (known: {known})")
    return path


__all__ = ["PRESETS_DIR", "preset_path"]
