"""Projects for tests that run bakegen on a folder: the minimal matrix with the Dockerfile it
names, or a git repository holding a copy of this repository's default matrix."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support import ROOT
from tests.support.git import git
from tests.support.helpers import MINIMAL, write

# The stages MINIMAL's `target` axis builds.
MINIMAL_DOCKERFILE = "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n"


def minimal_project(where: Path, dockerfile: str = MINIMAL_DOCKERFILE) -> Path:
    """MINIMAL as matrix.yaml beside its Dockerfile."""
    write(where, MINIMAL)
    write(where, dockerfile, "Dockerfile")
    return where


def default_project(where: Path, extra: tuple[str, ...] = ()) -> Path:
    """A git repository (one commit) with the default matrix, its Dockerfiles, the
    .dockerignore and `extra` files of this repository."""
    where.mkdir(parents=True, exist_ok=True)
    for name in ("matrix", "dockerfiles"):
        shutil.copytree(ROOT / name, where / name)
    for name in (".dockerignore", *extra):
        shutil.copy(ROOT / name, where / name)
    return where


def commit_all(repo: Path, message: str = "start") -> Path:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return repo
