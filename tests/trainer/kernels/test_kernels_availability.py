"""trainer.kernels.available() and the lazy package import."""

import importlib.util
import subprocess
import sys

from trainer.kernels import available


def test_available_under_interpreter_or_gpu():
    ok, why = available()
    assert ok, why
    assert why


def test_unavailable_without_triton(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "triton" else real(name, *a))
    ok, why = available()
    assert not ok and "Triton is not installed" in why


def test_unavailable_without_gpu_or_interpreter(monkeypatch):
    import torch

    monkeypatch.delenv("TRITON_INTERPRET", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    ok, why = available()
    assert not ok and "no CUDA GPU" in why


def test_package_import_is_light():
    code = "import sys, trainer.kernels; print('torch' in sys.modules, 'triton' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
