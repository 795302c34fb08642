"""aha verifiers as reward functions in TRL's GRPOTrainer (a real, short run on a tiny model)."""

from __future__ import annotations

import pytest
import tiny

trl = pytest.importorskip("trl", reason="TRL is an optional integration (pip install trl)")


def test_grpo_trainer_runs_with_an_aha_reward(tiny_model, tmp_path, monkeypatch):
    import datasets
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from verifiers.trl import reward_function

    reward = reward_function(tiny.TEST_REWARD)
    rows = [{"prompt": f"{a}+{b}=", "answer": str(a + b)} for a in range(4) for b in range(4)]
    args = GRPOConfig(
        output_dir=str(tmp_path / "trl"),
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=4,
        max_steps=2,
        learning_rate=1e-2,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = GRPOTrainer(
        model=str(tiny_model),
        reward_funcs=[reward],
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=AutoTokenizer.from_pretrained(str(tiny_model)),
    )
    trainer.train()
    logged = [h for h in trainer.state.log_history if "reward" in h]
    assert len(logged) == 2
    assert reward.last_results and len(reward.last_results) == 4
    assert {r.verifier for r in reward.last_results} == {"reward"}
    assert all(r.terms and set(r.terms) == {"exact_match", "digit_first"} for r in reward.last_results)
    name = f"rewards/{reward.__name__}/mean"
    assert all(name in h for h in logged)
