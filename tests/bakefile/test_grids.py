"""Families over several axes (grids.py): a matrix whose axes all have few values gets
`matrix` blocks with a key per axis, and every cell resolves exactly as its own block would
(the same matrix written without families is the reference)."""

from __future__ import annotations

import dataclasses

import pytest

from bakegen.bakefile import grids
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import Compiled, compile_matrix
from bakegen.render.hcl_file import render_hcl
from tests.bake_eval import Bake

FRAMEWORKS = ("vllm", "sglang", "trtllm", "dynamo", "lmdeploy")
CUDA = ("12.8", "12.9", "13.0", "13.1")
STAGES = ("runtime", "dev", "ci", "bench", "debug")
VARIANTS = ("v1", "v2", "v3", "v4", "v5")


def realistic_matrix(overrides: str = "") -> str:
    """1,000 cells: frameworks (5) × CUDA (4) × platforms (2) × targets (5) × variants (5),
    two shared stages every cell uses (per CUDA version and platform)."""
    lines = [
        "format: 1",
        "image:",
        "  name: serve",
        '  tags: ["{version}-{framework}-{cuda.id}-{platform.id}-{target}-{variant}"]',
        '  latest: ["latest-{framework}-{cuda.id}-{platform.id}-{target}-{variant}"]',
        '  labels: {org.opencontainers.image.title: "serve {name}"}',
        "defaults:",
        "  context: .",
        "  dockerfile: Dockerfile",
        "  uses: {base: base, wheel: wheel}",
        "  args: {FRAMEWORK: '{framework}', VARIANT: '{variant}'}",
        "axes:",
        "  framework:",
        "    values:",
        *(f"      {f}: {{args: {{FW_REF: '{f}-main'}}}}" for f in FRAMEWORKS),
        "  cuda:",
        "    id: 'cuda{value}'",
        "    values:",
        *(f"      '{c}': {{vars: {{tag: 'base-{c}'}}, args: {{CUDA: '{c}'}}}}" for c in CUDA),
        "  platform:",
        "    values:",
        "      linux/amd64: {id: amd64, platforms: [linux/amd64], args: {ARCH: amd64}}",
        "      linux/arm64: {id: arm64, platforms: [linux/arm64], args: {ARCH: arm64}}",
        "  target:",
        "    values:",
        *(f"      {s}: {{stage: {s}}}" for s in STAGES),
        "  variant:",
        "    values:",
        *(f"      {v}: {{args: {{LEVEL: '{i}'}}}}" for i, v in enumerate(VARIANTS)),
        "shared:",
        "  base:",
        "    axes: [cuda, platform]",
        "    dockerfile: Dockerfile.base",
        "    stage: base",
        "    args: {BASE_TAG: '{cuda.tag}'}",
        "  wheel:",
        "    axes: [cuda, platform]",
        "    dockerfile: Dockerfile.base",
        "    stage: wheel",
        "    uses: {base: base}",
    ]
    return "\n".join(lines) + "\n" + overrides


def _without_families(compiled: Compiled) -> str:
    """The same bake file with a block per cell (the JSON file's layout, written as HCL)."""
    return render_hcl(dataclasses.replace(compiled.bake, hcl_blocks=None))


def _same_targets(compiled: Compiled, hcl: str) -> None:
    with_families, reference = Bake(hcl), Bake(_without_families(compiled))
    printed = with_families.print("default")["target"]
    assert len(printed) == 1016  # the cells and the shared stages they use
    assert printed == reference.print("default")["target"]
    for group in ("vllm", "cuda12-9", "arm64", "debug", "v3"):
        assert with_families.print(group)["target"] == reference.print(group)["target"], group


def test_a_matrix_of_small_axes_gets_families_over_several_axes() -> None:
    compiled = compile_matrix(load_matrix_text(realistic_matrix()))
    hcl = compiled.text("hcl")
    flat = _without_families(compiled)
    # One block per CUDA version and platform (as the shared stages have), with a matrix
    # key for each of the other three axes: the groups of a CUDA version or a platform
    # name blocks, the others list cells.
    assert hcl.count("  matrix = {") == 8
    assert 'target "_framework-target-variant-of-cuda12-8-amd64"' in hcl
    for axis in ("framework", "target", "variant"):
        assert f"    _cell_{axis} = " in hcl
    assert "_cell_cuda" not in hcl
    group = hcl[hcl.index('group "cuda12-9"') :]
    assert group[: group.index("}")].count('"_framework-target-variant-of-cuda12-9-') == 2
    assert len(hcl) * 5 < len(flat), (len(hcl), len(flat))
    _same_targets(compiled, hcl)
    # `--set` still reaches one cell by its name.
    cell = "dynamo-cuda13-0-arm64-debug-v4"
    sets = (f"{cell}.args.X=1",)
    assert Bake(hcl).print(cell, sets=sets) == Bake(flat).print(cell, sets=sets)


