"""Load rule packs from TOML files, TOML text or dicts; bad packs fail here with the file, line and problem."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .base import SEVERITIES, Rule
from .citation_rule import CitationRule
from .conditional import Conditional
from .errors import RulePackError, SchemaError
from .patterns import CASES, DEFAULT_TIMEOUT, MAX_TIMEOUT
from .quantity_rule import QuantityRule
from .schema import COMMON_KEYS, check_keys, get_number, get_str
from .settings import Settings
from .text_rules import MaxLength, MustInclude, MustNotInclude, Sections
from .toml_lines import TomlLines

RULE_TYPES: dict[str, type[Rule]] = {
    cls.type: cls for cls in (MustInclude, MustNotInclude, Sections, MaxLength, QuantityRule, CitationRule, Conditional)
}
PACK_KEYS = frozenset({"name", "description", "version", "case", "regex_timeout"})
RULE_ID = re.compile(r"^[A-Za-z0-9][\w.:-]*$")
TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


@dataclass
class RulePack:
    """A named, loaded set of rules and where it came from."""

    name: str
    rules: list[Rule] = field(default_factory=list)
    description: str = ""
    version: str = ""
    source: str = ""


def build_body(
    rule_type: str,
    table: dict[str, Any],
    path: tuple,
    common: dict[str, Any],
    settings: Settings,
    allow_common: bool = True,
) -> Rule:
    """A rule of the given type from its table (common keys already read)."""
    cls = RULE_TYPES[rule_type]
    allowed = set(cls.keys) | {"type"} | (set(COMMON_KEYS) if allow_common else set())
    check_keys(table, allowed, path, f"a {rule_type} rule")
    return cls.build(table, path, common, settings)  # type: ignore[attr-defined]


def _build_rule(table: Any, path: tuple, settings: Settings) -> Rule:
    if not isinstance(table, dict):
        raise SchemaError(path, "each rule must be a table ([[rule]])")
    rule_id = get_str(table, "id", path, required=True)
    if not RULE_ID.match(rule_id):
        raise SchemaError(
            path + ("id",),
            f"rule id {rule_id!r} must start with a letter or digit and use only letters, digits, _ . : -",
        )
    try:
        return _build_named_rule(rule_id, table, path, settings)
    except SchemaError as exc:
        exc.rule = exc.rule or rule_id
        raise
    except (MemoryError, RecursionError) as exc:  # a pattern that slipped past the limits
        raise SchemaError(path, f"{type(exc).__name__} while building the rule", rule_id) from None


def _build_named_rule(rule_id: str, table: dict[str, Any], path: tuple, settings: Settings) -> Rule:
    rule_type = get_str(table, "type", path, required=True, choices=tuple(RULE_TYPES))
    common = {
        "id": rule_id,
        "message": get_str(table, "message", path, required=True),
        "weight": float(get_number(table, "weight", path, default=1.0, minimum=0)),
        "severity": get_str(table, "severity", path, default="error", choices=tuple(SEVERITIES)),
        "pack": settings.pack,
    }
    if not common["message"].strip():
        raise SchemaError(path + ("message",), "'message' must not be empty")
    return build_body(rule_type, table, path, common, settings)


def build_pack(data: dict[str, Any], source: str = "<rules>", default_name: str = "") -> RulePack:
    """A RulePack from parsed TOML (a `[pack]` table and `[[rule]]` tables); raises SchemaError."""
    check_keys(data, ("pack", "rule"), (), "a rule pack (expected [pack] and [[rule]] tables)")
    pack = data.get("pack", {})
    if not isinstance(pack, dict):
        raise SchemaError(("pack",), "'pack' must be a table")
    check_keys(pack, PACK_KEYS, ("pack",), "[pack]")
    name = get_str(pack, "name", ("pack",), default=default_name)
    if not name:
        raise SchemaError(("pack",), "missing required key 'name' in [pack]")
    settings = Settings(
        case=get_str(pack, "case", ("pack",), default="insensitive", choices=CASES),
        timeout=float(
            get_number(pack, "regex_timeout", ("pack",), default=DEFAULT_TIMEOUT, minimum=0.001, maximum=MAX_TIMEOUT)
        ),
        pack=name,
    )
    rules_data = data.get("rule")
    if rules_data is None:
        raise SchemaError(("pack",), "the pack has no [[rule]] tables")
    if not isinstance(rules_data, list):
        raise SchemaError(("rule",), "'rule' must be an array of tables: write [[rule]], not [rule]")
    rules = []
    seen: dict[str, int] = {}
    for i, table in enumerate(rules_data):
        rule = _build_rule(table, ("rule", i), settings)
        if rule.id in seen:
            raise SchemaError(
                ("rule", i, "id"), f"duplicate rule id {rule.id!r} (first defined in rule {seen[rule.id] + 1})"
            )
        seen[rule.id] = i
        rules.append(rule)
    return RulePack(
        name=name,
        rules=rules,
        description=get_str(pack, "description", ("pack",), default=""),
        version=str(pack.get("version", "")),
        source=source,
    )


def loads_pack(text: str, source: str = "<text>", default_name: str = "") -> RulePack:
    """A RulePack from TOML text; errors name the source, line and problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = TOML_POSITION.search(message)
        if m:
            raise RulePackError(
                source, int(m.group(1)), "invalid TOML: " + TOML_POSITION.sub("", message), int(m.group(2))
            ) from None
        raise RulePackError(source, None, f"invalid TOML: {message}") from None
    try:
        return build_pack(data, source, default_name)
    except SchemaError as exc:
        line = TomlLines(text).line_of(exc.path)
        raise RulePackError(source, line, exc.described()) from None


def load_pack(path: str | Path) -> RulePack:
    """A RulePack from a TOML file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulePackError(str(p), None, "rule pack file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(str(p), None, f"cannot read rule pack: {exc}") from None
    return loads_pack(text, str(p), default_name=p.stem)


def load_pack_source(source: Any, name: str = "") -> RulePack:
    """A RulePack from what a plugin registered: a path (str or Path) or TOML text."""
    if isinstance(source, Path):
        return load_pack(source)
    if isinstance(source, str):
        if "\n" in source or "[" in source:
            return loads_pack(source, f"<rule pack {name}>" if name else "<text>", default_name=name)
        return load_pack(source)
    if isinstance(source, dict):
        try:
            return build_pack(source, f"<rule pack {name}>", default_name=name)
        except SchemaError as exc:
            where = ".".join(map(str, exc.path))
            raise RulePackError(f"<rule pack {name}>", None, f"{where}: {exc.described()}") from None
    raise RulePackError(
        f"<rule pack {name}>", None, f"a rule pack must be a path or TOML text, not {type(source).__name__}"
    )
