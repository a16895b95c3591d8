"""Warnings about the multi-arch join (`ci.manifest`): cells joined into one manifest tag
should each build one platform."""

from __future__ import annotations

from collections.abc import Iterable

from bakegen.errors import Problem
from bakegen.model import Manifest
from bakegen.targets import Target


def join_warnings(manifest: Manifest | None, cells: Iterable[Target]) -> list[Problem]:
    """A cell that builds several platforms, joined with others into the same manifest tag,
    makes that tag ambiguous (e.g. a `multi` value beside amd64 and arm64)."""
    if manifest is None:
        return []
    joined: dict[tuple[tuple[str, str], ...], list[Target]] = {}
    for cell in cells:
        rest = tuple(p for p in cell.values if p[0] != manifest.axis)
        joined.setdefault(rest, []).append(cell)
    warnings: list[Problem] = []
    flagged: set[str] = set()
    for members in joined.values():
        if len(members) < 2:
            continue
        for cell in members:
            value = dict(cell.values).get(manifest.axis)
            if len(cell.platforms) > 1 and value not in flagged:
                flagged.add(value or "")
                warnings.append(
                    Problem(
                        path=("axes", manifest.axis, "values", value or ""),
                        message=f"{manifest.axis} {value!r} builds several platforms "
                        f"({', '.join(cell.platforms)}) and is joined with the other "
                        f"{manifest.axis} values into one manifest tag",
                        hint="exclude it from the join: build it in a separate matrix "
                        "or give it its own tags",
                    )
                )
    return warnings
