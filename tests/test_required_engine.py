"""A variable only some targets require, built by the real engine: those targets fail with
the variable's message while it is empty, every other target builds. Skips without a
running buildx builder."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bakegen.pipeline import compile_path
from tests.support.helpers import builder_running

# The tests run with a scratch HOME; the builder is defined in the real one.
DOCKER_CONFIG = os.environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")

MATRIX = """\
format: 1
image: {name: app}
cache: {enabled: false}
defaults: {dockerfile: Dockerfile}
variables:
  USER_UID:
    default: ""
    required_by: {target: dev}
    message: set USER_UID to your uid for a dev image
axes:
  target:
    values:
      runtime: {stage: runtime}
      dev: {stage: dev, args: {USER_UID: "{var.USER_UID}"}}
"""


pytestmark = pytest.mark.skipif(not builder_running(), reason="needs a running buildx builder")


def _bake(where: Path, target: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "USER_UID"} | env
    environment["DOCKER_CONFIG"] = DOCKER_CONFIG
    return subprocess.run(
        ["docker", "buildx", "bake", "-f", "docker-bake.hcl", target],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        check=False,
    )


def test_only_the_targets_that_require_the_variable_need_it(tmp_path: Path) -> None:
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / "x").write_text("x\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM scratch AS runtime\nCOPY x /x\nFROM runtime AS dev\nARG USER_UID\nCOPY x /y\n"
    )
    (tmp_path / "docker-bake.hcl").write_text(compile_path(tmp_path / "matrix.yaml").text("hcl"))

    assert _bake(tmp_path, "runtime").returncode == 0
    refused = _bake(tmp_path, "dev")
    assert refused.returncode != 0
    assert "set USER_UID to your uid for a dev image" in refused.stderr
    assert _bake(tmp_path, "dev", USER_UID="1000").returncode == 0
