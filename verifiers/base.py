"""The Verifier base class: a small, picklable, named check of one sample."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from .result import Result, Status
from .sample import Sample

# Called with each verifier as it starts a sample; worker processes use it to name a verifier that hangs or dies.
_call_hook: Callable[[Verifier], None] | None = None


def set_call_hook(hook: Callable[[Verifier], None] | None) -> None:
    """Install (or remove, with None) a function called with every verifier as it starts checking a sample."""
    global _call_hook
    _call_hook = hook


class Verifier:
    """Base class of every verifier.

    Subclasses set `name` and a one-line class docstring, and implement `check`, which
    returns a Result (the helpers `passed`, `failed`, `unverifiable` build one). Calling
    the verifier times the check, fills in the verifier name and turns an exception
    into an `error` result with the reason, so one bad sample never stops a run.
    """

    name: ClassVar[str] = "verifier"

    @property
    def doc(self) -> str:
        """The one-line description of this verifier."""
        return first_line(type(self).__doc__)

    # -- the check -------------------------------------------------------------------
    def check(self, sample: Sample) -> Result:
        """Verify one sample; subclasses implement this."""
        raise NotImplementedError(f"{type(self).__name__} must implement check()")

    def __call__(self, sample: Sample | str | dict[str, Any]) -> Result:
        if _call_hook is not None:
            _call_hook(self)
        start = time.perf_counter()
        try:
            result = self.check(Sample.coerce(sample))
        except Exception as exc:  # noqa: BLE001 - any failure becomes an explicit error result
            result = Result(0.0, Status.ERROR, f"{type(exc).__name__}: {exc}")
        if not isinstance(result, Result):
            result = Result(
                0.0, Status.ERROR, f"{type(self).__name__}.check returned {type(result).__name__}, not Result"
            )
        if not result.verifier:
            result.verifier = self.name
        result.elapsed = time.perf_counter() - start
        return result

    def batch(self, samples: Iterable[Sample | str | dict[str, Any]]) -> list[Result]:
        """Verify many samples; override when a batch can be checked faster than one by one."""
        return [self(s) for s in samples]

    # -- result helpers ----------------------------------------------------------------
    def passed(self, reason: str, score: float = 1.0, **details: Any) -> Result:
        """A `passed` result from this verifier."""
        return Result(score, Status.PASSED, reason, details, self.name)

    def failed(self, reason: str, score: float = 0.0, **details: Any) -> Result:
        """A `failed` result from this verifier."""
        return Result(score, Status.FAILED, reason, details, self.name)

    def unverifiable(self, reason: str, score: float = 0.0, **details: Any) -> Result:
        """An `unverifiable` result: the sample cannot be judged (e.g. no gold answer)."""
        return Result(score, Status.UNVERIFIABLE, reason, details, self.name)

    def error(self, reason: str, score: float = 0.0, **details: Any) -> Result:
        """An `error` result: the check itself went wrong."""
        return Result(score, Status.ERROR, reason, details, self.name)

    def __repr__(self) -> str:
        params = getattr(self, "params", None)
        if callable(params):
            params = params()
        if params:
            args = ", ".join(f"{k}={v!r}" for k, v in params.items())
            return f"{type(self).__name__}({args})"
        return f"{type(self).__name__}()"


def first_line(text: str | None) -> str:
    """The first non-empty line of a docstring."""
    for line in inspect.cleandoc(text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


class FunctionVerifier(Verifier):
    """A verifier made from a plain function of a Sample."""

    def __init__(self, func: Callable[..., Any], name: str | None = None, doc: str | None = None, **params: Any):
        self.func = func
        self._name = name or func.__name__
        self._doc = doc if doc is not None else first_line(func.__doc__)
        self.kwargs = params

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def doc(self) -> str:
        return self._doc

    def check(self, sample: Sample) -> Result:
        """Call the function; a float or bool return becomes a passed/failed result."""
        out = self.func(sample, **self.kwargs)
        if isinstance(out, Result):
            return out
        if isinstance(out, bool):
            return self.passed("returned True") if out else self.failed("returned False")
        if isinstance(out, (int, float)):
            score = float(out)
            if score != score:  # NaN
                return self.error("returned NaN")
            return Result(score, Status.PASSED if score > 0 else Status.FAILED, f"returned {score:g}", {}, self.name)
        return self.error(f"returned {type(out).__name__}, expected a Result, bool or number")


def verifier(func: Callable[..., Any] | None = None, *, name: str | None = None, doc: str | None = None):
    """Decorator: turn `f(sample) -> Result | float | bool` into a Verifier."""

    def wrap(f: Callable[..., Any]) -> FunctionVerifier:
        return FunctionVerifier(f, name=name, doc=doc)

    return wrap(func) if func is not None else wrap
