"""Grading templates for LLM judges: bundled by name, or read from a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent / "templates"
FIELDS = ("prompt", "completion", "answer", "criterion")


@dataclass(frozen=True)
class Template:
    """A grading template: its name and text with `{prompt}`, `{completion}`, `{answer}`, `{criterion}`."""

    name: str
    text: str

    def render(self, **values: str) -> str:
        """The template with each known placeholder replaced (other braces are left as they are)."""
        out = self.text
        for key in FIELDS:
            out = out.replace("{" + key + "}", values.get(key, ""))
        return out


def bundled_templates() -> list[str]:
    """The names of the templates shipped with aha."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.txt"))


def load_template(ref: str | Path) -> Template:
    """A bundled template by name (`criterion`, `correctness`) or a template file; raises ValueError."""
    path = TEMPLATE_DIR / f"{ref}.txt" if isinstance(ref, str) and "/" not in ref and "." not in ref else Path(ref)
    if not path.is_file():
        raise ValueError(
            f"no grading template {str(ref)!r}: give a file path or one of {', '.join(bundled_templates())}"
        )
    text = path.read_text(encoding="utf-8")
    if "{completion}" not in text:
        raise ValueError(f"grading template {path} has no {{completion}} placeholder")
    return Template(path.stem, text)
