"""`ci.manifest` joins: every join tag is non-empty and no two joins get one tag, checked by
validate (so render refuses the matrix too), with the template located."""

from __future__ import annotations

import re

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix

MATRIX = """\
format: 1
image: {name: app, tags: ["{os}-{platform.id}"]}
defaults: {dockerfile: Dockerfile}
ci:
  manifest: {axis: platform, tags: TAGS}
axes:
  os: {values: {jammy: {}, noble: {}}}
  platform:
    values:
      linux/amd64: {platforms: [linux/amd64]}
      linux/arm64: {platforms: [linux/arm64]}
"""


def _problem(tags: str) -> str:
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(MATRIX.replace("TAGS", tags)))
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_name_in_a_join_tag_is_refused() -> None:
    assert _problem('["{name}-x"]') == (
        "matrix.yaml:5:37: ci.manifest.tags[0]: {name} is empty here: a join of several cells "
        "has no target name (name the axes that tell joins apart, e.g. {os})"
    )


def test_a_tag_that_names_no_axis_that_differs_is_refused() -> None:
    assert _problem('["fixed"]') == (
        "matrix.yaml:5:37: ci.manifest.tags[0]: two joins would both be tagged "
        "'${IMAGE}:fixed': (os=jammy) and (os=noble) (name every axis that tells joins apart, "
        "e.g. {os})"
    )


def test_a_clash_in_the_second_template_is_located_there() -> None:
    assert _problem('["{os}", "{version}"]').startswith(
        "matrix.yaml:5:45: ci.manifest.tags[1]: two joins would both be tagged '${IMAGE}:${VERSION}'"
    )


def test_values_whose_vars_read_the_same_clash() -> None:
    text = MATRIX.replace("TAGS", '["{os.series}"]').replace(
        "jammy: {}, noble: {}", "jammy: {vars: {series: lts}}, noble: {vars: {series: lts}}"
    )
    with pytest.raises(
        MatrixError, match=re.escape("two joins would both be tagged '${IMAGE}:lts'")
    ):
        compile_matrix(load_matrix_text(text))


def test_latest_aliases_are_checked_too() -> None:
    text = MATRIX.replace("tags: TAGS}", 'tags: ["{os}"], latest: [latest]}')
    with pytest.raises(MatrixError, match=r"ci\.manifest\.latest\[0\]: two joins"):
        compile_matrix(load_matrix_text(text))


def test_tags_that_name_every_axis_that_differs_are_valid() -> None:
    compiled = compile_matrix(
        load_matrix_text(MATRIX.replace("TAGS", '["{os}", "{version}-{os}"]'))
    )
    assert len(compiled.resolution.targets) == 4
