"""`bakegen ci --changed-since`: which targets a change in a real repository affects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.ci.changes import affected
from bakegen.cli import main
from bakegen.pipeline import Compiled, compile_path
from tests.support.git import git
from tests.support.projects import commit_all, default_project


# -- --changed-since on a real repository --------------------------------------------------
@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = default_project(tmp_path / "project", extra=("README.md",))
    (repo / "lib").mkdir()
    (repo / "lib" / "kernel.py").write_text("x = 1\n")
    commit_all(repo)
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
    # The label lands in the last stage, local-dev-aws: the other -aws stages build nothing new.
    assert len(placed) == 14
    assert all(t.endswith("-local-dev-aws") for t in placed)
    assert "--changed-since HEAD: 14 targets affected" in result.stderr
