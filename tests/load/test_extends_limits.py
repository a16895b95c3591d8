"""`extends` is bounded: depth, file count and total size; each file read once; only regular
files inside the project (or the folder `extends_root` names); cycles and NULs located."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.errors import MatrixError
from bakegen.load import extends as layers
from bakegen.load.extends import load_layers
from bakegen.pipeline import compile_path

BASE = (
    "format: 1\nimage: {name: app}\ndefaults: {dockerfile: Dockerfile}\n"
    "axes:\n  os:\n    values:\n      jammy: {}\n"
)


def _problem(path: Path) -> str:
    with pytest.raises(MatrixError) as caught:
        load_layers(path)
    return str(caught.value.problems[0])


def test_a_chain_of_1500_files_is_a_located_error_not_a_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "f1500.yaml").write_text(BASE)
    for i in range(1500):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: [f{i + 1}.yaml]\n")
    message = _problem(tmp_path / "f0.yaml")
    assert f"f{layers.MAX_DEPTH - 1}.yaml:1:" in message
    assert f"extends nests more than {layers.MAX_DEPTH} files deep" in message


def test_a_chain_at_the_depth_limit_still_loads(tmp_path: Path) -> None:
    depth = layers.MAX_DEPTH - 1
    (tmp_path / f"f{depth}.yaml").write_text(BASE)
    for i in range(depth):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: [f{i + 1}.yaml]\n")
    assert load_layers(tmp_path / "f0.yaml").data["image"] == {"name": "app"}


def test_a_diamond_reads_each_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each level extends two files that both extend both files of the next level: without
    a cache the work doubles per level (2**12 reads here)."""
    levels = 12
    (tmp_path / f"a{levels}.yaml").write_text(BASE)
    (tmp_path / f"b{levels}.yaml").write_text("labels_level: b\n")
    for i in range(levels):
        for side in "ab":
            (tmp_path / f"{side}{i}.yaml").write_text(
                f"extends: [a{i + 1}.yaml, b{i + 1}.yaml]\nlevel_{side}{i}: x\n"
            )
    reads: list[str] = []
    real = layers.load_file

    def counting(path: Path) -> object:
        reads.append(str(path.resolve()))
        return real(path)

    monkeypatch.setattr(layers, "load_file", counting)
    started = time.perf_counter()
    merged = load_layers(tmp_path / "a0.yaml")
    assert time.perf_counter() - started < 5
    assert len(reads) == len(set(reads)) == 2 * levels + 1
    assert merged.data["level_b1"] == "x"


def test_more_files_than_the_limit_is_refused(tmp_path: Path) -> None:
    names = [f"f{i}.yaml" for i in range(layers.MAX_FILES)]
    for name in names:
        (tmp_path / name).write_text("x: 1\n")
    (tmp_path / "top.yaml").write_text(f"extends: [{', '.join(names)}]\n" + BASE)
    message = _problem(tmp_path / "top.yaml")
    assert f"extends[{layers.MAX_FILES - 1}]" in message
    assert f"more than {layers.MAX_FILES} files" in message


def test_files_adding_up_past_the_size_limit_are_refused(tmp_path: Path) -> None:
    count = layers.MAX_TOTAL_BYTES // (5 * 1024 * 1024) + 1
    for i in range(count):
        (tmp_path / f"big{i}.yaml").write_text("x: 1\n# " + "x" * (5 * 1024 * 1024) + "\n")
    listed = ", ".join(f"big{i}.yaml" for i in range(count))
    (tmp_path / "top.yaml").write_text(f"extends: [{listed}]\n" + BASE)
    message = _problem(tmp_path / "top.yaml")
    assert f"extends[{count - 1}]" in message
    assert f"more than {layers.MAX_TOTAL_BYTES:,} bytes" in message


def test_a_nul_in_a_path_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "top.yaml").write_text('extends: ["a\\0b.yaml"]\n' + BASE)
    message = _problem(tmp_path / "top.yaml")
    assert message.startswith(f"{tmp_path / 'top.yaml'}:1:")
    assert "NUL" in message


