"""`bakegen lint --engine` with a docker client whose builder does not answer: the lint checked
nothing, so it fails with a clear message instead of passing. The docker on PATH here is a
small script that answers as a docker client does when its daemon is gone: `buildx version`
and `bake --print` work (they need no builder), `--call check` fails."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main

MATRIX = """\
format: 1
image: {name: app}
defaults: {dockerfile: Dockerfile}
axes:
  os: {values: {jammy: {}, noble: {}}}
"""
PRINTED = {"target": {n: {"context": ".", "dockerfile": "Dockerfile"} for n in ("jammy", "noble")}}
NO_DAEMON = "ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock"


def _client_without_daemon(folder: Path) -> None:
    folder.mkdir()
    script = folder / "docker"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        '  "buildx version") echo "github.com/docker/buildx v0.19.0 abc"; exit 0 ;;\n'
        f"  *--print*) echo '{json.dumps(PRINTED)}'; exit 0 ;;\n"
        f'  *) echo "{NO_DAEMON}" >&2; exit 1 ;;\n'
        "esac\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for docker")
def test_lint_engine_fails_when_no_builder_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:24.04@sha256:" + "a" * 64 + "\n")
    _client_without_daemon(tmp_path / "bin")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--engine", "--no-hadolint"])
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(
        "error: --engine: no BuildKit builder answered `docker buildx bake --call check`: "
        f"{NO_DAEMON}\n"
    )
