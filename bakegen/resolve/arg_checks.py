"""Warnings about `optional_args` that name no arg: the name is most likely misspelt, and the
arg it meant is then passed even when empty."""

from __future__ import annotations

from collections.abc import Iterable

from bakegen.errors import Problem
from bakegen.matrix.model import MatrixFile
from bakegen.matrix.names import suggest
from bakegen.matrix.validate import attribute_blocks
from bakegen.resolve.targets import Target


def optional_arg_warnings(model: MatrixFile, cells: Iterable[Target]) -> list[Problem]:
    """One warning per `optional_args` entry whose name no cell that lists it passes as an
    arg (a name some cells pass and others do not is fine: a default for all of them)."""
    listed: set[str] = set()
    passed: set[str] = set()
    for cell in cells:
        if cell.optional_args:
            listed.update(cell.optional_args)
            passed.update(k for k, _ in cell.args)
    unused = listed - passed
    if not unused:
        return []
    warnings = []
    for path, block in attribute_blocks(model):
        for i, name in enumerate(block.optional_args or ()):
            if name in unused:
                known = sorted(passed | set(block.args))
                hint = suggest(name, known) or "list only args the targets pass (`args`)"
                warnings.append(
                    Problem(
                        path=(*path, "optional_args", i),
                        message=f"optional_args names {name!r}, which no target that lists "
                        "it passes as an arg",
                        hint=hint,
                    )
                )
    return warnings
