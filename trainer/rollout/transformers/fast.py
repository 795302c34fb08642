"""The fast rollout engine: own decode loop over a static KV cache, one CUDA-graph replay per token.

Each prompt of a step is prefilled once and its keys/values are written G times into the cache (the
shared prompt); every decode step then runs the same shapes, so on CUDA it is captured once in a
`torch.cuda.CUDAGraph` and replayed. Sampling runs on the device; finished rows emit pad until all stop.
On the CPU the same loop runs without graph capture.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..base import Completion, SamplingSettings
from .decode_attention import folded_gqa_attention
from .generate import _row_seed, stop_tokens
from .sampling import sample_next

CHECK_EVERY = 8  # decode steps between host checks of "all rows finished" (each check is a device sync)
KEEP_BYTES = 256 * 2**20  # a KV cache up to this size (and its graph) is kept between steps instead of re-captured


def fast_path_blocker(model: Any) -> str | None:
    """Why the fast engine cannot drive this model (None when it can)."""
    from ...logprobs import causal_lm

    cfg = getattr(causal_lm(model), "config", None)
    impl = getattr(cfg, "_attn_implementation", None) or "sdpa"
    if impl not in ("sdpa", "eager"):
        return f"attention implementation {impl!r} takes no 4-D mask (use 'sdpa' or 'eager')"
    kinds = set(getattr(cfg, "layer_types", None) or ["full_attention"])
    if kinds != {"full_attention"}:
        return f"layer types {sorted(kinds)} (sliding-window or linear attention) are not supported"
    if getattr(cfg, "is_encoder_decoder", False):
        return "encoder-decoder models are not supported"
    return None


def use_fast_engine(setting: str, model: Any) -> bool:
    """Whether generation.fast = `setting` selects the fast engine for `model` (a ConfigError for 'on' when it can't)."""
    from ...config import ConfigError

    if setting == "off":
        return False
    blocker = fast_path_blocker(model)
    if setting == "on":
        if blocker:
            raise ConfigError(f"generation.fast = 'on': {blocker}; set generation.fast = 'off'")
        return True
    device = next(model.parameters()).device
    return device.type == "cuda" and blocker is None


def compile_decode_for(setting: bool | None, model: Any, quantised: bool) -> bool:
    """Whether generation.compile = `setting` compiles the fast engine's decode step for `model`.

    Unset: on for a model on a CUDA GPU whose base weights are not quantised (measured on the H200, see
    docs/benchmarks.md), off on the CPU and for 4-/8-bit bases (`quantised`), where it has not been measured.
    """
    if setting is not None:
        return bool(setting)
    return next(model.parameters()).device.type == "cuda" and not quantised


class SlotCache:
    """A static KV cache the model writes through `update()`: prefill rows [0, width), then one slot a step.

    During prefill of P prompts each prompt's keys/values are written into G consecutive rows, so a
    group's prompt is computed once. In decode mode the write slot is a device tensor (`slot`), so the
    step has no host-side shape or index and can be captured in a CUDA graph.
    """

    def __init__(self, n_layers: int, rows: int, kv_heads: int, length: int, head_dim: int, dtype: Any, device: Any):
        import torch

        shape = (rows, kv_heads, length, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layers)]
        self.slot = torch.zeros(1, dtype=torch.long, device=device)
        self.expand = 1
        self.prefill_width = 0
        self.decoding = False

    @classmethod
    def decode_view(cls, keys: list[Any], values: list[Any], slot: Any) -> SlotCache:
        """A decode-mode cache over existing tensors (what the compiled step builds from its inputs)."""
        view = cls.__new__(cls)
        view.keys, view.values, view.slot = keys, values, slot
        view.expand, view.prefill_width, view.decoding = 1, 0, True
        return view

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.keys + self.values)

    def update(self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        """Store this step's keys/values; return what attention should read."""
        k, v = self.keys[layer_idx], self.values[layer_idx]
        if self.decoding:
            k.index_copy_(2, self.slot, key_states)
            v.index_copy_(2, self.slot, value_states)
            return k, v
        w = key_states.shape[2]
        k[:, :, :w].copy_(key_states.repeat_interleave(self.expand, dim=0))
        v[:, :, :w].copy_(value_states.repeat_interleave(self.expand, dim=0))
        return key_states, value_states

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return self.prefill_width

    def get_max_cache_shape(self, layer_idx: int = 0) -> int:
        return self.keys[0].shape[2]

    @property
    def is_compileable(self) -> bool:
        return False

    def __len__(self) -> int:
        return len(self.keys)


class FastEngine:
    """Rollouts with a static cache, CUDA-graph decoding, merged LoRA and on-device sampling."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        max_prompt_length: int = 0,
        merge_lora: str = "auto",
        cuda_graphs: bool = True,
        eos_token_ids: Sequence[int] | None = None,
        release_on_sleep: bool = True,
        batch_size: int = 0,
        compile_backend: Any = None,
    ):
        blocker = fast_path_blocker(model)
        if blocker:
            raise ValueError(f"the fast rollout engine cannot run this model: {blocker}")
        self.model = model
        self.tokenizer = tokenizer
        self.max_prompt_length = max_prompt_length
        self.eos_token_ids, self.pad_token_id = stop_tokens(model, tokenizer, eos_token_ids)
        self.cuda_graphs = cuda_graphs
        self.batch_size = batch_size
        self.compile_backend = compile_backend  # torch.compile backend (name or callable) of the decode step
        self._compiled: Any = None
        self._compile_worked = False
        self.release_on_sleep = release_on_sleep
        self._merge_setting = merge_lora
        self._merger: Any = None
        self.notes: list[str] = []  # fallbacks taken (graph capture failed, LoRA not merged), each once
        self._session: dict[str, Any] | None = None
        self._metrics: dict[str, float] = {}

    # -- the rollout interface ---------------------------------------------------------------------------
    def generate(self, prompt_token_ids: Sequence[Sequence[int]], settings: SamplingSettings) -> list[Completion]:
        """`settings.n` completions per prompt, grouped by prompt in input order."""
        import torch

        if not prompt_token_ids:
            return []
        if any(len(p) == 0 for p in prompt_token_ids):
            raise ValueError("the fast rollout engine needs at least one prompt token per prompt")
        if settings.prompt_seeds is not None and len(settings.prompt_seeds) != len(prompt_token_ids):
            raise ValueError(f"{len(settings.prompt_seeds)} prompt seeds for {len(prompt_token_ids)} prompts")
        stop = list(dict.fromkeys([*self.eos_token_ids, *settings.stop_token_ids]))
        was_training = self.model.training
        self.model.eval()
        t0 = time.perf_counter()
        try:
            rows, steps, decode_s = [], 0, 0.0
            gens = self._generators(settings, len(prompt_token_ids))
            with torch.no_grad(), self._merged(), folded_gqa_attention(self.model):
                for ps, pe, c0, c1 in _calls(len(prompt_token_ids), settings.n, self.batch_size):
                    idx = [p * settings.n + c for p in range(ps, pe) for c in range(c0, c1)]
                    gen = [gens[i] for i in idx] if isinstance(gens, list) else gens
                    part = replace(settings, n=c1 - c0)
                    r, k, d = self._run(prompt_token_ids[ps:pe], part, stop, gen)
                    rows, steps, decode_s = rows + r, steps + k, decode_s + d
        finally:
            self.model.train(was_training)
        elapsed = time.perf_counter() - t0
        out = []
        stop_set = set(stop)
        for r, tokens in enumerate(rows):
            finish = "stop" if tokens and tokens[-1] in stop_set else "length"
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            out.append(Completion(r // settings.n, tokens, text, finish))
        n_tokens = sum(len(t) for t in rows)
        self._metrics.update(
            {
                "rollout/tokens_per_s": n_tokens / max(elapsed, 1e-9),
                "rollout/decode_step_ms": 1000 * decode_s / max(steps, 1),
                "rollout/cuda_graph": float(bool(self._session and self._session.get("graph") is not None)),
                "rollout/lora_merged": float(self._merger is not None),
            }
        )
        return out

    def sync_weights(self, model: Any) -> None:
        """Nothing to copy: the engine runs the trainer's model (a new model object drops the graph)."""
        if model is not self.model:
            self.model = model
            self._session = None
            self._merger = None
            self._compiled = None

    def sleep(self) -> None:
        """Free a KV cache larger than KEEP_BYTES and its graph (rebuilt on the next generate) when so configured."""
        s = self._session
        if self.release_on_sleep and s is not None and s["cache"].nbytes > KEEP_BYTES:
            self._drop_session()

    def wake(self) -> None:
        """Nothing to re-acquire ahead of time."""

    def close(self) -> None:
        """Drop the cache, graph, weight backup and model."""
        self._drop_session()
        self._merger = None
        self.model = None

    def pop_metrics(self) -> dict[str, float]:
        """Rollout metrics of the last generate (tokens/s, decode step time, graph and merge in use)."""
        out, self._metrics = self._metrics, {}
        return out

    # -- internals ---------------------------------------------------------------------------------------
    def _note(self, text: str) -> None:
        import warnings

        if text not in self.notes:
            self.notes.append(text)
            warnings.warn(text, RuntimeWarning, stacklevel=3)

    def _drop_session(self) -> None:
        self._session = None
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _merged(self) -> Any:
        import contextlib

        from .lora_merge import MergedLora, merge_blocker

        if self._merge_setting == "off" or not hasattr(self.model, "merge_adapter"):
            return contextlib.nullcontext()
        if self._merger is None:
            why = merge_blocker(self.model)
            if why:
                if self._merge_setting == "on":
                    raise ValueError(f"generation.merge_lora = 'on': cannot merge: {why}")
                self._note(f"LoRA not merged for generation: {why}")
                self._merge_setting = "off"
                return contextlib.nullcontext()
            self._merger = MergedLora(self.model)
        return self._merger.merged()

    def _device(self) -> Any:
        return next(self.model.parameters()).device

    def _generators(self, settings: SamplingSettings, n_prompts: int) -> Any:
        """One generator for the call, or with prompt_seeds one per row seeded by (prompt seed, copy)."""
        import torch

        device = self._device()
        if settings.prompt_seeds is None or settings.temperature <= 0:
            gen = torch.Generator(device=device)
            gen.manual_seed(int(settings.seed if settings.seed is not None else torch.seed()) % (1 << 63))
            return gen
        # a row's draws depend only on its prompt's seed and copy, not on the batch or rank it lands in
        gens = []
        for i in range(n_prompts):
            for copy in range(settings.n):
                g = torch.Generator(device=device)
                g.manual_seed(_row_seed(settings.prompt_seeds[i], copy))
                gens.append(g)
        return gens

    def _dims(self) -> tuple[int, int, int, Any]:
        from ...logprobs import causal_lm

        cfg = causal_lm(self.model).config
        heads = cfg.num_attention_heads
        head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // heads
        kv = getattr(cfg, "num_key_value_heads", None) or heads
        import torch

        return cfg.num_hidden_layers, kv, head_dim, _compute_dtype(self.model, torch.float32)

    def _session_for(self, rows: int, length: int) -> dict[str, Any]:
        """Cache, static buffers and (on CUDA) the captured decode step for this batch shape."""
        import torch

        s = self._session
        if s is not None and s["rows"] == rows and s["length"] >= length:
            return s
        self._session = None
        device = self._device()
        n_layers, kv, head_dim, dtype = self._dims()
        cache = SlotCache(n_layers, rows, kv, length, head_dim, dtype, device)
        s = {
            "rows": rows,
            "length": length,
            "cache": cache,
            "ids": torch.zeros(rows, 1, dtype=torch.long, device=device),
            "pos": torch.zeros(rows, 1, dtype=torch.long, device=device),
            "mask": torch.zeros(rows, 1, 1, length, dtype=dtype, device=device),
            "logits": None,
            "graph": None,
            "graph_note": "",
        }
        self._session = s
        if device.type == "cuda" and self.cuda_graphs:
            t0 = time.perf_counter()
            try:
                self._capture(s)
            except Exception as exc:  # noqa: BLE001 - any capture failure falls back to eager decoding
                s["graph"] = None
                s["graph_note"] = f"CUDA graph capture failed, decoding eagerly: {type(exc).__name__}: {exc}"
                self._note(s["graph_note"])
            self._metrics["rollout/graph_capture_s"] = time.perf_counter() - t0
        return s

    def _decode_once(self, s: dict[str, Any]) -> Any:
        cache = s["cache"]
        cache.decoding = True
        if self.compile_backend:
            try:
                out = self._compiled_step()(s["ids"], s["pos"], s["mask"], cache.slot, cache.keys, cache.values)
                self._compile_worked = True
                return out
            except Exception as exc:
                if self._compile_worked:
                    raise  # it compiled and ran before: this is not a compiler problem
                self.compile_backend, self._compiled = None, None
                self._note(f"torch.compile of the decode step failed, decoding without it: {type(exc).__name__}: {exc}")
        return self._step(s["ids"], s["pos"], s["mask"], cache)

    def _step(self, ids: Any, pos: Any, mask: Any, cache: SlotCache) -> Any:
        """Float logits [rows, vocab] of one decode step that writes its keys/values into `cache`."""
        from ...logprobs import body_and_head

        body, head = body_and_head(self.model)
        out = body(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True, **_cache_kw(body, cache))
        hidden = out[0] if isinstance(out, tuple) else out.last_hidden_state
        return head(hidden[:, -1]).float()

    def _compiled_step(self) -> Any:
        """The decode step through torch.compile, its cache tensors passed in (so a new session reuses the code)."""
        if self._compiled is None:
            import torch

            def step(ids, pos, mask, slot, keys, values):
                return self._step(ids, pos, mask, SlotCache.decode_view(keys, values, slot))

            self._compiled = torch.compile(step, backend=self.compile_backend, dynamic=False)
        return self._compiled

    def _capture(self, s: dict[str, Any]) -> None:
        import torch

        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(2):  # warm-up: lazy initialisations and cuBLAS handles happen outside the capture
                self._decode_once(s)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            s["logits"] = self._decode_once(s)
        s["graph"] = graph

    def _next_logits(self, s: dict[str, Any]) -> Any:
        if s["graph"] is not None:
            s["graph"].replay()
            return s["logits"]
        return self._decode_once(s)

    def _prefill(self, s: dict[str, Any], prompts: Sequence[Sequence[int]], n: int) -> tuple[Any, Any, int]:
        """Run the unique prompts once, fill the cache for n copies each; (last logits, prompt lengths, width)."""
        import torch

        from ...logprobs import body_and_head

        device = self._device()
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad_token_id, dtype=torch.long)
        real = torch.zeros((len(prompts), width), dtype=torch.bool)
        for i, p in enumerate(prompts):
            ids[i, width - len(p) :] = torch.tensor(list(p), dtype=torch.long)
            real[i, width - len(p) :] = True
        ids, real = ids.to(device), real.to(device)
        positions = (real.long().cumsum(-1) - 1).clamp(min=0)
        dtype = s["mask"].dtype
        low = torch.finfo(dtype).min
        causal = torch.ones(width, width, dtype=torch.bool, device=device).tril()
        allowed = causal[None] & real[:, None, :]
        allowed |= torch.eye(width, dtype=torch.bool, device=device)[None]  # pad queries see themselves: no NaN
        mask = torch.zeros(allowed.shape, dtype=dtype, device=device).masked_fill(~allowed, low)[:, None]
        cache = s["cache"]
        cache.decoding, cache.expand, cache.prefill_width = False, n, width
        body, head = body_and_head(self.model)
        out = body(
            input_ids=ids,
            attention_mask=mask,
            position_ids=positions,
            use_cache=True,
            **_cache_kw(body, cache),
        )
        hidden = out[0] if isinstance(out, tuple) else out.last_hidden_state
        logits = head(hidden[:, -1]).float().repeat_interleave(n, dim=0)
        lengths = real.sum(-1).repeat_interleave(n, dim=0)
        # decode mask: the real prompt slots of each row; generated slots are opened one per step
        s["mask"].fill_(low)
        s["mask"][:, 0, 0, :width].masked_fill_(real.repeat_interleave(n, dim=0), 0.0)
        return logits, lengths, width

    def _run(
        self, prompts: Sequence[Sequence[int]], settings: SamplingSettings, stop: list[int], gen: Any
    ) -> tuple[list[list[int]], int, float]:
        import torch

        device = self._device()
        n, max_new = settings.n, settings.max_new_tokens
        rows = len(prompts) * n
        width = max(len(p) for p in prompts)
        length = _round_up(max(width, self.max_prompt_length) + max_new, 64)
        s = self._session_for(rows, length)
        logits, lengths, width = self._prefill(s, prompts, n)
        stop_ids = torch.tensor(stop, dtype=torch.long, device=device)
        tokens = torch.full((rows, max_new), self.pad_token_id, dtype=torch.long, device=device)
        done = torch.zeros(rows, dtype=torch.bool, device=device)
        cache = s["cache"]
        sync = device.type == "cuda"
        if sync:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        steps = 0
        for t in range(max_new):
            nxt = sample_next(logits, settings.temperature, settings.top_p, settings.top_k, gen)
            nxt = torch.where(done, torch.full_like(nxt, self.pad_token_id), nxt)
            tokens[:, t] = nxt
            done |= torch.isin(nxt, stop_ids)
            if t == max_new - 1 or ((t + 1) % CHECK_EVERY == 0 and bool(done.all())):
                break
            # feed token t at cache slot width + t, position prompt_length + t
            s["ids"].copy_(nxt[:, None])
            s["pos"].copy_((lengths + t)[:, None])
            cache.slot.fill_(width + t)
            s["mask"].index_fill_(3, cache.slot, 0.0)
            logits = self._next_logits(s)
            steps += 1
        if sync:
            torch.cuda.synchronize(device)
        decode_s = time.perf_counter() - t0
        return _trim(tokens.tolist(), set(stop)), steps, decode_s


