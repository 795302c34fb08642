"""The GRPO training loop: rollouts, rewards, advantages, policy update, metrics, checkpoints, evaluation."""

from __future__ import annotations

import copy
import math
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .checkpoint import latest_checkpoint, load_state, remove_stale_temporaries, save_checkpoint, set_rng_state
from .config import ConfigError, TrainConfig, offload_for
from .heldout import EvalResult, evaluate
from .metrics import (
    EVAL_JSONL,
    METRICS_CSV,
    METRICS_JSONL,
    SAMPLES_JSONL,
    MetricsLog,
    append_jsonl,
    read_jsonl,
    sample_records,
    truncate_jsonl,
)
from .rollout.base import SamplingSettings

CONFIG_FILE = "config.toml"
FINAL_DIR = "final"


@dataclass
class TrainResult:
    """What a finished run produced."""

    run_dir: Path
    steps: int
    before: EvalResult | None
    after: EvalResult | None
    plot: Path | None
    final_dir: Path | None
    elapsed: float


def default_run_dir() -> Path:
    """runs/<date-time> under the current folder."""
    return Path("runs") / datetime.now().strftime("%Y%m%d-%H%M%S")


def prepare_run_dir(cfg: TrainConfig, resume: bool) -> Path:
    """Create (or reuse, when resuming) the run folder and write the resolved config into it."""
    if cfg.output_dir is None:
        if resume:
            raise ConfigError("--resume needs output_dir (the run folder to continue), or CONFIG given as a run folder")
        cfg.output_dir = str(default_run_dir())
    run_dir = Path(cfg.output_dir)
    has_run = (run_dir / METRICS_JSONL).exists() or latest_checkpoint(run_dir) is not None
    if has_run and not resume:
        if not cfg.overwrite:
            raise ConfigError(
                f"output_dir: {run_dir} already holds a run; pass --resume to continue it, --overwrite to "
                "start over, or choose another output_dir"
            )
        for name in (METRICS_JSONL, METRICS_CSV, SAMPLES_JSONL, EVAL_JSONL):
            (run_dir / name).unlink(missing_ok=True)
        for p in run_dir.glob("checkpoint-*"):
            shutil.rmtree(p, ignore_errors=True)
        shutil.rmtree(run_dir / FINAL_DIR, ignore_errors=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(run_dir)
    (run_dir / CONFIG_FILE).write_text(cfg.to_toml(), encoding="utf-8")
    return run_dir


def no_checkpoint_message(run_dir: Path, every: int) -> str:
    """What --resume does in a run folder without a complete checkpoint: start again, saying what is lost."""
    logged = [r.get("step") for r in read_jsonl(run_dir / METRICS_JSONL)]
    when = f"checkpoint.every = {every}" if every else "checkpoint.every = 0: only at the end"
    lost = f"; the {len(logged)} steps it logged are discarded and redone" if logged else ""
    return (
        f"--resume: no checkpoint found in {run_dir} (the run stopped before its first checkpoint; {when}), "
        f"so there is nothing to resume from: starting from step 1{lost}"
    )


class Trainer:
    """One GRPO run, built from a validated config. `run()` trains; parts are usable on their own."""

    def __init__(self, cfg: TrainConfig, resume: bool = False, console: Any = None):
        from rich.console import Console

        from .distributed import setup_distributed
        from .preflight import preflight

        self.cfg = cfg.validate()
        self.resume = resume
        self.checked = preflight(cfg)  # model folder, data rows and reward, before torch loads
        self.dist = setup_distributed(cfg.device, cfg.distributed.backend, cfg.distributed.timeout_s)
        self.console = console or Console(highlight=False, soft_wrap=True)
        if not self.dist.is_main:
            self.console.quiet = True  # rank 0 speaks for the run
        try:
            # rank 0 creates the run folder; every rank then uses its path
            self.run_dir = Path(self.dist.run_on_main(lambda: str(prepare_run_dir(cfg, resume))))
            cfg.output_dir = str(self.run_dir)
            self._setup()
        except BaseException:
            self.close()
            raise

    # -- set-up ------------------------------------------------------------------------------------------
    def _setup(self) -> None:
        import torch
        from transformers import get_scheduler

        from .checkpoint import load_optimizer_state
        from .data import DataCursor, build_prompt_dataset
        from .distributed import rank_device
        from .kernels.choice import choose_kernels
        from .model_loading import check_quantization, load_policy, load_tokenizer, resolve_device
        from .rewards import RewardScorer
        from .rollout.factory import make_engine
        from .rollout.vllm.ranks import vllm_options_for_ranks, vllm_tensor_parallel
        from .runtime import quiet_transformers, setup_torch

        cfg = self.cfg
        self.device = rank_device(resolve_device(cfg.device), self.dist)
        self._restore_torch = setup_torch(cfg.threads, cfg.deterministic, cfg.seed, self.device)
        quiet_transformers()
        check_quantization(cfg.model.quantization, self.device)
        checked = self.checked
        model_path = checked.model_path
        self.offload = offload_for(cfg, self.device, self.dist.world_size)
        if cfg.memory_check:  # before loading anything: refuse a run that would run out of memory mid-way
            from .memory_plan import check_run_memory

            planned = copy.deepcopy(cfg)
            planned.model.offload_activations = self.offload
            plan = check_run_memory(planned, model_path, self.device, choose_kernels(cfg.kernels, self.device).name)
            if plan:
                self.console.print(plan)
        tokenizer = load_tokenizer(cfg.model.tokenizer or model_path)
        g = cfg.generation
        self.train_data = build_prompt_dataset(
            checked.train_rows, cfg.data, tokenizer, g.max_prompt_length, checked.train_source
        )
        self.eval_data = None
        if checked.eval_rows is not None:
            self.eval_data = build_prompt_dataset(
                checked.eval_rows, cfg.data, tokenizer, g.max_prompt_length, str(checked.eval_source)
            )
        for ds, name in ((self.train_data, "training"), (self.eval_data, "evaluation")):
            if ds is not None and ds.skipped_long:
                self.console.print(
                    f"[yellow]note:[/yellow] skipped {ds.skipped_long} {name} prompts longer than "
                    f"generation.max_prompt_length = {g.max_prompt_length} (first: {', '.join(ds.skipped_where)})"
                )
        self.scorer = RewardScorer(cfg.reward, cfg.reward_workers, reward=checked.reward)

        self.checkpoint = latest_checkpoint(self.run_dir) if self.resume else None
        if self.resume and self.checkpoint is None:
            self.console.print(f"[yellow]warning:[/yellow] {no_checkpoint_message(self.run_dir, cfg.checkpoint.every)}")
        self.loaded = load_policy(cfg, self.device, self.checkpoint[1] if self.checkpoint else None)
        self.loaded.tokenizer = tokenizer
        if self.offload:
            from .offload import enable_offloaded_checkpointing

            try:
                enable_offloaded_checkpointing(self.loaded.model)
            except ValueError as exc:  # the model has no checkpointable layers
                if cfg.model.offload_activations:
                    raise ConfigError(f"model.offload_activations = true: {exc}") from None
                self.offload = False  # unset: the default gives way, with a note
                self.console.print(f"[yellow]note:[/yellow] activation offload not used: {exc}")
        self.kernels = choose_kernels(cfg.kernels, self.device)
        self.patched = self.kernels.patch_lora(self.loaded.model) if self.loaded.is_peft else 0
        self.tensor_parallel = 1
        if cfg.rollout == "vllm" and self.dist.enabled:  # one engine per rank, or per tensor-parallel group
            cfg.vllm = vllm_options_for_ranks(cfg.vllm, self.dist)
            self.tensor_parallel = vllm_tensor_parallel(cfg.vllm)
        self.engine = make_engine(cfg, self.loaded.model, tokenizer)
        self._setup_data_parallel()
        self.params = self.loaded.trainable_parameters()
        if not self.params:
            raise ConfigError("model: nothing to train (no parameter requires a gradient)")
        self.optimizer = torch.optim.AdamW(
            self.params,
            lr=cfg.optim.learning_rate,
            betas=(cfg.optim.adam_beta1, cfg.optim.adam_beta2),
            eps=cfg.optim.adam_epsilon,
            weight_decay=cfg.optim.weight_decay,
        )
        n_micro = math.ceil(cfg.completions_per_step / cfg.optim.micro_batch_size)
        accum = cfg.optim.gradient_accumulation_steps or n_micro
        self.total_optimizer_steps = cfg.max_steps * cfg.grpo.num_iterations * (n_micro // accum)
        warmup = cfg.optim.warmup_steps or round(cfg.optim.warmup_ratio * self.total_optimizer_steps)
        name = {"constant": "constant_with_warmup", "linear": "linear", "cosine": "cosine"}[cfg.optim.lr_schedule]
        self.scheduler = get_scheduler(
            name, self.optimizer, num_warmup_steps=warmup, num_training_steps=self.total_optimizer_steps
        )
        self.cursor = DataCursor(len(self.train_data), cfg.seed, cfg.data.shuffle)
        self.start_step = 0
        if self.checkpoint is not None:
            state = load_state(self.checkpoint[1])
            load_optimizer_state(self.optimizer, state["optimizer"], self.grad_sync)
            self.scheduler.load_state_dict(state["scheduler"])
            self.cursor.load_state_dict(state["data"])
            set_rng_state(state["rng"])
            self.start_step = int(state["step"])
        keep = self.start_step if self.checkpoint is not None else -1
        self.metrics = None
        if self.dist.is_main:  # one writer for the run's logs
            for name_ in (METRICS_JSONL, SAMPLES_JSONL, EVAL_JSONL):
                truncate_jsonl(self.run_dir / name_, keep)
            self.metrics = MetricsLog(
                self.run_dir, cfg.log.tensorboard, cfg.log.wandb, cfg.log.wandb_project, config=cfg.to_dict()
            )
            for note in self.metrics.notes:
                self.console.print(f"[yellow]note:[/yellow] {note}")
        self.dist.barrier()
        self._make_update_settings()
        self.update_settings.gradient_accumulation_steps = self.local_accumulation
        self.checked = None  # the raw rows are rendered now and need not stay in memory

    def _setup_data_parallel(self) -> None:
        """This rank's prompts of every step and, with several ranks, the DDP/FSDP2 gradient sync."""
        from .distributed import (
            GradSync,
            check_rank_micro_batches,
            local_accumulation,
            optimizer_steps_per_step,
            rank_positions,
        )

        cfg, d = self.cfg, self.dist
        accum = cfg.optim.gradient_accumulation_steps
        n_opt = optimizer_steps_per_step(cfg.completions_per_step, cfg.optim.micro_batch_size, accum)
        self.positions = rank_positions(
            cfg.generation.prompts_per_step, d.rank, d.world_size, n_opt if d.enabled else 1
        )
        self.local_accumulation = accum
        self.grad_sync = None
        if d.enabled:
            self.local_accumulation = local_accumulation(accum, d.world_size)
            check_rank_micro_batches(
                len(self.positions) * cfg.generation.num_generations,
                cfg.optim.micro_batch_size,
                self.local_accumulation,
                n_opt,
            )
            self.grad_sync = GradSync(
                d,
                self.loaded.model,
                self.kernels.token_logprobs,
                cfg.logprob_chunk_size,
                cfg.generation.temperature,
                cfg.distributed.strategy,
            )

    def _gathered(self) -> Any:
        """Full parameters for generation and no-grad passes (only FSDP2 shards them)."""
        import contextlib

        return self.grad_sync.gathered() if self.grad_sync is not None else contextlib.nullcontext()

    def _make_update_settings(self) -> None:
        """The loss and update settings of this run."""
        from .losses import LossSettings
        from .update import UpdateSettings

        cfg = self.cfg
        self.update_settings = UpdateSettings(
            loss=LossSettings(
                loss_type=cfg.grpo.loss_type,
                epsilon_low=cfg.grpo.epsilon_low,
                epsilon_high=cfg.grpo.epsilon_high,
                beta=cfg.grpo.beta,
                max_completion_length=cfg.generation.max_completion_length,
            ),
            micro_batch_size=cfg.optim.micro_batch_size,
            gradient_accumulation_steps=cfg.optim.gradient_accumulation_steps,
            num_iterations=cfg.grpo.num_iterations,
            max_grad_norm=cfg.optim.max_grad_norm,
            chunk_size=cfg.logprob_chunk_size,
            temperature=cfg.generation.temperature,
            importance_sampling=resolved_importance_sampling(cfg),
            importance_sampling_cap=cfg.grpo.importance_sampling_cap,
            importance_sampling_mode=cfg.grpo.importance_sampling_mode,
        )

    # -- pieces ------------------------------------------------------------------------------------------
    def sampling_settings(self, step: int, positions: list[int] | None = None) -> SamplingSettings:
        """The rollout sampling settings of one step (its seed derived from the run seed and the step).

        `positions` (places in the step's global prompt list) give each prompt its own seed, from (seed, step,
        position), so a prompt samples the same completions on whichever rank it lands.
        """
        from .runtime import seed_for

        g = self.cfg.generation
        prompt_seeds = None
        if positions is not None:
            prompt_seeds = tuple(seed_for(self.cfg.seed, step, f"rollout/{p}") for p in positions)
        return SamplingSettings(
            n=g.num_generations,
            max_new_tokens=g.max_completion_length,
            temperature=g.temperature,
            top_p=g.top_p,
            top_k=g.top_k,
            seed=seed_for(self.cfg.seed, step, "rollout"),
            stop_token_ids=tuple(g.stop_token_ids),
            prompt_seeds=prompt_seeds,
        )

    def evaluate(self, step: int) -> EvalResult | None:
        """Held-out accuracy now (None without eval data); recorded in eval.jsonl."""

        from .distributed import shard_dataset
        from .heldout import merge_eval_results

        if self.eval_data is None:
            return None
        self.engine.wake()
        shard = shard_dataset(self.eval_data, self.dist, self.tensor_parallel)  # each rank: every n-th prompt
        with self._gathered():
            result = self._evaluate_shard(shard, step) if shard.examples else None
        if self.dist.enabled:
            result = merge_eval_results(self.dist.gather_objects(result), self.tensor_parallel)
        if self.dist.is_main:
            append_jsonl(self.run_dir / EVAL_JSONL, [result.to_record(step)])
        return result

    def _evaluate_shard(self, data: Any, step: int) -> EvalResult:
        from .runtime import seed_for

        return evaluate(
            self.engine,
            data,
            self.scorer,
            self.cfg.generation.max_completion_length,
            temperature=self.cfg.eval.temperature,
            batch_size=self.cfg.eval.batch_size,
            seed=seed_for(self.cfg.seed, 0, "eval") % (1 << 31),
            stop_token_ids=tuple(self.cfg.generation.stop_token_ids),
        )

    def train_step(self, step: int) -> dict[str, Any]:
        """Generate, score, compute advantages and update once; returns the step's metrics."""
        import torch

        from .advantages import compute_advantages, zero_spread_fraction
        from .rewards import summarize
        from .rollout.vllm.ranks import generate_in_groups
        from .runtime import peak_memory_gib, reset_peak_memory, seed_for
        from .update import fill_old_and_reference_logprobs, make_micro_batches, policy_update

        cfg, g = self.cfg, self.cfg.generation
        t0 = time.perf_counter()
        reset_peak_memory(self.device)
        indices = self.cursor.take(g.prompts_per_step)  # the global batch: the same on every rank
        examples = [self.train_data.examples[indices[p]] for p in self.positions]  # this rank's share
        self.engine.wake()
        with self._gathered():
            completions = generate_in_groups(
                self.dist,
                self.tensor_parallel,
                self.engine,
                [e.prompt_ids for e in examples],
                self.sampling_settings(step, self.positions),
            )
        expected = [i for i in range(len(examples)) for _ in range(g.num_generations)]
        if [c.prompt_index for c in completions] != expected:
            raise RuntimeError(
                f"the {cfg.rollout} engine returned {len(completions)} completions not grouped by prompt "
                f"({len(examples)} prompts x {g.num_generations} expected)"
            )
        self.engine.sleep()
        t_gen = time.perf_counter()
        generate_peak = peak_memory_gib(self.device)
        reset_peak_memory(self.device)  # the update's own peak from here
        scored = self.scorer.score(examples, completions)
        t_score = time.perf_counter()

        # advantages and metrics over the whole global batch; each rank trains on its own rows of it
        step_examples, step_completions, step_results = self._gather_rollouts(indices, completions, scored.results)
        rewards = torch.tensor([r.score for r in step_results], dtype=torch.float32)
        step_advantages = compute_advantages(rewards, g.num_generations, cfg.grpo.advantage)
        rows = [p * g.num_generations + j for p in self.positions for j in range(g.num_generations)]
        advantages = step_advantages[rows]
        keep = [not (cfg.grpo.mask_truncated_completions and c.truncated) for c in completions]
        torch.manual_seed(seed_for(cfg.seed, step, "update"))
        micro = make_micro_batches(
            [examples[c.prompt_index].prompt_ids for c in completions],
            [c.token_ids for c in completions],
            advantages,
            keep,
            cfg.optim.micro_batch_size,
            self.loaded.tokenizer.pad_token_id,
            self.device,
            sampler_logps=[c.logprobs for c in completions],
        )
        with self._gathered():
            stats = fill_old_and_reference_logprobs(
                self.loaded.model,
                micro,
                self.update_settings,
                self.kernels.token_logprobs,
                self.loaded.reference,
                self.loaded.is_peft,
                sync=self.grad_sync,
            )
        stats.update(
            policy_update(
                self.loaded.model,
                self.optimizer,
                self.scheduler,
                self.params,
                micro,
                self.update_settings,
                self.kernels.token_logprobs,
                sync=self.grad_sync,
                fused_loss=self.kernels.fused_grpo_loss,
            )
        )
        self.engine.sync_weights(self.loaded.model)
        engine_metrics = getattr(self.engine, "pop_metrics", dict)()
        t_end = time.perf_counter()
        # timings and memory of the slowest rank
        times = self.dist.max(
            [t_end - t0, t_gen - t0, t_score - t_gen, t_end - t_score, generate_peak, peak_memory_gib(self.device)]
        )

        lengths = [len(c.token_ids) for c in step_completions]
        record: dict[str, Any] = {"step": step, "epoch": self.cursor.epoch + self.cursor.position / self.cursor.size}
        record.update(summarize(step_results) if self.dist.enabled else scored.stats)
        record.update(engine_metrics)
        record.update(
            {
                "completion/length_mean": sum(lengths) / len(lengths),
                "completion/length_max": max(lengths),
                "completion/truncated_frac": sum(c.truncated for c in step_completions) / len(step_completions),
                "groups/zero_std_frac": zero_spread_fraction(rewards, g.num_generations),
                "advantage/abs_mean": float(step_advantages.abs().mean()),
            }
        )
        record.update(stats)
        record.update(
            {
                "tokens_per_s": sum(lengths) / max(times[0], 1e-9),
                "step_time_s": times[0],
                "time/generate_s": times[1],
                "time/score_s": times[2],
                "time/update_s": times[3],
                "peak_mem_gib": max(times[4], times[5]),
                "mem/generate_peak_gib": times[4],  # generation (engine awake) and scoring
                "mem/update_peak_gib": times[5],  # log-probs, loss, backward and optimiser steps
            }
        )
        if self.dist.enabled:
            record["ranks"] = self.dist.world_size
        every = cfg.log.samples_every
        if every and step % every == 0 and cfg.log.samples_per_log and self.dist.is_main:
            from .rewards import make_samples

            samples = make_samples(step_examples, step_completions)
            n = min(cfg.log.samples_per_log, len(step_completions))
            picks = [
                (k % len(step_examples)) * g.num_generations + (k // len(step_examples)) % g.num_generations
                for k in range(n)
            ]
            scores = [r.score for r in step_results]
            append_jsonl(self.run_dir / SAMPLES_JSONL, sample_records(step, samples, step_results, scores, picks))
        return record

    def _gather_rollouts(
        self, indices: list[int], completions: list[Any], results: list[Any]
    ) -> tuple[list, list, list]:
        """The whole step's examples, completions (prompt_index = global position) and results, in global order."""
        import dataclasses

        step_examples = [self.train_data.examples[i] for i in indices]
        if not self.dist.enabled:
            return step_examples, completions, results
        by_position: dict[int, list[tuple[Any, Any]]] = {}
        for positions, comps, res in self.dist.gather_objects((self.positions, completions, results)):
            for c, r in zip(comps, res):
                p = positions[c.prompt_index]
                by_position.setdefault(p, []).append((dataclasses.replace(c, prompt_index=p), r))
        pairs = [pair for p in range(len(indices)) for pair in by_position[p]]
        return step_examples, [c for c, _ in pairs], [r for _, r in pairs]

    def save(self, step: int, wait: bool = True) -> Path:
        """Write a checkpoint of the state after `step` (rank 0 writes; the others wait unless `wait` is off)."""
        from .checkpoint import checkpoint_path, full_trainable_state, optimizer_state, save_weights

        extra = {"data": self.cursor.state_dict(), "kernels": self.kernels.name, "max_steps": self.cfg.max_steps}
        if self.dist.enabled:
            extra["world_size"] = self.dist.world_size
        path = checkpoint_path(self.run_dir, step)
        # FSDP2: weights and optimiser state gathered from the shards to rank 0 (collectives)
        opt_state = optimizer_state(self.optimizer, self.grad_sync)
        weights = full_trainable_state(self.grad_sync)
        if self.dist.is_main:
            path = save_checkpoint(
                self.run_dir,
                step,
                self.loaded,
                self.optimizer,
                self.scheduler,
                extra,
                keep_last=self.cfg.checkpoint.keep_last,
                optimizer_state=opt_state,
                save_weights=lambda folder: save_weights(self.loaded, folder, weights),
            )
        if wait:
            self.dist.barrier()
        return path

    def save_final(self) -> Path:
        """Write the trained weights (no optimiser state) to RUN_DIR/final, atomically."""
        import os

        from .checkpoint import full_trainable_state, save_weights

        final = self.run_dir / FINAL_DIR
        weights = full_trainable_state(self.grad_sync)  # FSDP2: gathered to rank 0 (a collective)
        if self.dist.is_main:
            tmp = self.run_dir / f".tmp-{FINAL_DIR}-{os.getpid()}"
            shutil.rmtree(tmp, ignore_errors=True)
            save_weights(self.loaded, tmp, weights)
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        self.dist.barrier()
        return final

    def plot(self) -> Path | None:
        """Redraw the training-curves PNG (None when matplotlib is missing)."""
        from .plotting import plot_run

        if not self.dist.is_main:
            return None
        try:
            return plot_run(self.run_dir)
        except ImportError:
            return None

    # -- the run -----------------------------------------------------------------------------------------
    def run(self) -> TrainResult:
        """Train from the start (or the resumed step) to max_steps."""
        from .progress import StepProgress

        cfg = self.cfg
        start = time.perf_counter()
        self._print_header()
        before = None
        if self.eval_data is not None and cfg.eval.at_start:
            if self.checkpoint is not None:
                before = self.dist.broadcast_object(_recorded_eval(self.run_dir, 0))
            if before is None and self.start_step == 0:
                before = self.evaluate(0)
                self.console.print(f"held-out accuracy before training: {_pct(before.accuracy)} (n={before.n})")
        progress = StepProgress(
            cfg.max_steps, self.start_step, self.console, cfg.log.progress and self.dist.is_main, cfg.log.every
        )
        last_saved = self.start_step
        step = self.start_step
        try:
            for step in range(self.start_step + 1, cfg.max_steps + 1):
                record = self.train_step(step)
                if cfg.eval.every and step % cfg.eval.every == 0 and step < cfg.max_steps:
                    ev = self.evaluate(step)
                    if ev is not None:
                        record["eval/accuracy"] = ev.accuracy
                        record["eval/reward_mean"] = ev.reward_mean
                        progress.message(f"step {step}: held-out accuracy {_pct(ev.accuracy)} (n={ev.n})")
                record["elapsed_s"] = time.perf_counter() - start
                if self.metrics is not None:
                    self.metrics.log(record)
                progress.update(step, record)
                if cfg.log.plot_every and step % cfg.log.plot_every == 0:
                    self.plot()
                if cfg.checkpoint.every and step % cfg.checkpoint.every == 0 and step < cfg.max_steps:
                    path = self.save(step)
                    last_saved = step
                    progress.message(f"checkpoint saved: step {step} -> {path}")
        except KeyboardInterrupt:
            progress.close()
            logged = self.metrics is not None and self.metrics.records and self.metrics.records[-1].get("step") == step
            if step > last_saved and logged:
                path = self.save(step, wait=False)  # the other ranks are being interrupted too
                self.console.print(f"interrupted: checkpoint saved at step {step} -> {path}")
            self.console.print(f"resume with: aha train {self.run_dir} --resume")
            self.close()
            raise
        progress.close()
        if step > last_saved:
            path = self.save(cfg.max_steps)
            self.console.print(f"checkpoint saved: step {cfg.max_steps} -> {path}")
        final_dir = self.save_final()
        after = None
        if self.eval_data is not None and cfg.eval.at_end:
            recorded = self.dist.broadcast_object(_recorded_eval(self.run_dir, cfg.max_steps))
            after = recorded or self.evaluate(cfg.max_steps)
        plot = self.plot()
        elapsed = time.perf_counter() - start
        self._print_summary(before, after, plot, final_dir, elapsed)
        self.dist.barrier()  # no rank leaves the process group while another still uses it
        self.close()
        return TrainResult(self.run_dir, cfg.max_steps, before, after, plot, final_dir, elapsed)

    def _print_header(self) -> None:
        cfg = self.cfg
        n_params = sum(p.numel() for p in self.params)
        what = f"LoRA r={cfg.lora.r}" if self.loaded.is_peft else "full fine-tuning"
        if cfg.model.quantization != "none":
            what += f" over {cfg.model.quantization} weights"
        resumed = f", resuming after step {self.start_step}" if self.start_step else ""
        if self.resume and self.checkpoint is None:
            resumed = ", starting from step 1 (no checkpoint to resume from)"
        d = self.dist
        ranks = f" x {d.world_size} ranks ({cfg.distributed.strategy}, {d.backend})" if d.enabled else ""
        self.console.print(
            f"aha train: {cfg.model.path} ({what}, {n_params:,} trainable parameters, {self.loaded.dtype}) on "
            f"{self.device}{ranks}; {len(self.train_data)} training prompts; {cfg.max_steps} steps of "
            f"{cfg.generation.prompts_per_step} prompts x {cfg.generation.num_generations} completions; "
            f"kernels: {self.kernels.name}; rollout: {cfg.rollout}{resumed}\nrun folder: {self.run_dir}"
        )

    def _print_summary(
        self, before: EvalResult | None, after: EvalResult | None, plot: Path | None, final_dir: Path, elapsed: float
    ) -> None:
        lines = [f"done: {self.cfg.max_steps} steps in {elapsed:.1f} s"]
        if before is not None and after is not None:
            lines.append(
                f"held-out accuracy: before {_pct(before.accuracy)} -> after {_pct(after.accuracy)} (n={after.n})"
            )
        elif after is not None:
            lines.append(f"held-out accuracy after training: {_pct(after.accuracy)} (n={after.n})")
        lines.append(f"trained weights: {final_dir}")
        if plot is not None:
            lines.append(f"plot: {plot}")
        lines.append(f"metrics: {self.run_dir / METRICS_JSONL} (and {METRICS_CSV})")
        self.console.print("\n".join(lines))

    def close(self) -> None:
        """Stop workers, trackers and the rollout engine; put torch's global settings back."""
        for name in ("scorer", "metrics", "engine"):
            part = getattr(self, name, None)
            if part is not None:
                part.close()
        restore = getattr(self, "_restore_torch", None)
        if restore is not None:
            restore()
        dist = getattr(self, "dist", None)
        if dist is not None:
            dist.close()


def resolved_importance_sampling(cfg: TrainConfig) -> str:
    """The importance-sampling level in force: 'auto' is 'token' for vLLM rollouts and 'none' otherwise."""
    level = cfg.grpo.importance_sampling
    if level == "auto":
        return "token" if cfg.rollout == "vllm" else "none"
    return level


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _recorded_eval(run_dir: Path, step: int) -> EvalResult | None:
    for r in read_jsonl(run_dir / EVAL_JSONL):
        if r.get("step") == step:
            statuses = {k.split("/", 1)[1]: int(v) for k, v in r.items() if k.startswith("status/")}
            return EvalResult(
                r["accuracy"],
                r["reward_mean"],
                r["n"],
                statuses,
                r.get("truncated_fraction", 0.0),
                r.get("elapsed_s", 0.0),
            )
    return None


def train(cfg: TrainConfig, resume: bool = False, console: Any = None) -> TrainResult:
    """Run GRPO training as configured; returns the run folder, before/after accuracy and the plot."""
    return Trainer(cfg, resume=resume, console=console).run()
