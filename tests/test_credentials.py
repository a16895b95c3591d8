"""With credentials in the environment, no output of any command contains them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from tests.support.projects import commit_all, default_project

SENTINELS = {
    "AWS_ACCESS_KEY_ID": "AKIASENTINEL00000000",
    "AWS_SECRET_ACCESS_KEY": "sentinel-secret-access-key-value",
    "GITHUB_TOKEN": "ghp_sentinelsentinelsentinelsentinel00",
}

COMMANDS = [
    ["render", "-o", "-"],
    ["render", "-o", "-", "--format", "json"],
    ["render"],
    ["render", "--format", "json"],
    ["validate"],
    ["list"],
    ["list", "--format", "json"],
    ["list", "--format", "names"],
    ["lint"],
    ["lint", "--format", "json"],
    ["explain", "wheel-builder-cuda12-9-amd64"],
    ["explain", "vllm-cuda12-9-amd64-runtime", "--format", "json"],
    ["ci", "--format", "json"],
    ["ci", "--format", "github"],
    ["ci", "--format", "gitlab"],
    ["ci", "--changed-since", "HEAD"],
    ["graph"],
    ["graph", "--format", "dot"],
    ["manifest", "--dry-run"],
    ["run", "--dry-run", "--mount-workspace", "-e", "AWS_ACCESS_KEY_ID", "-it"],
    ["run", "--dry-run", "--framework", "sglang", "--use-nixl-gds"],
    ["git-version"],
    ["schema"],
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return commit_all(default_project(tmp_path_factory.mktemp("project")))


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_output_contains_a_credential(
    args: list[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    for key, value in SENTINELS.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    written = [p.read_text() for p in project.glob("docker-bake*")]
    for value in SENTINELS.values():
        assert value not in result.stdout
        assert value not in result.stderr
        for text in written:
            assert value not in text
