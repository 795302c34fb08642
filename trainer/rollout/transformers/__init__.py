"""The transformers rollout backend (rollout = "transformers"): FastEngine, its own decode loop over a static KV cache
(fast.py), or TransformersEngine, transformers' `generate` (generate.py)."""
