"""`bakegen ci` at real sizes: shards keep targets sharing a heavy stage together, and the
GitHub format never puts more than 256 jobs into one strategy.matrix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.ciplan import plan
from bakegen.pipeline import compile_path
from bakegen.stage_groups import bound, groups
from tests.helpers import write

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
