"""YAML merge keys (`<<: *anchor`) in a whole matrix: merged values work and are located."""

from __future__ import annotations

import pytest

from bakegen.errors import MatrixError
from bakegen.pipeline import compile_matrix
from bakegen.templating import plain
from bakegen.validate import load_matrix_text

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
