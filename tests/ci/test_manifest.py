"""`bakegen manifest`: joins per platform, TAG_LATEST read as bake reads it, each tag named once; the
templates only manifest and run expand are checked by validate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.ci.manifest import joins
from bakegen.cli import main
from bakegen.envbool import parse_bool
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import DEFAULT_MATRIX, Compiled
from bakegen.resolve.scope import distinct
from tests.support import ROOT
from tests.support.cli import output_of as run
from tests.support.helpers import MINIMAL, write

PAIR = ["-s", "trtllm-cuda13-0-amd64-dev", "-s", "trtllm-cuda13-0-arm64-dev"]


def manifest(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str, str]:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COMMIT_SHA", "abc")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(main, ["manifest", "--dry-run", *PAIR])
    return result.exit_code, result.stdout, result.stderr


# Go's strconv.ParseBool, which bake applies to a boolean variable set from the environment.
@pytest.mark.parametrize(
    ("text", "value"),
    [(t, True) for t in ("1", "t", "T", "TRUE", "true", "True")]
    + [(f, False) for f in ("0", "f", "F", "FALSE", "false", "False")],
)
def test_tag_latest_follows_go_parse_bool(
    monkeypatch: pytest.MonkeyPatch, text: str, value: bool
) -> None:
    assert parse_bool(text) is value
    code, out, _ = manifest(monkeypatch, VERSION="v2.0.0", TAG_LATEST=text)
    assert code == 0
    assert ("latest-trtllm-dev-cuda13" in out) is value


@pytest.mark.parametrize("text", ["yes", "tRuE", "", " true", "on"])
def test_other_tag_latest_values_are_an_error_as_in_bake(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    code, out, err = manifest(monkeypatch, VERSION="v2.0.0", TAG_LATEST=text)
    assert (code, out) == (1, "")
    assert err == (
        f"Error: TAG_LATEST={text!r} is not a boolean: bake reads it with Go's "
        "strconv.ParseBool, which takes 1, t, T, TRUE, true, True, 0, f, F, FALSE, false or "
        "False\n"
    )


def test_a_tag_two_templates_give_is_named_once(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = manifest(monkeypatch, VERSION="latest", TAG_LATEST="true")
    assert code == 0
    assert out == (
        "docker buildx imagetools create -t dynamo:latest-trtllm-dev-cuda13 "
        "dynamo:latest-trtllm-dev-cuda13-amd64 dynamo:latest-trtllm-dev-cuda13-arm64\n"
    )


# -- validate checks what only manifest and run expand ------------------------------------------
def test_validate_checks_manifest_tag_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (ROOT / DEFAULT_MATRIX).read_text()
    old = 'tags: ["{version}-{framework}-{target}{cuda.tag_suffix}"]'
    assert old in text
    Path("m.yaml").write_text(text.replace(old, 'tags: ["{version}-{platform.id}"]'))
    result = CliRunner().invoke(main, ["validate", "-m", "m.yaml"])
    assert result.exit_code == 1
    assert "ci.manifest.tags[0]: unknown placeholder {platform.id}" in result.stderr


@pytest.mark.parametrize(
    ("home", "message"),
    [
        ("/home/{nope}", "run.home: unknown placeholder {nope}"),
        ("home/ubuntu", "run.home: 'home/ubuntu' is not an absolute path"),
    ],
)
def test_validate_checks_run_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL + f'run:\n  home: "{home}"\n')
    write(tmp_path, "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n", "Dockerfile")
    result = CliRunner().invoke(main, ["validate", "-m", "matrix.yaml"])
    assert result.exit_code == 1
    assert f"matrix.yaml:17:3: {message}" in result.stderr


def test_tags_on_a_shared_stage_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = MINIMAL + (
        "shared:\n  base:\n    axes: [os]\n    dockerfile: Dockerfile\n    stage: runtime\n"
        '    tags: ["{version}-base"]\n'
    )
    write(tmp_path, text)
    write(tmp_path, "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n", "Dockerfile")
    result = CliRunner().invoke(main, ["validate", "-m", "matrix.yaml"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: invalid matrix (1 problem):\n"
        "  matrix.yaml:21:5: shared.base.tags: a shared stage gets no tags: bake builds it only "
        "as a context of the targets that use it (remove 'tags')\n"
    )


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


def test_a_home_naming_no_axis_is_checked_once_not_per_cell() -> None:
    # "/root" reads the same for every cell: the first cell is enough, and a matrix of
    # 100,000 cells is not walked for it.
    matrix = load_matrix_text(MINIMAL)

    def cells() -> Iterator[tuple[tuple[tuple[str, str], ...], str]]:
        yield (("cuda", "12.8"),), "first"
        raise AssertionError("read past the first cell")

    assert distinct("/root", matrix.model.axes, cells()) == [((("cuda", "12.8"),), "first")]
    with pytest.raises(AssertionError, match="past the first"):
        distinct("/home/{name}", matrix.model.axes, cells())


# -- the variables manifest reads are checked as bake checks them -------------------------------
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VERSION", "a:b/c"),
        ("VERSION", ""),
        ("VERSION", "v" * 200),
        ("REGISTRY", "evil.example/x:tag"),
        ("REGISTRY", "ghcr.io/acme "),
        ("IMAGE_NAME", "Upper/Case"),
        ("IMAGE_NAME", "app:latest"),
    ],
)
def test_manifest_checks_registry_image_name_and_version(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    env = {"VERSION": "v2.0.0", name: value}
    code, out, err = manifest(monkeypatch, **env)
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: {name}")
    assert "imagetools" not in err
