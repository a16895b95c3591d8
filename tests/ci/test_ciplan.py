"""`bakegen ci`: jobs in dependency layers, per platform and shard; the CI formats; the
example pipelines and pre-commit hooks name only real commands."""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from pathlib import Path

import click
import pytest
import yaml

from bakegen.ci.plan import layers, plan
from bakegen.ci.stage_groups import bound
from bakegen.cli import main
from bakegen.pipeline import Compiled, compile_path
from tests.support import ROOT
from tests.support.cli import output_of as run


@pytest.mark.parametrize("shards", [1, 2, 3, 4, 7, 100])
def test_jobs_cover_every_target_once_in_dependency_order(compiled: Compiled, shards: int) -> None:
    jobs = plan(compiled, shards)
    placed = Counter(t for job in jobs for t in job.targets)
    assert set(placed) == {t.name for t in compiled.resolution.targets}
    assert set(placed.values()) == {1}
    layer_of = {t: job.layer for job in jobs for t in job.targets}
    job_of = {t: job.name for job in jobs for t in job.targets}
    for target in compiled.resolution.targets:
        for dep in target.depends_on:
            assert job_of[dep] == job_of[target.name] or layer_of[dep] < layer_of[target.name]
    for job in jobs:
        assert (
            len(
                {
                    "/".join(t.platforms)
                    for t in compiled.resolution.targets
                    if t.name in job.targets
                }
            )
            == 1
        )


@pytest.mark.parametrize("shards", [1, 2, 3, 4, 5, 6, 7])
def test_shards_within_a_layer_keep_the_balance_bound(compiled: Compiled, shards: int) -> None:
    jobs = plan(compiled, shards)
    for layer in {j.layer for j in jobs}:
        per_bucket = Counter((j.platform, j.push) for j in jobs if j.layer == layer)
        assert max(per_bucket.values()) <= shards
        for platform, push in per_bucket:
            sizes = [
                len(j.targets)
                for j in jobs
                if (j.layer, j.platform, j.push) == (layer, platform, push)
            ]
            assert max(sizes) <= bound(sum(sizes), shards), (layer, sizes)


def test_layers_of_the_default_matrix(compiled: Compiled) -> None:
    depth = layers(compiled.resolution.targets)
    assert depth["base-cuda12-9-amd64"] == 0
    assert depth["wheel-builder-cuda12-9-amd64"] == 1
    assert depth["vllm-cuda12-9-amd64-runtime"] == 2
    assert depth["sglang-cuda12-9-amd64-runtime"] == 2
    assert depth["vllm-cuda12-9-amd64-dev"] == 3
    assert depth["vllm-cuda12-9-amd64-runtime-aws"] == 3
    assert depth["vllm-cuda12-9-amd64-local-dev-aws"] == 4


def test_runner_and_push_per_job(compiled: Compiled) -> None:
    jobs = {j.name: j for j in plan(compiled, 1)}
    assert jobs["layer0-arm64-cache"].runner == "ubuntu-24.04-arm"
    assert jobs["layer0-arm64-cache"].push is False
    assert jobs["layer2-amd64"].runner == "ubuntu-24.04"
    assert jobs["layer2-amd64"].push is True
    assert jobs["layer2-amd64"].needs == ("layer0-amd64-cache", "layer1-amd64-cache")


def test_github_format_is_a_strategy_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    doc = json.loads(run("ci", "--format", "github", "--layer", "1"))
    assert [e["name"] for e in doc["include"]] == ["layer1-amd64-cache", "layer1-arm64-cache"]
    assert (
        doc["include"][0]["targets"] == "wheel-builder-cuda12-9-amd64,wheel-builder-cuda13-0-amd64"
    )


