"""aha's low-VRAM GRPO trainer (uses `verifiers` only through its public API)."""
