"""The `llm_judge` verifier: an LLM behind an OpenAI-compatible server decides whether a criterion is met."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..base import Verifier
from ..result import Result, Status
from ..sample import Sample
from .cache import DEFAULT_PATH, JudgeCache, cache_key
from .client import Budget, ChatClient, Failure, Reply
from .templates import Template, load_template
from .verdict import MalformedVerdict, parse_verdict

DEFAULT_BASE_URL = "http://127.0.0.1:8000/v1"
CORRECTNESS = "The response's final answer is the same as the reference answer."
VERDICT_SCHEMA = {
    "type": "json_schema",
    "json_schema": {
        "name": "verdict",
        "strict": True,
        "schema": {
            "type": "object",
            "properties": {"met": {"type": "boolean"}, "reason": {"type": "string", "maxLength": 200}},
            "required": ["met", "reason"],
            "additionalProperties": False,
        },
    },
}


class LLMJudge(Verifier):
    """An LLM judge (any OpenAI-compatible server) decides whether the response meets a criterion."""

    name = "llm_judge"

    def __init__(
        self,
        criterion: str = CORRECTNESS,
        template: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 8,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_requests: int | None = None,
        max_tokens: int | None = None,
        max_reply_tokens: int = 512,
        temperature: float = 0.0,
        structured: bool = False,
        cache: str | None = "default",
    ):
        model = model or os.environ.get("AHA_JUDGE_MODEL")
        if not model:
            raise ValueError("llm_judge needs a model: pass model=... or set AHA_JUDGE_MODEL")
        self.criterion = criterion
        self.template: Template = load_template(
            template or ("correctness" if criterion == CORRECTNESS else "criterion")
        )
        self.client = ChatClient(
            base_url=base_url or os.environ.get("AHA_JUDGE_BASE_URL", DEFAULT_BASE_URL),
            model=model,
            api_key_env=api_key_env,
            timeout=float(timeout),
            retries=int(retries),
            backoff=float(backoff),
            concurrency=int(concurrency),
            max_reply_tokens=int(max_reply_tokens),
            temperature=float(temperature),
            extra_body={"response_format": VERDICT_SCHEMA} if structured else {},
        )
        self.budget = Budget(max_requests, max_tokens)
        if cache in (None, "", "off", False):
            self.cache: JudgeCache | None = None
        else:
            self.cache = JudgeCache(DEFAULT_PATH if cache == "default" else Path(cache))

    def params(self) -> dict[str, Any]:
        """Settings, for repr (never the API key)."""
        return {"model": self.client.model, "base_url": self.client.base_url, "template": self.template.name}

    def check(self, sample: Sample) -> Result:
        """Ask the judge about this sample's response."""
        return self.judge([(sample, self.criterion)])[0]

    def batch(self, samples: Iterable[Sample | str | dict[str, Any]]) -> list[Result]:
        """Judge many samples with concurrent requests (cached replies are not asked again)."""
        return self.judge([(Sample.coerce(s), self.criterion) for s in samples])

    def judge(self, items: Sequence[tuple[Sample, str]]) -> list[Result]:
        """One result per (sample, criterion): passed when met, failed when not, else unverifiable/error."""
        replies: list[Reply | Failure | None] = [None] * len(items)
        keys: list[str] = []
        prompts: dict[str, str] = {}
        for i, (sample, criterion) in enumerate(items):
            fields = {
                "prompt": sample.prompt_text,
                "completion": sample.text,
                "answer": "" if sample.answer is None else str(sample.answer),
                "criterion": criterion,
            }
            key = cache_key(self.client.model, self.template.text, **fields)
            keys.append(key)
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None:
                replies[i] = Reply(hit[0], hit[1], cached=True)
            else:
                prompts.setdefault(key, self.template.render(**fields))
        asked = list(prompts)
        fresh = dict(zip(asked, self.client.complete_many([prompts[k] for k in asked], self.budget), strict=True))
        for key, reply in fresh.items():
            if isinstance(reply, Reply) and self.cache is not None:
                self.cache.put(key, reply.text, reply.usage)
        return [self._result(replies[i] or fresh[keys[i]], items[i][1]) for i in range(len(items))]

    def _result(self, reply: Reply | Failure, criterion: str) -> Result:
        details: dict[str, Any] = {"criterion": criterion, "judge": self.client.model}
        if isinstance(reply, Failure):
            return Result(0.0, Status(reply.status), f"not judged: {reply.reason}", details, self.name)
        details["cached"] = reply.cached
        try:
            verdict = parse_verdict(reply.text)
        except MalformedVerdict as exc:
            return self.unverifiable(str(exc), **details)
        details["judge_reason"] = verdict.reason
        why = f" ({verdict.reason})" if verdict.reason else ""
        if verdict.met:
            return self.passed(f"the judge finds the criterion met{why}", **details)
        return self.failed(f"the judge finds the criterion not met{why}", **details)