def test_gitlab_format_is_a_child_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    doc = yaml.safe_load(
        run(
            "ci",
            "--format",
            "gitlab",
            "--bake-file",
            "docker-bake.hcl",
            "-s",
            "vllm-cuda13-0-arm64-dev",
        )
    )
    assert doc["stages"] == ["layer0", "layer1", "layer2", "layer3"]
    job = doc["layer3-arm64"]
    assert job["stage"] == "layer3"
    assert job["tags"] == ["ubuntu-24.04-arm"]
    assert job["needs"] == [{"pipeline": "$PARENT_PIPELINE_ID", "job": "plan"}, "layer2-arm64"]
    assert job["variables"]["BAKE_TARGETS"] == "vllm-cuda13-0-arm64-dev"
    assert job["script"] == ["docker buildx bake -f docker-bake.hcl --push $BAKE_TARGETS"]
    assert doc["layer0-arm64-cache"]["script"] == [
        "docker buildx bake -f docker-bake.hcl $BAKE_TARGETS"
    ]


# -- the example pipelines ------------------------------------------------------------------
def bakegen_commands(doc: object) -> list[str]:
    """Every `bakegen …` command line in a parsed pipeline."""
    found: list[str] = []
    if isinstance(doc, dict):
        for value in doc.values():
            found += bakegen_commands(value)
    elif isinstance(doc, list):
        for value in doc:
            found += bakegen_commands(value)
    elif isinstance(doc, str):
        for line in doc.splitlines():
            match = re.search(r"\bbakegen (.*?)(?:\s*(?:>|\||&&|;|\)\"?\s*>>).*)?$", line)
            if match and not line.lstrip().startswith(("pip ", "- pip", "#")):
                found.append(match.group(1))
    return found


@pytest.mark.parametrize(
    "name", ["github-actions.yml", "gitlab-ci.yml", "github-push-by-digest.yml"]
)
def test_example_pipeline_uses_only_real_commands(name: str) -> None:
    doc = yaml.safe_load((ROOT / "docs" / "ci" / name).read_text())
    assert isinstance(doc, dict)
    commands = bakegen_commands(doc)
    assert len(commands) >= 4
    for command in commands:
        # Shell variables stand for what the pipeline puts in them.
        command = command.replace("$CHANGED", "--changed-since=origin/main")
        command = command.replace('"$layer"', "0")
        words = [w for w in shlex.split(command.replace("$", "")) if w]
        words = [re.sub(r"\{\{.*?\}\}", "x", w) for w in words]
        group_ctx = main.make_context("bakegen", list(words), resilient_parsing=False)
        sub = main.get_command(group_ctx, words[0])
        assert sub is not None, command
        try:
            sub.make_context(words[0], words[1:])
        except click.UsageError as exc:  # pragma: no cover - the failure message matters
            pytest.fail(f"{name}: `bakegen {command}`: {exc}")
    assert {c.split()[0] for c in commands} >= {"lint", "render", "ci", "manifest"}


def test_github_pipeline_uses_bake_action_with_local_source() -> None:
    doc = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions.yml").read_text())
    steps = doc["jobs"]["layer0"]["steps"]
    bake = next(s for s in steps if s.get("uses", "").startswith("docker/bake-action@"))
    assert int(bake["uses"].split("@v")[1]) >= 6
    assert bake["with"]["source"] == "."
    assert any(s.get("uses", "").startswith("docker/setup-buildx-action@") for s in steps)
    assert [k for k in doc["jobs"] if k.startswith("layer")] == [f"layer{i}" for i in range(5)]


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["entry"] for h in hooks] == ["bakegen render --check", "bakegen lint"]


@pytest.mark.parametrize(("tags", "push"), [("join", True), ("replace", True), ("none", False)])
def test_cells_tagged_only_by_docker_metadata_action_are_push_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tags: str, push: bool
) -> None:
    """With `image.tags: []`, the action's tags are what a cell pushes: its job pushes."""
    (tmp_path / "Dockerfile").write_text("FROM scratch AS runtime\n")
    (tmp_path / "matrix.yaml").write_text(
        "format: 1\nimage: {name: app, tags: []}\ndefaults: {dockerfile: Dockerfile}\n"
        "axes:\n  target: {values: {runtime: {stage: runtime}}}\n"
        f"ci:\n  metadata_action: {{tags: {tags}}}\n"
    )
    monkeypatch.chdir(tmp_path)
    jobs = plan(compile_path(Path("matrix.yaml")))
    assert [(j.targets, j.push) for j in jobs] == [(("runtime",), push)]
