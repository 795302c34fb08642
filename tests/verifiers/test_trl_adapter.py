import inspect
import pickle
import subprocess
import sys
import warnings

import pytest

from verifiers import Sample
from verifiers.trl import TRLReward, reward_function


def test_strings_and_columns_as_kwargs():
    fn = reward_function("exact_match")
    scores = fn(prompts=["1+1?", "2+2?"], completions=["answer: 2", "answer: 5"], answer=["2", "4"], level=[1, 2])
    assert scores == [1.0, 0.0]
    assert fn.last_results[1].status.value == "failed"
    assert fn.__name__ == "aha_exact_match"


def test_conversational_completions():
    fn = reward_function("exact_match")
    completions = [[{"role": "assistant", "content": "The answer is 7."}]]
    prompts = [[{"role": "user", "content": "3+4?"}]]
    assert fn(prompts=prompts, completions=completions, answer=["7"], trainer_state=None) == [1.0]


def test_metadata_reaches_verifier():
    seen = []

    class Spy(TRLReward):
        def samples(self, prompts, completions, **kwargs):
            out = super().samples(prompts, completions, **kwargs)
            seen.extend(out)
            return out

    Spy("exact_match")(prompts=["p"], completions=["answer: 1"], answer=["1"], category=["alg"], completion_ids=[[1]])
    assert isinstance(seen[0], Sample) and seen[0].metadata == {"category": "alg"}


def test_column_length_mismatch_is_clear():
    with pytest.raises(ValueError, match="column 'answer' has 1 values for 2 completions"):
        reward_function("exact_match")(prompts=["a", "b"], completions=["1", "2"], answer=["1"])


def test_signature_matches_trl_convention_and_pickles():
    fn = reward_function("exact_match", workers=1)
    params = inspect.signature(fn.__call__).parameters
    assert list(params)[:2] == ["prompts", "completions"]
    assert any(p.kind is p.VAR_KEYWORD for p in params.values())
    clone = pickle.loads(pickle.dumps(fn))
    assert clone(prompts=None, completions=["answer: 3"], answer=["3"]) == [1.0]


def test_parallel_workers_give_same_scores():
    fn = reward_function("exact_match", workers=2)
    comps = [f"answer: {i}" for i in range(20)]
    assert fn(prompts=None, completions=comps, answer=[str(i % 3) for i in range(20)]) == [
        1.0 if i % 3 == i else 0.0 for i in range(20)
    ]


def test_solution_column_is_the_gold_answer_with_one_warning():
    fn = reward_function("exact_match")
    with pytest.warns(UserWarning, match="using the dataset column 'solution' as the gold answer"):
        assert fn(prompts=None, completions=["answer: 2", "answer: 5"], solution=["2", "5"]) == [1.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fn(prompts=None, completions=["answer: 3"], solution=["4"]) == [0.0]


@pytest.mark.parametrize("column", ["ground_truth", "gold", "target"])
def test_other_common_gold_columns(column):
    fn = reward_function("exact_match")
    with pytest.warns(UserWarning, match=f"'{column}'"):
        assert fn(prompts=None, completions=["answer: 9"], **{column: ["9"]}) == [1.0]


def test_no_gold_column_says_so_once_and_lists_the_columns():
    fn = reward_function("exact_match")
    with pytest.warns(UserWarning, match=r"no gold-answer column among the dataset's columns \(golden, level\)"):
        assert fn(prompts=None, completions=["answer: 9"], golden=["9"], level=[1]) == [0.0]
    assert fn.last_results[0].status.value == "unverifiable"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn(prompts=None, completions=["answer: 9"], golden=["9"], level=[1])


def test_configured_gold_column():
    fn = reward_function("exact_match", answer_field="golden")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fn(prompts=None, completions=["answer: 9"], golden=["9"], answer=["1"]) == [1.0]
    assert fn.last_results[0].status.value == "passed"
    with pytest.raises(ValueError, match=r"'golden' is not among the dataset's columns \(answer\)"):
        fn(prompts=None, completions=["answer: 9"], answer=["9"])


def test_answer_column_needs_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert reward_function("exact_match")(prompts=None, completions=["answer: 9"], answer=["9"]) == [1.0]


def test_documented_attribute_path_works_after_import_verifiers():
    code = (
        "import sys, verifiers\n"
        "assert 'verifiers.trl' not in sys.modules, 'imported eagerly'\n"
        "fn = verifiers.trl.reward_function('exact_match')\n"
        "print(fn(prompts=None, completions=['answer: 4'], answer=['4']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[1.0]"
