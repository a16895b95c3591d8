"""Invalid matrices beyond the tests/bad/ corpus: bytes that are not UTF-8, several problems
at once, a missing file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.support.helpers import MINIMAL


def test_invalid_utf8_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.yaml").write_bytes(MINIMAL.encode() + b"x: \xff\xfe\n")
    result = CliRunner().invoke(main, ["validate", "-m", "m.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  m.yaml:16: (top level): not valid UTF-8 (byte 0xff at offset 264) "
        "(save the file as UTF-8)"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = MINIMAL.replace("axes:", "axis:").replace("format: 1", "format: 2")
    Path("m.yaml").write_text(text)
    result = CliRunner().invoke(main, ["validate", "-m", "m.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: invalid matrix (2 problems):",
        "  m.yaml:1:1: format: expected 1, got the number 2",
        "  m.yaml:5:1: axis: unknown key 'axis' (did you mean 'axes'?)",
    ]


def test_missing_matrix_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "-m", "nope.yaml"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "  nope.yaml: (top level): no such file (pass --matrix PATH)"
    )
