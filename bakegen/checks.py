"""Stage 4, check: rules over all resolved targets together (unique tags, platform-compatible
dependencies, no dependency cycles, exclusive attributes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bakegen.errors import KeyPath, Problem
from bakegen.templating import plain
from bakegen.validate import Matrix

if TYPE_CHECKING:  # resolve.py calls these checks; at run time only its objects come here
    from bakegen.targets import Target


def check_targets(matrix: Matrix, targets: tuple[Target, ...]) -> list[Problem]:
    """Whole-file rules: unique tags, platform-compatible links, no link cycles."""
    problems: list[Problem] = []
    by_name = {t.name: t for t in targets}
    seen_tags: dict[str, str] = {}
    clashes: list[tuple[str, str, str]] = []
    for target in targets:
        for tag in (*target.tags, *target.latest_tags):
            key = plain(tag)
            if key in seen_tags and seen_tags[key] != target.name:
                clashes.append((seen_tags[key], target.name, key))
            seen_tags.setdefault(key, target.name)
    if clashes:
        first, second, pushed = clashes[0]
        more = f" (and {len(clashes) - 1} more like it)" if len(clashes) > 1 else ""
        problems.append(
            matrix.source.problem(
                ("image", "tags"),
                f"targets {first!r} and {second!r} would both push {pushed!r}{more}",
                "make the tag templates include every axis that differs",
            )
        )
    for target in targets:
        for dep in target.depends_on:
            other = by_name.get(dep)
            if other and other.platforms and not set(target.platforms) <= set(other.platforms):
                problems.append(
                    matrix.source.problem(
                        target.origins.get("platforms", ()),
                        f"{target.name!r} builds for {', '.join(target.platforms) or 'the host'} "
                        f"but uses {dep!r}, built only for {', '.join(other.platforms)}",
                    )
                )
    problems += _cycles(matrix, by_name)
    problems += _exclusive(matrix, targets)
    return problems


def _exclusive(matrix: Matrix, targets: tuple[Target, ...]) -> list[Problem]:
    """A target may set at most one attribute of each `exclusive` group."""
    problems: list[Problem] = []
    seen: set[tuple[str, ...]] = set()
    for group in matrix.model.exclusive:
        for target in targets:
            present = {
                "args": dict(target.args),
                "labels": dict(target.labels),
                "contexts": dict(target.contexts),
            }
            hits = [key for key in group if key.split(".", 1)[1] in present[key.split(".")[0]]]
            if len(hits) < 2 or tuple(hits) in seen:
                continue
            seen.add(tuple(hits))
            first, second = hits[0], hits[1]
            origins = [_origin_of(target, k) for k in (first, second)]
            first_at = matrix.source.locate(origins[0]) if origins[0] else "bakegen"
            problems.append(
                matrix.source.problem(
                    origins[1] or (),
                    f"{target.name} sets both {first} (at {first_at}) and "
                    f"{second}, which exclude each other",
                    "keep one of them; `exclusive` in the matrix says they are alternatives",
                )
            )
    return problems


def _origin_of(target: Target, key: str) -> KeyPath | None:
    kind, name = key.split(".", 1)
    return target.origins.get(target.context_origin(name) if kind == "contexts" else key)


def _cycles(matrix: Matrix, by_name: dict[str, Target]) -> list[Problem]:
    state: dict[str, int] = {}
    found: list[tuple[KeyPath, str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in by_name[name].depends_on:
            if dep not in by_name:
                continue
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep]
                where = next(
                    (w for k, w in by_name[name].origins.items() if k.startswith("links.")), ()
                )
                found.append((where, " -> ".join(cycle)))
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[name] = 2

    for name in by_name:
        if name not in state:
            visit(name, [name])
    if not found:
        return []
    where, cycle = found[0]
    more = f" (and {len(found) - 1} more like it)" if len(found) > 1 else ""
    return [matrix.source.problem(where, f"targets link in a cycle: {cycle}{more}")]
