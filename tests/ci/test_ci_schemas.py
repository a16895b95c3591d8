"""The ready pipelines of docs/ci, and what `bakegen ci` generates for them, pass the JSON
Schemas GitHub Actions workflows and GitLab CI files are checked with: the ones PyPI's
check-jsonschema ships (vendored in the package, so the check runs offline)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT
from tests.support.cli import output_of as bakegen

GITHUB = "vendor.github-workflows"
GITLAB = "vendor.gitlab-ci"


def check(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def assert_valid(schema: str, path: Path) -> None:
    result = check(schema, path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("github-actions.yml", GITHUB),
        ("github-metadata-action.yml", GITHUB),
        ("github-push-by-digest.yml", GITHUB),
        ("gitlab-ci.yml", GITLAB),
    ],
)
def test_ready_pipeline_passes_its_schema(name: str, schema: str) -> None:
    assert_valid(schema, ROOT / "docs" / "ci" / name)


@pytest.mark.parametrize(
    ("schema", "text"),
    [
        (GITHUB, "on: push\njobs:\n  a:\n    steps: [{run: x}]\n"),  # no runs-on
        (GITLAB, "build:\n  stage: build\n  script: echo\n  needs: {job: x}\n"),
    ],
)
def test_the_schemas_refuse_a_broken_pipeline(tmp_path: Path, schema: str, text: str) -> None:
    path = tmp_path / "pipeline.yml"
    path.write_text(text)
    assert check(schema, path).returncode == 1


def test_generated_gitlab_child_pipeline_passes_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    text = bakegen(
        "ci",
        "--format",
        "gitlab",
        "--shards",
        "4",
        "--bake-file",
        "docker-bake.hcl",
        "--bake-file",
        "docker-bake.override.hcl",
    )
    path = tmp_path / "child.yml"
    path.write_text(text)
    assert len(yaml.safe_load(text)) > 10
    assert_valid(GITLAB, path)


def test_generated_github_matrices_pass_the_schema_in_the_ready_workflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each layer job of docs/ci/github-actions.yml with the `strategy.matrix` that
    `bakegen ci --format github --layer N` gives written in place of the fromJSON()."""
    monkeypatch.chdir(ROOT)
    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions.yml").read_text())
    layers = [name for name in workflow["jobs"] if name.startswith("layer")]
    assert layers
    for name in layers:
        job = workflow["jobs"][name]
        matrix = json.loads(
            bakegen("ci", "--format", "github", "--shards", "4", "--layer", name[5:])
        )
        assert matrix["include"]
        job["strategy"]["matrix"] = copy.deepcopy(matrix)
    path = tmp_path / "workflow.json"
    # PyYAML reads the bare `on:` key as True; GitHub's key is the string "on".
    workflow["on"] = workflow.pop(True)
    path.write_text(json.dumps(workflow))
    assert_valid(GITHUB, path)
