"""Targets that build several platforms: their registry cache on a builder with a node per
platform (every node writes the same ref, buildx#1044) and their place in the multi-arch join
of `bakegen manifest`. bakegen warns wherever either would be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix

MATRIX = """\
format: 1
image: {name: app, tags: ["{version}-{platform}"]}
defaults: {dockerfile: Dockerfile}
axes:
  platform:
    values:
      amd64: {platforms: [linux/amd64]}
      arm64: {platforms: [linux/arm64]}
      multi: {platforms: [linux/386, linux/s390x]}
"""
JOINED = MATRIX + 'ci: {manifest: {axis: platform, tags: ["{version}"]}}\n'


def messages(text: str) -> list[str]:
    compiled = compile_matrix(load_matrix_text(text))
    return [f"{w.location.line if w.location else None}: {w.message}" for w in compiled.warnings]


def test_a_multi_platform_target_with_the_registry_cache_warns() -> None:
    [warning] = messages(MATRIX)
    assert warning.startswith("9: 1 target builds several platforms (linux/386, linux/s390x)")
    assert "buildx#1044" in warning
    compiled = compile_matrix(load_matrix_text(MATRIX))
    hint = compiled.warnings[0].hint
    assert hint is not None
    assert "one platform per target" in hint
    assert "platform axis" in hint


def test_without_the_cache_or_with_one_platform_each_there_is_no_cache_warning() -> None:
    assert messages(MATRIX + "cache: {enabled: false}\n") == []
    single = MATRIX.replace("      multi: {platforms: [linux/386, linux/s390x]}\n", "")
    assert messages(single) == []


def test_shared_stages_that_build_several_platforms_warn_once_where_the_platforms_are_set() -> None:
    text = """\
format: 1
image: {name: app}
defaults: {dockerfile: Dockerfile, platforms: [linux/amd64, linux/arm64]}
axes:
  fw: {values: {vllm: {uses: {base: base}}, sglang: {uses: {base: base}}}}
  cuda: {values: {"12.9": {}, "13.0": {}}}
shared:
  base: {axes: [cuda], stage: base, dockerfile: Dockerfile}
"""
    [warning] = messages(text)
    assert warning.startswith("3: 6 targets build several platforms (linux/amd64, linux/arm64)")


def test_render_validate_list_and_ci_print_the_cache_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("matrix.yaml").write_text(MATRIX)
    Path("Dockerfile").write_text("FROM scratch\n")
    for command in (["render", "-o", "-"], ["validate"], ["list"], ["ci"]):
        result = CliRunner().invoke(main, [*command, "-m", "matrix.yaml"])
        assert result.exit_code == 0, result.output
        assert (
            "warning: matrix.yaml:9:15: axes.platform.values.multi.platforms: 1 target builds"
            in (result.stderr)
        ), command


def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERSION", "v1")
    monkeypatch.setenv("COMMIT_SHA", "abc")
    Path("matrix.yaml").write_text(text)
    result = CliRunner().invoke(main, ["manifest", "--dry-run", "-m", "matrix.yaml"])
    return result.exit_code, result.stdout, result.stderr


def test_manifest_warns_where_it_joins_a_multi_platform_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = manifest(tmp_path, monkeypatch, JOINED)
    assert (code, out) == (
        0,
        "docker buildx imagetools create -t app:v1 app:v1-amd64 app:v1-arm64 app:v1-multi\n",
    )
    assert (
        "warning: app:v1: app:v1-multi builds several platforms (linux/386, linux/s390x) and "
        "is joined with app:v1-amd64, app:v1-arm64 into one index"
    ) in err
    assert "one platform per value of the platform axis" in err


def test_manifest_refuses_a_join_that_lists_a_platform_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = JOINED.replace("[linux/386, linux/s390x]", "[linux/amd64, linux/arm64]")
    code, out, err = manifest(tmp_path, monkeypatch, text)
    assert (code, out) == (1, "")
    assert (
        "Error: app:v1: the index would list linux/amd64, linux/arm64 twice: app:v1-multi "
        "builds several platforms (linux/amd64, linux/arm64) and is joined with app:v1-amd64, "
        "app:v1-arm64"
    ) in err
