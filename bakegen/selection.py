"""`--select`: the targets whose names match, and everything they depend on."""

from __future__ import annotations

from bakegen.errors import MatrixError, Problem
from bakegen.selectors import matches_any
from bakegen.targets import Target


def select(
    cells: tuple[Target, ...], shared: tuple[Target, ...], globs: tuple[str, ...]
) -> tuple[tuple[Target, ...], tuple[str, ...]]:
    """(The targets to write, in cell-then-shared order; the names selected). Without
    globs every cell is selected; globs may also name shared stages."""
    every = {t.name: t for t in (*cells, *shared)}
    pool = every if globs else {t.name: t for t in cells}
    selected = [n for n in pool if not globs or matches_any(n, globs)]
    if not selected:
        raise MatrixError(
            [
                Problem(
                    path=(),
                    message=f"--select {' '.join(globs)} matches no target",
                    hint="see `bakegen list --format names`",
                )
            ]
        )
    wanted: set[str] = set()
    stack = list(reversed(selected))
    while stack:
        name = stack.pop()
        if name in wanted or name not in every:
            continue
        wanted.add(name)
        stack.extend(reversed(every[name].depends_on))
    targets = tuple(t for t in (*cells, *shared) if t.name in wanted)
    return targets, tuple(selected)
