"""Small matrices for tests, written as text so that error locations are real."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

MINIMAL = """\
format: 1
image:
  name: app
  tags: ["{version}-{name}"]
axes:
  os:
    values:
      jammy: {args: {OS: jammy}}
      noble: {args: {OS: noble}}
  target:
    values:
      runtime: {stage: runtime}
      dev: {stage: dev}
defaults:
  dockerfile: Dockerfile
"""


def write(directory: Path, text: str, name: str = "matrix.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@functools.cache
def buildx_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(
            ["docker", "buildx", "version"], capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def builder_running() -> bool:
    """Whether `docker buildx` has a builder with a running node. An unreachable daemon also
    exits 0 from `inspect --bootstrap`, with an error that says "if the daemon is running":
    only a node's own status line counts. Not cached: the tests that ask set DOCKER_CONFIG
    to where the builders are defined."""
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(
            ["docker", "buildx", "inspect", "--bootstrap"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    status = re.search(r"^Status:\s+running\s*$", done.stdout, re.MULTILINE)
    return done.returncode == 0 and status is not None


def clean_env() -> dict[str, str]:
    """Only what docker needs to find its plugins and config: no bake variables leak in."""
    keep = ("PATH", "HOME", "DOCKER_CONFIG", "BUILDX_CONFIG")
    return {k: os.environ[k] for k in keep if k in os.environ}
