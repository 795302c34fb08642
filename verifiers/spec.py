"""Reward specs: a composition of registered verifiers written in TOML or Python."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .base import Verifier
from .compose import COMBINES, Composite, Term
from .registry import Registry, RegistryError, get_registry


class SpecError(ValueError):
    """A reward spec that cannot be built, with where and why."""


TERM_KEYS = {"verifier", "name", "weight", "gate", "gate_score", "params", "terms", "combine"}
REWARD_KEYS = {"terms", "combine", "name", "pass_threshold"}


def load_reward(spec: str | Path | dict[str, Any] | Verifier, registry: Registry | None = None) -> Verifier:
    """A verifier from a registered name, a TOML file path, a spec dict or a Verifier.

    A name may carry parameters: ``exact_match`` or ``regex_match:pattern=^42$``.
    """
    if isinstance(spec, Verifier):
        return spec
    registry = registry or get_registry()
    if isinstance(spec, dict):
        return build_reward(spec, registry, source="<dict>")
    path = Path(spec)
    if str(spec).endswith(".toml") or path.is_file():
        return load_reward_file(path, registry)
    name, _, raw = str(spec).partition(":")
    params: dict[str, Any] = {}
    for item in filter(None, raw.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise SpecError(f"reward '{spec}': parameter '{item}' must be key=value")
        params[key.strip()] = _parse_scalar(value.strip())
    try:
        return registry.create(name.strip(), **params)
    except RegistryError as exc:
        raise SpecError(str(exc)) from exc


def load_reward_file(path: str | Path, registry: Registry | None = None) -> Verifier:
    """A verifier from a TOML reward spec file (a `[reward]` table or top-level terms)."""
    path = Path(path)
    if not path.is_file():
        raise SpecError(f"reward spec file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}") from exc
    return build_reward(data.get("reward", data), registry or get_registry(), source=str(path))


def build_reward(data: dict[str, Any], registry: Registry, source: str = "<spec>") -> Verifier:
    """A Composite (or a single verifier) from a parsed spec table."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: the reward spec must be a table")
    unknown = set(data) - REWARD_KEYS - ({"verifier", "params"} if "verifier" in data else set())
    if unknown:
        raise SpecError(f"{source}: unknown key(s) in [reward]: {', '.join(sorted(unknown))}")
    if "verifier" in data and "terms" not in data:
        return _make(data, registry, f"{source}: [reward]")
    terms_data = data.get("terms")
    if not isinstance(terms_data, list) or not terms_data:
        raise SpecError(f"{source}: the reward spec needs a non-empty [[reward.terms]] list")
    combine = data.get("combine", "sum")
    if combine not in COMBINES:
        raise SpecError(f"{source}: combine must be one of {', '.join(COMBINES)}, not {combine!r}")
    terms = [_term(t, registry, f"{source}: term {i + 1}") for i, t in enumerate(terms_data)]
    try:
        return Composite(
            terms, combine=combine, name=data.get("name", "reward"), pass_threshold=data.get("pass_threshold")
        )
    except ValueError as exc:
        raise SpecError(f"{source}: {exc}") from exc


def _term(data: Any, registry: Registry, where: str) -> Term:
    if not isinstance(data, dict):
        raise SpecError(f"{where}: must be a table")
    unknown = set(data) - TERM_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    weight = data.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise SpecError(f"{where}: weight must be a number, not {weight!r}")
    if "terms" in data:
        verifier: Verifier = build_reward(
            {k: data[k] for k in ("terms", "combine", "name") if k in data}, registry, where
        )
        name = data.get("name") or verifier.name
    else:
        verifier = _make(data, registry, where)
        name = data.get("name")
    gate = data.get("gate")
    if gate is not None and not isinstance(gate, str):
        raise SpecError(f"{where}: gate must be the name of an earlier term")
    return Term(verifier, float(weight), name, gate, float(data.get("gate_score", 0.0)))


def _make(data: dict[str, Any], registry: Registry, where: str) -> Verifier:
    vname = data.get("verifier")
    if not isinstance(vname, str) or not vname:
        raise SpecError(f"{where}: 'verifier' (a registered verifier name) is required")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise SpecError(f"{where}: params must be a table")
    try:
        return registry.create(vname, **params)
    except (RegistryError, ValueError, TypeError) as exc:
        raise SpecError(f"{where}: {exc}") from exc


def _parse_scalar(value: str) -> Any:
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value