def test_a_value_that_follows_two_axes_leaves_them_out_of_one_block() -> None:
    # The override's arg follows the framework and the target together: no record of one
    # axis can hold it, so those two axes are never keys of the same block. The blocks
    # chosen instead have the CUDA version as a key: the description names its value
    # ("12.8"), which differs from its id, so each record holds it.
    override = "overrides:\n  - select: {framework: vllm, target: dev}\n    args: {PIN: 'yes'}\n"
    compiled = compile_matrix(load_matrix_text(realistic_matrix(override)))
    plan = compiled.bake.hcl_blocks() if compiled.bake.hcl_blocks else None
    assert plan is not None
    assert plan.families
    for family in plan.families:
        keys = {key for key, _ in family.matrix()}
        assert not {"_cell_framework", "_cell_target"} <= keys, family.block.name
    assert sum(len(f.members) for f in plan.families) == 1000
    hcl = compiled.text("hcl")
    assert " ${_cell_cuda.value} " in hcl
    assert '{ id = "cuda12-8", value = "12.8"' in hcl
    _same_targets(compiled, hcl)


def test_cells_that_are_not_a_complete_product_keep_their_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One cell excluded: the group of its other axes is no longer a product, and buildx
    # would make the missing cell; a set of fewer axes leaves that cell's neighbours out.
    exclude = "exclude:\n  - {framework: vllm, cuda: '12.8', platform: linux/amd64, target: runtime, variant: v1}\n"
    compiled = compile_matrix(load_matrix_text(realistic_matrix(exclude)))
    plan = compiled.bake.hcl_blocks() if compiled.bake.hcl_blocks else None
    assert plan is not None
    names = {f.block.name: len(f.members) for f in plan.families}
    # Seven blocks of CUDA and platform are whole; of CUDA 12.8 on amd64, the cells of
    # each other framework make a block (over one CUDA version, the targets and variants),
    # and vllm's 24 cells keep a block each.
    assert sum(names.values()) == 999 - 24
    assert "_framework-target-variant-of-cuda12-8-amd64" not in names
    assert names["_cuda-target-variant-of-sglang-amd64"] == 25
    members = {m for f in plan.families for m in f.members}
    assert "vllm-cuda12-8-amd64-runtime-v2" not in members
    hcl = compiled.text("hcl")
    assert 'target "vllm-cuda12-8-amd64-runtime-v2"' in hcl
    reference = Bake(_without_families(compiled))
    assert Bake(hcl).print("default")["target"] == reference.print("default")["target"]
    # Without sets to try, no family over several axes forms.
    monkeypatch.setattr(grids, "MAX_SETS", 0)
    again = compile_matrix(load_matrix_text(realistic_matrix(exclude))).text("hcl")
    assert "matrix = {" not in again


def test_values_alike_on_several_axes_are_told_apart_by_a_cell_where_they_differ() -> None:
    # Three axes of the values 0 … 3: the first cell's description is "0 0 0", which no
    # template can take apart; the texts are templated from a cell whose values differ.
    axes = "\n".join(
        f"  {axis}:\n    id: '{axis}{{value}}'\n    values:\n"
        + "\n".join(f"      '{v}': {{args: {{{axis.upper()}: 'n{v}'}}}}" for v in range(4))
        for axis in ("x", "y", "z")
    )
    text = (
        "format: 1\nimage:\n  name: app\n  tags: ['{version}-{name}']\n"
        f"defaults:\n  dockerfile: Dockerfile\naxes:\n{axes}\n"
    )
    compiled = compile_matrix(load_matrix_text(text))
    hcl = compiled.text("hcl")
    assert 'target "_x-y-z"' in hcl
    assert 'description = "${_cell_x.value} ${_cell_y.value} ${_cell_z.value}"' in hcl
    assert 'X = "n${_cell_x.value}"' in hcl
    with_families, reference = Bake(hcl), Bake(_without_families(compiled))
    assert with_families.print("default")["target"] == reference.print("default")["target"]
    assert len(with_families.print("default")["target"]) == 64


def test_an_axis_name_with_a_hyphen_makes_a_matrix_key_without_one() -> None:
    # `_cell_gpu-arch.id` would read as a subtraction where a reader expects a name.
    axes = "\n".join(
        f"  {axis}:\n    values:\n" + "\n".join(f"      {axis[0]}{v}: {{}}" for v in range(4))
        for axis in ("gpu-arch", "os")
    )
    text = (
        "format: 1\nimage:\n  name: app\n  tags: ['{version}-{name}']\n"
        f"defaults:\n  dockerfile: Dockerfile\naxes:\n{axes}\n"
    )
    compiled = compile_matrix(load_matrix_text(text))
    hcl = compiled.text("hcl")
    assert "    _cell_gpu_arch = " in hcl
    assert "${_cell_gpu_arch.id}" in hcl
    assert "_cell_gpu-arch" not in hcl
    with_families, reference = Bake(hcl), Bake(_without_families(compiled))
    assert with_families.print("default")["target"] == reference.print("default")["target"]
    assert len(with_families.print("default")["target"]) == 16
