"""`--select`: the targets whose names match, and everything they depend on."""

from __future__ import annotations

from bakegen.errors import MatrixError, Problem, Problems
from bakegen.matrix.names import suggest
from bakegen.matrix.selectors import matches_any
from bakegen.resolve.targets import Target
from bakegen.templating import plain


def select(
    cells: tuple[Target, ...], shared: tuple[Target, ...], globs: tuple[str, ...]
) -> tuple[tuple[Target, ...], tuple[str, ...]]:
    """(The targets to write, in cell-then-shared order; the names selected). Without
    globs every cell is selected; globs may also name shared stages."""
    _check_names(cells, shared)
    every = {t.name: t for t in (*cells, *shared)}
    _check_dependencies(every)
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


def _check_names(cells: tuple[Target, ...], shared: tuple[Target, ...]) -> None:
    """A shared stage's target named like a cell would replace that cell's image; a name
    that starts like a flag or a private parent cannot be a target."""
    names = {t.name for t in cells}
    problems = Problems()
    for target in (*cells, *shared):
        if target.name.startswith(("-", "_")):
            problems.add(
                ("name",) if target.kind == "cell" else ("shared",),
                f"the target name {target.name!r} starts with {target.name[0]!r}",
                "names starting with '-' read as flags, with '_' as bakegen's parent blocks",
                kind="name-start",
            )
    for target in shared:
        if target.name in names:
            problems.add(
                target.origins.get("dockerfile", ()),
                f"the shared stage target {target.name!r} has the name of a cell",
                "rename the shared stage",
                kind="shared-name",
            )
    problems.raise_if_any()


def _check_dependencies(every: dict[str, Target]) -> None:
    """`target:NAME` contexts must name a target of the file: bake refuses the file else."""
    problems = Problems()
    for target in every.values():
        for key, value in target.contexts:
            ref = plain(value)
            name = ref.removeprefix("target:")
            if ref.startswith("target:") and name not in every:
                problems.add(
                    target.origins.get(target.context_origin(key), ()),
                    f"context {key!r} names the target {name!r}, which the matrix does not have",
                    suggest(name, list(every)) or "see `bakegen list --format names`",
                    kind="unknown-target",
                )
    problems.raise_if_any()
