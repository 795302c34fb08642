"""The bundled demo model, tokenizer and addition data set: present, loadable offline, and imperfect on purpose."""

from __future__ import annotations

import json
import random
import re

import pytest

from trainer import demo
from trainer.demo import (
    carry_free_sum,
    demo_dataset_paths,
    demo_model_path,
    has_carry,
    make_splits,
    parse_prompt,
    sloppy_answer,
    write_splits,
)

torch = pytest.importorskip("torch", reason="the demo model needs the 'train' extra (torch)")
transformers = pytest.importorskip("transformers", reason="the demo model needs the 'train' extra (transformers)")

PROMPT_RE = re.compile(r"(\d{1,2})\+(\d{1,2})=")


def _read_rows(path):
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert set(row) == {"prompt", "answer"}, f"{path.name}:{number} has keys {sorted(row)}"
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def splits():
    paths = demo_dataset_paths()
    return {name: _read_rows(path) for name, path in paths.items()}


@pytest.fixture(scope="module")
def tokenizer():
    return transformers.AutoTokenizer.from_pretrained(demo_model_path(), local_files_only=True)


@pytest.fixture(scope="module")
def model():
    path = demo_model_path()
    return transformers.AutoModelForCausalLM.from_pretrained(path, local_files_only=True, dtype=torch.float32).eval()


def _generate(model, tokenizer, prompts, **sampling):
    """Completion token ids (cut after the first EOS, EOS kept) for each prompt, left-padded in one batch."""
    enc = tokenizer(prompts, return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=demo.DEMO_MAX_NEW_TOKENS, **sampling)
    rows = []
    for row in out[:, enc.input_ids.shape[1] :].tolist():
        eos = tokenizer.eos_token_id
        rows.append(row[: row.index(eos) + 1] if eos in row else row)
    return rows


def _text(tokenizer, ids):
    return tokenizer.decode(ids, skip_special_tokens=True)


@pytest.fixture(scope="module")
def greedy_eval(model, tokenizer, splits):
    prompts = [r["prompt"] for r in splits["eval"]]
    return prompts, _generate(model, tokenizer, prompts, do_sample=False)


# --- the task ---------------------------------------------------------------------------------------------


def test_carry_helpers_follow_written_addition():
    assert not has_carry(12, 34) and carry_free_sum(12, 34) == 46
    assert has_carry(37, 45) and carry_free_sum(37, 45) == 72
    assert has_carry(57, 68) and carry_free_sum(57, 68) == 15
    assert has_carry(60, 50) and carry_free_sum(60, 50) == 10
    assert has_carry(5, 5) and carry_free_sum(5, 5) == 0
    assert not has_carry(0, 0) and carry_free_sum(0, 0) == 0


def test_parse_prompt_rejects_other_text():
    assert parse_prompt("37+45=") == (37, 45)
    for bad in ["37+45", "37-45=", "+45=", "a+1=", "1+2+3=", ""]:
        with pytest.raises(ValueError, match="A\\+B="):
            parse_prompt(bad)


def test_sloppy_teacher_forgets_only_due_carries_at_the_given_rate():
    rng = random.Random(0)
    labels = [sloppy_answer(37, 45, rng, 0.7) for _ in range(4000)]
    assert set(labels) == {"82", "72"}
    assert 0.67 < labels.count("72") / len(labels) < 0.73
    assert {sloppy_answer(12, 34, rng, 0.7) for _ in range(200)} == {"46"}


# --- the data set -----------------------------------------------------------------------------------------


def test_splits_are_well_formed_disjoint_and_cover_every_pair(splits):
    assert len(splits["eval"]) == 500
    seen = {}
    for name, rows in splits.items():
        for row in rows:
            match = PROMPT_RE.fullmatch(row["prompt"])
            assert match, f"{name}: bad prompt {row['prompt']!r}"
            a, b = int(match[1]), int(match[2])
            assert row["answer"] == str(a + b), f"{name}: wrong gold for {row['prompt']!r}"
            assert (a, b) not in seen, f"{row['prompt']!r} is in both {seen.get((a, b))} and {name}"
            seen[(a, b)] = name
    assert len(seen) == 100 * 100


def test_eval_split_has_both_kinds_of_problem(splits):
    carry = sum(has_carry(*parse_prompt(r["prompt"])) for r in splits["eval"]) / len(splits["eval"])
    assert 0.6 < carry < 0.75


