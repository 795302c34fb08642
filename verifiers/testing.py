"""Pytest fixtures for plugin authors (loaded automatically once aha is installed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .registry import Registry, set_registry


@pytest.fixture
def aha_registry() -> Iterator[Registry]:
    """A clean registry with only aha's built-ins, installed as the process-wide one for the test.

    Add your plugin with ``aha_registry.add_plugin(my_plugin_module, "my-plugin")`` and
    check ``aha_registry.failures`` is empty; ``load_reward`` and ``aha score`` in the
    same process then see exactly this registry.
    """
    registry = Registry.builtin_only()
    old = set_registry(registry)
    try:
        yield registry
    finally:
        set_registry(old)
