"""Data-parallel training on torch.distributed: process group, rank shares, reductions and gradient sync."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from .config import ConfigError

LAUNCH_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
STRATEGIES = ("ddp", "fsdp2")


def launch_env(env: Mapping[str, str] | None = None) -> tuple[int, int, int]:
    """(rank, world size, local rank) set by torchrun or `accelerate launch`; (0, 1, 0) in a plain process."""
    env = os.environ if env is None else env
    try:
        world = int(env.get("WORLD_SIZE", "1"))
        rank = int(env.get("RANK", "0"))
        local = int(env.get("LOCAL_RANK", str(rank)))
    except ValueError as exc:
        raise ConfigError(f"distributed launch: bad RANK/WORLD_SIZE/LOCAL_RANK environment: {exc}") from None
    if world < 1 or not 0 <= rank < world:
        raise ConfigError(f"distributed launch: RANK={rank} is not in 0..WORLD_SIZE-1 (WORLD_SIZE={world})")
    if world > 1:
        missing = [v for v in ("MASTER_ADDR", "MASTER_PORT") if not env.get(v)]
        if missing:
            raise ConfigError(
                f"distributed launch: WORLD_SIZE={world} but {', '.join(missing)} is not set; start the run with "
                "`torchrun --nproc-per-node N --no-python aha train ...` or `accelerate launch`"
            )
    return rank, world, local


@dataclass
class DistContext:
    """This process's place in the run (rank 0 of 1 without a launcher) and the collectives the loop uses."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    backend: str | None = None
    owns_group: bool = False

    @property
    def enabled(self) -> bool:
        """True when several processes train together."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """True on the rank that writes logs, checkpoints and the final weights."""
        return self.rank == 0

    def barrier(self) -> None:
        """Wait for every rank."""
        if self.enabled:
            import torch.distributed as dist

            dist.barrier()

    def sum(self, values: Sequence[float]) -> list[float]:
        """Element-wise sum of `values` over the ranks (float64)."""
        return self._reduce(values, "sum")

    def max(self, values: Sequence[float]) -> list[float]:
        """Element-wise maximum of `values` over the ranks."""
        return self._reduce(values, "max")

    def _reduce(self, values: Sequence[float], op: str) -> list[float]:
        values = [float(v) for v in values]
        if not self.enabled or not values:
            return values
        import torch
        import torch.distributed as dist

        t = torch.tensor(values, dtype=torch.float64, device=self._comm_device())
        dist.all_reduce(t, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX)
        return t.cpu().tolist()

    def gather_objects(self, obj: Any) -> list[Any]:
        """Every rank's `obj`, in rank order (picklable objects)."""
        if not self.enabled:
            return [obj]
        import torch.distributed as dist

        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def broadcast_object(self, obj: Any) -> Any:
        """Rank 0's `obj` on every rank."""
        if not self.enabled:
            return obj
        import torch.distributed as dist

        box = [obj if self.is_main else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def run_on_main(self, fn: Any) -> Any:
        """Run `fn()` on rank 0 only and hand its result (or its ConfigError/ValueError message) to every rank."""
        result: tuple[str, Any] = ("ok", None)
        if self.is_main:
            try:
                result = ("ok", fn())
            except (ConfigError, ValueError, OSError) as exc:
                result = ("error", f"{type(exc).__name__}: {exc}" if not isinstance(exc, ConfigError) else str(exc))
        result = self.broadcast_object(result)
        if result[0] == "error":
            raise ConfigError(result[1])
        return result[1]

    def _comm_device(self) -> Any:
        import torch

        if self.backend == "nccl":
            return torch.device("cuda", torch.cuda.current_device())
        return torch.device("cpu")

    def close(self) -> None:
        """Destroy the process group if this context created it."""
        if self.owns_group:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()
            self.owns_group = False


def setup_distributed(device_option: str, backend: str = "auto", timeout_s: int = 1800) -> DistContext:
    """Join the process group that torchrun / accelerate describe in the environment (nothing in one process)."""
    rank, world, local = launch_env()
    if world == 1:
        return DistContext()
    import torch
    import torch.distributed as dist

    if not dist.is_available():
        raise ConfigError("distributed launch: this torch build has no torch.distributed")
    if device_option.startswith("cuda:"):
        raise ConfigError(
            f"device: {device_option!r} pins every rank to one GPU; use 'auto' or 'cuda' under torchrun "
            "(each rank takes the GPU of its LOCAL_RANK)"
        )
    use_cuda = device_option != "cpu" and torch.cuda.is_available()
    if backend == "auto":
        backend = "nccl" if use_cuda else "gloo"
    if backend == "nccl" and not use_cuda:
        raise ConfigError("distributed.backend: 'nccl' needs CUDA GPUs; use 'gloo' (or 'auto') on the CPU")
    if use_cuda:
        if local >= torch.cuda.device_count():
            raise ConfigError(
                f"distributed launch: LOCAL_RANK={local} but only {torch.cuda.device_count()} GPUs are visible"
            )
        torch.cuda.set_device(local)
    owns = False
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, timeout=timedelta(seconds=timeout_s))
        owns = True
    return DistContext(rank, world, local, dist.get_backend(), owns)


