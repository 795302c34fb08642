"""The hooks a plugin of aha can implement (pluggy project name: `aha`)."""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "aha"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def aha_register_verifiers(register: Any) -> None:
    """Register verifier factories.

    Call ``register(factory, name=None, doc=None)`` once per verifier. ``factory`` is a
    Verifier subclass or any callable that takes the verifier's parameters as keyword
    arguments and returns a Verifier, or a string "package.module:Class" that is imported
    only when the verifier is first created (keeps heavy imports out of start-up; then
    ``name`` and ``doc`` are required). ``name`` defaults to ``factory.name``; ``doc`` to
    the first line of the factory's docstring.
    """


@hookspec
def aha_register_rule_packs(register: Any) -> None:
    """Register domain rule packs for the `rules` verifier.

    Call ``register(name, path_or_text)`` with a TOML file path (or TOML text).
    """


@hookspec
def aha_register_vocabularies(register: Any) -> None:
    """Register extra words for the `spelling` verifier.

    Call ``register(name, words)`` with an iterable of words (drug names, legal terms), or with
    a function returning them, or a string "package.module:function" naming one: the list is
    then built (and its module imported) only when the `spelling` verifier first needs it.
    """


@hookspec
def aha_register_environments(register: Any) -> None:
    """Register multi-turn environments (see `verifiers.environments`).

    Call ``register(factory, name=None, doc=None)`` once per environment. ``factory`` is an
    Environment subclass or any callable that takes the environment's parameters as keyword
    arguments and returns an Environment, or a string "package.module:Class" imported only
    when the environment is first created (then ``name`` is required). ``name`` defaults to
    ``factory.name``; ``doc`` to the first line of the factory's docstring.
    """


@hookspec
def aha_register_commands(cli: Any) -> None:
    """Add commands to the `aha` command line (a click Group).

    Called at every `aha` start, so import heavy modules inside the command, not at the top of the
    plugin. A command named like one of aha's own (`score`, `train`, ...) is not added (aha warns).
    """
