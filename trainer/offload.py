"""Offloaded gradient checkpointing: each decoder layer's input goes to pinned CPU memory until its backward.

Plain checkpointing keeps every layer's input on the GPU (layers x batch x length x hidden x 2 bytes:
2.9 GiB for 8 x 4,224 tokens of a 28-layer, 1,536-wide model). Here the input is copied to pinned host
memory on a side stream while the layer runs, and copied back (the next layer's input prefetched) during
the backward pass, so only a couple of layer inputs are on the GPU at any time. On the CPU the "copy" is
the tensor itself and the checkpoint behaves like plain recomputation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ActivationOffloader:
    """Moves saved layer inputs to pinned host memory and back, on a side CUDA stream, with reused buffers.

    Host buffers are flat pinned byte arrays reused by capacity, so completions whose length changes every
    step reuse the same few buffers instead of pinning new memory for each new shape: the pool never holds
    more buffers than were in flight at once.
    """

    def __init__(self) -> None:
        self._stream: Any = None
        self._free: list[tuple[Any, Any]] = []  # (flat pinned uint8 buffer, event after which it may be reused)
        self._slots: dict[int, dict[str, Any]] = {}
        self._next = 0
        self.bytes_offloaded = 0
        self.peak_slots = 0
        self.host_buffers = 0  # pinned buffers allocated so far
        self.kept_on_device = 0  # inputs left on the GPU because pinned host memory could not be had

    def _side(self, device: Any) -> Any:
        import torch

        if self._stream is None:
            self._stream = torch.cuda.Stream(device=device)
        return self._stream

    def _pin(self, nbytes: int) -> Any:
        import torch

        return torch.empty(nbytes, dtype=torch.uint8, pin_memory=True)

    def _host_buffer(self, nbytes: int) -> Any:
        """A flat pinned buffer of at least nbytes (the smallest free one that fits, else a new one), or None."""
        fits = [i for i, (buf, _) in enumerate(self._free) if buf.numel() >= nbytes]
        if fits:
            buf, ready = self._free.pop(min(fits, key=lambda i: self._free[i][0].numel()))
        else:
            if self._free:  # a buffer too small for this length: give it up rather than keep both
                self._free.pop(min(range(len(self._free)), key=lambda i: self._free[i][0].numel()))
            try:  # rounded up to 2 MiB so that slowly growing lengths do not re-pin every step
                buf, ready = self._pin(-(-nbytes // 2**21) * 2**21), None
            except RuntimeError as exc:  # host memory exhausted or pinning refused: keep this input on the GPU
                if not self.kept_on_device:
                    import warnings

                    warnings.warn(
                        f"activation offload: pinned host memory unavailable ({exc}); layer inputs that do not "
                        "fit stay on the GPU",
                        RuntimeWarning,
                        stacklevel=3,
                    )
                self.kept_on_device += 1
                return None
            self.host_buffers += 1
        if ready is not None:
            ready.synchronize()  # the copy back that last read it (long finished by the next forward)
        return buf

    def push(self, tensor: Any) -> int:
        """Start copying `tensor` off the device; returns a handle for `fetch`."""
        import torch

        key = self._next
        self._next += 1
        if tensor.device.type != "cuda":
            self._slots[key] = {"host": tensor, "device": tensor.device}
            return key
        nbytes = tensor.numel() * tensor.element_size()
        flat = self._host_buffer(nbytes)
        if flat is None:
            self._slots[key] = {"host": tensor, "device": tensor.device, "kept": True}
            return key
        host = flat[:nbytes].view(tensor.dtype).view(tensor.shape)
        side = self._side(tensor.device)
        side.wait_stream(torch.cuda.current_stream(tensor.device))
        with torch.cuda.stream(side):
            host.copy_(tensor, non_blocking=True)
            done = torch.cuda.Event()
            done.record(side)
        tensor.record_stream(side)  # the allocator must not reuse it before the copy has read it
        self._slots[key] = {"host": host, "flat": flat, "device": tensor.device, "out": done}
        self.bytes_offloaded += nbytes
        self.peak_slots = max(self.peak_slots, len(self._slots))
        return key

    def prefetch(self, key: int) -> None:
        """Start copying a handle's tensor back to its device (no-op when absent or already started)."""
        import torch

        slot = self._slots.get(key)
        if slot is None or "back" in slot or "kept" in slot or slot["device"].type != "cuda":
            return
        side = self._side(slot["device"])
        with torch.cuda.stream(side):
            side.wait_event(slot["out"])
            slot["back"] = slot["host"].to(slot["device"], non_blocking=True)
            slot["in"] = torch.cuda.Event()
            slot["in"].record(side)

    def fetch(self, key: int) -> Any:
        """The tensor of a handle, back on its device (the handle is released)."""
        import torch

        slot = self._slots.pop(key)
        if "kept" in slot or slot["device"].type != "cuda":
            return slot["host"]
        if "back" not in slot:
            self._slots[key] = slot
            self.prefetch(key)
            slot = self._slots.pop(key)
        current = torch.cuda.current_stream(slot["device"])
        current.wait_event(slot["in"])
        back = slot["back"]
        back.record_stream(current)
        # the host buffer is reused once the copy back has read it; waiting for that here would stall the
        # backward pass, so the wait happens when the buffer is next taken (_host_buffer)
        self._free.append((slot["flat"], slot["in"]))
        return back

    def discard(self, key: int) -> None:
        """Forget a handle whose backward will never run (e.g. a forward under no_grad)."""
        slot = self._slots.pop(key, None)
        if slot is not None and "flat" in slot:
            self._free.append((slot["flat"], slot.get("in", slot["out"])))


