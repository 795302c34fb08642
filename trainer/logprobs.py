"""Per-token log-probs of completions: prompts and completions packed into one batch, the model body gives
hidden states, the output head is applied in chunks (full logits never materialised). This is the PyTorch path;
the Triton one is `trainer.kernels.logprobs`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

LogprobFn = Callable[..., Any]  # token_logprobs(hidden, weight, ids, chunk_size, temperature)


def _chunked_logprob_function():
    import torch

    class ChunkedLogProb(torch.autograd.Function):
        """log softmax(h W^T / t)[ids], chunk by chunk; backward recomputes each chunk's logits."""

        @staticmethod
        def forward(ctx, hidden, weight, ids, chunk_size: int, temperature: float):
            n = hidden.shape[0]
            out = torch.empty(n, dtype=torch.float32, device=hidden.device)
            lse_all = torch.empty(n, dtype=torch.float32, device=hidden.device)
            for s in range(0, n, chunk_size):
                logits = (hidden[s : s + chunk_size] @ weight.t()).float() / temperature
                lse = torch.logsumexp(logits, dim=-1)
                out[s : s + chunk_size] = logits.gather(-1, ids[s : s + chunk_size, None]).squeeze(-1) - lse
                lse_all[s : s + chunk_size] = lse
            ctx.save_for_backward(hidden, weight, ids, lse_all)
            ctx.chunk_size = chunk_size
            ctx.temperature = temperature
            return out

        @staticmethod
        def backward(ctx, grad_out):
            hidden, weight, ids, lse_all = ctx.saved_tensors
            chunk, t = ctx.chunk_size, ctx.temperature
            grad_h = torch.empty_like(hidden) if ctx.needs_input_grad[0] else None
            grad_w = (
                torch.zeros(weight.shape, dtype=torch.float32, device=weight.device)
                if ctx.needs_input_grad[1]
                else None
            )
            for s in range(0, hidden.shape[0], chunk):
                h = hidden[s : s + chunk]
                logits = (h @ weight.t()).float() / t
                # d logp / d logits = onehot - softmax, scaled by the incoming gradient and 1/t
                g = -torch.exp(logits - lse_all[s : s + chunk, None])
                g.scatter_add_(-1, ids[s : s + chunk, None], torch.ones_like(g[:, :1]))
                g *= (grad_out[s : s + chunk] / t)[:, None]
                g = g.to(hidden.dtype)
                if grad_h is not None:
                    grad_h[s : s + chunk] = g @ weight
                if grad_w is not None:
                    grad_w += (g.t() @ h).float()
            if grad_w is not None:
                grad_w = grad_w.to(weight.dtype)
            return grad_h, grad_w, None, None, None

    return ChunkedLogProb


_FN = None


def token_logprobs(
    hidden: torch.Tensor,
    weight: torch.Tensor,
    ids: torch.Tensor,
    chunk_size: int = 1024,
    temperature: float = 1.0,
) -> torch.Tensor:
    """float32 log-probs of `ids` under logits = hidden @ weight.T / temperature.

    hidden: [..., H]; weight: [V, H]; ids: [...] (same leading shape). Peak extra memory
    is one chunk of logits (chunk_size x V float32) in forward and backward.
    """
    global _FN
    if _FN is None:
        _FN = _chunked_logprob_function()
    lead = ids.shape
    flat_h = hidden.reshape(-1, hidden.shape[-1])
    flat_ids = ids.reshape(-1)
    out = _FN.apply(flat_h, weight, flat_ids, int(chunk_size), float(temperature))
    return out.reshape(lead)


