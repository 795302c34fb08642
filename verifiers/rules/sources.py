"""The sources given with a prompt, for grounding checks: metadata["sources"] or the prompt text."""

from __future__ import annotations

from typing import Any

from ..sample import Sample

SOURCE_FIELDS = ("citation", "title", "name", "text", "content", "url")


def source_texts(sample: Sample, key: str = "sources") -> list[str] | None:
    """The sources as a list of texts; None when the sample has neither sources nor a prompt.

    `sample.metadata[key]` may be a string, a list of strings, or a list of dicts whose
    citation/title/name/text/content/url fields are read. Without it the prompt text is the source.
    """
    raw = sample.metadata.get(key)
    if raw is None:
        prompt = sample.prompt_text
        return [prompt] if prompt.strip() else None
    return [t for t in (_flatten(item) for item in (raw if isinstance(raw, list) else [raw])) if t]


def _flatten(item: Any) -> str:
    if item is None:
        return ""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return "\n".join(str(item[k]) for k in SOURCE_FIELDS if item.get(k))
    if isinstance(item, (list, tuple)):
        return "\n".join(_flatten(x) for x in item)
    return str(item)
