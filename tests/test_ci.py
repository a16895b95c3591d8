"""`bakegen ci`, `--changed-since`, `manifest`, and the example pipelines."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections import Counter
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from bakegen.changes import affected
from bakegen.ciplan import layers, plan
from bakegen.cli import main
from bakegen.manifest import joins
from bakegen.pipeline import DEFAULT_MATRIX, Compiled, compile_path
from tests.conftest import ROOT, git


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return compile_path(ROOT / DEFAULT_MATRIX)


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
def test_shards_within_a_layer_differ_by_at_most_one(compiled: Compiled, shards: int) -> None:
    jobs = plan(compiled, shards)
    for layer in {j.layer for j in jobs}:
        sizes = [len(j.targets) for j in jobs if j.layer == layer]
        assert max(sizes) - min(sizes) <= 1, (layer, sizes)
        per_bucket = Counter((j.platform, j.push) for j in jobs if j.layer == layer)
        assert max(per_bucket.values()) <= shards


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


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


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


# -- --changed-since on a real repository --------------------------------------------------
@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    for name in ("matrix", "dockerfiles"):
        shutil.copytree(ROOT / name, repo / name)
    for name in (".dockerignore", "README.md"):
        shutil.copy(ROOT / name, repo / name)
    (repo / "lib").mkdir()
    (repo / "lib" / "kernel.py").write_text("x = 1\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    monkeypatch.chdir(repo)
    return repo


def changed(repo: Path) -> frozenset[str]:
    return affected(compile_path(Path("matrix/default.yaml")), "HEAD", repo).targets


def names(pattern: str, compiled: Compiled) -> set[str]:
    return {t.name for t in compiled.resolution.targets if re.fullmatch(pattern, t.name)}


def test_readme_edit_selects_nothing(project: Path) -> None:
    (project / "README.md").write_text("changed\n")
    (project / "docs.md").write_text("new\n")
    assert changed(project) == frozenset()


def test_dockerfile_edit_selects_its_targets_and_their_dependents(project: Path) -> None:
    path = project / "dockerfiles" / "sglang.Dockerfile"
    path.write_text(path.read_text() + "LABEL edited=1\n")
    compiled = compile_path(Path("matrix/default.yaml"))
    assert changed(project) == names(r"sglang-.*", compiled)
    assert len(changed(project)) == 24


def test_matrix_value_edit_selects_the_cells_it_shapes(project: Path) -> None:
    path = project / "matrix" / "default.yaml"
    text = path.read_text()
    path.write_text(
        text.replace(
            "vllm_runtime_tag: 13.0.2-runtime-ubuntu24.04",
            "vllm_runtime_tag: 13.0.3-runtime-ubuntu24.04",
        )
    )
    compiled = compile_path(Path("matrix/default.yaml"))
    assert changed(project) == names(r"vllm-cuda13-0-.*", compiled)
    assert len(changed(project)) == 12


def test_matrix_shape_change_selects_everything(project: Path) -> None:
    path = project / "matrix" / "default.yaml"
    path.write_text(
        path.read_text().replace(
            '      "13.0":\n',
            '      "13.1":\n        vars: {tag_suffix: -cuda13-1, base_tag: a, vllm_runtime_tag: b,'
            " sglang_runtime_tag: c}\n"
            '      "13.0":\n',
        )
    )
    compiled = compile_path(Path("matrix/default.yaml"))
    found = affected(compiled, "HEAD", project)
    assert found.targets == {t.name for t in compiled.resolution.targets}
    assert found.reason == "the matrix changed shape"


def test_file_under_the_build_context_selects_what_copies_it(project: Path) -> None:
    (project / "lib" / "kernel.py").write_text("x = 2\n")
    compiled = compile_path(Path("matrix/default.yaml"))
    # wheel_builder and dev COPY the whole context; base copies nothing.
    expected = {t.name for t in compiled.resolution.targets} - names(r"base-.*", compiled)
    assert changed(project) == expected


def test_named_context_directory(project: Path) -> None:
    # Outside the main context (.dockerignore), so only the targets naming it read it.
    with (project / ".dockerignore").open("a") as handle:
        handle.write("efa/\n")
    path = project / "matrix" / "default.yaml"
    path.write_text(
        path.read_text().replace(
            "        links: {image: {target: runtime}}\n",
            "        links: {image: {target: runtime}}\n        contexts: {efa_files: ./efa}\n",
            1,
        )
    )
    (project / "efa").mkdir()
    (project / "efa" / "installer.sh").write_text("echo 1\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "efa context")
    (project / "efa" / "installer.sh").write_text("echo 2\n")
    compiled = compile_path(Path("matrix/default.yaml"))
    assert changed(project) == names(r".*-runtime-aws", compiled)


def test_unknown_revision_is_a_clear_error(project: Path) -> None:
    result = CliRunner().invoke(main, ["ci", "--changed-since", "no-such-ref"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: --changed-since no-such-ref: git does not know the revision 'no-such-ref'\n"
    )


def test_cli_changed_since_limits_the_jobs(project: Path) -> None:
    path = project / "dockerfiles" / "efa.Dockerfile"
    path.write_text(path.read_text() + "LABEL x=1\n")
    result = CliRunner().invoke(main, ["ci", "--changed-since", "HEAD"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    placed = sorted(t for job in doc["jobs"] for t in job["targets"])
    assert len(placed) == 42
    assert all(t.endswith("-aws") for t in placed)
    assert "--changed-since HEAD: 42 targets affected" in result.stderr


# -- manifest -----------------------------------------------------------------------------
def test_manifest_joins_platforms(compiled: Compiled) -> None:
    values = {
        "REGISTRY": "ghcr.io/acme",
        "IMAGE_NAME": "dynamo",
        "VERSION": "v1.0.0",
        "TAG_LATEST": "true",
        "IMAGE": "ghcr.io/acme/dynamo",
    }
    found = {j.tags[0]: j for j in joins(compiled, values)}
    assert len(found) == 42
    # CUDA 12.9's joined tags are the names build.sh gave its single-platform images.
    join = found["ghcr.io/acme/dynamo:v1.0.0-vllm-runtime"]
    assert join.argv() == [
        "docker",
        "buildx",
        "imagetools",
        "create",
        "-t",
        "ghcr.io/acme/dynamo:v1.0.0-vllm-runtime",
        "-t",
        "ghcr.io/acme/dynamo:latest-vllm-runtime",
        "ghcr.io/acme/dynamo:v1.0.0-vllm-runtime-amd64",
        "ghcr.io/acme/dynamo:v1.0.0-vllm-runtime-arm64",
    ]
    assert "ghcr.io/acme/dynamo:v1.0.0-sglang-dev-cuda13" in found


def test_manifest_dry_run_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("VERSION", "v2.0.0")
    monkeypatch.setenv("COMMIT_SHA", "abc")
    monkeypatch.setenv("TAG_LATEST", "false")
    out = run(
        "manifest",
        "--dry-run",
        "-s",
        "trtllm-cuda13-0-amd64-dev",
        "-s",
        "trtllm-cuda13-0-arm64-dev",
    )
    assert out == (
        "docker buildx imagetools create -t dynamo:v2.0.0-trtllm-dev-cuda13 "
        "dynamo:v2.0.0-trtllm-dev-cuda13-amd64 dynamo:v2.0.0-trtllm-dev-cuda13-arm64\n"
    )


def test_manifest_template_cannot_use_the_joined_axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (
        (ROOT / DEFAULT_MATRIX)
        .read_text()
        .replace(
            'tags: ["{version}-{framework}-{target}{cuda.tag_suffix}"]',
            'tags: ["{version}-{platform.id}"]',
        )
    )
    Path("m.yaml").write_text(text)
    result = CliRunner().invoke(main, ["manifest", "--dry-run", "-m", "m.yaml"])
    assert result.exit_code == 1
    assert "ci.manifest.tags[0]: unknown placeholder {platform.id}" in result.stderr


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


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
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
