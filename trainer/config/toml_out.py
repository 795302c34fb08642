"""TOML text for a configuration (the standard library reads TOML but does not write it)."""

from __future__ import annotations

import json
from typing import Any


def dump_toml(data: dict[str, Any]) -> str:
    """TOML text for a nested dict of scalars, lists and tables (None values are left out)."""
    lines: list[str] = []
    _emit_table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _emit_table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if v is not None and not _is_table(v) and not _is_table_list(v)}
    tables = {k: v for k, v in data.items() if _is_table(v)}
    table_lists = {k: v for k, v in data.items() if _is_table_list(v)}
    for k, v in scalars.items():
        lines.append(f"{_key(k)} = {_scalar(v)}")
    for k, v in tables.items():
        sub = path + [k]
        lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in sub)}]")
        _emit_table(v, sub, lines)
    for k, items in table_lists.items():
        sub = path + [k]
        for item in items:
            lines.append("")
            lines.append(f"[[{'.'.join(_key(p) for p in sub)}]]")
            _emit_table(item, sub, lines)


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else json.dumps(k)


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")
