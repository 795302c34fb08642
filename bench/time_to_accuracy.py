"""Time to the same held-out accuracy: GRPO through aha and through TRL (+ colocated vLLM), same model, data and reward.

The task is multi-step: 3-digit addition written out column by column, units first, with the carry spelt out
("347+586=" -> lines "7+6=13", "4+8+1=13", "3+5+1=9", "933"). A Llama of about 25M parameters is built from scratch and
pre-trained on a sloppy teacher's working, which forgets each due carry with probability `--forget-rate`
("4+8=12" where "4+8+1=13" was due, and the final number follows the slip). It learns the slip as a habit,
so its greedy accuracy on held-out sums is low; GRPO with `math_equivalence` on the final number (the last
number of the completion) teaches it to carry. Both trainers run the recipe in
examples/time_to_accuracy/grpo.toml (TRL's settings are mapped from it one to one) and are evaluated by
the same function: greedy decoding of the held-out prompts with transformers `generate`, outside the clock.

    python bench/time_to_accuracy.py all --out $OUT/tta --target 0.9        # on a GPU: build, aha, trl, report
    python bench/time_to_accuracy.py build --out runs/tta                   # data + pre-trained model only
    python bench/time_to_accuracy.py aha --out runs/tta                     # one trainer (its own process)
    python bench/time_to_accuracy.py all --out /tmp/tta --smoke             # tiny shapes on the CPU (checks the script)

Each trainer writes `curve-<name>.json`: (step, seconds of training so far, held-out accuracy) rows; the
report writes `time_to_accuracy.json` and `time_to_accuracy.png` (accuracy against wall time and step).
Wall time counts from the trainer's construction (model loading, vLLM start-up and compilation included)
and leaves out the evaluation passes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPE = ROOT / "examples" / "time_to_accuracy" / "grpo.toml"
SPECIAL = {"pad": "<pad>", "bos": "<s>", "eos": "</s>", "unk": "<unk>"}
CHARACTERS = list("0123456789+=\n")
DIGITS = 3
MODEL = {"hidden_size": 512, "intermediate_size": 1408, "num_hidden_layers": 8, "num_attention_heads": 8}
SMOKE_MODEL = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4}


# -- the task -----------------------------------------------------------------------------------------------


def working(a: int, b: int, rng: random.Random | None = None, forget_rate: float = 0.0) -> str:
    """The column-by-column working and the final sum; with `rng`, each due carry is forgotten at `forget_rate`."""
    steps, total, carry, place = [], 0, 0, 1
    for _ in range(DIGITS):
        x, y = a // place % 10, b // place % 10
        if carry and rng is not None and rng.random() < forget_rate:
            carry = 0  # the slip: the carry is not written, and the column's sum lacks it
        s = x + y + carry
        steps.append(f"{x}+{y}+1={s}" if carry else f"{x}+{y}={s}")
        total += s % 10 * place
        carry, place = s // 10, place * 10
    total += carry * place
    return "\n".join([*steps, str(total)])


def has_carry(a: int, b: int) -> bool:
    """Whether the written sum carries in any column."""
    return "+1=" in working(a, b)


def make_splits(seed: int, eval_size: int, train_size: int) -> tuple[list[dict], list[dict]]:
    """Disjoint train and held-out rows {'prompt': '347+586=', 'answer': '933'}."""
    rng = random.Random(seed)
    lo, hi = 10 ** (DIGITS - 1), 10**DIGITS - 1
    seen: set[tuple[int, int]] = set()
    rows = []
    while len(rows) < eval_size + train_size:
        a, b = rng.randint(lo, hi), rng.randint(lo, hi)
        if (a, b) not in seen:
            seen.add((a, b))
            rows.append({"prompt": f"{a}+{b}=", "answer": str(a + b)})
    return rows[eval_size:], rows[:eval_size]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """One JSON object per line."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- model and pre-training -----------------------------------------------------------------------------------


