"""Families: a large matrix's HCL file writes cells that differ by one axis as `matrix`
blocks, and every cell resolves exactly as its own block would (the JSON file, which keeps a
block per cell, is the reference; tests/test_engine_layout.py asks the real buildx too)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakegen.bakefile import families
from bakegen.bakefile import layout as bakefile
from bakegen.bakefile.families import MIN_MEMBERS
from bakegen.bakefile.family_ids import CELL
from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from tests.bake_eval import Bake
from tests.support.helpers import MINIMAL
from tests.support.matrices import growing_matrix


def test_a_large_matrix_is_written_as_families_that_resolve_as_its_cells() -> None:
    # 20 flavours × 5 CUDA × 2 platforms: ten families of 20 cells, with overrides and
    # includes that set some cells apart (their args, labels and Dockerfile).
    compiled = compile_matrix(load_matrix_text(growing_matrix(200)))
    hcl, json_text = compiled.text("hcl"), compiled.text("json")
    assert hcl.count(f"{CELL} = ") == 10
    families, cells = Bake(hcl), Bake(json_text)
    printed, expected = families.print("default"), cells.print("default")
    assert printed["target"] == expected["target"]
    assert len(printed["target"]) == 220
    for group in ("cuda12-8", "arm64", "f15", "f5"):
        assert families.print(group)["target"] == cells.print(group)["target"], group


def test_a_family_over_the_most_members_is_split_into_even_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 50 flavours a family, at most 20 a block: three blocks of 17, 17 and 16 cells for each
    # of the ten combinations of CUDA and platform.
    monkeypatch.setattr(families, "MAX_MEMBERS", 20)
    compiled = compile_matrix(load_matrix_text(growing_matrix(500)))
    hcl, json_text = compiled.text("hcl"), compiled.text("json")
    plan = compiled.bake.hcl_blocks() if compiled.bake.hcl_blocks else None
    assert plan is not None
    sizes = {f.block.name: len(f.members) for f in plan.families}
    assert len(sizes) == 30
    assert sorted(set(sizes.values())) == [16, 17]
    assert {"_flavour-of-cuda12-8-amd64", "_flavour-of-cuda12-8-amd64-2"} <= set(sizes)
    assert "_flavour-of-cuda12-8-amd64-3" in sizes
    in_blocks, cells = Bake(hcl), Bake(json_text)
    assert in_blocks.print("default")["target"] == cells.print("default")["target"]
    for group in ("cuda12-8", "arm64", "f15", "f45"):
        assert in_blocks.print(group)["target"] == cells.print(group)["target"], group
    # A group holding every cell of a block names the block.
    default = hcl[hcl.index('group "default"') :]
    assert '"_flavour-of-cuda12-8-amd64-3",' in default[: default.index("\n}\n")]


def test_a_part_whose_block_name_is_taken_keeps_a_block_per_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(families, "MAX_MEMBERS", 20)
    compiled = compile_matrix(load_matrix_text(growing_matrix(500)))
    matrix = compiled.matrix
    taken = {"_flavour-of-cuda12-8-amd64-2"}
    planned = families.plan(
        matrix.model, matrix.ids, compiled.resolution.targets, bakefile.bake_values, taken
    )
    names = {f.block.name for f in planned}
    assert len(names) == 29
    assert "_flavour-of-cuda12-8-amd64-2" not in names
    members = {m for f in planned for m in f.members}
    assert "cuda12-8-amd64-f20" not in members  # the second part: f17 … f33
    assert {"cuda12-8-amd64-f16", "cuda12-8-amd64-f34", "cuda12-8-arm64-f20"} <= members


def test_a_family_block_inherits_nothing_and_writes_what_its_cells_have_alike() -> None:
    compiled = compile_matrix(load_matrix_text(growing_matrix(200)))
    hcl = compiled.text("hcl")
    assert "-common" not in hcl
    block = _first_family(hcl)
    assert "inherits" not in block
    for alike in (
        'context     = "."',
        "platforms   =",
        'ARCH    = "amd64"',
        '"target:base-cuda12-8',
    ):
        assert alike in block, alike
    assert 'FLAVOUR = "${_cell.id}"' in block
    # Groups are written out name by name, as in a small file.
    assert "formatlist" not in hcl
    group = _block(hcl.replace("group ", "target "), "f15")
    assert '"cuda12-8-amd64-f15",' in group
    in_blocks, cells = Bake(hcl), Bake(compiled.text("json"))
    assert in_blocks.print("default")["target"] == cells.print("default")["target"]
    assert in_blocks.print("f15")["target"] == cells.print("f15")["target"]


def _block(hcl: str, name: str) -> str:
    block = hcl[hcl.index(f'target "{name}"') :]
    return block[: block.index("\n}\n")]


def _first_family(hcl: str) -> str:
    """The text of the block of the cells of CUDA 12.8 on amd64."""
    block = hcl[hcl.index('target "_flavour-of-cuda12-8-amd64"') :]
    return block[: block.index("\n}\n")]


def test_the_records_hold_only_what_differs_by_the_inner_axis() -> None:
    block = _first_family(compile_matrix(load_matrix_text(growing_matrix(200))).text("hcl"))
    # The stage differs by flavour with no id in it: a field of each record.
    assert f"target      = {CELL}.target" in block
    # Tags carry the flavour's id: one template for the family.
    assert "${_cell.id}-cuda12-8-amd64" in block


def test_a_map_that_differs_by_a_few_entries_keeps_the_others_in_the_block() -> None:
    # Overrides give some flavours an arg or a label more: only those entries are a cell's
    # own; the rest (the flavour's id templated) stay in the block, merged with the record.
    hcl = compile_matrix(load_matrix_text(growing_matrix(200))).text("hcl")
    block = _first_family(hcl)
    assert f"}}, {CELL}.args)" in block
    assert f"}}, {CELL}.labels)" in block
    assert 'FLAVOUR = "${_cell.id}"' in block
    records = hcl[: hcl.index('target "_flavour-of-cuda12-8-amd64"')]
    assert '{ id = "f5", target = "s5", args = { FIVE = "yes" }, labels = {} }' in records
    assert '{ id = "f1", target = "s1", args = {}, labels = { family = "one" } }' in records
    cells = records.split("_cells_1 = ")[1]
    assert "ARCH" not in cells[: cells.index("\n]\n")]


def test_small_matrices_keep_a_block_per_cell() -> None:
    compiled = compile_matrix(load_matrix_text(MINIMAL))
    assert f"{CELL} = " not in compiled.text("hcl")
    assert MIN_MEMBERS > 2


def _awkward_matrix(values: list[str], note: str) -> str:
    # Values with a `$` also get an arg of their own: a map some cells add entries to.
    rows = "\n".join(
        f"      {json.dumps(v)}: {{args: {{V: {json.dumps(v)}"
        + (f", X: {json.dumps(v + '-x')}" if "$" in v else "")
        + "}}"
        for v in values
    )
    return f"""format: 1
