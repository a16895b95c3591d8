"""Render work grows linearly with the matrix. Work is counted in Python function calls,
which, unlike seconds, do not depend on the machine or its load; timings live in
benchmarks/render_bench.py."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from bakegen.hcl import escape_string
from bakegen.pipeline import compile_matrix
from bakegen.render import environment
from bakegen.templating import _parse
from bakegen.validate import load_matrix_text
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from render_bench import synthetic_matrix


def calls_to_render(cells: int) -> int:
    text = synthetic_matrix(cells)
    for cached in (escape_string, _parse, environment):
        cached.cache_clear()
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        compile_matrix(load_matrix_text(text)).text("hcl")
    finally:
        sys.setprofile(None)
    return count


def test_render_work_grows_linearly_from_1000_to_10000_cells() -> None:
    small = calls_to_render(1_000)
    large = calls_to_render(10_000)
    assert large / small <= 12, (small, large)


def test_synthetic_matrix_has_the_cells_it_says() -> None:
    compiled = compile_matrix(load_matrix_text(synthetic_matrix(100)))
    assert sum(t.kind == "cell" for t in compiled.resolution.targets) == 100
