"""The vLLM rollout engine: vLLM runs inside the training process and gets the trainer's weights after each step."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import logging
import os
import random
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..base import Completion, SamplingSettings
from .settings import VLLMSettings
from .sleep import SleepController, release_sleep_pool, sleep_pool_bytes
from .support import import_vllm, vllm_version
from .sync_check import SyncCheck, check_sync, default_tolerance
from .weight_sync import AdapterPublisher, adapter_rank, is_peft_model, push_full_weights, vllm_max_lora_rank

log = logging.getLogger(__name__)


class VLLMEngine:
    """Samples completions with vLLM colocated in this process; `sync_weights` hands it the trainer's weights.

    LoRA training: every sync writes the adapter to a RAM-backed folder (/dev/shm) and registers it under
    a new LoRA id (vLLM's LoRARequest takes a path, not tensors). Full fine-tuning: the changed weights are
    loaded into vLLM's model in place through its own weight loaders (`reload_weights`), no copy on disk.
    """

    def __init__(
        self,
        model_path: str | Path,
        *,
        tokenizer_path: str | Path | None = None,
        settings: VLLMSettings | None = None,
        model: Any = None,
        lora_rank: int | None = None,
        dtype: str | None = None,
        max_model_len: int | None = None,
    ):
        self.settings = settings or VLLMSettings()
        s = self.settings
        vllm = import_vllm()
        from vllm.platforms import current_platform

        self.vllm_version = vllm_version(vllm)
        self.on_cpu = bool(current_platform.is_cpu())
        if lora_rank is None and model is not None and is_peft_model(model):
            lora_rank = adapter_rank(model)
        self.lora_enabled = lora_rank is not None
        self.dtype = _resolve_dtype(dtype or s.dtype, model)
        self.max_model_len = s.max_model_len or max_model_len
        sleep_supported = bool(current_platform.is_sleep_mode_available())
        use_sleep = s.sleep != "off" and sleep_supported
        if use_sleep and (held := sleep_pool_bytes()):
            raise RuntimeError(
                f"vLLM's sleep-mode memory pool still holds {_size(held)} from another engine "
                "in this process, and vLLM starts only one engine with sleep mode per process: close() the other "
                "engine first (and drop references to its LLM), or set vllm.sleep = 'off'"
            )
        kwargs: dict[str, Any] = {
            "model": str(model_path),
            "tokenizer": str(tokenizer_path or model_path),
            "dtype": self.dtype,
            "gpu_memory_utilization": s.memory_share,
            "enable_prefix_caching": s.enable_prefix_caching,
            "enforce_eager": self.on_cpu if s.enforce_eager is None else s.enforce_eager,
            "enable_sleep_mode": use_sleep,
            "logprobs_mode": "processed_logprobs",
            "seed": s.seed,
        }
        if self.max_model_len:
            kwargs["max_model_len"] = int(self.max_model_len)
        if s.kv_cache_gib:
            kwargs["kv_cache_memory_bytes"] = int(s.kv_cache_gib * 2**30)
        if self.lora_enabled:
            kwargs.update(enable_lora=True, max_lora_rank=vllm_max_lora_rank(int(lora_rank)), max_loras=1)
        if s.quantization:
            kwargs["quantization"] = s.quantization
        if s.max_num_seqs:
            kwargs["max_num_seqs"] = s.max_num_seqs
        kwargs.update(s.engine_kwargs)
        try:
            with _in_process_start():
                self.llm = vllm.LLM(**kwargs)
        except BaseException:
            _release_distributed_state()  # so a corrected retry can start in this process
            raise
        self.max_model_len = int(self.llm.llm_engine.model_config.max_model_len)
        self._sleep = SleepController(self.llm, s.sleep, use_sleep)
        if s.sleep != "off" and not sleep_supported:
            log.info("vLLM on this platform has no sleep mode: its memory stays allocated during updates")
        self._publisher = AdapterPublisher(s.sync_dir) if self.lora_enabled else None
        if self._publisher is not None and not self._publisher.in_ram:
            log.warning(
                "vLLM adapter sync folder %s is not RAM-backed; set vllm.sync_dir to a tmpfs", self._publisher.root
            )
        self._lora_request: Any = None
        self._pending: tuple[str, Any] | None = None
        self._model: Any = None
        self._packed: dict[str, list[str]] | None = None
        self._probe: tuple[list[int], list[int]] | None = None
        self._rng = random.Random(s.seed)
        self.syncs = 0
        self.last_sync_check: SyncCheck | None = None
        self._metrics: dict[str, float] = {}
        if model is not None:
            self.sync_weights(model)

    @classmethod
    def from_train_config(cls, config: Any, model: Any, tokenizer: Any = None) -> VLLMEngine:
        """The engine for a TrainConfig (its `[vllm]` table) and the trainer's model, synced to it."""
        from ...model_loading import resolve_dtype, resolve_model_path

        settings = VLLMSettings.from_mapping(dataclasses.asdict(config.vllm))
        path = resolve_model_path(config.model.path)
        g = config.generation
        dtype = settings.dtype
        if dtype == "auto":
            device = next(model.parameters()).device
            dtype = str(resolve_dtype(config.model.dtype, device)).removeprefix("torch.")
        lora_rank = adapter_rank(model) if is_peft_model(model) else None
        if config.grpo.importance_sampling == "none":
            log.info(
                "rollout = 'vllm' with grpo.importance_sampling = 'none': vLLM's log-probs differ slightly from "
                "the trainer's; 'token' corrects for it"
            )
        return cls(
            path,
            tokenizer_path=config.model.tokenizer or path,
            settings=settings,
            model=model,
            lora_rank=lora_rank,
            dtype=dtype,
            max_model_len=derived_max_model_len(g.max_prompt_length, g.max_completion_length, model),
        )

    # -- sampling ------------------------------------------------------------------------------------------
    def generate(self, prompt_token_ids: Sequence[Sequence[int]], settings: SamplingSettings) -> list[Completion]:
        """`settings.n` completions for every prompt, grouped by prompt in input order, with log-probs."""
        self._ensure_ready()
        prompts = [[int(t) for t in p] for p in prompt_token_ids]
        if not prompts:
            return []
        for i, p in enumerate(prompts):
            if not p:
                raise ValueError(f"prompt {i} has no tokens")
        greedy = settings.temperature <= 0
        # vLLM refuses n > 1 with greedy decoding: ask for n copies of n=1 instead
        copies, per_request = (settings.n, 1) if greedy else (1, settings.n)
        requests, params = [], []
        for i, p in enumerate(prompts):
            for c in range(copies):
                requests.append({"prompt_token_ids": p})
                # with prompt_seeds, a prompt's seed does not depend on its place in this call (data parallel)
                seed, where = (settings.prompt_seeds[i], 0) if settings.prompt_seeds else (settings.seed, i)
                params.append(self._sampling_params(settings, per_request, self._request_seed(seed, where, c)))
        t0 = time.perf_counter()
        outputs = self.llm.generate(requests, params, lora_request=self._lora_request, use_tqdm=False)
        elapsed = time.perf_counter() - t0
        completions: list[Completion] = []
        cached = prompt_tokens = 0
        for k, out in enumerate(outputs):
            prompt_index = k // copies
            cached += int(getattr(out, "num_cached_tokens", 0) or 0)
            prompt_tokens += len(prompts[prompt_index])
            for o in sorted(out.outputs, key=lambda o: o.index):
                completions.append(_completion(prompt_index, o))
        new_tokens = sum(len(c.token_ids) for c in completions)
        self._metrics.update(
            {
                "vllm/generate_s": elapsed,
                "vllm/tokens_per_s": new_tokens / max(elapsed, 1e-9),
                "vllm/prefix_cache_hit_frac": cached / max(prompt_tokens, 1),
            }
        )
        first = next((c for c in completions if c.token_ids), None)
        if first is not None:
            self._probe = (prompts[first.prompt_index], list(first.token_ids))
        return completions

    def _sampling_params(self, settings: SamplingSettings, n: int, seed: int) -> Any:
        from vllm import SamplingParams

        return SamplingParams(
            n=n,
            max_tokens=settings.max_new_tokens,
            temperature=max(settings.temperature, 0.0),
            top_p=settings.top_p,
            top_k=settings.top_k if settings.top_k > 0 else 0,
            seed=seed,
            stop_token_ids=list(settings.stop_token_ids) or None,
            logprobs=0,
            skip_special_tokens=True,
        )

    def _request_seed(self, seed: int | None, prompt_index: int, copy: int) -> int:
        """A seed per request: fixed by (step seed, prompt position), so equal prompts still differ."""
        if seed is None:
            return self._rng.getrandbits(63)
        digest = hashlib.sha256(f"{seed}:{prompt_index}:{copy}".encode()).digest()
        return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)

    def score_logprobs(self, prompt_ids: Sequence[int], completion_ids: Sequence[int]) -> list[float]:
        """vLLM's log-probs (temperature 1, current weights) of each completion token after the prompt."""
        from vllm import SamplingParams

        self._ensure_ready()
        seq = [int(t) for t in prompt_ids] + [int(t) for t in completion_ids]
        if len(seq) + 1 > self.max_model_len:
            raise ValueError(
                f"prompt + completion ({len(seq)} tokens) + 1 exceeds vLLM's max_model_len {self.max_model_len}"
            )
        params = SamplingParams(max_tokens=1, temperature=1.0, prompt_logprobs=0, detokenize=False)
        out = self.llm.generate([{"prompt_token_ids": seq}], params, lora_request=self._lora_request, use_tqdm=False)[0]
        scored = out.prompt_logprobs
        return [float(scored[i][seq[i]].logprob) for i in range(len(prompt_ids), len(seq))]

    # -- weights -------------------------------------------------------------------------------------------
    def sync_weights(self, model: Any) -> None:
        """Make vLLM sample from `model`'s current weights (the adapter, or the changed full weights).

        While the engine sleeps the adapter is written now and registered at `wake`; full weights are
        pushed at `wake` (the model must not change in between, as in the training loop).
        """
        t0 = time.perf_counter()
        if is_peft_model(model):
            if not self.lora_enabled:
                raise ValueError(
                    "this vLLM engine was started without LoRA, but the model to sync is a peft model; "
                    "start it with lora_rank (or from the peft model)"
                )
            adapter = self._publisher.publish(model)
            self._pending = ("lora", adapter)
            self._metrics["vllm/sync_mib"] = adapter.nbytes / 2**20
        else:
            self._pending = ("full", model)
        self._model = model
        self._metrics["vllm/sync_write_s"] = time.perf_counter() - t0
        if not self._sleep.asleep:
            self._apply_pending()

    def _apply_pending(self) -> None:
        if self._pending is None:
            return
        from vllm.lora.request import LoRARequest

        kind, payload = self._pending
        self._pending = None
        t0 = time.perf_counter()
        if kind == "lora":
            request = LoRARequest(payload.name, payload.lora_id, str(payload.path))
            self.llm.llm_engine.add_lora(request)
            previous, self._lora_request = self._lora_request, request
            if previous is not None:
                self.llm.llm_engine.remove_lora(previous.lora_int_id)
        else:
            count = push_full_weights(self.llm, payload, self._packed_modules_mapping())
            # cached prefixes were computed with the old weights
            self.llm.reset_prefix_cache()
            self._metrics["vllm/sync_tensors"] = float(count)
        self.syncs += 1
        self._metrics["vllm/sync_load_s"] = time.perf_counter() - t0
        every = self.settings.sync_check_every
        # the probe needs room for one completion token and the token vLLM is asked for
        if (
            every
            and self.syncs % every == 0
            and self._probe is not None
            and len(self._probe[0]) + 2 <= self.max_model_len
        ):
            self.check_sync()

    def _packed_modules_mapping(self) -> dict[str, list[str]]:
        if self._packed is None:
            found = self.llm.apply_model(lambda m: dict(getattr(m, "packed_modules_mapping", None) or {}))
            self._packed = {k: list(v) for k, v in (found[0] if found else {}).items()}
        return self._packed

    def check_sync(
        self,
        model: Any = None,
        prompt_ids: Sequence[int] | None = None,
        completion_ids: Sequence[int] | None = None,
        tolerance: float | None = None,
    ) -> SyncCheck:
        """Compare vLLM's and the trainer's log-probs of one completion (default: the last rollout's first).

        Records `vllm/sync_check_*` metrics; raises RuntimeError on failure when `sync_check_strict`.
        """
        model = model if model is not None else self._model
        if model is None:
            raise ValueError("check_sync needs the trainer's model (pass it, or call sync_weights first)")
        if prompt_ids is None or completion_ids is None:
            if self._probe is None:
                raise ValueError("check_sync needs a prompt and completion (none given and no rollout yet)")
            prompt_ids, completion_ids = self._probe
        tol = tolerance or self.settings.sync_check_tolerance or default_tolerance(self.dtype)
        if len(prompt_ids) + len(completion_ids) + 1 > self.max_model_len:
            completion_ids = list(completion_ids)[: max(self.max_model_len - len(prompt_ids) - 1, 0)]
        self._ensure_ready()
        result = check_sync(self, model, prompt_ids, completion_ids, tol)
        self.last_sync_check = result
        self._metrics.update(result.metrics())
        if not result.passed:
            if self.settings.sync_check_strict:
                raise RuntimeError(result.describe())
            log.warning(result.describe())
        return result

    # -- memory --------------------------------------------------------------------------------------------
    @property
    def sleep_supported(self) -> bool:
        """Whether `sleep` releases memory with this vLLM build and settings."""
        return self._sleep.active

    @property
    def asleep(self) -> bool:
        """Whether `sleep` was called without a `wake` since."""
        return self._sleep.asleep

    def sleep(self) -> None:
        """Release vLLM's KV cache (and weights, with sleep = 'weights') while the trainer updates."""
        self._sleep.sleep()
        if self._sleep.last_freed_gib is not None:
            self._metrics["vllm/sleep_freed_gib"] = self._sleep.last_freed_gib

    def wake(self) -> None:
        """Re-acquire the memory released by `sleep` and apply a weight sync made meanwhile."""
        self._sleep.wake()
        self._apply_pending()

    def _ensure_ready(self) -> None:
        if self.llm is None:
            raise RuntimeError("the vLLM engine is closed")
        if self._sleep.asleep:
            self.wake()
        else:
            self._apply_pending()

    # -- bookkeeping ---------------------------------------------------------------------------------------
    def metrics(self) -> dict[str, float]:
        """The engine's latest measurements (generation speed, sync time, sync check, memory freed)."""
        return dict(self._metrics)

    def pop_metrics(self) -> dict[str, float]:
        """`metrics()`, then forget them (for one record per training step)."""
        out, self._metrics = self._metrics, {}
        return out

    def close(self) -> None:
        """Shut vLLM down, free its memory and delete the synced adapters."""
        if self._publisher is not None:
            self._publisher.close()
        llm, self.llm = getattr(self, "llm", None), None
        self._model = self._lora_request = self._pending = None
        if getattr(self, "_sleep", None) is not None:
            self._sleep.detach()  # its reference to the LLM would keep the weights and KV cache alive
        if llm is None:
            return
        with contextlib.suppress(Exception):
            llm.llm_engine.engine_core.shutdown()
        del llm
        gc.collect()
        _release_distributed_state()
        left = release_sleep_pool()
        if left:
            log.warning(
                "vLLM's sleep-mode pool still holds %s after close (something else references the engine's "
                "tensors); another vLLM engine with sleep mode cannot start in this process until it is freed",
                _size(left),
            )

    def __enter__(self) -> VLLMEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _size(n: int) -> str:
    """A byte count for a message: GiB, MiB or bytes, whichever reads best."""
    if n >= 2**28:
        return f"{n / 2**30:.2f} GiB"
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"


