"""Small matrices for tests, written as text so that error locations are real."""

from __future__ import annotations

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
