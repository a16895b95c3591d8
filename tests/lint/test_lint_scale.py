"""Lint and the ci plan grow linearly with the matrix. Work is counted in lines of Python
run (a loop over every target, for every target, shows as quadratic growth), which unlike
seconds does not depend on the machine; timings live in benchmarks/command_work_bench.py."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from bakegen.lint.linter import Linter
from bakegen.pipeline import compile_path
from tests.support.matrices import write_project


def count_lines(work: Callable[[], object]) -> int:
    """Lines of Python run while `work` runs."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize(
    "work",
    [lambda c: Linter(c, Path()).run(), lambda c: Linter(c, Path()).cache_misses()],
    ids=["lint", "ci cache misses"],
)
def test_lint_work_grows_linearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, work: Callable[[Any], object]
) -> None:
    counts = []
    for cells in (500, 1000):
        where = tmp_path / str(cells)
        where.mkdir()
        write_project(where, cells)
        monkeypatch.chdir(where)
        compiled = compile_path(Path("matrix.yaml"))
        counts.append(count_lines(lambda compiled=compiled: work(compiled)))
    # Twice the cells, at most twice the work (the quadratic "meant for" scan gave 2.24).
    assert counts[1] / counts[0] < 2.0, counts
