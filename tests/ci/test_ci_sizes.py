"""`bakegen ci` at real sizes: shards keep targets sharing a heavy stage together, and the
GitHub format never puts more than 256 jobs into one strategy.matrix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.ci.plan import plan
from bakegen.ci.stage_groups import bound, groups
from bakegen.cli import main
from bakegen.pipeline import compile_path
from tests.support.helpers import write

# llama.cpp's shape: one Dockerfile, a `build` stage that compiles per backend, and three
# images built on it.
LLAMA_DOCKERFILE = """\
ARG BACKEND=cpu
FROM ubuntu:24.04 AS build
ARG BACKEND
COPY --link . /src
RUN echo compile for $BACKEND > /src/out

FROM ubuntu:24.04 AS base
RUN echo runtime deps

FROM base AS full
COPY --from=build /src /app

FROM base AS light
COPY --from=build /src/out /app/cli

FROM base AS server
COPY --from=build /src/out /app/server
"""

LLAMA_MATRIX = """\
format: 1
image:
  name: llama
  tags: ["{version}-{backend}-{target}"]
axes:
  backend:
    values:
      cpu: {args: {BACKEND: cpu}}
      cuda: {args: {BACKEND: cuda}}
      rocm: {args: {BACKEND: rocm}}
      vulkan: {args: {BACKEND: vulkan}}
      musa: {args: {BACKEND: musa}}
      intel: {args: {BACKEND: intel}}
  target:
    values:
      full: {stage: full}
      light: {stage: light}
      server: {stage: server}
defaults:
  dockerfile: Dockerfile