def _calls(n_prompts: int, n: int, batch_size: int) -> list[tuple[int, int, int, int]]:
    """(first prompt, end prompt, first copy, end copy) of each generate call, at most batch_size rows each.

    Whole groups go together while they fit; a larger group is split into near-equal parts (8 rows at
    batch_size 4: 4 + 4), so the KV cache never holds more than batch_size rows.
    """
    if not batch_size or batch_size >= n * n_prompts:
        return [(0, n_prompts, 0, n)]
    if batch_size >= n:
        per = batch_size // n
        return [(s, min(s + per, n_prompts), 0, n) for s in range(0, n_prompts, per)]
    parts = -(-n // batch_size)
    size = -(-n // parts)
    return [(p, p + 1, c, min(c + size, n)) for p in range(n_prompts) for c in range(0, n, size)]


def _cache_kw(body: Any, cache: SlotCache) -> dict[str, Any]:
    """The cache keyword of this transformers version ('cache' since 5.2x, 'past_key_values' before)."""
    import inspect

    params = inspect.signature(body.forward).parameters
    return {"cache": cache} if "cache" in params else {"past_key_values": cache}


def _trim(rows: list[list[int]], stop: set[int]) -> list[list[int]]:
    out = []
    for tokens in rows:
        for j, tok in enumerate(tokens):
            if tok in stop:
                tokens = tokens[: j + 1]
                break
        out.append(tokens)
    return out


def _round_up(x: int, m: int) -> int:
    return -(-x // m) * m


def _compute_dtype(model: Any, fallback: Any) -> Any:
    """The dtype the attention keys/values come out in (a 4-bit model computes in its compute dtype)."""
    for m in model.modules():
        w = getattr(m, "weight", None)
        state = getattr(w, "quant_state", None)
        if state is not None and getattr(state, "dtype", None) is not None:
            return state.dtype
    import torch

    for m in model.modules():
        if isinstance(m, torch.nn.Embedding):
            return m.weight.dtype
    return fallback
