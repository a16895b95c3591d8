"""Warnings about targets that build several platforms. Their registry cache is one ref per
target, which every node of a builder with a node per platform writes in turn (the last write
wins: buildx#1044), and the multi-arch join (`ci.manifest`) puts such a target's index beside
single-platform images, where a platform may then be listed twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bakegen.errors import KeyPath, Problem
from bakegen.matrix.model import Manifest
from bakegen.resolve.targets import Target

PER_PLATFORM = (
    "build one platform per target: a platform axis whose values each set one platform "
    "(`bakegen ci` gives each its own job, `bakegen manifest` joins them into a multi-arch tag)"
)


def several_platforms(members: Sequence[Target]) -> list[Target]:
    """The members of a join of two or more cells that build several platforms each."""
    if len(members) < 2:
        return []
    return [cell for cell in members if len(cell.platforms) > 1]


def repeated_platforms(members: Iterable[Target]) -> list[str]:
    """The platforms that more than one member of a join builds (the index would list each
    of them twice)."""
    counts = Counter(p for cell in members for p in cell.platforms)
    return sorted(p for p, n in counts.items() if n > 1)


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
        for cell in several_platforms(members):
            value = dict(cell.values).get(manifest.axis)
            if value not in flagged:
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


def cache_warnings(targets: Iterable[Target]) -> list[Problem]:
    """One warning per block that gives targets with the registry cache several platforms:
    on a builder with a node per platform the nodes overwrite each other's cache."""
    found: dict[tuple[KeyPath, tuple[str, ...]], int] = {}
    for target in targets:
        if len(target.platforms) > 1 and target.cache_to:
            where = target.origins.get("platforms", ("defaults",))
            key = (where, target.platforms)
            found[key] = found.get(key, 0) + 1
    return [
        Problem(
            path=where,
            message=f"{count} target{'s' if count > 1 else ''} "
            f"build{'' if count > 1 else 's'} several platforms ({', '.join(platforms)}) "
            "into one registry cache ref each: on a builder with a node per platform, every "
            "node writes that ref and the last write wins (buildx#1044), so a fresh build "
            "runs the other platforms' steps again",
            hint=f"{PER_PLATFORM}; or set cache: {{enabled: false}}",
        )
        for (where, platforms), count in found.items()
    ]