"""


@pytest.fixture
def llama(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Dockerfile").write_text(LLAMA_DOCKERFILE)
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, LLAMA_MATRIX)


def backend_of(target: str) -> str:
    return target.split("-")[0]


@pytest.mark.parametrize("shards", [2, 3, 4, 5, 6])
def test_no_backend_build_stage_is_compiled_in_two_shards(llama: Path, shards: int) -> None:
    compiled = compile_path(llama)
    assert len(compiled.resolution.targets) == 18
    jobs = plan(compiled, shards)
    assert 1 < len(jobs) <= shards
    where: dict[str, set[str]] = {}
    for job in jobs:
        for target in job.targets:
            where.setdefault(backend_of(target), set()).add(job.name)
    assert len(where) == 6
    assert all(len(names) == 1 for names in where.values()), where
    assert max(len(j.targets) for j in jobs) <= bound(18, shards)


def test_groups_follow_the_arg_the_build_stage_declares(llama: Path) -> None:
    targets = compile_path(llama).resolution.targets
    found = groups(list(targets), Path(), 7)
    assert sorted(sorted({backend_of(t) for t in g}) for g in found) == [
        [b] for b in sorted(["cpu", "cuda", "rocm", "vulkan", "musa", "intel"])
    ]
    assert all(len(g) == 3 for g in found)


def test_a_stage_without_run_does_not_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No stage runs anything: repeating one costs nothing, so the even split stays.
    text = LLAMA_DOCKERFILE.replace("RUN echo compile", "COPY x").replace("RUN echo", "COPY y")
    (tmp_path / "Dockerfile").write_text(text)
    monkeypatch.chdir(tmp_path)
    compiled = compile_path(write(tmp_path, LLAMA_MATRIX))
    assert all(len(g) == 1 for g in groups(list(compiled.resolution.targets), Path(), 18))
    sizes = sorted(len(j.targets) for j in plan(compiled, 4))
    assert sizes == [4, 4, 5, 5]


def test_groups_too_large_for_the_bound_are_split_evenly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every target shares one compile stage: packing it whole would make one job of 18.
    (tmp_path / "Dockerfile").write_text(LLAMA_DOCKERFILE.replace("ARG BACKEND\n", "", 1))
    monkeypatch.chdir(tmp_path)
    compiled = compile_path(write(tmp_path, LLAMA_MATRIX))
    assert [len(g) for g in groups(list(compiled.resolution.targets), Path(), 18)] == [18]
    assert sorted(len(j.targets) for j in plan(compiled, 4)) == [4, 4, 5, 5]


# -- GitHub: at most 256 jobs in one strategy.matrix -----------------------------------------
def large_matrix(directory: Path, cells: int) -> Path:
    (directory / "Dockerfile").write_text("FROM busybox AS app\nRUN echo $N\n")
    values = "\n".join(f"      n{i}: {{args: {{N: '{i}'}}}}" for i in range(cells))
    text = (
        "format: 1\nimage:\n  name: big\n  tags: ['{version}-{n}']\n"
        f"axes:\n  n:\n    values:\n{values}\n"
        "defaults:\n  dockerfile: Dockerfile\n  stage: app\n"
    )
    return write(directory, text)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [args[0], "--matrix", "matrix.yaml", *args[1:]])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return large_matrix(tmp_path, 300)


def test_github_matrix_over_256_jobs_fails_with_how_to_split(big: Path) -> None:
    code, out, err = invoke("ci", "--format", "github", "--shards", "300", "--layer", "0")
    assert code == 2, err
    assert out == ""
    assert "layer 0 has 300 jobs" in err
    assert "at most 256" in err
    assert "--part 1 and --part 2" in err


def test_github_parts_split_a_layer_into_matrices_of_at_most_256(big: Path) -> None:
    parts = []
    for part in (1, 2, 3):
        code, out, err = invoke(
            "ci", "--format", "github", "--shards", "300", "--layer", "0", "--part", str(part)
        )
        assert code == 0, err
        parts.append(json.loads(out)["include"])
    assert [len(p) for p in parts] == [256, 44, 0]
    names = [entry["name"] for p in parts for entry in p]
    assert len(set(names)) == 300
    targets = {t for p in parts for entry in p for t in entry["targets"].split(",")}
    assert len(targets) == 300


def test_github_parts_of_a_small_layer(big: Path) -> None:
    code, out, _ = invoke("ci", "--format", "github", "--shards", "4", "--layer", "0")
    assert code == 0
    assert len(json.loads(out)["include"]) == 4
    code, out, _ = invoke(
        "ci", "--format", "github", "--shards", "4", "--layer", "0", "--part", "2"
    )
    assert code == 0
    assert json.loads(out) == {"include": []}


def test_part_needs_the_github_format_and_a_layer(big: Path) -> None:
    code, _, err = invoke("ci", "--format", "json", "--part", "1")
    assert code == 2
    assert "--part" in err
    code, _, err = invoke("ci", "--format", "github", "--part", "1")
    assert code == 2
    assert "--layer" in err


def test_a_heavy_stage_chosen_by_a_platform_arg_groups_its_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ollama's shape: `ARG FLAVOR=base-${TARGETARCH}` then `FROM ${FLAVOR}`. BuildKit gives
    the default its value per platform, so both images of a platform build on one heavy stage
    and share a job."""
    (tmp_path / "Dockerfile").write_text(
        "ARG FLAVOR=base-${TARGETARCH}\n"
        "FROM scratch AS base-amd64\nRUN echo compile amd64\n"
        "FROM scratch AS base-arm64\nRUN echo compile arm64\n"
        "FROM ${FLAVOR} AS server\nRUN echo server\n"
        "FROM ${FLAVOR} AS cli\nRUN echo cli\n"
    )
    matrix = """\
format: 1
image: {name: app}
defaults: {dockerfile: Dockerfile}
axes:
  arch:
    values:
      amd64: {platforms: [linux/amd64]}
      arm64: {platforms: [linux/arm64]}
  kind:
    values:
      server: {stage: server}
      cli: {stage: cli}
"""
    monkeypatch.chdir(tmp_path)
    compiled = compile_path(write(tmp_path, matrix))
    found = groups(list(compiled.resolution.targets), Path(), 2)
    assert sorted(sorted(g) for g in found) == [
        ["amd64-cli", "amd64-server"],
        ["arm64-cli", "arm64-server"],
    ]
