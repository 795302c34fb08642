"""The `rules` verifier: domain rule packs in TOML, from files or plugins, as a reward."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..base import Verifier
from ..result import Result, Status
from ..sample import Sample
from .base import SEVERITIES
from .engine import SCORINGS, RuleSet, worst_severity
from .errors import RulePackError, SchemaError
from .loader import RulePack, build_pack, load_pack, load_pack_source


def resolve_pack(ref: str | Path) -> RulePack:
    """A pack from a registered pack name or a TOML file path."""
    from ..registry import get_registry

    registered = get_registry().rule_packs()
    if isinstance(ref, str) and ref in registered:
        return load_pack_source(registered[ref][1], ref)
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        return load_pack(path)
    known = ", ".join(sorted(registered)) or "none"
    raise RulePackError(
        str(ref), None, f"no rule pack registered under this name and no such file (registered packs: {known})"
    )


class Rules(Verifier):
    """Domain rule packs written in TOML: required and forbidden content, conditions, quantities with units."""

    name = "rules"

    def __init__(
        self,
        packs: str | Sequence[str] = (),
        rules: Sequence[dict[str, Any]] = (),
        disable: Sequence[str] = (),
        scoring: str = "penalty",
        fail_on: str = "error",
        case: str = "insensitive",
    ):
        if scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {', '.join(SCORINGS)}, not {scoring!r}")
        if fail_on not in SEVERITIES:
            raise ValueError(f"fail_on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
        refs = [packs] if isinstance(packs, (str, Path)) else list(packs)
        loaded = [resolve_pack(r) for r in refs]
        if rules:
            try:
                loaded.append(
                    build_pack({"pack": {"name": "inline", "case": case}, "rule": list(rules)}, "<inline rules>")
                )
            except SchemaError as exc:
                raise RulePackError("<inline rules>", None, _describe_path(exc.path, rules) + exc.problem) from None
        if not loaded:
            raise ValueError("rules needs at least one pack (packs=[...]) or inline rules (rules=[...])")
        all_rules = [r for p in loaded for r in p.rules]
        unknown = sorted(set(disable) - {r.id for r in all_rules})
        if unknown:
            raise ValueError(f"disable names unknown rule id(s): {', '.join(unknown)}")
        self.packs = [p.name for p in loaded]
        self.sources = [p.source for p in loaded]
        self.disabled = tuple(disable)
        self.ruleset = RuleSet(r for r in all_rules if r.id not in self.disabled)
        self.scoring = scoring
        self.fail_on = fail_on

    def params(self) -> dict[str, Any]:
        """Settings, for repr."""
        return {"packs": self.packs, "rules": len(self.ruleset.rules), "scoring": self.scoring}

    def check(self, sample: Sample) -> Result:
        """Run every rule; list the fired ones (id, severity, weight, message, span) in details['fired']."""
        ev = self.ruleset.evaluate(sample)
        details: dict[str, Any] = {"fired": ev.fired, "rules_checked": ev.checked, "packs": self.packs}
        if ev.unchecked:
            details["unchecked"] = ev.unchecked
        if ev.errors:
            details["rule_errors"] = ev.errors
            listed = "; ".join(f"{e['id']}: {e['error']}" for e in ev.errors)
            return Result(0.0, Status.ERROR, f"{len(ev.errors)} rule(s) could not run: {listed}", details, self.name)
        score = self.ruleset.score(ev, self.scoring)
        note = ""
        if ev.unchecked:
            note = " | not checked: " + "; ".join(f"{u['id']} ({u['reason']})" for u in ev.unchecked)
        if not ev.fired:
            return self.passed(f"all {ev.checked} rules hold{note}", score=score, **details)
        listed = "; ".join(f"{f['id']} [{f['severity']}]: {f['message']} ({f['detail']})" for f in ev.fired[:10])
        more = f"; and {len(ev.fired) - 10} more" if len(ev.fired) > 10 else ""
        reason = f"{len(ev.fired)} of {ev.checked} rules fired: {listed}{more}{note}"
        worst = worst_severity(ev.fired)
        if worst is not None and SEVERITIES[worst] >= SEVERITIES[self.fail_on]:
            return self.failed(reason, score=score, **details)
        return self.passed(reason, score=score, **details)


def _describe_path(path: tuple, rules: Sequence[dict[str, Any]]) -> str:
    if len(path) >= 2 and path[0] == "rule" and isinstance(path[1], int):
        i = path[1]
        rid = rules[i].get("id") if i < len(rules) and isinstance(rules[i], dict) else None
        where = f"rule {i + 1}" + (f" ({rid!r})" if rid else "")
        keys = ".".join(str(k) for k in path[2:])
        return f"{where}{', key ' + keys if keys else ''}: "
    return ".".join(str(k) for k in path) + ": " if path else ""
