"""YAML merge keys (`<<: *anchor`) in a whole matrix: merged values work and are located."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from bakegen.errors import MatrixError
from bakegen.load.source import load_text
from bakegen.matrix.schema import SCHEMA_PATH
from bakegen.matrix.schema_quick import compile_schema
from bakegen.matrix.validate import load_matrix, load_matrix_text
from bakegen.pipeline import compile_matrix
from bakegen.templating import plain

MATRIX = """\
format: 1
image: &image
  name: app
  tags: ["{version}-{name}"]
axes:
  os:
    values:
      jammy: &base
        args: {OS: jammy}
        labels: {team: infra}
      noble:
        <<: *base
        args: {OS: noble}
  target:
    values:
      runtime: {stage: runtime}
      dev: {stage: dev}
defaults:
  dockerfile: Dockerfile
"""


def test_merged_values_reach_the_targets_and_written_keys_win() -> None:
    compiled = compile_matrix(load_matrix_text(MATRIX))
    noble = next(t for t in compiled.resolution.targets if t.name == "noble-dev")
    assert {k: plain(v) for k, v in noble.args} == {"OS": "noble"}
    assert {k: plain(v) for k, v in noble.labels}["team"] == "infra"


def test_a_problem_in_a_merged_value_points_where_it_is_written() -> None:
    text = MATRIX.replace("        <<: *base\n", "        <<: [*base, *image]\n")
    with pytest.raises(MatrixError) as caught:
        load_matrix_text(text, "m.yaml")
    assert str(caught.value).splitlines() == [
        "m.yaml:3:3: axes.os.values.noble.name: unknown key 'name' (allowed keys: "
        "annotations, args, attest, cache, context, contexts, description, dockerfile, id, labels, "
        "links, optional_args, output, platforms, sccache, secrets, stage, tags, uses, vars)"
    ]


EXTENDED = """\
format: 1
x-cuda: &cuda
  args: {CUDA: "12.9"}
  platforms: [linux/amd64]
x-notes: [any, "value", {at: all}]
image: {name: app}
defaults: {dockerfile: Dockerfile}
axes:
  os:
    values:
      jammy: {<<: *cuda, args: {OS: jammy}}
      noble: *cuda
"""


def test_top_level_x_keys_are_extensions_that_hold_anchors() -> None:
    """As in Docker Compose, a top-level key that starts with `x-` is ignored: a place to
    define an anchor that is not itself a value of the matrix."""
    compiled = compile_matrix(load_matrix_text(EXTENDED))
    got = {t.name: t for t in compiled.resolution.targets}
    assert {k: plain(v) for k, v in got["jammy"].args} == {"OS": "jammy"}
    assert {k: plain(v) for k, v in got["noble"].args} == {"CUDA": "12.9"}
    assert got["noble"].platforms == ("linux/amd64",)
    assert compiled.warnings == ()


def test_x_keys_in_a_file_of_several_images() -> None:
    text = """\
format: 1
x-cuda: &cuda {args: {CUDA: "12.9"}}
defaults: {dockerfile: Dockerfile}
images:
  app:
    image: {name: app}
    axes:
      os: {values: {jammy: *cuda}}
      target: {values: {runtime: {}, dev: {}}}
"""
    compiled = compile_matrix(load_matrix_text(text))
    got = {t.name: {k: plain(v) for k, v in t.args} for t in compiled.resolution.targets}
    assert got == {"app-jammy-runtime": {"CUDA": "12.9"}, "app-jammy-dev": {"CUDA": "12.9"}}


def test_x_keys_in_a_file_that_extends_another(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(EXTENDED)
    (tmp_path / "top.yaml").write_text(
        "extends: [base.yaml]\nx-more: &more {args: {MORE: 'yes'}}\n"
        "overrides:\n  - {select: {os: noble}, <<: *more}\n"
    )
    compiled = compile_matrix(load_matrix(tmp_path / "top.yaml"))
    noble = next(t for t in compiled.resolution.targets if t.name == "noble")
    assert {k: plain(v) for k, v in noble.args} == {"CUDA": "12.9", "MORE": "yes"}


def test_other_unknown_top_level_keys_are_still_refused() -> None:
    with pytest.raises(MatrixError) as caught:
        load_matrix_text(EXTENDED.replace("x-notes:", "notes:"), "m.yaml")
    assert str(caught.value).splitlines()[0].startswith("m.yaml:5:1: notes: unknown key 'notes'")


def test_the_schema_accepts_x_keys_at_the_top_level_only() -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    quick = compile_schema(schema)
    assert quick is not None
    full = jsonschema.Draft202012Validator(schema)
    data = load_text(EXTENDED, "m.yaml").data
    assert full.is_valid(data)
    assert quick(data)
    nested = {**data, "defaults": {"dockerfile": "Dockerfile", "x-nested": 1}}
    assert not full.is_valid(nested)
    assert not quick(nested)
