"""Option types: their names in help text, and values (TOML or CLI text) converted to them."""

from __future__ import annotations

import dataclasses
import math
import tomllib
import types
import typing
from typing import Any, Literal

from .fields import ConfigError

_HINTS: dict[type, dict[str, Any]] = {}


def hints(cls: type) -> dict[str, Any]:
    """The resolved type of every field of a config dataclass, by field name."""
    if cls not in _HINTS:
        resolved = typing.get_type_hints(cls)
        _HINTS[cls] = {f.name: resolved[f.name] for f in dataclasses.fields(cls)}
    return _HINTS[cls]


def type_args(hint: Any) -> tuple[Any, ...]:
    """The members of a union type (or the type itself)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def choices(hint: Any) -> tuple[Any, ...]:
    """The allowed values of a `Literal` option (empty for other types)."""
    return tuple(v for a in type_args(hint) if typing.get_origin(a) is Literal for v in typing.get_args(a))


def base_type(hint: Any) -> Any:
    """The one non-None type of an option, or None when it allows several."""
    non_none = [a for a in type_args(hint) if a is not type(None)]
    return non_none[0] if len(non_none) == 1 else None


def type_name(hint: Any) -> str:
    """How an option's type reads in help text and errors: 'int', 'float | none', "'a' | 'b'"."""
    names = []
    for a in type_args(hint):
        origin = typing.get_origin(a)
        if a is type(None):
            names.append("none")
        elif origin is Literal:
            names.extend(repr(v) for v in typing.get_args(a))
        elif origin is list:
            names.append(f"list of {typing.get_args(a)[0].__name__}")
        elif origin is dict or a is dict:
            names.append("table")
        else:
            names.append(a.__name__)
    return " | ".join(names)


def coerce(value: Any, hint: Any, name: str, from_text: bool) -> Any:
    """`value` converted to the option's type, or a ConfigError naming the option (and its choices)."""
    allowed = type_args(hint)
    if from_text:
        text = value.strip()
        if type(None) in allowed and text.lower() in ("none", "null", ""):
            return None
        value = _parse_text(text, allowed, name)
    if value is None:
        if type(None) in allowed:
            return None
        raise ConfigError(f"{name}: a value is required ({type_name(hint)})")
    for a in allowed:
        ok, converted = _convert(value, a)
        if ok:
            return converted
    allowed_values = choices(hint)
    if allowed_values and isinstance(value, str):
        raise ConfigError(f"{name}: must be one of {', '.join(map(repr, allowed_values))}, not {value!r}")
    raise ConfigError(f"{name}: expected {type_name(hint)}, got {value!r}")


def type_errors(obj: Any, prefix: str) -> list[str]:
    """Type errors of every option of a config tree (values set from Python skip the loader's checks)."""
    errors = []
    for name, hint in hints(type(obj)).items():
        value = getattr(obj, name)
        if dataclasses.is_dataclass(value):
            errors += type_errors(value, f"{prefix}{name}.")
            continue
        try:
            setattr(obj, name, coerce(value, hint, prefix + name, from_text=False))
        except ConfigError as exc:
            errors.append(str(exc))
    return errors


def _convert(value: Any, target: Any) -> tuple[bool, Any]:
    origin = typing.get_origin(target)
    if target is type(None):
        return value is None, None
    if origin is Literal:
        return isinstance(value, str) and value in typing.get_args(target), value
    if target is bool:
        return isinstance(value, bool), value
    if target is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return True, value
        if isinstance(value, float) and value.is_integer():
            return True, int(value)
        return False, None
    if target is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return True, float(value)
        return False, None
    if target is str:
        return isinstance(value, str), value
    if origin is list:
        (item,) = typing.get_args(target)
        if isinstance(value, (list, tuple)):
            out = []
            for v in value:
                ok, c = _convert(v, item)
                if not ok:
                    return False, None
                out.append(c)
            return True, out
        return False, None
    if origin is dict or target is dict:
        return isinstance(value, dict), value
    return False, None


def _parse_text(text: str, allowed: tuple[Any, ...], name: str) -> Any:
    """Parse a CLI string for an option whose allowed types are `allowed`."""
    kinds = [typing.get_origin(a) or a for a in allowed if a is not type(None)]
    if bool in kinds:
        low = text.lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise ConfigError(f"{name}: expected true or false, got {text!r}")
    if int in kinds or float in kinds:
        try:
            number = float(text) if float in kinds else int(text)
        except ValueError:
            raise ConfigError(f"{name}: expected a number, got {text!r}") from None
        if float in kinds and not math.isfinite(number):
            raise ConfigError(f"{name}: expected a finite number, got {text!r}")
        return number
    if list in kinds and (text.startswith("[") or "," in text or str not in kinds):
        if text.startswith("["):
            parsed = _toml_value(text, name)
        else:
            parsed = [t.strip() for t in text.split(",") if t.strip()]
        item = typing.get_args(next(a for a in allowed if typing.get_origin(a) is list))[0]
        if item is int:
            try:
                parsed = [int(v) for v in parsed]
            except (TypeError, ValueError):
                raise ConfigError(f"{name}: expected a list of whole numbers, got {text!r}") from None
        return parsed
    if dict in kinds and text.startswith("{"):
        return _toml_value(text, name)
    return text


def _toml_value(text: str, name: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: cannot parse {text!r}: {exc}") from None