def _checkpoint_function() -> Any:
    import torch

    class OffloadedCheckpoint(torch.autograd.Function):
        """Run a layer without saving activations; its input waits in host memory until the backward."""

        @staticmethod
        def forward(ctx, run, offloader, hidden, anchor):  # noqa: ARG004 - anchor only links the graph
            ctx.run = run
            ctx.offloader = offloader
            ctx.input_requires_grad = hidden.requires_grad
            ctx.cpu_rng = torch.get_rng_state()
            ctx.cuda_rng = torch.cuda.get_rng_state(hidden.device) if hidden.is_cuda else None
            ctx.key = offloader.push(hidden.detach())
            ctx.prev_key = getattr(offloader, "_last_key", None)
            offloader._last_key = ctx.key
            with torch.no_grad():
                out = run(hidden)
            return out

        @staticmethod
        def backward(ctx, grad_out):
            hidden = ctx.offloader.fetch(ctx.key)
            if ctx.prev_key is not None:
                ctx.offloader.prefetch(ctx.prev_key)  # the layer below runs its backward next
            hidden = hidden.detach().requires_grad_(ctx.input_requires_grad)
            devices = [hidden.device] if hidden.is_cuda else []
            with torch.random.fork_rng(devices=devices), torch.enable_grad():
                torch.set_rng_state(ctx.cpu_rng)
                if ctx.cuda_rng is not None:
                    torch.cuda.set_rng_state(ctx.cuda_rng, hidden.device)
                out = ctx.run(hidden)
            torch.autograd.backward(out, grad_out)
            return None, None, hidden.grad if ctx.input_requires_grad else None, None

    return OffloadedCheckpoint


_FN: Any = None


def offloaded_checkpoint(offloader: ActivationOffloader, function: Callable[..., Any], *args: Any) -> Any:
    """Like torch.utils.checkpoint for a decoder layer (first argument: its hidden states), input offloaded.

    Keyword arguments must already be bound into `function` (transformers does so with functools.partial).
    """
    import torch

    global _FN
    if _FN is None:
        _FN = _checkpoint_function()
    hidden, rest = args[0], args[1:]
    if not torch.is_grad_enabled():
        return function(*args)

    def run(h: Any) -> Any:
        out = function(h, *rest)
        if isinstance(out, tuple):
            if len(out) != 1:
                raise ValueError("offloaded checkpointing supports layers that return their hidden states only")
            out = out[0]
        return out

    # a leaf that requires grad makes the output require grad even when the layer input does not
    # (the first layer's input comes from a frozen embedding), so the LoRA weights inside still get gradients
    anchor = torch.empty(0, device=hidden.device, requires_grad=True)
    return _FN.apply(run, offloader, hidden, anchor)


def enable_offloaded_checkpointing(model: Any) -> int:
    """Turn on checkpointing with offloaded layer inputs for a transformers model; returns the layers wrapped."""
    import functools

    from .logprobs import causal_lm

    lm = causal_lm(model)
    kwargs = {"use_reentrant": False}
    if hasattr(lm, "activation_checkpointing_enable"):  # the name since transformers 5.20
        lm.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        lm.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)
    offloader = ActivationOffloader()
    count = 0
    for module in lm.modules():
        if hasattr(module, "_gradient_checkpointing_func"):
            module._gradient_checkpointing_func = functools.partial(offloaded_checkpoint, offloader)
            count += 1
    if count == 0:
        raise ValueError(f"{type(lm).__name__}: no checkpointable decoder layers found for offloading")
    lm._aha_offloader = offloader
    return count
