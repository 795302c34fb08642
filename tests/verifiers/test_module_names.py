"""The built-in verifiers live in modules named for the names they register."""

from verifiers.builtin import BUILTIN_VERIFIERS


def test_each_builtin_lives_in_the_module_named_for_it():
    for factory in BUILTIN_VERIFIERS:
        assert factory.__module__ == f"verifiers.builtin.{factory.name}", factory.__name__
