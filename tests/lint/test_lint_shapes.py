"""Lint plans a build once for all targets that agree on what it reads (lint_shapes): each
target must still get the findings of its own build, placed at its own matrix lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.lint.linter import lint
from bakegen.pipeline import compile_path

MATRIX = """\
format: 1
image: {name: app, tags: ["{name}"]}
axes:
  flavour:
    values:
      a: {stage: one, args: {X: '1', BASE: 'ubuntu:24.04'}}
      b: {stage: two, args: {X: '2', BASE: 'ubuntu:24.04'}}
      c: {stage: two, args: {X: '3', BASE: 'ubuntu'}}
      d: {stage: two, args: {X: '4', BASE: 'ubuntu:24.04', BUILDKIT_DOCKERFILE_CHECK: 'skip=all'}}
defaults:
  dockerfile: Dockerfile
"""
# Stage one declares X; `as` in lower case breaks BuildKit's FromAsCasing check.
DOCKERFILE = "ARG BASE=ubuntu:24.04\nFROM ${BASE} AS one\nARG X\nFROM ${BASE} as two\nRUN true\n"


def found(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, tuple[str, ...]]]:
    (tmp / "matrix.yaml").write_text(MATRIX)
    (tmp / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(tmp)
    return [
        (f.rule, f"{f.file}:{f.line}", f.targets) for f in lint(compile_path(Path("matrix.yaml")))
    ]


def test_targets_of_one_build_keep_their_own_matrix_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # b and d build the same stage from the same base, X set on lines 7 and 9.
    unused = [
        (where, targets)
        for rule, where, targets in found(tmp_path, monkeypatch)
        if rule == "arg-unused"
    ]
    assert unused == [
        ("matrix.yaml:7", ("b",)),
        ("matrix.yaml:8", ("c",)),
        ("matrix.yaml:9", ("d",)),
    ]


def test_a_global_arg_value_or_check_option_makes_another_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c's BASE has no tag (so it reads as a context or Docker Hub name); d skips every
    # BuildKit check. Otherwise b, c and d agree.
    by_rule = {rule: (where, targets) for rule, where, targets in found(tmp_path, monkeypatch)}
    assert by_rule["context-missing"] == ("Dockerfile:4", ("c",))
    assert by_rule["FromAsCasing"] == ("Dockerfile:4", ("a", "b", "c"))
