"""Reading Dockerfiles with BuildKit's parser: stages, ARGs, reads, mounts, sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.dockerfiles.buildgraph import plan
from bakegen.dockerfiles.parse import DockerfileInfo, parse
from bakegen.errors import DockerfileError

TEXT = """\
# syntax=docker/dockerfile:1
ARG BASE=ubuntu:24.04
ARG MODE=fast
FROM ${BASE} AS base
ARG MODE
ENV LEVEL=${MODE}
COPY src/ /src/
COPY --from=tools /bin/x /bin/x
RUN --mount=type=bind,source=scripts,target=/s --mount=type=secret,id=token \\
    --mount=type=cache,target=/root/.cache sh /s/build.sh "$MODE" \\$NOT_A_READ
FROM base-${MODE} AS picked
FROM base AS runtime
RUN <<EOT
echo $LEVEL
EOT
"""


@pytest.fixture
def info(tmp_path: Path) -> DockerfileInfo:
    path = tmp_path / "Dockerfile"
    path.write_text(TEXT)
    return parse(path)


def test_stages_args_and_uses(info: DockerfileInfo) -> None:
    assert [s.name for s in info.stages] == ["base", "picked", "runtime"]
    assert info.global_args == {"BASE": (2, "ubuntu:24.04"), "MODE": (3, "fast")}
    base = info.stage("BASE")  # stage names match case-insensitively, as in BuildKit
    assert base is not None
    assert base.args == {"MODE": 5}
    assert base.env == {"LEVEL"}
    assert [(u.ref, u.how) for u in base.uses] == [("tools", "COPY --from")]
    assert base.secrets == [("token", 9)]
    assert base.sources == ["src/", "scripts"]
    reads = {name for name, _ in base.reads}
    assert "MODE" in reads
    assert "NOT_A_READ" not in reads


def test_heredoc_reads(info: DockerfileInfo) -> None:
    runtime = info.stage("runtime")
    assert runtime is not None
    assert ("LEVEL", 13) in runtime.reads


def _built(info: DockerfileInfo, stage: str, values: dict[str, str | None]) -> list[str | None]:
    target = info.stage(stage)
    assert target is not None
    defaults = {k: d for k, (_, d) in info.global_args.items()}
    return [s.name for s in plan(info, target, {**defaults, **values}, set()).stages]


def test_a_build_expands_stage_references(info: DockerfileInfo) -> None:
    assert _built(info, "runtime", {}) == ["base", "runtime"]
    assert _built(info, "picked", {"MODE": ""}) == ["picked"]
    text = TEXT.replace("FROM base-${MODE} AS picked", "FROM base${MODE} AS picked")
    (Path(str(info.path))).write_text(text)
    again = parse(info.path)
    assert _built(again, "picked", {"MODE": ""}) == ["base", "picked"]


def test_unparsable_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("RUN true\n")
    with pytest.raises(DockerfileError, match="has no FROM instruction"):
        parse(path)
    with pytest.raises(DockerfileError, match="cannot read"):
        parse(tmp_path / "missing")
