"""Which text a rule or condition reads: the answer, what came before it (prompt, earlier turns), or both."""

from __future__ import annotations

from typing import Any

from .base import Context
from .errors import SchemaError
from .schema import get_str, get_strings
from .turns import ROLES

SCOPES = ("answer", "context", "any")
SCOPE_KEYS = frozenset({"scope", "roles"})


def read_scope(table: dict[str, Any], path: tuple) -> tuple[str, tuple[str, ...] | None]:
    """`scope` (answer, context or any; default answer) and `roles` (which turns of the context count)."""
    scope = get_str(table, "scope", path, default="answer", choices=SCOPES)
    roles = get_strings(table, "roles", path)
    for role in roles:
        if role not in ROLES:
            raise SchemaError(path + ("roles",), f"'roles' must name chat roles ({', '.join(ROLES)}), not {role!r}")
    if roles and scope == "answer":
        raise SchemaError(path + ("roles",), '\'roles\' needs scope = "context" or "any" (the answer has no roles)')
    return scope, tuple(roles) or None


def scoped(ctx: Context, scope: str, roles: tuple[str, ...] | None) -> list[Context]:
    """The contexts to read, the answer's first: its spans are the only ones a fired rule reports."""
    out = [ctx] if scope in ("answer", "any") else []
    if scope in ("context", "any"):
        out.append(ctx.before(roles))
    return out