def rank_device(device: Any, ctx: DistContext) -> Any:
    """The device of this rank: the GPU of its LOCAL_RANK under a multi-GPU launch, else `device` as it is."""
    import torch

    if ctx.enabled and device.type == "cuda":
        return torch.device("cuda", ctx.local_rank)
    return device


def optimizer_steps_per_step(n_completions: int, micro_batch_size: int, accumulation: int) -> int:
    """Optimiser steps taken per training step (the update splits its completions this many ways)."""
    n_micro = -(-n_completions // micro_batch_size)
    return n_micro // accumulation if accumulation else 1


def rank_positions(n_prompts: int, rank: int, world: int, chunks: int = 1) -> list[int]:
    """Positions in the step's global prompt list that `rank` rolls out and trains on.

    The step's prompts are cut into `chunks` consecutive pieces (one per optimiser step) and each piece
    into `world` consecutive shares, so the r-th optimiser step of every rank covers exactly the prompts of
    the r-th optimiser step of a single process. Whole prompts (groups) are never split across ranks.
    """
    if n_prompts % (chunks * world):
        raise ConfigError(
            f"generation.prompts_per_step = {n_prompts} must split evenly over {world} ranks x {chunks} "
            "optimiser step(s) per step (whole prompt groups per rank and per optimiser step); change "
            "prompts_per_step, the number of processes or optim.gradient_accumulation_steps"
        )
    per_chunk = n_prompts // chunks
    share = per_chunk // world
    return [c * per_chunk + rank * share + k for c in range(chunks) for k in range(share)]


def local_accumulation(accumulation: int, world: int) -> int:
    """optim.gradient_accumulation_steps as micro-batches per rank (the option counts a single process's)."""
    if accumulation and accumulation % world:
        raise ConfigError(
            f"optim.gradient_accumulation_steps = {accumulation} must be a multiple of the {world} ranks "
            "(it counts micro-batches of the whole step; each rank runs 1/N of them)"
        )
    return accumulation // world if accumulation else 0


def check_rank_micro_batches(
    n_completions_per_rank: int, micro_batch_size: int, accumulation: int, optimizer_steps: int
) -> None:
    """Raise ConfigError unless a rank's micro-batches make the same optimiser steps as a single process."""
    n_micro = -(-n_completions_per_rank // micro_batch_size)
    steps = n_micro // accumulation if accumulation else 1
    if (accumulation and n_micro % accumulation) or steps != optimizer_steps:
        raise ConfigError(
            f"optim.gradient_accumulation_steps: each rank has {n_micro} micro-batches per step, which do not make "
            f"the {optimizer_steps} optimiser step(s) of a single process; change optim.micro_batch_size, "
            "optim.gradient_accumulation_steps or generation.prompts_per_step"
        )


def shard_dataset(dataset: Any, ctx: DistContext, tensor_parallel: int = 1) -> Any:
    """This rank's slice of a prompt dataset for evaluation: every n-th example, n = ranks / tensor_parallel.

    The ranks of one tensor-parallel vLLM group share one engine, so they get the same slice.
    """

    if not ctx.enabled:
        return dataset
    groups = ctx.world_size // tensor_parallel
    return dataclasses.replace(dataset, examples=dataset.examples[ctx.rank // tensor_parallel :: groups])


def unwrap(module: Any) -> Any:
    """The module inside a DDP wrapper (or the module itself)."""
    return getattr(module, "module", module)


class GradSync:
    """Gradient all-reduce for the policy update: log-prob forwards through DDP (or FSDP2) and global counts.

    `policy_update` scales each rank's loss by the world size, because DDP averages gradients while the
    loss is normalised by the token (or sequence) count of the whole global batch.
    """

    def __init__(
        self,
        ctx: DistContext,
        model: Any,
        logprob_fn: Any,
        chunk_size: int,
        temperature: float,
        strategy: str = "ddp",
    ):
        if strategy not in STRATEGIES:
            raise ConfigError(f"distributed.strategy: must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
        self.ctx = ctx
        self.strategy = strategy
        self.world_size = ctx.world_size
        self.model = model
        self.module = _logprob_module(model, logprob_fn, chunk_size, temperature)
        if strategy == "ddp":
            self.wrapped = _wrap_ddp(self.module, ctx)
        else:
            self.wrapped = _wrap_fsdp2(self.module, model, ctx)

    def logprobs(self, seq: Any) -> Any:
        """Completion log-probs of one micro-batch, through the wrapper (so its gradients get reduced)."""
        return self.wrapped(seq.input_ids, seq.attention_mask, seq.position_ids, seq.completion_ids, seq.prompt_width)

    def fused(self, seq: Any, loss_fn: Any) -> Any:
        """loss_fn(hidden states, head weight) of one micro-batch, run inside the wrapper's forward."""
        return self.wrapped(
            seq.input_ids, seq.attention_mask, seq.position_ids, seq.completion_ids, seq.prompt_width, loss_fn
        )

    def no_sync(self) -> Any:
        """Accumulate gradients locally (no all-reduce) for the forward/backward inside."""
        if self.strategy == "ddp":
            return self.wrapped.no_sync()
        return _fsdp_no_sync(self.wrapped)

    def sum(self, values: Sequence[float]) -> list[float]:
        """Element-wise sum over the ranks."""
        return self.ctx.sum(values)

    @contextlib.contextmanager
    def gathered(self) -> Iterator[None]:
        """Full (unsharded) parameters inside, for generation and no-grad passes (a no-op with DDP)."""
        if self.strategy != "fsdp2":
            yield
            return
        from torch.distributed.fsdp import FSDPModule

        mods = [m for m in self.wrapped.modules() if isinstance(m, FSDPModule)]
        for m in mods:
            m.unshard()
        try:
            yield
        finally:
            for m in reversed(mods):
                m.reshard()


def _logprob_module(model: Any, logprob_fn: Any, chunk_size: int, temperature: float) -> Any:
    import torch

    from .logprobs import SequenceBatch, completion_hidden, completion_logprobs

    class CompletionLogprobs(torch.nn.Module):
        """The policy's completion log-probs as a module, so DDP/FSDP2 hook its forward and backward."""

        def __init__(self) -> None:
            super().__init__()
            self.policy = model

        def forward(self, input_ids, attention_mask, position_ids, completion_ids, prompt_width, loss_fn=None):  # noqa: D102
            seq = SequenceBatch(input_ids, attention_mask, position_ids, completion_ids, None, int(prompt_width))
            if loss_fn is not None:  # the fused loss: (loss, statistics) straight from the hidden states
                return loss_fn(*completion_hidden(self.policy, seq))
            # a fresh tensor, not a view: FSDP2 hooks the output for its backward
            return completion_logprobs(self.policy, seq, logprob_fn, chunk_size, temperature).clone()

    return CompletionLogprobs()


def _wrap_ddp(module: Any, ctx: DistContext) -> Any:
    import torch
    from torch.nn.parallel import DistributedDataParallel

    device = next(module.parameters()).device
    ids = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=ids)


def _wrap_fsdp2(module: Any, model: Any, ctx: DistContext) -> Any:
    try:
        from torch.distributed.device_mesh import init_device_mesh
        from torch.distributed.fsdp import fully_shard
    except ImportError as exc:  # pragma: no cover - old torch
        raise ConfigError(f"distributed.strategy = 'fsdp2' needs torch >= 2.6 (fully_shard): {exc}") from None
    device = next(module.parameters()).device
    try:
        mesh = init_device_mesh(device.type, (ctx.world_size,))
        for layer in _decoder_layers(model):
            fully_shard(layer, mesh=mesh)
        fully_shard(module, mesh=mesh)
        # FSDP2 must see its first forward at the root; generation would otherwise reach the layers first
        import torch

        ids = torch.zeros((1, 2), dtype=torch.long, device=device)
        with torch.no_grad():
            module(ids, torch.ones_like(ids), torch.arange(2, device=device)[None], ids[:, 1:], 1)
        module.reshard()  # the root stays unsharded after a forward; the optimiser must get the shards
    except (RuntimeError, ValueError, NotImplementedError, AssertionError) as exc:
        raise ConfigError(
            f"distributed.strategy = 'fsdp2' could not shard the model on {device.type} "
            f"({ctx.backend}): {exc}; use strategy = 'ddp'"
        ) from None
    return module


def _decoder_layers(model: Any) -> list[Any]:
    from .logprobs import body_and_head

    body, _ = body_and_head(model)
    layers = getattr(body, "layers", None) or getattr(body, "h", None)
    if layers is None:
        raise ConfigError(f"distributed.strategy = 'fsdp2': cannot find the decoder layers of {type(body).__name__}")
    return list(layers)


@contextlib.contextmanager
def _fsdp_no_sync(module: Any) -> Iterator[None]:
    module.set_requires_gradient_sync(False)
    try:
        yield
    finally:
        module.set_requires_gradient_sync(True)