def test_shipped_files_are_rebuilt_byte_for_byte(tmp_path):
    rebuilt = write_splits(tmp_path, seed=0, eval_size=500)
    for name, path in demo_dataset_paths().items():
        assert rebuilt[name].read_bytes() == path.read_bytes(), f"{name}.jsonl differs from a rebuild"
    train, evaluation = make_splits(seed=0, eval_size=500)
    assert [r["prompt"] for r in evaluation] == [
        json.loads(line)["prompt"] for line in demo_dataset_paths()["eval"].read_text().splitlines()
    ]
    assert len(train) == 9500


def test_missing_assets_name_the_file_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "ASSETS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="make_demo_model.py"):
        demo.demo_model_path()
    with pytest.raises(FileNotFoundError, match="train.jsonl"):
        demo.demo_dataset_paths()


# --- model and tokenizer ------------------------------------------------------------------------------------


def test_model_folder_is_small_and_llama_shaped(model, tokenizer):
    folder = demo_model_path()
    assert (folder / "model.safetensors").is_file()
    assert sum(f.stat().st_size for f in folder.iterdir()) < 3 * 2**20
    config = json.loads((folder / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"]
    assert config["vocab_size"] % 16 == 0 and config["vocab_size"] == len(tokenizer)
    assert model.config.eos_token_id == tokenizer.eos_token_id
    assert model.generation_config.pad_token_id == tokenizer.pad_token_id
    assert len({tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id, tokenizer.unk_token_id}) == 4


def test_tokenizer_round_trips_every_prompt_and_answer(tokenizer, splits):
    rows = splits["train"] + splits["eval"]
    prompts = tokenizer([r["prompt"] for r in rows]).input_ids
    for row, ids in zip(rows, prompts):
        assert ids[0] == tokenizer.bos_token_id and tokenizer.unk_token_id not in ids
        assert len(ids) == len(row["prompt"]) + 1, "one token per character, after BOS"
        assert tokenizer.decode(ids, skip_special_tokens=True) == row["prompt"]
    for row in rows[:500]:
        ids = tokenizer(row["answer"], add_special_tokens=False).input_ids
        assert tokenizer.decode(ids) == row["answer"]


def test_batched_left_padded_generation_matches_one_at_a_time(model, tokenizer):
    prompts = ["3+4=", "37+45=", "9+68=", "57+68="]
    batched = _generate(model, tokenizer, prompts, do_sample=False)
    single = [_generate(model, tokenizer, [p], do_sample=False)[0] for p in prompts]
    assert batched == single


def test_greedy_answers_are_numbers_followed_by_eos(tokenizer, greedy_eval):
    _, completions = greedy_eval
    for ids in completions:
        assert ids and ids[-1] == tokenizer.eos_token_id, f"no EOS in {ids}"
        assert re.fullmatch(r"\d{1,3}", _text(tokenizer, ids[:-1]))


def test_greedy_accuracy_is_in_the_intended_imperfect_band(tokenizer, greedy_eval):
    prompts, completions = greedy_eval
    right_plain, right_carry, forgot = [], [], 0
    for prompt, ids in zip(prompts, completions):
        a, b = parse_prompt(prompt)
        answer = _text(tokenizer, ids)
        (right_carry if has_carry(a, b) else right_plain).append(answer == str(a + b))
        forgot += has_carry(a, b) and answer == str(carry_free_sum(a, b))
    accuracy = (sum(right_plain) + sum(right_carry)) / len(prompts)
    assert 0.2 <= accuracy <= 0.45, accuracy
    assert sum(right_plain) / len(right_plain) > 0.9, "sums without a carry should be right"
    assert sum(right_carry) / len(right_carry) < 0.15, "sums with a carry should mostly be wrong"
    assert forgot / len(right_carry) > 0.8, "the wrong answers should be the carry-free sums"


def test_sampling_gets_carries_right_often_enough_for_grpo(model, tokenizer, splits):
    prompts = [r["prompt"] for r in splits["eval"] if has_carry(*parse_prompt(r["prompt"]))][:100]
    torch.manual_seed(0)
    completions = _generate(
        model, tokenizer, [p for p in prompts for _ in range(8)], do_sample=True, temperature=1.0, top_k=0, top_p=1.0
    )
    groups = [completions[i : i + 8] for i in range(0, len(completions), 8)]
    rates = []
    for prompt, group in zip(prompts, groups):
        a, b = parse_prompt(prompt)
        rates.append(sum(_text(tokenizer, ids) == str(a + b) for ids in group) / 8)
    assert 0.15 <= sum(rates) / len(rates) <= 0.45
    assert sum(0 < r < 1 for r in rates) / len(rates) >= 0.6, "groups of 8 need reward spread"
