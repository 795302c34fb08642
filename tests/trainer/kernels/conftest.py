"""Kernel tests: Triton's interpreter on the CPU (set before Triton is imported), compiled kernels on a GPU."""

import importlib.util

import pytest
from triton_interpreter import import_interpreted

torch = pytest.importorskip("torch", reason="the kernel tests need torch (pip install 'aha[train]')")

if importlib.util.find_spec("triton") is None:
    pytest.skip("the kernel tests need Triton (pip install 'aha[triton]')", allow_module_level=True)

INTERPRET = not torch.cuda.is_available()
if INTERPRET:
    # the fixture below sets TRITON_INTERPRET again for the tests here, which call available()
    import_interpreted("trainer.kernels.logprobs", "trainer.kernels.lora_linear", "trainer.kernels.lora_mlp")


@pytest.fixture(autouse=True)
def _triton_interpreter(monkeypatch):
    """On a machine without CUDA the kernels run in Triton's interpreter, and available() says so."""
    if INTERPRET:
        monkeypatch.setenv("TRITON_INTERPRET", "1")


@pytest.fixture
def device() -> str:
    """Where the float32 kernel tests run: the GPU when there is one, else the CPU through the interpreter."""
    return "cuda" if torch.cuda.is_available() else "cpu"


@pytest.fixture
def gpu() -> str:
    """The CUDA device for the bfloat16 sweep; skips elsewhere."""
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    return "cuda"


def _close_scaled(actual, expected, rel: float = 1e-4, atol: float = 1e-6) -> None:
    """max |actual - expected| <= rel * max |expected| + atol (sums over big vocabularies reorder rounding)."""
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    diff = (actual.double() - expected.double()).abs().max().item() if actual.numel() else 0.0
    scale = expected.double().abs().max().item() if expected.numel() else 0.0
    assert diff <= rel * scale + atol, f"max diff {diff:.3g} > {rel} * {scale:.3g} + {atol}"


@pytest.fixture
def close_scaled():
    """Compare tensors with a tolerance scaled to the largest expected magnitude."""
    return _close_scaled
