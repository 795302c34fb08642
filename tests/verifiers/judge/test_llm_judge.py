"""The llm_judge verifier against a scriptable OpenAI-compatible server on a loopback port."""

from __future__ import annotations

import json
import pickle

import pytest
from judge_server import FakeJudgeServer, chat_reply

from verifiers import load_reward
from verifiers.judge import LLMJudge
from verifiers.result import Status

GOOD = {"prompt": "What is 2+2?", "completion": "It is 4, the correct sum.", "answer": "4"}
BAD = {"prompt": "What is 2+2?", "completion": "It is 5, an incorrect sum.", "answer": "4"}


def judge(server: FakeJudgeServer, tmp_path, **kw) -> LLMJudge:
    kw.setdefault("cache", str(tmp_path / "judge.sqlite"))
    kw.setdefault("backoff", 0.01)
    return LLMJudge(model="tiny-judge", base_url=server.url, **kw)


def test_round_trip_passes_and_fails_by_the_judges_verdict(server, tmp_path):
    results = judge(server, tmp_path).batch([GOOD, BAD])
    assert [r.status for r in results] == [Status.PASSED, Status.FAILED]
    assert [r.score for r in results] == [1.0, 0.0]
    assert results[0].details["judge_reason"] == "keyword"
    assert all(b["model"] == "tiny-judge" and b["temperature"] == 0.0 for b in server.bodies)
    # the two requests run concurrently, so they may arrive in either order
    prompt = next(b["messages"][0]["content"] for b in server.bodies if "It is 4" in b["messages"][0]["content"])
    assert "What is 2+2?" in prompt and "# Reference answer\n4" in prompt


def test_registered_and_built_from_a_spec_string(server, tmp_path):
    reward = load_reward(f"llm_judge:model=m,base_url={server.url},cache=off")
    assert reward(GOOD).status is Status.PASSED


def test_a_second_run_makes_no_requests(server, tmp_path):
    judge(server, tmp_path).batch([GOOD, BAD])
    assert server.requests == 2
    again = judge(server, tmp_path).batch([GOOD, BAD])  # a new instance: the cache is on disk
    assert server.requests == 2
    assert [r.status for r in again] == [Status.PASSED, Status.FAILED]
    assert all(r.details["cached"] for r in again)


def test_the_cache_key_covers_the_criterion(server, tmp_path):
    judge(server, tmp_path, criterion="Is polite.").batch([GOOD])
    judge(server, tmp_path, criterion="Is short.").batch([GOOD])
    assert server.requests == 2


def test_duplicates_in_a_batch_are_asked_once(server, tmp_path):
    results = judge(server, tmp_path, cache="off").batch([GOOD] * 5)
    assert server.requests == 1 and all(r.status is Status.PASSED for r in results)


def test_the_request_budget_stops_requests_with_an_error_result(server, tmp_path):
    rows = [{**GOOD, "completion": f"correct {i}"} for i in range(5)]
    results = judge(server, tmp_path, max_requests=2, concurrency=1).batch(rows)
    assert server.requests == 2
    assert [r.status for r in results].count(Status.PASSED) == 2
    refused = [r for r in results if r.status is Status.ERROR]
    assert len(refused) == 3 and all("budget used up" in r.reason for r in refused)


def test_the_token_budget_counts_reported_usage(server, tmp_path):
    rows = [{**GOOD, "completion": f"correct {i}"} for i in range(4)]
    results = judge(server, tmp_path, max_tokens=15, concurrency=1).batch(rows)
    assert server.requests == 2  # 10 tokens each: the third request would start over the cap
    assert sum(r.status is Status.ERROR and "max_tokens=15" in r.reason for r in results) == 2


def test_a_killed_server_gives_error_results_naming_the_cause(tmp_path):
    srv = FakeJudgeServer()
    url = srv.url
    srv.stop()
    results = LLMJudge(model="m", base_url=url, retries=1, backoff=0.01, cache="off").batch([GOOD, BAD])
    assert all(r.status is Status.ERROR and r.score == 0.0 for r in results)
    assert "cannot reach the judge" in results[0].reason and "after 2 attempts" in results[0].reason


@pytest.mark.parametrize(
    "reply",
    [
        "Yes, the criterion is met.",
        '{"met": "yes", "reason": "x"}',
        '{"reason": "no verdict"}',
        "[true]",
        '{"met": true} and some more text',
        "",
    ],
)
def test_a_malformed_verdict_is_unverifiable(tmp_path, reply):
    srv = FakeJudgeServer(lambda body, headers: (200, chat_reply(reply), {}))
    try:
        result = judge(srv, tmp_path)(GOOD)
    finally:
        srv.stop()
    assert result.status is Status.UNVERIFIABLE and result.score == 0.0
    assert "judge's reply" in result.reason


