"""Datasets: the three formats, prompt templates, chat templates, and errors that name the line or row."""

from __future__ import annotations

import json

import pytest

from trainer.config import DataConfig
from trainer.data import DataCursor, DataError, load_prompt_dataset, load_rows


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from trainer.model_loading import load_tokenizer

    return load_tokenizer(tiny_model)


def jsonl(tmp_path, rows, name="d.jsonl"):
    p = tmp_path / name
    p.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return p


def test_jsonl_rows_render_and_keep_other_columns(tmp_path, tokenizer):
    p = jsonl(
        tmp_path,
        [{"prompt": "1+2=", "answer": "3", "level": "easy"}, {"prompt": "4+4=", "answer": "8", "level": "hard"}],
    )
    ds = load_prompt_dataset(str(p), "train", DataConfig(prompt_template="{prompt} "), tokenizer, 32, None)
    assert len(ds) == 2
    ex = ds.examples[1]
    assert ex.prompt_text == "4+4= " and ex.answer == "8" and ex.metadata == {"level": "hard"}
    assert tokenizer.decode(ex.prompt_ids) == "4+4= "
    assert ex.where.endswith("d.jsonl:2")


def test_template_fields_from_any_column(tmp_path, tokenizer):
    p = jsonl(tmp_path, [{"a": "1", "b": "2", "answer": "3", "prompt": "unused"}])
    ds = load_prompt_dataset(str(p), "train", DataConfig(prompt_template="{a}+{b}="), tokenizer, 32, None)
    assert ds.examples[0].prompt_text == "1+2="


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"prompt": "1+1=", "answer": "2"}', '{"prompt": "2+2=", "answer": '], r"d\.jsonl:2: invalid JSON"),
        (['{"prompt": "1+1=", "answer": "2"}', "[1, 2]"], r"d\.jsonl:2: each line must be a JSON object"),
        (
            ['{"prompt": "1+1=", "answer": "2"}', '{"question": "x", "answer": "2"}'],
            r"d\.jsonl:2: missing the prompt column 'prompt'",
        ),
        (
            ['{"prompt": "1+1=", "answer": "2"}', '{"prompt": "1+1="}'],
            r"d\.jsonl:2: missing the answer column 'answer'",
        ),
        (['{"prompt": "", "answer": "1"}'], r"d\.jsonl:1: 'prompt' must be a non-empty string"),
        (['{"prompt": 5, "answer": "1"}'], r"d\.jsonl:1: 'prompt' must be a non-empty string"),
        (['{"prompt": [{"role": "user"}], "answer": "1"}'], r"d\.jsonl:1: 'prompt' is a list but not chat messages"),
    ],
)
def test_bad_rows_name_the_line(tmp_path, tokenizer, lines, message):
    p = jsonl(tmp_path, lines)
    with pytest.raises(DataError, match=message):
        load_prompt_dataset(str(p), "train", DataConfig(), tokenizer, 32, None)


def test_an_answer_column_no_row_has_is_one_error_listing_the_columns(tmp_path, tokenizer):
    p = jsonl(tmp_path, [{"id": "a", "prompt": "1+1="}, {"id": "b", "prompt": "2+2="}])
    with pytest.raises(DataError) as info:
        load_prompt_dataset(str(p), "train", DataConfig(answer_column="solution"), tokenizer, 32, None)
    message = str(info.value)
    assert "no row has the answer column 'solution'" in message and "'id', 'prompt'" in message
    assert 'data.answer_column = "none"' in message
    assert message.count("solution") == 1  # one line for the file, not one per row


@pytest.mark.parametrize("spelling", ["none", "None", "null", ""])
def test_answer_column_none_means_rows_need_only_the_prompt(tmp_path, tokenizer, spelling):
    from trainer.config import load_config

    cfg = load_config(None, ["--data.answer_column", spelling])
    assert cfg.data.answer_column == ""
    assert load_config(None, {"data.answer_column": spelling}).data.answer_column == ""
    p = jsonl(tmp_path, [{"id": "a", "prompt": "1+1="}, {"id": "b", "prompt": "2+2=", "none": "kept"}])
    ds = load_prompt_dataset(str(p), "train", cfg.data, tokenizer, 32, None)
    assert [ex.answer for ex in ds.examples] == [None, None]
    assert ds.examples[1].metadata == {"id": "b", "none": "kept"}
    assert 'answer_column = ""' in cfg.to_toml()  # a saved run config reloads with no answer column


def test_template_field_missing_names_the_row(tmp_path, tokenizer):
    p = jsonl(tmp_path, [{"prompt": "x", "answer": "1", "topic": "t"}, {"prompt": "y", "answer": "2"}])
    with pytest.raises(DataError, match=r"d\.jsonl:2: data\.prompt_template uses \{topic\}"):
        load_prompt_dataset(str(p), "train", DataConfig(prompt_template="{topic}: {prompt}"), tokenizer, 32, None)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(DataError, match="dataset not found"):
        load_rows(tmp_path / "nope.jsonl")
    (tmp_path / "x.csv").write_text("a,b\n")
    with pytest.raises(DataError, match="unsupported dataset format"):
        load_rows(tmp_path / "x.csv")


