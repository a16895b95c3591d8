"""The HCL file's layout is a value of the layout stage (bakefile/hcl_layout): which groups
name a family's block, which records are written once, which blocks come in which order. The
writer in render/ only prints it (tests/cases/family/expected.hcl is that print)."""

from __future__ import annotations

from bakegen.bakefile.blocks import Block
from bakegen.bakefile.hcl_layout import FamilyBlock, SharedRecords, hcl_file
from bakegen.pipeline import compile_path
from tests.support import ROOT


def test_the_family_case_lays_out_one_block_per_platform_over_shared_records() -> None:
    compiled = compile_path(ROOT / "tests" / "cases" / "family" / "matrix.yaml")
    laid_out = hcl_file(compiled.bake)
    groups = {g.name: g.targets for g in laid_out.groups}
    # A group holding every cell of a family names the family's block instead.
    assert groups["default"] == ("_model-of-amd64", "_model-of-arm64")
    assert groups["arm64"] == ("_model-of-arm64",)
    # A group of one model holds a cell of each family: the cells are named.
    assert groups["qwen-7b"] == ("amd64-qwen-7b", "arm64-qwen-7b")
    items = list(laid_out.blocks)
    shared = [i for i in items if isinstance(i, SharedRecords)]
    blocks = [i for i in items if isinstance(i, FamilyBlock)]
    assert [s.name for s in shared] == ["_cells_1"]
    assert [b.family.block.name for b in blocks] == ["_model-of-amd64", "_model-of-arm64"]
    # Both blocks read their one matrix key from the list written once before them.
    assert all([(k.key, k.shared) for k in b.keys] == [("_cell", "_cells_1")] for b in blocks)
    assert items.index(shared[0]) < items.index(blocks[0])
    assert len(shared[0].records) == 16
    # Nothing else is left to write a block for: every cell is in a family.
    assert not [i for i in items if isinstance(i, Block) and not i.name.startswith("_")]
    # The value is read again, whole, on a second reading.
    assert list(laid_out.blocks) == items
