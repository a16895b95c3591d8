"""The corpus of bad matrices in tests/bad/: each gives exactly its expected message and exit
code from every command that reads a matrix, prints no traceback, and writes nothing.
Set BAKEGEN_UPDATE_GOLDEN=1 to rewrite tests/bad/expected.json after a deliberate change."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main

BAD = Path(__file__).parent / "bad"
EXPECTED = json.loads((BAD / "expected.json").read_text())
DOCKERFILE = "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n"
COMMANDS = [
    ["render", "-m", "matrix.yaml"],
    ["render", "-m", "matrix.yaml", "--format", "json"],
    ["validate", "-m", "matrix.yaml"],
    ["list", "-m", "matrix.yaml"],
    ["lint", "-m", "matrix.yaml"],
]


def test_the_corpus_is_large_and_fully_described() -> None:
    files = sorted(p.name for p in BAD.glob("*.yaml"))
    assert len(files) >= 40
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(BAD / name, tmp_path / "matrix.yaml")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "docker-bake.hcl").write_text("# the previous file\n")
    monkeypatch.chdir(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    if os.environ.get("BAKEGEN_UPDATE_GOLDEN") == "1":
        first = CliRunner().invoke(main, COMMANDS[0])
        EXPECTED[name] = {"exit": first.exit_code, "stderr": first.stderr}
        (BAD / "expected.json").write_text(json.dumps(EXPECTED, indent=1) + "\n")
    expected = EXPECTED[name]
    for args in COMMANDS:
        result = CliRunner().invoke(main, args)
        # render checks the Dockerfiles; list and lint never need to for these inputs.
        if "Missing.Dockerfile" in expected["stderr"] and args[0] in ("list", "lint"):
            continue
        assert isinstance(result.exception, SystemExit), result.exception
        assert (result.exit_code, result.stderr) == (expected["exit"], expected["stderr"]), args
        assert "Traceback" not in result.output
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_50_megabyte_file_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (tmp_path / "matrix.yaml").open("wb") as handle:
        handle.write(b"format: 1\n# " + b"x" * (50 * 1024 * 1024) + b"\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: invalid matrix (1 problem):\n"
        "  matrix.yaml: (top level): the file is 52,428,813 bytes; a matrix may be at most "
        "10,485,760 bytes\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.yaml"]
