"""Matrix features for real image projects: the multi-platform join warning, files that
extend others, variables only some targets require, and the order of tag rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix, compile_path
from bakegen.templating import plain
from tests.bake_eval import Bake

JOIN = """\
format: 1
image: {name: app, tags: ["{version}-{platform}"]}
defaults: {dockerfile: Dockerfile}
ci: {manifest: {axis: platform, tags: ["{version}"]}}
axes:
  platform:
    values:
      amd64: {platforms: [linux/amd64]}
      arm64: {platforms: [linux/arm64]}
      multi: {platforms: [linux/amd64, linux/arm64]}
"""


def test_a_multi_platform_value_joined_into_one_manifest_tag_warns() -> None:
    compiled = compile_matrix(load_matrix_text(JOIN))
    join, cache = compiled.warnings  # the cache warning: tests/resolve/test_multi_platform.py
    assert join.message == (
        "platform 'multi' builds several platforms (linux/amd64, linux/arm64) and is joined "
        "with the other platform values into one manifest tag"
    )
    assert join.location is not None
    assert join.location.line == 10
    assert cache.message.startswith("1 target builds several platforms")


def test_without_the_multi_value_there_is_no_warning() -> None:
    text = JOIN.replace("      multi: {platforms: [linux/amd64, linux/arm64]}\n", "")
    assert compile_matrix(load_matrix_text(text)).warnings == ()


def test_an_error_in_an_extended_file_is_located_in_that_file(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "format: 1\nimage: {name: app}\ndefaults: {dockerfile: Dockerfile}\n"
        "axes:\n  os:\n    values:\n      jammy: {args: {OS: '{nope}'}}\n"
    )
    (tmp_path / "ci.yaml").write_text("extends: [base.yaml]\nimage: {registry: ghcr.io/x}\n")
    with pytest.raises(MatrixError) as caught:
        compile_path(tmp_path / "ci.yaml")
    location = caught.value.problems[0].location
    assert location is not None
    assert (Path(location.file).name, location.line) == ("base.yaml", 7)


def test_an_extending_file_cannot_extend_itself(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: [a.yaml]\n")
    with pytest.raises(MatrixError, match="cycle"):
        compile_path(tmp_path / "a.yaml")


REQUIRED = """\
format: 1
image: {name: app}
defaults: {dockerfile: Dockerfile}
variables:
  USER_UID: {default: "", required_by: {target: dev}}
axes:
  target: {values: {runtime: {stage: runtime}, dev: {stage: dev}}}
"""


def test_only_the_targets_that_require_a_variable_depend_on_its_check() -> None:
    bake = Bake(compile_matrix(load_matrix_text(REQUIRED)).text("hcl"))
    assert bake.target("dev")["contexts"] == {
        "bakegen-require-user-uid": "target:_require-USER_UID"
    }
    assert "contexts" not in bake.target("runtime")
    assert "${USER_UID:?" in bake.target("_require-USER_UID")["dockerfile-inline"]


def test_without_a_target_that_requires_it_no_check_target_is_written() -> None:
    compiled = compile_matrix(load_matrix_text(REQUIRED), select=("runtime",))
    assert "_require-USER_UID" not in compiled.text("hcl")


def test_tag_rules_add_after_the_image_tags_and_before_the_cell_tags() -> None:
    text = """\
format: 1
image:
  name: app
  tags: ["{version}-{os}"]
  tag_rules:
    - {select: {os: noble}, tags: ["{version}"]}
    - {tags: ["edge-{os}"]}
defaults: {dockerfile: Dockerfile, tags: ["own-{os}"]}
axes:
  os: {values: {jammy: {}, noble: {}}}
"""
    targets = compile_matrix(load_matrix_text(text)).resolution.targets
    tags = {t.name: [plain(x).split(":")[-1] for x in t.tags] for t in targets}
    assert tags == {
        "jammy": ["${VERSION}-jammy", "edge-jammy", "own-jammy"],
        "noble": ["${VERSION}-noble", "${VERSION}", "edge-noble", "own-noble"],
    }