def token_logprobs_reference(
    hidden: torch.Tensor, weight: torch.Tensor, ids: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """Plain autograd log-probs through the full logits (the reference for tests)."""
    import torch

    logits = (hidden @ weight.t()).float() / temperature
    return torch.log_softmax(logits, dim=-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1)


@dataclass
class SequenceBatch:
    """Prompts (left-padded) followed by completions (right-padded), ready for one forward pass."""

    input_ids: Any  # [B, P + T]
    attention_mask: Any  # [B, P + T]
    position_ids: Any  # [B, P + T]
    completion_ids: Any  # [B, T]
    completion_mask: Any  # [B, T] float, 1 on real completion tokens
    prompt_width: int  # P

    def __len__(self) -> int:
        return int(self.input_ids.shape[0])


def collate(
    prompt_ids: Sequence[Sequence[int]], completion_ids: Sequence[Sequence[int]], pad_id: int, device: Any
) -> SequenceBatch:
    """Pack prompt/completion token lists into padded tensors (completion tokens start at column P)."""
    import torch

    if len(prompt_ids) != len(completion_ids):
        raise ValueError("one prompt per completion is needed")
    b = len(prompt_ids)
    p = max(len(x) for x in prompt_ids)
    t = max(1, max(len(x) for x in completion_ids))
    ids = torch.full((b, p + t), pad_id, dtype=torch.long)
    mask = torch.zeros((b, p + t), dtype=torch.long)
    for i, (pr, co) in enumerate(zip(prompt_ids, completion_ids)):
        ids[i, p - len(pr) : p] = torch.tensor(list(pr), dtype=torch.long)
        mask[i, p - len(pr) : p] = 1
        if co:
            ids[i, p : p + len(co)] = torch.tensor(list(co), dtype=torch.long)
            mask[i, p : p + len(co)] = 1
    position_ids = (mask.cumsum(-1) - 1).clamp(min=0)
    comp_mask = mask[:, p:].to(torch.float32)
    return SequenceBatch(
        ids.to(device), mask.to(device), position_ids.to(device), ids[:, p:].to(device), comp_mask.to(device), p
    )


def causal_lm(model: Any) -> Any:
    """The transformers causal LM inside a peft wrapper (or the model itself)."""
    get_base = getattr(model, "get_base_model", None)
    return get_base() if callable(get_base) else model


def body_and_head(model: Any) -> tuple[Any, Any]:
    """(the decoder body that returns hidden states, the output head Linear) of a causal LM."""
    lm = causal_lm(model)
    body = getattr(lm, getattr(lm, "base_model_prefix", "model"), None)
    if body is None and hasattr(lm, "get_decoder"):
        body = lm.get_decoder()
    head = lm.get_output_embeddings()
    if body is None or head is None or not hasattr(head, "weight"):
        raise ValueError(f"{type(lm).__name__}: cannot find the decoder body and output head")
    if getattr(head, "bias", None) is not None:
        raise ValueError(f"{type(lm).__name__}: output heads with a bias are not supported")
    cfg = getattr(lm, "config", None)
    for attr in ("final_logit_softcapping", "logit_scale"):
        if getattr(cfg, attr, None) not in (None, 1.0):
            raise ValueError(f"{type(lm).__name__}: models with {attr} are not supported yet")
    return body, head


def completion_hidden(model: Any, batch: SequenceBatch) -> tuple[Any, Any]:
    """(hidden states [B, T, H] that predict the completion tokens, the output head's weight [V, H])."""
    body, head = body_and_head(model)
    out = body(
        input_ids=batch.input_ids,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids,
        use_cache=False,
    )
    hidden = out[0] if isinstance(out, tuple) else out.last_hidden_state
    p, t = batch.prompt_width, batch.completion_ids.shape[1]
    # position i's hidden state predicts token i + 1
    return hidden[:, p - 1 : p - 1 + t], head.weight


def completion_logprobs(
    model: Any, batch: SequenceBatch, logprob_fn: LogprobFn, chunk_size: int, temperature: float
) -> Any:
    """float32 log-probs [B, T] of the completion tokens; the full logits are never materialised."""
    hidden, weight = completion_hidden(model, batch)
    return logprob_fn(hidden, weight, batch.completion_ids, chunk_size, temperature)


def logprobs_no_grad(
    model: Any,
    batches: Sequence[SequenceBatch],
    logprob_fn: LogprobFn,
    chunk_size: int,
    temperature: float,
    disable_adapter: bool = False,
) -> list[Any]:
    """Log-probs of each micro-batch without gradients (old policy; reference with the adapter disabled)."""
    import contextlib

    import torch

    ctx = model.disable_adapter() if disable_adapter else contextlib.nullcontext()
    out = []
    with torch.no_grad(), ctx:
        for b in batches:
            out.append(completion_logprobs(model, b, logprob_fn, chunk_size, temperature).detach())
    return out