def test_a_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "matrix").mkdir()
    (tmp_path / "creds.yaml").write_text("image: {name: secret}\n")
    (project / "matrix" / "ci.yaml").write_text("extends: [../../creds.yaml]\n" + BASE)
    message = _problem(project / "matrix" / "ci.yaml")
    assert "extends[0]" in message
    assert "outside the project" in message
    assert "secret" not in message


def test_an_absolute_path_outside_the_project_is_refused(tmp_path: Path) -> None:
    (tmp_path / "top.yaml").write_text("extends: [/etc/hostname]\n" + BASE)
    assert "outside the project" in _problem(tmp_path / "top.yaml")


def test_a_file_elsewhere_in_the_git_work_tree_may_be_extended(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "common.yaml").write_text(BASE)
    (tmp_path / "matrix").mkdir()
    (tmp_path / "matrix" / "ci.yaml").write_text("extends: [../common.yaml]\n")
    assert load_layers(tmp_path / "matrix" / "ci.yaml").data["image"] == {"name": "app"}


def test_extends_root_names_a_folder_outside_the_project(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yaml").write_text(BASE)
    (tmp_path / "project").mkdir()
    top = tmp_path / "project" / "ci.yaml"
    top.write_text("extends: [../shared/base.yaml]\nextends_root: ../shared\n")
    (tmp_path / "project" / "Dockerfile").write_text("FROM scratch\n")
    assert load_layers(top).data["image"] == {"name": "app"}
    assert compile_path(top).resolution.selected == ("jammy",)


def test_extends_root_in_an_extended_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(BASE + "extends_root: /\n")
    (tmp_path / "top.yaml").write_text("extends: [base.yaml]\n")
    message = _problem(tmp_path / "top.yaml")
    assert message.startswith(f"{tmp_path / 'base.yaml'}:8:")
    assert "extends_root" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "top.yaml").write_text("extends: [pipe.yaml]\n" + BASE)
    assert "not a regular file" in _problem(tmp_path / "top.yaml")


def test_a_cycle_through_two_files_is_located(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: [b.yaml]\n")
    (tmp_path / "b.yaml").write_text("x: 1\nextends: [a.yaml]\n")
    message = _problem(tmp_path / "a.yaml")
    assert message.startswith(f"{tmp_path / 'b.yaml'}:2:")
    assert "a cycle" in message


def test_the_cli_reports_a_long_chain_without_crashing(tmp_path: Path) -> None:
    (tmp_path / "f1500.yaml").write_text(BASE)
    for i in range(1500):
        (tmp_path / f"f{i}.yaml").write_text(f"extends: [f{i + 1}.yaml]\n")
    result = CliRunner().invoke(main, ["validate", "-m", str(tmp_path / "f0.yaml")])
    assert result.exit_code == 1
    assert "extends nests more than" in result.stderr


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("HF_TOKEN=hf_SENTINEL\n", "its top level is not a mapping of matrix keys"),
        (
            "image: {name: Hf_SENTINEL}\ntoken: hf_SENTINEL\n",
            "one of its top-level keys is not a matrix key (line 2)",
        ),
        ("hf_SENTINEL: 1\nsecret: hf_SENTINEL\n", "2 of its top-level keys are not matrix keys"),
    ],
)
def test_a_file_that_is_not_a_matrix_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, why: str
) -> None:
    (tmp_path / ".env").write_text(text)
    (tmp_path / "matrix.yaml").write_text("extends: [.env]\n" + BASE)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "-m", "matrix.yaml"])
    assert result.exit_code == 1
    assert f"matrix.yaml:1:11: extends[0]: .env is not a matrix file: {why}" in result.stderr
    assert "SENTINEL" not in result.output


def test_a_matrix_file_extended_with_extensions_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "base.yaml").write_text("x-common: &c {dockerfile: Dockerfile}\n" + BASE)
    (tmp_path / "matrix.yaml").write_text("extends: [base.yaml]\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["validate", "-m", "matrix.yaml"]).exit_code == 0
