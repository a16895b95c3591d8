"""Registry cache on a fresh builder: the lint rule that keeps context reads cacheable, the
progress parsing and the toy project of benchmarks/cache_bench.py. The engine itself is
exercised in tests/test_cache_engine.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.lint.linter import Linter, lint
from bakegen.pipeline import compile_path
from tests.support import ROOT
from tests.support.build_steps import StepCount, count_run_steps
from tests.support.cache_toy import expected_runs, write_toy

TWO_TARGETS = """\
format: 1
image: {name: app, tags: ["{name}"]}
axes:
  flavour:
    values:
      a: {}
      b: {}
defaults:
  dockerfile: Dockerfile
  stage: runtime
"""


def unlinked(tmp: Path, dockerfile: str, matrix: str = TWO_TARGETS) -> list[tuple[str, str]]:
    (tmp / "Dockerfile").write_text(dockerfile)
    (tmp / "matrix.yaml").write_text(matrix)
    (tmp / "app").mkdir(exist_ok=True)
    found = lint(compile_path(tmp / "matrix.yaml"), tmp)
    return [
        (f"{f.file}:{f.line}", f.hint or "") for f in found if f.rule == "context-copy-unlinked"
    ]


def test_plain_copy_from_the_context_is_flagged(tmp_path: Path) -> None:
    dockerfile = "FROM ubuntu:24.04 AS runtime\nCOPY app /app\nRUN true\n"
    assert unlinked(tmp_path, dockerfile) == [
        ("Dockerfile:2", "use `COPY --link` (same files, copied onto their own layer)")
    ]


def test_add_and_bind_mounts_from_the_context_are_flagged(tmp_path: Path) -> None:
    dockerfile = (
        "FROM ubuntu:24.04 AS runtime\n"
        "ADD app /app\n"
        "RUN --mount=type=bind,source=app,target=/src true\n"
    )
    found = unlinked(tmp_path, dockerfile)
    assert [where for where, _ in found] == ["Dockerfile:2", "Dockerfile:3"]
    assert "from=src" in found[1][1]


def test_linked_copies_stage_copies_and_urls_are_fine(tmp_path: Path) -> None:
    dockerfile = (
        "FROM scratch AS src\n"
        "COPY --link app /app\n"
        "FROM ubuntu:24.04 AS runtime\n"
        "COPY --link app /app\n"
        "ADD --link=true app /app2\n"
        "COPY --from=src /app /app3\n"
        "ADD https://example.com/x.tar.gz /x.tar.gz\n"
        "RUN --mount=type=bind,from=src,source=app,target=/mnt true\n"
    )
    assert unlinked(tmp_path, dockerfile) == []


def test_link_false_is_not_a_linked_copy(tmp_path: Path) -> None:
    dockerfile = "FROM ubuntu:24.04 AS runtime\nCOPY --link=false app /app\n"
    assert [where for where, _ in unlinked(tmp_path, dockerfile)] == ["Dockerfile:2"]


def test_link_with_chmod_is_an_ordinary_copy(tmp_path: Path) -> None:
    dockerfile = "FROM ubuntu:24.04 AS runtime\nCOPY --link --chmod=755 app /app\n"
    assert unlinked(tmp_path, dockerfile) == [
        (
            "Dockerfile:2",
            "drop --chmod and use --link (BuildKit copies plainly when both are given)",
        )
    ]


def test_copies_from_a_local_directory_context_need_link(tmp_path: Path) -> None:
    matrix = TWO_TARGETS.replace("      a: {}\n", "      a: {contexts: {up: 'target:b'}}\n")
    matrix += "  contexts: {wheels: ./wheels, tool: 'docker-image://alpine:3.20'}\n"
    dockerfile = (
        "FROM ubuntu:24.04 AS runtime\n"
        "COPY --from=wheels / /wheels/\n"
        "COPY --link --from=wheels / /wheels2/\n"
        "RUN --mount=type=bind,from=wheels,target=/w true\n"
        "COPY --from=tool /bin/sh /sh\n"
        "COPY --from=up /x /x\n"
    )
    found = unlinked(tmp_path, dockerfile, matrix)
    assert [where for where, _ in found] == ["Dockerfile:2", "Dockerfile:4"]


def test_only_built_stages_count(tmp_path: Path) -> None:
    dockerfile = "FROM ubuntu:24.04 AS other\nCOPY app /app\nFROM ubuntu:24.04 AS runtime\n"
    assert unlinked(tmp_path, dockerfile) == []


def test_a_single_target_is_not_flagged(tmp_path: Path) -> None:
    matrix = TWO_TARGETS.replace("      b: {}\n", "")
    dockerfile = "FROM ubuntu:24.04 AS runtime\nCOPY app /app\n"
    assert unlinked(tmp_path, dockerfile, matrix) == []


def test_without_the_registry_cache_nothing_is_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule is about the registry cache: with `cache.enabled: false` there is none to
    miss, in lint and in `bakegen ci`."""
    matrix = TWO_TARGETS + "cache: {enabled: false}\n"
    dockerfile = "FROM ubuntu:24.04 AS runtime\nCOPY app /app\n"
    assert unlinked(tmp_path, dockerfile, matrix) == []
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ci", "-m", "matrix.yaml"])
    assert (result.exit_code, result.stderr) == (0, "")
    # The same files with the cache on are flagged (the test above is not vacuous).
    assert unlinked(tmp_path, dockerfile) != []


def test_the_default_dockerfiles_copy_the_context_with_link() -> None:
    found = lint(compile_path(ROOT / "matrix" / "default.yaml"), ROOT)
    assert [f for f in found if f.rule == "context-copy-unlinked"] == []


