"""Render work grows linearly with the matrix. Work is counted in Python function calls,
which, unlike seconds, do not depend on the machine or its load; timings live in
benchmarks/render_bench.py (and commands_bench.py, print_bench.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

from bakegen.bakefile import layout as bakefile
from bakegen.bakefile.hcl import _escaped
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from bakegen.render.hcl_file import environment
from bakegen.resolve.expand import CellSpace, expand_cells
from bakegen.resolve.resolver import resolve
from bakegen.resolve.select import select
from bakegen.resolve.targets import Resolution
from bakegen.templating import _parse
from tests.support.matrices import growing_matrix, synthetic_matrix


def count_calls(work: Callable[[], object]) -> int:
    """Python and C function calls made while `work` runs."""
    for cached in (_escaped, _parse, environment):
        cached.cache_clear()
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def calls_to_render(text: str) -> int:
    return count_calls(lambda: compile_matrix(load_matrix_text(text)).text("hcl"))


def calls_to_lay_out(text: str) -> int:
    """Calls made by the layout stage alone (resolved targets → blocks and parents)."""
    matrix = load_matrix_text(text)
    model, ids = matrix.model, matrix.ids
    resolved = resolve(model, ids, expand_cells(CellSpace.of(model, ids)))
    targets, selected = select(resolved.cells, resolved.shared, ())
    resolution = Resolution(targets=targets, selected=selected, warnings=())
    return count_calls(lambda: bakefile.layout(model, ids, "matrix.yaml", resolution))


def test_render_work_grows_linearly_from_1000_to_10000_cells() -> None:
    small = calls_to_render(synthetic_matrix(1_000))
    large = calls_to_render(synthetic_matrix(10_000))
    assert large / small <= 12, (small, large)


def test_render_work_grows_linearly_when_one_axis_grows() -> None:
    # 100 flavours → 1,000: ten times the cells and ten times the values of one axis. Work
    # proportional to cells × axis values would grow a hundredfold.
    small = calls_to_render(growing_matrix(1_000))
    large = calls_to_render(growing_matrix(10_000))
    assert large / small <= 11, (small, large)


def test_layout_work_grows_linearly_when_one_axis_grows() -> None:
    small = calls_to_lay_out(growing_matrix(1_000))
    large = calls_to_lay_out(growing_matrix(10_000))
    assert large / small <= 11, (small, large)


def test_layout_does_not_scan_every_target_per_axis_value() -> None:
    # The same 10,000 cells with 10 or 1,000 values on the growing axis: layout work may
    # follow the number of cells and parents, not cells × axis values.
    few_values = calls_to_lay_out(synthetic_matrix(10_000))
    many_values = calls_to_lay_out(growing_matrix(10_000))
    assert many_values / few_values <= 3, (few_values, many_values)


def test_synthetic_matrices_have_the_cells_they_say() -> None:
    for text in (synthetic_matrix(100), growing_matrix(100)):
        compiled = compile_matrix(load_matrix_text(text))
        assert sum(t.kind == "cell" for t in compiled.resolution.targets) == 100


def test_an_axis_of_many_values_with_few_cells_each_gets_no_parents() -> None:
    # Each parent costs buildx about a target's work; 100 flavours of 10 cells each would add
    # 100 blocks that save little. CUDA (200 cells per value) and platform keep theirs.
    bake = compile_matrix(load_matrix_text(growing_matrix(1_000))).bake
    names = {p.name for p in bake.parents}
    assert not any(n.startswith("_f") for n in names), names
    assert {"_common", "_cuda12-8", "_amd64", "_arm64"} <= names


def test_compiled_targets_are_freed_without_the_cycle_collector() -> None:
    # Compiling pauses the cycle collector (it would rescan millions of live objects), so
    # whatever a compile leaves in a reference cycle stays until a full collection: no
    # target may be held by one, or a large matrix is held twice.
    import gc

    from bakegen.resolve.targets import Target

    gc.collect()
    gc.disable()
    try:
        compiled = compile_matrix(load_matrix_text(growing_matrix(100)))
        assert any(t.depends_on for t in compiled.resolution.targets)
        compiled.text("hcl")
        del compiled
        alive = [o for o in gc.get_objects() if isinstance(o, Target)]
    finally:
        gc.enable()
    assert alive == []
