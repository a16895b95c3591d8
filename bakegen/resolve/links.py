"""Named contexts of a target: its own `contexts`, the shared stages it `uses` and the
sibling cells it `links` to, the last two wired as `target:<name>`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from bakegen.errors import KeyPath, Problems
from bakegen.templating import Part, Text, literal, plain

if TYPE_CHECKING:
    from bakegen.resolve.cascade import Merged
    from bakegen.resolve.expand import Cell


class _TextMaker(Protocol):
    def text(self, template: str, scope: dict[str, Part], where: KeyPath) -> Text: ...


class Resolving(Protocol):
    """What wiring needs of a resolution in progress."""

    @property
    def problems(self) -> Problems: ...
    @property
    def templates(self) -> _TextMaker: ...
    @property
    def by_values(self) -> Mapping[tuple[tuple[str, str], ...], Cell]: ...

    def shared_target(
        self, stage: str, values: tuple[tuple[str, str], ...], where: KeyPath
    ) -> str | None: ...


def dependencies(
    resolving: Resolving,
    merged: Merged,
    values: tuple[tuple[str, str], ...],
    scope: dict[str, Part],
    cell: Cell | None,
) -> tuple[dict[str, Text], list[str]]:
    """The named contexts of a target, and the targets it depends on, in order."""
    contexts: dict[str, Text] = {}
    depends: list[str] = []
    for key, (value, where) in merged.maps["contexts"].items():
        contexts[key] = resolving.templates.text(value, scope, where)
        ref = plain(contexts[key])
        if ref.startswith("target:"):
            # Bake builds a target a context names; selection must bring it along.
            depends.append(ref.removeprefix("target:"))
    for key, (stage, where) in merged.maps["uses"].items():
        name = resolving.shared_target(stage, values, where)
        if name:
            contexts[key] = _target_context(name)
            depends.append(name)
    for key, (link, where) in merged.maps["links"].items():
        if cell is None:
            resolving.problems.add(where, "a shared stage cannot link to a cell")
            continue
        other = _linked(resolving, cell, key, link, where)
        if other is not None:
            contexts[key] = literal(f"target:{other}")
            depends.append(other)
    return contexts, depends


@lru_cache(maxsize=4096)
def _target_context(name: str) -> Text:
    # Thousands of cells use the same few shared stages: one text for each.
    return literal(f"target:{name}")


def _linked(
    resolving: Resolving, cell: Cell, key: str, link: Mapping[str, str], where: KeyPath
) -> str | None:
    wanted = tuple((a, link.get(a, v)) for a, v in cell.values)
    other = resolving.by_values.get(wanted)
    if other is None:
        shown = ", ".join(f"{a}={v}" for a, v in wanted)
        resolving.problems.add(
            where,
            f"cell {cell.name!r} links {key!r} to ({shown}), which the matrix does not build",
            "is it excluded?",
        )
        return None
    if other.name == cell.name:
        resolving.problems.add(where, f"cell {cell.name!r} links {key!r} to itself")
        return None
    return other.name