def test_ci_warns_where_fresh_runners_will_miss_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:24.04 AS runtime\nCOPY app /app\n")
    (tmp_path / "matrix.yaml").write_text(TWO_TARGETS)
    (tmp_path / "app").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ci", "-m", "matrix.yaml"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["layers"] == 1
    assert result.stderr.startswith(
        "warning: Dockerfile:2: stage 'runtime' reads the build context with COPY, not as a "
        "linked copy (COPY --link)"
    )
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:24.04 AS runtime\nCOPY --link app /app\n")
    assert CliRunner().invoke(main, ["ci", "-m", "matrix.yaml"]).stderr == ""


# -- progress parsing ------------------------------------------------------------------------

STREAM = [
    "#1 [internal] load local bake definitions",
    '{"vertexes":[{"digest":"sha256:1","name":"[base 1/3] FROM docker.io/library/busybox"}]}',
    '{"vertexes":[{"digest":"sha256:2","name":"[base 2/3] RUN echo a","started":"t"}]}',
    '{"vertexes":[{"digest":"sha256:2","name":"[base 2/3] RUN echo a","started":"t",'
    '"completed":"t"}]}',
    '{"vertexes":[{"digest":"sha256:3","name":"[dev 3/3] RUN echo b","cached":true,'
    '"started":"t","completed":"t"}]}',
    '{"vertexes":[{"digest":"sha256:4","name":"[dev 2/3] RUN false","started":"t",'
    '"completed":"t","error":"exit code: 1"}]}',
    '{"vertexes":[{"digest":"sha256:5","name":"[dev 1/3] COPY --link . /src","completed":"t"}]}',
    '{"vertexes":[{"digest":"sha256:6","name":"RUN echo started only","started":"t"}]}',
    '{"statuses":[{"id":"x","vertex":"sha256:2"}]}',
]


def test_run_steps_are_told_apart_by_outcome() -> None:
    found = count_run_steps(STREAM)
    assert found.executed == {"sha256:2": "[base 2/3] RUN echo a"}
    assert found.cached == {"sha256:3": "[dev 3/3] RUN echo b"}
    assert found.failed == {"sha256:4": "[dev 2/3] RUN false"}


def test_separate_builds_add_up_even_with_the_same_digests() -> None:
    total = StepCount()
    total.add(count_run_steps(STREAM))
    total.add(count_run_steps(STREAM))
    assert (len(total.executed), len(total.cached), len(total.failed)) == (2, 2, 2)


# -- the benchmark's toy project -------------------------------------------------------------


def run_instructions(root: Path) -> int:
    return sum(
        line.startswith("RUN ")
        for path in (root / "dockerfiles").glob("*.Dockerfile")
        for line in path.read_text().splitlines()
    )


def test_toy_compiles_to_the_default_matrix_shape_and_lints_clean(tmp_path: Path) -> None:
    matrix = write_toy(tmp_path, "registry.example:5000/busybox:1.36")
    compiled = compile_path(matrix)
    names = {t.name for t in compiled.resolution.targets}
    assert "base-cuda12-9-amd64" in names
    assert "wheel-builder-cuda13-0-amd64" in names
    assert "fb-cuda13-0-amd64-local-dev-aws" in names
    assert len(names) == 2 * 2 + 2 * 2 * 6
    assert lint(compiled, tmp_path) == []


def test_toy_run_count_follows_its_dockerfiles(tmp_path: Path) -> None:
    # One framework and one CUDA version build every RUN line of the toy exactly once
    # (the dev stage is shared by dev and local-dev).
    write_toy(tmp_path, "busybox:1.36", frameworks=("fa",), cudas=("12.9",))
    assert expected_runs(("fa",), ("12.9",)) == run_instructions(tmp_path)
    assert expected_runs(("fa", "fb"), ("12.9", "13.0")) == 34


@pytest.mark.parametrize("base", ["busybox:1.36", "127.0.0.1:5000/busybox"])
def test_toy_builds_on_the_given_base_image(tmp_path: Path, base: str) -> None:
    write_toy(tmp_path, base)
    assert f"ARG BASE_IMAGE={base}\n" in (tmp_path / "dockerfiles" / "base.Dockerfile").read_text()


def test_ci_finds_the_same_cache_misses_as_lint(tmp_path: Path) -> None:
    """`bakegen ci` plans the builds without the other lint rules: same findings, same
    targets, in the same order, over stages, contexts and Dockerfiles that differ."""
    matrix = TWO_TARGETS.replace(
        "      b: {}\n",
        "      b: {stage: other}\n      c: {contexts: {wheels: ./wheels}}\n"
        "      d: {dockerfile: Dockerfile.two}\n",
    )
    (tmp_path / "Dockerfile").write_text(
        "FROM ubuntu:24.04 AS other\nCOPY app /app\n"
        "FROM ubuntu:24.04 AS runtime\nCOPY --from=wheels / /w/\nADD app /app\n"
    )
    (tmp_path / "Dockerfile.two").write_text("FROM ubuntu:24.04 AS runtime\nCOPY app /app\n")
    (tmp_path / "matrix.yaml").write_text(matrix)
    compiled = compile_path(tmp_path / "matrix.yaml")
    expected = [f for f in lint(compiled, tmp_path) if f.rule == "context-copy-unlinked"]
    assert len(expected) == 4
    assert any(len(f.targets) > 1 for f in expected)
    assert Linter(compiled, tmp_path).cache_misses() == expected
