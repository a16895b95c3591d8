"""matrix/names: the one home of the rules that name targets, groups and private blocks;
validation, expansion, shared stages, required variables and the images merge all ask it."""

from __future__ import annotations

from bakegen.matrix.names import id_of, in_image, joined, require_target, value_id
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix


def test_a_value_id_comes_from_the_axis_template_made_bake_legal() -> None:
    assert value_id("{value}", "12.9") == "12-9"
    assert value_id("cuda{value}", "linux/arm64") == "cudalinux-arm64"
    # A value the axis does not list (added by an include) is named by its own text.
    assert id_of({"12.9": "cu129"}, "12.9") == "cu129"
    assert id_of({"12.9": "cu129"}, "13.0") == "13-0"


def test_the_compiled_names_are_the_ones_the_rules_give() -> None:
    text = """\
format: 1
image: {name: app, tags: ["{version}-{cuda.id}-{os}"]}
defaults: {dockerfile: Dockerfile}
variables: {MODEL_DIR: {default: "", required_by: {os: noble}}}
axes:
  cuda: {id: "cu{value}", values: {"12.9": {}}}
  os: {values: {jammy: {}, noble: {}}}
"""
    compiled = compile_matrix(load_matrix_text(text))
    names = [t.name for t in compiled.resolution.targets]
    cells = [joined([value_id("cu{value}", "12.9"), os]) for os in ("jammy", "noble")]
    assert names[:2] == cells
    # The check target is written by the layout, after the cells.
    assert require_target("MODEL_DIR") in [b.name for b in compiled.bake.targets]
    assert in_image("web", "default") == "web-default"
