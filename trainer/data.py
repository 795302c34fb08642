"""Prompt datasets: loading JSONL, Parquet or saved `datasets` folders, checking rows, rendering prompts."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verifiers.reading import InputRow, ReadError, iter_dataset_rows, iter_rows, load_dataset

from .config import DEMO, DataConfig

# The trainer's name for the reader's one error type: the message names the file and the line or row.
DataError = ReadError


@dataclass
class Row:
    """One dataset row and where it came from (for error messages)."""

    data: dict[str, Any]
    where: str


@dataclass
class PromptExample:
    """A rendered prompt ready for rollouts: its tokens, its gold answer and the row's other columns."""

    prompt: str | list[dict[str, Any]]
    prompt_text: str
    prompt_ids: list[int]
    answer: Any
    metadata: dict[str, Any]
    where: str


@dataclass
class PromptDataset:
    """Rendered prompts of one split, plus what was skipped while rendering."""

    examples: list[PromptExample]
    source: str
    skipped_long: int = 0
    skipped_where: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.examples)


def resolve_data_path(path: str, split: str) -> str:
    """The real path of a dataset option ('demo' maps to the bundled task's split)."""
    if path != DEMO:
        return path
    from .demo import demo_dataset_paths

    try:
        paths = demo_dataset_paths()
    except FileNotFoundError as exc:
        raise DataError(f"the demo dataset: {exc}") from None
    key = "eval" if split in ("eval", "test", "validation") else "train"
    return str(paths[key])


def load_rows(path: str | Path, split: str = "train", limit: int | None = None) -> list[Row]:
    """Rows of a JSONL file, a Parquet file, or a `datasets` folder saved with save_to_disk.

    Read by `verifiers.reading`, as `aha score` and `aha eval` read them; the first unreadable row is
    an error naming the file and line.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"dataset not found: {p}")
    if p.is_dir():
        ds = load_dataset(p, split, single_ok=True, hint="; set data.train_split/eval_split")
        items = iter_dataset_rows(ds)
    else:
        suffix = p.suffix.lower()
        if suffix in (".parquet", ".pq"):
            items = iter_rows(p, "parquet")
        elif suffix in (".jsonl", ".json", ".ndjson"):
            items = iter_rows(p, "jsonl")
        else:
            raise DataError(
                f"{p}: unsupported dataset format '{suffix}' (use .jsonl, .parquet or a save_to_disk folder)"
            )
    rows: list[Row] = []
    for item in items:
        if limit is not None and len(rows) >= limit:
            break
        rows.append(_row(p, item))
    if not rows:
        raise DataError(f"{p}: no rows")
    return rows


def _row(p: Path, item: InputRow) -> Row:
    """A dataset row named as the trainer's messages name it (`file:line`, or `file row i` from 0)."""
    where = f"{p}:{item.line}" if item.line is not None else f"{p} row {item.index}"
    if item.row is None:
        problem = (item.problem or "unreadable").removeprefix(f"{item.where}: ")
        if problem.startswith("expected a JSON object"):
            problem = "each line must be a JSON object" + problem.removeprefix("expected a JSON object")
        raise DataError(problem, path=p, line=item.line, row=None if item.line is not None else item.index + 1)
    return Row(item.row, where)


def template_fields(template: str) -> list[str]:
    """The {field} names a prompt template uses."""
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    return [n.split(".")[0].split("[")[0] for n in names]


def check_rows(rows: Sequence[Row], cfg: DataConfig) -> None:
    """Raise DataError naming the first bad rows (missing or ill-typed prompt/answer/template columns)."""
    problems: list[str] = []
    fields = set(template_fields(cfg.prompt_template))
    check_answer = bool(cfg.answer_column)
    if check_answer and rows and not any(cfg.answer_column in row.data for row in rows):
        problems.append(_no_answer_column(rows, cfg.answer_column))
        check_answer = False  # said once for the whole file, not once per row
    for row in rows:
        d = row.data
        prompt = d.get(cfg.prompt_column)
        if cfg.prompt_column not in d:
            problems.append(f"{row.where}: missing the prompt column '{cfg.prompt_column}' (data.prompt_column)")
        elif isinstance(prompt, list):
            if not prompt or not all(isinstance(m, dict) and "role" in m and "content" in m for m in prompt):
                problems.append(
                    f"{row.where}: '{cfg.prompt_column}' is a list but not chat messages "
                    "(each needs 'role' and 'content')"
                )
            elif not cfg.chat_template:
                problems.append(
                    f"{row.where}: '{cfg.prompt_column}' holds chat messages; set data.chat_template = true"
                )
        elif not isinstance(prompt, str) or not prompt.strip():
            problems.append(
                f"{row.where}: '{cfg.prompt_column}' must be a non-empty string or chat messages, got {prompt!r}"
            )
        if check_answer and cfg.answer_column not in d:
            problems.append(f"{row.where}: missing the answer column '{cfg.answer_column}' (data.answer_column)")
        missing = sorted(f for f in fields if f not in d)
        if missing and not isinstance(prompt, list):
            problems.append(
                f"{row.where}: data.prompt_template uses {', '.join('{' + m + '}' for m in missing)}, "
                "which the row does not have"
            )
        if len(problems) >= 5:
            break
    if problems:
        raise DataError("bad dataset rows:\n  " + "\n  ".join(problems))


