"""An installed wheel carries its templates and schema and works from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.helpers import MINIMAL


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "bakegen"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache", "*.egg-info"),
    )
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("*.whl")
    return built


def test_wheel_contains_templates_and_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bakegen/templates/docker-bake.hcl.j2" in names
    assert "bakegen/templates/docker-bake.override.hcl.j2" in names
    assert "bakegen/resources/matrix.schema.json" in names


def test_unpacked_wheel_renders_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    (work / "matrix.yaml").write_text(MINIMAL)
    (work / "Dockerfile").write_text("FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bakegen, sys; print(bakegen.__file__); "
            "from bakegen.cli import main; main(['render', '-m', 'matrix.yaml', '-o', '-', "
            "'--no-git-vars'])",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str(site / "bakegen" / "__init__.py")
    assert 'target "jammy-runtime"' in done.stdout
