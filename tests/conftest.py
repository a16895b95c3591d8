"""Shared fixtures: isolated git, matrix files in temporary folders, the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from bakegen.cli import main
from bakegen.pipeline import DEFAULT_MATRIX, Compiled, compile_path
from tests.support import ROOT
from tests.support.git import git
from tests.support.projects import minimal_project

# In CI the property tests draw the same examples every run, so a red run always means a
# change, not a new draw; locally they keep exploring (and remember what failed).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{key}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{key}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{key}_DATE", "2026-01-01T00:00:00Z")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """A real git repository with one commit per call of `commit`, tagged as asked."""

    def make(name: str = "repo") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q")
        (repo / "README.md").write_text("x\n")
        git(repo, "add", "README.md")
        git(repo, "commit", "-qm", "first")
        return repo

    return make


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def invoke(runner: CliRunner) -> Callable[..., object]:
    def run(*args: str) -> object:
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def compiled() -> Compiled:
    """The default matrix, compiled once for every test that reads it (it is frozen)."""
    return compile_path(ROOT / DEFAULT_MATRIX)


@pytest.fixture
def project(in_tmp: Path) -> Path:
    """The minimal matrix beside its Dockerfile, in the current folder (a test file that
    needs another project defines its own `project`)."""
    return minimal_project(in_tmp)
