"""Several images in one file: problems and `explain` point at the image's own lines, and
what the file shares reaches every image."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.explain import find, rows
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix, compile_path
from tests.bake_eval import Bake

TWO = """\
format: 1
image: {registry: docker.io/example, tags: ["{release}-{os}"]}
defaults: {dockerfile: Dockerfile}
images:
  workbench:
    image: {name: workbench}
    axes:
      release: {values: {"2025.05.1": {args: {X: "1"}}}}
      os: {values: {ubuntu2204: {}, ubuntu2404: {}}}
  connect:
    image: {name: connect}
    axes:
      release: {values: {"2025.06.0": {}}}
      os: {values: {ubuntu2404: {}}}
"""


def test_each_image_is_tagged_under_its_own_repository() -> None:
    bake = Bake(compile_matrix(load_matrix_text(TWO)).text("hcl"))
    assert bake.target("connect-2025-06-0-ubuntu2404")["tags"] == [
        "docker.io/example/connect:2025.06.0-ubuntu2404"
    ]
    assert bake.target("workbench-2025-05-1-ubuntu2204")["tags"] == [
        "docker.io/example/workbench:2025.05.1-ubuntu2204"
    ]
    assert bake.group("connect") == ["connect-2025-06-0-ubuntu2404"]
    assert len(bake.group("default")) == 3


def test_a_problem_in_an_image_names_its_key_path_in_the_file() -> None:
    text = TWO.replace('{X: "1"}', '{X: "{nope}"}')
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    problem = caught.value.problems[0]
    assert problem.path[:4] == ("images", "workbench", "axes", "release")
    assert problem.location is not None
    assert problem.location.line == 8


def test_explain_locates_an_images_values_on_its_own_lines() -> None:
    compiled = compile_matrix(load_matrix_text(TWO))
    found = {
        r.field: r.origin for r in rows(compiled, find(compiled, "workbench-2025-05-1-ubuntu2204"))
    }
    assert found["args.X"].startswith("matrix.yaml:8:")
    assert "images.workbench.axes.release" in found["args.X"]
    assert found["dockerfile"].startswith("matrix.yaml:3:")
    assert found["axis.os"].startswith("matrix.yaml:9:")


def test_two_images_may_not_write_the_same_target_name() -> None:
    text = TWO.replace(
        "    image: {name: connect}\n",
        '    image: {name: connect}\n    name: "workbench-{release}-{os}"\n',
    )
    text = text.replace('"2025.06.0"', '"2025.05.1"')
    with pytest.raises(MatrixError, match="two images write"):
        compile_matrix(load_matrix_text(text))


def test_explain_of_an_extending_file_names_the_file_each_value_came_from(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "format: 1\nimage: {name: app}\ndefaults: {dockerfile: Dockerfile}\n"
        "axes:\n  os:\n    values:\n      jammy: {args: {OS: jammy}}\n"
    )
    (tmp_path / "ci.yaml").write_text("extends: [base.yaml]\ndefaults:\n  labels: {ci: 'yes'}\n")
    compiled = compile_path(tmp_path / "ci.yaml")
    found = {r.field: r.origin for r in rows(compiled, find(compiled, "jammy"))}
    assert Path(found["args.OS"].split(":")[0]).name == "base.yaml"
    assert found["args.OS"].split(":")[1] == "7"
    assert Path(found["labels.ci"].split(":")[0]).name == "ci.yaml"
    assert found["labels.ci"].split(":")[1] == "3"


def test_an_images_own_default_group_makes_a_file_wide_all() -> None:
    text = TWO.replace(
        "    image: {name: workbench}\n",
        "    image: {name: workbench}\n    groups:\n      default: {select: {os: ubuntu2404}}\n",
    )
    bake = Bake(compile_matrix(load_matrix_text(text)).text("hcl"))
    assert bake.group("default") == [
        "workbench-2025-05-1-ubuntu2404",
        "connect-2025-06-0-ubuntu2404",
    ]
    assert len(bake.group("all")) == 3
