"""Each command imports only what it needs, so start-up stays short: checked by the packages
a fresh interpreter has loaded after the command (speed itself is measured by
benchmarks/commands_bench.py, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bakegen.cli import COMMANDS
from tests.support.helpers import MINIMAL, write
from tests.support.projects import minimal_project

SCRIPT = """\
import sys
from bakegen.cli import main
code = 0
try:
    main({args!r})
except SystemExit as exc:
    code = exc.code
print("exit:", code, "loaded:", " ".join(sorted(sys.modules)))
"""
HEAVY = {"pydantic", "yaml", "jinja2", "jsonschema", "git", "dockerfile"}


def _loaded(args: list[str], cwd: Path, exit_code: int = 0) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(args=args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    last = done.stdout.splitlines()[-1]
    assert last.startswith(f"exit: {exit_code} loaded: "), done.stderr
    return set(last.split(" loaded: ")[1].split())


def _packages(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return minimal_project(tmp_path, "FROM busybox AS runtime\nFROM runtime AS dev\n")


def test_version_loads_no_command_and_no_library(tmp_path: Path) -> None:
    loaded = _loaded(["--version"], tmp_path)
    assert not _packages(loaded) & HEAVY
    assert not {m for m in loaded if m.startswith("bakegen.commands")}


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "-m", "matrix.yaml"],
        ["list", "-m", "matrix.yaml"],
        ["explain", "-m", "matrix.yaml", "jammy-runtime"],
        ["graph", "-m", "matrix.yaml"],
    ],
)
def test_reading_commands_load_neither_jinja_nor_jsonschema_nor_git(
    args: list[str], project: Path
) -> None:
    packages = _packages(_loaded(args, project))
    assert {"pydantic", "yaml"} <= packages
    assert not packages & {"jinja2", "jsonschema", "git", "dockerfile"}


def test_jsonschema_is_loaded_to_explain_an_invalid_matrix(project: Path) -> None:
    write(project, MINIMAL.replace("format: 1", "format: 2"))
    assert "jsonschema" in _packages(_loaded(["validate", "-m", "matrix.yaml"], project, 1))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_loads_no_other_command(name: str, tmp_path: Path) -> None:
    own = COMMANDS[name].split(":")[0]
    loaded = {m for m in _loaded([name, "--help"], tmp_path) if m.startswith("bakegen.commands")}
    assert loaded == {"bakegen.commands", "bakegen.commands.common", own}
