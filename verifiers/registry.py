"""The plugin manager and the registry of verifiers, rule packs, vocabularies and environments."""

from __future__ import annotations

import importlib
import inspect
import os
import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy

from . import hookspecs
from .base import Verifier, first_line

ENTRY_POINT_GROUP = "aha"
ALLOW_ENV = "AHA_PLUGINS"
BLOCK_ENV = "AHA_BLOCK_PLUGINS"
BUILTIN_PLUGIN = "aha.builtins"
# `plugin/name` reaches one plugin's verifier; ':' already starts a spec string's parameters.
QUALIFIER = "/"


class RegistryError(Exception):
    """A problem with registered verifiers or plugins."""


class UnknownVerifier(RegistryError, KeyError):
    """No verifier is registered under the name asked for."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


class VerifierNameClash(RegistryError):
    """Two plugins registered a verifier under the same name."""


class PluginWarning(UserWarning):
    """A plugin problem that does not stop aha: a shadowed verifier name, an unknown plugin name."""


class LazyFactory:
    """A factory named "package.module:Class", imported only when a verifier is created.

    Keeps heavy imports (sympy, spell-check dictionaries) out of `aha --help` and registry loading.
    """

    def __init__(self, target: str, name: str, doc: str = "", kind: str = "verifier"):
        module, sep, attr = target.partition(":")
        if not sep or not module or not attr:
            raise RegistryError(f"lazy factory must look like 'package.module:Name', not {target!r}")
        self.target = target
        self.name = name
        self.kind = kind
        self.__doc__ = doc

    def resolve(self) -> Callable[..., Verifier]:
        """Import and return the real factory."""
        module, _, attr = self.target.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise RegistryError(f"cannot load {self.kind} '{self.name}' from {self.target}: {exc}") from exc

    def __call__(self, **params: Any) -> Verifier:
        return self.resolve()(**params)

    def __reduce__(self):
        return (LazyFactory, (self.target, self.name, self.__doc__ or "", self.kind))


@dataclass(frozen=True)
class VerifierInfo:
    """A registered verifier factory and where it came from."""

    name: str
    factory: Callable[..., Verifier]
    plugin: str
    doc: str

    def parameters(self) -> dict[str, Any]:
        """The factory's keyword parameters and their defaults (`...` where required)."""
        factory = self.factory.resolve() if isinstance(self.factory, LazyFactory) else self.factory
        try:
            sig = inspect.signature(factory)
        except (TypeError, ValueError):
            return {}
        out: dict[str, Any] = {}
        for p in sig.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name == "self":
                continue
            out[p.name] = ... if p.default is p.empty else p.default
        return out


@dataclass(frozen=True)
class EnvironmentInfo:
    """A registered environment factory and where it came from."""

    name: str
    factory: Callable[..., Any]
    plugin: str
    doc: str


@dataclass
class PluginFailure:
    """A plugin that could not be loaded or could not register."""

    plugin: str
    stage: str
    error: str

    def __str__(self) -> str:
        return f"plugin '{self.plugin}' failed at {self.stage}: {self.error}"


