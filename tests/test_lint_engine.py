"""`bakegen lint --engine`: BuildKit's own `--call check` joins the report where a real docker
buildx is there; without it the flag says so and exits 2."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.lint_engine import EngineUnavailable, find_buildx, without_syntax

LOCAL_IMAGE = "127.0.0.1:5000/busybox:latest"
# The tests run with a throwaway HOME; buildx finds its builders in the real docker config.
DOCKER_CONFIG = os.environ.get("DOCKER_CONFIG", str(Path("~/.docker").expanduser()))
MATRIX = """\
format: 1
image: {name: app, tags: ["{flavour}"]}
axes:
  flavour:
    values:
      plain: {}
defaults:
  dockerfile: Dockerfile
  uses: {tools: tools}
shared:
  tools:
    axes: [flavour]
    dockerfile: tools.Dockerfile
    stage: tools
"""


def engine_ready() -> bool:
    try:
        find_buildx()
        with urllib.request.urlopen("http://127.0.0.1:5000/v2/busybox/tags/list", timeout=2):
            return True
    except (EngineUnavailable, OSError):
        return False


def test_without_buildx_the_flag_says_so_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "matrix.yaml").write_text(MATRIX.split("  uses:")[0])
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-dir"))
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--engine", "--no-hadolint"])
    assert result.exit_code == 2
    assert "--engine: docker is not installed" in result.stderr


def test_syntax_directive_is_replaced_line_for_line() -> None:
    text = "# syntax=docker/dockerfile:1.10\n# check=skip=all\nFROM a\n"
    assert without_syntax(text) == "# escape=\\\n# check=skip=all\nFROM a\n"
    assert without_syntax("FROM a\n# syntax=x\n") == "FROM a\n# syntax=x\n"


@pytest.mark.skipif(not engine_ready(), reason="no docker buildx with a local registry here")
def test_engine_findings_are_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A target with a `target:` context, which plain `--call check` cannot run; BuildKit's
    MultipleInstructionsDisallowed is not one of bakegen's rules, so it comes from the engine,
    and FromAsCasing (found by both) is reported once."""
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / "tools.Dockerfile").write_text(f"FROM {LOCAL_IMAGE} AS tools\n")
    dockerfile = (
        "# syntax=docker/dockerfile:1\n"
        f"FROM {LOCAL_IMAGE} as build\n"
        "COPY --from=tools /bin/sh /x\n"
        'CMD ["a"]\nCMD ["b"]\n'
    )
    (tmp_path / "Dockerfile").write_text(dockerfile)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCKER_CONFIG", DOCKER_CONFIG)
    result = CliRunner().invoke(
        main,
        [
            "lint",
            "-m",
            "matrix.yaml",
            "--engine",
            "--engine-base",
            LOCAL_IMAGE,
            "--no-hadolint",
            "--format",
            "json",
        ],
    )
    doc = json.loads(result.stdout)
    rules = [(f["rule"], f["line"]) for f in doc["findings"]]
    assert ("MultipleInstructionsDisallowed", 4) in rules, rules
    assert rules.count(("FromAsCasing", 2)) == 1, rules
