"""The llm_judge plumbing against a real `vllm serve` on a loopback port (the vLLM CI step).

The judge is a tiny random model, so its wisdom is not tested: with structured output on, vLLM must
return a well-formed verdict; without it, the random text must be read as malformed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verifiers.judge import LLMJudge
from verifiers.result import Status

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "trainer" / "rollout_vllm"))
from vllm_helpers import requires_vllm  # noqa: E402

pytestmark = [pytest.mark.vllm, requires_vllm]

CHARS = [chr(c) for c in range(32, 127)] + ["\n"]
SPECIALS = ["<pad>", "<eos>", "<unk>"]
CHAT_TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant: "
START_TIMEOUT = 420


def make_judge_model(path: Path) -> Path:
    """A 2-layer random Qwen2 whose character vocabulary covers printable ASCII, with a chat template."""
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    path.mkdir(parents=True, exist_ok=True)
    vocab = {t: i for i, t in enumerate(SPECIALS + CHARS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(str(path))
    config = Qwen2Config(
        vocab_size=len(vocab),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=4096,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=None,
    )
    torch.manual_seed(0)
    Qwen2ForCausalLM(config).save_pretrained(str(path))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_server(tmp_path_factory):
    model = make_judge_model(tmp_path_factory.mktemp("judge") / "model")
    port = free_port()
    log = tmp_path_factory.mktemp("judge-log") / "vllm.log"
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(model),
        "--served-model-name",
        "tiny-judge",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dtype",
        "bfloat16",
        "--max-model-len",
        "4096",
        "--enforce-eager",
        "--gpu-memory-utilization",
        "0.3",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"vllm serve exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"vllm serve did not start within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")
        time.sleep(2)
    yield proc, f"{url}/v1"
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


ROWS = [{"prompt": f"What is {i}+{i}?", "completion": f"It is {2 * i}.", "answer": str(2 * i)} for i in range(4)]


def judge(url: str, cache, **kw) -> LLMJudge:
    kw.setdefault("max_reply_tokens", 2500)  # a random model pads JSON with whitespace the grammar allows
    return LLMJudge(model="tiny-judge", base_url=url, cache=str(cache), timeout=300, **kw)


def test_round_trip_cache_and_budget_against_vllm_serve(vllm_server, tmp_path):
    proc, url = vllm_server
    first = judge(url, tmp_path / "c.sqlite", structured=True).batch(ROWS)
    assert all(r.status in (Status.PASSED, Status.FAILED) for r in first), [r.reason for r in first]
    assert not any(r.details["cached"] for r in first)
    # a second run with the same cache makes no requests: a judge pointed at a closed port still answers
    again = judge(f"http://127.0.0.1:{free_port()}/v1", tmp_path / "c.sqlite", structured=True, retries=0)
    second = again.batch(ROWS)
    assert [r.status for r in second] == [r.status for r in first]
    assert all(r.details["cached"] for r in second) and again.budget.requests == 0
    capped = judge(url, tmp_path / "other.sqlite", structured=True, max_requests=1, concurrency=1).batch(ROWS)
    assert sum(r.status is Status.ERROR and "budget used up" in r.reason for r in capped) == 3


def test_unstructured_random_text_is_unverifiable(vllm_server, tmp_path):
    _, url = vllm_server
    result = judge(url, tmp_path / "c.sqlite", max_reply_tokens=16)(ROWS[0])
    assert result.status is Status.UNVERIFIABLE and "judge's reply" in result.reason


def test_a_killed_server_gives_error_results(vllm_server, tmp_path):
    proc, url = vllm_server
    os.killpg(proc.pid, 9)
    proc.wait(30)
    results = judge(url, tmp_path / "c.sqlite", retries=1, backoff=0.05).batch(ROWS[:2])
    assert all(r.status is Status.ERROR and "cannot reach the judge" in r.reason for r in results)
