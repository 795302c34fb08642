"""Build aha's bundled demo: the addition data set, a character tokenizer and a tiny Llama taught by a sloppy teacher.

    python examples/demo/make_demo_model.py            # rebuild trainer/demo/assets (about 5 min, 1 core)
    python examples/demo/make_demo_model.py --probe    # also check that bare-bones GRPO can fix the model
    python examples/demo/make_demo_model.py --probe-only --lora   # probe the shipped model, LoRA instead of full

The data files are rebuilt byte for byte from the seed. The weights are rebuilt bit for bit on the same machine,
software and --threads; other CPUs, thread counts or torch versions give slightly different weights and accuracies.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import time
from pathlib import Path

import torch

from trainer.demo import (
    ASSETS_DIR,
    DEMO_MAX_NEW_TOKENS,
    has_carry,
    make_splits,
    parse_prompt,
    sloppy_answer,
    write_splits,
)

SPECIAL_TOKENS = {"pad": "<pad>", "bos": "<s>", "eos": "</s>", "unk": "<unk>"}
CHARACTERS = list("0123456789+=")  # with the 4 special tokens: a vocabulary of 16
ANSWER_RE = re.compile(r"\d{1,3}")
BUILD_SETTINGS = (
    "seed",
    "eval_size",
    "forget_rate",
    "sft_steps",
    "sft_batch",
    "sft_lr",
    "threads",
    "hidden_size",
    "intermediate_size",
)


def build_tokenizer():
    """A character-level fast tokenizer that adds BOS to every text and decodes without separators."""
    from tokenizers import Tokenizer, decoders, models, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {tok: i for i, tok in enumerate(list(SPECIAL_TOKENS.values()) + CHARACTERS)}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=SPECIAL_TOKENS["unk"]))
    core.decoder = decoders.Fuse()
    bos = SPECIAL_TOKENS["bos"]
    core.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A $B", special_tokens=[(bos, vocab[bos])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=SPECIAL_TOKENS["bos"],
        eos_token=SPECIAL_TOKENS["eos"],
        pad_token=SPECIAL_TOKENS["pad"],
        unk_token=SPECIAL_TOKENS["unk"],
        padding_side="left",
        model_max_length=64,
        clean_up_tokenization_spaces=False,
    )


def build_model(tokenizer, args):
    """A freshly initialised 2-layer Llama sized for the 16-token vocabulary."""
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=args.hidden_size,
        intermediate_size=args.intermediate_size,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=64,
        rms_norm_eps=1e-5,
        tie_word_embeddings=False,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(args.seed)
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        max_new_tokens=DEMO_MAX_NEW_TOKENS,
        do_sample=False,
    )
    return model


def sft_batch(tokenizer, operands: list[tuple[int, int]], rng: random.Random, forget_rate: float):
    """Right-padded input ids, attention mask and labels (answer and EOS only) with sloppy answers."""
    rows = []
    for a, b in operands:
        prompt = tokenizer(f"{a}+{b}=").input_ids
        answer = tokenizer(sloppy_answer(a, b, rng, forget_rate), add_special_tokens=False).input_ids
        rows.append((prompt, answer + [tokenizer.eos_token_id]))
    width = max(len(p) + len(c) for p, c in rows)
    ids = torch.full((len(rows), width), tokenizer.pad_token_id)
    labels = torch.full((len(rows), width), -100)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (p, c) in enumerate(rows):
        n = len(p) + len(c)
        ids[i, :n] = torch.tensor(p + c)
        labels[i, len(p) : n] = torch.tensor(c)
        mask[i, :n] = 1
    return ids, mask, labels


def pretrain(model, tokenizer, train_rows: list[dict], args) -> None:
    """Supervised next-token training on the train split's prompts with the sloppy teacher's answers."""
    rng = random.Random(args.seed + 1)
    operands = [parse_prompt(r["prompt"]) for r in train_rows]
    opt = torch.optim.AdamW(model.parameters(), lr=args.sft_lr, weight_decay=0.01, betas=(0.9, 0.98))
    warmup = 100
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, args.sft_steps) / args.sft_steps)),
    )
    model.train()
    start = time.perf_counter()
    for step in range(args.sft_steps):
        ids, mask, labels = sft_batch(tokenizer, rng.choices(operands, k=args.sft_batch), rng, args.forget_rate)
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 500 == 0 or step == args.sft_steps - 1:
            print(f"  sft step {step:5d}  loss {loss.item():.4f}  {time.perf_counter() - start:6.1f} s", flush=True)
    model.eval()


@torch.no_grad()
def generate(model, tokenizer, prompts: list[str], samples: int = 1, temperature: float = 0.0, batch: int = 1024):
    """Completions (text, ended with EOS) for each prompt, `samples` per prompt, greedy when temperature is 0."""
    out = []
    expanded = [p for p in prompts for _ in range(samples)]
    for i in range(0, len(expanded), batch):
        enc = tokenizer(expanded[i : i + batch], return_tensors="pt", padding=True)
        kwargs = {"do_sample": True, "temperature": temperature, "top_k": 0, "top_p": 1.0} if temperature else {}
        gen = model.generate(**enc, max_new_tokens=DEMO_MAX_NEW_TOKENS, **kwargs)
        for row in gen[:, enc.input_ids.shape[1] :].tolist():
            ended = tokenizer.eos_token_id in row
            row = row[: row.index(tokenizer.eos_token_id)] if ended else row
            out.append((tokenizer.decode(row, skip_special_tokens=True), ended))
    return [out[i : i + samples] for i in range(0, len(out), samples)]


def measure(model, tokenizer, rows: list[dict], group: int = 8, temperature: float = 1.0) -> dict:
    """Greedy and sampled accuracy, well-formedness, and how many groups of `group` samples have reward spread."""
    prompts = [r["prompt"] for r in rows]
    gold = [r["answer"] for r in rows]
    carry = [has_carry(*parse_prompt(p)) for p in prompts]
    greedy = [g[0] for g in generate(model, tokenizer, prompts)]
    sampled = generate(model, tokenizer, prompts, samples=group, temperature=temperature)
    right = [t == a for (t, _), a in zip(greedy, gold)]
    srate = [sum(t == a for t, _ in g) / group for g, a in zip(sampled, gold)]

    def mean(xs) -> float:
        xs = list(xs)
        return round(sum(xs) / max(len(xs), 1), 4)

    return {
        "greedy_accuracy": mean(right),
        "greedy_accuracy_no_carry": mean(r for r, c in zip(right, carry) if not c),
        "greedy_accuracy_carry": mean(r for r, c in zip(right, carry) if c),
        "greedy_well_formed": mean(bool(ANSWER_RE.fullmatch(t)) and e for t, e in greedy),
        "sampled_accuracy": mean(srate),
        "sampled_accuracy_carry": mean(s for s, c in zip(srate, carry) if c),
        "sampled_well_formed": mean(bool(ANSWER_RE.fullmatch(t)) and e for g in sampled for t, e in g),
        "groups_with_spread": mean(0 < s < 1 for s in srate),
    }


def probe(model, tokenizer, train_rows: list[dict], eval_rows: list[dict], args) -> dict:
    """Bare-bones GRPO (8 samples a prompt, exact-match reward, group-normalised advantages) to show the fix works."""
    torch.manual_seed(args.seed + 2)
    rng = random.Random(args.seed + 2)
    if args.lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules="all-linear", lora_dropout=0.0))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.probe_lr, weight_decay=0.0)
    eval_every = max(1, args.probe_steps // 4)
    curve = [(0, measure(model, tokenizer, eval_rows, group=1)["greedy_accuracy"])]
    start = time.perf_counter()
    gen_time = 0.0
    for step in range(1, args.probe_steps + 1):
        rows = rng.sample(train_rows, args.probe_prompts)
        t0 = time.perf_counter()
        model.eval()
        enc = tokenizer([r["prompt"] for r in rows for _ in range(8)], return_tensors="pt", padding=True)
        with torch.no_grad():
            seqs = model.generate(
                **enc, do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_new_tokens=DEMO_MAX_NEW_TOKENS
            )
        gen_time += time.perf_counter() - t0
        model.train()
        width = enc.input_ids.shape[1]
        comp = seqs[:, width:]
        # completion tokens up to and including the first EOS count; everything after is padding
        is_eos = comp == tokenizer.eos_token_id
        comp_mask = (torch.cumsum(is_eos, 1) - is_eos.long()) == 0
        texts = [tokenizer.decode(c[m], skip_special_tokens=True) for c, m in zip(comp, comp_mask)]
        reward = torch.tensor([float(t == r["answer"]) for t, r in zip(texts, [r for r in rows for _ in range(8)])])
        grouped = reward.view(-1, 8)
        adv = ((grouped - grouped.mean(1, keepdim=True)) / (grouped.std(1, keepdim=True) + 1e-4)).view(-1)
        attn = torch.cat([enc.attention_mask, comp_mask.long()], 1)
        logits = model(input_ids=seqs, attention_mask=attn).logits[:, width - 1 : -1].float()
        logp = torch.log_softmax(logits, -1).gather(-1, comp.unsqueeze(-1)).squeeze(-1)
        per_seq = (logp * comp_mask).sum(1) / comp_mask.sum(1).clamp(min=1)
        loss = -(adv * per_seq).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % eval_every == 0 or step == args.probe_steps:
            model.eval()
            acc = measure(model, tokenizer, eval_rows, group=1)["greedy_accuracy"]
            curve.append((step, acc))
            print(
                f"  grpo step {step:4d}  reward {reward.mean():.3f}  eval greedy {acc:.3f}  "
                f"{time.perf_counter() - start:6.1f} s",
                flush=True,
            )
    train_time = time.perf_counter() - start - gen_time
    model.eval()
    return {
        "mode": "lora r=8 all-linear" if args.lora else "full fine-tune",
        "lr": args.probe_lr,
        "steps": args.probe_steps,
        "prompts_per_step": args.probe_prompts,
        "samples_per_prompt": 8,
        "greedy_curve": curve,
        "seconds_total_with_evals": round(time.perf_counter() - start, 1),
        "seconds_generating": round(gen_time, 1),
        "seconds_other": round(train_time, 1),
        "after": measure(model, tokenizer, eval_rows),
    }


def main() -> None:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ASSETS_DIR, help="assets folder (default: the package's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-size", type=int, default=500)
    ap.add_argument("--forget-rate", type=float, default=0.7, help="how often the teacher forgets a due carry")
    ap.add_argument("--sft-steps", type=int, default=3000)
    ap.add_argument("--sft-batch", type=int, default=256)
    ap.add_argument("--sft-lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the weights depend on it)")
    ap.add_argument("--probe", action="store_true", help="after building, run a bare-bones GRPO probe")
    ap.add_argument("--probe-only", action="store_true", help="probe the model already in --out; build nothing")
    ap.add_argument("--probe-steps", type=int, default=100)
    ap.add_argument("--probe-prompts", type=int, default=32)
    ap.add_argument("--probe-lr", type=float, default=1e-3)
    ap.add_argument("--lora", action="store_true", help="probe with LoRA (r=8, all linear layers) instead of full")
    ap.add_argument("--hidden-size", type=int, default=128)
    ap.add_argument("--intermediate-size", type=int, default=256)
    ap.add_argument("--report", type=Path, help="also write the measurements to this JSON file")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    train_rows, eval_rows = make_splits(args.seed, args.eval_size)
    model_dir = args.out / "model"
    report: dict = {"settings": {k: getattr(args, k) for k in BUILD_SETTINGS}}
    if not args.probe_only:
        write_splits(args.out, args.seed, args.eval_size)
        tokenizer = build_tokenizer()
        model = build_model(tokenizer, args)
        print(f"pre-training {sum(p.numel() for p in model.parameters()):,} parameters", flush=True)
        start = time.perf_counter()
        pretrain(model, tokenizer, train_rows, args)
        report["sft_seconds"] = round(time.perf_counter() - start, 1)
        print(f"pre-training took {report['sft_seconds']} s", flush=True)
        save(model, tokenizer, model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    torch.manual_seed(args.seed + 3)
    report["eval"] = measure(model, tokenizer, eval_rows)
    print(json.dumps(report["eval"], indent=1), flush=True)
    report["parameters"] = sum(p.numel() for p in model.parameters())
    report["software"] = {"torch": torch.__version__, "transformers": transformers.__version__}
    if args.probe or args.probe_only:
        report["probe"] = probe(model, tokenizer, train_rows, eval_rows, args)
        print(json.dumps(report["probe"], indent=1), flush=True)
    if not args.probe_only:
        (args.out / "build_info.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.report:
        args.report.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def save(model, tokenizer, folder: Path) -> None:
    """save_pretrained both, with a tokenizer class name that older transformers releases also know."""
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    config_path = folder / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    for path in folder.iterdir():
        path.chmod(0o644)  # safetensors writes 0600; package data must be readable by every user


if __name__ == "__main__":
    main()
