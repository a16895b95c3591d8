"""`bakegen ci --format gitlab` quotes every value it pastes into a job's shell line."""

from __future__ import annotations

import shlex

import pytest
import yaml
from click.testing import CliRunner

from bakegen.cli import main
from tests.support import ROOT

HOSTILE = "out dir/bake;touch pwned $(id) `id` 'q'.hcl"


def test_a_bake_file_path_reaches_the_shell_as_one_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main,
        [
            "ci",
            "--format",
            "gitlab",
            "--bake-file",
            HOSTILE,
            "--bake-file",
            "b.hcl",
            "-s",
            "vllm-cuda13-0-arm64-dev",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    line = doc["layer3-arm64"]["script"][0]
    assert shlex.split(line) == [
        "docker",
        "buildx",
        "bake",
        "-f",
        HOSTILE,
        "-f",
        "b.hcl",
        "--push",
        "$BAKE_TARGETS",
    ]
    # The plain paths read as before.
    assert line.endswith(" -f b.hcl --push $BAKE_TARGETS")
