"""`--changed-since` reads each target's files as BuildKit reads them: sources expanded with
the target's args, the ARG defaults and the platform args; the `.dockerignore` BuildKit
applies; Dockerfile edits only where the target's stages reach them; extended matrix files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.ci.changes import Affected, affected
from bakegen.cli import main
from bakegen.pipeline import compile_path
from tests.support.git import git


def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    monkeypatch.chdir(repo)
    return repo


def found(repo: Path) -> Affected:
    return affected(compile_path(Path("matrix.yaml")), "HEAD", repo)


def edit(repo: Path, name: str, text: str = "y\n") -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((path.read_text() if path.exists() else "") + text)


CELLS_X = """\
format: 1
image: {name: app, tags: ["{x}"]}
axes:
  x:
    values:
      bar: {args: {X: bar}}
      foo: {args: {X: foo}}
defaults: {dockerfile: Dockerfile, stage: a}
"""


def test_copy_source_expanded_with_the_cells_arg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The minimal case: only the cell whose X names the changed directory.
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": CELLS_X,
            "Dockerfile": "FROM scratch AS a\nARG X=foo\nCOPY src/$X /x\n",
            "src/bar/f": "x\n",
            "src/foo/f": "x\n",
        },
    )
    edit(repo, "src/bar/f")
    assert found(repo).targets == {"bar"}


def test_stage_default_reads_global_default_and_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A global default that reads the platform, declared again in the stage; a stage default
    # that reads it; `${…:-…}`; every platform of a multi-platform target counts.
    matrix = """\
format: 1
image: {name: app, tags: ["{p}"]}
axes:
  p:
    values:
      amd: {platforms: [linux/amd64]}
      arm: {platforms: [linux/arm64]}
      both: {platforms: [linux/amd64, linux/arm64]}
defaults: {dockerfile: Dockerfile, stage: a}
"""
    dockerfile = (
        "ARG FLAVOR=${TARGETARCH}\n"
        "FROM scratch AS a\n"
        "ARG FLAVOR\n"
        "ARG DIR=lib-${FLAVOR}\n"
        "COPY ${DIR}/ /lib/\n"
        "COPY ${MISSING:-extra}/${FLAVOR} /extra/\n"
    )
    files = {"lib-amd64/f": "", "lib-arm64/f": "", "extra/arm64/f": "", "extra/amd64/g": ""}
    repo = make(tmp_path, monkeypatch, {"matrix.yaml": matrix, "Dockerfile": dockerfile, **files})
    edit(repo, "lib-arm64/f")
    assert found(repo).targets == {"arm", "both"}
    git(repo, "commit", "-qam", "arm")
    edit(repo, "extra/amd64/g")
    assert found(repo).targets == {"amd", "both"}


def test_global_arg_not_declared_in_the_stage_is_not_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # BuildKit: a global ARG is visible in a stage only through `ARG NAME` there; without
    # it, $X in a FROM-scratch stage is empty and the whole `src` directory is copied.
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": CELLS_X.replace("X: bar", "Z: bar").replace("X: foo", "Z: foo"),
            "Dockerfile": "ARG X=foo\nFROM scratch AS a\nCOPY src/$X /x\n",
            "src/bar/f": "x\n",
        },
    )
    edit(repo, "src/bar/f")
    assert found(repo).targets == {"bar", "foo"}


def test_arg_set_by_a_bake_variable_selects_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = CELLS_X.replace("args: {X: foo}", "args: {X: '{var.WHICH}'}") + (
        "variables:\n  WHICH: {default: foo}\n"
    )
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": matrix,
            "Dockerfile": "FROM scratch AS a\nARG X=foo\nCOPY src/$X /x\n",
            "src/bar/f": "x\n",
            "other/f": "x\n",
        },
    )
    edit(repo, "src/bar/f")
    result = found(repo)
    assert result.targets == {"bar", "foo"}
    assert result.unknown == {
        "Dockerfile:3: COPY src/$X reads $X, which a bake variable sets": {"foo"}
    }
    run = CliRunner().invoke(main, ["ci", "--matrix", "matrix.yaml", "--changed-since", "HEAD"])
    assert run.exit_code == 0, run.output
    assert (
        "selected without knowing: Dockerfile:3: COPY src/$X reads $X, which a bake variable "
        "sets: foo\n"
    ) in run.stderr


def test_image_base_may_set_an_undeclared_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": CELLS_X,
            "Dockerfile": "FROM alpine AS a\nCOPY src/$HOME_DIR /x\n",
            "src/f": "x\n",
        },
    )
    edit(repo, "unrelated.txt")
    result = found(repo)
    assert result.targets == {"bar", "foo"}
    assert list(result.unknown) == [
        "Dockerfile:2: COPY src/$HOME_DIR reads $HOME_DIR, which the base image may set"
    ]


def test_dockerfile_specific_ignore_file_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": CELLS_X,
            "Dockerfile": "FROM scratch AS a\nCOPY . /x\n",
            "Dockerfile.dockerignore": "docs\n",
            ".dockerignore": "src\n",
            "src/f": "x\n",
            "docs/f": "x\n",
        },
    )
    edit(repo, "docs/f")
    assert found(repo).targets == frozenset()
    edit(repo, "src/f")
    assert found(repo).targets == {"bar", "foo"}


def test_absolute_and_glob_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": CELLS_X,
            "Dockerfile": "FROM scratch AS a\nARG X\nCOPY /src/$X/ src/*/conf /x/\n",
            "src/bar/f": "x\n",
            "src/a/conf/g": "x\n",
        },
    )
    edit(repo, "src/bar/f")
    assert found(repo).targets == {"bar"}
    git(repo, "commit", "-qam", "bar")
    edit(repo, "src/a/conf/g")
    assert found(repo).targets == {"bar", "foo"}


STAGES = """\
# syntax=docker/dockerfile:1
ARG SHARED=1
ARG ONLY_DEV=1
FROM scratch AS base
COPY base.txt /