def build_tokenizer():
    """A character tokenizer (digits, '+', '=', newline) that puts BOS first and decodes without separators."""
    from tokenizers import Tokenizer, decoders, models, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate([*SPECIAL.values(), *CHARACTERS])}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=SPECIAL["unk"]))
    core.decoder = decoders.Fuse()
    core.post_processor = processors.TemplateProcessing(
        single=f"{SPECIAL['bos']} $A", special_tokens=[(SPECIAL["bos"], vocab[SPECIAL["bos"]])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core, bos_token=SPECIAL["bos"], eos_token=SPECIAL["eos"], pad_token=SPECIAL["pad"],
        unk_token=SPECIAL["unk"], padding_side="left", model_max_length=96, clean_up_tokenization_spaces=False,
    )  # fmt: skip


def build_model(tokenizer, shape: dict, seed: int):
    """A freshly initialised Llama for the character vocabulary."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer), num_key_value_heads=shape["num_attention_heads"], max_position_embeddings=96,
        rms_norm_eps=1e-5, tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, **shape,
    )  # fmt: skip
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id, do_sample=False,
    )  # fmt: skip
    return model


def sft_batch(tokenizer, rows: list[dict], rng: random.Random, forget_rate: float, device: str):
    """Right-padded ids, mask and labels (the working and EOS only), with the sloppy teacher's working."""
    import torch

    seqs = []
    for row in rows:
        a, b = (int(x) for x in row["prompt"][:-1].split("+"))
        prompt = tokenizer(row["prompt"]).input_ids
        answer = tokenizer(working(a, b, rng, forget_rate), add_special_tokens=False).input_ids
        seqs.append((prompt, answer + [tokenizer.eos_token_id]))
    width = max(len(p) + len(c) for p, c in seqs)
    ids = torch.full((len(seqs), width), tokenizer.pad_token_id)
    labels = torch.full((len(seqs), width), -100)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, (p, c) in enumerate(seqs):
        ids[i, : len(p) + len(c)] = torch.tensor(p + c)
        labels[i, len(p) : len(p) + len(c)] = torch.tensor(c)
        mask[i, : len(p) + len(c)] = 1
    return ids.to(device), mask.to(device), labels.to(device)


def pretrain(model, tokenizer, rows: list[dict], args: argparse.Namespace, device: str) -> float:
    """Next-token training on the sloppy working; returns the seconds it took."""
    import torch

    rng = random.Random(args.seed + 1)
    opt = torch.optim.AdamW(model.parameters(), lr=args.sft_lr, weight_decay=0.01, betas=(0.9, 0.98))
    warmup = max(1, args.sft_steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, args.sft_steps) / args.sft_steps))
    )  # fmt: skip
    model.train()
    start = time.perf_counter()
    for step in range(args.sft_steps):
        ids, mask, labels = sft_batch(tokenizer, rng.choices(rows, k=args.sft_batch), rng, args.forget_rate, device)
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device != "cpu"):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 250 == 0 or step == args.sft_steps - 1:
            print(f"  sft step {step:5d}  loss {loss.item():.4f}  {time.perf_counter() - start:6.1f} s", flush=True)
    model.eval()
    return time.perf_counter() - start


# -- evaluation (the same for both trainers) --------------------------------------------------------------------


def final_number(text: str) -> str | None:
    """The completion's last line when it is a number (the format's final answer)."""
    tail = text.rsplit("\n", 1)[-1].strip()
    return tail if tail.isdigit() else None


def greedy_accuracy(model, tokenizer, rows: list[dict], batch: int = 500) -> dict:
    """Held-out greedy accuracy (final number equals the sum), and the share of completions in the format."""
    import torch

    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    correct = formatted = 0
    with torch.no_grad():
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            enc = tokenizer([r["prompt"] for r in chunk], return_tensors="pt", padding=True).to(device)
            out = model.generate(**enc, max_new_tokens=48, do_sample=False, pad_token_id=tokenizer.pad_token_id)
            for row, ids in zip(chunk, out[:, enc.input_ids.shape[1] :].tolist()):
                if tokenizer.eos_token_id in ids:
                    ids = ids[: ids.index(tokenizer.eos_token_id)]
                got = final_number(tokenizer.decode(ids, skip_special_tokens=True))
                formatted += got is not None
                correct += got == row["answer"]
    if was_training:
        model.train()
    return {"accuracy": correct / len(rows), "formatted": formatted / len(rows)}