def _no_answer_column(rows: Sequence[Row], column: str) -> str:
    """The message for a gold-answer column that no row has, with the columns the rows do have."""
    columns: dict[str, None] = {}
    for row in rows[:100]:
        columns.update(dict.fromkeys(row.data))
    source = rows[0].where.rsplit(":", 1)[0].split(" row ")[0]
    return (
        f"{source}: no row has the answer column '{column}' (data.answer_column); the rows have "
        f"{', '.join(repr(c) for c in columns)}. Name the gold-answer column with data.answer_column, or set "
        'data.answer_column = "none" when the reward needs no gold answer'
    )


def render_prompt(row: Row, cfg: DataConfig, tokenizer: Any) -> tuple[str | list[dict[str, Any]], str]:
    """(the prompt as given to the reward, the exact text fed to the model) for one row."""
    raw = row.data[cfg.prompt_column]
    if isinstance(raw, list):
        messages = [dict(m) for m in raw]
        if cfg.system_prompt and not any(m.get("role") == "system" for m in messages):
            messages.insert(0, {"role": "system", "content": cfg.system_prompt})
        return raw, _apply_chat_template(tokenizer, messages, row.where)
    try:
        text = cfg.prompt_template.format_map(row.data)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise DataError(f"{row.where}: cannot fill data.prompt_template: {exc!r}") from None
    if not cfg.chat_template:
        return text, text
    messages = [{"role": "user", "content": text}]
    if cfg.system_prompt:
        messages.insert(0, {"role": "system", "content": cfg.system_prompt})
    return text, _apply_chat_template(tokenizer, messages, row.where)


def _apply_chat_template(tokenizer: Any, messages: list[dict[str, Any]], where: str) -> str:
    if not getattr(tokenizer, "chat_template", None):
        raise DataError(
            f"{where}: data.chat_template is true but the tokenizer has no chat template; "
            "use data.prompt_template instead"
        )
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def build_prompt_dataset(
    rows: Sequence[Row], cfg: DataConfig, tokenizer: Any, max_prompt_length: int, source: str
) -> PromptDataset:
    """Check, render and tokenise every row; long prompts are skipped, truncated or an error (data.long_prompts)."""
    check_rows(rows, cfg)
    out = PromptDataset([], source)
    used = {cfg.prompt_column, cfg.answer_column}
    add_special = not cfg.chat_template
    for row in rows:
        prompt, text = render_prompt(row, cfg, tokenizer)
        ids = tokenizer(text, add_special_tokens=add_special)["input_ids"]
        if not ids:
            raise DataError(f"{row.where}: the prompt tokenises to nothing")
        if len(ids) > max_prompt_length:
            if cfg.long_prompts == "error":
                raise DataError(
                    f"{row.where}: prompt has {len(ids)} tokens, more than generation.max_prompt_length "
                    f"= {max_prompt_length} (or set data.long_prompts = 'skip' / 'truncate')"
                )
            if cfg.long_prompts == "skip":
                out.skipped_long += 1
                if len(out.skipped_where) < 5:
                    out.skipped_where.append(row.where)
                continue
            ids = ids[-max_prompt_length:]
        metadata = {k: v for k, v in row.data.items() if k not in used}
        out.examples.append(
            PromptExample(prompt, text, list(ids), row.data.get(cfg.answer_column), metadata, row.where)
        )
    if not out.examples:
        raise DataError(
            f"{source}: no usable prompts (all {out.skipped_long} are longer than generation.max_prompt_length "
            f"= {max_prompt_length}; raise it or set data.long_prompts = 'truncate')"
        )
    return out


def load_prompt_dataset(
    path: str, split: str, cfg: DataConfig, tokenizer: Any, max_prompt_length: int, limit: int | None
) -> PromptDataset:
    """Load, check and render one split."""
    real = resolve_data_path(path, split)
    rows = load_rows(real, split, limit)
    return build_prompt_dataset(rows, cfg, tokenizer, max_prompt_length, real)


class DataCursor:
    """Where training is in the data: epoch and position in the epoch's (seeded) order."""

    def __init__(self, size: int, seed: int, shuffle: bool):
        if size < 1:
            raise ValueError("empty dataset")
        self.size = size
        self.seed = seed
        self.shuffle = shuffle
        self.epoch = 0
        self.position = 0
        self._order = self._make_order(0)

    def _make_order(self, epoch: int) -> list[int]:
        order = list(range(self.size))
        if self.shuffle:
            random.Random(f"{self.seed}:{epoch}").shuffle(order)
        return order

    def take(self, n: int) -> list[int]:
        """The next n example indices (wrapping into new epochs)."""
        out = []
        while len(out) < n:
            if self.position >= self.size:
                self.epoch += 1
                self.position = 0
                self._order = self._make_order(self.epoch)
            out.append(self._order[self.position])
            self.position += 1
        return out

    def state_dict(self) -> dict[str, int]:
        """The position, for checkpoints."""
        return {"epoch": self.epoch, "position": self.position, "size": self.size, "seed": self.seed}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Continue from a checkpoint's position."""
        if state.get("size") != self.size:
            raise DataError(
                f"the checkpoint was written for a training set of {state.get('size')} prompts; this one has "
                f"{self.size} (resume needs the same data)"
            )
        self.epoch = int(state["epoch"])
        self.position = int(state["position"])
        self._order = self._make_order(self.epoch)
