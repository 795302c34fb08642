"""The vLLM rollout backend: the engine, its settings, sleep/wake, weight sync and the sync check (vLLM imported on use)."""