# -- build --------------------------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> dict:
    """Data, tokenizer and the pre-trained model into --out."""
    import torch

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    train, held = make_splits(args.seed, args.eval_size, args.train_size)
    write_jsonl(out / "train.jsonl", train)
    write_jsonl(out / "eval.jsonl", held)
    device = "cuda" if torch.cuda.is_available() and not args.smoke else "cpu"
    tok = build_tokenizer()
    model = build_model(tok, SMOKE_MODEL if args.smoke else MODEL, args.seed).to(device)
    seconds = pretrain(model, tok, train, args, device)
    acc = greedy_accuracy(model, tok, held)
    carry_rows = [r for r in held if has_carry(*(int(x) for x in r["prompt"][:-1].split("+")))]
    info = {
        "parameters": sum(p.numel() for p in model.parameters()), "pretrain_s": seconds, "device": device,
        "held_out": acc, "held_out_with_carry": len(carry_rows) / len(held),
        "settings": {k: getattr(args, k) for k in ("seed", "eval_size", "train_size", "forget_rate", "sft_steps", "sft_batch", "sft_lr")},
    }  # fmt: skip
    model.to(torch.bfloat16 if device == "cuda" else torch.float32).save_pretrained(out / "model")
    tok.save_pretrained(out / "model")
    (out / "build.json").write_text(json.dumps(info, indent=1))
    print(json.dumps(info), flush=True)
    return info


# -- the two trainers -------------------------------------------------------------------------------------------


def recipe(args: argparse.Namespace):
    """The aha config of the recipe, pointed at --out's model and data (smaller steps with --smoke)."""
    from trainer.config import load_config

    out = Path(args.out)
    overrides = {
        "model.path": str(out / "model"), "data.train": str(out / "train.jsonl"), "data.eval": str(out / "eval.jsonl"),
        "max_steps": args.max_steps, "output_dir": str(out / "run-aha"), "overwrite": True, "eval.every": 0,
        "eval.at_start": False, "eval.at_end": False, "log.progress": False,
    }  # fmt: skip
    if args.smoke:
        overrides.update({"model.dtype": "float32", "device": "cpu", "generation.prompts_per_step": 4, "threads": 2})
    return load_config(RECIPE, overrides)


class Curve:
    """Held-out accuracy against training wall time (evaluation time left out) and step."""

    def __init__(self, name: str, held: list[dict], tokenizer, every: int):
        self.name, self.held, self.tokenizer, self.every = name, held, tokenizer, every
        self.rows: list[dict] = []
        self.start = time.perf_counter()
        self.eval_s = 0.0

    def point(self, step: int, model) -> dict:
        """Evaluate now and record (step, training seconds so far, accuracy)."""
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        train_s = t0 - self.start - self.eval_s
        acc = greedy_accuracy(model, self.tokenizer, self.held)
        self.eval_s += time.perf_counter() - t0
        row = {"step": step, "train_s": train_s, **acc}
        self.rows.append(row)
        print(f"[{self.name}] step {step:4d}  {train_s:7.1f} s  held-out {acc['accuracy']:.3f}", flush=True)
        return row

    def save(self, out: Path, extra: dict) -> None:
        """curve-<name>.json."""
        (out / f"curve-{self.name}.json").write_text(json.dumps({"name": self.name, **extra, "curve": self.rows}))


def cmd_aha(args: argparse.Namespace) -> None:
    """GRPO through aha's Trainer, evaluated every --every steps."""
    from rich.console import Console

    from trainer import Trainer

    out = Path(args.out)
    cfg = recipe(args).validate()
    held = read_jsonl(out / "eval.jsonl")[: args.eval_rows]
    curve = Curve("aha", held, None, args.every)
    trainer = Trainer(cfg, console=Console(quiet=True))
    curve.tokenizer = trainer.loaded.tokenizer
    try:
        curve.point(0, trainer.loaded.model)
        for step in range(1, cfg.max_steps + 1):
            trainer.train_step(step)
            if step % args.every == 0 or step == cfg.max_steps:
                if curve.point(step, trainer.loaded.model)["accuracy"] >= args.stop_at:
                    break
        engine = type(trainer.engine).__name__
    finally:
        trainer.close()
    curve.save(out, {"engine": f"aha ({engine})"})