FROM base AS dev
ARG ONLY_DEV
RUN true

FROM base AS local-dev
RUN echo local
"""
STAGE_MATRIX = """\
format: 1
image: {name: app, tags: ["{t}"]}
axes:
  t:
    values:
      dev: {stage: dev}
      local-dev: {stage: local-dev}
      base: {stage: base}
defaults: {dockerfile: Dockerfile}
"""


@pytest.mark.parametrize(
    ("old", "new", "selected"),
    [
        ("RUN echo local", "RUN echo local2", {"local-dev"}),
        ("RUN true", "RUN  false", {"dev"}),
        ("COPY base.txt /", "COPY base.txt /b", {"dev", "local-dev", "base"}),
        ("ARG ONLY_DEV=1\n", "ARG ONLY_DEV=2\n", {"dev"}),
        ("ARG SHARED=1\n", "ARG SHARED=2\n", set()),
        (
            "# syntax=docker/dockerfile:1",
            "# syntax=docker/dockerfile:1.9",
            {"dev", "local-dev", "base"},
        ),
        ("RUN true\n", "RUN true\n# a comment\n\n", set()),
    ],
)
def test_dockerfile_edit_selects_the_stages_it_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, selected: set[str]
) -> None:
    repo = make(
        tmp_path,
        monkeypatch,
        {"matrix.yaml": STAGE_MATRIX, "Dockerfile": STAGES, "base.txt": "x\n"},
    )
    (repo / "Dockerfile").write_text(STAGES.replace(old, new, 1))
    assert found(repo).targets == selected


def test_dockerfile_unparsable_at_ref_selects_its_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make(
        tmp_path,
        monkeypatch,
        {"matrix.yaml": STAGE_MATRIX, "Dockerfile": "ARG X\n", "base.txt": "x\n"},
    )
    (repo / "Dockerfile").write_text(STAGES)
    result = found(repo)
    assert result.targets == {"dev", "local-dev", "base"}
    assert list(result.unknown) == ["Dockerfile cannot be parsed at HEAD"]


def test_edit_of_an_extended_file_is_a_matrix_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = "defaults: {dockerfile: Dockerfile, stage: a, args: {V: '1'}}\n"
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": "extends: [common/base.yaml]\n"
            + CELLS_X.replace("defaults: {dockerfile: Dockerfile, stage: a}\n", ""),
            "common/base.yaml": base,
            "Dockerfile": "FROM scratch AS a\nARG X\nARG V\n",
        },
    )
    (repo / "common/base.yaml").write_text(base.replace("'1'", "'2'"))
    assert found(repo).targets == {"bar", "foo"}


def test_an_extended_file_at_ref_is_read_as_untrusted_as_any_matrix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file as it was at REF goes through the matrix loader, which refuses an alias bomb:
    the chain cannot be followed, so everything is selected (and nothing hangs)."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    repo = make(
        tmp_path,
        monkeypatch,
        {
            "matrix.yaml": "extends: [base.yaml]\n" + CELLS_X,
            "base.yaml": "x-" + bomb.replace("\n", "\nx-", bomb.count("\n") - 1),
            "Dockerfile": "FROM scratch AS a\nARG X\n",
        },
    )
    (repo / "base.yaml").write_text("x-note: fixed\n")
    assert found(repo) == Affected(frozenset({"bar", "foo"}), "the matrix changed shape")
