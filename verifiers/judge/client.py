"""An OpenAI-compatible chat-completions client for judges: batched, bounded, retried, on a budget."""

from __future__ import annotations

import asyncio
import os
import random
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 30.0


@dataclass
class Reply:
    """A judge's reply text and the token usage the server reported."""

    text: str
    usage: dict[str, Any] = field(default_factory=dict)
    cached: bool = False


@dataclass
class Failure:
    """A request that got no usable reply: why, and whether the server (`error`) or the budget is to blame."""

    reason: str
    status: str = "error"


class Budget:
    """Caps on the requests sent and tokens used by one judge in one process (None: no cap)."""

    def __init__(self, max_requests: int | None = None, max_tokens: int | None = None):
        for name, value in (("max_requests", max_requests), ("max_tokens", max_tokens)):
            if value is not None and value < 0:
                raise ValueError(f"{name} must be at least 0, got {value}")
        self.max_requests, self.max_tokens = max_requests, max_tokens
        self.requests = 0
        self.tokens = 0
        self._lock = threading.Lock()

    def take(self) -> str | None:
        """Count one request; the reason it may not be sent, or None when it may."""
        with self._lock:
            if self.max_requests is not None and self.requests >= self.max_requests:
                return f"judge budget used up: {self.requests} of max_requests={self.max_requests} requests sent"
            if self.max_tokens is not None and self.tokens >= self.max_tokens:
                return f"judge budget used up: {self.tokens} of max_tokens={self.max_tokens} tokens used"
            self.requests += 1
            return None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def spend(self, usage: dict[str, Any]) -> None:
        """Count the tokens a reply used."""
        total = usage.get("total_tokens")
        if total is None:
            total = (usage.get("prompt_tokens") or 0) + (usage.get("completion_tokens") or 0)
        with self._lock:
            self.tokens += int(total or 0)


@dataclass
class ChatClient:
    """Sends chat-completion requests to `base_url` (e.g. `http://127.0.0.1:8000/v1`) for `model`.

    The API key is read from the environment variable `api_key_env` at request time and is never stored
    on the object, so it cannot reach a pickle, a repr, an output row or a log.
    """

    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 60.0
    retries: int = 3
    backoff: float = 0.5
    concurrency: int = 8
    max_reply_tokens: int = 512
    temperature: float = 0.0
    extra_body: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {self.base_url!r}")
        if self.timeout <= 0 or self.concurrency < 1 or self.retries < 0 or self.backoff < 0:
            raise ValueError("timeout must be > 0, concurrency >= 1, retries >= 0 and backoff >= 0")
        self.base_url = self.base_url.rstrip("/")

    def complete_many(self, prompts: Sequence[str], budget: Budget) -> list[Reply | Failure]:
        """One reply (or failure) per prompt, in order; at most `concurrency` requests in flight."""
        if not prompts:
            return []
        return run_coroutine(self._complete_all(list(prompts), budget))

    async def _complete_all(self, prompts: list[str], budget: Budget) -> list[Reply | Failure]:
        import httpx

        gate = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=self.timeout, limits=limits) as http:

            async def one(prompt: str) -> Reply | Failure:
                async with gate:
                    return await self._complete(http, prompt, budget)

            return list(await asyncio.gather(*(one(p) for p in prompts)))

    async def _complete(self, http: Any, prompt: str, budget: Budget) -> Reply | Failure:
        import httpx

        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": self.temperature,
            "max_tokens": self.max_reply_tokens,
            **self.extra_body,
        }
        key = os.environ.get(self.api_key_env, "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        problem = "no attempt made"
        for attempt in range(self.retries + 1):
            refused = budget.take()
            if refused:
                return Failure(refused)
            delay = self.backoff * (2**attempt) * (1 + random.random() / 4)
            try:
                response = await http.post(f"{self.base_url}/chat/completions", json=body, headers=headers)
            except httpx.TimeoutException:
                problem = f"no reply within {self.timeout:g} s"
            except httpx.TransportError as exc:
                problem = f"cannot reach the judge at {self.base_url} ({type(exc).__name__}: {exc})"
            else:
                if response.status_code == 200:
                    reply = self._reply(response, key)
                    if isinstance(reply, Reply):
                        budget.spend(reply.usage)
                    return reply
                problem = f"the judge answered HTTP {response.status_code}: {_redact(response.text, key)[:200]}"
                if response.status_code not in RETRY_STATUS:
                    return Failure(problem)
                delay = max(delay, _retry_after(response))
            if attempt < self.retries:
                await asyncio.sleep(delay)
        return Failure(f"{problem} (after {self.retries + 1} attempts)")

    def _reply(self, response: Any, key: str) -> Reply | Failure:
        try:
            data = response.json()
            text = data["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return Failure(f"the judge's response is not a chat completion: {_redact(response.text, key)[:200]}")
        usage = data.get("usage") or {}
        return Reply(text if isinstance(text, str) else "", usage if isinstance(usage, dict) else {})


def _retry_after(response: Any) -> float:
    try:
        return min(float(response.headers.get("retry-after", 0)), MAX_RETRY_AFTER)
    except ValueError:
        return 0.0


def _redact(text: str, key: str) -> str:
    return text.replace(key, "[redacted]") if key else text


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion, also when the calling thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="aha-judge")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