def cmd_trl(args: argparse.Namespace) -> None:
    """GRPO through TRL's GRPOTrainer with the recipe's settings (colocated vLLM with --vllm)."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from verifiers.trl import reward_function

    out = Path(args.out)
    cfg = recipe(args)
    cuda = torch.cuda.is_available() and not args.smoke
    held = read_jsonl(out / "eval.jsonl")[: args.eval_rows]
    train = read_jsonl(out / "train.jsonl")
    gen, opt = cfg.generation, cfg.optim
    rows = gen.prompts_per_step * gen.num_generations
    micro = min(rows, opt.micro_batch_size)
    vllm = {}
    if args.vllm:
        vllm = dict(
            use_vllm=True, vllm_mode="colocate", vllm_enable_sleep_mode=cuda, vllm_gpu_memory_utilization=0.1,
            vllm_max_model_length=gen.max_prompt_length + gen.max_completion_length + 4,
        )  # fmt: skip
    conf = GRPOConfig(
        output_dir=str(out / "run-trl"), per_device_train_batch_size=micro, gradient_accumulation_steps=rows // micro,
        num_generations=gen.num_generations, max_completion_length=gen.max_completion_length,
        temperature=gen.temperature, beta=cfg.grpo.beta, loss_type=cfg.grpo.loss_type,
        epsilon=cfg.grpo.epsilon_low, epsilon_high=cfg.grpo.epsilon_high, learning_rate=opt.learning_rate,
        lr_scheduler_type="constant", max_grad_norm=opt.max_grad_norm, max_steps=args.max_steps, bf16=cuda,
        report_to=[], logging_steps=1, save_strategy="no", use_cpu=not cuda, seed=cfg.seed, **vllm,
    )  # fmt: skip
    tok = AutoTokenizer.from_pretrained(cfg.model.path)
    model = AutoModelForCausalLM.from_pretrained(
        cfg.model.path, dtype=torch.bfloat16 if cuda else torch.float32, device_map={"": "cuda" if cuda else "cpu"}
    )
    lora = LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha, target_modules="all-linear", task_type="CAUSAL_LM")
    curve = Curve("trl_vllm" if args.vllm else "trl", held, tok, args.every)

    class Evaluate(TrainerCallback):
        def on_train_begin(self, a, state, control, model=None, **k):
            curve.point(0, model)

        def on_step_end(self, a, state, control, model=None, **k):
            if state.global_step % args.every == 0 or state.global_step == args.max_steps:
                if curve.point(state.global_step, model)["accuracy"] >= args.stop_at:
                    control.should_training_stop = True

    trainer = GRPOTrainer(
        model=model, reward_funcs=reward_function(cfg.reward, answer_field="answer"), args=conf,
        train_dataset=Dataset.from_list(train), processing_class=tok, peft_config=lora, callbacks=[Evaluate()],
    )  # fmt: skip
    trainer.train()
    curve.save(out, {"engine": "TRL GRPOTrainer" + (" + colocated vLLM" if args.vllm else "")})


# -- report -------------------------------------------------------------------------------------------------------


def time_to(curve: list[dict], target: float) -> tuple[float | None, int | None]:
    """Training seconds and step of the first evaluation at or above target (None, None if never)."""
    for row in curve:
        if row["accuracy"] >= target:
            return row["train_s"], row["step"]
    return None, None


def cmd_report(args: argparse.Namespace) -> dict:
    """time_to_accuracy.json and a plot of every curve found in --out."""
    out = Path(args.out)
    curves = [json.loads(p.read_text()) for p in sorted(out.glob("curve-*.json"))]
    summary = {"target": args.target, "build": json.loads((out / "build.json").read_text()), "runs": []}
    for c in curves:
        seconds, step = time_to(c["curve"], args.target)
        best = max((r["accuracy"] for r in c["curve"]), default=float("nan"))
        milestones = {f"{t:.2f}": time_to(c["curve"], t)[0] for t in sorted({0.5, 0.7, 0.8, 0.9, args.target})}
        summary["runs"].append({"name": c["name"], "engine": c["engine"], "seconds_to_target": seconds,
                                "step_to_target": step, "best": best, "seconds_to": milestones, "curve": c["curve"]})  # fmt: skip
        marks = ", ".join(f"{k}: {'-' if v is None else f'{v:.0f} s'}" for k, v in milestones.items())
        print(
            f"{c['engine']:40s} to {args.target:.0%}: {seconds and f'{seconds:.1f} s'} (step {step}); best {best:.3f}; {marks}"
        )
    (out / "time_to_accuracy.json").write_text(json.dumps(summary, indent=1))
    if curves:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        for c in curves:
            left.plot(
                [r["train_s"] for r in c["curve"]], [r["accuracy"] for r in c["curve"]], marker=".", label=c["engine"]
            )
            right.plot(
                [r["step"] for r in c["curve"]], [r["accuracy"] for r in c["curve"]], marker=".", label=c["engine"]
            )
        for ax, xlabel in ((left, "training wall time (s, evaluation left out)"), (right, "GRPO step")):
            ax.axhline(args.target, color="grey", linestyle=":", linewidth=1)
            ax.set_xlabel(xlabel)
            ax.set_ylabel("held-out greedy accuracy")
            ax.set_ylim(0, 1)
            ax.grid(alpha=0.3)
        left.legend(loc="lower right")
        fig.suptitle("GRPO on 3-digit addition with written carries: time to held-out accuracy")
        fig.tight_layout()
        fig.savefig(out / "time_to_accuracy.png", dpi=110)
    return summary


def cmd_all(args: argparse.Namespace) -> None:
    """build, then each trainer in its own process (a failure is recorded, the rest go on), then report."""
    out = Path(args.out)
    if not (out / "build.json").exists():
        cmd_build(args)
    common = ["--out", str(out), "--max-steps", str(args.max_steps), "--every", str(args.every),
              "--stop-at", str(args.stop_at), "--eval-rows", str(args.eval_rows)] + (["--smoke"] if args.smoke else [])  # fmt: skip
    for name in args.trainers.split(","):
        sub, extra, env = name, [], dict(os.environ)
        if name == "trl_vllm":
            sub, extra = "trl", ["--vllm"]
            if args.vllm_path:
                env["PYTHONPATH"] = os.pathsep.join(p for p in (args.vllm_path, env.get("PYTHONPATH", "")) if p)
        print(f"== {name}", flush=True)
        try:
            subprocess.run([sys.executable, __file__, sub, *common, *extra], env=env, timeout=args.timeout, check=True)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            print(f"{name}: {exc}", flush=True)
    cmd_report(args)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=("build", "aha", "trl", "report", "all"))
    p.add_argument("--out", required=True)
    p.add_argument("--smoke", action="store_true", help="tiny model and steps on the CPU (checks the script)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-size", type=int, default=1000)
    p.add_argument("--eval-rows", type=int, default=500, help="held-out rows evaluated at each point")
    p.add_argument("--train-size", type=int, default=200_000)
    p.add_argument("--forget-rate", type=float, default=0.6)
    p.add_argument("--sft-steps", type=int, default=3000)
    p.add_argument("--sft-batch", type=int, default=256)
    p.add_argument("--sft-lr", type=float, default=1e-3)
    p.add_argument("--max-steps", type=int, default=200)
    p.add_argument("--every", type=int, default=5, help="evaluate every N GRPO steps")
    p.add_argument("--target", type=float, default=0.9, help="held-out accuracy to time")
    p.add_argument("--stop-at", type=float, default=0.97, help="stop a trainer once it reaches this accuracy")
    p.add_argument("--trainers", default="aha,trl_vllm")
    p.add_argument("--vllm", action="store_true", help="(trl) colocated vLLM")
    p.add_argument("--vllm-path", default=None, help="a site folder with vLLM, first on the TRL run's path")
    p.add_argument("--timeout", type=int, default=900, help="seconds per trainer")
    args = p.parse_args(argv)
    if args.smoke:
        args.eval_size, args.eval_rows, args.train_size = min(args.eval_size, 40), min(args.eval_rows, 40), 400
        args.sft_steps, args.sft_batch, args.max_steps, args.every = (
            min(args.sft_steps, 30),
            32,
            min(args.max_steps, 4),
            2,
        )
    {"build": cmd_build, "aha": cmd_aha, "trl": cmd_trl, "report": cmd_report, "all": cmd_all}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