def test_long_prompts_skip_truncate_error(tmp_path, tokenizer):
    p = jsonl(tmp_path, [{"prompt": "1+1=", "answer": "2"}, {"prompt": "1234567+1=", "answer": "1234568"}])
    ds = load_prompt_dataset(str(p), "train", DataConfig(long_prompts="skip"), tokenizer, 5, None)
    assert len(ds) == 1 and ds.skipped_long == 1 and ds.skipped_where[0].endswith(":2")
    ds = load_prompt_dataset(str(p), "train", DataConfig(long_prompts="truncate"), tokenizer, 5, None)
    assert tokenizer.decode(ds.examples[1].prompt_ids) == "67+1="  # the last 5 tokens
    with pytest.raises(DataError, match=r":2: prompt has \d+ tokens, more than generation.max_prompt_length = 5"):
        load_prompt_dataset(str(p), "train", DataConfig(long_prompts="error"), tokenizer, 5, None)
    with pytest.raises(DataError, match="no usable prompts"):
        load_prompt_dataset(str(p), "train", DataConfig(long_prompts="skip"), tokenizer, 2, None)


def test_parquet_and_saved_dataset_dict(tmp_path, tokenizer):
    import datasets
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"prompt": f"{i}+1=", "answer": str(i + 1)} for i in range(5)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    ds = load_prompt_dataset(str(tmp_path / "d.parquet"), "train", DataConfig(), tokenizer, 32, 3)
    assert [e.answer for e in ds.examples] == ["1", "2", "3"]

    dd = datasets.DatasetDict({"train": datasets.Dataset.from_list(rows), "test": datasets.Dataset.from_list(rows[:2])})
    dd.save_to_disk(str(tmp_path / "saved"))
    ds = load_prompt_dataset(str(tmp_path / "saved"), "test", DataConfig(), tokenizer, 32, None)
    assert len(ds) == 2
    with pytest.raises(DataError, match="no split 'validation'"):
        load_rows(tmp_path / "saved", "validation")
    bad = [{"prompt": "1+1=", "answer": "2"}, {"prompt": None, "answer": "3"}]
    pq.write_table(pa.Table.from_pylist(bad), tmp_path / "bad.parquet")
    with pytest.raises(DataError, match=r"bad\.parquet row 1: 'prompt' must be a non-empty string"):
        load_prompt_dataset(str(tmp_path / "bad.parquet"), "train", DataConfig(), tokenizer, 32, None)


def test_chat_template(tmp_path, tokenizer):
    p = jsonl(
        tmp_path, [{"prompt": "1+1=", "answer": "2"}, {"prompt": [{"role": "user", "content": "2+2="}], "answer": "4"}]
    )
    with pytest.raises(DataError, match="no chat template"):
        load_prompt_dataset(str(p), "train", DataConfig(chat_template=True), tokenizer, 64, None)
    tokenizer.chat_template = "{% for m in messages %}{{ m['role'][0] }}{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}={% endif %}"
    try:
        ds = load_prompt_dataset(
            str(p), "train", DataConfig(chat_template=True, system_prompt="0"), tokenizer, 64, None
        )
    finally:
        tokenizer.chat_template = None
    assert [e.prompt_text for e in ds.examples] == ["s0u1+1==", "s0u2+2=="]
    assert ds.examples[1].prompt == [{"role": "user", "content": "2+2="}]
    p2 = jsonl(tmp_path, [{"prompt": [{"role": "user", "content": "x"}], "answer": "4"}], name="m.jsonl")
    with pytest.raises(DataError, match="set data.chat_template = true"):
        load_prompt_dataset(str(p2), "train", DataConfig(), tokenizer, 64, None)


def test_cursor_is_seeded_and_resumable():
    a = DataCursor(5, seed=1, shuffle=True)
    first = a.take(7)
    assert sorted(first[:5]) == [0, 1, 2, 3, 4] and a.epoch == 1
    state = a.state_dict()
    rest = a.take(6)
    b = DataCursor(5, seed=1, shuffle=True)
    b.load_state_dict(state)
    assert b.take(6) == rest
    assert DataCursor(50, seed=2, shuffle=True).take(50) != DataCursor(50, seed=1, shuffle=True).take(50)
    assert DataCursor(4, seed=0, shuffle=False).take(6) == [0, 1, 2, 3, 0, 1]
    with pytest.raises(DataError, match="same data"):
        DataCursor(6, seed=1, shuffle=True).load_state_dict(state)