def _env_names(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {n.strip() for n in raw.split(",") if n.strip()}


def _warn_unknown_plugin_names(allow: set[str] | None, block: set[str], known: set[str]) -> None:
    """Warn about names in the allow or block list that no installed plugin has (a typo does nothing)."""
    for var, names in ((ALLOW_ENV, allow or set()), (BLOCK_ENV, block)):
        unknown = sorted(names - known)
        if unknown:
            warnings.warn(
                f"{var} names {', '.join(repr(n) for n in unknown)}, which no installed plugin has "
                f"(known: {', '.join(sorted(known))}); that name has no effect",
                PluginWarning,
                stacklevel=4,
            )


def make_plugin_manager() -> pluggy.PluginManager:
    """A fresh PluginManager for project `aha` with aha's hookspecs added."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


@dataclass
class Registry:
    """Verifiers, rule packs, vocabularies and environments registered by plugins.

    Build one with `Registry.load()` (built-ins plus entry-point plugins, honouring
    the allow- and block-list variables) or `Registry.builtin_only()`.
    """

    pm: pluggy.PluginManager = field(default_factory=make_plugin_manager)
    failures: list[PluginFailure] = field(default_factory=list)
    _verifiers: dict[str, VerifierInfo] = field(default_factory=dict)
    _clashes: dict[str, list[str]] = field(default_factory=dict)
    _qualified: dict[tuple[str, str], VerifierInfo] = field(default_factory=dict)
    _rule_packs: dict[str, tuple[str, Any]] = field(default_factory=dict)
    _vocabularies: dict[str, tuple[str, list[str] | Callable[[], Iterable[str]] | str]] = field(default_factory=dict)
    _environments: dict[str, EnvironmentInfo] = field(default_factory=dict)

    # -- construction ------------------------------------------------------------------
    @classmethod
    def load(cls, entry_points_group: str | None = ENTRY_POINT_GROUP, builtins: bool = True) -> Registry:
        """Built-in verifiers plus every plugin in the entry-point group, failures isolated."""
        reg = cls()
        allow = _env_names(ALLOW_ENV)
        block = _env_names(BLOCK_ENV) or set()
        if builtins and BUILTIN_PLUGIN not in block:
            from . import builtin

            reg.add_plugin(builtin, BUILTIN_PLUGIN)
        if entry_points_group:
            eps = sorted(entry_points(group=entry_points_group), key=lambda e: e.name)
            _warn_unknown_plugin_names(allow, block, {ep.name for ep in eps} | {BUILTIN_PLUGIN})
            for ep in eps:
                if ep.name in block or (allow is not None and ep.name not in allow):
                    continue
                try:
                    plugin = ep.load()
                except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the others
                    reg.failures.append(PluginFailure(ep.name, "import", f"{type(exc).__name__}: {exc}"))
                    continue
                reg.add_plugin(plugin, ep.name)
        return reg

    @classmethod
    def builtin_only(cls) -> Registry:
        """A registry with aha's built-in verifiers and no third-party plugins."""
        return cls.load(entry_points_group=None)

    def add_plugin(self, plugin: Any, name: str | None = None) -> bool:
        """Register a plugin object or module and collect what it registers.

        Returns False (and records a failure) when the plugin is broken.
        """
        name = name or getattr(plugin, "__name__", None) or repr(plugin)
        if isinstance(plugin, str):
            try:
                plugin = importlib.import_module(plugin)
            except Exception as exc:  # noqa: BLE001
                self.failures.append(PluginFailure(name, "import", f"{type(exc).__name__}: {exc}"))
                return False
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except Exception as exc:  # noqa: BLE001 - includes pluggy's PluginValidationError
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            self.failures.append(PluginFailure(name, "validation", f"{type(exc).__name__}: {exc}"))
            return False
        return self._collect(plugin, name)

    def _collect(self, plugin: Any, plugin_name: str) -> bool:
        staged_verifiers: list[VerifierInfo] = []
        staged_packs: list[tuple[str, Any]] = []
        staged_vocab: list[tuple[str, list[str]]] = []
        staged_envs: list[EnvironmentInfo] = []

        def register_verifier(factory: Callable[..., Verifier] | str, name: str | None = None, doc: str | None = None):
            if isinstance(factory, str):
                if not name:
                    raise RegistryError(f"lazy verifier {factory!r} needs name=")
                factory = LazyFactory(factory, name, doc or "")
            vname = name or getattr(factory, "name", None)
            if not isinstance(vname, str) or not vname:
                raise RegistryError(f"verifier factory {factory!r} has no name; pass name=")
            vdoc = doc if doc is not None else first_line(getattr(factory, "__doc__", None))
            staged_verifiers.append(VerifierInfo(vname, factory, plugin_name, vdoc))

        def register_pack(name: str, source: Any):
            staged_packs.append((name, source))

        def register_vocab(name: str, words: Iterable[str] | Callable[[], Iterable[str]] | str):
            if isinstance(words, str):  # "package.module:function", imported when the words are first needed
                module, sep, attr = words.partition(":")
                if not sep or not module or not attr:
                    raise RegistryError(f"vocabulary '{name}': a string must look like 'package.module:function'")
                staged_vocab.append((name, words))
            elif callable(words):
                staged_vocab.append((name, words))
            else:
                staged_vocab.append((name, [str(w) for w in words]))

        def register_environment(factory: Callable[..., Any] | str, name: str | None = None, doc: str | None = None):
            if isinstance(factory, str):
                if not name:
                    raise RegistryError(f"lazy environment {factory!r} needs name=")
                factory = LazyFactory(factory, name, doc or "", kind="environment")
            ename = name or getattr(factory, "name", None)
            if not isinstance(ename, str) or not ename:
                raise RegistryError(f"environment factory {factory!r} has no name; pass name=")
            edoc = doc if doc is not None else first_line(getattr(factory, "__doc__", None))
            staged_envs.append(EnvironmentInfo(ename, factory, plugin_name, edoc))

        hooks = [
            ("aha_register_verifiers", register_verifier),
            ("aha_register_rule_packs", register_pack),
            ("aha_register_vocabularies", register_vocab),
            ("aha_register_environments", register_environment),
        ]
        for hook_name, register in hooks:
            impls = [i for i in getattr(self.pm.hook, hook_name).get_hookimpls() if i.plugin is plugin]
            try:
                for impl in impls:
                    impl.function(register=register)
            except Exception as exc:  # noqa: BLE001 - report and keep the other plugins
                self.failures.append(PluginFailure(plugin_name, hook_name, f"{type(exc).__name__}: {exc}"))
                self.pm.unregister(plugin)
                return False
        for info in staged_verifiers:
            self._qualified[(plugin_name, info.name)] = info
            self._add_verifier(info)
        for name, source in staged_packs:
            self._rule_packs[name] = (plugin_name, source)
        for name, words in staged_vocab:
            self._vocabularies[name] = (plugin_name, words)  # type: ignore[assignment]
        for env in staged_envs:
            self._add_environment(env)
        return True

    def _add_environment(self, info: EnvironmentInfo) -> None:
        """Register an environment; a name another plugin already took stays with the first one (warned)."""
        existing = self._environments.get(info.name)
        if existing is not None and existing.plugin != info.plugin:
            warnings.warn(
                f"plugin '{info.plugin}' registers an environment named '{info.name}', which plugin "
                f"'{existing.plugin}' already has: '{info.name}' stays {existing.plugin}'s",
                PluginWarning,
                stacklevel=4,
            )
            return
        self._environments[info.name] = info

    def _add_verifier(self, info: VerifierInfo) -> None:
        """Register under the plain name; on a clash the built-in keeps the name, others stay qualified."""
        existing = self._verifiers.get(info.name)
        if existing is None or existing.plugin == info.plugin:
            self._verifiers[info.name] = info
            return
        self._clashes.setdefault(info.name, [existing.plugin]).append(info.plugin)
        builtin, other = (existing, info) if existing.plugin == BUILTIN_PLUGIN else (info, existing)
        if builtin.plugin != BUILTIN_PLUGIN:
            return  # two third-party plugins: the plain name is ambiguous, info() says so
        self._verifiers[info.name] = builtin
        warnings.warn(
            f"plugin '{other.plugin}' registers a verifier named '{info.name}', which aha's built-in "
            f"'{BUILTIN_PLUGIN}' already has: '{info.name}' stays the built-in; use "
            f"'{other.plugin}{QUALIFIER}{info.name}' for the plugin's",
            PluginWarning,
            stacklevel=4,
        )

    # -- lookups -----------------------------------------------------------------------
    def names(self) -> list[str]:
        """Registered verifier names, sorted."""
        return sorted(self._verifiers)

    def infos(self) -> list[VerifierInfo]:
        """Every registered verifier, sorted by name."""
        return [self._verifiers[n] for n in self.names()]

    def info(self, name: str) -> VerifierInfo:
        """The registration of one verifier (`name` or `plugin/name`); a clear error for unknown or clashing names."""
        if QUALIFIER in name:
            plugin, _, short = name.rpartition(QUALIFIER)
            try:
                return self._qualified[(plugin, short)]
            except KeyError:
                by = sorted(p for p, n in self._qualified if n == short)
                hint = f"'{short}' is registered by {', '.join(by)}" if by else f"no plugin registers '{short}'"
                raise UnknownVerifier(f"no verifier '{name}': {hint}") from None
        info = self._verifiers.get(name)
        if name in self._clashes and (info is None or info.plugin != BUILTIN_PLUGIN):
            plugins = self._clashes[name]
            choices = " or ".join(f"'{p}{QUALIFIER}{name}'" for p in plugins)
            raise VerifierNameClash(
                f"verifier '{name}' is registered by plugins {' and '.join(repr(p) for p in plugins)}; "
                f"name one as {choices}, or block one with {BLOCK_ENV}=<plugin>"
            )
        if info is None:
            known = ", ".join(self.names()) or "none"
            raise UnknownVerifier(f"no verifier named '{name}' is registered (known: {known})")
        return info

    def create(self, name: str, **params: Any) -> Verifier:
        """A new verifier instance from its registered name and parameters."""
        info = self.info(name)
        try:
            verifier = info.factory(**params)
        except TypeError as exc:
            raise RegistryError(f"bad parameters for verifier '{name}': {exc}") from exc
        except ValueError as exc:
            raise RegistryError(f"bad parameters for verifier '{name}': {exc}") from exc
        if not isinstance(verifier, Verifier):
            raise RegistryError(f"factory of verifier '{name}' returned {type(verifier).__name__}, not a Verifier")
        return verifier

    def environment_names(self) -> list[str]:
        """Registered environment names, sorted."""
        return sorted(self._environments)

    def environment_info(self, name: str) -> EnvironmentInfo:
        """The registration of one environment; a clear error naming the known ones for an unknown name."""
        info = self._environments.get(name)
        if info is None:
            known = ", ".join(self.environment_names()) or "none"
            raise RegistryError(f"no environment named '{name}' is registered (known: {known})")
        return info

    def create_environment(self, name: str, **params: Any) -> Any:
        """A new environment instance from its registered name and parameters."""
        info = self.environment_info(name)
        try:
            return info.factory(**params)
        except (TypeError, ValueError) as exc:
            raise RegistryError(f"bad parameters for environment '{name}': {exc}") from exc

    @property
    def clashes(self) -> dict[str, list[str]]:
        """Verifier names registered by more than one plugin, with the plugins."""
        return {k: list(v) for k, v in self._clashes.items()}

    def rule_packs(self) -> dict[str, tuple[str, Any]]:
        """Registered rule packs: name -> (plugin, TOML path or text)."""
        return dict(self._rule_packs)

    def vocabularies(self) -> dict[str, tuple[str, list[str]]]:
        """Registered vocabularies: name -> (plugin, words); lazy ones are loaded now (a failure is recorded)."""
        out: dict[str, tuple[str, list[str]]] = {}
        for name, (plugin, words) in list(self._vocabularies.items()):
            if not isinstance(words, list):
                try:
                    if isinstance(words, str):
                        module, _, attr = words.partition(":")
                        loader = getattr(importlib.import_module(module), attr)
                    else:
                        loader = words
                    words = [str(w) for w in loader()]
                except Exception as exc:  # noqa: BLE001 - one plugin's broken word list must not stop the others
                    self.failures.append(PluginFailure(plugin, f"vocabulary '{name}'", f"{type(exc).__name__}: {exc}"))
                    del self._vocabularies[name]
                    continue
                self._vocabularies[name] = (plugin, words)
            out[name] = (plugin, words)
        return out


_lock = threading.Lock()
_default: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Registry.load()
        return _default


def set_registry(registry: Registry | None) -> Registry | None:
    """Replace the process-wide registry (None: load afresh on next use); returns the old one."""
    global _default
    with _lock:
        old, _default = _default, registry
        return old


def create(name: str, **params: Any) -> Verifier:
    """A verifier from the process-wide registry."""
    return get_registry().create(name, **params)