image:
  name: app
  tags: ["{{version}}-{{name}}"]
  labels: {{note: {json.dumps(note)}}}
defaults:
  dockerfile: Dockerfile
  description: {json.dumps(note + " {inner} {outer}")}
axes:
  outer:
    values:
      xo: {{args: {{O: "1"}}}}
      yo: {{args: {{O: "2"}}}}
  inner:
    values:
{rows}
"""


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.text(alphabet="a1$", min_size=1, max_size=4).filter(lambda v: v[0].isalnum()),
        min_size=MIN_MEMBERS,
        max_size=MIN_MEMBERS + 4,
        unique=True,
    ),
    st.text(alphabet="a1$-{} ", max_size=6),
)
def test_cells_resolve_alike_whatever_their_ids_look_like(values: list[str], note: str) -> None:
    # Ids that are part of other ids or of the other text, `$` beside them: every cell must
    # still resolve as its own block does.
    note = note.replace("{", "{{").replace("}", "}}")
    try:
        compiled = compile_matrix(load_matrix_text(_awkward_matrix(values, note)))
    except MatrixError:
        return
    hcl, json_text = compiled.text("hcl"), compiled.text("json")
    assert Bake(hcl).print("default")["target"] == Bake(json_text).print("default")["target"]


def test_parents_are_worked_out_only_for_a_file_and_in_the_hcl_file_among_other_targets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[int] = []
    original = bakefile._Parents.__init__

    def counting(self: bakefile._Parents, *args: Any) -> None:
        made.append(len(args[2]))  # how many targets the pass went over
        original(self, *args)

    monkeypatch.setattr(bakefile._Parents, "__init__", counting)
    compiled = compile_matrix(load_matrix_text(growing_matrix(200)))
    assert made == []  # validate, list and the like write no file
    compiled.text("json")
    assert made == [len(compiled.resolution.targets)]
    hcl = compiled.text("hcl")
    # Only the targets no family holds (the shared stages) are looked at again.
    assert made[1] == 20
    assert 'target "_common"' in hcl
