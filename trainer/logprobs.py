"""Per-token log-probs from hidden states without materialising the full logits."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


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
