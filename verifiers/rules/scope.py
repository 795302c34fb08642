"""Which text a rule or condition reads: the answer, what came before it (prompt, earlier turns), both, or the sources."""

from __future__ import annotations

from typing import Any

from .base import Context
from .errors import SchemaError
from .schema import get_str, get_strings
from .turns import ROLES

SCOPES = ("answer", "context", "any", "sources")
SCOPE_KEYS = frozenset({"scope", "roles"})


def read_scope(table: dict[str, Any], path: tuple) -> tuple[str, tuple[str, ...] | None]:
    """`scope` (answer, context, any or sources; default answer) and `roles` (which turns of the context count).

    `sources` reads the sources given with the prompt (metadata "sources", or without it the prompt).
    """
    scope = get_str(table, "scope", path, default="answer", choices=SCOPES)
    roles = get_strings(table, "roles", path)
    for role in roles:
        if role not in ROLES:
            raise SchemaError(path + ("roles",), f"'roles' must name chat roles ({', '.join(ROLES)}), not {role!r}")
    if roles and scope in ("answer", "sources"):
        raise SchemaError(path + ("roles",), f'\'roles\' needs scope = "context" or "any" (the {scope} has no roles)')
    return scope, tuple(roles) or None


def scoped(ctx: Context, scope: str, roles: tuple[str, ...] | None) -> list[Context]:
    """The contexts to read, the answer's first: its spans are the only ones a fired rule reports."""
    if scope == "sources":
        return [ctx.sources_context()]
    out = [ctx] if scope in ("answer", "any") else []
    if scope in ("context", "any"):
        out.append(ctx.before(roles))
    return out
