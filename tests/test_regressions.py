"""One test per known build.sh / run.sh bug (the inventory's section 6) that could recur here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.dockerfiles.parse import parse
from bakegen.lint.linter import lint
from bakegen.pipeline import Compiled
from bakegen.run import choose_cell, image_of
from bakegen.templating import plain
from tests.bake_eval import Bake
from tests.support import ROOT
from tests.support.git import git

EXAMPLE = (ROOT / "docker-bake.hcl.example").read_text()


def test_enable_media_nixl_is_declared_in_the_stage_that_reads_it() -> None:
    info = parse(ROOT / "dockerfiles" / "base.Dockerfile")
    wheel_builder = info.stage("wheel_builder")
    assert wheel_builder is not None
    assert "ENABLE_MEDIA_NIXL" in wheel_builder.args
    assert any(name == "ENABLE_MEDIA_NIXL" for name, _ in wheel_builder.reads)
    assert "ENABLE_MEDIA_NIXL" not in info.global_args


def test_no_lint_error_on_the_default_matrix(
    compiled: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert [f for f in lint(compiled) if f.severity == "error"] == []


def test_efa_images_build_on_their_own_base_target(compiled: Compiled) -> None:
    bases = {"runtime-aws": "runtime", "dev-aws": "dev", "local-dev-aws": "local-dev"}
    cells = {t.values: t.name for t in compiled.resolution.targets if t.kind == "cell"}
    seen = Counter()
    for target in compiled.resolution.targets:
        kind = dict(target.values).get("target")
        if kind in bases:
            base_values = tuple((a, bases[kind] if a == "target" else v) for a, v in target.values)
            assert dict(target.contexts)["image"] == (f"target:{cells[base_values]}",)
            seen[kind] += 1
    assert seen == {"runtime-aws": 14, "dev-aws": 14, "local-dev-aws": 14}


def test_no_two_images_share_a_tag(compiled: Compiled) -> None:
    tags = Counter(
        plain(t)
        for target in compiled.resolution.targets
        for t in (*target.tags, *target.latest_tags)
    )
    assert [t for t, n in tags.items() if n > 1] == []


def test_tokens_in_the_environment_never_become_build_args(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_sentinel000000000000000000000000")
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-sentinel")
    out = CliRunner().invoke(main, ["render", "-o", "-", "--no-git-vars"]).stdout
    assert "sentinel" not in out
    assert "GITHUB_TOKEN" not in out
    assert "GITLAB_TOKEN" not in out


def test_args_go_only_where_a_dockerfile_reads_them() -> None:
    bake = Bake(EXAMPLE)
    for name in bake.targets:
        if name.startswith("_"):
            continue
        args = bake.target(name).get("args", {})
        if "MAX_JOBS" in args:
            assert name.startswith("vllm-"), name
            assert name.endswith("-runtime"), name
        if "EFA_VERSION" in args:
            assert name.endswith("-aws"), name
        assert "GRACE_BLACKWELL" not in args
        assert "BUILD_TYPE" not in args


def test_the_ambient_environment_does_not_change_the_bake_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    for key, value in {
        "CUDA_VERSION": "13.0",
        "MAX_JOBS": "99",
        "BUILD_ARGS": "--x",
        "FRAMEWORK": "sglang",
        "TARGET": "runtime",
        "BASE_IMAGE_TAG": "x",
    }.items():
        monkeypatch.setenv(key, value)
    out = CliRunner().invoke(main, ["render", "-o", "-", "--no-git-vars"]).stdout
    assert out == EXAMPLE


def test_version_comes_from_the_matrix_repository_not_the_working_directory(
    make_repo: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = make_repo()  # type: ignore[operator]
    (repo / "matrix").mkdir()
    (repo / "matrix" / "m.yaml").write_text(
        'format: 1\nimage: {name: app, tags: ["{version}-{name}"]}\n'
        "axes: {t: {values: {a: {}}}}\ndefaults: {dockerfile: Dockerfile}\n"
    )
    (repo / "Dockerfile").write_text("FROM ubuntu:24.04\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "m")
    git(repo, "tag", "v5.0.0")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(main, ["git-version", "-m", str(repo / "matrix" / "m.yaml")])
    assert result.stdout == "v5.0.0\n"


def test_run_target_dev_names_an_image_the_bake_file_tags(compiled: Compiled) -> None:
    values = {"IMAGE": "dynamo", "VERSION": "v1", "TAG_LATEST": "true"}
    cell = choose_cell(compiled, {"framework": "vllm", "target": "dev"}, "linux/amd64")
    bake = Bake(EXAMPLE)
    assert image_of(cell, values) in bake.target(cell.name)["tags"]


def test_local_dev_refuses_uid_zero() -> None:
    assert Bake(EXAMPLE, env={"USER_UID": "0"}).violations()
    text = (ROOT / "dockerfiles" / "dev.Dockerfile").read_text()
    assert 'test "${USER_UID}" != 0' in text


def test_sccache_needs_bucket_and_region_like_build_sh() -> None:
    assert Bake(EXAMPLE, env={"USE_SCCACHE": "true", "SCCACHE_BUCKET": "b"}).violations() == [
        "USE_SCCACHE: USE_SCCACHE=true needs SCCACHE_BUCKET and SCCACHE_REGION"
    ]