def test_a_fenced_json_verdict_is_accepted(tmp_path):
    fenced = '```json\n{"met": true, "reason": "fine"}\n```'
    srv = FakeJudgeServer(lambda body, headers: (200, chat_reply(fenced), {}))
    try:
        assert judge(srv, tmp_path)(GOOD).status is Status.PASSED
    finally:
        srv.stop()


def test_a_response_that_is_not_a_chat_completion_is_an_error(tmp_path):
    srv = FakeJudgeServer(lambda body, headers: (200, '{"object": "list"}', {}))
    try:
        result = judge(srv, tmp_path)(GOOD)
    finally:
        srv.stop()
    assert result.status is Status.ERROR and "not a chat completion" in result.reason


def test_overload_is_retried_with_backoff_then_succeeds(tmp_path):
    calls = []

    def flaky(body, headers):
        calls.append(1)
        if len(calls) <= 2:
            return 503, '{"error": "overloaded"}', {"retry-after": "0"}
        return 200, chat_reply('{"met": true, "reason": "ok"}'), {}

    srv = FakeJudgeServer(flaky)
    try:
        result = judge(srv, tmp_path, retries=3)(GOOD)
    finally:
        srv.stop()
    assert result.status is Status.PASSED and len(calls) == 3


def test_a_client_error_is_not_retried(tmp_path):
    srv = FakeJudgeServer(lambda body, headers: (401, '{"error": "bad key"}', {}))
    try:
        result = judge(srv, tmp_path, retries=3)(GOOD)
    finally:
        srv.stop()
    assert srv.requests == 1
    assert result.status is Status.ERROR and "HTTP 401" in result.reason


def test_a_slow_server_times_out(tmp_path):
    srv = FakeJudgeServer(delay=1.0)
    try:
        result = judge(srv, tmp_path, timeout=0.2, retries=0)(GOOD)
    finally:
        srv.stop()
    assert result.status is Status.ERROR and "no reply within 0.2 s" in result.reason


def test_concurrency_is_capped(tmp_path):
    srv = FakeJudgeServer(delay=0.05)
    rows = [{**GOOD, "completion": f"correct {i}"} for i in range(12)]
    try:
        results = judge(srv, tmp_path, concurrency=3, cache="off").batch(rows)
    finally:
        srv.stop()
    assert all(r.status is Status.PASSED for r in results)
    assert 1 <= srv.max_in_flight <= 3


def test_the_api_key_is_sent_but_never_kept_or_echoed(tmp_path, monkeypatch):
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("AHA_TEST_JUDGE_KEY", secret)
    srv = FakeJudgeServer(lambda body, headers: (400, json.dumps({"echo": headers.get("Authorization")}), {}))
    try:
        j = judge(srv, tmp_path, api_key_env="AHA_TEST_JUDGE_KEY")
        result = j(GOOD)
    finally:
        srv.stop()
    assert srv.headers[0]["Authorization"] == f"Bearer {secret}"
    assert result.status is Status.ERROR and "[redacted]" in result.reason
    for text in (result.reason, json.dumps(result.details), repr(j), str(pickle.dumps(j))):
        assert secret not in text


def test_pickles_for_worker_processes(server, tmp_path):
    j = pickle.loads(pickle.dumps(judge(server, tmp_path)))
    assert j(GOOD).status is Status.PASSED


def test_works_inside_a_running_event_loop(server, tmp_path):
    import asyncio

    async def main():
        return judge(server, tmp_path)(GOOD)

    assert asyncio.run(main()).status is Status.PASSED


def test_settings_are_checked():
    with pytest.raises(ValueError, match="needs a model"):
        LLMJudge(base_url="http://127.0.0.1:1/v1")
    with pytest.raises(ValueError, match="http"):
        LLMJudge(model="m", base_url="127.0.0.1:8000")
    with pytest.raises(ValueError, match="no grading template"):
        LLMJudge(model="m", template="nonexistent")
    with pytest.raises(ValueError, match="max_requests"):
        LLMJudge(model="m", max_requests=-1)


def test_a_template_file_is_used(server, tmp_path):
    tpl = tmp_path / "mine.txt"
    tpl.write_text('Response to grade follows.\n# Response to grade\n{completion}\n# Reference\nReply {"met": ...}')
    j = judge(server, tmp_path, template=str(tpl), criterion="Says correct.")
    assert j(GOOD).status is Status.PASSED
    assert server.bodies[0]["messages"][0]["content"].startswith("Response to grade follows.")
    bad = tmp_path / "bad.txt"
    bad.write_text("no placeholder here")
    with pytest.raises(ValueError, match="completion"):
        LLMJudge(model="m", template=str(bad))


def test_structured_output_asks_for_the_verdict_schema(server, tmp_path):
    judge(server, tmp_path, structured=True)(GOOD)
    fmt = server.bodies[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"]["required"] == ["met", "reason"]
