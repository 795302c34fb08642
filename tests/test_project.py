"""Project hygiene: one place for the version, the declared licence's text, the linters in CI and pre-commit."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import verifiers

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_written_once_and_the_installed_metadata_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "verifiers.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[.-]?\w+)?", verifiers.__version__)
    assert importlib.metadata.version("aha") == verifiers.__version__
    written = [
        p.relative_to(ROOT)
        for folder in ("verifiers", "trainer", "plugins")
        for p in (ROOT / folder).rglob("*.py")
        if re.search(r"^__version__\s*=", p.read_text(encoding="utf-8"), re.M)
    ]
    assert written == [Path("verifiers/__init__.py")]


def test_the_licence_file_is_the_apache_2_text_that_pyproject_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == {"text": "Apache-2.0"}
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) > 190


def test_ci_and_pre_commit_run_ruff_check_and_format_and_ci_lints_before_testing():
    ci = (ROOT / ".ci" / "run").read_text()
    lint = ci.index("ruff check . && ruff format --check .")
    assert lint < ci.index("pytest -n auto")
    hooks = (ROOT / ".pre-commit-config.yaml").read_text()
    assert "astral-sh/ruff-pre-commit" in hooks and "id: ruff-check" in hooks and "id: ruff-format" in hooks