def _completion(prompt_index: int, out: Any) -> Completion:
    """Our Completion from one vLLM CompletionOutput."""
    if out.finish_reason not in ("stop", "length"):
        raise RuntimeError(f"vLLM ended a completion with finish_reason={out.finish_reason!r} (expected stop/length)")
    tokens = [int(t) for t in out.token_ids]
    logprobs = None
    if out.logprobs is not None:
        logprobs = [float(step[t].logprob) for step, t in zip(out.logprobs, tokens)]
    extra = {"cumulative_logprob": out.cumulative_logprob, "stop_reason": out.stop_reason}
    return Completion(prompt_index, tokens, out.text, out.finish_reason, logprobs, extra)


def derived_max_model_len(max_prompt_length: int, max_completion_length: int, model: Any = None) -> int:
    """vLLM's max_model_len for a run: prompt + completion + 1 (the sync check scores a whole sequence and
    asks for one more token), capped at the model's max_position_embeddings, which vLLM will not exceed."""
    length = max_prompt_length + max_completion_length + 1
    limit = (
        getattr(getattr(_causal_lm(model), "config", None), "max_position_embeddings", None)
        if model is not None
        else None
    )
    if isinstance(limit, int) and limit > 0:
        length = min(length, limit)
    return length


def _causal_lm(model: Any) -> Any:
    """The transformers model inside a peft wrapper (or the model itself)."""
    return model.get_base_model() if callable(getattr(model, "get_base_model", None)) else model


