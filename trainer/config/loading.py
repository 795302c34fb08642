"""Reading a training config: TOML files and run folders, nested dicts, and `--key value` overrides."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from pathlib import Path
from typing import Any

from .fields import ConfigError
from .reference import all_option_names
from .sections import ALIASES
from .train import TrainConfig
from .values import base_type, coerce, hints


def load_config(path: str | Path | None = None, overrides: list[str] | dict[str, Any] | None = None) -> TrainConfig:
    """A validated TrainConfig from an optional TOML file (or a run folder) plus overrides.

    `overrides` is a list of CLI tokens (`--key value`, `--key=value`, dotted keys for sections) or a
    dict of dotted keys to values.
    """
    data: dict[str, Any] = {}
    if path is not None:
        data = read_toml(path)
    cfg = from_dict(data)
    if isinstance(overrides, dict):
        for key, value in overrides.items():
            set_option(cfg, key, value)
    elif overrides:
        apply_cli_overrides(cfg, overrides)
    return cfg.validate()


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a config file (or RUN_DIR/config.toml when given a run folder)."""
    p = Path(path)
    if p.is_dir():
        p = p / "config.toml"
    if not p.is_file():
        raise ConfigError(f"config file not found: {p}")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: invalid TOML: {exc}") from exc


def from_dict(data: dict[str, Any]) -> TrainConfig:
    """A TrainConfig from a nested dict (unknown keys are errors naming the valid ones)."""
    cfg = TrainConfig()
    _merge(cfg, data, "")
    return cfg


def _merge(obj: Any, data: Any, prefix: str) -> None:
    """Set the options of section `obj` from a table; an unknown key is an error listing the section's options."""
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix.rstrip('.') or 'config'}: expected a table, got {data!r}")
    types = hints(type(obj))
    aliases = ALIASES.get(type(obj), {})
    given: dict[str, str] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        name = aliases.get(name, name)
        if name not in types:
            raise ConfigError(_unknown(prefix + key, obj, prefix))
        if name in given:
            raise ConfigError(f"{prefix}{key}: given twice (also as {prefix}{given[name]})")
        given[name] = key
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            _merge(current, value, f"{prefix}{name}.")
        else:
            setattr(obj, name, coerce(value, types[name], prefix + name, from_text=False))


def offload_for(cfg: TrainConfig, device: Any, processes: int = 1) -> bool:
    """Whether model.offload_activations is on for this run (unset: on for one process on a CUDA device)."""
    if cfg.model.offload_activations is not None:
        return bool(cfg.model.offload_activations)
    return getattr(device, "type", str(device)) == "cuda" and processes == 1


def set_option(cfg: TrainConfig, key: str, value: Any) -> None:
    """Set one option by dotted key; string values are parsed for the option's type.

    A section's name with a table (a dict, or inline-table text such as '{sleep = "off"}') sets several of
    its options at once.
    """
    section = _section_named(cfg, key)
    if section is not None:
        if isinstance(value, str) and value.strip().startswith("{"):
            value = _inline_table(value, key)
        if isinstance(value, dict):
            _merge(section, value, f"{key.replace('-', '_')}.")
            return
    target, name, hint, dotted = _resolve_key(cfg, key)
    setattr(target, name, coerce(value, hint, dotted, from_text=isinstance(value, str)))


def apply_cli_overrides(cfg: TrainConfig, tokens: list[str]) -> None:
    """Apply `--key value` / `--key=value` tokens; a bool option given alone means true."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok.startswith("--") or len(tok) == 2:
            raise ConfigError(f"expected an option like --key value, got {tok!r}")
        key, eq, value = tok[2:].partition("=")
        if not eq:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or (nxt.startswith("--") and len(nxt) > 2):
                hint = None if _section_named(cfg, key) is not None else _resolve_key(cfg, key)[2]
                if hint is None or base_type(hint) is not bool:
                    raise ConfigError(f"option --{key} needs a value")
                value = "true"
            else:
                value = nxt
                i += 1
        set_option(cfg, key, value)
        i += 1


def _section_named(cfg: TrainConfig, key: str) -> Any:
    """The section object a (possibly dotted) key names, or None when it names an option or nothing."""
    obj: Any = cfg
    for part in key.replace("-", "_").split("."):
        if not dataclasses.is_dataclass(obj) or part not in hints(type(obj)):
            return None
        obj = getattr(obj, part)
    return obj if dataclasses.is_dataclass(obj) else None


def _inline_table(text: str, key: str) -> dict[str, Any]:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{key}: cannot parse {text!r} as a table: {exc}") from None


def _resolve_key(cfg: TrainConfig, key: str) -> tuple[Any, str, Any, str]:
    parts = key.replace("-", "_").split(".")
    obj: Any = cfg
    for depth, part in enumerate(parts):
        prefix = ".".join(parts[:depth])
        part = ALIASES.get(type(obj), {}).get(part, part)
        types = hints(type(obj))
        if part not in types:
            if depth == 0 and len(parts) == 1:
                found = _leaf_matches(cfg, part)
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    names = ", ".join(f[3] for f in found)
                    raise ConfigError(f"option '{key}' is ambiguous: use one of {names}")
            raise ConfigError(_unknown(key, obj, f"{prefix}." if prefix else "", everywhere=depth == 0))
        value = getattr(obj, part)
        if depth == len(parts) - 1:
            if dataclasses.is_dataclass(value):
                raise ConfigError(f"'{key}' is a section; set one of its options, e.g. --{key}.{_first(value)}")
            return obj, part, types[part], ".".join([*parts[:depth], part])
        if not dataclasses.is_dataclass(value):
            raise ConfigError(f"'{'.'.join(parts[: depth + 1])}' is not a section")
        obj = value
    raise ConfigError(f"empty option name {key!r}")


def _leaf_matches(cfg: TrainConfig, name: str) -> list[tuple[Any, str, Any, str]]:
    out = []
    for f in dataclasses.fields(cfg):
        section = getattr(cfg, f.name)
        if dataclasses.is_dataclass(section):
            types = hints(type(section))
            if name in types:
                out.append((section, name, types[name], f"{f.name}.{name}"))
    return out


def _first(obj: Any) -> str:
    return dataclasses.fields(obj)[0].name


def _unknown(key: str, section: Any, prefix: str, everywhere: bool = False) -> str:
    """The error for an unknown key: a close match when there is one, and the valid names of its section."""
    names = list(hints(type(section)))
    candidates = [prefix + n for n in names] + (all_option_names() if everywhere else [])
    close = difflib.get_close_matches(key.replace("-", "_"), candidates, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    where = f"[{prefix.rstrip('.')}]" if prefix else "the top level"
    extra = "; other vllm.LLM arguments go in vllm.engine_kwargs" if prefix == "vllm." else ""
    return f"unknown option '{key}'{hint}; the options of {where} are: {', '.join(names)}{extra}"