def _resolve_dtype(dtype: str, model: Any) -> str:
    """vLLM's dtype: the setting, or with 'auto' the trainer model's floating dtype when there is a model."""
    if dtype != "auto" or model is None:
        return dtype
    found = getattr(_causal_lm(model), "dtype", None)
    name = str(found).removeprefix("torch.") if found is not None else "auto"
    return name if name in ("float32", "bfloat16", "float16") else "auto"


@contextlib.contextmanager
def _in_process_start() -> Iterator[None]:
    """Start vLLM's engine core in this process, leaving the trainer's RNGs and torch threads as they were."""
    import numpy as np
    import torch

    old_env = os.environ.get("VLLM_ENABLE_V1_MULTIPROCESSING")
    os.environ["VLLM_ENABLE_V1_MULTIPROCESSING"] = "0"
    py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.random.get_rng_state()
    cuda_state = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    set_num_threads, threads = torch.set_num_threads, torch.get_num_threads()
    try:
        yield
    finally:
        if old_env is None:
            os.environ.pop("VLLM_ENABLE_V1_MULTIPROCESSING", None)
        else:
            os.environ["VLLM_ENABLE_V1_MULTIPROCESSING"] = old_env
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.random.set_rng_state(torch_state)
        if cuda_state is not None:
            torch.cuda.set_rng_state_all(cuda_state)
        # vLLM's CPU worker replaces torch.set_num_threads with a no-op; the trainer keeps its own
        torch.set_num_threads = set_num_threads
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)


def _release_distributed_state() -> None:
    """Tear down the process groups vLLM set up, so another engine can start in this process."""
    with contextlib.suppress(Exception):
        from vllm.distributed.parallel_state import destroy_distributed_environment, destroy_model_parallel

        destroy_model_parallel()
        destroy_distributed_environment()
    with contextlib.suppress(Exception):
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
